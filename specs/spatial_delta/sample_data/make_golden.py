"""Writes the spatial_delta golden vectors with numpy alone (an implementation independent of ours).

Encode = ``np.diff(a, axis=k, prepend=0)`` along each listed axis in turn, in the array's own
integer dtype (numpy integer arithmetic wraps). Pinned: numpy 2.x. Run once; files named by the
format version that introduced them are never regenerated after a release.

Each case ``<name>`` writes ``<name>.json`` (codec config, dtype, shape), ``<name>.input.bin`` and
``<name>.encoded.bin`` (C order, little-endian).
"""

import json

import numpy as np

rng = np.random.default_rng(20261121)


def encode(a, axes):
    for k in axes:
        a = np.diff(a, axis=k, prepend=0)
    return a


cases = {
    "v0_1_0_int16_2d_axis0": (rng.integers(-2000, 2000, (5, 7)).astype("<i2"), 0),
    "v0_1_0_uint8_3d_lorenzo_wraps": (rng.integers(0, 256, (3, 4, 5)).astype("u1"), [0, 1, 2]),
    "v0_1_0_int64_1d_last": (np.array([2**62, -(2**62), 5, -7, 2**63 - 1], dtype="<i8"), -1),
    "v0_1_0_int32_3d_axes_2_0": (rng.integers(-(2**31), 2**31 - 1, (2, 3, 4)).astype("<i4"), [2, 0]),
    "v0_1_0_uint16_second_order": (np.cumsum(np.arange(24)).reshape(4, 6).astype("<u2"), [1, 1]),
}
for name, (a, axis) in cases.items():
    axes = [axis] if isinstance(axis, int) else axis
    enc = encode(a, axes).astype(a.dtype)
    json.dump({"config": {"axis": axis}, "dtype": str(a.dtype.name), "shape": list(a.shape)},
              open(f"{name}.json", "w"), indent=1)
    open(f"{name}.input.bin", "wb").write(a.tobytes())
    open(f"{name}.encoded.bin", "wb").write(enc.tobytes())
