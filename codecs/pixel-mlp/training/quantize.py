"""Quantises the float networks of train.py into the shipped weight file and reports the exact
code length of the integer model (what the Rust codec writes, less headers and stream ends).

    python quantize.py --data DIR --weights out/float_weights.npz --model-id 1 \
        --out ../model/pixel_mlp_m1.bin [--eval FILE.npy ...]
"""

import argparse
import glob
import os

import numpy as np

from features import image_planes, neighbours, plane_features
from intmodel import (Adapt, code_length, error_taps, forward, net_input, network_errors,
                      params_from_outputs, patterns, quantize, write_model)


def load_float(path):
    z = np.load(path)
    nets = []
    k = 0
    while f"net{k}_w1" in z:
        nets.append({n: z[f"net{k}_{n}"].astype(np.float64) for n in ("w1", "b1", "w2", "b2", "w3", "b3")})
        k += 1
    return nets, int(z["hidden"])


def image_bits(nets, arr, adapt=0, streams=8):
    """Code length in bits of `arr`; `adapt` 0: the networks alone, 1, 2 or 3: with the online
    adaptation of model 1, 2 or 3 (per stream, `streams` streams as the codec's default)."""
    planes = []
    bits = 0.0
    for net, plane, conds, lo, hi in image_planes(arr):
        x, a, d, f = plane_features(plane, conds, lo, hi)
        n = x.size
        o = forward(nets[net], net_input(f.reshape(n, -1)))
        mu_fp, ls_fp = params_from_outputs(o, a.reshape(n), d.reshape(n))
        if not adapt:
            bits += code_length(mu_fp, ls_fp, x.reshape(n), lo, hi).sum()
            continue
        pat = patterns(neighbours(plane, (lo + hi) // 2), a).reshape(n)
        err = network_errors(x.reshape(plane.shape), mu_fp.reshape(plane.shape), lo, hi)
        planes.append((net, x.reshape(n), mu_fp, ls_fp, pat, lo, hi, err))
    if not adapt:
        return bits
    # the spec's stream order: rows round-robin, each row's pixels, each pixel's planes
    volume = arr.ndim == 3 and arr.shape[-1] > 4
    h, w = arr.shape[1:3] if volume else arr.shape[:2]
    depth, chans = (arr.shape[0], 1) if volume else (1, len(planes))
    rows = depth * h
    s_count = min(streams, rows)
    amu = [np.empty_like(p[2]) for p in planes]
    als = [np.empty_like(p[3]) for p in planes]
    for s in range(s_count):
        st = Adapt(adapt >= 2, adapt >= 3)
        for g in range(s, rows, s_count):
            z, y = divmod(g, h)
            for xx in range(w):
                for c in range(chans):
                    k = z if volume else c
                    i = y * w + xx
                    net, xs, mus, lss, pats, lo, hi, err = planes[k]
                    v, mu, ls, pt = int(xs[i]), int(mus[i]), int(lss[i]), int(pats[i])
                    taps = error_taps(err, y, xx) if adapt >= 3 else (0,) * 8
                    amu[k][i], als[k][i] = st.params(net, mu, ls, pt, taps)
                    st.update(net, mu, ls, v, pt, taps, lo, hi)
    for k, (net, xs, _, _, _, lo, hi, _) in enumerate(planes):
        bits += code_length(amu[k], als[k], xs, lo, hi).sum()
    return bits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--weights", default="out/float_weights.npz")
    ap.add_argument("--model-id", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--eval", nargs="*", default=[])
    ap.add_argument("--adapt", type=int, default=0,
                    help="report code lengths with model 1's (1), 2's (2) or 3's (3) adaptation")
    ap.add_argument("--only", nargs="*", default=None, help="report only these images")
    args = ap.parse_args()
    params, hidden = load_float(args.weights)
    nets = quantize(params, hidden)
    write_model(args.out, args.model_id, nets)
    n_params = sum(wq.size + bq.size for net in nets for wq, bq, _, _ in net)
    print(f"model {args.model_id}: {len(nets)} networks, {n_params} parameters -> {args.out}")
    for path in sorted(glob.glob(os.path.join(args.data, "*.npy"))) + args.eval:
        name = os.path.basename(path)[:-4]
        if args.only is not None and name not in args.only:
            continue
        arr = np.load(path)
        b = image_bits(nets, arr, args.adapt)
        how = f"adaptation of model {args.adapt}" if args.adapt else "no adaptation"
        print(f"{name}: {b / arr.size:.4f} bpsp (integer model, {how}, ideal coder)", flush=True)


if __name__ == "__main__":
    main()
