//! The encoding loop: one generic kernel over (decoded float type, code type).

use crate::format::{CodeType, EncodeFailure, FloatType, Params};

/// `1.5 · 2^52`: adding and subtracting it rounds an `f64` of magnitude below 2^51 to an integer,
/// ties to even (the default rounding of the sum), without a call to a rounding function.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// `2^51 − 1`: the largest code magnitude the fast pass produces. [`ROUND_MAGIC`] rounds
/// correctly for `|r| < 2^51`, and a candidate `qf` within `±(2^51 − 1)` implies it: rounding is
/// monotonic and `±2^51` are exact, so `|r| ≥ 2^51` (or ±∞) gives `|qf| ≥ 2^51`, and NaN fails
/// every comparison. (Codes ±2^51 themselves go to the reference procedure.)
const FAST_CODE_LIMIT: i64 = (1 << 51) - 1;

/// Values per block of the fast pass.
const BLOCK: usize = 256;
/// Values per call of the fast pass: 64 blocks, one bit each in its mask of failed blocks.
const CHUNK: usize = 64 * BLOCK;

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
    // The fast pass is compiled a second time with AVX2 enabled (x86-64-v3, through the `pulp`
    // crate's runtime dispatch, without `unsafe`) and runs so when the CPU has it: four `f64` per
    // vector instead of two. The same IEEE operations run in the same order on either path
    // (Rust never fuses a multiply and an add), so the codes are the same bits; a test compares
    // them with the reference procedure.
    let arch = pulp::Arch::new();
    for (c, (xc, oc)) in xs.chunks(CHUNK).zip(out.chunks_mut(CHUNK)).enumerate() {
        let mut failed = arch.dispatch(FastPass { p, xs: xc, out: oc });
        while failed != 0 {
            let b = failed.trailing_zeros() as usize;
            failed &= failed - 1;
            let start = b * BLOCK;
            let end = xc.len().min(start + BLOCK);
            for (j, (&x, q)) in xc[start..end].iter().zip(&mut oc[start..end]).enumerate() {
                let at = c * CHUNK + start + j;
                *q = I::from_i64(p.encode_one(x).map_err(|f| (at, f))?);
            }
        }
    }
    Ok(())
}

/// [`fast_pass`] as a `pulp` operation: `with_simd` is inlined into the function `pulp` compiles
/// with the CPU's vector features, and `fast_pass` into it (a closure's body would not be
/// inlined for every instance, and would then run without them).
struct FastPass<'a, F: FloatType, I: CodeType> {
    p: &'a Params<F>,
    xs: &'a [F],
    out: &'a mut [I],
}

impl<F: FloatType, I: CodeType> pulp::WithSimd for FastPass<'_, F, I> {
    type Output = u64;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> u64 {
        fast_pass(self.p, self.xs, self.out)
    }
}

/// The branch-free fast pass of [`encode_slice`] over the blocks of one chunk (at most 64
/// blocks); returns the mask of the blocks where it did not hold (bit `b` for block `b`), to be
/// encoded again value by value.
#[inline(always)]
fn fast_pass<F: FloatType, I: CodeType>(p: &Params<F>, xs: &[F], out: &mut [I]) -> u64 {
    #[allow(clippy::cast_precision_loss)]
    let lo = p.codes.finite_min.max(-FAST_CODE_LIMIT) as f64;
    #[allow(clippy::cast_precision_loss)]
    let hi = p.codes.finite_max.min(FAST_CODE_LIMIT) as f64;
    let (offset, offset_f64) = (p.offset, p.offset.to_f64());
    let (step, inv, bound) = (p.step, p.inv_step, p.bound);
    let (has_fill, fill_bits) = match p.fill {
        Some(f) => (true, f.to_bits()),
        None => (false, F::default().to_bits()),
    };
    let mut failed = 0u64;
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
            // vectorise. Elsewhere it is garbage, and `|qf| ≥ 2^51` fails `ok` (see
            // FAST_CODE_LIMIT).
            #[allow(clippy::cast_possible_wrap)]
            let qi = t.to_bits().wrapping_sub(ROUND_MAGIC.to_bits()) as i64;
            // qf is an integer, so F::from_f64 is the same single rounding as the decoder's.
            let decoded = F::from_f64(qf).mul_add_unfused(step, offset);
            let ok = (qf >= lo)
                & (qf <= hi)
                & ((xf - decoded.to_f64()).abs() < bound)
                & !(has_fill & (x.to_bits() == fill_bits));
            all_ok &= ok;
            *q = I::from_i64(qi);
        }
        if !all_ok {
            failed |= 1 << b;
        }
    }
    failed
}
