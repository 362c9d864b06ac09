"""Writes the crc32 golden vectors with numcodecs' own CRC32 codec (the reference implementation).

Pinned: numcodecs==0.16.6. Run once; the files are never regenerated after a release.
Each case writes ``<name>.input.bin`` (the bytes given to numcodecs) and ``<name>.start.bin`` /
``<name>.end.bin`` (what ``CRC32(location=...)`` returned).
"""

import numpy as np
import numcodecs
from numcodecs import CRC32

assert numcodecs.__version__ == "0.16.6", numcodecs.__version__

cases = {
    "v0_1_0_empty": np.zeros(0, dtype="u1"),
    "v0_1_0_ascii": np.frombuffer(b"ndcodecs crc32 golden vector", dtype="u1"),
    "v0_1_0_int16_le": np.array([[-3, 0, 7], [32767, -32768, 1]], dtype="<i2"),
}
for name, arr in cases.items():
    open(f"{name}.input.bin", "wb").write(arr.tobytes())
    for loc in ("start", "end"):
        open(f"{name}.{loc}.bin", "wb").write(bytes(CRC32(location=loc).encode(arr)))
