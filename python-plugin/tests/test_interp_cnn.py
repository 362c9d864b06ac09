"""interp_cnn as a numcodecs codec, judged by numcodecs' own test helpers."""

from __future__ import annotations

import numcodecs
import numpy as np
import pytest
from numcodecs.tests.common import (
    check_config,
    check_encode_decode_array,
    check_err_encode_object_buffer,
)

from ndcodecs import InterpCnn

RNG = np.random.default_rng(5)


def images() -> list[np.ndarray]:
    """Smooth images with noise: grey, RGB, RGBA, two channels, a volume; uint8, uint16, int16;
    one-row and one-column images. (C order only: numcodecs-python hands a Fortran-order array to
    the codec flattened, and this codec needs the image's shape.)"""
    y, x = np.mgrid[0:37, 0:29]
    base = 100 + 60 * np.sin(x / 5.0) * np.cos(y / 7.0)
    out = []
    for dtype, scale, offset in (("u1", 1, 0), ("u2", 200, 0), ("i2", 100, -15000)):
        grey = (base * scale + offset + RNG.integers(-3, 4, base.shape)).astype(dtype)
        rgb = np.stack([grey, np.roll(grey, 3, 1), grey[::-1]], -1)
        out += [
            grey,
            rgb,
            np.concatenate([rgb, grey[..., None]], -1),
            rgb[..., :2].copy(),
            np.stack([grey, grey[::-1], np.roll(grey, 5, 0)], 0),
            grey[:1].copy(),
            grey[:, :1].copy(),
        ]
    return out


@pytest.mark.parametrize("arr", images(), ids=lambda a: f"{a.dtype}{a.shape}")
def test_encode_decode_array(arr: np.ndarray) -> None:
    check_encode_decode_array(arr, InterpCnn())


def test_lossless_and_smaller_than_raw() -> None:
    arr = images()[0]  # uint8 grey, smooth with noise of ±3
    codec = InterpCnn()
    enc = codec.encode(arr)
    assert len(enc) < 0.6 * arr.nbytes  # the noise alone takes log2(7) = 2.8 bits a sample
    assert np.array_equal(codec.decode(enc), arr)


def test_config_repr_and_registry() -> None:
    codec = InterpCnn(layout="volume")
    check_config(codec)
    assert eval(repr(codec), {"InterpCnn": InterpCnn}) == codec
    assert numcodecs.get_codec({"id": "interp_cnn"}) == InterpCnn()
    assert InterpCnn.from_config(codec.get_config()) == codec


def test_errors() -> None:
    codec = InterpCnn()
    with pytest.raises(Exception, match="dtype"):
        codec.encode(np.zeros((4, 4), "f4"))
    with pytest.raises(Exception):
        codec.encode(np.zeros(16, "u1"))
    with pytest.raises(Exception):
        codec.decode(b"NDIC" + bytes(40))
    enc = bytes(codec.encode(np.arange(64, dtype="u1").reshape(8, 8)))
    for n in (0, 5, len(enc) - 1):
        with pytest.raises(Exception):
            codec.decode(enc[:n])
    with pytest.raises(Exception):
        InterpCnn(model=99).encode(np.zeros((4, 4), "u1"))
    check_err_encode_object_buffer(codec)
