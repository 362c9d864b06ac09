"""Writes the independent oracle of the codec's integer arithmetic: for a test image, every
sample's distribution parameters (mu_fp, ls_fp) computed in numpy from the float-free integer
features (features.py) and the shipped weight file (read back from its bytes), in the order
(level from coarsest, step, channel, row, column); with --coded, also the parameters each
sample is coded with after its band's online correction (specs/interp_cnn/README.md, "Online
correction"), in plain Python integers, sample by sample in coding order.

    python export_params.py --model ../model/interp_cnn_m1.bin IMAGE.npy OUT.npy
    python export_params.py --model ../model/interp_cnn_m3.bin --coded CODED.npy --band-log2 8 \
        IMAGE.npy OUT.npy

OUT.npy is an int64 array of rows (level, step, channel, mu_fp, ls_fp), CODED.npy of rows
(mu', ls') in the same order; the Rust test `tests/oracle.rs` compares the codec's parameters
with them, sample for sample.
"""

import argparse
import struct

import numpy as np

from features import LOG_TABLE, image_planes, levels, gather, features, PARITY
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


EXP2_NEG_FRAC = [round(65536 * 2 ** (-i / 256)) for i in range(257)]


def log2_int(d):
    """log2_fp of a Python integer d >= 1 (256 e + LOG2_FRAC[((d << 8) >> e) - 256])."""
    e = d.bit_length() - 1
    return 256 * e + int(LOG_TABLE[((d << 8) >> e) - 256])


def scale16(ls):
    """2^(ls / 256) * 2^12 in integers, as the spec's scale16."""
    t = min(max(ls + 3072, 0), 6400)
    e, f = t >> 8, t & 255
    x = 256 - f
    return ((EXP2_NEG_FRAC[x & 255] >> (x >> 8)) << (e + 1)) >> 16


class ScaleCorrection:
    """Models 1 and 2: the scale per channel kind x octave of the network's scale."""

    def __init__(self):
        self.st = {}

    @staticmethod
    def context(c, ls):
        return 16 * min(c, 2) + min(max((ls + 512) >> 8, 0), 15)

    def before(self, c, mu, ls, a, pat):
        k = self.context(c, ls)
        bias, dev, pred, count = self.st.get(k, (0, 0, 0, 0))
        if count < 16:
            return k, mu, ls
        corr = log2_int(max(dev, 1)) - log2_int(max(pred, 1))
        return k, mu, ls + min(max(corr, -768), 768)

    def after(self, k, v, mu, ls):
        bias, dev, pred, count = self.st.get(k, (0, 0, 0, 0))
        err = (256 * v - mu) * 16
        bias += (err - bias) >> 6
        dev += (abs(err - bias) - dev) >> 6
        pred += (((scale16(ls) * 355) >> 8) - pred) >> 6
        self.st[k] = (bias, dev, pred, count + 1)


class PatternBiasCorrection:
    """Model 3: the scale as models 1 and 2, and the mean per scale context x pattern of the
    nearest four neighbours x sign of the network's mean offset."""

    def __init__(self):
        self.sc = {}
        self.bias = {}

    def before(self, c, mu, ls, a, pat):
        k = ScaleCorrection.context(c, ls)
        off = mu - 256 * a
        sign = (off > 0) - (off < 0)
        kb = 48 * k + 3 * pat + sign + 1
        mu2 = mu + (self.bias.get(kb, 0) >> 4)
        dev, pred, count = self.sc.get(k, (0, 0, 0))
        if count < 16:
            return (k, kb), mu2, ls
        corr = log2_int(max(dev, 1)) - log2_int(max(pred, 1))
        return (k, kb), mu2, ls + min(max(corr, -768), 768)

    def after(self, ctx, v, mu, ls):
        k, kb = ctx
        err = (256 * v - mu) * 16
        b = self.bias.get(kb, 0)
        b += (err - b) >> 6
        self.bias[kb] = b
        dev, pred, count = self.sc.get(k, (0, 0, 0))
        dev += (abs(err - b) - dev) >> 6
        pred += (((scale16(ls) * 355) >> 8) - pred) >> 6
        self.sc[k] = (dev, pred, count + 1)


def coded_step(model_id, band_log2, per_channel, hs, ws):
    """The (mu', ls') of every sample of one step, per channel in (row, column) order.
    per_channel[c] = (mu, ls, a, pat, value), each a list over the step's samples."""
    nc = len(per_channel)
    rows = max(1, (1 << band_log2) // (ws * nc))
    out = [[None] * (hs * ws) for _ in range(nc)]
    for b0 in range(0, hs, rows):
        corr = PatternBiasCorrection() if model_id >= 3 else ScaleCorrection()
        for r in range(b0, min(b0 + rows, hs)):
            for c in range(nc):
                mu, ls, a, pat, val = per_channel[c]
                for ix in range(ws):
                    i = r * ws + ix
                    ctx, mu2, ls2 = corr.before(c, mu[i], ls[i], a[i], pat[i])
                    out[c][i] = (mu2, ls2)
                    corr.after(ctx, val[i], mu[i], ls[i])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--coded", default=None, help="also write the corrected (mu', ls') here")
    ap.add_argument("--band-log2", type=int, default=14)
    ap.add_argument("image")
    ap.add_argument("out")
    args = ap.parse_args()
    q = read_model(args.model)
    model_id = struct.unpack_from("<I", open(args.model, "rb").read(), 8)[0]
    rows = []
    coded = []
    for sl in image_planes(np.load(args.image)):
        h, w = sl[0].shape
        for lev in range(levels(h, w) - 1, -1, -1):
            xs = [p[:: 1 << lev, :: 1 << lev] for p in sl]
            for step in range(3):
                g = [gather(x, step) for x in xs]
                if g[0][1].size == 0:
                    continue
                per_channel = []
                for c in range(len(xs)):
                    conds = [(g[c - 1][0], g[c - 1][1])] if c >= 1 else []
                    if c >= 2:
                        conds.append((g[0][0], g[0][1]))
                    f, a, d = features(g[c][0], conds)
                    net = step * 3 + min(c, 2)
                    mu, ls = int_params(q[net], f, a, d)
                    n = mu.size
                    rows.append(np.stack([np.full(n, lev), np.full(n, step), np.full(n, c), mu, ls], 1))
                    nb = g[c][0]
                    pat = sum((nb[:, k] > a).astype(np.int64) << k for k in range(4))
                    per_channel.append(tuple(
                        [int(x) for x in arr] for arr in (mu, ls, a, pat, g[c][1])))
                if args.coded:
                    hs, ws = g[0][2]
                    for ch in coded_step(model_id, args.band_log2, per_channel, hs, ws):
                        coded.extend(ch)
    np.save(args.out, np.concatenate(rows).astype(np.int64))
    if args.coded:
        np.save(args.coded, np.array(coded, np.int64).reshape(-1, 2))


if __name__ == "__main__":
    main()
