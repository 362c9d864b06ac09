"""interp_cnn beside pixel_mlp, JPEG-XL (lossless, effort 7), JPEG-LS, WebP (lossless) and PNG from
the `imagecodecs` wheel: bits per sub-pixel (bpsp = 8 x bytes / samples) and decode speed in
megapixels per second, per image and as geometric means.

    python codecs/interp-cnn/benches/images.py --data DIR [--train DIR] [--repeat 3]

DIR holds photo_astronaut_rgb.npy, photo_camera_gray.npy, microscopy_nuclei_2d_uint16.npy and
microscopy_nuclei_3d_uint16.npy; --train adds every .npy of the images-train set as a cross-check
(the model was trained on those: not a measure of generalisation). interp_cnn and pixel_mlp run
as their release examples (`interp_cnn_speed`, `pixel_mlp_speed`, built here): one-thread figures
are CPU time of the coding thread (robust on a shared machine); interp_cnn's 2-thread decoding is
also timed as wall time against 1 thread. Peers run in process, best of --repeat process CPU times
of decoding (a peer that used several threads is charged for all of them). Volumes (z, y, x) are
coded slice by slice by the peers and by interp_cnn. WebP codes 8-bit RGB only: greyscale images
go in as grey RGB (counted per grey sample); 16-bit images are left out. int16 images with no
negative value go to the peers as uint16. Needs numpy and imagecodecs (benches/requirements.txt).
"""

import argparse
import glob
import math
import os
import re
import subprocess
import time

import imagecodecs
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BENCH = ["photo_astronaut_rgb", "photo_camera_gray", "microscopy_nuclei_2d_uint16",
         "microscopy_nuclei_3d_uint16"]
GROUPS = {"photos": BENCH[:2], "16-bit": BENCH[2:]}
PEERS = ["JPEG-XL e7", "JPEG-LS", "WebP", "PNG"]


def best(repeat, f):
    t = math.inf
    for _ in range(repeat):
        t0 = time.process_time()
        out = f()
        t = min(t, time.process_time() - t0)
    return t, out


def pixels(a):
    return a.size // a.shape[-1] if a.ndim == 3 and a.shape[-1] <= 4 else a.size


def peer(name, a, repeat):
    """(bpsp, decode MP/s) or None."""
    if a.dtype == np.int16:
        if a.min() < 0:
            return None
        a = a.astype(np.uint16)
    volume = a.ndim == 3 and a.shape[-1] > 4
    parts = [np.ascontiguousarray(s) for s in (a if volume else [a])]
    samples = a.size
    if name == "WebP":
        if a.dtype != np.uint8:
            return None
        if parts[0].ndim == 2:
            parts = [np.repeat(p[..., None], 3, -1) for p in parts]
        enc, dec = (lambda p: imagecodecs.webp_encode(p, level=100, lossless=True),
                    imagecodecs.webp_decode)
    elif name == "JPEG-XL e7":
        enc, dec = (lambda p: imagecodecs.jpegxl_encode(p, lossless=True, effort=7),
                    imagecodecs.jpegxl_decode)
    elif name == "JPEG-LS":
        enc, dec = imagecodecs.jpegls_encode, imagecodecs.jpegls_decode
    else:
        enc, dec = (lambda p: imagecodecs.png_encode(p, level=9), imagecodecs.png_decode)
    blobs = [enc(p) for p in parts]
    t, outs = best(repeat, lambda: [dec(b) for b in blobs])
    for o, p in zip(outs, parts):
        assert np.array_equal(np.asarray(o).reshape(p.shape), p), name
    return 8 * sum(len(b) for b in blobs) / samples, pixels(a) / t / 1e6


def ours(path, repeat):
    """interp_cnn and pixel_mlp figures from their speed examples."""
    out = {}
    ex = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")),
                      "release", "examples")
    line = subprocess.run([os.path.join(ex, "interp_cnn_speed"), "--repeat", str(repeat), path],
                          check=True, capture_output=True, text=True).stdout
    # a chunk decoded faster than the thread CPU clock's tick prints "inf" MP/s
    m = re.search(r": ([\d.]+) bpsp .*encode 1 thr ([\d.]+|inf) MP/s CPU \| decode 1 thr "
                  r"([\d.]+|inf) MP/s CPU \| decode wall 1 thr ([\d.]+), 2 thr ([\d.]+)", line)
    out["interp_cnn"] = tuple(float(g) for g in m.groups())
    line = subprocess.run([os.path.join(ex, "pixel_mlp_speed"), "--repeat", str(repeat), path],
                          check=True, capture_output=True, text=True).stdout
    m = re.search(r": ([\d.]+) bpsp \| encode 1 thr ([\d.]+|inf) MP/s CPU .*decode 1 thr "
                  r"([\d.]+|inf) MP/s CPU", line)
    out["pixel_mlp"] = tuple(float(g) for g in m.groups())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--train")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "ndcodecs-interp-cnn",
                    "-p", "ndcodecs-pixel-mlp", "--examples"], cwd=ROOT, check=True)
    images = [(n, os.path.join(args.data, n + ".npy")) for n in BENCH]
    if args.train:
        images += [(os.path.basename(p)[:-4] + " (train)", p)
                   for p in sorted(glob.glob(os.path.join(args.train, "*.npy")))]
    print(f"load average {os.getloadavg()[0]:.1f}; bpsp (decode MP/s, one thread's CPU time)\n")
    print("| image | shape, dtype | interp_cnn | pixel_mlp | " + " | ".join(PEERS)
          + " | interp_cnn encode MP/s | interp_cnn / pixel_mlp decode speed "
          "| interp_cnn decode wall 2 thr / 1 thr |")
    print("|---" * (7 + len(PEERS)) + "|")
    res = {}
    for name, path in images:
        a = np.load(path)
        o = ours(path, args.repeat)
        r = {k: (o[k][0], o[k][2]) for k in ("interp_cnn", "pixel_mlp")}
        for p in PEERS:
            got = peer(p, a, args.repeat)
            if got:
                r[p] = got
        res[name] = r
        # speeds too short to time under the thread CPU clock ("inf") are shown as "–"
        num = lambda x: f"{x:.2f}" if math.isfinite(x) else "–"
        cell = lambda k: f"{r[k][0]:.3f} ({num(r[k][1])})" if k in r else "–"
        ic = o["interp_cnn"]
        ratio = ic[2] / o["pixel_mlp"][2] if math.isfinite(ic[2] + o["pixel_mlp"][2]) else math.nan
        print(f"| {name} | {a.shape}, {a.dtype} | " + " | ".join(
            cell(k) for k in ["interp_cnn", "pixel_mlp"] + PEERS)
            + f" | {num(ic[1])} | {num(ratio)} | {ic[4] / ic[3]:.2f} |",
            flush=True)
    print()
    for g, names in GROUPS.items():
        gm = {}
        for k in ["interp_cnn", "pixel_mlp"] + PEERS:
            v = [res[n][k][0] for n in names if k in res[n]]
            if len(v) == len(names):
                gm[k] = math.exp(sum(map(math.log, v)) / len(v))
        ref = gm["JPEG-XL e7"]
        print(f"Geometric mean bpsp, {g}: " + ", ".join(
            f"{k} {v:.3f} ({v / ref:.3f} x JPEG-XL)" for k, v in gm.items()) + "\n")


if __name__ == "__main__":
    main()
