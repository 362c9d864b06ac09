"""pixel_mlp beside JPEG-XL (lossless, effort 7), JPEG-LS, WebP (lossless) and PNG from the
`imagecodecs` wheel, and the fast chain ycocg_r -> spatial_delta -> zstd, on integer images:
bits per sub-pixel (bpsp = 8 x bytes / samples) and single-thread speed in megapixels per second.

    python codecs/pixel-mlp/benches/images.py --data DIR [--train DIR] [--repeat 3] [--out FILE.md]
        [--models 1 2]

DIR holds photo_astronaut_rgb.npy, photo_camera_gray.npy, microscopy_nuclei_2d_uint16.npy and
microscopy_nuclei_3d_uint16.npy; --train adds every .npy of the images-train set as a cross-check
(the model was trained on those, so they are not a measure of generalisation). Ours runs as the
release example `pixel_mlp_speed` (built here): one-thread figures are CPU time of the coding
thread, the 2-thread wavefront figure wall time. Peers run in process, best of --repeat process
CPU times of decoding (robust on a shared machine; a peer that used several threads is charged
for all of them). Volumes
(z, y, x) are coded slice by slice by the peers (2-d codecs), as one chunk by pixel_mlp (each slice
conditioned on the one before); --models gives pixel_mlp one column per model id (default: the
default model only; the last one listed is the one compared with the peers). WebP codes 8-bit
RGB only: greyscale images go in as grey RGB (counted per grey sample), 16-bit images are left
out. Needs numpy, imagecodecs, numcodecs.
"""

import argparse
import glob
import math
import os
import subprocess
import sys
import time

import imagecodecs
import numcodecs
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BENCH = ["photo_astronaut_rgb", "photo_camera_gray", "microscopy_nuclei_2d_uint16",
         "microscopy_nuclei_3d_uint16"]
PHOTOS = ["photo_astronaut_rgb", "photo_camera_gray"]
WIDE = ["microscopy_nuclei_2d_uint16", "microscopy_nuclei_3d_uint16"]


def best(repeat, f):
    t = math.inf
    for _ in range(repeat):
        t0 = time.process_time()
        out = f()
        t = min(t, time.process_time() - t0)
    return t, out


def slices(a):
    is_volume = a.ndim == 3 and a.shape[-1] > 4
    return [a[i] for i in range(a.shape[0])] if is_volume else [a]


def peer(name, a, repeat):
    """(bytes, decode seconds) or None."""
    if a.dtype == np.int16:
        if a.min() < 0:
            return None
        a = a.astype(np.uint16)
    parts = [np.ascontiguousarray(s) for s in slices(a)]
    if name == "webp":
        if a.dtype != np.uint8:
            return None
        parts = [p if p.ndim == 3 else np.repeat(p[..., None], 3, -1) for p in parts]
        enc = lambda p: imagecodecs.webp_encode(p, lossless=True, level=100)
        dec = imagecodecs.webp_decode
    elif name == "jxl_e7":
        enc = lambda p: imagecodecs.jpegxl_encode(p, lossless=True, effort=7)
        dec = imagecodecs.jpegxl_decode
    elif name == "jpegls":
        enc = imagecodecs.jpegls_encode
        dec = imagecodecs.jpegls_decode
    else:
        enc = lambda p: imagecodecs.png_encode(p, level=9)
        dec = imagecodecs.png_decode
    blobs = [enc(p) for p in parts]
    for p, b in zip(parts, blobs):
        back = dec(b)
        assert np.array_equal(back.reshape(p.shape), p), name
    t, _ = best(repeat, lambda: [dec(b) for b in blobs])
    return sum(len(b) for b in blobs), t


def chain(a):
    """ycocg_r -> spatial_delta (all image axes) -> zstd(19): bytes."""
    x = a.astype(np.int32)
    if x.ndim == 3 and x.shape[-1] == 3:
        r, g, b = x[..., 0], x[..., 1], x[..., 2]
        co = r - b
        t = b + (co >> 1)
        cg = g - t
        x = np.stack([t + (cg >> 1), co, cg], -1)
        axes = [0, 1]
    else:
        axes = list(range(x.ndim))
    for k in axes:
        x = np.diff(x, axis=k, prepend=0)
    dtype = np.int16 if a.dtype == np.uint8 or np.abs(x).max() < 32768 else np.int32
    return len(numcodecs.Zstd(level=19).encode(x.astype(dtype).tobytes()))


def ours(paths, repeat, model=None):
    exe = os.path.join(ROOT, "target", "release", "examples", "pixel_mlp_speed")
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "ndcodecs-pixel-mlp",
                    "--example", "pixel_mlp_speed"], cwd=ROOT, check=True)
    env = dict(os.environ, PIXEL_MLP_CSV="1")
    sel = ["--model", str(model)] if model is not None else []
    out = subprocess.run([exe, "--repeat", str(repeat), *sel, *paths], env=env, check=True,
                         capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        if line.startswith("csv,"):
            f = line.split(",")
            res[f[1].split("@")[0]] = dict(samples=int(f[2]), bytes=int(f[3]), enc=float(f[4]), dec=float(f[5]),
                             w1=float(f[6]), w2=float(f[7]), d2=float(f[8]))
    return res


def gmean(v):
    v = [x for x in v if x]
    return math.exp(sum(math.log(x) for x in v) / len(v)) if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--train")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out")
    ap.add_argument("--models", nargs="*", type=int, default=None)
    args = ap.parse_args()
    models = args.models or [None]
    paths = [os.path.join(args.data, n + ".npy") for n in BENCH]
    if args.train:
        paths += sorted(glob.glob(os.path.join(args.train, "*.npy")))
    mine_by = {m: ours(paths, args.repeat, m) for m in models}
    mine = mine_by[models[-1]]
    extra = models[:-1]
    peers = ["jxl_e7", "jpegls", "webp", "png"]
    rows = []
    table = {}
    for path in paths:
        name = os.path.basename(path)[:-4]
        a = np.load(path)
        n = a.size
        pix = n / (a.shape[-1] if a.ndim == 3 and a.shape[-1] <= 4 else 1)
        o = mine[name]
        r = {"ours": 8 * o["bytes"] / n}
        speed = {"ours": pix / o["dec"] / 1e6}
        for m in extra:
            r[f"m{m}"] = 8 * mine_by[m][name]["bytes"] / n
            speed[f"m{m}"] = pix / mine_by[m][name]["dec"] / 1e6
        for p in peers:
            got = peer(p, a, args.repeat)
            r[p] = 8 * got[0] / n if got else None
            speed[p] = pix / got[1] / 1e6 if got else None
        r["chain"] = 8 * chain(a) / n
        table[name] = r
        beaten = all(r["ours"] < r[p] for p in ("jpegls", "webp", "png") if r[p])
        cell = lambda v, s=None: "–" if v is None else (f"{v:.3f}" + (f" ({s:.2f})" if s else ""))
        rows.append(f"| {name}{' (train)' if args.train and path.startswith(args.train) else ''} "
                    f"| {a.shape} {a.dtype} | "
                    + "".join(f"{cell(r[f'm{m}'], speed[f'm{m}'])} | " for m in extra)
                    + f"{cell(r['ours'], speed['ours'])} | "
                    + " | ".join(cell(r[p], speed[p]) for p in peers)
                    + f" | {r['chain']:.3f} | {'yes' if beaten else 'no'} | "
                    f"{pix / o['enc'] / 1e6:.2f} | {o['w1'] / o['w2']:.2f} |")
        print(rows[-1], flush=True)
    tag = lambda m: f" model {m}" if m is not None else ""
    lines = ["| image | shape, dtype | "
             + "".join(f"pixel_mlp{tag(m)} bpsp (decode MP/s) | " for m in models)
             + "JPEG-XL e7 | JPEG-LS | WebP | PNG "
             "| ycocg_r→spatial_delta→zstd | fewer bits than JPEG-LS, WebP, PNG | pixel_mlp encode MP/s "
             "| wavefront 2 thr / 1 thr |", "|" + "---|" * (10 + len(models))] + rows
    for label, group in (("photos", PHOTOS), ("16-bit", WIDE)):
        keys = ["ours", "jxl_e7", "jpegls", "png", "chain"] + [f"m{m}" for m in extra]
        g = {k: gmean([table[i][k] for i in group]) for k in keys}
        before = "".join(f"pixel_mlp model {m} {g[f'm{m}']:.3f}, " for m in extra)
        lines.append(f"\nGeometric mean bpsp, {label}: {before}pixel_mlp{tag(models[-1])} {g['ours']:.3f}, JPEG-XL e7 "
                     f"{g['jxl_e7']:.3f} (ratio {g['ours'] / g['jxl_e7']:.3f}), JPEG-LS {g['jpegls']:.3f}, "
                     f"PNG {g['png']:.3f}, ycocg_r→spatial_delta→zstd {g['chain']:.3f}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        open(args.out, "w").write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
