"""Lossless integer benchmark: `spatial_delta -> arith` against `spatial_delta -> zstd(19)`,
pcodec and JPEG-LS on the photos, microscopy, an int16 DEM and speech of tests/data (and any
extra .npy images passed with --extra), one thread, side by side array by array.

Ours run through the `ndcodecs` Python package (numcodecs classes SpatialDelta and Arith, the
same Rust code zarr uses); times are the best of --repeat runs in CPU time of the thread
(`time.thread_time`), so a loaded machine counts little. Sizes are bits per sample (bps).

- arith, zstd(19): on the spatial_delta residuals (2-d over y, x; 3-d for volumes; 1-d for
  speech); zstd on their bytes.
- pcodec: on the residuals and on the raw array (its own delta search); the better counts.
- JPEG-LS (imagecodecs, CharLS, lossless, no colour transform): on the raw image; a volume slice
  by slice; signed images offset to unsigned.

Usage: python bench/images.py [--repeat 3] [--extra path.npy ...]   (writes bench/images.md)
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data"


def best(fn, repeat):
    t_best, out = math.inf, None
    for _ in range(repeat):
        t = time.thread_time()
        out = fn()
        t_best = min(t_best, time.thread_time() - t)
    return t_best, out


def arrays(extra):
    terrain = np.load(DATA / "terrain_regional_surface_height.npy")
    items = [
        ("photo_camera_gray", np.load(DATA / "photo_camera_gray.npy"), [0, 1], True),
        ("microscopy_nuclei_3d_uint16", np.load(DATA / "microscopy_nuclei_3d_uint16.npy"), [0, 1, 2], True),
        ("dem_int16 (terrain rounded to m)", np.round(terrain).astype(np.int16), [0, 1], True),
        ("speech_librivox_16k_int16", np.load(DATA / "speech_librivox_16k_int16.npy"), [0], False),
    ]
    for path in extra:
        a = np.load(path)
        axes = [0, 1, 2] if a.ndim == 3 and a.shape[-1] != 3 else [0, 1]
        items.append((Path(path).stem, a, axes, True))
    ocean = np.load(DATA / "ocean_pop_temperature_with_fill.npy")
    items.append(("land mask (ocean fill cells)", (np.abs(ocean) > 1e30).astype(np.uint8), [0, 1], False))
    return items


def jpegls(a):
    import imagecodecs

    if a.dtype.kind == "i":
        a = (a.astype(np.int64) - a.min()).astype(np.uint16)
    if a.ndim == 3 and a.shape[2] == 3:
        return len(imagecodecs.jpegls_encode(np.ascontiguousarray(a)))
    if a.ndim == 3:
        return sum(len(imagecodecs.jpegls_encode(np.ascontiguousarray(s))) for s in a)
    return len(imagecodecs.jpegls_encode(np.ascontiguousarray(a)))


def pcodec_size(a):
    import pcodec
    from pcodec import standalone

    try:
        return len(standalone.simple_compress(np.ascontiguousarray(a).ravel(), pcodec.ChunkConfig()))
    except Exception:  # noqa: BLE001 - pcodec takes no 8-bit integers
        return None


def main():
    import zstandard
    from ndcodecs import Arith, SpatialDelta

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--extra", nargs="*", default=[])
    args = ap.parse_args()
    lines = [
        "| array | arith bps | zstd(19) bps | pcodec bps | JPEG-LS bps | arith/JPEG-LS | arith enc MB/s | arith dec MB/s | zstd(19) enc MB/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    vs_jls = []
    for name, a, axes, image in arrays(args.extra):
        sd = SpatialDelta(axis=axes)
        r = sd.encode(a)
        codec = Arith()
        t_enc, enc = best(lambda r=r: codec.encode(r), args.repeat)
        t_dec, dec = best(lambda enc=enc: codec.decode(enc), args.repeat)
        assert np.array_equal(np.asarray(sd.decode(dec)).reshape(a.shape), a)
        n = a.size
        zc = zstandard.ZstdCompressor(level=19)
        t_z, z = best(lambda r=r: zc.compress(np.ascontiguousarray(r).tobytes()), 1)
        pcs = [s for s in (pcodec_size(r), pcodec_size(a)) if s]
        j = jpegls(a) if image else None
        if j:
            vs_jls.append(len(enc) / j)

        def bps(s):
            return f"{8 * s / n:.3f}" if s else "—"

        mb = a.nbytes / 1e6
        lines.append(
            f"| {name} | {bps(len(enc))} | {bps(len(z))} | {bps(min(pcs) if pcs else None)} | {bps(j)} | "
            f"{(len(enc) / j) if j else float('nan'):.3f} | {mb / t_enc:.0f} | {mb / t_dec:.0f} | {mb / t_z:.0f} |"
        )
    gm = math.exp(sum(map(math.log, vs_jls)) / len(vs_jls))
    lines.append("")
    lines.append(f"Geometric mean of arith / JPEG-LS over the images: {gm:.3f}")
    text = "# Lossless integers: spatial_delta -> arith against its peers\n\n" + "\n".join(lines) + "\n"
    (HERE / "images.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
