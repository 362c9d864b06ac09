//! Prints the coded size (bytes per element) of the repository's test arrays, in the chunking
//! lhotse uses for speech features (500 frames).
//!
//! Run with `cargo run --release -p ndcodecs-lilcom --example lilcom_sizes`.

#[path = "../tests/common/mod.rs"]
mod common;

use ndcodecs_lilcom::{LilcomConfig, TickPower, encode};

fn main() {
    for tp in [-5, -8] {
        let config = LilcomConfig {
            tick_power: TickPower::new(tp).unwrap(),
            ..LilcomConfig::default()
        };
        let (shape, v) = common::test_data_f32("speech_librivox_fbank80.npy");
        let row = shape[1];
        let mut total = 0;
        for start in (0..shape[0]).step_by(500) {
            let frames = (shape[0] - start).min(500);
            let chunk = &v[start * row..(start + frames) * row];
            let b = encode(chunk, &[frames, row], &config).unwrap();
            println!(
                "  chunk {start}: {} bytes, coefficients {:?}",
                b.len(),
                ndcodecs_lilcom::read_header(&b).unwrap().coeffs
            );
            total += b.len();
        }
        println!(
            "fbank80 tp={tp}: {total} bytes, {:.4} bytes/element",
            total as f64 / v.len() as f64
        );
        let (shape, v) = common::test_data_f32("speech_librivox_16k_int16.npy");
        let n = encode(&v, &shape, &config).unwrap().len();
        println!(
            "speech16k tp={tp}: {n} bytes, {:.4} bytes/element",
            n as f64 / v.len() as f64
        );
    }
}
