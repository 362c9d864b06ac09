//! Helpers shared by the integration tests.

#![allow(dead_code)]

use ndcodecs_linear_quantize::{CodeDtype, FloatDtype, LinearQuantizeCodec, LinearQuantizeConfig};
use numcodecs::AnyArray;

pub const FLOATS: [FloatDtype; 2] = [FloatDtype::Float32, FloatDtype::Float64];
pub const CODES: [CodeDtype; 4] = [
    CodeDtype::Int8,
    CodeDtype::Int16,
    CodeDtype::Int32,
    CodeDtype::Int64,
];

pub fn config(
    e: f64,
    offset: f64,
    fill: Option<f64>,
    dtype: FloatDtype,
    astype: CodeDtype,
) -> LinearQuantizeConfig {
    let mut c = LinearQuantizeConfig::new(e).expect("valid bound");
    c.offset = offset;
    c.fill_value = fill;
    c.dtype = dtype;
    c.astype = astype;
    c
}

pub fn codec(c: LinearQuantizeConfig) -> LinearQuantizeCodec {
    LinearQuantizeCodec::try_new(c).expect("valid configuration")
}

/// The elements of a float array in logical C order, as (value, raw bits).
pub fn float_elems(a: &AnyArray) -> Vec<(f64, u64)> {
    match a {
        AnyArray::F32(x) => x
            .iter()
            .map(|v| (f64::from(*v), u64::from(v.to_bits())))
            .collect(),
        AnyArray::F64(x) => x.iter().map(|v| (*v, v.to_bits())).collect(),
        other => panic!("not a float array: {:?}", other.dtype()),
    }
}

/// `(m, k)` with `v = m · 2^k` exactly.
fn parts(v: f64) -> (i128, i32) {
    if v == 0.0 {
        return (0, 0);
    }
    let bits = v.to_bits();
    let exp = i32::try_from((bits >> 52) & 0x7ff).unwrap();
    let frac = i128::from(bits & ((1 << 52) - 1));
    let (m, k) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    };
    (if v < 0.0 { -m } else { m }, k)
}

/// `|x − y| ≤ e` decided with exact integer arithmetic, independently of the codec's two-sum
/// check; `None` when the exponents span more than 70 bits (then the rounded difference decides
/// unless it equals `e`).
pub fn exact_within(x: f64, y: f64, e: f64) -> Option<bool> {
    let (mx, kx) = parts(x);
    let (my, ky) = parts(y);
    let (me, ke) = parts(e);
    let k = [kx, ky, ke]
        .into_iter()
        .zip([mx, my, me])
        .filter(|(_, m)| *m != 0)
        .map(|(k, _)| k)
        .min()
        .unwrap_or(0);
    let shift = |m: i128, kk: i32| -> Option<i128> {
        if m == 0 {
            Some(0)
        } else if kk - k > 70 {
            None
        } else {
            Some(m << (kk - k))
        }
    };
    let (x, y, e) = (shift(mx, kx)?, shift(my, ky)?, shift(me, ke)?);
    Some((x - y).abs() <= e)
}

/// `|x − y| ≤ e`, exactly where [`exact_within`] can tell, else by the rounded difference.
pub fn within(x: f64, y: f64, e: f64) -> bool {
    exact_within(x, y, e).unwrap_or_else(|| (x - y).abs() <= e)
}

/// Spacing of `F` at `|v|` (the distance to the next larger value).
pub fn spacing(dtype: FloatDtype, v: f64) -> f64 {
    match dtype {
        FloatDtype::Float32 => {
            #[allow(clippy::cast_possible_truncation)]
            let a = (v.abs() as f32).abs();
            f64::from(a.next_up()) - f64::from(a)
        }
        _ => v.abs().next_up() - v.abs(),
    }
}

/// Checks the codec's promise for one input/decoded pair of arrays: finite values other than the
/// fill value within the bound, everything else bit-exact.
pub fn assert_promise(c: &LinearQuantizeConfig, input: &AnyArray, decoded: &AnyArray) {
    assert_eq!(input.shape(), decoded.shape());
    assert_eq!(input.dtype(), decoded.dtype());
    let fill_bits = c.fill_value.map(|f| match c.dtype {
        #[allow(clippy::cast_possible_truncation)]
        FloatDtype::Float32 => u64::from((f as f32).to_bits()),
        _ => f.to_bits(),
    });
    for (i, ((x, xb), (y, yb))) in float_elems(input)
        .into_iter()
        .zip(float_elems(decoded))
        .enumerate()
    {
        if x.is_finite() && Some(xb) != fill_bits {
            assert!(
                within(x, y, c.max_abs_error.get()),
                "element {i}: {x} decoded to {y}, bound {}",
                c.max_abs_error.get()
            );
        } else {
            assert_eq!(xb, yb, "element {i}: {x} not bit-exact ({xb:#x} → {yb:#x})");
        }
    }
}
