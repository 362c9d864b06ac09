//! The encoder's choices for a chunk (anchor level, interpolation, axis order and per-level
//! bound shift). Any plan decodes; this module only decides which one codes a chunk best.
//!
//! Candidates are tried on a central crop of the chunk (at most [`CROP_ELEMENTS`] elements) with
//! the real encoder, and scored with a static context-model estimate of the codes' size (the
//! binarisation an adaptive arithmetic coder uses: zero / sign / exponent as one symbol in the
//! context of the previous code's magnitude, mantissa bits below the leading one counted raw).
//! First the axis order and interpolation (and the Lorenzo predictor, anchor level 0, which wins
//! on fields whose grid is too coarse to interpolate), then the bound shift of the coarse levels
//! (QoZ's level-wise error bound).

use crate::encode::{Scan, run};
use crate::format::{Geometry, Interp, Level, Plan};
use crate::real::Real;

/// Anchor grid stride `2^DEFAULT_ANCHOR_LEVEL` (or the whole array when it is smaller).
pub const DEFAULT_ANCHOR_LEVEL: u32 = 6;

/// Largest crop the candidates are tried on.
pub const CROP_ELEMENTS: usize = 1 << 14;

/// Chunks smaller than this use the default plan without trials.
const MIN_TRIAL_ELEMENTS: usize = 256;

/// The plan for a chunk.
#[allow(clippy::too_many_arguments)]
pub(crate) fn choose_plan<F: Real>(
    xs: &[F],
    g: &Geometry,
    scan: &Scan,
    e: f64,
    step: F,
    inv: f64,
    fill: Option<F::Bits>,
) -> Plan {
    if g.len() < MIN_TRIAL_ELEMENTS {
        return default_plan(g);
    }
    let (cg, crop) = central_crop(xs, g);
    let offset = match scan.range {
        Some((lo, hi)) => F::from_f64(lo * 0.5 + hi * 0.5),
        None => F::ZERO,
    };
    let specials = scan.specials > 0;
    let mut work = vec![F::ZERO; crop.len()];
    let mut codes = vec![0i32; crop.len()];
    let mut score = |plan: &Plan| -> f64 {
        match run(
            &crop, &cg, plan, offset, step, inv, e, fill, specials, &mut work, &mut codes,
        ) {
            Ok(()) => estimate_bits(&codes),
            Err(_) => f64::INFINITY,
        }
    };
    let a = g.max_levels.min(DEFAULT_ANCHOR_LEVEL);
    let uniform = |a: u32, lv: Level| Plan {
        anchor_level: a,
        anchor_shift: lv.shift,
        levels: vec![lv; a as usize],
    };
    // Axis order (with cubic interpolation), and Lorenzo; then linear interpolation in the best
    // order.
    let mut best = uniform(0, Level::DEFAULT);
    let mut best_bits = score(&best);
    let mut try_plan = |p: Plan, best: &mut Plan, best_bits: &mut f64| {
        let b = score(&p);
        if b < *best_bits {
            *best_bits = b;
            *best = p;
        }
    };
    for order in candidate_orders(g) {
        let p = uniform(
            a,
            Level {
                interp: Interp::Cubic,
                shift: 0,
                order,
            },
        );
        try_plan(p, &mut best, &mut best_bits);
    }
    if best.anchor_level > 0 {
        let p = uniform(
            a,
            Level {
                interp: Interp::Linear,
                ..best.levels[0]
            },
        );
        try_plan(p, &mut best, &mut best_bits);
    }
    if best.anchor_level == 0 {
        return best;
    }
    // Bound shifts of the coarse levels.
    let base = best.levels[0];
    for (from, shift) in [(3, 1), (2, 1)] {
        let mut p = best.clone();
        for (l, lv) in p.levels.iter_mut().enumerate() {
            *lv = Level {
                shift: if l + 1 >= from { shift } else { 0 },
                ..base
            };
        }
        p.anchor_shift = shift;
        try_plan(p, &mut best, &mut best_bits);
    }
    best
}

/// Cubic interpolation at every level, axes in order, full step.
pub(crate) fn default_plan(g: &Geometry) -> Plan {
    let a = g.max_levels.min(DEFAULT_ANCHOR_LEVEL);
    Plan {
        anchor_level: a,
        anchor_shift: 0,
        levels: vec![Level::DEFAULT; a as usize],
    }
}

/// Axis orders to try: every order of the axes longer than 1 (axes of extent 1 first, where
/// they make no targets); for four such axes, the four rotations and their reversals.
fn candidate_orders(g: &Geometry) -> Vec<[u8; 4]> {
    let active: Vec<u8> = (0u8..4).filter(|&k| g.dims[usize::from(k)] > 1).collect();
    let idle: Vec<u8> = (0u8..4).filter(|&k| g.dims[usize::from(k)] <= 1).collect();
    let mut perms: Vec<Vec<u8>> = Vec::new();
    if active.len() <= 3 {
        permutations(&active, &mut Vec::new(), &mut perms);
    } else {
        for r in 0..4 {
            let rot: Vec<u8> = (0..4).map(|j| active[(j + r) % 4]).collect();
            let rev: Vec<u8> = rot.iter().rev().copied().collect();
            perms.push(rot);
            perms.push(rev);
        }
    }
    perms
        .into_iter()
        .map(|p| {
            let mut o = [0u8; 4];
            for (j, a) in idle.iter().chain(&p).enumerate() {
                o[j] = *a;
            }
            o
        })
        .collect()
}

fn permutations(rest: &[u8], prefix: &mut Vec<u8>, out: &mut Vec<Vec<u8>>) {
    if rest.is_empty() {
        out.push(prefix.clone());
        return;
    }
    for i in 0..rest.len() {
        prefix.push(rest[i]);
        let mut r = rest.to_vec();
        r.remove(i);
        permutations(&r, prefix, out);
        prefix.pop();
    }
}

/// The central crop of the chunk with at most [`CROP_ELEMENTS`] elements: each axis longer than
/// the side `c` (the largest power of two that keeps the product small enough) cut to `c`.
fn central_crop<F: Real>(xs: &[F], g: &Geometry) -> (Geometry, Vec<F>) {
    // Every axis scaled by the same factor (the aspect ratio kept), none below 16.
    let mut f = 1.0f64;
    let crop_dims = loop {
        let d: [usize; 4] = std::array::from_fn(|k| {
            let n = g.dims[k];
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let c = ((n as f64 * f).ceil() as usize).max(16);
            c.min(n)
        });
        if d.iter().product::<usize>() <= CROP_ELEMENTS || f < 1e-6 {
            break d;
        }
        f *= 0.9;
    };
    let start: [usize; 4] = std::array::from_fn(|k| (g.dims[k] - crop_dims[k]) / 2);
    let mut out = Vec::with_capacity(crop_dims.iter().product());
    for i0 in 0..crop_dims[0] {
        for i1 in 0..crop_dims[1] {
            for i2 in 0..crop_dims[2] {
                let base = (start[0] + i0) * g.strides[0]
                    + (start[1] + i1) * g.strides[1]
                    + (start[2] + i2) * g.strides[2]
                    + start[3];
                out.extend_from_slice(&xs[base..base + crop_dims[3]]);
            }
        }
    }
    let cg = Geometry::of(&crop_dims);
    (cg, out)
}

/// Magnitude class of a code for the context: 0, 1, 2–3, 4–15, 16+.
#[inline]
fn class(q: i32) -> usize {
    match q.unsigned_abs() {
        0 => 0,
        1 => 1,
        2..=3 => 2,
        4..=15 => 3,
        _ => 4,
    }
}

/// Estimated size in bits of the codes under a static model: the symbol (zero, or sign and
/// exponent) with the previous code's magnitude class as context, plus the mantissa bits.
fn estimate_bits(codes: &[i32]) -> f64 {
    let mut counts = [[0u32; 66]; 5];
    let mut mantissa = 0u64;
    let mut prev = 0usize;
    for &q in codes {
        let m = q.unsigned_abs();
        let exp = 32 - m.leading_zeros();
        let sym = if q < 0 { 33 + exp } else { exp } as usize;
        counts[prev][sym] += 1;
        mantissa += u64::from(exp.saturating_sub(1));
        prev = class(q);
    }
    let mut bits = mantissa as f64;
    for ctx in &counts {
        let total: u32 = ctx.iter().sum();
        if total == 0 {
            continue;
        }
        let t = f64::from(total);
        for &c in ctx.iter().filter(|&&c| c > 0) {
            let c = f64::from(c);
            bits -= c * (c / t).log2();
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_permutations() {
        let g = Geometry::of(&[5, 6, 7]);
        let o = candidate_orders(&g);
        assert_eq!(o.len(), 6);
        assert!(o.iter().all(|o| o[0] == 0));
        let g = Geometry::of(&[5, 6, 7, 8]);
        assert_eq!(candidate_orders(&g).len(), 8);
        let g = Geometry::of(&[9]);
        assert_eq!(candidate_orders(&g), vec![[0, 1, 2, 3]]);
    }

    #[test]
    fn crop_is_central() {
        let g = Geometry::of(&[300, 400]);
        let xs: Vec<f32> = (0..120_000).map(|i| i as f32).collect();
        let (cg, c) = central_crop(&xs, &g);
        assert!(
            cg.len() <= CROP_ELEMENTS && cg.len() > CROP_ELEMENTS / 2,
            "{cg:?}"
        );
        let (h, w) = (cg.dims[2], cg.dims[3]);
        assert_eq!(c[0], (((300 - h) / 2) * 400 + (400 - w) / 2) as f32);
    }
}
