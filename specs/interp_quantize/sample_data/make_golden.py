"""Golden vectors of `interp_quantize` (format version 1), from an implementation of
specs/interp_quantize/README.md written for this purpose in Python with numpy scalars: it shares no
code with the Rust implementation. Every float operation is one numpy float32/float64 scalar
operation (IEEE 754, round to nearest even).

    python3 make_golden.py      # writes the v1_* files beside this script (numpy 2.x)

The files are never regenerated once released: a change of the format is a new version.
"""

from __future__ import annotations

import json
import math
import struct
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def fold(shape):
    kept = [d for d in shape if d != 1]
    if 0 in kept:
        kept = [0]
    while len(kept) > 4:
        kept = [kept[0] * kept[1]] + kept[2:]
    dims = [1] * (4 - len(kept)) + kept
    t = [1, 1, 1, 1]
    for k in (2, 1, 0):
        t[k] = t[k + 1] * dims[k + 1]
    m = max(dims)
    levels = 0 if m <= 1 else math.ceil(math.log2(m))
    while (1 << levels) < m:
        levels += 1
    return dims, t, levels


def rd(F, v: float):
    """RD_F(v): the largest F not greater than v."""
    r = F(v)
    if float(r) > v:
        r = np.nextafter(r, F(-np.inf))
    return r


def split64(bits: int):
    lo, hi = bits & 0xFFFFFFFF, bits >> 32
    return [lo - (1 << 32) if lo >= 1 << 31 else lo, hi - (1 << 32) if hi >= 1 << 31 else hi]


def f64bits(v: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def within(x, y, e) -> bool:
    return abs(Fraction(float(x)) - Fraction(float(y))) <= Fraction(e)


def walk(F, dims, t, plan, offset, step, visit):
    """The walk of the specification: calls visit(p, P, sigma, shift) for every element."""
    a = plan["anchor_level"]
    A = 1 << a

    def sig(k):
        return F(step * F(2.0**-k))

    # Anchors.
    sigma = sig(plan["anchor_shift"])
    for i0 in range(0, dims[0], A):
        for i1 in range(0, dims[1], A):
            for i2 in range(0, dims[2], A):
                for i3 in range(0, dims[3], A):
                    idx = (i0, i1, i2, i3)
                    p = sum(i * s for i, s in zip(idx, t))
                    avail = [k for k in range(4) if idx[k] > 0]
                    if not avail:
                        P = offset
                    else:
                        acc = F(0.0)
                        for m in range(1, 16):
                            ks = [k for k in range(4) if m >> k & 1]
                            if not all(k in avail for k in ks):
                                continue
                            v = visit.w[p - A * sum(t[k] for k in ks)]
                            acc = F(acc + v) if len(ks) % 2 == 1 else F(acc - v)
                        P = acc if np.isfinite(acc) else visit.w[p - A * t[max(avail)]]
                    visit(p, P, sigma)
    for l in range(a, 0, -1):
        lv = plan["levels"][l - 1]
        s = 1 << (l - 1)
        sigma = sig(lv["shift"])
        done = set()
        for x in lv["order"]:
            if dims[x] > s:
                rng = []
                for k in range(4):
                    if k == x:
                        rng.append(range(s, dims[k], 2 * s))
                    elif k in done:
                        rng.append(range(0, dims[k], s))
                    else:
                        rng.append(range(0, dims[k], 2 * s))
                n = dims[x]
                o = s * t[x]
                for i0 in rng[0]:
                    for i1 in rng[1]:
                        for i2 in rng[2]:
                            for i3 in rng[3]:
                                idx = (i0, i1, i2, i3)
                                i = idx[x]
                                p = sum(a_ * b_ for a_, b_ in zip(idx, t))
                                w = visit.w
                                L1 = w[p - o]
                                cubic = lv["interp"] == "cubic"
                                if i + s >= n:
                                    P = F(F(L1 * F(3)) - w[p - 3 * o]) * F(0.5) if i >= 3 * s else L1
                                elif not cubic or (i < 3 * s and i + 3 * s >= n):
                                    P = F(F(L1 + w[p + o]) * F(0.5))
                                elif i >= 3 * s and i + 3 * s < n:
                                    P = F(F(F(L1 + w[p + o]) * F(9)) - F(w[p - 3 * o] + w[p + 3 * o])) * F(0.0625)
                                elif i < 3 * s:
                                    P = F(F(F(L1 * F(3)) + F(w[p + o] * F(6))) - w[p + 3 * o]) * F(0.125)
                                else:
                                    P = F(F(F(w[p + o] * F(3)) + F(L1 * F(6))) - w[p - 3 * o]) * F(0.125)
                                P = F(P)
                                if not np.isfinite(P):
                                    P = L1
                                visit(p, P, sigma)
            done.add(x)


def header(F, shape, dims, levels_room, bound, offset, fill, plan, runs=False):
    words = [1, 32 if F is np.float32 else 64, len(shape)]
    for d in shape:
        words += split64(d)
    words += split64(f64bits(bound))
    words += split64(f64bits(float(offset)))
    words += [(1 if fill is not None else 0) | (4 if runs else 0)]
    words += split64(f64bits(float(F(fill))) if fill is not None else 0)
    words += [plan["anchor_level"] | (plan["anchor_shift"] << 8)]
    for l in range(1, levels_room + 1):
        if l <= plan["anchor_level"]:
            lv = plan["levels"][l - 1]
            w = (1 if lv["interp"] == "cubic" else 0) | (lv["shift"] << 4)
            for j, ax in enumerate(lv["order"]):
                w |= ax << (8 + 2 * j)
            words.append(w)
        else:
            words.append(0)
    return words


NAN_BITS = {np.float32: (0x7FC00000, 0xFFC00000), np.float64: (0x7FF8000000000000, 0xFFF8000000000000)}
UINT = {np.float32: np.uint32, np.float64: np.uint64}


def bits(F, v):
    return int(np.array([v], F).view(UINT[F])[0])


def encode(F, x: np.ndarray, config: dict, plan: dict):
    shape = list(x.shape)
    dims, t, levels_room = fold(shape)
    flat = [F(v) for v in x.ravel()]
    fill = config.get("fill_value")
    fillF = F(fill) if fill is not None else None

    def kind(v):
        if fillF is not None and bits(F, v) == bits(F, fillF):
            return 0
        if np.isnan(v):
            b = bits(F, v)
            return {NAN_BITS[F][0]: 1, NAN_BITS[F][1]: 2}[b]
        if np.isinf(v):
            return 3 if v > 0 else 4
        return None

    valid = [v for v in flat if kind(v) is None]
    lo, hi = (min(valid), max(valid)) if valid else (None, None)
    if "max_abs_error" in config:
        bound = config["max_abs_error"]
    else:
        r = config["max_rel_error"]
        bound = r * (float(hi) - float(lo)) if valid and hi > lo else r
    offset = F(float(lo) * 0.5 + float(hi) * 0.5) if valid else F(0.0)
    step = rd(F, bound * 1.96875)
    inv = 1.0 / float(step)
    n = len(flat)
    codes = []

    class V:
        w = [F(0.0)] * n

        def __call__(self, p, P, sigma):
            v = flat[p]
            k = kind(v)
            if k is not None:
                codes.append(k)
                self.w[p] = P
                return
            shift = round(math.log2(float(step) / float(sigma)))
            iota = inv * 2.0**shift
            r = (float(v) - float(P)) * iota
            q0 = round(r)  # Python's round: ties to even
            assert abs(q0) <= 2**31 - 1
            x0 = F(P + F(F(q0) * sigma))
            if within(v, x0, bound):
                q, xh = q0, x0
            else:
                q1 = q0 + 1 if float(v) > float(x0) else q0 - 1
                x1 = F(P + F(F(q1) * sigma))
                assert within(v, x1, bound), "no code"
                q, xh = q1, x1
            codes.append(q)
            self.w[p] = xh

    walk(F, dims, t, plan, offset, step, V())
    M = (n + 31) // 32
    special = [kind(v) is not None for v in flat]
    runs = None
    if any(special):
        # The mask as runs of special(p) XOR special(p - row), the first run of 0-bits.
        row = dims[3]
        xored = [special[p] ^ (p >= row and special[p - row]) for p in range(n)]
        lengths, cur, length = [], False, 0
        for b in xored:
            if b != cur:
                lengths.append(length)
                cur, length = b, 0
            length += 1
        lengths.append(length)
        if len(lengths) + 1 <= M:
            runs = [len(lengths)] + lengths + [0] * (M - 1 - len(lengths))
    if runs is not None:
        mask = runs
    else:
        mask = [0] * M
        for p in range(n):
            if special[p]:
                mask[p // 32] |= 1 << (p % 32)
        mask = [m - (1 << 32) if m >= 1 << 31 else m for m in mask]
    return header(F, shape, dims, levels_room, bound, offset, fill, plan, runs is not None) + mask + codes


def decode(F, words):
    r = words[2]
    shape = [(words[3 + 2 * k] & 0xFFFFFFFF) | (words[4 + 2 * k] << 32) for k in range(r)]
    dims, t, levels_room = fold(shape)
    b = 3 + 2 * r
    u = lambda i: (words[i] & 0xFFFFFFFF) | ((words[i + 1] & 0xFFFFFFFF) << 32)
    bound = struct.unpack("<d", struct.pack("<Q", u(b)))[0]
    offset = F(struct.unpack("<d", struct.pack("<Q", u(b + 2)))[0])
    flags = words[b + 4]
    fill = F(struct.unpack("<d", struct.pack("<Q", u(b + 5)))[0]) if flags & 1 else None
    aw = words[b + 7]
    plan = {"anchor_level": aw & 0xFF, "anchor_shift": (aw >> 8) & 0xFF, "levels": []}
    for l in range(plan["anchor_level"]):
        w = words[b + 8 + l]
        plan["levels"].append(
            {"interp": "cubic" if w & 1 else "linear", "shift": (w >> 4) & 15, "order": [(w >> (8 + 2 * j)) & 3 for j in range(4)]}
        )
    n = int(np.prod(shape)) if shape else 1
    H = 11 + 2 * r + levels_room
    M = (n + 31) // 32
    assert len(words) == H + M + n
    mask = words[H : H + M]
    if flags & 4:
        # Runs of special(p) XOR special(p - row): expand, then undo the XOR row by row.
        count, lengths = mask[0], mask[1 : 1 + mask[0]]
        assert all(w == 0 for w in mask[1 + count :]) and sum(lengths) == n
        xored = []
        for j, length in enumerate(lengths):
            xored += [j % 2 == 1] * length
        row = dims[3]
        special = list(xored)
        for p in range(row, n):
            special[p] = xored[p] ^ special[p - row]
        mask = [0] * M
        for p in range(n):
            if special[p]:
                mask[p // 32] |= 1 << (p % 32)
    codes = iter(words[H + M :])
    step = rd(F, bound * 1.96875)
    specials = {}

    class V:
        w = [F(0.0)] * n

        def __call__(self, p, P, sigma):
            c = next(codes)
            if (mask[p // 32] >> (p % 32)) & 1:
                specials[p] = c
                self.w[p] = P
            else:
                self.w[p] = F(P + F(F(c) * sigma))
                assert np.isfinite(self.w[p])

    v = V()
    walk(F, dims, t, plan, offset, step, v)
    out = list(v.w)
    for p, c in specials.items():
        out[p] = {0: fill, 1: np.array([NAN_BITS[F][0]], UINT[F]).view(F)[0], 2: np.array([NAN_BITS[F][1]], UINT[F]).view(F)[0], 3: F(np.inf), 4: F(-np.inf)}[c]
    return np.array(out, F).reshape(shape)


def level(interp, shift, order):
    return {"interp": interp, "shift": shift, "order": order}


def smooth(shape, seed):
    rng = np.random.default_rng(seed)
    idx = np.indices(shape).astype(np.float64)
    v = sum(np.sin(idx[k] * (0.3 + 0.2 * k)) * (k + 1) for k in range(len(shape)))
    return v + 0.05 * rng.standard_normal(shape)


def cases():
    x = np.array([1.0, 2.0, 4.0, 4.5, 3.0], np.float32)
    yield "v1_f32_example", np.float32, x, {"max_abs_error": 0.25}, {
        "anchor_level": 3, "anchor_shift": 0, "levels": [level("cubic", 0, [0, 1, 2, 3])] * 3}

    x = (smooth((5, 6, 7), 1) * 10 + 280).astype(np.float32)
    x[0, 0, 0] = np.float32(9.96921e36)
    x[1, 2, 3] = np.nan
    x[2, 5, 6] = -np.inf
    x[4, 0, 1] = np.inf
    x[3, 3, 3] = -np.float32(np.nan)
    x[3, 4, :] = np.float32(9.96921e36)
    yield "v1_f32_3d_specials", np.float32, x, {"max_abs_error": 0.05, "fill_value": 9.96921e36}, {
        "anchor_level": 2, "anchor_shift": 1,
        "levels": [level("linear", 0, [0, 3, 2, 1]), level("cubic", 1, [0, 1, 2, 3])]}

    x = smooth((9, 17), 2) * 1e3 + 5e4
    yield "v1_f64_2d_rel", np.float64, x, {"max_rel_error": 1e-4, "dtype": "float64"}, {
        "anchor_level": 5, "anchor_shift": 2,
        "levels": [level("cubic", 0, [0, 1, 3, 2]), level("cubic", 0, [0, 1, 2, 3]), level("linear", 1, [3, 2, 1, 0]),
                   level("cubic", 2, [0, 1, 2, 3]), level("cubic", 3, [1, 0, 2, 3])]}

    # Land (the fill value) over a corner and a coastline that moves from row to row: the mask
    # goes as runs.
    x = (smooth((24, 40), 5) + 10).astype(np.float32)
    i, j = np.indices(x.shape)
    x[(j > 25 + i // 3) | ((i < 6) & (j < 8))] = np.float32(1e20)
    x[20, 3] = np.nan
    yield "v1_f32_2d_land_runs", np.float32, x, {"max_abs_error": 0.02, "fill_value": 1e20}, {
        "anchor_level": 3, "anchor_shift": 0,
        "levels": [level("cubic", 0, [0, 1, 3, 2]), level("cubic", 0, [0, 1, 2, 3]), level("linear", 0, [0, 1, 2, 3])]}

    x = smooth((4, 5, 6), 3).astype(np.float32)
    yield "v1_f32_lorenzo", np.float32, x, {"max_rel_error": 1e-2}, {"anchor_level": 0, "anchor_shift": 0, "levels": []}

    x = smooth((2, 3, 1, 4, 5, 3), 4).astype(np.float32)
    yield "v1_f32_6d_folded", np.float32, x, {"max_abs_error": 0.01}, {
        "anchor_level": 2, "anchor_shift": 0, "levels": [level("cubic", 0, [2, 0, 3, 1]), level("cubic", 1, [0, 1, 2, 3])]}


def main():
    for name, F, x, config, plan in cases():
        words = encode(F, x, config, plan)
        y = decode(F, words)
        valid = np.isfinite(x)
        if "fill_value" in config:
            valid &= x != F(config["fill_value"])
        h = words[3 + 2 * x.ndim : 5 + 2 * x.ndim]
        bound = struct.unpack("<d", struct.pack("<Q", (h[0] & 0xFFFFFFFF) | ((h[1] & 0xFFFFFFFF) << 32)))[0]
        assert all(within(a, b, bound) for a, b in zip(x[valid], y[valid]))
        assert np.array_equal(x[~valid].view(UINT[F]), y[~valid].view(UINT[F]))
        cfg = dict(config)
        (HERE / f"{name}.json").write_text(json.dumps({"config": cfg, "plan": plan}, indent=1) + "\n")
        (HERE / f"{name}.shape.json").write_text(json.dumps(list(x.shape)) + "\n")
        (HERE / f"{name}.input.bin").write_bytes(x.astype(np.dtype(F).newbyteorder("<")).tobytes())
        (HERE / f"{name}.encoded.bin").write_bytes(np.array(words, "<i4").tobytes())
        (HERE / f"{name}.decoded.bin").write_bytes(y.astype(np.dtype(F).newbyteorder("<")).tobytes())
        print(name, len(words), "words; codes", words[-min(8, x.size):])


if __name__ == "__main__":
    main()
