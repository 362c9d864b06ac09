//! The codec's configuration: what a user writes in zarr metadata or passes to numcodecs.

use ndcodecs_core::CodecError;
pub use ndcodecs_core::float::FloatDtype;
use numcodecs::{AnyArrayDType, StaticCodecVersion};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the `linear_quantize` codec's semantics (stored as `_version` in its
/// configuration). A reader accepts configurations whose version is semver-compatible (`^`) with
/// its own and rejects newer incompatible ones when the configuration is read.
pub type LinearQuantizeVersion = StaticCodecVersion<0, 1, 0>;

/// The error bound: a finite number > 0 (so an invalid bound is rejected when the configuration
/// is read, before any codec exists).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "f64", into = "f64")]
pub struct MaxAbsError(f64);

impl MaxAbsError {
    /// The bound `value`.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] unless `value` is finite and > 0.
    pub fn new(value: f64) -> Result<Self, CodecError> {
        if value.is_finite() && value > 0.0 {
            Ok(Self(value))
        } else {
            Err(CodecError::InvalidConfig {
                codec: crate::CODEC_ID,
                message: format!("max_abs_error must be a finite number > 0, found {value:?}"),
            })
        }
    }

    /// The bound as a number.
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for MaxAbsError {
    type Error = String;
    /// The message names the value and what is accepted (the field and codec are added by the
    /// caller).
    fn try_from(value: f64) -> Result<Self, String> {
        Self::new(value).map_err(|_| format!("{value:?} is not accepted: give a finite number > 0"))
    }
}

impl From<MaxAbsError> for f64 {
    fn from(e: MaxAbsError) -> Self {
        e.0
    }
}

/// The encoded (signed integer code) dtype.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CodeDtype {
    /// 8-bit codes: finite codes -125..=125.
    #[serde(rename = "int8")]
    Int8,
    /// 16-bit codes: finite codes -32765..=32765.
    #[serde(rename = "int16")]
    Int16,
    /// 32-bit codes: finite codes -(2^31 - 3)..=2^31 - 3.
    #[default]
    #[serde(rename = "int32")]
    Int32,
    /// 64-bit codes: finite codes -(2^63 - 3)..=2^63 - 3.
    #[serde(rename = "int64")]
    Int64,
}

impl CodeDtype {
    /// The numcodecs dtype.
    #[must_use]
    pub const fn to_any(self) -> AnyArrayDType {
        match self {
            Self::Int8 => AnyArrayDType::I8,
            Self::Int16 => AnyArrayDType::I16,
            Self::Int32 => AnyArrayDType::I32,
            Self::Int64 => AnyArrayDType::I64,
        }
    }

    /// The numpy-style name (`"int8"` .. `"int64"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Int8 => "int8",
            Self::Int16 => "int16",
            Self::Int32 => "int32",
            Self::Int64 => "int64",
        }
    }
}

/// Configuration of the `linear_quantize` codec.
///
/// ```json
/// {"max_abs_error": 0.01, "offset": 273.15, "fill_value": 9.96921e36,
///  "dtype": "float32", "astype": "int16"}
/// ```
///
/// Only `max_abs_error` is required. Unknown keys are rejected; the `_version` key that the codec
/// itself writes into its configuration is a declared (optional) field, so configurations
/// round-trip through numcodecs (`get_config` → `from_config`).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "LinearQuantizeConfig")]
pub struct LinearQuantizeConfig {
    /// Largest absolute difference allowed between a finite input value and its decoded value,
    /// in the data's units (a number, finite and > 0; required). The quantization step is
    /// slightly less than twice this value (see the specification).
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub max_abs_error: MaxAbsError,
    /// Value that code 0 decodes to, in the data's units (a finite number; default 0). Choosing
    /// the middle of the data's range lets narrower code dtypes fit.
    #[serde(default)]
    pub offset: f64,
    /// Value that marks missing data (e.g. netCDF's `_FillValue` 9.96921e36), stored under a
    /// reserved code and decoded bit-exactly (a finite number, or absent/null for none; default
    /// none). It is first rounded to `dtype`; input values with the same bits match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_value: Option<f64>,
    /// Dtype of the decoded (and of the input) array: `"float32"` (default) or `"float64"`.
    #[serde(default)]
    pub dtype: FloatDtype,
    /// Dtype of the integer codes: `"int8"`, `"int16"`, `"int32"` (default) or `"int64"`.
    #[serde(default)]
    pub astype: CodeDtype,
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: LinearQuantizeVersion,
}

impl LinearQuantizeConfig {
    /// A configuration with the given bound and every other field at its default (offset 0, no
    /// fill value, float32 data, int32 codes).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] unless `max_abs_error` is finite and > 0.
    pub fn new(max_abs_error: f64) -> Result<Self, CodecError> {
        Ok(Self {
            max_abs_error: MaxAbsError::new(max_abs_error)?,
            offset: 0.0,
            fill_value: None,
            dtype: FloatDtype::default(),
            astype: CodeDtype::default(),
            version: LinearQuantizeVersion::default(),
        })
    }
}

/// The absolute bound that a bound relative to the value range of `values` stands for (SZ3's
/// `REL` error-bound mode): `max_rel_error × (max − min)`, computed in `float64` over the finite
/// values other than `fill_value` (matched by bits after rounding it to `F`, as the encoder
/// matches it).
///
/// `linear_quantize` has no header, so a chunk cannot carry a bound of its own: a relative bound
/// is resolved against the data at hand (the whole array, when it is written) into the
/// `max_abs_error` that the configuration stores, and decoding needs nothing else. Every chunk of
/// the array then has the same absolute bound.
///
/// # Errors
///
/// [`CodecError::InvalidConfig`] if `max_rel_error` is not finite and > 0, if no value is finite
/// and not the fill value, or if the range is 0 (a constant field: the relative bound is 0 —
/// give `max_abs_error` instead).
pub fn max_abs_error_from_relative<F: crate::format::FloatType>(
    values: impl IntoIterator<Item = F>,
    max_rel_error: f64,
    fill_value: Option<f64>,
) -> Result<MaxAbsError, CodecError> {
    let invalid = |message: String| CodecError::InvalidConfig {
        codec: crate::CODEC_ID,
        message,
    };
    if !(max_rel_error.is_finite() && max_rel_error > 0.0) {
        return Err(invalid(format!(
            "max_rel_error must be a finite number > 0, found {max_rel_error:?}"
        )));
    }
    let fill = fill_value.map(|f| F::from_f64(f).to_bits());
    let (lo, hi) = values
        .into_iter()
        .filter(|x| x.is_finite() && Some(x.to_bits()) != fill)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x.to_f64()), hi.max(x.to_f64()))
        });
    if lo > hi {
        return Err(invalid(
            "max_rel_error: the data hold no finite value other than the fill value, so they have \
             no value range"
                .into(),
        ));
    }
    let range = hi - lo;
    if range == 0.0 {
        return Err(invalid(format!(
            "max_rel_error: every value is {lo:?} (value range 0), so a relative bound is 0; give \
             max_abs_error instead"
        )));
    }
    MaxAbsError::new(max_rel_error * range)
}

impl LinearQuantizeConfig {
    /// A configuration for `data` (`float32` or `float64`, any shape) whose `max_abs_error` is
    /// `max_rel_error` times the value range of `data` (see [`max_abs_error_from_relative`]),
    /// with `dtype` set from the data, `fill_value` as given, and the other fields at their
    /// defaults (offset 0, int32 codes).
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for data that are not `float32`/`float64`, and the errors
    /// of [`max_abs_error_from_relative`].
    pub fn from_relative_error(
        data: &numcodecs::AnyArrayView<'_>,
        max_rel_error: f64,
        fill_value: Option<f64>,
    ) -> Result<Self, CodecError> {
        let (bound, dtype) = match data {
            numcodecs::AnyArrayBase::F32(a) => (
                max_abs_error_from_relative(a.iter().copied(), max_rel_error, fill_value)?,
                FloatDtype::Float32,
            ),
            numcodecs::AnyArrayBase::F64(a) => (
                max_abs_error_from_relative(a.iter().copied(), max_rel_error, fill_value)?,
                FloatDtype::Float64,
            ),
            other => {
                return Err(CodecError::UnsupportedDtype {
                    codec: crate::CODEC_ID,
                    found: ndcodecs_core::dtype::dtype_name(other.dtype()).to_owned(),
                    expected: "float32 or float64 data".into(),
                });
            }
        };
        Ok(Self {
            fill_value,
            dtype,
            ..Self::new(bound.get())?
        })
    }
}

impl PartialEq for LinearQuantizeConfig {
    /// Compares every field by value (`_version` has a single possible value per codec version).
    fn eq(&self, other: &Self) -> bool {
        self.max_abs_error.get().to_bits() == other.max_abs_error.get().to_bits()
            && self.offset.to_bits() == other.offset.to_bits()
            && self.fill_value.map(f64::to_bits) == other.fill_value.map(f64::to_bits)
            && self.dtype == other.dtype
            && self.astype == other.astype
    }
}
