//! Round trips (every context model) over dtypes × ranks × shapes (0-length and size-1 axes, rank 0 to 32), value
//! distributions from all zeros to the full range, through the slice functions and the numcodecs
//! trait (contiguous and non-contiguous input).

mod common;

use common::Rng;
use ndarray::{ArrayD, IxDyn};
use ndcodecs_arith::{
    ArithCodec, ArithElement, ArithModel, decode, decode_into, encode, encode_with_model,
    read_header,
};
use numcodecs::{AnyArray, Codec};
use proptest::prelude::*;

fn values<T: ArithElement>(n: usize, kind: u8, seed: u64) -> Vec<T> {
    let mut rng = Rng(seed | 1);
    (0..n)
        .map(|i| match kind {
            0 => T::from_signed(0),
            1 => T::from_signed(rng.residual()),
            2 => T::from_signed(rng.next() as i64),
            3 => [T::MIN, T::MAX, T::from_signed(0), T::from_signed(-1)][i % 4],
            _ => T::from_signed(((i as f64 * 0.05).sin() * 30.0) as i64 + (rng.next() % 3) as i64),
        })
        .collect()
}

/// Round trip through every context model (`encode` writes the adaptive one).
fn check<T: ArithElement>(shape: &[usize], kind: u8, seed: u64) {
    let n: usize = shape.iter().product();
    let v = values::<T>(n, kind, seed);
    let adaptive = encode(&v, shape).unwrap();
    assert_eq!(
        adaptive,
        encode_with_model(&v, shape, ArithModel::Adaptive).unwrap()
    );
    let fast = encode_with_model(&v, shape, ArithModel::Fast).unwrap();
    let lanes = encode_with_model(&v, shape, ArithModel::FastLanes).unwrap();
    let lanes16 = encode_with_model(&v, shape, ArithModel::FastLanes16).unwrap();
    for (bytes, model) in [
        (adaptive, ArithModel::Adaptive),
        (fast, ArithModel::Fast),
        (lanes, ArithModel::FastLanes),
        (lanes16, ArithModel::FastLanes16),
    ] {
        let h = read_header(&bytes).unwrap();
        assert_eq!(h.model, model);
        assert_eq!(bytes[4], model.id(), "model id");
        assert_eq!(h.shape, shape.iter().map(|&d| d as u64).collect::<Vec<_>>());
        let mut out = vec![T::default(); n];
        decode_into(&bytes, shape, &mut out).unwrap();
        assert!(out == v, "shape {shape:?} kind {kind} model {model:?}");
        let any = decode(&bytes).unwrap();
        assert_eq!(any.shape(), shape);
    }
}

fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        prop::collection::vec(prop_oneof![Just(0usize), Just(1), 2usize..9], 0..5),
        prop::collection::vec(1usize..40, 1..3),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_dtype_round_trips(shape in shape(), kind in 0u8..5, seed in any::<u64>()) {
        check::<u8>(&shape, kind, seed);
        check::<u16>(&shape, kind, seed);
        check::<u32>(&shape, kind, seed);
        check::<u64>(&shape, kind, seed);
        check::<i8>(&shape, kind, seed);
        check::<i16>(&shape, kind, seed);
        check::<i32>(&shape, kind, seed);
        check::<i64>(&shape, kind, seed);
    }

    /// Through the numcodecs trait, from a non-contiguous view (every other element of a
    /// transposed array): the codec copies what it reads and decodes the logical array.
    #[test]
    fn non_contiguous_input(rows in 2usize..20, cols in 2usize..20, seed in any::<u64>()) {
        let mut rng = Rng(seed | 1);
        let full = ArrayD::from_shape_fn(IxDyn(&[rows, 2 * cols]), |_| rng.residual() as i32);
        let view = full.t();
        let view = view.slice_each_axis(|ax| if ax.axis.index() == 0 { ndarray::Slice::new(0, None, 2) } else { ndarray::Slice::from(..) });
        prop_assert!(!view.is_standard_layout());
        let codec = ArithCodec::default();
        let encoded = codec.encode(AnyArray::I32(view.to_owned()).cow()).unwrap();
        let from_view = codec.encode(numcodecs::AnyCowArray::I32(view.clone().into())).unwrap();
        prop_assert_eq!(&encoded, &from_view);
        let back = codec.decode(encoded.cow()).unwrap();
        prop_assert_eq!(back, AnyArray::I32(view.to_owned()));
        // decode_into a non-contiguous destination
        let mut dest = ArrayD::<i32>::zeros(IxDyn(&[2 * cols, rows]));
        let mut dest_view = dest.slice_each_axis_mut(|ax| if ax.axis.index() == 0 { ndarray::Slice::new(0, None, 2) } else { ndarray::Slice::from(..) });
        codec.decode_into(encoded.view(), numcodecs::AnyArrayViewMut::I32(dest_view.view_mut())).unwrap();
        prop_assert_eq!(dest_view.to_owned(), view.to_owned());
    }
}

/// Rows longer than the block of values the model gathers its neighbours for at a time (1024),
/// so that blocks after the first of a row, and a last partial block, are coded, at ranks 1 to 4.
#[test]
fn rows_longer_than_a_coding_block() {
    for (k, shape) in [&[2049][..], &[3, 2500], &[2, 3, 1025], &[2, 2, 2, 1300]]
        .into_iter()
        .enumerate()
    {
        for kind in 0..5 {
            let seed = 11 + k as u64;
            check::<i32>(shape, kind, seed);
            check::<u8>(shape, kind, seed);
            check::<i64>(shape, kind, seed);
        }
    }
}

#[test]
fn rank_32_and_beyond() {
    let mut shape = vec![1usize; 32];
    shape[3] = 2;
    shape[17] = 3;
    shape[31] = 2;
    check::<i16>(&shape, 1, 5);
    check::<u64>(&shape, 2, 6);
    // rank 14 with every extent 2, and unit axes between longer ones
    check::<u8>(&[2; 14], 1, 7);
    check::<i16>(&[2, 1, 3, 1, 2, 2, 1, 3], 4, 6);
    let v = vec![0i8; 1];
    assert!(encode(&v, &[1; 33]).is_err());
    // a shape that does not match the values
    assert!(encode(&[1i32, 2, 3], &[2, 2]).is_err());
}

#[test]
fn float_arrays_are_refused() {
    let codec = ArithCodec::default();
    let a = AnyArray::F32(ArrayD::zeros(IxDyn(&[3])));
    assert!(matches!(
        codec.encode(a.cow()),
        Err(ndcodecs_core::CodecError::UnsupportedDtype { .. })
    ));
}

/// Long runs of zeros cost next to nothing, and an outlier in them costs its bit length plus a
/// few bits, not a model reset.
#[test]
fn zero_runs_are_nearly_free_and_outliers_cheap() {
    let zeros = vec![0i32; 1 << 20];
    let bytes = encode(&zeros, &[1024, 1024]).unwrap();
    assert!(
        bytes.len() < 64 + 24,
        "{} bytes for 2^20 zeros",
        bytes.len()
    );
    let mut with_outlier = zeros.clone();
    with_outlier[500_000] = -1_234_567_891;
    let b2 = encode(&with_outlier, &[1024, 1024]).unwrap();
    assert!(
        b2.len() < bytes.len() + 12,
        "{} vs {}",
        b2.len(),
        bytes.len()
    );
    let mut out = vec![0i32; 1 << 20];
    decode_into(&b2, &[1024, 1024], &mut out).unwrap();
    assert_eq!(out, with_outlier);
}
