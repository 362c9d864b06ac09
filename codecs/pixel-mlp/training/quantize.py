"""Quantises the float networks of train.py into the shipped weight file and reports the exact
code length of the integer model (what the Rust codec writes, less headers and stream ends).

    python quantize.py --data DIR --weights out/float_weights.npz --model-id 1 \
        --out ../model/pixel_mlp_m1.bin [--eval FILE.npy ...]
"""

import argparse
import glob
import os

import numpy as np

from features import image_planes, plane_features
from intmodel import code_length, forward, net_input, params_from_outputs, quantize, write_model


def load_float(path):
    z = np.load(path)
    nets = []
    k = 0
    while f"net{k}_w1" in z:
        nets.append({n: z[f"net{k}_{n}"].astype(np.float64) for n in ("w1", "b1", "w2", "b2", "w3", "b3")})
        k += 1
    return nets, int(z["hidden"])


def image_bits(nets, arr):
    bits = 0.0
    for net, plane, conds, lo, hi in image_planes(arr):
        x, a, d, f = plane_features(plane, conds, lo, hi)
        n = x.size
        o = forward(nets[net], net_input(f.reshape(n, -1)))
        mu_fp, ls_fp = params_from_outputs(o, a.reshape(n), d.reshape(n))
        bits += code_length(mu_fp, ls_fp, x.reshape(n), lo, hi).sum()
    return bits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--weights", default="out/float_weights.npz")
    ap.add_argument("--model-id", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--eval", nargs="*", default=[])
    args = ap.parse_args()
    params, hidden = load_float(args.weights)
    nets = quantize(params, hidden)
    write_model(args.out, args.model_id, nets)
    n_params = sum(wq.size + bq.size for net in nets for wq, bq, _, _ in net)
    print(f"model {args.model_id}: {len(nets)} networks, {n_params} parameters -> {args.out}")
    for path in sorted(glob.glob(os.path.join(args.data, "*.npy"))) + args.eval:
        arr = np.load(path)
        b = image_bits(nets, arr)
        print(f"{os.path.basename(path)[:-4]}: {b / arr.size:.4f} bpsp (integer model, ideal coder)")


if __name__ == "__main__":
    main()
