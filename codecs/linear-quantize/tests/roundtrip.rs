//! Property tests: round trips and the exact bound over both float dtypes × all code dtypes ×
//! ranks 1..=4 × odd shapes (size-1 and empty axes), contiguous and non-contiguous input and
//! output.

mod common;

use common::{CODES, FLOATS, assert_promise, codec, config, float_elems, spacing};
use ndarray::{ArrayD, Axis, IxDyn, Slice};
use ndcodecs_core::CodecError;
use ndcodecs_linear_quantize::{CodeDtype, FloatDtype, LinearQuantizeConfig};
use numcodecs::{AnyArray, Codec};
use proptest::prelude::*;

/// What one element of a generated array is.
#[derive(Clone, Debug)]
enum Kind {
    /// `offset + q · 2e · (63/64) + jitter · e`: a value whose code is about `q`.
    Fits(i64, f64),
    Nan(bool),
    Inf(bool),
    Fill,
    Zero(bool),
    Subnormal(u32),
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        40 => (-4096i64..=4096, -1.0f64..=1.0).prop_map(|(q, j)| Kind::Fits(q, j)),
        2 => any::<bool>().prop_map(Kind::Nan),
        2 => any::<bool>().prop_map(Kind::Inf),
        2 => Just(Kind::Fill),
        1 => any::<bool>().prop_map(Kind::Zero),
        1 => (1u32..1000).prop_map(Kind::Subnormal),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    config: LinearQuantizeConfig,
    shape: Vec<usize>,
    kinds: Vec<Kind>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0usize..2,
        0usize..4,
        prop::collection::vec(0usize..=4, 1..=4),
        1.0f64..2.0,
        -12i32..12,
        -100.0f64..100.0,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(|(f, c, shape, mant, exp, off, has_off, has_fill)| {
            let e = mant * 2f64.powi(exp);
            let offset = if has_off { off * e * 37.0 } else { 0.0 };
            let fill = has_fill.then_some(-9.96921e36);
            let config = config(e, offset, fill, FLOATS[f], CODES[c]);
            let n: usize = shape.iter().product();
            prop::collection::vec(kind(), n..=n).prop_map(move |kinds| Case {
                config: config.clone(),
                shape: shape.clone(),
                kinds,
            })
        })
}

fn value(c: &LinearQuantizeConfig, k: &Kind) -> f64 {
    let code_max = match c.astype {
        CodeDtype::Int8 => 125,
        _ => i64::MAX,
    };
    match *k {
        #[allow(clippy::cast_precision_loss)]
        Kind::Fits(q, j) => {
            c.offset
                + q.clamp(-code_max, code_max) as f64 * 2.0 * c.max_abs_error.get() * (63.0 / 64.0)
                + j * c.max_abs_error.get()
        }
        Kind::Nan(neg) => {
            if neg {
                -f64::NAN
            } else {
                f64::NAN
            }
        }
        Kind::Inf(neg) => {
            if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        Kind::Fill => c.fill_value.unwrap_or(1.0),
        Kind::Zero(neg) => {
            if neg {
                -0.0
            } else {
                0.0
            }
        }
        Kind::Subnormal(m) => f64::from(m) * 1.401_298_464_324_817e-45,
    }
}

/// The input array of the case's dtype (NaNs are the canonical quiet NaNs of either sign).
#[allow(clippy::cast_possible_truncation)]
fn array(c: &LinearQuantizeConfig, shape: &[usize], values: &[f64]) -> AnyArray {
    match c.dtype {
        FloatDtype::Float32 => AnyArray::F32(
            ArrayD::from_shape_vec(IxDyn(shape), values.iter().map(|&v| v as f32).collect())
                .unwrap(),
        ),
        FloatDtype::Float64 => {
            AnyArray::F64(ArrayD::from_shape_vec(IxDyn(shape), values.to_vec()).unwrap())
        }
    }
}

/// Whether the documented sufficient condition for encoding holds for every element: each
/// finite value `x` has `max_abs_error ≥ 512 · spacing(|x| + |x − offset| + 4·max_abs_error)`
/// and a code well inside the finite code range.
fn guaranteed(c: &LinearQuantizeConfig, input: &AnyArray) -> bool {
    let e = c.max_abs_error.get();
    let code_max = match c.astype {
        CodeDtype::Int8 => 124.0,
        CodeDtype::Int16 => 32_764.0,
        _ => 1e15,
    };
    float_elems(input).iter().all(|&(x, _)| {
        !x.is_finite()
            || (e >= 512.0 * spacing(c.dtype, x.abs() + (x - c.offset).abs() + 4.0 * e)
                && ((x - c.offset) / (2.0 * e * 63.0 / 64.0)).abs() <= code_max)
    })
}

fn check(case: &Case) {
    let c = &case.config;
    let codec = codec(c.clone());
    let values: Vec<f64> = case.kinds.iter().map(|k| value(c, k)).collect();
    let input = array(c, &case.shape, &values);
    match codec.encode(input.cow()) {
        Ok(encoded) => {
            assert_eq!(encoded.dtype(), c.astype.to_any());
            assert_eq!(encoded.shape(), &case.shape[..]);
            let decoded = codec.decode(encoded.cow()).unwrap();
            assert_promise(c, &input, &decoded);

            // decode_into a non-contiguous (transposed) output
            let mut buf = AnyArray::zeros(
                c.dtype.to_any(),
                &case.shape.iter().rev().copied().collect::<Vec<_>>(),
            );
            ndcodecs_core::match_float_array!(
                &mut buf,
                b => check_into(&codec, &encoded, &decoded, b),
                other => unreachable!("float dtype, not {:?}", other.dtype()),
            );

            // the same data as non-contiguous views encode to the same codes
            check_views(&codec, c, &case.shape, &values, &encoded);
        }
        Err(err) => {
            assert!(
                matches!(err, CodecError::OutOfRange { .. }),
                "unexpected error {err}"
            );
            assert!(
                !guaranteed(c, &input),
                "encoding must succeed for {c:?}: {err}"
            );
        }
    }
}

/// Decodes into a transposed (non-contiguous) view of `buf` and checks the result's bits equal
/// those of the plain decode.
fn check_into<F: ndcodecs_core::dtype::Element>(
    codec: &ndcodecs_linear_quantize::LinearQuantizeCodec,
    encoded: &AnyArray,
    decoded: &AnyArray,
    buf: &mut ArrayD<F>,
) {
    codec
        .decode_into(
            encoded.view(),
            F::into_any_view_mut(buf.view_mut().reversed_axes()),
        )
        .unwrap();
    let got = F::into_any(buf.view().reversed_axes().as_standard_layout().into_owned());
    assert_eq!(got.as_bytes(), decoded.as_bytes());
}

/// Embeds the values in a twice-as-large array and takes every other element along each axis
/// (a strided view), and stores them transposed and takes the transposed view: both must
/// encode exactly as the contiguous array did.
fn check_views(
    codec: &ndcodecs_linear_quantize::LinearQuantizeCodec,
    c: &LinearQuantizeConfig,
    shape: &[usize],
    values: &[f64],
    encoded: &AnyArray,
) {
    let contiguous = array(c, shape, values);
    let big_shape: Vec<usize> = shape.iter().map(|n| n * 2).collect();
    let mut big = AnyArray::zeros(c.dtype.to_any(), &big_shape);
    let transposed_shape: Vec<usize> = shape.iter().rev().copied().collect();
    let mut transposed = AnyArray::zeros(c.dtype.to_any(), &transposed_shape);
    macro_rules! views {
        ($v:ident) => {{
            let (AnyArray::$v(src), AnyArray::$v(big), AnyArray::$v(tr)) =
                (&contiguous, &mut big, &mut transposed)
            else {
                unreachable!()
            };
            let mut strided = big.view_mut();
            for axis in 0..shape.len() {
                strided.slice_axis_inplace(Axis(axis), Slice::new(0, None, 2));
            }
            strided.assign(src);
            let mut s = big.view();
            for axis in 0..shape.len() {
                s.slice_axis_inplace(Axis(axis), Slice::new(0, None, 2));
            }
            tr.view_mut().reversed_axes().assign(src);
            let t = tr.view().reversed_axes();
            (
                numcodecs::AnyCowArray::$v(s.into()),
                numcodecs::AnyCowArray::$v(t.into()),
            )
        }};
    }
    let (strided, trans) = match c.dtype {
        FloatDtype::Float32 => views!(F32),
        FloatDtype::Float64 => views!(F64),
    };
    assert_eq!(&codec.encode(strided).unwrap(), encoded, "strided view");
    assert_eq!(&codec.encode(trans).unwrap(), encoded, "transposed view");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn round_trip_keeps_the_promise(case in case()) {
        check(&case);
    }

    /// Values anywhere (any bits, within the dtype's finite range and beyond): the encoder
    /// either keeps the promise or reports an out-of-range value; it never panics.
    #[test]
    fn arbitrary_bits_never_break_the_bound(
        bits in prop::collection::vec(any::<u32>(), 0..64),
        f in 0usize..2,
        c in 0usize..4,
        exp in -30i32..30,
    ) {
        let cfg = config(1.3 * 2f64.powi(exp), 0.5, Some(7.0), FLOATS[f], CODES[c]);
        let codec = codec(cfg.clone());
        let input = match cfg.dtype {
            FloatDtype::Float32 => AnyArray::F32(ArrayD::from_shape_vec(
                vec![bits.len()], bits.iter().map(|b| f32::from_bits(*b)).collect()).unwrap()),
            FloatDtype::Float64 => AnyArray::F64(ArrayD::from_shape_vec(
                vec![bits.len()],
                bits.iter().map(|b| f64::from_bits(u64::from(*b).rotate_left(33) ^ u64::from(*b)))
                    .collect()).unwrap()),
        };
        match codec.encode(input.cow()) {
            Ok(encoded) => assert_promise(&cfg, &input, &codec.decode(encoded.cow()).unwrap()),
            Err(e) => prop_assert!(matches!(e, CodecError::OutOfRange { .. }), "{}", e),
        }
    }

    /// Any code decodes (to a value, or to an error for the fill code without a fill value).
    #[test]
    fn any_code_decodes_or_errors(codes in prop::collection::vec(any::<i16>(), 0..64), fill in any::<bool>()) {
        let cfg = config(0.5, 0.0, fill.then_some(-1.0), FloatDtype::Float32, CodeDtype::Int16);
        let codec = codec(cfg);
        let a = AnyArray::I16(ArrayD::from_shape_vec(vec![codes.len()], codes.clone()).unwrap());
        match codec.decode(a.cow()) {
            Ok(d) => prop_assert_eq!(d.shape(), &[codes.len()][..]),
            Err(e) => {
                prop_assert!(matches!(e, CodecError::Corrupt { .. }), "{}", e);
                prop_assert!(!fill && codes.contains(&(i16::MAX - 1)));
            }
        }
    }
}

#[test]
fn guaranteed_inputs_always_encode() {
    // A deterministic sweep over every (dtype, astype) with values that meet the documented
    // sufficient condition: encoding must succeed and keep the bound.
    for dtype in FLOATS {
        for astype in CODES {
            for (e, offset) in [(0.01, 273.15), (1e-3, -0.5), (3.7, 1e4), (1e-30, 0.0)] {
                let c = config(e, offset, None, dtype, astype);
                let n = if astype == CodeDtype::Int8 { 120 } else { 4000 };
                #[allow(clippy::cast_precision_loss)]
                let values: Vec<f64> = (-n..=n)
                    .map(|k| offset + k as f64 * e * 1.9 + (k % 7) as f64 * e / 7.0)
                    .collect();
                let input = array(&c, &[values.len()], &values);
                if !guaranteed(&c, &input) {
                    continue;
                }
                let codec = codec(c.clone());
                let encoded = codec.encode(input.cow()).unwrap();
                assert_promise(&c, &input, &codec.decode(encoded.cow()).unwrap());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The fast encoding loop chooses exactly the codes of the reference procedure
    /// (`Params::encode_one`), including where bounds of a few float spacings force corrections
    /// and failures.
    #[test]
    fn fast_loop_matches_the_reference(
        start in 1.0f32..1000.0,
        n in 1usize..300,
        ulps in 3.0f64..200.0,
        offset in -2.0f64..2.0,
    ) {
        use ndcodecs_linear_quantize::format::Params;
        let e = ulps * f64::from(start.next_up() - start);
        let c = config(e, offset, None, FloatDtype::Float32, CodeDtype::Int32);
        let p = Params::<f32>::new::<i32>(&c).unwrap();
        let xs: Vec<f32> = (0..n).scan(start, |x, _| { *x = x.next_up(); Some(*x) }).collect();
        let codec = codec(c);
        let input = AnyArray::F32(ArrayD::from_shape_vec(vec![n], xs.clone()).unwrap());
        let reference: Result<Vec<i64>, _> = xs.iter().map(|&x| p.encode_one(x)).collect();
        match (codec.encode(input.cow()), reference) {
            (Ok(AnyArray::I32(codes)), Ok(reference)) => {
                let codes: Vec<i64> = codes.iter().map(|&q| i64::from(q)).collect();
                prop_assert_eq!(codes, reference);
            }
            (Err(_), Err(_)) => {}
            (got, want) => prop_assert!(false, "{:?} vs {:?}", got, want),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// The documented sufficient condition, at its edge: with `max_abs_error` between 512 and
    /// 1024 float spacings at `|x| + |x − offset| + 4·max_abs_error`, every value encodes.
    #[test]
    fn documented_guarantee_holds_at_its_edge(
        xs in prop::collection::vec(-1.0f64..1.0, 1..64),
        scale_exp in -30i32..30,
        offset_frac in -1.0f64..1.0,
        k in 1.0f64..2.0,
        f in 0usize..2,
    ) {
        let dtype = FLOATS[f];
        let scale = 2f64.powi(scale_exp);
        let offset = offset_frac * scale;
        // The largest magnitude the condition involves, bounded over all xs: |x| ≤ scale and
        // |x − offset| ≤ 2·scale, so M ≤ 3·scale + 4e; with e ≤ 2^-9·M that is below 3.1·scale.
        let e = k * 512.0 * spacing(dtype, 3.1 * scale);
        let c = config(e, offset, None, dtype, CodeDtype::Int64);
        let values: Vec<f64> = xs.iter().map(|v| v * scale).collect();
        let input = array(&c, &[values.len()], &values);
        prop_assert!(guaranteed(&c, &input));
        let codec = codec(c.clone());
        let encoded = codec.encode(input.cow());
        prop_assert!(encoded.is_ok(), "{:?}", encoded);
        assert_promise(&c, &input, &codec.decode(encoded.unwrap().cow()).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Over arrays of several fast-pass chunks (4096 values each) with values the fast pass
    /// cannot code (NaN, ±∞, the fill value, a code out of range) at arbitrary places, the codes
    /// are those of the reference procedure, and the error of a NaN with a payload names its
    /// flat index.
    #[test]
    fn fast_loop_matches_the_reference_over_chunks(
        n in 4000usize..13000,
        specials in proptest::collection::vec((0usize..13000, 0u8..5), 0..20),
    ) {
        use ndcodecs_linear_quantize::format::Params;
        let c = config(0.01, 280.0, Some(-999.0), FloatDtype::Float32, CodeDtype::Int16);
        let p = Params::<f32>::new::<i16>(&c).unwrap();
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let mut xs: Vec<f32> = (0..n)
            .map(|k| 280.0 + ((k as f64) * 0.37).sin() as f32 * 20.0)
            .collect();
        for &(at, what) in &specials {
            xs[at % n] = match what {
                0 => f32::NAN,
                1 => f32::NEG_INFINITY,
                2 => -999.0,
                3 => 1.0e6,
                _ => f32::from_bits(0x7fc0_0001),
            };
        }
        // the first NaN with a payload that a later special did not overwrite
        let payload = xs.iter().position(|x| x.to_bits() == 0x7fc0_0001);
        let codec = codec(c);
        let input = AnyArray::F32(ArrayD::from_shape_vec(vec![n], xs.clone()).unwrap());
        let reference: Result<Vec<i64>, _> = xs.iter().map(|&x| p.encode_one(x)).collect();
        match (codec.encode(input.cow()), reference) {
            (Ok(AnyArray::I16(codes)), Ok(reference)) => {
                let codes: Vec<i64> = codes.iter().map(|&q| i64::from(q)).collect();
                prop_assert_eq!(codes, reference);
            }
            (Err(err), Err(_)) => {
                // The first value without a code is the one reported; a payload NaN always fails,
                // a value out of range may fail first.
                let first = xs.iter().position(|&x| p.encode_one(x).is_err()).unwrap();
                prop_assert!(first <= payload.unwrap_or(usize::MAX));
                let flat = format!("flat index {first} ");
                prop_assert!(err.to_string().contains(&flat), "{} lacks {}", err, flat);
            }
            (got, want) => prop_assert!(false, "{:?} vs {:?}", got, want),
        }
    }
}
