"""arith against its peers, side by side in one run, one thread: the targets of ndcodecs issue #9.

For every array the same integer input goes to arith (the Rust example `arith_sizes`, timed in
process in the CPU time of its thread) and to the peers (timed the same way) (zstd levels 5 and 19, pcodec, JPEG-LS through imagecodecs, SZ3 through
pysz for the chain's speed), array by array, so that load on the machine hits both alike.

- floats at absolute bounds 1e-2, 1e-3, 1e-4 x value range: int32 codes round((x - min) / step),
  step just under twice the bound (what `linear_quantize` gives up to its offset), Lorenzo-
  differenced along every axis (`spatial_delta` over all axes); fill cells (|x| >= 1e30) are
  replaced by the mean of the valid cells, as in bench/bench.py. Peers: the same residuals with
  zstd(5), zstd(19), pcodec; and pcodec on the undifferenced codes (its own delta), the better of
  the two pcodec figures counting.
- the wind field at max errors 0.13, 0.3, 0.64 m/s, the same chain (pass --wind PATH).
- lossless: photos, microscopy, speech and an int16 DEM (the terrain rounded to metres) after
  `spatial_delta` (2-d over y, x; 3-d for the volume; 1-d for speech); peers zstd(19) on the same
  residuals, pcodec on the residuals and on the raw array (better counts), JPEG-LS on the raw
  image (no colour transform; volume slice by slice; the DEM offset to uint16).

Usage (from the repository root, with numpy, zstandard, pcodec, imagecodecs, pysz installed):
    python codecs/arith/benches/vs_peers.py [--data tests/data] [--wind PATH] [--moon PATH]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pcodec
import zstandard
from pcodec import standalone

ROOT = Path(__file__).resolve().parents[3]
FLOATS = [
    "climate_hadcm3_air_temperature",
    "climate_ncar_temperature_3d",
    "climate_ncar_geopotential_height",
    "ocean_pop_temperature_with_fill",
    "terrain_regional_surface_height",
    "speech_librivox_fbank80",
]


def lorenzo(a: np.ndarray, axes) -> np.ndarray:
    r = a.copy()
    for ax in axes:
        r = np.diff(r, axis=ax, prepend=np.zeros_like(np.take(r, [0], axis=ax)))
    return r


def best_time(fn, repeat):
    """Best of `repeat` runs in CPU time of this thread (the Rust side measures the same way), so
    that the load of a shared machine counts little."""
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.thread_time()
        out = fn()
        best = min(best, time.thread_time() - t)
    return best, out


def zstd_size(a, level):
    return len(zstandard.ZstdCompressor(level=level).compress(np.ascontiguousarray(a).tobytes()))


def pcodec_size(a):
    try:
        return len(standalone.simple_compress(np.ascontiguousarray(a).ravel(), pcodec.ChunkConfig()))
    except Exception:  # noqa: BLE001 - pcodec refuses some dtypes (uint8/int8)
        return None


def arith_run(binary: Path, path: Path, repeat: int):
    out = subprocess.run([str(binary), str(path)], capture_output=True, text=True, check=True,
                         env={"REPEAT": str(repeat)}).stdout.splitlines()
    _, raw, size, enc, dec = out[-1].split()
    return int(raw), int(size), float(enc), float(dec)


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "tests" / "data"))
    ap.add_argument("--wind", default=None, help="wind_fire_u_dev.npy (time, y, x) float32")
    ap.add_argument("--moon", default=None, help="a flat greyscale photo (e.g. scikit-image's moon)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "examples" / "arith_sizes"))
    args = ap.parse_args()
    data = Path(args.data)
    binary = Path(args.binary)
    tmp = Path(tempfile.mkdtemp(prefix="arith_vs_"))
    try:
        import pysz  # noqa: F401
        have_sz3 = True
    except ImportError:
        have_sz3 = False

    print("## Floats: linear_quantize -> spatial_delta -> entropy stage (ratio = float32 bytes / coded bytes)\n")
    print("| array | bound | arith | zstd(5) | zstd(19) | pcodec | arith/zstd19 | arith/pcodec | arith enc MB/s | arith dec MB/s | SZ3 enc MB/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for rel in (1e-2, 1e-3, 1e-4):
        for name in FLOATS:
            x = np.load(data / f"{name}.npy").astype(np.float64)
            valid = np.abs(x) < 1e30
            if not valid.all():
                x[~valid] = x[valid].mean()
            lo, hi = x.min(), x.max()
            bound = rel * (hi - lo)
            step = 2 * bound * (1 - 1e-6)
            q = np.round((x - lo) / step).astype(np.int32)
            r = lorenzo(q, range(q.ndim))
            p = tmp / f"{name}_{rel:g}.npy"
            np.save(p, r)
            raw = x.size * 4
            _, a_size, enc, dec = arith_run(binary, p, args.repeat)
            z5, z19 = zstd_size(r, 5), zstd_size(r, 19)
            pc = min(s for s in (pcodec_size(r), pcodec_size(q)) if s)
            sz3 = ""
            if have_sz3 and rel == 1e-3:
                from pysz import sz, szAlgorithm, szConfig, szErrorBoundMode

                x32 = np.ascontiguousarray(x, dtype=np.float32)
                conf = szConfig(x32.shape)
                conf.errorBoundMode = szErrorBoundMode.ABS
                conf.absErrorBound = bound
                conf.cmprAlgo = szAlgorithm.INTERP_LORENZO
                conf.openmp = False
                t, _ = best_time(lambda: sz.compress(x32, conf)[0], args.repeat)
                sz3 = f"{raw / t / 1e6:.0f}"
            ra, r5, r19, rp = raw / a_size, raw / z5, raw / z19, raw / pc
            summary.setdefault(rel, []).append((ra / r19, ra / rp, ra, r19, rp))
            print(f"| {name} | {rel:g} | {ra:.2f} | {r5:.2f} | {r19:.2f} | {rp:.2f} | {ra / r19:.3f} | {ra / rp:.3f} | {enc:.0f} | {dec:.0f} | {sz3} |")
    for rel, rows in summary.items():
        print(f"\ngeometric means at {rel:g}: arith/zstd(19) {geomean([r[0] for r in rows]):.3f}, "
              f"arith/pcodec {geomean([r[1] for r in rows]):.3f}; ratios arith {geomean([r[2] for r in rows]):.2f}, "
              f"zstd(19) {geomean([r[3] for r in rows]):.2f}, pcodec {geomean([r[4] for r in rows]):.2f}")

    if args.wind:
        print("\n## Wind field (time 200, y 150, x 150): linear_quantize -> spatial_delta(0,1,2) -> entropy stage\n")
        print("| max error m/s | arith | zstd(5) | zstd(19) | pcodec | arith/zstd5 | arith enc MB/s | arith dec MB/s |")
        print("|---|---|---|---|---|---|---|---|")
        w = np.load(args.wind).astype(np.float64)
        for e in (0.13, 0.3, 0.64):
            q = np.round((w - w.min()) / (2 * e * (1 - 1e-6))).astype(np.int32)
            r = lorenzo(q, range(3))
            p = tmp / f"wind_{e}.npy"
            np.save(p, r)
            raw = w.size * 4
            _, a_size, enc, dec = arith_run(binary, p, args.repeat)
            z5, z19 = zstd_size(r, 5), zstd_size(r, 19)
            pc = min(s for s in (pcodec_size(r), pcodec_size(q)) if s)
            print(f"| {e} | {raw / a_size:.2f} | {raw / z5:.2f} | {raw / z19:.2f} | {raw / pc:.2f} | {z5 / a_size:.2f} | {enc:.0f} | {dec:.0f} |")

    print("\n## Lossless integers: spatial_delta -> entropy stage (bits per sample)\n")
    print("| array | arith | zstd(19) | pcodec | JPEG-LS | arith/JPEG-LS | arith enc MB/s | arith dec MB/s |")
    print("|---|---|---|---|---|---|---|---|")
    import imagecodecs

    def jls(a):
        if a.ndim == 3 and a.shape[2] == 3:
            return len(imagecodecs.jpegls_encode(np.ascontiguousarray(a)))
        if a.ndim == 3:
            return sum(len(imagecodecs.jpegls_encode(np.ascontiguousarray(s))) for s in a)
        return len(imagecodecs.jpegls_encode(np.ascontiguousarray(a)))

    t = np.load(data / "terrain_regional_surface_height.npy")
    dem = np.round(t).astype(np.int16)
    lossless = [
        ("photo_camera_gray", np.load(data / "photo_camera_gray.npy"), [0, 1], True),
        ("microscopy_nuclei_3d_uint16", np.load(data / "microscopy_nuclei_3d_uint16.npy"), [0, 1, 2], True),
        ("dem_int16 (terrain in m)", dem, [0, 1], True),
        ("speech_librivox_16k_int16", np.load(data / "speech_librivox_16k_int16.npy"), [0], False),
    ]
    for extra in ("photo_astronaut_rgb", "microscopy_nuclei_2d_uint16"):
        f = data / f"{extra}.npy"
        if f.exists():
            a = np.load(f)
            lossless.append((extra, a, [0, 1], True))
    if args.moon:
        lossless.append(("moon (flat photo)", np.load(args.moon), [0, 1], True))
    ocean = np.load(data / "ocean_pop_temperature_with_fill.npy")
    lossless.append(("land mask (ocean fill)", (np.abs(ocean) > 1e30).astype(np.uint8), [0, 1], False))
    image_ratios = []
    for name, a, axes, image in lossless:
        r = lorenzo(a, axes)
        p = tmp / f"ll_{len(image_ratios)}_{a.dtype}.npy"
        np.save(p, r)
        _, a_size, enc, dec = arith_run(binary, p, args.repeat)
        n = a.size
        z19 = zstd_size(r, 19)
        pcs = [s for s in (pcodec_size(r), pcodec_size(a)) if s]
        pc = min(pcs) if pcs else None
        j = None
        if image:
            aj = a if a.dtype != np.int16 else (a.astype(np.int32) - a.min()).astype(np.uint16)
            j = jls(aj)
            image_ratios.append(a_size / j)
        f = lambda s: f"{8 * s / n:.3f}" if s else "—"  # noqa: E731
        print(f"| {name} | {f(a_size)} | {f(z19)} | {f(pc)} | {f(j)} | {a_size / j if j else float('nan'):.3f} | {enc:.0f} | {dec:.0f} |")
    print(f"\ngeometric mean arith/JPEG-LS over the images: {geomean(image_ratios):.3f}")


if __name__ == "__main__":
    sys.exit(main())
