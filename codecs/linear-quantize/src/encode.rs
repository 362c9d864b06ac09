//! The encoding loop: one generic kernel over (decoded float type, code type).

use crate::format::{CodeType, EncodeFailure, FloatType, Params};

/// `1.5 · 2^52`: adding and subtracting it rounds an `f64` of magnitude below 2^51 to an integer,
/// ties to even (the default rounding of the sum), without a call to a rounding function.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// `2^51`: the range where [`ROUND_MAGIC`] rounds correctly.
const ROUND_LIMIT: f64 = 2_251_799_813_685_248.0;

/// Encodes `xs` into `out` (same length).
///
/// The fast path handles finite values whose first candidate code is in range, is not too large
/// for the rounding trick and decodes strictly within the bound; it chooses exactly the code
/// [`Params::encode_one`] would. Everything else (reserved values, corrections, errors) goes to
/// [`Params::encode_one`].
///
/// # Errors
///
/// The flat index of the first value that has no code, and why.
pub fn encode_slice<F: FloatType, I: CodeType>(
    p: &Params<F>,
    xs: &[F],
    out: &mut [I],
) -> Result<(), (usize, EncodeFailure)> {
    debug_assert_eq!(xs.len(), out.len());
    #[expect(clippy::cast_precision_loss)]
    let lo = p.codes.finite_min.max(-(1 << 51)) as f64;
    #[expect(clippy::cast_precision_loss)]
    let hi = p.codes.finite_max.min(1 << 51) as f64;
    let offset = p.offset.to_f64();
    let inv = p.inv_step;
    let bound = p.bound;
    let (has_fill, fill_bits) = match p.fill {
        Some(f) => (true, f.to_bits()),
        None => (false, F::default().to_bits()),
    };
    for (i, (&x, q)) in xs.iter().zip(out.iter_mut()).enumerate() {
        let xf = x.to_f64();
        // NaN for NaN input and ±inf for infinite input: both fail the first test.
        let r = (xf - offset) * inv;
        if r.abs() < ROUND_LIMIT {
            let qf = (r + ROUND_MAGIC) - ROUND_MAGIC;
            if qf >= lo && qf <= hi && !(has_fill && x.to_bits() == fill_bits) {
                #[expect(clippy::cast_possible_truncation)]
                let qi = qf as i64;
                if (xf - p.dequantize(qi).to_f64()).abs() < bound {
                    *q = I::from_i64(qi);
                    continue;
                }
            }
        }
        *q = I::from_i64(p.encode_one(x).map_err(|f| (i, f))?);
    }
    Ok(())
}
