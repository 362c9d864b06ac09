//! Forward and inverse throughput on an RGB photo-like image, in bytes of RGB input per second.
//!
//! `cargo bench -p ndcodecs-ycocg-r --bench ycocg_r`

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndcodecs_ycocg_r::{decode_slice, encode_slice};

fn bench(c: &mut Criterion) {
    let (h, w) = (512usize, 512usize);
    let rgb8: Vec<u8> = (0..h * w * 3)
        .map(|i| ((i / 3 % w) / 2 + (i / 3 / w) / 3 + (i % 3) * 40) as u8)
        .collect();
    let rgb16: Vec<u16> = rgb8.iter().map(|&v| u16::from(v) * 251).collect();
    let mut g = c.benchmark_group("ycocg_r");
    g.throughput(Throughput::Bytes(rgb8.len() as u64));
    let ycc8 = encode_slice(&rgb8).unwrap();
    g.bench_function("uint8/forward", |b| {
        b.iter(|| black_box(encode_slice(black_box(&rgb8)).unwrap()));
    });
    g.bench_function("uint8/inverse", |b| {
        b.iter(|| black_box(decode_slice::<u8>(black_box(&ycc8)).unwrap()));
    });
    g.throughput(Throughput::Bytes(2 * rgb16.len() as u64));
    let ycc16 = encode_slice(&rgb16).unwrap();
    g.bench_function("uint16/forward", |b| {
        b.iter(|| black_box(encode_slice(black_box(&rgb16)).unwrap()));
    });
    g.bench_function("uint16/inverse", |b| {
        b.iter(|| black_box(decode_slice::<u16>(black_box(&ycc16)).unwrap()));
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
