//! A fixed-point MLP evaluated on many samples at once (the samples of a sub-image row), with
//! exactly the arithmetic of [`ndcodecs_learned::Mlp::forward`]: per layer,
//! `acc = bias + Σ w * x` in wrapping 32-bit arithmetic, `(acc + 2^(shift-1)) >> shift`, then
//! `clamp(·, 0 or -32767, 32767)` for hidden layers; the last layer's rounded sums unclamped.
//!
//! Samples lie along the innermost axis, inputs in pairs (`x[((i / 2) * MAX_BATCH + s) * 2 + i % 2]`,
//! [`input_index`]): the layout of the AVX2 `pmaddwd` instruction, which multiplies 16-bit
//! pairs and adds each pair's two products into a 32-bit lane, so one instruction makes 16
//! multiply-adds of 8 samples (this is the 1 x 1 convolution view of the network). With AVX2
//! (runtime detection through `pulp`, no `unsafe` here) a tile of 16 samples runs through every
//! layer in registers; otherwise a scalar loop. The sums are the same: no weight is `-32768`, so a
//! pair's two products never overflow 32 bits, and wrapping 32-bit addition does not depend on
//! the order. The rounding shift is computed as `(acc >> shift) + ((acc >> (shift - 1)) & 1)`,
//! equal to the 64-bit rounding of the scalar layer without leaving 32 bits. A test compares
//! both paths' outputs with `Mlp::forward`.

use ndcodecs_learned::Mlp;

/// Largest number of samples of one call (a multiple of the vector kernel's tile of 16).
pub const MAX_BATCH: usize = 128;
/// Samples evaluated together by the vector kernel.
const TILE: usize = 16;
/// Largest number of input pairs of a layer the vector kernel keeps on its stack (wider
/// networks take the scalar path).
const MAX_PAIRS: usize = 32;

/// Where input `i` of sample `s` goes in the input buffer of [`BatchMlp::forward`]: inputs in
/// pairs `(2k, 2k + 1)`, a pair's two 16-bit values side by side for each sample,
/// `x[((i / 2) * MAX_BATCH + s) * 2 + i % 2]` (the operand layout of `pmaddwd`).
#[inline(always)]
#[must_use]
pub const fn input_index(i: usize, s: usize) -> usize {
    ((i >> 1) * MAX_BATCH + s) * 2 + (i & 1)
}

/// Length of an input buffer for networks of up to `n_in` inputs.
#[must_use]
pub const fn input_len(n_in: usize) -> usize {
    n_in.div_ceil(2) * MAX_BATCH * 2
}

#[derive(Clone, Debug)]
struct Layer {
    n_in: usize,
    n_out: usize,
    /// `w[o * n_in + i]`
    w: Vec<i32>,
    /// the weights of inputs `2k` and `2k + 1` of output `o` as one 32-bit word (low half input
    /// `2k`), `wp[o * pairs_in + k]`, for an even number of outputs (a padding output has zero
    /// weights and bias) and a zero weight padding an odd input count
    wp: Vec<i32>,
    bias: Vec<i32>,
    shift: u32,
    relu: bool,
}

impl Layer {
    fn pairs_in(&self) -> usize {
        self.n_in.div_ceil(2)
    }

    fn pairs_out(&self) -> usize {
        self.n_out.div_ceil(2)
    }
}

/// An [`Mlp`] laid out for batches.
#[derive(Clone, Debug)]
pub struct BatchMlp {
    layers: Vec<Layer>,
    width: usize,
}

#[inline(always)]
fn round_shift32(a: i32, shift: u32) -> i32 {
    if shift == 0 {
        a
    } else {
        (a >> shift) + ((a >> (shift - 1)) & 1)
    }
}

impl BatchMlp {
    /// The batch form of `mlp`.
    #[must_use]
    pub fn new(mlp: &Mlp) -> Self {
        let layers: Vec<Layer> = mlp
            .layers()
            .iter()
            .map(|d| {
                let (w, b, shift, relu) = d.parts();
                let (n_in, n_out) = (d.n_in(), d.n_out());
                let mut t = vec![0i32; n_in * n_out];
                for i in 0..n_in {
                    for o in 0..n_out {
                        t[o * n_in + i] = i32::from(w[i * n_out + o]);
                    }
                }
                let pairs_in = n_in.div_ceil(2);
                let n_out_even = n_out.div_ceil(2) * 2;
                let mut wp = vec![0i32; n_out_even * pairs_in];
                for o in 0..n_out {
                    for k in 0..pairs_in {
                        let lo = w[2 * k * n_out + o];
                        let hi = if 2 * k + 1 < n_in {
                            w[(2 * k + 1) * n_out + o]
                        } else {
                            0
                        };
                        #[allow(clippy::cast_sign_loss, clippy::cast_possible_wrap)]
                        {
                            wp[o * pairs_in + k] =
                                (u32::from(lo as u16) | (u32::from(hi as u16) << 16)) as i32;
                        }
                    }
                }
                let mut bias = b.to_vec();
                bias.resize(n_out_even, 0);
                Layer {
                    n_in,
                    n_out,
                    w: t,
                    wp,
                    bias,
                    shift,
                    relu,
                }
            })
            .collect();
        let width = layers
            .iter()
            .map(|l| l.n_out.max(l.n_in))
            .max()
            .unwrap_or(1);
        Self { layers, width }
    }

    /// Number of inputs.
    #[must_use]
    pub fn n_in(&self) -> usize {
        self.layers[0].n_in
    }

    /// Evaluates `n <= MAX_BATCH` samples: `x` their inputs at [`input_index`] (at least
    /// [`input_len`]`(n_in)` values), `out[o * MAX_BATCH + s]` the last layer's outputs.
    ///
    /// Runs a kernel of AVX2 `pmaddwd` products over tiles of 16 samples when the CPU has
    /// AVX2, else the scalar loop: the wrapping 32-bit sums, hence the outputs, are the same.
    #[inline(always)]
    pub fn forward(&self, x: &[i16], n: usize, out: &mut [i32]) {
        debug_assert!(n <= MAX_BATCH);
        #[cfg(target_arch = "x86_64")]
        if self.width <= 2 * MAX_PAIRS
            && let Some(simd) = pulp::x86::V3::try_new()
        {
            return simd.vectorize(
                #[inline(always)]
                || self.forward_v3(simd, x, n, out),
            );
        }
        self.forward_scalar(x, n, out);
    }

    /// The scalar path of [`Self::forward`] (public for tests and benchmarks).
    pub fn forward_scalar(&self, x: &[i16], n: usize, out: &mut [i32]) {
        let (last, hidden) = self.layers.split_last().expect("at least one layer");
        let mut a: Vec<i32> = (0..self.layers[0].n_in * n)
            .map(|t| i32::from(x[input_index(t / n, t % n)]))
            .collect();
        let mut acc = [0i32; MAX_BATCH];
        for l in hidden {
            let lo = if l.relu { 0 } else { -32767 };
            let mut b = vec![0i32; l.n_out * n];
            for o in 0..l.n_out {
                let acc = &mut acc[..n];
                layer_sum(l, o, &a, n, acc);
                for (y, &v) in b[o * n..(o + 1) * n].iter_mut().zip(acc.iter()) {
                    *y = round_shift32(v, l.shift).clamp(lo, 32767);
                }
            }
            a = b;
        }
        for o in 0..last.n_out {
            let acc = &mut acc[..n];
            layer_sum(last, o, &a, n, acc);
            for (y, &v) in out[o * MAX_BATCH..o * MAX_BATCH + n]
                .iter_mut()
                .zip(acc.iter())
            {
                *y = round_shift32(v, last.shift);
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn forward_v3(&self, simd: pulp::x86::V3, x: &[i16], n: usize, out: &mut [i32]) {
        use pulp::bytemuck::cast;
        let avx = simd.avx;
        let avx2 = simd.avx2;
        let zero = avx._mm256_setzero_si256();
        let (last, hidden) = self.layers.split_last().expect("at least one layer");
        let first = &self.layers[0];
        // a layer's inputs and outputs, swapped after each layer (set up once per call: every
        // layer writes the pairs the next one reads)
        let (mut buf_h, mut buf_g) = ([[zero; 2]; MAX_PAIRS], [[zero; 2]; MAX_PAIRS]);
        for t in 0..n.div_ceil(TILE) {
            let s0 = t * TILE;
            // h[k] = input pair k of the tile's samples, two vectors of 8 samples
            let (mut h, mut g) = (&mut buf_h, &mut buf_g);
            for (k, hk) in h.iter_mut().enumerate().take(first.pairs_in()) {
                let base = (k * MAX_BATCH + s0) * 2;
                for (half, v) in hk.iter_mut().enumerate() {
                    let b = base + 16 * half;
                    let a: [i16; 16] = x[b..b + 16].try_into().expect("16 values");
                    *v = cast(a);
                }
            }
            for l in hidden {
                let pi = l.pairs_in();
                let lo = avx._mm256_set1_epi32(if l.relu { 0 } else { -32767 });
                let po_n = l.pairs_out();
                // two output pairs at a time (8 accumulators: each input vector and weight
                // loaded once for four outputs), then the last pair if odd
                let mut po = 0;
                while po + 2 <= po_n {
                    let o = 2 * po;
                    let w = |q: usize| &l.wp[(o + q) * pi..(o + q + 1) * pi];
                    let mut acc = [
                        [avx._mm256_set1_epi32(l.bias[o]); 2],
                        [avx._mm256_set1_epi32(l.bias[o + 1]); 2],
                        [avx._mm256_set1_epi32(l.bias[o + 2]); 2],
                        [avx._mm256_set1_epi32(l.bias[o + 3]); 2],
                    ];
                    for ((((hk, &a0), &a1), &a2), &a3) in
                        h[..pi].iter().zip(w(0)).zip(w(1)).zip(w(2)).zip(w(3))
                    {
                        let b = [
                            avx._mm256_set1_epi32(a0),
                            avx._mm256_set1_epi32(a1),
                            avx._mm256_set1_epi32(a2),
                            avx._mm256_set1_epi32(a3),
                        ];
                        for half in 0..2 {
                            for q in 0..4 {
                                acc[q][half] = avx2._mm256_add_epi32(
                                    acc[q][half],
                                    avx2._mm256_madd_epi16(hk[half], b[q]),
                                );
                            }
                        }
                    }
                    for half in 0..2 {
                        g[po][half] = pack_v3(simd, acc[0][half], acc[1][half], l.shift, lo);
                        g[po + 1][half] = pack_v3(simd, acc[2][half], acc[3][half], l.shift, lo);
                    }
                    po += 2;
                }
                if po < po_n {
                    let (o0, o1) = (2 * po, 2 * po + 1);
                    let w0 = &l.wp[o0 * pi..(o0 + 1) * pi];
                    let w1 = &l.wp[o1 * pi..(o1 + 1) * pi];
                    let mut acc = [
                        [avx._mm256_set1_epi32(l.bias[o0]); 2],
                        [avx._mm256_set1_epi32(l.bias[o1]); 2],
                    ];
                    for ((hk, &a0), &a1) in h[..pi].iter().zip(w0).zip(w1) {
                        let (b0, b1) = (avx._mm256_set1_epi32(a0), avx._mm256_set1_epi32(a1));
                        for half in 0..2 {
                            acc[0][half] = avx2._mm256_add_epi32(
                                acc[0][half],
                                avx2._mm256_madd_epi16(hk[half], b0),
                            );
                            acc[1][half] = avx2._mm256_add_epi32(
                                acc[1][half],
                                avx2._mm256_madd_epi16(hk[half], b1),
                            );
                        }
                    }
                    for half in 0..2 {
                        g[po][half] = pack_v3(simd, acc[0][half], acc[1][half], l.shift, lo);
                    }
                }
                std::mem::swap(&mut h, &mut g);
            }
            let pi = last.pairs_in();
            for o in 0..last.n_out {
                let w = &last.wp[o * pi..(o + 1) * pi];
                let mut acc = [avx._mm256_set1_epi32(last.bias[o]); 2];
                for (hk, &a) in h[..pi].iter().zip(w) {
                    let b = avx._mm256_set1_epi32(a);
                    for half in 0..2 {
                        acc[half] =
                            avx2._mm256_add_epi32(acc[half], avx2._mm256_madd_epi16(hk[half], b));
                    }
                }
                for (half, &a) in acc.iter().enumerate() {
                    let r: [i32; 8] = cast(round_v3(simd, a, last.shift));
                    let b = o * MAX_BATCH + s0 + 8 * half;
                    out[b..b + 8].copy_from_slice(&r);
                }
            }
        }
    }
}

/// A hidden layer's outputs `o` and `o + 1` of 8 samples from their sums: rounded, clamped to
/// `lo..=32767`, as 16-bit pairs (low half output `o`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn pack_v3(
    simd: pulp::x86::V3,
    acc0: std::arch::x86_64::__m256i,
    acc1: std::arch::x86_64::__m256i,
    shift: u32,
    lo: std::arch::x86_64::__m256i,
) -> std::arch::x86_64::__m256i {
    let (avx, avx2) = (simd.avx, simd.avx2);
    let hi = avx._mm256_set1_epi32(32767);
    let y0 = round_v3(simd, acc0, shift);
    let y1 = round_v3(simd, acc1, shift);
    let y0 = avx2._mm256_max_epi32(avx2._mm256_min_epi32(y0, hi), lo);
    let y1 = avx2._mm256_max_epi32(avx2._mm256_min_epi32(y1, hi), lo);
    avx2._mm256_or_si256(
        avx2._mm256_and_si256(y0, avx._mm256_set1_epi32(0xffff)),
        avx2._mm256_slli_epi32::<16>(y1),
    )
}

/// [`round_shift32`] on 8 lanes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn round_v3(
    simd: pulp::x86::V3,
    a: std::arch::x86_64::__m256i,
    shift: u32,
) -> std::arch::x86_64::__m256i {
    if shift == 0 {
        return a;
    }
    let (avx, avx2) = (simd.avx, simd.avx2);
    #[allow(clippy::cast_possible_wrap)]
    let (s, s1) = (
        avx._mm256_set1_epi32(shift as i32),
        avx._mm256_set1_epi32(shift as i32 - 1),
    );
    let one = avx._mm256_set1_epi32(1);
    avx2._mm256_add_epi32(
        avx2._mm256_srav_epi32(a, s),
        avx2._mm256_and_si256(avx2._mm256_srav_epi32(a, s1), one),
    )
}

/// `acc[s] = bias[o] + Σ_i w[o][i] * x[i][s]`, wrapping.
#[inline(always)]
fn layer_sum(l: &Layer, o: usize, x: &[i32], n: usize, acc: &mut [i32]) {
    acc.fill(l.bias[o]);
    let w = &l.w[o * l.n_in..(o + 1) * l.n_in];
    for (i, &wi) in w.iter().enumerate() {
        let xi = &x[i * n..(i + 1) * n];
        for (a, &v) in acc.iter_mut().zip(xi) {
            *a = a.wrapping_add(wi.wrapping_mul(v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndcodecs_learned::Dense;

    #[test]
    fn same_as_the_scalar_network() {
        let seed = std::cell::Cell::new(7u64);
        let rnd = || {
            let mut v = seed.get();
            v ^= v << 13;
            v ^= v >> 7;
            v ^= v << 17;
            seed.set(v);
            v
        };
        #[allow(clippy::cast_possible_truncation)]
        let w = |n: usize, big: bool| -> Vec<i16> {
            (0..n)
                .map(|_| {
                    let m = if big { 32767 } else { 4000 };
                    ((rnd() % (2 * m + 1)) as i64 - m as i64) as i16
                })
                .collect()
        };
        // second hidden width 24 (12 output pairs: the vector kernel's groups of two pairs)
        // and 22 (11: a last pair alone); a linear hidden layer in the second case
        for (big, h2) in [(false, 24), (true, 24), (false, 22), (true, 22)] {
            let l1 = Dense::new(
                17,
                24,
                w(17 * 24, big),
                (0..24).map(|i| i * 1000 - 9000).collect(),
                13,
                true,
            )
            .unwrap();
            let l2 = Dense::new(24, h2, w(24 * h2, big), vec![-3; h2], 14, h2 == 24).unwrap();
            let l3 = Dense::new(h2, 2, w(2 * h2, big), vec![5, -5], 12, false).unwrap();
            let mlp = Mlp::new(vec![l1, l2, l3]).unwrap();
            let bm = BatchMlp::new(&mlp);
            for n in [1usize, 7, 16, 33, 64, MAX_BATCH] {
                let xs: Vec<[i16; 17]> = (0..n)
                    .map(|_| {
                        #[allow(clippy::cast_possible_truncation)]
                        std::array::from_fn(|_| ((rnd() % 65535) as i64 - 32767) as i16)
                    })
                    .collect();
                let mut x = vec![0i16; input_len(17)];
                for (s, v) in xs.iter().enumerate() {
                    for i in 0..17 {
                        x[input_index(i, s)] = v[i];
                    }
                }
                let mut out = vec![0i32; 2 * MAX_BATCH];
                bm.forward(&x, n, &mut out);
                let mut out_scalar = vec![0i32; 2 * MAX_BATCH];
                bm.forward_scalar(&x, n, &mut out_scalar);
                for (s, v) in xs.iter().enumerate() {
                    let mut o = [0i32; 2];
                    mlp.forward(v, &mut o);
                    assert_eq!(
                        [out_scalar[s], out_scalar[MAX_BATCH + s]],
                        o,
                        "scalar, sample {s} of {n}"
                    );
                    assert_eq!([out[s], out[MAX_BATCH + s]], o, "sample {s} of {n}");
                }
            }
        }
    }
}
