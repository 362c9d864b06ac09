"""Times stock lilcom (PyPI) on the benchmark data, in MB/s of float32 input, single thread.

Same data, chunking and unit as `benches/lilcom.rs`, so the figures compare directly:

    python codecs/lilcom/benches/stock_lilcom.py
"""

import os
import time

import numpy as np
import lilcom

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "tests", "data")


def chunks(x, rows):
    return [np.ascontiguousarray(x[s:s + rows], dtype=np.float32) for s in range(0, x.shape[0], rows)]


def rate(fn, nbytes, seconds=2.0):
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        t = time.perf_counter() - t0
        if t >= seconds:
            return nbytes * n / t / 1e6


def main():
    for name, file, rows in [("fbank80", "speech_librivox_fbank80.npy", 500),
                             ("speech16k", "speech_librivox_16k_int16.npy", 1 << 30)]:
        x = np.load(os.path.join(DATA, file)).astype(np.float32)
        parts = chunks(x, rows)
        for tp in (-5, -8):
            encoded = [lilcom.compress(p.copy(), tick_power=tp) for p in parts]
            size = sum(map(len, encoded))
            # stock lilcom overwrites its float32 input: every call gets a fresh copy, made
            # outside the timed region
            pool = [[p.copy() for p in parts] for _ in range(64)]

            def enc():
                batch = pool.pop() if pool else [p.copy() for p in parts]
                for p in batch:
                    lilcom.compress(p, tick_power=tp)

            def dec():
                for e in encoded:
                    lilcom.decompress(e)

            print(f"stock lilcom {name} tick_power {tp}: {size} bytes, "
                  f"{size / x.size:.4f} bytes/element, encode {rate(enc, x.nbytes):.1f} MB/s, "
                  f"decode {rate(dec, x.nbytes):.1f} MB/s")


if __name__ == "__main__":
    main()
