"""arith's context models 1 to 3 (``model="fast"``, ``model="fast_lanes"``,
``model="fast_lanes16"``) through numcodecs and zarr: round trips with numcodecs' own helpers,
the configuration field, and streams of every model read by every codec."""

from __future__ import annotations

import numcodecs
import numpy as np
import pytest
from numcodecs.tests.common import check_encode_decode_array

from ndcodecs import Arith


def int_arrays() -> list[np.ndarray]:
    rng = np.random.default_rng(9)
    out = []
    for dtype in ["u1", "u2", "u4", "u8", "i1", "i2", "i4", "i8"]:
        info = np.iinfo(dtype)
        out.append(rng.integers(info.min, info.max, size=(17, 23), dtype=dtype, endpoint=True))
        out.append((rng.laplace(0, 4, size=(5, 6, 7))).astype(dtype))
    out.append(np.zeros((0, 3), dtype="i4"))
    out.append(np.array(-5, dtype="i2"))
    out.append(np.asfortranarray(np.arange(60, dtype="i4").reshape(6, 10) % 7 - 3))
    return out


MODELS = [("fast", 1), ("fast_lanes", 2), ("fast_lanes16", 3)]


@pytest.mark.parametrize("model", [m for m, _ in MODELS])
@pytest.mark.parametrize("arr", int_arrays(), ids=lambda a: f"{a.dtype}{a.shape}")
def test_fast_model_round_trips(arr: np.ndarray, model: str) -> None:
    check_encode_decode_array(arr, Arith(model=model))


@pytest.mark.parametrize(("model", "model_id"), MODELS)
def test_fast_model_config_and_stream(model: str, model_id: int) -> None:
    codec = Arith(model=model)
    assert codec.get_config()["model"] == model
    assert "model" not in Arith().get_config()
    assert numcodecs.get_codec({"id": "arith", "model": model}) == codec
    x = (np.arange(4096, dtype="i4").reshape(64, 64) % 13) - 6
    enc = bytes(codec.encode(x))
    assert enc[:2] == b"AR" and enc[4] == model_id  # the model id in the header
    # either codec decodes either model
    np.testing.assert_array_equal(Arith().decode(enc), x)
    enc0 = bytes(Arith().encode(x))
    assert enc0[4] == 0
    np.testing.assert_array_equal(codec.decode(enc0), x)
    with pytest.raises((ValueError, TypeError), match="model"):
        Arith(model="huffman")


@pytest.mark.parametrize("model", [m for m, _ in MODELS])
def test_fast_model_errors(model: str) -> None:
    codec = Arith(model=model)
    enc = bytes(codec.encode(np.arange(1000, dtype="i4") % 9 - 4))
    with pytest.raises(ValueError):
        codec.decode(enc[:-1])
    with pytest.raises(ValueError):
        codec.decode(enc + b"\0")
    for i in range(len(enc)):
        flipped = bytearray(enc)
        flipped[i] ^= 0x04
        with pytest.raises(ValueError):
            codec.decode(bytes(flipped))
    newer = bytearray(enc)
    newer[4] = 4
    with pytest.raises(ValueError, match="upgrade"):
        codec.decode(bytes(newer))


@pytest.mark.parametrize("model", [m for m, _ in MODELS])
def test_fast_model_in_a_zarr_array(tmp_path, model: str) -> None:
    zarr = pytest.importorskip("zarr")
    from ndcodecs.zarr3 import Arith as Arith3  # noqa: PLC0415

    x = ((np.arange(40 * 50).reshape(40, 50) * 7) % 23 - 11).astype("i2")
    z = zarr.create_array(
        tmp_path / "a.zarr",
        shape=x.shape,
        chunks=(16, 32),
        dtype=x.dtype,
        serializer=Arith3(model=model),
        compressors=None,
    )
    z[...] = x
    np.testing.assert_array_equal(zarr.open_array(tmp_path / "a.zarr")[...], x)
