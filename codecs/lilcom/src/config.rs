//! Configuration of the `lilcom` codec.

use std::borrow::Cow;

use numcodecs::{AnyArrayDType, StaticCodecVersion};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// Version of the `lilcom` codec's semantics (stored as `_version` in its configuration).
///
/// The encoded bytes are lilcom 1.x streams whatever this version; it changes only if the
/// configuration's meaning does.
pub type LilcomVersion = StaticCodecVersion<0, 1, 0>;

/// Configuration of the `lilcom` codec.
///
/// ```json
/// {"tick_power": -5, "do_regression": true, "dtype": "float32"}
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "LilcomConfig")]
pub struct LilcomConfig {
    /// Quantisation step exponent: values are coded as multiples of `2^tick_power`, and every
    /// decoded value is within `2^(tick_power - 1)` of the input (unit: the data's own). An
    /// integer in `-20..=20`; default -8. lhotse stores speech features with -5.
    #[serde(default)]
    pub tick_power: TickPower,
    /// Predict each element from its previous neighbour along every axis (one coefficient per
    /// axis, chosen to minimise the coded size). `false` codes every element on its own (all
    /// coefficients 0). Default `true`.
    #[serde(default = "default_true")]
    pub do_regression: bool,
    /// The array dtype this codec encodes and decodes: `"float32"` (default; lilcom's own),
    /// `"float64"`, or an integer dtype (`"int8"`..`"int64"`, `"uint8"`..`"uint64"`). Integer
    /// arrays round-trip exactly when `tick_power <= 0`.
    #[serde(default)]
    pub dtype: LilcomDtype,
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: LilcomVersion,
}

const fn default_true() -> bool {
    true
}

impl Default for LilcomConfig {
    fn default() -> Self {
        Self {
            tick_power: TickPower::default(),
            do_regression: true,
            dtype: LilcomDtype::default(),
            version: LilcomVersion::default(),
        }
    }
}

/// A `tick_power` in `-20..=20` (the range the lilcom format allows); default -8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct TickPower(i8);

impl TickPower {
    /// Smallest allowed value.
    pub const MIN: i32 = -20;
    /// Largest allowed value.
    pub const MAX: i32 = 20;

    /// `Some` for a value in `-20..=20`.
    #[must_use]
    pub fn new(v: i32) -> Option<Self> {
        i8::try_from(v)
            .ok()
            .filter(|v| (-20..=20).contains(v))
            .map(Self)
    }

    /// The value.
    #[must_use]
    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
}

impl Default for TickPower {
    fn default() -> Self {
        Self(-8)
    }
}

impl TryFrom<i64> for TickPower {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        i32::try_from(v)
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| format!("tick_power {v} is outside -20..=20"))
    }
}

impl From<TickPower> for i64 {
    fn from(t: TickPower) -> Self {
        Self::from(t.0)
    }
}

impl JsonSchema for TickPower {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "TickPower".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "integer",
            "minimum": -20,
            "maximum": 20,
            "default": -8,
        })
    }
}

/// The dtype of the arrays a `lilcom` codec encodes and decodes (numpy names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LilcomDtype {
    /// 32-bit float (lilcom's own dtype).
    #[default]
    Float32,
    /// 64-bit float (values decode from float32, so at most float32 precision comes back).
    Float64,
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer (exact for magnitudes up to 2^24).
    Int32,
    /// 64-bit signed integer (exact for magnitudes up to 2^24).
    Int64,
    /// 8-bit unsigned integer.
    Uint8,
    /// 16-bit unsigned integer.
    Uint16,
    /// 32-bit unsigned integer (exact up to 2^24).
    Uint32,
    /// 64-bit unsigned integer (exact up to 2^24).
    Uint64,
}

impl LilcomDtype {
    /// The lilcom dtype of a numcodecs dtype, if lilcom takes it.
    #[must_use]
    pub const fn from_numcodecs(dtype: AnyArrayDType) -> Option<Self> {
        Some(match dtype {
            AnyArrayDType::F32 => Self::Float32,
            AnyArrayDType::F64 => Self::Float64,
            AnyArrayDType::I8 => Self::Int8,
            AnyArrayDType::I16 => Self::Int16,
            AnyArrayDType::I32 => Self::Int32,
            AnyArrayDType::I64 => Self::Int64,
            AnyArrayDType::U8 => Self::Uint8,
            AnyArrayDType::U16 => Self::Uint16,
            AnyArrayDType::U32 => Self::Uint32,
            AnyArrayDType::U64 => Self::Uint64,
            _ => return None,
        })
    }

    /// The numcodecs dtype.
    #[must_use]
    pub const fn to_numcodecs(self) -> AnyArrayDType {
        match self {
            Self::Float32 => AnyArrayDType::F32,
            Self::Float64 => AnyArrayDType::F64,
            Self::Int8 => AnyArrayDType::I8,
            Self::Int16 => AnyArrayDType::I16,
            Self::Int32 => AnyArrayDType::I32,
            Self::Int64 => AnyArrayDType::I64,
            Self::Uint8 => AnyArrayDType::U8,
            Self::Uint16 => AnyArrayDType::U16,
            Self::Uint32 => AnyArrayDType::U32,
            Self::Uint64 => AnyArrayDType::U64,
        }
    }
}
