use ndcodecs_core::dtype::DtypeName;
use numcodecs::StaticCodecVersion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the `spatial_delta` codec's semantics (stored as `_version` in its configuration).
///
/// A reader refuses a configuration whose `_version` is not semver-compatible with this one.
pub type SpatialDeltaVersion = StaticCodecVersion<0, 1, 0>;

/// Configuration of the `spatial_delta` codec.
///
/// ```json
/// {"axis": [0, 1, 2]}
/// ```
///
/// As a zarr v2 filter, where the first filter of a chain decodes the compressor's output as bare
/// bytes, the configuration also names the chunks' dtype and shape (numcodecs' `Delta(dtype=…)`
/// convention):
///
/// ```json
/// {"axis": [0, 1], "dtype": "int32", "chunk_shape": [500, 80]}
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "SpatialDeltaConfig")]
pub struct SpatialDeltaConfig {
    /// The axis, or the list of axes, along which to take differences, in the order they are
    /// applied on encode (decode undoes them in reverse order). Negative values count from the
    /// last axis (-1 is the last). Listing every axis gives the n-D Lorenzo predictor; listing an
    /// axis twice takes a second-order difference along it. Default: -1 (the last axis).
    #[serde(default)]
    pub axis: AxisSelection,
    /// The dtype of the arrays this codec encodes and decodes, an integer dtype (`"int8"` …
    /// `"uint64"`); absent (the default): any integer dtype. Needed, with `chunk_shape`, where the
    /// encoded data reach the codec as bare bytes (a zarr v2 filter after a compressor); arrays of
    /// another dtype are then refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtype: Option<DtypeName>,
    /// The shape (C order, outermost axis first) of the arrays this codec encodes and decodes: a
    /// zarr array's chunk shape. Absent (the default): any shape. Needed, with `dtype`, where the
    /// encoded data reach the codec as bare bytes (a zarr v2 filter after a compressor); arrays of
    /// another shape are then refused, and `axis` is checked against its rank on construction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_shape: Option<Vec<usize>>,
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: SpatialDeltaVersion,
}

/// One axis or a list of axes (numpy convention: negative values count from the end).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "invalid type: expected an axis (an integer) or a list of axes (integers)"
)]
pub enum AxisSelection {
    /// A single axis.
    One(i64),
    /// Several axes, applied in this order on encode.
    Many(Vec<i64>),
}

impl Default for AxisSelection {
    fn default() -> Self {
        Self::One(-1)
    }
}

impl AxisSelection {
    /// The listed axes as given (unresolved, possibly negative).
    #[must_use]
    pub fn as_slice(&self) -> &[i64] {
        match self {
            Self::One(a) => std::slice::from_ref(a),
            Self::Many(v) => v,
        }
    }
}
