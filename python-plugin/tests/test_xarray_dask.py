"""xarray Dataset.to_zarr with ndcodecs codecs, computed by a dask.distributed LocalCluster with two
worker processes (the codecs travel to the workers by pickle and are found there by import)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
distributed = pytest.importorskip("dask.distributed")

from ndcodecs import zarr3  # noqa: E402

BOUND = 0.01


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_to_zarr_with_ndcodecs_on_two_worker_processes(client, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    time, lat, lon = 8, 60, 90
    y, x = np.meshgrid(np.linspace(0, 3, lat), np.linspace(0, 6, lon), indexing="ij")
    t2m = (280 + 15 * np.sin(x) * np.cos(y))[None] + rng.normal(0, 0.3, (time, lat, lon))
    counts = rng.integers(0, 500, (time, lat, lon)).astype("i4").cumsum(axis=2, dtype="i4")
    ds = xr.Dataset(
        {
            "t2m": (("time", "lat", "lon"), t2m.astype("f4")),
            "counts": (("time", "lat", "lon"), counts),
        },
        coords={"time": np.arange(time), "lat": np.linspace(-60, 60, lat), "lon": np.arange(lon)},
    ).chunk({"time": 2, "lat": 30, "lon": 45})

    encoding = {
        "t2m": {
            "filters": [
                zarr3.LinearQuantize(max_abs_error=BOUND, offset=280.0, astype="int32"),
                zarr3.SpatialDelta(axis=[1, 2]),
            ],
        },
        "counts": {
            "filters": [zarr3.SpatialDelta(axis=-1)],
            "serializer": zarr3.Lilcom(tick_power=0, dtype="int32"),
            "compressors": None,
        },
    }
    store = tmp_path / "ds.zarr"
    ds.to_zarr(store, encoding=encoding, zarr_format=3, consolidated=False, compute=True)
    # The chunks were written by the worker processes, not by this one.
    assert len(client.scheduler_info()["workers"]) == 2

    back = xr.open_zarr(store, consolidated=False).load()
    assert back["t2m"].dtype == np.float32
    err = np.abs(back["t2m"].values.astype("f8") - ds["t2m"].values.astype("f8"))
    assert err.max() <= BOUND
    np.testing.assert_array_equal(back["counts"].values, counts)


def test_to_zarr_lilcom_on_the_lhotse_layout(tmp_path: Path) -> None:
    """lhotse's layout: an 80-bin fbank of 1458 frames in 500-frame chunks. xarray gives float
    variables a NaN fill value, zarr pads the last chunk (458 frames) with it, and lilcom cannot
    hold NaN: the edge chunk is stored cropped to the frames that exist (issue 13, item 2). A NaN
    in the data itself is still refused, naming it."""
    from conftest import DATA_DIR

    fbank = np.load(DATA_DIR / "speech_librivox_fbank80.npy")
    feats = np.concatenate([fbank, fbank])[:1458].astype("f4")
    ds = xr.Dataset({"feats": (("frame", "bin"), feats)})
    encoding = {
        "feats": {
            "serializer": zarr3.Lilcom(tick_power=-5),
            "compressors": None,
            "chunks": (500, 80),
        }
    }
    store = tmp_path / "fbank.zarr"
    ds.to_zarr(store, encoding=encoding, zarr_format=3, consolidated=False)
    meta = (store / "feats" / "zarr.json").read_text()
    assert '"NaN"' in meta  # the fill value xarray chose, which padded the edge chunk
    edge = np.fromfile(store / "feats" / "c" / "2" / "0", dtype=np.uint8)
    assert zarr3.Lilcom(tick_power=-5)._codec._native.stored_shape(edge) == [458, 80]
    back = xr.open_zarr(store, consolidated=False)["feats"].values
    assert back.shape == feats.shape
    assert np.abs(back - feats).max() <= 2.0**-6

    with_nan = feats.copy()
    with_nan[1200, 7] = np.nan
    bad = xr.Dataset({"feats": (("frame", "bin"), with_nan)})
    with pytest.raises(ValueError, match="NaN"):
        bad.to_zarr(tmp_path / "nan.zarr", encoding=encoding, zarr_format=3, consolidated=False)
