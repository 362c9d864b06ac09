//! Configuration of the `arith` codec.

use numcodecs::StaticCodecVersion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the `arith` codec's semantics (stored as `_version` in its configuration).
pub type ArithVersion = StaticCodecVersion<0, 1, 0>;

/// Configuration of the `arith` codec: which context model the encoder uses.
///
/// Which neighbours form the context, how many buckets, the adaptation rates: each was measured
/// (`specs/arith/README.md`, *Design measurements*) and none changed the coded size of
/// the test arrays by more than a fraction of a percent either way, so the format fixes them and
/// the configuration offers no knob for them. The stream is self-describing (dtype, shape,
/// model): a decoder reads every model whatever its configuration says.
///
/// ```json
/// {"model": "fast"}
/// ```
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ArithConfig")]
pub struct ArithConfig {
    /// Context model the encoder writes: `"adaptive"` (default; model 0, the smallest output),
    /// `"fast"` (model 1: static per-chunk tables on an rANS coder, several times faster to
    /// encode and decode, a few percent larger), `"fast_lanes"` (model 2: model 1 in four
    /// lanes decoded in lockstep, the same size within a fraction of a percent, faster to
    /// decode; streams that readers before it do not know) or `"fast_lanes16"` (model 3: the
    /// same in sixteen lanes, faster again to decode, 48 bytes more per chunk). Omitted from the
    /// configuration when it is the default.
    #[serde(default, skip_serializing_if = "ArithModel::is_adaptive")]
    #[schemars(extend("default" = "adaptive"))]
    pub model: ArithModel,
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: ArithVersion,
}

/// The context model an `arith` encoder writes (the header's model id).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ArithModel {
    /// Model 0: LMS prediction, adaptive binary models and adaptive token distributions on the
    /// range coder (`specs/arith/README.md`, *What is coded (model 0)*).
    #[default]
    #[serde(rename = "adaptive")]
    Adaptive,
    /// Model 1: static per-chunk tables of 16 contexts on four interleaved rANS states, raw
    /// mantissa bits (`specs/arith/README.md`, *Model 1*).
    #[serde(rename = "fast")]
    Fast,
    /// Model 2: model 1's symbols, contexts and tables with the values split into four lanes
    /// (contiguous sub-arrays, each its own rANS state and context chain) decoded in lockstep:
    /// the same size within a fraction of a percent, faster to decode (`specs/arith/README.md`,
    /// *Model 2*). Its own id so that a stream of model 1 stays what every reader expects.
    #[serde(rename = "fast_lanes")]
    FastLanes,
    /// Model 3: model 2 with sixteen lanes (sixteen rANS states and context chains), which a
    /// decoder runs side by side, lane-parallel: faster to decode than model 2 (about 1.2–1.6 ×
    /// at 1e-3 of range on `interp_quantize` codes), 48 bytes more per chunk for the twelve
    /// more states (`specs/arith/README.md`, *Model 3*).
    #[serde(rename = "fast_lanes16")]
    FastLanes16,
}

impl ArithModel {
    /// The header's model id (0 to 3).
    #[must_use]
    pub const fn id(self) -> u8 {
        match self {
            Self::Adaptive => 0,
            Self::Fast => 1,
            Self::FastLanes => 2,
            Self::FastLanes16 => 3,
        }
    }

    /// The model of a header's model id, if this reader knows it.
    #[must_use]
    pub const fn from_id(id: u8) -> Option<Self> {
        match id {
            0 => Some(Self::Adaptive),
            1 => Some(Self::Fast),
            2 => Some(Self::FastLanes),
            3 => Some(Self::FastLanes16),
            _ => None,
        }
    }

    /// `true` for the default, [`ArithModel::Adaptive`].
    #[must_use]
    pub const fn is_adaptive(&self) -> bool {
        matches!(self, Self::Adaptive)
    }
}
