#!/usr/bin/env bash
# Side-by-side benchmark of textdedup against its peers. One command:
#
#   benches/peers/run.sh [JSONL_PATH] [--max-docs N] [other harness.py options]
#
# Makes (once) a virtual environment under target/peers-venv with the peers
# from PyPI, makes sure GNU time is there (peak RSS comes from it), then runs
# harness.py. Results: stdout and target/peers/results.md.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${PEERS_VENV:-$repo/target/peers-venv}"
python="${PYTHON:-python3}"

# GNU time, not the shell keyword: only it reports the peak RSS ("-v").
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing GNU time (apt-get install -y time)" >&2
        apt-get update -qq && apt-get install -y -qq time >/dev/null
    fi
    /usr/bin/time -v true >/dev/null 2>&1 || {
        echo "error: GNU time (/usr/bin/time) is required for peak RSS: apt-get install -y time" >&2
        exit 1
    }
fi

# The venv lives in target/ (ignored by git); reinstalling is skipped when the
# peers already import, so repeated runs start at once.
if ! "$venv/bin/python" -c 'import datasketch, rensa, gaoya, xxhash' 2>/dev/null; then
    echo "creating $venv with datasketch, rensa, gaoya, xxhash from PyPI" >&2
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q datasketch rensa gaoya xxhash
fi
"$venv/bin/pip" list 2>/dev/null | grep -iE '^(datasketch|rensa|gaoya|xxhash) ' >&2 || true

# No __pycache__ beside the scripts in the source tree.
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" "$repo/benches/peers/harness.py" "$@"
