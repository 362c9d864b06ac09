"""Writes the independent oracle of the codec's integer arithmetic: for a test image, every
sample's distribution parameters (mu_fp, ls_fp) computed in numpy from the float-free integer
features (features.py) and the shipped weight file (read back from its bytes), in the order
(level from coarsest, step, channel, row, column).

    python export_params.py --model ../model/interp_cnn_m1.bin IMAGE.npy OUT.npy

OUT.npy is an int64 array of rows (level, step, channel, mu_fp, ls_fp); the Rust test
`tests/oracle.rs` compares the codec's parameters with it, sample for sample.
"""

import argparse
import struct

import numpy as np

from features import image_planes, levels, gather, features, PARITY
from quantize import int_params


def read_model(path):
    b = open(path, "rb").read()
    assert b[:4] == b"NDLM"
    _, _, n_nets = struct.unpack_from("<III", b, 4)
    pos = 16
    nets = []
    for _ in range(n_nets):
        (n_layers,) = struct.unpack_from("<I", b, pos)
        pos += 4
        layers = []
        for _ in range(n_layers):
            n_in, n_out, shift, relu, _ = struct.unpack_from("<HHBBH", b, pos)
            pos += 8
            w = np.frombuffer(b, "<i2", n_in * n_out, pos).astype(np.int64).reshape(n_in, n_out)
            pos += 2 * n_in * n_out
            bias = np.frombuffer(b, "<i4", n_out, pos).astype(np.int64)
            pos += 4 * n_out
            layers.append((w, bias, shift, relu == 1))
        nets.append(layers)
    assert pos == len(b)
    return nets


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("image")
    ap.add_argument("out")
    args = ap.parse_args()
    q = read_model(args.model)
    rows = []
    for sl in image_planes(np.load(args.image)):
        h, w = sl[0].shape
        for lev in range(levels(h, w) - 1, -1, -1):
            xs = [p[:: 1 << lev, :: 1 << lev] for p in sl]
            for step in range(3):
                g = [gather(x, step) for x in xs]
                if g[0][1].size == 0:
                    continue
                for c in range(len(xs)):
                    conds = [(g[c - 1][0], g[c - 1][1])] if c >= 1 else []
                    if c >= 2:
                        conds.append((g[0][0], g[0][1]))
                    f, a, d = features(g[c][0], conds)
                    net = step * 3 + min(c, 2)
                    mu, ls = int_params(q[net], f, a, d)
                    n = mu.size
                    rows.append(np.stack([np.full(n, lev), np.full(n, step), np.full(n, c), mu, ls], 1))
    np.save(args.out, np.concatenate(rows).astype(np.int64))


if __name__ == "__main__":
    main()
