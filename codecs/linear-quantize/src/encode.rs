//! The encoding loop: one generic kernel over (decoded float type, code type).

use crate::format::{CodeType, EncodeFailure, FloatType, Params};

/// `1.5 · 2^52`: adding and subtracting it rounds an `f64` of magnitude below 2^51 to an integer,
/// ties to even (the default rounding of the sum), without a call to a rounding function.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// `2^51`: the range where [`ROUND_MAGIC`] rounds correctly.
const ROUND_LIMIT: f64 = 2_251_799_813_685_248.0;

/// Values per block of the fast pass.
const BLOCK: usize = 64;

/// Encodes `xs` into `out` (same length).
///
/// A branch-free fast pass (which the compiler can vectorise) encodes each block of values as if
/// every value were finite, took its first candidate code `roundTiesEven((x − offset) / step)`,
/// and that code were in range and decoded strictly within the bound; it records whether that
/// held for the whole block. Blocks where it did not (reserved values, corrections, errors) are
/// encoded again value by value with [`Params::encode_one`], the reference procedure — where the
/// fast pass holds, it chooses exactly the code the reference does.
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
    #[allow(clippy::cast_precision_loss)]
    let lo = p.codes.finite_min.max(-(1 << 51)) as f64;
    #[allow(clippy::cast_precision_loss)]
    let hi = p.codes.finite_max.min(1 << 51) as f64;
    let (offset, offset_f64) = (p.offset, p.offset.to_f64());
    let (step, inv, bound) = (p.step, p.inv_step, p.bound);
    let (has_fill, fill_bits) = match p.fill {
        Some(f) => (true, f.to_bits()),
        None => (false, F::default().to_bits()),
    };
    for (b, (xb, ob)) in xs.chunks(BLOCK).zip(out.chunks_mut(BLOCK)).enumerate() {
        let mut all_ok = true;
        for (&x, q) in xb.iter().zip(ob.iter_mut()) {
            let xf = x.to_f64();
            // NaN for NaN input and ±inf for infinite input: both fail `ok` below.
            let r = (xf - offset_f64) * inv;
            let t = r + ROUND_MAGIC;
            let qf = t - ROUND_MAGIC;
            // For |r| < 2^51 the low bits of `t` hold the integer `qf` (two's complement after
            // subtracting the bits of ROUND_MAGIC): an integer conversion the compiler can
            // vectorise. Elsewhere it is garbage, and `ok` is false.
            #[allow(clippy::cast_possible_wrap)]
            let qi = t.to_bits().wrapping_sub(ROUND_MAGIC.to_bits()) as i64;
            // qf is an integer, so F::from_f64 is the same single rounding as the decoder's.
            let decoded = F::from_f64(qf).mul_add_unfused(step, offset);
            let ok = (r.abs() < ROUND_LIMIT)
                & (qf >= lo)
                & (qf <= hi)
                & ((xf - decoded.to_f64()).abs() < bound)
                & !(has_fill & (x.to_bits() == fill_bits));
            all_ok &= ok;
            *q = I::from_i64(qi);
        }
        if !all_ok {
            for (j, (&x, q)) in xb.iter().zip(ob.iter_mut()).enumerate() {
                *q = I::from_i64(p.encode_one(x).map_err(|f| (b * BLOCK + j, f))?);
            }
        }
    }
    Ok(())
}
