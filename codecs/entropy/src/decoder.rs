//! The range decoder.

use std::hint::select_unpredictable;

use crate::{
    AdaptiveCdf, BinaryModel, EntropyError,
    binary::BIT_PROB_BITS,
    cdf::{CDF_PROB_BITS, MAX_PRECISION_BITS, check_table_ends},
    encoder::BYPASS_GROUP,
};

/// The decoder of [`RangeEncoder`](crate::RangeEncoder)'s streams.
///
/// It never panics and never loops on damaged data: past the end of the data it reads zero
/// bytes, and every decoding call returns some symbol. Damage shows in [`finish`](Self::finish),
/// which checks that the data end exactly where the decoded symbols' canonical stream ends, and
/// in a checksum that a codec keeps of what it decoded. A codec whose loop could run long on
/// garbage can poll [`is_past_end`](Self::is_past_end).
#[derive(Clone, Debug)]
pub struct RangeDecoder<'a> {
    data: &'a [u8],
    /// next byte to read (may pass `data.len()`: zero bytes are read there)
    pos: usize,
    /// the coded value minus `low`, in the current 32-bit window
    code: u32,
    range: u32,
    /// the data's first bytes lie outside the initial interval
    bad_start: bool,
}

impl<'a> RangeDecoder<'a> {
    /// Starts decoding `data` (exactly the bytes [`RangeEncoder::finish`](crate::RangeEncoder::finish)
    /// wrote after any prefix).
    #[must_use]
    pub fn new(data: &'a [u8]) -> Self {
        let mut d = Self {
            data,
            pos: 0,
            code: 0,
            range: u32::MAX,
            bad_start: false,
        };
        d.code = d.word_at(0);
        d.pos = 4;
        if d.code == u32::MAX {
            // an encoder's value always lies below low + range = 2^32 - 1
            d.bad_start = true;
            d.code = u32::MAX - 1;
        }
        d
    }

    /// The four bytes at `pos` (most significant first), zeros past the end of the data.
    #[inline(always)]
    fn word_at(&self, pos: usize) -> u32 {
        match self.data.get(pos..pos + 4) {
            Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            None => word_at_end(self.data, pos),
        }
    }

    /// Reads bytes into `code` while `range < 2^24`, without a loop: `leading_zeros(range) / 8`
    /// bytes (at most 3) from the four at `pos`.
    #[inline(always)]
    fn normalize(&mut self) {
        let n = self.range.leading_zeros() / 8;
        let bits = 8 * n;
        let word = u64::from(self.word_at(self.pos));
        #[allow(clippy::cast_possible_truncation)]
        {
            self.code = ((u64::from(self.code) << bits) | (word >> (32 - bits))) as u32;
        }
        self.range <<= bits;
        self.pos += n as usize;
    }

    /// `true` once the decoder has read more than 4 bytes past the end of the data, i.e. the data
    /// are certainly truncated or damaged ([`finish`](Self::finish) will fail).
    #[must_use]
    pub fn is_past_end(&self) -> bool {
        self.pos > self.data.len() + 4
    }

    /// Decodes a bit with `P(0) = p0 / 2^16` (`p0` clamped to `1..=65535`).
    #[inline(always)]
    pub fn decode_bit_p0(&mut self, p0: u32) -> bool {
        let p0 = p0.clamp(1, 65535);
        let bound = (self.range >> BIT_PROB_BITS) * p0;
        let bit = self.code >= bound;
        // selects, not a branch: a bit of probability near 1/2 (a sign, a mantissa bit) would
        // mispredict half the time
        self.code = select_unpredictable(bit, self.code.wrapping_sub(bound), self.code);
        self.range = select_unpredictable(bit, self.range - bound, bound);
        self.normalize();
        bit
    }

    /// Decodes a bit with the adaptive `model`, then updates the model.
    #[inline(always)]
    pub fn decode_bit(&mut self, model: &mut BinaryModel) -> bool {
        let bit = self.decode_bit_p0(model.p0());
        model.update(bit);
        bit
    }

    /// Narrows to the symbol `[start, start + freq)` of `2^precision` found from `r`.
    #[inline(always)]
    fn take_interval(&mut self, r: u32, start: u32, freq: u32, precision: u32) {
        let offset = r * start;
        self.code -= offset;
        self.range = if start + freq == 1 << precision {
            self.range - offset
        } else {
            r * freq
        };
        self.normalize();
    }

    /// Decodes a symbol with the adaptive `model`, then updates the model.
    #[inline(always)]
    pub fn decode_symbol<const N: usize>(&mut self, model: &mut AdaptiveCdf<N>) -> usize {
        let r = self.range >> CDF_PROB_BITS;
        let target = self.code / r;
        let s = model.find(target);
        let start = model.cum(s);
        let freq = model.cum(s + 1) - start;
        self.take_interval(r, start, freq, CDF_PROB_BITS);
        model.update(s);
        s
    }

    /// Decodes a symbol coded with [`RangeEncoder::encode_cdf`](crate::RangeEncoder::encode_cdf)
    /// and the same table.
    ///
    /// # Errors
    ///
    /// [`EntropyError::InvalidCdf`] if the table's length, ends or precision break the rules of
    /// `encode_cdf` (the decoder's state is then unchanged). The entries in between are not all
    /// checked (that would cost a pass over the table per symbol): a table that is not
    /// increasing decodes to some symbol, without panicking, and a valid one to the coded symbol.
    #[inline]
    pub fn decode_cdf<C: Copy + Into<u32>>(
        &mut self,
        cdf: &[C],
        precision_bits: u32,
    ) -> Result<usize, EntropyError> {
        check_table_ends(cdf, precision_bits)?;
        let n = cdf.len() - 1;
        let r = self.range >> precision_bits;
        let target = (self.code / r).min((1 << precision_bits) - 1);
        // the last s with cdf[s] <= target
        let (mut lo, mut hi) = (0usize, n);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if cdf[mid].into() <= target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let start: u32 = cdf[lo].into();
        let end: u32 = cdf[lo + 1].into();
        if start > target || end <= target {
            return Err(EntropyError::InvalidCdf(format!(
                "the table is not increasing around entry {lo} ({start}, {end}); every symbol must have a nonzero frequency"
            )));
        }
        self.take_interval(r, start, end - start, precision_bits);
        Ok(lo)
    }

    /// First half of decoding a symbol coded with
    /// [`RangeEncoder::encode_freq`](crate::RangeEncoder::encode_freq): the position
    /// (`0..2^precision_bits`) of the coded value within the table, from which the caller finds
    /// the symbol `s` with `start(s) <= target < start(s) + freq(s)`, then calls
    /// [`decode_interval`](Self::decode_interval) with that interval and nothing in between.
    /// `precision_bits` is clamped to `1..=16`.
    #[inline(always)]
    #[must_use]
    pub fn decode_target(&self, precision_bits: u32) -> u32 {
        let p = precision_bits.clamp(1, MAX_PRECISION_BITS);
        let r = self.range >> p;
        (self.code / r).min((1 << p) - 1)
    }

    /// Second half of decoding a symbol coded with
    /// [`RangeEncoder::encode_freq`](crate::RangeEncoder::encode_freq): consumes the interval
    /// `[start, start + freq)` the caller found from [`decode_target`](Self::decode_target).
    ///
    /// # Errors
    ///
    /// [`EntropyError::InvalidCdf`] if the interval is empty, outside `2^precision_bits`, or
    /// does not hold the target (the decoder's state is then unchanged).
    ///
    /// Inlined into the caller (one call per coded symbol): there the check's division, the
    /// same as [`decode_target`](Self::decode_target)'s on an unchanged state, is shared with it.
    #[inline(always)]
    pub fn decode_interval(
        &mut self,
        start: u32,
        freq: u32,
        precision_bits: u32,
    ) -> Result<(), EntropyError> {
        let target = self.decode_target(precision_bits);
        if !(1..=MAX_PRECISION_BITS).contains(&precision_bits)
            || freq == 0
            || u64::from(start) + u64::from(freq) > 1u64 << precision_bits
            || start > target
            || u64::from(target) >= u64::from(start) + u64::from(freq)
        {
            return Err(invalid_interval(start, freq, precision_bits, target));
        }
        let r = self.range >> precision_bits;
        self.take_interval(r, start, freq, precision_bits);
        Ok(())
    }

    /// Decodes `nbits` (`<= 64`) bits coded with
    /// [`RangeEncoder::encode_bits`](crate::RangeEncoder::encode_bits).
    #[inline(always)]
    pub fn decode_bits(&mut self, nbits: u32) -> u64 {
        if nbits <= BYPASS_GROUP {
            // one group (the common case: no loop)
            return u64::from(self.decode_group(nbits));
        }
        self.decode_groups(nbits)
    }

    /// One uniform symbol of `2^group` (`group <= 16`; nothing is read for 0).
    #[inline(always)]
    fn decode_group(&mut self, group: u32) -> u32 {
        if group == 0 {
            return 0;
        }
        let r = self.range >> group;
        let v = (self.code / r).min((1 << group) - 1);
        self.take_interval(r, v, 1, group);
        v
    }

    /// [`decode_bits`](Self::decode_bits) of more than one group.
    #[inline(never)]
    fn decode_groups(&mut self, nbits: u32) -> u64 {
        let mut left = nbits.min(64);
        let mut value = 0u64;
        while left > 0 {
            let group = (left - 1) % BYPASS_GROUP + 1;
            left -= group;
            let r = self.range >> group;
            let v = (self.code / r).min((1 << group) - 1);
            self.take_interval(r, v, 1, group);
            value = (value << group) | u64::from(v);
        }
        value
    }

    /// Checks the end of the stream after the last symbol: the data must be exactly the bytes the
    /// encoder writes for the decoded symbols (see
    /// [`RangeEncoder::finish`](crate::RangeEncoder::finish)).
    ///
    /// # Errors
    ///
    /// [`EntropyError::Truncated`] if the data are shorter, [`EntropyError::TrailingBytes`] if
    /// longer, [`EntropyError::Corrupt`] if the last byte or the first bytes are not what an
    /// encoder writes.
    pub fn finish(&self) -> Result<(), EntropyError> {
        if self.bad_start {
            return Err(EntropyError::Corrupt(
                "the first four bytes lie outside the coder's interval",
            ));
        }
        // bytes read beyond the four of the final window = bytes the encoder shifted out
        let shifted = self.pos - 4;
        // low of the final interval, from the value's window (the last four bytes read) and
        // code = value - low
        let window = self.word_at(shifted);
        let low = window.wrapping_sub(self.code);
        let (expected, last) = if low == 0 || u64::from(low) + u64::from(self.range) > 1 << 32 {
            (shifted, None)
        } else {
            #[allow(clippy::cast_possible_truncation)]
            let byte = u64::from(low).div_ceil(1 << 24) as u8;
            (shifted + 1, Some(byte))
        };
        let len = self.data.len();
        if len < expected {
            return Err(EntropyError::Truncated {
                needed: expected,
                available: len,
            });
        }
        if len > expected {
            return Err(EntropyError::TrailingBytes {
                count: len - expected,
            });
        }
        if last.is_some_and(|byte| self.data[len - 1] != byte) {
            return Err(EntropyError::Corrupt(
                "the last byte is not the canonical end of the stream",
            ));
        }
        Ok(())
    }
}

/// The error of [`RangeDecoder::decode_interval`] (out of line: the caller's path stays small).
#[cold]
#[inline(never)]
fn invalid_interval(start: u32, freq: u32, precision_bits: u32, target: u32) -> EntropyError {
    EntropyError::InvalidCdf(format!(
        "interval [{start}, {start} + {freq}) of 2^{precision_bits} does not hold the decoded position {target}"
    ))
}

/// The four bytes at `pos` near the end of `data`, zeros past it (a free function, so that the
/// decoder's state, not being borrowed by it, stays in registers).
#[cold]
fn word_at_end(data: &[u8], pos: usize) -> u32 {
    (pos..pos + 4).fold(0, |w, i| {
        (w << 8) | u32::from(data.get(i).copied().unwrap_or(0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RangeEncoder;

    /// `decode_interval` accepts exactly the intervals that hold `decode_target`'s position, at
    /// every precision and position of a stream.
    #[test]
    fn interval_check_is_the_target_rule() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for p in [1u32, 2, 5, 12, 16] {
            let top = 1u32 << p;
            let mut enc = RangeEncoder::new();
            let mut coded = Vec::new();
            for _ in 0..200 {
                #[allow(clippy::cast_possible_truncation)]
                let start = (rand() % u64::from(top)) as u32;
                #[allow(clippy::cast_possible_truncation)]
                let freq = 1 + (rand() % u64::from(top - start)) as u32;
                enc.encode_freq(start, freq, p).unwrap();
                coded.push((start, freq));
            }
            let bytes = enc.finish();
            let mut dec = RangeDecoder::new(&bytes);
            for &(start, freq) in &coded {
                let t = dec.decode_target(p);
                for _ in 0..20 {
                    #[allow(clippy::cast_possible_truncation)]
                    let a = (rand() % u64::from(top)) as u32;
                    #[allow(clippy::cast_possible_truncation)]
                    let f = 1 + (rand() % u64::from(top - a)) as u32;
                    for (a, f) in [(a, f), (t, 1), (t, top - t), (0, t + 1), (t + 1, top - t)] {
                        if f == 0 || a + f > top {
                            continue;
                        }
                        let ok = a <= t && t < a + f;
                        assert_eq!(dec.clone().decode_interval(a, f, p).is_ok(), ok);
                    }
                }
                dec.decode_interval(start, freq, p).unwrap();
            }
            dec.finish().unwrap();
        }
    }
}
