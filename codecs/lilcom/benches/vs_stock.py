"""ndcodecs lilcom against stock lilcom (PyPI 1.8.2), side by side in one run.

Alternates `examples/lilcom_speed.rs` (ours, CPU time of the running thread) with the same
measurement of stock lilcom (`stock_lilcom.py`, process CPU time) for a number of rounds, keeps
each side's best figure per case (the machine this was written on is shared and noisy: the best
of several alternated runs is the least disturbed one) and prints a Markdown table with the
ratios. Single thread, MB/s of float32 input.

The cases (see `stock_lilcom.py`): fbank80 in 500-frame chunks, speech16k as one 1-d chunk, and
two whole 1201 x 2401 2-d fields in one chunk each, built from the repository's terrain array
(dem2d: smooth, interpolated to 4 times the resolution; terrain2d: the real pixels
mirror-tiled). Both sides build the same arrays; the script checks their digests agree. The
column "ours on stock's" is our decoder reading stock's byte string of the same chunks, which
separates what a stream costs from what a decoder costs.

    python codecs/lilcom/benches/vs_stock.py [rounds] [case]   # needs lilcom==1.8.2 and cargo
"""

import os
import re
import subprocess
import sys
import tempfile

import stock_lilcom

HERE = os.path.dirname(os.path.abspath(__file__))
LINE = re.compile(r"ndcodecs lilcom (\S+) tick_power (-?\d+): (\d+) bytes, ([\d.]+) bytes/element, "
                  r"encode ([\d.]+) MB/s, decode ([\d.]+) MB/s")
STOCK_LINE = re.compile(r"ndcodecs lilcom (\S+) tick_power (-?\d+): decode of stock's stream "
                        r"([\d.]+) MB/s")
FIELD = re.compile(r"ndcodecs field (\S+): shape \[[\d, ]+\], digest (\d+)")


def ours(only, stock_dir):
    """{case: (bytes, bytes per element, encode MB/s, decode MB/s, decode of stock's MB/s)} and
    {name: digest of the array}."""
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "ndcodecs-lilcom", "--example",
         "lilcom_speed", "--", only or "", "--stock-streams", stock_dir],
        cwd=HERE, check=True, capture_output=True, text=True).stdout
    stock = {(m[1], int(m[2])): float(m[3]) for m in STOCK_LINE.finditer(out)}
    results = {(m[1], int(m[2])): (int(m[3]), float(m[4]), float(m[5]), float(m[6]),
                                   stock[(m[1], int(m[2]))])
               for m in LINE.finditer(out)}
    digests = {m[1]: int(m[2]) for m in FIELD.finditer(out)}
    if not results:
        raise SystemExit(f"unexpected output from lilcom_speed:\n{out}")
    return results, digests


def best(runs):
    """Per case: sizes from the first run (they are deterministic), best speeds over all runs."""
    merged = {}
    for case in runs[0]:
        size, per = runs[0][case][:2]
        assert all(r[case][:2] == (size, per) for r in runs), "sizes changed between runs"
        merged[case] = (size, per) + tuple(max(r[case][k] for r in runs)
                                           for k in range(2, len(runs[0][case])))
    return merged


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    a, b = [], []
    with tempfile.TemporaryDirectory() as stock_dir:
        stock_lilcom.write_streams(stock_dir, only)
        for i in range(rounds):
            print(f"round {i + 1} of {rounds}", file=sys.stderr)
            results, ours_digests = ours(only, stock_dir)
            a.append(results)
            stock_digests = {}
            b.append(stock_lilcom.measure(only, stock_digests))
            if ours_digests != stock_digests:
                raise SystemExit(f"the two sides built different arrays: {ours_digests} vs "
                                 f"{stock_digests}")
    a, b = best(a), best(b)
    print("| data | tick_power | bytes/element ours | stock | fewer bytes | encode MB/s ours "
          "| stock | × | decode MB/s ours | stock | × | ours on stock's |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in a:
        (sa, pa, ea, da, ds), (sb, pb, eb, db) = a[case], b[case]
        print(f"| {case[0]} | {case[1]} | {pa:.4f} | {pb:.4f} | {100 * (1 - sa / sb):.1f} % "
              f"| {ea:.0f} | {eb:.0f} | {ea / eb:.2f} | {da:.0f} | {db:.0f} | {da / db:.2f} "
              f"| {ds:.0f} |")


if __name__ == "__main__":
    main()
