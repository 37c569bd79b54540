#!/usr/bin/env bash
# Create or update the Python tools the WACZ tests run against, one venv per tool so
# their dependencies never fight: py-wacz (its `wacz validate` is the format's reference
# check, and its cdxj-indexer the reference index) and pywb (the replay engine). Each is
# pinned to the version the tests were written against.
#
# Usage: scripts/python-tools.sh [DIR]
# DIR defaults to $CARGO_TARGET_DIR/py, else target/py — where the tests look for
# DIR/wacz and DIR/pywb. Running it again installs only what is missing or outdated.
set -euo pipefail
root="${1:-${CARGO_TARGET_DIR:-$(dirname "$0")/../target}/py}"
python3 -c 'import ensurepip, venv' 2> /dev/null ||
    { echo "python3 with venv is missing: apt-get install python3-venv" >&2; exit 1; }

ensure() { # ensure VENV DISTRIBUTION VERSION
    local venv="$root/$1" dist="$2" version="$3"
    if "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$dist') != '$version')" 2> /dev/null; then
        return
    fi
    echo "installing $dist $version into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$dist==$version"
}

ensure wacz wacz 0.6.0
ensure pywb pywb 2.10.0
