//! Micro-timing of the encoder's stages on the speech data (for profiling with `perf stat`).
//!
//! `cargo run --release -p ndcodecs-lilcom --example lilcom_micro -- [encode|search|code|stream|read|decode] [fbank|speech]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("code", String::as_str);
    let file = if args.get(2).map_or("speech", String::as_str) == "fbank" {
        "speech_librivox_fbank80.npy"
    } else {
        "speech_librivox_16k_int16.npy"
    };
    let (shape, data) = common::test_data_f32(file);
    let (shape, data) = if shape.len() == 2 {
        (vec![500, 80], data[..40000].to_vec())
    } else {
        (shape, data)
    };
    let coeffs = ndcodecs_lilcom::regression::choose_coefficients(&data, &shape, -5);
    let enc = ndcodecs_lilcom::encode_with_coefficients(&data, &shape, -5, &coeffs).unwrap();
    // The element codes as the stream holds them (zigzag), for timing the stream writer alone.
    let mut reader = ndcodecs_lilcom::format::StreamReader::new(&enc).unwrap();
    let stream_values: Vec<u32> = (0..data.len() + 2 + 2 * shape.len())
        .map(|_| reader.next_u32().unwrap())
        .collect();
    let mut widths = Vec::new();
    let iters = 200;
    let mut out = vec![0f32; data.len()];
    for _ in 0..iters {
        match what {
            "search" => drop(black_box(ndcodecs_lilcom::regression::choose_coefficients(
                &data, &shape, -5,
            ))),
            "decode" => ndcodecs_lilcom::decode_into(&enc, &shape, &mut out).unwrap(),
            "encode" => drop(black_box(
                ndcodecs_lilcom::encode(
                    &data,
                    &shape,
                    &ndcodecs_lilcom::LilcomConfig {
                        tick_power: ndcodecs_lilcom::TickPower::new(-5).unwrap(),
                        ..ndcodecs_lilcom::LilcomConfig::default()
                    },
                )
                .unwrap(),
            )),
            "read" => {
                // The stream reader alone: every value, no reconstruction.
                let mut r = ndcodecs_lilcom::format::StreamReader::new(&enc).unwrap();
                let mut codes = vec![0i32; stream_values.len()];
                r.read_i32s(&mut codes).unwrap();
                black_box(&codes);
            }
            "stream" => {
                ndcodecs_lilcom::format::minimal_widths(&stream_values, &mut widths);
                drop(black_box(ndcodecs_lilcom::format::encode_stream(
                    &stream_values,
                    &widths,
                )));
            }
            _ => drop(black_box(
                ndcodecs_lilcom::encode_with_coefficients(&data, &shape, -5, &coeffs).unwrap(),
            )),
        }
    }
    println!("{} elements x {iters}", data.len());
}
