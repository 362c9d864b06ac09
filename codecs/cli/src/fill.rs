//! `--fill-value`: a value marking missing data, taken in the array's data type.
//!
//! The text is converted once to the array's data type — rounded to `float32` for a `float32`
//! array, an exact integer in range for an integer array — and elements are compared with it in
//! that type. (Compared as `float64`, `1e20` never equals `float32(1e20)` and the fill value would
//! silently be measured as data.)

use anyhow::{Result, bail};
use serde_json::Value;

use crate::npy::{Element, NdArray, Samples, with_samples};

/// A fill value in an array's data type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fill {
    /// For an integer array: the exact value.
    Int(i128),
    /// For a float array: the value as given (`given`, what codec configurations and zarr
    /// metadata receive; they round it to the data type themselves) and rounded to the array's
    /// float type (`rounded`, what elements are compared with).
    Float {
        /// The value as parsed from the command line.
        given: f64,
        /// `given` rounded to the array's float type, as `f64` (exact).
        rounded: f64,
    },
}

/// Conversion of a fill value to an element type.
pub trait FillElement: Element {
    /// The fill value in this type (`None` if it has none in it).
    fn from_fill(fill: Fill) -> Option<Self>;
}

macro_rules! impl_int_fill {
    ($($t:ty),*) => {$(
        impl FillElement for $t {
            fn from_fill(fill: Fill) -> Option<Self> {
                match fill {
                    Fill::Int(n) => <$t>::try_from(n).ok(),
                    Fill::Float { .. } => None,
                }
            }
        }
    )*};
}
impl_int_fill!(u8, u16, u32, u64, i8, i16, i32, i64);

impl FillElement for f32 {
    fn from_fill(fill: Fill) -> Option<Self> {
        match fill {
            #[allow(clippy::cast_possible_truncation)]
            Fill::Float { rounded, .. } => Some(rounded as f32),
            Fill::Int(_) => None,
        }
    }
}

impl FillElement for f64 {
    fn from_fill(fill: Fill) -> Option<Self> {
        match fill {
            Fill::Float { rounded, .. } => Some(rounded),
            Fill::Int(_) => None,
        }
    }
}

impl Fill {
    /// Parses `text` as a fill value of the zarr v3 data type `dtype`.
    ///
    /// # Errors
    /// When `text` is not a number, or not an integer in range for an integer `dtype`, or
    /// overflows a `float32` array's type.
    pub fn parse(text: &str, dtype: &str) -> Result<Self> {
        let t = text.trim();
        if dtype.starts_with("float") {
            let Ok(given) = t.parse::<f64>() else {
                bail!("--fill-value `{text}` is not a number");
            };
            #[allow(clippy::cast_possible_truncation)]
            let rounded = if dtype == "float32" {
                f64::from(given as f32)
            } else {
                given
            };
            if given.is_finite() && !rounded.is_finite() {
                bail!("--fill-value {text} is outside the range of the array's {dtype}");
            }
            return Ok(Self::Float { given, rounded });
        }
        let n = match t.parse::<i128>() {
            Ok(n) => n,
            Err(_) => match t.parse::<f64>() {
                // `1e3` or `-5.0`: an integer written as a float.
                #[allow(clippy::cast_possible_truncation)]
                Ok(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e38 => x as i128,
                _ => bail!("--fill-value `{text}` is not an integer, as the array's {dtype} needs"),
            },
        };
        let fill = Self::Int(n);
        let fits = ndcodecs_core::with_element_type!(dtype, T => T::from_fill(fill).is_some(),
            _ => bail!("unsupported data type `{dtype}`"));
        if !fits {
            bail!("--fill-value {text} is outside the range of the array's {dtype}");
        }
        Ok(fill)
    }

    /// The value as zarr v3 metadata writes an array's `fill_value`: a number, or `"NaN"`,
    /// `"Infinity"`, `"-Infinity"`.
    #[must_use]
    pub fn to_json(self) -> Value {
        match self {
            Self::Int(n) => {
                if let Ok(v) = i64::try_from(n) {
                    Value::from(v)
                } else {
                    Value::from(u64::try_from(n).unwrap_or(u64::MAX))
                }
            }
            Self::Float { given, .. } if given.is_nan() => Value::from("NaN"),
            Self::Float { given, .. } if given == f64::INFINITY => Value::from("Infinity"),
            Self::Float { given, .. } if given == f64::NEG_INFINITY => Value::from("-Infinity"),
            Self::Float { given, .. } => Value::from(given),
        }
    }

    /// The CF `_FillValue` attribute as xarray writes and reads it for a zarr v3 array, so that
    /// `xarray.open_zarr` shows these elements as missing (NaN): for a float array the base64 of
    /// the value (rounded to the array's type) as a little-endian float64, for an integer array
    /// the number.
    #[must_use]
    pub fn xarray_attribute(self) -> Value {
        use base64::Engine as _;
        match self {
            Self::Int(_) => self.to_json(),
            Self::Float { rounded, .. } => {
                Value::from(base64::engine::general_purpose::STANDARD.encode(rounded.to_le_bytes()))
            }
        }
    }

    /// The value as given, as `f64` (for a codec's `fill_value`).
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn given(self) -> f64 {
        match self {
            Self::Int(n) => n as f64,
            Self::Float { given, .. } => given,
        }
    }
}

/// For each element of `data`, whether it is measured: finite and not equal to `fill` (compared
/// in the array's data type).
#[must_use]
pub fn valid_mask(data: &NdArray, fill: Option<Fill>) -> Vec<bool> {
    with_samples!(&data.samples, v: T => {
        let f = fill.and_then(T::from_fill);
        v.iter().map(|x| f != Some(*x) && x.is_finite()).collect()
    })
}

/// How many elements of `original` equal to `fill` did not come back bit-exactly in `decoded`
/// (all of them when `decoded` has another data type).
#[must_use]
pub fn fill_changed(original: &Samples, decoded: &Samples, fill: Option<Fill>) -> u64 {
    let Some(fill) = fill else { return 0 };
    with_samples!(original, a: T => {
        let Some(f) = T::from_fill(fill) else { return 0 };
        let is_fill = |x: &&T| x.bits() == f.bits();
        let changed = match T::slice(decoded) {
            Some(b) => a.iter().zip(b).filter(|(x, y)| is_fill(x) && x.bits() != y.bits()).count(),
            None => a.iter().filter(is_fill).count(),
        };
        changed as u64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compared_in_the_data_type() {
        let data = NdArray {
            shape: vec![4],
            samples: Samples::F32(vec![1e20, 1.0, f32::NAN, 2.0]),
        };
        let fill = Fill::parse("1e20", "float32").unwrap();
        assert_eq!(valid_mask(&data, Some(fill)), [false, true, false, true]);
        // As float64, 1e20 is not float32(1e20).
        let fill64 = Fill::parse("1e20", "float64").unwrap();
        assert!(f32::from_fill(fill64).unwrap() == 1e20);
        assert_eq!(fill.to_json(), serde_json::json!(1e20));
        // What xarray 2026.9 writes for float32(9.96921e36).
        let nc = Fill::parse("9.96921e36", "float32").unwrap();
        assert_eq!(nc.xarray_attribute(), "AAAAAAAAnkc=");
        let ints = NdArray {
            shape: vec![3],
            samples: Samples::I16(vec![-999, 3, -999]),
        };
        let fill = Fill::parse("-999", "int16").unwrap();
        assert_eq!(valid_mask(&ints, Some(fill)), [false, true, false]);
        assert!(Fill::parse("-1e3", "int16").is_ok());
        assert!(Fill::parse("40000", "int16").is_err());
        assert!(Fill::parse("0.5", "int16").is_err());
        assert!(Fill::parse("1e39", "float32").is_err());
        assert_eq!(Fill::parse("nan", "float32").unwrap().to_json(), "NaN");
        assert_eq!(
            Fill::parse("18446744073709551615", "uint64")
                .unwrap()
                .to_json(),
            serde_json::json!(u64::MAX)
        );
    }
}
