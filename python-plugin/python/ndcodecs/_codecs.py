"""The public codec classes (re-exported by ``ndcodecs``), built from the native codec list.

``_native.codecs()`` is the list of the Rust crate ``ndcodecs-registry``: one entry per codec
with its class name, codec id, zarr names and kind. For each, this module builds the class
``<name>(<kind mixin>, _native.<name>)``: the numcodecs-python class of the Rust codec behind the
mixin of its kind (``_base``), with

- an ``__init__`` signature listing the configuration fields in declaration order (from the JSON
  schema), so that positional arguments work; ``_version`` is keyword-only;
- the configuration checked by Rust on construction;
- the hand-written docstring of ``_docs.DOCSTRINGS``, or else the one numcodecs-python builds
  from the schema followed by the errors every codec raises;
- registration with numcodecs under the codec id, except for a codec that re-implements one of
  numcodecs' own (``crc32``): that id keeps meaning numcodecs' codec.

Nothing here names a codec: a codec added to the Rust list appears here with no Python change.
"""

from __future__ import annotations

import inspect
from typing import Any

from numcodecs.registry import register_codec

from . import _native
from ._base import KIND_BASES, _NdCodec
from ._docs import DOCSTRINGS

#: The codec list, as ``_native.codecs()`` gives it (one dict per codec).
CODECS: tuple[dict[str, Any], ...] = tuple(_native.codecs())

#: How each kind of the list reads in docstrings.
KIND_TEXT = {
    "array_to_array": "array → array",
    "array_to_bytes": "array → bytes",
    "bytes_to_bytes": "bytes → bytes",
}


def _parameters(native: type) -> list[inspect.Parameter]:
    """The constructor parameters: the schema's fields in declaration order, ``_version``
    keyword-only and last. A required field after an optional one is keyword-only too."""
    schema = native.__schema__  # type: ignore[attr-defined]
    required = set(schema.get("required", ()))
    params: list[inspect.Parameter] = []
    keyword_only = False
    for name, field in schema.get("properties", {}).items():
        if name == "_version":
            continue
        default: Any = inspect.Parameter.empty
        if name not in required:
            default = field.get("default")
        elif params and params[-1].default is not inspect.Parameter.empty:
            keyword_only = True
        kind = (
            inspect.Parameter.KEYWORD_ONLY
            if keyword_only
            else inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        params.append(inspect.Parameter(name, kind, default=default))
    params.append(inspect.Parameter("_version", inspect.Parameter.KEYWORD_ONLY, default=None))
    return params


def _schema_docstring(native: type, entry: dict[str, Any]) -> str:
    """The docstring of a codec without a hand-written one: numcodecs-python's, built from the
    configuration's schema, with the codec's names and the errors every codec raises."""
    kind = KIND_TEXT[entry["kind"]]
    return (
        f"{entry['name']}: ndcodecs codec ``{entry['codec_id']}`` ({kind}); zarr v3 name "
        f"``{entry['zarr_v3_name']}``, zarr v2 id ``{entry['zarr_v2_id']}``.\n\n"
        f"{inspect.cleandoc(native.__doc__ or '')}\n\n"
        "Errors\n------\n"
        "ValueError\n"
        "    For an invalid configuration (the message names the field), or data the codec\n"
        "    cannot encode or decode (corrupt, truncated or of the wrong shape).\n"
        "TypeError\n"
        "    For an unsupported dtype, an object array, or an unknown configuration field.\n"
    )


def _init_for(params: list[inspect.Parameter]) -> Any:
    """An ``__init__`` with the signature ``params`` that checks the configuration in Rust."""

    def __init__(self: _NdCodec, *args: Any, **kwargs: Any) -> None:
        """Configuration is validated and stored by ``__new__`` (in Rust); see the class doc."""
        self._check_config()

    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    __init__.__signature__ = inspect.Signature([self_param, *params])  # type: ignore[attr-defined]
    return __init__


def _make_class(entry: dict[str, Any]) -> type[_NdCodec]:
    """The public class of one codec of the list."""
    name = entry["name"]
    native = getattr(_native, name)
    doc = DOCSTRINGS.get(entry["codec_id"])
    namespace = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": inspect.cleandoc(doc) if doc else _schema_docstring(native, entry),
        "__init__": _init_for(_parameters(native)),
        "codec_id": entry["codec_id"],
    }
    return type(name, (KIND_BASES[entry["kind"]], native), namespace)


def __getattr__(name: str) -> type[Any]:
    """For static type checkers: the classes are built at import from the native codec list."""
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__: list[str] = []
for _entry in CODECS:
    _cls = _make_class(_entry)
    globals()[_entry["name"]] = _cls
    __all__.append(_entry["name"])
    if not _entry["replaces_numcodecs"]:
        register_codec(_cls)
__all__.sort()
del _entry, _cls
