"""ndcodecs: compression codecs for chunked n-dimensional arrays, implemented in Rust.

Every codec is a ``numcodecs.abc.Codec`` registered with numcodecs (also found without
importing this package first, through the ``numcodecs.codecs`` entry points) and usable in
zarr-python 3 arrays under its ``ndcodecs.<name>`` metadata name (``zarr.codecs`` entry points;
the wrapper classes live in ``ndcodecs.zarr3``). The Rust code runs with the GIL released.

Codecs
------
SpatialDelta
    ``spatial_delta``: axis-aware delta filter for integer arrays (array → array).
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
