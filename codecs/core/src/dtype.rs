//! Element traits for the numcodecs dtypes and the single dtype dispatch point.
//!
//! Each ndcodecs algorithm is written once, generic over one of the traits here; the macros
//! [`map_int_array!`](crate::map_int_array) and [`map_float_array!`](crate::map_float_array) are
//! the only places that turn a runtime dtype into a type parameter.

use std::fmt::{Debug, Display};

use ndarray::{ArrayD, ArrayViewMutD, CowArray, IxDyn};
use numcodecs::{AnyArray, AnyArrayDType, AnyArrayViewMut, AnyCowArray, ArrayDType};

/// A plain element of one of the ten numcodecs dtypes, with conversions between typed ndarrays
/// and numcodecs' dtype-erased arrays.
pub trait Element:
    ArrayDType + Copy + Default + PartialEq + Debug + Display + Send + Sync + 'static
{
    /// Wraps an owned typed array into the matching [`AnyArray`] variant.
    fn into_any(a: ArrayD<Self>) -> AnyArray;
    /// Wraps a copy-on-write typed array into the matching [`AnyCowArray`] variant.
    fn into_any_cow(a: CowArray<'_, Self, IxDyn>) -> AnyCowArray<'_>;
    /// Wraps a mutable typed view into the matching [`AnyArrayViewMut`] variant.
    fn into_any_view_mut(a: ArrayViewMutD<'_, Self>) -> AnyArrayViewMut<'_>;
}

macro_rules! impl_element {
    ($($t:ty => $v:ident),*) => {$(
        impl Element for $t {
            fn into_any(a: ArrayD<Self>) -> AnyArray { AnyArray::$v(a) }
            fn into_any_cow(a: CowArray<'_, Self, IxDyn>) -> AnyCowArray<'_> { AnyCowArray::$v(a) }
            fn into_any_view_mut(a: ArrayViewMutD<'_, Self>) -> AnyArrayViewMut<'_> {
                AnyArrayViewMut::$v(a)
            }
        }
    )*};
}
impl_element!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i8 => I8, i16 => I16, i32 => I32,
    i64 => I64, f32 => F32, f64 => F64);

/// A signed or unsigned integer element with wrapping (modular) arithmetic, so that deltas and
/// their cumulative sums are exact inverses for every value.
pub trait Int: Element + Ord {
    /// Smallest value.
    const MIN: Self;
    /// Largest value.
    const MAX: Self;
    /// `self + rhs`, wrapping around at the type's bounds.
    #[must_use]
    fn wrapping_add(self, rhs: Self) -> Self;
    /// `self - rhs`, wrapping around at the type's bounds.
    #[must_use]
    fn wrapping_sub(self, rhs: Self) -> Self;
    /// The value as `i128` (exact for every integer dtype).
    fn to_i128(self) -> i128;
    /// The value for an `i128` known to be in range (checked by the caller).
    fn from_i128(v: i128) -> Self;
}

macro_rules! impl_int {
    ($($t:ty),*) => {$(
        impl Int for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            #[inline(always)]
            fn wrapping_add(self, rhs: Self) -> Self { <$t>::wrapping_add(self, rhs) }
            #[inline(always)]
            fn wrapping_sub(self, rhs: Self) -> Self { <$t>::wrapping_sub(self, rhs) }
            #[inline(always)]
            fn to_i128(self) -> i128 { i128::from(self) }
            #[inline(always)]
            #[expect(clippy::cast_possible_truncation)]
            fn from_i128(v: i128) -> Self { v as $t }
        }
    )*};
}
impl_int!(u8, u16, u32, u64, i8, i16, i32, i64);

/// An IEEE-754 binary floating-point element (`f32` or `f64`).
pub trait Float: Element + PartialOrd {
    /// The unsigned integer with the same bits.
    type Bits: Copy + Eq + Debug + std::fmt::LowerHex;
    /// Number of explicit mantissa bits (23 or 52).
    const MANTISSA_BITS: u32;
    /// Raw bits.
    fn to_bits(self) -> Self::Bits;
    /// From raw bits.
    fn from_bits(bits: Self::Bits) -> Self;
    /// Widen to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Round an `f64` to this type (round to nearest even).
    fn from_f64(v: f64) -> Self;
    /// Convert an integer code to this type (round to nearest even, like a C cast).
    fn from_i64(v: i64) -> Self;
    /// `true` for finite values.
    fn is_finite(self) -> bool;
    /// `true` for NaN.
    fn is_nan(self) -> bool;
    /// `self * a + b` computed with two roundings (multiply, then add), as the decoder does.
    #[must_use]
    fn mul_add_unfused(self, a: Self, b: Self) -> Self;
}

macro_rules! impl_float {
    ($t:ty, $bits:ty, $mant:expr) => {
        impl Float for $t {
            type Bits = $bits;
            const MANTISSA_BITS: u32 = $mant;
            #[inline(always)]
            fn to_bits(self) -> $bits {
                <$t>::to_bits(self)
            }
            #[inline(always)]
            fn from_bits(bits: $bits) -> Self {
                <$t>::from_bits(bits)
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation, clippy::unnecessary_cast)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            #[allow(clippy::cast_precision_loss)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn mul_add_unfused(self, a: Self, b: Self) -> Self {
                self * a + b
            }
        }
    };
}
impl_float!(f32, u32, 23);
impl_float!(f64, u64, 52);

/// A human-readable numpy-style name of a dtype (`"int16"`, `"float32"`), for error messages.
#[must_use]
pub const fn dtype_name(dtype: AnyArrayDType) -> &'static str {
    match dtype {
        AnyArrayDType::U8 => "uint8",
        AnyArrayDType::U16 => "uint16",
        AnyArrayDType::U32 => "uint32",
        AnyArrayDType::U64 => "uint64",
        AnyArrayDType::I8 => "int8",
        AnyArrayDType::I16 => "int16",
        AnyArrayDType::I32 => "int32",
        AnyArrayDType::I64 => "int64",
        AnyArrayDType::F32 => "float32",
        AnyArrayDType::F64 => "float64",
        _ => "unknown",
    }
}

/// The dtype of a numpy-style name (`"int16"`, `"float32"`), the inverse of [`dtype_name`];
/// `None` for any other name.
#[must_use]
pub fn dtype_from_name(name: &str) -> Option<AnyArrayDType> {
    crate::with_element_type!(name, T => Some(<T as ArrayDType>::DTYPE), _ => None)
}

/// The dtype dispatch point for integer codecs: matches a numcodecs `AnyArrayBase` value, binds
/// the typed ndarray of each integer variant to `$a`, evaluates `$body` (a typed ndarray of the
/// same element type) and wraps it back into the same variant. Any other variant (the floats) is
/// bound to `$other` and `$fallback` is evaluated (usually an early `return Err(..)`).
///
/// ```
/// use ndcodecs_core::map_int_array;
/// use numcodecs::{AnyArray, AnyCowArray};
/// let a = AnyArray::I16(ndarray::ArrayD::from_elem(vec![2], 7i16));
/// let doubled: AnyArray = map_int_array!(a.cow(), x => x.mapv(|v| v * 2), other => panic!("{other:?}"));
/// assert_eq!(doubled, AnyArray::I16(ndarray::ArrayD::from_elem(vec![2], 14i16)));
/// ```
#[macro_export]
macro_rules! map_int_array {
    ($array:expr, $a:ident => $body:expr, $other:ident => $fallback:expr $(,)?) => {{
        use $crate::__numcodecs::AnyArrayBase as __Any;
        match $array {
            __Any::U8($a) => __Any::U8($body),
            __Any::U16($a) => __Any::U16($body),
            __Any::U32($a) => __Any::U32($body),
            __Any::U64($a) => __Any::U64($body),
            __Any::I8($a) => __Any::I8($body),
            __Any::I16($a) => __Any::I16($body),
            __Any::I32($a) => __Any::I32($body),
            __Any::I64($a) => __Any::I64($body),
            #[allow(unreachable_patterns)]
            $other => $fallback,
        }
    }};
}

/// The dtype dispatch point for float codecs: like [`map_int_array!`](crate::map_int_array) for
/// the `F32` and `F64` variants, except that `$body` is evaluated as is (it may produce any
/// type, e.g. an integer array of the configured code dtype).
#[macro_export]
macro_rules! match_float_array {
    ($array:expr, $a:ident => $body:expr, $other:ident => $fallback:expr $(,)?) => {{
        use $crate::__numcodecs::AnyArrayBase as __Any;
        match $array {
            __Any::F32($a) => $body,
            __Any::F64($a) => $body,
            #[allow(unreachable_patterns)]
            $other => $fallback,
        }
    }};
}

/// The dtype dispatch point for codecs that take any numeric dtype: binds the typed ndarray of
/// every variant to `$a` and evaluates `$body` as is. numcodecs' array enum is
/// `#[non_exhaustive]`, so a variant a newer numcodecs adds is bound to `$other` and `$fallback`
/// is evaluated.
#[macro_export]
macro_rules! match_any_array {
    ($array:expr, $a:ident => $body:expr, $other:ident => $fallback:expr $(,)?) => {{
        use $crate::__numcodecs::AnyArrayBase as __Any;
        match $array {
            __Any::U8($a) => $body,
            __Any::U16($a) => $body,
            __Any::U32($a) => $body,
            __Any::U64($a) => $body,
            __Any::I8($a) => $body,
            __Any::I16($a) => $body,
            __Any::I32($a) => $body,
            __Any::I64($a) => $body,
            __Any::F32($a) => $body,
            __Any::F64($a) => $body,
            #[allow(unreachable_patterns)]
            $other => $fallback,
        }
    }};
}

/// The dispatch point from a dtype *name* (numpy / zarr v3 spelling: `"int8"` … `"uint64"`,
/// `"float32"`, `"float64"`) to a Rust element type: evaluates `$body` with `$t` naming that type,
/// or `$otherwise` for any other name. For code that meets dtypes as strings (`.npy` headers,
/// zarr metadata) rather than as numcodecs arrays.
///
/// ```
/// let size = ndcodecs_core::with_element_type!("int16", T => std::mem::size_of::<T>(), _ => 0);
/// assert_eq!(size, 2);
/// ```
#[macro_export]
macro_rules! with_element_type {
    ($name:expr, $t:ident => $body:expr, _ => $otherwise:expr $(,)?) => {
        match $name {
            "uint8" => {
                type $t = u8;
                $body
            }
            "uint16" => {
                type $t = u16;
                $body
            }
            "uint32" => {
                type $t = u32;
                $body
            }
            "uint64" => {
                type $t = u64;
                $body
            }
            "int8" => {
                type $t = i8;
                $body
            }
            "int16" => {
                type $t = i16;
                $body
            }
            "int32" => {
                type $t = i32;
                $body
            }
            "int64" => {
                type $t = i64;
                $body
            }
            "float32" => {
                type $t = f32;
                $body
            }
            "float64" => {
                type $t = f64;
                $body
            }
            _ => $otherwise,
        }
    };
}
