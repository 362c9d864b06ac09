//! Micro-timing of the encoder's stages on the speech data (for profiling with `perf stat`).
//!
//! `cargo run --release -p ndcodecs-lilcom --example lilcom_micro -- [search|code|decode] [fbank|speech]`

use std::{hint::black_box, path::PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("code", String::as_str);
    let file = if args.get(2).map_or("speech", String::as_str) == "fbank" {
        "speech_librivox_fbank80.npy"
    } else {
        "speech_librivox_16k_int16.npy"
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(file);
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let data: Vec<f32> = if file.contains("int16") {
        npy.into_vec::<i16>()
            .unwrap()
            .into_iter()
            .map(f32::from)
            .collect()
    } else {
        npy.into_vec::<f32>().unwrap()
    };
    let (shape, data) = if shape.len() == 2 {
        (vec![500, 80], data[..40000].to_vec())
    } else {
        (shape, data)
    };
    let coeffs = ndcodecs_lilcom::regression::choose_coefficients(&data, &shape, -5);
    let enc = ndcodecs_lilcom::encode_with_coefficients(&data, &shape, -5, &coeffs).unwrap();
    let iters = 200;
    let mut out = vec![0f32; data.len()];
    for _ in 0..iters {
        match what {
            "search" => drop(black_box(ndcodecs_lilcom::regression::choose_coefficients(
                &data, &shape, -5,
            ))),
            "decode" => ndcodecs_lilcom::decode_into(&enc, &shape, &mut out).unwrap(),
            _ => drop(black_box(
                ndcodecs_lilcom::encode_with_coefficients(&data, &shape, -5, &coeffs).unwrap(),
            )),
        }
    }
    println!("{} elements x {iters}", data.len());
}
