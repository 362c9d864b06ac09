"""ndcodecs' lilcom against stock lilcom 1.8.2 (PyPI), both ways, bit for bit; and as a numcodecs
codec judged by numcodecs' helpers."""

from __future__ import annotations

import json
from pathlib import Path

import lilcom
import numcodecs
import numpy as np
import pytest
from numcodecs.tests.common import (
    check_backwards_compatibility,
    check_config,
    check_encode_decode,
    check_encode_decode_array,
    check_err_decode_object_buffer,
    check_err_encode_object_buffer,
    check_repr,
)

from conftest import DATA_DIR, FIXTURES_DIR
from ndcodecs import Lilcom

RNG = np.random.default_rng(3)
STOCK_DIR = FIXTURES_DIR / "fixture" / "lilcom" / "stock-lilcom-1.8.2"


def stock_compress(x: np.ndarray, tick_power: int, do_regression: bool = True) -> bytes:
    # Stock lilcom overwrites a float32 C-contiguous input in place: always give it a copy.
    return lilcom.compress(
        np.array(x, copy=True), tick_power=tick_power, do_regression=do_regression
    )


def synthetic() -> list[tuple[str, np.ndarray]]:
    t = np.linspace(0, 20, 3000)
    return [
        ("sine1d", (np.sin(t) * 3).astype("f4")),
        ("noise2d", RNG.normal(0, 1, (40, 33)).astype("f4")),
        ("smooth3d", np.cumsum(RNG.normal(0, 0.1, (6, 20, 15)), axis=1).astype("f4")),
        ("tiny", np.array([0.25], dtype="f4")),
        ("large", (RNG.normal(0, 1, (50, 40)) * 1e4).astype("f4")),
        ("column", RNG.normal(0, 1, (300, 1)).astype("f4")),
    ]


def real() -> list[tuple[str, np.ndarray]]:
    fbank = np.load(DATA_DIR / "speech_librivox_fbank80.npy")
    air = np.load(DATA_DIR / "climate_hadcm3_air_temperature.npy")
    return [("fbank80", fbank[:500]), ("air_temperature", air[:20])]


CASES = [(name, a, tp) for name, a in synthetic() + real() for tp in (-8, -5, 0)]


@pytest.mark.parametrize(
    ("name", "x", "tick_power"),
    CASES,
    ids=lambda v: str(v) if not isinstance(v, np.ndarray) else "",
)
@pytest.mark.parametrize("do_regression", [True, False])
def test_ours_decodes_stock_exactly(
    name: str, x: np.ndarray, tick_power: int, do_regression: bool
) -> None:
    stream = stock_compress(x, tick_power, do_regression)
    expected = lilcom.decompress(stream)
    ours = Lilcom(tick_power=tick_power, do_regression=do_regression).decode(stream)
    assert ours.shape == expected.shape
    assert ours.dtype == np.float32
    assert ours.tobytes() == expected.astype(np.float32).tobytes()


@pytest.mark.parametrize(
    ("name", "x", "tick_power"),
    CASES,
    ids=lambda v: str(v) if not isinstance(v, np.ndarray) else "",
)
@pytest.mark.parametrize("do_regression", [True, False])
def test_stock_decodes_ours_exactly(
    name: str, x: np.ndarray, tick_power: int, do_regression: bool
) -> None:
    codec = Lilcom(tick_power=tick_power, do_regression=do_regression)
    before = x.copy()
    stream = codec.encode(x)
    np.testing.assert_array_equal(x, before)  # ours never writes to its input
    expected = lilcom.decompress(bytes(stream))
    ours = codec.decode(stream)
    assert ours.tobytes() == expected.astype(np.float32).tobytes()
    assert np.max(np.abs(ours.astype("f8") - x)) <= 2.0 ** (tick_power - 1)


def test_stock_fixtures_decode_exactly() -> None:
    """Streams written by stock lilcom 1.8.2 (make_lilcom_fixtures.py), never regenerated."""
    index = json.loads((STOCK_DIR / "index.json").read_text())
    assert index["generator"] == "lilcom 1.8.2"
    for entry in index["streams"]:
        stream = (STOCK_DIR / entry["stream"]).read_bytes()
        expected = np.load(STOCK_DIR / entry["decoded"])
        codec = Lilcom(tick_power=entry["tick_power"], do_regression=entry["do_regression"])
        assert codec.decode(stream).tobytes() == expected.tobytes(), entry["stream"]


# --- as a numcodecs codec ------------------------------------------------------------------------


def test_config_repr_pickle() -> None:
    for codec in (Lilcom(), Lilcom(tick_power=-5), Lilcom(0, False, "int16")):
        check_config(codec)
    check_repr("Lilcom(tick_power=-5, do_regression=True, dtype='float32')")
    assert numcodecs.get_codec({"id": "lilcom", "tick_power": -3}) == Lilcom(tick_power=-3)


@pytest.mark.parametrize("dtype", ["i1", "i2", "i4", "u1", "u2", "u4", "i8", "u8"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_integers_are_exact(dtype: str, order: str) -> None:
    codec = Lilcom(tick_power=0, dtype=np.dtype(dtype).name)
    hi = min(np.iinfo(dtype).max, 2**24)
    lo = max(np.iinfo(dtype).min, -(2**24))
    arr = np.asarray(RNG.integers(lo, hi, size=(30, 7), dtype=dtype), order=order)
    check_encode_decode_array(arr, codec)
    check_encode_decode(arr, codec)


@pytest.mark.parametrize("order", ["C", "F"])
def test_floats_within_bound(order: str) -> None:
    arr = np.asarray(RNG.normal(0, 1, (25, 12)).astype("f4"), order=order)
    check_encode_decode(arr, Lilcom(tick_power=-10), precision=3)
    codec = Lilcom(tick_power=-7, dtype="float64")
    x64 = arr.astype("f8")
    check_encode_decode(x64, codec, precision=2)


def test_backwards_compatibility(fixture_dir: Path) -> None:
    arrays = [a for _, a in synthetic()[:3]] + [np.arange(100, dtype="i2").reshape(10, 10)]
    check_backwards_compatibility(
        "lilcom",
        arrays[:3],
        [Lilcom(tick_power=-8), Lilcom(tick_power=-4, do_regression=False)],
        precision=[2, 1],
        prefix="float32",
    )
    check_backwards_compatibility(
        "lilcom", arrays[3:], [Lilcom(tick_power=0, dtype="int16")], prefix="int16"
    )


def test_err_object_buffers() -> None:
    codec = Lilcom(tick_power=0, dtype="int64")
    check_err_decode_object_buffer(codec)
    check_err_encode_object_buffer(codec)


def test_errors() -> None:
    with pytest.raises(ValueError, match="tick_power"):
        Lilcom(tick_power=99)
    with pytest.raises(TypeError, match="unknown field"):
        Lilcom(tickpower=-5)
    with pytest.raises(TypeError, match="dtype"):
        Lilcom().encode(np.zeros(4, dtype="f8"))
    with pytest.raises(ValueError):
        Lilcom().encode(np.array([1.0, np.nan], dtype="f4"))
    stream = bytes(Lilcom().encode(np.ones((4, 4), dtype="f4")))
    with pytest.raises(ValueError):
        Lilcom().decode(stream[: len(stream) // 2])
    with pytest.raises(TypeError):
        Lilcom().decode(stream, out=np.empty((4, 4), dtype="f8"))
    with pytest.raises(ValueError):
        Lilcom().decode(stream, out=np.empty((5, 4), dtype="f4"))
