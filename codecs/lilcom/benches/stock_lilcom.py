"""Times stock lilcom (PyPI) on the benchmark data, in MB/s of float32 input, single thread.

Same data, chunking and unit as `benches/lilcom.rs`, so the figures compare directly:

    python codecs/lilcom/benches/stock_lilcom.py [case]
"""

import os
import sys
import time

import numpy as np
import lilcom

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "tests", "data")


def mirror(n, size):
    """Indices of a sequence of `size` values extended to `n` by mirroring (0, …, size-1,
    size-1, …, 0, 0, …)."""
    m = np.arange(n) % (2 * size)
    return np.minimum(m, 2 * size - 1 - m)


def terrain():
    return np.load(os.path.join(DATA, "terrain_regional_surface_height.npy"))


def terrain_mirrored():
    """terrain2d: the 438 x 450 terrain array mirror-tiled to 1201 x 2401 (the extent of a
    1 x 2 degree tile of a 3-arc-second DEM); `terrain_mirrored_f32` in tests/common/mod.rs."""
    t = terrain()
    return np.ascontiguousarray(t[np.ix_(mirror(1201, t.shape[0]), mirror(2401, t.shape[1]))])


def terrain_smooth():
    """dem2d: the terrain array linearly interpolated to 4 times its resolution along both axes
    (float64, rounded to float32 at the end), its first 1201 rows, columns mirror-tiled to 2401;
    `terrain_smooth_f32` in tests/common/mod.rs."""
    def up4(a, axis):
        a = np.moveaxis(a.astype(np.float64), axis, 0)
        lo, hi = a[:-1], a[1:]
        out = np.stack([lo + (hi - lo) * (s / 4) for s in range(4)], axis=1)
        out = np.concatenate([out.reshape(-1, *a.shape[1:]), a[-1:]])
        return np.moveaxis(out, 0, axis)

    u = up4(up4(terrain(), 0), 1).astype(np.float32)
    return np.ascontiguousarray(u[:1201][:, mirror(2401, u.shape[1])])


def digest(x):
    """sum over i of bits(x.flat[i]) * (i + 1) mod 2^64 (`field_digest` in tests/common/mod.rs)."""
    bits = np.ascontiguousarray(x, dtype=np.float32).reshape(-1).view(np.uint32).astype(np.uint64)
    return int(np.sum(bits * np.arange(1, bits.size + 1, dtype=np.uint64), dtype=np.uint64))


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


CASES = [  # name, array, rows per chunk, tick powers (as in examples/lilcom_speed.rs)
    ("fbank80", lambda: np.load(os.path.join(DATA, "speech_librivox_fbank80.npy")), 500, (-5, -8)),
    ("speech16k", lambda: np.load(os.path.join(DATA, "speech_librivox_16k_int16.npy")), 1 << 30,
     (-5, -8)),
    ("dem2d", terrain_smooth, 1 << 30, (5, 0)),
    ("terrain2d", terrain_mirrored, 1 << 30, (5, 0)),
]


def write_streams(directory, only=""):
    """Writes stock lilcom's byte string of every chunk of every case to
    `directory/<case>_tp<tick_power>_<chunk>.bin` (what `lilcom_speed --stock-streams` reads)."""
    for name, load, rows, tick_powers in CASES:
        if only not in name:
            continue
        parts = chunks(load().astype(np.float32), rows)
        for tp in tick_powers:
            for c, p in enumerate(parts):
                with open(os.path.join(directory, f"{name}_tp{tp}_{c}.bin"), "wb") as f:
                    f.write(lilcom.compress(p.copy(), tick_power=tp))


def measure(only="", digests=None):
    """{(data name, tick_power): (bytes, bytes per element, encode MB/s, decode MB/s)} for the
    cases whose name contains `only`; the arrays' digests go to `digests` (name: digest)."""
    results = {}
    for name, load, rows, tick_powers in CASES:
        if only not in name:
            continue
        x = load().astype(np.float32)
        if digests is not None:
            digests[name] = digest(x)
        parts = chunks(x, rows)
        for tp in tick_powers:
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
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    for (name, tp), (size, per, enc, dec) in measure(only).items():
        print(f"stock lilcom {name} tick_power {tp}: {size} bytes, {per:.4f} bytes/element, "
              f"encode {enc:.1f} MB/s, decode {dec:.1f} MB/s")


if __name__ == "__main__":
    main()
