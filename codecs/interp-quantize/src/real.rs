//! The decoded float types (`f32`, `f64`) with the arithmetic the predictor needs.

use std::ops::{Add, Mul, Sub};

use ndcodecs_core::dtype::Float;

/// A decoded float dtype: `f32` or `f64`, with IEEE-754 arithmetic (every operation a single
/// rounding to nearest even; Rust never contracts `a * b + c` into a fused multiply-add).
pub trait Real:
    Float + bytemuck::Pod + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    /// Bits of the canonical quiet NaN with the sign bit clear (numpy's `np.nan`).
    const NAN_BITS: Self::Bits;
    /// Bits of the canonical quiet NaN with the sign bit set.
    const NEG_NAN_BITS: Self::Bits;
    /// Positive infinity.
    const POS_INF: Self;
    /// Negative infinity.
    const NEG_INF: Self;
    /// 0
    const ZERO: Self;
    /// 1/2
    const HALF: Self;
    /// 3
    const THREE: Self;
    /// 6
    const SIX: Self;
    /// 9
    const NINE: Self;
    /// 1/8
    const EIGHTH: Self;
    /// 1/16
    const SIXTEENTH: Self;
    /// Width in bits (32 or 64), as the header records it.
    const WIDTH: u32;
    /// `RN_F(q)`: the code converted to this type, rounded to nearest even.
    fn from_code(q: i32) -> Self;
    /// `2^-k` (exact for the `k` the format allows).
    fn pow2_neg(k: u32) -> Self;
    /// The largest value of this type not greater than `v` (round toward −∞).
    fn from_f64_down(v: f64) -> Self;
    /// Distance from `|self|` to the next larger value of this type, as `f64`.
    fn spacing(self) -> f64;
}

impl Real for f32 {
    const NAN_BITS: u32 = 0x7fc0_0000;
    const NEG_NAN_BITS: u32 = 0xffc0_0000;
    const POS_INF: Self = f32::INFINITY;
    const NEG_INF: Self = f32::NEG_INFINITY;
    const ZERO: Self = 0.0;
    const HALF: Self = 0.5;
    const THREE: Self = 3.0;
    const SIX: Self = 6.0;
    const NINE: Self = 9.0;
    const EIGHTH: Self = 0.125;
    const SIXTEENTH: Self = 0.0625;
    const WIDTH: u32 = 32;
    #[inline(always)]
    #[allow(clippy::cast_precision_loss)]
    fn from_code(q: i32) -> Self {
        q as f32
    }
    #[inline(always)]
    fn pow2_neg(k: u32) -> Self {
        f32::from_bits((127 - k) << 23)
    }
    #[allow(clippy::cast_possible_truncation)]
    fn from_f64_down(v: f64) -> Self {
        let r = v as Self;
        if f64::from(r) > v { r.next_down() } else { r }
    }
    fn spacing(self) -> f64 {
        let a = self.abs();
        f64::from(a.next_up()) - f64::from(a)
    }
}

impl Real for f64 {
    const NAN_BITS: u64 = 0x7ff8_0000_0000_0000;
    const NEG_NAN_BITS: u64 = 0xfff8_0000_0000_0000;
    const POS_INF: Self = f64::INFINITY;
    const NEG_INF: Self = f64::NEG_INFINITY;
    const ZERO: Self = 0.0;
    const HALF: Self = 0.5;
    const THREE: Self = 3.0;
    const SIX: Self = 6.0;
    const NINE: Self = 9.0;
    const EIGHTH: Self = 0.125;
    const SIXTEENTH: Self = 0.0625;
    const WIDTH: u32 = 64;
    #[inline(always)]
    fn from_code(q: i32) -> Self {
        f64::from(q)
    }
    #[inline(always)]
    fn pow2_neg(k: u32) -> Self {
        f64::from_bits(u64::from(1023 - k) << 52)
    }
    fn from_f64_down(v: f64) -> Self {
        v
    }
    fn spacing(self) -> f64 {
        let a = self.abs();
        a.next_up() - a
    }
}
