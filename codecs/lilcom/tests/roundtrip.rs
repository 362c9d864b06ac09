//! Round trips and the error bound, over dtypes, shapes (including size-1 axes), tick powers
//! and adversarial values.

mod common;

use ndcodecs_core::CodecError;
use ndcodecs_lilcom::{
    LilcomCodec, LilcomConfig, LilcomDtype, LilcomElement, TickPower, decode_f32, decode_into,
    encode,
};
use numcodecs::{AnyArray, Codec, StaticCodec};
use proptest::prelude::*;

fn config(tp: i32, do_regression: bool) -> LilcomConfig {
    LilcomConfig {
        tick_power: TickPower::new(tp).unwrap(),
        do_regression,
        ..LilcomConfig::default()
    }
}

/// Encodes, decodes both ways and checks the bound against the input.
fn check_bound<T: LilcomElement + Into<f64>>(
    data: &[T],
    shape: &[usize],
    tp: i32,
    reg: bool,
) -> Vec<u8> {
    let bytes = encode(data, shape, &config(tp, reg)).unwrap();
    let (found, decoded) = decode_f32(&bytes).unwrap();
    let expected: Vec<usize> = if shape.is_empty() {
        vec![1]
    } else {
        shape.to_vec()
    };
    assert_eq!(found, expected);
    let bound = 2f64.powi(tp - 1);
    for (i, (&x, &y)) in data.iter().zip(&decoded).enumerate() {
        let e = (x.into() - f64::from(y)).abs();
        assert!(
            e <= bound,
            "element {i}: {} decoded as {y}, error {e} > {bound} (tp {tp})",
            x.into()
        );
    }
    let mut out = vec![T::default(); data.len()];
    decode_into(&bytes, shape, &mut out).unwrap();
    bytes
}

fn shape_and_len() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..6, 1..5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn floats_stay_within_the_bound(
        shape in shape_and_len(),
        tp in -20i32..=20,
        reg in any::<bool>(),
        seed in any::<u64>(),
        scale_pow in -10i32..20,
    ) {
        let n: usize = shape.iter().product();
        let limit = f64::from(i32::MAX) * 2f64.powi(tp) * 0.999;
        let scale = 2f64.powi(scale_pow).min(limit);
        let mut s = seed | 1;
        let data: Vec<f32> = (0..n).map(|i| {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            let r = (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
            ((i as f64 * 0.37).sin() * 0.5 + r * 0.5) as f32 * scale as f32
        }).collect();
        check_bound(&data, &shape, tp, reg);
    }

    #[test]
    fn adversarial_floats(
        tp in -20i32..=20,
        picks in prop::collection::vec(0usize..10, 1..40),
        k in -1000i32..1000,
    ) {
        let t = 2f64.powi(tp);
        let limit = (f64::from(i32::MAX) * t) as f32;
        let limit = f32::from_bits(limit.to_bits() - 1);
        let pool = [
            limit, -limit, 0.0, -0.0, f32::MIN_POSITIVE, 1e-40,
            ((f64::from(k) + 0.5) * t) as f32, // exact ties
            ((f64::from(k) + 0.5) * t + t * 1e-7) as f32,
            (f64::from(k) * t * 1000.0).clamp(-f64::from(limit), f64::from(limit)) as f32,
            (1000.3f64).min(f64::from(limit)) as f32,
        ];
        let data: Vec<f32> = picks.iter().map(|&i| pool[i]).collect();
        check_bound(&data, &[data.len()], tp, true);
        check_bound(&data, &[data.len()], tp, false);
    }

    #[test]
    fn f64_input_within_the_bound(shape in shape_and_len(), tp in -20i32..=0, seed in any::<u32>()) {
        let n: usize = shape.iter().product();
        // float32 reconstructions can be within 2^(tp-1) of any f64 up to about 2^(24+tp)
        let scale = 2f64.powi(22 + tp).min(100.0);
        let data: Vec<f64> = (0..n).map(|i| ((i as f64 + f64::from(seed)) * 0.731).sin() * scale + 1e-9 * i as f64).collect();
        check_bound(&data, &shape, tp, true);
    }

    #[test]
    fn int16_round_trips_exactly(shape in shape_and_len(), tp in -20i32..=0, seed in any::<u32>()) {
        let n: usize = shape.iter().product();
        let limit = (f64::from(i32::MAX) * 2f64.powi(tp)).min(32767.0) as i32;
        let data: Vec<i16> = (0..n).map(|i| {
            let v = ((i as f64 + f64::from(seed)) * 1.37).sin() * f64::from(limit);
            v as i16
        }).collect();
        let bytes = encode(&data, &shape, &config(tp, true)).unwrap();
        let mut out = vec![0i16; n];
        decode_into(&bytes, &shape, &mut out).unwrap();
        prop_assert_eq!(out, data);
    }
}

#[test]
fn integer_types_round_trip_exactly() {
    let i32s: Vec<i32> = (0..500)
        .map(|i| (i * 7919 % 33_554_432) - 16_777_216)
        .collect();
    let bytes = encode(&i32s, &[20, 25], &config(0, true)).unwrap();
    let mut out = vec![0i32; 500];
    decode_into(&bytes, &[20, 25], &mut out).unwrap();
    assert_eq!(out, i32s);
    let u8s: Vec<u8> = (0..=255).collect();
    for tp in [-3, 0] {
        let bytes = encode(&u8s, &[16, 16], &config(tp, true)).unwrap();
        let mut out = vec![0u8; 256];
        decode_into(&bytes, &[16, 16], &mut out).unwrap();
        assert_eq!(out, u8s);
    }
    let i64s: Vec<i64> = vec![-(1 << 24), 1 << 24, 0, -1, 12345];
    let bytes = encode(&i64s, &[5], &config(0, true)).unwrap();
    let mut out = vec![0i64; 5];
    decode_into(&bytes, &[5], &mut out).unwrap();
    assert_eq!(out, i64s);
}

#[test]
fn real_speech_int16_round_trips_exactly() {
    let (shape, data) =
        common::load_npy_i16(&common::repo().join("tests/data/speech_librivox_16k_int16.npy"));
    for tp in [-5, -8, 0] {
        let bytes = encode(&data, &shape, &config(tp, true)).unwrap();
        let mut out = vec![0i16; data.len()];
        decode_into(&bytes, &shape, &mut out).unwrap();
        assert!(out == data, "tp {tp}");
    }
}

#[test]
fn refuses_what_it_cannot_hold() {
    let err = encode(&[1.0f32, f32::NAN], &[2], &config(-8, true)).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CodecError::OutOfRange { .. }), "{msg}");
    assert!(
        msg.contains("NaN") && msg.contains("linear_quantize") && msg.contains("fill_value"),
        "{msg}"
    );
    let msg = encode(&[f32::INFINITY], &[1], &config(-8, true))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("inf") && msg.contains("linear_quantize"),
        "{msg}"
    );
    let msg = encode(&[1.0f32, 9.0e6], &[2], &config(-8, true))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("9000000") && msg.contains("tick_power"),
        "{msg}"
    );
    let msg = encode(&[94.962_696_100_174_74f64], &[1], &config(-20, true))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("94.96") && msg.contains("float32"), "{msg}");
    let msg = encode(&[16_777_217i32], &[1], &config(0, true))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("16777217") && msg.contains("float32"), "{msg}");
    assert!(matches!(
        encode::<f32>(&[], &[0, 3], &config(-8, true)),
        Err(CodecError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        encode(&[1.0f32; 16], &[1; 16], &config(-8, true)),
        Err(CodecError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        encode(&[1.0f32; 3], &[4], &config(-8, true)),
        Err(CodecError::ShapeMismatch { .. })
    ));
}

#[test]
fn zero_dimensional_and_unit_shapes() {
    check_bound(&[3.25f32], &[], -8, true);
    check_bound(&[3.25f32], &[1, 1, 1], -8, true);
    check_bound(&[1.5f32, 2.5, 3.5], &[3, 1, 1], -8, true);
    check_bound(
        &[1.0f32; 15],
        &[1, 3, 1, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        -8,
        true,
    );
}

#[test]
fn stock_overshoot_case_is_kept_within_the_bound() {
    let dir = common::repo().join("specs/lilcom/sample_data");
    let (shape, input) = common::load_npy_f32(&dir.join("v1_8_2_1d_stock_overshoot.input.npy"));
    let tp = ndcodecs_lilcom::read_header(
        &std::fs::read(dir.join("v1_8_2_1d_stock_overshoot.bin")).unwrap(),
    )
    .unwrap()
    .tick_power;
    check_bound(&input, &shape, tp, true);
    check_bound(&input, &shape, tp, false);
}

#[test]
fn fbank_is_smaller_than_stock() {
    // Stock lilcom 1.8.2 on the same chunks (500, 500, 5 frames) at tick_power -5: 45178 + 45860
    // + 492 bytes. The best coefficient pair for each chunk, found by trying all 513 x 513 pairs
    // (examples/lilcom_coeff_search.rs), gives 73461 bytes (19.7 % less) — the limit of the
    // format under the bound (specs/lilcom/README.md).
    let (shape, v) =
        common::load_npy_f32(&common::repo().join("tests/data/speech_librivox_fbank80.npy"));
    let row = shape[1];
    let stock = [45178usize, 45860, 492];
    let mut total = 0;
    for (k, start) in (0..shape[0]).step_by(500).enumerate() {
        let frames = (shape[0] - start).min(500);
        let chunk = &v[start * row..(start + frames) * row];
        let n = check_bound(chunk, &[frames, row], -5, true).len();
        assert!(n <= stock[k], "chunk {k}: {n} > stock {}", stock[k]);
        total += n;
    }
    let reduction = 1.0 - total as f64 / 91530.0;
    assert!(
        reduction >= 0.19,
        "{total} bytes: only {:.1} % smaller than stock",
        reduction * 100.0
    );
}

#[test]
fn codec_round_trips_and_leaves_input_alone() {
    let codec = LilcomCodec::from_config(config(-6, true));
    let data =
        ndarray::ArrayD::from_shape_fn(vec![7, 9], |ix| (ix[0] as f32).sin() * 3.0 + ix[1] as f32);
    let copy = data.clone();
    let encoded = codec.encode(AnyArray::F32(data.clone()).cow()).unwrap();
    assert_eq!(data, copy);
    let AnyArray::U8(bytes) = &encoded else {
        panic!("encoded must be bytes")
    };
    assert_eq!(bytes.ndim(), 1);
    let AnyArray::F32(decoded) = codec.decode(encoded.cow()).unwrap() else {
        panic!()
    };
    assert!(
        decoded
            .iter()
            .zip(&data)
            .all(|(a, b)| (a - b).abs() <= 1.0 / 128.0)
    );
    // decode_into a non-contiguous (transposed) output of the expected shape
    let mut out = ndarray::Array2::<f32>::zeros((9, 7));
    let mut view = out.view_mut().reversed_axes().into_dyn();
    codec
        .decode_into(
            encoded.view(),
            numcodecs::AnyArrayViewMut::F32(view.view_mut()),
        )
        .unwrap();
    assert_eq!(out.t().into_dyn(), decoded);
    // wrong expected shape
    let mut wrong = ndarray::ArrayD::<f32>::zeros(vec![9, 7]);
    assert!(matches!(
        codec.decode_into(
            encoded.view(),
            numcodecs::AnyArrayViewMut::F32(wrong.view_mut())
        ),
        Err(CodecError::ShapeMismatch { .. })
    ));
    // dtype other than the configured one
    let ints = AnyArray::I16(ndarray::ArrayD::from_elem(vec![3], 1i16));
    assert!(matches!(
        codec.encode(ints.cow()),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    let int_codec = LilcomCodec::from_config(LilcomConfig {
        dtype: LilcomDtype::Int16,
        ..config(0, true)
    });
    let enc = int_codec.encode(ints.cow()).unwrap();
    assert_eq!(int_codec.decode(enc.cow()).unwrap(), ints);
}

#[test]
fn config_json() {
    let c: LilcomConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(
        (c.tick_power.get(), c.do_regression, c.dtype),
        (-8, true, LilcomDtype::Float32)
    );
    let c: LilcomConfig =
        serde_json::from_str(r#"{"tick_power": -5, "dtype": "int16", "_version": "0.1.0"}"#)
            .unwrap();
    assert_eq!((c.tick_power.get(), c.dtype), (-5, LilcomDtype::Int16));
    assert!(serde_json::from_str::<LilcomConfig>(r#"{"tick_power": 21}"#).is_err());
    assert!(serde_json::from_str::<LilcomConfig>(r#"{"tick_power": -21}"#).is_err());
    assert!(serde_json::from_str::<LilcomConfig>(r#"{"tick_power": -5.5}"#).is_err());
    assert!(serde_json::from_str::<LilcomConfig>(r#"{"tickpower": -5}"#).is_err());
    assert!(serde_json::from_str::<LilcomConfig>(r#"{"dtype": "float16"}"#).is_err());
    let codec = LilcomCodec::from_config(c);
    let json = serde_json::to_value(codec.get_config()).unwrap();
    assert_eq!(json["tick_power"], -5);
    assert_eq!(json["dtype"], "int16");
}
