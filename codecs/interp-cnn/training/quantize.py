"""Turns the float networks of train.py into the shipped fixed-point weight file.

    python quantize.py --weights out/float_weights.npz --id 1 --out ../model/interp_cnn_m1.bin \
        [--data DIR --eval FILE ...]

Layer k of a network maps i16 activations in units of 1/1024 to i16 activations in the same
units: weights round(w * 2^s) (i16, s the largest shift <= 14 keeping |w| * 2^s <= 32767),
biases round(b * 1024 * 2^s) (i32), output (acc + 2^(s-1)) >> s, then ReLU clamp to 0..32767
(hidden layers) or left unclamped (the last). The file is ndcodecs-learned's weight file
format ("NDLM", version 1). With --eval, prints the ideal code length of the integer model on
the given images (float logistic probabilities from the integer mean and scale: within a few
thousandths of a bit of the codec's integer tables).
"""

import argparse
import os
import struct

import numpy as np

from features import image_planes, log2_fp, samples

NETS = 9


def load_float(path):
    z = np.load(path)
    nets = []
    for k in range(NETS):
        layers = []
        i = 0
        while f"n{k}_w{i}" in z:
            layers.append((z[f"n{k}_w{i}"].astype(np.float64), z[f"n{k}_b{i}"].astype(np.float64)))
            i += 1
        nets.append(layers)
    return nets


def quantize(nets):
    out = []
    for layers in nets:
        q = []
        for i, (w, b) in enumerate(layers):
            m = max(np.abs(w).max(), 1e-9)
            s = int(min(14, np.floor(np.log2(32767.0 / m))))
            wi = np.round(w * 2.0**s).astype(np.int64)
            assert np.abs(wi).max() <= 32767
            bi = np.round(b * 1024.0 * 2.0**s).astype(np.int64)
            assert np.abs(bi).max() < 2**31
            q.append((wi, bi, s, i < len(layers) - 1))
        out.append(q)
    return out


def write(path, model_id, qnets):
    buf = bytearray(b"NDLM")
    buf += struct.pack("<III", 1, model_id, len(qnets))
    for q in qnets:
        buf += struct.pack("<I", len(q))
        for wi, bi, s, relu in q:
            n_in, n_out = wi.shape
            buf += struct.pack("<HHBBH", n_in, n_out, s, 1 if relu else 0, 0)
            buf += wi.astype("<i2").tobytes()  # input-major: weight[i][o]
            buf += bi.astype("<i4").tobytes()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(bytes(buf))


def wrap32(v):
    return ((v + (1 << 31)) % (1 << 32)) - (1 << 31)


def round_shift(v, s):
    return v if s == 0 else (v + (1 << (s - 1))) >> s


def int_forward(q, f):
    x = f.astype(np.int64)
    for wi, bi, s, relu in q:
        acc = wrap32(x @ wi + bi)
        y = round_shift(acc, s)
        x = np.clip(y, 0, 32767) if relu else y
    return x


def int_params(q, f, a, d):
    o = int_forward(q, f)
    mu_fp = 256 * a + ((np.clip(o[:, 0], -32767, 32767) * d) >> 2)
    ls_fp = log2_fp(d) + (np.clip(o[:, 1], -(1 << 20), 1 << 20) >> 2)
    return mu_fp, ls_fp


def ideal_bits(mu_fp, ls_fp, t, lo, hi):
    mu = np.clip(mu_fp / 256.0, lo, hi)
    s = 2.0 ** (np.clip(ls_fp, -4 * 256, 20 * 256) / 256.0)
    sig = lambda z: 1 / (1 + np.exp(-z))
    up = np.where(t >= hi, 1.0, sig((t + 0.5 - mu) / s))
    dn = np.where(t <= lo, 0.0, sig((t - 0.5 - mu) / s))
    return -np.log2(np.maximum(up - dn, 2.0**-16)).sum()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--id", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--eval", nargs="*", default=[])
    args = ap.parse_args()
    q = quantize(load_float(args.weights))
    write(args.out, args.id, q)
    n = sum(wi.size + bi.size for net in q for wi, bi, _, _ in net)
    print(f"wrote {args.out}: model {args.id}, {n} parameters")
    for path in args.eval:
        arr = np.load(path)
        tot, cnt = 0.0, 0
        for sl in image_planes(arr):
            for net, f, t, a, d, lo, hi in samples(sl):
                mu, ls = int_params(q[net], f, a, d)
                tot += ideal_bits(mu, ls, t, lo, hi)
                cnt += t.size
        print(f"{os.path.basename(path)[:-4]:32s} {tot / cnt:.4f} bpsp (ideal, integer model)")


if __name__ == "__main__":
    main()
