//! Encode and decode throughput measured in CPU time of the running thread (robust on a shared
//! machine), in MB/s of float32 input — the unit `benches/stock_lilcom.py` uses.
//!
//! `cargo run --release -p ndcodecs-lilcom --example lilcom_speed` (Linux: reads
//! `/proc/thread-self/schedstat`).

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use ndcodecs_lilcom::{LilcomConfig, TickPower, decode_into, encode};

fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    s.split_whitespace().next().unwrap().parse().unwrap()
}

/// CPU seconds per call of `f`: the best of `reps` batches, each running `f` until it has used
/// at least 0.2 s of CPU time (the counter only advances at scheduler ticks).
fn best(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let t = cpu_ns();
            let mut n = 0u32;
            while cpu_ns() - t < 200_000_000 {
                f();
                n += 1;
            }
            (cpu_ns() - t) as f64 * 1e-9 / f64::from(n)
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    for (name, file, rows) in [
        ("fbank80", "speech_librivox_fbank80.npy", 500),
        ("speech16k", "speech_librivox_16k_int16.npy", usize::MAX),
    ] {
        let (shape, data) = common::test_data_f32(file);
        let row: usize = shape[1..].iter().product();
        let parts: Vec<(Vec<usize>, std::ops::Range<usize>)> = (0..shape[0])
            .step_by(rows.min(shape[0]))
            .map(|start| {
                let n = (shape[0] - start).min(rows);
                let mut s = shape.clone();
                s[0] = n;
                (s, start * row..(start + n) * row)
            })
            .collect();
        for tp in [-5, -8] {
            let config = LilcomConfig {
                tick_power: TickPower::new(tp).unwrap(),
                ..LilcomConfig::default()
            };
            let enc = || -> Vec<Vec<u8>> {
                parts
                    .iter()
                    .map(|(s, r)| encode(&data[r.clone()], s, &config).unwrap())
                    .collect()
            };
            let encoded = enc();
            let size: usize = encoded.iter().map(Vec::len).sum();
            let te = best(5, || {
                black_box(enc());
            });
            let mut out = vec![0f32; data.len()];
            let td = best(5, || {
                for ((s, r), e) in parts.iter().zip(&encoded) {
                    decode_into(e, s, &mut out[r.clone()]).unwrap();
                }
            });
            let mb = (data.len() * 4) as f64 / 1e6;
            println!(
                "ndcodecs lilcom {name} tick_power {tp}: {size} bytes, {:.4} bytes/element, encode {:.1} MB/s, decode {:.1} MB/s",
                size as f64 / data.len() as f64,
                mb / te,
                mb / td
            );
        }
    }
}
