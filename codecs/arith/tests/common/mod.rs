//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// xorshift64*: a fixed pseudo-random sequence.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A heavy-tailed residual-like value: mostly small, sometimes huge.
    pub fn residual(&mut self) -> i64 {
        let r = self.next();
        let bits = match r % 100 {
            0..=39 => 0,
            40..=79 => 3,
            80..=95 => 9,
            96..=98 => 20,
            _ => 63,
        };
        let m = if bits == 0 {
            0
        } else {
            (self.next() >> (64 - bits)) as i64
        };
        if r & (1 << 40) != 0 {
            m.wrapping_neg()
        } else {
            m
        }
    }
}

/// A damaged copy of `bytes`: one to four bytes overwritten with random ones, and in a quarter
/// of the cases cut at a random length.
pub fn damage(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for _ in 0..1 + rng.next() % 4 {
        let i = (rng.next() as usize) % b.len();
        b[i] = rng.next() as u8;
    }
    let cut = (rng.next() as usize) % (b.len() + 1);
    if rng.next().is_multiple_of(4) {
        b.truncate(cut);
    }
    b
}

/// The shape and values of the golden vector input `specs/arith/sample_data/v1_<name>.input.npy`
/// (shared by both context models' golden streams).
pub fn golden_input<T: npyz::Deserialize>(name: &str) -> (Vec<usize>, Vec<T>) {
    let path = repo()
        .join("specs/arith/sample_data")
        .join(format!("v1_{name}.input.npy"));
    let input = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&input[..]).unwrap();
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).unwrap())
        .collect();
    (shape, npy.into_vec().unwrap())
}
