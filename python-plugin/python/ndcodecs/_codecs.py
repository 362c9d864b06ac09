"""The public codec classes (re-exported by ``ndcodecs``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from numcodecs.registry import register_codec

from . import _native
from ._base import _ArrayToArrayCodec, _ArrayToBytesCodec, _BytesToBytesCodec

__all__ = ["Crc32", "Lilcom", "LinearQuantize", "SpatialDelta"]


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


class LinearQuantize(_ArrayToArrayCodec, _native.LinearQuantize):
    """Error-bounded linear quantizer, floats to integer codes (numcodecs id ``linear_quantize``).

    Each finite value ``x`` becomes the integer code ``q ≈ (x - offset) / step`` and decodes to
    ``offset + q * step`` (in the array's float type), with ``|x - decoded| <= max_abs_error``
    guaranteed for every finite value (a value no code can meet is an error, never a silent
    violation). ``step`` is ``max_abs_error * 63/32``. NaN, ±inf and ``fill_value`` round-trip
    bit-exactly through reserved codes at the ends of the code dtype. Array → array, elementwise:
    the encoded array has the input's shape and dtype ``astype``. Follow it with a lossless
    compressor (e.g. ``SpatialDelta`` and zstd). zarr v3 name ``ndcodecs.linear_quantize``; zarr v2
    id ``linear_quantize``.

    Parameters
    ----------
    max_abs_error : float
        Required. Largest absolute difference allowed between a finite input value and its
        decoded value, in the data's units; finite and > 0.
    offset : float, default 0.0
        Value that code 0 decodes to, in the data's units; finite. The middle of the data's range
        lets narrower code dtypes fit.
    fill_value : float or None, default None
        Value marking missing data (e.g. netCDF's ``_FillValue`` 9.96921e36), stored under a
        reserved code and decoded bit-exactly; rounded to ``dtype`` first. None: no fill value.
    dtype : {"float32", "float64"}, default "float32"
        Dtype of the input and decoded arrays.
    astype : {"int8", "int16", "int32", "int64"}, default "int32"
        Dtype of the integer codes. Finite codes span the dtype's range minus 5 reserved codes
        (``-125..=125`` for int8).
    _version : str, optional
        Version of the codec's semantics (``"0.1.0"``); leave it out.

    Errors
    ------
    ValueError
        On construction, for a ``max_abs_error`` that is not finite and > 0 (or too small for a
        usable step in ``dtype``), or a non-finite ``offset``/``fill_value``. On encode, for a
        value whose code falls outside ``astype`` (use a wider ``astype`` or an ``offset``), or
        a NaN with a non-canonical payload. On decode, for a byte buffer whose size is not a
        whole number of codes.
    TypeError
        For an input array of another dtype than ``dtype``, codes of another dtype than
        ``astype``, or an unknown configuration field.

    Examples
    --------
    >>> import numpy as np
    >>> from ndcodecs import LinearQuantize
    >>> codec = LinearQuantize(max_abs_error=0.01, offset=273.15, astype="int16")
    >>> x = np.array([271.5, 273.15, 280.004], dtype=np.float32)
    >>> codec.encode(x).tolist()
    [-84, 0, 348]
    >>> bool((abs(codec.decode(codec.encode(x)) - x) <= 0.01).all())
    True
    """

    codec_id = "linear_quantize"

    def __init__(
        self,
        max_abs_error: float,
        offset: float = 0.0,
        fill_value: float | None = None,
        dtype: str = "float32",
        astype: str = "int32",
        *,
        _version: str | None = None,
    ) -> None:
        """Configuration is validated and stored by ``__new__`` (in Rust); see the class doc."""
        # The Rust codec reports an invalid configuration on first use: check it now.
        self._native_encode(np.empty(0, dtype=self._decoded_dtype()))

    def _decoded_dtype(self) -> np.dtype:
        """The configured float dtype."""
        return np.dtype(self._config()["dtype"])

    def _encoded_dtype(self) -> np.dtype:
        """The configured code dtype (``astype``)."""
        return np.dtype(self._config()["astype"])

    def _elementwise(self) -> bool:
        """Quantisation does not depend on the shape."""
        return True

    @classmethod
    def from_relative_error(
        cls,
        data: npt.ArrayLike,
        max_rel_error: float,
        *,
        fill_value: float | None = None,
        offset: float = 0.0,
        astype: str = "int32",
    ) -> LinearQuantize:
        """A codec for ``data`` bounded relative to its value range (SZ3's REL mode).

        ``max_abs_error = max_rel_error * (max - min)`` over the finite values of ``data`` other
        than ``fill_value`` (matched by bits after rounding to the data's dtype, as the codec
        matches it), computed in float64; ``dtype`` is the data's. The codec has no header, so
        the relative bound is resolved here, against the data at hand (typically the whole
        array before it is written): the configuration stores the absolute ``max_abs_error`` and
        every chunk gets the same bound. The Rust function
        ``ndcodecs_linear_quantize::max_abs_error_from_relative`` and the ``ndcodecs`` command
        line's ``linear_quantize(max_rel_error=...)`` compute the same value.

        Parameters
        ----------
        data : array_like of float32 or float64, any shape
            The values the bound is relative to.
        max_rel_error : float
            The bound as a fraction of the value range (e.g. ``1e-3``); finite and > 0.
        fill_value, offset, astype
            As for the constructor.

        Errors
        ------
        TypeError
            For data that are not float32 or float64.
        ValueError
            For a ``max_rel_error`` that is not finite and > 0, or data with no finite value
            other than the fill value, or with a value range of 0 (give ``max_abs_error``).

        Examples
        --------
        >>> import numpy as np
        >>> from ndcodecs import LinearQuantize
        >>> sst = np.array([271.5, 280.0, 9.96921e36, 301.5], dtype=np.float32)
        >>> codec = LinearQuantize.from_relative_error(sst, 1e-3, fill_value=9.96921e36)
        >>> codec.get_config()["max_abs_error"] == 1e-3 * (301.5 - 271.5)
        True
        """
        a = np.asarray(data)
        bound = _max_abs_error_from_relative(a, max_rel_error, fill_value)
        return cls(
            max_abs_error=bound,
            offset=offset,
            fill_value=fill_value,
            dtype=a.dtype.name,
            astype=astype,
        )


def _max_abs_error_from_relative(
    a: np.ndarray, max_rel_error: float, fill_value: float | None
) -> float:
    """``max_rel_error * (max - min)`` of the finite values of ``a`` other than ``fill_value``."""
    if a.dtype not in (np.dtype("float32"), np.dtype("float64")):
        raise TypeError(
            f"linear_quantize: relative bounds need float32 or float64 data, not {a.dtype}"
        )
    if not (np.isfinite(max_rel_error) and max_rel_error > 0):
        raise ValueError(
            f"linear_quantize: max_rel_error must be a finite number > 0, found {max_rel_error!r}"
        )
    keep = np.isfinite(a)
    if fill_value is not None:
        bits = a.dtype.str.replace("f", "u")
        keep &= a.view(bits) != np.asarray(fill_value, dtype=a.dtype).view(bits)
    values = a[keep]
    if values.size == 0:
        raise ValueError(
            "linear_quantize: max_rel_error: the data hold no finite value other than the fill "
            "value, so they have no value range"
        )
    value_range = float(values.max()) - float(values.min())
    if value_range == 0:
        raise ValueError(
            f"linear_quantize: max_rel_error: every value is {float(values.min())!r} (value range "
            "0), so a relative bound is 0; give max_abs_error instead"
        )
    return float(max_rel_error) * value_range


class Crc32(_BytesToBytesCodec, _native.Crc32):
    """CRC-32 checksum, byte-compatible with ``numcodecs.CRC32`` (numcodecs id ``crc32``).

    Encoding puts the CRC-32 (zlib's polynomial) of the input's bytes, as a 4-byte little-endian
    integer, before (or after) them; decoding checks and strips it. Bytes → bytes; the input's
    bytes are taken in memory order, like numcodecs.

    This class is *not* registered under ``crc32``: that id stays numcodecs' own ``CRC32``, which
    writes the same bytes, so stock users are unaffected and zarr-python's ``numcodecs.crc32``
    keeps meaning numcodecs' codec. Use this class directly where the Rust implementation is
    wanted.

    Parameters
    ----------
    location : {"start", "end"}, default "start"
        Where the 4-byte checksum goes.
    _version : str, optional
        Version of the codec's semantics (``"0.1.0"``); leave it out.

    Errors
    ------
    ValueError
        On decode of fewer than 4 bytes, or when the stored checksum does not match the data
        (numcodecs' ``CRC32`` raises ``RuntimeError`` for the latter); for an invalid
        ``location``.
    TypeError
        For an object array, or an unknown configuration field.
    """

    codec_id = "crc32"

    def __init__(self, location: str = "start", *, _version: str | None = None) -> None:
        """Configuration is validated and stored by ``__new__`` (in Rust); see the class doc."""


class Lilcom(_ArrayToBytesCodec, _native.Lilcom):
    """Lossy compression in the lilcom 1.x byte format (numcodecs id ``lilcom``).

    Every element is quantised to a multiple of ``2**tick_power`` after predicting it from the
    previously reconstructed element along each axis (one regression coefficient per axis, in the
    header), and the integer residuals are coded with lilcom's adaptive bit-width code. The streams
    are those of stock lilcom (PyPI ``lilcom``, format stable since 1.1): stock
    ``lilcom.decompress`` reads ours, and ours decodes stock ``lilcom.compress`` output to exactly
    what ``lilcom.decompress`` returns. Every decoded value is within ``2**(tick_power - 1)`` of
    the input. Array → bytes: the stream stores the shape (1 to 15 axes, each >= 1; a 0-d array is
    stored as shape ``(1,)``). An F-ordered array is coded as its 1-D memory image (as numcodecs'
    compressors code bytes; decoding gives that 1-D array back). The input is never modified (stock
    lilcom overwrites a float32 C-contiguous input). zarr v3 name ``ndcodecs.lilcom``; zarr v2 id
    ``lilcom``.

    Parameters
    ----------
    tick_power : int, default -8
        Quantisation step exponent: values are coded as multiples of ``2**tick_power`` (unit: the
        data's own). Range ``-20..=20``. lhotse stores speech features with -5.
    do_regression : bool, default True
        Predict each element from its previous neighbour along every axis; False codes every
        element on its own.
    dtype : str, default "float32"
        The array dtype encoded and decoded: ``"float32"`` (lilcom's own), ``"float64"`` (decoded
        from float32, so at most float32 precision comes back), or an integer dtype
        (``"int8"``..``"int64"``, ``"uint8"``..``"uint64"``), exact for ``tick_power <= 0`` and
        magnitudes up to 2**24.
    _version : str, optional
        Version of the codec's semantics (``"0.1.0"``); leave it out.

    Errors
    ------
    ValueError
        On encode of NaN, ±inf or a value beyond ``±(2**31 - 1) * 2**tick_power`` (the message
        names it); on decode of a truncated or corrupt stream, or one whose shape does not fit
        ``out``; for ``tick_power`` outside ``-20..=20``.
    TypeError
        For an array (or ``out``) of another dtype than ``dtype``, an object array, or an unknown
        configuration field.

    Examples
    --------
    >>> import numpy as np
    >>> from ndcodecs import Lilcom
    >>> codec = Lilcom(tick_power=-6)
    >>> x = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    >>> y = codec.decode(codec.encode(x))
    >>> y.shape, bool(np.all(np.abs(y - x) <= 2.0**-7))
    ((3, 4), True)
    """

    codec_id = "lilcom"

    def __init__(
        self,
        tick_power: int = -8,
        do_regression: bool = True,
        dtype: str = "float32",
        *,
        _version: str | None = None,
    ) -> None:
        """Configuration is validated and stored by ``__new__`` (in Rust); see the class doc."""


for _cls in (SpatialDelta, LinearQuantize, Lilcom):
    register_codec(_cls)
