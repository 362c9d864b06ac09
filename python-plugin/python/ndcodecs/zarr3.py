"""zarr-python 3 codec classes for the ndcodecs codecs.

zarr-python finds these through the ``zarr.codecs`` entry points of the ``ndcodecs`` wheel (the
entry name is the metadata name, ``ndcodecs.<codec>``), so ``zarr.open_array`` reads arrays whose
metadata names our codecs without ``import ndcodecs``. To write such an array, pass instances::

    import zarr
    from ndcodecs.zarr3 import SpatialDelta

    z = zarr.create_array(store, shape=(100, 80), chunks=(50, 80), dtype="int16",
                          filters=[SpatialDelta(axis=[0, 1])])

The classes subclass zarr-python's (private) numcodecs wrapper bases in ``zarr.codecs.numcodecs``
— array → array for ``spatial_delta`` and ``linear_quantize``, array → bytes for ``lilcom`` —
with our ``ndcodecs.`` name prefix instead of ``numcodecs.``. The metadata configuration is the
numcodecs configuration without ``id`` and is normalised on construction (defaults filled in,
``_version`` added), so what is stored says exactly what was applied. Invalid configurations fail
on construction, unsupported dtypes and axes when the array is created (``validate``).

Importing this module needs zarr-python (``pip install ndcodecs[zarr]``).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
from zarr.codecs.numcodecs import _NumcodecsArrayArrayCodec, _NumcodecsArrayBytesCodec
from zarr.core.common import JSON, parse_named_configuration

from . import _codecs

if TYPE_CHECKING:
    from zarr.core.array_spec import ArraySpec
    from zarr.core.buffer import Buffer, NDBuffer
    from zarr.core.chunk_grids import ChunkGrid
    from zarr.core.dtype.wrapper import TBaseDType, TBaseScalar, ZDType

__all__ = ["Lilcom", "LinearQuantize", "SpatialDelta"]

PREFIX = "ndcodecs."


class _NdZarrCodec:
    """Mixin before a zarr numcodecs wrapper base: our name prefix, our codec class."""

    codec_name: ClassVar[str]
    _numcodec_class: ClassVar[type]
    # Fields left out of the stored configuration unless given (they come from the chunk).
    _from_chunk: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **codec_config: JSON) -> None:
        codec_id = self.codec_name.removeprefix(PREFIX)
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

    def __repr__(self) -> str:
        config = {k: v for k, v in self.codec_config.items() if k != "id"}
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"


def _resolved_axes(axis: int | list[int], ndim: int, codec_name: str) -> list[int]:
    """``axis`` as non-negative axes of an ``ndim``-d array, or a ``ValueError``."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    if not axes:
        raise ValueError(f"{codec_name}: `axis` lists no axis")
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{codec_name}: axis {a} is out of range for a {ndim}-d array")
    return [a % ndim for a in axes]


class SpatialDelta(_NdZarrCodec, _NumcodecsArrayArrayCodec):
    """``ndcodecs.spatial_delta`` for zarr-python 3 (see ``ndcodecs.SpatialDelta``).

    Parameters
    ----------
    axis : int or list of int, default -1
        Axes along which to take differences, in encode order; ``-ndim <= axis < ndim``.
    """

    codec_name = PREFIX + "spatial_delta"
    _numcodec_class = _codecs.SpatialDelta

    def validate(
        self,
        *,
        shape: tuple[int, ...],
        dtype: ZDType[TBaseDType, TBaseScalar],
        chunk_grid: ChunkGrid,
    ) -> None:
        """Refuses an axis out of range when the array is created.

        The dtype is not checked here: zarr passes every codec the array's dtype, not the dtype
        the codecs before it produce (``linear_quantize`` turns floats into integers).
        """
        _resolved_axes(self.codec_config.get("axis", -1), len(shape), self.codec_name)  # type: ignore[arg-type]

    def resolve_metadata(self, chunk_spec: ArraySpec) -> ArraySpec:
        """Same shape and dtype out."""
        return replace(chunk_spec)

    def compute_encoded_size(self, input_byte_length: int, chunk_spec: ArraySpec) -> int:
        """Same size out."""
        return input_byte_length


class LinearQuantize(_NdZarrCodec, _NumcodecsArrayArrayCodec):
    """``ndcodecs.linear_quantize`` for zarr-python 3 (see ``ndcodecs.LinearQuantize``).

    Parameters
    ----------
    max_abs_error : float
        Required; the error bound in the data's units (> 0).
    offset : float, default 0.0
    fill_value : float or None, default None
    dtype : {"float32", "float64"}, optional
        The array's dtype; taken from the array when not given (and then stored).
    astype : {"int8", "int16", "int32", "int64"}, default "int32"
        The dtype of the codes handed to the next codec.
    """

    codec_name = PREFIX + "linear_quantize"
    _numcodec_class = _codecs.LinearQuantize
    # Without an explicit `dtype` the array's float dtype is stored (see evolve_from_array_spec).
    _from_chunk = ("dtype",)

    @classmethod
    def from_relative_error(
        cls, data: Any, max_rel_error: float, *, fill_value: float | None = None, **config: JSON
    ) -> Self:
        """The codec for ``data`` with ``max_abs_error = max_rel_error * value range`` (SZ3's REL
        mode, resolved against the data: see ``ndcodecs.LinearQuantize.from_relative_error``);
        ``config`` as for the constructor (``offset``, ``astype``)."""
        codec = _codecs.LinearQuantize.from_relative_error(
            data, max_rel_error, fill_value=fill_value, **config
        )
        stored = {k: v for k, v in codec.get_config().items() if k not in ("id", "_version")}
        return cls(**stored)

    def evolve_from_array_spec(self, array_spec: ArraySpec) -> Self:
        """Fills in ``dtype`` from a float32/float64 array when it was not given."""
        if "dtype" in self.codec_config:
            return self
        native = np.dtype(array_spec.dtype.to_native_dtype())
        if native.name not in ("float32", "float64"):
            return self  # left to the codec, which reports the dtype it expects
        config = {k: v for k, v in self.codec_config.items() if k != "id"}
        return type(self)(**config, dtype=native.name)

    def resolve_metadata(self, chunk_spec: ArraySpec) -> ArraySpec:
        """Same shape; the dtype becomes ``astype``."""
        from zarr.dtype import parse_dtype

        astype = np.dtype(str(self.codec_config.get("astype", "int32")))
        return replace(chunk_spec, dtype=parse_dtype(astype, zarr_format=3))

    def compute_encoded_size(self, input_byte_length: int, chunk_spec: ArraySpec) -> int:
        """Scaled by the ratio of the code and float item sizes."""
        dtype = np.dtype(str(self.codec_config.get("dtype", "float32")))
        astype = np.dtype(str(self.codec_config.get("astype", "int32")))
        return input_byte_length // dtype.itemsize * astype.itemsize


class Lilcom(_NdZarrCodec, _NumcodecsArrayBytesCodec):
    """``ndcodecs.lilcom`` for zarr-python 3 (see ``ndcodecs.Lilcom``): array → bytes.

    Parameters
    ----------
    tick_power : int, default -8
        Step exponent, ``-20..=20``; every value is within ``2**(tick_power - 1)``.
    do_regression : bool, default True
    dtype : str, optional
        Ignored in zarr: the codec codes the dtype of the chunks it receives (the array's, or the
        last filter's output), as ndcodecs-zarrs does. Not stored unless given.
    """

    codec_name = PREFIX + "lilcom"
    _numcodec_class = _codecs.Lilcom
    # As in ndcodecs-zarrs: the codec takes the dtype of the chunks it receives (the array's, or
    # the last filter's output); a configured `dtype` is replaced by it.
    _from_chunk = ("dtype",)

    def _codec_for(self, chunk_spec: ArraySpec) -> _codecs.Lilcom:
        """The numcodecs codec for the chunks' dtype (cached per dtype)."""
        dtype = np.dtype(chunk_spec.dtype.to_native_dtype()).name
        cache: dict[str, _codecs.Lilcom] = self.__dict__.setdefault("_codec_by_dtype", {})
        if dtype not in cache:
            config = {k: v for k, v in self.codec_config.items() if k != "id"}
            cache[dtype] = _codecs.Lilcom(**{**config, "dtype": dtype})
        return cache[dtype]

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
            decoded = decoded.reshape(())  # lilcom stores a 0-d array as shape (1,)
        if decoded.shape != tuple(chunk_spec.shape):
            raise ValueError(
                f"{self.codec_name}: the stored chunk has shape {decoded.shape}, the array's "
                f"chunks have shape {tuple(chunk_spec.shape)}"
            )
        return chunk_spec.prototype.nd_buffer.from_ndarray_like(decoded)
