//! A discretised logistic distribution over an integer range, as 16-bit cumulative frequencies
//! for a range coder: a window of bins around the mean, escapes for the tails.
//!
//! Given a mean `mu = mu_fp / 256`, a scale `s = 2^(ls_fp / 256)` and the valid values
//! `vmin..=vmax`:
//!
//! 1. **Bins.** `E = ls_fp >> 8` (floor), `j = max(0, E - 3)`: bins of `q = 2^j` values,
//!    `bin(v) = (v - vmin) >> j`, `nb = ((vmax - vmin) >> j) + 1` bins (the last may be partial).
//!    With `j > 0`, `s / q` is in `[8, 16)`, so a bin is a small part of the distribution's width.
//! 2. **Window.** Centre `c = clamp((mu_fp - 256 * vmin) >> (8 + j), 0, nb - 1)`; half-width
//!    `K = clamp(ceil(12 * s / q), 2, 255)` computed as
//!    `(12 * sq + 65535) >> 16` with `sq = s / q * 2^16` (see [`Logistic::new`]); bins
//!    `lo = max(0, c - K) ..= hi = min(nb - 1, c + K)`.
//! 3. **Symbols**, in order: an escape below (only if `lo > 0`), the bins `lo..=hi`, an escape
//!    above (only if `hi < nb - 1`); `n` symbols in all.
//! 4. **Model CDF.** Between bins `b - 1` and `b` the boundary value is `vmin + b * q - 1/2`; its
//!    CDF is [`logistic`](crate::fixed::logistic)`(z_fp)` with
//!    `z_fp = clamp(((256 * (vmin + b * q) - 128 - mu_fp) * X[F]) >> (E + 9), ±16 * 2^15)`,
//!    `F = ls_fp & 255`, `X = EXP2_NEG_FRAC` (so `z_fp = (boundary - mu) / s * 2^15`). The symbol
//!    boundaries are `B_0 = 0`, the boundaries between consecutive symbols (the escape below ends
//!    at bin `lo`'s lower boundary, the escape above starts at bin `hi + 1`'s), `B_n = 2^16`.
//! 5. **Cumulative frequencies** `cum_k = ((B_k * (2^16 - n)) >> 16) + k`: they sum to exactly
//!    `2^16` (precision 16) and every symbol has a frequency of at least 1.
//! 6. **Values within a symbol**, coded after it as equally likely bits: in a bin, the offset
//!    `(v - vmin) & (q - 1)` as `j` bits (a decoder refuses an offset past `vmax`); in an escape,
//!    `v - first` as `bitlen(count - 1)` bits, where `first..first + count` are the values the
//!    escape covers (a decoder refuses an index `>= count`).
//!
//! Everything is integer arithmetic, so encoder and decoder build the same frequencies on every
//! CPU.

use std::sync::LazyLock;

use crate::fixed::{Z_MAX_FP, logistic};
use crate::tables::EXP2_NEG_FRAC;

/// `logit((i + 1/2) / 1024) · 2^15` for the top 10 bits `i` of a target: where a target lies
/// on the logistic's axis, in units of the scale ([`Logistic::guess`]; speed only).
static LOGIT: LazyLock<[i32; 1024]> = LazyLock::new(|| {
    std::array::from_fn(|i| {
        #[allow(clippy::cast_precision_loss)]
        let p = (i as f64 + 0.5) / 1024.0;
        #[allow(clippy::cast_possible_truncation)]
        let z = ((p / (1.0 - p)).ln() * 32768.0).round() as i32;
        z
    })
});

/// Precision of the cumulative frequencies: they sum to `2^16`.
pub const PRECISION_BITS: u32 = 16;
/// Smallest `ls_fp` (scale `2^-4`); smaller values are raised to it.
pub const LS_MIN_FP: i32 = -4 * 256;
/// Largest `ls_fp` (scale `2^20`); larger values are lowered to it.
pub const LS_MAX_FP: i32 = 20 * 256;
/// Window half-width in scales (`K = ceil(WINDOW_SCALES * s / q)`).
pub const WINDOW_SCALES: u64 = 12;
/// Largest window half-width in bins.
pub const MAX_HALF_WIDTH: i64 = 255;

/// How a value is coded: one symbol of the 16-bit table, then `nbits` equally likely bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coded {
    /// cumulative frequency below the symbol
    pub start: u32,
    /// the symbol's frequency (`>= 1`)
    pub freq: u32,
    /// the value of the extra bits
    pub bits: u64,
    /// number of extra bits (`0..=40`)
    pub nbits: u32,
}

/// A symbol found from a decoded position: its interval, and how to turn the extra bits that
/// follow into the value ([`Logistic::value`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// symbol index
    pub symbol: u32,
    /// cumulative frequency below the symbol
    pub start: u32,
    /// the symbol's frequency
    pub freq: u32,
    /// number of extra bits that follow
    pub nbits: u32,
}

/// The discretised logistic of one sample (see the [module](self) docs).
#[derive(Clone, Copy, Debug)]
pub struct Logistic {
    mu_fp: i64,
    /// the scale `s · 2^16` (for [`Logistic::guess`] only)
    s16: i64,
    vmin: i64,
    vmax: i64,
    j: u32,
    /// `X[F]`
    x: i64,
    /// `E + 9` (at least 5)
    zshift: u32,
    lo: i64,
    hi: i64,
    esc_lo: bool,
    esc_hi: bool,
    n: u32,
}

impl Logistic {
    /// The distribution of mean `mu_fp / 256` and scale `2^(ls_fp / 256)` (`ls_fp` clamped to
    /// [`LS_MIN_FP`]`..=`[`LS_MAX_FP`]) over `vmin..=vmax` (`vmin <= vmax`, both within
    /// `±2^31`); `mu_fp` is clamped to the range.
    #[must_use]
    #[inline(always)]
    pub fn new(mu_fp: i64, ls_fp: i32, vmin: i64, vmax: i64) -> Self {
        debug_assert!(vmin <= vmax);
        let mu_fp = mu_fp.clamp(vmin * 256, vmax * 256);
        let ls = ls_fp.clamp(LS_MIN_FP, LS_MAX_FP);
        let e = ls >> 8;
        #[allow(clippy::cast_sign_loss)]
        let f = (ls & 255) as u32;
        #[allow(clippy::cast_sign_loss)]
        let j = (e - 3).max(0) as u32;
        // X[F] = exp2_neg_fp(F) (F < 256: no shift)
        let x = i64::from(EXP2_NEG_FRAC[f as usize]);
        #[allow(clippy::cast_sign_loss)]
        let zshift = (e + 9) as u32;
        let nb = ((vmax - vmin) >> j) + 1;
        let c = ((mu_fp - 256 * vmin) >> (8 + j)).clamp(0, nb - 1);
        // s / q * 2^16 = 2^(e - j + 1) * X[256 - f] (f > 0) or 2^(e - j) * 2^16 (f = 0), one
        // expression as X[256] = 2^15 (`exp2_neg_fp(256 - f)`, computed once for the window and
        // for `guess`)
        let y = EXP2_NEG_FRAC[256 - f as usize];
        // s · 2^16 = 2^(e + 1) · y, e + 1 in -3..=21
        let e1 = e + 1;
        let s16 = if e1 >= 0 {
            i64::from(y) << e1
        } else {
            i64::from(y) >> -e1
        };
        let sq = u64::from(y) << 1;
        let sq = if e >= 0 {
            #[allow(clippy::cast_sign_loss)]
            let up = (e as u32) - j;
            sq << up
        } else {
            sq >> e.unsigned_abs()
        };
        #[allow(clippy::cast_possible_wrap)]
        let k = (((WINDOW_SCALES * sq + 65535) >> 16) as i64).clamp(2, MAX_HALF_WIDTH);
        let lo = (c - k).max(0);
        let hi = (c + k).min(nb - 1);
        let esc_lo = lo > 0;
        let esc_hi = hi < nb - 1;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = (hi - lo + 1) as u32 + u32::from(esc_lo) + u32::from(esc_hi);
        Self {
            mu_fp,
            s16,
            vmin,
            vmax,
            j,
            x,
            zshift,
            lo,
            hi,
            esc_lo,
            esc_hi,
            n,
        }
    }

    /// Number of symbols of the table.
    #[must_use]
    pub const fn symbols(&self) -> u32 {
        self.n
    }

    /// The model CDF (`0..=2^16`) at the lower boundary of bin `b`.
    #[inline(always)]
    fn bin_cdf(&self, b: i64) -> u32 {
        let diff = 256 * (self.vmin + (b << self.j)) - 128 - self.mu_fp;
        let z = ((diff * self.x) >> self.zshift).clamp(-Z_MAX_FP, Z_MAX_FP);
        logistic(z)
    }

    /// The model CDF at symbol boundary `k` (`0..=n`).
    #[inline(always)]
    fn boundary(&self, k: u32) -> u32 {
        if k == 0 {
            return 0;
        }
        if k == self.n {
            return 1 << 16;
        }
        // symbol k starts at bin lo + k - esc_lo
        self.bin_cdf(self.lo + i64::from(k) - i64::from(self.esc_lo))
    }

    /// Cumulative frequency below symbol `k` (`0..=n`).
    #[inline(always)]
    #[must_use]
    pub fn cum(&self, k: u32) -> u32 {
        #[allow(clippy::cast_possible_truncation)]
        let scaled = ((u64::from(self.boundary(k)) * u64::from((1 << 16) - self.n)) >> 16) as u32;
        scaled + k
    }

    /// The symbol, interval and extra bits of value `v` (`vmin..=vmax`, checked by the caller).
    #[must_use]
    #[inline(always)]
    pub fn code(&self, v: i64) -> Coded {
        debug_assert!((self.vmin..=self.vmax).contains(&v));
        let b = (v - self.vmin) >> self.j;
        let (k, bits, nbits) = if b < self.lo {
            let count = (self.lo << self.j) as u64;
            (0, (v - self.vmin) as u64, bitlen(count - 1))
        } else if b > self.hi {
            let first = self.vmin + ((self.hi + 1) << self.j);
            let count = (self.vmax - first + 1) as u64;
            (self.n - 1, (v - first) as u64, bitlen(count - 1))
        } else {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let k = (b - self.lo) as u32 + u32::from(self.esc_lo);
            let offset = ((v - self.vmin) & ((1 << self.j) - 1)) as u64;
            (k, offset, self.j)
        };
        let start = self.cum(k);
        Coded {
            start,
            freq: self.cum(k + 1) - start,
            bits,
            nbits,
        }
    }

    /// Where the value of `target` (`0..2^16`) lies, approximately: `round(mu + s ·
    /// logit((target + 1/2) / 2^16))` from a 1024-entry table of the logit, within
    /// `vmin..=vmax`. A starting point for [`walk`](Self::walk), which checks every interval
    /// exactly: the guess affects how many steps the walk takes, never the value found (so the
    /// table, built with floating point once, is not part of any format).
    #[must_use]
    #[inline(always)]
    pub fn guess(&self, target: u32) -> i64 {
        let z = i64::from(LOGIT[(target >> (PRECISION_BITS - 10)) as usize & 1023]);
        // z · s: 15 + 16 fractional bits, to 8
        let d = (z * self.s16) >> 23;
        ((self.mu_fp + d + 128) >> 8).clamp(self.vmin, self.vmax)
    }

    /// The value whose interval holds `target` (what [`find`](Self::find) and
    /// [`value`](Self::value) give) with its interval `(value, start, freq)`, found by walking
    /// from `guess` one value at a time while each value is a symbol of its own (bins of one
    /// value inside the window): up to `checks` intervals, each step computing one more
    /// cumulative frequency. `None` if the walk would leave those symbols or needs more checks
    /// (then use [`find`](Self::find)); most values of a good model lie next to the mean.
    #[must_use]
    #[inline(always)]
    pub fn walk(&self, guess: i64, target: u32, checks: u32) -> Option<(i64, u32, u32)> {
        if self.j != 0 {
            return None;
        }
        let mut b = guess - self.vmin;
        if b < self.lo || b > self.hi {
            return None;
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let mut k = (b - self.lo) as u32 + u32::from(self.esc_lo);
        let mut start = self.cum(k);
        let mut end = self.cum(k + 1);
        for _ in 0..checks {
            if target < start {
                if b == self.lo {
                    return None;
                }
                (b, k, end) = (b - 1, k - 1, start);
                start = self.cum(k);
            } else if target >= end {
                if b == self.hi {
                    return None;
                }
                (b, k, start) = (b + 1, k + 1, end);
                end = self.cum(k + 1);
            } else {
                return Some((self.vmin + b, start, end - start));
            }
        }
        None
    }

    /// The symbol whose interval holds `target` (`0..2^16`), by binary search over the
    /// cumulative frequencies.
    #[must_use]
    #[inline(always)]
    pub fn find(&self, target: u32) -> Found {
        // largest k with cum(k) <= target; cum(0) = 0 <= target
        let (mut lo, mut hi) = (0u32, self.n);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.cum(mid) <= target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let start = self.cum(lo);
        let nbits = if self.esc_lo && lo == 0 {
            bitlen(((self.lo << self.j) as u64) - 1)
        } else if self.esc_hi && lo == self.n - 1 {
            let first = self.vmin + ((self.hi + 1) << self.j);
            bitlen((self.vmax - first) as u64)
        } else {
            self.j
        };
        Found {
            symbol: lo,
            start,
            freq: self.cum(lo + 1) - start,
            nbits,
        }
    }

    /// The value of symbol `found` with extra bits `bits`, or `None` if the bits point past the
    /// values the symbol covers (corrupt data).
    #[must_use]
    #[inline(always)]
    pub fn value(&self, found: &Found, bits: u64) -> Option<i64> {
        let k = found.symbol;
        let v = if self.esc_lo && k == 0 {
            let count = (self.lo << self.j) as u64;
            if bits >= count {
                return None;
            }
            self.vmin + bits as i64
        } else if self.esc_hi && k == self.n - 1 {
            let first = self.vmin + ((self.hi + 1) << self.j);
            first + bits as i64
        } else {
            let b = self.lo + i64::from(k) - i64::from(self.esc_lo);
            self.vmin + (b << self.j) + bits as i64
        };
        (v <= self.vmax).then_some(v)
    }
}

/// Number of significant bits of `v` (0 for 0).
#[inline(always)]
#[must_use]
pub const fn bitlen(v: u64) -> u32 {
    64 - v.leading_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_table(l: &Logistic) {
        assert_eq!(l.cum(0), 0);
        assert_eq!(l.cum(l.symbols()), 1 << 16);
        for k in 0..l.symbols() {
            assert!(l.cum(k + 1) > l.cum(k), "symbol {k} has no frequency");
        }
    }

    #[test]
    fn every_value_codes_and_decodes() {
        for &(mu, ls, vmin, vmax) in &[
            (100 * 256 + 77, -300, 0, 255),
            (3 * 256, 0, 0, 255),
            (250 * 256, 700, 0, 255),
            (0, 1000, -300, 300),
            (40_000 * 256, 3000, 0, 65535),
            (17, LS_MIN_FP, 5, 5),
            (9 * 256, 2000, 0, 11),
            (1000 * 256, 20 * 256, -(1 << 20), 1 << 20),
        ] {
            let l = Logistic::new(mu, ls, vmin, vmax);
            check_table(&l);
            let step = ((vmax - vmin) / 3000).max(1);
            let mut v = vmin;
            while v <= vmax {
                let c = l.code(v);
                assert!(c.freq >= 1 && c.start + c.freq <= 1 << 16);
                for t in [c.start, c.start + c.freq - 1, c.start + c.freq / 2] {
                    let f = l.find(t);
                    assert_eq!(
                        (f.start, f.freq, f.nbits),
                        (c.start, c.freq, c.nbits),
                        "{v}"
                    );
                    assert_eq!(l.value(&f, c.bits), Some(v));
                }
                v += step;
            }
        }
    }

    #[test]
    fn probabilities_follow_the_logistic() {
        // s = 2, mu = 10.25: P(10) = F(10.5) - F(9.5)
        let l = Logistic::new(10 * 256 + 64, 256, 0, 255);
        let c = l.code(10);
        let p = f64::from(c.freq) / 65536.0;
        let f = |x: f64| 1.0 / (1.0 + (-(x - 10.25) / 2.0).exp());
        let exact = f(10.5) - f(9.5);
        assert!((p - exact).abs() < 2e-3, "{p} vs {exact}");
    }

    /// `walk` from any guess finds what `find` finds, or gives up.
    #[test]
    fn walk_is_find() {
        for &(mu, ls, vmin, vmax) in &[
            (100 * 256 + 77, -300, 0, 255),
            (3 * 256, 0, 0, 255),
            (250 * 256 + 200, 300, 0, 255),
            (0, 500, -300, 300),
            (17, LS_MIN_FP, 5, 5),
            (9 * 256, 2000, 0, 11),
        ] {
            let l = Logistic::new(mu, ls, vmin, vmax);
            for target in (0..1u32 << 16).step_by(97) {
                let f = l.find(target);
                for guess in vmin.max(mu / 256 - 8)..=vmax.min(mu / 256 + 8) {
                    if let Some((v, start, freq)) = l.walk(guess, target, 6) {
                        assert_eq!((start, freq, f.nbits), (f.start, f.freq, 0));
                        assert_eq!(l.value(&f, 0), Some(v));
                    }
                }
            }
        }
    }

    #[test]
    fn out_of_range_extra_bits_are_refused() {
        let l = Logistic::new(5 * 256, 0, 0, 200);
        // the escape above covers 5 + K + 1 ..= 200
        let f = l.find((1 << 16) - 1);
        assert_eq!(f.symbol, l.symbols() - 1);
        assert!(l.value(&f, 1 << f.nbits).is_none() || f.nbits == 0);
        let last_ok = l.value(&f, 0).unwrap();
        assert!(l.value(&f, (200 - last_ok + 1) as u64).is_none());
    }

    /// The walk from the inverse-CDF guess finds the symbol the binary search finds, for every
    /// target of many distributions; and the guess is the decoded value most of the time (the
    /// reason for it).
    #[test]
    fn inverse_guess_walk_matches_find() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut walked, mut first, mut total) = (0u64, 0u64, 0u64);
        for _ in 0..300 {
            #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
            let (lo, span) = (-((rand() % 70_000) as i64), 1 + (rand() % 70_000) as i64);
            let hi = lo + span;
            #[allow(clippy::cast_possible_wrap)]
            let mu = 256 * lo + (rand() % (256 * span as u64 + 1)) as i64;
            #[allow(clippy::cast_possible_truncation)]
            let ls = -1100 + (rand() % 4000) as i32;
            let dist = Logistic::new(mu, ls, lo, hi);
            for target in (0..1u32 << 16).step_by(37) {
                total += 1;
                let guess = dist.guess(target);
                assert!((lo..=hi).contains(&guess));
                let Some((v, start, freq)) = dist.walk(guess, target, 6) else {
                    continue;
                };
                walked += 1;
                let f = dist.find(target);
                assert_eq!(
                    (start, freq),
                    (f.start, f.freq),
                    "{mu} {ls} {lo} {hi} {target}"
                );
                assert_eq!(Some(v), dist.value(&f, 0));
                if v == guess {
                    first += 1;
                }
            }
        }
        assert!(walked * 10 > total * 5, "{walked} of {total}");
        assert!(first * 10 > walked * 9, "{first} of {walked}");
    }
}
