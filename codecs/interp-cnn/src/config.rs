//! Configuration of the `interp_cnn` codec.

use numcodecs::StaticCodecVersion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::LATEST_MODEL;

/// Version of the `interp_cnn` codec's semantics (stored as `_version` in its configuration).
pub type InterpCnnVersion = StaticCodecVersion<0, 1, 0>;

/// Configuration of the `interp_cnn` codec.
///
/// ```json
/// {"layout": "auto", "model": 3}
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "InterpCnnConfig")]
pub struct InterpCnnConfig {
    /// How a 3-d chunk is read: `"channels"` as `(y, x, c)` with `c` in 1..=4 interleaved
    /// samples of a pixel (RGB, RGBA; the first three of three or four go through YCoCg-R),
    /// `"volume"` as `(z, y, x)` slices coded one by one, `"auto"` (default) as channels when the
    /// last axis has length 4 or less, else as a volume. 2-d chunks are `(y, x)` images whatever
    /// this says.
    #[serde(default)]
    pub layout: LayoutChoice,
    /// Model id the encoder uses: 1, 2 or 3 (default: the newest shipped, 3). Decoding uses
    /// the model the chunk names, whatever this says.
    #[serde(default = "latest")]
    pub model: u32,
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: InterpCnnVersion,
}

const fn latest() -> u32 {
    LATEST_MODEL
}

impl Default for InterpCnnConfig {
    fn default() -> Self {
        Self {
            layout: LayoutChoice::default(),
            model: LATEST_MODEL,
            version: InterpCnnVersion::default(),
        }
    }
}

/// How 3-d chunks are read (see [`InterpCnnConfig::layout`]).
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
