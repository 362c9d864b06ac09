//! Encode and decode throughput on a 64 MiB float32 array (a smooth synthetic field), in bytes
//! of decoded data per second.
//!
//! `encode` and `decode` return fresh arrays, so they include allocating (and page-faulting)
//! the output; `encode_into` and `decode_into` write into a preallocated array and measure the
//! kernel alone;
//! `baseline_alloc_write` allocates and writes a fresh 64 MiB array and nothing else, the floor
//! for any codec that returns a new array of that size on the machine at hand.

#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::ArrayD;
use ndcodecs_linear_quantize::{CodeDtype, LinearQuantizeCodec, LinearQuantizeConfig};
use numcodecs::{AnyArray, Codec};

const NY: usize = 4096;
const NX: usize = 4096;

/// 4096 × 4096 float32 = 64 MiB: a smooth field like a temperature map, values 255..305.
fn field() -> ArrayD<f32> {
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let data = (0..NY * NX)
        .map(|k| {
            let (y, x) = ((k / NX) as f64, (k % NX) as f64);
            (280.0 + 20.0 * (y / 300.0).sin() * (x / 450.0).cos() + 5.0 * (x / 97.0).sin()) as f32
        })
        .collect();
    ArrayD::from_shape_vec(vec![NY, NX], data).expect("shape")
}

fn bench(c: &mut Criterion) {
    let data = AnyArray::F32(field());
    let mut config = LinearQuantizeConfig::new(0.01).expect("valid bound");
    config.offset = 280.0;
    config.astype = CodeDtype::Int16;
    let codec = LinearQuantizeCodec::try_new(config).expect("valid config");
    let encoded = codec.encode(data.cow()).expect("encode");
    let mut out = AnyArray::F32(ArrayD::zeros(vec![NY, NX]));

    let mut group = c.benchmark_group("linear_quantize_f32_to_i16_64MiB");
    group.throughput(Throughput::Bytes(data.as_bytes().len() as u64));
    group.sample_size(10);
    group.bench_function("encode", |b| {
        b.iter(|| codec.encode(black_box(data.cow())).expect("encode"));
    });
    let raw = data.as_bytes().into_owned();
    let mut codes = vec![0u8; NY * NX * 2];
    group.bench_function("encode_into", |b| {
        b.iter(|| {
            codec
                .encode_bytes_into(black_box(&raw), &[NY, NX], &mut codes)
                .expect("encode");
        });
    });
    group.bench_function("decode", |b| {
        b.iter(|| codec.decode(black_box(encoded.cow())).expect("decode"));
    });
    group.bench_function("decode_into", |b| {
        b.iter(|| {
            codec
                .decode_into(black_box(encoded.view()), out.view_mut())
                .expect("decode");
        });
    });
    group.bench_function("baseline_alloc_write", |b| {
        b.iter(|| {
            let mut v = vec![0f32; NY * NX];
            #[allow(clippy::cast_precision_loss)]
            for (i, x) in v.iter_mut().enumerate() {
                *x = i as f32;
            }
            black_box(v)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
