# Sourced by the other scripts: creates the project venv .venv (Python 3.11 or newer) on first use,
# installs the Python requirements, and sets $PY.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON_BIN="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
    echo "creating the project venv .venv with $("$PYTHON_BIN" --version)"
    "$PYTHON_BIN" -m venv "$ROOT/.venv"
fi
PY="$ROOT/.venv/bin/python"
stamp="$ROOT/.venv/.requirements-installed"
if [ ! -f "$stamp" ] || [ "$ROOT/requirements-dev.txt" -nt "$stamp" ]; then
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -r "$ROOT/requirements-dev.txt"
    touch "$stamp"
fi
export PY
# The Python extension crate (python-plugin) links libpython in `cargo test`: use the venv's.
export PYO3_PYTHON="$PY"
