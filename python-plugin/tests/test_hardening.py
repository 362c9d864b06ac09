"""Bad input, odd arrays and zarr's corners, for every codec of the native codec list (the Rust
crate ``ndcodecs-registry``): each test walks the list, so a codec added to it is covered here
with no change (issue 13, items 1, 2, 6, 8, 9 and 10).

- zarr v2: every chain of our codecs reads back (an array → array codec bound to the chunks'
  dtype and shape, the numcodecs ``Delta(dtype=…)`` convention), and an unbound one says what to
  configure;
- edge chunks with zarr's and xarray's default fill values (NaN for floats) in zarr-python;
- decompression bombs: the declared size is checked against the chunk or ``out`` before
  anything is allocated, and what is allocated fails with an exception, not an abort, under a
  memory limit;
- arrays of 33 to 64 dimensions, non-numeric dtypes and bad configuration values are errors
  naming what is wrong, never a panic or a silent reinterpretation.
"""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest
import zarr

import ndcodecs
from conftest import run_fresh
from ndcodecs import _native, zarr3

CODECS = _native.codecs()
IDS = [c["codec_id"] for c in CODECS]
A2A = [c for c in CODECS if c["kind"] == "array_to_array"]
A2B = [c for c in CODECS if c["kind"] == "array_to_bytes"]
B2B = [c for c in CODECS if c["kind"] == "bytes_to_bytes"]


def example(entry: dict[str, Any]) -> dict[str, Any]:
    return json.loads(entry["example_config"])


def takes(entry: dict[str, Any], config: dict[str, Any], dtype: str, shape: list[int]) -> bool:
    """Whether the codec takes chunks of ``dtype`` and ``shape`` with this configuration."""
    try:
        if entry["kind"] == "array_to_array":
            _native.encoded_dtype(entry["codec_id"], json.dumps(config), dtype)
            _native.encoded_shape(entry["codec_id"], json.dumps(config), shape)
        elif entry["kind"] == "array_to_bytes":
            _native.bind(entry["codec_id"], json.dumps(config), dtype, shape)
    except (TypeError, ValueError):
        return False
    return True


def dtypes_for(entry: dict[str, Any], config: dict[str, Any], shape: list[int]) -> list[str]:
    """The numeric dtypes the codec takes, the configured one first."""
    fixed = _native.decoded_dtype(entry["codec_id"], json.dumps(config))
    names = [d.name for d in ndcodecs._base.NUMERIC_DTYPES]
    if fixed:
        names = [fixed] + [n for n in names if n != fixed]
    return [n for n in names if takes(entry, config, n, shape)]


def shape_for(entry: dict[str, Any], shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape``, or ``shape`` with a last axis of 3 (R, G, B) for a codec that takes only
    colour images (``ycocg_r``)."""
    for candidate in (tuple(shape), (*shape, 3)):
        if dtypes_for(entry, example(entry), list(candidate)):
            return candidate
    raise AssertionError(f"{entry['codec_id']} takes neither {shape} nor {(*shape, 3)}")


def config_for(entry: dict[str, Any], dtype: str) -> dict[str, Any]:
    """The example configuration with its dtype field (if any) set to ``dtype``."""
    config = example(entry)
    if entry["dtype_field"] and "dtype" not in config:
        config[entry["dtype_field"]] = dtype
    elif entry["dtype_field"]:
        config[entry["dtype_field"]] = dtype
    return config


def smooth(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Smooth data that every codec and dtype holds (small non-negative integers)."""
    n = math.prod(shape)
    rows = shape[-1] if shape else 1
    values = np.arange(n) % rows + np.arange(n) // rows
    return (values % 50 + 3).astype(dtype).reshape(shape)


def bound_of(entry: dict[str, Any], config: dict[str, Any]) -> float:
    return _native.max_abs_error(entry["codec_id"], json.dumps(config)) or 0.0


def assert_close(back: np.ndarray, data: np.ndarray, bound: float, what: str) -> None:
    assert back.shape == data.shape, what
    assert back.dtype == data.dtype, what
    err = np.abs(back.astype("f8") - data.astype("f8"))
    assert np.all(err <= bound), f"{what}: error {err.max()} above {bound}"


def is_clean_error(err: BaseException) -> bool:
    """An ordinary exception (a Rust panic surfaces as ``PanicException``, a ``BaseException``).
    numpy's own limit of 32 dimensions in some functions zarr-python calls (``broadcast_to``)
    is zarr-python's, raised before our codecs see any data."""
    numpy_limit = isinstance(err, RuntimeError) and "only supports up to 32 dimensions" in str(err)
    return isinstance(err, ValueError | TypeError | MemoryError) or numpy_limit


# --- item 8: arrays of 33 to 64 dimensions -----------------------------------------------------


@pytest.mark.parametrize("ndim", [33, 40, 64])
@pytest.mark.parametrize("entry", CODECS, ids=IDS)
def test_high_rank_arrays_are_errors_or_round_trips_never_panics(
    entry: dict[str, Any], ndim: int
) -> None:
    """Every entry point given a 33..64-dimensional array: a result or an ordinary exception."""
    shape = (2,) + (1,) * (ndim - 1)
    config = example(entry)
    dtype = (dtypes_for(entry, config, [2]) or ["float32"])[0]
    config = config_for(entry, dtype)
    cls = getattr(ndcodecs, entry["name"])
    codec = cls(**config)
    data = smooth(shape, dtype)
    outcomes = []

    def attempt(name: str, fn: Any) -> Any:
        try:
            result = fn()
        except BaseException as err:  # noqa: BLE001 - the point is to catch panics
            assert is_clean_error(err), f"{name}: {type(err).__name__}: {err}"
            outcomes.append((name, "error"))
            return None
        outcomes.append((name, "ok"))
        return result

    enc = attempt("encode", lambda: codec.encode(data))
    if enc is not None:
        dec = attempt("decode", lambda: codec.decode(enc))
        if dec is not None:
            assert np.asarray(dec).size == data.size
        out = np.empty(shape, dtype=dtype) if entry["kind"] != "bytes_to_bytes" else None
        if out is not None:
            attempt("decode out=", lambda: codec.decode(enc, out=out))
    attempt("get_codec", lambda: numcodecs.get_codec(codec.get_config()).encode(data))
    if entry["kind"] == "array_to_array":
        attempt(
            "encoded_shape",
            lambda: _native.encoded_shape(entry["codec_id"], json.dumps(config), list(shape)),
        )
    assert outcomes


@pytest.mark.parametrize(
    "entry", [c for c in CODECS if not c["replaces_numcodecs"]], ids=lambda e: e["codec_id"]
)
def test_high_rank_zarr_arrays_are_errors_or_round_trips(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    shape = (3,) + (1,) * 39
    config = example(entry)
    dtype = (dtypes_for(entry, config, [3]) or ["float32"])[0]
    config = config_for(entry, dtype)
    codec = getattr(zarr3, entry["name"])(**config)
    kind = entry["kind"]
    data = smooth(shape, dtype)
    try:
        z = zarr.create_array(
            tmp_path / "a.zarr",
            shape=shape,
            dtype=dtype,
            filters=[codec] if kind == "array_to_array" else None,
            serializer=codec if kind == "array_to_bytes" else "auto",
            compressors=[codec] if kind == "bytes_to_bytes" else None,
        )
        z[...] = data
        back = zarr.open_array(tmp_path / "a.zarr", mode="r")[...]
    except BaseException as err:  # noqa: BLE001
        assert is_clean_error(err), f"{type(err).__name__}: {err}"
        return
    assert_close(back, data, bound_of(entry, config), entry["codec_id"])


# --- item 9: non-numeric dtypes -----------------------------------------------------------------

NON_NUMERIC = [
    a.reshape(2, 2)
    for a in (
        np.array([1 + 2j, 3j, 0, 1], dtype="complex64"),
        np.array([1 + 2j, 3j, 0, 1], dtype="complex128"),
        np.array(["2020-01-01", "2021-06-30", "2022-01-01", "1999-12-31"], dtype="datetime64[s]"),
        np.array([5, 7, 9, 11], dtype="timedelta64[ms]"),
        np.array(["ab", "cd", "ef", "gh"], dtype="U2"),
        np.array([b"ab", b"cd", b"ef", b"gh"], dtype="S2"),
        np.zeros(4, dtype=[("a", "<i4"), ("b", "<f4")]),
        np.zeros(4, dtype="V8"),
        np.array([True, False, True, True]),
        np.array([1.5, 2.5, 3.5, 4.5], dtype="float16"),
        np.array([1, "x", 2, 3], dtype=object),
        np.array([1, 2, 3, 4], dtype=">i4"),
    )
]


@pytest.mark.parametrize("arr", NON_NUMERIC, ids=lambda a: a.dtype.str)
@pytest.mark.parametrize("entry", CODECS, ids=IDS)
def test_non_numeric_dtypes_are_refused_naming_the_dtype(
    entry: dict[str, Any], arr: np.ndarray
) -> None:
    """Array codecs refuse every dtype but the ten numeric ones (native byte order) with a
    TypeError naming it; bytes → bytes codecs carry any buffer's bytes exactly, as numcodecs'
    own do (object arrays excepted)."""
    codec = getattr(ndcodecs, entry["name"])(**example(entry))
    if entry["kind"] == "bytes_to_bytes" and not arr.dtype.hasobject:
        assert bytes(codec.decode(codec.encode(arr))) == arr.tobytes()
        return
    with pytest.raises(TypeError) as info:
        codec.encode(arr)
    message = str(info.value)
    assert str(arr.dtype) in message or arr.dtype.str in message, message
    if entry["kind"] == "bytes_to_bytes":
        return
    # Decoding into an output of such a dtype is refused too.
    shape = shape_for(entry, (2, 2))
    good = smooth(shape, dtypes_for(entry, example(entry), list(shape))[0])
    enc = codec.encode(good)
    with pytest.raises(TypeError):
        codec.decode(enc, out=np.empty(shape, dtype=arr.dtype))


@pytest.mark.parametrize(
    "entry", [c for c in A2A + A2B if not c["replaces_numcodecs"]], ids=lambda e: e["codec_id"]
)
def test_zarr_arrays_of_non_numeric_dtypes_are_refused(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    codec = getattr(zarr3, entry["name"])(**example(entry))
    kind = entry["kind"]
    shape = shape_for(entry, (4, 4))
    with pytest.raises(TypeError, match="complex64"):
        z = zarr.create_array(
            tmp_path / "c.zarr",
            shape=shape,
            dtype="complex64",
            filters=[codec] if kind == "array_to_array" else None,
            serializer=codec if kind == "array_to_bytes" else "auto",
            compressors=None,
        )
        z[...] = np.arange(math.prod(shape)).reshape(shape) * (1 + 1j)


# --- item 10: configuration values --------------------------------------------------------------


def fields(entry: dict[str, Any]) -> list[str]:
    cls = getattr(ndcodecs, entry["name"])
    return [f for f in cls.__schema__.get("properties", {}) if f != "_version"]


BAD_VALUES = [float("nan"), float("inf"), float("-inf"), 10**400, -(10**400), object()]


@pytest.mark.parametrize("entry", CODECS, ids=IDS)
def test_every_config_error_names_codec_field_value_and_what_is_accepted(
    entry: dict[str, Any],
) -> None:
    cls = getattr(ndcodecs, entry["name"])
    for field in fields(entry):
        for bad in BAD_VALUES:
            config = {**example(entry), field: bad}
            with pytest.raises((ValueError, TypeError)) as info:
                cls(**config)
            message = str(info.value)
            shown = repr(bad) if not isinstance(bad, int) else str(bad)[:8]
            if isinstance(bad, object) and type(bad) is object:
                shown = "object"
            for part in (entry["codec_id"], field, shown):
                assert part in message, f"{field}={bad!r}: {message!r} lacks {part!r}"
            assert any(w in message for w in ("accepted", "expected", "give")), message
            assert "OverflowError" not in message and "null" not in message, message
    with pytest.raises(TypeError) as info:
        cls(**{**example(entry), "no_such_field": 1})
    assert entry["codec_id"] in str(info.value) and "no_such_field" in str(info.value)


def dtype_fields(entry: dict[str, Any]) -> dict[str, list[str]]:
    """The fields whose values are dtype names, with the names each accepts."""
    cls = getattr(ndcodecs, entry["name"])
    found = {}
    for name, schema in cls.__schema__.get("properties", {}).items():
        names = ndcodecs._base._schema_strings(schema)
        if names and all(ndcodecs._base._is_dtype_name(n) for n in names):
            found[name] = names
    return found


@pytest.mark.parametrize("entry", CODECS, ids=IDS)
def test_numpy_dtype_spellings_are_accepted(entry: dict[str, Any]) -> None:
    cls = getattr(ndcodecs, entry["name"])
    for field, names in dtype_fields(entry).items():
        for name in names:
            dtype = np.dtype(name)
            for spelling in (
                name,
                dtype.str,
                dtype.char,
                dtype.type,
                dtype,
                dtype.newbyteorder("="),
            ):
                config = {**example(entry), field: spelling}
                try:
                    codec = cls(**config)
                except ValueError as err:
                    # A combination the codec refuses for another reason (e.g. a float dtype
                    # for spatial_delta) is refused for every spelling alike.
                    assert name in str(err), err
                    continue
                assert codec.get_config()[field] == name, (field, spelling)
                wrapper = getattr(zarr3, entry["name"], None)
                if wrapper is not None:
                    assert wrapper(**config).codec_config[field] == name
            if dtype.itemsize > 1:
                swapped = dtype.newbyteorder(">" if sys.byteorder == "little" else "<")
                with pytest.raises(ValueError, match=f"{entry['codec_id']}.*{field}"):
                    cls(**{**example(entry), field: swapped.str})


def test_the_issue_cases() -> None:
    with pytest.raises(ValueError, match="fill_value.*nan.*finite number"):
        ndcodecs.LinearQuantize(max_abs_error=0.1, fill_value=float("nan"))
    with pytest.raises(ValueError, match="fill_value.*inf"):
        ndcodecs.LinearQuantize(max_abs_error=0.1, fill_value=float("inf"))
    with pytest.raises(ValueError, match="max_abs_error.*nan.*finite number > 0"):
        ndcodecs.LinearQuantize(max_abs_error=float("nan"))
    with pytest.raises(ValueError, match="fill_value.*outside the range"):
        ndcodecs.LinearQuantize(max_abs_error=0.1, fill_value=10**400)
    with pytest.raises(ValueError, match="spatial_delta.*axis.*\\[\\]"):
        ndcodecs.SpatialDelta(axis=[])
    with pytest.raises(ValueError, match="spatial_delta.*axis"):
        zarr3.SpatialDelta(axis=[])
    assert ndcodecs.LinearQuantize(0.1, dtype="<f4").get_config()["dtype"] == "float32"
    assert ndcodecs.LinearQuantize(0.1, dtype=np.float64, astype="<i2").get_config()["astype"] == (
        "int16"
    )
    # A large integer that float64 holds is a number like any other.
    assert ndcodecs.LinearQuantize(0.1, fill_value=10**20).get_config()["fill_value"] == 1e20
    # None is "not given", never np.dtype(None) (float64).
    assert "dtype" not in ndcodecs.SpatialDelta(axis=0, dtype=None).get_config()
    # An axis out of range for the rank can only fail once the rank is known: at array creation.
    ndcodecs.SpatialDelta(axis=5)
    with pytest.raises(ValueError, match="out of range"):
        ndcodecs.SpatialDelta(axis=5, chunk_shape=[4, 4])


# --- item 1: zarr v2 chains ---------------------------------------------------------------------


def bound_config(entry: dict[str, Any], config: dict[str, Any], dtype: str, shape: list[int]):
    """The configuration a codec needs as a zarr v2 filter for chunks of dtype and shape."""
    bound = json.loads(_native.bind(entry["codec_id"], json.dumps(config), dtype, shape))
    bound.pop("id", None)
    return bound


def v2_compressors(dtype: str) -> list[tuple[str, Any]]:
    """Every compressor a chain of ours may end with: none, a numcodecs compressor and checksum,
    and each of our bytes → bytes and array → bytes codecs."""
    found: list[tuple[str, Any]] = [
        ("none", None),
        ("zstd", numcodecs.Zstd(level=3)),
        ("numcodecs.crc32", numcodecs.CRC32()),
    ]
    for entry in B2B:
        found.append((entry["codec_id"], getattr(ndcodecs, entry["name"])(**example(entry))))
    for entry in A2B:
        config = config_for(entry, dtype)
        if takes(entry, config, dtype, [6, 10]):
            found.append((entry["codec_id"], getattr(ndcodecs, entry["name"])(**config)))
    return found


def v2_filter_chains() -> list[tuple[str, list[dict[str, Any]], str]]:
    """Every chain of one or two of our array → array codecs (in an order whose dtypes fit),
    with the input dtype: (name, [(entry, config)], dtype)."""
    chains = []
    shape = [6, 10]
    for first in A2A:
        for dtype in dtypes_for(first, example(first), shape)[:2]:
            chains.append(
                (f"{first['codec_id']}[{dtype}]", [(first, config_for(first, dtype))], dtype)
            )
            encoded = _native.encoded_dtype(
                first["codec_id"], json.dumps(config_for(first, dtype)), dtype
            )
            # (interp_quantize's encoded array is 1-d: the second filter sees that shape)
            encoded_shape = _native.encoded_shape(
                first["codec_id"], json.dumps(config_for(first, dtype)), shape
            )
            for second in A2A:
                if second is not first and takes(second, example(second), encoded, encoded_shape):
                    chains.append(
                        (
                            f"{first['codec_id']}>{second['codec_id']}",
                            [(first, config_for(first, dtype)), (second, example(second))],
                            dtype,
                        )
                    )
    return chains


V2_CHAINS = v2_filter_chains()


@pytest.mark.parametrize(("name", "filters", "dtype"), V2_CHAINS, ids=[c[0] for c in V2_CHAINS])
def test_every_v2_chain_of_our_codecs_reads_back(
    name: str, filters: list[Any], dtype: str, tmp_path: Path
) -> None:
    """zarr v2 hands the first filter the compressor's output as bare bytes: bound to the
    chunks' dtype and shape (``_native.bind``, what a user writes as ``dtype=`` and
    ``chunk_shape=``) every filter chain reads back, with every compressor, in this process and
    in a fresh one."""
    assert any(len(f) == 2 for _, f, _ in V2_CHAINS), "no two-filter chain (LQ > SD) found"
    shape, chunks = (13, 21), [6, 10]
    data = (
        smooth(shape, dtype)
        if not dtype.startswith("float")
        else (np.sin(np.indices(shape).sum(axis=0) / 7.0) * 40 + 280).astype(dtype)
    )
    for label, compressor in v2_compressors(filters_out_dtype(filters, dtype)):
        instances, bound, current, current_shape = [], 0.0, dtype, chunks
        for entry, config in filters:
            config = bound_config(entry, config, current, current_shape)
            instances.append(getattr(ndcodecs, entry["name"])(**config))
            bound = max(bound, bound_of(entry, config))
            current = _native.encoded_dtype(entry["codec_id"], json.dumps(config), current)
            current_shape = _native.encoded_shape(
                entry["codec_id"], json.dumps(config), current_shape
            )
        if isinstance(compressor, ndcodecs._base._ArrayToBytesCodec):
            if compressor._decoded_dtype() != np.dtype(current):
                continue
            if compressor._native.max_abs_error() and instances[-1]._self_describing():
                # A lossy serializer cannot follow a filter whose encoded array is a stream
                # (interp_quantize: a header whose words hold float bit patterns, then codes;
                # lilcom at tick_power -5 refuses its magnitudes, and any error would corrupt
                # it): the error bound only adds up after filters that map element to element.
                continue
            bound += compressor._native.max_abs_error() or 0.0
        path = tmp_path / f"{label}.zarr"
        z = zarr.create_array(
            path,
            shape=shape,
            chunks=chunks,
            dtype=dtype,
            zarr_format=2,
            filters=instances,
            compressors=compressor,
            fill_value=0,
        )
        z[...] = data
        back = zarr.open_array(path, mode="r")[...]
        assert_close(back, data, bound + 1e-9 * bound, f"{name}|{label}")
        fresh = path.parent / f"{label}.npy"
        run_fresh(
            "import numpy as np, zarr\n"
            f"np.save({str(fresh)!r}, zarr.open_array({str(path)!r}, mode='r')[...])\n"
        )
        assert np.load(fresh).tobytes() == back.tobytes(), f"{name}|{label}: fresh reader"


def filters_out_dtype(filters: list[Any], dtype: str) -> str:
    current = dtype
    for entry, config in filters:
        current = _native.encoded_dtype(entry["codec_id"], json.dumps(config), current)
    return current


@pytest.mark.parametrize("entry", [*A2B, *B2B], ids=lambda e: e["codec_id"])
def test_serializers_and_checksums_as_v2_filters_and_compressors(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    """Our array → bytes and bytes → bytes codecs anywhere in a zarr v2 chain: as a filter
    before zstd, and as the compressor; the stored configuration reads back (a codec standing in
    for one of numcodecs' own is read by numcodecs' class: its configuration must suit it)."""
    dtype = (dtypes_for(entry, example(entry), [6, 10]) or ["int16"])[0]
    config = config_for(entry, dtype) if entry["kind"] == "array_to_bytes" else example(entry)
    codec = getattr(ndcodecs, entry["name"])(**config)
    data = smooth((13, 21), dtype)
    bound = bound_of(entry, config)
    for label, filters, compressor in (
        ("filter", [codec], numcodecs.Zstd(level=3)),
        ("compressor", None, codec),
    ):
        path = tmp_path / f"{label}.zarr"
        z = zarr.create_array(
            path,
            shape=data.shape,
            chunks=(6, 10),
            dtype=dtype,
            zarr_format=2,
            filters=filters,
            compressors=compressor,
            fill_value=0,
        )
        z[...] = data
        back = zarr.open_array(path, mode="r")[...]
        assert_close(back, data, bound, f"{entry['codec_id']} as {label}")
        fresh = tmp_path / f"{label}.npy"
        run_fresh(
            "import numpy as np, zarr\n"
            f"np.save({str(fresh)!r}, zarr.open_array({str(path)!r}, mode='r')[...])\n"
        )
        assert np.load(fresh).tobytes() == back.tobytes()


def test_lq_sd_zstd_in_zarr_v2(tmp_path: Path) -> None:
    """The issue's chain: LinearQuantize → SpatialDelta → Zstd in zarr v2."""
    data = (np.sin(np.arange(50 * 40).reshape(50, 40) / 30.0) * 10 + 280).astype("f4")
    z = zarr.create_array(
        tmp_path / "lq_sd.zarr",
        shape=data.shape,
        chunks=(20, 40),
        dtype="f4",
        zarr_format=2,
        filters=[
            ndcodecs.LinearQuantize(max_abs_error=0.01, offset=280.0),
            ndcodecs.SpatialDelta(axis=[0, 1], dtype="int32", chunk_shape=[20, 40]),
        ],
        compressors=numcodecs.Zstd(level=5),
    )
    z[...] = data
    back = zarr.open_array(tmp_path / "lq_sd.zarr", mode="r")[...]
    assert np.abs(back - data).max() <= 0.01


@pytest.mark.parametrize(
    "entry", [e for e in A2A if not e["replaces_numcodecs"]], ids=lambda e: e["codec_id"]
)
def test_an_unbound_v2_filter_says_what_to_configure(entry: dict[str, Any], tmp_path: Path):
    """A filter that cannot decode bare bytes without its chunks' dtype and shape says so."""
    config = example(entry)
    dtype = dtypes_for(entry, config, list(shape_for(entry, (6, 10))))[0]
    config = config_for(entry, dtype)
    codec = getattr(ndcodecs, entry["name"])(**config)
    if codec._elementwise() and codec._decoded_dtype() is not None:
        pytest.skip("elementwise with a fixed dtype: bare bytes decode without more")
    if codec._self_describing():
        # (interp_quantize) The encoded array records the chunk's shape: bare bytes decode
        # with nothing to configure (the v2 chains above read back unbound), and bytes that are
        # no encoded chunk are refused as such, never decoded to garbage.
        data = (np.sin(np.indices((13, 21)).sum(axis=0) / 7.0) * 40 + 280).astype(dtype)
        back = codec.decode(codec.encode(data).tobytes())
        assert_close(back, data, bound_of(entry, config), "bare bytes")
        with pytest.raises(ValueError, match="corrupt"):
            codec.decode(np.zeros(24, np.uint8))
        return
    if "chunk_shape" not in type(codec).__schema__.get("properties", {}):
        # (ycocg_r) Nothing to configure: the error says to follow it with a serializer.
        with pytest.raises(ValueError, match="array → bytes codec"):
            codec.decode(np.zeros(24, np.uint8))
        return
    data = smooth((13, 21), dtype)
    for label, compressor in v2_compressors(dtype):
        if isinstance(compressor, ndcodecs._base._ArrayToBytesCodec):
            continue  # a serializer hands the filter a typed array of the chunk's shape
        z = zarr.create_array(
            tmp_path / f"{label}.zarr",
            shape=data.shape,
            chunks=(6, 10),
            dtype=dtype,
            zarr_format=2,
            filters=[codec],
            compressors=compressor,
        )
        z[...] = data
        # Never garbage: the bytes zarr hands the filter are refused, saying what to configure.
        with pytest.raises(ValueError, match="dtype.*chunk_shape"):
            zarr.open_array(tmp_path / f"{label}.zarr", mode="r")[...]
        # Nothing is lost: configuring the stored filter as said reads the data back.
        meta_path = tmp_path / f"{label}.zarr" / ".zarray"
        meta = json.loads(meta_path.read_text())
        meta["filters"][0].update(dtype=dtype, chunk_shape=[6, 10])
        meta_path.write_text(json.dumps(meta))
        back = zarr.open_array(tmp_path / f"{label}.zarr", mode="r")[...]
        assert_close(back, data, bound_of(entry, config), f"{label}: after configuring")


@pytest.mark.parametrize(
    "entry", [e for e in A2A if not e["replaces_numcodecs"]], ids=lambda e: e["codec_id"]
)
def test_a_bound_filter_refuses_chunks_of_another_shape_or_dtype(entry: dict[str, Any]) -> None:
    config = example(entry)
    chunk = shape_for(entry, (6, 10))
    dtype = dtypes_for(entry, config, list(chunk))[0]
    bound = bound_config(entry, config_for(entry, dtype), dtype, list(chunk))
    codec = getattr(ndcodecs, entry["name"])(**bound)
    codec.encode(smooth(chunk, dtype))
    if codec._chunk_shape() is not None:
        with pytest.raises(ValueError, match="shape"):
            codec.encode(smooth((5, *chunk[1:]), dtype))


# --- item 2: edge chunks with the default fill values -------------------------------------------


def float_dtypes(entry: dict[str, Any]) -> list[str]:
    return [d for d in dtypes_for(entry, example(entry), [6, 10]) if d.startswith("float")]


@pytest.mark.parametrize("fill", [None, 0.0, float("nan")], ids=["default", "zero", "nan"])
@pytest.mark.parametrize(
    "entry", [c for c in CODECS if not c["replaces_numcodecs"]], ids=lambda e: e["codec_id"]
)
def test_edge_chunks_with_default_fill_values_in_zarr_python(
    entry: dict[str, Any], fill: float | None, tmp_path: Path
) -> None:
    """Every codec stores an array with edge chunks whatever the fill value zarr pads them with
    (a serializer that cannot hold NaN stores the edge chunk cropped); a NaN in the data comes
    back bit-exactly or is refused naming it."""
    dtypes = float_dtypes(entry) if fill is not None else dtypes_for(entry, example(entry), [6, 10])
    if not dtypes:
        pytest.skip("takes no float dtype")
    dtype = dtypes[0]
    config = config_for(entry, dtype)
    codec = getattr(zarr3, entry["name"])(**config)
    kind = entry["kind"]
    data = (np.indices((13, 21)).sum(axis=0) * 0.37 - 2.0).astype(dtype)

    def create(name: str) -> Any:
        return zarr.create_array(
            tmp_path / name,
            shape=data.shape,
            chunks=(6, 10),
            dtype=dtype,
            fill_value=fill,
            filters=[codec] if kind == "array_to_array" else None,
            serializer=codec if kind == "array_to_bytes" else "auto",
            compressors=[codec] if kind == "bytes_to_bytes" else None,
        )

    create("a.zarr")[...] = data
    back = zarr.open_array(tmp_path / "a.zarr", mode="r")[...]
    assert_close(back, data, bound_of(entry, config), entry["codec_id"])
    # Partial writes of an edge chunk (decode, update, encode).
    z = zarr.open_array(tmp_path / "a.zarr", mode="r+")
    z[12, 20] = data[12, 20] + 1
    data[12, 20] += 1
    assert_close(z[...], data, bound_of(entry, config), entry["codec_id"])
    if not dtype.startswith("float"):
        return
    nan = data.copy()
    nan[12, 3] = np.nan
    try:
        create("b.zarr")[...] = nan
    except ValueError as err:
        assert "NaN" in str(err), err
        return
    assert np.isnan(zarr.open_array(tmp_path / "b.zarr", mode="r")[12, 3])


# --- item 6: decompression bombs ----------------------------------------------------------------

# A lilcom stream written by stock lilcom 1.8.2: lilcom.compress(np.zeros((16384, 16384),
# np.float32), tick_power=-8) — 39 bytes declaring 2^28 float32 values (1 GiB decoded).
LILCOM_BOMB = bytes.fromhex(
    "4c006e02e007400080010001000200040004000280001000010820404020081100000094ffff3f"
)


def test_the_bomb_fixture_declares_2_28_elements() -> None:
    assert len(LILCOM_BOMB) <= 83
    assert ndcodecs.Lilcom()._native.stored_shape(np.frombuffer(LILCOM_BOMB, np.uint8)) == [
        16384,
        16384,
    ]


def run_limited(code: str, margin_mb: int = 128) -> str:
    """Runs ``code`` in a fresh interpreter with the address space limited to what it uses
    after ``setup`` plus ``margin_mb``; returns stdout. A crash (abort, panic) fails the test."""
    script = textwrap.dedent(
        f"""
        import resource, threading, numpy as np, zarr, numcodecs, ndcodecs
        # Threads zarr starts once the limit is set (its executor grows lazily) map their
        # stacks inside the margin: keep them small, or starting one fails at random.
        threading.stack_size(512 * 1024)
        from ndcodecs import zarr3

        def vm_size():
            for line in open("/proc/self/status"):
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024

        def limit():
            size = vm_size() + {margin_mb} * 1024 * 1024
            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            resource.setrlimit(resource.RLIMIT_AS, (size, hard))

        def unlimit():
            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))

        def attempt(name, fn):
            try:
                fn()
            except (ValueError, TypeError, MemoryError) as err:
                print(name, type(err).__name__, str(err).replace("\\n", " ")[:300])
            else:
                print(name, "ok")
        """
    ) + textwrap.dedent(code)
    env = {**os.environ, "MALLOC_ARENA_MAX": "1", "RUST_BACKTRACE": "0"}
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, f"crashed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_lilcom_bomb_raises_in_every_python_layer_under_a_memory_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.lilcom"
    bomb.write_bytes(LILCOM_BOMB)
    out = run_limited(
        f"""
        bomb = open({str(bomb)!r}, "rb").read()
        codec = ndcodecs.Lilcom(tick_power=-8)
        v3 = zarr.create_array({str(tmp_path / "v3.zarr")!r}, shape=(8, 8), chunks=(4, 4),
                               dtype="f4", serializer=zarr3.Lilcom(tick_power=-8), compressors=None)
        v3[...] = np.ones((8, 8), "f4")
        v2 = zarr.create_array({str(tmp_path / "v2.zarr")!r}, shape=(8, 8), chunks=(4, 4),
                               dtype="f4", zarr_format=2, compressors=codec)
        v2[...] = np.ones((8, 8), "f4")
        # Warm up the thread pools and caches before the limit.
        v3[...]; v2[...]; codec.decode(codec.encode(np.ones((4, 4), "f4")))
        open({str(tmp_path / "v3.zarr" / "c" / "0" / "0")!r}, "wb").write(bomb)
        open({str(tmp_path / "v2.zarr" / "0.0")!r}, "wb").write(bomb)
        limit()
        attempt("out", lambda: codec.decode(bomb, out=np.empty((4, 4), "f4")))
        attempt("out-flat", lambda: codec.decode(bomb, out=np.empty(16, "f4")))
        attempt("out-buffer", lambda: codec.decode(bomb, out=bytearray(64)))
        attempt("v3", lambda: zarr.open_array({str(tmp_path / "v3.zarr")!r}, mode="r")[...])
        attempt("plain", lambda: codec.decode(bomb))
        attempt("v2", lambda: zarr.open_array({str(tmp_path / "v2.zarr")!r}, mode="r")[...])
        attempt("get_codec", lambda: numcodecs.get_codec({{"id": "lilcom"}}).decode(bomb))
        """
    )
    results = dict(line.split(" ", 1) for line in out.strip().splitlines())
    for name in ("out", "out-flat", "out-buffer", "v3"):
        # Checked against the expected chunk before anything is allocated: a shape error.
        assert results[name].startswith("ValueError"), (name, results[name])
        assert "16384" in results[name], (name, results[name])
    for name in ("plain", "v2", "get_codec"):
        # No expected shape: the declared one is allocated, fallibly.
        assert results[name].split()[0] in ("MemoryError", "ValueError"), (name, results[name])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize(
    "entry", [c for c in A2B if not c["replaces_numcodecs"]], ids=lambda e: e["codec_id"]
)
def test_every_serializer_checks_the_stored_size_before_allocating(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    """A valid stream of a 2048 x 2048 chunk (16 MiB decoded) given where a 4 x 4 chunk is
    expected: every layer refuses it with a shape error under a memory limit far below what
    decoding it would take; without an expected shape it decodes or raises, never aborts."""
    dtype = dtypes_for(entry, example(entry), [2048, 2048])[0]
    config = config_for(entry, dtype)
    big = tmp_path / "big.bin"
    codec = getattr(ndcodecs, entry["name"])(**config)
    big.write_bytes(bytes(codec.encode(np.zeros((2048, 2048), dtype))))
    out = run_limited(
        f"""
        big = open({str(big)!r}, "rb").read()
        codec = ndcodecs.{entry["name"]}(**{config!r})
        v3 = zarr.create_array({str(tmp_path / "v3.zarr")!r}, shape=(8, 8), chunks=(4, 4),
                               dtype={dtype!r}, serializer=zarr3.{entry["name"]}(**{config!r}),
                               compressors=None)
        v3[...] = np.ones((8, 8), {dtype!r})
        v3[...]
        open({str(tmp_path / "v3.zarr" / "c" / "0" / "0")!r}, "wb").write(big)
        limit()
        attempt("out", lambda: codec.decode(big, out=np.empty((4, 4), {dtype!r})))
        attempt("v3", lambda: zarr.open_array({str(tmp_path / "v3.zarr")!r}, mode="r")[...])
        """,
        margin_mb=8,
    )
    results = dict(line.split(" ", 1) for line in out.strip().splitlines())
    for name in ("out", "v3"):
        assert results[name].startswith("ValueError") and "2048" in results[name], results


def _interp_cnn_streams(side: int, band_log2: int) -> int:
    """Streams of one grey ``side`` x ``side`` interp_cnn slice, from the spec ("Levels and
    steps"): 1 coarse stream, then per level (coarsest first) and step the step's bands."""
    levels = 0
    while levels < 8 and (-(-side // (1 << levels))) ** 2 > 64:
        levels += 1
    streams = 1
    for level in range(levels):
        n = -(-side // (1 << level))
        for py, px in ((1, 1), (0, 1), (1, 0)):
            hs, ws = (n + 1 - py) // 2, (n + 1 - px) // 2
            if hs and ws:
                rows = max(1, (1 << band_log2) // ws)
                streams += -(-hs // rows)
    return streams


def _constant_image_chunks(side: int) -> dict[str, bytes]:
    """Well-formed chunks of a constant ``side`` x ``side`` grey ``uint8`` image (value range
    0..=0, so every sample costs no bits and every stream is empty), written field by field from
    the specs: about 100 bytes that declare ``side``² samples. The CRC-32s are not the samples'
    (the tests using these chunks expect them refused, or failing, before it counts)."""
    pixel_mlp = (
        b"NDPX" + bytes([1, 0, 0, 0]) + struct.pack("<I", 2) + struct.pack("<III", 1, side, side)
        + bytes([1, 1, 0, 0]) + struct.pack("<ii", 0, 0) + struct.pack("<I", 0)  # 1 stream of 0 bytes
        + struct.pack("<I", 0)  # CRC-32
    )
    # interp_cnn: bands of 2^24 samples, every stream of length 0 (one LEB128 byte).
    interp_cnn = (
        b"NDIC" + bytes([1, 0, 0, 24]) + struct.pack("<I", 3) + struct.pack("<III", 1, side, side)
        + bytes([1, 0, 0, 0]) + struct.pack("<ii", 0, 0) + struct.pack("<I", 0)
        + bytes(_interp_cnn_streams(side, 24))
    )
    return {"PixelMlp": pixel_mlp, "InterpCnn": interp_cnn}


def test_the_constant_image_chunks_are_well_formed() -> None:
    """The chunk builder against the decoders: small constant images decode to zeros once the
    CRC-32 is the samples' (all zero bytes), and the stream count of the 2^15 image is the 79
    the cap test was written with."""
    assert _interp_cnn_streams(1 << 15, 24) == 79
    for side in (1, 9, 64, 300):
        for name, chunk in _constant_image_chunks(side).items():
            crc = struct.pack("<I", zlib.crc32(bytes(side * side)))
            at = 40 if name == "PixelMlp" else 36
            chunk = chunk[:at] + crc + chunk[at + 4 :]
            out = np.ones((side, side), "u1")
            getattr(ndcodecs, name)().decode(chunk, out=out)
            assert not out.any(), (name, side)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize("name", ["PixelMlp", "InterpCnn"])
def test_a_tiny_learned_image_chunk_declaring_2_30_samples_is_refused(name: str, tmp_path: Path) -> None:
    """A ~100-byte chunk that declares a constant 2^15 x 2^15 image (1 GiB of uint8, 4 GiB of
    the decoder's int32 planes): without an expected shape it is refused from its header (the
    2^28-sample limit of decoding on one's own) under a memory limit far below what decoding
    would take, instead of numpy allocating for it and the decoder aborting."""
    bomb = tmp_path / "bomb.bin"
    bomb.write_bytes(_constant_image_chunks(1 << 15)[name])
    out = run_limited(
        f"""
        bomb = open({str(bomb)!r}, "rb").read()
        codec = ndcodecs.{name}()
        limit()
        attempt("plain", lambda: codec.decode(bomb))
        attempt("stored_shape", lambda: codec._native.stored_shape(np.frombuffer(bomb, np.uint8)))
        """
    )
    results = dict(line.split(" ", 1) for line in out.strip().splitlines())
    for key in ("plain", "stored_shape"):
        assert results[key].startswith("ValueError"), (key, results[key])
        assert "without an expected shape" in results[key], (key, results[key])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize("name", ["PixelMlp", "InterpCnn"])
def test_a_tiny_learned_image_chunk_decoded_into_its_out_fails_cleanly_under_a_memory_limit(
    name: str, tmp_path: Path
) -> None:
    """A ~100-byte chunk that declares a constant 2^14 x 2^14 ``uint8`` image (2^28 samples, the
    most a chunk may declare without an expected shape) decoded into an ``out`` of that shape,
    allocated before the limit: the address space left (128 MiB) holds far less than the
    decoders' working planes (``int32``, 1 GiB a plane), so the decoder's own allocation is what
    fails, and it must raise ``MemoryError`` naming what it could not allocate, not abort the
    process (which infallible allocations did)."""
    bomb = tmp_path / "bomb.bin"
    bomb.write_bytes(_constant_image_chunks(1 << 14)[name])
    out = run_limited(
        f"""
        bomb = open({str(bomb)!r}, "rb").read()
        codec = ndcodecs.{name}()
        # Start rayon's pool (thread stacks) before the limit.
        codec.decode(codec.encode(np.zeros((64, 64), "u1")), out=np.empty((64, 64), "u1"))
        out = np.empty((1 << 14, 1 << 14), "u1")
        out.fill(7)  # touched, so that it is the caller's memory, not the decoder's
        limit()
        attempt("out", lambda: codec.decode(bomb, out=out))
        """
    )
    results = dict(line.split(" ", 1) for line in out.strip().splitlines())
    assert results["out"].startswith("MemoryError"), results
    assert "cannot allocate" in results["out"], results


def test_decode_into_a_small_out_fails_before_decoding() -> None:
    codec = ndcodecs.Lilcom()
    with pytest.raises(ValueError, match="16384"):
        codec.decode(LILCOM_BOMB, out=np.empty((4, 4), "f4"))
    big = ndcodecs.Lilcom(tick_power=0).encode(np.zeros((300, 300), "f4"))
    with pytest.raises(ValueError, match="300"):
        ndcodecs.Lilcom(tick_power=0).decode(big, out=np.empty(100, "f4"))
    assert math.prod(codec._native.stored_shape(np.frombuffer(big, np.uint8))) == 90000


# --- item 17: decode(out=) allocates nothing ------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize(
    "entry", [c for c in CODECS if c["kind"] != "bytes_to_bytes"], ids=lambda e: e["codec_id"]
)
def test_decode_into_out_allocates_no_output(entry: dict[str, Any]) -> None:
    """``decode(buf, out=out)`` writes into ``out``: with the address space limited to 8 MiB
    beyond what a process holding a 16 MiB chunk, its encoding and ``out`` uses, decoding into
    ``out`` succeeds (a decoder that allocated an output of its own could not)."""
    shape = shape_for(entry, (2048, 2048))
    dtype = dtypes_for(entry, example(entry), list(shape))[0]
    config = config_for(entry, dtype)
    # Working memory the decoders need besides `out` is allowed on top; an output of their own
    # is not. arith keeps an int16 copy of the decoded values for its context model (2 bytes a
    # value: 8 MiB here); pixel_mlp reconstructs into an int32 plane (16 MiB), interp_cnn into
    # an int32 plane plus per-level scratch (at most 2.5 int32 planes: 40 MiB).
    working_mb = {"arith": 8, "pixel_mlp": 16, "interp_cnn": 40}.get(entry["codec_id"], 0)
    out = run_limited(
        f"""
        codec = ndcodecs.{entry["name"]}(**{config!r})
        data = (np.arange({math.prod(shape)}) % 50 + 3).astype({dtype!r}).reshape({shape!r})
        enc = codec.encode(data)
        out = np.ones_like(data)
        codec.decode(codec.encode(data[:4]), out=np.empty_like(data[:4]))
        limit()
        attempt("out", lambda: codec.decode(enc, out=out))
        unlimit()
        print("max error", float(np.abs(out.astype("f8") - data.astype("f8")).max()))
        """,
        margin_mb=8 + working_mb,
    )
    lines = out.strip().splitlines()
    assert lines[0] == "out ok", out
    assert float(lines[1].split()[-1]) <= bound_of(entry, config), out
