"""The interp_cnn multiscale split and integer features, in numpy (the Rust codec's arithmetic).

Names (as in specs/interp_cnn/README.md): a *plane* is one channel of one 2-d slice. Level 0 is
the plane; level l+1 is level l's even rows and columns (its first polyphase component, A). At
each level, the three other components are coded in turn from the ones already known:

    step 0, D: (odd row, odd column)  from A
    step 1, B: (even row, odd column) from A and D
    step 2, C: (odd row, even column) from A, D and B

Each sample's 16 neighbours (offsets in the level's own grid, nearest four first) all lie in
components already known. Outside the plane a coordinate is clamped to the nearest row (column)
of the same parity; if the plane has one row (column) only and the parity is odd, the neighbour
is the A sample at the even-clamped position instead.
"""

import numpy as np

# (dy, dx) per step; the first four are the nearest neighbours.
OFFSETS = [
    # D: the 4x4 block of A around it
    [(-1, -1), (-1, 1), (1, -1), (1, 1),
     (-1, -3), (-1, 3), (1, -3), (1, 3), (-3, -1), (-3, 1), (3, -1), (3, 1),
     (-3, -3), (-3, 3), (3, -3), (3, 3)],
    # B: A left/right, D above/below, then the next rings
    [(0, -1), (0, 1), (-1, 0), (1, 0),
     (-1, -2), (-1, 2), (1, -2), (1, 2), (-2, -1), (-2, 1), (2, -1), (2, 1),
     (0, -3), (0, 3), (-3, 0), (3, 0)],
    # C: A above/below, D left/right, B on the diagonals, then the next ring
    [(-1, 0), (1, 0), (0, -1), (0, 1),
     (-1, -1), (-1, 1), (1, -1), (1, 1),
     (-1, -2), (-1, 2), (1, -2), (1, 2), (-2, -1), (-2, 1), (2, -1), (2, 1)],
]
# the parity (row, column) of each step's samples
PARITY = [(1, 1), (0, 1), (1, 0)]
NB = 16
MARGIN = 3
MAX_LEVELS = 8
COARSE_SAMPLES = 64

LOG_TABLE = np.array([round(256 * np.log2(1 + i / 256)) for i in range(257)], np.int64)


def log2_fp(d):
    """floor-based fixed-point log2 (x256) of int64 d >= 1 (ndcodecs-learned's log2_fp)."""
    d = np.maximum(np.asarray(d, np.int64), 1)
    e = np.floor(np.log2(d.astype(np.float64))).astype(np.int64)
    # guard float rounding at powers of two
    e = np.where((np.int64(1) << e) > d, e - 1, e)
    e = np.where((np.int64(1) << (e + 1)) <= d, e + 1, e)
    m = (d << 8) >> e
    return 256 * e + LOG_TABLE[m - 256]


def levels(h, w):
    """Number of levels: the smallest L with ceil(h/2^L) * ceil(w/2^L) <= 64, at most 8."""
    n = 0
    while n < MAX_LEVELS and -(-h // (1 << n)) * -(-w // (1 << n)) > COARSE_SAMPLES:
        n += 1
    return n


def clamp_parity(y, n):
    """(index, valid) arrays for coordinates y in a dimension of length n."""
    y = np.asarray(y, np.int64)
    par = y & 1
    lo = par
    hi = np.where(((n - 1) & 1) == par, n - 1, n - 2)
    idx = np.clip(y, lo, np.maximum(hi, lo))
    valid = (lo <= n - 1) & (hi >= lo) & (hi >= 0)
    even = np.clip(y & ~np.int64(1), 0, (n - 1) & ~1)
    return np.where(valid, idx, 0), valid, even


def gather(x, step):
    """Neighbours (n, 16) and targets (n,) of every sample of `step` in level image x, and the
    (rows, columns) of the step's sub-image."""
    h, w = x.shape
    py, px = PARITY[step]
    ys = np.arange(py, h, 2)
    xs = np.arange(px, w, 2)
    if ys.size == 0 or xs.size == 0:
        return np.zeros((0, NB), np.int64), np.zeros(0, np.int64), (ys.size, xs.size)
    out = np.empty((ys.size, xs.size, NB), np.int64)
    for k, (dy, dx) in enumerate(OFFSETS[step]):
        iy, vy, ey = clamp_parity(ys + dy, h)
        ix, vx, ex = clamp_parity(xs + dx, w)
        v = x[iy[:, None], ix[None, :]]
        fb = x[ey[:, None], ex[None, :]]
        out[:, :, k] = np.where(vy[:, None] & vx[None, :], v, fb)
    tgt = x[ys[:, None], xs[None, :]]
    return out.reshape(-1, NB), tgt.reshape(-1), (ys.size, xs.size)


def core(nb):
    """Anchor a, activity d, reciprocal r and the 16 scaled neighbour features."""
    a = (nb[:, 0] + nb[:, 1] + nb[:, 2] + nb[:, 3] + 2) >> 2
    dev = np.abs(nb - a[:, None])
    d = 1 + ((2 * dev[:, :4].sum(1) + dev[:, 4:12].sum(1)) >> 4)
    r = (np.int64(1) << 26) // d
    f = np.clip(((nb - a[:, None]) * r[:, None]) >> 16, -32767, 32767)
    return a, d, r, f


def features(nb, conds):
    """Integer features (n, 17 + 3 * len(conds)) and (a, d). `conds` is a list of
    (neighbours, centre) of the conditioning channels (nearest first)."""
    a, d, r, f = core(nb)
    ld = log2_fp(d)
    cols = [f, (4 * ld - 4096)[:, None]]
    for mnb, mc in conds:
        a2, d2, r2, _ = core(mnb)
        e = mc - a2
        cols.append(np.clip((e * r) >> 16, -32767, 32767)[:, None])
        cols.append(np.clip((e * r2) >> 16, -32767, 32767)[:, None])
        cols.append((4 * (log2_fp(d2) - ld))[:, None])
    return np.concatenate(cols, 1), a, d


def ycocg_r(rgb):
    """YCoCg-R (Malvar & Sullivan) of an int64 (..., 3) array: Y, Co, Cg."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    co = r - b
    t = b + (co >> 1)
    cg = g - t
    y = t + (cg >> 1)
    return np.stack([y, co, cg], -1)


def image_planes(arr):
    """The coded planes of an image array: a list of slices, each a list of channel planes
    (int64), with YCoCg-R on the first three channels of 3- and 4-channel images."""
    a = np.asarray(arr).astype(np.int64)
    if a.ndim == 2:
        return [[a]]
    if a.ndim == 3 and a.shape[2] <= 4 and a.shape[0] > 4:
        if a.shape[2] >= 3:
            a = np.concatenate([ycocg_r(a[..., :3]), a[..., 3:]], -1)
        return [[a[..., c] for c in range(a.shape[2])]]
    # a volume (z, y, x): slice by slice
    return [[s] for s in a]


def net_index(step, channel):
    """Network of (step, channel): 3 steps x (first channel, second, later)."""
    return step * 3 + min(channel, 2)


def samples(slice_planes):
    """Yields (net, features, target, a, d, vmin, vmax) for every step of every level of every
    channel of one slice (all channels of a slice share the level structure)."""
    h, w = slice_planes[0].shape
    nlev = levels(h, w)
    ranges = [(int(p.min()), int(p.max())) for p in slice_planes]
    for lev in range(nlev - 1, -1, -1):
        xs = [p[:: 1 << lev, :: 1 << lev] for p in slice_planes]
        for step in range(3):
            g = [gather(x, step) for x in xs]
            if g[0][1].size == 0:
                continue
            for c in range(len(xs)):
                conds = [(g[c - 1][0], g[c - 1][1])] if c >= 1 else []
                if c >= 2:
                    conds.append((g[0][0], g[0][1]))
                f, a, d = features(g[c][0], conds)
                lo, hi = ranges[c]
                yield net_index(step, c), f, g[c][1], a, d, lo, hi
