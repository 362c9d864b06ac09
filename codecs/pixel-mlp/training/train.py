"""Trains the pixel_mlp networks on images-train (and nothing else), CPU only (jax[cpu]).

    python train.py --data DIR [--hidden 32] [--steps 20000] [--holdout NAME ...]

Writes out/float_weights.npz (the float networks) and prints the ideal code length per image.
See README.md for the recipe that reproduces the shipped weights.
"""

import argparse
import glob
import os
import time

import jax
import jax.numpy as jnp
import numpy as np

from features import image_planes, plane_features

FEAT_SCALE = 1024.0   # integer features are value / d * 1024
LOG_SCALE = 256.0     # the log-activity feature is log2(d) * 256
NETS = 4
N_FEAT = [15, 20, 25, 20]


def load_samples(path):
    arr = np.load(path)
    out = []
    for net, plane, conds, lo, hi in image_planes(arr):
        x, a, d, f = plane_features(plane, conds, lo, hi)
        n = x.size
        out.append((net, f.reshape(n, -1).astype(np.float32), x.reshape(n), a.reshape(n),
                    d.reshape(n), np.full(n, lo), np.full(n, hi)))
    return out


def to_input(f):
    """Float network input from integer features: neighbour features / 1024, log feature / 256
    minus 4 (centering), range features / 1024 clipped at 8."""
    g = f / FEAT_SCALE
    g = g.at[:, 12].set(f[:, 12] / LOG_SCALE - 4.0) if isinstance(g, jnp.ndarray) else g
    return g


def init(key, n_in, hidden, n_out):
    k1, k2, k3 = jax.random.split(key, 3)
    return {
        "w1": jax.random.normal(k1, (n_in, hidden)) * (1.0 / np.sqrt(n_in)),
        "b1": jnp.zeros(hidden),
        "w2": jax.random.normal(k2, (hidden, hidden)) * (1.0 / np.sqrt(hidden)),
        "b2": jnp.zeros(hidden),
        "w3": jax.random.normal(k3, (hidden, n_out)) * 0.01,
        "b3": jnp.zeros(n_out),
    }


def prep(f):
    g = f / FEAT_SCALE
    g = g.at[:, 12].set(f[:, 12] / LOG_SCALE - 4.0)
    g = g.at[:, 13:15].set(jnp.minimum(g[:, 13:15], 8.0))
    return jnp.clip(g, -31.99, 31.99)


def forward(p, f):
    h = jax.nn.relu(prep(f) @ p["w1"] + p["b1"])
    h = jax.nn.relu(h @ p["w2"] + p["b2"])
    return h @ p["w3"] + p["b3"]


def log_sigmoid(z):
    return -jax.nn.softplus(-z)


def nll_bits(p, f, x, a, d, lo, hi):
    o = forward(p, f)
    mu = a + jnp.clip(o[:, 0], -31.99, 31.99) * d / FEAT_SCALE
    ls = jnp.clip(o[:, 1], -8.0, 4.0)
    s = d * jnp.exp2(ls) / 8.0
    inv_s = 1.0 / s
    up = (x + 0.5 - mu) * inv_s
    dn = (x - 0.5 - mu) * inv_s
    # log(F(up) - F(dn)) with the range ends open
    lcdf_up = jnp.where(x >= hi, 0.0, log_sigmoid(up))
    lsf_dn = jnp.where(x <= lo, 0.0, log_sigmoid(-dn))
    # P = F(up) - F(dn) = 1 - (1 - F(up)) - F(dn); stable form via logs
    p_up_tail = jnp.where(x >= hi, 0.0, jax.nn.sigmoid(-up))
    p_dn_tail = jnp.where(x <= lo, 0.0, jax.nn.sigmoid(dn))
    prob = jnp.maximum(1.0 - p_up_tail - p_dn_tail, 1e-12)
    # for tiny probabilities use the log-density approximation
    mid = (x - mu) * inv_s
    log_pdf = mid - 2 * jax.nn.softplus(mid) + jnp.log(inv_s)
    lp = jnp.where(prob > 1e-5, jnp.log(prob), log_pdf)
    del lcdf_up, lsf_dn
    return -lp / np.log(2.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--holdout", nargs="*", default=[])
    ap.add_argument("--out", default="out/float_weights.npz")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(args.data, "*.npy")))
    t0 = time.time()
    per_image = {}
    pools = [[] for _ in range(NETS)]
    for path in files:
        name = os.path.basename(path)[:-4]
        samples = load_samples(path)
        per_image[name] = samples
        if name in args.holdout:
            continue
        for s in samples:
            pools[s[0]].append(s[1:])
    print(f"features: {time.time() - t0:.1f} s")
    data = []
    for k in range(NETS):
        cols = [np.concatenate([s[i] for s in pools[k]]) for i in range(6)]
        data.append([jnp.asarray(c, jnp.float32) for c in cols])
        print(f"net {k}: {len(cols[1])} samples")

    key = jax.random.PRNGKey(args.seed)
    params = []
    opt = []
    for k in range(NETS):
        key, sub = jax.random.split(key)
        p = init(sub, N_FEAT[k], args.hidden, 2)
        params.append(p)
        opt.append((jax.tree.map(jnp.zeros_like, p), jax.tree.map(jnp.zeros_like, p)))

    def loss(p, f, x, a, d, lo, hi):
        return jnp.mean(nll_bits(p, f, x, a, d, lo, hi))

    @jax.jit
    def step(p, m, v, t, lr, f, x, a, d, lo, hi):
        l, g = jax.value_and_grad(loss)(p, f, x, a, d, lo, hi)
        m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
        mh = jax.tree.map(lambda m: m / (1 - 0.9**t), m)
        vh = jax.tree.map(lambda v: v / (1 - 0.999**t), v)
        p = jax.tree.map(lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-8), p, mh, vh)
        return p, m, v, l

    rng = np.random.default_rng(args.seed)
    for k in range(NETS):
        n = data[k][1].shape[0]
        p = params[k]
        m, v = opt[k]
        t1 = time.time()
        run = 0.0
        for t in range(1, args.steps + 1):
            idx = rng.integers(0, n, args.batch)
            lr = args.lr * min(1.0, t / 500) * (0.5 * (1 + np.cos(np.pi * t / args.steps)))
            p, m, v, l = step(p, m, v, t, lr, *(c[idx] for c in data[k]))
            run = 0.99 * run + 0.01 * float(l) if t > 1 else float(l)
            if t % 2000 == 0:
                print(f"net {k} step {t}: {run:.4f} bits ({time.time() - t1:.0f} s)")
        params[k] = p
    print(f"training: {time.time() - t0:.0f} s")

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    flat = {f"net{k}_{name}": np.asarray(v) for k, p in enumerate(params) for name, v in p.items()}
    np.savez(args.out, hidden=args.hidden, **flat)

    ev = jax.jit(lambda p, f, x, a, d, lo, hi: jnp.sum(nll_bits(p, f, x, a, d, lo, hi)))
    for name, samples in per_image.items():
        bits = 0.0
        n = 0
        planes = []
        for net, f, x, a, d, lo, hi in samples:
            b = float(ev(params[net], *(jnp.asarray(c, jnp.float32) for c in (f, x, a, d, lo, hi))))
            bits += b
            n += x.size
            planes.append(b / x.size)
        tag = " (held out)" if name in args.holdout else ""
        per = " ".join(f"{b:.3f}" for b in planes[:4])
        print(f"{name}: {bits / n:.4f} bpsp{tag}  planes: {per}")


if __name__ == "__main__":
    main()
