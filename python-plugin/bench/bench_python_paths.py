"""Throughput of every codec's Python path against its numpy / numcodecs peer, side by side.

    python bench/bench_python_paths.py [--rounds N] [--only NAME]

What a Python user calls (``ndcodecs.<Codec>().encode / decode / decode(out=)``) is timed
against what they would use otherwise, in the same process, alternating ours and the peer in
every round and keeping the best of ``--rounds`` rounds (the machine is shared and noisy: the
ratios in one run are what to read, not the absolute MB/s). MB/s count the decoded array's
bytes (1 MB = 1e6 bytes). Cases:

- ``spatial_delta``, int32 256 x 256 x 256 (64 MiB; the data of the criterion benchmark
  ``codecs/spatial-delta/benches/spatial_delta.rs``): against numpy's ``np.diff(a, axis=k,
  prepend=0)`` / ``np.cumsum(e, axis=k)`` (the implementation proposed in numcodecs #583), also
  with ``out=``; and against the same Rust codec called through numcodecs-python's generic
  array conversion (``ndcodecs._native.SpatialDelta``, the path the package used before);
- ``linear_quantize``, float32 256 x 256 x 256: against numcodecs' ``FixedScaleOffset`` (the
  same scale-and-offset packing, without the error-bound checks or special values), and the
  numcodecs-python path;
- ``lilcom``, float32 fbank features (tiled to 16 MiB): against stock ``lilcom``;
- ``crc32``, 64 MiB of bytes: against numcodecs' ``CRC32`` (zlib).

Prints one line per case and operation: ours, the peer, ours/peer.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numcodecs
import numpy as np

import ndcodecs
from ndcodecs import _native

ROOT = Path(__file__).resolve().parents[2]
SHAPE = (256, 256, 256)


def field_int32() -> np.ndarray:
    z, y, x = np.meshgrid(*(np.arange(n) for n in SHAPE), indexing="ij")
    rng = np.random.default_rng(0)
    return ((z * 3 + y * 5 + x * 7) * 100 + rng.integers(0, 64, SHAPE)).astype(np.int32)


def field_float32() -> np.ndarray:
    z, y, x = np.meshgrid(*(np.linspace(0, 6, n) for n in SHAPE), indexing="ij")
    rng = np.random.default_rng(1)
    return (280 + 10 * np.sin(x) * np.cos(y) + z + rng.normal(0, 0.05, SHAPE)).astype(np.float32)


def best_pair(ours: Callable[[], object], peer: Callable[[], object], rounds: int):
    """Best time of each over ``rounds`` alternated rounds."""
    ours(), peer()  # warm up
    t_ours, t_peer = [], []
    for _ in range(rounds):
        for fn, times in ((ours, t_ours), (peer, t_peer)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return min(t_ours), min(t_peer)


def report(case: str, op: str, nbytes: int, ours: float, peer: float, peer_name: str) -> None:
    mb_ours, mb_peer = nbytes / ours / 1e6, nbytes / peer / 1e6
    print(
        f"{case:<26} {op:<12} ours {mb_ours:8.0f} MB/s   {peer_name:<22} {mb_peer:8.0f} MB/s"
        f"   x{mb_ours / mb_peer:5.2f}"
    )


def numpy_diff(a: np.ndarray, axes: list[int]) -> np.ndarray:
    for k in axes:
        a = np.diff(a, axis=k, prepend=0)
    return a


def numpy_cumsum(e: np.ndarray, axes: list[int]) -> np.ndarray:
    for k in reversed(axes):
        e = np.cumsum(e, axis=k, dtype=e.dtype)
    return e


def bench_spatial_delta(rounds: int) -> None:
    a = field_int32()
    out = np.empty_like(a)
    for name, axes in (("axis0", [0]), ("axis1", [1]), ("axis2", [2]), ("all", [0, 1, 2])):
        spatial_delta_case(a, out, name, axes, rounds)


def spatial_delta_case(
    a: np.ndarray, out: np.ndarray, name: str, axes: list[int], rounds: int
) -> None:
    ours = ndcodecs.SpatialDelta(axis=axes)
    generic = _native.SpatialDelta(axis=axes)
    e = ours.encode(a)
    assert np.array_equal(e, numpy_diff(a, axes)) and np.array_equal(ours.decode(e), a)
    case = f"spatial_delta {name}"
    n = a.nbytes
    pair = best_pair(lambda: ours.encode(a), lambda: numpy_diff(a, axes), rounds)
    report(case, "encode", n, *pair, "np.diff")
    pair = best_pair(lambda: ours.decode(e), lambda: numpy_cumsum(e, axes), rounds)
    report(case, "decode", n, *pair, "np.cumsum")
    if len(axes) == 1:
        pair = best_pair(
            lambda: ours.decode(e, out=out),
            lambda: np.cumsum(e, axis=axes[0], dtype=e.dtype, out=out),
            rounds,
        )
        report(case, "decode out=", n, *pair, "np.cumsum out=")
    pair = best_pair(lambda: ours.encode(a), lambda: generic.encode(a), rounds)
    report(case, "encode", n, *pair, "numcodecs-python path")
    pair = best_pair(lambda: ours.decode(e), lambda: generic.decode(e), rounds)
    report(case, "decode", n, *pair, "numcodecs-python path")


def bench_linear_quantize(rounds: int) -> None:
    x = field_float32()
    bound, offset = 0.01, 280.0
    ours = ndcodecs.LinearQuantize(max_abs_error=bound, offset=offset, astype="int32")
    generic = _native.LinearQuantize(max_abs_error=bound, offset=offset, astype="int32")
    scale = 1.0 / (bound * 63 / 32)
    peer = numcodecs.FixedScaleOffset(offset=offset, scale=scale, dtype="f4", astype="i4")
    e, pe = ours.encode(x), peer.encode(x)
    assert np.abs(ours.decode(e) - x).max() <= bound
    out = np.empty_like(x)
    case = "linear_quantize f32"
    report(
        case,
        "encode",
        x.nbytes,
        *best_pair(lambda: ours.encode(x), lambda: peer.encode(x), rounds),
        "FixedScaleOffset",
    )
    report(
        case,
        "decode",
        x.nbytes,
        *best_pair(lambda: ours.decode(e), lambda: peer.decode(pe), rounds),
        "FixedScaleOffset",
    )
    report(
        case,
        "decode out=",
        x.nbytes,
        *best_pair(lambda: ours.decode(e, out=out), lambda: peer.decode(pe, out=out), rounds),
        "FixedScaleOffset out=",
    )
    report(
        case,
        "encode",
        x.nbytes,
        *best_pair(lambda: ours.encode(x), lambda: generic.encode(x), rounds),
        "numcodecs-python path",
    )
    report(
        case,
        "decode",
        x.nbytes,
        *best_pair(lambda: ours.decode(e), lambda: generic.decode(e), rounds),
        "numcodecs-python path",
    )


def bench_lilcom(rounds: int) -> None:
    try:
        import lilcom
    except ImportError:
        print("lilcom: stock lilcom not installed, skipped")
        return
    fbank = np.load(ROOT / "tests" / "data" / "speech_librivox_fbank80.npy").astype("f4")
    x = np.ascontiguousarray(np.tile(fbank, (52, 1)))  # ~16 MiB, 52260 x 80
    ours = ndcodecs.Lilcom(tick_power=-5)
    e = ours.encode(x)
    s = lilcom.compress(x.copy(), tick_power=-5)
    out = np.empty_like(x)
    case = "lilcom fbank f32"
    # Stock lilcom overwrites a float32 input: both get a fresh copy.
    report(
        case,
        "encode",
        x.nbytes,
        *best_pair(
            lambda: ours.encode(x.copy()), lambda: lilcom.compress(x.copy(), tick_power=-5), rounds
        ),
        "stock lilcom",
    )
    report(
        case,
        "decode",
        x.nbytes,
        *best_pair(lambda: ours.decode(e), lambda: lilcom.decompress(s), rounds),
        "stock lilcom",
    )
    report(
        case,
        "decode out=",
        x.nbytes,
        *best_pair(lambda: ours.decode(e, out=out), lambda: lilcom.decompress(s), rounds),
        "stock lilcom",
    )


def bench_crc32(rounds: int) -> None:
    data = np.random.default_rng(2).integers(0, 256, 64 << 20, dtype=np.uint8)
    ours, peer = ndcodecs.Crc32(), numcodecs.CRC32()
    e = ours.encode(data)
    assert bytes(e) == bytes(peer.encode(data))
    out = np.empty_like(data)
    case = "crc32 64MiB"
    report(
        case,
        "encode",
        data.nbytes,
        *best_pair(lambda: ours.encode(data), lambda: peer.encode(data), rounds),
        "numcodecs CRC32",
    )
    report(
        case,
        "decode",
        data.nbytes,
        *best_pair(lambda: ours.decode(e), lambda: peer.decode(e), rounds),
        "numcodecs CRC32",
    )
    report(
        case,
        "decode out=",
        data.nbytes,
        *best_pair(lambda: ours.decode(e, out=out), lambda: peer.decode(e, out=out), rounds),
        "numcodecs CRC32 out=",
    )


CASES = {
    "spatial_delta": bench_spatial_delta,
    "linear_quantize": bench_linear_quantize,
    "lilcom": bench_lilcom,
    "crc32": bench_crc32,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", choices=sorted(CASES), action="append")
    args = parser.parse_args()
    for name in args.only or CASES:
        CASES[name](args.rounds)


if __name__ == "__main__":
    main()
