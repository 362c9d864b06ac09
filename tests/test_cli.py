"""The ``ndcodecs`` command line as a Python user meets it: the console script that ``pip install``
puts beside the interpreter (the Rust CLI carried by the native module), the stores it writes read
by zarr-python and xarray, and relative bounds resolved the same way in Python and in the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import zarr

import ndcodecs
from ndcodecs import LinearQuantize, max_abs_error_from_relative
from ndcodecs import zarr3 as nd_zarr3

DATA = Path(__file__).resolve().parent / "data"
# The console script sits beside the interpreter of the environment the package is installed in.
NDCODECS = Path(sys.executable).with_name("ndcodecs")
LAND = np.float32(9.96921e36)


def run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Runs the console script; fails the test on a non-zero exit when ``check``."""
    out = subprocess.run(
        [str(NDCODECS), *map(str, args)], capture_output=True, text=True, timeout=600
    )
    if check:
        assert out.returncode == 0, f"ndcodecs {args} failed:\n{out.stderr}"
    return out


def test_pip_gives_the_ndcodecs_command(tmp_path: Path) -> None:
    assert NDCODECS.is_file(), "pip install did not put an ndcodecs command beside python"
    assert run("--version").stdout.strip() == f"ndcodecs {ndcodecs.__version__}"
    help_text = run("--help").stdout
    for command in ("compress", "decompress", "report"):
        assert command in help_text
    # python -m ndcodecs is the same program.
    out = subprocess.run(
        [sys.executable, "-m", "ndcodecs", "compress", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "--fill-value" in out.stdout
    # Usage errors exit 2, failures exit 1 with a message.
    assert run("compress", check=False).returncode == 2
    bad = run(
        "compress", DATA / "photo_camera_gray.npy", tmp_path / "a.zarr", "--codecs", "zsdt",
        check=False,
    )
    assert bad.returncode == 1 and "invalid codec chain" in bad.stderr
    # A round trip through the console script is bit-exact.
    run("compress", DATA / "microscopy_nuclei_3d_uint16.npy", tmp_path / "m.zarr",
        "--codecs", "spatial_delta(axis=[0,1,2]) | zstd | crc32c")
    run("decompress", tmp_path / "m.zarr", tmp_path / "m.npy")
    original = np.load(DATA / "microscopy_nuclei_3d_uint16.npy")
    back = np.load(tmp_path / "m.npy")
    assert back.dtype == original.dtype and np.array_equal(back, original)


# (input, chain, bound): bound 0 = lossless; "rel" = bitround's relative error 2^-9.
CHAINS = [
    ("terrain_regional_surface_height", "linear_quantize(max_abs_error=0.5) | pcodec", 0.5),
    ("terrain_regional_surface_height",
     "linear_quantize(max_abs_error=0.5) | spatial_delta(axis=[0,1]) | zstd | crc32c", 0.5),
    ("terrain_regional_surface_height",
     "linear_quantize(max_abs_error=0.5) | spatial_delta(axis=[0,1]) | zstd | crc32", 0.5),
    ("terrain_regional_surface_height", "lilcom(tick_power=-2)", 0.125),
    ("terrain_regional_surface_height", "bitround(keepbits=8) | zstd", "rel"),
    ("terrain_regional_surface_height", "pcodec", 0),
    ("terrain_regional_surface_height", "gzip", 0),
    ("terrain_regional_surface_height", "blosc", 0),
    ("terrain_regional_surface_height", "transpose(order=[1,0]) | zstd", 0),
    ("terrain_regional_surface_height",
     'sharding_indexed(chunk_shape=[64,64], codecs="linear_quantize(max_abs_error=0.5) | zstd")',
     0.5),
    ("speech_librivox_16k_int16", "spatial_delta | lilcom(tick_power=0)", 0),
    ("speech_librivox_16k_int16", "pcodec | crc32c", 0),
]


@pytest.mark.parametrize(("source", "chain", "bound"), CHAINS, ids=[c[1] for c in CHAINS])
def test_cli_stores_open_in_zarr_python(tmp_path: Path, source: str, chain: str, bound) -> None:
    store = tmp_path / "s.zarr"
    # Shards of 128 x 448 hold whole 64 x 64 inner chunks.
    chunks = "50000" if source.startswith("speech") else "128,448" if "shard" in chain else "200,450"
    run("compress", DATA / f"{source}.npy", store, "--codecs", chain, "--chunks", chunks)
    # Every codec has a configuration object (zarr-python refuses numcodecs codecs without).
    meta = json.loads((store / "zarr.json").read_text())
    for codec in meta["codecs"]:
        if codec["name"].startswith("numcodecs."):
            assert isinstance(codec.get("configuration"), dict), codec
    original = np.load(DATA / f"{source}.npy")
    back = zarr.open_array(store, mode="r")[...]
    assert back.dtype == original.dtype and back.shape == original.shape
    if bound == 0:
        assert np.array_equal(back, original)
    elif bound == "rel":
        assert np.all(np.abs(back - original) <= np.abs(original) * 2.0**-9)
    else:
        err = np.abs(back.astype(np.float64) - original.astype(np.float64))
        assert err.max() <= bound and err.max() > bound / 4


def test_cli_stores_open_in_xarray_with_name_dims_and_fill_value(tmp_path: Path) -> None:
    xr = pytest.importorskip("xarray")
    store = tmp_path / "ocean.zarr"
    run("compress", DATA / "ocean_pop_temperature_with_fill.npy", store,
        "--codecs", "linear_quantize(max_abs_error=0.01) | spatial_delta(axis=[0,1]) | zstd | crc32c",
        "--name", "temp", "--dims", "nlat,nlon", "--fill-value", "9.96921e36", "--chunks", "96,320")
    original = np.load(DATA / "ocean_pop_temperature_with_fill.npy")
    land = original == LAND
    ds = xr.open_zarr(store, consolidated=False)
    temp = ds["temp"]
    assert temp.dims == ("nlat", "nlon")
    values = temp.values
    # Land is missing data (NaN) for xarray, as it is for netCDF readers of the source file.
    assert np.isnan(values[land]).all() and not np.isnan(values[~land]).any()
    assert np.abs(values[~land] - original[~land]).max() <= 0.01
    # zarr-python sees the array's fill value, and the bit-exact land values.
    z = zarr.open_array(store, path="temp", mode="r")
    assert np.float32(z.fill_value) == LAND
    assert np.array_equal(z[...][land].view(np.uint32), original[land].view(np.uint32))
    # The CF attribute is what xarray itself writes for this fill value.
    written = tmp_path / "xarray.zarr"
    xr.Dataset({"temp": (("nlat", "nlon"), np.where(land, np.nan, original))}).to_zarr(
        written, zarr_format=3, consolidated=False,
        encoding={"temp": {"_FillValue": LAND, "dtype": "float32"}},
    )
    ours = json.loads((store / "temp" / "zarr.json").read_text())["attributes"]["_FillValue"]
    theirs = json.loads((written / "temp" / "zarr.json").read_text())["attributes"]["_FillValue"]
    assert ours == theirs
    # decompress finds the group's only array.
    run("decompress", store, tmp_path / "t.npy")
    assert np.array_equal(np.load(tmp_path / "t.npy").view(np.uint32), z[...].view(np.uint32))


def test_relative_bound_in_python_and_in_the_cli_agree(tmp_path: Path) -> None:
    source = DATA / "ocean_pop_temperature_with_fill.npy"
    sst = np.load(source)
    sea = sst[sst != LAND].astype(np.float64)
    bound = max_abs_error_from_relative(sst, 1e-3, fill_value=9.96921e36)
    assert bound == 1e-3 * (sea.max() - sea.min())
    codec = LinearQuantize(max_abs_error=bound, fill_value=9.96921e36, dtype="float32")
    config = codec.get_config()
    back = codec.decode(codec.encode(sst))
    assert np.abs(back[sst != LAND] - sst[sst != LAND]).max() <= config["max_abs_error"]
    store = tmp_path / "rel.zarr"
    run("compress", source, store, "--fill-value", "9.96921e36",
        "--codecs", "linear_quantize(max_rel_error=1e-3) | spatial_delta(axis=[0,1]) | zstd")
    stored = json.loads((store / "zarr.json").read_text())["codecs"][0]["configuration"]
    assert stored["max_abs_error"] == config["max_abs_error"]
    # In zarr-python, through the wrapper: the bound holds on the array read back.
    z = zarr.create_array(
        tmp_path / "z.zarr", shape=sst.shape, chunks=(128, 160), dtype="float32",
        filters=[nd_zarr3.LinearQuantize(max_abs_error=bound, fill_value=9.96921e36)],
    )
    z[...] = sst
    sea_mask = sst != LAND
    assert np.abs(zarr.open_array(tmp_path / "z.zarr")[...][sea_mask] - sst[sea_mask]).max() <= bound
    with pytest.raises(TypeError, match="int16"):
        max_abs_error_from_relative(np.arange(4, dtype="int16"), 1e-3)
    with pytest.raises(ValueError, match="value range 0"):
        max_abs_error_from_relative(np.full(5, 3.0, dtype="float32"), 1e-3)
    with pytest.raises(ValueError, match="no finite value"):
        max_abs_error_from_relative(np.array([np.nan, 9.96921e36], "float32"), 1e-3, 9.96921e36)
    with pytest.raises(ValueError, match="max_rel_error"):
        max_abs_error_from_relative(sst, -1.0)
