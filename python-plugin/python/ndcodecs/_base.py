"""The thin Python layer shared by every ndcodecs codec class.

The native classes (``ndcodecs._native``) come from numcodecs-python: they subclass
``numcodecs.abc.Codec``, release the GIL while Rust works and convert numpy arrays to Rust
arrays. This module adds what numcodecs' conventions need on top:

- ``bytes``-like input is viewed as a typed array before Rust sees it (numpy would otherwise
  turn ``bytes`` into a 0-d ``|S`` array); where the dtype or shape of an encoded buffer cannot
  be known, a ``ValueError`` says so instead of a wrong answer;
- ``out=`` may be an ndarray of any order or a writable untyped buffer;
- a Fortran-ordered input comes back Fortran-ordered;
- errors from Rust arrive as ``ValueError`` (bad data or configuration) or ``TypeError``
  (unsupported dtype, unknown configuration field), with the Rust message;
- positional constructor arguments, a ``repr`` that evaluates back, and pickling by config.
"""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np
from numcodecs.compat import ensure_contiguous_ndarray, ensure_ndarray_like, ndarray_copy

from . import _native

__all__: list[str] = []

_T = TypeVar("_T")

# Substrings of Rust/serde error messages that mean "wrong type", not "wrong value".
_TYPE_ERROR_MARKERS = (
    "unsupported dtype",
    "unknown field",
    "missing field",
    "invalid type:",
    "did not match any variant",
)


def _translate(err: Exception) -> Exception:
    """Maps the plain ``Exception`` numcodecs-python raises for a Rust error to a Python one."""
    message = str(err)
    if any(marker in message for marker in _TYPE_ERROR_MARKERS):
        return TypeError(message)
    return ValueError(message)


def _call(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Calls a native method and re-raises a Rust error as ``ValueError``/``TypeError``.

    numcodecs-python raises ``Exception`` itself (not a subclass) for an error returned by the
    Rust codec; any other exception type already has a meaning and passes through unchanged.
    """
    try:
        return fn(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - narrowed by the type check below
        if type(err) is Exception:
            raise _translate(err) from None
        raise


def _rebuild(cls: type[_T], config: dict[str, Any]) -> _T:
    """Unpickles a codec from its class and configuration (see ``_NdCodec.__reduce__``)."""
    return cls(**config)


def _is_typed(buf: Any) -> bool:
    """True if ``buf`` is an ndarray whose dtype says what its elements are."""
    return isinstance(buf, np.ndarray) and buf.dtype.kind in "biuf"


def _only_fortran(arr: np.ndarray) -> bool:
    """True for an array that is Fortran-contiguous but not C-contiguous."""
    return arr.ndim > 1 and arr.flags.f_contiguous and not arr.flags.c_contiguous


def _check_not_object(arr: Any, what: str) -> None:
    """numcodecs' rule: object arrays are never encoded or decoded into (``TypeError``)."""
    if isinstance(arr, np.ndarray) and arr.dtype.hasobject:
        raise TypeError(f"cannot {what} an object array (dtype {arr.dtype})")


def _typed_out(
    out: Any, dtype: np.dtype, shape: tuple[int, ...], order: str = "C"
) -> np.ndarray:
    """``out`` as a writable ndarray of ``dtype`` and ``shape``.

    An ndarray must already have that dtype and size (it may have another shape of the same
    size, as numcodecs allows); an untyped writable buffer (``bytearray``, ``memoryview``) must
    hold exactly the decoded bytes, and receives them in memory ``order`` (that of the decoded
    array, as numcodecs' compressors copy memory).
    """
    if isinstance(out, np.ndarray):
        _check_not_object(out, "decode into")
        if out.dtype != dtype:
            raise TypeError(f"out has dtype {out.dtype}, the decoded data has dtype {dtype}")
        if out.shape == tuple(shape):
            return out
        if out.size != int(np.prod(shape)):
            raise ValueError(
                f"out has {out.size} elements, the decoded data has shape {tuple(shape)}"
            )
        return out.reshape(shape, order="A")
    view = ensure_contiguous_ndarray(out).view(np.uint8)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if view.nbytes != nbytes:
        raise ValueError(f"out holds {view.nbytes} bytes, the decoded data needs {nbytes}")
    return view.view(dtype).reshape(shape, order=order)


class _NdCodec:
    """Mixin placed before a native class: the numcodecs conventions described above.

    A subclass sets ``codec_id`` and an ``__init__`` whose signature lists the configuration
    fields in order (it is used for positional arguments and documentation; the values
    themselves are validated by Rust, which also applies the defaults). ``_codecs`` builds the
    subclasses from the native codec list.
    """

    codec_id: ClassVar[str]
    _params: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Records the positional parameter names of the subclass's ``__init__``."""
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
            cls._params = tuple(
                p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
            )

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        """Builds the Rust codec from the configuration (positional arguments allowed)."""
        if len(args) > len(cls._params):
            raise TypeError(
                f"{cls.__name__}() takes at most {len(cls._params)} positional arguments "
                f"({len(args)} given)"
            )
        for name, value in zip(cls._params, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
            kwargs[name] = value
        kwargs.pop("id", None)
        return _call(super().__new__, cls, **kwargs)  # type: ignore[misc]

    def get_config(self) -> dict[str, Any]:
        """The configuration as a JSON-compatible dict, with ``id`` and ``_version``."""
        return copy.deepcopy(self._config())

    def _config(self) -> dict[str, Any]:
        """The configuration, read from Rust once (codecs are immutable); do not modify."""
        try:
            return self.__dict__["_ndcodecs_config"]  # type: ignore[no-any-return]
        except KeyError:
            config = _call(super().get_config)  # type: ignore[misc]
            self.__dict__["_ndcodecs_config"] = config
            return config  # type: ignore[no-any-return]

    @classmethod
    def from_config(cls: type[_T], config: dict[str, Any]) -> _T:
        """Creates a codec from a configuration dict (``id`` may be present)."""
        config = dict(config)
        config.pop("id", None)
        return cls(**config)

    def __repr__(self) -> str:
        config = self.get_config()
        args = ", ".join(
            f"{key}={value!r}" for key, value in config.items() if key not in ("id", "_version")
        )
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        get_config = getattr(other, "get_config", None)
        return get_config is not None and self.get_config() == get_config()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __reduce__(self) -> tuple[Any, ...]:
        config = self.get_config()
        config.pop("id", None)
        return (_rebuild, (type(self), config))

    def _ask(self, question: str, *args: Any) -> Any:
        """Asks the Rust codec ``question`` (a function of ``_native``) about this configuration,
        once per codec and arguments (codecs are immutable)."""
        cache: dict[tuple[Any, ...], Any] = self.__dict__.setdefault("_ndcodecs_answers", {})
        key = (question, *args)
        if key not in cache:
            config = {k: v for k, v in self._config().items() if k != "id"}
            cache[key] = getattr(_native, question)(self.codec_id, json.dumps(config), *args)
        return cache[key]

    def _check_config(self) -> None:
        """Raises ``ValueError`` (or ``TypeError``) if the Rust codec refuses its configuration.

        ``from_config`` cannot fail in Rust: a codec that accepted a configuration it cannot use
        would otherwise say so only on first use.
        """
        self._ask("check_config")

    # -- helpers for the subclasses --------------------------------------------------------

    def _native_encode(self, arr: np.ndarray) -> np.ndarray:
        """The Rust codec's encode (GIL released), errors mapped."""
        return _call(super().encode, arr)  # type: ignore[misc]

    def _native_decode(self, buf: Any, out: Any = None) -> Any:
        """The Rust codec's decode (GIL released), errors mapped."""
        return _call(super().decode, buf, out)  # type: ignore[misc]


class _ArrayToArrayCodec(_NdCodec):
    """An array → array codec.

    Encoded data are typed arrays, of the input's shape, or 1-D for a codec whose encoded array
    records the decoded shape (``interp_quantize``: *self-describing*). A bare byte buffer can
    be decoded only when the dtype and shape come from elsewhere: ``out`` (an ndarray), or
    ``_encoded_dtype`` for a codec whose configuration fixes the encoded dtype and that works
    elementwise or is self-describing.
    """

    def _encoded_dtype(self) -> np.dtype | None:
        """The dtype of the encoded array if the configuration fixes it, else ``None``."""
        decoded = self._decoded_dtype()
        if decoded is None:
            return None
        return np.dtype(self._ask("encoded_dtype", decoded.name))

    def _elementwise(self) -> bool:
        """True if decoding does not depend on the array's shape."""
        return bool(self._ask("elementwise"))

    def _self_describing(self) -> bool:
        """True if the encoded array is 1-D and records the decoded shape."""
        return bool(self._ask("self_describing"))

    def _decoded_dtype(self) -> np.dtype | None:
        """The dtype of the arrays this codec encodes if the configuration fixes it, else None."""
        name = self._ask("decoded_dtype")
        return None if name is None else np.dtype(name)

    def encode(self, buf: Any) -> np.ndarray:
        """Encodes ``buf`` (an ndarray or any buffer-protocol object).

        An untyped buffer (``bytes``, ``bytearray``, ...) is read as a 1-D array of the
        configured dtype, or of ``uint8`` for a codec without one. Returns an array of the same
        shape; C-ordered, or F-ordered for an F-ordered input.
        """
        _check_not_object(buf, "encode")
        arr = ensure_ndarray_like(buf)
        _check_not_object(arr, "encode")
        dtype = self._decoded_dtype()
        if dtype is not None and not _is_typed(buf) and arr.dtype != dtype:
            raw = ensure_contiguous_ndarray(arr).view(np.uint8)
            if raw.nbytes % dtype.itemsize:
                raise ValueError(
                    f"{self.codec_id}: a buffer of {raw.nbytes} bytes does not hold whole "
                    f"{dtype} elements"
                )
            arr = raw.view(dtype)
        enc = self._native_encode(arr)
        return np.asfortranarray(enc) if _only_fortran(arr) else enc

    def _typed_encoded(self, buf: Any, out: Any) -> np.ndarray:
        """The encoded data as a typed array of the right shape, or a ``ValueError``."""
        _check_not_object(buf, "decode")
        dtype = self._encoded_dtype()
        if _is_typed(buf) and (dtype is None or buf.dtype == dtype or buf.dtype.itemsize > 1):
            return buf
        # Untyped, or bytes (a uint8 array) for a codec whose encoded dtype is wider.
        raw = ensure_contiguous_ndarray(buf).view(np.uint8)
        self_describing = dtype is not None and self._self_describing()
        if not self_describing and isinstance(out, np.ndarray) and out.dtype.kind in "biuf":
            enc_dtype = dtype if dtype is not None else out.dtype
            if raw.nbytes != out.size * enc_dtype.itemsize:
                raise ValueError(
                    f"{self.codec_id}: {raw.nbytes} encoded bytes do not fill out "
                    f"(shape {out.shape}, encoded dtype {enc_dtype})"
                )
            order = "F" if _only_fortran(out) else "C"
            return raw.view(enc_dtype).reshape(out.shape, order=order)
        if dtype is not None and (self_describing or self._elementwise()):
            if raw.nbytes % dtype.itemsize:
                raise ValueError(
                    f"{self.codec_id}: {raw.nbytes} encoded bytes are not a whole number of "
                    f"{dtype} elements"
                )
            return raw.view(dtype)
        raise ValueError(
            f"{self.codec_id}: cannot decode an untyped byte buffer: the encoded dtype and shape "
            "are not stored with the data. Pass the encoded ndarray itself, or `out=` an ndarray "
            "of the decoded dtype and shape."
        )

    def decode(self, buf: Any, out: Any = None) -> Any:
        """Decodes ``buf``; fills and returns ``out`` when given.

        ``buf`` is the encoded ndarray, or a byte buffer when ``out`` is an ndarray (its shape
        and dtype say how to read the bytes).
        """
        if out is not None:
            _check_not_object(out, "decode into")
        enc = self._typed_encoded(buf, out)
        if out is None:
            dec = self._native_decode(enc)
            return np.asfortranarray(dec) if _only_fortran(enc) else dec
        dec = self._native_decode(enc)
        target = _typed_out(out, dec.dtype, dec.shape, "F" if _only_fortran(dec) else "C")
        np.copyto(target, dec.reshape(target.shape), casting="no")
        return out


class _BytesToBytesCodec(_NdCodec):
    """A bytes → bytes codec: works on the bytes of any buffer, in memory order."""

    def encode(self, buf: Any) -> np.ndarray:
        """Encodes the bytes of ``buf`` (any buffer-protocol object, memory order).

        Returns a 1-D ``uint8`` array.
        """
        _check_not_object(buf, "encode")
        raw = ensure_contiguous_ndarray(buf).view(np.uint8)
        return self._native_encode(raw)

    def decode(self, buf: Any, out: Any = None) -> Any:
        """Decodes the bytes of ``buf``; returns a 1-D ``uint8`` array, or fills ``out``."""
        _check_not_object(buf, "decode")
        if out is not None:
            _check_not_object(out, "decode into")
        raw = ensure_contiguous_ndarray(buf).view(np.uint8)
        dec = self._native_decode(raw)
        return dec if out is None else ndarray_copy(dec, out)


class _ArrayToBytesCodec(_NdCodec):
    """An array → bytes codec whose configuration fixes the array dtype (``lilcom``).

    The stream stores the shape of a C-ordered array; an F-ordered array is coded as its 1-D
    memory image (as numcodecs' compressors code its bytes), so numcodecs' and zarr v2's
    ``reshape(-1, order="A")`` / ``reshape(shape, order=...)`` of the decoded array always give
    the original back.
    """

    def _dtype(self) -> np.dtype:
        """The array dtype the configuration names."""
        name = self._ask("decoded_dtype")
        if name is None:
            raise ValueError(
                f"{self.codec_id}: the configuration names no array dtype: pass a typed ndarray"
            )
        return np.dtype(name)

    def encode(self, buf: Any) -> np.ndarray:
        """Encodes an ndarray of the configured dtype, or any buffer holding such elements.

        Returns a 1-D ``uint8`` array: one encoded stream.
        """
        _check_not_object(buf, "encode")
        if isinstance(buf, np.ndarray) and buf.dtype.kind in "biuf":
            arr = buf
        else:
            arr = ensure_ndarray_like(buf)
            _check_not_object(arr, "encode")
            if arr.dtype.kind not in "biuf" or arr.dtype.itemsize == 1:
                dtype = self._dtype()
                raw = ensure_contiguous_ndarray(arr).view(np.uint8)
                if raw.nbytes % dtype.itemsize:
                    raise ValueError(
                        f"{self.codec_id}: a buffer of {raw.nbytes} bytes does not hold whole "
                        f"{dtype} elements"
                    )
                arr = raw.view(dtype)
        if _only_fortran(arr):
            # Memory order, as numcodecs' compressors: the stream holds the 1-D memory image, so
            # both numcodecs' `reshape(-1, order="A")` and `reshape(shape, order="F")` of the
            # decoded array give the input back (per-axis prediction is then along memory only).
            arr = arr.reshape(-1, order="A")
        return self._native_encode(arr)

    def decode(self, buf: Any, out: Any = None) -> Any:
        """Decodes one stream (any buffer); returns an array of the configured dtype and stored
        shape, or fills ``out`` (an ndarray of the configured dtype and the same size, or a
        writable buffer of the same byte size) in memory order.
        """
        _check_not_object(buf, "decode")
        raw = ensure_contiguous_ndarray(buf).view(np.uint8)
        if out is None:
            return self._native_decode(raw)
        _check_not_object(out, "decode into")
        name = self._ask("decoded_dtype")
        if isinstance(out, np.ndarray) and name is not None and out.dtype != np.dtype(name):
            raise TypeError(
                f"{self.codec_id}: out has dtype {out.dtype}, this codec decodes to {name}"
            )
        dec = self._native_decode(raw)
        return ndarray_copy(dec, out)


# The mixin of each codec kind, by the kind's name in the native codec list.
KIND_BASES: dict[str, type[_NdCodec]] = {
    "array_to_array": _ArrayToArrayCodec,
    "array_to_bytes": _ArrayToBytesCodec,
    "bytes_to_bytes": _BytesToBytesCodec,
}
