//! Configuration of the `pixel_mlp` codec.

use std::borrow::Cow;

use numcodecs::StaticCodecVersion;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::format::MAX_STREAMS;
use crate::model::LATEST_MODEL;

/// Version of the `pixel_mlp` codec's semantics (stored as `_version` in its configuration).
pub type PixelMlpVersion = StaticCodecVersion<0, 1, 0>;

/// Configuration of the `pixel_mlp` codec.
///
/// ```json
/// {"layout": "auto", "streams": 8, "model": 3}
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "PixelMlpConfig")]
pub struct PixelMlpConfig {
    /// How a 3-d chunk is read: `"channels"` as `(y, x, c)` with `c` in 1..=4 interleaved
    /// samples of a pixel (RGB, RGBA), `"volume"` as `(z, y, x)` slices, `"auto"` (default) as
    /// channels when the last axis has length 4 or less, else as a volume. 2-d chunks are
    /// `(y, x)` images whatever this says.
    #[serde(default)]
    pub layout: LayoutChoice,
    /// Number of range-coder streams (1..=64, default 8): row `r` (counting the rows of all
    /// slices) goes to stream `r % streams`, and up to `streams` rows decode concurrently
    /// (wavefront). Each stream costs a few bytes.
    #[serde(default)]
    pub streams: Streams,
    /// Model id the encoder uses (default: the newest shipped, 3). Decoding uses the model the
    /// chunk names, whatever this says.
    #[serde(default = "latest")]
    pub model: u32,
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: PixelMlpVersion,
}

const fn latest() -> u32 {
    LATEST_MODEL
}

impl Default for PixelMlpConfig {
    fn default() -> Self {
        Self {
            layout: LayoutChoice::default(),
            streams: Streams::default(),
            model: LATEST_MODEL,
            version: PixelMlpVersion::default(),
        }
    }
}

/// How 3-d chunks are read (see [`PixelMlpConfig::layout`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LayoutChoice {
    /// channels if the last axis has length 1..=4, else a volume
    #[default]
    Auto,
    /// `(y, x, c)`, `c` in 1..=4
    Channels,
    /// `(z, y, x)`
    Volume,
}

/// A stream count in `1..=64`; default 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Streams(u8);

impl Streams {
    /// `Some` for a count in `1..=64`.
    #[must_use]
    pub fn new(n: usize) -> Option<Self> {
        u8::try_from(n)
            .ok()
            .filter(|&n| (1..=MAX_STREAMS).contains(&usize::from(n)))
            .map(Self)
    }

    /// The count.
    #[must_use]
    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

impl Default for Streams {
    fn default() -> Self {
        Self(8)
    }
}

impl TryFrom<u64> for Streams {
    type Error = String;
    fn try_from(v: u64) -> Result<Self, String> {
        usize::try_from(v)
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| format!("streams {v} is outside 1..=64"))
    }
}

impl From<Streams> for u64 {
    fn from(s: Streams) -> Self {
        Self::from(s.0)
    }
}

impl JsonSchema for Streams {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Streams".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 1, "maximum": 64, "default": 8})
    }
}
