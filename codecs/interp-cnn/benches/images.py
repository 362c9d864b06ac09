"""Lossless image benchmark of interp_cnn against JPEG-XL (lossless, effort 7), JPEG-LS, WebP
lossless and PNG (the imagecodecs wheel): bits per sub-pixel (bpsp = 8 · bytes / samples) and
decode megapixels per second, per image and as geometric means.

    RAYON_NUM_THREADS=1 python images.py DATA_DIR [--repeat 5] [--train]

DATA_DIR holds the benchmark images (photo_astronaut_rgb, photo_camera_gray,
microscopy_nuclei_2d_uint16, microscopy_nuclei_3d_uint16); --train adds every image of
DATA_DIR/images-train as a cross-check. Needs the ndcodecs package and imagecodecs
(benches/requirements.txt). Codecs are timed side by side in one run, alternating, best of
--repeat (the machine is shared: read ratios, not absolute speeds). Volumes and int16 images
are given to the peers slice by slice, int16 shifted to uint16 (interp_cnn codes int16 as is).
interp_cnn uses rayon's pool: RAYON_NUM_THREADS sets its size.
"""

from __future__ import annotations

import argparse
import glob
import math
import os
import time

import imagecodecs
import numpy as np

from ndcodecs import InterpCnn

BENCH = [
    ("astronaut (RGB)", "photo_astronaut_rgb.npy", "photo"),
    ("camera (grey)", "photo_camera_gray.npy", "photo"),
    ("nuclei 2-d (uint16)", "microscopy_nuclei_2d_uint16.npy", "16-bit"),
    ("nuclei 3-d (uint16)", "microscopy_nuclei_3d_uint16.npy", "16-bit"),
]


def slices(a: np.ndarray) -> list[np.ndarray]:
    if a.dtype == np.int16:
        a = (a.astype(np.int32) + 32768).astype(np.uint16)
    if a.ndim == 2 or (a.ndim == 3 and a.shape[2] <= 4):
        return [np.ascontiguousarray(a)]
    return [np.ascontiguousarray(s) for s in a]


def peers(a: np.ndarray) -> dict:
    out = {
        "JPEG-XL e7": (
            lambda s: imagecodecs.jpegxl_encode(s, lossless=True, effort=7),
            imagecodecs.jpegxl_decode,
        ),
        "JPEG-LS": (imagecodecs.jpegls_encode, imagecodecs.jpegls_decode),
        "PNG": (lambda s: imagecodecs.png_encode(s, level=9), imagecodecs.png_decode),
    }
    if a.dtype == np.uint8 and (a.ndim == 2 or a.shape[-1] in (3, 4)):
        out["WebP"] = (
            lambda s: imagecodecs.webp_encode(s, lossless=True, level=9),
            imagecodecs.webp_decode,
        )
    return out


def measure(a: np.ndarray, repeat: int) -> dict[str, tuple[float, float]]:
    """bpsp and best decode seconds per codec, alternating codecs in each round."""
    ours = InterpCnn()
    coders = {"interp_cnn": (lambda x: [bytes(ours.encode(x))], lambda bs: ours.decode(bs[0]))}
    for name, (enc, dec) in peers(a).items():
        coders[name] = (
            lambda x, enc=enc: [enc(s) for s in slices(x)],
            lambda bs, dec=dec: [dec(b) for b in bs],
        )
    encoded, best = {}, {}
    for name, (enc, dec) in coders.items():
        try:
            encoded[name] = enc(a)
        except Exception as e:  # a peer that does not take this image
            print(f"  {name}: {e}")
    for name in encoded:  # check losslessness once
        dec = coders[name][1](encoded[name])
        back = dec if name == "interp_cnn" else np.stack(dec) if len(dec) > 1 else dec[0]
        ref = a if name == "interp_cnn" else np.stack(slices(a)) if len(dec) > 1 else slices(a)[0]
        assert np.array_equal(np.asarray(back).reshape(ref.shape), ref), name
    for _ in range(repeat):
        for name in encoded:
            t = time.perf_counter()
            coders[name][1](encoded[name])
            dt = time.perf_counter() - t
            best[name] = min(best.get(name, math.inf), dt)
    return {n: (8 * sum(len(b) for b in encoded[n]) / a.size, best[n]) for n in encoded}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--train", action="store_true")
    args = ap.parse_args()
    images = [(t, os.path.join(args.data, f), g) for t, f, g in BENCH]
    if args.train:
        images += [
            ("train: " + os.path.basename(p)[:-4], p, "train")
            for p in sorted(glob.glob(os.path.join(args.data, "images-train", "*.npy")))
        ]
    names = ["interp_cnn", "JPEG-XL e7", "JPEG-LS", "WebP", "PNG"]
    print(f"threads: RAYON_NUM_THREADS={os.environ.get('RAYON_NUM_THREADS', 'all')}")
    print("| image | " + " | ".join(f"{n} bpsp" for n in names) + " | " + " | ".join(f"{n} MP/s" for n in names) + " |")
    print("|---" * (1 + 2 * len(names)) + "|")
    groups: dict[str, dict[str, list[float]]] = {}
    for title, path, group in images:
        a = np.load(path)
        r = measure(a, args.repeat)
        pixels = a.size / (a.shape[-1] if a.ndim == 3 and a.shape[-1] <= 4 else 1)
        row = [f"{r[n][0]:.3f}" if n in r else "–" for n in names]
        row += [f"{pixels / r[n][1] / 1e6:.2f}" if n in r else "–" for n in names]
        print(f"| {title} | " + " | ".join(row) + " |", flush=True)
        for n in r:
            groups.setdefault(group, {}).setdefault(n, []).append(r[n][0])
    for group, res in groups.items():
        gm = {n: math.exp(sum(map(math.log, v)) / len(v)) for n, v in res.items()}
        ref = gm.get("JPEG-XL e7")
        print(
            f"geometric mean bpsp, {group}: "
            + ", ".join(f"{n} {gm[n]:.3f}" + (f" ({gm[n] / ref:.3f}x JPEG-XL)" if ref else "") for n in names if n in gm)
        )


if __name__ == "__main__":
    main()
