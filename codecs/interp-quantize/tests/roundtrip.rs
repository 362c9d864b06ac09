//! Round trips and the error bound, over dtypes × shapes × bounds × special values; the bound
//! is checked exactly (in `f64`, where every `f32`/`f64` difference below is exact or rounded
//! monotonically) against an independent computation, never against the codec's own check.

use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use ndcodecs_interp_quantize::experimental::{Interp, Level, Plan, encode_with_plan};
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig, Real, encoded_len};
use numcodecs::{AnyArray, AnyArrayBase, Codec};
use proptest::prelude::*;

/// `|x − y| ≤ e` in exact arithmetic: the difference of two floats of the same type widened to
/// `f64` is exact for `f32`; for `f64` it is checked with a two-sum.
fn within(x: f64, y: f64, e: f64) -> bool {
    let d = x - y;
    let bb = d - x;
    let t = (x - (d - bb)) + (-y - bb);
    let a = d.abs();
    a < e || (a == e && if d > 0.0 { t <= 0.0 } else { t >= 0.0 })
}

fn check<F: Real>(xs: &[F], ys: &[F], e: f64, fill: Option<F>) {
    assert_eq!(xs.len(), ys.len());
    for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
        let special = !x.is_finite() || fill.is_some_and(|f| f.to_bits() == x.to_bits());
        if special {
            assert_eq!(
                x.to_bits(),
                y.to_bits(),
                "special value at {i} not kept bit-exactly"
            );
        } else {
            assert!(
                within(x.to_f64(), y.to_f64(), e),
                "element {i}: {x:?} decoded as {y:?}, bound {e:?}"
            );
        }
    }
}

fn smooth(shape: &[usize], seed: u64, noise: f64) -> Vec<f64> {
    let n: usize = shape.iter().product();
    let mut s = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..n)
        .map(|i| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let r = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let mut v = 0.0;
            let mut rest = i;
            for (k, &d) in shape.iter().enumerate().rev() {
                let c = rest % d.max(1);
                rest /= d.max(1);
                v += ((c as f64) * 0.37 * (k + 1) as f64).sin() * 3.0;
            }
            v + noise * r
        })
        .collect()
}

fn codec(abs: Option<f64>, rel: Option<f64>, fill: Option<f64>, f64_: bool) -> InterpQuantizeCodec {
    let mut c = match (abs, rel) {
        (Some(a), _) => InterpQuantizeConfig::abs(a).unwrap(),
        (None, Some(r)) => InterpQuantizeConfig::rel(r).unwrap(),
        _ => unreachable!(),
    };
    c.fill_value = fill;
    if f64_ {
        c.dtype = ndcodecs_interp_quantize::FloatDtype::Float64;
    }
    InterpQuantizeCodec::try_new(c).unwrap()
}

fn shape_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![Just(1usize), 0usize..5, 2usize..40], 0..6)
        .prop_filter("at most 4000 elements", |s| {
            s.iter().product::<usize>() <= 4000
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// float32 and float64, ranks 0 to 5, size-0/1/odd extents, absolute and relative bounds,
    /// with NaN, ±∞ and a fill value sprinkled in.
    #[test]
    fn bound_holds_and_specials_round_trip(
        shape in shape_strategy(),
        seed in any::<u64>(),
        noise in prop_oneof![Just(0.0), 0.0..0.01, 0.0..10.0],
        log_bound in -6.0f64..0.0,
        rel in any::<bool>(),
        specials in prop::collection::vec((any::<prop::sample::Index>(), 0u8..5), 0..20),
        use_f64 in any::<bool>(),
    ) {
        let bound = 10f64.powf(log_bound);
        let fill = 1e20;
        let mut v = smooth(&shape, seed, noise);
        for (idx, k) in &specials {
            if v.is_empty() { break; }
            let i = idx.index(v.len());
            v[i] = [f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY, fill][usize::from(*k)];
        }
        let c = if rel { codec(None, Some(bound), Some(fill), use_f64) } else { codec(Some(bound), None, Some(fill), use_f64) };
        macro_rules! go {
            ($t:ty, $var:ident) => {{
                let xs: Vec<$t> = v.iter().map(|&x| x as $t).collect();
                let a = ArrayD::from_shape_vec(IxDyn(&shape), xs.clone()).unwrap();
                let valid: Vec<f64> = xs.iter().filter(|x| x.is_finite() && **x != fill as $t).map(|&x| x as f64).collect();
                let lo = valid.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = valid.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let e = if rel { if hi > lo { bound * (hi - lo) } else { bound } } else { bound };
                // Bounds within a few hundred float spacings of the values may have no code:
                // the encoder then refuses the chunk (tested in errors.rs).
                let amax = lo.abs().max(hi.abs()).max(1e-30) as $t;
                prop_assume!(valid.is_empty() || e >= 600.0 * amax.spacing());
                let enc = c.encode(AnyArray::$var(a).cow()).unwrap();
                prop_assert_eq!(enc.shape(), &[encoded_len(&shape).unwrap()][..]);
                let AnyArray::$var(y) = c.decode(enc.cow()).unwrap() else { panic!("dtype") };
                prop_assert_eq!(y.shape(), &shape[..]);
                check(&xs, y.as_slice().unwrap(), e, Some(fill as $t));
                // decode_into a non-contiguous (Fortran-order) output gives the same bits.
                let mut out = ArrayD::<$t>::zeros(IxDyn(&shape).f());
                c.decode_into(enc.view(), AnyArrayBase::$var(out.view_mut())).unwrap();
                prop_assert!(out.iter().zip(y.iter()).all(|(a, b)| a.to_bits() == b.to_bits()));
            }};
        }
        if use_f64 { go!(f64, F64) } else { go!(f32, F32) }
    }

    /// Every plan (anchor level, interpolation, bound shifts, axis order) decodes within the
    /// bound: the decoder follows what the header says.
    #[test]
    fn any_plan_round_trips(
        shape in shape_strategy(),
        seed in any::<u64>(),
        a_frac in 0.0f64..1.0,
        levels in prop::collection::vec((any::<bool>(), 0u32..5, Just([0u8, 1, 2, 3]).prop_shuffle()), 12),
        anchor_shift in 0u32..4,
    ) {
        let v = smooth(&shape, seed, 0.5);
        let xs: Vec<f32> = v.iter().map(|&x| x as f32).collect();
        let g = ndcodecs_interp_quantize::experimental::Geometry::of(&shape);
        let a = (a_frac * f64::from(g.max_levels + 1)) as u32;
        let a = a.min(g.max_levels);
        let plan = Plan {
            anchor_level: a,
            anchor_shift,
            levels: levels.iter().take(a as usize).map(|&(cubic, shift, order)| Level {
                interp: if cubic { Interp::Cubic } else { Interp::Linear }, shift, order,
            }).collect(),
        };
        let e = 0.01;
        let words = encode_with_plan(&xs, &shape, e, None, &plan).unwrap();
        let (s, ys) = codec(Some(e), None, None, false).decode_slice::<f32>(&words).unwrap();
        prop_assert_eq!(s, shape);
        check(&xs, &ys, e, None);
    }
}

#[test]
fn constant_and_all_special_chunks() {
    let c = codec(None, Some(1e-3), Some(-999.0), false);
    for v in [
        vec![5.0f32; 100],
        vec![-999.0; 100],
        vec![f32::NAN; 7],
        vec![0.0; 1],
        vec![],
    ] {
        let shape = [v.len()];
        let words = c.encode_slice(&v, &shape).unwrap();
        let (_, y) = c.decode_slice::<f32>(&words).unwrap();
        assert!(v.iter().zip(&y).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

/// Fill values in the data never reach a prediction: the valid values' codes are those of the
/// same array with the fill cells replaced by anything else.
#[test]
fn fill_cells_do_not_change_valid_codes() {
    let shape = [33, 47];
    let v = smooth(&shape, 7, 0.1);
    let mut a: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    let mut b = a.clone();
    for i in (0..a.len()).filter(|i| (i % 47) < 9 || i % 13 == 0) {
        a[i] = 1e20;
        b[i] = -3.5e10;
    }
    let ca = codec(Some(0.01), None, Some(1e20), false);
    let cb = codec(Some(0.01), None, Some(-3.5e10), false);
    let wa = ca.encode_slice(&a, &shape).unwrap();
    let wb = cb.encode_slice(&b, &shape).unwrap();
    let n = a.len();
    // Same plan, mask and codes; only the header's fill value differs.
    assert_eq!(
        wa[wa.len() - n - n.div_ceil(32)..],
        wb[wb.len() - n - n.div_ceil(32)..]
    );
}

/// A Fortran-ordered array is coded in its memory order: the words are those of its transpose
/// (a C-ordered array) with the header's Fortran flag set, and decoding gives back an array of
/// the input's shape in Fortran order, also through `decode_into` into a C-ordered output.
#[test]
fn fortran_order_input_is_coded_in_memory_order() {
    let shape = [19, 7, 30];
    let v = smooth(&shape, 3, 0.05);
    let xs: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    let c = codec(Some(0.01), None, Some(-999.0), false);
    // A Fortran-ordered array of shape (30, 7, 19) holding xs in memory order.
    let f = ArrayD::from_shape_vec(IxDyn(&[30, 7, 19]).f(), xs.clone()).unwrap();
    assert!(!f.is_standard_layout());
    let enc = c.encode(AnyArray::F32(f.clone()).cow()).unwrap();
    let AnyArray::I32(enc) = enc else {
        panic!("int32")
    };
    let words = enc.as_slice().unwrap();
    let plain = c.encode_slice(&xs, &shape).unwrap();
    let flags = 3 + 2 * shape.len() + 4;
    assert_eq!(words[flags], plain[flags] | 2);
    assert_eq!(words[..flags], plain[..flags]);
    assert_eq!(words[flags + 1..], plain[flags + 1..]);
    let AnyArray::F32(y) = c.decode(AnyArray::I32(enc.clone()).cow()).unwrap() else {
        panic!("float32")
    };
    assert_eq!(y.shape(), f.shape());
    assert!(y.t().is_standard_layout());
    check(
        f.as_slice_memory_order().unwrap(),
        y.as_slice_memory_order().unwrap(),
        0.01,
        Some(-999.0),
    );
    let mut out = ArrayD::<f32>::zeros(IxDyn(&[30, 7, 19]));
    c.decode_into(
        AnyArrayBase::I32(enc.view()),
        AnyArrayBase::F32(out.view_mut()),
    )
    .unwrap();
    assert!(
        out.iter()
            .zip(y.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    // The raw word decoder reads the coded (C-ordered) array.
    let (s, raw) = c.decode_slice::<f32>(words).unwrap();
    assert_eq!(s, shape);
    assert!(
        raw.iter()
            .zip(y.as_slice_memory_order().unwrap())
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    // decode_into an output of the coded shape is refused.
    let mut wrong = ArrayD::<f32>::zeros(IxDyn(&shape));
    assert!(
        c.decode_into(
            AnyArrayBase::I32(enc.view()),
            AnyArrayBase::F32(wrong.view_mut())
        )
        .is_err()
    );
}

/// The byte path writes the words of `encode_slice`: into an aligned output that held other
/// bytes (every byte is overwritten) and into a misaligned one (through a copy), for a chunk
/// with special values and one without, `f32` and `f64`.
#[test]
fn encode_into_raw_writes_the_words_of_encode_slice() {
    use ndcodecs_core::ArrayToArrayCodec;
    use numcodecs::AnyArrayDType;
    fn case<F: Real + bytemuck::Pod>(codec: &InterpQuantizeCodec, xs: &[F], dtype: AnyArrayDType) {
        let shape = [29, 41];
        let want = codec.encode_slice(xs, &shape).unwrap();
        let want: &[u8] = bytemuck::cast_slice(&want);
        let input: &[u8] = bytemuck::cast_slice(xs);
        // aligned: a buffer of words, seen as bytes
        let mut words = vec![0x5a5a_5a5au32; want.len() / 4];
        let out: &mut [u8] = bytemuck::cast_slice_mut(&mut words);
        codec.encode_into_raw(input, dtype, &shape, out).unwrap();
        assert_eq!(out, want);
        // misaligned: one byte into a buffer of words
        let mut words = vec![0xa5a5_a5a5u32; want.len() / 4 + 1];
        let out = &mut bytemuck::cast_slice_mut::<u32, u8>(&mut words)[1..=want.len()];
        codec.encode_into_raw(input, dtype, &shape, out).unwrap();
        assert_eq!(out, want);
    }
    let v = smooth(&[29, 41], 11, 0.3);
    for fill in [None, Some(-999.0)] {
        let mut a: Vec<f64> = v.clone();
        if let Some(f) = fill {
            for i in (0..a.len()).filter(|i| i % 37 < 5) {
                a[i] = f;
            }
            a[3] = f64::NAN;
        }
        let a32: Vec<f32> = a.iter().map(|&x| x as f32).collect();
        case(
            &codec(Some(0.01), None, fill, false),
            &a32,
            AnyArrayDType::F32,
        );
        case(&codec(None, Some(1e-3), fill, true), &a, AnyArrayDType::F64);
    }
}
