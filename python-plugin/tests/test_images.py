"""ycocg_r and pixel_mlp as numcodecs codecs, judged by numcodecs' own test helpers, and against
independent arithmetic (numpy's YCoCg-R; the stored bytes decoded by a fresh codec)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from numcodecs.tests.common import (
    check_config,
    check_encode_decode_array,
    check_err_encode_object_buffer,
    check_repr,
)

from conftest import DATA_DIR as DATA
from ndcodecs import PixelMlp, YcocgR

RNG = np.random.default_rng(5)


def camera() -> np.ndarray:
    return np.load(DATA / "photo_camera_gray.npy")[:96, :80]


def rgb(dtype: str = "u1") -> np.ndarray:
    c = camera().astype("i4")
    a = np.stack([c, np.roll(c, 3, 0), np.roll(c, 5, 1) // 2 + 60], -1)
    return (a * (257 if dtype == "u2" else 1)).astype(dtype)


def numpy_ycocg(a: np.ndarray) -> np.ndarray:
    r, g, b = (a[..., k].astype("i8") for k in range(3))
    co = r - b
    t = b + (co >> 1)
    cg = g - t
    return np.stack([t + (cg >> 1), co, cg], -1)


# --- ycocg_r ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["u1", "u2"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_ycocg_r_round_trip_and_numpy(dtype: str, order: str) -> None:
    a = np.asarray(rgb(dtype), order=order)
    codec = YcocgR()
    check_encode_decode_array(a, codec)
    enc = codec.encode(a)
    assert enc.dtype == ("i2" if dtype == "u1" else "i4") and enc.shape == a.shape
    np.testing.assert_array_equal(enc, numpy_ycocg(a))


def test_ycocg_r_config_repr_pickle() -> None:
    codec = YcocgR()
    check_config(codec)
    check_repr("YcocgR()")
    assert pickle.loads(pickle.dumps(codec)) == codec


def test_ycocg_r_errors() -> None:
    codec = YcocgR()
    with pytest.raises(ValueError, match="length 3"):
        codec.encode(np.zeros((4, 4), "u1"))
    with pytest.raises((TypeError, ValueError), match="uint8"):
        codec.encode(np.zeros((4, 3), "f4"))
    with pytest.raises(ValueError, match="not the transform"):
        codec.decode(np.array([[300, 0, 0]], "i2"))
    check_err_encode_object_buffer(codec)


# --- pixel_mlp ----------------------------------------------------------------------------------


def images() -> list[np.ndarray]:
    cam = camera()
    vol = np.load(DATA / "microscopy_nuclei_3d_uint16.npy")[:3, :20, :24]
    return [
        cam,
        rgb("u1"),
        rgb("u2")[:40, :30],
        (cam.astype("i2") * 50 - 6000),
        np.ascontiguousarray(vol),
        np.dstack([rgb("u1"), cam[..., None]]),
        cam[:1, :7].copy(),
    ]


@pytest.mark.parametrize("arr", images(), ids=lambda a: f"{a.dtype}{a.shape}")
def test_pixel_mlp_encode_decode_array(arr: np.ndarray) -> None:
    codec = PixelMlp(streams=4)
    check_encode_decode_array(arr, codec)
    enc = codec.encode(arr)
    assert enc.dtype == np.uint8 and enc.ndim == 1
    # fewer bytes than the raw samples for these smooth images (the header dominates tiny ones)
    if arr.size > 1000:
        assert enc.nbytes < arr.nbytes
    # a fresh codec with another configuration decodes it (the chunk is self-describing)
    np.testing.assert_array_equal(PixelMlp(streams=1).decode(enc).reshape(arr.shape), arr)


def test_pixel_mlp_beats_its_raw_size_on_a_photo() -> None:
    cam = np.load(DATA / "photo_camera_gray.npy")
    bpsp = 8 * PixelMlp().encode(cam).nbytes / cam.size
    assert 3.0 < bpsp < 4.2, bpsp  # JPEG-LS needs ~3.77 on this image, PNG ~4.43


def test_pixel_mlp_config_repr_pickle() -> None:
    codec = PixelMlp(layout="volume", streams=3)
    check_config(codec)
    check_repr("PixelMlp(layout='volume', streams=3, model=3)")
    assert pickle.loads(pickle.dumps(codec)) == codec


@pytest.mark.parametrize("model", [1, 2])
def test_pixel_mlp_older_models_still_encode_and_decode(model: int) -> None:
    cam = np.load(DATA / "photo_camera_gray.npy")[:64, :80]
    old = PixelMlp(model=model).encode(cam)
    new = PixelMlp().encode(cam)
    assert bytes(old) != bytes(new)  # the header names the model; the adaptation differs
    # decoding follows the model the chunk names, whatever the codec's configuration says
    np.testing.assert_array_equal(PixelMlp().decode(old).reshape(cam.shape), cam)
    np.testing.assert_array_equal(PixelMlp(model=model).decode(new).reshape(cam.shape), cam)


def test_pixel_mlp_errors() -> None:
    codec = PixelMlp()
    with pytest.raises((TypeError, ValueError), match="uint8, uint16 or int16"):
        codec.encode(np.zeros((4, 4), "f4"))
    with pytest.raises(ValueError, match="shape"):
        codec.encode(np.zeros((4,), "u1"))
    enc = codec.encode(camera())
    with pytest.raises(ValueError):
        codec.decode(enc[:-3])
    damaged = enc.copy()
    damaged[len(enc) // 2] ^= 0x10
    with pytest.raises(ValueError):
        codec.decode(damaged)
    out = np.empty((10, 10), "u1")
    with pytest.raises(ValueError, match="shape"):
        codec.decode(enc, out=out)
    with pytest.raises(ValueError, match="streams"):
        PixelMlp(streams=65)
    check_err_encode_object_buffer(codec)
