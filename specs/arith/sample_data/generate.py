"""Writes the inputs of the arith golden vectors (`v1_<case>.input.npy`) from the repository's
tests/data and fixed patterns. The `.bin` streams are written by the Rust tests
`codecs/arith/tests/golden*.rs` (`golden.rs` model 0, `golden_fast.rs` model 1, `golden_lanes.rs`
models 2 and 3) with UPDATE_GOLDEN=1, once, when a format version or model is released; they are
never regenerated afterwards (the tests check that the encoder still writes them).

Run from the repository root: python specs/arith/sample_data/generate.py (needs numpy).
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "tests" / "data"


def lorenzo(a, axes):
    r = a.copy()
    for ax in axes:
        r = np.diff(r, axis=ax, prepend=np.zeros_like(np.take(r, [0], axis=ax)))
    return r


def save(name, a):
    np.save(HERE / f"v1_{name}.input.npy", np.ascontiguousarray(a))


# HadCM3 air temperature, quantised at 1e-3 x range and Lorenzo-differenced: a climate chain's codes
t = np.load(DATA / "climate_hadcm3_air_temperature.npy").astype(np.float64)
b = 1e-3 * (t.max() - t.min())
q = np.round((t[:6, :20, :24] - t.min()) / (2 * b)).astype(np.int32)
save("i32_climate_residuals", lorenzo(q, [0, 1, 2]))
# a patch of the camera photo after a 2-d delta (uint8, wrapped differences)
cam = np.load(DATA / "photo_camera_gray.npy")
save("u8_photo_residuals", lorenzo(cam[200:232, 100:148], [0, 1]))
# a corner of the microscopy volume after a 3-d delta (uint16)
m = np.load(DATA / "microscopy_nuclei_3d_uint16.npy")
save("u16_volume_residuals", lorenzo(m[:5, :9, :11], [0, 1, 2]))
# int64 extremes: the escape path, the sign of the most negative value
ext = np.array([0, -1, 1, np.iinfo(np.int64).min, np.iinfo(np.int64).max, 1 << 40, -(1 << 17), 65535, 65536, -3] * 3, dtype=np.int64)
save("i64_extremes", ext)
# size-1 axes between others (rank 5), uint64 with the top bit set
save("u64_unit_axes", (np.arange(24, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)).reshape(2, 1, 3, 1, 4))
# a 0-length axis and a 0-d array
save("i8_empty", np.zeros((3, 0, 2), dtype=np.int8))
save("i16_scalar", np.array(-12345, dtype=np.int16))
# a land-mask-like run of zeros with two outliers
z = np.zeros((64, 64), dtype=np.uint32)
z[10, 20] = 7
z[40, 3] = 0xFFFFFFF0
save("u32_zero_run", z)
