"""What would close the gap to SZ3: a prototype of an in-loop interpolating quantizer.

SZ3's INTERP predictor, dimension by dimension and level by level (coarse to fine), predicts each
point from already *decoded* neighbours (linear, or cubic where 4 neighbours exist) and quantizes the
residual in the loop (step just under 2 x bound), then pcodec codes the integer residuals. Compare
with `ndcodecs lq|(sd)|pcodec` in results.md (Lorenzo on pre-quantized integers; with integer
predictor weights in-loop and pre-quantization give identical codes, with fractional interpolation
weights they do not).

    .venv-bench/bin/python bench/experiments/interp_inloop.py

Not part of the benchmark: numpy speed, ratios only. Fill cells are replaced as in bench.py, the
fill mask is not counted.
"""

from pathlib import Path

import numpy as np
from pcodec import ChunkConfig, standalone

D = str(Path(__file__).resolve().parents[2] / "tests" / "data") + "/"
def pco(c): return len(standalone.simple_compress(np.ascontiguousarray(c).ravel().astype(np.int32), ChunkConfig()))

def interp_inloop(x, step, cubic=True):
    """SZ3-style multilevel interpolation, dimension by dimension, quantizing in the loop."""
    nd = x.ndim; shape = x.shape
    d = np.full(shape, np.nan)
    codes = []
    s = 1
    while s < max(shape): s *= 2
    # anchor: index 0 along every axis at the coarsest stride -> grid of multiples of s
    anchor = tuple(slice(0, None, s) for _ in range(nd))
    q = np.rint(x[anchor] / step); d[anchor] = q * step; codes.append(q.ravel())
    while s > 1:
        h = s // 2
        for a in range(nd):
            # points: along axes < a multiples of h, axis a odd multiples of h, axes > a multiples of s
            sl = []
            for k in range(nd):
                if k < a: sl.append(slice(0, None, h))
                elif k == a: sl.append(slice(h, None, s))
                else: sl.append(slice(0, None, s))
            tgt = tuple(sl)
            xt = x[tgt]
            if xt.size == 0: continue
            # neighbours along axis a in the subgrid with stride h along a
            sub_sl = list(sl); sub_sl[a] = slice(0, None, h)
            sub = d[tuple(sub_sl)]              # decoded (known at even positions along a)
            m = sub.shape[a]
            idx = np.arange(1, m, 2)          # targets in sub coordinates
            def take(i, sub=sub, m=m, a=a):
                return np.take(sub, np.clip(i, 0, m - 1), axis=a)

            left = take(idx-1); right_ok = (idx+1) < m
            right = take(idx+1)
            shp = [1]*nd; shp[a] = len(idx)
            ro = right_ok.reshape(shp)
            pred = np.where(ro, (left+right)/2, left)
            if cubic:
                c_ok = ((idx-3 >= 0) & (idx+3 < m)).reshape(shp)
                ll = take(idx-3); rr = take(idx+3)
                pred = np.where(c_ok, (-ll + 9*left + 9*right - rr)/16, pred)
            c = np.rint((xt - pred) / step)
            d[tgt] = pred + c*step
            codes.append(c.ravel())
        s = h
    return np.concatenate(codes), d

for name in ['climate_hadcm3_air_temperature','climate_ncar_temperature_3d','climate_ncar_geopotential_height','ocean_pop_temperature_with_fill','terrain_regional_surface_height','speech_librivox_fbank80']:
    x = np.load(D+name+'.npy').astype(np.float64)
    valid = np.abs(x) < 1e30
    if not valid.all(): x[~valid] = x[valid].mean()
    b = 1e-3*(x[valid].max()-x[valid].min()); step = 2*b*0.999
    lo = x.min(); x0 = x - lo
    out=[f"{name[:30]:30s}"]
    for cubic in [False, True]:
        codes, d = interp_inloop(x0, step, cubic)
        err = np.abs(d - x0).max()
        out.append(f"in-loop interp{'3' if cubic else '1'}+pco {x.size*4/pco(codes):6.2f} (err/b {err/b:.3f})")
    print("  ".join(out))
