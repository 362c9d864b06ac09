//! The shipped networks and the integer features they read.
//!
//! A model is nine fixed-point MLPs ([`ndcodecs_learned::Mlp`]), one per (step, channel kind):
//! network `3 * step + min(channel, 2)`. Network inputs are the integer features of
//! [`features`]: 17 for the first channel, 20 for the second (conditioned on the first), 23 for
//! later channels (conditioned on the one before and on the first). Each has two outputs: a mean
//! correction and a log-scale correction (see [`params`]).
//!
//! The per-sample network is a convolutional interpolator in the paper's sense: its first layer
//! is a 16-tap filter over the known sub-images around the sample (after the sample's local
//! normalisation), the later layers are 1 x 1 convolutions, and separate output units give the
//! distribution's mean and scale. Weights ship in the crate (`model/interp_cnn_m<id>.bin`, the
//! `ndcodecs-learned` weight file format), named by the model id every stream stores; a shipped
//! model never changes.

use std::sync::OnceLock;

use ndcodecs_core::CodecError;
use ndcodecs_learned::Mlp;
use ndcodecs_learned::fixed::log2_fp;
use ndcodecs_learned::model::ModelFile;

use crate::CODEC_ID;
use crate::batch::{BatchMlp, MAX_BATCH, input_index};
use crate::grid::NEIGHBOURS;

/// Number of networks of a model.
pub const NETS: usize = 9;
/// The newest shipped model id (what the encoder writes by default).
pub const LATEST_MODEL: u32 = 3;
/// Largest number of features of a network.
pub const MAX_FEATURES: usize = 23;

/// The shipped weight files, by model id.
const SHIPPED: &[(u32, &[u8])] = &[
    (1, include_bytes!("../model/interp_cnn_m1.bin")),
    (2, include_bytes!("../model/interp_cnn_m2.bin")),
    (3, include_bytes!("../model/interp_cnn_m3.bin")),
];

/// Number of features of network `net`.
#[must_use]
pub const fn n_features(net: usize) -> usize {
    match net % 3 {
        0 => 17,
        1 => 20,
        _ => 23,
    }
}

/// The network of `step` (0..3) for channel `c`.
#[must_use]
pub const fn net_index(step: usize, c: usize) -> usize {
    3 * step + if c < 2 { c } else { 2 }
}

/// A loaded model.
#[derive(Debug)]
pub struct Model {
    /// model id
    pub id: u32,
    /// the nine networks
    pub nets: Vec<Mlp>,
    /// the same networks laid out for batches of samples
    pub batch: Vec<BatchMlp>,
    /// the bands' online correction
    pub correction: Correction,
}

/// The online correction a model's bands apply ([`crate::adapt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Correction {
    /// models 1 and 2: the scale per channel kind × scale octave
    Scale,
    /// model 3 on: also the mean, per scale context × neighbour pattern × sign of the
    /// network's mean offset
    PatternBias,
}

impl Model {
    /// Number of parameters (weights and biases of every network).
    #[must_use]
    pub fn parameters(&self) -> usize {
        self.nets.iter().map(Mlp::parameters).sum()
    }
}

fn parse(id: u32, bytes: &[u8]) -> Result<Model, CodecError> {
    let file = ModelFile::parse(CODEC_ID, bytes)?;
    let bad = |m: String| CodecError::Corrupt {
        codec: CODEC_ID,
        message: format!("shipped model {id}: {m}"),
    };
    if file.id != id || file.nets.len() != NETS {
        return Err(bad(format!(
            "id {} with {} networks",
            file.id,
            file.nets.len()
        )));
    }
    for (k, net) in file.nets.iter().enumerate() {
        if net.n_in() != n_features(k) || net.n_out() != 2 {
            return Err(bad(format!(
                "network {k} has {} inputs and {} outputs",
                net.n_in(),
                net.n_out()
            )));
        }
    }
    Ok(Model {
        id,
        correction: if id >= 3 {
            Correction::PatternBias
        } else {
            Correction::Scale
        },
        batch: file.nets.iter().map(BatchMlp::new).collect(),
        nets: file.nets,
    })
}

/// The shipped model `id`, parsed once.
///
/// # Errors
///
/// [`CodecError::Corrupt`] if no shipped model has this id (a stream from a newer writer, or
/// damaged data).
pub fn model(id: u32) -> Result<&'static Model, CodecError> {
    static CACHE: [OnceLock<Result<Model, CodecError>>; SHIPPED.len()] =
        [const { OnceLock::new() }; SHIPPED.len()];
    let Some(pos) = SHIPPED.iter().position(|&(i, _)| i == id) else {
        return Err(CodecError::Corrupt {
            codec: CODEC_ID,
            message: format!(
                "model id {id} is not one this reader ships (it knows {:?}); a newer ndcodecs may read it",
                SHIPPED.iter().map(|s| s.0).collect::<Vec<_>>()
            ),
        });
    };
    CACHE[pos]
        .get_or_init(|| parse(id, SHIPPED[pos].1))
        .as_ref()
        .map_err(Clone::clone)
}

/// The local statistics of a sample's neighbourhood in one channel.
#[derive(Clone, Copy, Debug, Default)]
pub struct Core {
    /// anchor: the rounded mean of the four nearest neighbours
    pub a: i64,
    /// activity: `1 + ((2 * S4 + S8) >> 4)`, `S4` / `S8` the absolute deviations from `a` of
    /// the nearest four and the next eight neighbours
    pub d: i64,
    /// `2^26 / d` (integer division)
    pub r: i64,
    /// `log2_fp(d)` (8 fractional bits)
    pub ld: i32,
    /// the pattern of the nearest four neighbours: bit `k` set when neighbour `k` lies above
    /// `a` (`k` < 4; model 3's bias contexts)
    pub pat: u8,
}

/// The statistics of neighbours `nb`.
#[inline(always)]
#[must_use]
pub fn core(nb: &[i32; NEIGHBOURS]) -> Core {
    let n = nb.map(i64::from);
    let a = (n[0] + n[1] + n[2] + n[3] + 2) >> 2;
    let s4: i64 = n[..4].iter().map(|&v| (v - a).abs()).sum();
    let s8: i64 = n[4..12].iter().map(|&v| (v - a).abs()).sum();
    let d = 1 + ((2 * s4 + s8) >> 4);
    #[allow(clippy::cast_sign_loss)]
    let ld = log2_fp(d as u64);
    let pat = n[..4]
        .iter()
        .enumerate()
        .map(|(k, &v)| u8::from(v > a) << k)
        .sum();
    Core {
        a,
        d,
        r: (1 << 26) / d,
        ld,
        pat,
    }
}

#[inline(always)]
fn scaled(v: i64, r: i64) -> i16 {
    #[allow(clippy::cast_possible_truncation)]
    {
        ((v * r) >> 16).clamp(-32767, 32767) as i16
    }
}

/// Writes the features of a sample with neighbours `nb` and statistics `k` to `out`, and for
/// each conditioning channel `(statistics, decoded value at the sample)` three more; returns
/// the number of features.
#[inline(always)]
pub fn features(
    nb: &[i32; NEIGHBOURS],
    k: &Core,
    conds: &[(Core, i64)],
    out: &mut [i16; MAX_FEATURES],
) -> usize {
    for (o, &v) in out.iter_mut().zip(nb) {
        *o = scaled(i64::from(v) - k.a, k.r);
    }
    #[allow(clippy::cast_possible_truncation)]
    {
        out[16] = (4 * k.ld - 4096) as i16;
    }
    let mut n = 17;
    for (c, v) in conds {
        let e = v - c.a;
        out[n] = scaled(e, k.r);
        out[n + 1] = scaled(e, c.r);
        #[allow(clippy::cast_possible_truncation)]
        {
            out[n + 2] = (4 * (c.ld - k.ld)) as i16;
        }
        n += 3;
    }
    n
}

/// [`core`](fn@core) and the first 17 [`features`] (those without conditioning channels) of `n <=
/// MAX_BATCH` samples of one sub-image row at once: sample `j` at `data[first + 2 j]`, its
/// neighbours at the offsets `offs` from it. Writes `cores[j]` and feature `f` of sample `j` at
/// `x[input_index(f, j)]`: the same values as `core` and `features` (a test compares them), with
/// the samples along the inner loops so that they vectorise.
///
/// Computed [`LANES`] samples at a time in 32-bit lanes (they vectorise: 8 lanes of AVX2 where
/// [`ndcodecs_learned::simd::vectorize`] enables it), exactly: the planes' values lie within
/// `±2^17` (16-bit samples after YCoCg-R's extra bit; the header's ranges are checked against
/// the dtype's), so the anchor and the deviations fit 32 bits, and a feature's 64-bit product
/// `(e * r) >> 16` with `|e| < 2^19`, `r <= 2^26` is computed from three 32-bit products. A
/// test compares them with [`core()`] and [`features`] on values of every supported width and
/// on the vector-compiled copy.
///
/// # Panics
///
/// If a neighbour lies outside `data` (a caller's bug: the grid's margin covers them).
#[inline(always)]
pub fn batch_core_features(
    data: &[i32],
    first: usize,
    n: usize,
    offs: &[isize; NEIGHBOURS],
    cores: &mut [Core],
    x: &mut [i16],
) {
    debug_assert!(n <= MAX_BATCH && MAX_BATCH.is_multiple_of(LANES));
    let mut c0 = 0;
    while c0 < n {
        let m = (n - c0).min(LANES);
        // neighbour k of the chunk's sample j (0 past the chunk's m samples)
        let mut nb = [[0i32; LANES]; NEIGHBOURS];
        for (row, &off) in nb.iter_mut().zip(offs) {
            let start = (first + 2 * c0).wrapping_add_signed(off);
            if m == LANES {
                let src: &[i32; 2 * LANES - 1] = data[start..start + 2 * LANES - 1]
                    .try_into()
                    .expect("a chunk of samples");
                *row = std::array::from_fn(|j| src[2 * j]);
            } else {
                let src = &data[start..=start + 2 * (m - 1)];
                for (d, &v) in row.iter_mut().zip(src.iter().step_by(2)) {
                    *d = v;
                }
            }
        }
        let a: [i32; LANES] =
            std::array::from_fn(|j| (nb[0][j] + nb[1][j] + nb[2][j] + nb[3][j] + 2) >> 2);
        let mut s = [0i32; LANES];
        for (k, row) in nb[..12].iter().enumerate() {
            let w = if k < 4 { 2 } else { 1 };
            for j in 0..LANES {
                s[j] += w * (row[j] - a[j]).abs();
            }
        }
        let mut pat = [0u8; LANES];
        for (k, row) in nb[..4].iter().enumerate() {
            for j in 0..LANES {
                pat[j] |= u8::from(row[j] > a[j]) << k;
            }
        }
        let mut r = [0i32; LANES];
        for j in 0..LANES {
            #[allow(clippy::cast_sign_loss)]
            let d = 1 + (s[j] >> 4) as u32;
            #[allow(clippy::cast_possible_wrap)]
            {
                r[j] = ((1u32 << 26) / d) as i32;
            }
            if j < m {
                let ld = log2_fp(u64::from(d));
                cores[c0 + j] = Core {
                    a: i64::from(a[j]),
                    d: i64::from(d),
                    r: i64::from(r[j]),
                    ld,
                    pat: pat[j],
                };
                #[allow(clippy::cast_possible_truncation)]
                {
                    x[input_index(16, c0 + j)] = (4 * ld - 4096) as i16;
                }
            }
        }
        for (p, pair) in nb.chunks_exact(2).enumerate() {
            let base = (p * MAX_BATCH + c0) * 2;
            let out: &mut [i16; 2 * LANES] = (&mut x[base..base + 2 * LANES])
                .try_into()
                .expect("a chunk of features");
            for j in 0..LANES {
                out[2 * j] = scaled32(pair[0][j] - a[j], r[j]);
                out[2 * j + 1] = scaled32(pair[1][j] - a[j], r[j]);
            }
        }
        c0 += m;
    }
}

/// Samples of one chunk of [`batch_core_features`].
pub const LANES: usize = 8;

/// [`scaled`] in 32-bit arithmetic, for `|e| < 2^20` and `0 <= r <= 2^26`: with
/// `r = 2^16 rh + 2^8 rm + rl`, `(e r) >> 16 = e rh + ((e rm + ((e rl) >> 8)) >> 8)` (floor
/// divisions by powers of two nest exactly), every product below `2^30`.
#[inline(always)]
fn scaled32(e: i32, r: i32) -> i16 {
    let (rh, rm, rl) = (r >> 16, (r >> 8) & 255, r & 255);
    let v = e * rh + ((e * rm + ((e * rl) >> 8)) >> 8);
    #[allow(clippy::cast_possible_truncation)]
    {
        v.clamp(-32767, 32767) as i16
    }
}

/// The features of the conditioning channels (`(statistics, decoded value at the sample)`,
/// three each, after the first 17; see [`features`]) of sample `j` with statistics `k`, at
/// `x[input_index(f, j)]`.
#[inline(always)]
pub fn cond_features(k: &Core, conds: &[(Core, i64)], x: &mut [i16], j: usize) {
    let mut f = 17;
    for (c, v) in conds {
        let e = v - c.a;
        x[input_index(f, j)] = scaled(e, k.r);
        x[input_index(f + 1, j)] = scaled(e, c.r);
        #[allow(clippy::cast_possible_truncation)]
        {
            x[input_index(f + 2, j)] = (4 * (c.ld - k.ld)) as i16;
        }
        f += 3;
    }
}

/// The distribution parameters from the network outputs `o`: mean `mu_fp / 256` and
/// log2-scale `ls_fp / 256`:
/// `mu_fp = 256 a + ((clamp(o0, ±32767) * d) >> 2)`,
/// `ls_fp = log2_fp(d) + (clamp(o1, ±2^20) >> 2)`.
#[inline(always)]
#[must_use]
pub fn params(k: &Core, o: &[i32; 2]) -> (i64, i32) {
    let mu = 256 * k.a + ((i64::from(o[0].clamp(-32767, 32767)) * k.d) >> 2);
    let ls = k.ld + (o[1].clamp(-(1 << 20), 1 << 20) >> 2);
    (mu, ls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::input_len;

    /// The batched statistics and features equal the per-sample ones, for values of every
    /// supported width (16-bit samples after YCoCg-R's extra bit included) and every batch size.
    #[test]
    fn batch_features_are_the_per_sample_ones() {
        let mut s = 0x1234_5678_9abc_def1u64;
        let mut rand = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let offs: [isize; NEIGHBOURS] = std::array::from_fn(|k| {
            let k = isize::try_from(k).unwrap();
            (k % 4 - 2) * 50 + (k / 4) - 2
        });
        // (smallest value, number of values, one in how many samples is drawn, the others
        // being `lo`): the widest planes (±2^17) and flat areas with rare extremes (the
        // smallest activity next to the largest deviations)
        for (lo, span, sparse) in [
            (0i64, 2u64, 1u64),
            (0, 256, 1),
            (-70_000, 140_001, 1),
            (0, 65_536, 1),
            (-(1 << 17), (1 << 18) + 1, 1),
            (-(1 << 17), (1 << 18) + 1, 13),
        ] {
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            let data: Vec<i32> = (0..1000)
                .map(|_| {
                    if rand() % sparse == 0 {
                        (lo + (rand() % span) as i64) as i32
                    } else {
                        lo as i32
                    }
                })
                .collect();
            for n in [1usize, 5, 16, 77, MAX_BATCH] {
                let first = 200;
                let mut cores = vec![Core::default(); n];
                let mut x = vec![0i16; input_len(17)];
                batch_core_features(&data, first, n, &offs, &mut cores, &mut x);
                // the copy compiled with the CPU's vector instructions (as the walks run it)
                // gives the same values
                let mut cv = vec![Core::default(); n];
                let mut xv = vec![0i16; input_len(17)];
                ndcodecs_learned::simd::vectorize(
                    #[inline(always)]
                    || batch_core_features(&data, first, n, &offs, &mut cv, &mut xv),
                );
                assert_eq!(xv, x);
                for (a, b) in cv.iter().zip(&cores) {
                    assert_eq!((a.a, a.d, a.r, a.ld, a.pat), (b.a, b.d, b.r, b.ld, b.pat));
                }
                for j in 0..n {
                    let nb: [i32; NEIGHBOURS] =
                        std::array::from_fn(|k| data[(first + 2 * j).wrapping_add_signed(offs[k])]);
                    let k = core(&nb);
                    let mut f = [0i16; MAX_FEATURES];
                    assert_eq!(features(&nb, &k, &[], &mut f), 17);
                    let c = cores[j];
                    assert_eq!((c.a, c.d, c.r, c.ld, c.pat), (k.a, k.d, k.r, k.ld, k.pat));
                    for (i, &v) in f[..17].iter().enumerate() {
                        assert_eq!(x[input_index(i, j)], v, "feature {i} of sample {j}");
                    }
                }
            }
        }
    }
}
