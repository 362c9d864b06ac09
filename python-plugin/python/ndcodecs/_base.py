"""The thin Python layer shared by every ndcodecs codec class, one mixin per codec kind.

The native classes (``ndcodecs._native.<Name>``) come from numcodecs-python: they subclass
``numcodecs.abc.Codec``, hold the configuration and its JSON schema, and register with numcodecs.
Encoding and decoding do not go through numcodecs-python's generic array conversion: each codec
instance holds a ``_native.NativeCodec`` (the Rust codec of the ``ndcodecs-registry`` list behind
the trait of its kind), and the mixins here hand it 1-d ``uint8`` views of the caller's arrays
and of outputs allocated here, in numpy, with the sizes the caller expects. So:

- the only passes over the data are the codec's own and one output allocation (none with
  ``out=``); the GIL is released while Rust works;
- every decoder checks what the encoded data declare (a header's shape, the number of codes)
  against the chunk or ``out`` it is to fill before anything is allocated, and numpy allocates
  fallibly (``MemoryError``), so no input can abort the interpreter;
- arrays of any rank numpy allows cross (numcodecs-python's conversion panics above 32
  dimensions);
- a dtype no codec takes (bool, float16, complex, datetime, strings, structured, object) is a
  ``TypeError`` naming it and the codec, never a silent reinterpretation of its bytes (bytes →
  bytes codecs work on the bytes of any buffer but object arrays, as numcodecs' own do);
- configuration values are normalised first (numpy scalars and dtype spellings such as ``"<f4"``
  or ``np.float32``), and a value a JSON configuration cannot hold (NaN, infinities, integers
  beyond 64 bits) is refused naming the codec, the field, the value and what is accepted, as
  are the errors Rust reports;
- ``bytes``-like input is viewed as a typed array before Rust sees it; where the dtype or shape
  of an encoded buffer cannot be known, a ``ValueError`` says what to configure instead of a
  wrong answer (zarr v2: an array → array codec configured with ``dtype`` and ``chunk_shape``
  reads the bare bytes a compressor returns);
- ``out=`` may be an ndarray of any order or a writable untyped buffer; a Fortran-ordered input
  comes back Fortran-ordered;
- positional constructor arguments, a ``repr`` that evaluates back, and pickling by config.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np
from numcodecs.compat import ensure_contiguous_ndarray, ensure_ndarray_like

from . import _native

__all__: list[str] = []

_T = TypeVar("_T")

#: The dtypes ndcodecs codecs take.
NUMERIC_DTYPES = tuple(
    np.dtype(name)
    for name in (
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float32",
        "float64",
    )
)
_ACCEPTED_DTYPES = "int8..int64, uint8..uint64, float32 and float64 (native byte order)"

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
    """Calls a numcodecs-python method and re-raises a Rust error as ``ValueError``/``TypeError``.

    numcodecs-python raises ``Exception`` itself (not a subclass) for an error returned by the
    Rust codec; any other exception type already has a meaning and passes through unchanged.
    """
    try:
        return fn(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - narrowed by the type check below
        if type(err) is Exception:
            raise _translate(err) from None
        raise


def _config_error(codec_id: str, message: str) -> ValueError:
    """A ``ValueError`` for an invalid configuration (raised by the callers, type errors as
    ``TypeError`` through ``_translate``)."""
    return ValueError(f"{codec_id}: invalid configuration: {message}")


def _rebuild(cls: type[_T], config: dict[str, Any]) -> _T:
    """Unpickles a codec from its class and configuration (see ``_NdCodec.__reduce__``)."""
    return cls(**config)


# -- arrays ------------------------------------------------------------------------------------


def _dtype_kind(dtype: np.dtype) -> str:
    """What a dtype is, in words, for error messages."""
    kinds = {
        "b": "boolean",
        "c": "complex",
        "m": "timedelta",
        "M": "datetime",
        "O": "object",
        "S": "bytes string",
        "U": "unicode string",
        "V": "structured or void",
    }
    return kinds.get(dtype.kind, "numeric")


_NUMERIC_SET = frozenset(NUMERIC_DTYPES)


def check_dtype(codec_id: str, dtype: np.dtype, what: str = "encode") -> None:
    """Raises ``TypeError`` for a dtype ndcodecs codecs do not take, naming it and the codec."""
    if dtype in _NUMERIC_SET and dtype.isnative:
        return
    if dtype.hasobject:
        raise TypeError(f"{codec_id}: cannot {what} an object array (dtype {dtype})")
    if dtype.newbyteorder("=") not in NUMERIC_DTYPES or dtype.fields is not None:
        raise TypeError(
            f"{codec_id}: unsupported dtype {dtype} ({_dtype_kind(dtype)}): cannot {what} it; "
            f"ndcodecs codecs take {_ACCEPTED_DTYPES}"
        )
    if not dtype.isnative:
        raise TypeError(
            f"{codec_id}: unsupported dtype {dtype.str} (non-native byte order): cannot {what} "
            "it; ndcodecs codecs take native-endian arrays: convert with "
            "arr.astype(arr.dtype.newbyteorder('='))"
        )


def _is_typed(buf: Any) -> bool:
    """True if ``buf`` is an ndarray (whose dtype says what its elements are)."""
    return isinstance(buf, np.ndarray)


def _only_fortran(arr: np.ndarray) -> bool:
    """True for an array that is Fortran-contiguous but not C-contiguous."""
    return arr.ndim > 1 and arr.flags.f_contiguous and not arr.flags.c_contiguous


def _check_not_object(arr: Any, what: str) -> None:
    """numcodecs' rule: object arrays are never encoded or decoded into (``TypeError``)."""
    if isinstance(arr, np.ndarray) and arr.dtype.hasobject:
        raise TypeError(f"cannot {what} an object array (dtype {arr.dtype})")


def _raw(arr: np.ndarray) -> np.ndarray:
    """The bytes of a C-contiguous array, as a 1-d ``uint8`` view (no copy)."""
    return arr.reshape(-1).view(np.uint8)


def _raw_buffer(buf: Any) -> np.ndarray:
    """The bytes of any buffer (memory order), as a 1-d ``uint8`` array (no copy if
    contiguous)."""
    if isinstance(buf, np.ndarray):
        _check_not_object(buf, "decode")
        arr = buf if _contiguous(buf) else np.ascontiguousarray(buf)
        return _flat_memory(arr).view(np.uint8)
    return ensure_contiguous_ndarray(buf).reshape(-1).view(np.uint8)


def _contiguous(arr: np.ndarray) -> bool:
    """True for a C- or F-contiguous array."""
    return bool(arr.flags.c_contiguous or arr.flags.f_contiguous)


def _flat_memory(arr: np.ndarray) -> np.ndarray:
    """A contiguous array's elements in memory order, 1-d (a view)."""
    return arr.reshape(-1, order="A")


def _writable_raw(out: Any) -> np.ndarray | None:
    """The bytes of a writable contiguous output, as a 1-d ``uint8`` view; ``None`` if ``out`` is
    an ndarray that is not contiguous."""
    if isinstance(out, np.ndarray):
        if not _contiguous(out):
            return None
        view = _flat_memory(out).view(np.uint8)
    else:
        view = ensure_contiguous_ndarray(out).reshape(-1).view(np.uint8)
    if not view.flags.writeable:
        raise ValueError("out is read-only")
    return view


# -- configuration -----------------------------------------------------------------------------


def _schema_strings(schema: dict[str, Any]) -> list[str]:
    """The string constants a field's schema enumerates (``enum``, ``const``, nested choices)."""
    found: list[str] = []
    for value in schema.get("enum", []):
        if isinstance(value, str):
            found.append(value)
    if isinstance(schema.get("const"), str):
        found.append(schema["const"])
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _schema_strings(sub)
    return found


def _schema_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a field's schema allows."""
    types = schema.get("type", [])
    found = {types} if isinstance(types, str) else set(types)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found |= _schema_types(sub)
    if "enum" in schema or "const" in schema:
        found.add("string")
    return found


def _is_dtype_name(name: str) -> bool:
    try:
        return np.dtype(name).name == name
    except TypeError:
        return False


def _accepted(schema: dict[str, Any]) -> str:
    """What a field's schema accepts, in words."""
    strings = _schema_strings(schema)
    types = _schema_types(schema)
    parts = []
    if strings:
        parts.append("one of " + ", ".join(repr(s) for s in strings))
    if "number" in types or "integer" in types:
        word = "a finite number" if "number" in types else "an integer"
        bounds = []
        for key, sign in (
            ("minimum", ">="),
            ("exclusiveMinimum", ">"),
            ("maximum", "<="),
            ("exclusiveMaximum", "<"),
        ):
            if key in schema:
                bounds.append(f"{sign} {schema[key]}")
        parts.append(" ".join([word, *bounds]))
    if "array" in types:
        parts.append("a list")
    if "boolean" in types:
        parts.append("True or False")
    if "null" in types:
        parts.append("None")
    return " or ".join(parts) if parts else "see the codec's documentation"


def _normalize_value(codec_id: str, name: str, value: Any, schema: dict[str, Any]) -> Any:
    """One configuration value as JSON can hold it, or a ``ValueError`` naming the codec, the
    field, the value and what is accepted."""
    if isinstance(value, np.generic) and not isinstance(value, np.void):
        value = value.item()
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        items = schema.get("items", {}) if isinstance(schema.get("items"), dict) else {}
        if not items:
            for sub in schema.get("anyOf", []) + schema.get("oneOf", []):
                if isinstance(sub.get("items"), dict):
                    items = sub["items"]
        return [_normalize_value(codec_id, name, v, items) for v in value]
    strings = _schema_strings(schema)
    if value is not None and strings and all(_is_dtype_name(s) for s in strings):
        # A dtype field: numpy spellings ("<f4", "f4", np.float32, np.dtype("float32")).
        try:
            dtype = np.dtype(value)
        except (TypeError, ValueError):
            dtype = None
        if dtype is not None and not isinstance(value, bool):
            if not dtype.isnative and dtype.byteorder != "|":
                raise _config_error(
                    codec_id,
                    f"{name}: {value!r} is not accepted: ndcodecs codecs work in native byte "
                    f"order; give {_accepted(schema)}",
                )
            return dtype.name
    if isinstance(value, bool):
        return value
    types = _schema_types(schema)
    if isinstance(value, float) and not math.isfinite(value):
        raise _config_error(
            codec_id,
            f"{name}: {value!r} is not accepted: a JSON configuration holds finite numbers "
            f"only; give {_accepted(schema)}",
        )
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        if "number" in types:
            try:
                return float(value)
            except OverflowError:
                pass
        digits = str(value)
        shown = (
            digits if len(digits) <= 24 else f"{digits[:8]}... (an integer of {len(digits)} digits)"
        )
        raise _config_error(
            codec_id,
            f"{name}: {shown} is not accepted: it is outside the range of a 64-bit "
            f"{'float' if 'number' in types else 'integer'}; give {_accepted(schema)}",
        )
    return value


def normalize_config(codec_id: str, schema: dict[str, Any], config: dict[str, Any]) -> dict:
    """The configuration with numpy values and dtype spellings normalised (see the module
    docs); ``ValueError`` for a value JSON cannot hold."""
    properties = schema.get("properties", {})
    return {
        key: _normalize_value(codec_id, key, value, properties.get(key, {}))
        for key, value in config.items()
    }


def _json(codec_id: str, config: dict[str, Any]) -> str:
    """The configuration as JSON, or an error naming the field whose value JSON cannot hold."""
    try:
        return json.dumps(config, allow_nan=False)
    except (TypeError, ValueError):
        for key, value in config.items():
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{codec_id}: invalid configuration: {key}: {value!r} "
                    f"({type(value).__name__}) is not accepted: give a number, a string, a "
                    "boolean, None or a list of them"
                ) from None
        raise


# -- the mixins --------------------------------------------------------------------------------


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
        """Builds the Rust codec from the configuration (positional arguments allowed), after
        normalising it and checking it in Rust (errors name the field, the value and what is
        accepted)."""
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
        schema = getattr(cls, "__schema__", {})
        kwargs = normalize_config(cls.codec_id, schema, kwargs)
        try:
            native = _native.NativeCodec(cls.codec_id, _json(cls.codec_id, kwargs))
        except ValueError as err:
            raise _translate(err) from None
        self = _call(super().__new__, cls, **kwargs)  # type: ignore[misc]
        self.__dict__["_ndcodecs_native"] = native
        return self

    #: True for a codec that re-implements one of numcodecs' own under its id (``crc32``): its
    #: configuration is written without ``_version``, so that numcodecs' class, which the id
    #: resolves to when a zarr v2 store is read, accepts it.
    _replaces_numcodecs: ClassVar[bool] = False

    def get_config(self) -> dict[str, Any]:
        """The configuration as a JSON-compatible dict, with ``id`` and ``_version`` (without
        ``_version`` for a codec that stands in for one of numcodecs' own)."""
        config = copy.deepcopy(self._config())
        if self._replaces_numcodecs:
            config.pop("_version", None)
        return config

    def _config(self) -> dict[str, Any]:
        """The configuration, read from Rust once (codecs are immutable); do not modify."""
        try:
            return self.__dict__["_ndcodecs_config"]  # type: ignore[no-any-return]
        except KeyError:
            config = _call(super().get_config)  # type: ignore[misc]
            self.__dict__["_ndcodecs_config"] = config
            return config  # type: ignore[no-any-return]

    @property
    def _native(self) -> Any:
        """The Rust codec (``_native.NativeCodec``) this instance runs."""
        native = self.__dict__.get("_ndcodecs_native")
        if native is None:
            config = {k: v for k, v in self._config().items() if k != "id"}
            native = _native.NativeCodec(self.codec_id, json.dumps(config))
            self.__dict__["_ndcodecs_native"] = native
        return native

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
        """Asks the Rust codec ``question`` (a method of ``NativeCodec``), once per codec and
        arguments (codecs are immutable)."""
        cache: dict[tuple[Any, ...], Any] = self.__dict__.setdefault("_ndcodecs_answers", {})
        key = (question, *args)
        if key not in cache:
            cache[key] = getattr(self._native, question)(*args)
        return cache[key]

    def _check_config(self) -> None:
        """Kept for subclasses: the configuration was checked in Rust on construction."""

    def _decoded_dtype(self) -> np.dtype | None:
        """The dtype of the arrays this codec encodes if the configuration fixes it, else None."""
        name = self._ask("decoded_dtype")
        return None if name is None else np.dtype(name)

    def _typed_input(self, buf: Any, dtype: np.dtype | None) -> np.ndarray:
        """The array to encode: an ndarray as is (its dtype checked), any other buffer viewed as
        a 1-d array of ``dtype`` (the configured one) when it holds plain bytes."""
        _check_not_object(buf, "encode")
        if isinstance(buf, np.ndarray):
            check_dtype(self.codec_id, buf.dtype)
            return buf
        arr = ensure_ndarray_like(buf)
        _check_not_object(arr, "encode")
        if arr.dtype.kind in "iuf" and arr.dtype.itemsize > 1:
            check_dtype(self.codec_id, arr.dtype)
            return np.asarray(arr)
        # Plain bytes (bytes, bytearray, array.array("B"), an untyped memoryview, ...).
        raw = ensure_contiguous_ndarray(arr).reshape(-1).view(np.uint8)
        if dtype is None or dtype == raw.dtype:
            return raw
        if raw.nbytes % dtype.itemsize:
            raise ValueError(
                f"{self.codec_id}: a buffer of {raw.nbytes} bytes does not hold whole "
                f"{dtype} elements"
            )
        return raw.view(dtype)


def _direct(out: Any, shape: tuple[int, ...]) -> bool:
    """True if a result of ``shape`` (C order) can be decoded straight into the memory of
    ``out`` under numcodecs' ``out=`` convention (``numcodecs.compat.ndarray_copy``): a
    C-contiguous ndarray, an F-contiguous one of another shape (filled in memory order), or an
    untyped buffer."""
    if not isinstance(out, np.ndarray):
        return True
    return bool(out.flags.c_contiguous or (out.flags.f_contiguous and out.shape != shape))


def _fill_out(out: Any, result: np.ndarray, codec_id: str) -> Any:
    """numcodecs' ``out=`` convention for a result decoded elsewhere (as
    ``numcodecs.compat.ndarray_copy``): an element-by-element copy when ``out`` has the
    result's shape, else a copy in ``out``'s memory order; returns ``out``."""
    if isinstance(out, np.ndarray):
        if out.dtype != result.dtype:
            raise TypeError(
                f"{codec_id}: out has dtype {out.dtype}, the decoded data has dtype {result.dtype}"
            )
        if out.size != result.size:
            raise ValueError(
                f"{codec_id}: out has {out.size} elements, the decoded data {result.size}"
            )
        if out.shape != result.shape:
            order = "F" if out.flags.f_contiguous and not out.flags.c_contiguous else "C"
            result = result.reshape(-1, order="A").reshape(out.shape, order=order)
        np.copyto(out, result, casting="no")
        return out
    view = _writable_raw(out)
    assert view is not None
    if view.nbytes != result.nbytes:
        raise ValueError(
            f"{codec_id}: out holds {view.nbytes} bytes, the decoded data needs {result.nbytes}"
        )
    view[...] = _raw(np.ascontiguousarray(result))
    return out


class _ArrayToArrayCodec(_NdCodec):
    """An array → array codec.

    Encoded data are typed arrays, of the input's shape, or 1-D for a codec whose encoded array
    records the decoded shape (``interp_quantize``: *self-describing*). A bare byte buffer (what
    zarr v2 hands the first filter of a chain after a compressor) decodes alone for a
    self-describing codec, and otherwise when the dtype and shape come from elsewhere: the
    configuration (``dtype`` and ``chunk_shape``, or a fixed dtype for an elementwise codec), or
    ``out`` (an ndarray).
    """

    def _encoded_dtype_for(self, decoded: np.dtype) -> np.dtype:
        return np.dtype(self._ask("encoded_dtype", decoded.name))

    def _elementwise(self) -> bool:
        return bool(self._ask("elementwise"))

    def _self_describing(self) -> bool:
        """True if the encoded array is 1-D and records the decoded shape (``interp_quantize``):
        the shape to decode into is read from it."""
        return bool(self._ask("self_describing"))

    def _chunk_shape(self) -> tuple[int, ...] | None:
        shape = self._ask("chunk_shape")
        return None if shape is None else tuple(shape)

    def _decoded_dtype_of(self, encoded: np.dtype) -> np.dtype:
        """The decoded dtype for encoded data of dtype ``encoded``: the configured one, else the
        one numeric dtype that encodes to it."""
        fixed = self._decoded_dtype()
        if fixed is not None:
            return fixed
        cache: dict[Any, Any] = self.__dict__.setdefault("_ndcodecs_inverse", {})
        if encoded not in cache:
            found = []
            for dtype in NUMERIC_DTYPES:
                try:
                    if self._encoded_dtype_for(dtype) == encoded:
                        found.append(dtype)
                except (TypeError, ValueError):
                    continue
            cache[encoded] = found[0] if len(found) == 1 else None
        if cache[encoded] is None:
            raise TypeError(
                f"{self.codec_id}: cannot tell the decoded dtype of encoded {encoded} data: "
                "configure the codec's dtype or pass out="
            )
        return cache[encoded]  # type: ignore[no-any-return]

    def encode(self, buf: Any) -> np.ndarray:
        """Encodes ``buf`` (an ndarray or any buffer-protocol object).

        An untyped buffer (``bytes``, ``bytearray``, ...) is read as a 1-D array of the
        configured dtype, or of ``uint8`` for a codec without one. Returns an array of the
        encoded dtype and shape; C-ordered, or F-ordered for an F-ordered input.
        """
        if type(buf) is np.ndarray and buf.flags.c_contiguous:
            # The chunks of an array share dtype and shape: what the codec answers about them
            # is asked once (the plan), so small chunks pay little beyond the codec's work.
            plan = self.__dict__.get("_ndcodecs_encode_plans", {}).get((buf.dtype, buf.shape))
            if plan is not None:
                encoded_dtype, encoded_shape, name, shape = plan
                out = np.empty(encoded_shape, dtype=encoded_dtype)
                self._native.encode_into(_raw(buf), name, shape, _raw(out))
                return out
        arr = self._typed_input(buf, self._decoded_dtype())
        fortran = _only_fortran(arr)
        if fortran and arr.ndim <= 32 and self._self_describing():
            # (interp_quantize) The codec records a Fortran-ordered chunk itself (coded as its
            # transpose, flagged in the stream, decoded back in that order): the Rust codec's
            # numcodecs encode takes the array as it is, without a C-ordered copy (numcodecs-
            # python's array view takes at most 32 axes; a higher rank is coded as a C copy).
            return _call(super(_NdCodec, self).encode, arr)  # type: ignore[misc]
        if fortran and self._elementwise() and self._chunk_shape() is None:
            # An F-ordered array is the C-ordered array of its transpose: elementwise codecs
            # code its memory as it is.
            return self._encode_c(arr.T).T
        out = self._encode_c(np.ascontiguousarray(arr))
        return np.asfortranarray(out) if fortran else out

    def _encode_c(self, arr: np.ndarray) -> np.ndarray:
        encoded_dtype = self._encoded_dtype_for(arr.dtype)
        shape = list(arr.shape)
        encoded_shape = tuple(self._native.encoded_shape(shape))
        plans = self.__dict__.setdefault("_ndcodecs_encode_plans", {})
        if len(plans) < 64:
            plans[(arr.dtype, arr.shape)] = (encoded_dtype, encoded_shape, arr.dtype.name, shape)
        out = np.empty(encoded_shape, dtype=encoded_dtype)
        self._native.encode_into(_raw(arr), arr.dtype.name, shape, _raw(out))
        return out

    def _encoded_array(self, buf: Any, out: Any) -> tuple[np.ndarray, np.dtype, tuple[int, ...]]:
        """The encoded data as a C-contiguous typed array, with the decoded dtype and shape.

        ``buf`` is read as typed data when it is an ndarray (or a typed buffer) of a dtype the
        encoded data can have, and as the bytes of the encoded array otherwise (``bytes``, or the
        ``uint8`` array a compressor returns): their dtype and shape then come from the
        configuration (``dtype`` and ``chunk_shape``; a fixed dtype suffices for an elementwise
        codec) or from ``out``. A self-describing codec reads the decoded shape from the data.
        """
        _check_not_object(buf, "decode")
        chunk_shape = self._chunk_shape()
        fixed = self._decoded_dtype()
        fixed_encoded = None if fixed is None else self._encoded_dtype_for(fixed)
        typed_out = isinstance(out, np.ndarray) and out.dtype.kind in "iuf"
        arr = buf if isinstance(buf, np.ndarray) else ensure_ndarray_like(buf)
        as_bytes = not isinstance(buf, np.ndarray) and not (
            arr.dtype.kind in "iuf" and arr.dtype.itemsize > 1
        )
        if fixed_encoded is not None and self._self_describing():
            # The encoded array records the decoded shape (interp_quantize): typed codes or
            # their bytes, in any shape, decode alone; `out` only receives the result.
            if (
                arr.dtype.kind in "iuf"
                and arr.dtype.itemsize > 1
                and arr.dtype != fixed_encoded
            ):
                raise TypeError(
                    f"{self.codec_id}: unsupported dtype {arr.dtype}: the encoded data of "
                    f"{fixed} arrays are {fixed_encoded}"
                )
            raw = _raw_buffer(buf)
            if raw.nbytes % fixed_encoded.itemsize:
                raise ValueError(
                    f"{self.codec_id}: {raw.nbytes} encoded bytes are not a whole number of "
                    f"{fixed_encoded} elements"
                )
            decoded_shape = tuple(self._native.stored_shape(raw))
            encoded_shape = tuple(self._native.encoded_shape(list(decoded_shape)))
            if raw.nbytes != math.prod(encoded_shape) * fixed_encoded.itemsize:
                raise ValueError(
                    f"{self.codec_id}: {raw.nbytes} encoded bytes do not hold the chunk of "
                    f"shape {decoded_shape} they declare"
                )
            return raw.view(fixed_encoded).reshape(encoded_shape), fixed, decoded_shape
        if not as_bytes and arr.dtype == np.uint8:
            # A uint8 array is the bytes of the encoded array unless uint8 is what it holds. A
            # 1-d one is exactly what zarr v2 hands the first filter after no compressor or a
            # checksum: for a codec that needs the shape, it is read as bytes unless the
            # configuration or `out` says it holds uint8 data (else a v2 store would decode to
            # garbage without an error).
            if fixed_encoded is not None:
                as_bytes = fixed_encoded != np.uint8
            elif typed_out:
                as_bytes = arr.ndim == 1 and (out.dtype, out.shape) != (arr.dtype, arr.shape)
            else:
                as_bytes = arr.ndim == 1 and not self._elementwise()
        if not as_bytes:
            check_dtype(self.codec_id, arr.dtype, "decode")
            enc = np.ascontiguousarray(arr)
            decoded_dtype = self._decoded_dtype_of(enc.dtype)
            shape = chunk_shape if chunk_shape is not None else tuple(enc.shape)
            return self._check_encoded(enc, decoded_dtype, tuple(shape))
        if fixed is not None and chunk_shape is not None:
            decoded_dtype, decoded_shape = fixed, chunk_shape
        elif typed_out:
            decoded_dtype = fixed if fixed is not None else out.dtype
            decoded_shape = chunk_shape if chunk_shape is not None else tuple(out.shape)
            if chunk_shape is None and _only_fortran(out):
                # The bytes are in out's memory order (numcodecs' convention).
                encoded_dtype = self._encoded_dtype_for(decoded_dtype)
                raw = _raw_buffer(buf)
                if raw.nbytes != out.size * encoded_dtype.itemsize:
                    raise ValueError(
                        f"{self.codec_id}: {raw.nbytes} encoded bytes do not fill out (shape "
                        f"{out.shape}, encoded dtype {encoded_dtype})"
                    )
                enc = raw.view(encoded_dtype).reshape(out.shape, order="F")
                return self._check_encoded(np.ascontiguousarray(enc), decoded_dtype, decoded_shape)
        elif fixed is not None and self._elementwise():
            assert fixed_encoded is not None
            raw = _raw_buffer(buf)
            if raw.nbytes % fixed_encoded.itemsize:
                raise ValueError(
                    f"{self.codec_id}: {raw.nbytes} encoded bytes are not a whole number of "
                    f"{fixed_encoded} elements"
                )
            enc = raw.view(fixed_encoded)
            return enc, fixed, tuple(enc.shape)
        elif "chunk_shape" not in getattr(self, "__schema__", {}).get("properties", {}):
            raise ValueError(
                f"{self.codec_id}: cannot decode an untyped byte buffer: the encoded dtype and "
                "shape are not stored with the data, and this codec has no `dtype` and "
                "`chunk_shape` to configure (a 1-d uint8 array counts as bytes: it is what zarr "
                "v2 hands a filter). Pass the encoded ndarray itself or `out=` an ndarray of the "
                "decoded dtype and shape; in zarr v2, follow it with an array → bytes codec "
                "(arith, pixel_mlp, interp_cnn), which hands it a typed array."
            )
        else:
            raise ValueError(
                f"{self.codec_id}: cannot decode an untyped byte buffer: the encoded dtype and "
                "shape are not stored with the data (a 1-d uint8 array counts as bytes: it is "
                "what zarr v2 hands a filter). Pass the encoded ndarray itself, or `out=` an "
                "ndarray of the decoded dtype and shape, or configure the codec with `dtype` "
                "(uint8 data: dtype='uint8') and `chunk_shape` (what a zarr v2 filter needs)."
            )
        encoded_dtype = self._encoded_dtype_for(decoded_dtype)
        encoded_shape = tuple(self._native.encoded_shape(list(decoded_shape)))
        raw = _raw_buffer(buf)
        needed = math.prod(encoded_shape) * encoded_dtype.itemsize
        if raw.nbytes != needed:
            raise ValueError(
                f"{self.codec_id}: {raw.nbytes} encoded bytes do not hold a chunk of shape "
                f"{decoded_shape} ({needed} bytes of encoded {encoded_dtype})"
            )
        return raw.view(encoded_dtype).reshape(encoded_shape), decoded_dtype, decoded_shape

    def _check_encoded(
        self, enc: np.ndarray, decoded_dtype: np.dtype, decoded_shape: tuple[int, ...]
    ) -> tuple[np.ndarray, np.dtype, tuple[int, ...]]:
        expected_dtype = self._encoded_dtype_for(decoded_dtype)
        expected_shape = tuple(self._native.encoded_shape(list(decoded_shape)))
        if enc.dtype != expected_dtype:
            raise TypeError(
                f"{self.codec_id}: unsupported dtype {enc.dtype}: the encoded data of "
                f"{decoded_dtype} arrays are {expected_dtype}"
            )
        if enc.shape != expected_shape:
            if enc.size != math.prod(expected_shape):
                raise ValueError(
                    f"{self.codec_id}: encoded data of shape {enc.shape} do not hold a chunk of "
                    f"shape {decoded_shape}"
                )
            enc = enc.reshape(expected_shape)
        return enc, decoded_dtype, decoded_shape

    def decode(self, buf: Any, out: Any = None) -> Any:
        """Decodes ``buf``; fills and returns ``out`` when given.

        ``buf`` is the encoded ndarray, or a byte buffer when the configuration (``dtype`` and
        ``chunk_shape``) or ``out`` (an ndarray: its shape and dtype) says how to read it.
        """
        if out is None and type(buf) is np.ndarray and buf.flags.c_contiguous:
            plan = self.__dict__.get("_ndcodecs_decode_plans", {}).get((buf.dtype, buf.shape))
            if plan is not None:
                dtype, shape, name, shape_list = plan
                result = np.empty(shape, dtype=dtype)
                self._native.decode_into(_raw(buf), name, shape_list, _raw(result))
                return result
        if out is not None:
            _check_not_object(out, "decode into")
        fortran = _is_typed(buf) and _only_fortran(buf)
        if fortran and out is None and self._elementwise() and self._chunk_shape() is None:
            return self.decode(buf.T).T
        enc, dtype, shape = self._encoded_array(buf, out)
        if self._self_describing():
            # The stream says whether the chunk was Fortran-ordered (the buffer's own order is
            # that of a 1-d array).
            fortran = bool(self._native.stored_fortran(_raw(enc)))
        if out is None:
            if type(buf) is np.ndarray and buf.flags.c_contiguous and enc is buf:
                # The same dtype and shape always decode the same way without out= (plan).
                plans = self.__dict__.setdefault("_ndcodecs_decode_plans", {})
                if len(plans) < 64:
                    plans[(buf.dtype, buf.shape)] = (dtype, shape, dtype.name, list(shape))
            result = np.empty(shape, dtype=dtype)
            self._native.decode_into(_raw(enc), dtype.name, list(shape), _raw(result))
            return np.asfortranarray(result) if fortran else result
        if isinstance(out, np.ndarray):
            if out.dtype != dtype:
                raise TypeError(
                    f"{self.codec_id}: out has dtype {out.dtype}, the decoded data has dtype "
                    f"{dtype}"
                )
            if out.size != math.prod(shape):
                raise ValueError(
                    f"{self.codec_id}: out has {out.size} elements, the decoded data has shape "
                    f"{shape}"
                )
            if not _direct(out, shape):
                result = self.decode(enc)
                return _fill_out(out, result, self.codec_id)
        target = _writable_raw(out)
        assert target is not None
        if target.nbytes != math.prod(shape) * dtype.itemsize:
            raise ValueError(
                f"{self.codec_id}: out holds {target.nbytes} bytes, the decoded data needs "
                f"{math.prod(shape) * dtype.itemsize}"
            )
        self._native.decode_into(_raw(enc), dtype.name, list(shape), target)
        return out


class _BytesToBytesCodec(_NdCodec):
    """A bytes → bytes codec: works on the bytes of any buffer but an object array, in memory
    order, as numcodecs' own compressors and checksums do (bytes are carried, not interpreted)."""

    def encode(self, buf: Any) -> np.ndarray:
        """Encodes the bytes of ``buf`` (any buffer-protocol object, memory order).

        Returns a 1-D ``uint8`` array.
        """
        _check_not_object(buf, "encode")
        raw = _raw_buffer(buf)
        bound = self._native.encoded_size_bound(raw.size)
        if bound is None:
            return self._native.encode(raw, "uint8", [raw.size])  # type: ignore[no-any-return]
        out = np.empty(bound, dtype=np.uint8)
        return out[: self._native.encode_bytes_into(raw, out)]

    def decode(self, buf: Any, out: Any = None) -> Any:
        """Decodes the bytes of ``buf``; returns a 1-D ``uint8`` array, or fills ``out`` (any
        writable buffer of the decoded size). A checksum codec returns a view of ``buf`` (as
        numcodecs' checksums do), once the checksum is verified."""
        _check_not_object(buf, "decode")
        raw = _raw_buffer(buf)
        if out is not None:
            _check_not_object(out, "decode into")
        part = self._native.decoded_range(raw)
        if out is None:
            return raw[part[0] : part[1]] if part is not None else self._native.decode(raw)
        target = _writable_raw(out)
        if target is None:
            decoded = raw[part[0] : part[1]] if part is not None else self._native.decode(raw)
            return _fill_out(out, decoded.view(out.dtype), self.codec_id)
        if part is None:
            self._native.decode_into(raw, "uint8", [target.size], target)
            return out
        if part[1] - part[0] != target.nbytes:
            raise ValueError(
                f"{self.codec_id}: out holds {target.nbytes} bytes, the decoded data "
                f"{part[1] - part[0]}"
            )
        target[...] = raw[part[0] : part[1]]
        return out


class _ArrayToBytesCodec(_NdCodec):
    """An array → bytes codec: the configuration fixes the array dtype (``lilcom``) or the
    stream's header declares it (``arith``, ``pixel_mlp``, ``interp_cnn``).

    The stream stores the shape of a C-ordered array; an F-ordered array is coded as its 1-D
    memory image (as numcodecs' compressors code its bytes), so numcodecs' and zarr v2's
    ``reshape(-1, order="A")`` / ``reshape(shape, order=...)`` of the decoded array always give
    the original back.
    """

    def _dtype(self, raw: np.ndarray) -> np.dtype:
        """The array dtype of the stream ``raw``: the one the configuration names, else the one
        the stream's header declares."""
        dtype = self._decoded_dtype()
        if dtype is not None:
            return dtype
        name = _call(self._native.stored_dtype, raw)
        if name is None:
            raise ValueError(
                f"{self.codec_id}: neither the configuration nor the encoded data name the "
                "array dtype"
            )
        return np.dtype(name)

    def encode(self, buf: Any) -> np.ndarray:
        """Encodes an ndarray of the configured dtype, or any buffer holding such elements.

        Returns a 1-D ``uint8`` array: one encoded stream.
        """
        arr = self._typed_input(buf, self._decoded_dtype())
        if _only_fortran(arr):
            # Memory order, as numcodecs' compressors: the stream holds the 1-D memory image, so
            # both numcodecs' `reshape(-1, order="A")` and `reshape(shape, order="F")` of the
            # decoded array give the input back (per-axis prediction is then along memory only).
            arr = arr.reshape(-1, order="A")
        if not arr.flags.c_contiguous:
            arr = arr.copy(order="C")  # (np.ascontiguousarray would make a 0-d array 1-d)
        return self._native.encode(_raw(arr), arr.dtype.name, list(arr.shape))  # type: ignore[no-any-return]

    def decode(self, buf: Any, out: Any = None) -> Any:
        """Decodes one stream (any buffer); returns an array of the configured dtype and stored
        shape, or fills ``out`` (an ndarray of the configured dtype and the same size, or a
        writable buffer of the same byte size) in memory order.

        The shape the stream declares is checked against ``out`` before anything is decoded;
        without ``out``, the output is allocated (by numpy, ``MemoryError`` if it cannot be) for
        the declared shape once the stream is known to hold that many values.
        """
        _check_not_object(buf, "decode")
        raw = _raw_buffer(buf)
        dtype = self._dtype(raw)
        stored = self._native.stored_shape(raw)
        if out is None:
            if stored is None:
                raise ValueError(
                    f"{self.codec_id}: the encoded data do not store their shape: pass out="
                )
            result = np.empty(stored, dtype=dtype)
            self._native.decode_into(raw, dtype.name, list(stored), _raw(result))
            return result
        _check_not_object(out, "decode into")
        if isinstance(out, np.ndarray) and out.dtype != dtype:
            raise TypeError(
                f"{self.codec_id}: out has dtype {out.dtype}, this codec decodes to {dtype}"
            )
        shape = tuple(stored) if stored is not None else tuple(np.shape(out))
        n = math.prod(shape)
        if isinstance(out, np.ndarray):
            if out.size != n:
                raise ValueError(
                    f"{self.codec_id}: the stream holds shape {shape} ({n} elements of "
                    f"{dtype}); out has {out.size} elements"
                )
            if not _direct(out, shape):
                result = np.empty(shape, dtype=dtype)
                self._native.decode_into(raw, dtype.name, list(shape), _raw(result))
                return _fill_out(out, result, self.codec_id)
        target = _writable_raw(out)
        assert target is not None
        if target.nbytes != n * dtype.itemsize:
            raise ValueError(
                f"{self.codec_id}: the stream holds shape {shape} ({n * dtype.itemsize} bytes "
                f"of {dtype}); out holds {target.nbytes} bytes"
            )
        self._native.decode_into(raw, dtype.name, list(shape), target)
        return out


# The mixin of each codec kind, by the kind's name in the native codec list.
KIND_BASES: dict[str, type[_NdCodec]] = {
    "array_to_array": _ArrayToArrayCodec,
    "array_to_bytes": _ArrayToBytesCodec,
    "bytes_to_bytes": _BytesToBytesCodec,
}
