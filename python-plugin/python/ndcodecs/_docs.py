"""Hand-written docstrings of the public codec classes, by codec id.

``_codecs`` gives each class the docstring here, or, for a codec without one, the docstring
numcodecs-python builds from the configuration's JSON schema (the Rust doc comments of the
configuration struct and its fields) followed by the errors every codec raises. Write one here
for the sections a schema cannot hold: parameter types and ranges as numpy users read them,
``Errors`` by exception type, ``Examples`` (run as doctests).
"""

from __future__ import annotations

DOCSTRINGS: dict[str, str] = {
    "spatial_delta": """\
    Axis-aware delta filter for n-dimensional integer arrays (numcodecs id ``spatial_delta``).

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
        difference; an empty list is refused. Unitless.
    dtype : str, numpy dtype or None, default None
        The dtype of the arrays encoded and decoded (``"int8"`` … ``"uint64"``; numpy spellings
        such as ``"<i4"`` or ``np.int32`` are accepted). None: any integer dtype. For zarr v2,
        with ``chunk_shape``: the first filter of a chain receives the compressor's bare bytes.
    chunk_shape : list of int or None, default None
        The shape (C order) of the arrays encoded and decoded: the zarr array's chunk shape.
        None: any shape. With ``dtype``, what a zarr v2 filter needs to decode bare bytes; arrays
        of another dtype or shape are then refused, and ``axis`` is checked against its rank on
        construction.
    _version : str, optional
        Version of the codec's semantics (``"0.1.0"``); written by ``get_config``, checked on
        construction. Leave it out.

    Errors
    ------
    TypeError
        On encode or decode of a float (or other non-integer) array: a float delta is not
        exactly invertible, put ``LinearQuantize`` first; for an unknown configuration field.
    ValueError
        For an empty axis list (on construction) or an axis out of range for the array; for a
        bare byte buffer given to ``decode`` without ``out`` when ``dtype`` and ``chunk_shape``
        are not configured (the encoded data do not carry their dtype and shape: pass the
        encoded ndarray, ``out=`` an ndarray of the decoded dtype and shape, or configure both);
        for an array of another dtype or shape than the configured ones.

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
    """,
    "linear_quantize": """\
    Error-bounded linear quantizer, floats to integer codes (numcodecs id ``linear_quantize``).

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
    """,
    "interp_quantize": """\
    Error-bounded multilevel interpolation predictor, floats to int32 codes (numcodecs id
    ``interp_quantize``).

    Every value is predicted from already *reconstructed* values (anchors on a coarse grid by
    the Lorenzo predictor, then level by level, coarse to fine, by cubic or linear interpolation
    along one axis at a time), its residual quantized with the error bound, and the
    reconstruction kept for the next predictions, so that ``|x - decoded| <= bound`` holds for
    every finite value, checked in the array's float type. The encoder chooses the plan
    (interpolation, axis order, a tighter bound at coarse levels, or plain Lorenzo) per chunk
    and records it. NaN, ±inf and ``fill_value`` round-trip bit-exactly and are never used to
    predict other values. The idea of SZ3's interpolation predictor (Zhao et al., ICDE 2021) and
    QoZ's level-wise bounds (Liu et al., SC 2022). Array → array: the encoded array is 1-D
    ``int32`` (a header recording the shape and the absolute bound used, a mask of the special
    values, one code per element in the predictor's order): ``N + ceil(N / 32)`` words for ``N``
    elements plus a header of ``11 + 2 ndim + ceil(log2(max extent))`` words. Follow it with an
    entropy coder (``arith``, or bytes and zstd). zarr v3
    name ``ndcodecs.interp_quantize``; zarr v2 id ``interp_quantize``.

    Parameters
    ----------
    max_abs_error : float or None, default None
        Largest absolute difference allowed between a finite input value and its decoded value,
        in the data's units; finite and > 0. Exactly one of ``max_abs_error`` and
        ``max_rel_error`` is required.
    max_rel_error : float or None, default None
        The bound as a fraction of each chunk's value range (max - min of its finite non-fill
        values; SZ3's REL mode); finite and > 0. Each encoded chunk records the absolute bound
        it used. zarr pads edge chunks with the array's fill value, which then counts in the
        range unless it is NaN or this codec's ``fill_value``.
    fill_value : float or None, default None
        Value marking missing data (e.g. netCDF's ``_FillValue`` 9.96921e36), decoded
        bit-exactly and never used as a predictor; rounded to ``dtype`` first; finite. None: no
        fill value.
    dtype : {"float32", "float64"}, default "float32"
        Dtype of the input and decoded arrays.
    _version : str, optional
        Version of the codec's semantics (``"0.1.0"``); leave it out.

    Notes
    -----
    The encoded array records the shape, so a byte buffer decodes on its own. A Fortran-ordered
    input is coded in its memory order (flagged in the header) and decodes to a Fortran-ordered
    array, as zarr v2 arrays of order ``"F"`` need.

    Errors
    ------
    ValueError
        On construction, for neither or both bounds, a bound that is not finite and > 0 or too
        small for a usable step in ``dtype``, or a non-finite ``fill_value``. On encode, for a
        value whose code does not fit int32 (a bound below about ``range / 4e9``) or a NaN with
        a non-canonical payload (the message names the value and its index). On decode, for
        codes of the wrong length, a damaged header or mask, or codes that decode to a
        non-finite value.
    TypeError
        For an input array of another dtype than ``dtype``, codes that are not ``int32``, or an
        unknown configuration field.

    Examples
    --------
    >>> import numpy as np
    >>> from ndcodecs import InterpQuantize
    >>> codec = InterpQuantize(max_abs_error=0.01)
    >>> x = np.sin(np.linspace(0, 6, 400, dtype=np.float32)).reshape(20, 20)
    >>> enc = codec.encode(x)
    >>> enc.dtype, enc.shape
    (dtype('int32'), (433,))
    >>> dec = codec.decode(enc)
    >>> dec.shape, bool((abs(dec - x) <= 0.01).all())
    ((20, 20), True)
    """,
    "crc32": """\
    CRC-32 checksum, byte-compatible with ``numcodecs.CRC32`` (numcodecs id ``crc32``).

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
    """,
    "lilcom": """\
    Lossy compression in the lilcom 1.x byte format (numcodecs id ``lilcom``).

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
    """,
    "arith": """\
    Lossless context-modelled entropy coding of integer arrays (numcodecs id ``arith``).

    Every element is predicted from its already coded neighbours along each axis (an adaptive
    sign-sign LMS predictor with a selector that switches it off where it does not help), and the
    prediction error is range-coded under adaptive models chosen by the neighbours' magnitudes and
    signs: a zero flag, a bit-length token, a sign and mantissa bits. Long runs of zeros cost next
    to nothing. Meant for the integer codes of ``linear_quantize`` → ``spatial_delta``, and for
    images and volumes after ``spatial_delta``. Array → bytes: the stream stores dtype and shape
    (rank 0 to 32, any extents including 0), a CRC-32 of header and values, and the coded values;
    every damaged stream is an error. Unsigned values are modelled as the signed integers with the
    same bits, so the wrapped differences ``spatial_delta`` leaves in unsigned arrays are small.
    zarr v3 name ``ndcodecs.arith``; zarr v2 id ``arith``.

    With ``model="fast"`` the encoder writes context model 1 instead: no prediction, a static
    table per context and chunk (16 contexts from the neighbours' bit lengths) on four interleaved
    rANS states, the low bits of each value raw; several times faster to encode and decode
    (hundreds of MB/s of int32 codes), a few percent to ~25 % larger. With ``model="fast_lanes"``
    it writes context model 2: model 1's symbols, contexts and tables with the values split into
    four lanes (contiguous sub-arrays, each its own rANS state and context chain) decoded in
    lockstep; within a fraction of a percent of model 1's size, faster to decode (about 1.4x on
    the 1-d codes of ``interp_quantize``), but unreadable by ndcodecs versions before it, which is
    why it has a name of its own. With ``model="fast_lanes16"`` it writes context model 3: model 2
    with sixteen lanes, which the decoder runs lane-parallel; faster again to decode (about 1.2x
    to 1.6x model 2 at 1e-3 of range on ``interp_quantize`` codes), 48 bytes more per chunk (the
    twelve more rANS states), so meant for chunks of thousands of values and more; unreadable by
    versions before it. Every decoder of this version reads every model.

    Parameters
    ----------
    model : {"adaptive", "fast", "fast_lanes", "fast_lanes16"}, optional
        Context model the encoder writes: ``"adaptive"`` (default; model 0, the smallest output),
        ``"fast"`` (model 1), ``"fast_lanes"`` (model 2) or ``"fast_lanes16"`` (model 3). Left
        out of ``get_config()`` when it is the default; any other value is refused.
    _version : str, optional
        Version of the codec's semantics (``"0.1.0"``); leave it out. Nothing else is
        configurable: each model is fixed by the format (``specs/arith/README.md``).

    Errors
    ------
    ValueError
        On decode of a truncated, corrupt or damaged stream (checksum mismatch), one of a newer
        format (the message says to upgrade), or one whose dtype or shape does not fit ``out``.
    TypeError
        For a float or object array, or an unknown configuration field.

    Examples
    --------
    >>> import numpy as np
    >>> from ndcodecs import Arith
    >>> codec = Arith()
    >>> x = (np.arange(600) % 7 - 3).astype(np.int32).reshape(20, 30)
    >>> y = codec.decode(codec.encode(x))
    >>> y.dtype, y.shape, bool(np.array_equal(x, y))
    (dtype('int32'), (20, 30), True)
    """,
}
