#!/usr/bin/env bash
# Runs every test, Rust and Python: lints, the Rust workspace tests (unit, integration, property,
# golden, doctests), then the Python package and the cross-language tests under pytest.
# Needs only a Rust toolchain and Python 3.11; installs the rest into the project venv .venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/venv.sh

echo "== lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== Rust tests"
cargo test --workspace --locked

if [ -f python-plugin/pyproject.toml ]; then
    echo "== Python package (release build of the extension)"
    "$PY" -m pip install --quiet ./python-plugin
fi

echo "== Python tests"
tests=()
for d in python-plugin/tests tests; do
    if ls "$d"/test_*.py >/dev/null 2>&1; then tests+=("$d"); fi
done
if [ ${#tests[@]} -gt 0 ]; then
    "$PY" -m pytest -q "${tests[@]}"
else
    echo "no Python tests yet"
fi
