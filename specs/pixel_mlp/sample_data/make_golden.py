"""Writes the pixel_mlp golden inputs and, for each sample, the interval of 2^16 and the extra-bit
count that the spec's integer model gives it, computed by the independent numpy implementation
(codecs/pixel-mlp/training/intmodel.py, features.py) with the weight file of a model (1, 2 or 3)
and the per-stream adaptation, 8 streams (the default configuration).

Run with the training venv: python make_golden.py [IMAGES_TRAIN_DIR] [--model ID] (default 1).
Writes <P>_<case>.input.npy and <P>_<case>.cdf.npy (P = v1 for model 1, v1m2 for model 2,
v1m3 for model 3: format version 1, model 2 or 3) (int64, shape (samples, 3): start, freq, nbits, in plane order: plane by plane,
raster order within a plane; planes as the spec numbers them). The encoded chunks
<P>_<case>.bin are written once by the Rust encoder (tests/golden.rs with NDCODECS_BLESS=1) and
never regenerated after a release.
"""

import argparse
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "codecs", "pixel-mlp", "training"))
from features import image_planes, neighbours, plane_features  # noqa: E402
from intmodel import (Adapt, coded, error_taps, forward, net_input, network_errors,  # noqa: E402
                      params_from_outputs, patterns)

_ap = argparse.ArgumentParser()
_ap.add_argument("train", nargs="?", default=None)
_ap.add_argument("--model", type=int, default=1)
_args = _ap.parse_args()
TRAIN, MODEL = _args.train, _args.model
PREFIX = {1: "v1", 2: "v1m2", 3: "v1m3"}[MODEL]


def read_model(path):
    b = open(path, "rb").read()
    assert b[:4] == b"NDLM"
    _, model_id, n_nets = struct.unpack_from("<III", b, 4)
    at = 16
    nets = []
    for _ in range(n_nets):
        (n_layers,) = struct.unpack_from("<I", b, at)
        at += 4
        layers = []
        for _ in range(n_layers):
            n_in, n_out, shift, relu, _ = struct.unpack_from("<HHBBH", b, at)
            at += 8
            w = np.frombuffer(b, "<i2", n_in * n_out, at).reshape(n_in, n_out)
            at += 2 * n_in * n_out
            bias = np.frombuffer(b, "<i4", n_out, at)
            at += 4 * n_out
            layers.append((w, bias, shift, relu == 1))
        nets.append(layers)
    return nets


def cdf_rows(nets, arr, streams=8, model=1):
    """Every sample's (start, freq, nbits) in plane order, coding the streams of the spec in
    their order with the per-stream adaptation of `model`."""
    planes = []
    for net, plane, conds, lo, hi in image_planes(arr):
        x, a, d, f = plane_features(plane, conds, lo, hi)
        n = x.size
        o = forward(nets[net], net_input(f.reshape(n, -1)))
        mu_fp, ls_fp = params_from_outputs(o, a.reshape(n), d.reshape(n))
        pat = patterns(neighbours(plane, (lo + hi) // 2), a)
        err = network_errors(x.reshape(plane.shape), mu_fp.reshape(plane.shape), lo, hi)
        planes.append((net, x.reshape(plane.shape), mu_fp.reshape(plane.shape),
                       ls_fp.reshape(plane.shape), pat.reshape(plane.shape), lo, hi, err))
    volume = arr.ndim == 3 and arr.shape[-1] > 4
    depth = arr.shape[0] if volume else 1
    chans = 1 if volume or arr.ndim == 2 else arr.shape[-1]
    h, w = planes[0][1].shape
    rows = depth * h
    s_count = min(streams, rows)
    out = np.zeros((len(planes), h, w, 3), np.int64)
    for s in range(s_count):
        adapt = Adapt(model >= 2, model >= 3)
        for g in range(s, rows, s_count):
            z, y = divmod(g, h)
            for x in range(w):
                for c in range(chans):
                    p = z * chans + c
                    net, xs, mus, lss, pats, lo, hi, err = planes[p]
                    v, mu, ls, pt = int(xs[y, x]), int(mus[y, x]), int(lss[y, x]), int(pats[y, x])
                    taps = error_taps(err, y, x)
                    amu, als = adapt.params(net, mu, ls, pt, taps)
                    st, fr, nb = coded(np.array([amu]), np.array([als]), np.array([v]), lo, hi)
                    out[p, y, x] = (st[0], fr[0], nb[0])
                    adapt.update(net, mu, ls, v, pt, taps, lo, hi)
    return out.reshape(-1, 3)


def main():
    nets = read_model(os.path.join(HERE, "..", "..", "..", "codecs", "pixel-mlp", "model", f"pixel_mlp_m{MODEL}.bin"))
    rng = np.random.default_rng(20261128)
    cases = {}
    if TRAIN:
        cases["gray_u8"] = np.load(os.path.join(TRAIN, "photo_coins_gray.npy"))[100:124, 150:190]
        cases["rgb_u8"] = np.load(os.path.join(TRAIN, "microscopy_ihc_rgb.npy"))[200:216, 300:320]
        cases["astro_i16"] = np.load(os.path.join(TRAIN, "astro_m13_int16.npy"))[140:160, 130:154]
        cases["volume_i16"] = np.load(os.path.join(TRAIN, "mri_fmri_example4d_int16.npy"))[10:13, 40:52, 50:66]
    yy, xx = np.mgrid[0:10, 0:12]
    cases["wide_u16"] = (yy * 5000 + xx * 300 + rng.integers(0, 2000, (10, 12))).astype("<u2")
    cases["rgba_u16"] = rng.integers(0, 65536, (6, 7, 4)).astype("<u2")
    cases["edges_u8"] = np.where((yy // 3 + xx // 4) % 2 == 0, 250, 3).astype("u1")
    for name, arr in cases.items():
        arr = np.ascontiguousarray(arr)
        np.save(os.path.join(HERE, f"{PREFIX}_{name}.input.npy"), arr)
        np.save(os.path.join(HERE, f"{PREFIX}_{name}.cdf.npy"),
                cdf_rows(nets, arr, model=MODEL))
        print(name, arr.shape, arr.dtype)


if __name__ == "__main__":
    main()
