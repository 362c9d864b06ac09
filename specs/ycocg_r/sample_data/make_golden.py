"""Writes the ycocg_r golden vectors with numpy alone (an implementation independent of ours).

The lifting steps of Malvar & Sullivan (JVT-I014), in int64 with numpy's `>>` (arithmetic shift,
floor division by 2), then cast to the encoded dtype. Pinned: numpy 2.x. Run once; files named
by the format version that introduced them are never regenerated after a release.

Each case ``<name>`` writes ``<name>.json`` (dtype in and out, shape), ``<name>.input.bin`` (RGB)
and ``<name>.encoded.bin`` (Y, Co, Cg), C order, little-endian.
"""

import json

import numpy as np

rng = np.random.default_rng(20261128)


def forward(rgb):
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    co = r - b
    t = b + (co >> 1)
    cg = g - t
    y = t + (cg >> 1)
    return np.stack([y, co, cg], axis=-1)


extremes8 = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255],
                      [255, 255, 0], [0, 255, 255], [255, 0, 255], [1, 2, 3], [254, 1, 128]],
                     dtype="u1")
cases = {
    "v0_1_0_uint8_2d_image": rng.integers(0, 256, (4, 5, 3)).astype("u1"),
    "v0_1_0_uint8_extremes": extremes8.reshape(2, 5, 3),
    "v0_1_0_uint8_single_pixel": np.array([200, 17, 99], dtype="u1"),
    "v0_1_0_uint16_3d_volume": rng.integers(0, 65536, (2, 3, 4, 3)).astype("<u2"),
    "v0_1_0_uint16_extremes": (extremes8.astype("<u2") * 257).reshape(10, 3),
}
for name, rgb in cases.items():
    out_dtype = {"uint8": "<i2", "uint16": "<i4"}[rgb.dtype.name]
    enc = forward(rgb).astype(out_dtype)
    json.dump({"config": {}, "dtype": rgb.dtype.name, "encoded_dtype": enc.dtype.name,
               "shape": list(rgb.shape)}, open(f"{name}.json", "w"), indent=1)
    open(f"{name}.input.bin", "wb").write(rgb.tobytes())
    open(f"{name}.encoded.bin", "wb").write(enc.tobytes())
