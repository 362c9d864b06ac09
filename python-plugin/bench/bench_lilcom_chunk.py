"""Encode + decode of one 500 x 80 float32 chunk through the Python API: ndcodecs vs stock lilcom.

    python bench/bench_lilcom_chunk.py [--repeat N]

Both run in this process, one after the other, on the same chunk (log-mel filterbank features
from the repository's test data, or a synthetic smooth field if that file is absent), with the
same tick_power (-5, lhotse's setting for features) and regression on. Stock lilcom overwrites a
float32 C-contiguous input, so it is given a fresh copy each time and the copy is timed for ours
too (one memcpy of 160 kB; the same for both). Prints microseconds per chunk (median and best),
also with do_regression=False (which isolates the cost of choosing the regression coefficients).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import lilcom
import numpy as np

from ndcodecs import Lilcom

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "speech_librivox_fbank80.npy"
TICK_POWER = -5


def chunk() -> np.ndarray:
    if DATA.exists():
        return np.ascontiguousarray(np.load(DATA)[:500, :80], dtype=np.float32)
    y, x = np.meshgrid(np.linspace(0, 8, 500), np.linspace(0, 3, 80), indexing="ij")
    return (np.sin(y) * np.cos(x) * 10).astype(np.float32)


def time_it(fn, repeat: int) -> list[float]:
    for _ in range(max(3, repeat // 10)):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    x = chunk()
    ours = Lilcom(tick_power=TICK_POWER)

    def run_ours() -> np.ndarray:
        return ours.decode(ours.encode(x.copy()))

    def run_stock() -> np.ndarray:
        return lilcom.decompress(lilcom.compress(x.copy(), tick_power=TICK_POWER))

    # Same contract: both within the bound; report the stream sizes too.
    bound = 2.0 ** (TICK_POWER - 1)
    assert np.max(np.abs(run_ours() - x)) <= bound
    size_ours = len(ours.encode(x))
    size_stock = len(lilcom.compress(x.copy(), tick_power=TICK_POWER))

    ours_noreg = Lilcom(tick_power=TICK_POWER, do_regression=False)

    def run_ours_noreg() -> np.ndarray:
        return ours_noreg.decode(ours_noreg.encode(x.copy()))

    def run_stock_noreg() -> np.ndarray:
        stream = lilcom.compress(x.copy(), tick_power=TICK_POWER, do_regression=False)
        return lilcom.decompress(stream)

    results = {}
    for name, fn in (
        ("ndcodecs.Lilcom", run_ours),
        ("stock lilcom 1.8.2", run_stock),
        ("ndcodecs, no regr.", run_ours_noreg),
        ("stock, no regr.", run_stock_noreg),
    ):
        t = time_it(fn, args.repeat)
        results[name] = (statistics.median(t) * 1e6, min(t) * 1e6)
    print(f"chunk {x.shape} {x.dtype}, tick_power {TICK_POWER}, {args.repeat} runs each")
    for name, (median, best) in results.items():
        print(f"{name:>20}: median {median:8.1f} us/chunk, best {best:8.1f} us/chunk")
    print(f"{'stream bytes':>20}: ndcodecs {size_ours}, stock {size_stock} (raw {x.nbytes})")
    speedup = results["stock lilcom 1.8.2"][0] / results["ndcodecs.Lilcom"][0]
    print(f"{'speed-up':>20}: {speedup:.2f}x (median)")


if __name__ == "__main__":
    main()
