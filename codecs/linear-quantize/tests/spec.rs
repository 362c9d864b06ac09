//! The corners of `specs/linear_quantize/README.md`, checked: the `_version` rule, the largest
//! bounds, step 5 at the edge of the finite code range, and the byte order of raw codes.

mod common;

use common::{codec, config};
use ndarray::ArrayD;
use ndcodecs_core::CodecError;
use ndcodecs_linear_quantize::{CodeDtype, FloatDtype, LinearQuantizeCodec, LinearQuantizeConfig};
use numcodecs::{AnyArray, Codec};

#[test]
fn version_rule() {
    let parse = |v: &str| {
        serde_json::from_str::<LinearQuantizeConfig>(&format!(
            r#"{{"max_abs_error": 0.25, "_version": "{v}"}}"#
        ))
    };
    // The reader (0.1.0) must satisfy ^V for the stored V.
    for ok in ["0.1.0", "0.1.0-rc.1", "0.1.0+build.5", "0.1.0-alpha+b"] {
        assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok).err());
    }
    for refused in [
        "0.1.1",
        "0.1.1-rc.1",
        "0.2.0",
        "0.0.9",
        "1.0.0",
        "0.1",
        "v0.1.0",
    ] {
        assert!(parse(refused).is_err(), "{refused}");
    }
}

#[test]
fn a_bound_whose_step_overflows_is_refused() {
    // RN64(1e308 · 63/32) is +inf: invalid for both dtypes (not an infinite step).
    for dtype in [FloatDtype::Float32, FloatDtype::Float64] {
        let c = config(1e308, 0.0, None, dtype, CodeDtype::Int32);
        assert!(
            matches!(
                LinearQuantizeCodec::try_new(c),
                Err(CodecError::InvalidConfig { .. })
            ),
            "{dtype:?}"
        );
    }
    // Just below the overflow, float64 takes it.
    assert!(
        LinearQuantizeCodec::try_new(config(
            9.1e307,
            0.0,
            None,
            FloatDtype::Float64,
            CodeDtype::Int32
        ))
        .is_ok()
    );
}

#[test]
fn a_huge_finite_step_codes_every_finite_value_to_0_or_1() {
    // float32, max_abs_error 1e300: step = the largest float32, so (x - offset) / step is within
    // [-1, 1] and every finite value codes to -1, 0 or 1 (±1 only at the ends of the range).
    let codec = codec(config(
        1e300,
        2.0,
        None,
        FloatDtype::Float32,
        CodeDtype::Int8,
    ));
    let x = vec![f32::MAX, -f32::MAX, 0.5, -3e-45, 1e38];
    let codes = codec
        .encode(AnyArray::F32(ArrayD::from_shape_vec(vec![5], x).unwrap()).into_cow())
        .unwrap();
    let AnyArray::I8(codes) = codes else {
        panic!("int8 codes")
    };
    assert_eq!(codes.as_slice().unwrap(), [1, -1, 0, 0, 0]);
}

#[test]
fn step_5_codes_a_value_just_past_the_last_code_with_it() {
    // The worked example: step 0.4921875, offset 10, int8 (finite codes -125..=125). For 71.77,
    // (x - 10) / step = 125.50…: q0 = 126 is outside the range, x̂(126) = 72.015625 > x, so
    // q1 = 125, decoding to 71.5234375, 0.2466 away: within 0.25. The same at the low end, and
    // a value too far out fails. (71.52344 and -51.523438 are the float32 values
    // 10 ± 125 * 0.4921875.)
    let codec = codec(config(
        0.25,
        10.0,
        Some(-999.0),
        FloatDtype::Float32,
        CodeDtype::Int8,
    ));
    let enc = |v: f32| {
        codec.encode(AnyArray::F32(ArrayD::from_shape_vec(vec![1], vec![v]).unwrap()).into_cow())
    };
    for (x, code, decoded) in [
        (71.77f32, 125i8, 71.523_44_f32),
        (-51.77, -125, -51.523_438),
    ] {
        let AnyArray::I8(q) = enc(x).unwrap() else {
            panic!("int8 codes")
        };
        assert_eq!(q.as_slice().unwrap(), [code], "{x}");
        let AnyArray::F32(y) = codec.decode(AnyArray::I8(q).into_cow()).unwrap() else {
            panic!("float32 values")
        };
        assert_eq!(y.as_slice().unwrap(), [decoded], "{x}");
    }
    assert!(matches!(enc(72.1), Err(CodecError::OutOfRange { .. })));
}

/// The golden vectors hold little-endian bytes; raw codes are native-endian, which on the
/// platforms ndcodecs is built for is the same.
#[cfg(target_endian = "little")]
#[test]
fn raw_codes_are_the_golden_little_endian_bytes() {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/linear_quantize");
    for name in [
        "v0_1_0_f32_int8_example",
        "v0_1_0_f64_int16_boundaries",
        "v0_1_0_f32_int32_fill",
        "v0_1_0_f32_int32_correction",
    ] {
        let read =
            |suffix: &str| std::fs::read(dir.join(format!("sample_data/{name}.{suffix}"))).unwrap();
        let c: LinearQuantizeConfig =
            serde_json::from_slice(&read("json")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let codec = codec(c);
        let input = read("input.bin");
        let encoded = read("encoded.bin");
        assert_eq!(codec.encode_bytes(&input).unwrap(), encoded, "{name}");
        let elements = input.len() / codec.config().dtype.to_any().size();
        assert_eq!(
            codec.decode_bytes(&encoded, elements).unwrap(),
            read("decoded.bin"),
            "{name}"
        );
    }
}
