"""ndcodecs in zarr-python 3: zarr v3 codec chains and zarr v2 filters/compressors."""

from __future__ import annotations

import json
from pathlib import Path

import numcodecs
import numpy as np
import pytest
import zarr
from zarr.codecs import BytesCodec, ZstdCodec
from zarr.codecs.numcodecs import CRC32 as ZarrCRC32

import ndcodecs
from conftest import run_fresh
from ndcodecs import zarr3

RNG = np.random.default_rng(7)


def smooth_field(shape: tuple[int, ...], dtype: str = "f4") -> np.ndarray:
    """A smooth 2-D field plus a little noise, like a climate variable."""
    y, x = np.meshgrid(*(np.linspace(0, 6, n) for n in shape), indexing="ij")
    return (280 + 10 * np.sin(x) * np.cos(y) + RNG.normal(0, 0.05, shape)).astype(dtype)


def read_fresh(path: Path) -> np.ndarray:
    """Reads the array in a fresh interpreter that never imports ndcodecs (entry points only)."""
    out = path.parent / (path.name + ".read.npy")
    run_fresh(
        "import sys, numpy as np, zarr\n"
        f"a = zarr.open_array({str(path)!r}, mode='r')[...]\n"
        f"np.save({str(out)!r}, a)\n"
        "assert 'ndcodecs' in sys.modules  # loaded by the entry point, not by us\n"
    )
    return np.load(out)


def metadata(path: Path) -> dict:
    return json.loads((path / "zarr.json").read_text())


def test_v3_spatial_delta_zstd_crc32(tmp_path: Path) -> None:
    data = RNG.integers(-30000, 30000, size=(100, 80), dtype="i2").cumsum(axis=0, dtype="i2")
    path = tmp_path / "sd.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(50, 40),
        dtype=data.dtype,
        filters=[zarr3.SpatialDelta(axis=[0, 1])],
        serializer=BytesCodec(),
        compressors=[ZstdCodec(level=3), ZarrCRC32()],
    )
    z[...] = data
    names = [c["name"] for c in metadata(path)["codecs"]]
    assert names == ["ndcodecs.spatial_delta", "bytes", "zstd", "numcodecs.crc32"]
    assert metadata(path)["codecs"][0]["configuration"] == {"axis": [0, 1], "_version": "0.1.0"}
    np.testing.assert_array_equal(zarr.open_array(path, mode="r")[...], data)
    np.testing.assert_array_equal(read_fresh(path), data)


def test_v3_linear_quantize_spatial_delta_zstd(tmp_path: Path) -> None:
    data = smooth_field((120, 90))
    path = tmp_path / "lq.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(60, 45),
        dtype=data.dtype,
        filters=[
            zarr3.LinearQuantize(max_abs_error=0.01, offset=280.0, astype="int32"),
            zarr3.SpatialDelta(axis=[0, 1]),
        ],
        compressors=[ZstdCodec(level=5)],
    )
    z[...] = data
    back = read_fresh(path)
    assert back.dtype == data.dtype
    assert np.max(np.abs(back.astype("f8") - data)) <= 0.01
    # Partial writes go through decode + encode of the chunk.
    z[10:20, 5:50] = 0.0
    data[10:20, 5:50] = 0.0
    assert np.max(np.abs(zarr.open_array(path, mode="r")[...] - data)) <= 0.01


def test_v3_config_is_validated_on_construction() -> None:
    with pytest.raises(TypeError):
        zarr3.SpatialDelta(axes=0)
    with pytest.raises(ValueError):
        zarr3.LinearQuantize(max_abs_error=0.0)
    assert zarr3.LinearQuantize(max_abs_error=0.5).to_dict() == {
        "name": "ndcodecs.linear_quantize",
        "configuration": {
            "max_abs_error": 0.5,
            "offset": 0.0,
            "astype": "int32",
            "_version": "0.1.0",
        },
    }


def test_v3_linear_quantize_takes_the_array_dtype(tmp_path: Path) -> None:
    data = smooth_field((20, 10), "f8")
    path = tmp_path / "lq64.zarr"
    z = zarr.create_array(
        path, shape=data.shape, dtype=data.dtype, filters=[zarr3.LinearQuantize(max_abs_error=1e-6)]
    )
    z[...] = data
    assert metadata(path)["codecs"][0]["configuration"]["dtype"] == "float64"
    assert np.max(np.abs(read_fresh(path) - data)) <= 1e-6


def test_v3_axis_out_of_range_fails_when_the_array_is_created(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="out of range"):
        zarr.create_array(
            tmp_path / "bad.zarr", shape=(10, 10), dtype="i4", filters=[zarr3.SpatialDelta(axis=2)]
        )


def test_v2_linear_quantize_filter_zstd(tmp_path: Path) -> None:
    data = smooth_field((64, 50), "f8")
    path = tmp_path / "v2lq.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(32, 25),
        dtype=data.dtype,
        zarr_format=2,
        filters=[ndcodecs.LinearQuantize(max_abs_error=0.001, offset=280.0, dtype="float64")],
        compressors=numcodecs.Zstd(level=3),
    )
    z[...] = data
    meta = json.loads((path / ".zarray").read_text())
    assert meta["filters"][0]["id"] == "linear_quantize"
    back = read_fresh(path)
    assert np.max(np.abs(back - data)) <= 0.001


def test_v2_spatial_delta_after_a_bytes_compressor_is_a_clear_error(tmp_path: Path) -> None:
    """zarr v2 hands the first filter the compressor's bytes: spatial_delta cannot know the dtype
    and shape, so reading says so rather than returning a wrong answer."""
    data = np.arange(100, dtype="i4").reshape(10, 10)
    path = tmp_path / "v2sd.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        dtype=data.dtype,
        zarr_format=2,
        filters=[ndcodecs.SpatialDelta(axis=0)],
        compressors=numcodecs.Zstd(),
    )
    z[...] = data
    with pytest.raises(ValueError, match="untyped byte buffer"):
        zarr.open_array(path, mode="r")[...]


def test_v3_spatial_delta_lilcom(tmp_path: Path) -> None:
    """spatial_delta → lilcom on int16 audio-like data: exact for tick_power 0."""
    data = (np.sin(np.linspace(0, 200, 64 * 50)) * 3000).astype("i2").reshape(64, 50)
    data += RNG.integers(-20, 20, size=data.shape, dtype="i2")
    path = tmp_path / "sdl.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(32, 50),
        dtype=data.dtype,
        filters=[zarr3.SpatialDelta(axis=0)],
        serializer=zarr3.Lilcom(tick_power=0, dtype="int16"),
        compressors=None,
    )
    z[...] = data
    names = [c["name"] for c in metadata(path)["codecs"]]
    assert names == ["ndcodecs.spatial_delta", "ndcodecs.lilcom"]
    np.testing.assert_array_equal(read_fresh(path), data)


def test_v3_lilcom_float32_crc32(tmp_path: Path) -> None:
    data = np.load(
        Path(__file__).parent.parent.parent / "tests" / "data" / "speech_librivox_fbank80.npy"
    )[:300]
    path = tmp_path / "lil.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(100, 80),
        dtype=data.dtype,
        serializer=zarr3.Lilcom(tick_power=-5),
        compressors=[ZarrCRC32()],
    )
    z[...] = data
    back = read_fresh(path)
    assert np.max(np.abs(back - data)) <= 2.0**-6


def test_v2_spatial_delta_filter_lilcom_compressor(tmp_path: Path) -> None:
    """In zarr v2 the compressor's output reaches the filter: lilcom's is a typed array."""
    data = RNG.integers(0, 4000, size=(40, 30), dtype="u2").cumsum(axis=1, dtype="u2")
    path = tmp_path / "v2sdl.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(20, 30),
        dtype=data.dtype,
        zarr_format=2,
        filters=[ndcodecs.SpatialDelta(axis=[0, 1])],
        compressors=ndcodecs.Lilcom(tick_power=0, dtype="uint16"),
    )
    z[...] = data
    meta = json.loads((path / ".zarray").read_text())
    assert meta["compressor"]["id"] == "lilcom"
    np.testing.assert_array_equal(read_fresh(path), data)


@pytest.mark.parametrize("order", ["C", "F"])
def test_v2_lilcom_compressor_orders(tmp_path: Path, order: str) -> None:
    data = RNG.normal(0, 1, (30, 20)).astype("f4")
    path = tmp_path / f"v2l{order}.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(15, 20),
        dtype=data.dtype,
        zarr_format=2,
        order=order,
        compressors=ndcodecs.Lilcom(tick_power=-9),
    )
    z[...] = data
    assert np.max(np.abs(read_fresh(path) - data)) <= 2.0**-10


# --- interp_quantize: an array → array codec whose encoded chunk is 1-D ------------------------

OCEAN_FILL = np.float32(9.96921e36)


def ocean_like(shape: tuple[int, int]) -> np.ndarray:
    """A smooth field with a block of land cells holding netCDF's default fill value."""
    data = smooth_field(shape)
    data[: shape[0] // 3, shape[1] // 2 :] = OCEAN_FILL
    return data


def test_v3_interp_quantize_bytes_zstd_edge_chunks_and_fill(tmp_path: Path) -> None:
    data = ocean_like((101, 77))
    path = tmp_path / "iq.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(40, 30),  # edge chunks on both axes
        dtype=data.dtype,
        fill_value=OCEAN_FILL,
        filters=[zarr3.InterpQuantize(max_abs_error=0.01, fill_value=float(OCEAN_FILL))],
        serializer=BytesCodec(),
        compressors=[ZstdCodec(level=5)],
    )
    z[...] = data
    meta = metadata(path)
    assert [c["name"] for c in meta["codecs"]] == ["ndcodecs.interp_quantize", "bytes", "zstd"]
    # The dtype is taken from the array and stored.
    assert meta["codecs"][0]["configuration"]["dtype"] == "float32"
    for back in (zarr.open_array(path, mode="r")[...], read_fresh(path)):
        land = data == OCEAN_FILL
        np.testing.assert_array_equal(back[land].view("u4"), data[land].view("u4"))
        assert np.max(np.abs(back[~land].astype("f8") - data[~land])) <= 0.01
    # A partial read inside one chunk, and a partial write (decode + encode of the chunk).
    r = zarr.open_array(path, mode="r")
    np.testing.assert_array_equal(r[45:52, 33:41], zarr.open_array(path, mode="r")[...][45:52, 33:41])
    # A partial write decodes the chunks it touches, updates and re-encodes them: the written
    # values are within the bound, the others' decoded values are quantized again (within the
    # bound of their first decoding, so within twice the bound of the original values).
    first = zarr.open_array(path, mode="r")[...]
    z[5:9, 3:60] = 1.0
    data[5:9, 3:60] = 1.0
    first[5:9, 3:60] = 1.0
    back = zarr.open_array(path, mode="r")[...]
    land = data == OCEAN_FILL
    np.testing.assert_array_equal(back[land].view("u4"), data[land].view("u4"))
    assert np.max(np.abs(back[5:9, 3:60].astype("f8") - 1.0)) <= 0.01
    assert np.max(np.abs(back[~land].astype("f8") - first[~land])) <= 0.01
    assert np.max(np.abs(back[~land].astype("f8") - data[~land])) <= 0.02


def test_v3_interp_quantize_rel_bound_float64_3d(tmp_path: Path) -> None:
    t, y, x = np.meshgrid(np.linspace(0, 3, 9), np.linspace(0, 5, 33), np.linspace(0, 4, 21),
                          indexing="ij")
    data = np.sin(x + t) * np.cos(y) * 100.0
    path = tmp_path / "iq64.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(4, 16, 16),
        dtype=data.dtype,
        filters=[zarr3.InterpQuantize(max_rel_error=1e-4)],
        compressors=[ZstdCodec(level=3)],
    )
    z[...] = data
    back = read_fresh(path)
    assert back.dtype == np.float64
    # Each chunk's bound is 1e-4 of its own range, at most 1e-4 of the whole range.
    assert np.max(np.abs(back - data)) <= 1e-4 * float(data.max() - data.min())


@pytest.mark.parametrize("order", ["C", "F"])
def test_v2_interp_quantize_filter_zstd(tmp_path: Path, order: str) -> None:
    """In zarr v2 the compressor's bytes reach the filter: interp_quantize's encoded chunk records
    its shape, so the bytes decode on their own, in either array order."""
    data = smooth_field((64, 50), "f8")
    path = tmp_path / f"v2iq{order}.zarr"
    z = zarr.create_array(
        path,
        shape=data.shape,
        chunks=(30, 25),
        dtype=data.dtype,
        zarr_format=2,
        order=order,
        filters=[ndcodecs.InterpQuantize(max_abs_error=0.001, dtype="float64")],
        compressors=numcodecs.Zstd(level=3),
    )
    z[...] = data
    meta = json.loads((path / ".zarray").read_text())
    assert meta["filters"][0]["id"] == "interp_quantize"
    assert np.max(np.abs(read_fresh(path) - data)) <= 0.001
