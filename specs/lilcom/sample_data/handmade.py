"""Writes hand-made lilcom byte strings for the corners of the format, and what stock lilcom does
with them (the reference implementation's behaviour, recorded).

Stock `lilcom.compress` never writes these streams; they are built here bit by bit from the
format description in ../README.md (this file shares no code with ndcodecs) and given to stock
`lilcom.decompress`. Run from this directory with the versions pinned in requirements.txt:

    pip install -r requirements.txt && python handmade.py

For each case NAME it writes
  v1_8_2_handmade_NAME.bin          the byte string,
  v1_8_2_handmade_NAME.decoded.npy  what stock `lilcom.decompress` returned (float32), if it did;
and v1_8_2_handmade.json lists every case: what it exercises and whether stock decoded it. The
files are golden: once committed they are never regenerated (the script refuses to overwrite).
"""

import importlib.metadata
import json
import os

import numpy as np
import lilcom

VERSION = "1.8.2"
assert importlib.metadata.version("lilcom") == VERSION, "generate with lilcom==" + VERSION
PREFIX = "v" + VERSION.replace(".", "_") + "_handmade"


class Bits:
    """Bit fields after the two-byte prefix, least significant bit first."""

    def __init__(self):
        self.bits = []

    def put(self, n, value):
        self.bits.extend((value >> i) & 1 for i in range(n))

    def bytes(self):
        out = bytearray(b"L\x00")
        for i in range(0, len(self.bits), 8):
            out.append(sum(bit << j for j, bit in enumerate(self.bits[i:i + 8])))
        return bytes(out)


def zigzag(v):
    return 2 * v if v >= 0 else -2 * v - 1


def smallest_widths(values):
    """w_i = max(0, max_j (bit_width(u_j) - |i - j|)) (README, "The width sequence")."""
    bw = [u.bit_length() for u in values]
    return [max(0, max(b - abs(i - j) for j, b in enumerate(bw))) for i in range(len(values))]


def stream(signed, last_change="0", final_run=None):
    """The integer stream of `signed` (header values, then element codes) with the smallest
    widths, except: `last_change` is the change code written for the last value (if its width is
    not 0), and `final_run = (k, x)` is written as the run-length code of a run of zeros that ends
    the stream, whatever its real length."""
    u = [zigzag(v) for v in signed]
    w = smallest_widths(u)
    b = Bits()
    b.put(5, min(w[0], 31))
    if w[0] >= 31:
        b.put(1, w[0] - 31)
    prev, i, n = w[0], 0, len(u)
    while i < n:
        if w[i] == 0:
            j = i
            while j < n and w[j] == 0:
                j += 1
            run = j - i
            k = run.bit_length() - 1
            k, x = final_run if (j == n and final_run) else (k, run - (1 << k))
            b.put(k, 0)
            b.put(1, 1)
            b.put(k, x)
            prev, i = 0, j
            continue
        cur = w[i]
        code = last_change if i == n - 1 else {0: "0", 1: "11", -1: "10"}[w[i + 1] - cur]
        nxt = {"0": cur, "11": cur + 1, "10": cur - 1}[code]
        for c in code:
            b.put(1, int(c))
        if prev <= cur and nxt <= cur:  # top bit implied
            assert u[i] >> (cur - 1) == 1
            b.put(cur - 1, u[i] - (1 << (cur - 1)))
        else:
            b.put(cur, u[i])
        prev, i = cur, i + 1
    return b.bytes()


def cases():
    # 1-d, 3 elements, tick_power 0, coefficient 0: codes 3, -2, 5 (widths end 4, 4)
    three = [1, 0, 3, 0, 3, -2, 5]
    yield ("last_change_up", stream(three, last_change="11"),
           "the last value's change code is 1,1: its top bit is not implied, all 4 bits stored")
    yield ("last_change_down", stream(three, last_change="10"),
           "the last value's change code is 1,0: read like 0 (top bit implied)")
    # 1-d, 8 elements: a 1 then seven 0; the stream ends with a run of 5 zeros (widths 2, 1, 0...)
    eight = [1, 0, 8, 0, 1] + [0] * 7
    yield ("run_exact", stream(eight), "the final run holds exactly the 5 zeros left")
    yield ("run_past_end", stream(eight, final_run=(3, 5)),
           "the final run-length code says 13 zeros where 5 are left")
    yield ("run_k30", stream(eight, final_run=(30, 5)),
           "the final run-length code has k = 30 (2^30 + 5 zeros, 5 left)")
    for x in (0, 1, 2):
        yield (f"run_k31_x{x}", stream(eight, final_run=(31, x)),
               f"the final run-length code has k = 31, x = {x} (2^31 + {x} zeros, 5 left)")
    yield ("run_k32", stream(eight, final_run=(32, 0)),
           "the final run-length code has k = 32")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    manifest = os.path.join(here, PREFIX + ".json")
    if os.path.exists(manifest):
        print("exists, not overwritten:", manifest)
        return
    listing = []
    for name, data, what in cases():
        path = os.path.join(here, f"{PREFIX}_{name}")
        assert not os.path.exists(path + ".bin"), path
        with open(path + ".bin", "wb") as f:
            f.write(data)
        try:
            y = lilcom.decompress(data)
            np.save(path + ".decoded.npy", y.astype(np.float32))
            stock = "decoded"
        except ValueError as err:
            stock = "error"
            y = err
        listing.append({"case": name, "what": what, "stock": stock})
        print(f"{name}: {data.hex()} -> stock {stock}: {y}")
    with open(manifest, "w") as f:
        json.dump({"lilcom": VERSION, "cases": listing}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
