//! Bad input gets a clear error, never a panic: invalid configurations, wrong dtypes, values
//! without a code, and every prefix, extension and single-word change of a valid encoded chunk.

use ndarray::{ArrayD, IxDyn};
use ndcodecs_core::CodecError;
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig, read_header};
use numcodecs::{AnyArray, Codec, StaticCodec};

fn codec(json: &str) -> Result<InterpQuantizeCodec, CodecError> {
    InterpQuantizeCodec::try_new(serde_json::from_str(json).unwrap())
}

#[test]
fn configurations_are_checked() {
    assert!(matches!(
        codec(r#"{}"#),
        Err(CodecError::InvalidConfig { .. })
    ));
    assert!(matches!(
        codec(r#"{"max_abs_error": 0.1, "max_rel_error": 0.1}"#),
        Err(CodecError::InvalidConfig { .. })
    ));
    assert!(serde_json::from_str::<InterpQuantizeConfig>(r#"{"max_abs_error": -1}"#).is_err());
    assert!(serde_json::from_str::<InterpQuantizeConfig>(r#"{"max_rel_error": 0}"#).is_err());
    assert!(
        serde_json::from_str::<InterpQuantizeConfig>(r#"{"max_abs_error": 1, "x": 1}"#).is_err()
    );
    assert!(
        serde_json::from_str::<InterpQuantizeConfig>(
            r#"{"max_abs_error": 1, "_version": "9.0.0"}"#
        )
        .is_err()
    );
    assert!(matches!(
        codec(r#"{"max_abs_error": 1e-50}"#),
        Err(CodecError::InvalidConfig { .. })
    ));
    assert!(matches!(
        codec(r#"{"max_abs_error": 1, "fill_value": 1e300}"#),
        Err(CodecError::InvalidConfig { .. })
    ));
    assert!(codec(r#"{"max_abs_error": 1, "fill_value": 1e300, "dtype": "float64"}"#).is_ok());
    // from_config cannot fail: encode and decode report the error.
    let c = InterpQuantizeCodec::from_config(serde_json::from_str("{}").unwrap());
    let x = AnyArray::F32(ArrayD::zeros(IxDyn(&[3])));
    assert!(matches!(
        c.encode(x.cow()),
        Err(CodecError::InvalidConfig { .. })
    ));
    // get_config round-trips, _version included.
    let c = codec(r#"{"max_rel_error": 0.001, "fill_value": 1e20}"#).unwrap();
    let json = serde_json::to_string(&c.get_config()).unwrap();
    assert!(json.contains("\"_version\":\"0.1.0\""), "{json}");
}

#[test]
fn wrong_dtypes_are_refused() {
    let c = codec(r#"{"max_abs_error": 0.1}"#).unwrap();
    let x = AnyArray::F64(ArrayD::zeros(IxDyn(&[3])));
    assert!(matches!(
        c.encode(x.cow()),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    let i = AnyArray::I16(ArrayD::zeros(IxDyn(&[3])));
    assert!(matches!(
        c.encode(i.cow()),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    assert!(matches!(
        c.decode(i.cow()),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    // A chunk encoded from float64 is not decoded as float32.
    let c64 = codec(r#"{"max_abs_error": 0.1, "dtype": "float64"}"#).unwrap();
    let enc = c64.encode(x.cow()).unwrap();
    assert!(matches!(
        c.decode(enc.cow()),
        Err(CodecError::UnsupportedDtype { .. })
    ));
}

#[test]
fn values_without_a_code_are_errors() {
    // A bound of about half the float32 spacing at the values (9.8e-4 at 1e4): a reconstruction
    // step of about one spacing leaves some values without a code. Either the chunk encodes and
    // decodes within the bound, or it is refused naming the spacing.
    let mut refused = 0;
    for k in 1..40 {
        let bound = 9.765625e-4 * (0.3 + 0.02 * f64::from(k));
        let c = codec(&format!(r#"{{"max_abs_error": {bound}}}"#)).unwrap();
        let xs: Vec<f32> = (0..64)
            .map(|i| 1e4 + (i as f32 * 0.731).sin() * 3.0)
            .collect();
        match c.encode_slice(&xs, &[64]) {
            Ok(w) => {
                let (_, ys) = c.decode_slice::<f32>(&w).unwrap();
                assert!(
                    xs.iter()
                        .zip(&ys)
                        .all(|(x, y)| (f64::from(*x) - f64::from(*y)).abs() <= bound)
                );
            }
            Err(e) => {
                assert!(
                    matches!(&e, CodecError::OutOfRange { message, .. } if message.contains("spacing")),
                    "{e}"
                );
                refused += 1;
            }
        }
    }
    assert!(refused > 0);
    let c = codec(r#"{"max_abs_error": 1e-6}"#).unwrap();
    // A residual beyond the int32 codes.
    let e = c.encode_slice(&[0.0f32, 3e4, 0.0], &[3]).unwrap_err();
    assert!(
        matches!(&e, CodecError::OutOfRange { message, .. } if message.contains("int32")),
        "{e}"
    );
    // A NaN payload without a code.
    let e = c
        .encode_slice(&[0.0f32, f32::from_bits(0x7fc0_0001)], &[2])
        .unwrap_err();
    assert!(
        matches!(&e, CodecError::OutOfRange { message, .. } if message.contains("NaN")),
        "{e}"
    );
}

#[test]
fn decode_into_checks_the_shape() {
    let c = codec(r#"{"max_abs_error": 0.1}"#).unwrap();
    let x = AnyArray::F32(ArrayD::zeros(IxDyn(&[3, 4])));
    let enc = c.encode(x.cow()).unwrap();
    let mut out = AnyArray::F32(ArrayD::zeros(IxDyn(&[4, 3])));
    assert!(matches!(
        c.decode_into(enc.view(), out.view_mut()),
        Err(CodecError::ShapeMismatch { .. })
    ));
}

fn sample_chunk() -> Vec<i32> {
    let c = codec(r#"{"max_abs_error": 0.01, "fill_value": -999}"#).unwrap();
    let shape = [9, 13];
    let xs: Vec<f32> = (0..117)
        .map(|i| match i {
            5 => f32::NAN,
            17 => -999.0,
            40 => f32::NEG_INFINITY,
            _ => (i as f32 * 0.1).sin() * 5.0,
        })
        .collect();
    c.encode_slice(&xs, &shape).unwrap()
}

#[test]
fn every_prefix_and_extension_is_an_error() {
    let c = codec(r#"{"max_abs_error": 0.01}"#).unwrap();
    let words = sample_chunk();
    for k in 0..words.len() {
        assert!(
            c.decode_slice::<f32>(&words[..k]).is_err(),
            "prefix of {k} words decoded"
        );
    }
    let mut longer = words.clone();
    longer.push(0);
    assert!(matches!(
        c.decode_slice::<f32>(&longer),
        Err(CodecError::Corrupt { .. })
    ));
}

/// Every single-word change either decodes (a changed code is a valid different chunk) or is an
/// error; never a panic. Header fields and special codes are checked strictly.
#[test]
fn single_word_changes_never_panic() {
    let c = codec(r#"{"max_abs_error": 0.01}"#).unwrap();
    let words = sample_chunk();
    let (h, _) = read_header(&words).unwrap();
    let hw = words.len() - 117 - 117usize.div_ceil(32);
    for i in 0..words.len() {
        for v in [
            0,
            1,
            -1,
            2,
            5,
            255,
            1 << 16,
            i32::MAX,
            i32::MIN,
            words[i] ^ 1,
            words[i] ^ (1 << 30),
        ] {
            let mut w = words.clone();
            if w[i] == v {
                continue;
            }
            w[i] = v;
            let r = c.decode_slice::<f32>(&w);
            if i < 3 {
                assert!(r.is_err(), "header word {i} = {v} accepted");
            }
            if let Ok((shape, _)) = r {
                assert_eq!(shape, h.shape);
            }
        }
    }
    // The version word: a newer version asks for an upgrade.
    let mut w = words.clone();
    w[0] = 2;
    assert!(matches!(
        c.decode_slice::<f32>(&w),
        Err(CodecError::UnsupportedVersion { .. })
    ));
    // A mask bit beyond the last element.
    let mut w = words.clone();
    w[hw + 3] |= 1 << 31;
    assert!(matches!(
        c.decode_slice::<f32>(&w),
        Err(CodecError::Corrupt { .. })
    ));
}

/// A declared shape far beyond the words given is refused before anything is allocated.
#[test]
fn huge_declared_shapes_are_refused() {
    let c = codec(r#"{"max_abs_error": 0.01}"#).unwrap();
    let mut w = sample_chunk();
    // rank 2: dims at words 3..7; claim 2^39 × 13 elements.
    w[3] = 0;
    w[4] = 1 << 7;
    assert!(c.decode_slice::<f32>(&w).is_err());
    w[4] = i32::MAX;
    assert!(matches!(
        c.decode_slice::<f32>(&w),
        Err(CodecError::LimitExceeded { .. })
    ));
}
