//! The decoder's runs of interpolated targets free of special values, written for the compiler
//! to vectorize: the neighbours are read through slices that the targets' writes cannot touch,
//! sized before the loop so that it has no bounds checks and no branches, and the validity of
//! the values is folded into one flag. Every value takes the operations of
//! [`predict`](crate::kernel::predict) and of the decoder's row, in the same order, each rounded
//! once (Rust never fuses `a * b + c`), so the bits are those of the element-by-element walk
//! whatever the vector width. The tests below compare every run shape with the element-by-element
//! row on random arrays (values near the float maximum, infinities, NaN); those of `decode.rs`
//! and `wavefront_tests.rs` compare whole decodes with and without this path.
//!
//! Within one sweep of the walk every target's neighbours were finished by earlier sweeps
//! (see `kernel.rs`), so the targets of a run do not depend on each other.

use crate::kernel::{Case, cubic, linear};
use crate::real::Real;

const CUBIC: u8 = Case::Cubic as u8;
const LINEAR: u8 = Case::Linear as u8;

/// The cubic or linear prediction from the neighbours at −3, −1, +1, +3 steps (the linear one
/// reads only `l1` and `r1`), as [`predict`](crate::kernel::predict) evaluates it.
#[inline(always)]
fn interp<F: Real, const C: u8>(l3: F, l1: F, r1: F, r3: F) -> F {
    let p = if C == CUBIC {
        cubic(l3, l1, r1, r3)
    } else {
        linear(l1, r1)
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
    run_with::<F, C, _>(work, pos0, stride, count, off, codes, |p, c, ok| {
        value(p, c, step, ok)
    })
}

/// The encoder's side of [`decode_run`]: writes the predictions of the run's targets in their
/// places (`count ≤` [`BLOCK`]), the values there having been read first; the same run shapes
/// and the same `None` (nothing written) for the others.
#[inline(always)]
pub(crate) fn predict_run<F: Real, const C: u8>(
    work: &mut [F],
    pos0: usize,
    stride: usize,
    count: usize,
    off: usize,
) -> Option<()> {
    const NO_CODES: [i32; BLOCK] = [0; BLOCK];
    let codes = NO_CODES.get(..count)?;
    run_with::<F, C, _>(work, pos0, stride, count, off, codes, |p, _, _| p).map(|_| ())
}

/// [`decode_run`] with `put(prediction, code, finite)` giving what a target receives.
#[inline(always)]
fn run_with<F: Real, const C: u8, G: Fn(F, i32, &mut bool) -> F + Copy>(
    work: &mut [F],
    pos0: usize,
    stride: usize,
    count: usize,
    off: usize,
    codes: &[i32],
    put: G,
) -> Option<bool> {
    if (C != CUBIC && C != LINEAR) || count < 2 || stride == 0 || codes.len() != count {
        return None;
    }
    let span = (count - 1) * stride + 1;
    let finite = if off >= span {
        match stride {
            1 => across::<F, C, G>(work, pos0, 1, count, off, codes, put)?,
            2 => across::<F, C, G>(work, pos0, 2, count, off, codes, put)?,
            _ => across::<F, C, G>(work, pos0, stride, count, off, codes, put)?,
        }
    } else if stride == 2 * off {
        match off {
            1 => along::<F, C, G>(work, pos0, 1, count, codes, put)?,
            _ => along::<F, C, G>(work, pos0, off, count, codes, put)?,
        }
    } else {
        return None;
    };
    Some(finite)
}

/// Targets `stride` elements apart, neighbours in other rows (`off ≥` the run's span).
#[inline(always)]
fn across<F: Real, const C: u8, G: Fn(F, i32, &mut bool) -> F + Copy>(
    work: &mut [F],
    pos0: usize,
    stride: usize,
    count: usize,
    off: usize,
    codes: &[i32],
    put: G,
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
        contiguous::<F, C, G>(row, codes, [l3, l1, r1, r3], put, &mut finite);
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
            x[0] = put(interp::<F, C>(a[0], b[0], d[0], e[0]), c, &mut finite);
        }
        row[m] = put(
            interp::<F, C>(l3[m], l1[m], r1[m], r3[m]),
            codes[count - 1],
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
fn along<F: Real, const C: u8, G: Fn(F, i32, &mut bool) -> F + Copy>(
    work: &mut [F],
    pos0: usize,
    off: usize,
    count: usize,
    codes: &[i32],
    put: G,
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
        let nbrs = if C == CUBIC {
            [&ev[..nb], &ev[1..=nb], &ev[2..nb + 2], &ev[3..nb + 3]]
        } else {
            [&ev[..nb], &ev[..nb], &ev[1..=nb], &ev[1..=nb]]
        };
        contiguous::<F, C, G>(&mut vs[..nb], cs, nbrs, put, &mut finite);
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

/// Lanes of the groups of [`contiguous`]: a vector of `f32` with AVX2 (two of `f64`).
const LANES: usize = 8;

/// `xs[t]` ← the value of code `codes[t]` predicted from `nbrs[0..4][t]` (the neighbours at −3,
/// −1, +1, +3 steps), for all `t` (every slice of `xs`'s length), by groups of [`LANES`]
/// targets, the last group overlapping the one before it when the length is not a multiple:
/// recomputing a target gives the same value (it does not read `xs`), and every group compiles
/// to straight vector code, with no scalar remainder loop (short rows are common: 49 elements
/// along the innermost axis of a climate field).
#[inline(always)]
fn contiguous<F: Real, const C: u8, G: Fn(F, i32, &mut bool) -> F>(
    xs: &mut [F],
    codes: &[i32],
    nbrs: [&[F]; 4],
    put: G,
    finite: &mut bool,
) {
    let n = xs.len();
    if n < LANES || codes.len() != n || nbrs.iter().any(|v| v.len() != n) {
        for (t, (x, &c)) in xs.iter_mut().zip(codes).enumerate() {
            let p = interp::<F, C>(nbrs[0][t], nbrs[1][t], nbrs[2][t], nbrs[3][t]);
            *x = put(p, c, finite);
        }
        return;
    }
    let mut ok = [true; LANES];
    let mut j = 0;
    loop {
        let j0 = j.min(n - LANES);
        let x: &mut [F; LANES] = (&mut xs[j0..j0 + LANES])
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        let group = |v: &[F]| -> [F; LANES] {
            v[j0..j0 + LANES]
                .try_into()
                .unwrap_or_else(|_| unreachable!())
        };
        let (a, b, d, e) = (
            group(nbrs[0]),
            group(nbrs[1]),
            group(nbrs[2]),
            group(nbrs[3]),
        );
        let cs: [i32; LANES] = codes[j0..j0 + LANES]
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        for u in 0..LANES {
            x[u] = put(interp::<F, C>(a[u], b[u], d[u], e[u]), cs[u], &mut ok[u]);
        }
        if j0 == n - LANES {
            break;
        }
        j += LANES;
    }
    *finite &= ok.iter().all(|&o| o);
}

/// Targets per block of [`along`] (and at most in a [`predict_run`]).
pub(crate) const BLOCK: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::predict;

    /// A xorshift generator: random values of every kind the walk's array can hold (ordinary,
    /// near the float type's largest, infinite, NaN) and codes up to ±2^30.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn value<F: Real>(&mut self) -> F {
            let r = self.next();
            let u = (r >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            match r % 50 {
                0 => F::POS_INF,
                1 => F::NEG_INF,
                2 => F::from_bits(F::NAN_BITS),
                3..=6 => F::from_f64(if F::WIDTH == 32 { 3.3e38 } else { 1.7e308 } * u),
                _ => F::from_f64(1000.0 * u),
            }
        }
        fn code(&mut self) -> i32 {
            let r = self.next();
            let c = (r >> 33) as i32 >> (r % 31);
            if r.is_multiple_of(7) { c } else { c % 64 }
        }
    }

    /// The run decoded element by element, as the decoder's row does it: the reference.
    fn reference<F: Real, const C: u8>(
        work: &mut [F],
        pos0: usize,
        stride: usize,
        off: usize,
        codes: &[i32],
        step: F,
    ) -> bool {
        let mut finite = true;
        for (t, &c) in codes.iter().enumerate() {
            let pos = pos0 + t * stride;
            let v = predict::<F, C>(work, pos, off) + F::from_code(c) * step;
            finite &= v.is_finite();
            work[pos] = v;
        }
        finite
    }

    /// Checks one run shape against [`reference`] on random arrays: the same bits everywhere
    /// and the same flag.
    fn run<F: Real, const C: u8>(rng: &mut Rng, stride: usize, off: usize, count: usize) -> bool {
        // room for the stencil: one neighbour on each side (linear) or two (the others)
        let reach = if C == LINEAR { off } else { 3 * off };
        let pad = (rng.next() % 5) as usize;
        let pos0 = reach + pad;
        let len = pos0 + (count - 1) * stride + reach + 1 + (rng.next() % 5) as usize;
        let mut work: Vec<F> = (0..len).map(|_| rng.value()).collect();
        // without any special value in a third of the runs
        if rng.next().is_multiple_of(3) {
            for w in &mut work {
                if !w.is_finite() {
                    *w = F::ZERO;
                }
            }
        }
        let codes: Vec<i32> = (0..count).map(|_| rng.code()).collect();
        let step = F::from_f64([0.5, 1e-3, 3.7e-7][(rng.next() % 3) as usize]);
        let before = work.clone();
        let mut want = work.clone();
        let expect = reference::<F, C>(&mut want, pos0, stride, off, &codes, step);
        let got = decode_run::<F, C>(&mut work, pos0, stride, count, off, &codes, step);
        let bits = |v: &[F]| v.iter().map(|x| x.to_f64().to_bits()).collect::<Vec<_>>();
        let taken = got.is_some();
        if let Some(finite) = got {
            assert_eq!(finite, expect, "stride {stride} off {off} count {count}");
            assert_eq!(
                bits(&work),
                bits(&want),
                "stride {stride} off {off} count {count}"
            );
        } else {
            // nothing written
            assert_eq!(
                bits(&work),
                bits(&before),
                "stride {stride} off {off} count {count}"
            );
        }
        taken
    }

    /// Every run shape the walk produces (targets 1, 2 or 4 apart across rows, the innermost
    /// axis at strides 2 and 4, lengths around the vector width and the block), cubic and
    /// linear, `f32` and `f64`: the same values and flag as element by element, and the fast
    /// path taken for each.
    fn check<F: Real>() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for count in (2..40).chain([63, 64, 65, 127, 128, 129, 200]) {
            for _ in 0..3 {
                for stride in [1, 2, 4] {
                    let off = (count - 1) * stride + 1 + (rng.next() % 9) as usize;
                    assert!(run::<F, CUBIC>(&mut rng, stride, off, count));
                    assert!(run::<F, LINEAR>(&mut rng, stride, off, count));
                }
                for off in [1, 2] {
                    assert!(run::<F, CUBIC>(&mut rng, 2 * off, off, count));
                    assert!(run::<F, LINEAR>(&mut rng, 2 * off, off, count));
                }
            }
        }
        // runs the path leaves to the row: one target, other cases, overlapping neighbours
        assert!(!run::<F, CUBIC>(&mut rng, 1, 5, 1));
        assert!(!run::<F, { Case::QuadLeft as u8 }>(&mut rng, 1, 9, 4));
        assert!(!run::<F, CUBIC>(&mut rng, 1, 3, 8));
    }

    #[test]
    fn runs_match_the_element_by_element_row_f32() {
        check::<f32>();
    }

    #[test]
    fn runs_match_the_element_by_element_row_f64() {
        check::<f64>();
    }
}
