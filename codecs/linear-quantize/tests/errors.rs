//! Adversarial values, every error case of the encoder and decoder, and the configuration.

mod common;

use common::{CODES, FLOATS, assert_promise, codec, config, within};
use ndarray::ArrayD;
use ndcodecs_core::CodecError;
use ndcodecs_linear_quantize::{
    CodeDtype, FloatDtype, LinearQuantizeCodec, LinearQuantizeConfig, format::Params,
};
use numcodecs::{
    AnyArray, Codec, DynCodecType, StaticCodec, StaticCodecType, codec_from_config_with_id,
};

fn f32s(v: &[f32]) -> AnyArray {
    AnyArray::F32(ArrayD::from_shape_vec(vec![v.len()], v.to_vec()).unwrap())
}

fn f64s(v: &[f64]) -> AnyArray {
    AnyArray::F64(ArrayD::from_shape_vec(vec![v.len()], v.to_vec()).unwrap())
}

fn out_of_range(r: Result<AnyArray, CodecError>) -> String {
    match r {
        Err(e @ CodecError::OutOfRange { .. }) => e.to_string(),
        other => panic!("expected OutOfRange, got {other:?}"),
    }
}

#[test]
fn values_on_rounding_boundaries_keep_the_bound() {
    // offset + (k + 1/2)·step computed in the data's own type, and its neighbours.
    for dtype in FLOATS {
        for astype in CODES {
            for (e, offset) in [(0.1, 0.0), (0.01, 273.15), (1e-3, -7.25), (0.75, 1e3)] {
                let c = config(e, offset, None, dtype, astype);
                let codec = codec(c.clone());
                let mut values = Vec::new();
                for k in -100..100 {
                    let base = f64::from(k) + 0.5;
                    match dtype {
                        FloatDtype::Float32 => {
                            let p = Params::<f32>::new::<i64>(&c).unwrap();
                            #[allow(clippy::cast_possible_truncation)]
                            let v = (base as f32) * p.step + p.offset;
                            values.extend([v.next_down(), v, v.next_up()].map(f64::from));
                        }
                        FloatDtype::Float64 => {
                            let p = Params::<f64>::new::<i64>(&c).unwrap();
                            let v = base * p.step + p.offset;
                            values.extend([v.next_down(), v, v.next_up()]);
                        }
                    }
                }
                #[allow(clippy::cast_possible_truncation)]
                let input = match dtype {
                    FloatDtype::Float32 => {
                        f32s(&values.iter().map(|&v| v as f32).collect::<Vec<_>>())
                    }
                    FloatDtype::Float64 => f64s(&values),
                };
                let encoded = codec.encode(input.cow()).unwrap();
                assert_promise(&c, &input, &codec.decode(encoded.cow()).unwrap());
            }
        }
    }
}

#[test]
fn subnormals_and_huge_magnitudes() {
    // Subnormal data in float64 with a tiny bound.
    let c = config(1e-300, 0.0, None, FloatDtype::Float64, CodeDtype::Int32);
    let x = [
        5e-324, 1e-309, -3e-308, 0.0, -0.0, 2.5e-310, 1e-300, -1.7e-301,
    ];
    let codec = codec(c.clone());
    let input = f64s(&x);
    assert_promise(
        &c,
        &input,
        &codec
            .decode(codec.encode(input.cow()).unwrap().cow())
            .unwrap(),
    );

    // Huge values with a huge bound: f32::MAX fits with e = 1e37 in int8 codes.
    let c = config(1e37, 0.0, None, FloatDtype::Float32, CodeDtype::Int8);
    let codec = codec_for(&c);
    let input = f32s(&[f32::MAX, -f32::MAX, 3e38, 1e-45, 0.0]);
    assert_promise(
        &c,
        &input,
        &codec
            .decode(codec.encode(input.cow()).unwrap().cow())
            .unwrap(),
    );

    // Huge float64 values: the difference x − offset overflows → out of range, not a panic.
    let c = config(1.0, -1e308, None, FloatDtype::Float64, CodeDtype::Int64);
    let msg = out_of_range(codec_for(&c).encode(f64s(&[f64::MAX]).cow()));
    assert!(msg.contains("outside int64"), "{msg}");

    // A bound of a few float spacings: a value with no code says so and names the spacing
    // (found by the independent implementation in specs/linear_quantize/sample_data).
    let c = config(0.0003, 0.0, None, FloatDtype::Float32, CodeDtype::Int64);
    let msg = out_of_range(codec_for(&c).encode(f32s(&[1.0, 300.000_58]).cow()));
    assert!(msg.contains("index [1]"), "{msg}");
    assert!(msg.contains("spacing is 3.0517578125e-5"), "{msg}");
    // Far below the spacing, decoding rounds back onto the value itself: no error.
    let c = config(1e-6, 0.0, None, FloatDtype::Float32, CodeDtype::Int64);
    let input = f32s(&[1.0, 3.0e4 + 0.001_953_125]);
    let codec = codec_for(&c);
    assert_promise(
        &c,
        &input,
        &codec
            .decode(codec.encode(input.cow()).unwrap().cow())
            .unwrap(),
    );
}

fn codec_for(c: &LinearQuantizeConfig) -> LinearQuantizeCodec {
    codec(c.clone())
}

#[test]
fn out_of_range_names_value_index_and_range() {
    let c = config(0.5, 0.0, None, FloatDtype::Float32, CodeDtype::Int8);
    let x = ArrayD::from_shape_vec(vec![2, 3], vec![0.0f32, 1.0, 2.0, 3.0, 200.0, 5.0]).unwrap();
    let msg = out_of_range(codec_for(&c).encode(AnyArray::F32(x).cow()));
    for needle in [
        "200.0",
        "index [1, 1]",
        "flat index 4",
        "-125..=125",
        "needs code 203,",
        "values from -123.046875",
        "to 123.046875",
        "wider astype",
        "larger max_abs_error",
        "fill_value",
    ] {
        assert!(msg.contains(needle), "{needle:?} not in {msg}");
    }
    // Never a silent wrap or clamp: one past the last code fails, the last code works.
    let p = Params::<f32>::new::<i8>(&c).unwrap();
    let last = p.dequantize(125);
    assert!(codec_for(&c).encode(f32s(&[last]).cow()).is_ok());
    let past = p.dequantize(126) + 0.25;
    out_of_range(codec_for(&c).encode(f32s(&[past]).cow()));
    out_of_range(codec_for(&c).encode(f32s(&[-past]).cow()));
}

#[test]
fn nan_payloads_policy() {
    for dtype in FLOATS {
        let c = config(0.1, 0.0, Some(-1.0), dtype, CodeDtype::Int16);
        let codec = codec_for(&c);
        let (canonical, odd): (AnyArray, Vec<AnyArray>) = match dtype {
            FloatDtype::Float32 => (
                f32s(&[f32::from_bits(0x7fc0_0000), f32::from_bits(0xffc0_0000)]),
                [0x7fc0_0001u32, 0x7f80_0001, 0xff80_0001, 0xffff_ffff]
                    .iter()
                    .map(|&b| f32s(&[0.0, f32::from_bits(b)]))
                    .collect(),
            ),
            FloatDtype::Float64 => (
                f64s(&[
                    f64::from_bits(0x7ff8_0000_0000_0000),
                    f64::from_bits(0xfff8_0000_0000_0000),
                ]),
                [0x7ff8_0000_0000_0001u64, 0x7ff0_0000_0000_0001]
                    .iter()
                    .map(|&b| f64s(&[0.0, f64::from_bits(b)]))
                    .collect(),
            ),
        };
        let encoded = codec.encode(canonical.cow()).unwrap();
        let AnyArray::I16(codes) = &encoded else {
            panic!()
        };
        assert_eq!(codes.as_slice().unwrap(), &[i16::MIN, i16::MIN + 1]);
        assert_promise(&c, &canonical, &codec.decode(encoded.cow()).unwrap());
        for a in odd {
            let msg = out_of_range(codec.encode(a.cow()));
            assert!(
                msg.contains("NaN") && msg.contains("index [1]") && msg.contains("canonical"),
                "{msg}"
            );
        }
    }
}

#[test]
fn fill_value_is_matched_by_bits_after_rounding() {
    // 9.96921e36 (as written in netCDF headers) rounds to the float32 _FillValue 0x7cf00000.
    let c = config(
        0.01,
        0.0,
        Some(9.96921e36),
        FloatDtype::Float32,
        CodeDtype::Int32,
    );
    let codec = codec_for(&c);
    let fill = f32::from_bits(0x7cf0_0000);
    let input = f32s(&[fill, 1.0, fill.next_up(), -fill]);
    // The neighbours of the fill value are ordinary (out-of-range) values.
    out_of_range(codec.encode(input.cow()));
    let input = f32s(&[fill, 1.0, fill]);
    let encoded = codec.encode(input.cow()).unwrap();
    let AnyArray::I32(codes) = &encoded else {
        panic!()
    };
    assert_eq!(codes.as_slice().unwrap(), &[i32::MAX - 1, 51, i32::MAX - 1]);
    assert_promise(&c, &input, &codec.decode(encoded.cow()).unwrap());

    // A fill value of 0.0 does not capture -0.0.
    let c = config(0.01, 0.0, Some(0.0), FloatDtype::Float64, CodeDtype::Int8);
    let encoded = codec_for(&c).encode(f64s(&[0.0, -0.0]).cow()).unwrap();
    assert_eq!(
        encoded,
        AnyArray::I8(ArrayD::from_shape_vec(vec![2], vec![126, 0]).unwrap())
    );
}

#[test]
fn decoder_rejects_wrong_inputs_without_panicking() {
    let c = config(0.1, 0.0, None, FloatDtype::Float32, CodeDtype::Int16);
    let codec = codec_for(&c);
    let codes = AnyArray::I16(ArrayD::from_shape_vec(vec![2, 2], vec![0i16, 1, -1, 5]).unwrap());

    // wrong code dtype
    for wrong in [
        AnyArray::I32(ArrayD::zeros(vec![2, 2])),
        AnyArray::U16(ArrayD::zeros(vec![2, 2])),
        AnyArray::F32(ArrayD::zeros(vec![2, 2])),
    ] {
        assert!(matches!(
            codec.decode(wrong.cow()),
            Err(CodecError::UnsupportedDtype { .. })
        ));
    }
    // decode_into: wrong output dtype, wrong shape (fewer and more elements, same count)
    let mut out = AnyArray::F64(ArrayD::zeros(vec![2, 2]));
    assert!(matches!(
        codec.decode_into(codes.view(), out.view_mut()),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    for shape in [vec![2, 1], vec![2, 3], vec![4], vec![1, 2, 2]] {
        let mut out = AnyArray::F32(ArrayD::zeros(shape));
        assert!(matches!(
            codec.decode_into(codes.view(), out.view_mut()),
            Err(CodecError::ShapeMismatch { .. })
        ));
    }
    let mut out = AnyArray::F32(ArrayD::zeros(vec![2, 2]));
    codec.decode_into(codes.view(), out.view_mut()).unwrap();

    // the fill code without a configured fill value is corrupt data
    let bad = AnyArray::I16(ArrayD::from_shape_vec(vec![1], vec![i16::MAX - 1]).unwrap());
    assert!(matches!(
        codec.decode(bad.cow()),
        Err(CodecError::Corrupt { .. })
    ));

    // raw bytes: every truncation is an error, as are trailing bytes
    let enc = codec
        .encode_bytes(&[1.0f32, 2.0, 3.0].map(f32::to_ne_bytes).concat())
        .unwrap();
    assert_eq!(enc.len(), 6);
    for n in 0..enc.len() {
        assert!(matches!(
            codec.decode_bytes(&enc[..n], 3),
            Err(CodecError::Truncated { .. })
        ));
    }
    let mut long = enc.clone();
    long.push(0);
    assert!(matches!(
        codec.decode_bytes(&long, 3),
        Err(CodecError::Corrupt { .. })
    ));
    let dec = codec.decode_bytes(&enc, 3).unwrap();
    assert_eq!(dec.len(), 12);
    assert!(matches!(
        codec.encode_bytes(&[0u8; 5]),
        Err(CodecError::ShapeMismatch { .. })
    ));
}

#[test]
fn encoder_rejects_wrong_dtypes() {
    let codec = codec_for(&config(
        0.1,
        0.0,
        None,
        FloatDtype::Float32,
        CodeDtype::Int16,
    ));
    assert!(matches!(
        codec.encode(f64s(&[1.0]).cow()),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    assert!(matches!(
        codec.encode(AnyArray::I16(ArrayD::zeros(vec![1])).cow()),
        Err(CodecError::UnsupportedDtype { .. })
    ));
}

#[test]
fn adapter_helpers() {
    let c = config(0.1, 0.0, Some(-999.0), FloatDtype::Float64, CodeDtype::Int8);
    let codec = codec_for(&c);
    assert_eq!(
        codec.encoded_dtype(numcodecs::AnyArrayDType::F64).unwrap(),
        numcodecs::AnyArrayDType::I8
    );
    assert!(matches!(
        codec.encoded_dtype(numcodecs::AnyArrayDType::F32),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    assert_eq!(
        codec.encode_fill_value(&f64::NAN.to_ne_bytes()).unwrap(),
        vec![0x80]
    );
    assert_eq!(
        codec.encode_fill_value(&(-999.0f64).to_ne_bytes()).unwrap(),
        vec![126]
    );
    assert_eq!(
        codec.encode_fill_value(&0.0f64.to_ne_bytes()).unwrap(),
        vec![0]
    );
    assert!(matches!(
        codec.encode_fill_value(&[0u8; 4]),
        Err(CodecError::ShapeMismatch { .. })
    ));
}

#[test]
fn invalid_configurations() {
    // Bounds that are not finite and > 0 cannot even be represented in a configuration.
    for e in [0.0, -0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            LinearQuantizeConfig::new(e),
            Err(CodecError::InvalidConfig { .. })
        ));
    }
    let ty = StaticCodecType::<LinearQuantizeCodec>::of();
    for json in [
        r#"{"max_abs_error": 0}"#,
        r#"{"max_abs_error": -0.5}"#,
        r#"{"max_abs_error": -1e-300}"#,
    ] {
        let err = ty
            .codec_from_config(&mut serde_json::Deserializer::from_str(json))
            .unwrap_err()
            .to_string();
        assert!(err.contains("finite number > 0"), "{err}");
    }
    // Bounds valid as numbers but unusable for the dtype: try_new refuses them; from_config
    // cannot fail, so encode and decode report the error.
    for (e, dtype) in [
        (f64::MAX, FloatDtype::Float64),
        (1e-320, FloatDtype::Float64),
        (1e-46, FloatDtype::Float32),
    ] {
        let c = config(e, 0.0, None, dtype, CodeDtype::Int32);
        assert!(
            matches!(
                LinearQuantizeCodec::try_new(c.clone()),
                Err(CodecError::InvalidConfig { .. })
            ),
            "{e}"
        );
        let codec = LinearQuantizeCodec::from_config(c);
        assert!(matches!(
            codec.encode(AnyArray::zeros(dtype.to_any(), &[1]).cow()),
            Err(CodecError::InvalidConfig { .. })
        ));
        assert!(matches!(
            codec.decode(AnyArray::I32(ArrayD::zeros(vec![1])).cow()),
            Err(CodecError::InvalidConfig { .. })
        ));
    }
    // float32: a bound whose step is below the smallest subnormal
    assert!(
        LinearQuantizeCodec::try_new(config(
            1e-46,
            0.0,
            None,
            FloatDtype::Float32,
            CodeDtype::Int32
        ))
        .is_err()
    );
    assert!(
        LinearQuantizeCodec::try_new(config(
            1e-44,
            0.0,
            None,
            FloatDtype::Float32,
            CodeDtype::Int32
        ))
        .is_ok()
    );
    // offset and fill value must be finite in the data's dtype
    assert!(
        LinearQuantizeCodec::try_new(config(
            1.0,
            1e39,
            None,
            FloatDtype::Float32,
            CodeDtype::Int32
        ))
        .is_err()
    );
    assert!(
        LinearQuantizeCodec::try_new(config(
            1.0,
            1e39,
            None,
            FloatDtype::Float64,
            CodeDtype::Int32
        ))
        .is_ok()
    );
    assert!(
        LinearQuantizeCodec::try_new(config(
            1.0,
            0.0,
            Some(1e39),
            FloatDtype::Float32,
            CodeDtype::Int32
        ))
        .is_err()
    );
    assert!(
        LinearQuantizeCodec::try_new(config(
            1.0,
            0.0,
            Some(f64::INFINITY),
            FloatDtype::Float64,
            CodeDtype::Int32
        ))
        .is_err()
    );
}

#[test]
fn configuration_json() {
    let ty = StaticCodecType::<LinearQuantizeCodec>::of();
    let parse = |s: &str| ty.codec_from_config(&mut serde_json::Deserializer::from_str(s));

    // defaults
    let codec = parse(r#"{"max_abs_error": 0.5}"#).unwrap();
    assert_eq!(codec.config(), &LinearQuantizeConfig::new(0.5).unwrap());
    assert_eq!(codec.config().dtype, FloatDtype::Float32);
    assert_eq!(codec.config().astype, CodeDtype::Int32);

    // get_config → from_config round trip, with id and _version
    let mut c = LinearQuantizeConfig::new(0.25).unwrap();
    c.offset = 1.5;
    c.fill_value = Some(-9.0);
    c.astype = CodeDtype::Int8;
    let codec = LinearQuantizeCodec::from_config(c.clone());
    let json = serde_json::to_value(StaticCodec::get_config(&codec)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"id": "linear_quantize", "max_abs_error": 0.25, "offset": 1.5,
            "fill_value": -9.0, "dtype": "float32", "astype": "int8", "_version": "0.1.0"})
    );
    let back = codec_from_config_with_id(&ty, json).unwrap();
    assert_eq!(back.config(), &c);
    // what numcodecs-python passes: the config without id, with _version
    assert!(parse(r#"{"max_abs_error": 0.25, "_version": "0.1.0"}"#).is_ok());

    // rejected: unknown keys, newer incompatible versions, bad enums, missing bound, null bound
    for bad in [
        r#"{"max_abs_error": 0.25, "scale": 2}"#,
        r#"{"max_abs_error": 0.25, "_version": "0.2.0"}"#,
        r#"{"max_abs_error": 0.25, "_version": "0.1.7"}"#,
        r#"{"max_abs_error": 0.25, "_version": "1.0.0"}"#,
        r#"{"max_abs_error": 0.25, "dtype": "float16"}"#,
        r#"{"max_abs_error": 0.25, "astype": "uint8"}"#,
        r#"{"max_abs_error": 0.25, "astype": "i4"}"#,
        r#"{"offset": 1.0}"#,
        r#"{"max_abs_error": null}"#,
        r#"{"max_abs_error": "0.1"}"#,
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    // a null fill value means none
    assert_eq!(
        parse(r#"{"max_abs_error": 0.25, "fill_value": null}"#)
            .unwrap()
            .config()
            .fill_value,
        None
    );
}

#[test]
fn empty_and_scalar_arrays() {
    for dtype in FLOATS {
        for astype in CODES {
            let c = config(0.1, 0.0, None, dtype, astype);
            let codec = codec_for(&c);
            for shape in [vec![], vec![0], vec![3, 0, 2], vec![1, 1, 1, 1]] {
                let input = AnyArray::zeros(dtype.to_any(), &shape);
                let encoded = codec.encode(input.cow()).unwrap();
                assert_eq!(encoded.shape(), &shape[..]);
                let decoded = codec.decode(encoded.cow()).unwrap();
                assert_eq!(decoded, input);
            }
        }
    }
    assert!(within(1.0, 1.1, 0.1 + 1e-15));
}
