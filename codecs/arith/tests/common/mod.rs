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
