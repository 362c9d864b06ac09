//! Fixed-point dense (fully connected) layers and multilayer perceptrons.
//!
//! A layer maps `n_in` signed 16-bit inputs to `n_out` outputs:
//!
//! ```text
//! acc[o] = bias[o] + Σ_i weight[i][o] * x[i]      (32-bit two's complement, wrapping)
//! y[o]   = clamp((acc[o] + 2^(shift-1)) >> shift, lo, 32767)
//! ```
//!
//! with `>>` the arithmetic shift, the rounding addition done in 64 bits, and `lo = 0` for a ReLU
//! layer, `-32767` otherwise. Wrapping 32-bit addition is associative and commutative, so every
//! summation order (scalar, SIMD lanes, pairwise products) gives the same `acc`: the result does
//! not depend on the CPU or the compiler's vectorisation.

/// Largest input or output count of a layer.
pub const MAX_WIDTH: usize = 256;
/// Layers up to this width use stack buffers of this size (no 256-wide buffer to clear).
const SMALL: usize = 64;

/// One fixed-point dense layer (see the [module](self) docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dense {
    n_in: usize,
    n_out: usize,
    /// `weight[i * n_out + o]`: input-major, so the inner loop runs over outputs
    weight: Vec<i16>,
    /// the same weights in pairs of inputs, `paired[((i / 2) * n_out + o) * 2 + i % 2]` (a zero
    /// weight pads an odd input count): two products per 32-bit lane, the layout of the
    /// `pmaddwd` instruction
    paired: Vec<i16>,
    bias: Vec<i32>,
    shift: u32,
    relu: bool,
}

/// Why a layer description is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerError(pub String);

impl Dense {
    /// A layer from weights in input-major order (`weight[i * n_out + o]`), biases, the right
    /// shift (`0..=31`) and whether a ReLU follows.
    ///
    /// # Errors
    ///
    /// [`LayerError`] if a count is 0 or above [`MAX_WIDTH`], the slices have other lengths, the
    /// shift is above 31, or a weight is `-32768` (excluded so that no pair of products can
    /// reach `2^31`).
    pub fn new(
        n_in: usize,
        n_out: usize,
        weight: Vec<i16>,
        bias: Vec<i32>,
        shift: u32,
        relu: bool,
    ) -> Result<Self, LayerError> {
        if !(1..=MAX_WIDTH).contains(&n_in) || !(1..=MAX_WIDTH).contains(&n_out) {
            return Err(LayerError(format!(
                "layer of {n_in} inputs and {n_out} outputs (1..={MAX_WIDTH} each)"
            )));
        }
        if weight.len() != n_in * n_out || bias.len() != n_out {
            return Err(LayerError(format!(
                "{} weights and {} biases for a {n_in} x {n_out} layer",
                weight.len(),
                bias.len()
            )));
        }
        if shift > 31 {
            return Err(LayerError(format!("shift {shift} above 31")));
        }
        if weight.contains(&i16::MIN) {
            return Err(LayerError("weight -32768 (excluded)".into()));
        }
        let pairs = n_in.div_ceil(2);
        let mut paired = vec![0i16; pairs * n_out * 2];
        for i in 0..n_in {
            for o in 0..n_out {
                paired[((i / 2) * n_out + o) * 2 + i % 2] = weight[i * n_out + o];
            }
        }
        Ok(Self {
            n_in,
            n_out,
            paired,
            weight,
            bias,
            shift,
            relu,
        })
    }

    /// Number of inputs.
    #[must_use]
    pub const fn n_in(&self) -> usize {
        self.n_in
    }

    /// Number of outputs.
    #[must_use]
    pub const fn n_out(&self) -> usize {
        self.n_out
    }

    /// The weights (input-major), biases, shift and ReLU flag.
    #[must_use]
    pub fn parts(&self) -> (&[i16], &[i32], u32, bool) {
        (&self.weight, &self.bias, self.shift, self.relu)
    }

    /// Number of parameters (weights and biases).
    #[must_use]
    pub const fn parameters(&self) -> usize {
        self.n_in * self.n_out + self.n_out
    }

    /// The 32-bit accumulators for `x` (`n_in` values) into `acc` (`n_out` values).
    #[inline(always)]
    pub fn accumulate(&self, x: &[i16], acc: &mut [i32]) {
        // Fixed widths keep the accumulators in registers (and vectorise); the arithmetic is the
        // same wrapping sum.
        match self.n_out {
            2 => return self.accumulate_n::<2>(x, acc),
            8 => return self.accumulate_n::<8>(x, acc),
            16 => return self.accumulate_n::<16>(x, acc),
            24 => return self.accumulate_n::<24>(x, acc),
            32 => return self.accumulate_n::<32>(x, acc),
            48 => return self.accumulate_n::<48>(x, acc),
            64 => return self.accumulate_n::<64>(x, acc),
            _ => {}
        }
        let acc = &mut acc[..self.n_out];
        acc.copy_from_slice(&self.bias);
        for (w_row, &xi) in self.weight.chunks_exact(self.n_out).zip(&x[..self.n_in]) {
            let xi = i32::from(xi);
            for (a, &w) in acc.iter_mut().zip(w_row) {
                *a = a.wrapping_add(i32::from(w) * xi);
            }
        }
    }

    #[inline(always)]
    fn accumulate_n<const N: usize>(&self, x: &[i16], out: &mut [i32]) {
        let mut acc = [0i32; N];
        acc.copy_from_slice(&self.bias[..N]);
        let x = &x[..self.n_in];
        let (pairs, rest) = x.split_at(self.n_in & !1);
        let mut rows = self.paired.chunks_exact(2 * N);
        // pairs first: `zip` must not pull a row past the last pair
        for (xp, w_row) in pairs.chunks_exact(2).zip(rows.by_ref()) {
            let (x0, x1) = (i32::from(xp[0]), i32::from(xp[1]));
            for (a, w) in acc.iter_mut().zip(w_row.chunks_exact(2)) {
                // the sum of two products fits in 32 bits (no weight is -32768)
                *a = a.wrapping_add(i32::from(w[0]) * x0 + i32::from(w[1]) * x1);
            }
        }
        if let (Some(w_row), Some(&x0)) = (rows.next(), rest.first()) {
            let x0 = i32::from(x0);
            for (a, w) in acc.iter_mut().zip(w_row.chunks_exact(2)) {
                *a = a.wrapping_add(i32::from(w[0]) * x0);
            }
        }
        out[..N].copy_from_slice(&acc);
    }

    /// Applies the layer: `x` (`n_in` values) into `y` (`n_out` values).
    #[inline(always)]
    pub fn forward(&self, x: &[i16], y: &mut [i16]) {
        let mut acc = [0i32; SMALL];
        let mut big;
        let acc: &mut [i32] = if self.n_out <= SMALL {
            &mut acc
        } else {
            big = [0i32; MAX_WIDTH];
            &mut big
        };
        self.accumulate(x, acc);
        let lo = if self.relu { 0 } else { -32767 };
        for (o, &a) in y[..self.n_out].iter_mut().zip(&acc[..self.n_out]) {
            #[allow(clippy::cast_possible_truncation)]
            {
                *o = crate::fixed::round_shift(i64::from(a), self.shift).clamp(lo, 32767) as i16;
            }
        }
    }

    /// The output accumulators of a final (linear) layer, rounded and shifted but not clamped:
    /// `(acc + 2^(shift-1)) >> shift` in 64 bits.
    #[inline(always)]
    pub fn forward_linear(&self, x: &[i16], y: &mut [i32]) {
        let mut acc = [0i32; SMALL];
        let mut big;
        let acc: &mut [i32] = if self.n_out <= SMALL {
            &mut acc
        } else {
            big = [0i32; MAX_WIDTH];
            &mut big
        };
        self.accumulate(x, acc);
        for (o, &a) in y[..self.n_out].iter_mut().zip(&acc[..self.n_out]) {
            #[allow(clippy::cast_possible_truncation)]
            {
                *o = crate::fixed::round_shift(i64::from(a), self.shift) as i32;
            }
        }
    }
}

/// A multilayer perceptron: hidden [`Dense`] layers (each usually with a ReLU) and a final layer
/// whose outputs are returned unclamped (`forward_linear`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mlp {
    layers: Vec<Dense>,
}

impl Mlp {
    /// An MLP from its layers, first to last.
    ///
    /// # Errors
    ///
    /// [`LayerError`] if there is no layer or a layer's input count differs from the previous
    /// layer's output count.
    pub fn new(layers: Vec<Dense>) -> Result<Self, LayerError> {
        if layers.is_empty() {
            return Err(LayerError("an MLP needs at least one layer".into()));
        }
        for w in layers.windows(2) {
            if w[0].n_out != w[1].n_in {
                return Err(LayerError(format!(
                    "a layer of {} outputs feeds a layer of {} inputs",
                    w[0].n_out, w[1].n_in
                )));
            }
        }
        Ok(Self { layers })
    }

    /// The layers.
    #[must_use]
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    /// Number of inputs.
    #[must_use]
    pub fn n_in(&self) -> usize {
        self.layers[0].n_in
    }

    /// Number of outputs.
    #[must_use]
    pub fn n_out(&self) -> usize {
        self.layers[self.layers.len() - 1].n_out
    }

    /// Number of parameters.
    #[must_use]
    pub fn parameters(&self) -> usize {
        self.layers.iter().map(Dense::parameters).sum()
    }

    /// Multiply-accumulate operations per evaluation.
    #[must_use]
    pub fn macs(&self) -> usize {
        self.layers.iter().map(|l| l.n_in * l.n_out).sum()
    }

    /// Evaluates the network on `x` (`n_in` values), writing `n_out` outputs to `out`.
    #[inline(always)]
    pub fn forward(&self, x: &[i16], out: &mut [i32]) {
        if self
            .layers
            .iter()
            .all(|l| l.n_in <= SMALL && l.n_out <= SMALL)
        {
            return self.forward_buf::<SMALL>(x, out);
        }
        self.forward_buf::<MAX_WIDTH>(x, out);
    }

    #[inline(always)]
    fn forward_buf<const W: usize>(&self, x: &[i16], out: &mut [i32]) {
        let mut a = [0i16; W];
        let mut b = [0i16; W];
        let (last, hidden) = self.layers.split_last().expect("at least one layer");
        let mut n = x.len().min(W);
        a[..n].copy_from_slice(&x[..n]);
        for layer in hidden {
            layer.forward(&a[..n], &mut b);
            n = layer.n_out;
            std::mem::swap(&mut a, &mut b);
        }
        let cur = &a[..n];
        last.forward_linear(cur, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_arithmetic_by_hand() {
        // 2 inputs, 2 outputs, shift 2, relu
        let l = Dense::new(2, 2, vec![3, -1, 5, 2], vec![1, -100], 2, true).unwrap();
        let mut y = [0i16; 2];
        l.forward(&[10, -4], &mut y);
        // acc0 = 1 + 3*10 + 5*(-4) = 11 -> (11 + 2) >> 2 = 3
        // acc1 = -100 - 10 - 8 = -118 -> relu 0
        assert_eq!(y, [3, 0]);
        let l = Dense::new(2, 2, vec![3, -1, 5, 2], vec![1, -100], 2, false).unwrap();
        l.forward(&[10, -4], &mut y);
        // (-118 + 2) >> 2 = -29
        assert_eq!(y, [3, -29]);
    }

    /// The accumulators against an exact 64-bit sum reduced modulo 2^32, for every width the
    /// fast kernels cover and some they do not, inside and outside the SIMD dispatch.
    #[test]
    fn kernels_match_the_exact_sum() {
        let mut s = 0x2545_f491_4f6c_dd1du64;
        let mut rand = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for &(n_in, n_out) in &[
            (25, 32),
            (32, 32),
            (32, 2),
            (7, 8),
            (5, 16),
            (3, 24),
            (9, 48),
            (4, 64),
            (6, 5),
            (70, 33),
            (2, 100),
        ] {
            #[allow(clippy::cast_possible_truncation)]
            let weight: Vec<i16> = (0..n_in * n_out)
                .map(|_| ((rand() % 65535) as i32 - 32767) as i16)
                .collect();
            #[allow(clippy::cast_possible_truncation)]
            let bias: Vec<i32> = (0..n_out).map(|_| rand() as i32).collect();
            #[allow(clippy::cast_possible_truncation)]
            let x: Vec<i16> = (0..n_in)
                .map(|_| ((rand() % 65535) as i32 - 32767) as i16)
                .collect();
            let l = Dense::new(n_in, n_out, weight.clone(), bias.clone(), 3, false).unwrap();
            let exact: Vec<i32> = (0..n_out)
                .map(|o| {
                    let sum: i64 = i64::from(bias[o])
                        + (0..n_in)
                            .map(|i| i64::from(weight[i * n_out + o]) * i64::from(x[i]))
                            .sum::<i64>();
                    #[allow(clippy::cast_possible_truncation)]
                    let wrapped = sum as i32;
                    wrapped
                })
                .collect();
            let mut acc = vec![0i32; n_out];
            l.accumulate(&x, &mut acc);
            assert_eq!(acc, exact, "{n_in} x {n_out}");
            let mut acc2 = vec![0i32; n_out];
            crate::simd::vectorize(|| l.accumulate(&x, &mut acc2));
            assert_eq!(acc2, exact, "{n_in} x {n_out} (dispatched)");
        }
    }

    #[test]
    fn accumulators_wrap() {
        let l = Dense::new(3, 1, vec![32767; 3], vec![i32::MAX], 0, false).unwrap();
        let mut acc = [0i32; 1];
        l.accumulate(&[32767, 32767, 32767], &mut acc);
        let exact = i64::from(i32::MAX) + 3 * 32767 * 32767;
        #[allow(clippy::cast_possible_truncation)]
        let wrapped = exact as i32;
        assert_eq!(acc[0], wrapped);
    }

    #[test]
    fn bad_layers_are_refused() {
        assert!(Dense::new(0, 1, vec![], vec![0], 0, true).is_err());
        assert!(Dense::new(2, 1, vec![1], vec![0], 0, true).is_err());
        assert!(Dense::new(1, 1, vec![i16::MIN], vec![0], 0, true).is_err());
        assert!(Dense::new(1, 1, vec![1], vec![0], 32, true).is_err());
        let a = Dense::new(2, 3, vec![0; 6], vec![0; 3], 0, true).unwrap();
        let b = Dense::new(2, 1, vec![0; 2], vec![0], 0, true).unwrap();
        assert!(Mlp::new(vec![a, b]).is_err());
    }
}
