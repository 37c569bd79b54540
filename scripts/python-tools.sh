#!/usr/bin/env bash
# Create or update the Python tools the WACZ tests run against, one venv per tool so
# their pins never fight: the `wacz` package (its `wacz validate` is the format's
# reference check) and pywb (the replay engine Webrecorder's tools build on).
# Usage: scripts/python-tools.sh [DIR]   (default: target/py; the tests look in
# $CARGO_TARGET_DIR/py, else target/py). Running it again only installs what is missing.
set -euo pipefail
root="${1:-${CARGO_TARGET_DIR:-$(dirname "$0")/../target}/py}"
command -v python3 >/dev/null || { echo "python3 not found: install it (apt-get install python3-venv)" >&2; exit 1; }

ensure() { # ensure NAME MODULE REQUIREMENT...
    local venv="$root/$1" module="$2"
    shift 2
    if "$venv/bin/python" -c "import $module" 2>/dev/null; then
        return
    fi
    echo "installing $* into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
    "$venv/bin/python" -c "import $module"
}

ensure wacz wacz 'wacz>=0.5'
ensure pywb pywb 'pywb>=2.8'
