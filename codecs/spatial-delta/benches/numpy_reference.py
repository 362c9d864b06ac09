"""numpy reference for the spatial_delta benchmark (the implementation in numcodecs issue #583).

Encode: ``np.diff(a, axis=k, prepend=0)`` along each axis in turn; decode: ``np.cumsum(e, axis=k,
dtype=e.dtype)`` in reverse order. Same data shape and dtype as ``spatial_delta.rs``
(int32, 256 x 256 x 256 = 64 MiB). Prints ``name encode_MB/s decode_MB/s`` per case, best of 5.
"""

import time

import numpy as np

SHAPE = (256, 256, 256)


def field():
    z, y, x = np.meshgrid(*(np.arange(n) for n in SHAPE), indexing="ij")
    rng = np.random.default_rng(0)
    return ((z * 3 + y * 5 + x * 7) * 100 + rng.integers(0, 64, SHAPE)).astype(np.int32)


def encode(a, axes):
    for k in axes:
        a = np.diff(a, axis=k, prepend=0)
    return a


def decode(e, axes):
    for k in reversed(axes):
        e = np.cumsum(e, axis=k, dtype=e.dtype)
    return e


def best(f, n=5):
    t = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        t.append(time.perf_counter() - t0)
    return min(t)


def main():
    a = field()
    for name, axes in [("axis0", [0]), ("axis1", [1]), ("axis2", [2]), ("all", [0, 1, 2])]:
        e = encode(a, axes)
        assert np.array_equal(decode(e, axes), a)
        te = best(lambda: encode(a, axes))
        td = best(lambda: decode(e, axes))
        print(f"{name} {a.nbytes / te / 1e6:.1f} {a.nbytes / td / 1e6:.1f}")


if __name__ == "__main__":
    main()
