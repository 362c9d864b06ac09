//! Shared helpers of the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The golden cases (`specs/interp_cnn/sample_data/v0_1_0_<name>.*`).
pub const CASES: &[&str] = &[
    "grey_uint8",
    "rgb_uint8",
    "volume_uint16",
    "grey_int16",
    "rgba_uint8",
];

/// The shipped models, each with its golden vectors: `(model id, file name suffix)`; model 1's
/// files are `v0_1_0_<case>.bin` / `.params.npy`, a later model's `v0_1_0_<case>_m<id>.*`
/// (the inputs are shared).
pub const MODELS: &[(u32, &str)] = &[(1, ""), (2, "_m2"), (3, "_m3")];

/// A golden case's input samples (as `i32`), shape and dtype name.
pub fn input(name: &str) -> (Vec<i32>, Vec<usize>, String) {
    let path = repo().join(format!(
        "specs/interp_cnn/sample_data/v0_1_0_{name}.input.npy"
    ));
    let bytes = std::fs::read(&path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let (dtype, v): (&str, Vec<i32>) = match npy.dtype() {
        npyz::DType::Plain(t) if t.size_field() == 1 => (
            "uint8",
            npy.into_vec::<u8>()
                .unwrap()
                .into_iter()
                .map(i32::from)
                .collect(),
        ),
        npyz::DType::Plain(t) if t.type_char() == npyz::TypeChar::Uint => (
            "uint16",
            npy.into_vec::<u16>()
                .unwrap()
                .into_iter()
                .map(i32::from)
                .collect(),
        ),
        _ => (
            "int16",
            npy.into_vec::<i16>()
                .unwrap()
                .into_iter()
                .map(i32::from)
                .collect(),
        ),
    };
    (v, shape, dtype.to_string())
}

/// Encodes `v` (of dtype `dtype`) with the default configuration and model `model`.
pub fn encode(v: &[i32], shape: &[usize], dtype: &str, model: u32) -> Vec<u8> {
    let config = ndcodecs_interp_cnn::InterpCnnConfig {
        model,
        ..ndcodecs_interp_cnn::InterpCnnConfig::default()
    };
    match dtype {
        "uint8" => {
            let s: Vec<u8> = v.iter().map(|&x| x as u8).collect();
            ndcodecs_interp_cnn::encode(&s, shape, &config).unwrap()
        }
        "uint16" => {
            let s: Vec<u16> = v.iter().map(|&x| x as u16).collect();
            ndcodecs_interp_cnn::encode(&s, shape, &config).unwrap()
        }
        _ => {
            let s: Vec<i16> = v.iter().map(|&x| x as i16).collect();
            ndcodecs_interp_cnn::encode(&s, shape, &config).unwrap()
        }
    }
}
