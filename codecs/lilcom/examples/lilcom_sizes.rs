//! Prints the coded size (bytes per element) of the repository's test arrays, in the chunking
//! lhotse uses for speech features (500 frames).
//!
//! Run with `cargo run --release -p ndcodecs-lilcom --example lilcom_sizes`.

use std::path::PathBuf;

use ndcodecs_lilcom::{LilcomConfig, TickPower, encode};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

fn load_f32(name: &str) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(data_dir().join(name)).expect("test data");
    let npy = npyz::NpyFile::new(&bytes[..]).expect("npy");
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).unwrap())
        .collect();
    let v = match npy.dtype() {
        npyz::DType::Plain(t) if t.type_char() == npyz::TypeChar::Int => npy
            .into_vec::<i16>()
            .expect("int16")
            .into_iter()
            .map(f32::from)
            .collect(),
        _ => npy.into_vec::<f32>().expect("float32"),
    };
    (shape, v)
}

fn main() {
    for tp in [-5, -8] {
        let config = LilcomConfig {
            tick_power: TickPower::new(tp).unwrap(),
            ..LilcomConfig::default()
        };
        let (shape, v) = load_f32("speech_librivox_fbank80.npy");
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
        let (shape, v) = load_f32("speech_librivox_16k_int16.npy");
        let n = encode(&v, &shape, &config).unwrap().len();
        println!(
            "speech16k tp={tp}: {n} bytes, {:.4} bytes/element",
            n as f64 / v.len() as f64
        );
    }
}
