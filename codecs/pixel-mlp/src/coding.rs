//! The per-sample model shared by encoder and decoder: which network and conditioning planes a
//! sample uses, its features, and its discretised logistic.

use ndcodecs_learned::Logistic;

use crate::context::{
    COND_FEATURES, MAX_FEATURES, OWN_FEATURES, PlaneRead, Strided, cond_features, distribution,
    neighbours, own_features,
};
pub use crate::context::{TAPS, Taps, error_taps};
use crate::format::{Header, Layout};
use crate::model::Model;

/// Where the samples of the chunk are and how the planes are laid out in them (C order).
#[derive(Clone, Copy, Debug)]
pub struct Geometry<'h> {
    /// the chunk's header
    pub header: &'h Header,
}

impl Geometry<'_> {
    /// Index of sample `(z, y, x, c)` in the C-order buffer.
    #[inline(always)]
    #[must_use]
    pub fn index(&self, z: usize, y: usize, x: usize, c: usize) -> usize {
        let h = self.header;
        ((z * h.height + y) * h.width + x) * h.channels + c
    }

    /// The plane of slice `z`, channel `c` over `data`.
    #[inline(always)]
    pub fn plane<'d, S>(&self, data: &'d [S], z: usize, c: usize) -> Strided<'d, S> {
        let h = self.header;
        Strided {
            data,
            offset: self.index(z, 0, 0, c),
            width: h.width,
            step: h.channels,
        }
    }

    /// `(vmin, vmax)` of channel `c`.
    #[inline(always)]
    #[must_use]
    pub fn range(&self, c: usize) -> (i64, i64) {
        self.header.ranges[if self.header.layout == Layout::Channels {
            c
        } else {
            0
        }]
    }
}

/// The network's distribution of a sample before adaptation.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// mean * 256
    pub mu_fp: i64,
    /// log2 scale * 256
    pub ls_fp: i32,
    /// the network used
    pub net: usize,
    /// smallest value of the plane
    pub vmin: i64,
    /// largest value of the plane
    pub vmax: i64,
    /// the neighbours above the anchor: `[W > a] + 2 [N > a] + 4 [NW > a] + 8 [NE > a] +
    /// 16 [NN > a] + 32 [WW > a]` (model 2's bias contexts)
    pub pattern: usize,
}

/// [`Params`] less what the plane gives (`vmin`, `vmax`), in 8 bytes: what the encoder keeps of
/// every sample between its network pass and its streams (model 3).
#[derive(Clone, Copy, Debug, Default)]
pub struct PackedParams {
    mu_fp: i32,
    ls_fp: i16,
    net: u8,
    pattern: u8,
}

impl PackedParams {
    /// Packs `p`: `|mu_fp| < 2^26` (`256 |a|` with `|a| <= 2^17`, plus at most
    /// `8191 d / 1024` with `d < 2^21`) and `ls_fp` in `-2560..=5632` (`log2_fp(d) <= 21 * 256`),
    /// so nothing is lost.
    #[inline(always)]
    #[must_use]
    pub fn new(p: &Params) -> Self {
        #[allow(clippy::cast_possible_truncation)]
        Self {
            mu_fp: p.mu_fp as i32,
            ls_fp: p.ls_fp as i16,
            net: p.net as u8,
            pattern: p.pattern as u8,
        }
    }

    /// The parameters again, in a plane of values `vmin..=vmax`.
    #[inline(always)]
    #[must_use]
    pub fn unpack(&self, vmin: i64, vmax: i64) -> Params {
        Params {
            mu_fp: i64::from(self.mu_fp),
            ls_fp: i32::from(self.ls_fp),
            net: usize::from(self.net),
            vmin,
            vmax,
            pattern: usize::from(self.pattern),
        }
    }
}

impl Params {
    /// The sample's *network error* `256 v - clamp(mu_fp, 256 vmin, 256 vmax)` (model 3's
    /// error plane; at most `256 (vmax - vmin)` in size, so it fits an `i32`).
    #[inline(always)]
    #[must_use]
    pub fn network_error(&self, v: i64) -> i32 {
        let e = 256 * v - self.mu_fp.clamp(256 * self.vmin, 256 * self.vmax);
        #[allow(clippy::cast_possible_truncation)]
        {
            e as i32
        }
    }

    /// The discretised logistic without adaptation.
    #[inline(always)]
    #[must_use]
    pub fn logistic(&self) -> Logistic {
        Logistic::new(self.mu_fp, self.ls_fp, self.vmin, self.vmax)
    }
}

/// The discretised logistic of sample `(z, y, x, c)` given the samples before it in `data`.
#[inline(always)]
pub fn sample_distribution<S>(
    model: &Model,
    g: &Geometry<'_>,
    data: &[S],
    z: usize,
    y: usize,
    x: usize,
    c: usize,
) -> Logistic
where
    for<'d> Strided<'d, S>: PlaneRead,
{
    sample_params(model, g, data, z, y, x, c).logistic()
}

/// The network's parameters of sample `(z, y, x, c)` given the samples before it in `data`.
#[inline(always)]
pub fn sample_params<S>(
    model: &Model,
    g: &Geometry<'_>,
    data: &[S],
    z: usize,
    y: usize,
    x: usize,
    c: usize,
) -> Params
where
    for<'d> Strided<'d, S>: PlaneRead,
{
    let h = g.header;
    let (vmin, vmax) = g.range(c);
    let mid = (vmin + vmax) >> 1;
    let own = g.plane(data, z, c);
    let nb = neighbours(&own, y, x, h.width, mid);
    let mut f = [0i16; MAX_FEATURES];
    let anchor = own_features(&nb, vmin, vmax, &mut f[..OWN_FEATURES]);
    let mut n_in = OWN_FEATURES;
    let net = match h.layout {
        Layout::Image => 0,
        Layout::Channels => {
            for k in 1..=c.min(2) {
                let q = g.plane(data, z, c - k);
                cond_features(
                    &q,
                    y,
                    x,
                    h.width,
                    mid,
                    anchor.inv,
                    &mut f[n_in..n_in + COND_FEATURES],
                );
                n_in += COND_FEATURES;
            }
            c.min(2)
        }
        Layout::Volume => {
            if z == 0 {
                0
            } else {
                let q = g.plane(data, z - 1, 0);
                cond_features(
                    &q,
                    y,
                    x,
                    h.width,
                    mid,
                    anchor.inv,
                    &mut f[n_in..n_in + COND_FEATURES],
                );
                n_in += COND_FEATURES;
                3
            }
        }
    };
    let mut o = [0i32; 2];
    model.nets[net].forward(&f[..n_in], &mut o);
    let (mu_fp, ls_fp) = distribution(&o, &anchor);
    let above = |j: usize| usize::from(nb[j] > anchor.a);
    let pattern =
        above(0) + 2 * above(4) + 4 * above(3) + 8 * above(5) + 16 * above(9) + 32 * above(1);
    Params {
        mu_fp,
        ls_fp,
        net,
        vmin,
        vmax,
        pattern,
    }
}

/// Which online correction a model uses (`specs/pixel_mlp/README.md`, "Adaptation"). Model 2's
/// per-pattern bias is the bias cancellation of CALIC (Wu & Memon, IEEE Trans. Commun. 1997) and
/// LOCO-I / JPEG-LS (Weinberger, Seroussi & Sapiro, IEEE Trans. Image Process. 2000) applied to
/// the network's prediction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adaptation {
    /// model 1: bias and scale per network x octave of the predicted scale
    Octave,
    /// model 2: scale per network x octave, bias per network x octave x neighbour pattern (64),
    /// the scale measured around the corrected mean, corrections from the first sample on
    OctavePattern,
    /// model 3: model 2's, and an error-feedback term on the mean: an 8-tap normalised LMS
    /// filter per network x octave over the network errors of the causal neighbours (W, N, NW,
    /// NE, WW, NN, NWW, NEE), applied while it has lowered the mean absolute error recently
    OctavePatternLms,
}

impl Adaptation {
    /// Whether the adaptation reads the network errors of the neighbours ([`error_taps`]).
    #[inline(always)]
    #[must_use]
    pub const fn uses_taps(self) -> bool {
        matches!(self, Self::OctavePatternLms)
    }
}

/// What [`Adapt::prepare`] computed of a sample for [`Adapt::update_prepared`].
#[derive(Clone, Copy, Debug)]
pub struct Prepared {
    k: usize,
    kb: usize,
    coded_mean: i64,
    off: i64,
    lms: i64,
}

/// Online correction of the network's mean and scale, per stream: running means, per context,
/// of the error and of its size against the size the logistic predicts. Encoder and decoder
/// update it identically after every sample.
#[derive(Clone, Debug)]
pub struct Adapt {
    mode: Adaptation,
    bias: [i64; BIAS_CTX],
    bias_count: [u32; BIAS_CTX],
    dev: [i64; CTX],
    pred: [i64; CTX],
    count: [u32; CTX],
    /// model 3: LMS weights (`2^-12` units) per scale context; clamped to +-8192, so held as
    /// `i32` (the products are taken in `i64`)
    lms: [[i32; TAPS]; CTX],
    /// model 3: running gain of the LMS term per scale context
    gain: [i64; CTX],
}

/// scale contexts: network x octave
const CTX: usize = 4 * 16;
/// patterns of model 2's bias contexts
const PATTERNS: usize = 64;
/// bias contexts of model 2: scale context x pattern
const BIAS_CTX: usize = CTX * PATTERNS;

#[inline(always)]
fn ctx_of(p: &Params) -> usize {
    #[allow(clippy::cast_sign_loss)]
    let oct = ((p.ls_fp + 512) >> 8).clamp(0, 15) as usize;
    p.net * 16 + oct
}

/// `s * 256 * 16` for `ls_fp` (scale `2^(ls_fp / 256)`), saturating.
#[inline(always)]
fn scale_fp(ls_fp: i32) -> i64 {
    let v = ls_fp.clamp(-4096, 5120) + 256 * 12; // s * 2^12
    let e = v >> 8;
    let f = v & 255;
    #[allow(clippy::cast_sign_loss)]
    let x = i64::from(ndcodecs_learned::fixed::exp2_neg_fp((256 - f) as u32)); // 2^(f/256 - 1) * 2^16
    // 2^(e + f/256) = x * 2^(e + 1 - 16)
    let sh = e + 1 - 16;
    if sh >= 0 { x << sh } else { x >> (-sh) }
}

impl Adapt {
    /// A stream's fresh state (every count 0).
    #[must_use]
    pub fn new(mode: Adaptation) -> Self {
        Self {
            mode,
            bias: [0; BIAS_CTX],
            bias_count: [0; BIAS_CTX],
            dev: [0; CTX],
            pred: [0; CTX],
            count: [0; CTX],
            lms: [[0; TAPS]; CTX],
            gain: [0; CTX],
        }
    }

    #[inline(always)]
    fn bias_ctx(&self, p: &Params, k: usize) -> usize {
        match self.mode {
            Adaptation::Octave => k,
            Adaptation::OctavePattern | Adaptation::OctavePatternLms => k * PATTERNS + p.pattern,
        }
    }

    /// Samples a context must have seen before its correction applies: 16 in model 1, none in
    /// model 2 (the running means start at 0, so the corrections start at 0).
    #[inline(always)]
    fn warm_up(&self) -> u32 {
        match self.mode {
            Adaptation::Octave => 16,
            Adaptation::OctavePattern | Adaptation::OctavePatternLms => 0,
        }
    }

    /// The mean corrected by the bias (`mu_fp` units).
    #[inline(always)]
    fn biased_mean(&self, p: &Params, kb: usize) -> i64 {
        if self.bias_count[kb] < self.warm_up() {
            p.mu_fp
        } else {
            p.mu_fp + (self.bias[kb] >> 4)
        }
    }

    /// Model 3's LMS term `(sum_j w[k][j] t[j]) >> 12` (0 for models 1 and 2).
    #[inline(always)]
    fn lms_term(&self, k: usize, t: &Taps) -> i64 {
        if !self.mode.uses_taps() {
            return 0;
        }
        let w = &self.lms[k];
        let mut acc = 0i64;
        for j in 0..TAPS {
            acc += i64::from(w[j]) * i64::from(t[j]);
        }
        acc >> 12
    }

    /// The corrected mean the sample is coded with, and the bias-corrected mean and LMS term.
    #[inline(always)]
    fn mean(&self, p: &Params, k: usize, kb: usize, t: &Taps) -> (i64, i64, i64) {
        let off = self.biased_mean(p, kb);
        let lms = self.lms_term(k, t);
        let coded = if self.gain[k] > 0 { off + lms } else { off };
        (coded, off, lms)
    }

    /// The corrected distribution; `t` the network errors of the neighbours (read by model 3
    /// only: pass [`Taps::default`] otherwise).
    #[inline(always)]
    #[must_use]
    pub fn logistic(&self, p: &Params, t: &Taps) -> Logistic {
        self.prepare(p, t).0
    }

    /// The corrected distribution and what [`Adapt::update_prepared`] needs of it (the
    /// contexts, the means and the LMS term, computed once per sample).
    #[inline(always)]
    #[must_use]
    pub fn prepare(&self, p: &Params, t: &Taps) -> (Logistic, Prepared) {
        let k = ctx_of(p);
        let kb = self.bias_ctx(p, k);
        let (mu, off, lms) = self.mean(p, k, kb, t);
        let ls = if self.count[k] < self.warm_up() {
            p.ls_fp
        } else {
            #[allow(clippy::cast_sign_loss)]
            let corr = ndcodecs_learned::fixed::log2_fp(self.dev[k].max(1) as u64)
                - ndcodecs_learned::fixed::log2_fp(self.pred[k].max(1) as u64);
            p.ls_fp + corr.clamp(-768, 768)
        };
        let prepared = Prepared {
            k,
            kb,
            coded_mean: mu,
            off,
            lms,
        };
        (Logistic::new(mu, ls, p.vmin, p.vmax), prepared)
    }

    /// Updates the contexts of `p` with the coded value `v`; `t` as for [`Adapt::logistic`].
    #[inline(always)]
    pub fn update(&mut self, p: &Params, v: i64, t: &Taps) {
        let prepared = self.prepare(p, t).1;
        self.update_prepared(p, v, t, &prepared);
    }

    /// [`Adapt::update`] with what [`Adapt::prepare`] gave for the same `p` and `t` on the
    /// current state.
    #[inline(always)]
    pub fn update_prepared(&mut self, p: &Params, v: i64, t: &Taps, q: &Prepared) {
        let Prepared {
            k,
            kb,
            coded_mean,
            off,
            lms,
        } = *q;
        // model 2 measures the scale around the mean it coded with (before this update)
        let err = (v * 256 - p.mu_fp) * 16;
        self.bias[kb] += (err - self.bias[kb]) >> 5;
        self.bias_count[kb] = self.bias_count[kb].saturating_add(1);
        let dev = match self.mode {
            Adaptation::Octave => (err - self.bias[kb]).abs(),
            Adaptation::OctavePattern | Adaptation::OctavePatternLms => {
                ((v * 256 - coded_mean) * 16).abs()
            }
        };
        self.dev[k] += (dev - self.dev[k]) >> 5;
        // E|X - mu| of a logistic: 2 ln 2 * s
        let pred = (scale_fp(p.ls_fp) * 355) >> 8;
        self.pred[k] += (pred - self.pred[k]) >> 5;
        self.count[k] = self.count[k].saturating_add(1);
        if self.mode.uses_taps() {
            self.update_lms(p, v, k, off, lms, t);
        }
    }

    /// Model 3: the gain of the LMS term (mean absolute error without it minus with it), then
    /// one normalised-LMS step of the weights on the error with it (Widrow & Hoff's LMS,
    /// normalised by the taps' energy).
    #[inline(always)]
    fn update_lms(&mut self, p: &Params, v: i64, k: usize, off: i64, lms: i64, t: &Taps) {
        let (lo, hi) = (256 * p.vmin, 256 * p.vmax);
        let r_on = 256 * v - (off + lms).clamp(lo, hi);
        let r_off = 256 * v - off.clamp(lo, hi);
        self.gain[k] += (((r_off.abs() - r_on.abs()) << 4) - self.gain[k]) >> 5;
        let mut norm = 1i64 << 18;
        for &tj in t {
            norm += i64::from(tj) * i64::from(tj);
        }
        // rounded toward zero; |r_on| < 2^25, so no overflow
        let g = (r_on << 30) / norm;
        for (w, &tj) in self.lms[k].iter_mut().zip(t) {
            // |g t| <= |r_on| 2^30 / sqrt(norm) < 2^46
            #[allow(clippy::cast_possible_truncation)]
            {
                *w = (i64::from(*w) + ((g * i64::from(tj)) >> 22)).clamp(-8192, 8192) as i32;
            }
        }
    }
}
