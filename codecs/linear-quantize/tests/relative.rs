//! Bounds relative to the value range (SZ3's REL mode), resolved against the data into
//! `max_abs_error`: the range leaves out NaN, ±inf and the fill value; bad requests are errors;
//! the resolved bound holds on a real field.

use ndarray::{ArrayD, IxDyn};
use ndcodecs_core::CodecError;
use ndcodecs_linear_quantize::{
    FloatDtype, LinearQuantizeCodec, LinearQuantizeConfig, max_abs_error_from_relative,
};
use numcodecs::{AnyArray, AnyArrayView, Codec};

fn invalid(e: CodecError) -> String {
    match e {
        CodecError::InvalidConfig { message, .. } => message,
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
}

#[test]
fn the_range_leaves_out_specials_and_the_fill_value() {
    let xs = [
        f32::NAN,
        -3.5,
        f32::INFINITY,
        9.96921e36,
        12.5,
        f32::NEG_INFINITY,
        0.0,
    ];
    let b = max_abs_error_from_relative(xs, 1e-2, Some(9.96921e36)).unwrap();
    assert_eq!(b.get(), 1e-2 * 16.0);
    // Without the fill value it is data, and the range is huge.
    let b = max_abs_error_from_relative(xs, 1e-2, None).unwrap();
    assert_eq!(b.get(), 1e-2 * (f64::from(9.96921e36f32) + 3.5));
    // The fill value is matched after rounding to the data's type, as the encoder matches it.
    let b = max_abs_error_from_relative([1.0f32, 2.0, 1e20], 0.5, Some(1e20)).unwrap();
    assert_eq!(b.get(), 0.5);
    let b = max_abs_error_from_relative([1.0f64, 2.0, 5.0], 0.25, None).unwrap();
    assert_eq!(b.get(), 1.0);
}

#[test]
fn requests_without_a_meaning_are_errors() {
    for rel in [0.0, -1e-3, f64::NAN, f64::INFINITY] {
        let m = invalid(max_abs_error_from_relative([1.0f32, 2.0], rel, None).unwrap_err());
        assert!(m.contains("max_rel_error"), "{m}");
    }
    let m = invalid(max_abs_error_from_relative([4.0f32; 9], 1e-3, None).unwrap_err());
    assert!(
        m.contains("value range 0") && m.contains("max_abs_error"),
        "{m}"
    );
    let m =
        invalid(max_abs_error_from_relative([f32::NAN, -9999.0], 1e-3, Some(-9999.0)).unwrap_err());
    assert!(m.contains("no finite value"), "{m}");
    let m = invalid(max_abs_error_from_relative(Vec::<f64>::new(), 1e-3, None).unwrap_err());
    assert!(m.contains("no finite value"), "{m}");
    let ints = ArrayD::<i16>::zeros(IxDyn(&[3]));
    assert!(matches!(
        LinearQuantizeConfig::from_relative_error(&AnyArrayView::I16(ints.view()), 1e-3, None),
        Err(CodecError::UnsupportedDtype { .. })
    ));
}

#[test]
fn a_relative_bound_holds_on_a_real_field() {
    // Ocean temperatures with netCDF's _FillValue over land (tests/data, see its README).
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/ocean_pop_temperature_with_fill.npy"
    );
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&n| n as usize).collect();
    let values: Vec<f32> = npy.into_vec().unwrap();
    let fill = 9.96921e36;
    let sea: Vec<f64> = values
        .iter()
        .filter(|&&x| x != fill as f32)
        .map(|&x| f64::from(x))
        .collect();
    let range = sea.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - sea.iter().copied().fold(f64::INFINITY, f64::min);
    let field = ArrayD::from_shape_vec(IxDyn(&shape), values).unwrap();
    for rel in [1e-2, 1e-4] {
        let config = LinearQuantizeConfig::from_relative_error(
            &AnyArrayView::F32(field.view()),
            rel,
            Some(fill),
        )
        .unwrap();
        assert_eq!(config.dtype, FloatDtype::Float32);
        assert_eq!(config.max_abs_error.get(), rel * range);
        let codec = LinearQuantizeCodec::try_new(config).unwrap();
        let encoded = codec.encode(AnyArray::F32(field.clone()).cow()).unwrap();
        let AnyArray::F32(back) = codec.decode(encoded.cow()).unwrap() else {
            panic!("float32")
        };
        let mut worst = 0.0f64;
        for (x, y) in field.iter().zip(&back) {
            if *x == fill as f32 {
                assert_eq!(x.to_bits(), y.to_bits());
            } else {
                worst = worst.max((f64::from(*x) - f64::from(*y)).abs());
            }
        }
        assert!(
            worst <= rel * range && worst > rel * range / 2.0,
            "{worst} vs {}",
            rel * range
        );
    }
}
