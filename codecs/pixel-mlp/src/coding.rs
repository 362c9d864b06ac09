//! The per-sample model shared by encoder and decoder: which network and conditioning planes a
//! sample uses, its features, and its discretised logistic.

use ndcodecs_learned::Logistic;

use crate::context::{
    COND_FEATURES, MAX_FEATURES, OWN_FEATURES, PlaneRead, Strided, cond_features, distribution,
    neighbours, own_features,
};
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
}

impl Params {
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
    Params {
        mu_fp,
        ls_fp,
        net,
        vmin,
        vmax,
    }
}

/// Online correction of the network's mean and scale, per stream: running means, per context
/// (network x octave of the predicted scale), of the error and of its size against the size the
/// logistic predicts. Encoder and decoder update it identically after every sample.
#[derive(Clone, Debug)]
pub struct Adapt {
    bias: [i64; CTX],
    dev: [i64; CTX],
    pred: [i64; CTX],
    count: [u32; CTX],
}

const CTX: usize = 4 * 16;

impl Default for Adapt {
    fn default() -> Self {
        Self {
            bias: [0; CTX],
            dev: [0; CTX],
            pred: [0; CTX],
            count: [0; CTX],
        }
    }
}

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
    /// The corrected distribution.
    #[inline(always)]
    #[must_use]
    pub fn logistic(&self, p: &Params) -> Logistic {
        let k = ctx_of(p);
        if self.count[k] < 16 {
            return p.logistic();
        }
        let mu = p.mu_fp + (self.bias[k] >> 4);
        #[allow(clippy::cast_sign_loss)]
        let corr = ndcodecs_learned::fixed::log2_fp(self.dev[k].max(1) as u64)
            - ndcodecs_learned::fixed::log2_fp(self.pred[k].max(1) as u64);
        Logistic::new(mu, p.ls_fp + corr.clamp(-768, 768), p.vmin, p.vmax)
    }

    /// Updates the context of `p` with the coded value `v`.
    #[inline(always)]
    pub fn update(&mut self, p: &Params, v: i64) {
        let k = ctx_of(p);
        let err = (v * 256 - p.mu_fp) * 16;
        self.bias[k] += (err - self.bias[k]) >> 5;
        let dev = (err - self.bias[k]).abs();
        self.dev[k] += (dev - self.dev[k]) >> 5;
        // E|X - mu| of a logistic: 2 ln 2 * s
        let pred = (scale_fp(p.ls_fp) * 355) >> 8;
        self.pred[k] += (pred - self.pred[k]) >> 5;
        self.count[k] = self.count[k].saturating_add(1);
    }
}
