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


def rate(fn, nbytes, reps=5):
    """MB/s from process CPU time (robust on a shared machine): best of `reps` batches, each
    running `fn` until it has used at least 0.2 s of CPU."""
    best = float("inf")
    for _ in range(reps):
        n, t0 = 0, time.process_time()
        while time.process_time() - t0 < 0.2:
            fn()
            n += 1
        best = min(best, (time.process_time() - t0) / n)
    return nbytes / best / 1e6


def measure():
    """{(data name, tick_power): (bytes, bytes per element, encode MB/s, decode MB/s)}."""
    results = {}
    for name, file, rows in [("fbank80", "speech_librivox_fbank80.npy", 500),
                             ("speech16k", "speech_librivox_16k_int16.npy", 1 << 30)]:
        x = np.load(os.path.join(DATA, file)).astype(np.float32)
        parts = chunks(x, rows)
        for tp in (-5, -8):
            encoded = [lilcom.compress(p.copy(), tick_power=tp) for p in parts]
            size = sum(map(len, encoded))
            # stock lilcom overwrites its float32 input: every call gets a fresh copy (the copy
            # is timed too; it takes about 1 % of the compression time)
            def enc():
                for p in parts:
                    lilcom.compress(p.copy(), tick_power=tp)

            def dec():
                for e in encoded:
                    lilcom.decompress(e)

            results[(name, tp)] = (size, size / x.size, rate(enc, x.nbytes), rate(dec, x.nbytes))
    return results


def main():
    for (name, tp), (size, per, enc, dec) in measure().items():
        print(f"stock lilcom {name} tick_power {tp}: {size} bytes, {per:.4f} bytes/element, "
              f"encode {enc:.1f} MB/s, decode {dec:.1f} MB/s")


if __name__ == "__main__":
    main()
