//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Reads a float32 or int16 `.npy` file as (shape, values as f32).
pub fn load_npy_f32(path: &std::path::Path) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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

/// Reads the repository's `tests/data/<name>` (float32, or int16 widened to f32) as
/// (shape, values); shared by the tests, the benchmark and the examples.
pub fn test_data_f32(name: &str) -> (Vec<usize>, Vec<f32>) {
    load_npy_f32(&repo().join("tests/data").join(name))
}

/// Reads an int16 `.npy` file.
pub fn load_npy_i16(path: &std::path::Path) -> (Vec<usize>, Vec<i16>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&bytes[..]).expect("npy");
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).unwrap())
        .collect();
    (shape, npy.into_vec::<i16>().expect("int16"))
}

/// Largest |x - y| in f64.
pub fn max_err<T: Copy + Into<f64>>(x: &[T], y: &[f32]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| (a.into() - f64::from(b)).abs())
        .fold(0.0, f64::max)
}
