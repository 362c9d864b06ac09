//! The encoder: the pre-pass (value range, specials), the bound and the step, the plan, and the
//! walk that quantizes each residual in the loop.

use ndcodecs_core::dtype::Float;
use ndcodecs_core::float::within_bound;

use crate::config::ErrorBound;
use crate::format::{Geometry, Header, Plan, header_words, kind, mask_runs, mask_words};
use crate::kernel::{AnchorOp, LevelQuant, PointOp, Walk, predict, walk};
use crate::real::Real;
use crate::tune;

/// Why one value could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EncodeFailure {
    /// A NaN other than the two canonical quiet NaNs.
    NanPayload,
    /// The residual's code `roundTiesEven((x − prediction) / step)` (given as `f64`) is outside
    /// the int32 range.
    CodeOutOfRange(f64),
    /// Neither the first code nor its neighbour decodes within the bound: the bound is too
    /// close to the float spacing at the value. Holds the nearest decoded value.
    BelowSpacing(f64),
}

/// Why a chunk could not be encoded.
#[derive(Clone, Debug, PartialEq)]
pub enum ChunkFailure {
    /// The bound (resolved from the configuration and, for `max_rel_error`, the chunk's range)
    /// gives no usable step in the float type.
    Bound(f64),
    /// A value at this flat index has no code.
    Value(usize, EncodeFailure),
}

/// `1.5 · 2^52`: adding and subtracting it rounds an `f64` of magnitude below 2^51 to an
/// integer, ties to even.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// Largest finite code.
pub const CODE_MAX: f64 = 2_147_483_647.0;

/// What the pre-pass finds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scan {
    /// Smallest and largest finite non-fill value (as `f64`), if any.
    pub range: Option<(f64, f64)>,
    /// Number of special elements (NaN, ±∞, fill).
    pub specials: usize,
}

/// The special kind of `x`, if it is one: the fill value matches by bits first.
#[inline(always)]
fn special_kind<F: Real>(x: F, fill: Option<F::Bits>) -> Option<Result<i32, EncodeFailure>> {
    if fill.is_some_and(|f| f == x.to_bits()) {
        return Some(Ok(kind::FILL));
    }
    if x.is_finite() {
        return None;
    }
    Some(if x.is_nan() {
        let bits = x.to_bits();
        if bits == F::NAN_BITS {
            Ok(kind::NAN)
        } else if bits == F::NEG_NAN_BITS {
            Ok(kind::NEG_NAN)
        } else {
            Err(EncodeFailure::NanPayload)
        }
    } else if x.to_f64() > 0.0 {
        Ok(kind::POS_INF)
    } else {
        Ok(kind::NEG_INF)
    })
}

/// The pre-pass, compiled for the CPU's vector features (`pulp`'s runtime dispatch: with AVX2
/// the eight lanes of the range are one vector register); the same comparisons on every path.
pub(crate) fn scan<F: Real>(xs: &[F], fill: Option<F::Bits>) -> Result<Scan, ChunkFailure> {
    scan_with(pulp::Arch::new(), xs, fill)
}

/// [`scan`] compiled for `arch` (`pulp::Arch::Scalar` in the test that compares the paths).
fn scan_with<F: Real>(
    arch: pulp::Arch,
    xs: &[F],
    fill: Option<F::Bits>,
) -> Result<Scan, ChunkFailure> {
    struct Op<'a, F: Real> {
        xs: &'a [F],
        fill: Option<F::Bits>,
    }
    impl<F: Real> pulp::WithSimd for Op<'_, F> {
        type Output = Result<Scan, ChunkFailure>;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) -> Self::Output {
            scan_on(self.xs, self.fill)
        }
    }
    arch.dispatch(Op { xs, fill })
}

/// [`scan`]'s body.
#[inline(always)]
fn scan_on<F: Real>(xs: &[F], fill: Option<F::Bits>) -> Result<Scan, ChunkFailure> {
    // Fast path for chunks without special values: the range over eight independent lanes
    // (no branch per element), and whether any element is special.
    let fill_bits = fill.unwrap_or(F::POS_INF.to_bits());
    let mut lo = [F::POS_INF; 8];
    let mut hi = [F::NEG_INF; 8];
    let mut special = false;
    let mut lane = |i: usize, x: F| {
        lo[i] = if x < lo[i] { x } else { lo[i] };
        hi[i] = if x > hi[i] { x } else { hi[i] };
        special |= !x.is_finite() | (x.to_bits() == fill_bits);
    };
    let chunks = xs.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (i, &x) in c.iter().enumerate() {
            lane(i, x);
        }
    }
    for (i, &x) in rest.iter().enumerate() {
        lane(i, x);
    }
    if !special {
        let lo = lo
            .into_iter()
            .fold(F::POS_INF, |a, b| if b < a { b } else { a });
        let hi = hi
            .into_iter()
            .fold(F::NEG_INF, |a, b| if b > a { b } else { a });
        return Ok(Scan {
            range: (lo <= hi).then(|| (lo.to_f64(), hi.to_f64())),
            specials: 0,
        });
    }
    let mut lo = F::POS_INF;
    let mut hi = F::NEG_INF;
    let mut specials = 0usize;
    let fill_bits = fill.unwrap_or(F::POS_INF.to_bits());
    for (i, &x) in xs.iter().enumerate() {
        if x.is_finite() && x.to_bits() != fill_bits {
            if x < lo {
                lo = x;
            }
            if x > hi {
                hi = x;
            }
        } else {
            specials += 1;
            if let Some(Err(f)) = special_kind(x, fill) {
                return Err(ChunkFailure::Value(i, f));
            }
        }
    }
    Ok(Scan {
        range: (lo <= hi).then(|| (lo.to_f64(), hi.to_f64())),
        specials,
    })
}

/// The absolute bound for a chunk: `max_abs_error`, or `max_rel_error × (max − min)` (both
/// rounded to `f64`), or `max_rel_error` itself when the chunk has no two different finite
/// non-fill values.
pub(crate) fn absolute_bound(bound: ErrorBound, scan: &Scan) -> f64 {
    match bound {
        ErrorBound::Abs(e) => e,
        ErrorBound::Rel(r) => match scan.range {
            Some((lo, hi)) if hi > lo => r * (hi - lo),
            _ => r,
        },
    }
}

/// The step and its reciprocal for bound `e`: `step = RD_F(RN64(e · 63/32))`,
/// `inv = RN64(1 / step)`; `None` when they are not usable.
pub(crate) fn step_for<F: Real>(e: f64) -> Option<(F, f64)> {
    if !(e.is_finite() && e > 0.0) {
        return None;
    }
    let t = e * (63.0 / 32.0);
    let step = F::from_f64_down(t);
    let inv = 1.0 / step.to_f64();
    (t.is_finite() && step.to_f64() > 0.0 && step.is_finite() && inv.is_finite())
        .then_some((step, inv))
}

/// The reference procedure for one finite value `x` with prediction `p`: the code and the
/// reconstruction.
pub(crate) fn quantize_slow<F: Real>(
    x: F,
    p: F,
    lq: &LevelQuant<F>,
    e: f64,
) -> Result<(i32, F), EncodeFailure> {
    let xf = x.to_f64();
    let r = (xf - p.to_f64()) * lq.inv;
    let q0f = r.round_ties_even();
    if q0f.is_nan() || q0f.abs() > CODE_MAX {
        return Err(EncodeFailure::CodeOutOfRange(q0f));
    }
    #[allow(clippy::cast_possible_truncation)]
    let q0 = q0f as i32;
    let x0 = p + F::from_code(q0) * lq.step;
    if within_bound(xf, x0.to_f64(), e) {
        return Ok((q0, x0));
    }
    let q1 = if xf > x0.to_f64() {
        q0.checked_add(1)
    } else {
        q0.checked_sub(1)
    };
    if let Some(q1) = q1.filter(|&q| q != i32::MIN) {
        let x1 = p + F::from_code(q1) * lq.step;
        if within_bound(xf, x1.to_f64(), e) {
            return Ok((q1, x1));
        }
    }
    Err(EncodeFailure::BelowSpacing(x0.to_f64()))
}

/// The encoder's per-element operation. The walk's array holds the input: an element is read
/// when visited and overwritten with its reconstruction (predictions read only visited
/// elements), so the encoder streams through one array as the decoder does.
pub(crate) struct EncodeOp<'a, F: Real, const SPECIALS: bool> {
    pub codes: &'a mut [i32],
    pub k: usize,
    pub bound: f64,
    pub fill: Option<F::Bits>,
    /// With `SPECIALS`: bit `p mod 32` of word `⌊p/32⌋` set when element `p` is special (the
    /// mask's bits form); a row whose stretch of it is clear goes as in a chunk without.
    pub mask: &'a [u32],
}

impl<F: Real, const SPECIALS: bool> EncodeOp<'_, F, SPECIALS> {
    /// [`PointOp::row`] with the predictions of the targets one by one from `pred` and, for
    /// the blocks of a row without special values, from `preds`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn row_by(
        &mut self,
        work: &mut [F],
        pos0: usize,
        stride: usize,
        count: usize,
        lq: &LevelQuant<F>,
        pred: impl Fn(&[F], usize) -> F,
        preds: impl BlockPreds<F>,
    ) -> Result<(), (usize, EncodeFailure)> {
        let codes = &mut self.codes[self.k..self.k + count];
        self.k += count;
        let last = pos0 + count.saturating_sub(1) * stride;
        let specials =
            SPECIALS && count > 0 && self.mask[pos0 / 32..=last / 32].iter().any(|&w| w != 0);
        let mut pos = pos0;
        if specials {
            for c in codes {
                let p = pred(work, pos);
                encode_one::<F, true>(work, pos, c, lq, self.bound, self.fill, p)?;
                pos += stride;
            }
        } else if count >= MIN_BLOCK_ROW {
            return row_blocks(work, pos0, stride, codes, lq, self.bound, preds);
        } else {
            for c in codes {
                let p = pred(work, pos);
                encode_one::<F, false>(work, pos, c, lq, self.bound, self.fill, p)?;
                pos += stride;
            }
        }
        Ok(())
    }
}

impl<F: Real, const SPECIALS: bool> PointOp<F> for EncodeOp<'_, F, SPECIALS> {
    type Err = (usize, EncodeFailure);

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
        self.row_by(work, pos0, stride, count, lq, &pred, ByPoint(&pred, stride))
    }

    /// The blocks of runs without special values get their predictions from
    /// [`predict_run`](crate::fast::predict_run) (the decoder's vector path); the same codes
    /// and values as [`PointOp::row`].
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
        self.row_by(
            work,
            pos0,
            stride,
            count,
            lq,
            |w, pos| predict::<F, C>(w, pos, off),
            ByRun::<C> { stride, off },
        )
    }
}

impl<F: Real, const SPECIALS: bool> AnchorOp<F> for EncodeOp<'_, F, SPECIALS> {
    #[inline(always)]
    fn at(
        &mut self,
        work: &mut [F],
        pos: usize,
        k: usize,
        lq: &LevelQuant<F>,
        pred: F,
    ) -> Result<(), Self::Err> {
        let c = &mut self.codes[self.k + k];
        encode_one::<F, SPECIALS>(work, pos, c, lq, self.bound, self.fill, pred)
    }

    #[inline(always)]
    fn advance(&mut self, n: usize) {
        self.k += n;
    }
}

/// Encodes element `at` of `work` (the input there, replaced by its reconstruction; a special
/// value: by its prediction `p`) into `c`, value by value: the quantizer's fast path, or
/// [`quantize_slow`] where that fails its bound check.
#[inline(always)]
fn encode_one<F: Real, const SPECIALS: bool>(
    work: &mut [F],
    at: usize,
    c: &mut i32,
    lq: &LevelQuant<F>,
    bound: f64,
    fill: Option<F::Bits>,
    p: F,
) -> Result<(), (usize, EncodeFailure)> {
    let (step, inv) = (lq.step, lq.inv);
    let x = work[at];
    if SPECIALS && let Some(kind) = special_kind(x, fill) {
        *c = kind.map_err(|f| (at, f))?;
        work[at] = p;
        return Ok(());
    }
    let xf = x.to_f64();
    let r = (xf - p.to_f64()) * inv;
    if r.abs() < CODE_MAX {
        // The low 32 bits of `r + 1.5·2^52` are the rounded code (two's complement).
        let rm = r + ROUND_MAGIC;
        #[allow(clippy::cast_possible_truncation)]
        let q = rm.to_bits() as u32 as i32;
        // The code converted to `F` (`RN_F(q)`, as from the exact `f64` of `q`).
        let xh = p + F::from_f64(rm - ROUND_MAGIC) * step;
        if (xf - xh.to_f64()).abs() < bound {
            *c = q;
            work[at] = xh;
            return Ok(());
        }
    }
    let (q, xh) = quantize_slow(x, p, lq, bound).map_err(|f| (at, f))?;
    *c = q;
    work[at] = xh;
    Ok(())
}

/// Targets per block of [`quantize_block`].
const BLOCK: usize = 16;

/// Targets per block of [`row_blocks`]: the predictions of so many are computed at a time.
const ROW_BLOCK: usize = crate::fast::BLOCK;
const _: () = assert!(ROW_BLOCK.is_multiple_of(BLOCK));

/// Rows with fewer targets go value by value (the anchors' rows have one).
const MIN_BLOCK_ROW: usize = 4;

/// How [`row_blocks`] gets the predictions of a block: `fill(work, pos, m, pb)` writes those of
/// the `m` targets from `pos` into `pb` (a method rather than a closure, so that it is inlined
/// into the walk and compiled with its vector features).
trait BlockPreds<F> {
    /// `S`: the targets' stride when known at compile time (0: the run's stride).
    fn fill<const S: usize>(&self, work: &mut [F], pos: usize, m: usize, pb: &mut [F; ROW_BLOCK]);
}

/// Predictions one target at a time by a closure, targets `.1` elements apart.
struct ByPoint<P>(P, usize);

impl<F: Real, P: Fn(&[F], usize) -> F> BlockPreds<F> for ByPoint<P> {
    #[inline(always)]
    fn fill<const S: usize>(&self, work: &mut [F], pos: usize, m: usize, pb: &mut [F; ROW_BLOCK]) {
        for (k, p) in pb[..m].iter_mut().enumerate() {
            *p = (self.0)(work, pos + k * self.1);
        }
    }
}

/// Predictions by interpolation case `C` from neighbours `off` elements away, targets
/// `stride` apart: through [`predict_run`](crate::fast::predict_run) (the decoder's vector
/// path, which leaves the predictions in the targets' places) where it takes the block,
/// else target by target.
struct ByRun<const C: u8> {
    stride: usize,
    off: usize,
}

impl<F: Real, const C: u8> BlockPreds<F> for ByRun<C> {
    #[inline(always)]
    fn fill<const S: usize>(&self, work: &mut [F], pos: usize, m: usize, pb: &mut [F; ROW_BLOCK]) {
        let (stride, off) = (self.stride, self.off);
        if crate::fast::predict_run::<F, C>(work, pos, stride, m, off).is_some() {
            gather::<F, S>(work, pos, stride, m, pb);
        } else {
            for (k, p) in pb[..m].iter_mut().enumerate() {
                *p = predict::<F, C>(work, pos + k * stride, off);
            }
        }
    }
}

/// The encoder's row of `codes.len()` targets (no special values) by blocks of [`ROW_BLOCK`]:
/// the values of a block gathered, their predictions computed by `preds` (every prediction
/// reads only elements finished before the row; it may leave anything in the targets'
/// places), quantized
/// by [`quantize_block`] without a branch, the reconstructions scattered back; a target whose
/// fast result fails the bound check goes through [`quantize_slow`] (as in the value-by-value
/// loop, with the same codes).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn row_blocks<F: Real>(
    work: &mut [F],
    pos0: usize,
    stride: usize,
    codes: &mut [i32],
    lq: &LevelQuant<F>,
    bound: f64,
    preds: impl BlockPreds<F>,
) -> Result<(), (usize, EncodeFailure)> {
    match stride {
        1 => row_blocks_by::<F, 1>(work, pos0, 1, codes, lq, bound, preds),
        2 => row_blocks_by::<F, 2>(work, pos0, 2, codes, lq, bound, preds),
        _ => row_blocks_by::<F, 0>(work, pos0, stride, codes, lq, bound, preds),
    }
}

/// The `m` elements `stride` apart from `pos` into `out` (`S`: the stride when known at
/// compile time, 0 otherwise), so that a whole block compiles to vector loads and shuffles.
#[inline(always)]
fn gather<F: Real, const S: usize>(
    work: &[F],
    pos: usize,
    stride: usize,
    m: usize,
    out: &mut [F; ROW_BLOCK],
) {
    let stride = if S == 0 { stride } else { S };
    if m == ROW_BLOCK
        && let Some(src) = work.get(pos..=pos + stride * (ROW_BLOCK - 1))
    {
        for (k, o) in out.iter_mut().enumerate() {
            *o = src[k * stride];
        }
    } else {
        for (k, o) in out[..m].iter_mut().enumerate() {
            *o = work[pos + k * stride];
        }
    }
}

/// [`row_blocks`] with the stride `S` known at compile time (0: `stride`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn row_blocks_by<F: Real, const S: usize>(
    work: &mut [F],
    pos0: usize,
    stride: usize,
    codes: &mut [i32],
    lq: &LevelQuant<F>,
    bound: f64,
    preds: impl BlockPreds<F>,
) -> Result<(), (usize, EncodeFailure)> {
    let stride = if S == 0 { stride } else { S };
    let mut pos = pos0;
    for rb in codes.chunks_mut(ROW_BLOCK) {
        let m = rb.len();
        let mut xs = [F::ZERO; ROW_BLOCK];
        gather::<F, S>(work, pos, stride, m, &mut xs);
        let mut ps = [F::ZERO; ROW_BLOCK];
        preds.fill::<S>(work, pos, m, &mut ps);
        let mut rs = [F::ZERO; ROW_BLOCK];
        for (b, cb) in rb.chunks_mut(BLOCK).enumerate() {
            let m = cb.len();
            // (ROW_BLOCK is a multiple of BLOCK)
            let block = |v: &[F; ROW_BLOCK]| -> [F; BLOCK] {
                v[b * BLOCK..][..BLOCK]
                    .try_into()
                    .unwrap_or_else(|_| unreachable!())
            };
            let (xb, pb) = (&block(&xs), &block(&ps));
            let mut qb = [0i32; BLOCK];
            let rb: &mut [F; BLOCK] = (&mut rs[b * BLOCK..][..BLOCK])
                .try_into()
                .unwrap_or_else(|_| unreachable!());
            let failed = quantize_block(xb, pb, &mut qb, rb, lq, bound);
            cb.copy_from_slice(&qb[..m]);
            // lanes past `m` hold x = p = 0, which never fail
            let mut failed = failed;
            while failed != 0 {
                let k = failed.trailing_zeros() as usize;
                failed &= failed - 1;
                let at = pos + (b * BLOCK + k) * stride;
                let (q, xh) = quantize_slow(xb[k], pb[k], lq, bound).map_err(|f| (at, f))?;
                cb[k] = q;
                rb[k] = xh;
            }
        }
        if m == ROW_BLOCK
            && let Some(dst) = work.get_mut(pos..=pos + stride * (ROW_BLOCK - 1))
        {
            for (k, &r) in rs.iter().enumerate() {
                dst[k * stride] = r;
            }
        } else {
            for (k, &r) in rs[..m].iter().enumerate() {
                work[pos + k * stride] = r;
            }
        }
        pos += m * stride;
    }
    Ok(())
}

/// The fast path of the quantizer on a block, every lane alike (no branch, so that it
/// vectorises): `q = roundTiesEven((x − p) / step)` through `1.5 · 2^52`, the reconstruction
/// `p + RN_F(q) · step`, and the exact bound check in `f64`; returns the mask of the lanes where
/// `|r| ≥ 2^31 − 1` or the check fails (their `q` and reconstruction are garbage).
#[inline(always)]
fn quantize_block<F: Real>(
    xb: &[F; BLOCK],
    pb: &[F; BLOCK],
    qb: &mut [i32; BLOCK],
    rb: &mut [F; BLOCK],
    lq: &LevelQuant<F>,
    bound: f64,
) -> u32 {
    let (step, inv) = (lq.step, lq.inv);
    let mut ok = [false; BLOCK];
    let mut any_bad = false;
    for k in 0..BLOCK {
        let (x, p) = (xb[k], pb[k]);
        let xf = x.to_f64();
        let r = (xf - p.to_f64()) * inv;
        let rm = r + ROUND_MAGIC;
        #[allow(clippy::cast_possible_truncation)]
        let q = rm.to_bits() as u32 as i32;
        let xh = p + F::from_f64(rm - ROUND_MAGIC) * step;
        qb[k] = q;
        rb[k] = xh;
        ok[k] = (r.abs() < CODE_MAX) & ((xf - xh.to_f64()).abs() < bound);
        any_bad |= !ok[k];
    }
    if !any_bad {
        return 0;
    }
    let mut failed = 0u32;
    for (k, &o) in ok.iter().enumerate() {
        failed |= u32::from(!o) << k;
    }
    failed
}

/// Encodes `xs` (C order, `shape`) into `out` (exactly `encoded_len(shape)` words).
pub(crate) fn encode<F: Real>(
    xs: &[F],
    shape: &[usize],
    bound: ErrorBound,
    fill: Option<F>,
    out: &mut [i32],
) -> Result<(), ChunkFailure> {
    encode_plan(xs, shape, bound, fill, None, out)
}

/// [`encode`] with the plan given (`Some`) or chosen by the encoder (`None`).
pub(crate) fn encode_plan<F: Real>(
    xs: &[F],
    shape: &[usize],
    bound: ErrorBound,
    fill: Option<F>,
    plan: Option<&Plan>,
    out: &mut [i32],
) -> Result<(), ChunkFailure> {
    let g = Geometry::of(shape);
    let n = xs.len();
    let fill_bits = fill.map(Float::to_bits);
    let sc = scan(xs, fill_bits)?;
    let e = absolute_bound(bound, &sc);
    let (step, inv) = step_for::<F>(e).ok_or(ChunkFailure::Bound(e))?;
    let offset = match sc.range {
        Some((lo, hi)) => F::from_f64(lo * 0.5 + hi * 0.5),
        None => F::ZERO,
    };
    let plan = match plan {
        Some(p) => p.clone(),
        None => tune::choose_plan(xs, &g, &sc, step, inv, fill_bits),
    };
    let hw = header_words(shape.len(), g.max_levels);
    let mw = mask_words(n);
    let (head, rest) = out.split_at_mut(hw);
    let (mask, codes) = rest.split_at_mut(mw);
    mask.fill(0);
    let mut runs = false;
    let mut bits = Vec::new();
    if sc.specials > 0 {
        bits = special_bits(xs, fill_bits);
        if let Some(r) = mask_runs(&bits, n, g.dims[3]) {
            mask.copy_from_slice(&r);
            runs = true;
        } else {
            for (m, &b) in mask.iter_mut().zip(&bits) {
                *m = b.cast_signed();
            }
        }
    }
    Header {
        width: F::WIDTH,
        shape: shape.to_vec(),
        bound: e,
        offset: offset.to_f64(),
        fill: fill.map(Float::to_f64),
        fortran: false,
        mask_runs: runs,
        plan: plan.clone(),
    }
    .write(&g, head);
    run(&g, &plan, offset, step, inv, e, fill_bits, &bits, xs, codes)
        .map_err(|(i, f)| ChunkFailure::Value(i, f))
}

/// The bits form of the mask of `xs`: bit `p mod 32` of word `⌊p/32⌋` set when element `p` is
/// NaN, ±∞ or the fill value (by bits).
pub(crate) fn special_bits<F: Real>(xs: &[F], fill: Option<F::Bits>) -> Vec<u32> {
    let fill = fill.unwrap_or(F::POS_INF.to_bits());
    xs.chunks(32)
        .map(|c| {
            c.iter().enumerate().fold(0u32, |w, (i, x)| {
                w | u32::from(!x.is_finite() || x.to_bits() == fill) << i
            })
        })
        .collect()
}

/// The walk with the encoder's operation over the input `xs`: the codes. `mask` is the bits
/// form of the chunk's mask ([`special_bits`]), or empty when it has no special values. On a
/// value without a code, the error names the first such value in the specification's order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run<F: Real>(
    g: &Geometry,
    plan: &Plan,
    offset: F,
    step: F,
    inv: f64,
    e: f64,
    fill: Option<F::Bits>,
    mask: &[u32],
    xs: &[F],
    codes: &mut [i32],
) -> Result<(), (usize, EncodeFailure)> {
    with_work(xs, |work| {
        run_on(
            pulp::Arch::new(),
            g,
            plan,
            offset,
            step,
            inv,
            e,
            fill,
            mask,
            xs,
            work,
            codes,
        )
    })
}

/// Largest work buffer (bytes) a thread keeps between chunks.
const KEEP_WORK_BYTES: usize = 16 << 20;

thread_local! {
    /// The thread's work buffer, kept between chunks (up to [`KEEP_WORK_BYTES`]) so that a
    /// chunk's walk writes into memory already mapped rather than fresh pages (on a shared
    /// 2-core machine, the page faults of a new 1.7 MB buffer were about a third of the encode
    /// time of a 1.7 MB float32 chunk).
    static WORK: std::cell::Cell<Vec<u64>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Calls `f` with a copy of `xs` in the thread's work buffer (taken out of the thread-local
/// for the call: a nested call gets a buffer of its own).
fn with_work<F: Real, R>(xs: &[F], f: impl FnOnce(&mut [F]) -> R) -> R {
    let mut buf = WORK.take();
    let words = std::mem::size_of_val(xs).div_ceil(8);
    if buf.len() < words {
        buf.resize(words, 0);
    }
    let work: &mut [F] = &mut bytemuck::cast_slice_mut(&mut buf[..words])[..xs.len()];
    work.copy_from_slice(xs);
    let r = f(work);
    if 8 * buf.capacity() <= KEEP_WORK_BYTES {
        WORK.set(buf);
    }
    r
}

/// [`run`] with the walk compiled for `arch` (the CPU's vector features, or
/// `pulp::Arch::Scalar` in the tests that compare the two); `work` holds a copy of `xs` and
/// receives the reconstruction (special elements: their prediction).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_on<F: Real>(
    arch: pulp::Arch,
    g: &Geometry,
    plan: &Plan,
    offset: F,
    step: F,
    inv: f64,
    e: f64,
    fill: Option<F::Bits>,
    mask: &[u32],
    xs: &[F],
    work: &mut [F],
    codes: &mut [i32],
) -> Result<(), (usize, EncodeFailure)> {
    macro_rules! op {
        ($specials:literal) => {
            EncodeOp::<F, $specials> {
                codes,
                k: 0,
                bound: e,
                fill,
                mask,
            }
        };
    }
    // The walk is compiled a second time with AVX2 enabled (x86-64-v3, through the `pulp`
    // crate's runtime dispatch, without `unsafe`) and runs so when the CPU has it: the blocks of
    // `quantize_block` vectorise four `f64` wide instead of two. The same IEEE operations run in
    // the same order on either path, so the codes are the same bits (a test compares both
    // paths).
    macro_rules! walk_on {
        ($specials:literal) => {
            arch.dispatch(Walk {
                g,
                plan,
                offset,
                step,
                inv,
                work: &mut *work,
                op: op!($specials),
            })
        };
    }
    let r = if mask.is_empty() {
        walk_on!(false)
    } else {
        walk_on!(true)
    };
    if r.is_ok() {
        return r;
    }
    // The wavefront has several anchor rows in flight and may have met a later failing value
    // first: the walk in the specification's order finds the first (from the input again).
    work.copy_from_slice(xs);
    if mask.is_empty() {
        walk(g, plan, offset, step, inv, work, &mut op!(false))
    } else {
        walk(g, plan, offset, step, inv, work, &mut op!(true))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::format::Geometry;

    /// The reference encoder: one element after another; a special element gets its kind (read
    /// from its bits here) and its prediction in its place, any other goes through
    /// [`quantize_slow`].
    pub(crate) struct RefEncode<'a, F: Real> {
        pub(crate) codes: &'a mut [i32],
        pub(crate) k: usize,
        pub(crate) bound: f64,
        pub(crate) fill: Option<F::Bits>,
    }

    impl<F: Real> PointOp<F> for RefEncode<'_, F> {
        type Err = (usize, EncodeFailure);
        fn row(
            &mut self,
            work: &mut [F],
            pos0: usize,
            stride: usize,
            count: usize,
            lq: &LevelQuant<F>,
            pred: impl Fn(&[F], usize) -> F,
        ) -> Result<(), Self::Err> {
            for t in 0..count {
                let pos = pos0 + t * stride;
                let (x, p) = (work[pos], pred(work, pos));
                let bits = x.to_bits();
                let special = if Some(bits) == self.fill {
                    Some(kind::FILL)
                } else if bits == F::NAN_BITS {
                    Some(kind::NAN)
                } else if bits == F::NEG_NAN_BITS {
                    Some(kind::NEG_NAN)
                } else if x == F::POS_INF {
                    Some(kind::POS_INF)
                } else if x == F::NEG_INF {
                    Some(kind::NEG_INF)
                } else {
                    None
                };
                let (q, w) = match special {
                    Some(kd) => (kd, p),
                    None => quantize_slow(x, p, lq, self.bound).map_err(|f| (pos, f))?,
                };
                self.codes[self.k] = q;
                self.k += 1;
                work[pos] = w;
            }
            Ok(())
        }
    }

    /// A field with smooth parts, noise and rare jumps far beyond the bound (codes of every
    /// size), from a fixed xorshift sequence.
    pub(crate) fn field<F: Real>(n: usize, seed: u64) -> Vec<F> {
        let mut s = seed | 1;
        (0..n)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                #[allow(clippy::cast_precision_loss)]
                let u = (s >> 11) as f64 / (1u64 << 53) as f64;
                #[allow(clippy::cast_precision_loss)]
                let smooth = (i as f64 * 0.01).sin() * 100.0;
                let jump = if u < 0.01 { 1e4 * u } else { 0.0 };
                F::from_f64(smooth + u * 3.0 + jump)
            })
            .collect()
    }

    /// The walk with the blocks of `quantize_block` (vector path where the CPU has one, and the
    /// scalar path of the same dispatch) gives the codes and reconstructions of the reference
    /// procedure value by value, for both float types, ranks 1 to 4, odd extents, every plan
    /// kind (Lorenzo, linear and cubic levels) and bounds down to the float spacing.
    fn check<F: Real>() {
        let shapes: &[&[usize]] = &[&[1000], &[37, 49], &[9, 17, 33], &[3, 5, 7, 40], &[64, 64]];
        for (si, &shape) in shapes.iter().enumerate() {
            let g = Geometry::of(shape);
            let xs = field::<F>(g.len(), 17 + si as u64);
            for e in [1.0, 1e-2, 1e-5] {
                let (step, inv) = step_for::<F>(e).unwrap();
                let sc = scan(&xs, None).unwrap();
                let offset = F::from_f64(0.0);
                let mut plans = vec![
                    tune::default_plan(&g),
                    tune::choose_plan(&xs, &g, &sc, step, inv, None),
                    Plan {
                        anchor_level: 0,
                        anchor_shift: 0,
                        levels: Vec::new(),
                    },
                ];
                let mut linear = tune::default_plan(&g);
                for lv in &mut linear.levels {
                    lv.interp = crate::format::Interp::Linear;
                    lv.shift = 1;
                }
                plans.push(linear);
                for plan in &plans {
                    let mut want = vec![0i32; g.len()];
                    let mut wwork = xs.clone();
                    let r = walk(
                        &g,
                        plan,
                        offset,
                        step,
                        inv,
                        &mut wwork,
                        &mut RefEncode {
                            codes: &mut want,
                            k: 0,
                            bound: e,
                            fill: None,
                        },
                    );
                    for arch in [pulp::Arch::new(), pulp::Arch::Scalar] {
                        let mut codes = vec![0i32; g.len()];
                        let mut work = xs.clone();
                        let got = run_on(
                            arch,
                            &g,
                            plan,
                            offset,
                            step,
                            inv,
                            e,
                            None,
                            &[],
                            &xs,
                            &mut work,
                            &mut codes,
                        );
                        assert_eq!(got, r, "{shape:?} e={e} {plan:?}");
                        if r.is_ok() {
                            assert_eq!(codes, want, "{shape:?} e={e} {plan:?}");
                            let bits = |v: &[F]| {
                                v.iter().map(|x| x.to_f64().to_bits()).collect::<Vec<_>>()
                            };
                            assert_eq!(bits(&work), bits(&wwork));
                        }
                    }
                }
            }
        }
    }

    /// The pre-pass compiled for this CPU's vector features and for the scalar baseline finds
    /// the same range (to the bit) and specials, or the same failure: lengths around the eight
    /// lanes, signed zeros, infinities, NaNs with and without payload, a fill value.
    fn scan_paths_agree<F: Real>() {
        let fill = F::from_f64(-7.5);
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        for n in [0usize, 1, 7, 8, 9, 17, 1000] {
            for case in 0..6 {
                let mut xs: Vec<F> = field(n, 3 + case as u64);
                for (i, x) in xs.iter_mut().enumerate() {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    let special = match (case, s % 11) {
                        (1, 0) => Some(F::from_f64(-0.0)),
                        (2, 0) => Some(F::POS_INF),
                        (3, 0) => Some(F::NEG_INF),
                        (4, 0) => Some(F::from_bits(F::NAN_BITS)),
                        (5, 0) if i % 2 == 0 => Some(fill),
                        (5, 1) if i > n / 2 => {
                            Some(F::from_f64(f64::from_bits(0x7ffc_0000_0000_0000)))
                        }
                        _ => None,
                    };
                    if let Some(v) = special {
                        *x = v;
                    }
                }
                for fill in [None, Some(fill.to_bits())] {
                    let key = |r: Result<Scan, ChunkFailure>| {
                        r.map(|sc| {
                            (
                                sc.range.map(|(a, b)| (a.to_bits(), b.to_bits())),
                                sc.specials,
                            )
                        })
                    };
                    let a = key(scan_with(pulp::Arch::new(), &xs, fill));
                    let b = key(scan_with(pulp::Arch::Scalar, &xs, fill));
                    assert_eq!(a, b, "n={n} case={case} fill={fill:?}");
                }
            }
        }
    }

    #[test]
    fn scan_paths_agree_f32() {
        scan_paths_agree::<f32>();
    }

    #[test]
    fn scan_paths_agree_f64() {
        scan_paths_agree::<f64>();
    }

    #[test]
    fn blocks_match_the_reference_f32() {
        check::<f32>();
    }

    #[test]
    fn blocks_match_the_reference_f64() {
        check::<f64>();
    }
}
