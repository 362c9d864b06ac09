"""Peer benchmark: ndcodecs chains against SZ3, ZFP, x265 (the video path), lilcom, numcodecs,
pcodec, GRIB2 CCSDS and netCDF4 on real float arrays, at absolute error bounds of 1e-2, 1e-3 and
1e-4 x value range, with rate-distortion charts per array.

Run through `bash bench/run.sh --data DIR`, which prepares the environment, the `ndcodecs` binary
and the `interp_chains` example. Writes bench/results.md, bench/results.png and
bench/rd_<array>.png. Everything runs single-threaded, one codec at a time.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

ARRAYS = [
    "climate_hadcm3_air_temperature",
    "climate_ncar_temperature_3d",
    "climate_ncar_geopotential_height",
    "ocean_pop_temperature_with_fill",
    "terrain_regional_surface_height",
    "speech_librivox_fbank80",
    "wind_fire_u_dev",
]
REL_BOUNDS = [1e-2, 1e-3, 1e-4]

# Fill values as the arrays' source files declare them (the netCDF `_FillValue` attribute; see
# the data folder's README and MANIFEST.json, whose `fill_value` field takes precedence when
# present). Cells equal to the fill value in the array's dtype are missing data; nothing is
# guessed from magnitudes (a real ocean file uses 1e20, which a 1e30 threshold misses).
FILL_VALUES = {"ocean_pop_temperature_with_fill": 9.96921e36}

# Arrays whose axes are (time, y, x) per their metadata: the video path codes them with one
# frame per time step.
TIME_Y_X = {"climate_hadcm3_air_temperature", "climate_ncar_geopotential_height", "wind_fire_u_dev"}

# The numpy-to-video script's x265 settings: 12-bit grey, these CRFs, preset slow.
X265_CRFS = [15, 8, 0]


@dataclass
class Prepared:
    """An input array ready for every codec: fill cells replaced, with the mask kept aside."""

    name: str
    raw: np.ndarray  # float32, as stored (fill cells included)
    x: np.ndarray  # float32, C order, fill cells replaced by the mean of the valid cells
    valid: np.ndarray  # bool, same shape
    fill: float | None  # the fill value from the metadata
    mask_bytes: int  # size of the fill mask (packbits + zlib -9), added to every codec's size
    lo: float
    hi: float

    @property
    def value_range(self) -> float:
        return self.hi - self.lo


def manifest_fill_values(data: Path) -> dict[str, float]:
    """`fill_value` fields of the data folder's MANIFEST.json, by array name."""
    path = data / "MANIFEST.json"
    out: dict[str, float] = {}
    if path.exists():
        for entry in json.loads(path.read_text()):
            if entry.get("fill_value") is not None:
                out[Path(entry["file"]).stem] = float(entry["fill_value"])
    return out


def prepare(data: Path, name: str, fills: dict[str, float]) -> Prepared:
    raw = np.ascontiguousarray(np.load(data / f"{name}.npy"), dtype=np.float32)
    fill = fills.get(name)
    valid = np.isfinite(raw)
    if fill is not None:
        valid &= raw != np.float32(fill)
    x = raw
    mask_bytes = 0
    if not valid.all():
        x = raw.copy()
        x[~valid] = np.float32(raw[valid].mean())
        mask_bytes = len(zlib.compress(np.packbits(~valid).tobytes(), 9))
    return Prepared(name, raw, x, valid, fill, mask_bytes, float(raw[valid].min()), float(raw[valid].max()))


@dataclass
class Result:
    family: str  # "SZ3", "ZFP", ...: the summary groups by this
    config: str  # the exact setting
    nbytes: int
    max_err: float
    psnr: float
    enc_mbps: float
    dec_mbps: float
    note: str = ""
    # Counted in "ndcodecs (best chain)": ndcodecs codecs and zarr core codecs only.
    ndcodecs_chain: bool = False
    # A result of the uniform rule (fill cells replaced, mask bytes added): the summaries and
    # targets use only these.
    uniform: bool = True


def best_time(fn, repeat: int):
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def psnr_of(p: Prepared, y: np.ndarray) -> float:
    d = y[p.valid] - p.x[p.valid].astype(np.float64)
    rmse = float(np.sqrt(np.mean(d * d)))
    return 20 * math.log10(p.value_range / rmse) if rmse > 0 else math.inf


def run_peer(p: Prepared, family: str, config: str, encode, decode, repeat: int, note: str = "") -> Result:
    """Times `encode()` (returns the compressed bytes) and `decode(payload)` (returns the array)."""
    t_enc, payload = best_time(encode, repeat)
    t_dec, y = best_time(lambda: decode(payload), repeat)
    y = np.asarray(y, dtype=np.float64).reshape(p.x.shape)
    err = np.abs(y[p.valid] - p.x[p.valid].astype(np.float64))
    max_err = float(np.nan_to_num(err, nan=np.inf).max())
    size = len(payload) + p.mask_bytes
    mb = p.x.nbytes / 1e6
    return Result(family, config, size, max_err, psnr_of(p, y), mb / t_enc, mb / t_dec, note)


# --------------------------------------------------------------------------- peers


def peers_sz3(p: Prepared, bound: float, repeat: int):
    from pysz import sz, szAlgorithm, szConfig, szErrorBoundMode

    for algo_name in ["INTERP_LORENZO", "LORENZO_REG"]:
        conf = szConfig(p.x.shape)
        conf.errorBoundMode = szErrorBoundMode.ABS
        conf.absErrorBound = bound
        conf.cmprAlgo = getattr(szAlgorithm, algo_name)
        conf.openmp = False
        yield run_peer(
            p,
            f"SZ3 {algo_name}",
            f"pysz {algo_name}, ABS {bound:.4g}",
            lambda conf=conf: sz.compress(p.x, conf)[0],
            lambda c: sz.decompress(c, p.x.dtype, p.x.shape)[0],
            repeat,
        )


def peers_zfp(p: Prepared, bound: float, repeat: int):
    import zfpy

    yield run_peer(
        p,
        "ZFP",
        f"zfpy fixed accuracy, tolerance {bound:.4g}",
        lambda: zfpy.compress_numpy(p.x, tolerance=bound),
        zfpy.decompress_numpy,
        repeat,
    )


def peers_lilcom(p: Prepared, bound: float, repeat: int):
    import lilcom

    tp = math.floor(math.log2(bound)) + 1  # 2^(tp-1) <= bound
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
    for d in range(1, 20):
        if 0.5 * 2.0 ** -math.ceil(math.log2(10.0**d)) <= bound:
            return d
    return 20


def bitround_keepbits(p: Prepared, bound: float, mantissa_bits: int) -> int:
    """Smallest keepbits whose relative rounding error (2^-(keepbits+1)) meets bound at max |x|."""
    maxabs = float(np.abs(p.x[p.valid]).max())
    kb = math.ceil(math.log2(maxabs / bound) - 1) if maxabs > 0 else 0
    return int(min(max(kb, 0), mantissa_bits))


def peers_numcodecs(p: Prepared, bound: float, repeat: int):
    import numcodecs

    zstd = numcodecs.Zstd(level=5)
    digits = quantize_digits(bound)
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
    kb = bitround_keepbits(p, bound, 23)
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


def peers_pcodec(p: Prepared, bound: float, repeat: int):
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
    ulp = float(np.spacing(np.float32(np.abs(p.x[p.valid]).max())))
    step = 2.0 * (bound - ulp)

    def enc():
        qi = np.rint((flat.astype(np.float64) - p.lo) / step).astype(np.int32)
        return standalone.simple_compress(qi, cfg)

    def dec(c):
        return (standalone.simple_decompress(c).astype(np.float64) * step + p.lo).astype(np.float32)

    yield run_peer(p, "pcodec (quantized ints)", f"rint((x-min)/{step:.4g}) int32, pcodec", enc, dec, repeat)


def peers_grib(p: Prepared, bound: float, repeat: int):
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
    bits = max(1, math.ceil(math.log2(p.value_range / (2 * bound) + 1)))
    for _ in range(6):
        y = decode(encode(bits)).reshape(p.x.shape)
        if np.abs(y[p.valid].astype(np.float64) - x64[p.valid]).max() <= bound:
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


def peers_netcdf(p: Prepared, bound: float, repeat: int, tmp: Path):
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

    lsd = quantize_digits(bound)
    yield run_peer(
        p,
        "netCDF4 zlib",
        f"least_significant_digit={lsd}, zlib 4 + shuffle",
        lambda: encode(least_significant_digit=lsd),
        decode,
        repeat,
        note="whole file size (HDF5 metadata included)",
    )
    nsb = bitround_keepbits(p, bound, 23)
    yield run_peer(
        p,
        "netCDF4 zlib BitRound",
        f"quantize_mode=BitRound, significant_digits={nsb} bits, zlib 4 + shuffle",
        lambda: encode(quantize_mode="BitRound", significant_digits=nsb),
        decode,
        repeat,
        note="whole file size (HDF5 metadata included)",
    )


PEERS = {
    "sz3": peers_sz3,
    "zfp": peers_zfp,
    "lilcom": peers_lilcom,
    "numcodecs": peers_numcodecs,
    "pcodec": peers_pcodec,
    "grib": peers_grib,
    "netcdf": peers_netcdf,
}


# --------------------------------------------------------------------------- the video path


def x265_points(p: Prepared, repeat: int) -> list[Result]:
    """The numpy-to-video script's path: values mapped min..max to 0..4095, one 12-bit grey frame
    per time step, libx265 (PyAV's wheel) at each CRF of X265_CRFS, preset slow, in MP4; the
    container's bytes are the size. The max error is measured, never promised."""
    import av

    x = p.x
    scale = 4095.0 / p.value_range
    frames = np.rint((x.astype(np.float64) - p.lo) * scale).clip(0, 4095).astype(np.uint16)
    out = []
    for crf in X265_CRFS:

        def encode(crf=crf) -> bytes:
            buf = io.BytesIO()
            with av.open(buf, "w", format="mp4") as container:
                stream = container.add_stream("libx265", rate=50)
                stream.width, stream.height = x.shape[2], x.shape[1]
                stream.pix_fmt = "gray12le"
                stream.options = {"crf": str(crf), "preset": "slow", "x265-params": "log-level=error"}
                for f in frames:
                    for packet in stream.encode(av.VideoFrame.from_ndarray(f, format="gray12le")):
                        container.mux(packet)
                for packet in stream.encode():
                    container.mux(packet)
            return buf.getvalue()

        def decode(data: bytes) -> np.ndarray:
            with av.open(io.BytesIO(data)) as container:
                got = [fr.to_ndarray(format="gray12le") for fr in container.decode(video=0)]
            return np.stack(got).astype(np.float64) / scale + p.lo

        out.append(
            run_peer(
                p,
                "x265 (video path)",
                f"PyAV libx265 gray12le, crf {crf}, preset slow, MP4",
                encode,
                decode,
                repeat,
                note="12-bit video: no error bound; the max error is measured",
            )
        )
    return out


# --------------------------------------------------------------------------- ours


def our_cli_chains(p: Prepared, bound: float, lilcom_ok: bool) -> list[str]:
    nd = p.x.ndim
    all_axes = ",".join(str(a) for a in range(nd))
    axis_sets = [all_axes] + ([f"{nd - 2},{nd - 1}"] if nd == 3 else [])
    mid = float(np.float32((p.lo + p.hi) / 2))
    b = repr(float(bound))
    fits16 = p.value_range / (2 * bound) < 30000
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
    chains.append(f"interp_quantize(max_abs_error={b}) | zstd(level=5)")
    # zarrs' pcodec (numcodecs.pcodec) as the entropy stage, with its own delta search: a peer's
    # coder, reported in its own row.
    chains.append(f"{lq32} | pcodec")
    for axes in axis_sets:
        chains.append(f"{lq32} | spatial_delta(axis=[{axes}]) | pcodec")
    # our own entropy stage: context-adaptive arithmetic coding of the residuals
    for axes in axis_sets:
        chains.append(f"{lq32} | spatial_delta(axis=[{axes}]) | arith")
    if lilcom_ok:
        tp = math.floor(math.log2(bound)) + 1
        chains.append(f"lilcom(tick_power={tp})")
    return chains


def our_family(chain: str) -> str:
    if chain.startswith("lilcom"):
        return "ndcodecs lilcom"
    if chain.endswith("| arith"):
        return "ndcodecs lq|sd|arith"
    if "pcodec" in chain:
        return "pcodec via zarrs (lq|(sd)|pcodec)"
    if chain.startswith("interp_quantize"):
        return "ndcodecs iq|zstd-5"
    if "blosc" in chain:
        return "ndcodecs lq|sd|blosc"
    if "zstd(level=19)" in chain:
        return "ndcodecs lq|sd|zstd-19"
    return "ndcodecs lq|sd|zstd-5"


def ours_cli(p: Prepared, bound: float, exe: str, repeat: int, tmp: Path, lilcom_ok: bool):
    npy = tmp / f"{p.name}.npy"
    np.save(npy, p.x)
    cmd = [exe, "--threads", "1", "report", str(npy), "--repeat", str(repeat), "--format", "csv", "--out", str(tmp / "rep")]
    for c in our_cli_chains(p, bound, lilcom_ok):
        cmd += ["--codecs", c]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for row in csv.DictReader(io.StringIO(out)):
        # The report measures every cell of the filled array; filled cells are not in p.valid but
        # hold an ordinary value, so its max error is an upper bound of the valid cells' one.
        family = our_family(row["chain"])
        yield Result(
            family,
            row["chain"],
            int(row["compressed_bytes"]) + p.mask_bytes,
            float(row["max_abs_error"]),
            float(row["psnr_db"]),
            float(row["encode_mb_s"]),
            float(row["decode_mb_s"]),
            note="through zarrs (`ndcodecs report`), one chunk; errors and PSNR over every cell",
            ndcodecs_chain=not family.startswith("pcodec"),
        )


def ours_arith(p: Prepared, bound: float, exe: str, repeat: int, tmp: Path, native_fill: bool = False):
    """`interp_quantize → arith` and `linear_quantize → spatial_delta → arith` through the codecs'
    Rust APIs (the `interp_chains` example, written before `arith` joined zarrs; the bytes are the same). With
    `native_fill`, the array as stored with the codecs' own fill value (no separate mask)."""
    npy = tmp / f"{p.name}.arith.npy"
    np.save(npy, p.raw if native_fill else p.x)
    cmd = [exe, str(npy), repr(float(bound)), f"repeat={repeat}"]
    if native_fill:
        cmd.append(f"fill={p.fill!r}")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.strip().splitlines():
        chain, nbytes, err, psnr, enc, dec = line.split(",")[:6]
        short = "iq|arith" if chain.startswith("interp") else "lq|sd|arith"
        if "model=fast_lanes16" in chain:
            short += "-lanes16"
        elif "model=fast_lanes" in chain:
            short += "-lanes"
        elif "model=fast" in chain:
            short += "-fast"
        yield Result(
            f"ndcodecs {short}" + (" (native fill)" if native_fill else ""),
            chain + (f" (fill_value={p.fill:g})" if native_fill else ""),
            int(nbytes) + (0 if native_fill else p.mask_bytes),
            float(err),
            float(psnr),
            float(enc),
            float(dec),
            note="Rust API (`interp_chains` example), one chunk"
            + ("; fill cells coded by the codecs, no separate mask" if native_fill else ""),
            ndcodecs_chain=True,
            uniform=not native_fill,
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


def best_of(results: list[Result], bound: float) -> Result | None:
    """The highest-ratio result that meets the bound (or, if none does, the highest-ratio one)."""
    if not results:
        return None
    ok = [r for r in results if r.max_err <= bound]
    return min(ok or results, key=lambda r: r.nbytes)


GROUPS = {
    "ndcodecs (best chain)": lambda r: r.ndcodecs_chain,
    "SZ3 (best mode)": lambda r: r.family.startswith("SZ3"),
}


@dataclass
class ArrayRun:
    p: Prepared
    by_bound: dict[float, list[Result]] = field(default_factory=dict)
    video: list[Result] = field(default_factory=list)
    # Our chains at the x265 points' measured max errors: (crf, x265 result, ours).
    at_video: list[tuple[int, Result, list[Result]]] = field(default_factory=list)


def fmt_family(f: str) -> str:
    return f.replace("|", "\\|")


def summary_table(runs: dict[str, ArrayRun], rel: float, lines: list[str]) -> dict[str, tuple]:
    families: list[str] = list(GROUPS)
    for run in runs.values():
        for r in run.by_bound.get(rel, []):
            if r.uniform and r.family not in families:
                families.append(r.family)
    per: dict[str, list[tuple[str, Result]]] = {f: [] for f in families}
    over = {f: 0 for f in families}
    for name, run in runs.items():
        bound = rel * run.p.value_range
        res = [r for r in run.by_bound.get(rel, []) if r.uniform]
        for r in res:
            if r.max_err > bound:
                over[r.family] += 1
        for f in families:
            pick = GROUPS[f] if f in GROUPS else (lambda r, f=f: r.family == f)
            b = best_of([r for r in res if pick(r)], bound)
            if b is not None:
                per[f].append((name, b))
    lines.append("| codec | arrays | geo-mean ratio | geo-mean encode MB/s | geo-mean decode MB/s | settings over the bound |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    out = {}
    for f in families:
        rows = per[f]
        ratio = geomean([runs[n].p.x.nbytes / r.nbytes for n, r in rows])
        enc = geomean([r.enc_mbps for _, r in rows])
        dec = geomean([r.dec_mbps for _, r in rows])
        out[f] = (ratio, enc, dec, dict(rows))
        v = over.get(f, 0) if f not in GROUPS else sum(
            1 for run in runs.values() for r in run.by_bound.get(rel, []) if r.uniform and GROUPS[f](r) and r.max_err > rel * run.p.value_range
        )
        label = f"**{fmt_family(f)}**" if f in GROUPS else fmt_family(f)
        lines.append(f"| {label} | {len(rows)} | {ratio:.2f} | {enc:.1f} | {dec:.1f} | {v} |")
    lines.append("")
    return out


def write_outputs(runs: dict[str, ArrayRun], versions, repeat, out_dir: Path):
    lines = []
    lines.append("# Peer benchmark: error-bounded compression of real float arrays\n")
    lines.append(
        "Regenerate with `bash bench/run.sh --data DIR` (creates `.venv-bench`, builds `ndcodecs` and the "
        "`interp_chains` example in release mode). Absolute error bound per array: **1e-2, 1e-3 and 1e-4 x "
        "value range** (range over valid cells), each its own table. Single thread for every codec; speeds "
        f"are MB (10^6 bytes of float32 input) per second, best of {repeat} wall-clock runs in process "
        "(peers through their Python bindings; our zarr chains inside `ndcodecs report`, through zarrs with an "
        "in-memory store and one chunk per array; our `arith` chains through the codecs' Rust APIs, the "
        "`interp_chains` example). Ratio = raw float32 bytes / compressed bytes. The machine that "
        "produced the committed results is shared (2 cores, heavily loaded): speeds carry noise, sizes none.\n"
    )
    lines.append(
        "Fill values come from the arrays' metadata (the netCDF `_FillValue` of `ocean_pop_temperature_with_fill`, "
        "9.96921e36), matched exactly in float32. For every codec alike (the rule the summaries and targets use), "
        "fill cells are replaced by the mean of the valid cells, the mask is stored separately (np.packbits + zlib "
        "-9) and its size is added; errors are measured over valid cells only. Our `arith` chains also appear "
        "with the fill value coded natively (\"native fill\" rows, not in the summaries).\n"
    )
    lines.append(
        "\"ndcodecs (best chain)\" counts only chains made of ndcodecs codecs and zarr's core codecs (bytes, zstd, "
        "blosc); `linear_quantize → pcodec` chains run through zarrs but pcodec is a peer's coder, so they have "
        "their own row.\n"
    )
    lines.append("Environment: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "\n")

    summaries = {}
    for rel in REL_BOUNDS:
        if not any(rel in run.by_bound for run in runs.values()):
            continue
        lines.append(f"## Summary at {rel:g} x range (geometric means over the arrays, best setting per array)\n")
        summaries[rel] = summary_table(runs, rel, lines)
        ours, sz3 = summaries[rel].get("ndcodecs (best chain)"), summaries[rel].get("SZ3 (best mode)")
        iq = summaries[rel].get("ndcodecs iq|arith")
        if ours and sz3 and iq:
            lines.append(
                f"`interp_quantize → arith` / SZ3 (best mode): **{iq[0] / sz3[0]:.3f}x** (geo-mean ratio); "
                f"best ndcodecs chain / SZ3: **{ours[0] / sz3[0]:.3f}x**. Encode speed `iq|arith` / SZ3: "
                f"{iq[1] / sz3[1]:.2f}x, decode {iq[2] / sz3[2]:.2f}x.\n"
            )
        for fam, label in [("ndcodecs iq|arith-fast", "interp_quantize → arith(model=fast)"),
                           ("ndcodecs iq|arith-lanes", "interp_quantize → arith(model=fast_lanes)"),
                           ("ndcodecs iq|arith-lanes16", "interp_quantize → arith(model=fast_lanes16)"),
                           ("ndcodecs lq|sd|arith-fast", "linear_quantize → spatial_delta → arith(model=fast)"),
                           ("ndcodecs lq|sd|arith-lanes", "linear_quantize → spatial_delta → arith(model=fast_lanes)"),
                           ("ndcodecs lq|sd|arith-lanes16", "linear_quantize → spatial_delta → arith(model=fast_lanes16)")]:
            fast = summaries[rel].get(fam)
            if fast and sz3:
                lines.append(
                    f"`{label}` / SZ3 (best mode): ratio **{fast[0] / sz3[0]:.3f}x**, encode speed "
                    f"{fast[1] / sz3[1]:.2f}x, decode {fast[2] / sz3[2]:.2f}x.\n"
                )
        lines.append("Per array, ratio of the best setting within the bound:\n")
        cols = [c for c in ["ndcodecs iq|arith", "ndcodecs lq|sd|arith", "ndcodecs iq|arith-fast", "ndcodecs (best chain)", "SZ3 (best mode)", "ZFP", "pcodec via zarrs (lq|(sd)|pcodec)"] if c in summaries[rel]]
        lines.append("| array | " + " | ".join(fmt_family(c) for c in cols) + " | iq\\|arith / SZ3 |")
        lines.append("|---|" + "---:|" * (len(cols) + 1))
        for name, run in runs.items():
            cells = []
            vals = {}
            for c in cols:
                r = summaries[rel][c][3].get(name)
                vals[c] = run.p.x.nbytes / r.nbytes if r else float("nan")
                cells.append(f"{vals[c]:.2f}" if r else "-")
            q = vals.get("ndcodecs iq|arith", float("nan")) / vals.get("SZ3 (best mode)", float("nan"))
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {q:.3f} |")
        lines.append("")

    video = [(n, run) for n, run in runs.items() if run.video]
    if video:
        lines.append("## The video path (x265) and our chains at the max error it reaches\n")
        lines.append(
            "The numpy-to-video script's settings: values mapped min..max to 0..4095, one 12-bit grey frame per time "
            "step, PyAV's libx265 (gray12le, preset slow) at CRF 15, 8 and 0, MP4. x265 promises no bound: its max "
            "error is measured, and our chains are run with that max error as their (guaranteed) bound.\n"
        )
        lines.append("| array | x265 setting | x265 bytes | x265 ratio | max err / range | x265 PSNR dB | iq\\|arith ratio | iq\\|arith PSNR dB | ratio iq\\|arith / x265 | lq\\|sd\\|arith ratio | SZ3 (best mode) ratio | x265 enc / dec MB/s |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, run in video:
            for crf, xr, ours in run.at_video:
                n = run.p.x.nbytes
                iq = next((r for r in ours if r.family == "ndcodecs iq|arith"), None)
                lq = next((r for r in ours if r.family == "ndcodecs lq|sd|arith"), None)
                sz = best_of([r for r in ours if r.family.startswith("SZ3")], xr.max_err)
                sz_ratio = f"{n / sz.nbytes:.2f}" if sz else "-"
                lines.append(
                    f"| {name} | crf {crf} | {xr.nbytes} | {n / xr.nbytes:.2f} | {xr.max_err / run.p.value_range:.4g} | "
                    f"{xr.psnr:.1f} | {n / iq.nbytes:.2f} | {iq.psnr:.1f} | **{(n / iq.nbytes) / (n / xr.nbytes):.3f}** | "
                    f"{n / lq.nbytes:.2f} | {sz_ratio} | {xr.enc_mbps:.1f} / {xr.dec_mbps:.1f} |"
                )
        lines.append("")

    for name, run in runs.items():
        p = run.p
        for rel in REL_BOUNDS:
            res = run.by_bound.get(rel)
            if not res:
                continue
            bound = rel * p.value_range
            lines.append(f"## {name} at {rel:g} x range\n")
            lines.append(
                f"shape {tuple(p.x.shape)}, {p.x.nbytes} bytes, value range {p.value_range:.6g}, bound {bound:.6g}"
                + (f", fill mask {p.mask_bytes} bytes (included below except in native-fill rows)" if p.mask_bytes else "")
                + "\n"
            )
            lines.append("| codec | setting | bytes | ratio | max abs err | err / bound | PSNR dB | encode MB/s | decode MB/s |")
            lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
            for r in sorted(res, key=lambda r: r.nbytes):
                flag = "" if r.max_err <= bound else " **over**"
                lines.append(
                    f"| {fmt_family(r.family)} | `{r.config.replace('|', chr(92) + '|')}` | {r.nbytes} | {p.x.nbytes / r.nbytes:.2f} | "
                    f"{r.max_err:.4g} | {r.max_err / bound:.3f}{flag} | {r.psnr:.1f} | {r.enc_mbps:.1f} | {r.dec_mbps:.1f} |"
                )
            for note in sorted({f"{r.family}: {r.note}" for r in res if r.note}):
                lines.append(f"\n- {note}")
            lines.append("")
    (out_dir / "results.md").write_text("\n".join(lines) + "\n")
    charts(runs, summaries, out_dir)


RD_SERIES = [
    ("ndcodecs iq|arith", "C3", "o"),
    ("ndcodecs lq|sd|arith", "C1", "s"),
    ("ndcodecs iq|zstd-5", "C5", "v"),
    ("SZ3 (best mode)", "C0", "^"),
    ("ZFP", "C2", "D"),
    ("x265 (video path)", "C4", "*"),
]


def charts(runs: dict[str, ArrayRun], summaries, out_dir: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Summary: geo-mean ratio per family and bound.
    fams = [f for f in ["ndcodecs (best chain)", "ndcodecs iq|arith", "ndcodecs lq|sd|arith", "SZ3 (best mode)", "ZFP", "pcodec via zarrs (lq|(sd)|pcodec)", "GRIB2 CCSDS"]
            if any(f in s for s in summaries.values())]
    rels = list(summaries)
    fig, ax = plt.subplots(figsize=(11, 5))
    width = 0.8 / max(1, len(fams))
    for i, f in enumerate(fams):
        vals = [summaries[r][f][0] if f in summaries[r] else 0 for r in rels]
        ax.bar(np.arange(len(rels)) + i * width, vals, width, label=f)
    ax.set_xticks(np.arange(len(rels)) + 0.4 - width / 2)
    ax.set_xticklabels([f"{r:g} x range" for r in rels])
    ax.set_yscale("log")
    ax.set_ylabel("geometric-mean compression ratio")
    ax.set_title("Geometric-mean ratio over the arrays, best setting within the bound")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "results.png", dpi=110)
    plt.close(fig)

    for name, run in runs.items():
        p = run.p
        n = p.x.size
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
        for family, color, marker in RD_SERIES:
            pts = []
            for rel, res in run.by_bound.items():
                res = [r for r in res if r.uniform]
                if family == "SZ3 (best mode)":
                    r = best_of([r for r in res if r.family.startswith("SZ3")], rel * p.value_range)
                else:
                    r = best_of([r for r in res if r.family == family], rel * p.value_range)
                if r is not None:
                    pts.append(r)
            if family == "x265 (video path)":
                pts = list(run.video)
            for xr, _, ours in ((xr, c, o) for c, xr, o in run.at_video):
                if family == "SZ3 (best mode)":
                    r = best_of([r for r in ours if r.family.startswith("SZ3")], xr.max_err)
                    pts += [r] if r else []
                else:
                    pts += [r for r in ours if r.family == family]
            if not pts:
                continue
            pts.sort(key=lambda r: r.max_err)
            ax1.plot([r.max_err / p.value_range for r in pts], [p.x.nbytes / r.nbytes for r in pts], marker=marker, color=color, label=family)
            pts.sort(key=lambda r: r.nbytes)
            ax2.plot([8 * r.nbytes / n for r in pts], [r.psnr for r in pts], marker=marker, color=color, label=family)
        ax1.set_xscale("log")
        ax1.set_yscale("log")
        ax1.set_xlabel("max abs error / value range")
        ax1.set_ylabel("compression ratio")
        ax1.grid(True, which="both", alpha=0.3)
        ax1.legend(fontsize=8)
        ax1.set_title(f"{name}: ratio against max error")
        ax2.set_xscale("log")
        ax2.set_xlabel("bits per value")
        ax2.set_ylabel("PSNR (dB, peak = value range)")
        ax2.grid(True, which="both", alpha=0.3)
        ax2.set_title("PSNR against rate")
        fig.tight_layout()
        fig.savefig(out_dir / f"rd_{name}.png", dpi=100)
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ndcodecs", required=True, help="path of the ndcodecs binary (release build)")
    ap.add_argument("--interp-chains", required=True, help="path of the interp_chains example (release build)")
    ap.add_argument("--data", default=str(ROOT / "tests" / "data"), help="folder of the .npy arrays (and MANIFEST.json)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--arrays", nargs="*", default=ARRAYS)
    ap.add_argument("--bounds", nargs="*", type=float, default=REL_BOUNDS, help="bounds, as fractions of the value range")
    ap.add_argument("--peers", nargs="*", default=list(PEERS), help=f"peers to run, of {list(PEERS)}")
    ap.add_argument("--no-video", action="store_true", help="skip the x265 video path")
    ap.add_argument("--out", default=str(HERE))
    args = ap.parse_args()

    import eccodes
    import netCDF4
    import numcodecs

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
        "av (PyAV, libx265)": pkg_version("av"),
        "CPU": platform.processor() or platform.machine(),
    }
    data = Path(args.data)
    fills = {**FILL_VALUES, **manifest_fill_values(data)}
    lilcom_ok = has_lilcom(args.ndcodecs)
    runs: dict[str, ArrayRun] = {}

    def show(r: Result, bound: float | None, nbytes: int):
        flag = "" if bound is None or r.max_err <= bound else "  OVER THE BOUND"
        print(
            f"  {r.family:34s} ratio {nbytes / r.nbytes:7.2f}  err/range {r.max_err / run.p.value_range:9.3g}"
            f"  PSNR {r.psnr:6.1f}  enc {r.enc_mbps:7.1f}  dec {r.dec_mbps:7.1f}  {r.config}{flag}",
            file=sys.stderr,
        )

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name in args.arrays:
            if not (data / f"{name}.npy").exists():
                print(f"{name}: not in {data}, skipped", file=sys.stderr)
                continue
            p = prepare(data, name, fills)
            run = runs[name] = ArrayRun(p)
            for rel in args.bounds:
                bound = rel * p.value_range
                print(f"{name} at {rel:g} x range: shape {p.x.shape}, bound {bound:.4g}", file=sys.stderr)
                res = []
                gens = [ours_cli(p, bound, args.ndcodecs, args.repeat, tmp, lilcom_ok), ours_arith(p, bound, args.interp_chains, args.repeat, tmp)]
                if p.fill is not None and p.mask_bytes:
                    gens.append(ours_arith(p, bound, args.interp_chains, args.repeat, tmp, native_fill=True))
                for peer in args.peers:
                    fn = PEERS[peer]
                    gens.append(fn(p, bound, args.repeat, tmp) if peer == "netcdf" else fn(p, bound, args.repeat))
                for gen in gens:
                    for r in gen:
                        show(r, bound, p.x.nbytes)
                        res.append(r)
                run.by_bound[rel] = res
            if name in TIME_Y_X and not args.no_video:
                print(f"{name}: the video path", file=sys.stderr)
                # x265 at preset slow is slow: timed once.
                run.video = x265_points(p, 1)
                for xr in run.video:
                    show(xr, None, p.x.nbytes)
                    crf = int(xr.config.split("crf ")[1].split(",")[0])
                    ours = list(ours_arith(p, xr.max_err, args.interp_chains, args.repeat, tmp))
                    # The peers with a bound, at the same max error (for the charts).
                    if "sz3" in args.peers:
                        ours += list(peers_sz3(p, xr.max_err, args.repeat))
                    if "zfp" in args.peers:
                        ours += list(peers_zfp(p, xr.max_err, args.repeat))
                    for r in ours:
                        show(r, xr.max_err, p.x.nbytes)
                    run.at_video.append((crf, xr, ours))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_outputs(runs, versions, args.repeat, out)
    print(f"wrote {out / 'results.md'}, {out / 'results.png'} and the rd_*.png charts", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
