"""Writes the lilcom golden vectors with stock lilcom (the reference implementation).

Run from this directory with the versions pinned in requirements.txt:

    pip install -r requirements.txt && python generate.py

For each case NAME it writes
  NAME.bin          the byte string stock `lilcom.compress` returned,
  NAME.input.npy    the float32 array given to it,
  NAME.decoded.npy  what stock `lilcom.decompress` returned for NAME.bin (float32).
The files are golden: once committed they are never regenerated (the script refuses to overwrite).
"""

import importlib.metadata
import os

import numpy as np
import lilcom

VERSION = "1.8.2"
assert importlib.metadata.version("lilcom") == VERSION, "generate with lilcom==" + VERSION
PREFIX = "v" + VERSION.replace(".", "_") + "_"


def cases():
    rng = np.random.default_rng(20261121)
    t = np.arange(300, dtype=np.float64)
    yield "1d_sine", (np.sin(t * 0.07) * 3 + rng.normal(0, 0.05, 300)).astype(np.float32), -8, True
    here = os.path.dirname(os.path.abspath(__file__))
    fbank = np.load(os.path.join(here, "fbank80_frames_0_24.npy"))
    yield "2d_fbank", fbank, -5, True
    g = np.mgrid[0:6, 0:7, 0:8].astype(np.float64)
    yield "3d_smooth", (np.cos(g[0] * 0.5) * g[1] + 0.3 * g[2] ** 1.5).astype(np.float32), -6, True
    z = np.zeros(400, dtype=np.float32)
    z[37] = 1.0
    z[200:205] = [0.5, -0.25, 0.0, 3.0, -7.0]
    z[399] = 0.125
    yield "1d_zero_runs", z, -4, True
    big = (rng.normal(0, 1, (4, 9)) * 2.0**30).astype(np.float32)
    big[0, 0] = 2.0**50
    big[1, 1] = -(2.0**50)
    yield "2d_wide_codes", big, 20, False
    yield "3d_trailing_unit_axis", rng.normal(0, 1, (5, 4, 1)).astype(np.float32), -7, True
    yield "15d", rng.normal(0, 1, (2, 1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 3)).astype(np.float32), -3, True
    yield "2d_no_regression", rng.normal(5, 2, (10, 12)).astype(np.float32), -10, False
    # stock lilcom reconstructs some of these values 2^-16 away from the input: twice its bound
    over = np.random.default_rng(1)
    for trial in range(51):
        tp = int(over.integers(-20, -8))
        walk = (np.cumsum(over.normal(0, 1, 64)) * 10 + over.normal(0, 1) * 300).astype(np.float32)
    yield "1d_stock_overshoot", walk, tp, True
    yield "1d_single", np.array([-1234.5678], dtype=np.float32), -20, True


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, x, tick_power, do_regression in cases():
        path = os.path.join(here, PREFIX + name)
        if os.path.exists(path + ".bin"):
            print("exists, not overwritten:", path + ".bin")
            continue
        x = np.ascontiguousarray(x, dtype=np.float32)
        # stock lilcom overwrites a float32 input in place: give it a copy
        b = lilcom.compress(x.copy(), tick_power=tick_power, do_regression=do_regression)
        y = lilcom.decompress(b)
        with open(path + ".bin", "wb") as f:
            f.write(b)
        np.save(path + ".input.npy", x)
        np.save(path + ".decoded.npy", y)
        err = np.abs(x.astype(np.float64) - y.astype(np.float64)).max()
        print(f"{name}: shape {x.shape}, tick_power {tick_power}, {len(b)} bytes, max error {err} "
              f"(bound {2.0 ** (tick_power - 1)})")


if __name__ == "__main__":
    main()
