//! Round trips over shapes and both sample types (proptest), non-contiguous input, and the
//! errors: other dtypes, other last-axis lengths, triples no RGB pixel maps to.

use ndarray::{ArrayD, Axis, IxDyn, Slice};
use ndcodecs_core::CodecError;
use ndcodecs_ycocg_r::{YCoCgRCodec, YCoCgRConfig};
use numcodecs::{AnyArray, AnyArrayDType, AnyArrayViewMut, Codec, StaticCodec};
use proptest::prelude::*;

fn shape_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..5, 0..3).prop_map(|mut v| {
        v.push(3);
        v
    })
}

proptest! {
    #[test]
    fn uint8_round_trips(shape in shape_strategy(), seed in any::<u64>()) {
        let n: usize = shape.iter().product();
        let data: Vec<u8> = (0..n).map(|i| (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64).wrapping_mul(1442695040888963407) >> 56) as u8).collect();
        let a = AnyArray::U8(ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap());
        let e = YCoCgRCodec.encode(a.cow()).unwrap();
        prop_assert_eq!(e.dtype(), AnyArrayDType::I16);
        prop_assert_eq!(e.shape(), a.shape());
        prop_assert_eq!(YCoCgRCodec.decode(e.cow()).unwrap(), a);
    }

    #[test]
    fn uint16_round_trips(shape in shape_strategy(), values in prop::collection::vec(any::<u16>(), 48)) {
        let n: usize = shape.iter().product();
        let data: Vec<u16> = (0..n).map(|i| values[i % values.len()]).collect();
        let a = AnyArray::U16(ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap());
        let e = YCoCgRCodec.encode(a.cow()).unwrap();
        prop_assert_eq!(e.dtype(), AnyArrayDType::I32);
        let mut out = AnyArray::U16(ArrayD::zeros(IxDyn(&shape)));
        YCoCgRCodec.decode_into(e.view(), out.view_mut()).unwrap();
        prop_assert_eq!(out, a);
    }
}

#[test]
fn non_contiguous_input_is_read_in_logical_order() {
    let full = ArrayD::from_shape_fn(IxDyn(&[6, 4, 3]), |ix| {
        (ix[0] * 40 + ix[1] * 7 + ix[2] * 50) as u8
    });
    fn strided(a: &ArrayD<u8>) -> ndarray::ArrayViewD<'_, u8> {
        let mut v = a.view();
        v.slice_axis_inplace(Axis(0), Slice::new(0, None, 2));
        v.slice_axis_inplace(Axis(1), Slice::new(0, None, -1));
        v
    }
    let view = strided(&full);
    assert!(view.as_slice().is_none());
    let expected = YCoCgRCodec
        .encode(AnyArray::U8(view.to_owned()).cow())
        .unwrap();
    let got = YCoCgRCodec
        .encode(numcodecs::AnyCowArray::U8(view.into()))
        .unwrap();
    assert_eq!(got, expected);
    assert_eq!(
        YCoCgRCodec.decode(got.cow()).unwrap(),
        AnyArray::U8(strided(&full).to_owned())
    );
}

#[test]
fn other_dtypes_and_shapes_are_refused() {
    for a in [
        AnyArray::F32(ArrayD::zeros(IxDyn(&[2, 3]))),
        AnyArray::I16(ArrayD::zeros(IxDyn(&[2, 3]))),
        AnyArray::U32(ArrayD::zeros(IxDyn(&[2, 3]))),
    ] {
        let err = YCoCgRCodec.encode(a.cow()).unwrap_err();
        assert!(matches!(err, CodecError::UnsupportedDtype { .. }), "{err}");
        assert!(err.to_string().contains("uint8"), "{err}");
    }
    for shape in [&[2usize, 4][..], &[3, 1], &[], &[3, 0]] {
        let a = AnyArray::U8(ArrayD::zeros(IxDyn(shape)));
        let err = YCoCgRCodec.encode(a.cow()).unwrap_err();
        assert!(
            matches!(err, CodecError::ShapeMismatch { .. }),
            "{shape:?}: {err}"
        );
        assert!(err.to_string().contains("length 3"), "{err}");
    }
    for a in [
        AnyArray::U8(ArrayD::zeros(IxDyn(&[2, 3]))),
        AnyArray::F64(ArrayD::zeros(IxDyn(&[2, 3]))),
    ] {
        assert!(matches!(
            YCoCgRCodec.decode(a.cow()),
            Err(CodecError::UnsupportedDtype { .. })
        ));
    }
}

#[test]
fn triples_outside_the_image_of_rgb_are_refused() {
    // Y = 300 is above every uint8 luma; Co = 256 would need R - B = 256.
    for bad in [
        [300i16, 0, 0],
        [128, 256, 0],
        [0, 0, -300],
        [i16::MIN, i16::MIN, i16::MIN],
    ] {
        let a = AnyArray::I16(ArrayD::from_shape_vec(IxDyn(&[1, 3]), bad.to_vec()).unwrap());
        let err = YCoCgRCodec.decode(a.cow()).unwrap_err();
        assert!(matches!(err, CodecError::OutOfRange { .. }), "{err}");
        assert!(err.to_string().contains("pixel 0"), "{err}");
    }
    let a = AnyArray::I32(
        ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![5, 0, 0, i32::MAX, i32::MIN, i32::MAX])
            .unwrap(),
    );
    let err = YCoCgRCodec.decode(a.cow()).unwrap_err();
    assert!(err.to_string().contains("pixel 1"), "{err}");
}

#[test]
fn decode_into_checks_dtype_and_shape() {
    let a = AnyArray::U8(ArrayD::from_elem(IxDyn(&[2, 3]), 9u8));
    let e = YCoCgRCodec.encode(a.cow()).unwrap();
    let mut wrong_dtype = ArrayD::<u16>::zeros(IxDyn(&[2, 3]));
    assert!(matches!(
        YCoCgRCodec.decode_into(e.view(), AnyArrayViewMut::U16(wrong_dtype.view_mut())),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    let mut wrong_shape = ArrayD::<u8>::zeros(IxDyn(&[3, 3]));
    assert!(matches!(
        YCoCgRCodec.decode_into(e.view(), AnyArrayViewMut::U8(wrong_shape.view_mut())),
        Err(CodecError::ShapeMismatch { .. })
    ));
}

#[test]
fn config_is_empty_and_strict() {
    let c: YCoCgRConfig = serde_json::from_str("{}").unwrap();
    let codec = YCoCgRCodec::from_config(c);
    let json = serde_json::to_value(codec.get_config()).unwrap();
    assert_eq!(json["id"], "ycocg_r");
    assert!(serde_json::from_str::<YCoCgRConfig>(r#"{"axis": 0}"#).is_err());
}
