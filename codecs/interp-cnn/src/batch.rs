//! A fixed-point MLP evaluated on many samples at once (the samples of a sub-image row), with
//! exactly the arithmetic of [`ndcodecs_learned::Mlp::forward`]: per layer,
//! `acc = bias + Σ w * x` in wrapping 32-bit arithmetic, `(acc + 2^(shift-1)) >> shift`, then
//! `clamp(·, 0 or -32767, 32767)` for hidden layers; the last layer's rounded sums unclamped.
//!
//! Samples lie along the innermost axis (`x[i * n + s]`: input `i` of sample `s`), so the inner
//! loop is the same operation on consecutive samples and vectorises (this is the 1 x 1
//! convolution view of the network). The rounding shift is computed as
//! `(acc >> shift) + ((acc >> (shift - 1)) & 1)`, equal to the 64-bit rounding of the scalar
//! layer without leaving 32 bits. A test compares every output with `Mlp::forward`.

use ndcodecs_learned::Mlp;

/// Largest number of samples of one call.
pub const MAX_BATCH: usize = 128;

#[derive(Clone, Debug)]
struct Layer {
    n_in: usize,
    n_out: usize,
    /// `w[o * n_in + i]`
    w: Vec<i32>,
    bias: Vec<i32>,
    shift: u32,
    relu: bool,
}

/// Activation buffers of [`BatchMlp::forward`].
#[derive(Clone, Debug)]
pub struct Scratch {
    a: Vec<i16>,
    b: Vec<i16>,
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
                Layer {
                    n_in,
                    n_out,
                    w: t,
                    bias: b.to_vec(),
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

    /// Buffers for [`Self::forward`].
    #[must_use]
    pub fn scratch(&self) -> Scratch {
        Scratch {
            a: vec![0; self.width * MAX_BATCH],
            b: vec![0; self.width * MAX_BATCH],
        }
    }

    /// Evaluates `n <= MAX_BATCH` samples: `x[i * n + s]` (inputs), `out[o * n + s]` (the last
    /// layer's outputs). `scratch` must come from a network at least as wide.
    #[inline(always)]
    pub fn forward(&self, x: &[i16], n: usize, scratch: &mut Scratch, out: &mut [i32]) {
        debug_assert!(n <= MAX_BATCH);
        let Scratch { a, b } = scratch;
        let (last, hidden) = self.layers.split_last().expect("at least one layer");
        let m = self.layers[0].n_in * n;
        a[..m].copy_from_slice(&x[..m]);
        let mut acc = [0i32; MAX_BATCH];
        for l in hidden {
            let lo = if l.relu { 0 } else { -32767 };
            for o in 0..l.n_out {
                let acc = &mut acc[..n];
                layer_sum(l, o, a, n, acc);
                for (y, &v) in b[o * n..(o + 1) * n].iter_mut().zip(acc.iter()) {
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        *y = round_shift32(v, l.shift).clamp(lo, 32767) as i16;
                    }
                }
            }
            std::mem::swap(a, b);
        }
        for o in 0..last.n_out {
            let acc = &mut acc[..n];
            layer_sum(last, o, a, n, acc);
            for (y, &v) in out[o * n..(o + 1) * n].iter_mut().zip(acc.iter()) {
                *y = round_shift32(v, last.shift);
            }
        }
    }
}

/// `acc[s] = bias[o] + Σ_i w[o][i] * x[i][s]`, wrapping.
#[inline(always)]
fn layer_sum(l: &Layer, o: usize, x: &[i16], n: usize, acc: &mut [i32]) {
    acc.fill(l.bias[o]);
    let w = &l.w[o * l.n_in..(o + 1) * l.n_in];
    for (i, &wi) in w.iter().enumerate() {
        let xi = &x[i * n..(i + 1) * n];
        for (a, &v) in acc.iter_mut().zip(xi) {
            *a = a.wrapping_add(wi * i32::from(v));
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
        for big in [false, true] {
            let l1 = Dense::new(
                17,
                24,
                w(17 * 24, big),
                (0..24).map(|i| i * 1000 - 9000).collect(),
                13,
                true,
            )
            .unwrap();
            let l2 = Dense::new(24, 24, w(24 * 24, big), vec![-3; 24], 14, true).unwrap();
            let l3 = Dense::new(24, 2, w(48, big), vec![5, -5], 12, false).unwrap();
            let mlp = Mlp::new(vec![l1, l2, l3]).unwrap();
            let bm = BatchMlp::new(&mlp);
            for n in [1usize, 7, 64, MAX_BATCH] {
                let xs: Vec<[i16; 17]> = (0..n)
                    .map(|_| {
                        #[allow(clippy::cast_possible_truncation)]
                        std::array::from_fn(|_| ((rnd() % 65535) as i64 - 32767) as i16)
                    })
                    .collect();
                let mut x = vec![0i16; 17 * n];
                for (s, v) in xs.iter().enumerate() {
                    for i in 0..17 {
                        x[i * n + s] = v[i];
                    }
                }
                let mut out = vec![0i32; 2 * n];
                bm.forward(&x, n, &mut bm.scratch(), &mut out);
                for (s, v) in xs.iter().enumerate() {
                    let mut o = [0i32; 2];
                    mlp.forward(v, &mut o);
                    assert_eq!([out[s], out[n + s]], o, "sample {s} of {n}");
                }
            }
        }
    }
}
