//! The predictor's walk over the array, shared by encoder and decoder: anchors (Lorenzo on the
//! anchor grid), then each interpolation level from coarse to fine, one sweep per axis.
//!
//! Within one sweep every prediction reads only elements finished by earlier sweeps, so the
//! order of the targets inside a sweep does not change any value; the order of the codes is the
//! C order of each sweep's target grid (see the specification). The anchors (all elements with
//! the Lorenzo plan) depend on each other along the row; encoder and decoder take them in a
//! wavefront of several rows ([`walk_wavefront`]), with the values and codes of the walk in the
//! specification's order ([`walk`], the reference).

use crate::format::{Geometry, Interp, Plan};
use crate::real::Real;

/// The quantizer of one level: its step and (for the encoder) the reciprocal.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LevelQuant<F> {
    /// `step · 2^-shift`, in the float type.
    pub step: F,
    /// `inv · 2^shift`, in `f64`.
    pub inv: f64,
}

impl<F: Real> LevelQuant<F> {
    pub(crate) fn new(step: F, inv: f64, shift: u32) -> Self {
        Self {
            step: step * F::pow2_neg(shift),
            inv: inv * f64::from_bits(u64::from(1023 + shift) << 52),
        }
    }
}

/// What the walk does with the elements it visits: encode them or decode them, given their
/// predictions.
pub(crate) trait PointOp<F: Real> {
    type Err;
    /// Handles the `count` elements at flat indices `pos0 + t·stride`, in that order: the
    /// prediction of element `pos` is `pred(work, pos)` (finite; it reads only elements
    /// finished before the run), and the op sets `work[pos]` to the value later predictions
    /// read.
    fn row(
        &mut self,
        work: &mut [F],
        pos0: usize,
        stride: usize,
        count: usize,
        lq: &LevelQuant<F>,
        pred: impl Fn(&[F], usize) -> F,
    ) -> Result<(), Self::Err>;

    /// [`PointOp::row`] for targets predicted by the interpolation formula of case `C` (a
    /// [`Case`] as `u8`) from their neighbours `off` elements away along the interpolation axis:
    /// the prediction of element `pos` is `predict::<F, C>(work, pos, off)`. An op may take
    /// such runs by a faster path giving the same values.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn row_interp<const C: u8>(
        &mut self,
        work: &mut [F],
        pos0: usize,
        stride: usize,
        count: usize,
        off: usize,
        lq: &LevelQuant<F>,
    ) -> Result<(), Self::Err> {
        self.row(work, pos0, stride, count, lq, |w, pos| {
            predict::<F, C>(w, pos, off)
        })
    }
}

impl<F: Real, P: PointOp<F>> PointOp<F> for &mut P {
    type Err = P::Err;
    #[inline(always)]
    fn row(
        &mut self,
        work: &mut [F],
        pos0: usize,
        stride: usize,
        count: usize,
        lq: &LevelQuant<F>,
        pred: impl Fn(&[F], usize) -> F,
    ) -> Result<(), Self::Err> {
        (**self).row(work, pos0, stride, count, lq, pred)
    }
    #[inline(always)]
    fn row_interp<const C: u8>(
        &mut self,
        work: &mut [F],
        pos0: usize,
        stride: usize,
        count: usize,
        off: usize,
        lq: &LevelQuant<F>,
    ) -> Result<(), Self::Err> {
        (**self).row_interp::<C>(work, pos0, stride, count, off, lq)
    }
}

/// A [`PointOp`] that can also take the anchors out of order: the wavefront of
/// [`walk_wavefront`] hands it several elements whose predictions do not depend on each other,
/// each with the index of its code.
pub(crate) trait AnchorOp<F: Real>: PointOp<F> {
    /// Anchor rows the wavefront of [`anchors_wavefront`] takes at once for this op: 2 or 4
    /// (measured: the decoder's light per-element work runs fastest with 2 rows in flight, the
    /// encoder's with 4; more rows cost registers and bookkeeping without shortening the time,
    /// which is bound by the instructions per element rather than by the rows' dependency chains).
    const WAVEFRONT_LANES: usize = 4;
    /// Handles the element at flat index `pos`, whose code is the `k`-th from the op's current
    /// code, with prediction `pred` (finite); sets `work[pos]` as [`PointOp::row`] does.
    fn at(
        &mut self,
        work: &mut [F],
        pos: usize,
        k: usize,
        lq: &LevelQuant<F>,
        pred: F,
    ) -> Result<(), Self::Err>;
    /// Moves the op's current code `n` codes on (past the codes [`AnchorOp::at`] wrote).
    fn advance(&mut self, n: usize);
}

impl<F: Real, P: AnchorOp<F>> AnchorOp<F> for &mut P {
    const WAVEFRONT_LANES: usize = P::WAVEFRONT_LANES;
    #[inline(always)]
    fn at(
        &mut self,
        work: &mut [F],
        pos: usize,
        k: usize,
        lq: &LevelQuant<F>,
        pred: F,
    ) -> Result<(), Self::Err> {
        (**self).at(work, pos, k, lq, pred)
    }
    #[inline(always)]
    fn advance(&mut self, n: usize) {
        (**self).advance(n);
    }
}

/// Neighbour availability of a target along the interpolation axis (see the specification).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Case {
    Cubic = 0,
    QuadLeft = 1,
    QuadRight = 2,
    Linear = 3,
    Extrap = 4,
    Copy = 5,
}

#[inline(always)]
pub(crate) fn case_for(i: usize, n: usize, s: usize, interp: Interp) -> Case {
    let has_r1 = i + s < n;
    let has_l3 = i >= 3 * s;
    if !has_r1 {
        return if has_l3 { Case::Extrap } else { Case::Copy };
    }
    match interp {
        Interp::Linear => Case::Linear,
        Interp::Cubic => match (has_l3, i + 3 * s < n) {
            (true, true) => Case::Cubic,
            (false, true) => Case::QuadLeft,
            (true, false) => Case::QuadRight,
            (false, false) => Case::Linear,
        },
    }
}

/// The end (exclusive, at most `n`) of the run of targets `i, i + 2s, …` (odd multiples of `s`)
/// of an axis of extent `n` over which [`case_for`] keeps one value: the case depends on
/// `i ≥ 3s`, `i + 3s < n` and `i + s < n` only, so it can change only at the first target at or
/// past `3s`, `n − 3s` or `n − s`.
#[inline(always)]
fn run_end(i: usize, n: usize, s: usize) -> usize {
    // the first target at or past `b`
    let next = |b: usize| {
        if b <= s {
            s
        } else {
            s + (b - s).div_ceil(2 * s) * (2 * s)
        }
    };
    [3 * s, n.saturating_sub(3 * s), n.saturating_sub(s)]
        .into_iter()
        .map(next)
        .filter(|&t| t > i)
        .fold(n, usize::min)
}

/// The cubic-spline midpoint from the neighbours at −3, −1, +1 and +3 steps: the spec's
/// `((L1 + R1) × 9 − (L3 + R3)) × 0.0625`, operation by operation as written.
#[inline(always)]
pub(crate) fn cubic<F: Real>(l3: F, l1: F, r1: F, r3: F) -> F {
    ((l1 + r1) * F::NINE - (l3 + r3)) * F::SIXTEENTH
}

/// The linear midpoint of the neighbours at −1 and +1 steps: the spec's `(L1 + R1) × 0.5`.
#[inline(always)]
pub(crate) fn linear<F: Real>(l1: F, r1: F) -> F {
    (l1 + r1) * F::HALF
}

/// The interpolation formulas, in the evaluation order the specification fixes.
#[inline(always)]
pub(crate) fn predict<F: Real, const C: u8>(w: &[F], pos: usize, off: usize) -> F {
    let l1 = w[pos - off];
    let p = match C {
        0 => {
            let (l3, r1, r3) = (w[pos - 3 * off], w[pos + off], w[pos + 3 * off]);
            cubic(l3, l1, r1, r3)
        }
        1 => {
            let (r1, r3) = (w[pos + off], w[pos + 3 * off]);
            ((l1 * F::THREE + r1 * F::SIX) - r3) * F::EIGHTH
        }
        2 => {
            let (l3, r1) = (w[pos - 3 * off], w[pos + off]);
            ((r1 * F::THREE + l1 * F::SIX) - l3) * F::EIGHTH
        }
        3 => linear(l1, w[pos + off]),
        4 => (l1 * F::THREE - w[pos - 3 * off]) * F::HALF,
        _ => l1,
    };
    if p.is_finite() { p } else { l1 }
}

/// Targets `start, start + step, …` below `end` of a row whose neighbours along the
/// interpolation axis are `off` elements away, all with the same availability case `C`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn row_across<F: Real, P: PointOp<F>, const C: u8>(
    work: &mut [F],
    base: usize,
    start: usize,
    step: usize,
    end: usize,
    off: usize,
    lq: &LevelQuant<F>,
    op: &mut P,
) -> Result<(), P::Err> {
    if start >= end {
        return Ok(());
    }
    let count = (end - start).div_ceil(step);
    op.row_interp::<C>(work, base + start, step, count, off, lq)
}

/// The index range of one axis in a sweep: `(start, step)`.
fn axis_range(k: usize, axis: usize, s: usize, done: [bool; 4]) -> (usize, usize) {
    if k == axis {
        (s, 2 * s)
    } else if done[k] {
        (0, s)
    } else {
        (0, 2 * s)
    }
}

/// One sweep: the targets at odd multiples of `s` along `axis`, at multiples of `s` along the
/// axes already swept at this level (`done`) and at multiples of `2s` along the others.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn sweep<F: Real, P: PointOp<F>>(
    g: &Geometry,
    s: usize,
    axis: usize,
    done: [bool; 4],
    interp: Interp,
    work: &mut [F],
    lq: &LevelQuant<F>,
    op: &mut P,
) -> Result<(), P::Err> {
    let n = g.dims;
    if n[axis] <= s {
        return Ok(());
    }
    let r: [(usize, usize); 4] = std::array::from_fn(|k| axis_range(k, axis, s, done));
    let off = s * g.strides[axis];
    let mut i0 = r[0].0;
    while i0 < n[0] {
        let mut i1 = r[1].0;
        while i1 < n[1] {
            let mut i2 = r[2].0;
            while i2 < n[2] {
                let base = i0 * g.strides[0] + i1 * g.strides[1] + i2 * g.strides[2];
                if axis == 3 {
                    // Targets i = s, 3s, 5s, …: the case changes only near the ends, so they
                    // go by runs of one case.
                    let mut i = s;
                    while i < n[3] {
                        let case = case_for(i, n[3], s, interp);
                        let end = run_end(i, n[3], s);
                        macro_rules! run {
                            ($c:expr) => {
                                row_across::<F, P, { $c as u8 }>(
                                    work,
                                    base,
                                    i,
                                    2 * s,
                                    end,
                                    off,
                                    lq,
                                    op,
                                )?
                            };
                        }
                        match case {
                            Case::Cubic => run!(Case::Cubic),
                            Case::QuadLeft => run!(Case::QuadLeft),
                            Case::QuadRight => run!(Case::QuadRight),
                            Case::Linear => run!(Case::Linear),
                            Case::Extrap => run!(Case::Extrap),
                            Case::Copy => run!(Case::Copy),
                        }
                        i = end;
                    }
                } else {
                    let i_ax = [i0, i1, i2][axis];
                    let (j0, js) = r[3];
                    macro_rules! row {
                        ($c:expr) => {
                            row_across::<F, P, { $c as u8 }>(work, base, j0, js, n[3], off, lq, op)?
                        };
                    }
                    match case_for(i_ax, n[axis], s, interp) {
                        Case::Cubic => row!(Case::Cubic),
                        Case::QuadLeft => row!(Case::QuadLeft),
                        Case::QuadRight => row!(Case::QuadRight),
                        Case::Linear => row!(Case::Linear),
                        Case::Extrap => row!(Case::Extrap),
                        Case::Copy => row!(Case::Copy),
                    }
                }
                i2 += r[2].1;
            }
            i1 += r[1].1;
        }
        i0 += r[0].1;
    }
    Ok(())
}

/// The anchors: the elements at multiples of `a` along every axis, in C order, each predicted
/// by the Lorenzo predictor over the anchor grid from the anchors before it (the first from
/// `offset`).
#[inline(always)]
fn anchors<F: Real, P: PointOp<F>>(
    g: &Geometry,
    a: usize,
    offset: F,
    work: &mut [F],
    lq: &LevelQuant<F>,
    op: &mut P,
) -> Result<(), P::Err> {
    let n = g.dims;
    let st: [usize; 4] = std::array::from_fn(|k| a * g.strides[k]);
    let terms = lorenzo_terms(st);
    // Rows along axis 3: the available axes are fixed along a row, except axis 3 itself after
    // the row's first anchor.
    let mut i0 = 0;
    while i0 < n[0] {
        let mut i1 = 0;
        while i1 < n[1] {
            let mut i2 = 0;
            while i2 < n[2] {
                let outer = u32::from(i0 > 0) | (u32::from(i1 > 0) << 1) | (u32::from(i2 > 0) << 2);
                let base = i0 * g.strides[0] + i1 * g.strides[1] + i2 * g.strides[2];
                let mut i3 = 0;
                while i3 < n[3] {
                    let pos = base + i3;
                    let avail = outer | (u32::from(i3 > 0) << 3);
                    let pred = if avail == 0 {
                        offset
                    } else {
                        let mut acc = F::ZERO;
                        for &(back, add) in &terms[avail as usize] {
                            let v = work[pos - back];
                            acc = if add { acc + v } else { acc - v };
                        }
                        if acc.is_finite() {
                            acc
                        } else {
                            // The innermost available axis (avail != 0, so one is).
                            let k = 31 - avail.leading_zeros() as usize;
                            work[pos - st[k]]
                        }
                    };
                    op.row(work, pos, 1, 1, lq, |_, _| pred)?;
                    i3 += a;
                }
                i2 += a;
            }
            i1 += a;
        }
        i0 += a;
    }
    Ok(())
}

/// For each set of available axes `avail` (bit `k`: axis `k`), the Lorenzo terms in the
/// specification's order: (offset back, added?) for every non-empty subset of `avail`, subsets
/// by increasing bit mask; `st` holds the anchor grid's strides.
fn lorenzo_terms(st: [usize; 4]) -> Vec<Vec<(usize, bool)>> {
    (0u32..16)
        .map(|avail| {
            (1u32..16)
                .filter(|m| m & !avail == 0)
                .map(|m| {
                    let back = (0..4).filter(|k| m >> k & 1 == 1).map(|k| st[k]).sum();
                    (back, m.count_ones() % 2 == 1)
                })
                .collect()
        })
        .collect()
}

/// One anchor row of the wavefront: its first element, its first code (counted from the
/// walk's first), and the Lorenzo terms of its first anchor and of the others, each with the
/// offset back to the element read when the sum is not finite (the innermost available axis).
#[derive(Clone, Copy)]
struct AnchorRow<'t> {
    base: usize,
    k0: usize,
    first: (&'t [(usize, bool)], usize),
    rest: (&'t [(usize, bool)], usize),
    /// The available axes of the row's anchors past its first.
    rest_avail: u32,
}

/// [`lorenzo`] for a set of available axes `AVAIL` (not empty) known when compiling: the same
/// terms (`back[m]`: the offset back of the term of axes `m`) in the same order, unrolled.
#[inline(always)]
fn lorenzo_unrolled<F: Real, const AVAIL: u32>(work: &[F], pos: usize, back: &[usize; 16]) -> F {
    let mut acc = F::ZERO;
    macro_rules! term {
        ($($m:literal)*) => {$(
            if $m & !AVAIL == 0 {
                let v = work[pos - back[$m]];
                acc = if u32::count_ones($m) % 2 == 1 { acc + v } else { acc - v };
            }
        )*};
    }
    term!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    if acc.is_finite() {
        acc
    } else {
        work[pos - back[1 << AVAIL.ilog2()]]
    }
}

/// The Lorenzo prediction of element `pos` from its terms (empty: the first anchor, predicted
/// by `offset`), operation by operation as the specification (and [`anchors`]) evaluates it.
#[inline(always)]
fn lorenzo<F: Real>(work: &[F], pos: usize, terms: (&[(usize, bool)], usize), offset: F) -> F {
    let (terms, fallback) = terms;
    if terms.is_empty() {
        return offset;
    }
    let mut acc = F::ZERO;
    for &(back, add) in terms {
        let v = work[pos - back];
        acc = if add { acc + v } else { acc - v };
    }
    if acc.is_finite() {
        acc
    } else {
        work[pos - fallback]
    }
}

/// The anchors as [`anchors`] visits them, with the same predictions and the same codes, but
/// `LANES` consecutive anchor rows at a time in a wavefront: row `ρ + j` runs `j` anchors
/// behind row `ρ`. An anchor's prediction reads its own row before it and earlier rows up to
/// its own index along the row (the Lorenzo stencil reaches back by 0 or 1 along every axis),
/// all finished before it in this order, so the lanes of one step are independent: their
/// dependency chains (each value waits on the reconstruction of the one before it in its row)
/// overlap in the CPU instead of running one after another.
#[inline(always)]
fn anchors_wavefront<F: Real, P: AnchorOp<F>, const LANES: usize>(
    g: &Geometry,
    a: usize,
    offset: F,
    work: &mut [F],
    lq: &LevelQuant<F>,
    op: &mut P,
) -> Result<(), P::Err> {
    let n = g.dims;
    let st: [usize; 4] = std::array::from_fn(|k| a * g.strides[k]);
    let terms = lorenzo_terms(st);
    // anchors per axis
    let m: [usize; 4] = std::array::from_fn(|k| n[k].div_ceil(a));
    let (rows, len) = (m[0] * m[1] * m[2], m[3]);
    let row = |rho: usize| {
        let j = [rho / (m[1] * m[2]), rho / m[2] % m[1], rho % m[2]];
        let outer = u32::from(j[0] > 0) | (u32::from(j[1] > 0) << 1) | (u32::from(j[2] > 0) << 2);
        let fallback = |avail: u32| {
            // the innermost available axis (none for the first anchor, which has no terms)
            avail.checked_ilog2().map_or(0, |k| st[k as usize])
        };
        AnchorRow {
            base: (0..3).map(|k| j[k] * st[k]).sum(),
            k0: rho * len,
            first: (&terms[outer as usize][..], fallback(outer)),
            rest: (&terms[(outer | 8) as usize][..], fallback(outer | 8)),
            rest_avail: outer | 8,
        }
    };
    // the offset back of each Lorenzo term (bit k of the index: one anchor back along axis k)
    let back: [usize; 16] =
        std::array::from_fn(|m| (0..4).filter(|k| m >> k & 1 == 1).map(|k| st[k]).sum());
    // Element `x` of a lane.
    macro_rules! visit {
        ($r:expr, $x:expr) => {{
            let (r, x): (&AnchorRow, usize) = (&$r, $x);
            let pos = r.base + x * a;
            let t = if x == 0 { r.first } else { r.rest };
            let pred = lorenzo(work, pos, t, offset);
            op.at(work, pos, r.k0 + x, lq, pred)?;
        }};
    }
    let mut rho = 0;
    while rho < rows {
        let lanes = rows.min(rho + LANES) - rho;
        let r: [AnchorRow; LANES] = std::array::from_fn(|j| row(rho + j.min(lanes - 1)));
        // step `t`: lane `j` at element `t − j`
        let mut t = 0;
        if lanes == LANES {
            // ramp up, then every lane at an element past its row's first
            while t < LANES.min(len) {
                for (j, rj) in r.iter().enumerate().take(t + 1) {
                    visit!(*rj, t - j);
                }
                t += 1;
            }
            // The lanes' elements past their rows' first, with the Lorenzo sum of the lanes'
            // common set of available axes unrolled when it is that of a whole line, plane,
            // volume or 4-d grid (rows straddling an edge of the anchor grid take the loop).
            macro_rules! steady {
                ($avail:literal) => {
                    while t < len {
                        for (j, rj) in r.iter().enumerate() {
                            let x = t - j;
                            let pos = rj.base + x * a;
                            let pred = lorenzo_unrolled::<F, $avail>(work, pos, &back);
                            op.at(work, pos, rj.k0 + x, lq, pred)?;
                        }
                        t += 1;
                    }
                };
            }
            let avail = r[0].rest_avail;
            match avail {
                _ if r.iter().any(|rj| rj.rest_avail != avail) => {}
                0b1000 => steady!(0b1000),
                0b1100 => steady!(0b1100),
                0b1110 => steady!(0b1110),
                0b1111 => steady!(0b1111),
                _ => {}
            }
            while t < len {
                for (j, rj) in r.iter().enumerate() {
                    let x = t - j;
                    let pos = rj.base + x * a;
                    let pred = lorenzo(work, pos, rj.rest, offset);
                    op.at(work, pos, rj.k0 + x, lq, pred)?;
                }
                t += 1;
            }
        }
        // the ramp down (and rows too few for the full wavefront)
        while t + 1 < len + lanes {
            for (j, rj) in r.iter().enumerate().take(lanes) {
                if let Some(x) = t.checked_sub(j).filter(|&x| x < len) {
                    visit!(*rj, x);
                }
            }
            t += 1;
        }
        rho += lanes;
    }
    op.advance(rows * len);
    Ok(())
}

/// Walks the whole array in the specification's order, one element after another: anchors,
/// then levels `plan.anchor_level` down to 1. The reference for [`walk_wavefront`].
#[inline(always)]
pub(crate) fn walk<F: Real, P: PointOp<F>>(
    g: &Geometry,
    plan: &Plan,
    offset: F,
    step: F,
    inv: f64,
    work: &mut [F],
    op: &mut P,
) -> Result<(), P::Err> {
    walk_with(g, plan, offset, step, inv, work, op, anchors)
}

/// [`walk`] with the anchors taken in the wavefront of [`anchors_wavefront`]: the same
/// predictions, codes and reconstructions, bit for bit (the op must not care in which order
/// independent elements come). On an error the element reported may be a later one (in the
/// specification's order) than [`walk`] reports, as several rows are in flight.
#[inline(always)]
pub(crate) fn walk_wavefront<F: Real, P: AnchorOp<F>>(
    g: &Geometry,
    plan: &Plan,
    offset: F,
    step: F,
    inv: f64,
    work: &mut [F],
    op: &mut P,
) -> Result<(), P::Err> {
    if P::WAVEFRONT_LANES == 2 {
        walk_with(
            g,
            plan,
            offset,
            step,
            inv,
            work,
            op,
            anchors_wavefront::<F, P, 2>,
        )
    } else {
        walk_with(
            g,
            plan,
            offset,
            step,
            inv,
            work,
            op,
            anchors_wavefront::<F, P, 4>,
        )
    }
}

/// The anchors by `anchor_pass` ([`anchors`] or [`anchors_wavefront`]), then the levels.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn walk_with<F: Real, P: PointOp<F>>(
    g: &Geometry,
    plan: &Plan,
    offset: F,
    step: F,
    inv: f64,
    work: &mut [F],
    op: &mut P,
    anchor_pass: impl FnOnce(
        &Geometry,
        usize,
        F,
        &mut [F],
        &LevelQuant<F>,
        &mut P,
    ) -> Result<(), P::Err>,
) -> Result<(), P::Err> {
    if g.is_empty() {
        return Ok(());
    }
    anchor_pass(
        g,
        1usize << plan.anchor_level,
        offset,
        work,
        &LevelQuant::new(step, inv, plan.anchor_shift),
        op,
    )?;
    levels(g, plan, step, inv, work, op)
}

/// The interpolation levels `plan.anchor_level` down to 1, after the anchors.
#[inline(always)]
fn levels<F: Real, P: PointOp<F>>(
    g: &Geometry,
    plan: &Plan,
    step: F,
    inv: f64,
    work: &mut [F],
    op: &mut P,
) -> Result<(), P::Err> {
    let a = plan.anchor_level;
    for l in (1..=a).rev() {
        let lv = plan.levels[(l - 1) as usize];
        let s = 1usize << (l - 1);
        let lq = LevelQuant::new(step, inv, lv.shift);
        let mut done = [false; 4];
        for &ax in &lv.order {
            let ax = usize::from(ax);
            sweep(g, s, ax, done, lv.interp, work, &lq, op)?;
            done[ax] = true;
        }
    }
    Ok(())
}

/// [`walk_wavefront`] with an operation as a `pulp` operation (the encoder's and the decoder's):
/// `with_simd` is inlined into the function `pulp` compiles with the CPU's vector features, and
/// the walk into it.
pub(crate) struct Walk<'a, F: Real, P> {
    pub g: &'a Geometry,
    pub plan: &'a Plan,
    pub offset: F,
    pub step: F,
    pub inv: f64,
    pub work: &'a mut [F],
    pub op: P,
}

impl<F: Real, P: AnchorOp<F>> pulp::WithSimd for Walk<'_, F, P> {
    type Output = Result<(), P::Err>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(mut self, _simd: S) -> Self::Output {
        walk_wavefront(
            self.g,
            self.plan,
            self.offset,
            self.step,
            self.inv,
            self.work,
            &mut self.op,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Level;

    struct Count(Vec<u32>, Vec<usize>);
    impl PointOp<f64> for Count {
        type Err = ();
        fn row(
            &mut self,
            work: &mut [f64],
            pos0: usize,
            stride: usize,
            count: usize,
            _lq: &LevelQuant<f64>,
            pred: impl Fn(&[f64], usize) -> f64,
        ) -> Result<(), ()> {
            for t in 0..count {
                let pos = pos0 + t * stride;
                // Unfinished elements hold 1e300: a prediction that read one is not 1.
                assert_eq!(
                    pred(work, pos),
                    1.0,
                    "element {pos} predicted from an unfinished element"
                );
                self.0[pos] += 1;
                self.1.push(pos);
                work[pos] = 1.0;
            }
            Ok(())
        }
    }

    /// The runs of [`run_end`] keep one case each, and split a row at most where a brute-force
    /// scan of [`case_for`] finds the case changing or at the two extra boundaries of the
    /// linear interpolation (three runs more at most).
    #[test]
    fn runs_keep_one_case() {
        for n in 1..80 {
            for s in [1, 2, 4, 8, 16] {
                for interp in [Interp::Linear, Interp::Cubic] {
                    let (mut runs, mut changes) = (0, 0);
                    let mut i = s;
                    while i < n {
                        let end = run_end(i, n, s);
                        assert!(end > i && end <= n, "n={n} s={s} i={i} end={end}");
                        let case = case_for(i, n, s, interp);
                        let mut j = i;
                        while j < end {
                            assert_eq!(case_for(j, n, s, interp), case, "n={n} s={s} i={i}");
                            j += 2 * s;
                        }
                        if j < n && case_for(j, n, s, interp) != case {
                            changes += 1;
                        }
                        runs += 1;
                        i = j;
                    }
                    assert!(runs <= changes + 1 + 3, "n={n} s={s} {interp:?}");
                }
            }
        }
    }

    /// Every element is visited exactly once, for any shape, anchor level and axis order.
    #[test]
    fn walk_visits_each_element_once() {
        let shapes: &[&[usize]] = &[
            &[1],
            &[2],
            &[7],
            &[16],
            &[17],
            &[3, 5],
            &[8, 1, 9],
            &[5, 6, 7],
            &[2, 3, 4, 5],
            &[3, 2, 1, 4, 3, 2],
        ];
        for shape in shapes {
            let g = Geometry::of(shape);
            for a in 0..=g.max_levels {
                for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]] {
                    let plan = Plan {
                        anchor_level: a,
                        anchor_shift: 0,
                        levels: vec![
                            Level {
                                order,
                                ..Level::DEFAULT
                            };
                            a as usize
                        ],
                    };
                    let mut work = vec![1e300; g.len()];
                    let mut c = Count(vec![0; g.len()], Vec::new());
                    walk(&g, &plan, 1.0, 1.0, 1.0, &mut work, &mut c).unwrap();
                    assert!(c.0.iter().all(|&v| v == 1), "{shape:?} a={a} {order:?}");
                }
            }
        }
    }
}
