//! Property tests: `spatial_delta` against an independent oracle (ndarray axis slicing, written
//! without the crate's kernel), for every integer dtype × ndim 1..=4 × every axis choice × odd
//! shapes (size-1 and 0-length axes), with contiguous and non-contiguous (transposed, strided)
//! input.

use ndarray::{ArrayD, Axis, IxDyn, Slice, Zip};
use ndcodecs_core::dtype::Int;
use ndcodecs_spatial_delta::{AxisSelection, SpatialDeltaCodec};
use numcodecs::{AnyArray, Codec};
use proptest::prelude::*;

/// Reference: differences along `axis`, slice by slice through ndarray views.
fn oracle_delta<T: Int>(a: &ArrayD<T>, axis: usize) -> ArrayD<T> {
    let mut out = a.clone();
    for i in 1..a.shape()[axis] {
        let cur = a.index_axis(Axis(axis), i);
        let prev = a.index_axis(Axis(axis), i - 1);
        Zip::from(out.index_axis_mut(Axis(axis), i))
            .and(&cur)
            .and(&prev)
            .for_each(|o, &c, &p| *o = c.wrapping_sub(p));
    }
    out
}

fn resolve(axes: &[i64], ndim: usize) -> Vec<usize> {
    axes.iter()
        .map(|&a| {
            if a < 0 {
                (a + ndim as i64) as usize
            } else {
                a as usize
            }
        })
        .collect()
}

fn wrap<T: Int>(a: ArrayD<T>) -> AnyArray {
    T::into_any(a)
}

/// Shape (ndim 1..=4, extents 0..=5) and an axis selection valid for it.
fn shape_and_axes() -> impl Strategy<Value = (Vec<usize>, Vec<i64>, bool)> {
    prop::collection::vec(0usize..=5, 1..=4).prop_flat_map(|shape| {
        let nd = shape.len() as i64;
        (
            Just(shape),
            prop::collection::vec(-nd..nd, 1..=4),
            any::<bool>(),
        )
    })
}

fn check<T: Int>(shape: &[usize], axes: &[i64], transpose: bool, values: &[T]) {
    let n: usize = shape.iter().product();
    let data: Vec<T> = (0..n).map(|i| values[i % values.len()]).collect();
    let a = ArrayD::from_shape_vec(IxDyn(shape), data).unwrap();
    let codec = SpatialDeltaCodec::new(AxisSelection::Many(axes.to_vec()));
    let resolved = resolve(axes, shape.len());

    // Expected encoding from the oracle.
    let mut expected = a.clone();
    for &ax in &resolved {
        expected = oracle_delta(&expected, ax);
    }

    // Contiguous input.
    let encoded = codec
        .encode(T::into_any_cow(ndarray::CowArray::from(a.view())))
        .unwrap();
    assert_eq!(
        encoded,
        wrap(expected.clone()),
        "encode shape {shape:?} axes {axes:?}"
    );
    let decoded = codec.decode(encoded.cow()).unwrap();
    assert_eq!(decoded, wrap(a.clone()));

    // Non-contiguous input: a reversed-axes (Fortran-order) view of a transposed copy, and a
    // strided view, must give the same as their standard-layout copies.
    if transpose {
        let t = a.t().as_standard_layout().into_owned(); // C-order data of the transpose
        let view = t.t(); // logically equal to `a`, but not in standard layout
        assert_eq!(view, a.view());
        let enc = codec
            .encode(T::into_any_cow(ndarray::CowArray::from(view)))
            .unwrap();
        assert_eq!(enc, wrap(expected.clone()));
    }
    let big_shape: Vec<usize> = shape.iter().map(|&s| s * 2).collect();
    let mut big = ArrayD::from_elem(IxDyn(&big_shape), T::default());
    {
        let mut strided = big.view_mut();
        for ax in 0..shape.len() {
            strided.slice_axis_inplace(Axis(ax), Slice::new(0, None, 2));
        }
        strided.assign(&a);
    }
    let mut strided = big.view();
    for ax in 0..shape.len() {
        strided.slice_axis_inplace(Axis(ax), Slice::new(0, None, 2));
    }
    let enc = codec
        .encode(T::into_any_cow(ndarray::CowArray::from(strided)))
        .unwrap();
    assert_eq!(enc, wrap(expected));
    // decode_into a non-contiguous output
    let mut out_big = ArrayD::from_elem(IxDyn(&big_shape), T::default());
    let mut out = out_big.view_mut();
    for ax in 0..shape.len() {
        out.slice_axis_inplace(Axis(ax), Slice::new(0, None, 2));
    }
    codec
        .decode_into(enc.view(), T::into_any_view_mut(out))
        .unwrap();
    let mut back = out_big.view();
    for ax in 0..shape.len() {
        back.slice_axis_inplace(Axis(ax), Slice::new(0, None, 2));
    }
    assert_eq!(back, a.view());
}

macro_rules! dtype_props {
    ($($name:ident: $t:ty),* $(,)?) => {$(
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn $name((shape, axes, transpose) in shape_and_axes(),
                     values in prop::collection::vec(any::<$t>(), 1..64)) {
                check::<$t>(&shape, &axes, transpose, &values);
            }
        }
    )*};
}

dtype_props!(
    round_trip_u8: u8, round_trip_u16: u16, round_trip_u32: u32, round_trip_u64: u64,
    round_trip_i8: i8, round_trip_i16: i16, round_trip_i32: i32, round_trip_i64: i64,
);

#[test]
fn extreme_values_wrap_exactly() {
    let a = ArrayD::from_shape_vec(IxDyn(&[4]), vec![i8::MIN, i8::MAX, i8::MIN, 0]).unwrap();
    let codec = SpatialDeltaCodec::new(AxisSelection::One(0));
    let enc = codec.encode(AnyArray::I8(a.clone()).cow()).unwrap();
    assert_eq!(
        enc,
        AnyArray::I8(ArrayD::from_shape_vec(IxDyn(&[4]), vec![i8::MIN, -1, 1, i8::MIN]).unwrap())
    );
    assert_eq!(codec.decode(enc.cow()).unwrap(), AnyArray::I8(a));
}

#[test]
fn floats_are_refused_with_advice() {
    let codec = SpatialDeltaCodec::new(AxisSelection::One(0));
    let err = codec
        .encode(AnyArray::F32(ArrayD::zeros(IxDyn(&[3]))).cow())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("float32") && err.contains("linear_quantize"),
        "{err}"
    );
}

#[test]
fn axis_out_of_range_is_an_error() {
    let codec = SpatialDeltaCodec::new(AxisSelection::Many(vec![0, 2]));
    let err = codec
        .encode(AnyArray::I32(ArrayD::zeros(IxDyn(&[3, 3]))).cow())
        .unwrap_err()
        .to_string();
    assert!(err.contains("axis 2 is out of range"), "{err}");
    let empty = SpatialDeltaCodec::new(AxisSelection::Many(vec![]));
    assert!(
        empty
            .encode(AnyArray::I32(ArrayD::zeros(IxDyn(&[3]))).cow())
            .is_err()
    );
}

#[test]
fn decode_into_checks_dtype_and_shape() {
    let codec = SpatialDeltaCodec::new(AxisSelection::One(0));
    let enc = AnyArray::I32(ArrayD::zeros(IxDyn(&[3])));
    let mut wrong_shape = AnyArray::I32(ArrayD::zeros(IxDyn(&[4])));
    assert!(
        codec
            .decode_into(enc.view(), wrong_shape.view_mut())
            .is_err()
    );
    let mut wrong_dtype = AnyArray::I64(ArrayD::zeros(IxDyn(&[3])));
    assert!(
        codec
            .decode_into(enc.view(), wrong_dtype.view_mut())
            .is_err()
    );
}

#[test]
fn input_is_not_mutated() {
    let a = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![5i64, 1, 9, 2, 6, 0]).unwrap();
    let before = a.clone();
    let codec = SpatialDeltaCodec::new(AxisSelection::Many(vec![0, 1]));
    let _ = codec
        .encode(numcodecs::AnyArrayView::I64(a.view()).cow())
        .unwrap();
    assert_eq!(a, before);
}

/// zarr v2: configured with the chunks' dtype and shape (`bind`), the codec decodes the raw
/// bytes of an encoded chunk, and refuses chunks of another dtype or shape; an empty axis list
/// or an axis out of range for `chunk_shape` is refused on construction.
#[test]
fn dtype_and_chunk_shape_for_zarr_v2() {
    use ndcodecs_core::{ArrayToArrayCodec, PipelineCodec};
    use numcodecs::{AnyArrayDType, StaticCodec};
    let codec = SpatialDeltaCodec::new(AxisSelection::Many(vec![0, 1]));
    let bound = codec
        .bind(AnyArrayDType::I32, &[3, 4])
        .unwrap()
        .into_owned();
    assert_eq!(bound.chunk_shape(), Some(vec![3, 4]));
    assert_eq!(bound.decoded_dtype(), Some(AnyArrayDType::I32));
    let config = serde_json::to_value(bound.get_config()).unwrap();
    assert_eq!(config["dtype"], "int32");
    assert_eq!(config["chunk_shape"], serde_json::json!([3, 4]));
    let data: Vec<i32> = (0..12).map(|i| i * i).collect();
    let raw: Vec<u8> = data.iter().flat_map(|v| v.to_ne_bytes()).collect();
    let encoded = bound.encode_raw(&raw, AnyArrayDType::I32, &[3, 4]).unwrap();
    assert_eq!(
        bound
            .decode_raw(&encoded, AnyArrayDType::I32, &[3, 4])
            .unwrap(),
        raw
    );
    assert!(bound.encode_raw(&raw, AnyArrayDType::I32, &[4, 3]).is_err());
    assert!(bound.encode_raw(&raw, AnyArrayDType::U32, &[3, 4]).is_err());
    assert!(bound.encoded_shape(&[6, 4]).is_err());
    // Without them, nothing changes in the stored configuration.
    let plain = serde_json::to_value(codec.get_config()).unwrap();
    assert!(plain.get("dtype").is_none() && plain.get("chunk_shape").is_none());

    let parse = |json: &str| SpatialDeltaCodec::from_config(serde_json::from_str(json).unwrap());
    assert!(parse(r#"{"axis": []}"#).validate().is_err());
    assert!(
        parse(r#"{"axis": 2, "chunk_shape": [3, 4]}"#)
            .validate()
            .is_err()
    );
    assert!(
        parse(r#"{"axis": 1, "dtype": "float32"}"#)
            .validate()
            .is_err()
    );
    assert!(
        parse(r#"{"axis": -1, "dtype": "uint16", "chunk_shape": [3, 4]}"#)
            .validate()
            .is_ok()
    );
}

/// The out-of-place decoder equals the in-place one for every axis list, repeats included.
#[test]
fn decode_into_matches_decode_in_place() {
    let shape = [5usize, 4, 7];
    let data: Vec<i64> = (0..140).map(|i| (i * 7919) % 1000 - 500).collect();
    for axes in [
        vec![0],
        vec![1],
        vec![2],
        vec![0, 2],
        vec![2, 1, 0],
        vec![1, 1],
        vec![0, 0, 2],
    ] {
        let codec = SpatialDeltaCodec::new(AxisSelection::Many(axes.clone()));
        let mut in_place = data.clone();
        codec.decode_slice_in_place(&mut in_place, &shape).unwrap();
        let mut out = vec![0i64; data.len()];
        codec.decode_slice_into(&data, &mut out, &shape).unwrap();
        assert_eq!(out, in_place, "axes {axes:?}");
    }
}
