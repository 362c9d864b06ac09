//! The encoder's choices for a chunk: the Lorenzo predictor or interpolation, and per
//! interpolation level the interpolation (cubic or linear), the axis order and the bound shift.
//! Any plan decodes; this module only decides which one codes a chunk best.
//!
//! The choice is *open loop*, as SZ3 and QoZ choose from sampled points rather than by trial
//! encodes: at sampled targets spread over the whole chunk, every candidate's codes are
//! computed from the chunk's values quantized on the grid of the step, which stand for the
//! decoder's reconstructions (both differ from the values by at most about half a step). A
//! candidate's cost is the conditional entropy of its codes given the magnitude class of the code
//! before them *in the order the encoder writes them* (sweep by sweep, in C order within a
//! sweep), the statistics an adaptive coder with a previous-code context (`arith`) exploits: the
//! axis order changes which codes are neighbours in the stream as much as how large they are.
//! At the two finest levels (most of the targets) every axis order is scored with both
//! interpolations (the rows a sweep visits are the same under several orders: each kind of row
//! is scored once per level and the orders' histograms summed from them); coarser levels keep
//! the order below and choose the interpolation. The Lorenzo predictor's codes are the Lorenzo
//! differences of the quantized values (the codes of the in-loop Lorenzo predictor, up to
//! rounding at ties); it wins when its estimated size is below the hierarchy's. The coarse levels get a tighter bound (QoZ: Liu et al., SC 2022) when
//! the finest level's codes are mostly zero, the only regime where it measured smaller.

use crate::encode::Scan;
use crate::format::{Geometry, Interp, Level, Plan};
use crate::real::Real;

/// Anchor grid stride `2^DEFAULT_ANCHOR_LEVEL` (or the whole array when it is smaller).
pub const DEFAULT_ANCHOR_LEVEL: u32 = 6;

/// Chunks smaller than this use the default plan.
const MIN_TUNE_ELEMENTS: usize = 256;

/// Targets sampled per level, over all candidate axis orders: `1/SAMPLE_DIVISOR` of the chunk,
/// within [`MIN_SAMPLES`] and [`MAX_SAMPLES`] (all of them in a level with fewer); each order
/// gets an equal share, at least [`MIN_ORDER_SAMPLES`]. (The candidates are compared on the
/// same points, so their differences are estimated better than their sizes.)
const SAMPLE_DIVISOR: usize = 32;
const MIN_SAMPLES: usize = 4096;
const MAX_SAMPLES: usize = 1 << 16;
const MIN_ORDER_SAMPLES: usize = 1024;

/// The levels (finest first) whose axis order is chosen; coarser ones keep the order below.
const ORDER_LEVELS: u32 = 2;

/// A level with fewer sampled codes takes the choice of the level below it.
const MIN_LEVEL_SAMPLES: u64 = 256;

/// Fraction of zero codes at the finest level above which the coarse levels get a bound shift.
const SHIFT_ZERO_FRACTION: f64 = 0.75;

/// Histogram bins: codes `-15..=15` by value, then by sign and bit length (5 to 32).
const BINS: usize = 31 + 2 * 28;

/// `1.5 · 2^52`: adding and subtracting it rounds an `f64` of magnitude below 2^51 to an
/// integer.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;

/// A histogram of codes, with the raw bits of the large codes' mantissas.
#[derive(Clone)]
struct Hist {
    count: [u32; BINS],
    extra_bits: u64,
}

impl Hist {
    const EMPTY: Self = Self {
        count: [0; BINS],
        extra_bits: 0,
    };

    /// Adds the code of residual `r` (in steps).
    #[inline(always)]
    fn add(&mut self, r: f64) {
        let r = r.clamp(-4e9, 4e9);
        let q = (r + ROUND_MAGIC) - ROUND_MAGIC;
        #[allow(clippy::cast_possible_truncation)]
        let q = q as i64;
        let a = q.unsigned_abs();
        // both bins computed and one selected, without a branch
        let small = a < 16;
        let bits = 64 - a.leading_zeros();
        #[allow(clippy::cast_sign_loss)]
        let small_bin = (q + 15) as usize & 31;
        // (wrapping: when `small`, `bits < 5` and this value is discarded)
        let large_bin = (bits as usize)
            .wrapping_sub(5)
            .wrapping_mul(2)
            .wrapping_add(31 + usize::from(q < 0));
        let bin = if small { small_bin } else { large_bin };
        self.extra_bits += if small {
            0
        } else {
            u64::from(bits.saturating_sub(1))
        };
        self.count[bin] += 1;
    }

    fn n(&self) -> u64 {
        self.count.iter().map(|&c| u64::from(c)).sum()
    }

    /// Adds the codes of `other`.
    fn merge(&mut self, other: &Self) {
        for (c, &o) in self.count.iter_mut().zip(&other.count) {
            *c += o;
        }
        self.extra_bits += other.extra_bits;
    }

    /// Estimated bits per code: the empirical entropy plus the raw mantissa bits.
    #[allow(clippy::cast_precision_loss)]
    fn bits_per_code(&self) -> f64 {
        let n = self.n();
        if n == 0 {
            return 0.0;
        }
        let n = n as f64;
        let mut bits = self.extra_bits as f64;
        for &c in self.count.iter().filter(|&&c| c > 0) {
            let c = f64::from(c);
            bits += c * (n / c).log2();
        }
        bits / n
    }
}

/// The chunk's values as the chooser reads them: quantized on the step grid, specials marked.
///
/// `SPECIALS`: whether the chunk has special elements; without (most chunks) no element is
/// tested.
struct View<'a, F: Real, const SPECIALS: bool> {
    xs: &'a [F],
    fill: Option<F::Bits>,
    offset: f64,
    step: f64,
    inv: f64,
}

impl<F: Real, const SPECIALS: bool> View<'_, F, SPECIALS> {
    /// The value at `p` (as `f64`), or `None` for a special element.
    #[inline(always)]
    fn value(&self, p: usize) -> Option<f64> {
        let x = self.xs[p];
        if SPECIALS && (!x.is_finite() || self.fill.is_some_and(|f| f == x.to_bits())) {
            None
        } else {
            Some(x.to_f64())
        }
    }

    /// The code of `p` on the step grid: `round((x − offset) / step)`.
    #[inline(always)]
    fn code(&self, p: usize) -> Option<f64> {
        let v = self.value(p)?;
        let r = ((v - self.offset) * self.inv).clamp(-4e15, 4e15);
        Some((r + ROUND_MAGIC) - ROUND_MAGIC)
    }

    /// The value at `p` quantized on the step grid (a stand-in for its reconstruction).
    #[inline(always)]
    fn quantized(&self, p: usize) -> Option<f64> {
        Some(self.offset + self.code(p)? * self.step)
    }
}

/// Context classes of the previous code's magnitude: 0, 1, 2–3, 4–15, 16 and more.
const CLASSES: usize = 5;

#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn class(r: f64) -> usize {
    // without a branch; a NaN is in class 4 (every comparison false, as in the chain of `if`s
    // this replaces)
    let a = r.abs();
    usize::from(!(a < 0.5))
        + usize::from(!(a < 1.5))
        + usize::from(!(a < 3.5))
        + usize::from(!(a < 15.5))
}

/// Histograms of codes by the context class of the code before them in the stream (the
/// statistics an adaptive coder with that context sees).
#[derive(Clone)]
struct CondHist([Hist; CLASSES]);

impl CondHist {
    const EMPTY: Self = Self([Hist::EMPTY; CLASSES]);

    #[inline(always)]
    fn add(&mut self, prev: f64, r: f64) {
        self.0[class(prev)].add(r);
    }

    fn n(&self) -> u64 {
        self.0.iter().map(Hist::n).sum()
    }

    /// Adds the codes of `other`.
    fn merge(&mut self, other: &Self) {
        for (h, o) in self.0.iter_mut().zip(&other.0) {
            h.merge(o);
        }
    }

    /// Estimated bits per code: the conditional entropy plus the raw mantissa bits.
    #[allow(clippy::cast_precision_loss)]
    fn bits_per_code(&self) -> f64 {
        let n = self.n();
        if n == 0 {
            return 0.0;
        }
        self.0
            .iter()
            .map(|h| h.bits_per_code() * h.n() as f64)
            .sum::<f64>()
            / n as f64
    }

    fn zero_fraction(&self) -> f64 {
        let n = self.n();
        if n == 0 {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let z: f64 = self.0.iter().map(|h| f64::from(h.count[15])).sum::<f64>() / n as f64;
        z
    }
}

/// How densely a pass samples each axis: along axes 0–2, index `j` (in units of the level's
/// stride) is visited when `j mod 2m < 2`, so that odd and even indices are sampled alike; along
/// axis 3, in runs of [`RUN`] indices, one run in `m`.
fn sampling(ext: [usize; 4], budget: usize) -> [usize; 4] {
    let mut m = [1usize; 4];
    let total: usize = ext.iter().product();
    #[allow(clippy::cast_precision_loss)]
    let mut ratio = total as f64 / budget.max(1) as f64;
    for k in 0..4 {
        if ratio <= 1.0 {
            break;
        }
        let room = if k == 3 { ext[3] / RUN } else { ext[k] / 2 };
        if room > 1 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let mk = (ratio.ceil() as usize).min(room);
            m[k] = mk;
            #[allow(clippy::cast_precision_loss)]
            {
                ratio /= mk as f64;
            }
        }
    }
    m
}

/// Length of the runs sampled along axis 3.
const RUN: usize = 64;

#[inline(always)]
fn keep(m: [usize; 4], k: usize, j: usize) -> bool {
    if k == 3 {
        (j / RUN).is_multiple_of(m[3])
    } else {
        j % (2 * m[k]) < 2
    }
}

/// Calls `f(j, new_run)` for the sampled indices `start, start + step, …` below `ext` of a row
/// (axis 3): in runs of [`RUN`] indices, one run in `m`; `new_run` is true at each run's first.
#[inline(always)]
fn for_row(ext: usize, (start, step): (usize, usize), m: usize, mut f: impl FnMut(usize, bool)) {
    let mut run = 0;
    while run < ext {
        let end = (run + RUN).min(ext);
        let mut j = run + start;
        let mut first = true;
        while j < end {
            f(j, first);
            first = false;
            j += step;
        }
        run += RUN * m;
    }
}

/// The codes, linear and cubic, of the target at `p` predicted along an axis (index `i` along
/// it, extent `n`, neighbours `s·stride` apart), as residuals in steps; `None` where a neighbour
/// used is special.
#[inline(always)]
fn interp_residuals<F: Real, const S: bool>(
    v: &View<'_, F, S>,
    p: usize,
    x: f64,
    i: usize,
    n: usize,
    s: usize,
    stride: usize,
) -> Option<(f64, f64)> {
    let o = s * stride;
    let l1 = v.quantized(p - o)?;
    let has_r1 = i + s < n;
    let has_l3 = i >= 3 * s;
    let has_r3 = i + 3 * s < n;
    let (lin, cub) = if has_r1 {
        let r1 = v.quantized(p + o)?;
        let lin = (l1 + r1) * 0.5;
        let cub = match (has_l3, has_r3) {
            (true, true) => {
                let (l3, r3) = (v.quantized(p - 3 * o)?, v.quantized(p + 3 * o)?);
                ((l1 + r1) * 9.0 - (l3 + r3)) * 0.0625
            }
            (false, true) => ((l1 * 3.0 + r1 * 6.0) - v.quantized(p + 3 * o)?) * 0.125,
            (true, false) => ((r1 * 3.0 + l1 * 6.0) - v.quantized(p - 3 * o)?) * 0.125,
            (false, false) => lin,
        };
        (lin, cub)
    } else if has_l3 {
        let e = (l1 * 3.0 - v.quantized(p - 3 * o)?) * 0.5;
        (e, e)
    } else {
        (l1, l1)
    };
    Some(((x - lin) * v.inv, (x - cub) * v.inv))
}

/// The codes of the rows of one sweep of level stride `s` along `axis` whose indices along axes
/// 0–2 (in units of `s`) have the parities `par` (bit `k` set: odd along axis `k`), with the
/// targets `r3 = (start, step)` along axis 3, at sampled targets, in the order the encoder
/// writes them: linear and cubic, each by the context of the code before it in its row.
#[allow(clippy::too_many_arguments)]
fn rows_costs<F: Real, const S: bool>(
    v: &View<'_, F, S>,
    g: &Geometry,
    s: usize,
    axis: usize,
    par: usize,
    r3: (usize, usize),
    m: [usize; 4],
) -> [CondHist; 2] {
    let n = g.dims;
    let mut out = [CondHist::EMPTY, CondHist::EMPTY];
    let ext: [usize; 4] = std::array::from_fn(|k| n[k].div_ceil(s));
    let first = |k: usize| par >> k & 1;
    for j0 in (first(0)..ext[0]).step_by(2).filter(|&j| keep(m, 0, j)) {
        for j1 in (first(1)..ext[1]).step_by(2).filter(|&j| keep(m, 1, j)) {
            for j2 in (first(2)..ext[2]).step_by(2).filter(|&j| keep(m, 2, j)) {
                let js = [j0, j1, j2];
                let base = s * (j0 * g.strides[0] + j1 * g.strides[1] + j2 * g.strides[2]);
                let mut prev = [0.0f64; 2];
                for_row(ext[3], r3, m[3], |j3, new_run| {
                    if new_run {
                        prev = [0.0; 2];
                    }
                    let p = base + s * j3;
                    let Some(x) = v.value(p) else { return };
                    let i = if axis == 3 { j3 } else { js[axis] } * s;
                    let Some((rl, rc)) = interp_residuals(v, p, x, i, n[axis], s, g.strides[axis])
                    else {
                        return;
                    };
                    out[0].add(prev[0], rl);
                    out[1].add(prev[1], rc);
                    prev = [rl, rc];
                });
            }
        }
    }
    out
}

/// The codes of one level's rows, by sweep axis, parities along axes 0–2 and targets along
/// axis 3 ([`rows_costs`]), each computed once for all the axis orders that visit them.
struct LevelRows {
    rows: Vec<Option<Box<[CondHist; 2]>>>,
}

impl LevelRows {
    fn new() -> Self {
        Self {
            rows: vec![None; 8 * 4 * 3],
        }
    }
}

/// The codes of level stride `s` under axis `order` (the axes with targets at this level), at
/// sampled targets, visited sweep by sweep in the order the encoder writes them: linear and
/// cubic, each by the context of the code before it. A sweep's codes are those of its rows,
/// which (with the context reset at each row) depend only on the sweep's axis and on the row;
/// so its histograms are the sums of those of its rows' kinds (the parities of their indices
/// along axes 0–2 and their targets along axis 3), which `memo` holds for the other orders.
fn level_costs<F: Real, const S: bool>(
    v: &View<'_, F, S>,
    g: &Geometry,
    s: usize,
    order: &[usize],
    m: [usize; 4],
    memo: &mut LevelRows,
) -> [CondHist; 2] {
    let mut out = [CondHist::EMPTY, CondHist::EMPTY];
    let mut done = [false; 4];
    for &axis in order {
        // (start, step) of the targets along axis 3 in this sweep, in units of `s`.
        let (r3, kind) = if axis == 3 {
            ((1, 2), 0)
        } else if done[3] {
            ((0, 1), 1)
        } else {
            ((0, 2), 2)
        };
        // Along axes 0–2: odd indices along the sweep's axis, every index along the axes swept
        // before at this level, even ones along the others.
        for par in 0..8usize {
            let visited = (0..3).all(|k| {
                let odd = par >> k & 1 == 1;
                if k == axis { odd } else { done[k] || !odd }
            });
            if !visited {
                continue;
            }
            let h = memo.rows[(par * 4 + axis) * 3 + kind]
                .get_or_insert_with(|| Box::new(rows_costs(v, g, s, axis, par, r3, m)));
            out[0].merge(&h[0]);
            out[1].merge(&h[1]);
        }
        done[axis] = true;
    }
    out
}

/// The Lorenzo predictor's codes at sampled elements, in C order, by the context of the code
/// before them.
fn lorenzo_costs<F: Real, const S: bool>(
    v: &View<'_, F, S>,
    g: &Geometry,
    budget: usize,
) -> CondHist {
    let m = sampling(g.dims, budget);
    let active: Vec<usize> = (0..4).filter(|&k| g.dims[k] > 1).collect();
    // Per set of available axes: the Lorenzo terms (added?, offset back).
    let subsets: Vec<Vec<(bool, usize)>> = (0u32..16)
        .map(|avail| {
            (1u32..16)
                .filter(|m| m & !avail == 0)
                .map(|m| {
                    let back = (0..4)
                        .filter(|k| m >> k & 1 == 1)
                        .map(|k| g.strides[k])
                        .sum();
                    (m.count_ones() % 2 == 1, back)
                })
                .collect()
        })
        .collect();
    let mut hist = CondHist::EMPTY;
    for j0 in (0..g.dims[0]).filter(|&j| keep(m, 0, j)) {
        for j1 in (0..g.dims[1]).filter(|&j| keep(m, 1, j)) {
            for j2 in (0..g.dims[2]).filter(|&j| keep(m, 2, j)) {
                let base = j0 * g.strides[0] + j1 * g.strides[1] + j2 * g.strides[2];
                let mut prev = 0.0;
                for_row(g.dims[3], (0, 1), m[3], |j3, new_run| {
                    if new_run {
                        prev = 0.0;
                    }
                    let j = [j0, j1, j2, j3];
                    let p = base + j3;
                    let Some(q) = v.code(p) else { return };
                    let avail: u32 = active
                        .iter()
                        .filter(|&&k| j[k] > 0)
                        .fold(0, |acc, &k| acc | 1 << k);
                    let mut pred = 0.0;
                    for &(sub, back) in &subsets[avail as usize] {
                        let Some(c) = v.code(p - back) else { return };
                        if sub {
                            pred += c;
                        } else {
                            pred -= c;
                        }
                    }
                    hist.add(prev, q - pred);
                    prev = q - pred;
                });
            }
        }
    }
    hist
}

/// Every permutation of `axes`.
fn permutations(axes: &[usize]) -> Vec<Vec<usize>> {
    if axes.len() <= 1 {
        return vec![axes.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..axes.len() {
        let mut rest = axes.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

/// A level's full axis order: the axes without targets at this level first, then `order`.
fn full_order(order: &[usize]) -> [u8; 4] {
    let mut out = [0u8; 4];
    let idle = (0..4).filter(|k| !order.contains(k));
    for (j, k) in idle.chain(order.iter().copied()).enumerate() {
        #[allow(clippy::cast_possible_truncation)]
        {
            out[j] = k as u8;
        }
    }
    out
}

/// The plan for a chunk (see the module docs).
pub(crate) fn choose_plan<F: Real>(
    xs: &[F],
    g: &Geometry,
    scan: &Scan,
    step: F,
    inv: f64,
    fill: Option<F::Bits>,
) -> Plan {
    if g.len() < MIN_TUNE_ELEMENTS || scan.range.is_none() {
        return default_plan(g);
    }
    let offset = match scan.range {
        Some((lo, hi)) => F::from_f64(lo * 0.5 + hi * 0.5).to_f64(),
        None => 0.0,
    };
    if scan.specials == 0 {
        choose_with(
            &View::<F, false> {
                xs,
                fill,
                offset,
                step: step.to_f64(),
                inv,
            },
            g,
        )
    } else {
        choose_with(
            &View::<F, true> {
                xs,
                fill,
                offset,
                step: step.to_f64(),
                inv,
            },
            g,
        )
    }
}

/// [`choose_plan`] over the chunk's view.
fn choose_with<F: Real, const S: bool>(v: &View<'_, F, S>, g: &Geometry) -> Plan {
    // Targets sampled per level (shared by its candidate orders): a fraction of the chunk.
    let budget = (g.len() / SAMPLE_DIVISOR).clamp(MIN_SAMPLES, MAX_SAMPLES);
    let a = g.max_levels.min(DEFAULT_ANCHOR_LEVEL);
    let mut levels: Vec<Level> = Vec::with_capacity(a as usize);
    let mut interp_bits = 0.0;
    let mut finest_zero = 0.0;
    let mut prev: Option<(Vec<usize>, Interp)> = None;
    for l in 1..=a {
        let s = 1usize << (l - 1);
        let active: Vec<usize> = (0..4).filter(|&k| g.dims[k] > s).collect();
        let ext: [usize; 4] = std::array::from_fn(|k| g.dims[k].div_ceil(s));
        let targets = ext.iter().product::<usize>()
            - g.dims.iter().map(|&n| n.div_ceil(2 * s)).product::<usize>();
        // Every axis order at the two finest levels (which hold most targets); coarser levels
        // keep the order of the level below and choose the interpolation only.
        let orders = match &prev {
            Some((o, _)) if l > ORDER_LEVELS => {
                vec![o.iter().copied().filter(|k| active.contains(k)).collect()]
            }
            _ => permutations(&active),
        };
        let m = sampling(ext, (budget / orders.len()).max(MIN_ORDER_SAMPLES));
        let mut best: Option<(f64, Vec<usize>, Interp, f64, u64)> = None;
        let mut memo = LevelRows::new();
        for order in orders {
            let costs = level_costs(v, g, s, &order, m, &mut memo);
            for (h, interp) in costs.iter().zip([Interp::Linear, Interp::Cubic]) {
                let bits = h.bits_per_code();
                if best.as_ref().is_none_or(|b| bits < b.0) {
                    best = Some((bits, order.clone(), interp, h.zero_fraction(), h.n()));
                }
            }
        }
        let (bits, order, interp, zero, n) = best.expect("a level has candidates");
        let (order, interp) = match &prev {
            Some((o, i)) if n < MIN_LEVEL_SAMPLES => (
                o.iter().copied().filter(|k| active.contains(k)).collect(),
                *i,
            ),
            _ => (order, interp),
        };
        if l == 1 {
            finest_zero = zero;
        }
        #[allow(clippy::cast_precision_loss)]
        {
            interp_bits += bits * targets as f64;
        }
        levels.push(Level {
            interp,
            shift: 0,
            order: full_order(&order),
        });
        prev = Some((order, interp));
    }
    #[allow(clippy::cast_precision_loss)]
    let lorenzo_bits = lorenzo_costs(v, g, budget / 4).bits_per_code() * g.len() as f64;
    if lorenzo_bits < interp_bits {
        return Plan {
            anchor_level: 0,
            anchor_shift: 0,
            levels: Vec::new(),
        };
    }
    let shift = u32::from(finest_zero > SHIFT_ZERO_FRACTION);
    for (l, lv) in levels.iter_mut().enumerate() {
        if l + 1 >= 3 {
            lv.shift = shift;
        }
    }
    Plan {
        anchor_level: a,
        anchor_shift: shift,
        levels,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_all_there() {
        assert_eq!(permutations(&[1, 2, 3]).len(), 6);
        assert_eq!(permutations(&[0, 1, 2, 3]).len(), 24);
        assert_eq!(permutations(&[2]), vec![vec![2]]);
        assert_eq!(full_order(&[3, 1]), [0, 2, 3, 1]);
    }

    #[test]
    fn sampling_meets_the_budget_and_keeps_pairs() {
        let m = sampling([1, 240, 37, 49], 1 << 14);
        let kept = |k: usize, n: usize| (0..n).filter(|&j| keep(m, k, j)).count();
        let total = kept(1, 240) * kept(2, 37) * kept(3, 49);
        assert!(total <= 2 * (1 << 14), "{m:?} {total}");
        assert_eq!(sampling([1, 1, 10, 10], 1000), [1; 4]);
        // A long 1-d array is sampled in runs.
        let m = sampling([1, 1, 1, 1 << 20], 1 << 14);
        let kept = (0..1 << 20).filter(|&j| keep(m, 3, j)).count();
        assert!(((1 << 13)..=2 * (1 << 14)).contains(&kept), "{m:?} {kept}");
    }

    #[test]
    fn histogram_bits() {
        let mut h = Hist::EMPTY;
        for _ in 0..100 {
            h.add(0.2);
        }
        assert!(h.bits_per_code().abs() < 1e-12);
        h.add(1000.0);
        assert_eq!(h.extra_bits, 9);
        h.add(-3.6);
        assert_eq!(h.count[15 - 4], 1);
    }

    /// The codes of level stride `s` under axis `order`, sweep by sweep and row by row as the
    /// encoder writes them: the reference for [`level_costs`], which sums the rows' kinds.
    fn level_costs_ref<F: Real, const S: bool>(
        v: &View<'_, F, S>,
        g: &Geometry,
        s: usize,
        order: &[usize],
        m: [usize; 4],
    ) -> [CondHist; 2] {
        let n = g.dims;
        let mut out = [CondHist::EMPTY, CondHist::EMPTY];
        let mut done = [false; 4];
        for &axis in order {
            let r: [(usize, usize); 4] = std::array::from_fn(|k| {
                if k == axis {
                    (1, 2)
                } else if done[k] {
                    (0, 1)
                } else {
                    (0, 2)
                }
            });
            let ext: [usize; 4] = std::array::from_fn(|k| n[k].div_ceil(s));
            for j0 in (r[0].0..ext[0]).step_by(r[0].1).filter(|&j| keep(m, 0, j)) {
                for j1 in (r[1].0..ext[1]).step_by(r[1].1).filter(|&j| keep(m, 1, j)) {
                    for j2 in (r[2].0..ext[2]).step_by(r[2].1).filter(|&j| keep(m, 2, j)) {
                        let js = [j0, j1, j2];
                        let base = s * (j0 * g.strides[0] + j1 * g.strides[1] + j2 * g.strides[2]);
                        let mut prev = [0.0f64; 2];
                        for_row(ext[3], r[3], m[3], |j3, new_run| {
                            if new_run {
                                prev = [0.0; 2];
                            }
                            let p = base + s * j3;
                            let Some(x) = v.value(p) else { return };
                            let i = if axis == 3 { j3 } else { js[axis] } * s;
                            let Some((rl, rc)) =
                                interp_residuals(v, p, x, i, n[axis], s, g.strides[axis])
                            else {
                                return;
                            };
                            out[0].add(prev[0], rl);
                            out[1].add(prev[1], rc);
                            prev = [rl, rc];
                        });
                    }
                }
            }
            done[axis] = true;
        }
        out
    }

    fn same<F: Real, const S: bool>(v: &View<'_, F, S>, g: &Geometry, what: &str) {
        let budget = (g.len() / SAMPLE_DIVISOR).clamp(MIN_SAMPLES, MAX_SAMPLES);
        for l in 1..=g.max_levels.min(DEFAULT_ANCHOR_LEVEL) {
            let s = 1usize << (l - 1);
            let active: Vec<usize> = (0..4).filter(|&k| g.dims[k] > s).collect();
            let ext: [usize; 4] = std::array::from_fn(|k| g.dims[k].div_ceil(s));
            let orders = permutations(&active);
            // a dense and a sparse sampling
            for div in [1, orders.len() * 8] {
                let m = sampling(ext, (budget / div).max(64));
                let mut memo = LevelRows::new();
                for order in &orders {
                    let got = level_costs(v, g, s, order, m, &mut memo);
                    let want = level_costs_ref(v, g, s, order, m);
                    for (a, b) in got.iter().zip(&want) {
                        for (ha, hb) in a.0.iter().zip(&b.0) {
                            assert_eq!(ha.count, hb.count, "{what} s={s} {order:?} {m:?}");
                            assert_eq!(ha.extra_bits, hb.extra_bits, "{what} s={s} {order:?}");
                        }
                    }
                }
            }
        }
    }

    /// The level costs summed from the rows' kinds are the histograms of the sweep-by-sweep
    /// walk, for every axis order, ranks 1 to 4, odd extents, with and without special values.
    #[test]
    fn level_costs_match_the_sweep_walk() {
        let shapes: &[&[usize]] = &[
            &[300],
            &[37, 49],
            &[64, 80],
            &[9, 17, 33],
            &[12, 40, 70],
            &[3, 5, 7, 40],
            &[6, 9, 10, 11],
        ];
        for (si, &shape) in shapes.iter().enumerate() {
            let g = Geometry::of(shape);
            let mut xs: Vec<f64> = crate::encode::tests::field(g.len(), 5 + si as u64);
            let (step, inv) = crate::encode::step_for::<f64>(0.05).unwrap();
            let view = |xs| View::<f64, false> {
                xs,
                fill: None,
                offset: 1.5,
                step,
                inv,
            };
            same(&view(&xs), &g, &format!("{shape:?}"));
            // special values: NaN, infinities and a fill value
            let fill = -7.0f64;
            for p in (0..xs.len()).filter(|p| p % 23 == 4 || p % 61 < 3) {
                xs[p] = [f64::NAN, f64::INFINITY, fill][p % 3];
            }
            let v = View::<f64, true> {
                xs: &xs,
                fill: Some(fill.to_bits()),
                offset: 1.5,
                step,
                inv,
            };
            same(&v, &g, &format!("{shape:?} with specials"));
        }
    }

    /// A field smooth along axis 2 and rough along axis 3 is interpolated along axis 2 last
    /// (its targets odd along both axes are predicted along the smooth one).
    #[test]
    fn order_follows_smoothness() {
        let (n2, n3) = (64usize, 64usize);
        let xs: Vec<f32> = (0..n2 * n3)
            .map(|p| {
                let (i, j) = (p / n3, p % n3);
                (i as f32 * 0.05 + j as f32 * 2.0).sin() * 10.0
            })
            .collect();
        let g = Geometry::of(&[n2, n3]);
        let scan = crate::encode::scan(&xs, None).unwrap();
        let (step, inv) = crate::encode::step_for::<f32>(0.01).unwrap();
        let plan = choose_plan(&xs, &g, &scan, step, inv, None);
        assert!(plan.anchor_level > 0, "{plan:?}");
        assert_eq!(plan.levels[0].order[3], 2, "{plan:?}");
    }
}
