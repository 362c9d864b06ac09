//! Configuration of the `arith` codec.

use numcodecs::StaticCodecVersion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the `arith` codec's semantics (stored as `_version` in its configuration).
pub type ArithVersion = StaticCodecVersion<0, 1, 0>;

/// Configuration of the `arith` codec: it has no parameters.
///
/// Which neighbours form the context, how many buckets, the adaptation rates: each was measured
/// (`examples/arith_explore.rs`, figures in the crate README) and none changed the coded size of
/// the test arrays by more than a fraction of a percent either way, so the format fixes them and
/// the configuration offers no knob. The stream is self-describing (dtype, shape, model).
///
/// ```json
/// {}
/// ```
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ArithConfig")]
pub struct ArithConfig {
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: ArithVersion,
}
