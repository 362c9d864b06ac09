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
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: SpatialDeltaVersion,
}

/// One axis or a list of axes (numpy convention: negative values count from the end).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
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
