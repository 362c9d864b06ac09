#!/usr/bin/env bash
# The main job, end to end:
#  1. the `ndcodecs` command line (Rust, zarrs) prints the error-analysis report on its embedded
#     real dataset and on ocean temperatures with land as missing data (charts in out/demo/*/),
#     then compresses real arrays the repository carries (tests/data) through each recommended
#     chain into zarr v3 stores under out/demo/ (the ocean one as an xarray dataset);
#  2. zarr-python with the `ndcodecs` package (installed into the project venv .venv) reads every
#     store back and checks it against the original: lossless chains bit for bit, lossy chains
#     within their bound, fill values bit-exactly; xarray reads the dataset with land as NaN.
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
echo "== report on ocean temperatures, land (9.96921e36) as missing data, PSNR target 60 dB"
"$BIN" report tests/data/ocean_pop_temperature_with_fill.npy --fill-value 9.96921e36 --psnr 60 \
    --out "$OUT/report-ocean"

echo "== compressing real arrays through each chain"
# name ; input (tests/data) ; chunks ; chain ; bound (0 = lossless) ; fill value (empty = none) ;
# dataset (empty = the array at the root; else `array:dim,dim`: an xarray dataset)
# zarr v3 chains end in zarr's core crc32c (numcodecs' crc32 is for numcodecs / zarr v2 readers).
CASES=(
  "volume;microscopy_nuclei_3d_uint16;16,61,57;spatial_delta(axis=[0,1,2]) | arith | crc32c;0;;"
  "photo;photo_camera_gray;256,256;interp_cnn | crc32c;0;;"
  "photo-fast;photo_camera_gray;256,256;spatial_delta(axis=[0,1]) | zstd(level=5) | crc32c;0;;"
  "temperature;climate_ncar_temperature_3d;17,48,96;interp_quantize(max_abs_error=0.01) | arith;0.01;;"
  "terrain;terrain_regional_surface_height;219,450;linear_quantize(max_abs_error=0.5) | spatial_delta(axis=[0,1]) | arith;0.5;;"
  "geopotential-fast;climate_ncar_geopotential_height;21,73,144;linear_quantize(max_abs_error=0.5) | spatial_delta(axis=[0,1,2]) | zstd(level=5);0.5;;"
  "ocean;ocean_pop_temperature_with_fill;192,160;interp_quantize(max_abs_error=0.005) | arith | crc32c;0.005;9.96921e36;temp:nlat,nlon"
  "fbank;speech_librivox_fbank80;500,80;lilcom(tick_power=-5);0.015625;;"
  "speech;speech_librivox_16k_int16;16000;spatial_delta(axis=0) | lilcom(tick_power=0);0;;"
)
: > "$OUT/cases.txt"
for case in "${CASES[@]}"; do
    IFS=';' read -r name input chunks chain bound fill dataset <<<"$case"
    extra=()
    if [ -n "$fill" ]; then extra+=(--fill-value "$fill"); fi
    if [ -n "$dataset" ]; then extra+=(--name "${dataset%%:*}" --dims "${dataset#*:}"); fi
    "$BIN" compress "tests/data/$input.npy" "$OUT/$name.zarr" --chunks "$chunks" --codecs "$chain" \
        ${extra[@]+"${extra[@]}"}
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$input" "$bound" "$fill" "$dataset" "$chain" >> "$OUT/cases.txt"
done

echo "== reading the stores back with zarr-python"
if ! "$PY" -c "import ndcodecs" 2>/dev/null || [ "${NDCODECS_REINSTALL:-1}" = 1 ]; then
    "$PY" -m pip install --quiet ./python-plugin
fi
"$PY" scripts/check_stores.py "$OUT"
