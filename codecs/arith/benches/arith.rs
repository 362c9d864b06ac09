//! Encode and decode throughput of `arith` on the int32 codes of `linear_quantize →
//! spatial_delta` at an absolute error bound of 1e-3 × value range, in bytes of int32 input per
//! second, with zstd (levels 5 and 19) on the same residuals timed in the same run as the
//! reference for this machine's speed.
//!
//! `cargo bench -p ndcodecs-arith --bench arith`

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndcodecs_spatial_delta::{AxisSelection, SpatialDeltaCodec};

#[path = "../tests/common/mod.rs"]
mod common;

/// The float32 array `tests/data/<name>.npy` as int32 codes at 1e-3 × range (the codes
/// `linear_quantize` gives up to its offset: `round((x - min) / step)`, step just under twice the
/// bound), then Lorenzo-differenced along every axis.
fn residuals(name: &str) -> (Vec<usize>, Vec<i32>) {
    let bytes = std::fs::read(
        common::repo()
            .join("tests/data")
            .join(format!("{name}.npy")),
    )
    .unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).unwrap())
        .collect();
    let x: Vec<f32> = npy.into_vec().unwrap();
    let valid = |v: f32| v.is_finite() && v.abs() < 1e30;
    let (lo, hi) = x
        .iter()
        .filter(|v| valid(**v))
        .fold((f64::MAX, f64::MIN), |(a, b), &v| {
            (a.min(f64::from(v)), b.max(f64::from(v)))
        });
    let step = 2.0 * 1e-3 * (hi - lo) * (1.0 - 1e-6);
    #[allow(clippy::cast_possible_truncation)]
    let q: Vec<i32> = x
        .iter()
        .map(|&v| {
            if valid(v) {
                ((f64::from(v) - lo) / step).round() as i32
            } else {
                0
            }
        })
        .collect();
    let axes: Vec<i64> = (0..shape.len() as i64).collect();
    let sd = SpatialDeltaCodec::new(AxisSelection::Many(axes));
    (shape.clone(), sd.encode_slice(&q, &shape).unwrap())
}

fn bench(c: &mut Criterion) {
    for name in [
        "climate_hadcm3_air_temperature",
        "climate_ncar_temperature_3d",
        "terrain_regional_surface_height",
    ] {
        let (shape, r) = residuals(name);
        let raw: Vec<u8> = r.iter().flat_map(|v| v.to_le_bytes()).collect();
        let encoded = ndcodecs_arith::encode(&r, &shape).unwrap();
        let z5 = zstd::bulk::compress(&raw, 5).unwrap();
        let z19 = zstd::bulk::compress(&raw, 19).unwrap();
        eprintln!(
            "{name}: {} bytes int32; arith {} (ratio {:.2}), zstd(5) {} ({:.2}), zstd(19) {} ({:.2})",
            raw.len(),
            encoded.len(),
            raw.len() as f64 / encoded.len() as f64,
            z5.len(),
            raw.len() as f64 / z5.len() as f64,
            z19.len(),
            raw.len() as f64 / z19.len() as f64,
        );
        let mut g = c.benchmark_group(format!("arith/{name}"));
        g.throughput(Throughput::Bytes(raw.len() as u64));
        g.bench_function("encode", |b| {
            b.iter(|| black_box(ndcodecs_arith::encode(black_box(&r), &shape).unwrap()));
        });
        let mut out = vec![0i32; r.len()];
        g.bench_function("decode", |b| {
            b.iter(|| ndcodecs_arith::decode_into(black_box(&encoded), &shape, &mut out).unwrap());
        });
        g.bench_function("zstd5_encode", |b| {
            b.iter(|| black_box(zstd::bulk::compress(black_box(&raw), 5).unwrap()));
        });
        g.bench_function("zstd5_decode", |b| {
            b.iter(|| black_box(zstd::bulk::decompress(black_box(&z5), raw.len()).unwrap()));
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
