#!/usr/bin/env bash
# The main job, end to end:
#  1. the `ndcodecs` command line (Rust, zarrs) prints the error-analysis report on its embedded
#     real dataset, then compresses real arrays the repository carries (tests/data) through each
#     recommended chain into zarr v3 stores under out/demo/;
#  2. zarr-python with the `ndcodecs` package (installed into the project venv .venv) reads every
#     store back and checks it against the original: lossless chains bit for bit, lossy chains
#     within their bound, fill values bit-exactly.
# Needs only a Rust toolchain and Python 3.11.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/venv.sh

cargo build --release --locked -p ndcodecs-cli
BIN="$ROOT/target/release/ndcodecs"
OUT="$ROOT/out/demo"
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== report on the embedded dataset"
"$BIN" report --out "$OUT/report"

echo "== compressing real arrays through each chain"
# name ; input (tests/data) ; chunks ; chain ; bound (0 = lossless) ; fill value (empty = none)
CASES=(
  "volume;microscopy_nuclei_3d_uint16;16,61,57;spatial_delta(axis=[0,1,2]) | zstd(level=5);0;"
  "photo;photo_camera_gray;256,256;spatial_delta(axis=[0,1]) | zstd(level=5) | crc32;0;"
  "temperature;climate_ncar_temperature_3d;17,48,96;linear_quantize(max_abs_error=0.01) | spatial_delta(axis=[0,1,2]) | zstd(level=5);0.01;"
  "ocean;ocean_pop_temperature_with_fill;192,160;linear_quantize(max_abs_error=0.005, fill_value=9.96921e36) | spatial_delta(axis=[0,1]) | zstd(level=5);0.005;9.96921e36"
  "fbank;speech_librivox_fbank80;500,80;lilcom(tick_power=-5);0.015625;"
  "speech;speech_librivox_16k_int16;16000;spatial_delta(axis=0) | lilcom(tick_power=0);0;"
)
: > "$OUT/cases.txt"
for case in "${CASES[@]}"; do
    IFS=';' read -r name input chunks chain bound fill <<<"$case"
    "$BIN" compress "tests/data/$input.npy" "$OUT/$name.zarr" --chunks "$chunks" --codecs "$chain"
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$input" "$bound" "$fill" "$chain" >> "$OUT/cases.txt"
done

echo "== reading the stores back with zarr-python"
if ! "$PY" -c "import ndcodecs" 2>/dev/null || [ "${NDCODECS_REINSTALL:-1}" = 1 ]; then
    "$PY" -m pip install --quiet ./python-plugin
fi
"$PY" scripts/check_stores.py "$OUT"
