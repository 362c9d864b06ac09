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
    Logistic::new(mu_fp, ls_fp, vmin, vmax)
}
