//! Configuration of the `ycocg_r` codec.

use numcodecs::StaticCodecVersion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the `ycocg_r` codec's semantics (stored as `_version` in its configuration).
///
/// A reader refuses a configuration whose `_version` is not semver-compatible with this one.
pub type YCoCgRVersion = StaticCodecVersion<0, 1, 0>;

/// Configuration of the `ycocg_r` codec: the transform has no parameters.
///
/// ```json
/// {}
/// ```
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "YCoCgRConfig")]
pub struct YCoCgRConfig {
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: YCoCgRVersion,
}
