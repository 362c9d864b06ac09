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

use std::cell::Cell;

use crate::kernel::{Case, predict};
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
/// run has a shape this path takes: the cubic or linear case, `count ≥ 2`, and either targets
/// one or two elements apart with their neighbours outside the run's span (sweeps along an
/// outer axis) or targets two apart with the neighbours between them (the innermost axis at the
/// finest level). Returns `None` (having written nothing) for other runs, else whether every
/// value is finite.
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
    let finite = match stride {
        1 | 2 if off >= span => across::<F, C>(work, pos0, stride, count, off, codes, step)?,
        2 if off == 1 => along::<F, C>(work, pos0, count, codes, step)?,
        _ => return None,
    };
    Some(finite)
}

/// Targets one or two elements apart, neighbours in other rows (`off ≥` the run's span).
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
        // pairs (target, element between targets), then the last target
        let m = 2 * (count - 1);
        for (((((x, &c), a), b), d), e) in row[..m]
            .chunks_exact_mut(2)
            .zip(&codes[..count - 1])
            .zip(l3[..m].chunks_exact(2))
            .zip(l1[..m].chunks_exact(2))
            .zip(r1[..m].chunks_exact(2))
            .zip(r3[..m].chunks_exact(2))
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

/// Targets two elements apart with their neighbours between them (`off == 1`): the targets and
/// their neighbours interleave in one stretch of the array, read and written through [`Cell`]s.
#[inline(always)]
fn along<F: Real, const C: u8>(
    work: &mut [F],
    pos0: usize,
    count: usize,
    codes: &[i32],
    step: F,
) -> Option<bool> {
    let reach = if C == CUBIC { 3 } else { 1 };
    let lo = pos0.checked_sub(reach)?;
    // the last target's farthest neighbour on the right, plus one
    let hi = pos0.checked_add(2 * (count - 1) + reach + 1)?;
    if work.len() < hi {
        return None;
    }
    let mut finite = true;
    {
        let cells = Cell::from_mut(&mut work[lo..hi]).as_slice_of_cells();
        let b = pos0 - lo;
        // target t (t < count − 1): cells[b + 2t]; pairs from each neighbour's stretch
        let m = 2 * (count - 1);
        let xs = &cells[b - 1..][..m]; // (l1, target)
        let rs = &cells[b + 1..][..m]; // (r1, next target)
        let (l3s, r3s) = if C == CUBIC {
            (&cells[b - 3..][..m], &cells[b + 3..][..m])
        } else {
            (xs, rs)
        };
        for ((((x, &c), l3), r1), r3) in xs
            .chunks_exact(2)
            .zip(&codes[..count - 1])
            .zip(l3s.chunks_exact(2))
            .zip(rs.chunks_exact(2))
            .zip(r3s.chunks_exact(2))
        {
            let p = interp::<F, C>(l3[0].get(), x[0].get(), r1[0].get(), r3[0].get());
            x[1].set(value(p, c, step, &mut finite));
        }
    }
    let last = pos0 + 2 * (count - 1);
    work[last] = value(
        predict::<F, C>(work, last, 1),
        codes[count - 1],
        step,
        &mut finite,
    );
    Some(finite)
}
