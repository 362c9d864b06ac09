"""Peer benchmark: ndcodecs chains against SZ3, ZFP, lilcom, numcodecs, pcodec, GRIB2 CCSDS and
netCDF4 on the real float arrays of tests/data, at an absolute error bound of 1e-3 x value range.

Run through `bash bench/run.sh`, which prepares the environment and the `ndcodecs` binary. Writes
bench/results.md and bench/results.png. Everything runs single-threaded, one codec at a time.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT / "tests" / "data"

ARRAYS = [
    "climate_hadcm3_air_temperature",
    "climate_ncar_temperature_3d",
    "climate_ncar_geopotential_height",
    "ocean_pop_temperature_with_fill",
    "terrain_regional_surface_height",
    "speech_librivox_fbank80",
]
REL_BOUND = 1e-3
FILL_THRESHOLD = 1e30  # netCDF's default float fill 9.96921e36 and anything like it


@dataclass
class Prepared:
    """An input array ready for every codec: fill cells replaced, with the mask kept aside."""

    name: str
    x: np.ndarray  # float32, C order, fill cells replaced by the mean of the valid cells
    valid: np.ndarray  # bool, same shape
    mask_bytes: int  # size of the fill mask (packbits + zlib -9), added to every codec's size
    bound: float  # absolute error bound
    value_range: float


def prepare(name: str) -> Prepared:
    raw = np.load(DATA / f"{name}.npy")
    x = np.ascontiguousarray(raw, dtype=np.float32)
    valid = np.isfinite(x) & (np.abs(x) < FILL_THRESHOLD)
    mask_bytes = 0
    if not valid.all():
        x = x.copy()
        x[~valid] = np.float32(x[valid].mean())
        mask_bytes = len(zlib.compress(np.packbits(~valid).tobytes(), 9))
    lo, hi = float(x[valid].min()), float(x[valid].max())
    rng = hi - lo
    return Prepared(name, x, valid, mask_bytes, REL_BOUND * rng, rng)


@dataclass
class Result:
    family: str  # "SZ3", "ZFP", ...: the summary groups by this
    config: str  # the exact setting
    nbytes: int
    max_err: float
    enc_mbps: float
    dec_mbps: float
    note: str = ""


def best_time(fn, repeat: int):
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def run_peer(p: Prepared, family: str, config: str, encode, decode, repeat: int, note: str = "") -> Result:
    """Times `encode()` (returns the compressed bytes) and `decode(payload)` (returns the array)."""
    t_enc, payload = best_time(encode, repeat)
    t_dec, y = best_time(lambda: decode(payload), repeat)
    y = np.asarray(y, dtype=np.float64).reshape(p.x.shape)
    err = np.abs(y[p.valid] - p.x[p.valid].astype(np.float64))
    max_err = float(np.nan_to_num(err, nan=np.inf).max())
    size = len(payload) + p.mask_bytes
    mb = p.x.nbytes / 1e6
    return Result(family, config, size, max_err, mb / t_enc, mb / t_dec, note)


# --------------------------------------------------------------------------- peers


def peers_sz3(p: Prepared, repeat: int):
    from pysz import sz, szAlgorithm, szConfig, szErrorBoundMode

    for algo_name in ["INTERP_LORENZO", "LORENZO_REG"]:
        conf = szConfig(p.x.shape)
        conf.errorBoundMode = szErrorBoundMode.ABS
        conf.absErrorBound = p.bound
        conf.cmprAlgo = getattr(szAlgorithm, algo_name)
        conf.openmp = False
        yield run_peer(
            p,
            f"SZ3 {algo_name}",
            f"pysz {algo_name}, ABS {p.bound:.4g}",
            lambda conf=conf: sz.compress(p.x, conf)[0],
            lambda c: sz.decompress(c, p.x.dtype, p.x.shape)[0],
            repeat,
        )


def peers_zfp(p: Prepared, repeat: int):
    import zfpy

    yield run_peer(
        p,
        "ZFP",
        f"zfpy fixed accuracy, tolerance {p.bound:.4g}",
        lambda: zfpy.compress_numpy(p.x, tolerance=p.bound),
        zfpy.decompress_numpy,
        repeat,
    )


def peers_lilcom(p: Prepared, repeat: int):
    import lilcom

    tp = math.floor(math.log2(p.bound)) + 1  # 2^(tp-1) <= bound
    # lilcom overwrites a float32 C-contiguous input in place: pass a copy (the copy is timed too).
    yield run_peer(
        p,
        "lilcom (stock)",
        f"lilcom 1.8.2, tick_power {tp}",
        lambda: lilcom.compress(p.x.copy(), tick_power=tp),
        lilcom.decompress,
        repeat,
    )


def quantize_digits(bound: float) -> int:
    """Smallest `digits` for numcodecs.Quantize whose rounding error 0.5 * 2^-bits meets bound."""
    for d in range(-10, 20):
        bits = math.ceil(math.log2(10.0**d)) if d > 0 else 0
        if d <= 0:
            continue
        if 0.5 * 2.0**-bits <= bound:
            return d
    return 20


def bitround_keepbits(p: Prepared, mantissa_bits: int) -> int:
    """Smallest keepbits whose relative rounding error (2^-(keepbits+1)) meets bound at max |x|."""
    maxabs = float(np.abs(p.x[p.valid]).max())
    kb = math.ceil(math.log2(maxabs / p.bound) - 1) if maxabs > 0 else 0
    return int(min(max(kb, 0), mantissa_bits))


def peers_numcodecs(p: Prepared, repeat: int):
    import numcodecs

    zstd = numcodecs.Zstd(level=5)
    digits = quantize_digits(p.bound)
    q = numcodecs.Quantize(digits=digits, dtype="f4")
    yield run_peer(
        p,
        "numcodecs Quantize+Zstd",
        f"Quantize(digits={digits}) + Zstd(5)",
        lambda: zstd.encode(q.encode(p.x)),
        lambda c: q.decode(zstd.decode(c)),
        repeat,
        note="decimal digits: not an absolute-error setting in general; chosen from the bound",
    )
    kb = bitround_keepbits(p, 23)
    br = numcodecs.BitRound(keepbits=kb)
    yield run_peer(
        p,
        "numcodecs BitRound+Zstd",
        f"BitRound(keepbits={kb}) + Zstd(5)",
        lambda: zstd.encode(br.encode(p.x)),
        lambda c: np.frombuffer(zstd.decode(c), dtype=np.float32),
        repeat,
        note="relative-error codec: keepbits chosen so that max |x| meets the bound",
    )


def peers_pcodec(p: Prepared, repeat: int):
    from pcodec import ChunkConfig, standalone

    cfg = ChunkConfig()
    flat = p.x.ravel()
    yield run_peer(
        p,
        "pcodec (lossless)",
        "pcodec 1.1 floats, default level",
        lambda: standalone.simple_compress(flat, cfg),
        standalone.simple_decompress,
        repeat,
    )
    # Quantize to integers with step slightly under 2*bound (float32 rounding of the result costs up
    # to half an ulp), offset at the minimum, then pcodec lossless.
    lo = float(p.x[p.valid].min())
    ulp = float(np.spacing(np.float32(np.abs(p.x[p.valid]).max())))
    step = 2.0 * (p.bound - ulp)

    def enc():
        qi = np.rint((flat.astype(np.float64) - lo) / step).astype(np.int32)
        return standalone.simple_compress(qi, cfg)

    def dec(c):
        return (standalone.simple_decompress(c).astype(np.float64) * step + lo).astype(np.float32)

    yield run_peer(p, "pcodec (quantized ints)", f"rint((x-min)/{step:.4g}) int32, pcodec", enc, dec, repeat)


def peers_grib(p: Prepared, repeat: int):
    import eccodes as ec

    x64 = p.x.astype(np.float64)
    # GRIB2 fields are 2-D: one message per 2-D slice (leading axes flattened).
    ny, nx = (1, x64.shape[0]) if x64.ndim == 1 else x64.shape[-2:]
    slices = x64.reshape(-1, ny, nx)
    sample = ec.codes_grib_new_from_samples("regular_ll_sfc_grib2")

    def encode(bits: int) -> bytes:
        out = []
        for s in slices:
            gid = ec.codes_clone(sample)
            ec.codes_set(gid, "Ni", nx)
            ec.codes_set(gid, "Nj", ny)
            ec.codes_set_string(gid, "packingType", "grid_ccsds")
            ec.codes_set(gid, "decimalScaleFactor", 0)
            ec.codes_set(gid, "bitsPerValue", bits)
            ec.codes_set_values(gid, s.ravel())
            out.append(ec.codes_get_message(gid))
            ec.codes_release(gid)
        return b"".join(out)

    def decode(buf: bytes) -> np.ndarray:
        vals = []
        off = 0
        while off < len(buf):
            # GRIB2 section 0: the message's total length is a big-endian u64 at bytes 8..16.
            n = int.from_bytes(buf[off + 8 : off + 16], "big")
            gid = ec.codes_new_from_message(buf[off : off + n])
            vals.append(ec.codes_get_values(gid))
            ec.codes_release(gid)
            off += n
        return np.concatenate(vals).astype(np.float32)

    # Binary scaling: bitsPerValue N gives steps of 2^E with E = ceil(log2(range / (2^N - 1))), an
    # error of at most 2^(E-1). Start from the smallest N that can meet the bound and add bits until
    # the (float32) result does (chosen outside the timing).
    bits = max(1, math.ceil(math.log2(p.value_range / (2 * p.bound) + 1)))
    for _ in range(6):
        y = decode(encode(bits)).reshape(p.x.shape)
        if np.abs(y[p.valid].astype(np.float64) - x64[p.valid]).max() <= p.bound:
            break
        bits += 1
    yield run_peer(
        p,
        "GRIB2 CCSDS",
        f"eccodes grid_ccsds, D=0, bitsPerValue {bits}, {len(slices)} message(s)",
        lambda: encode(bits),
        decode,
        repeat,
    )
    ec.codes_release(sample)


def peers_netcdf(p: Prepared, repeat: int, tmp: Path):
    import netCDF4

    path = tmp / "bench.nc"

    def encode(**kw) -> bytes:
        ds = netCDF4.Dataset(path, "w", format="NETCDF4")
        dims = []
        for i, n in enumerate(p.x.shape):
            ds.createDimension(f"d{i}", n)
            dims.append(f"d{i}")
        v = ds.createVariable(
            "v", "f4", dims, zlib=True, complevel=4, shuffle=True, chunksizes=p.x.shape, fill_value=False, **kw
        )
        v[:] = p.x
        ds.close()
        return path.read_bytes()

    def decode(buf: bytes) -> np.ndarray:
        ds = netCDF4.Dataset("inmemory.nc", "r", memory=buf)
        ds.set_auto_mask(False)
        y = ds["v"][:]
        ds.close()
        return y

    # least_significant_digit d keeps a precision of 0.1^d: error <= 0.5 * 2^-ceil(log2(10^d)).
    lsd = quantize_digits(p.bound)
    yield run_peer(
        p,
        "netCDF4 zlib",
        f"least_significant_digit={lsd}, zlib 4 + shuffle",
        lambda: encode(least_significant_digit=lsd),
        decode,
        repeat,
        note="whole file size (HDF5 metadata included)",
    )
    nsb = bitround_keepbits(p, 23)
    yield run_peer(
        p,
        "netCDF4 zlib BitRound",
        f"quantize_mode=BitRound, significant_digits={nsb} bits, zlib 4 + shuffle",
        lambda: encode(quantize_mode="BitRound", significant_digits=nsb),
        decode,
        repeat,
        note="whole file size (HDF5 metadata included)",
    )


# --------------------------------------------------------------------------- ours


def our_chains(p: Prepared, lilcom_ok: bool) -> list[str]:
    nd = p.x.ndim
    all_axes = ",".join(str(a) for a in range(nd))
    axis_sets = [all_axes] + ([f"{nd - 2},{nd - 1}"] if nd == 3 else [])
    lo, hi = float(p.x[p.valid].min()), float(p.x[p.valid].max())
    mid = float(np.float32((lo + hi) / 2))
    b = repr(float(p.bound))
    fits16 = (hi - lo) / (2 * p.bound) < 30000
    narrow = "int16" if fits16 else "int32"
    lq = f"linear_quantize(max_abs_error={b}, offset={mid!r}, astype={narrow})"
    lq32 = f"linear_quantize(max_abs_error={b}, offset={mid!r}, astype=int32)"
    chains = []
    for axes in axis_sets:
        chains.append(f"{lq} | spatial_delta(axis=[{axes}]) | zstd(level=5)")
        chains.append(f"{lq} | spatial_delta(axis=[{axes}]) | zstd(level=19)")
    size = 2 if fits16 else 4
    chains.append(
        f"{lq} | spatial_delta(axis=[{all_axes}]) | blosc(cname=zstd, clevel=5, shuffle=bitshuffle, typesize={size})"
    )
    # zarrs' pcodec (numcodecs.pcodec) as the entropy stage, with its own delta search.
    chains.append(f"{lq32} | pcodec")
    for axes in axis_sets:
        chains.append(f"{lq32} | spatial_delta(axis=[{axes}]) | pcodec")
    # our own entropy stage: context-adaptive arithmetic coding of the residuals
    for axes in axis_sets:
        chains.append(f"{lq32} | spatial_delta(axis=[{axes}]) | arith")
    if lilcom_ok:
        tp = math.floor(math.log2(p.bound)) + 1
        chains.append(f"lilcom(tick_power={tp})")
    return chains


def our_family(chain: str) -> str:
    if chain.startswith("lilcom"):
        return "ndcodecs lilcom"
    if chain.endswith("| arith"):
        return "ndcodecs lq|sd|arith"
    if "pcodec" in chain:
        return "ndcodecs lq|(sd)|pcodec"
    if "blosc" in chain:
        return "ndcodecs lq|sd|blosc"
    if "zstd(level=19)" in chain:
        return "ndcodecs lq|sd|zstd-19"
    return "ndcodecs lq|sd|zstd-5"


def ours(p: Prepared, exe: str, repeat: int, tmp: Path, lilcom_ok: bool):
    npy = tmp / f"{p.name}.npy"
    np.save(npy, p.x)
    chains = our_chains(p, lilcom_ok)
    cmd = [exe, "--threads", "1", "report", str(npy), "--repeat", str(repeat), "--format", "csv", "--out", str(tmp / "rep")]
    for c in chains:
        cmd += ["--codecs", c]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for row in csv.DictReader(io.StringIO(out)):
        # The report measures every cell of the filled array; filled cells are not in p.valid but
        # hold an ordinary value, so its max error is an upper bound of the valid cells' one.
        yield Result(
            our_family(row["chain"]),
            row["chain"],
            int(row["compressed_bytes"]) + p.mask_bytes,
            float(row["max_abs_error"]),
            float(row["encode_mb_s"]),
            float(row["decode_mb_s"]),
        )


def has_lilcom(exe: str) -> bool:
    with tempfile.TemporaryDirectory() as d:
        np.save(Path(d) / "x.npy", np.zeros((4, 4), np.float32))
        r = subprocess.run(
            [exe, "report", str(Path(d) / "x.npy"), "--codecs", "lilcom", "--repeat", "1", "--out", d, "--format", "csv"],
            capture_output=True,
        )
        return r.returncode == 0


# --------------------------------------------------------------------------- output


def geomean(xs):
    xs = [x for x in xs if x > 0 and math.isfinite(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def best_per_family(results: list[Result], bound: float) -> dict[str, Result]:
    """Per family, the highest-ratio configuration that meets the bound (or, if none does, the
    highest-ratio one, which the summary then flags)."""
    best: dict[str, Result] = {}
    for r in results:
        ok = r.max_err <= bound
        cur = best.get(r.family)
        cur_ok = cur is not None and cur.max_err <= bound
        if cur is None or (ok and not cur_ok) or (ok == cur_ok and r.nbytes < cur.nbytes):
            best[r.family] = r
    return best


def write_outputs(all_results, preps, versions, repeat, out_md: Path, out_png: Path):
    lines = []
    lines.append("# Peer benchmark: error-bounded compression of real float arrays\n")
    lines.append(
        "Regenerate with `bash bench/run.sh` (creates `.venv-bench`, builds `ndcodecs` in release mode). "
        f"Absolute error bound per array: **{REL_BOUND:g} x value range** (range over valid cells). "
        f"Single thread for every codec; speeds are MB (10^6 bytes of float32 input) per second, best of {repeat} runs, "
        "measured in process by each library's Python binding (ours inside `ndcodecs report`, through zarrs with an "
        "in-memory store and one chunk per array). Ratio = raw float32 bytes / compressed bytes. "
        "The machine that produced the committed results is shared (2 cores): speeds carry some noise.\n"
    )
    lines.append(
        "Fill values (`ocean_pop_temperature_with_fill`, land cells = 9.96921e36): for every codec alike, fill cells are "
        "replaced by the mean of the valid cells before compression, the land mask is stored separately "
        "(np.packbits + zlib -9) and its size is added to every codec's size; errors are measured over valid cells only. "
        "(GRIB2 bitmaps and netCDF `_FillValue` could carry the mask natively; this keeps the comparison uniform.)\n"
    )
    lines.append("Environment: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "\n")

    # Summary
    families = []
    for res in all_results.values():
        for r in res:
            if r.family not in families:
                families.append(r.family)
    groups = {"ndcodecs (best chain)": "ndcodecs", "SZ3 (best mode)": "SZ3"}
    families = list(groups) + families
    per_family = {f: [] for f in families}
    violations = {f: 0 for f in families if f not in groups}
    for name, res in all_results.items():
        bound = preps[name].bound
        for r in res:
            if r.max_err > bound:
                violations[r.family] += 1
        for f, r in best_per_family(res, bound).items():
            per_family[f].append((name, r))
        for g, prefix in groups.items():
            mine = [r for r in res if r.family.startswith(prefix)]
            if mine:
                per_family[g].append((name, best_per_family([Result(g, r.config, r.nbytes, r.max_err, r.enc_mbps, r.dec_mbps) for r in mine], bound)[g]))
    lines.append("## Summary (geometric means over the arrays, best setting per array)\n")
    lines.append("| codec | arrays | geo-mean ratio | geo-mean encode MB/s | geo-mean decode MB/s | settings over the bound |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    summary = {}
    for f in families:
        rows = per_family[f]
        ratio = geomean([preps[n].x.nbytes / r.nbytes for n, r in rows])
        enc = geomean([r.enc_mbps for _, r in rows])
        dec = geomean([r.dec_mbps for _, r in rows])
        summary[f] = (ratio, enc, dec)
        v = violations.get(f, sum(violations[k] for k in violations if k.startswith(groups.get(f, "\0"))))
        label = f.replace("|", "\\|")
        label = f"**{label}**" if f in groups else label
        lines.append(f"| {label} | {len(rows)} | {ratio:.2f} | {enc:.1f} | {dec:.1f} | {v} |")
    lines.append("")
    lines.append(
        "\"Settings over the bound\" counts measured settings (all arrays) whose max abs error exceeded the bound; "
        "a family's best setting is taken among those that meet it when one does.\n"
    )

    for name, res in all_results.items():
        p = preps[name]
        lines.append(f"## {name}\n")
        lines.append(
            f"shape {tuple(p.x.shape)}, {p.x.nbytes} bytes, value range {p.value_range:.6g}, "
            f"bound {p.bound:.6g}" + (f", fill mask {p.mask_bytes} bytes (included below)" if p.mask_bytes else "") + "\n"
        )
        lines.append("| codec | setting | bytes | ratio | max abs err | err / bound | encode MB/s | decode MB/s |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for r in sorted(res, key=lambda r: r.nbytes):
            flag = "" if r.max_err <= p.bound else " **over**"
            setting = r.config.replace("|", "\\|")
            family = r.family.replace("|", "\\|")
            lines.append(
                f"| {family} | `{setting}` | {r.nbytes} | {p.x.nbytes / r.nbytes:.2f} | {r.max_err:.4g} | "
                f"{r.max_err / p.bound:.3f}{flag} | {r.enc_mbps:.1f} | {r.dec_mbps:.1f} |"
            )
        notes = sorted({f"{r.family}: {r.note}" for r in res if r.note})
        for n in notes:
            lines.append(f"\n- {n}")
        lines.append("")
    out_md.write_text("\n".join(lines) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(16, 8), gridspec_kw={"width_ratios": [1.6, 1]})
    names = list(all_results)
    width = 0.8 / max(1, len(families))
    cmap = plt.get_cmap("tab20")
    for i, f in enumerate(families):
        got = dict(per_family[f])
        vals = [preps[n].x.nbytes / got[n].nbytes if n in got else 0 for n in names]
        ax1.bar(np.arange(len(names)) + i * width, vals, width, label=f, color=cmap(i))
    ax1.set_xticks(np.arange(len(names)) + 0.4 - width / 2)
    ax1.set_xticklabels([n.replace("_", "\n", 2) for n in names], fontsize=8)
    ax1.set_ylabel("compression ratio (best setting within the bound)")
    ax1.set_title(f"Ratio per array at max abs error <= {REL_BOUND:g} x range")
    ax1.grid(True, axis="y", alpha=0.3)
    ax1.legend(fontsize=7, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    for i, f in enumerate(families):
        ratio, enc, dec = summary[f]
        ax2.scatter(enc, ratio, color=cmap(i), s=60, marker="o")
        ax2.scatter(dec, ratio, color=cmap(i), s=60, marker="^")
        ax2.plot([enc, dec], [ratio, ratio], color=cmap(i), lw=1)
        ax2.annotate(f, (enc, ratio), fontsize=7, xytext=(4, 4), textcoords="offset points")
    ax2.set_xscale("log")
    ax2.set_xlabel("single-thread MB/s (o encode, ^ decode)")
    ax2.set_ylabel("geometric-mean ratio")
    ax2.set_title("Geometric means over the arrays")
    ax2.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ndcodecs", required=True, help="path of the ndcodecs binary (release build)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--arrays", nargs="*", default=ARRAYS)
    ap.add_argument("--out", default=str(HERE))
    args = ap.parse_args()

    import lilcom  # noqa: F401  (versions below)
    import netCDF4
    import numcodecs
    import pcodec
    import zfpy  # noqa: F401
    import eccodes

    def pkg_version(dist):
        from importlib.metadata import version

        try:
            return version(dist)
        except Exception:
            return "?"

    ndc_version = subprocess.run([args.ndcodecs, "--version"], capture_output=True, text=True).stdout.split()[-1]
    versions = {
        "Python": platform.python_version(),
        "numpy": np.__version__,
        "ndcodecs": ndc_version,
        "pysz": pkg_version("pysz"),
        "zfpy": pkg_version("zfpy"),
        "lilcom": pkg_version("lilcom"),
        "numcodecs": numcodecs.__version__,
        "pcodec": pkg_version("pcodec"),
        "eccodes": eccodes.codes_get_api_version(),
        "netCDF4": netCDF4.__version__,
        "CPU": platform.processor() or platform.machine(),
    }
    lilcom_ok = has_lilcom(args.ndcodecs)
    results, preps = {}, {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name in args.arrays:
            p = prepare(name)
            preps[name] = p
            res = []
            print(f"{name}: shape {p.x.shape}, bound {p.bound:.4g}", file=sys.stderr)
            for gen in [
                ours(p, args.ndcodecs, args.repeat, tmp, lilcom_ok),
                peers_sz3(p, args.repeat),
                peers_zfp(p, args.repeat),
                peers_lilcom(p, args.repeat),
                peers_numcodecs(p, args.repeat),
                peers_pcodec(p, args.repeat),
                peers_grib(p, args.repeat),
                peers_netcdf(p, args.repeat, tmp),
            ]:
                for r in gen:
                    flag = "" if r.max_err <= p.bound else "  OVER THE BOUND"
                    print(
                        f"  {r.family:26s} ratio {p.x.nbytes / r.nbytes:7.2f}  err/bound {r.max_err / p.bound:6.3f}"
                        f"  enc {r.enc_mbps:7.1f}  dec {r.dec_mbps:7.1f}  {r.config}{flag}",
                        file=sys.stderr,
                    )
                    res.append(r)
            results[name] = res
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_outputs(results, preps, versions, args.repeat, out / "results.md", out / "results.png")
    print(f"wrote {out / 'results.md'} and {out / 'results.png'}", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
