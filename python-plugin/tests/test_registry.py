"""Walks the codec list of the native module (the Rust crate ``ndcodecs-registry``) and checks that
every layer of the Python package has every listed codec: the public numcodecs class, the
numcodecs registry, the entry points in ``pyproject.toml`` and in the installed wheel's metadata,
the zarr-python 3 wrapper and zarr-python's registry (also in a fresh interpreter, through the
entry points alone), each with a round trip.

A codec whose zarr v3 name starts with ``numcodecs.`` re-implements one of numcodecs' own codecs:
it has a public class, but no entry points and no zarr-python wrapper, and numcodecs keeps its own
codec under the id.
"""

from __future__ import annotations

import importlib.metadata
import json
import tomllib
from pathlib import Path
from typing import Any

import numcodecs
import numcodecs.abc
import numpy as np
import pytest
import zarr
import zarr.registry

import ndcodecs
from conftest import run_fresh
from ndcodecs import _base, _native, zarr3

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
CODECS = _native.codecs()
OURS = [c for c in CODECS if not c["replaces_numcodecs"]]
IDS = [c["codec_id"] for c in CODECS]


def entry_points_in_pyproject(group: str) -> dict[str, str]:
    return tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"].get(group, {})


def installed_entry_points(group: str) -> dict[str, importlib.metadata.EntryPoint]:
    return {
        ep.name: ep
        for ep in importlib.metadata.entry_points(group=group)
        if ep.value.split(":")[0].split(".")[0] == "ndcodecs"
    }


def example(entry: dict[str, Any]) -> dict[str, Any]:
    return json.loads(entry["example_config"])


def sample(entry: dict[str, Any], config: dict[str, Any]) -> np.ndarray:
    """A small smooth array of a dtype the codec takes (edge-sized, 13 x 21)."""
    values = np.add.outer(np.arange(13), 3 * np.arange(21))
    if entry["kind"] == "bytes_to_bytes":
        return values.astype("int16")
    fixed = _native.decoded_dtype(entry["codec_id"], json.dumps(config))
    candidates = [fixed] if fixed else ["int16", "float32", "uint8"]
    for dtype in candidates:
        try:
            if entry["kind"] == "array_to_array":
                _native.encoded_dtype(entry["codec_id"], json.dumps(config), dtype)
            else:
                _native.bind(entry["codec_id"], json.dumps(config), dtype, [13, 21])
        except (TypeError, ValueError):
            continue
        return values.astype(dtype)
    pytest.fail(f"{entry['codec_id']} takes none of {candidates}")


def test_the_list_is_not_empty_and_names_are_unique() -> None:
    assert len(CODECS) >= 4
    for key in ("name", "codec_id", "zarr_v3_name"):
        values = [c[key] for c in CODECS]
        assert len(values) == len(set(values)), key


@pytest.mark.parametrize("entry", CODECS, ids=IDS)
def test_numcodecs_class(entry: dict[str, Any]) -> None:
    cls = getattr(ndcodecs, entry["name"])
    assert entry["name"] in ndcodecs.__all__
    assert issubclass(cls, numcodecs.abc.Codec)
    assert issubclass(cls, _base.KIND_BASES[entry["kind"]])
    assert cls.codec_id == entry["codec_id"]
    config = example(entry)
    codec = cls(**config)
    assert cls.from_config(codec.get_config()) == codec
    doc = cls.__doc__ or ""
    for field in codec.get_config():
        if field != "id":
            assert f"{field} :" in doc, f"{entry['name']} does not document {field}"
    assert "Errors" in doc
    # A round trip through numcodecs' own calling convention.
    data = sample(entry, config)
    decoded = np.asarray(codec.decode(codec.encode(data)))
    if entry["kind"] == "bytes_to_bytes":
        decoded = decoded.view(data.dtype)
    decoded = decoded.reshape(data.shape)
    bound = _native.max_abs_error(entry["codec_id"], json.dumps(config)) or 0.0
    assert np.abs(decoded.astype("f8") - data.astype("f8")).max() <= bound


@pytest.mark.parametrize("entry", CODECS, ids=IDS)
def test_numcodecs_registry(entry: dict[str, Any]) -> None:
    codec = numcodecs.get_codec({"id": entry["codec_id"], **example(entry)})
    ours = type(codec) is getattr(ndcodecs, entry["name"])
    assert ours != entry["replaces_numcodecs"], type(codec)


@pytest.mark.parametrize("group", ["numcodecs.codecs", "zarr.codecs"])
def test_entry_points_in_pyproject_and_in_the_installed_wheel(group: str) -> None:
    if group == "numcodecs.codecs":
        expected = {c["codec_id"]: f"ndcodecs:{c['name']}" for c in OURS}
    else:
        expected = {c["zarr_v3_name"]: f"ndcodecs.zarr3:{c['name']}" for c in OURS}
    assert entry_points_in_pyproject(group) == expected, f"pyproject.toml [{group}]"
    installed = installed_entry_points(group)
    assert {name: ep.value for name, ep in installed.items()} == expected, (
        f"installed metadata [{group}]: reinstall the package (pip install ./python-plugin)"
    )
    for name, ep in installed.items():
        cls = ep.load()
        if group == "numcodecs.codecs":
            assert cls.codec_id == name
        else:
            assert cls.codec_name == name


@pytest.mark.parametrize("entry", CODECS, ids=IDS)
def test_zarr3_wrapper(entry: dict[str, Any], tmp_path: Path) -> None:
    if entry["replaces_numcodecs"]:
        assert entry["name"] not in zarr3.__all__
        return
    cls = getattr(zarr3, entry["name"])
    assert entry["name"] in zarr3.__all__
    assert cls.codec_name == entry["zarr_v3_name"]
    assert zarr.registry.get_codec_class(entry["zarr_v3_name"]) is cls
    config = example(entry)
    codec = cls(**config)
    assert cls.from_dict(codec.to_dict()) == codec
    data = sample(entry, config)
    kind = entry["kind"]
    z = zarr.create_array(
        tmp_path / "a.zarr",
        shape=data.shape,
        chunks=(6, 10),
        dtype=data.dtype,
        filters=[codec] if kind == "array_to_array" else None,
        serializer=codec if kind == "array_to_bytes" else "auto",
        compressors=[codec] if kind == "bytes_to_bytes" else None,
    )
    z[:] = data
    back = zarr.open_array(tmp_path / "a.zarr", mode="r")[:]
    bound = _native.max_abs_error(entry["codec_id"], json.dumps(config)) or 0.0
    assert np.abs(back.astype("f8") - data.astype("f8")).max() <= bound


def test_a_fresh_interpreter_finds_every_codec_through_entry_points() -> None:
    configs = [{"id": c["codec_id"], **example(c)} for c in OURS]
    names = [c["zarr_v3_name"] for c in OURS]
    out = run_fresh(
        "import sys, numcodecs, zarr.registry\n"
        "assert 'ndcodecs' not in sys.modules\n"
        f"for config in {configs!r}:\n"
        "    print(type(numcodecs.get_codec(config)).__module__)\n"
        f"for name in {names!r}:\n"
        "    print(zarr.registry.get_codec_class(name).__module__)\n"
    )
    expected = ["ndcodecs._codecs"] * len(configs) + ["ndcodecs.zarr3"] * len(names)
    assert out.splitlines() == expected
