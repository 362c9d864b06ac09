"""ndcodecs lilcom against stock lilcom (PyPI 1.8.2), side by side in one run.

Alternates `examples/lilcom_speed.rs` (ours, CPU time of the running thread) with the same
measurement of stock lilcom (`stock_lilcom.py`, process CPU time) for a number of rounds, keeps
each side's best figure per case (the machine this was written on is shared and noisy: the best
of several alternated runs is the least disturbed one) and prints a Markdown table with the
ratios. Single thread, MB/s of float32 input.

    python codecs/lilcom/benches/vs_stock.py [rounds]      # needs lilcom==1.8.2 and cargo
"""

import os
import re
import subprocess
import sys

import stock_lilcom

HERE = os.path.dirname(os.path.abspath(__file__))
LINE = re.compile(r"ndcodecs lilcom (\S+) tick_power (-?\d+): (\d+) bytes, ([\d.]+) bytes/element, "
                  r"encode ([\d.]+) MB/s, decode ([\d.]+) MB/s")


def ours():
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "ndcodecs-lilcom", "--example", "lilcom_speed"],
        cwd=HERE, check=True, capture_output=True, text=True).stdout
    results = {}
    for m in LINE.finditer(out):
        results[(m[1], int(m[2]))] = (int(m[3]), float(m[4]), float(m[5]), float(m[6]))
    if len(results) != 4:
        raise SystemExit(f"unexpected output from lilcom_speed:\n{out}")
    return results


def best(runs):
    """Per case: sizes from the first run (they are deterministic), best speeds over all runs."""
    merged = {}
    for case in runs[0]:
        size, per = runs[0][case][:2]
        assert all(r[case][:2] == (size, per) for r in runs), "sizes changed between runs"
        merged[case] = (size, per, max(r[case][2] for r in runs), max(r[case][3] for r in runs))
    return merged


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    a, b = [], []
    for i in range(rounds):
        print(f"round {i + 1} of {rounds}", file=sys.stderr)
        a.append(ours())
        b.append(stock_lilcom.measure())
    a, b = best(a), best(b)
    print("| data | tick_power | bytes/element ours | stock | fewer bytes | encode MB/s ours | stock "
          "| × | decode MB/s ours | stock | × |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for case in a:
        (sa, pa, ea, da), (sb, pb, eb, db) = a[case], b[case]
        print(f"| {case[0]} | {case[1]} | {pa:.4f} | {pb:.4f} | {100 * (1 - sa / sb):.1f} % "
              f"| {ea:.0f} | {eb:.0f} | {ea / eb:.2f} | {da:.0f} | {db:.0f} | {da / db:.2f} |")


if __name__ == "__main__":
    main()
