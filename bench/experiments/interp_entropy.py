"""How well an entropy stage can code `interp_quantize`'s codes: sizes with zstd, pcodec and a
static context-model estimate, for the codes in the predictor's order (level by level) and placed
in the array's shape (so that an n-d context model sees the neighbours), against SZ3 at the same
bound.

    cargo build --release -p ndcodecs-interp-quantize --example interp_experiment
    .venv-bench/bin/python bench/experiments/interp_entropy.py [--rel 1e-3] [variant args...]

The context-model estimate binarises each code as `arith` plans to (a symbol for zero / sign and
exponent, then the mantissa bits below the leading one, counted raw) and sums, per context, the
empirical entropy of the symbols (a static two-pass model: an adaptive coder pays a little more
for learning, a richer model less). Contexts: none ("order0"), the two previous codes in code
order ("prev2"), and the causal neighbours along each axis in the array ("nd").
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / "target" / "release" / "examples" / "interp_experiment"
ARRAYS = {
    "climate_hadcm3_air_temperature": None,
    "climate_ncar_temperature_3d": None,
    "climate_ncar_geopotential_height": None,
    "ocean_pop_temperature_with_fill": 9.96921e36,
    "terrain_regional_surface_height": None,
    "speech_librivox_fbank80": None,
    "wind_fire_u_dev": None,
}


def bucket(c: np.ndarray) -> np.ndarray:
    """0 for zero, else ±(1 + floor(log2 |c|)): the symbol before the raw mantissa bits."""
    a = np.abs(c.astype(np.int64))
    e = np.zeros(a.shape, np.int64)
    nz = a > 0
    e[nz] = np.floor(np.log2(a[nz])).astype(np.int64) + 1
    return np.sign(c) * e


def mantissa_bits(c: np.ndarray) -> float:
    a = np.abs(c.astype(np.int64))
    nz = a > 0
    return float(np.maximum(np.floor(np.log2(a[nz])), 0).sum())


def cond_entropy_bits(sym: np.ndarray, ctx: np.ndarray) -> float:
    """Sum over symbols of -log2 p(sym | ctx) with the empirical (static) distribution."""
    key = ctx.astype(np.int64) * 4096 + (sym.astype(np.int64) + 2048)
    _, joint = np.unique(key, return_counts=True)
    _, cnt = np.unique(ctx, return_counts=True)
    return float(-(joint * np.log2(joint)).sum() + (cnt * np.log2(cnt)).sum())


def ctx_bucket(b: np.ndarray) -> np.ndarray:
    """Magnitude class of a neighbour's symbol: 0, 1, 2, 3-4, 5+ (sign ignored)."""
    a = np.abs(b)
    return np.minimum(np.where(a >= 3, (a + 3) // 2, a), 4)


def estimate(codes_seq: np.ndarray, codes_nd: np.ndarray) -> dict[str, float]:
    out = {}
    s = bucket(codes_seq)
    mant = mantissa_bits(codes_seq)
    out["order0"] = (cond_entropy_bits(s, np.zeros_like(s)) + mant) / 8
    p1 = np.concatenate([[0], s[:-1]])
    p2 = np.concatenate([[0, 0], s[:-2]])
    out["prev2"] = (cond_entropy_bits(s, ctx_bucket(p1) * 5 + ctx_bucket(p2)) + mant) / 8
    b = bucket(codes_nd)
    ctx = np.zeros(b.shape, np.int64)
    for ax in range(b.ndim):
        if b.shape[ax] < 2:
            continue
        nb = np.zeros_like(b)
        sl_dst = [slice(None)] * b.ndim
        sl_src = [slice(None)] * b.ndim
        sl_dst[ax] = slice(1, None)
        sl_src[ax] = slice(None, -1)
        nb[tuple(sl_dst)] = b[tuple(sl_src)]
        ctx = ctx * 5 + ctx_bucket(nb)
    out["nd"] = (cond_entropy_bits(b.ravel(), ctx.ravel()) + mant) / 8
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rel", type=float, default=1e-3)
    ap.add_argument("--arrays", nargs="*", default=list(ARRAYS))
    ap.add_argument("--data", default=str(ROOT / "tests" / "data"))
    ap.add_argument("--extra-data", help="folder of arrays not in tests/data (the wind field)")
    ap.add_argument("--no-sz3", action="store_true")
    ap.add_argument("variant", nargs="*")
    args = ap.parse_args()
    import zstandard
    from pcodec import ChunkConfig, standalone

    rows = []
    with tempfile.TemporaryDirectory() as d:
        for name in args.arrays:
            fill = ARRAYS.get(name)
            path = Path(args.data) / f"{name}.npy"
            if not path.exists() and args.extra_data:
                path = Path(args.extra_data) / f"{name}.npy"
            x = np.load(path).astype(np.float32)
            var = list(args.variant) + ([f"fill={float(np.float32(fill))!r}"] if fill else [])
            r = subprocess.run([str(EXE), str(path), str(args.rel), f"{d}/c"] + var, check=True, capture_output=True, text=True)
            info = r.stdout.strip()
            codes = np.fromfile(f"{d}/c.codes.i32", "<i4")
            pos = np.fromfile(f"{d}/c.pos.u64", "<u8")
            mask = np.fromfile(f"{d}/c.mask.i32", "<i4")
            nd = np.zeros(x.size, np.int32)
            nd[pos] = codes
            nd = nd.reshape(x.shape)
            raw = x.nbytes
            sizes = {}
            sizes["zstd19(seq)"] = len(zstandard.ZstdCompressor(level=19).compress(codes.tobytes()))
            sizes["zstd19(nd)"] = len(zstandard.ZstdCompressor(level=19).compress(nd.tobytes()))
            sizes["pco(seq)"] = len(standalone.simple_compress(codes, ChunkConfig()))
            sizes["pco(nd)"] = len(standalone.simple_compress(nd.ravel(), ChunkConfig()))
            est = estimate(codes, nd)
            maskz = len(zstandard.ZstdCompressor(level=19).compress(mask.tobytes()))
            for k, v in est.items():
                sizes[f"cm-{k}"] = v
            sizes = {k: v + maskz for k, v in sizes.items()}
            if not args.no_sz3:
                from pysz import sz, szAlgorithm, szConfig, szErrorBoundMode

                valid = np.isfinite(x) & (x != np.float32(fill) if fill else np.isfinite(x))
                xx = x.copy()
                if not valid.all():
                    xx[~valid] = xx[valid].mean()
                e = args.rel * float(x[valid].max() - x[valid].min())
                best = None
                for algo in ["INTERP_LORENZO", "LORENZO_REG"]:
                    conf = szConfig(xx.shape)
                    conf.errorBoundMode = szErrorBoundMode.ABS
                    conf.absErrorBound = e
                    conf.cmprAlgo = getattr(szAlgorithm, algo)
                    conf.openmp = False
                    n = len(sz.compress(xx, conf)[0])
                    best = n if best is None else min(best, n)
                maskbytes = len(__import__("zlib").compress(np.packbits(~valid).tobytes(), 9)) if not valid.all() else 0
                sizes["SZ3best"] = best + maskbytes
            rows.append((name, raw, sizes, info))
            print(f"{name}: {info}", file=sys.stderr)
            print("   " + "  ".join(f"{k} {raw / v:6.2f}" for k, v in sizes.items()), file=sys.stderr)
    keys = list(rows[0][2])
    gm = {k: math.exp(np.mean([math.log(raw / s[k]) for _, raw, s, _ in rows])) for k in keys}
    print("geomean " + "  ".join(f"{k} {v:6.2f}" for k, v in gm.items()))
    if "SZ3best" in gm:
        print("vs SZ3  " + "  ".join(f"{k} {v / gm['SZ3best']:6.3f}" for k, v in gm.items()))


if __name__ == "__main__":
    main()
