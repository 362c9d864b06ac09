//! The encoder's and the decoder's walks (the anchors several rows at a time in a wavefront, the
//! quantizer by blocks, compiled for the CPU's vector features and for no vector features)
//! against the walk in the specification's order with a reference operation that takes one
//! element after another: the same codes, reconstructions, decoded bits and errors, for both
//! float types, ranks 1 to 5, odd and size-1 extents, Lorenzo and interpolation plans, with and
//! without special values.

use crate::decode::{decode_on, read_header};
use crate::encode::tests::{RefEncode, field};
use crate::encode::{ChunkFailure, run_on, step_for};
use crate::experimental::encode_with_plan;
use crate::format::{Geometry, Interp, Level, Plan};
use crate::kernel::walk;
use crate::real::Real;
use crate::tune;

/// The field of the encoder's tests with special values: a run of fill values at the start of
/// every fifth row (land), and NaN of both signs and ±∞ scattered.
fn with_specials<F: Real>(xs: &[F], row: usize, fill: F) -> Vec<F> {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let (r, c) = (i / row, i % row);
            if r % 5 == 2 && c < row.div_ceil(3) {
                return fill;
            }
            match s % 64 {
                0 => F::from_bits(F::NAN_BITS),
                1 => F::from_bits(F::NEG_NAN_BITS),
                2 => F::POS_INF,
                3 => F::NEG_INF,
                4..=7 => fill,
                _ => x,
            }
        })
        .collect()
}

/// The plans compared: Lorenzo over every element, and anchor grids of stride 2, 4 and the
/// default's, with linear and cubic levels, shifts and axis orders.
fn plans(g: &Geometry) -> Vec<Plan> {
    let mut out = vec![Plan {
        anchor_level: 0,
        anchor_shift: 0,
        levels: Vec::new(),
    }];
    for (a, interp, shift, order) in [
        (1, Interp::Cubic, 0, [0, 1, 2, 3]),
        (2, Interp::Linear, 1, [3, 2, 1, 0]),
    ] {
        let a = a.min(g.max_levels);
        out.push(Plan {
            anchor_level: a,
            anchor_shift: 1,
            levels: vec![
                Level {
                    interp,
                    shift,
                    order
                };
                a as usize
            ],
        });
    }
    out.push(tune::default_plan(g));
    out
}

/// The decoder's builds compared: for the CPU's vector features and for none, each with the
/// runs of interpolated targets by the vectorizable path (`crate::fast`) and element by element.
fn archs() -> [(pulp::Arch, bool); 4] {
    [
        (pulp::Arch::new(), true),
        (pulp::Arch::new(), false),
        (pulp::Arch::Scalar, true),
        (pulp::Arch::Scalar, false),
    ]
}

fn bits<F: Real>(v: &[F]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

fn check<F: Real>() {
    let shapes: &[&[usize]] = &[
        &[1],
        &[2],
        &[5],
        &[257],
        &[1, 1],
        &[1, 7],
        &[7, 1],
        &[2, 2],
        &[4, 9],
        &[37, 49],
        &[5, 1, 6],
        &[9, 17, 33],
        &[1, 3, 1, 5],
        &[3, 5, 7, 11],
        &[2, 3, 2, 3, 5],
    ];
    let fill = F::from_f64(-999.0);
    let mut compared = 0usize;
    for (si, &shape) in shapes.iter().enumerate() {
        let g = Geometry::of(shape);
        let n = g.len();
        let plain = field::<F>(n, 101 + si as u64);
        for masked in [false, true] {
            let xs = if masked {
                with_specials(&plain, g.dims[3], fill)
            } else {
                plain.clone()
            };
            let fill_bits = masked.then(|| fill.to_bits());
            // the bits form of the mask (empty: no special values)
            let mut mask = vec![0u32; n.div_ceil(32)];
            for (p, x) in xs.iter().enumerate() {
                if !x.is_finite() || Some(x.to_bits()) == fill_bits {
                    mask[p / 32] |= 1 << (p % 32);
                }
            }
            if mask.iter().all(|&w| w == 0) {
                mask.clear();
            }
            for e in [1.0, 1e-2, 1e-5] {
                let (step, inv) = step_for::<F>(e).unwrap();
                for plan in plans(&g) {
                    let what = format!("{shape:?} masked={masked} e={e} {plan:?}");
                    // the encoder's walk, given an offset
                    let offset = F::from_f64(1.234_567_8);
                    let mut want = vec![0i32; n];
                    let mut wwork = xs.clone();
                    let mut rop = RefEncode {
                        codes: &mut want,
                        k: 0,
                        bound: e,
                        fill: fill_bits,
                    };
                    let r = walk(&g, &plan, offset, step, inv, &mut wwork, &mut rop);
                    for arch in [pulp::Arch::new(), pulp::Arch::Scalar] {
                        let mut codes = vec![0i32; n];
                        let mut work = xs.clone();
                        let got = run_on(
                            arch, &g, &plan, offset, step, inv, e, fill_bits, &mask, &xs,
                            &mut work, &mut codes,
                        );
                        assert_eq!(got, r, "{what}");
                        if r.is_ok() {
                            assert_eq!(codes, want, "{what}");
                            assert_eq!(bits(&work), bits(&wwork), "{what}");
                        }
                        compared += 1;
                    }
                    // the whole chunk, decoded: the reference's reconstructions (the values
                    // `P + RN_F(q)·σ`), the special values bit for bit
                    let fill_value = masked.then_some(fill);
                    let (lo, hi) = xs
                        .iter()
                        .filter(|x| x.is_finite() && Some(x.to_bits()) != fill_bits)
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                            (lo.min(x.to_f64()), hi.max(x.to_f64()))
                        });
                    // the specification's offset: RN_F(RN64(min × 0.5) + RN64(max × 0.5))
                    let offset = F::from_f64(lo * 0.5 + hi * 0.5);
                    let mut want = vec![0i32; n];
                    let mut wwork = xs.clone();
                    let mut rop = RefEncode {
                        codes: &mut want,
                        k: 0,
                        bound: e,
                        fill: fill_bits,
                    };
                    let r = walk(&g, &plan, offset, step, inv, &mut wwork, &mut rop);
                    let words = match (encode_with_plan(&xs, shape, e, fill_value, &plan), r) {
                        (Ok(words), Ok(())) => words,
                        (Err(ChunkFailure::Value(i, f)), Err(r)) => {
                            assert_eq!((i, f), r, "{what}");
                            continue;
                        }
                        (got, r) => panic!("{what}: {got:?} against {r:?}"),
                    };
                    let (h, hg) = read_header(&words).unwrap();
                    assert_eq!(h.offset.to_bits(), offset.to_f64().to_bits(), "{what}");
                    assert_eq!(&words[words.len() - n..], &want[..], "{what}");
                    let expect: Vec<F> = xs
                        .iter()
                        .zip(&wwork)
                        .map(|(&x, &w)| {
                            if x.is_finite() && Some(x.to_bits()) != fill_bits {
                                w
                            } else {
                                x
                            }
                        })
                        .collect();
                    for (arch, fast) in archs() {
                        let mut out = vec![F::ZERO; n];
                        decode_on(arch, fast, &words, &h, &hg, &mut out).unwrap();
                        assert_eq!(bits(&out), bits(&expect), "{what} fast={fast}");
                        compared += 1;
                    }
                }
            }
        }
    }
    // every combination ran (none skipped by an early `continue` beyond the failing bounds)
    assert!(compared > 600, "{compared}");
}

#[test]
fn wavefront_matches_the_walk_in_order_f32() {
    check::<f32>();
}

#[test]
fn wavefront_matches_the_walk_in_order_f64() {
    check::<f64>();
}

/// Two special elements with words that name no kind, in the first two rows of a Lorenzo
/// chunk: the wavefront meets the second row's first element before the first row's sixth, but
/// the error names the sixth, the first in the specification's order, as the walk in order does.
#[test]
fn decoding_reports_the_first_bad_word_in_order() {
    let shape = [3usize, 8];
    let fill = -1.0f32;
    let mut xs: Vec<f32> = (0..24u8).map(f32::from).collect();
    xs[5] = fill;
    xs[8] = fill;
    let plan = Plan {
        anchor_level: 0,
        anchor_shift: 0,
        levels: Vec::new(),
    };
    let mut words = encode_with_plan(&xs, &shape, 0.01, Some(fill), &plan).unwrap();
    let n = xs.len();
    let codes = words.len() - n;
    words[codes + 5] = 99;
    words[codes + 8] = 99;
    let (h, g) = read_header(&words).unwrap();
    for (arch, fast) in archs() {
        let mut out = vec![0.0f32; n];
        let err = decode_on(arch, fast, &words, &h, &g, &mut out)
            .unwrap_err()
            .to_string();
        assert!(err.contains("element 5 "), "{err}");
    }
}
