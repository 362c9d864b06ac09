//! Encode and decode throughput measured in CPU time of the running thread (robust on a shared
//! machine), in MB/s of float32 input — the unit `benches/stock_lilcom.py` uses.
//!
//! `cargo run --release -p ndcodecs-lilcom --example lilcom_speed` (Linux: reads
//! `/proc/thread-self/schedstat`).
//!
//! Cases: fbank80 in 500-frame chunks (as lhotse stores it), speech16k as one 1-d chunk, and two
//! whole 1201 × 2401 2-d fields, each one chunk, made from the repository's terrain array (see
//! `tests/common/mod.rs`): dem2d, smooth (interpolated to 4 times the resolution), and
//! terrain2d, the real pixels mirror-tiled; at `tick_power` 5 (32 m, about 1 % of the 3333 m
//! range) and 0 (1 m).
//!
//! Arguments: `[CASE] [--stock-streams DIR]`. `CASE` keeps only the cases whose name contains
//! it. With `DIR` (written by `benches/vs_stock.py`: `<case>_tp<tick_power>_<chunk>.bin`, stock
//! lilcom's byte strings of the same chunks), the decoding of stock's streams is timed too, which
//! separates what the stream costs from what the decoder costs.

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

/// Name, the array (shape, values), rows per chunk, tick powers.
type Case = (
    &'static str,
    fn() -> (Vec<usize>, Vec<f32>),
    usize,
    [i32; 2],
);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stock_dir = args
        .iter()
        .position(|a| a == "--stock-streams")
        .map(|i| std::path::PathBuf::from(&args[i + 1]));
    let only = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_default();
    let cases: [Case; 4] = [
        (
            "fbank80",
            || common::test_data_f32("speech_librivox_fbank80.npy"),
            500,
            [-5, -8],
        ),
        (
            "speech16k",
            || common::test_data_f32("speech_librivox_16k_int16.npy"),
            usize::MAX,
            [-5, -8],
        ),
        ("dem2d", common::terrain_smooth_f32, usize::MAX, [5, 0]),
        (
            "terrain2d",
            common::terrain_mirrored_f32,
            usize::MAX,
            [5, 0],
        ),
    ];
    for (name, load, rows, tick_powers) in cases {
        if !name.contains(&only) {
            continue;
        }
        let (shape, data) = load();
        println!(
            "ndcodecs field {name}: shape {shape:?}, digest {}",
            common::field_digest(&data)
        );
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
        for tp in tick_powers {
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
            if let Some(dir) = &stock_dir {
                let stock: Vec<Vec<u8>> = (0..parts.len())
                    .map(|c| std::fs::read(dir.join(format!("{name}_tp{tp}_{c}.bin"))).unwrap())
                    .collect();
                let ts = best(5, || {
                    for ((s, r), e) in parts.iter().zip(&stock) {
                        decode_into(e, s, &mut out[r.clone()]).unwrap();
                    }
                });
                println!(
                    "ndcodecs lilcom {name} tick_power {tp}: decode of stock's stream {:.1} MB/s",
                    mb / ts
                );
            }
            println!(
                "ndcodecs lilcom {name} tick_power {tp}: {size} bytes, {:.4} bytes/element, encode {:.1} MB/s, decode {:.1} MB/s",
                size as f64 / data.len() as f64,
                mb / te,
                mb / td
            );
        }
    }
}
