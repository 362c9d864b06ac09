"""Causal neighbourhoods of the pixel_mlp model, in numpy (float and integer paths).

Names: a *plane* is one channel of one 2-d slice, coded in raster order. The neighbours of the
sample at (y, x) are, in this order (the spec's table):

    0 W  (y, x-1)    1 WW (y, x-2)
    2 NWW (y-1, x-2) 3 NW (y-1, x-1) 4 N (y-1, x) 5 NE (y-1, x+1) 6 NEE (y-1, x+2)
    7 NNWW (y-2, x-2) 8 NNW (y-2, x-1) 9 NN (y-2, x) 10 NNE (y-2, x+1) 11 NNEE (y-2, x+2)

Outside the plane: columns of rows above are clamped into [0, width-1]; in the current row a
column left of 0 takes the value of (y-1, 0) (or the plane's middle value in row 0); in row 0
every above-row neighbour takes the value of W (or the middle value at x = 0).
"""

import numpy as np

OFFSETS = [(0, -1), (0, -2), (-1, -2), (-1, -1), (-1, 0), (-1, 1), (-1, 2),
           (-2, -2), (-2, -1), (-2, 0), (-2, 1), (-2, 2)]
NB = len(OFFSETS)


def neighbours(plane, mid):
    """(H, W, 12) int64 array of the causal neighbours of every sample of `plane`."""
    p = plane.astype(np.int64)
    h, w = p.shape
    out = np.empty((h, w, NB), np.int64)
    cols = np.arange(w)
    for y in range(h):
        for j, (dy, dx) in enumerate(OFFSETS):
            if dy == 0:
                xs = cols + dx
                if y > 0:
                    left = p[y - 1, 0]
                else:
                    left = mid
                v = np.where(xs >= 0, p[y, np.clip(xs, 0, w - 1)], left)
            elif y + dy >= 0:
                v = p[y + dy, np.clip(cols + dx, 0, w - 1)]
            else:
                # row 0 (or row 1 for dy = -2): above-row neighbours missing
                if y == 0:
                    v = np.where(cols >= 1, p[0, np.clip(cols - 1, 0, w - 1)], mid)
                else:
                    # y == 1, dy == -2: use the row above (y-1 = 0) at the same column offset
                    v = p[0, np.clip(cols + dx, 0, w - 1)]
            out[y, :, j] = v
    return out


# ---------------------------------------------------------------- integer features (spec: model)
FEAT_SHIFT = 12          # f = ((v * inv) + 2^11) >> 12 with inv = 2^22 // d: f = v / d * 1024
INV_NUM = 1 << 22
LOG_TABLE = np.array([round(256 * np.log2(1 + i / 256)) for i in range(257)], np.int64)


def med(w, n, nw):
    mx, mn = np.maximum(w, n), np.minimum(w, n)
    return np.where(nw >= mx, mn, np.where(nw <= mn, mx, w + n - nw))


def log2_fp(d):
    """floor-based fixed-point log2 (x256) of positive int64 d, via the 257-entry table."""
    e = np.floor(np.log2(d)).astype(np.int64)  # exact for d < 2^52
    # mantissa index: (d * 256) >> e gives 256..511
    m = (d << 8) >> e
    return 256 * e + LOG_TABLE[m - 256]


def clamp16(v):
    return np.clip(v, -32767, 32767)


def scaled(v, inv):
    return clamp16((v * inv + (1 << (FEAT_SHIFT - 1))) >> FEAT_SHIFT)


def plane_core(nb, lo, hi):
    """anchor a, activity d, inv, and the own-plane features (H, W, 15) from neighbours."""
    W, WW, NWW, NW, N, NE, NEE, NNWW, NNW, NN, NNE, NNEE = (nb[..., j] for j in range(NB))
    a = med(W, N, NW)
    d = (np.abs(W - WW) + np.abs(W - NW) + np.abs(NW - N) + np.abs(N - NE) + np.abs(N - NN)
         + np.abs(NE - NNE) + 2)
    inv = INV_NUM // d
    f = [scaled(nb[..., j] - a, inv) for j in range(NB)]
    f.append(log2_fp(d))
    f.append(scaled(np.maximum(a - lo, 0), inv))
    f.append(scaled(np.maximum(hi - a, 0), inv))
    return a, d, inv, np.stack(f, -1)


def cond_features(q, qnb, inv):
    """5 features of a conditioning plane q (its value at the pixel and its neighbours)."""
    W, N, NW, NE = qnb[..., 0], qnb[..., 4], qnb[..., 3], qnb[..., 5]
    aq = med(W, N, NW)
    return np.stack([scaled(q - W, inv), scaled(q - N, inv), scaled(q - NW, inv),
                     scaled(q - NE, inv), scaled(q - aq, inv)], -1)


def plane_features(plane, conds, lo, hi):
    """Features of every sample of `plane` given its conditioning planes (same shape, already
    coded). Returns (x int64, a, d, features int64 (H, W, 15 + 5 * len(conds)))."""
    mid = (lo + hi) // 2
    nb = neighbours(plane, mid)
    a, d, inv, f = plane_core(nb, lo, hi)
    parts = [f]
    for q in conds:
        qnb = neighbours(q, mid)
        parts.append(cond_features(q.astype(np.int64), qnb, inv))
    return plane.astype(np.int64), a, d, np.concatenate(parts, -1)


def ycocg_r(a):
    """YCoCg-R (Malvar & Sullivan) of the first three channels of (y, x, c) int64."""
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    co = r - b
    t = b + (co >> 1)
    cg = g - t
    y = t + (cg >> 1)
    out = a.copy()
    out[..., 0], out[..., 1], out[..., 2] = y, co, cg
    return out


def image_planes(arr):
    """Yields (net index, plane, conditioning planes, lo, hi) for an image array as pixel_mlp
    codes it: (y, x) -> one plane; (y, x, c) -> channel k conditioned on channels k-1, k-2
    (nets 0, 1, 2), the first three channels of c >= 3 taken through YCoCg-R first;
    (z, y, x) -> slice z conditioned on slice z-1 (net 3)."""
    a = np.asarray(arr).astype(np.int64)
    if a.ndim == 3 and 3 <= a.shape[-1] <= 4:
        a = ycocg_r(a)
    if a.ndim == 2:
        lo, hi = int(a.min()), int(a.max())
        yield 0, a, [], lo, hi
    elif a.ndim == 3 and a.shape[-1] <= 4:
        for k in range(a.shape[-1]):
            p = a[..., k]
            lo, hi = int(p.min()), int(p.max())
            conds = [a[..., k - 1]] + ([a[..., k - 2]] if k >= 2 else []) if k else []
            yield min(k, 2), p, conds, lo, hi
    else:
        lo, hi = int(a.min()), int(a.max())
        for z in range(a.shape[0]):
            yield (3 if z else 0), a[z], ([a[z - 1]] if z else []), lo, hi
