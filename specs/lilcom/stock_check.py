"""Cross-checks ndcodecs' lilcom against stock lilcom (PyPI), live.

Usage: python stock_check.py DIR

DIR holds cases written by the Rust test `codecs/lilcom/tests/stock.rs`, one per CASE:
  CASE.shape.json   {"shape": [...], "tick_power": n, "compare_size": bool}
  CASE.input.f32    the float32 input (little-endian, C order)
  CASE.ours.bin     what ndcodecs encoded
  CASE.ours.f32     what ndcodecs decodes CASE.ours.bin to

Checks, for every case:
  1. stock `lilcom.decompress(ours.bin)` equals `ours.f32` bit for bit;
  2. with `compare_size`, ndcodecs' bytes are no more than stock lilcom's for the same input.
Writes CASE.stock.bin (stock's encoding of the input) and CASE.stock.f32 (stock's decoding of it)
for the Rust side to decode and compare. Prints one line per case; exits non-zero on a failure.
"""

import json
import os
import sys

import numpy as np
import lilcom


def main(d):
    failures = 0
    cases = sorted(f[: -len(".shape.json")] for f in os.listdir(d) if f.endswith(".shape.json"))
    for case in cases:
        p = os.path.join(d, case)
        meta = json.load(open(p + ".shape.json"))
        shape = tuple(meta["shape"])
        x = np.fromfile(p + ".input.f32", dtype="<f4").reshape(shape)
        ours = open(p + ".ours.bin", "rb").read()
        ours_dec = np.fromfile(p + ".ours.f32", dtype="<f4").reshape(shape)
        stock_dec_of_ours = lilcom.decompress(ours)
        same = stock_dec_of_ours.shape == shape and np.array_equal(
            stock_dec_of_ours.view(np.uint32), ours_dec.view(np.uint32))
        stock = lilcom.compress(x.copy(), tick_power=meta["tick_power"])
        with open(p + ".stock.bin", "wb") as f:
            f.write(stock)
        lilcom.decompress(stock).astype("<f4").tofile(p + ".stock.f32")
        smaller = (not meta["compare_size"]) or len(ours) <= len(stock)
        ok = same and smaller
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {case}: ours {len(ours)} bytes, stock {len(stock)} bytes, "
              f"stock decodes ours {'bit-exactly' if same else 'DIFFERENTLY'}")
    if not cases:
        print("no cases found")
        failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1])
