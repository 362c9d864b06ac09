"""Cross-language zarr tests: zarr-python 3 (with the ndcodecs Python package) and Rust zarrs (with
ndcodecs-zarrs, through the `tests/crosslang` binary) read each other's arrays bit for bit.

For every chain, both ways:

1. zarr-python writes the array; Rust reads it; the values equal what zarr-python reads back.
2. Rust writes the same array with the metadata zarr-python wrote; zarr-python reads it; the
   values equal what Rust reads back — and equal what zarr-python's own write decoded to (the
   codecs are the same Rust code on both sides, so even lossy chains agree exactly).

The Rust side runs as `cargo run -p ndcodecs-crosslang` from the repository root (or set
NDCODECS_CROSSLANG_BIN to a built binary).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

zarr = pytest.importorskip("zarr")
pytest.importorskip("ndcodecs")

from zarr.codecs import BytesCodec, ZstdCodec  # noqa: E402
from zarr.codecs.numcodecs import CRC32 as ZarrCRC32  # noqa: E402

import ndcodecs  # noqa: E402
from ndcodecs import zarr3  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RNG = np.random.default_rng(11)

pytestmark = pytest.mark.skipif(sys.byteorder != "little", reason="raw files are little-endian")


@pytest.fixture(scope="session")
def rust_bin() -> list[str]:
    """The command that runs the Rust driver (built once per session)."""
    if binary := os.environ.get("NDCODECS_CROSSLANG_BIN"):
        return [binary]
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("cargo not found (set NDCODECS_CROSSLANG_BIN to a built ndcodecs-crosslang)")
    subprocess.run(
        [cargo, "build", "--quiet", "-p", "ndcodecs-crosslang"], cwd=ROOT, check=True, timeout=1800
    )
    return [cargo, "run", "--quiet", "-p", "ndcodecs-crosslang", "--"]


def rust(cmd: list[str], *args: object) -> None:
    proc = subprocess.run(
        [*cmd, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0:
        pytest.fail(f"Rust side failed ({' '.join(map(str, args))}):\n{proc.stderr}")


def metadata_file(store: Path) -> Path:
    v3 = store / "zarr.json"
    return v3 if v3.exists() else store / ".zarray"


def fbank() -> np.ndarray:
    return np.ascontiguousarray(np.load(DATA / "speech_librivox_fbank80.npy")[:240])


def terrain() -> np.ndarray:
    return np.ascontiguousarray(np.load(DATA / "terrain_regional_surface_height.npy")[:200, :150])


def camera_i16() -> np.ndarray:
    return np.load(DATA / "photo_camera_gray.npy")[:128, :96].astype("i2")


def camera_rgb() -> np.ndarray:
    c = np.load(DATA / "photo_camera_gray.npy")[:96, :80].astype("i4")
    return np.stack([c, np.roll(c, 3, 0), np.roll(c, 5, 1) // 2 + 60], -1).astype("u1")


def camera_rgb16() -> np.ndarray:
    # uint16: zarr-python fits the bytes codec to the array's dtype, not to ycocg_r's int32 output
    # (a uint8 array would leave the bytes codec without an endianness for the int16 output)
    return camera_rgb().astype("u2") * 257


def camera_u8() -> np.ndarray:
    return np.ascontiguousarray(np.load(DATA / "photo_camera_gray.npy")[:128, :96])


def ocean() -> np.ndarray:
    """POP ocean temperature; land cells hold netCDF's default fill value 9.96921e36."""
    return np.load(DATA / "ocean_pop_temperature_with_fill.npy")


def temperature_f64() -> np.ndarray:
    return np.load(DATA / "climate_ncar_temperature_3d.npy")[:, :50, :70].astype("f8")


OCEAN_FILL = np.float32(9.96921e36)


def microscopy() -> np.ndarray:
    return np.ascontiguousarray(np.load(DATA / "microscopy_nuclei_3d_uint16.npy")[:8, :40, :30])


# (id, data, chunks, create_array keyword arguments, zarr format, largest error allowed)
CHAINS = [
    (
        "v3 spatial_delta>bytes>zstd>crc32",
        camera_i16,
        (64, 48),
        lambda: {
            "filters": [zarr3.SpatialDelta(axis=[0, 1])],
            "serializer": BytesCodec(),
            "compressors": [ZstdCodec(level=3), ZarrCRC32(location="start")],
        },
        3,
        0.0,
    ),
    (
        "v3 linear_quantize>spatial_delta>bytes>zstd",
        terrain,
        (100, 75),
        lambda: {
            "filters": [
                zarr3.LinearQuantize(max_abs_error=0.05, offset=500.0, astype="int32"),
                zarr3.SpatialDelta(axis=[0, 1]),
            ],
            "compressors": [ZstdCodec(level=5)],
        },
        3,
        0.05,
    ),
    (
        "v3 spatial_delta>lilcom",
        microscopy,
        (4, 40, 30),
        lambda: {
            "filters": [zarr3.SpatialDelta(axis=-1)],
            "serializer": zarr3.Lilcom(tick_power=0, dtype="uint16"),
            "compressors": None,
        },
        3,
        0.0,
    ),
    (
        "v3 lilcom>crc32",
        fbank,
        (120, 80),
        lambda: {
            "serializer": zarr3.Lilcom(tick_power=-5),
            "compressors": [ZarrCRC32(location="end")],
        },
        3,
        2.0**-6,
    ),
    (
        "v3 linear_quantize>spatial_delta>arith",
        terrain,
        (100, 75),
        lambda: {
            "filters": [
                zarr3.LinearQuantize(max_abs_error=0.05, offset=500.0, astype="int32"),
                zarr3.SpatialDelta(axis=[0, 1]),
            ],
            "serializer": zarr3.Arith(),
            "compressors": None,
        },
        3,
        0.05,
    ),
    (
        "v3 spatial_delta>arith>crc32",
        microscopy,
        (4, 40, 30),
        lambda: {
            "filters": [zarr3.SpatialDelta(axis=[0, 1, 2])],
            "serializer": zarr3.Arith(),
            "compressors": [ZarrCRC32(location="end")],
        },
        3,
        0.0,
    ),
    (
        "v2 spatial_delta|arith",
        camera_i16,
        (64, 48),
        lambda: {
            "filters": [ndcodecs.SpatialDelta(axis=[0, 1])],
            "compressors": ndcodecs.Arith(),
        },
        2,
        0.0,
    ),
    (
        "v3 pixel_mlp",
        camera_u8,
        (64, 48),
        lambda: {"serializer": zarr3.PixelMlp(streams=4), "compressors": None},
        3,
        0.0,
    ),
    (
        "v3 pixel_mlp volume",
        microscopy,
        (4, 40, 30),
        lambda: {"serializer": zarr3.PixelMlp(layout="volume"), "compressors": None},
        3,
        0.0,
    ),
    (
        "v3 pixel_mlp rgb>crc32",
        camera_rgb,
        (48, 40, 3),
        lambda: {
            "serializer": zarr3.PixelMlp(streams=8),
            "compressors": [ZarrCRC32(location="end")],
        },
        3,
        0.0,
    ),
    (
        "v3 ycocg_r>spatial_delta>bytes>zstd",
        camera_rgb16,
        (48, 40, 3),
        lambda: {
            "filters": [zarr3.YcocgR(), zarr3.SpatialDelta(axis=[0, 1])],
            "serializer": BytesCodec(),
            "compressors": [ZstdCodec(level=5)],
        },
        3,
        0.0,
    ),
    (
        "v3 interp_cnn rgb>crc32",
        camera_rgb,
        (64, 48, 3),
        lambda: {
            "serializer": zarr3.InterpCnn(),
            "compressors": [ZarrCRC32(location="end")],
        },
        3,
        0.0,
    ),
    (
        "v3 interp_cnn volume",
        microscopy,
        (4, 32, 30),
        lambda: {"serializer": zarr3.InterpCnn(layout="volume"), "compressors": None},
        3,
        0.0,
    ),
    (
        "v2 interp_cnn",
        camera_i16,
        (64, 48),
        lambda: {"compressors": ndcodecs.InterpCnn()},
        2,
        0.0,
    ),
    (
        "v3 interp_quantize>bytes>zstd fill value, edge chunks",
        ocean,
        (100, 96),
        lambda: {
            "filters": [zarr3.InterpQuantize(max_abs_error=0.01, fill_value=float(OCEAN_FILL))],
            "serializer": BytesCodec(),
            "compressors": [ZstdCodec(level=5)],
            "fill_value": OCEAN_FILL,
        },
        3,
        0.01,
    ),
    (
        "v3 interp_quantize>zstd float64 max_rel_error",
        temperature_f64,
        (8, 32, 32),
        lambda: {
            "filters": [zarr3.InterpQuantize(max_rel_error=1e-4)],
            "compressors": [ZstdCodec(level=3)],
            # zarr pads edge chunks with the fill value: NaN keeps the padding out of the
            # chunks' value ranges (a padding of 0.0 would widen them, and the bound with them).
            "fill_value": np.nan,
        },
        3,
        1e-4 * (311.41 - 179.52),  # at most 1e-4 of the whole array's range in every chunk
    ),
    (
        "v2 interp_quantize|zstd",
        terrain,
        (64, 64),
        lambda: {
            "filters": [ndcodecs.InterpQuantize(max_abs_error=0.5)],
            "compressors": __import__("numcodecs").Zstd(level=3),
        },
        2,
        0.5,
    ),
    (
        "v2 linear_quantize|zstd",
        terrain,
        (100, 75),
        lambda: {
            "filters": [ndcodecs.LinearQuantize(max_abs_error=0.1, offset=500.0)],
            "compressors": __import__("numcodecs").Zstd(level=3),
        },
        2,
        0.1,
    ),
    (
        # xarray's NaN fill value pads the edge chunk (40 of 100 frames), which lilcom cannot
        # hold: both sides store it cropped to the frames that exist and read the other's.
        "v3 lilcom nan-fill edge chunk",
        fbank,
        (100, 80),
        lambda: {
            "serializer": zarr3.Lilcom(tick_power=-5),
            "compressors": None,
            "fill_value": float("nan"),
        },
        3,
        2.0**-6,
    ),
    (
        # zarr v2 hands spatial_delta zstd's bare bytes: bound to the chunks' dtype and shape.
        "v2 linear_quantize|spatial_delta|zstd",
        terrain,
        (100, 75),
        lambda: {
            "filters": [
                ndcodecs.LinearQuantize(max_abs_error=0.05, offset=500.0),
                ndcodecs.SpatialDelta(axis=[0, 1], dtype="int32", chunk_shape=[100, 75]),
            ],
            "compressors": __import__("numcodecs").Zstd(level=3),
        },
        2,
        0.05,
    ),
    (
        "v2 spatial_delta|lilcom",
        camera_i16,
        (64, 48),
        lambda: {
            "filters": [ndcodecs.SpatialDelta(axis=[0, 1])],
            "compressors": ndcodecs.Lilcom(tick_power=0, dtype="int16"),
        },
        2,
        0.0,
    ),
]


@pytest.mark.parametrize(
    ("name", "make_data", "chunks", "make_kwargs", "zarr_format", "bound"),
    CHAINS,
    ids=[c[0] for c in CHAINS],
)
def test_python_and_rust_read_each_other(
    rust_bin, tmp_path: Path, name, make_data, chunks, make_kwargs, zarr_format, bound
) -> None:
    data = make_data()
    dtype = data.dtype.name

    # 1. zarr-python writes, Rust reads.
    py_store = tmp_path / "written_by_python.zarr"
    z = zarr.create_array(
        py_store,
        shape=data.shape,
        chunks=chunks,
        dtype=data.dtype,
        zarr_format=zarr_format,
        **make_kwargs(),
    )
    z[...] = data
    py_reads_py = zarr.open_array(py_store, mode="r")[...]
    assert np.max(np.abs(py_reads_py.astype("f8") - data.astype("f8"))) <= bound
    rust_out = tmp_path / "rust_reads_python.raw"
    rust(rust_bin, "read", py_store, dtype, rust_out)
    rust_reads_py = np.fromfile(rust_out, dtype=data.dtype).reshape(data.shape)
    assert rust_reads_py.tobytes() == py_reads_py.tobytes()

    # 2. Rust writes (same metadata), zarr-python reads.
    rust_store = tmp_path / "written_by_rust.zarr"
    raw = tmp_path / "data.raw"
    data.astype(data.dtype.newbyteorder("<"), copy=False).tofile(raw)
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps(json.loads(metadata_file(py_store).read_text())))
    rust(rust_bin, "write", rust_store, meta, dtype, raw)
    py_reads_rust = zarr.open_array(rust_store, mode="r")[...]
    rust_out2 = tmp_path / "rust_reads_rust.raw"
    rust(rust_bin, "read", rust_store, dtype, rust_out2)
    assert py_reads_rust.tobytes() == np.fromfile(rust_out2, dtype=data.dtype).tobytes()
    # Same codecs on both sides: identical decoded values, even for the lossy chains.
    assert py_reads_rust.tobytes() == py_reads_py.tobytes()


@pytest.mark.xfail(
    strict=False,
    reason="zarrs re-serialises `numcodecs.crc32` with an empty configuration as a bare "
    "{'name': ...}, and zarr-python's numcodecs wrapper requires a 'configuration' key: "
    "ndcodecs-zarrs should always write crc32's `location`",
)
def test_rust_written_default_crc32_reads_in_python(rust_bin, tmp_path: Path) -> None:
    data = np.arange(100, dtype="i4")
    py_store = tmp_path / "p.zarr"
    z = zarr.create_array(py_store, shape=data.shape, dtype=data.dtype, compressors=[ZarrCRC32()])
    z[...] = data
    raw = tmp_path / "d.raw"
    data.tofile(raw)
    rust_store = tmp_path / "r.zarr"
    rust(rust_bin, "write", rust_store, py_store / "zarr.json", "int32", raw)
    np.testing.assert_array_equal(zarr.open_array(rust_store, mode="r")[...], data)
