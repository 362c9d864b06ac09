//! Fixed-point helpers: base-2 logarithm and exponential, the logistic function, rounding shifts.
//!
//! Every function is integer arithmetic over the constant tables of [`crate::tables`], so it gives
//! the same result on every CPU. Units are stated per function; `_fp` values carry 8 fractional
//! bits (`x_fp = x * 256`).

use crate::tables::{EXP2_NEG_FRAC, LOG2_FRAC, SIGMOID};

/// One in the 16-bit probability scale of [`logistic`] (`2^16`).
pub const PROB_ONE: u32 = 1 << 16;
/// Fractional bits of a [`logistic`] argument: `z_fp = z * 2^15`.
pub const Z_FRAC_BITS: u32 = 15;
/// Largest `|z|` the logistic table covers (16): beyond it the function is 0 or `PROB_ONE`.
pub const Z_MAX_FP: i64 = 16 << Z_FRAC_BITS;

/// `floor`-based fixed-point `log2(d) * 256` of `d >= 1`: `256 * e + LOG2_FRAC[m]` with
/// `e = floor(log2 d)` and `m = ((d << 8) >> e) - 256` (the 8 bits below the leading one).
/// `d = 0` is treated as 1.
#[inline]
#[must_use]
pub fn log2_fp(d: u64) -> i32 {
    let d = d.max(1);
    let lz = d.leading_zeros();
    // (d << 8) >> e in 64 bits: shifting d's leading one to bit 63 (no bit is lost) and back
    // down by 55 keeps it and the 8 bits below, `256 + m`
    #[allow(clippy::cast_possible_truncation)]
    let m = ((d << lz) >> 55) as usize - 256;
    #[allow(clippy::cast_possible_wrap)]
    let e = (63 - lz) as i32;
    256 * e + i32::from(LOG2_FRAC[m & 255])
}

/// `2^(-x / 256) * 2^16` for `x >= 0`, as `EXP2_NEG_FRAC[x & 255] >> (x >> 8)` (0 once the shift
/// reaches 32).
#[inline]
#[must_use]
pub fn exp2_neg_fp(x: u32) -> u32 {
    let shift = x >> 8;
    if shift >= 32 {
        0
    } else {
        EXP2_NEG_FRAC[(x & 255) as usize] >> shift
    }
}

/// The logistic function `1 / (1 + e^-z)` scaled to `0..=2^16`, for `z = z_fp / 2^15`:
/// for `z >= 0`, `i = z_fp >> 8`, `f = z_fp & 255`,
/// `SIGMOID[i] + (((SIGMOID[i + 1] - SIGMOID[i]) * f) >> 8)` (`2^16` for `i >= 2048`); for
/// `z < 0`, `2^16 - logistic(-z_fp)`. Non-decreasing in `z_fp`, `logistic(0) = 2^15`.
#[inline]
#[must_use]
pub fn logistic(z_fp: i64) -> u32 {
    let a = z_fp.unsigned_abs();
    let i = a >> 8;
    let g = if i >= 2048 {
        PROB_ONE
    } else {
        #[allow(clippy::cast_possible_truncation)]
        let (i, f) = (i as usize, (a & 255) as u32);
        SIGMOID[i] + (((SIGMOID[i + 1] - SIGMOID[i]) * f) >> 8)
    };
    if z_fp < 0 { PROB_ONE - g } else { g }
}

/// `(v + 2^(shift-1)) >> shift` (round half up) for `shift >= 1`, `v` for `shift = 0`.
#[inline(always)]
#[must_use]
pub const fn round_shift(v: i64, shift: u32) -> i64 {
    if shift == 0 {
        v
    } else {
        (v + (1 << (shift - 1))) >> shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first definition of [`log2_fp`] (a 128-bit shift), the reference of the faster one.
    fn log2_fp_reference(d: u64) -> i32 {
        let d = d.max(1);
        let e = 63 - d.leading_zeros();
        #[allow(clippy::cast_possible_truncation)]
        let m = ((u128::from(d) << 8) >> e) as usize - 256;
        #[allow(clippy::cast_possible_wrap)]
        let e = e as i32;
        256 * e + i32::from(LOG2_FRAC[m])
    }

    /// Every `u32` input, every power of two and its neighbours, and random `u64`.
    #[test]
    fn log2_equals_its_reference() {
        // all u32 in chunks (a debug build checks 2^32 values in seconds at opt-level 2)
        let mut d = 0u64;
        while d <= u64::from(u32::MAX) {
            assert_eq!(log2_fp(d), log2_fp_reference(d), "{d}");
            d += 1;
        }
        for e in 0..64 {
            let p = 1u64 << e;
            for d in [p - 1, p, p + 1, p | (p >> 1), p | (p - 1)] {
                assert_eq!(log2_fp(d), log2_fp_reference(d), "{d}");
            }
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..10_000_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let d = state >> (state % 64);
            assert_eq!(log2_fp(d), log2_fp_reference(d), "{d}");
            assert_eq!(log2_fp(state), log2_fp_reference(state), "{state}");
        }
    }

    #[test]
    fn log2_matches_float() {
        for d in 1..5000u64 {
            let exact = (d as f64).log2() * 256.0;
            let got = f64::from(log2_fp(d));
            assert!((got - exact).abs() <= 2.0, "{d}: {got} vs {exact}");
        }
        assert_eq!(log2_fp(1), 0);
        assert_eq!(log2_fp(1 << 40), 40 * 256);
        assert_eq!(log2_fp(u64::MAX), 63 * 256 + 255);
    }

    #[test]
    fn exp2_matches_float() {
        for x in 0..4000u32 {
            let exact = 2f64.powf(-f64::from(x) / 256.0) * 65536.0;
            let got = f64::from(exp2_neg_fp(x));
            assert!(
                (got - exact).abs() <= 1.0 + exact * 1e-9,
                "{x}: {got} vs {exact}"
            );
        }
        assert_eq!(exp2_neg_fp(0), 65536);
        assert_eq!(exp2_neg_fp(32 * 256), 0);
    }

    #[test]
    fn logistic_is_monotone_and_accurate() {
        let mut prev = 0;
        for z in -(Z_MAX_FP + 1000)..=(Z_MAX_FP + 1000) {
            let g = logistic(z);
            assert!(g >= prev, "{z}");
            prev = g;
            if z % 977 == 0 {
                let exact = 65536.0 / (1.0 + (-(z as f64) / 32768.0).exp());
                assert!((f64::from(g) - exact).abs() < 2.0, "{z}: {g} vs {exact}");
            }
        }
        assert_eq!(logistic(0), 32768);
        assert_eq!(logistic(i64::MIN + 1), 0);
        assert_eq!(logistic(i64::MAX), PROB_ONE);
    }
}
