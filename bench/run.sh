#!/usr/bin/env bash
# Peer benchmark: one command regenerates bench/results.md, bench/results.png and the
# rate-distortion charts bench/rd_<array>.png.
#
#   bash bench/run.sh --data DIR [--repeat N] [--arrays NAME ...] [--bounds 1e-3 ...]
#
# DIR holds the arrays as .npy files (and optionally MANIFEST.json); without --data, the arrays
# of tests/data (the wind field is not among them). Needs Python 3.11 and a Rust toolchain;
# everything else comes as wheels (bench/requirements.txt, PyAV's wheel ships libx265) into the
# virtual environment .venv-bench at the repository's top, created on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv-bench
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r bench/requirements.txt

# NDCODECS and INTERP_CHAINS may point at existing binaries; otherwise build the release ones
# (the command line, and the example that runs the chains ending in arith through the Rust APIs).
TARGET="$(cargo metadata --format-version 1 --no-deps | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
if [ -z "${NDCODECS:-}" ]; then
    cargo build --release --quiet -p ndcodecs-cli
    NDCODECS="$TARGET/release/ndcodecs"
fi
if [ -z "${INTERP_CHAINS:-}" ]; then
    cargo build --release --quiet -p ndcodecs-interp-quantize --example interp_chains
    INTERP_CHAINS="$TARGET/release/examples/interp_chains"
fi

# Single-threaded peers: no OpenMP / BLAS thread pools.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
exec "$VENV/bin/python" bench/bench.py --ndcodecs "$NDCODECS" --interp-chains "$INTERP_CHAINS" "$@"
