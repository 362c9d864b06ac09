//! The decoding loop: one generic kernel over (decoded float type, code type).

use ndcodecs_core::CodecError;

use crate::format::{CodeType, FloatType, Params};

/// Decodes `codes` into `out` (same length).
///
/// A first branch-free pass computes `offset + code · step` for every code (the compiler can
/// vectorise it) and notes whether any code is reserved; only then does a second pass replace the
/// reserved codes by their values.
///
/// # Errors
///
/// [`CodecError::Corrupt`] for a fill-value code when no fill value is configured.
pub fn decode_slice<F: FloatType, I: CodeType>(
    p: &Params<F>,
    codes: &[I],
    out: &mut [F],
) -> Result<(), CodecError> {
    debug_assert_eq!(codes.len(), out.len());
    let lo = I::from_i64(p.codes.finite_min);
    let hi = I::from_i64(p.codes.finite_max);
    let (step, offset) = (p.step, p.offset);
    let mut reserved = false;
    for (x, &q) in out.iter_mut().zip(codes) {
        *x = q.to_float::<F>().mul_add_unfused(step, offset);
        reserved |= (q < lo) | (q > hi);
    }
    if reserved {
        for (x, &q) in out.iter_mut().zip(codes) {
            if q < lo || q > hi {
                *x = p.decode_one(q.to_i64())?;
            }
        }
    }
    Ok(())
}
