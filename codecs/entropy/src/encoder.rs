//! The range encoder.

use std::hint::select_unpredictable;

use crate::{
    AdaptiveCdf, BinaryModel, EntropyError,
    binary::BIT_PROB_BITS,
    cdf::{CDF_PROB_BITS, checked_interval},
};

/// Largest number of bits [`RangeEncoder::encode_bits`] codes as one uniform symbol.
pub(crate) const BYPASS_GROUP: u32 = 16;

/// A range coder's encoder (G. N. N. Martin, *Range encoding*, 1979; byte-wise renormalisation
/// with carry propagation into the bytes already written): 32-bit `range`, a `low` of 32 bits
/// plus a carry, and integer arithmetic only, so that the same symbols and probabilities give
/// the same bytes on every platform. The exact arithmetic is in `specs/entropy/README.md`.
///
/// Every coding call narrows `[low, low + range)` to the coded symbol's share,
/// `r = range >> precision` per unit of probability, the **last** symbol of an alphabet taking
/// whatever `r * 2^precision` leaves over. Symbols come from:
///
/// - [`encode_bit`](Self::encode_bit): an adaptive [`BinaryModel`];
/// - [`encode_bit_p0`](Self::encode_bit_p0): a given probability of 0 (16 bits);
/// - [`encode_symbol`](Self::encode_symbol): an adaptive multi-symbol [`AdaptiveCdf`];
/// - [`encode_cdf`](Self::encode_cdf): a given cumulative-frequency table (what a learned model
///   hands over);
/// - [`encode_freq`](Self::encode_freq): a given interval `(start, freq)` of such a table;
/// - [`encode_bits`](Self::encode_bits): raw bits, each value equally likely (*bypass* bits).
///
/// [`finish`](Self::finish) ends the stream canonically; [`RangeDecoder`](crate::RangeDecoder)
/// checks that end.
#[derive(Clone, Debug)]
pub struct RangeEncoder {
    /// the caller's prefix, the coded bytes up to `pos`, then scratch space (the renormalisation
    /// writes four bytes at `pos` and keeps those it needs, so that it needs no branch)
    out: Vec<u8>,
    /// where the coded bytes begin in `out` (bytes before belong to the caller)
    start: usize,
    /// end of the coded bytes in `out`
    pos: usize,
    /// 32 bits and a carry bit (bit 32)
    low: u64,
    range: u32,
}

impl Default for RangeEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl RangeEncoder {
    /// An encoder writing into a new buffer.
    #[must_use]
    pub const fn new() -> Self {
        Self::append_to(Vec::new())
    }

    /// An encoder appending its bytes to `out` (a header written before, for example): the bytes
    /// already in `out` are left as they are.
    #[must_use]
    pub const fn append_to(out: Vec<u8>) -> Self {
        let start = out.len();
        Self {
            out,
            start,
            pos: start,
            low: 0,
            range: u32::MAX,
        }
    }

    /// Number of coded bytes written so far (the stream will hold at most one more, plus what
    /// further symbols need).
    #[must_use]
    pub fn bytes_written(&self) -> usize {
        self.pos - self.start
    }

    /// Narrows the interval to `[low + offset, low + offset + new_range)`.
    #[inline(always)]
    fn narrow(&mut self, offset: u32, new_range: u32) {
        self.low += u64::from(offset);
        self.range = new_range;
        if self.low >> 32 != 0 {
            self.low &= 0xFFFF_FFFF;
            carry(&mut self.out[self.start..self.pos]);
        }
        self.renormalize();
    }

    /// Shifts out the top bytes of `low` while `range < 2^24`, without a loop: the number of
    /// bytes is `leading_zeros(range) / 8` (at most 3), and the four bytes of `low` are written
    /// at `pos`, of which those shifted out are kept.
    #[inline(always)]
    fn renormalize(&mut self) {
        let n = (self.range.leading_zeros() / 8) as usize;
        if self.out.len() < self.pos + 4 {
            grow(&mut self.out, self.pos);
        }
        #[allow(clippy::cast_possible_truncation)]
        let word = (self.low as u32).to_be_bytes();
        self.out[self.pos..self.pos + 4].copy_from_slice(&word);
        self.pos += n;
        let bits = 8 * n as u32;
        self.low = (self.low << bits) & 0xFFFF_FFFF;
        self.range <<= bits;
    }

    /// Codes a symbol occupying `[start, start + freq)` of `2^precision` with `start + freq <=
    /// 2^precision`, `freq >= 1`, `precision <= 16` (checked by the callers).
    #[inline(always)]
    fn code_interval(&mut self, start: u32, freq: u32, precision: u32) {
        let r = self.range >> precision;
        let offset = r * start;
        let new_range = if start + freq == 1 << precision {
            self.range - offset
        } else {
            r * freq
        };
        self.narrow(offset, new_range);
    }

    /// Codes `bit` with the adaptive `model`, then updates the model.
    #[inline(always)]
    pub fn encode_bit(&mut self, bit: bool, model: &mut BinaryModel) {
        self.encode_bit_p0(bit, model.p0());
        model.update(bit);
    }

    /// Codes `bit` with `P(bit = 0) = p0 / 2^16`; `p0` is clamped to `1..=65535`.
    #[inline(always)]
    pub fn encode_bit_p0(&mut self, bit: bool, p0: u32) {
        let p0 = p0.clamp(1, 65535);
        let bound = (self.range >> BIT_PROB_BITS) * p0;
        // selects, not a branch (bits of probability near 1/2 would mispredict half the time)
        self.narrow(
            select_unpredictable(bit, bound, 0),
            select_unpredictable(bit, self.range - bound, bound),
        );
    }

    /// Codes `symbol` (`0..N`) with the adaptive `model`, then updates the model.
    ///
    /// # Panics
    ///
    /// If `symbol >= N`.
    #[inline(always)]
    pub fn encode_symbol<const N: usize>(&mut self, symbol: usize, model: &mut AdaptiveCdf<N>) {
        assert!(symbol < N, "symbol {symbol} outside an alphabet of {N}");
        let start = model.cum(symbol);
        let freq = model.cum(symbol + 1) - start;
        self.code_interval(start, freq, CDF_PROB_BITS);
        model.update(symbol);
    }

    /// Codes `symbol` with a given cumulative-frequency table: symbol `s` has probability
    /// `(cdf[s + 1] - cdf[s]) / 2^precision_bits`.
    ///
    /// The rule for tables: `cdf` holds `N + 1` entries for `N >= 1` symbols, `cdf[0] = 0`,
    /// `cdf[N] = 2^precision_bits` (so a `u16` table has at most 15 bits), `precision_bits` in
    /// `1..=16`, and **every symbol that is coded must have a nonzero frequency**
    /// (`cdf[s] < cdf[s + 1]`). Entries should be non-decreasing for the decoder to find the
    /// symbol; a table in which every symbol has a nonzero frequency always works.
    ///
    /// # Errors
    ///
    /// [`EntropyError::InvalidCdf`] if the table, the precision or the symbol break these rules
    /// (nothing is coded then).
    #[inline]
    pub fn encode_cdf<C: Copy + Into<u32>>(
        &mut self,
        symbol: usize,
        cdf: &[C],
        precision_bits: u32,
    ) -> Result<(), EntropyError> {
        let (start, freq) = checked_interval(symbol, cdf, precision_bits)?;
        self.code_interval(start, freq, precision_bits);
        Ok(())
    }

    /// Codes a symbol given only its interval `[start, start + freq)` out of `2^precision_bits`
    /// (for models that compute one entry of their CDF at a time). The decoder side is
    /// [`RangeDecoder::decode_target`](crate::RangeDecoder::decode_target) +
    /// [`RangeDecoder::decode_interval`](crate::RangeDecoder::decode_interval).
    ///
    /// # Errors
    ///
    /// [`EntropyError::InvalidCdf`] unless `freq >= 1`, `start + freq <= 2^precision_bits` and
    /// `precision_bits` is in `1..=16` (nothing is coded then).
    #[inline]
    pub fn encode_freq(
        &mut self,
        start: u32,
        freq: u32,
        precision_bits: u32,
    ) -> Result<(), EntropyError> {
        if !(1..=crate::cdf::MAX_PRECISION_BITS).contains(&precision_bits)
            || freq == 0
            || u64::from(start) + u64::from(freq) > 1u64 << precision_bits
        {
            return Err(EntropyError::InvalidCdf(format!(
                "interval [{start}, {start} + {freq}) is empty or outside 2^{precision_bits}"
            )));
        }
        self.code_interval(start, freq, precision_bits);
        Ok(())
    }

    /// Codes the low `nbits` bits of `value` (`nbits <= 64`) as equally likely: groups of up to
    /// 16 bits, most significant group first (the first group takes `nbits - 16 * (groups - 1)`
    /// bits), each one uniform symbol out of `2^group`.
    #[inline(always)]
    pub fn encode_bits(&mut self, value: u64, nbits: u32) {
        debug_assert!(nbits <= 64);
        if nbits <= BYPASS_GROUP {
            // one group (the common case: no loop)
            if nbits > 0 {
                #[allow(clippy::cast_possible_truncation)]
                let v = (value & ((1u64 << nbits) - 1)) as u32;
                self.code_interval(v, 1, nbits);
            }
            return;
        }
        self.encode_groups(value, nbits);
    }

    /// [`encode_bits`](Self::encode_bits) of more than one group.
    #[inline(never)]
    fn encode_groups(&mut self, value: u64, nbits: u32) {
        let mut left = nbits.min(64);
        while left > 0 {
            let group = (left - 1) % BYPASS_GROUP + 1;
            left -= group;
            #[allow(clippy::cast_possible_truncation)]
            let v = ((value >> left) & ((1u64 << group) - 1)) as u32;
            self.code_interval(v, 1, group);
        }
    }

    /// Ends the stream and returns the buffer (the caller's prefix, then the coded bytes).
    ///
    /// The end is canonical: with `low` and `range` the final interval, nothing more is written
    /// if `low = 0`; a carry alone if `low + range > 2^32`; otherwise the one byte
    /// `ceil(low / 2^24)`. A decoder reads zero bytes past the end, and
    /// [`RangeDecoder::finish`](crate::RangeDecoder::finish) accepts exactly this end.
    #[must_use]
    pub fn finish(mut self) -> Vec<u8> {
        self.out.truncate(self.pos);
        if self.low != 0 {
            if self.low + u64::from(self.range) > 1 << 32 {
                self.low = 0;
                carry(&mut self.out[self.start..self.pos]);
            } else {
                #[allow(clippy::cast_possible_truncation)]
                let byte = self.low.div_ceil(1 << 24) as u8;
                self.out.push(byte);
            }
        }
        self.out
    }
}

/// Adds the carry out of `low` to the coded bytes written so far. Free functions (not methods)
/// so that the coder's state, not being borrowed by them, stays in registers.
#[cold]
fn carry(coded: &mut [u8]) {
    // The coded value stays below 1, so a carry never runs past the first coded byte.
    for byte in coded.iter_mut().rev() {
        if *byte == 0xFF {
            *byte = 0;
        } else {
            *byte += 1;
            return;
        }
    }
    debug_assert!(false, "carry past the first coded byte");
}

/// Makes room for the four bytes the renormalisation writes at `pos`.
#[cold]
fn grow(out: &mut Vec<u8>, pos: usize) {
    let len = (out.len() * 2).max(pos + 64);
    out.resize(len, 0);
}
