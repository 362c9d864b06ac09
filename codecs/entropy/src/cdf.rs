//! Adaptive multi-symbol models (cumulative frequencies that adapt, as in AV1) and the rules for
//! cumulative-frequency tables handed to the coder.

use crate::EntropyError;

/// Precision of an [`AdaptiveCdf`]'s cumulative frequencies: they sum to `2^15`.
pub const CDF_PROB_BITS: u32 = 15;
const CDF_TOTAL: u32 = 1 << CDF_PROB_BITS;

/// Largest precision of a given CDF table ([`RangeEncoder::encode_cdf`](crate::RangeEncoder::encode_cdf)):
/// its frequencies sum to `2^precision_bits` with `precision_bits` in `1..=16`.
pub const MAX_PRECISION_BITS: u32 = 16;

/// An adaptive model of a symbol from an alphabet of `N` symbols (`2 <= N <= 64`): cumulative
/// frequencies summing to `2^15` that move towards each coded symbol, every symbol keeping a
/// frequency of at least 1.
///
/// The cumulative frequency below symbol `i` is `c[i] = m[i] + i`, where the *model values*
/// `m[0] = 0 <= m[1] <= … <= m[N] = 2^15 - N` adapt; the `+ i` gives every symbol at least one
/// unit (AV1 does the same with its `EC_MIN_PROB`). After coding symbol `s`, with
/// `rate = min(max_rate, warmup)`:
///
/// ```text
/// for i in 1..N:   if i <= s: m[i] -= m[i] >> rate
///                  else:      m[i] += (2^15 - N - m[i]) >> rate
/// warmup = floor(log2(count + 2)) + 1, count saturating at 255
/// ```
///
/// (the adaptation of the AV1 bitstream's CDFs, Rivaz & Haughton, *AV1 Bitstream & Decoding
/// Process Specification* §8.2.6, with a warm-up that follows a frequency count). Both maps are
/// monotone, so the `m[i]` stay ordered and every symbol's frequency `c[i+1] - c[i] >= 1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdaptiveCdf<const N: usize> {
    /// `c[i]` for `i` in `0..N` (`c[N] = 2^15` is implied).
    cum: [u16; N],
    count: u8,
    max_rate: u8,
}

impl<const N: usize> Default for AdaptiveCdf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> AdaptiveCdf<N> {
    const VALID: () = assert!(N >= 2 && N <= 64, "an AdaptiveCdf has 2 to 64 symbols");

    /// Default final adaptation rate: `4 + min(floor(log2 N), 3)` (5 for 2 symbols, 7 from 8).
    #[must_use]
    pub const fn default_rate() -> u8 {
        let l = (usize::BITS - 1 - N.leading_zeros()) as u8;
        4 + if l < 3 { l } else { 3 }
    }

    /// A model starting from the uniform distribution, with the default rate.
    #[must_use]
    pub fn new() -> Self {
        Self::from_frequencies(&[1; N], Self::default_rate())
    }

    /// A model starting from frequencies proportional to `freqs` (`N` non-negative values, not
    /// all zero; a missing or zero-sum table gives the uniform distribution), adapting with final
    /// rate `max_rate` (clamped to `1..=15`).
    #[must_use]
    pub fn from_frequencies(freqs: &[u32], max_rate: u8) -> Self {
        let () = Self::VALID;
        let free = u64::from(CDF_TOTAL) - N as u64;
        let total: u64 = freqs.iter().take(N).map(|&f| u64::from(f)).sum();
        let mut cum = [0u16; N];
        let mut acc = 0u64;
        for (i, c) in cum.iter_mut().enumerate() {
            let m = if total == 0 || freqs.len() < N {
                free * i as u64 / N as u64
            } else {
                free * acc / total
            };
            #[allow(clippy::cast_possible_truncation)]
            {
                *c = (m + i as u64) as u16;
            }
            if let Some(&f) = freqs.get(i) {
                acc += u64::from(f);
            }
        }
        Self {
            cum,
            count: 0,
            max_rate: max_rate.clamp(1, 15),
        }
    }

    /// The cumulative frequency below symbol `i` (`c[i]`, `0..=N`; `c[N] = 2^15`).
    #[inline(always)]
    #[must_use]
    pub fn cum(&self, i: usize) -> u32 {
        if i >= N {
            CDF_TOTAL
        } else {
            u32::from(self.cum[i])
        }
    }

    /// The symbol whose interval holds `target` (`0..2^15`; larger targets give the last symbol).
    #[inline(always)]
    pub(crate) fn find(&self, target: u32) -> usize {
        // Branch-free count of the cumulative frequencies at or below the target, over all N
        // lanes (c[0] = 0 is always counted, hence the - 1), in 16-bit lanes so that it
        // vectorises.
        #[allow(clippy::cast_possible_truncation)]
        let t = target.min(CDF_TOTAL - 1) as u16;
        let mut s = 0u16;
        for &c in &self.cum {
            s += u16::from(c <= t);
        }
        usize::from(s) - 1
    }

    /// Moves the model towards symbol `s` (what the coder does after coding it).
    #[inline(always)]
    pub fn update(&mut self, s: usize) {
        let w = 31 - (u32::from(self.count) + 2).leading_zeros() + 1;
        let rate = w.min(u32::from(self.max_rate));
        // c[i] = m[i] + i: moving m[i] down by m[i] >> rate is c[i] -= (c[i] - i) >> rate, up by
        // (2^15 - N - m[i]) >> rate is c[i] += (2^15 - N + i - c[i]) >> rate. Written over
        // all lanes in 16-bit arithmetic with a select (lane 0 has i = 0 <= s and stays 0;
        // 2^15 - N + i <= 2^15 - 1, so nothing overflows), so that it vectorises.
        #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
        let (s, top) = (s as i16, (CDF_TOTAL as usize - N) as i16);
        for (i, c) in self.cum.iter_mut().enumerate() {
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            let i = i as i16;
            #[allow(clippy::cast_possible_wrap)]
            let v = *c as i16;
            let down = v - ((v - i) >> rate);
            let up = v + ((top + i - v) >> rate);
            #[allow(clippy::cast_sign_loss)]
            {
                *c = if i <= s { down } else { up } as u16;
            }
        }
        self.count = self.count.saturating_add(1);
    }
}

/// Checks that `symbol` can be coded with the table `cdf` at `precision_bits`: `cdf` holds
/// `N + 1` entries (`N >= 1`), `cdf[0] = 0`, `cdf[N] = 2^precision_bits`, `precision_bits` in
/// `1..=16`, `symbol < N` and `cdf[symbol] < cdf[symbol + 1]` (the symbol has a nonzero
/// frequency). Returns `(start, freq)`.
pub(crate) fn checked_interval<C: Copy + Into<u32>>(
    symbol: usize,
    cdf: &[C],
    precision_bits: u32,
) -> Result<(u32, u32), EntropyError> {
    check_table_ends(cdf, precision_bits)?;
    if symbol + 1 >= cdf.len() {
        return Err(EntropyError::InvalidCdf(format!(
            "symbol {symbol} is outside a table of {} symbols",
            cdf.len() - 1
        )));
    }
    let start: u32 = cdf[symbol].into();
    let end: u32 = cdf[symbol + 1].into();
    if end <= start {
        return Err(EntropyError::InvalidCdf(format!(
            "symbol {symbol} has frequency zero or a decreasing table ({start} then {end}); every symbol must have a nonzero frequency"
        )));
    }
    Ok((start, end - start))
}

/// Checks the length, first and last entries of a given table and its precision.
pub(crate) fn check_table_ends<C: Copy + Into<u32>>(
    cdf: &[C],
    precision_bits: u32,
) -> Result<(), EntropyError> {
    if !(1..=MAX_PRECISION_BITS).contains(&precision_bits) {
        return Err(EntropyError::InvalidCdf(format!(
            "precision of {precision_bits} bits is outside 1..=16"
        )));
    }
    if cdf.len() < 2 {
        return Err(EntropyError::InvalidCdf(
            "a table needs at least 2 entries (one symbol)".into(),
        ));
    }
    let first: u32 = cdf[0].into();
    let last: u32 = cdf[cdf.len() - 1].into();
    if first != 0 || last != 1 << precision_bits {
        return Err(EntropyError::InvalidCdf(format!(
            "a table must start at 0 and end at 2^{precision_bits}, found {first} and {last}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapts_and_keeps_every_symbol() {
        let mut m = AdaptiveCdf::<8>::new();
        assert_eq!(m.cum(0), 0);
        assert_eq!(m.cum(8), 32768);
        for _ in 0..10_000 {
            m.update(3);
        }
        for i in 0..8 {
            assert!(m.cum(i + 1) > m.cum(i), "{i}");
        }
        // the shifts stop short of the target: at rate 7 each side keeps about 2^7 units
        assert!(m.cum(4) - m.cum(3) > 32768 - 300);
        assert_eq!(m.find(0), 0);
        assert_eq!(m.find(m.cum(3)), 3);
        assert_eq!(m.find(m.cum(4) - 1), 3);
        assert_eq!(m.find(40_000), 7);
        let f = AdaptiveCdf::<4>::from_frequencies(&[3, 1, 0, 4], 5);
        assert_eq!(f.cum(1), (32764 * 3 / 8) + 1);
        assert_eq!(f.cum(3) - f.cum(2), 1);
    }
}
