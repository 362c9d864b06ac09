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
from numcodecs.registry import codec_registry as _codec_registry
from numcodecs.registry import register_codec as _register_codec

# Loading the native module registers its classes with numcodecs, our Crc32 under numcodecs' own
# id `crc32`: remember what `crc32` meant before (numcodecs' CRC32, unless the user changed it).
_crc32_before = _codec_registry.get("crc32", _NumcodecsCRC32)

from . import _native  # noqa: E402
from ._codecs import *  # noqa: E402, F403
from ._codecs import __all__ as _codecs_all  # noqa: E402

__version__: str = _native.__version__
__all__ = [*_codecs_all, "__version__"]

# Both produce the same bytes, but stock numcodecs users keep getting what `crc32` meant before
# (numcodecs' CRC32, with its `location` option). Ours stays available as `ndcodecs.Crc32`.
_register_codec(_crc32_before, codec_id="crc32")
