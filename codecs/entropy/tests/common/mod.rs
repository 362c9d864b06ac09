//! What the entropy crate's test files share.

/// xorshift64*: a fixed, platform-independent pseudo-random sequence (each test file adds the
/// `draw` it needs).
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 bits of the sequence.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
