"""ndcodecs: compression codecs for chunked n-dimensional arrays, implemented in Rust.

Every codec is a ``numcodecs.abc.Codec`` registered with numcodecs (also found without
importing this package first, through the ``numcodecs.codecs`` entry points) and usable in
zarr-python 3 arrays under its ``ndcodecs.<name>`` metadata name (``zarr.codecs`` entry points;
the wrapper classes live in ``ndcodecs.zarr3``). The Rust code runs with the GIL released.

Rust errors arrive as ``ValueError`` or ``TypeError`` with the Rust message. The classes are
built at import from the codec list of the native module (the Rust crate ``ndcodecs-registry``);
``Codecs`` below is generated from it.
"""

from __future__ import annotations

from typing import Any

from numcodecs.registry import codec_registry as _codec_registry
from numcodecs.registry import register_codec as _register_codec

# Loading the native module registers each class with numcodecs under its codec id, also the
# codecs that re-implement one of numcodecs' own (our Crc32 under `crc32`): remember what every
# id meant before (numcodecs' own codecs are registered when numcodecs is imported).
_registered_before = dict(_codec_registry)

from . import _native  # noqa: E402
from ._codecs import *  # noqa: E402, F403
from ._codecs import CODECS as _CODECS  # noqa: E402
from ._codecs import __all__ as _codecs_all  # noqa: E402

__version__: str = _native.__version__


def __getattr__(name: str) -> type[Any]:
    """For static type checkers: the codec classes are built at import from the native list."""
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [*_codecs_all, "__version__"]


def _restore_numcodecs_ids() -> None:
    """Gives numcodecs back the ids of its own codecs that one of ours re-implements."""
    # Both produce the same bytes, but stock numcodecs users keep getting what such an id meant
    # before (numcodecs' CRC32 for `crc32`, with its `location` option). Ours stays available as
    # `ndcodecs.Crc32`.
    for entry in _CODECS:
        if entry["replaces_numcodecs"]:
            codec_id = entry["codec_id"]
            if codec_id in _registered_before:
                _register_codec(_registered_before[codec_id], codec_id=codec_id)
            else:
                _codec_registry.pop(codec_id, None)


_restore_numcodecs_ids()

# The list of codecs in the module docstring, from the classes' own first lines.
__doc__ = (
    (__doc__ or "")
    + "\nCodecs\n------\n"
    + "".join(
        f"{e['name']}\n    {(globals()[e['name']].__doc__ or '').strip().splitlines()[0]}\n"
        for e in _CODECS
    )
)
