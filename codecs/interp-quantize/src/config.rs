//! The codec's configuration: what a user writes in zarr metadata or passes to numcodecs.

use ndcodecs_core::CodecError;
pub use ndcodecs_core::float::FloatDtype;
use numcodecs::StaticCodecVersion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::CODEC_ID;

/// Version of the `interp_quantize` codec's semantics (stored as `_version` in its
/// configuration). A reader accepts configurations whose version is semver-compatible (`^`) with
/// its own and rejects newer incompatible ones when the configuration is read.
pub type InterpQuantizeVersion = StaticCodecVersion<0, 1, 0>;

/// A finite number > 0 (an error bound), rejected when the configuration is read otherwise.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "f64", into = "f64")]
pub struct PositiveBound(f64);

impl PositiveBound {
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
                codec: CODEC_ID,
                message: format!("an error bound must be a finite number > 0, found {value:?}"),
            })
        }
    }

    /// The bound as a number.
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for PositiveBound {
    type Error = CodecError;
    fn try_from(value: f64) -> Result<Self, CodecError> {
        Self::new(value)
    }
}

impl From<PositiveBound> for f64 {
    fn from(e: PositiveBound) -> Self {
        e.0
    }
}

/// The absolute error bound a chunk is encoded with, once resolved from the configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ErrorBound {
    /// `max_abs_error`, in the data's units.
    Abs(f64),
    /// `max_rel_error`: a fraction of the value range (max − min) of the chunk's finite
    /// non-fill values.
    Rel(f64),
}

/// Configuration of the `interp_quantize` codec.
///
/// ```json
/// {"max_abs_error": 0.01, "fill_value": 9.96921e36, "dtype": "float32"}
/// ```
///
/// Exactly one of `max_abs_error` and `max_rel_error` is required. Unknown keys are rejected;
/// the `_version` key that the codec itself writes into its configuration is a declared
/// (optional) field, so configurations round-trip through numcodecs (`get_config` →
/// `from_config`).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "InterpQuantizeConfig")]
pub struct InterpQuantizeConfig {
    /// Largest absolute difference allowed between a finite input value and its decoded value,
    /// in the data's units (a finite number > 0). Exactly one of `max_abs_error` and
    /// `max_rel_error` must be given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub max_abs_error: Option<PositiveBound>,
    /// Largest absolute difference allowed, as a fraction of the value range (max − min) of each
    /// chunk's finite non-fill values (SZ3's REL mode; a finite number > 0). Each encoded chunk
    /// records the absolute bound it used (zarr pads edge chunks with the array's fill value,
    /// which counts in the range unless it is NaN or `fill_value`). Exactly one of
    /// `max_abs_error` and `max_rel_error` must be given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub max_rel_error: Option<PositiveBound>,
    /// Value that marks missing data (e.g. netCDF's `_FillValue` 9.96921e36, or 1e20), stored
    /// under a reserved code, decoded bit-exactly and never used to predict other values (a
    /// finite number, or absent/null for none; default none). It is first rounded to `dtype`;
    /// input values with the same bits match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_value: Option<f64>,
    /// Dtype of the decoded (and of the input) array: `"float32"` (default) or `"float64"`.
    #[serde(default)]
    pub dtype: FloatDtype,
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: InterpQuantizeVersion,
}

impl InterpQuantizeConfig {
    /// A configuration with an absolute bound and every other field at its default (no fill
    /// value, float32 data).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] unless `max_abs_error` is finite and > 0.
    pub fn abs(max_abs_error: f64) -> Result<Self, CodecError> {
        Ok(Self {
            max_abs_error: Some(PositiveBound::new(max_abs_error)?),
            max_rel_error: None,
            fill_value: None,
            dtype: FloatDtype::default(),
            version: InterpQuantizeVersion::default(),
        })
    }

    /// A configuration with a bound relative to each chunk's value range and every other field
    /// at its default.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] unless `max_rel_error` is finite and > 0.
    pub fn rel(max_rel_error: f64) -> Result<Self, CodecError> {
        Ok(Self {
            max_abs_error: None,
            max_rel_error: Some(PositiveBound::new(max_rel_error)?),
            fill_value: None,
            dtype: FloatDtype::default(),
            version: InterpQuantizeVersion::default(),
        })
    }

    /// The configured bound.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] unless exactly one of the two bounds is given.
    pub fn bound(&self) -> Result<ErrorBound, CodecError> {
        match (self.max_abs_error, self.max_rel_error) {
            (Some(a), None) => Ok(ErrorBound::Abs(a.get())),
            (None, Some(r)) => Ok(ErrorBound::Rel(r.get())),
            (None, None) => Err(CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: "one of max_abs_error (in the data's units) and max_rel_error (a \
                          fraction of each chunk's value range) is required"
                    .to_owned(),
            }),
            (Some(_), Some(_)) => Err(CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: "max_abs_error and max_rel_error are exclusive: give one of them"
                    .to_owned(),
            }),
        }
    }
}

impl PartialEq for InterpQuantizeConfig {
    /// Compares every field by value (`_version` has a single possible value per codec version).
    fn eq(&self, other: &Self) -> bool {
        let bits = |b: Option<PositiveBound>| b.map(|b| b.get().to_bits());
        bits(self.max_abs_error) == bits(other.max_abs_error)
            && bits(self.max_rel_error) == bits(other.max_rel_error)
            && self.fill_value.map(f64::to_bits) == other.fill_value.map(f64::to_bits)
            && self.dtype == other.dtype
    }
}
