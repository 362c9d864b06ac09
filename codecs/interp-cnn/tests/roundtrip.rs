//! Round trips over dtypes, layouts and shapes (including one-row, one-column and one-sample
//! planes), the numcodecs interface, and thread-count independence of the bytes.

use ndarray::{ArrayD, IxDyn};
use ndcodecs_interp_cnn::{
    ImageSample, InterpCnnCodec, InterpCnnConfig, LayoutChoice, decode_into, decode_samples, encode,
};
use numcodecs::{AnyArray, Codec};
use proptest::prelude::*;

fn config(layout: LayoutChoice) -> InterpCnnConfig {
    InterpCnnConfig {
        layout,
        ..InterpCnnConfig::default()
    }
}

fn round_trip<T: ImageSample + std::fmt::Debug>(
    v: &[T],
    shape: &[usize],
    layout: LayoutChoice,
) -> Vec<u8> {
    let bytes = encode(v, shape, &config(layout)).unwrap();
    let mut out = vec![T::default(); v.len()];
    decode_into(&bytes, shape, &mut out).unwrap();
    assert_eq!(out, v, "shape {shape:?}");
    bytes
}

/// A smooth image with texture and noise, as `i64` in `lo..=hi`.
fn image(n: usize, seed: u64, lo: i64, hi: i64) -> Vec<i64> {
    let mut s = seed | 1;
    (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let base = ((i as f64 * 0.01).sin() * 0.4 + 0.5) * (hi - lo) as f64;
            (lo + base as i64 + (s % 7) as i64 - 3).clamp(lo, hi)
        })
        .collect()
}

#[test]
fn shapes_and_layouts() {
    for shape in [
        vec![1, 1],
        vec![1, 2],
        vec![2, 1],
        vec![1, 300],
        vec![300, 1],
        vec![3, 5],
        vec![8, 8],
        vec![9, 9],
        vec![17, 40],
        vec![64, 33],
        vec![5, 7, 1],
        vec![5, 7, 2],
        vec![13, 11, 3],
        vec![1, 1, 3],
        vec![20, 9, 4],
        vec![3, 10, 12],
        vec![1, 1, 9],
    ] {
        let n: usize = shape.iter().product();
        let u8s: Vec<u8> = image(n, 3, 0, 255).into_iter().map(|v| v as u8).collect();
        round_trip(&u8s, &shape, LayoutChoice::Auto);
        let u16s: Vec<u16> = image(n, 5, 0, 65535)
            .into_iter()
            .map(|v| v as u16)
            .collect();
        round_trip(&u16s, &shape, LayoutChoice::Auto);
        let i16s: Vec<i16> = image(n, 7, -32768, 32767)
            .into_iter()
            .map(|v| v as i16)
            .collect();
        round_trip(&i16s, &shape, LayoutChoice::Auto);
        if shape.len() == 3 {
            round_trip(&u8s, &shape, LayoutChoice::Volume);
        }
    }
}

#[test]
fn extremes_and_constants() {
    for shape in [vec![40, 31], vec![16, 16, 3]] {
        let n: usize = shape.iter().product();
        for v in [0u16, 1, 65535] {
            round_trip(&vec![v; n], &shape, LayoutChoice::Auto);
        }
        let alt: Vec<u16> = (0..n).map(|i| if i % 3 == 0 { 0 } else { 65535 }).collect();
        round_trip(&alt, &shape, LayoutChoice::Auto);
        let alt: Vec<i16> = (0..n)
            .map(|i| if i % 2 == 0 { -32768 } else { 32767 })
            .collect();
        round_trip(&alt, &shape, LayoutChoice::Auto);
        let alt: Vec<u8> = (0..n)
            .map(|i| if (i / 7) % 2 == 0 { 0 } else { 255 })
            .collect();
        round_trip(&alt, &shape, LayoutChoice::Auto);
    }
}

/// Every shipped model round-trips extremes and images of several bands a step (models differ
/// in their weights and their online correction; the other tests use the default), and its
/// chunks name it.
#[test]
fn every_model_round_trips() {
    fn check<T: ImageSample + std::fmt::Debug>(v: &[T], shape: &[usize], model: u32) {
        let cfg = InterpCnnConfig {
            model,
            ..InterpCnnConfig::default()
        };
        let bytes = encode(v, shape, &cfg).unwrap();
        assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), model);
        let mut out = vec![T::default(); v.len()];
        decode_into(&bytes, shape, &mut out).unwrap();
        assert_eq!(out, v, "model {model}, shape {shape:?}");
    }
    let grey: Vec<u16> = image(300 * 260, 11, 0, 65535)
        .into_iter()
        .map(|v| v as u16)
        .collect();
    let rgb: Vec<u8> = image(130 * 90 * 3, 13, 0, 255)
        .into_iter()
        .map(|v| v as u8)
        .collect();
    let alt: Vec<i16> = (0..40 * 31)
        .map(|i| if (i / 3) % 2 == 0 { -32768 } else { 32767 })
        .collect();
    for model in [1, 2, 3] {
        check(&grey, &[300, 260], model);
        check(&rgb, &[130, 90, 3], model);
        check(&alt, &[40, 31], model);
    }
}

/// Same bytes and samples on pools of 1, 2 and 3 threads, colour (3 and 4 channels: the fourth
/// is conditioned on the third and the first), grey (a band decodes with a helper thread
/// computing networks ahead, in colour the later channels' as soon as the values they are
/// conditioned on are decoded) and a volume (slices in parallel, only the last ones to start
/// with helpers).
#[test]
fn same_bytes_on_any_pool() {
    let pools: Vec<rayon::ThreadPool> = [1, 2, 3]
        .iter()
        .map(|&n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        })
        .collect();
    for shape in [
        vec![300usize, 260, 3],
        vec![333, 301],
        vec![97, 130, 4],
        vec![5, 100, 90],
    ] {
        let v: Vec<u8> = image(shape.iter().product(), 11, 0, 255)
            .into_iter()
            .map(|v| v as u8)
            .collect();
        let a = pools[0].install(|| encode(&v, &shape, &InterpCnnConfig::default()).unwrap());
        let (_, d1) = pools[0].install(|| decode_samples(&a, Some(&shape)).unwrap());
        assert!(d1.iter().zip(&v).all(|(&x, &y)| x == i32::from(y)));
        for p in &pools[1..] {
            let b = p.install(|| encode(&v, &shape, &InterpCnnConfig::default()).unwrap());
            assert_eq!(a, b);
            let (_, d) = p.install(|| decode_samples(&a, Some(&shape)).unwrap());
            assert_eq!(d1, d);
        }
    }
}

#[test]
fn numcodecs_interface() {
    let codec = InterpCnnCodec::default();
    let a = ArrayD::from_shape_fn(IxDyn(&[21, 34, 3]), |ix| {
        ((ix[0] * 7 + ix[1] * 3 + ix[2] * 50) % 256) as u8
    });
    let enc = codec.encode(AnyArray::U8(a.clone()).cow()).unwrap();
    assert_eq!(codec.decode(enc.cow()).unwrap(), AnyArray::U8(a.clone()));
    // decode_into a non-contiguous view
    let mut big = ArrayD::<u8>::zeros(IxDyn(&[21, 34, 6]));
    {
        let view = big.slice_axis_mut(ndarray::Axis(2), ndarray::Slice::new(0, None, 2));
        codec
            .decode_into(enc.view(), numcodecs::AnyArrayViewMut::U8(view.into_dyn()))
            .unwrap();
    }
    assert_eq!(
        big.slice_axis(ndarray::Axis(2), ndarray::Slice::new(0, None, 2)),
        a.view()
    );
    // wrong dtype or shape of the output
    let mut wrong = ArrayD::<u16>::zeros(IxDyn(&[21, 34, 3]));
    assert!(
        codec
            .decode_into(
                enc.view(),
                numcodecs::AnyArrayViewMut::U16(wrong.view_mut())
            )
            .is_err()
    );
    let mut wrong = ArrayD::<u8>::zeros(IxDyn(&[34, 21, 3]));
    assert!(
        codec
            .decode_into(enc.view(), numcodecs::AnyArrayViewMut::U8(wrong.view_mut()))
            .is_err()
    );
    // refused inputs
    assert!(
        codec
            .encode(AnyArray::F32(ArrayD::zeros(IxDyn(&[4, 4]))).cow())
            .is_err()
    );
    assert!(
        codec
            .encode(AnyArray::U8(ArrayD::zeros(IxDyn(&[4]))).cow())
            .is_err()
    );
    assert!(
        codec
            .encode(AnyArray::U8(ArrayD::zeros(IxDyn(&[0, 4]))).cow())
            .is_err()
    );
    assert!(
        codec
            .encode(AnyArray::U8(ArrayD::zeros(IxDyn(&[2, 2, 2, 2]))).cow())
            .is_err()
    );
    let chan = InterpCnnCodec::new(config(LayoutChoice::Channels));
    assert!(
        chan.encode(AnyArray::U8(ArrayD::zeros(IxDyn(&[4, 4, 5]))).cow())
            .is_err()
    );
}

#[test]
fn compresses_smooth_images() {
    let shape = [128usize, 128];
    let v: Vec<u16> = (0..128 * 128)
        .map(|i| {
            (1000.0 + 500.0 * ((i % 128) as f64 * 0.05).sin() * ((i / 128) as f64 * 0.03).cos())
                as u16
        })
        .collect();
    let bytes = round_trip(&v, &shape, LayoutChoice::Auto);
    // 16-bit samples, smooth: well under half their raw size
    assert!(bytes.len() * 8 < v.len() * 6, "{} bytes", bytes.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn any_image_round_trips(
        h in 1usize..40,
        w in 1usize..40,
        c in prop::sample::select(vec![0usize, 1, 2, 3, 4]),
        bits in 1u32..=16,
        signed in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let shape: Vec<usize> = if c == 0 { vec![h, w] } else { vec![h, w, c] };
        let n: usize = shape.iter().product();
        let (lo, hi) = if signed { (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1) } else { (0, (1i64 << bits) - 1) };
        let v = image(n, seed, lo, hi);
        if bits <= 8 && !signed {
            round_trip(&v.iter().map(|&x| x as u8).collect::<Vec<_>>(), &shape, LayoutChoice::Auto);
        } else if signed {
            round_trip(&v.iter().map(|&x| x as i16).collect::<Vec<_>>(), &shape, LayoutChoice::Auto);
        } else {
            round_trip(&v.iter().map(|&x| x as u16).collect::<Vec<_>>(), &shape, LayoutChoice::Auto);
        }
    }
}
