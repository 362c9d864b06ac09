"""zarr-python 3 codec classes for the ndcodecs codecs.

zarr-python finds these through the ``zarr.codecs`` entry points of the ``ndcodecs`` wheel (the
entry name is the metadata name, ``ndcodecs.<codec>``), so ``zarr.open_array`` reads arrays whose
metadata names our codecs without ``import ndcodecs``. To write such an array, pass instances::

    import zarr
    from ndcodecs.zarr3 import SpatialDelta

    z = zarr.create_array(store, shape=(100, 80), chunks=(50, 80), dtype="int16",
                          filters=[SpatialDelta(axis=[0, 1])])

There is one class per codec of the native codec list whose metadata name starts with
``ndcodecs.`` (a codec that re-implements one of numcodecs' own, ``crc32``, is left to
zarr-python's ``numcodecs.*`` wrappers), built here by kind: each subclasses zarr-python's
(private) numcodecs wrapper base of its kind in ``zarr.codecs.numcodecs`` (array → array,
array → bytes, bytes → bytes) with our ``ndcodecs.`` name prefix instead of ``numcodecs.``. The
metadata configuration is the numcodecs configuration without ``id`` and is normalised on
construction (defaults filled in, ``_version`` added), so what is stored says exactly what was
applied. Invalid configurations fail on construction, unsupported axes when the array is created
(``validate``), unsupported dtypes on first use. What the wrappers need to know about a codec
(encoded dtype and shape, accepted axes, the codec as it applies to a chunk's dtype) they ask the
Rust codec, through ``ndcodecs._native``.

Importing this module needs zarr-python (``pip install ndcodecs[zarr]``).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import math
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
from zarr.codecs.numcodecs import (
    _NumcodecsArrayArrayCodec,
    _NumcodecsArrayBytesCodec,
    _NumcodecsBytesBytesCodec,
)
from zarr.core.common import JSON, parse_named_configuration

from . import _codecs, _native

if TYPE_CHECKING:
    from zarr.core.array_spec import ArraySpec
    from zarr.core.buffer import Buffer, NDBuffer
    from zarr.core.chunk_grids import ChunkGrid
    from zarr.core.dtype.wrapper import TBaseDType, TBaseScalar, ZDType

PREFIX = "ndcodecs."


class _NdZarrCodec:
    """Mixin before a zarr numcodecs wrapper base: our name prefix, our codec class."""

    codec_name: ClassVar[str]
    codec_id: ClassVar[str]
    _numcodec_class: ClassVar[type]
    # The configuration field naming the decoded dtype, if any (from the codec list).
    _dtype_field: ClassVar[str | None] = None
    # Fields left out of the stored configuration unless given (they come from the chunk).
    _from_chunk: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **codec_config: JSON) -> None:
        codec_id = self.codec_id
        given_id = codec_config.pop("id", codec_id)
        if given_id != codec_id:
            raise ValueError(f"codec id {given_id!r} given to the {self.codec_name} codec")
        # Normalise through the codec itself: validates the configuration now, fills in defaults.
        config = self._numcodec_class(**codec_config).get_config()
        config.pop("id", None)
        for key in self._from_chunk:
            if key not in codec_config:
                config.pop(key, None)
        object.__setattr__(self, "codec_config", {"id": codec_id, **config})

    @classmethod
    def from_dict(cls, data: dict[str, JSON]) -> Self:
        """Creates the codec from zarr v3 metadata ``{"name": ..., "configuration": {...}}``."""
        name, configuration = parse_named_configuration(data, require_configuration=False)
        if name != cls.codec_name:
            raise ValueError(f"expected codec name {cls.codec_name!r}, found {name!r}")
        return cls(**(configuration or {}))

    @cached_property
    def _codec(self) -> Any:
        """The numcodecs codec this zarr codec runs."""
        config = dict(self.codec_config)
        config.pop("id", None)
        return self._numcodec_class(**config)

    def _config_json(self) -> str:
        """The stored configuration without ``id``, as JSON (for the native module)."""
        return json.dumps({k: v for k, v in self.codec_config.items() if k != "id"})

    def __repr__(self) -> str:
        config = {k: v for k, v in self.codec_config.items() if k != "id"}
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"


def _native_dtype(chunk_spec: ArraySpec) -> np.dtype:
    """The numpy dtype of a chunk (or array) spec."""
    return np.dtype(chunk_spec.dtype.to_native_dtype())


class _ArrayArrayWrapper(_NdZarrCodec, _NumcodecsArrayArrayCodec):
    """An array → array codec: the encoded dtype and shape, and the axes it accepts, come from
    the Rust codec."""

    def validate(
        self,
        *,
        shape: tuple[int, ...],
        dtype: ZDType[TBaseDType, TBaseScalar],
        chunk_grid: ChunkGrid,
    ) -> None:
        """Refuses a rank or axis the codec does not take when the array is created.

        The dtype is not checked here: zarr passes every codec the array's dtype, not the dtype
        the codecs before it produce (``linear_quantize`` turns floats into integers).
        """
        _native.encoded_shape(self.codec_id, self._config_json(), list(shape))

    def evolve_from_array_spec(self, array_spec: ArraySpec) -> Self:
        """Fills in the configuration's dtype field from the array when it was not given (and
        the codec takes the array's dtype)."""
        field = self._dtype_field
        if field is None or field in self.codec_config:
            return self
        config = {k: v for k, v in self.codec_config.items() if k != "id"}
        try:
            return type(self)(**config, **{field: _native_dtype(array_spec).name})
        except (TypeError, ValueError):
            return self  # left to the codec, which reports the dtype it expects

    def resolve_metadata(self, chunk_spec: ArraySpec) -> ArraySpec:
        """The encoded chunk's dtype and shape, as the Rust codec gives them."""
        from zarr.dtype import parse_dtype

        config = self._config_json()
        encoded = _native.encoded_dtype(self.codec_id, config, _native_dtype(chunk_spec).name)
        shape = _native.encoded_shape(self.codec_id, config, list(chunk_spec.shape))
        return replace(
            chunk_spec, dtype=parse_dtype(np.dtype(encoded), zarr_format=3), shape=tuple(shape)
        )

    def compute_encoded_size(self, input_byte_length: int, chunk_spec: ArraySpec) -> int:
        """Scaled by the ratio of the encoded and decoded item sizes and element counts."""
        decoded = _native_dtype(chunk_spec)
        encoded = self.resolve_metadata(chunk_spec)
        elements = input_byte_length // decoded.itemsize
        shape = tuple(chunk_spec.shape)
        if math.prod(shape):
            elements = elements * math.prod(encoded.shape) // math.prod(shape)
        return elements * _native_dtype(encoded).itemsize


class _ArrayBytesWrapper(_NdZarrCodec, _NumcodecsArrayBytesCodec):
    """An array → bytes codec, bound to the dtype (and shape) of the chunks it receives: the
    array's, or the last filter's output, as ndcodecs-zarrs does."""

    def _codec_for(self, chunk_spec: ArraySpec) -> Any:
        """The numcodecs codec for the chunks of ``chunk_spec`` (cached per dtype and shape)."""
        dtype = _native_dtype(chunk_spec).name
        key = (dtype, tuple(chunk_spec.shape))
        cache: dict[tuple[Any, ...], Any] = self.__dict__.setdefault("_codec_by_chunk", {})
        if key not in cache:
            bound = json.loads(
                _native.bind(self.codec_id, self._config_json(), dtype, list(chunk_spec.shape))
            )
            bound.pop("id", None)
            cache[key] = self._numcodec_class(**bound)
        return cache[key]

    async def _encode_single(self, chunk_data: NDBuffer, chunk_spec: ArraySpec) -> Buffer:
        # zarr v3 chunks are logical arrays: code them in C order whatever their memory order.
        chunk = np.ascontiguousarray(chunk_data.as_numpy_array())
        encoded = await asyncio.to_thread(self._codec_for(chunk_spec).encode, chunk)
        return chunk_spec.prototype.buffer.from_bytes(encoded.tobytes())

    async def _decode_single(self, chunk_data: Buffer, chunk_spec: ArraySpec) -> NDBuffer:
        codec = self._codec_for(chunk_spec)
        decoded = await asyncio.to_thread(codec.decode, chunk_data.as_numpy_array())
        if (
            decoded.shape != tuple(chunk_spec.shape)
            and chunk_spec.shape == ()
            and decoded.size == 1
        ):
            decoded = decoded.reshape(())  # a 0-d chunk may be stored as shape (1,) (lilcom)
        if decoded.shape != tuple(chunk_spec.shape):
            raise ValueError(
                f"{self.codec_name}: the stored chunk has shape {decoded.shape}, the array's "
                f"chunks have shape {tuple(chunk_spec.shape)}"
            )
        return chunk_spec.prototype.nd_buffer.from_ndarray_like(decoded)


class _BytesBytesWrapper(_NdZarrCodec, _NumcodecsBytesBytesCodec):
    """A bytes → bytes codec."""


_WRAPPER_BASES: dict[str, type[_NdZarrCodec]] = {
    "array_to_array": _ArrayArrayWrapper,
    "array_to_bytes": _ArrayBytesWrapper,
    "bytes_to_bytes": _BytesBytesWrapper,
}


def _section(doc: str, title: str) -> str:
    """The body of the numpy-docstring section ``title`` of ``doc`` (empty if absent)."""
    lines = inspect.cleandoc(doc).splitlines()
    for i in range(len(lines) - 1):
        if lines[i].strip() == title and set(lines[i + 1].strip()) == {"-"}:
            body = []
            for j in range(i + 2, len(lines)):
                nxt = lines[j + 1].strip() if j + 1 < len(lines) else ""
                if lines[j] and not lines[j].startswith(" ") and nxt and set(nxt) == {"-"}:
                    break
                body.append(lines[j])
            return "\n".join(body).strip("\n")
    return ""


def _make_wrapper(entry: dict[str, Any]) -> type[_NdZarrCodec]:
    """The zarr-python 3 class of one codec of the list."""
    name = entry["name"]
    numcodec_class = getattr(_codecs, name)
    field = entry["dtype_field"]
    doc = (
        f"``{entry['zarr_v3_name']}`` for zarr-python 3 (see ``ndcodecs.{name}``): "
        f"{_codecs.KIND_TEXT[entry['kind']]}.\n\n"
        "The configuration is that of the numcodecs class, without ``id``."
    )
    if field is not None and entry["kind"] == "array_to_array":
        doc += f"\n``{field}`` is taken from the array when not given (and then stored)."
    elif field is not None:
        doc += (
            f"\n``{field}`` is ignored: the codec codes the dtype of the chunks it receives (the"
            "\narray's, or the last filter's output), as ndcodecs-zarrs does. Not stored unless"
            " given."
        )
    parameters = _section(numcodec_class.__doc__ or "", "Parameters")
    if parameters:
        doc += f"\n\nParameters\n----------\n{parameters}\n"
    namespace = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": doc,
        "codec_name": entry["zarr_v3_name"],
        "codec_id": entry["codec_id"],
        "_numcodec_class": numcodec_class,
        "_dtype_field": field,
        "_from_chunk": () if field is None else (field,),
    }
    return type(name, (_WRAPPER_BASES[entry["kind"]],), namespace)


def __getattr__(name: str) -> type[Any]:
    """For static type checkers: the classes are built at import from the native codec list."""
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__: list[str] = []
for _entry in _codecs.CODECS:
    if _entry["replaces_numcodecs"]:
        continue
    globals()[_entry["name"]] = _make_wrapper(_entry)
    __all__.append(_entry["name"])
__all__.sort()
del _entry
