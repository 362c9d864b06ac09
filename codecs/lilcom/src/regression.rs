//! Choosing the regression coefficients.
//!
//! The reference encoder fits one axis after another, each on the residual the previous axes
//! left, but its decoder applies every coefficient to the *values*: on a 2-d array of speech
//! features it predicts `0.98 * left + 0.75 * above`, about 1.7 times the value. This module fits
//! all axes jointly instead and then searches around that fit for the coefficients that minimise
//! an estimate of the coded size:
//!
//! 1. take a sample of the elements (all of them for small chunks; otherwise evenly spread runs
//!    along the last axis, about 5120 elements), with each element's previous neighbour along
//!    every axis (or 0 where the decoder has none: index 0 on that axis);
//! 2. solve the least-squares normal equations for the joint predictor, clamp to `[-1, 1]` and
//!    round to `k / 256`;
//! 3. keep the cheapest of that fit, each single-axis fit and all zeros, where the cost of a
//!    candidate is the sum over the sample of the bit width of its quantised residual — the
//!    quantity the adaptive-width integer code spends most of its bits on;
//! 4. refine by pattern search on the same cost: along each axis and each pair of axes (in
//!    opposite directions), both ways, following a direction while it improves, with steps of
//!    16 and 4 (in 1/256; a final step of 1 changed the coded size of the speech test data by
//!    under 0.01 % and cost a fifth of the search time).

use crate::{LilcomElement, format::COEFF_SCALE};

/// Number of sampled elements the search works on, at most. On the speech test data, sample
/// sizes from 4608 to 8192 change the coded size by up to ±0.2 % with no trend (which runs are
/// sampled matters more than how many); the search time is proportional.
const SAMPLE: usize = 5120;
/// Length of one sampled run along the last axis, at most.
const RUN: usize = 128;

/// Sampled targets and their neighbours, column-major: `feats[a][s]` is the previous value along
/// axis `a` of sample `s` (0 when there is none).
struct Sample {
    x: Vec<f32>,
    feats: Vec<Vec<f32>>,
    /// end (exclusive) of each contiguous run
    ends: Vec<usize>,
}

fn sample<T: LilcomElement>(data: &[T], shape: &[usize]) -> Sample {
    let rank = shape.len();
    let row_len = shape[rank - 1];
    let rows = data.len() / row_len;
    let mut strides = vec![1usize; rank];
    for a in (0..rank - 1).rev() {
        strides[a] = strides[a + 1] * shape[a + 1];
    }
    #[allow(clippy::cast_possible_truncation)]
    let val = |v: T| v.to_f64() as f32;
    let mut s = Sample {
        x: Vec::new(),
        feats: vec![Vec::new(); rank],
        ends: Vec::new(),
    };
    let mut push_run = |row: usize, j0: usize, len: usize| {
        // Multi-index of the row over the outer axes.
        let mut rem = row;
        let mut outer_nonzero = vec![false; rank];
        for a in (0..rank - 1).rev() {
            outer_nonzero[a] = !rem.is_multiple_of(shape[a]);
            rem /= shape[a];
        }
        let p0 = row * row_len + j0;
        s.x.extend(data[p0..p0 + len].iter().map(|&v| val(v)));
        for a in 0..rank - 1 {
            if outer_nonzero[a] {
                let q = p0 - strides[a];
                s.feats[a].extend(data[q..q + len].iter().map(|&v| val(v)));
            } else {
                s.feats[a].extend(std::iter::repeat_n(0.0, len));
            }
        }
        let last = &mut s.feats[rank - 1];
        if j0 == 0 {
            last.push(0.0);
            last.extend(data[p0..p0 + len - 1].iter().map(|&v| val(v)));
        } else {
            last.extend(data[p0 - 1..p0 + len - 1].iter().map(|&v| val(v)));
        }
        s.ends.push(s.x.len());
    };
    if data.len() <= SAMPLE {
        for row in 0..rows {
            push_run(row, 0, row_len);
        }
    } else {
        let run = row_len.min(RUN);
        let count = (SAMPLE / run).max(1);
        for k in 0..count {
            let row = k * rows / count;
            let j0 = if row_len > run {
                (k * 7919) % (row_len - run + 1)
            } else {
                0
            };
            push_run(row, j0, run);
        }
    }
    s
}

/// Bits the sample's codes would take for coefficients `k` (in 1/256): each sampled run is
/// costed like a stream of its own (smoothed widths, width-change codes, implied top bits), with
/// residuals predicted from the input values rather than the reconstruction.
fn cost(
    s: &Sample,
    k: &[i32],
    inv_tick: f32,
    res: &mut Vec<f32>,
    widths: &mut Vec<u8>,
    smoothed: &mut Vec<u8>,
) -> u64 {
    let active: Vec<(&[f32], f32)> = s
        .feats
        .iter()
        .zip(k)
        .filter(|&(_, &ka)| ka != 0)
        .map(|(f, &ka)| {
            #[allow(clippy::cast_precision_loss)]
            let c = ka as f32 / 256.0;
            (f.as_slice(), c)
        })
        .collect();
    res.clear();
    match active.as_slice() {
        [] => res.extend_from_slice(&s.x),
        [(f0, c0)] => res.extend(s.x.iter().zip(*f0).map(|(&x, &u)| x - u * c0)),
        [(f0, c0), (f1, c1)] => res.extend(
            s.x.iter()
                .zip(*f0)
                .zip(*f1)
                .map(|((&x, &u), &v)| x - u * c0 - v * c1),
        ),
        more => {
            res.extend_from_slice(&s.x);
            for &(f, c) in more {
                for (r, &v) in res.iter_mut().zip(f) {
                    *r -= v * c;
                }
            }
        }
    }
    // Width of each zigzag code, computed in floating point (vectorises): round half to even
    // with the 2^23 trick, zigzag as 2|q| - [q < 0], width from the float exponent.
    const TWO23: f32 = 8_388_608.0;
    widths.clear();
    widths.extend(res.iter().map(|&r| {
        let v = r * inv_tick;
        let a = v.abs().min(4.0e6);
        let q = (a + TWO23) - TWO23;
        let neg = if v < 0.0 && q > 0.0 { 1.0 } else { 0.0 };
        let z = 2.0 * q - neg;
        #[allow(clippy::cast_possible_truncation)]
        let w = (z.to_bits() >> 23).saturating_sub(126) as u8;
        w
    }));
    // Smoothed widths approximated within two neighbours (the stream's width may fall by one
    // per value), plus a bit per width change; the sample's runs are treated as one sequence.
    let n = widths.len();
    if n < 5 {
        return widths.iter().map(|&w| u64::from(w) + 1).sum();
    }
    let w0 = &widths[2..n - 2];
    let (l1, r1) = (&widths[1..n - 3], &widths[3..n - 1]);
    let (l2, r2) = (&widths[..n - 4], &widths[4..]);
    smoothed.clear();
    smoothed.extend((0..w0.len()).map(|i| {
        w0[i]
            .max(l1[i].saturating_sub(1))
            .max(r1[i].saturating_sub(1))
            .max(l2[i].saturating_sub(2))
            .max(r2[i].saturating_sub(2))
    }));
    // Summed in 32 bits (more lanes per vector): a sample holds far fewer than 2^24 values.
    let sum: u32 = smoothed.iter().map(|&m| u32::from(m)).sum();
    let changes: u32 = smoothed
        .iter()
        .zip(&smoothed[1..])
        .map(|(a, b)| u32::from(a != b))
        .sum();
    u64::from(sum) + u64::from(changes) + smoothed.len() as u64
}

/// Dot product in f64 with four accumulators (so it vectorises).
fn dot(u: &[f32], v: &[f32]) -> f64 {
    let mut acc = [0f64; 4];
    let (uc, ur) = u.split_at(u.len() / 4 * 4);
    let (vc, vr) = v.split_at(uc.len());
    for (a, b) in uc.chunks_exact(4).zip(vc.chunks_exact(4)) {
        for l in 0..4 {
            acc[l] += f64::from(a[l]) * f64::from(b[l]);
        }
    }
    let tail: f64 = ur
        .iter()
        .zip(vr)
        .map(|(&a, &b)| f64::from(a) * f64::from(b))
        .sum();
    acc.iter().sum::<f64>() + tail
}

/// Normal equations of the sample: `g[i][j] = sum f_i f_j`, `b[i] = sum f_i x`, over all axes.
fn gram(s: &Sample) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = s.feats.len();
    let mut g = vec![vec![0f64; n]; n];
    let mut b = vec![0f64; n];
    for i in 0..n {
        b[i] = dot(&s.feats[i], &s.x);
        for (j, fj) in s.feats.iter().enumerate().skip(i) {
            let v = dot(&s.feats[i], fj);
            g[i][j] = v;
            g[j][i] = v;
        }
    }
    (g, b)
}

/// Least-squares joint fit over `axes` (as `k / 256`), clamped to `[-256, 256]`.
fn joint_fit(gram: &(Vec<Vec<f64>>, Vec<f64>), axes: &[usize]) -> Vec<i32> {
    let n = axes.len();
    let mut g = vec![0f64; n * n];
    let mut b = vec![0f64; n];
    for (ii, &ai) in axes.iter().enumerate() {
        b[ii] = gram.1[ai];
        for (jj, &aj) in axes.iter().enumerate() {
            g[ii * n + jj] = gram.0[ai][aj];
        }
    }
    let ridge = 1e-9 * (0..n).map(|i| g[i * n + i]).sum::<f64>() + 1e-30;
    for i in 0..n {
        g[i * n + i] += ridge;
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&p, &q| g[p * n + col].abs().total_cmp(&g[q * n + col].abs()))
            .unwrap_or(col);
        if g[piv * n + col].abs() < 1e-300 {
            continue;
        }
        if piv != col {
            for j in 0..n {
                g.swap(piv * n + j, col * n + j);
            }
            b.swap(piv, col);
        }
        for r in col + 1..n {
            let f = g[r * n + col] / g[col * n + col];
            for j in col..n {
                g[r * n + j] -= f * g[col * n + j];
            }
            b[r] -= f * b[col];
        }
    }
    let mut c = vec![0f64; n];
    for i in (0..n).rev() {
        let d = g[i * n + i];
        if d.abs() < 1e-300 {
            continue;
        }
        let acc: f64 = (i + 1..n).map(|j| g[i * n + j] * c[j]).sum();
        c[i] = (b[i] - acc) / d;
    }
    c.iter()
        .map(|&v| {
            #[allow(clippy::cast_possible_truncation)]
            let k = (v * 256.0).round().clamp(-256.0, 256.0) as i32;
            if v.is_finite() { k } else { 0 }
        })
        .collect()
}

/// Chooses one coefficient per axis (`k` meaning `k / 256`) for `data` (C order, `shape` the
/// stored shape: rank 1..=15, extents >= 1) at `tick_power`.
///
/// Deterministic: the same input gives the same coefficients.
pub fn choose_coefficients<T: LilcomElement>(
    data: &[T],
    shape: &[usize],
    tick_power: i32,
) -> Vec<i32> {
    let rank = shape.len();
    // Axes of extent 1 never predict anything.
    let axes: Vec<usize> = (0..rank).filter(|&a| shape[a] > 1).collect();
    if axes.is_empty() {
        return vec![0; rank];
    }
    let s = sample(data, shape);
    let inv_tick = 2f32.powi(-tick_power);
    let mut res = Vec::with_capacity(s.x.len());
    let mut widths = Vec::with_capacity(s.x.len());
    let mut smoothed = Vec::with_capacity(s.x.len());
    let expand = |sub: &[i32], on: &[usize]| {
        let mut k = vec![0; rank];
        for (&a, &v) in on.iter().zip(sub) {
            k[a] = v;
        }
        k
    };
    let mut best = vec![0; rank];
    let mut best_cost = cost(&s, &best, inv_tick, &mut res, &mut widths, &mut smoothed);
    let normal = gram(&s);
    let mut candidates = vec![expand(&joint_fit(&normal, &axes), &axes)];
    if axes.len() > 1 {
        for &a in &axes {
            candidates.push(expand(&joint_fit(&normal, &[a]), &[a]));
        }
    }
    for cand in candidates {
        let c = cost(&s, &cand, inv_tick, &mut res, &mut widths, &mut smoothed);
        if c < best_cost {
            best_cost = c;
            best = cand;
        }
    }
    // Directions: one coefficient, or two in opposite directions (the cost valley of smooth
    // data runs along "coefficients sum to about 1", which single moves cannot follow). Each is
    // tried both ways and followed while it keeps improving.
    let mut dirs: Vec<Vec<(usize, i32)>> = axes.iter().map(|&a| vec![(a, 1)]).collect();
    if axes.len() <= 4 {
        for (i, &a) in axes.iter().enumerate() {
            for &b in &axes[i + 1..] {
                dirs.push(vec![(a, 1), (b, -1)]);
            }
        }
    }
    for step in [16, 4] {
        for dir in &dirs {
            for sign in [1, -1] {
                let mut moved = 0;
                while moved < 8 {
                    let mut cand = best.clone();
                    for &(a, d) in dir {
                        cand[a] = (cand[a] + sign * d * step).clamp(-COEFF_SCALE, COEFF_SCALE);
                    }
                    if cand == best {
                        break;
                    }
                    let c = cost(&s, &cand, inv_tick, &mut res, &mut widths, &mut smoothed);
                    if c >= best_cost {
                        break;
                    }
                    best_cost = c;
                    best = cand;
                    moved += 1;
                }
                if moved > 0 {
                    break; // improved this way: no need to try the other
                }
            }
        }
    }
    best
}
