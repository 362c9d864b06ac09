//! The link to the range coder: what the encoder hands it per sample, what the decoder asks of
//! it. Kept behind two small traits so that the ideal code length (the model's own measure, for
//! tests and tuning) runs through the same code as the real coder.

use ndcodecs_core::CodecError;
use ndcodecs_entropy::{RangeDecoder, RangeEncoder};
use ndcodecs_learned::logistic::PRECISION_BITS;
use ndcodecs_learned::{Coded, Logistic};

use crate::CODEC_ID;

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

impl SymbolSink for RangeEncoder {
    #[inline(always)]
    fn interval(&mut self, start: u32, freq: u32) {
        // The table of `Logistic` always gives a valid interval (freq >= 1, inside 2^16); were
        // it not so, nothing would be coded and the checksum would catch it.
        let coded = self.encode_freq(start, freq, PRECISION_BITS);
        debug_assert!(coded.is_ok());
    }
    #[inline(always)]
    fn bits(&mut self, value: u64, nbits: u32) {
        self.encode_bits(value, nbits);
    }
}

fn corrupt(message: String) -> CodecError {
    CodecError::Corrupt {
        codec: CODEC_ID,
        message,
    }
}

/// Decodes one value with distribution `l`.
///
/// # Errors
///
/// [`CodecError::Corrupt`] if the decoded position or extra bits fall outside what the
/// distribution allows (damaged data).
#[inline(always)]
pub fn get(dec: &mut RangeDecoder<'_>, l: &Logistic) -> Result<i64, CodecError> {
    let target = dec.decode_target(PRECISION_BITS);
    // Walk from where the target points on the distribution's axis while each value is a
    // symbol of its own: the value found is the one the binary search below would find.
    if let Some((v, start, freq)) = l.walk(l.guess(target), target, 6) {
        dec.decode_interval(start, freq, PRECISION_BITS)
            .map_err(|e| corrupt(e.to_string()))?;
        return Ok(v);
    }
    let found = l.find(target);
    dec.decode_interval(found.start, found.freq, PRECISION_BITS)
        .map_err(|e| corrupt(e.to_string()))?;
    let bits = if found.nbits > 0 {
        dec.decode_bits(found.nbits)
    } else {
        0
    };
    l.value(&found, bits)
        .ok_or_else(|| corrupt("a value past the end of its symbol".into()))
}
