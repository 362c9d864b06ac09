//! The mapping between float values and integer codes: reserved codes, the derived constants
//! (step, offset, reciprocal) and the per-element reference encoder and decoder.
//!
//! Everything here follows `specs/linear_quantize/README.md` to the bit; the codec's fast
//! encoding and decoding loops are optimisations that must agree with [`Params::encode_one`] and
//! [`Params::decode_one`] (a property test checks that they do).

use ndcodecs_core::{
    CodecError,
    dtype::{Float, Int},
};

use crate::{CODEC_ID, config::LinearQuantizeConfig};

/// The step is `max_abs_error · STEP_FACTOR`, a little under twice the bound (63/32 = 2·(1 −
/// 2⁻⁶), exact in binary). The margin absorbs the decoder's rounding errors: with a step of exactly
/// twice the bound, values half-way between two decoded values miss the bound by a fraction of a
/// float spacing even when the bound is thousands of spacings wide. It costs log2(32/31) ≈ 0.023
/// bits per value.
pub const STEP_FACTOR: f64 = 63.0 / 32.0;

/// A decoded float dtype: `f32` or `f64`, with what the quantizer needs beyond
/// [`Float`].
pub trait FloatType: Float + bytemuck::Pod {
    /// Bits of the canonical quiet NaN with the sign bit clear (`0x7fc00000`,
    /// `0x7ff8000000000000`: numpy's `np.nan`).
    const NAN_BITS: Self::Bits;
    /// Bits of the canonical quiet NaN with the sign bit set (`0xffc00000`,
    /// `0xfff8000000000000`: what x86 produces for invalid operations).
    const NEG_NAN_BITS: Self::Bits;
    /// Positive infinity.
    const POS_INF: Self;
    /// Negative infinity.
    const NEG_INF: Self;
    /// The largest value of this type not greater than `v` (round toward −∞).
    fn from_f64_down(v: f64) -> Self;
    /// Distance from `|self|` to the next larger value of this type (`ulp`), as `f64`.
    fn spacing(self) -> f64;
}

impl FloatType for f32 {
    const NAN_BITS: u32 = 0x7fc0_0000;
    const NEG_NAN_BITS: u32 = 0xffc0_0000;
    const POS_INF: Self = f32::INFINITY;
    const NEG_INF: Self = f32::NEG_INFINITY;
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

impl FloatType for f64 {
    const NAN_BITS: u64 = 0x7ff8_0000_0000_0000;
    const NEG_NAN_BITS: u64 = 0xfff8_0000_0000_0000;
    const POS_INF: Self = f64::INFINITY;
    const NEG_INF: Self = f64::NEG_INFINITY;
    fn from_f64_down(v: f64) -> Self {
        v
    }
    fn spacing(self) -> f64 {
        let a = self.abs();
        a.next_up() - a
    }
}

/// A code dtype: `i8`, `i16`, `i32` or `i64`.
pub trait CodeType: Int + bytemuck::Pod {
    /// The value as `i64` (exact).
    fn to_i64(self) -> i64;
    /// The code for an `i64` known to be in range (checked by the caller).
    fn from_i64(v: i64) -> Self;
    /// The code for an integer-valued `f64` known to be in range (checked by the caller).
    fn from_f64_integer(v: f64) -> Self;
    /// `RN_F(self)`: the code converted to the float type `F`, rounded to nearest even (a single
    /// rounding; written so that the compiler can vectorise it).
    fn to_float<F: FloatType>(self) -> F;
}

macro_rules! impl_code {
    ($($t:ty: $exact_in_f64:expr),*) => {$(
        impl CodeType for $t {
            #[inline(always)]
            fn to_i64(self) -> i64 { i64::from(self) }
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation, clippy::unnecessary_cast)]
            fn from_i64(v: i64) -> Self { v as $t }
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation)]
            fn from_f64_integer(v: f64) -> Self { v as $t }
            #[inline(always)]
            #[allow(clippy::cast_precision_loss)]
            fn to_float<F: FloatType>(self) -> F {
                if $exact_in_f64 {
                    // Exact in f64, so rounding the f64 to F is the single rounding RN_F(q).
                    F::from_f64(self as f64)
                } else {
                    F::from_i64(i64::from(self))
                }
            }
        }
    )*};
}
impl_code!(i8: true, i16: true, i32: true, i64: false);

/// The five reserved codes of a code dtype and its finite code range (see the specification).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReservedCodes {
    /// `MIN`: NaN with the sign bit clear (canonical quiet NaN).
    pub nan: i64,
    /// `MIN + 1`: NaN with the sign bit set (canonical quiet NaN, negative).
    pub neg_nan: i64,
    /// `MIN + 2`: −∞.
    pub neg_inf: i64,
    /// `MAX - 1`: the configured fill value (a decoder rejects it when none is configured).
    pub fill: i64,
    /// `MAX`: +∞.
    pub pos_inf: i64,
    /// Smallest finite code, `MIN + 3`.
    pub finite_min: i64,
    /// Largest finite code, `MAX - 2`.
    pub finite_max: i64,
}

impl ReservedCodes {
    /// The layout for the code dtype `I`.
    #[must_use]
    pub fn of<I: CodeType>() -> Self {
        let min = I::MIN.to_i64();
        let max = I::MAX.to_i64();
        Self {
            nan: min,
            neg_nan: min + 1,
            neg_inf: min + 2,
            fill: max - 1,
            pos_inf: max,
            finite_min: min + 3,
            finite_max: max - 2,
        }
    }
}

/// Why one value could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EncodeFailure {
    /// A NaN other than the two canonical quiet NaNs.
    NanPayload,
    /// The value's code (`roundTiesEven((x − offset) / step)`, given as `f64`) is outside the
    /// finite code range.
    CodeOutOfRange(f64),
    /// The code is in range but neither it nor its neighbour decodes within the bound: the bound
    /// is too close to the float spacing at the value. Holds the nearest decoded value.
    BelowSpacing(f64),
}

/// The constants of one (decoded dtype `F`, code dtype `I`) pair, derived from a configuration
/// as the specification says.
#[derive(Clone, Copy, Debug)]
pub struct Params<F: FloatType> {
    /// `max_abs_error`.
    pub bound: f64,
    /// `step = roundDown_F(RN64(max_abs_error · 63/32))`.
    pub step: F,
    /// `offset` rounded to nearest `F`.
    pub offset: F,
    /// `RN64(1 / step)`.
    pub inv_step: f64,
    /// The fill value rounded to nearest `F`, if configured.
    pub fill: Option<F>,
    /// The code layout.
    pub codes: ReservedCodes,
}

fn invalid(message: String) -> CodecError {
    CodecError::InvalidConfig {
        codec: CODEC_ID,
        message,
    }
}

impl<F: FloatType> Params<F> {
    /// Derives the constants for code dtype `I`.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] if `max_abs_error` is not finite and > 0, the step it gives
    /// is zero in `F` or has no finite reciprocal, `offset` is not finite in `F`, or the fill
    /// value is not finite in `F`.
    pub fn new<I: CodeType>(config: &LinearQuantizeConfig) -> Result<Self, CodecError> {
        let e = config.max_abs_error.get();
        if !(e.is_finite() && e > 0.0) {
            return Err(invalid(format!(
                "max_abs_error must be a finite number > 0, found {e:?}"
            )));
        }
        let t = e * STEP_FACTOR;
        let step = F::from_f64_down(t);
        let inv_step = 1.0 / step.to_f64();
        if !t.is_finite() || step.to_f64() <= 0.0 || !inv_step.is_finite() {
            return Err(invalid(format!(
                "max_abs_error {e:?} gives a quantization step ({t:e}) that {} cannot use: it must be \
                 representable and have a finite reciprocal",
                config.dtype.name()
            )));
        }
        let offset = F::from_f64(config.offset);
        if !offset.is_finite() {
            return Err(invalid(format!(
                "offset must be a finite {} number, found {:?}",
                config.dtype.name(),
                config.offset
            )));
        }
        let fill = match config.fill_value {
            None => None,
            Some(v) => {
                let f = F::from_f64(v);
                if !f.is_finite() {
                    return Err(invalid(format!(
                        "fill_value must be a finite {} number (NaN and infinities have reserved \
                         codes of their own), found {v:?}",
                        config.dtype.name()
                    )));
                }
                Some(f)
            }
        };
        Ok(Self {
            bound: e,
            step,
            offset,
            inv_step,
            fill,
            codes: ReservedCodes::of::<I>(),
        })
    }

    /// Decodes a finite code: `RN_F(RN_F(RN_F(q) · step) + offset)`.
    #[inline(always)]
    #[must_use]
    pub fn dequantize(&self, q: i64) -> F {
        q.to_float::<F>().mul_add_unfused(self.step, self.offset)
    }

    /// Decodes any code, reserved ones included.
    ///
    /// # Errors
    ///
    /// [`CodecError::Corrupt`] for the fill code when no fill value is configured.
    pub fn decode_one(&self, q: i64) -> Result<F, CodecError> {
        let c = &self.codes;
        Ok(if q >= c.finite_min && q <= c.finite_max {
            self.dequantize(q)
        } else if q == c.nan {
            F::from_bits(F::NAN_BITS)
        } else if q == c.neg_nan {
            F::from_bits(F::NEG_NAN_BITS)
        } else if q == c.neg_inf {
            F::NEG_INF
        } else if q == c.pos_inf {
            F::POS_INF
        } else {
            // q == c.fill: the only code left of an in-range integer.
            self.fill.ok_or_else(|| CodecError::Corrupt {
                codec: CODEC_ID,
                message: format!(
                    "code {q} is the reserved fill-value code, but no fill_value is configured"
                ),
            })?
        })
    }

    /// The reference encoder for one value (the specification's procedure, step by step).
    ///
    /// # Errors
    ///
    /// An [`EncodeFailure`] saying why the value has no code.
    pub fn encode_one(&self, x: F) -> Result<i64, EncodeFailure> {
        let c = &self.codes;
        if self.fill.is_some_and(|f| f.to_bits() == x.to_bits()) {
            return Ok(c.fill);
        }
        if x.is_nan() {
            let bits = x.to_bits();
            return if bits == F::NAN_BITS {
                Ok(c.nan)
            } else if bits == F::NEG_NAN_BITS {
                Ok(c.neg_nan)
            } else {
                Err(EncodeFailure::NanPayload)
            };
        }
        if !x.is_finite() {
            return Ok(if x.to_f64() > 0.0 {
                c.pos_inf
            } else {
                c.neg_inf
            });
        }
        let xf = x.to_f64();
        let r = (xf - self.offset.to_f64()) * self.inv_step;
        let q0f = r.round_ties_even();
        // 2^63: codes beyond it do not fit any code dtype.
        const TWO_63: f64 = f64::from_bits(0x43e0_0000_0000_0000);
        if !(-TWO_63..TWO_63).contains(&q0f) {
            return Err(EncodeFailure::CodeOutOfRange(q0f));
        }
        #[allow(clippy::cast_possible_truncation)]
        let q0 = q0f as i64;
        let in_range = |q: i64| q >= c.finite_min && q <= c.finite_max;
        let x0 = self.dequantize(q0);
        if in_range(q0) && within_bound(xf, x0.to_f64(), self.bound) {
            return Ok(q0);
        }
        let q1 = if xf > x0.to_f64() {
            q0.checked_add(1)
        } else {
            q0.checked_sub(1)
        };
        if let Some(q1) = q1.filter(|&q| in_range(q))
            && within_bound(xf, self.dequantize(q1).to_f64(), self.bound)
        {
            return Ok(q1);
        }
        if in_range(q0) {
            Err(EncodeFailure::BelowSpacing(x0.to_f64()))
        } else {
            Err(EncodeFailure::CodeOutOfRange(q0f))
        }
    }

    /// The decoded values of the smallest and largest finite codes.
    #[must_use]
    pub fn finite_range(&self) -> (f64, f64) {
        (
            self.dequantize(self.codes.finite_min).to_f64(),
            self.dequantize(self.codes.finite_max).to_f64(),
        )
    }
}

pub use ndcodecs_core::float::within_bound;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_bound_check_sees_below_rounding() {
        // 2^100 − (−2^-100) rounds to 2^100 but exceeds it.
        let big = 2f64.powi(100);
        let tiny = 2f64.powi(-100);
        assert!(!within_bound(big, -tiny, big));
        assert!(within_bound(big, tiny, big));
        assert!(within_bound(big, 0.0, big));
        assert!(!within_bound(-big, tiny, big));
        assert!(within_bound(-big, -tiny, big));
        assert!(!within_bound(1.0, f64::INFINITY, 1e300));
        assert!(within_bound(0.3, 0.1, 0.2 + 1e-17));
    }

    #[test]
    fn reserved_layout() {
        let c = ReservedCodes::of::<i8>();
        assert_eq!(
            (c.nan, c.neg_nan, c.neg_inf, c.fill, c.pos_inf),
            (-128, -127, -126, 126, 127)
        );
        assert_eq!((c.finite_min, c.finite_max), (-125, 125));
        let c = ReservedCodes::of::<i64>();
        assert_eq!(c.finite_max, i64::MAX - 2);
    }

    #[test]
    fn step_rounds_down() {
        let p = Params::<f32>::new::<i16>(&LinearQuantizeConfig::new(0.1).unwrap()).unwrap();
        assert!(f64::from(p.step) <= 0.1 * STEP_FACTOR);
        assert!(f64::from(p.step.next_up()) > 0.1 * STEP_FACTOR);
    }
}
