//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ndcodecs_arith::{ArithElement, ArithModel, decode, decode_into, encode_with_model};
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

/// Calls `$f::<T>(name)` for every golden case (`v1_<name>.input.npy`, and the streams
/// `v1_<name>.bin` of model 0 and `v1_m<id>_<name>.bin` of the fast models) with its element
/// type `T`.
#[macro_export]
macro_rules! for_each_golden_case {
    ($f:ident) => {
        $f::<i32>("i32_climate_residuals");
        $f::<u8>("u8_photo_residuals");
        $f::<u16>("u16_volume_residuals");
        $f::<i64>("i64_extremes");
        $f::<u64>("u64_unit_axes");
        $f::<i8>("i8_empty");
        $f::<i16>("i16_scalar");
        $f::<u32>("u32_zero_run");
    };
}

/// The stored golden stream `specs/arith/sample_data/v1_m<id>_<name>.bin`.
pub fn golden_stream(id: u8, name: &str) -> Vec<u8> {
    let bin = repo()
        .join("specs/arith/sample_data")
        .join(format!("v1_m{id}_{name}.bin"));
    std::fs::read(&bin).unwrap_or_else(|e| panic!("{}: {e}", bin.display()))
}

/// Checks golden case `name` of `model` (id `id`): the encoder still writes the stored stream
/// byte for byte, and the stream decodes to the input (through `decode_into` and `decode`).
/// `UPDATE_GOLDEN=1` writes a missing `.bin` (never an existing one). Returns the input's shape
/// and values and the stored stream.
pub fn check_golden<T: ArithElement + npyz::Deserialize>(
    name: &str,
    model: ArithModel,
    id: u8,
) -> (Vec<usize>, Vec<T>, Vec<u8>) {
    let (shape, values) = golden_input::<T>(name);
    let encoded = encode_with_model(&values, &shape, model).unwrap();
    let bin = repo()
        .join("specs/arith/sample_data")
        .join(format!("v1_m{id}_{name}.bin"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() && !bin.exists() {
        std::fs::write(&bin, &encoded).unwrap();
    }
    let stored = golden_stream(id, name);
    assert_eq!(
        encoded, stored,
        "{name}: the encoder no longer writes the golden stream"
    );
    let mut out = vec![T::default(); values.len()];
    decode_into(&stored, &shape, &mut out).unwrap();
    assert!(out == values, "{name}");
    assert_eq!(decode(&stored).unwrap().shape(), &shape[..]);
    assert_eq!(&stored[..3], b"AR\x01");
    assert_eq!(stored[4], id, "model id");
    (shape, values, stored)
}
