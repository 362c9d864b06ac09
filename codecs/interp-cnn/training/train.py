"""Trains the interp_cnn networks on images-train (and nothing else), CPU only (jax[cpu]).

    python train.py --data DIR [--hidden 24] [--steps 4000] [--holdout NAME ...] [--out FILE]

Every network is a per-sample MLP over integer features of the 16 nearest known neighbours
(equivalently, a CNN whose first layer is a 16-tap convolution over the known sub-images and
whose later layers are 1x1 convolutions), trained to minimise the code length of a discretised
logistic. Writes the float networks (npz) and prints the ideal code length per image. See
README.md for the recipe that reproduces the shipped weights.
"""

import argparse
import glob
import os
import time

import jax
import jax.numpy as jnp
import numpy as np

from features import image_planes, samples

NETS = 9
ACT_MAX = 31.99  # i16 activations in units of 1/1024


def n_features(net):
    c = net % 3
    return 17 + 3 * (0 if c == 0 else 1 if c == 1 else 2)


def load(paths):
    per_net = {k: [] for k in range(NETS)}
    per_image = {}
    for path in paths:
        arr = np.load(path)
        name = os.path.basename(path)[:-4]
        per_image[name] = []
        for sl in image_planes(arr):
            for net, f, t, a, d, lo, hi in samples(sl):
                rec = (f.astype(np.float32), t.astype(np.float32), a.astype(np.float32),
                       d.astype(np.float32), np.full(t.size, lo, np.float32),
                       np.full(t.size, hi, np.float32))
                per_net[net].append(rec)
                per_image[name].append((net, rec))
    return per_net, per_image


def cat(recs):
    return tuple(np.concatenate([r[i] for r in recs]) for i in range(6))


def init(key, n_in, hidden, depth):
    sizes = [n_in] + [hidden] * depth + [2]
    keys = jax.random.split(key, len(sizes))
    p = []
    for i in range(len(sizes) - 1):
        scale = 1.0 / np.sqrt(sizes[i]) if i < len(sizes) - 2 else 0.01
        p.append((jax.random.normal(keys[i], (sizes[i], sizes[i + 1])) * scale,
                  jnp.zeros(sizes[i + 1])))
    return p


def forward(p, f):
    h = jnp.clip(f / 1024.0, -ACT_MAX, ACT_MAX)
    for w, b in p[:-1]:
        h = jnp.clip(h @ w + b, 0.0, ACT_MAX)
    w, b = p[-1]
    return h @ w + b


def bits(p, f, t, a, d, lo, hi):
    o = forward(p, f)
    mu = jnp.clip(a + jnp.clip(o[:, 0], -31.99, 31.99) * d, lo, hi)
    ls = jnp.clip(jnp.log2(d) + o[:, 1], -4.0, 20.0)
    inv = jnp.exp2(-ls)
    up = jnp.where(t >= hi, 1e4, (t + 0.5 - mu) * inv)
    dn = jnp.where(t <= lo, -1e4, (t - 0.5 - mu) * inv)
    # log(sigmoid(up) - sigmoid(dn)) stably
    lp = jnp.log(jnp.maximum(jax.nn.sigmoid(up) - jax.nn.sigmoid(dn), 1e-12))
    mid = (up + dn) / 2
    lp_tail = jax.nn.log_sigmoid(mid) + jax.nn.log_sigmoid(-mid) + jnp.log(up - dn + 1e-12)
    lp = jnp.where(up - dn < 1e-3, lp_tail, lp)
    return -lp / np.log(2.0)


def adam_train(p, data, steps, batch, lr, seed, mask=None):
    f, t, a, d, lo, hi = (jnp.asarray(x) for x in data)
    n = t.shape[0]
    loss = lambda p, idx: jnp.mean(bits(p, f[idx], t[idx], a[idx], d[idx], lo[idx], hi[idx]))
    b1, b2 = 0.9, 0.999

    @jax.jit
    def update(p, m, v, idx, lr_i, i):
        # one Adam step, compiled as a whole (the update outside jit dominated the run time)
        val, g = jax.value_and_grad(loss)(p, idx)
        if mask is not None:
            g = jax.tree.map(lambda g, k: g * k, g, mask)
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
        p = jax.tree.map(lambda p, m, v: p - lr_i * (m / (1 - b1**i)) / (jnp.sqrt(v / (1 - b2**i)) + 1e-8),
                         p, m, v)
        return p, m, v, val

    m = jax.tree.map(jnp.zeros_like, p)
    v = jax.tree.map(jnp.zeros_like, p)
    rng = np.random.default_rng(seed)
    for i in range(1, steps + 1):
        idx = jnp.asarray(rng.integers(0, n, min(batch, n)))
        lr_i = lr * min(1.0, i / 200) * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * i / steps)))
        p, m, v, val = update(p, m, v, idx, jnp.float32(lr_i), jnp.float32(i))
        if i % 1000 == 0:
            print(f"  step {i}: {float(val):.4f} bits", flush=True)
    return p


def evaluate(nets, per_image, chunk=1 << 16):
    """Ideal code length (bits, samples) per image: every image's samples of one network in
    fixed-size padded chunks, so that each network compiles once."""
    ev = jax.jit(bits)
    names = list(per_image)
    tot = np.zeros(len(names))
    cnt = np.zeros(len(names), np.int64)
    for net in range(NETS):
        recs = [(i, rec) for i, name in enumerate(names) for k, rec in per_image[name] if k == net]
        if not recs:
            continue
        data = cat([r for _, r in recs])
        owner = np.concatenate([np.full(r[1].size, i) for i, r in recs])
        n = owner.size
        for s0 in range(0, n, chunk):
            m = min(chunk, n - s0)
            part = [np.pad(x[s0:s0 + m], [(0, chunk - m)] + [(0, 0)] * (x.ndim - 1), mode="edge")
                    for x in data]
            b = np.asarray(ev(nets[net], *(jnp.asarray(x) for x in part)))[:m]
            tot += np.bincount(owner[s0:s0 + m], weights=b, minlength=len(names))
            cnt += np.bincount(owner[s0:s0 + m], minlength=len(names))
    return {name: (tot[i], cnt[i]) for i, name in enumerate(names)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--hidden", type=int, default=24)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--tune-steps", type=int, default=1500)
    ap.add_argument("--tune-lr", type=float, default=5e-4)
    ap.add_argument("--holdout", nargs="*", default=[])
    ap.add_argument("--eval", nargs="*", default=[], help="extra images to report (never trained)")
    ap.add_argument("--tune-only-extra", action="store_true",
                    help="fine-tune only the first-layer weights of the conditioning inputs")
    ap.add_argument("--luma-from", default=None,
                    help="take the first-channel networks from this npz instead of training them "
                         "(experiments on the later channels' fine-tuning)")
    ap.add_argument("--out", default="out/float_weights.npz")
    args = ap.parse_args()
    t0 = time.time()
    paths = sorted(glob.glob(os.path.join(args.data, "*.npy")))
    train = [p for p in paths if os.path.basename(p)[:-4] not in args.holdout]
    held = [p for p in paths if os.path.basename(p)[:-4] in args.holdout]
    per_net, per_image = load(train)
    _, held_images = load(held)
    _, eval_images = load(args.eval)
    print(f"features: {time.time() - t0:.1f} s", flush=True)
    nets = [None] * NETS
    # first-channel networks (grey images, luma, volumes: most of the data) first; the networks
    # of later channels start from them (their extra inputs at zero weight) and are fine-tuned
    # at a lower rate, since colour images are few in images-train
    for k in sorted(range(NETS), key=lambda k: (k % 3 != 0, k)):
        data = cat(per_net[k])
        print(f"net {k}: {data[1].size} samples, {n_features(k)} features", flush=True)
        if k % 3 == 0 and args.luma_from:
            z = np.load(args.luma_from)
            p = [(jnp.asarray(z[f"n{k}_w{i}"]), jnp.asarray(z[f"n{k}_b{i}"]))
                 for i in range(args.depth + 1)]
        elif k % 3 == 0:
            p = init(jax.random.PRNGKey(k), n_features(k), args.hidden, args.depth)
            p = adam_train(p, data, args.steps, args.batch, args.lr, seed=k)
        else:
            base = nets[k - k % 3]
            w0, b0 = base[0]
            extra = jnp.zeros((n_features(k) - w0.shape[0], w0.shape[1]))
            p = [(jnp.concatenate([w0, extra], 0), b0)] + list(base[1:])
            mask = None
            if args.tune_only_extra:
                # only the conditioning inputs' first-layer weights move: few parameters for
                # the few colour images
                mask = jax.tree.map(jnp.zeros_like, p)
                mask[0] = (jnp.zeros_like(p[0][0]).at[w0.shape[0]:].set(1.0), jnp.zeros_like(b0))
            p = adam_train(p, data, args.tune_steps, args.batch, args.tune_lr, seed=k, mask=mask)
        nets[k] = p
    print(f"trained: {time.time() - t0:.1f} s", flush=True)
    for title, imgs in (("train", per_image), ("held out", held_images), ("eval", eval_images)):
        res = evaluate(nets, imgs)
        for name, (tot, n) in res.items():
            print(f"{title:9s} {name:32s} {tot / n:.4f} bpsp (ideal, float)", flush=True)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    flat = {}
    for k, p in enumerate(nets):
        for i, (w, b) in enumerate(p):
            flat[f"n{k}_w{i}"] = np.asarray(w)
            flat[f"n{k}_b{i}"] = np.asarray(b)
    np.savez(args.out, **flat)
    print(f"total: {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
