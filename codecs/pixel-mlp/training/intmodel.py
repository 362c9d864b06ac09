"""The integer arithmetic of pixel_mlp in numpy: the reference the Rust codec is checked against.

Quantisation of the float networks (quantize), fixed-point inference (forward), the integer
discretised logistic of ndcodecs-learned (cum / code_length), and the weight file writer.
"""

import struct

import numpy as np

from features import log2_fp

TABLES = {}


def _tables():
    if not TABLES:
        import importlib.util, os, re
        src = open(os.path.join(os.path.dirname(__file__), "..", "..", "learned", "src",
                                "tables.rs")).read()
        for name in ("LOG2_FRAC", "EXP2_NEG_FRAC", "SIGMOID"):
            body = re.search(name + r": \[\w+; \d+\] = \[(.*?)\];", src, re.S).group(1)
            TABLES[name] = np.array([int(v) for v in body.replace("\n", " ").split(",") if v.strip()],
                                    np.int64)
    return TABLES


# ------------------------------------------------------------------------------ quantisation
def quantize_layer(w, b, in_bits, out_bits, in_mult=None):
    """w (n_in, n_out) float, inputs at scale 2^in_bits (times in_mult per input), outputs at
    2^out_bits. Returns (wq int16, bq int32, shift)."""
    wm = w * (in_mult[:, None] if in_mult is not None else 1.0)
    wmax = np.abs(wm).max()
    sw = int(np.floor(np.log2(32767 / wmax)))
    sw = min(sw, 15)
    wq = np.round(wm * 2.0**sw).astype(np.int64)
    assert np.abs(wq).max() <= 32767
    acc_bits = in_bits + sw
    bq = np.round(b * 2.0**acc_bits).astype(np.int64)
    assert np.abs(bq).max() < 2**31
    shift = acc_bits - out_bits
    assert 0 <= shift <= 31, shift
    return wq.astype(np.int16), bq.astype(np.int32), shift


def quantize(params, hidden):
    """Float networks (list of dicts w1, b1, ...) -> list of networks, each a list of layers
    (wq, bq, shift, relu)."""
    nets = []
    for p in params:
        n_in = p["w1"].shape[0]
        mult = np.ones(n_in)
        mult[12] = 4.0  # the log-activity feature is at scale 2^8, the others at 2^10
        l1 = quantize_layer(p["w1"], p["b1"], 10, 8, mult) + (True,)
        l2 = quantize_layer(p["w2"], p["b2"], 8, 8) + (True,)
        l3 = quantize_layer(p["w3"], p["b3"], 8, 8) + (False,)
        nets.append([l1, l2, l3])
    return nets


def net_input(f):
    """Integer features (N, n_in) int64 -> network input int64 (clamps of the spec)."""
    x = np.clip(f, -32767, 32767).copy()
    x[:, 12] = f[:, 12] - 1024
    x[:, 13:15] = np.minimum(f[:, 13:15], 8192)
    return x


def wrap32(v):
    return ((v + 2**31) % 2**32) - 2**31


def forward(net, x):
    h = x
    for k, (wq, bq, shift, relu) in enumerate(net):
        acc = wrap32(h @ wq.astype(np.int64) + bq.astype(np.int64))
        r = (acc + (1 << (shift - 1))) >> shift if shift else acc
        if k < len(net) - 1:
            h = np.clip(r, 0 if relu else -32767, 32767)
        else:
            h = r
    return h


# ------------------------------------------------------------------------------ distribution
MU_CLAMP = 32 * 256 - 1
LS_LO, LS_HI = -8 * 256, 4 * 256


def params_from_outputs(o, a, d):
    """Network outputs (N, 2) -> (mu_fp, ls_fp) of the spec."""
    o0 = np.clip(o[:, 0], -MU_CLAMP, MU_CLAMP)
    mu_fp = a * 256 + ((o0 * d + 512) >> 10)
    ls_fp = log2_fp(d) + np.clip(o[:, 1], LS_LO, LS_HI) - 768
    return mu_fp, ls_fp


def logistic(z):
    t = _tables()["SIGMOID"]
    az = np.abs(z)
    i = az >> 8
    f = az & 255
    ic = np.minimum(i, 2047)
    g = t[ic] + (((t[ic + 1] - t[ic]) * f) >> 8)
    g = np.where(i >= 2048, 65536, g)
    return np.where(z < 0, 65536 - g, g)


def exp2_neg(x):
    t = _tables()["EXP2_NEG_FRAC"]
    sh = x >> 8
    return np.where(sh >= 32, 0, t[x & 255] >> np.minimum(sh, 31))


def code_length(mu_fp, ls_fp, v, vmin, vmax):
    """Bits of each value under the integer discretised logistic of ndcodecs-learned
    (-log2(freq / 2^16) + extra bits). Vectorised over samples."""
    start, freq, nbits = coded(mu_fp, ls_fp, v, vmin, vmax)
    return 16 - np.log2(freq) + nbits


def coded(mu_fp, ls_fp, v, vmin, vmax):
    """(start, freq, nbits) of each value: its interval of 2^16 and its extra bits."""
    mu_fp = np.clip(mu_fp, vmin * 256, vmax * 256)
    ls = np.clip(ls_fp, -4 * 256, 20 * 256)
    e = ls >> 8
    f = ls & 255
    j = np.maximum(e - 3, 0)
    x = exp2_neg(f)
    zshift = e + 9
    nb = ((vmax - vmin) >> j) + 1
    c = np.clip((mu_fp - 256 * vmin) >> (8 + j), 0, nb - 1)
    base = np.where(f == 0, 1 << 16, exp2_neg(256 - f) << 1)
    sq = np.where(e >= 0, base << np.maximum(e - j, 0), base >> np.maximum(-e, 0))
    k = np.clip((12 * sq + 65535) >> 16, 2, 255)
    lo = np.maximum(c - k, 0)
    hi = np.minimum(c + k, nb - 1)
    esc_lo = lo > 0
    esc_hi = hi < nb - 1
    n = hi - lo + 1 + esc_lo + esc_hi

    def bin_cdf(b):
        diff = 256 * (vmin + (b << j)) - 128 - mu_fp
        z = np.clip((diff * x) >> zshift, -16 * 32768, 16 * 32768)
        return logistic(z)

    def cum(kk, bnd):
        return ((bnd * (65536 - n)) >> 16) + kk

    b = (v - vmin) >> j
    below = b < lo
    above = b > hi
    kk = np.where(below, 0, np.where(above, n - 1, b - lo + esc_lo))
    # boundaries of symbol kk and kk + 1
    def boundary(kq):
        bin_b = lo + kq - esc_lo
        g = bin_cdf(np.clip(bin_b, 0, None))
        return np.where(kq == 0, 0, np.where(kq == n, 65536, g))
    start = cum(kk, boundary(kk))
    end = cum(kk + 1, boundary(kk + 1))
    freq = end - start
    assert (freq >= 1).all()
    count_lo = lo << j
    first_hi = vmin + ((hi + 1) << j)
    count_hi = vmax - first_hi + 1
    bitlen = lambda u: np.where(u > 0, np.floor(np.log2(np.maximum(u, 1))).astype(np.int64) + 1, 0)
    nbits = np.where(below, bitlen(count_lo - 1), np.where(above, bitlen(count_hi - 1), j))
    return start, freq, nbits


# ------------------------------------------------------------------------------ weight file
def write_model(path, model_id, nets):
    out = bytearray(b"NDLM")
    out += struct.pack("<III", 1, model_id, len(nets))
    for net in nets:
        out += struct.pack("<I", len(net))
        for wq, bq, shift, relu in net:
            n_in, n_out = wq.shape
            out += struct.pack("<HHBBH", n_in, n_out, shift, 1 if relu else 0, 0)
            out += wq.astype("<i2").tobytes()
            out += bq.astype("<i4").tobytes()
    open(path, "wb").write(bytes(out))


# ------------------------------------------------------------------------------ adaptation
def log2_fp_int(d):
    d = max(int(d), 1)
    e = d.bit_length() - 1
    m = ((d << 8) >> e) - 256
    return 256 * e + int(_tables()["LOG2_FRAC"][m])


def exp2_neg_int(x):
    sh = x >> 8
    return 0 if sh >= 32 else int(_tables()["EXP2_NEG_FRAC"][x & 255]) >> sh


def scale_fp(ls_fp):
    v = min(max(ls_fp, -4096), 5120) + 256 * 12
    e, f = v >> 8, v & 255
    x = exp2_neg_int(256 - f)
    sh = e + 1 - 16
    return x << sh if sh >= 0 else x >> -sh


TAP_OFFSETS = [(0, -1), (-1, 0), (-1, -1), (-1, 1), (0, -2), (-2, 0), (-1, -2), (-1, 2)]


def network_errors(x, mu_fp, lo, hi):
    """Model 3's network error 256 v - clip(mu_fp, 256 lo, 256 hi) of every sample of a plane."""
    return 256 * x.astype(np.int64) - np.clip(mu_fp, 256 * lo, 256 * hi)


def error_taps(e, y, x):
    """The network errors of (y, x)'s neighbours W, N, NW, NE, WW, NN, NWW, NEE in the plane's
    error array e (h, w); 0 outside the plane."""
    h, w = e.shape
    out = []
    for dy, dx in TAP_OFFSETS:
        yy, xx = y + dy, x + dx
        out.append(int(e[yy, xx]) if yy >= 0 and 0 <= xx < w else 0)
    return out


class Adapt:
    """The per-stream online correction of the spec. Model 1 (patterns=False): bias and scale per
    network x scale octave. Model 2 (patterns=True): scale per network x octave, bias per network x
    octave x the 64 neighbour patterns, the scale measured around the corrected mean, no warm-up
    (model 1: a context corrects once it has seen 16 samples). Model 3 (patterns=True, lms=True):
    model 2's and the gated normalised-LMS term over the neighbours' network errors."""

    def __init__(self, patterns=False, lms=False):
        self.patterns = patterns
        self.lms = lms
        self.bias = [0] * (64 * 64)
        self.bias_count = [0] * (64 * 64)
        self.dev = [0] * 64
        self.pred = [0] * 64
        self.count = [0] * 64
        self.w = [[0] * 8 for _ in range(64)]
        self.gain = [0] * 64

    @staticmethod
    def ctx(net, ls_fp):
        return net * 16 + min(max((ls_fp + 512) >> 8, 0), 15)

    def _kb(self, k, pattern):
        return k * 64 + pattern if self.patterns else k

    def _warm(self):
        return 0 if self.patterns else 16

    def _biased(self, kb, mu_fp):
        return mu_fp if self.bias_count[kb] < self._warm() else mu_fp + (self.bias[kb] >> 4)

    def _lms_term(self, k, taps):
        if not self.lms:
            return 0
        return sum(wj * tj for wj, tj in zip(self.w[k], taps)) >> 12

    def _mean(self, k, kb, mu_fp, taps):
        off = self._biased(kb, mu_fp)
        term = self._lms_term(k, taps)
        return (off + term if self.gain[k] > 0 else off), off, term

    def params(self, net, mu_fp, ls_fp, pattern=0, taps=(0,) * 8):
        k = self.ctx(net, ls_fp)
        mu = self._mean(k, self._kb(k, pattern), mu_fp, taps)[0]
        if self.count[k] < self._warm():
            return mu, ls_fp
        corr = log2_fp_int(max(self.dev[k], 1)) - log2_fp_int(max(self.pred[k], 1))
        return mu, ls_fp + min(max(corr, -768), 768)

    def update(self, net, mu_fp, ls_fp, v, pattern=0, taps=(0,) * 8, lo=0, hi=0):
        """`lo`, `hi`: the plane's value range (read by model 3 only)."""
        k = self.ctx(net, ls_fp)
        kb = self._kb(k, pattern)
        coded_mean, off, term = self._mean(k, kb, mu_fp, taps)
        err = (v * 256 - mu_fp) * 16
        self.bias[kb] += (err - self.bias[kb]) >> 5
        self.bias_count[kb] += 1
        dev = abs((v * 256 - coded_mean) * 16) if self.patterns else abs(err - self.bias[kb])
        self.dev[k] += (dev - self.dev[k]) >> 5
        pred = (scale_fp(ls_fp) * 355) >> 8
        self.pred[k] += (pred - self.pred[k]) >> 5
        self.count[k] += 1
        if self.lms:
            clip = lambda m: min(max(m, 256 * lo), 256 * hi)
            r_on = 256 * v - clip(off + term)
            r_off = 256 * v - clip(off)
            self.gain[k] += (((abs(r_off) - abs(r_on)) << 4) - self.gain[k]) >> 5
            norm = (1 << 18) + sum(t * t for t in taps)
            num = r_on << 30
            g = abs(num) // norm * (1 if num >= 0 else -1)  # rounded toward zero
            self.w[k] = [min(max(wj + ((g * tj) >> 22), -8192), 8192)
                         for wj, tj in zip(self.w[k], taps)]


def patterns(nb, a):
    """Model 2's neighbour pattern [W > a] + 2 [N > a] + 4 [NW > a] + 8 [NE > a] + 16 [NN > a]
    + 32 [WW > a] of every sample, from its neighbours (features.neighbours: W 0, WW 1, NW 3,
    N 4, NE 5, NN 9) and anchor."""
    up = lambda j: (nb[..., j] > a).astype(np.int64)
    return up(0) + 2 * up(4) + 4 * up(3) + 8 * up(5) + 16 * up(9) + 32 * up(1)
