//! The sample dtypes the learned image codecs (`pixel_mlp`, `interp_cnn`) code: `uint8`,
//! `uint16` and `int16`, as a value (`SampleType`, what a chunk header records) and as a Rust
//! element type (`Sample`).

use ndcodecs_core::dtype::Element;
use numcodecs::AnyArrayDType;

/// The sample dtype of an image chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleType {
    /// `uint8`
    U8,
    /// `uint16`
    U16,
    /// `int16`
    I16,
}

impl SampleType {
    /// The dtype's smallest and largest values.
    #[must_use]
    pub const fn range(self) -> (i64, i64) {
        match self {
            Self::U8 => (0, 255),
            Self::U16 => (0, 65535),
            Self::I16 => (-32768, 32767),
        }
    }

    /// The dtype's numpy name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::U8 => "uint8",
            Self::U16 => "uint16",
            Self::I16 => "int16",
        }
    }

    /// The dtype as numcodecs names it.
    #[must_use]
    pub const fn dtype(self) -> AnyArrayDType {
        match self {
            Self::U8 => AnyArrayDType::U8,
            Self::U16 => AnyArrayDType::U16,
            Self::I16 => AnyArrayDType::I16,
        }
    }
}

/// A sample element type: `u8`, `u16`, `i16`.
pub trait Sample: Element {
    /// The dtype a chunk of these samples records.
    const TYPE: SampleType;
    /// The value as `i32`.
    fn to_i32(self) -> i32;
    /// A value known to be in the dtype's range.
    fn from_i32(v: i32) -> Self;
}

macro_rules! impl_sample {
    ($t:ty, $v:ident) => {
        impl Sample for $t {
            const TYPE: SampleType = SampleType::$v;
            #[inline(always)]
            fn to_i32(self) -> i32 {
                i32::from(self)
            }
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            fn from_i32(v: i32) -> Self {
                v as $t
            }
        }
    };
}
impl_sample!(u8, U8);
impl_sample!(u16, U16);
impl_sample!(i16, I16);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_names_and_dtypes_agree_with_the_element_types() {
        fn check<T: Sample + Into<i64>>(min: T, max: T, name: &str, dtype: AnyArrayDType) {
            assert_eq!(T::TYPE.range(), (min.into(), max.into()));
            assert_eq!(T::TYPE.name(), name);
            assert_eq!(T::TYPE.dtype(), dtype);
            assert_eq!(T::from_i32(max.to_i32()).to_i32(), max.to_i32());
            assert_eq!(T::from_i32(min.to_i32()).to_i32(), min.to_i32());
        }
        check(u8::MIN, u8::MAX, "uint8", AnyArrayDType::U8);
        check(u16::MIN, u16::MAX, "uint16", AnyArrayDType::U16);
        check(i16::MIN, i16::MAX, "int16", AnyArrayDType::I16);
    }
}
