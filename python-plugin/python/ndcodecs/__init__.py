"""ndcodecs: compression codecs for chunked n-dimensional arrays, implemented in Rust.

Every codec is a ``numcodecs.abc.Codec`` registered with numcodecs (also found without
importing this package first, through the ``numcodecs.codecs`` entry points) and usable in
zarr-python 3 arrays under its ``ndcodecs.<name>`` metadata name (``zarr.codecs`` entry points;
the wrapper classes live in ``ndcodecs.zarr3``). The Rust code runs with the GIL released.

Codecs
------
SpatialDelta
    ``spatial_delta``: axis-aware delta filter for integer arrays (array → array).
LinearQuantize
    ``linear_quantize``: error-bounded linear quantizer, floats to integer codes (array → array).
Lilcom
    ``lilcom``: lossy compression in the lilcom 1.x byte format (array → bytes).
Crc32
    CRC-32 checksum, byte-compatible with ``numcodecs.CRC32`` (bytes → bytes); not registered
    under ``crc32``, which stays numcodecs' own codec.

Rust errors arrive as ``ValueError`` or ``TypeError`` with the Rust message.
"""

from __future__ import annotations

from numcodecs.checksum32 import CRC32 as _NumcodecsCRC32
from numcodecs.registry import register_codec as _register_codec

from . import _native
from ._codecs import *  # noqa: F403
from ._codecs import __all__ as _codecs_all

__version__: str = _native.__version__
__all__ = [*_codecs_all, "__version__"]

# Exporting the native Crc32 class registers it under numcodecs' own id `crc32`. Both produce the
# same bytes, but stock numcodecs users keep getting numcodecs' CRC32 (with its `location`
# option): put it back. Ours stays available as `ndcodecs.Crc32`.
_register_codec(_NumcodecsCRC32)
