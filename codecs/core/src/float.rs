//! What the error-bounded float codecs (`linear_quantize`, `interp_quantize`) share: the
//! decoded float dtype of their configurations and the exact test of an error bound.

use numcodecs::AnyArrayDType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The decoded (floating-point) dtype.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum FloatDtype {
    /// IEEE-754 binary32.
    #[default]
    #[serde(rename = "float32")]
    Float32,
    /// IEEE-754 binary64.
    #[serde(rename = "float64")]
    Float64,
}

impl FloatDtype {
    /// The numcodecs dtype.
    #[must_use]
    pub const fn to_any(self) -> AnyArrayDType {
        match self {
            Self::Float32 => AnyArrayDType::F32,
            Self::Float64 => AnyArrayDType::F64,
        }
    }

    /// The numpy-style name (`"float32"`, `"float64"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Float32 => "float32",
            Self::Float64 => "float64",
        }
    }

    /// The width in bits (32 or 64).
    #[must_use]
    pub const fn bits(self) -> u32 {
        match self {
            Self::Float32 => 32,
            Self::Float64 => 64,
        }
    }
}

/// `|x − y| ≤ e`, decided exactly (no rounding of the difference can flip the answer).
///
/// The difference is rounded only when it is not representable; rounding is monotonic, so a
/// rounded difference below `e` (above `e`) means an exact one at or below (above) `e`. Only a
/// rounded difference equal to `e` needs the exact remainder, which the two-sum algorithm
/// (Knuth) gives without overflow because `|x − y|` rounds to the finite `e`.
#[inline(always)]
#[must_use]
pub fn within_bound(x: f64, y: f64, e: f64) -> bool {
    let d = x - y;
    let a = d.abs();
    if a < e {
        true
    } else if a > e || a.is_nan() {
        false
    } else {
        // Two-sum of x and −y: d + t == x − y exactly.
        let bb = d - x;
        let t = (x - (d - bb)) + (-y - bb);
        if d > 0.0 { t <= 0.0 } else { t >= 0.0 }
    }
}
