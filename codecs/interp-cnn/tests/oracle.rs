//! The model arithmetic against an independent implementation: numpy's integer features and
//! network (`codecs/interp-cnn/training/export_params.py`, reading the shipped weight file)
//! computed every sample's `(mu_fp, ls_fp)` (the network's, before the band's online
//! correction of the scale) for the golden inputs
//! (`specs/interp_cnn/sample_data/v0_1_0_<case>.params.npy` for model 1,
//! `v0_1_0_<case>_m<id>.params.npy` for later models); the codec must compute the same integers,
//! sample for sample, with each model.

mod common;

use ndcodecs_interp_cnn::{InterpCnnConfig, chunk::params};

#[test]
fn parameters_match_the_numpy_model() {
    for &(model, suffix) in common::MODELS {
        for name in common::CASES {
            check(name, model, suffix);
        }
    }
}

fn check(name: &str, model: u32, suffix: &str) {
    let (input, shape, dtype) = common::input(name);
    let config = InterpCnnConfig {
        model,
        ..InterpCnnConfig::default()
    };
    let ours = match dtype.as_str() {
        "uint8" => params(
            &input.iter().map(|&x| x as u8).collect::<Vec<_>>(),
            &shape,
            &config,
        ),
        "uint16" => params(
            &input.iter().map(|&x| x as u16).collect::<Vec<_>>(),
            &shape,
            &config,
        ),
        _ => params(
            &input.iter().map(|&x| x as i16).collect::<Vec<_>>(),
            &shape,
            &config,
        ),
    }
    .unwrap();
    let path = common::repo().join(format!(
        "specs/interp_cnn/sample_data/v0_1_0_{name}{suffix}.params.npy"
    ));
    let bytes = std::fs::read(&path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let flat: Vec<i64> = npy.into_vec().unwrap();
    let theirs: Vec<[i64; 5]> = flat
        .chunks_exact(5)
        .map(|c| [c[0], c[1], c[2], c[3], c[4]])
        .collect();
    assert_eq!(ours.len(), theirs.len(), "{name}{suffix}: sample count");
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "{name}{suffix}: sample {i}");
    }
}
