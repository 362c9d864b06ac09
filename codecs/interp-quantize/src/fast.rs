//! The decoder's runs of interpolated targets free of special values, written for the compiler
//! to vectorize: the neighbours are read through slices that the targets' writes cannot touch,
//! sized before the loop so that it has no bounds checks and no branches, and the validity of
//! the values is folded into one flag. Every value takes the operations of
//! [`predict`](crate::kernel::predict) and of the decoder's row, in the same order, each rounded
//! once (Rust never fuses `a * b + c`), so the bits are those of the element-by-element walk
//! whatever the vector width (the tests in `decode.rs` compare the two on random arrays).
//!
//! Within one sweep of the walk every target's neighbours were finished by earlier sweeps
//! (see `kernel.rs`), so the targets of a run do not depend on each other.

use crate::kernel::Case;
use crate::real::Real;

const CUBIC: u8 = Case::Cubic as u8;
const LINEAR: u8 = Case::Linear as u8;

/// The cubic or linear prediction from the neighbours at −3, −1, +1, +3 steps (the linear one
/// reads only `l1` and `r1`), as [`predict`] evaluates it.
#[inline(always)]
fn interp<F: Real, const C: u8>(l3: F, l1: F, r1: F, r3: F) -> F {
    let p = if C == CUBIC {
        ((l1 + r1) * F::NINE - (l3 + r3)) * F::SIXTEENTH
    } else {
        (l1 + r1) * F::HALF
    };
    if p.is_finite() { p } else { l1 }
}

/// The reconstruction of a target predicted `p` with code `c`; clears `finite` if it is not
/// finite.
#[inline(always)]
fn value<F: Real>(p: F, c: i32, step: F, finite: &mut bool) -> F {
    let v = p + F::from_code(c) * step;
    *finite &= v.is_finite();
    v
}

/// Decodes the run of `count` targets at `pos0 + t·stride` whose neighbours along the
/// interpolation axis are `off` elements away, all predicted by case `C` (a
/// [`Case`] as `u8`), with codes `codes` (`count` of them) and quantization step `step`, if the
/// run has a shape this path takes: the cubic or linear case, `count ≥ 2`, and either the
/// neighbours outside the run's span (sweeps along an outer axis) or targets `2·off` apart with
/// the neighbours between them (sweeps along the innermost axis). Returns `None` (having
/// written nothing) for other runs, else whether every value is finite. Runs of targets one or
/// two elements apart, the most common, are compiled for those strides.
#[inline(always)]
pub(crate) fn decode_run<F: Real, const C: u8>(
    work: &mut [F],
    pos0: usize,
    stride: usize,
    count: usize,
    off: usize,
    codes: &[i32],
    step: F,
) -> Option<bool> {
    if (C != CUBIC && C != LINEAR) || count < 2 || codes.len() != count {
        return None;
    }
    let span = (count - 1) * stride + 1;
    let finite = if off >= span {
        match stride {
            1 => across::<F, C>(work, pos0, 1, count, off, codes, step)?,
            2 => across::<F, C>(work, pos0, 2, count, off, codes, step)?,
            _ => across::<F, C>(work, pos0, stride, count, off, codes, step)?,
        }
    } else if stride == 2 * off {
        match off {
            1 => along::<F, C>(work, pos0, 1, count, codes, step)?,
            _ => along::<F, C>(work, pos0, off, count, codes, step)?,
        }
    } else {
        return None;
    };
    Some(finite)
}

/// Targets `stride` elements apart, neighbours in other rows (`off ≥` the run's span).
#[inline(always)]
fn across<F: Real, const C: u8>(
    work: &mut [F],
    pos0: usize,
    stride: usize,
    count: usize,
    off: usize,
    codes: &[i32],
    step: F,
) -> Option<bool> {
    let span = (count - 1) * stride + 1;
    let reach = if C == CUBIC { 3 * off } else { off };
    let start = pos0.checked_sub(reach)?;
    if work.len() < pos0.checked_add(reach)?.checked_add(span)? {
        return None;
    }
    let (before, rest) = work.split_at_mut(pos0);
    let (row, after) = rest.split_at_mut(span);
    let l1 = &before[pos0 - off..][..span];
    let r1 = &after[off - span..][..span];
    let (l3, r3) = if C == CUBIC {
        (&before[start..][..span], &after[3 * off - span..][..span])
    } else {
        (l1, r1)
    };
    let mut finite = true;
    if stride == 1 {
        for (((((x, &c), &a), &b), &d), &e) in
            row.iter_mut().zip(codes).zip(l3).zip(l1).zip(r1).zip(r3)
        {
            *x = value(interp::<F, C>(a, b, d, e), c, step, &mut finite);
        }
    } else {
        // (target, elements up to the next target), then the last target
        let m = stride * (count - 1);
        for (((((x, &c), a), b), d), e) in row[..m]
            .chunks_exact_mut(stride)
            .zip(&codes[..count - 1])
            .zip(l3[..m].chunks_exact(stride))
            .zip(l1[..m].chunks_exact(stride))
            .zip(r1[..m].chunks_exact(stride))
            .zip(r3[..m].chunks_exact(stride))
        {
            x[0] = value(interp::<F, C>(a[0], b[0], d[0], e[0]), c, step, &mut finite);
        }
        row[m] = value(
            interp::<F, C>(l3[m], l1[m], r1[m], r3[m]),
            codes[count - 1],
            step,
            &mut finite,
        );
    }
    Some(finite)
}

/// Targets `2·off` elements apart with their neighbours between them, by blocks of
/// [`BLOCK`] targets: the block's neighbours gathered into a contiguous buffer, its values
/// computed into another, then written between the neighbours. Reading the neighbours straight
/// from the array would load, in the same vector, the target slots just written (a stall on
/// every iteration where a load meets a store still in flight).
#[inline(always)]
fn along<F: Real, const C: u8>(
    work: &mut [F],
    pos0: usize,
    off: usize,
    count: usize,
    codes: &[i32],
    step: F,
) -> Option<bool> {
    // neighbours on each side of a target: 1 (linear) or 2 (cubic), `reach · off` elements
    // away at most
    let reach = if C == CUBIC { 3 } else { 1 };
    let (stride, far) = (2 * off, reach * off);
    let lo = pos0.checked_sub(far)?;
    let hi = pos0.checked_add(stride * (count - 1) + far + 1)?;
    if work.len() < hi {
        return None;
    }
    let mut finite = true;
    let mut t0 = 0;
    while t0 < count {
        let nb = BLOCK.min(count - t0);
        // the block's neighbours, `nb + reach` elements `stride` apart from
        // `pos0 + stride·t0 − far`
        let mut ev = [F::ZERO; BLOCK + 3];
        let first = lo + stride * t0;
        let m = nb + reach - 1;
        for (e, w) in ev[..m]
            .iter_mut()
            .zip(work[first..first + stride * m].chunks_exact(stride))
        {
            *e = w[0];
        }
        ev[m] = work[first + stride * m];
        let mut vs = [F::ZERO; BLOCK];
        let cs = &codes[t0..t0 + nb];
        if C == CUBIC {
            for ((((v, &c), &a), &b), (&d, &e)) in vs[..nb]
                .iter_mut()
                .zip(cs)
                .zip(&ev[..nb])
                .zip(&ev[1..=nb])
                .zip(ev[2..nb + 2].iter().zip(&ev[3..nb + 3]))
            {
                *v = value(interp::<F, C>(a, b, d, e), c, step, &mut finite);
            }
        } else {
            for (((v, &c), &b), &d) in vs[..nb].iter_mut().zip(cs).zip(&ev[..nb]).zip(&ev[1..=nb]) {
                *v = value(interp::<F, C>(b, b, d, d), c, step, &mut finite);
            }
        }
        let start = pos0 + stride * t0;
        for (w, &v) in work[start..start + stride * (nb - 1)]
            .chunks_exact_mut(stride)
            .zip(&vs[..nb - 1])
        {
            w[0] = v;
        }
        work[start + stride * (nb - 1)] = vs[nb - 1];
        t0 += nb;
    }
    Some(finite)
}

/// Targets per block of [`along`].
const BLOCK: usize = 64;
