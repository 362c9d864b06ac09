//! Adaptive binary models: two probability estimates updated by shifts at two rates and mixed.

use std::hint::select_unpredictable;

/// Precision of the probability a binary model hands the coder: `p0` is in units of `2^-16`.
pub const BIT_PROB_BITS: u32 = 16;
/// Precision of the two internal estimates (units of `2^-24`).
const STATE_BITS: u32 = 24;
const STATE_ONE: u32 = 1 << STATE_BITS;

/// An adaptive model of one binary decision (a *bin*, in CABAC's terms): the probability that
/// the bit is 0, learnt from the bits coded with it.
///
/// Two estimates of `P(bit = 0)` (24-bit fixed point) move towards each coded bit, one fast
/// (`p += (target - p) >> fast_rate`) and one slow (`>> slow_rate`); the coder uses their mean. A
/// fast estimate follows changes in the statistics, a slow one is precise once they settle; the
/// mean does both (the two-rate estimator of H.266/VVC's CABAC, JVET-K0244, and of AV2's
/// research models). For the first updates both rates start at 1 and grow with the number of
/// bits seen (`rate = min(rate, floor(log2(count + 2)))`), so a fresh model learns as fast as a
/// frequency count (Krichevsky–Trofimov-like) instead of creeping from its initial value.
///
/// Exact arithmetic (part of every format that uses it, see `specs/entropy/README.md`):
///
/// ```text
/// p0      = clamp((fast + slow) >> 9, 1, 65535)            probability of 0, units 2^-16
/// update(bit), with w = floor(log2(count + 2)):
///   rf = min(fast_rate, w), rs = min(slow_rate, w)
///   if bit == 0: fast += (2^24 - fast) >> rf;  slow += (2^24 - slow) >> rs
///   else:        fast -= fast >> rf;           slow -= slow >> rs
///   count = min(count + 1, 65535)
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinaryModel {
    fast: u32,
    slow: u32,
    count: u16,
    fast_rate: u8,
    slow_rate: u8,
}

/// `floor(log2(count + 2))` for `count` in `0..=65535`, at most 16.
#[inline(always)]
const fn warmup_rate(count: u16) -> u32 {
    31 - (count as u32 + 2).leading_zeros()
}

impl Default for BinaryModel {
    fn default() -> Self {
        Self::new()
    }
}

impl BinaryModel {
    /// Default fast rate (the fast estimate moves by 1/32 of the way per bit).
    pub const DEFAULT_FAST_RATE: u8 = 5;
    /// Default slow rate (1/256 of the way per bit).
    pub const DEFAULT_SLOW_RATE: u8 = 8;

    /// A model starting at `P(0) = 1/2` with the default rates (5 and 8).
    #[must_use]
    pub const fn new() -> Self {
        Self::with_rates(1 << 15, Self::DEFAULT_FAST_RATE, Self::DEFAULT_SLOW_RATE)
    }

    /// A model starting at `P(0) = p0 / 2^16` (`p0` is clamped to `1..=65535`) with the given
    /// shift rates (each clamped to `1..=15`; the fast one is usually the smaller).
    #[must_use]
    pub const fn with_rates(p0: u16, fast_rate: u8, slow_rate: u8) -> Self {
        let p0 = if p0 == 0 { 1 } else { p0 as u32 };
        let state = p0 << (STATE_BITS - BIT_PROB_BITS);
        Self {
            fast: state,
            slow: state,
            count: 0,
            fast_rate: clamp_rate(fast_rate),
            slow_rate: clamp_rate(slow_rate),
        }
    }

    /// The probability that the next bit is 0, in units of `2^-16` (`1..=65535`).
    #[inline(always)]
    #[must_use]
    pub const fn p0(&self) -> u32 {
        let p = (self.fast + self.slow) >> (STATE_BITS + 1 - BIT_PROB_BITS);
        if p < 1 {
            1
        } else if p > 65535 {
            65535
        } else {
            p
        }
    }

    /// Moves the model towards `bit` (what the coder does after coding a bit with it).
    #[inline(always)]
    pub fn update(&mut self, bit: bool) {
        let w = warmup_rate(self.count);
        let rf = w.min(self.fast_rate as u32);
        let rs = w.min(self.slow_rate as u32);
        // both moves, then selects rather than a branch on a bit that may be near 1/2
        let (fast, slow) = (self.fast, self.slow);
        self.fast =
            select_unpredictable(bit, fast - (fast >> rf), fast + ((STATE_ONE - fast) >> rf));
        self.slow =
            select_unpredictable(bit, slow - (slow >> rs), slow + ((STATE_ONE - slow) >> rs));
        self.count = self.count.saturating_add(1);
    }
}

const fn clamp_rate(r: u8) -> u8 {
    if r < 1 {
        1
    } else if r > 15 {
        15
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_and_stays_in_range() {
        let mut m = BinaryModel::new();
        assert_eq!(m.p0(), 32768);
        for _ in 0..100_000 {
            m.update(false);
        }
        assert_eq!(m.p0(), 65535);
        for _ in 0..100_000 {
            m.update(true);
        }
        assert_eq!(m.p0(), 1);
        // a fresh model follows a frequency count at first
        let mut m = BinaryModel::new();
        m.update(true);
        assert_eq!(m.p0(), 16384);
        assert_eq!(warmup_rate(0), 1);
        assert_eq!(warmup_rate(2), 2);
        assert_eq!(warmup_rate(255), 8);
        assert_eq!(warmup_rate(65535), 16);
    }
}
