//! Encode and decode throughput on real speech data and a whole 2-d field, in bytes of float32
//! input per second (the unit `benches/stock_lilcom.py` reports for stock lilcom, so the two
//! compare directly).
//!
//! `cargo bench -p ndcodecs-lilcom --bench lilcom`

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndcodecs_lilcom::{LilcomConfig, TickPower, decode_into, encode};

/// Splits an array into chunks of at most `rows` along axis 0 (lhotse stores fbank in 500-frame
/// chunks); returns (shape, slice range) per chunk.
fn chunks(shape: &[usize], rows: usize) -> Vec<(Vec<usize>, std::ops::Range<usize>)> {
    let row: usize = shape[1..].iter().product();
    (0..shape[0])
        .step_by(rows)
        .map(|start| {
            let n = (shape[0] - start).min(rows);
            let mut s = shape.to_vec();
            s[0] = n;
            (s, start * row..(start + n) * row)
        })
        .collect()
}

/// Name, the array (shape, values), rows per chunk, tick powers.
type Case = (
    &'static str,
    fn() -> (Vec<usize>, Vec<f32>),
    usize,
    &'static [i32],
);

fn bench(c: &mut Criterion) {
    // fbank in lhotse's 500-frame chunks, speech as one chunk, and a whole smooth 2-d field
    // (1201 x 2401, interpolated from the terrain array; see tests/common/mod.rs) at a tick of
    // about 1 % of its range.
    let cases: [Case; 3] = [
        (
            "fbank80",
            || common::test_data_f32("speech_librivox_fbank80.npy"),
            500,
            &[-5, -8],
        ),
        (
            "speech16k",
            || common::test_data_f32("speech_librivox_16k_int16.npy"),
            usize::MAX,
            &[-5, -8],
        ),
        ("dem2d", common::terrain_smooth_f32, usize::MAX, &[5]),
    ];
    for (name, load, rows, tick_powers) in cases {
        let (shape, data) = load();
        let parts = chunks(&shape, rows);
        for &tp in tick_powers {
            let config = LilcomConfig {
                tick_power: TickPower::new(tp).unwrap(),
                ..LilcomConfig::default()
            };
            let encoded: Vec<Vec<u8>> = parts
                .iter()
                .map(|(s, r)| encode(&data[r.clone()], s, &config).unwrap())
                .collect();
            let total: usize = encoded.iter().map(Vec::len).sum();
            eprintln!(
                "{name} tick_power {tp}: {total} bytes, {:.4} bytes/element",
                total as f64 / data.len() as f64
            );
            let mut g = c.benchmark_group(format!("lilcom/{name}/tp{tp}"));
            g.throughput(Throughput::Bytes((data.len() * 4) as u64));
            g.bench_function("encode", |b| {
                b.iter(|| {
                    for (s, r) in &parts {
                        black_box(encode(black_box(&data[r.clone()]), s, &config).unwrap());
                    }
                });
            });
            let mut out = vec![0f32; data.len()];
            g.bench_function("decode", |b| {
                b.iter(|| {
                    for ((s, r), e) in parts.iter().zip(&encoded) {
                        decode_into(black_box(e), s, &mut out[r.clone()]).unwrap();
                    }
                });
            });
            g.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
