//! The element types the codec encodes and decodes, and how each maps to and from lilcom's
//! float32 values.

use ndcodecs_core::dtype::Element;

mod sealed {
    pub trait Sealed {}
}

/// An element type lilcom chunks can be encoded from and decoded to: `f32`, `f64` and the eight
/// integer types.
///
/// lilcom itself reconstructs float32 values. Encoding bounds the error against the input value
/// itself (an `f64` input is not first rounded to `f32`); decoding widens (`f64`) or rounds to
/// the nearest integer (ties to even) and saturates at the type's bounds (integers). For integer
/// input the encoder additionally checks that this rounding gives back every input value, so an
/// integer round trip with `tick_power <= 0` is exact.
pub trait LilcomElement: Element + sealed::Sealed {
    /// `true` for the integer types.
    const INTEGER: bool;
    /// `true` for `f32`, whose values are their own float32 conversion (lets the encoder check
    /// the bound in float32 first).
    #[doc(hidden)]
    const IS_F32: bool = false;
    /// The value as `f64` (exact for every value the encoder accepts).
    fn to_f64(self) -> f64;
    /// The decoded float32 value as this type; `None` for NaN, and for infinities when `Self` is
    /// an integer type.
    fn from_f32(v: f32) -> Option<Self>;
    /// `Some` when `Self` is `f32` (lets the decoder write straight into the output).
    #[doc(hidden)]
    fn as_f32_slice(s: &mut [Self]) -> Option<&mut [f32]> {
        let _ = s;
        None
    }
    /// `Ok` with the same vector when `Self` is `f32` (lets the decoder return the decoded
    /// values without a copy), `Err` with it unchanged otherwise.
    #[doc(hidden)]
    fn from_f32_vec(v: Vec<f32>) -> Result<Vec<Self>, Vec<f32>> {
        Err(v)
    }
}

macro_rules! impl_float {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl LilcomElement for $t {
            const INTEGER: bool = false;
            #[inline(always)]
            fn to_f64(self) -> f64 { f64::from(self) }
            #[inline(always)]
            fn from_f32(v: f32) -> Option<Self> { Some(v.into()) }
        }
    )*};
}
impl_float!(f64);

impl sealed::Sealed for f32 {}
impl LilcomElement for f32 {
    const INTEGER: bool = false;
    const IS_F32: bool = true;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn from_f32(v: f32) -> Option<Self> {
        Some(v)
    }
    fn as_f32_slice(s: &mut [Self]) -> Option<&mut [f32]> {
        Some(s)
    }
    fn from_f32_vec(v: Vec<f32>) -> Result<Vec<Self>, Vec<f32>> {
        Ok(v)
    }
}

macro_rules! impl_int {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl LilcomElement for $t {
            const INTEGER: bool = true;
            #[inline(always)]
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn to_f64(self) -> f64 { self as f64 }
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            fn from_f32(v: f32) -> Option<Self> {
                // `as` saturates at the bounds; infinities and NaN are refused.
                v.is_finite().then(|| v.round_ties_even() as $t)
            }
        }
    )*};
}
impl_int!(u8, u16, u32, u64, i8, i16, i32, i64);
