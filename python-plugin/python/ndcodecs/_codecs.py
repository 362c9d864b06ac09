"""The public codec classes (re-exported by ``ndcodecs``)."""

from __future__ import annotations

from collections.abc import Sequence

from numcodecs.registry import register_codec

from . import _native
from ._base import _ArrayToArrayCodec

__all__ = ["SpatialDelta"]


class SpatialDelta(_ArrayToArrayCodec, _native.SpatialDelta):
    """Axis-aware delta filter for n-dimensional integer arrays (numcodecs id ``spatial_delta``).

    Along each configured axis in turn the first slice is kept and every other slice becomes its
    difference with the previous slice (wrapping integer arithmetic: exact for every value).
    Decoding takes cumulative sums along the same axes in reverse order. Listing every axis gives
    the n-D Lorenzo predictor. Array → array: the encoded array has the input's shape and dtype.
    zarr v3 name ``ndcodecs.spatial_delta``; zarr v2 id ``spatial_delta``.

    Parameters
    ----------
    axis : int or list of int, default -1
        The axis, or the axes in the order they are applied on encode, along which to take
        differences. Range: ``-ndim <= axis < ndim`` for the array being encoded (negative
        values count from the last axis). Listing an axis twice takes a second-order
        difference. Unitless.
    _version : str, optional
        Version of the codec's semantics (``"0.1.0"``); written by ``get_config``, checked on
        construction. Leave it out.

    Errors
    ------
    TypeError
        On encode or decode of a float (or other non-integer) array: a float delta is not
        exactly invertible, put ``LinearQuantize`` first; for an unknown configuration field.
    ValueError
        For an empty axis list or an axis out of range for the array; for a bare byte buffer
        given to ``decode`` without ``out`` (the encoded data do not carry their dtype and shape:
        pass the encoded ndarray, or ``out=`` an ndarray of the decoded dtype and shape).

    Examples
    --------
    >>> import numpy as np
    >>> from ndcodecs import SpatialDelta
    >>> codec = SpatialDelta(axis=[0, 1])
    >>> data = np.array([[1, 2, 4], [2, 4, 8]], dtype=np.int32)
    >>> codec.encode(data).tolist()
    [[1, 1, 2], [1, 1, 2]]
    >>> bool((codec.decode(codec.encode(data)) == data).all())
    True
    """

    codec_id = "spatial_delta"

    def __init__(self, axis: int | Sequence[int] = -1, *, _version: str | None = None) -> None:
        """Configuration is validated and stored by ``__new__`` (in Rust); see the class doc."""


for _cls in (SpatialDelta,):
    register_codec(_cls)
