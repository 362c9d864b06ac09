//! Online correction of the networks' distribution, per band: encoder and decoder update the
//! same integer state after every sample, in coding order, so the model follows an image unlike
//! the training set (the scheme `pixel_mlp` uses per stream, here per band). Models 1 and 2
//! correct the scale ([`Adapt`]); model 3 also the mean, per neighbour pattern ([`Adapt3`]).
//!
//! ## Models 1 and 2
//!
//! Contexts `k = 16 · min(c, 2) + clamp((ls_fp + 512) >> 8, 0, 15)` (channel kind × octave of the
//! predicted scale); each holds `bias`, `dev`, `pred` and `count`, all 0 at the start of a band
//! (64-bit signed arithmetic):
//!
//! ```text
//! before: count < 16:  ls' = ls_fp
//!         otherwise:   ls' = ls_fp + clamp(log2_fp(max(dev, 1)) − log2_fp(max(pred, 1)), −768, 768)
//!         (the mean is the network's, mu_fp)
//! after (v the sample's value):
//!         err    = (256 · v − mu_fp) · 16
//!         bias  += (err − bias) >> 6
//!         dev   += (|err − bias| − dev) >> 6            (with the updated bias)
//!         pred  += (((scale16(ls_fp) · 355) >> 8) − pred) >> 6
//!         count += 1
//! scale16(ls) = (exp2_neg_fp(256 − f) << (e + 1)) >> 16,  t = clamp(ls + 3072, 0, 6400),
//!               e = t >> 8, f = t & 255                  (= 2^(ls / 256) · 2^12)
//! ```
//!
//! `dev / pred` compares the running mean absolute error with the one the logistic predicts
//! (`2 ln 2 · s`, `355 / 256`), `bias` being the running mean error. Chosen on images-train (code
//! length of every image): the rate `2^-6` (of `2^-4 … 2^-7`, `2^-6` and `2^-7` best, `2^-6` losing
//! less on the most compressible images); correcting the mean by `bias` too cost bits on every
//! image, so only the scale is corrected (with these 48 coarse contexts; model 3's bias per
//! neighbour pattern and sign pays). Against no correction: −0.6 % bits on average over
//! images-train (−4 % on the astronomical image and the motion-blurred photo, +9 % on the
//! near-constant cell image, 0.67 → 0.73 bpsp; −5.0 % on the astronaut photo).

use ndcodecs_learned::fixed::{exp2_neg_fp, log2_fp};

use crate::model::Core;

const OCTAVES: usize = 16;
/// Number of contexts of a band.
pub const CONTEXTS: usize = 3 * OCTAVES;

/// The state of one band.
#[derive(Clone, Debug)]
pub struct Adapt {
    st: [[i64; 4]; CONTEXTS],
}

impl Default for Adapt {
    fn default() -> Self {
        Self {
            st: [[0; 4]; CONTEXTS],
        }
    }
}

/// `2^(ls / 256) · 2^12`.
#[inline(always)]
fn scale16(ls: i32) -> i64 {
    let t = (ls + 3072).clamp(0, 6400);
    #[allow(clippy::cast_sign_loss)]
    let (e, f) = ((t >> 8) as u32, (t & 255) as u32);
    #[allow(clippy::cast_possible_wrap)]
    {
        ((u64::from(exp2_neg_fp(256 - f)) << (e + 1)) >> 16) as i64
    }
}

impl Adapt {
    /// The context of channel `c` at a predicted log2 scale `ls_fp`.
    #[inline(always)]
    #[must_use]
    pub fn context(c: usize, ls_fp: i32) -> usize {
        #[allow(clippy::cast_sign_loss)]
        let oct = ((ls_fp + 512) >> 8).clamp(0, OCTAVES as i32 - 1) as usize;
        c.min(2) * OCTAVES + oct
    }

    /// The corrected `ls_fp` of context `k`.
    #[inline(always)]
    #[must_use]
    pub fn before(&self, k: usize, ls_fp: i32) -> i32 {
        let [_, dev, pred, count] = self.st[k];
        if count < 16 {
            return ls_fp;
        }
        #[allow(clippy::cast_sign_loss)]
        let corr = log2_fp(dev.max(1) as u64) - log2_fp(pred.max(1) as u64);
        ls_fp + corr.clamp(-768, 768)
    }

    /// Updates context `k` with the value `v` a sample of network parameters
    /// `(mu_fp, ls_fp)` had.
    #[inline(always)]
    pub fn after(&mut self, k: usize, v: i32, mu_fp: i64, ls_fp: i32) {
        let s = &mut self.st[k];
        let err = (256 * i64::from(v) - mu_fp) * 16;
        s[0] += (err - s[0]) >> 6;
        s[1] += ((err - s[0]).abs() - s[1]) >> 6;
        s[2] += (((scale16(ls_fp) * 355) >> 8) - s[2]) >> 6;
        s[3] += 1;
    }
}

/// A band's online correction of the network's `(mu_fp, ls_fp)`: [`Correct::before`] gives
/// the parameters the sample is coded with, [`Correct::after`] learns from its value.
pub trait Correct {
    /// The context(s) a sample's correction uses.
    type Ctx: Copy;

    /// The state at the start of a band of `channels` channels.
    fn new(channels: usize) -> Self;

    /// The contexts of a sample of channel `c` with statistics `k` and network parameters
    /// `(mu_fp, ls_fp)`, and the corrected `(mu_fp, ls_fp)` it is coded with.
    fn before(&self, c: usize, k: &Core, mu_fp: i64, ls_fp: i32) -> (Self::Ctx, i64, i32);

    /// Updates the contexts `ctx` with the value `v` of a sample of network parameters
    /// `(mu_fp, ls_fp)`.
    fn after(&mut self, ctx: Self::Ctx, v: i32, mu_fp: i64, ls_fp: i32);
}

impl Correct for Adapt {
    type Ctx = usize;

    fn new(_channels: usize) -> Self {
        Self::default()
    }

    #[inline(always)]
    fn before(&self, c: usize, _k: &Core, mu_fp: i64, ls_fp: i32) -> (usize, i64, i32) {
        let k = Self::context(c, ls_fp);
        (k, mu_fp, Adapt::before(self, k, ls_fp))
    }

    #[inline(always)]
    fn after(&mut self, k: usize, v: i32, mu_fp: i64, ls_fp: i32) {
        Adapt::after(self, k, v, mu_fp, ls_fp);
    }
}

/// Number of bias contexts per scale context of model 3: 16 neighbour patterns × 3 signs.
const PATTERNS: usize = 48;

/// Model 3's state of one band: per scale context `k` (as [`Adapt::context`]) `dev`, `pred`,
/// `count`; per bias context `kb = 48 k + 3 P + (s + 1)` a `bias`, with `P` the pattern of the
/// nearest four neighbours ([`Core::pat`]: bit `i` set when neighbour `i` lies above the anchor
/// `a`) and `s` the sign of the network's mean offset `mu_fp − 256 a`. All 0 at the band's start
/// (64-bit signed arithmetic):
///
/// ```text
/// before: mu' = mu_fp + (bias[kb] >> 4)
///         ls' = ls_fp                                                      if count[k] < 16
///         ls' = ls_fp + clamp(log2_fp(max(dev[k], 1)) − log2_fp(max(pred[k], 1)), −768, 768)
/// after (v the sample's value, mu_fp and ls_fp the network's):
///         err       = (256 · v − mu_fp) · 16
///         bias[kb] += (err − bias[kb]) >> 6
///         dev[k]   += (|err − bias[kb]| − dev[k]) >> 6        (with the updated bias[kb])
///         pred[k]  += (((scale16(ls_fp) · 355) >> 8) − pred[k]) >> 6
///         count[k] += 1
/// ```
///
/// The bias cancellation of CALIC (Wu & Memon 1997) and LOCO-I / JPEG-LS (Weinberger et al.
/// 2000) over the network's mean, per local shape, as `pixel_mlp`'s model 2 does. Chosen on
/// images-train (`training/README.md`, "Choosing model 3"): against model 2's correction with the
/// same networks, −0.35 % bits on the images held out from a training run, −0.7 % in geometric
/// mean over images-train.
#[derive(Clone, Debug)]
pub struct Adapt3 {
    /// `dev`, `pred`, `count` per scale context (a power of two of them, so that an index
    /// masked to the table needs no bounds check)
    sc: [[i64; 3]; 64],
    /// `bias` per bias context of the band's channel kinds (16 · 48 per kind: a band of
    /// one channel clears a third of the table of three)
    bias: Vec<i64>,
}

impl Adapt3 {
    /// The bias context of scale context `k`, pattern `pat` and mean offset `mu_fp − 256 a`.
    #[inline(always)]
    #[must_use]
    pub fn bias_context(k: usize, pat: u8, offset: i64) -> usize {
        #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
        let s = (offset.signum() + 1) as usize;
        k * PATTERNS + 3 * usize::from(pat & 15) + s
    }
}

impl Correct for Adapt3 {
    type Ctx = (usize, usize);

    fn new(channels: usize) -> Self {
        Self {
            sc: [[0; 3]; 64],
            bias: vec![0; OCTAVES * channels.clamp(1, 3) * PATTERNS],
        }
    }

    #[inline(always)]
    fn before(&self, c: usize, k: &Core, mu_fp: i64, ls_fp: i32) -> ((usize, usize), i64, i32) {
        let ks = Adapt::context(c, ls_fp);
        let kb = Self::bias_context(ks, k.pat, mu_fp - 256 * k.a);
        let mu = mu_fp + (self.bias[kb] >> 4);
        let [dev, pred, count] = self.sc[ks & 63];
        if count < 16 {
            return ((ks, kb), mu, ls_fp);
        }
        #[allow(clippy::cast_sign_loss)]
        let corr = log2_fp(dev.max(1) as u64) - log2_fp(pred.max(1) as u64);
        ((ks, kb), mu, ls_fp + corr.clamp(-768, 768))
    }

    #[inline(always)]
    fn after(&mut self, (ks, kb): (usize, usize), v: i32, mu_fp: i64, ls_fp: i32) {
        let err = (256 * i64::from(v) - mu_fp) * 16;
        let b = &mut self.bias[kb];
        *b += (err - *b) >> 6;
        let b = *b;
        let s = &mut self.sc[ks & 63];
        s[0] += ((err - b).abs() - s[0]) >> 6;
        s[1] += (((scale16(ls_fp) * 355) >> 8) - s[1]) >> 6;
        s[2] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_table() {
        assert_eq!(scale16(0), 4096);
        assert_eq!(scale16(256), 8192);
        assert_eq!(scale16(-256), 2048);
        let s = scale16(128) as f64;
        assert!((s - 4096.0 * 2f64.sqrt()).abs() < 2.0, "{s}");
    }

    #[test]
    fn follows_a_wider_error() {
        let mut a = Adapt::default();
        let k = Adapt::context(0, 256);
        for i in 0..200 {
            // errors of ±8 values where the network predicts a scale of 2
            let v = if i % 2 == 0 { 108 } else { 92 };
            a.after(k, v, 100 * 256, 256);
        }
        let ls = a.before(k, 256);
        assert!(ls > 256 + 256, "{ls}");
    }

    #[test]
    fn model3_cancels_a_bias_per_pattern() {
        let mut a = Adapt3::new(1);
        let above = Core {
            a: 100,
            pat: 0b0011,
            ..Core::default()
        };
        let below = Core {
            pat: 0b1100,
            ..above
        };
        // the network predicts 100 for both patterns; the values are 104 above, 97 below
        for _ in 0..1000 {
            for (k, v) in [(&above, 104), (&below, 97)] {
                let (ctx, _, _) = Correct::before(&a, 0, k, 100 * 256, 256);
                Correct::after(&mut a, ctx, v, 100 * 256, 256);
            }
        }
        let (_, mu_above, _) = Correct::before(&a, 0, &above, 100 * 256, 256);
        let (_, mu_below, _) = Correct::before(&a, 0, &below, 100 * 256, 256);
        assert!((mu_above - 104 * 256).abs() < 8, "{mu_above}");
        assert!((mu_below - 97 * 256).abs() < 8, "{mu_below}");
        // another sign of the network's offset is another context: no correction yet
        let (_, mu, _) = Correct::before(&a, 0, &above, 101 * 256, 256);
        assert_eq!(mu, 101 * 256);
        // and models 1 and 2 never move the mean
        let b = <Adapt as Correct>::new(1);
        assert_eq!(Correct::before(&b, 0, &above, 100 * 256, 256).1, 100 * 256);
    }

    #[test]
    fn bias_contexts_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for k in 0..CONTEXTS {
            for pat in 0..16u8 {
                for off in [-5i64, 0, 7] {
                    let kb = Adapt3::bias_context(k, pat, off);
                    assert!(kb < CONTEXTS * PATTERNS);
                    assert!(seen.insert(kb));
                }
            }
        }
    }
}
