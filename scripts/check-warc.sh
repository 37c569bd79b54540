#!/usr/bin/env bash
# Verify a WARC written by harava with warcio, the reference reader pywb builds on.
# Usage: scripts/check-warc.sh FILE.warc.gz   (or FILE.warc)
# warcio lives in a venv under the user cache so the check needs no system packages;
# set HARAVA_WARCIO_VENV to put it elsewhere.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 FILE.warc[.gz]" >&2
    exit 2
fi
venv="${HARAVA_WARCIO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/harava/warcio-venv}"
if ! "$venv/bin/python" -c 'import warcio' 2>/dev/null; then
    echo "installing warcio into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'warcio>=1.7'
fi
exec "$venv/bin/python" "$(dirname "$0")/check-warc.py" "$1"
