//! The link to the range coder: what the encoder hands it per sample, what the decoder asks of
//! it. Kept behind two small traits so that the ideal code length (the model's own measure, for
//! tests and tuning) runs through the same code as the real coder.

use ndcodecs_learned::logistic::PRECISION_BITS;
use ndcodecs_learned::{Coded, Logistic};

/// Where the encoder puts symbols.
pub trait SymbolSink {
    /// Codes the interval `[start, start + freq)` of `2^16`.
    fn interval(&mut self, start: u32, freq: u32);
    /// Codes `nbits` equally likely bits.
    fn bits(&mut self, value: u64, nbits: u32);
}

/// Codes value `v` with distribution `l`.
#[inline(always)]
pub fn put<S: SymbolSink>(sink: &mut S, l: &Logistic, v: i64) {
    let Coded {
        start,
        freq,
        bits,
        nbits,
    } = l.code(v);
    sink.interval(start, freq);
    if nbits > 0 {
        sink.bits(bits, nbits);
    }
}

/// A sink that only adds up the ideal code length in bits (`-log2(freq / 2^16)` per symbol,
/// plus the extra bits).
#[derive(Clone, Debug, Default)]
pub struct CodeLength {
    /// bits so far
    pub bits: f64,
}

impl SymbolSink for CodeLength {
    fn interval(&mut self, _start: u32, freq: u32) {
        self.bits += f64::from(PRECISION_BITS) - f64::from(freq).log2();
    }
    fn bits(&mut self, _value: u64, nbits: u32) {
        self.bits += f64::from(nbits);
    }
}
