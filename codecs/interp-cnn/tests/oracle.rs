//! The model arithmetic against an independent implementation: numpy's integer features and
//! network (`codecs/interp-cnn/training/export_params.py`, reading the shipped weight file)
//! computed every sample's `(mu_fp, ls_fp)` (the network's, before the band's online
//! correction) for the golden inputs (`specs/interp_cnn/sample_data/v0_1_0_<case>.params.npy`
//! for model 1, `v0_1_0_<case>_m<id>.params.npy` for later models; model 3 has model 2's
//! networks, so its file is model 2's), and, in plain Python integers sample by sample in coding
//! order, the `(mu', ls')` each sample is coded with after its band's online correction, with
//! bands of 2^8 samples so that the small inputs have several (`v0_1_0_<case>_m<id>.coded.npy`,
//! models 2 and 3: model 1 corrects as model 2 does). The codec must compute the same integers,
//! sample for sample, with each model.

mod common;

use ndcodecs_interp_cnn::{InterpCnnConfig, chunk::params};

/// Band size of the `.coded.npy` files.
const CODED_BAND_LOG2: u8 = 8;

#[test]
fn parameters_match_the_numpy_model() {
    for &(model, suffix) in common::MODELS {
        for name in common::CASES {
            check(name, model, suffix);
        }
    }
}

fn read_rows<const N: usize>(file: &str) -> Vec<[i64; N]> {
    let path = common::repo().join(format!("specs/interp_cnn/sample_data/{file}"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(npy.shape().last(), Some(&(N as u64)), "{file}: columns");
    let flat: Vec<i64> = npy.into_vec().unwrap();
    flat.chunks_exact(N)
        .map(|c| std::array::from_fn(|i| c[i]))
        .collect()
}

fn ours(name: &str, model: u32, band_log2: u8) -> Vec<[i64; 7]> {
    let (input, shape, dtype) = common::input(name);
    let config = InterpCnnConfig {
        model,
        ..InterpCnnConfig::default()
    };
    match dtype.as_str() {
        "uint8" => params(
            &input.iter().map(|&x| x as u8).collect::<Vec<_>>(),
            &shape,
            &config,
            band_log2,
        ),
        "uint16" => params(
            &input.iter().map(|&x| x as u16).collect::<Vec<_>>(),
            &shape,
            &config,
            band_log2,
        ),
        _ => params(
            &input.iter().map(|&x| x as i16).collect::<Vec<_>>(),
            &shape,
            &config,
            band_log2,
        ),
    }
    .unwrap()
}

fn check(name: &str, model: u32, suffix: &str) {
    let ours = ours(name, model, CODED_BAND_LOG2);
    // model 3's networks are model 2's (the weight files differ only in the id)
    let net_suffix = if model == 3 { "_m2" } else { suffix };
    let theirs: Vec<[i64; 5]> = read_rows(&format!("v0_1_0_{name}{net_suffix}.params.npy"));
    assert_eq!(ours.len(), theirs.len(), "{name}{suffix}: sample count");
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a[..5], b[..], "{name}{suffix}: sample {i}");
    }
    if model >= 2 {
        let coded: Vec<[i64; 2]> = read_rows(&format!("v0_1_0_{name}{suffix}.coded.npy"));
        assert_eq!(
            ours.len(),
            coded.len(),
            "{name}{suffix}: coded sample count"
        );
        let mut corrected = 0;
        for (i, (a, b)) in ours.iter().zip(&coded).enumerate() {
            assert_eq!(
                a[5..],
                b[..],
                "{name}{suffix}: coded parameters of sample {i}"
            );
            corrected += usize::from(a[3] != a[5]);
        }
        // the mean is corrected by model 3 only
        assert_eq!(
            corrected > 0,
            model >= 3,
            "{name}{suffix}: {corrected} means corrected"
        );
    }
}

/// The network's parameters do not depend on the band size; the corrected ones do.
#[test]
fn bands_change_only_the_correction() {
    let a = ours("rgb_uint8", 3, 8);
    let b = ours("rgb_uint8", 3, 14);
    assert_eq!(a.len(), b.len());
    assert!(a.iter().zip(&b).all(|(x, y)| x[..5] == y[..5]));
    assert!(a.iter().zip(&b).any(|(x, y)| x[5..] != y[5..]));
}
