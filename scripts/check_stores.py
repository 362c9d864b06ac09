"""Reads the zarr stores the demo wrote (with zarr-python and the ndcodecs package) and checks each
against its original array: lossless chains bit for bit, lossy chains within their absolute bound,
fill values bit-exactly; a store written as a dataset (an array in a group, with dimension names
and a fill value) is also opened with xarray, which must show the fill value as NaN. Exits
non-zero on any violation.

Usage: python scripts/check_stores.py OUT_DIR   (OUT_DIR/cases.txt lists the stores)
"""

import sys
from pathlib import Path

import numpy as np
import zarr

ROOT = Path(__file__).resolve().parent.parent


def main(out: Path) -> int:
    failures = 0
    print(f"{'store':<12} {'dtype':<8} {'ratio':>7} {'max error':>12} {'bound':>10}  result")
    for line in (out / "cases.txt").read_text().splitlines():
        name, source, bound, fill, dataset, chain = line.split("\t")
        original = np.load(ROOT / "tests" / "data" / f"{source}.npy")
        array_name = dataset.split(":")[0] if dataset else None
        z = zarr.open_array(out / f"{name}.zarr", path=array_name or "", mode="r")
        back = z[...]
        stored = sum(p.stat().st_size for p in (out / f"{name}.zarr").rglob("*") if p.is_file() and p.name != "zarr.json")
        ratio = original.nbytes / stored
        ok = back.shape == original.shape and back.dtype == original.dtype
        bound_f = float(bound)
        if ok and fill:
            land = original == original.dtype.type(float(fill))
            ok = np.array_equal(back[land].view(np.uint32), original[land].view(np.uint32))
        else:
            land = np.zeros(original.shape, dtype=bool)
        valid = ~land
        err = np.abs(back[valid].astype(np.float64) - original[valid].astype(np.float64))
        max_err = float(err.max()) if err.size else 0.0
        ok = ok and (max_err <= bound_f if bound_f > 0 else np.array_equal(back, original))
        if dataset:
            import xarray as xr

            dims = tuple(dataset.split(":")[1].split(","))
            var = xr.open_zarr(out / f"{name}.zarr", consolidated=False)[array_name]
            values = var.values
            ok = ok and var.dims == dims and bool(np.isnan(values[land]).all())
            ok = ok and not bool(np.isnan(values[~land]).any())
        failures += not ok
        print(f"{name:<12} {str(original.dtype):<8} {ratio:>7.2f} {max_err:>12.3g} {bound_f:>10.3g}  "
              f"{'ok' if ok else 'VIOLATED'}   {chain}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
