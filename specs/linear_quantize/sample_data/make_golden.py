"""Golden vectors for the linear_quantize codec, computed from the specification alone.

An independent implementation of specs/linear_quantize/README.md with numpy (float32/float64
arithmetic, one IEEE rounding per operation) and Python's exact fractions for the bound check.
It shares no code with the Rust implementation. Run once to create the files; never regenerate
files that have been released (a change of the mapping is a new codec version with new files).

    python3 make_golden.py        # numpy >= 1.25; writes the files beside this script

Each case NAME writes:
  NAME.json          the codec configuration
  NAME.input.bin     the input values, little-endian, C order
  NAME.encoded.bin   the codes, little-endian
  NAME.decoded.bin   the decoded values, little-endian (the bits a decoder must produce)
  NAME.shape.json    the array shape
"""

import json
import os
from fractions import Fraction

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

FLOAT = {"float32": np.float32, "float64": np.float64}
CODE = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64}
CANONICAL_NAN = {np.float32: 0x7FC00000, np.float64: 0x7FF8000000000000}
SIGN = {np.float32: 0x80000000, np.float64: 0x8000000000000000}
UINT = {np.float32: np.uint32, np.float64: np.uint64}


def bits(v, F):
    return int(np.array([v], dtype=F).view(UINT[F])[0])


def constants(config):
    F = FLOAT[config.get("dtype", "float32")]
    I = CODE[config.get("astype", "int32")]
    e = float(config["max_abs_error"])
    t = e * (63.0 / 32.0)  # one f64 rounding
    step = F(t)
    if float(step) > t:  # round toward -inf
        step = np.nextafter(step, F(0))
    offset = F(config.get("offset", 0.0))
    fill = config.get("fill_value")
    fill = None if fill is None else F(fill)
    info = np.iinfo(I)
    codes = dict(nan=info.min, neg_nan=info.min + 1, neg_inf=info.min + 2,
                 fill=info.max - 1, pos_inf=info.max, lo=info.min + 3, hi=info.max - 2)
    return F, I, e, step, offset, fill, codes


def dequantize(q, F, step, offset):
    # RN_F(RN_F(RN_F(q) * step) + offset), each operation rounded in F
    qf = np.array([q], dtype=np.int64).astype(F)
    return (qf * step + offset)[0]


def within(x, xh, e):
    return abs(Fraction(float(x)) - Fraction(float(xh))) <= Fraction(e)


def encode_one(x, config):
    F, I, e, step, offset, fill, c = constants(config)
    x = F(x)
    if fill is not None and bits(x, F) == bits(fill, F):
        return c["fill"]
    if np.isnan(x):
        b = bits(x, F)
        if b == CANONICAL_NAN[F]:
            return c["nan"]
        if b == CANONICAL_NAN[F] | SIGN[F]:
            return c["neg_nan"]
        raise ValueError("non-canonical NaN")
    if np.isinf(x):
        return c["pos_inf"] if x > 0 else c["neg_inf"]
    inv = 1.0 / float(step)  # f64
    r = (float(x) - float(offset)) * inv  # two f64 roundings
    q0 = int(np.rint(r))  # round half to even
    x0 = dequantize(q0, F, step, offset)
    if c["lo"] <= q0 <= c["hi"] and within(x, x0, e):
        return q0
    q1 = q0 + 1 if float(x) > float(x0) else q0 - 1
    if c["lo"] <= q1 <= c["hi"] and within(x, dequantize(q1, F, step, offset), e):
        return q1
    raise ValueError(f"{x!r} has no code")


def decode_one(q, config):
    F, I, e, step, offset, fill, c = constants(config)
    if c["lo"] <= q <= c["hi"]:
        return dequantize(q, F, step, offset)
    if q == c["nan"]:
        return np.array([CANONICAL_NAN[F]], dtype=UINT[F]).view(F)[0]
    if q == c["neg_nan"]:
        return np.array([CANONICAL_NAN[F] | SIGN[F]], dtype=UINT[F]).view(F)[0]
    if q == c["neg_inf"]:
        return F(-np.inf)
    if q == c["pos_inf"]:
        return F(np.inf)
    assert fill is not None, "fill code without a fill value: corrupt"
    return fill


def write_case(name, config, values, shape):
    F, I, e, step, offset, fill, c = constants(config)
    x = np.asarray(values, dtype=F).reshape(shape)
    q = np.array([encode_one(v, config) for v in x.ravel()], dtype=I).reshape(shape)
    y = np.array([decode_one(int(k), config) for k in q.ravel()], dtype=F).reshape(shape)
    for a, b in zip(x.ravel(), y.ravel()):
        if np.isfinite(a) and not (fill is not None and bits(a, F) == bits(fill, F)):
            assert within(a, b, e), (a, b)
        else:
            assert bits(a, F) == bits(b, F)
    le = lambda a: a.astype(a.dtype.newbyteorder("<")).tobytes()  # noqa: E731
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(config, f, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, name + ".shape.json"), "w") as f:
        json.dump(list(shape), f)
        f.write("\n")
    for suffix, a in (("input", x), ("encoded", q), ("decoded", y)):
        with open(os.path.join(HERE, f"{name}.{suffix}.bin"), "wb") as f:
            f.write(le(a))
    print(name, "step", repr(float(step)), "codes", q.ravel().tolist())


def nan(F, negative=False):
    b = CANONICAL_NAN[F] | (SIGN[F] if negative else 0)
    return np.array([b], dtype=UINT[F]).view(F)[0]


def find_correction(config, start, count):
    """The first float32 value from `start` upward whose first candidate code misses the bound
    while its neighbouring code meets it."""
    F, I, e, step, offset, fill, c = constants(config)
    u = np.arange(count, dtype=np.uint32) + np.uint32(bits(F(start), F))
    x = u.view(np.float32)
    r = (x.astype(np.float64) - float(offset)) * (1.0 / float(step))
    q0 = np.rint(r)
    x0 = q0.astype(np.float32) * step + offset
    err = np.abs(x.astype(np.float64) - x0.astype(np.float64))
    for k in np.nonzero(err >= e)[0]:
        if not within(x[k], x0[k], e):
            try:
                encode_one(x[k], config)
            except ValueError:
                continue
            return float(x[k])
    raise ValueError("no correction in range")


def main():
    f32 = np.float32
    # 1. The worked example of the README: step 0.498046875 (exact), codes by hand.
    c1 = {"max_abs_error": 0.25, "offset": 10.0, "fill_value": -999.0,
          "dtype": "float32", "astype": "int8"}
    write_case("v0_1_0_f32_int8_example", c1,
               [10.0, 10.25, 9.75, 10.246, 10.73828125, 11.0, 0.0, -51.0, 71.0,
                -999.0, nan(f32), nan(f32, True), np.inf, -np.inf, -0.0, 1e-45],
               (4, 4))

    # 2. float64 data, int16 codes, offset, values on and around rounding boundaries
    #    offset + (k + 1/2)·step, subnormals and huge-but-fitting values.
    c2 = {"max_abs_error": 0.001, "offset": -3.5, "dtype": "float64", "astype": "int16"}
    _, _, _, step2, off2, _, _ = constants(c2)
    k = np.arange(-3, 3, dtype=np.float64)
    ties = (off2 + (k + 0.5) * float(step2)).tolist()
    near = [np.nextafter(v, np.inf) for v in ties[:3]] + [np.nextafter(v, -np.inf) for v in ties[3:]]
    write_case("v0_1_0_f64_int16_boundaries", c2,
               ties + near + [5e-324, -5e-324, 2.2250738585072014e-308, -3.5, 28.0, -35.0,
                              nan(np.float64), np.inf],
               (2, 10))

    # 3. float32 ocean temperatures with netCDF's _FillValue over land, int32 codes.
    c3 = {"max_abs_error": 0.005, "offset": 15.0, "fill_value": 9.96921e36,
          "dtype": "float32", "astype": "int32"}
    write_case("v0_1_0_f32_int32_fill", c3,
               [-1.8773, 9.96921e36, 28.6651, 9.96921e36, 4.0012, 17.5, -2.3287007808685303,
                9.96921e36, 31.25, 0.0, -0.0, 12.345678],
               (3, 4))

    # 4. A value whose first candidate code misses the bound, so the encoder takes the
    #    neighbouring code (the correction rule), next to plain values.
    c4 = {"max_abs_error": 0.0002, "offset": 0.1, "dtype": "float32", "astype": "int32"}
    xc = find_correction(c4, 300.0, 1 << 22)
    write_case("v0_1_0_f32_int32_correction", c4, [xc, 300.0, 301.5, -300.0], (4,))


if __name__ == "__main__":
    main()
