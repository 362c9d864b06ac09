//! Ideal code length (bits per sub-pixel) of `.npy` images under the shipped model.
//!
//! `cargo run --release -p ndcodecs-pixel-mlp --example pixel_mlp_bits -- FILE.npy ...`

use ndcodecs_pixel_mlp::{PixelMlpConfig, ideal_bits};

fn main() {
    let config = PixelMlpConfig::default();
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let npy = npyz::NpyFile::new(&bytes[..]).expect("npy");
        let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
        let t = std::time::Instant::now();
        let bits = match npy.dtype() {
            npyz::DType::Plain(t) if t.size_field() == 1 => {
                let v: Vec<u8> = npy.into_vec().unwrap();
                ideal_bits(&v, &shape, &config)
            }
            npyz::DType::Plain(t) if t.type_char() == npyz::TypeChar::Uint => {
                let v: Vec<u16> = npy.into_vec().unwrap();
                ideal_bits(&v, &shape, &config)
            }
            _ => {
                let v: Vec<i16> = npy.into_vec().unwrap();
                ideal_bits(&v, &shape, &config)
            }
        }
        .expect("encode");
        let n: usize = shape.iter().product();
        println!(
            "{path}: {:.4} bpsp ({:.2} s)",
            bits / n as f64,
            t.elapsed().as_secs_f64()
        );
    }
}
