#!/usr/bin/env bash
# Peer benchmark: one command regenerates bench/results.md and bench/results.png.
#
#   bash bench/run.sh [--repeat N] [--arrays NAME ...]
#
# Needs Python 3.11 and a Rust toolchain; everything else comes as wheels (bench/requirements.txt)
# into the virtual environment .venv-bench at the repository's top, created on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv-bench
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r bench/requirements.txt

# NDCODECS may point at an existing binary; otherwise build the release one.
if [ -z "${NDCODECS:-}" ]; then
    cargo build --release --quiet -p ndcodecs-cli
    NDCODECS="$(cargo metadata --format-version 1 --no-deps | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/ndcodecs"
fi

# Single-threaded peers: no OpenMP / BLAS thread pools.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
exec "$VENV/bin/python" bench/bench.py --ndcodecs "$NDCODECS" "$@"
