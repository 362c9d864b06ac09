"""Lossless integer benchmark: the fast lossless chains `spatial_delta -> arith` (RGB:
`ycocg_r -> spatial_delta -> arith`, issue 11) under both of arith's context models, against
the same residuals through zstd(19), pcodec and JPEG-LS, on the images, microscopy, an int16 DEM
and speech, one thread, side by side array by array.

Ours run through the `ndcodecs` Python package (numcodecs classes YcocgR, SpatialDelta and Arith,
the same Rust code zarr uses); times are the best of --repeat runs in CPU time of the thread
(`time.thread_time`), so a loaded machine counts little, and cover the whole chain (colour
transform, delta and entropy coding). Sizes are bits per sample (bps).

- arith (model "adaptive", the default; model "fast"): on the spatial_delta residuals (2-d over
  y, x; 3-d for volumes; 1-d for speech); RGB images first through ycocg_r (the delta then runs
  over y and x of each of Y, Co, Cg).
- zstd(19) (numcodecs' Zstd): on the bytes of the same residuals.
- pcodec: on the residuals and on the raw array (its own delta search); the better counts.
- JPEG-LS (imagecodecs, CharLS, lossless, no colour transform): on the raw image; a volume slice
  by slice; signed images offset to unsigned.
- The land mask of the ocean field: its cells equal to the fill value its metadata declares
  (bench/bench.py's FILL_VALUES, overridden by MANIFEST.json), as uint8.

Usage: python bench/images.py [--data DIR] [--repeat 3] [--extra path.npy ...]
(writes bench/images.md). DIR defaults to tests/data; a data folder that also holds
photo_astronaut_rgb.npy and microscopy_nuclei_2d_uint16.npy adds them.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
from bench import FILL_VALUES, manifest_fill_values

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data"


def best(fn, repeat):
    t_best, out = math.inf, None
    for _ in range(repeat):
        t = time.thread_time()
        out = fn()
        t_best = min(t_best, time.thread_time() - t)
    return t_best, out


def arrays(data: Path, extra):
    """(name, array, delta axes, is an image for JPEG-LS, RGB through ycocg_r)."""
    terrain = np.load(data / "terrain_regional_surface_height.npy")
    items = [
        ("photo_camera_gray", np.load(data / "photo_camera_gray.npy"), [0, 1], True, False),
        ("microscopy_nuclei_3d_uint16", np.load(data / "microscopy_nuclei_3d_uint16.npy"), [0, 1, 2], True, False),
        ("dem_int16 (terrain rounded to m)", np.round(terrain).astype(np.int16), [0, 1], True, False),
        ("speech_librivox_16k_int16", np.load(data / "speech_librivox_16k_int16.npy"), [0], False, False),
    ]
    for name in ("photo_astronaut_rgb", "microscopy_nuclei_2d_uint16"):
        if (data / f"{name}.npy").exists():
            a = np.load(data / f"{name}.npy")
            rgb = a.ndim == 3 and a.shape[-1] == 3
            items.append((name, a, [0, 1], True, rgb))
    for path in extra:
        a = np.load(path)
        rgb = a.ndim == 3 and a.shape[-1] == 3
        axes = [0, 1, 2] if a.ndim == 3 and not rgb else [0, 1]
        items.append((Path(path).stem, a, axes, True, rgb))
    name = "ocean_pop_temperature_with_fill"
    fill = {**FILL_VALUES, **manifest_fill_values(data)}[name]
    ocean = np.load(data / f"{name}.npy")
    items.append(("land mask (ocean fill cells)", (ocean == np.float32(fill)).astype(np.uint8), [0, 1], False, False))
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
    from ndcodecs import Arith, SpatialDelta, YcocgR
    from numcodecs import Zstd

    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--extra", nargs="*", default=[])
    args = ap.parse_args()
    lines = [
        "| array | chain | arith bps | arith fast bps | zstd(19) bps | pcodec bps | JPEG-LS bps "
        "| arith / JPEG-LS | arith fast / JPEG-LS | arith enc / dec MB/s | arith fast enc / dec MB/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    vs_jls = {"adaptive": [], "fast": []}
    for name, a, axes, image, rgb in arrays(args.data, args.extra):
        filters = ([YcocgR()] if rgb else []) + [SpatialDelta(axis=axes)]
        r = a
        for f in filters:
            r = f.encode(r)
        sizes, speeds = {}, {}
        for model in ("adaptive", "fast"):
            codec = Arith(model=model)

            def enc(codec=codec):
                x = a
                for f in filters:
                    x = f.encode(x)
                return codec.encode(x)

            def dec(b, codec=codec):
                x = codec.decode(b)
                for f in reversed(filters):
                    x = f.decode(x)
                return np.asarray(x)

            t_enc, blob = best(enc, args.repeat)
            t_dec, out = best(lambda blob=blob, dec=dec: dec(blob), args.repeat)
            assert np.array_equal(out.reshape(a.shape), a), (name, model)
            sizes[model] = len(blob)
            speeds[model] = (a.nbytes / 1e6 / t_enc, a.nbytes / 1e6 / t_dec)
        z = Zstd(level=19).encode(np.ascontiguousarray(r).tobytes())
        pcs = [s for s in (pcodec_size(r), pcodec_size(a)) if s]
        j = jpegls(a) if image else None
        if j:
            for model in vs_jls:
                vs_jls[model].append(sizes[model] / j)
        n = a.size

        def bps(s, n=n):
            return f"{8 * s / n:.3f}" if s else "—"

        def ratio(s, j=j):
            return f"{s / j:.3f}" if j else "—"

        chain = ("ycocg_r → " if rgb else "") + "spatial_delta → arith"
        lines.append(
            f"| {name} | {chain} | {bps(sizes['adaptive'])} | {bps(sizes['fast'])} | {bps(len(z))} | "
            f"{bps(min(pcs) if pcs else None)} | {bps(j)} | {ratio(sizes['adaptive'])} | {ratio(sizes['fast'])} | "
            f"{speeds['adaptive'][0]:.0f} / {speeds['adaptive'][1]:.0f} | {speeds['fast'][0]:.0f} / {speeds['fast'][1]:.0f} |"
        )
    lines.append("")
    for model, v in vs_jls.items():
        gm = math.exp(sum(map(math.log, v)) / len(v))
        lines.append(f"Geometric mean of arith ({model}) / JPEG-LS over the {len(v)} images: {gm:.3f}")
        lines.append("")
    head = (
        "# Lossless integers: spatial_delta → arith against its peers\n\n"
        "Written by `python bench/images.py` (see its docstring). bps = 8 × bytes / samples; "
        "MB/s of the input, best of the runs in CPU time of the thread, the whole chain.\n\n"
    )
    text = head + "\n".join(lines).rstrip() + "\n"
    (HERE / "images.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
