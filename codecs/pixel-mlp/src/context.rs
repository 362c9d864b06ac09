//! The causal neighbourhood of a sample and the integer features the networks read
//! (`specs/pixel_mlp/README.md`, "Features"; the numpy reference is `training/features.py`).

use ndcodecs_learned::fixed::log2_fp;

/// Number of causal neighbours of a sample in its own plane.
pub const NEIGHBOURS: usize = 12;
/// Features from the sample's own plane: 12 neighbours, log-activity, two range distances.
pub const OWN_FEATURES: usize = 15;
/// Features per conditioning plane.
pub const COND_FEATURES: usize = 5;
/// Largest number of conditioning planes.
pub const MAX_CONDS: usize = 2;
/// Largest feature count.
pub const MAX_FEATURES: usize = OWN_FEATURES + COND_FEATURES * MAX_CONDS;

/// `(dy, dx)` of the neighbours, in feature order: W, WW, NWW, NW, N, NE, NEE, NNWW, NNW, NN,
/// NNE, NNEE.
pub const OFFSETS: [(isize, isize); NEIGHBOURS] = [
    (0, -1),
    (0, -2),
    (-1, -2),
    (-1, -1),
    (-1, 0),
    (-1, 1),
    (-1, 2),
    (-2, -2),
    (-2, -1),
    (-2, 0),
    (-2, 1),
    (-2, 2),
];

/// Columns right of the sample that the row above must have decoded (NEE).
pub const LOOKAHEAD: usize = 2;

/// Read access to the samples of one plane (row-major, `width` samples per row) that the
/// context may touch; implemented for plain slices (encoder, sequential decoder) and for atomic
/// buffers shared between decoding threads.
pub trait PlaneRead {
    /// The sample at row `y`, column `x` (both in range).
    fn at(&self, y: usize, x: usize) -> i64;
}

/// A plane stored with a stride: `data[offset + (y * width + x) * step]`.
#[derive(Clone, Copy, Debug)]
pub struct Strided<'a, S> {
    /// the samples
    pub data: &'a [S],
    /// index of (0, 0)
    pub offset: usize,
    /// samples per row
    pub width: usize,
    /// distance between neighbouring samples of the plane (the channel count)
    pub step: usize,
}

impl PlaneRead for Strided<'_, i32> {
    #[inline(always)]
    fn at(&self, y: usize, x: usize) -> i64 {
        i64::from(self.data[self.offset + (y * self.width + x) * self.step])
    }
}

impl PlaneRead for Strided<'_, std::sync::atomic::AtomicI32> {
    #[inline(always)]
    fn at(&self, y: usize, x: usize) -> i64 {
        i64::from(
            self.data[self.offset + (y * self.width + x) * self.step]
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    }
}

/// The 12 neighbours of `(y, x)` in a plane of `width` columns, with the border rules: columns
/// of rows above are clamped into `0..width`; in the current row a column left of 0 takes
/// `(y - 1, 0)`, or `mid` in row 0; in row 0 every neighbour above takes W (or `mid` at x = 0);
/// in row 1 the row two above is row 0.
#[inline(always)]
pub fn neighbours<P: PlaneRead>(
    p: &P,
    y: usize,
    x: usize,
    width: usize,
    mid: i64,
) -> [i64; NEIGHBOURS] {
    let mut n = [0i64; NEIGHBOURS];
    if y >= 2 && x >= 2 && x + 2 < width {
        for (v, &(dy, dx)) in n.iter_mut().zip(&OFFSETS) {
            *v = p.at(y.wrapping_add_signed(dy), x.wrapping_add_signed(dx));
        }
        return n;
    }
    let w_val = if x >= 1 {
        p.at(y, x - 1)
    } else if y >= 1 {
        p.at(y - 1, 0)
    } else {
        mid
    };
    for (v, &(dy, dx)) in n.iter_mut().zip(&OFFSETS) {
        let xs = x as isize + dx;
        *v = if dy == 0 {
            if xs >= 0 {
                p.at(y, xs as usize)
            } else if y >= 1 {
                p.at(y - 1, 0)
            } else {
                mid
            }
        } else if y == 0 {
            w_val
        } else {
            let yy = (y as isize + dy).max(0) as usize;
            p.at(yy, xs.clamp(0, width as isize - 1) as usize)
        };
    }
    n
}

/// LOCO-I's median edge detector: `min(W, N)` if `NW >= max(W, N)`, `max(W, N)` if
/// `NW <= min(W, N)`, `W + N - NW` otherwise.
#[inline(always)]
#[must_use]
pub fn med(w: i64, n: i64, nw: i64) -> i64 {
    let (mx, mn) = (w.max(n), w.min(n));
    if nw >= mx {
        mn
    } else if nw <= mn {
        mx
    } else {
        w + n - nw
    }
}

/// `clamp(round(v / d * 1024), ±32767)` as `(v * inv + 2^11) >> 12` with `inv = 2^22 / d`.
#[inline(always)]
fn scaled(v: i64, inv: i64) -> i16 {
    #[allow(clippy::cast_possible_truncation)]
    {
        ((v * inv + (1 << 11)) >> 12).clamp(-32767, 32767) as i16
    }
}

/// What the distribution of a sample is built from, besides the network's outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// the MED prediction `a`
    pub a: i64,
    /// the activity `d >= 2`
    pub d: i64,
    /// `log2_fp(d)`
    pub log_d: i32,
    /// `2^22 / d`
    pub inv: i64,
}

/// The own-plane features of a sample from its neighbours, into `f[..15]` (network input
/// scale: the clamps of the spec applied), and its anchor.
#[inline(always)]
pub fn own_features(nb: &[i64; NEIGHBOURS], vmin: i64, vmax: i64, f: &mut [i16]) -> Anchor {
    let [w, ww, _nww, nw, n, ne, _nee, _nnww, _nnw, nn, nne, _nnee] = *nb;
    let a = med(w, n, nw);
    let d = (w - ww).abs()
        + (w - nw).abs()
        + (nw - n).abs()
        + (n - ne).abs()
        + (n - nn).abs()
        + (ne - nne).abs()
        + 2;
    let inv = (1i64 << 22) / d;
    for (fi, &v) in f.iter_mut().zip(nb) {
        *fi = scaled(v - a, inv);
    }
    #[allow(clippy::cast_sign_loss)]
    let log_d = log2_fp(d as u64);
    #[allow(clippy::cast_possible_truncation)]
    {
        f[12] = (log_d - 1024) as i16;
    }
    f[13] = scaled((a - vmin).max(0), inv).min(8192);
    f[14] = scaled((vmax - a).max(0), inv).min(8192);
    Anchor { a, d, log_d, inv }
}

/// The 5 features of a conditioning plane `q` at the sample's position, into `f[..5]`.
#[inline(always)]
pub fn cond_features<P: PlaneRead>(
    q: &P,
    y: usize,
    x: usize,
    width: usize,
    mid: i64,
    inv: i64,
    f: &mut [i16],
) {
    let qv = q.at(y, x);
    let nb = neighbours(q, y, x, width, mid);
    let (w, nw, n, ne) = (nb[0], nb[3], nb[4], nb[5]);
    let aq = med(w, n, nw);
    f[0] = scaled(qv - w, inv);
    f[1] = scaled(qv - n, inv);
    f[2] = scaled(qv - nw, inv);
    f[3] = scaled(qv - ne, inv);
    f[4] = scaled(qv - aq, inv);
}

/// `mu_fp` and `ls_fp` of the sample's logistic from the network outputs `o` and the anchor:
/// `mu_fp = 256 a + ((clamp(o0, ±8191) * d + 512) >> 10)`,
/// `ls_fp = log_d + clamp(o1, -2048, 1024) - 768`.
#[inline(always)]
#[must_use]
pub fn distribution(o: &[i32], anchor: &Anchor) -> (i64, i32) {
    let o0 = i64::from(o[0].clamp(-8191, 8191));
    let mu_fp = 256 * anchor.a + ((o0 * anchor.d + 512) >> 10);
    let ls_fp = anchor.log_d + o[1].clamp(-2048, 1024) - 768;
    (mu_fp, ls_fp)
}

/// Number of neighbours whose network errors model 3's LMS term reads.
pub const TAPS: usize = 8;

/// The network errors of a sample's neighbours W, N, NW, NE, WW, NN, NWW, NEE (model 3).
pub type Taps = [i32; TAPS];

/// `(dy, dx)` of the taps, in order: W, N, NW, NE, WW, NN, NWW, NEE.
pub const TAP_OFFSETS: [(isize, isize); TAPS] = [
    (0, -1),
    (-1, 0),
    (-1, -1),
    (-1, 1),
    (0, -2),
    (-2, 0),
    (-1, -2),
    (-1, 2),
];

/// The taps of `(y, x)` from the network errors `e` of its plane (`width` columns): a
/// neighbour outside the plane (row above 0, column outside `0..width`) gives 0.
#[inline(always)]
pub fn error_taps<P: PlaneRead>(e: &P, y: usize, x: usize, width: usize) -> Taps {
    let mut t = [0i32; TAPS];
    if y >= 2 && x >= 2 && x + 2 < width {
        for (v, &(dy, dx)) in t.iter_mut().zip(&TAP_OFFSETS) {
            #[allow(clippy::cast_possible_truncation)]
            {
                *v = e.at(y.wrapping_add_signed(dy), x.wrapping_add_signed(dx)) as i32;
            }
        }
        return t;
    }
    for (v, &(dy, dx)) in t.iter_mut().zip(&TAP_OFFSETS) {
        let (yy, xx) = (y as isize + dy, x as isize + dx);
        if yy >= 0 && xx >= 0 && xx < width as isize {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            {
                *v = e.at(yy as usize, xx as usize) as i32;
            }
        }
    }
    t
}
