//! The encoder's choices for a chunk (anchor level, per-level interpolation, axis order and
//! bound shift). Any plan decodes; this module only decides which one codes a chunk best.

use crate::encode::Scan;
use crate::format::{Geometry, Level, Plan};
use crate::real::Real;

/// Anchor grid stride `2^DEFAULT_ANCHOR_LEVEL` (or the whole array when it is smaller).
pub const DEFAULT_ANCHOR_LEVEL: u32 = 6;

/// The plan for a chunk.
#[allow(clippy::too_many_arguments)]
pub(crate) fn choose_plan<F: Real>(
    _xs: &[F],
    g: &Geometry,
    _scan: &Scan,
    _e: f64,
    _step: F,
    _inv: f64,
    _fill: Option<F::Bits>,
) -> Plan {
    default_plan(g)
}

/// Cubic interpolation at every level, axes in order, coarse levels (3 and above) at half the
/// step.
pub(crate) fn default_plan(g: &Geometry) -> Plan {
    let a = g.max_levels.min(DEFAULT_ANCHOR_LEVEL);
    Plan {
        anchor_level: a,
        anchor_shift: 1,
        levels: (1..=a)
            .map(|l| Level {
                shift: u32::from(l >= 3),
                ..Level::DEFAULT
            })
            .collect(),
    }
}
