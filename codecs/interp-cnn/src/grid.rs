//! The multiscale split: levels, the three interpolation steps of a level, each step's 16
//! neighbours, and the padded grid a level is held in.
//!
//! Level 0 is the plane; level `l + 1` is level `l`'s samples at even rows and even columns
//! (the first of its four polyphase components, *A*). A level's other three components are coded
//! in three steps, each from the components already known:
//!
//! | step | component | rows, columns | known before it |
//! |---|---|---|---|
//! | 0 | D | odd, odd | A |
//! | 1 | B | even, odd | A, D |
//! | 2 | C | odd, even | A, D, B |
//!
//! Every neighbour offset of a step points at a known component (its row and column parities
//! are those of a known component), so a sample's neighbours are all decoded before it and the
//! samples of one step are independent of each other.
//!
//! **Outside the level** a coordinate `y` of a dimension of length `n` is clamped to the nearest
//! coordinate of the same parity in `0..n` (which keeps the component); if there is none (`n = 1`
//! and `y` odd), the neighbour is instead the sample at the *even-clamped* position of both
//! coordinates, `min(y & !1, (n - 1) & !1)` with negative values raised to 0, which is in A.

use ndcodecs_core::{CodecError, shape::try_vec};
use rayon::prelude::*;

use crate::CODEC_ID;

/// Margin of the padded grid (the largest offset).
pub const MARGIN: usize = 3;
/// Number of neighbours of a sample.
pub const NEIGHBOURS: usize = 16;
/// Largest number of levels.
pub const MAX_LEVELS: usize = 8;
/// The coarsest level holds at most this many samples per plane (unless [`MAX_LEVELS`] stops
/// the halving first).
pub const COARSE_SAMPLES: usize = 64;

/// Row and column parity of each step's samples.
pub const PARITY: [(usize, usize); 3] = [(1, 1), (0, 1), (1, 0)];

/// The neighbour offsets `(dy, dx)` of each step, the nearest four first.
pub const OFFSETS: [[(i8, i8); NEIGHBOURS]; 3] = [
    // D: the 4 x 4 block of A samples around it
    [
        (-1, -1),
        (-1, 1),
        (1, -1),
        (1, 1),
        (-1, -3),
        (-1, 3),
        (1, -3),
        (1, 3),
        (-3, -1),
        (-3, 1),
        (3, -1),
        (3, 1),
        (-3, -3),
        (-3, 3),
        (3, -3),
        (3, 3),
    ],
    // B: A left and right, D above and below, then the next rings
    [
        (0, -1),
        (0, 1),
        (-1, 0),
        (1, 0),
        (-1, -2),
        (-1, 2),
        (1, -2),
        (1, 2),
        (-2, -1),
        (-2, 1),
        (2, -1),
        (2, 1),
        (0, -3),
        (0, 3),
        (-3, 0),
        (3, 0),
    ],
    // C: A above and below, D left and right, B on the diagonals, then the next ring
    [
        (-1, 0),
        (1, 0),
        (0, -1),
        (0, 1),
        (-1, -1),
        (-1, 1),
        (1, -1),
        (1, 1),
        (-1, -2),
        (-1, 2),
        (1, -2),
        (1, 2),
        (-2, -1),
        (-2, 1),
        (2, -1),
        (2, 1),
    ],
];

/// Number of levels of an `h` x `w` plane: the smallest `L` with
/// `ceil(h / 2^L) * ceil(w / 2^L) <= 64`, at most [`MAX_LEVELS`].
#[must_use]
pub fn levels(h: usize, w: usize) -> usize {
    let mut n = 0;
    while n < MAX_LEVELS && h.div_ceil(1 << n) * w.div_ceil(1 << n) > COARSE_SAMPLES {
        n += 1;
    }
    n
}

/// Size of level `l` of an `h` x `w` plane.
#[must_use]
pub const fn level_size(h: usize, w: usize, l: usize) -> (usize, usize) {
    (h.div_ceil(1 << l), w.div_ceil(1 << l))
}

/// Number of coordinates of parity `p` in `0..n`.
#[must_use]
pub const fn count(n: usize, p: usize) -> usize {
    (n + 1 - p) / 2
}

/// Where coordinate `y` (`-3..n + 3`) of a dimension of length `n >= 1` reads: the clamped
/// coordinate of the same parity, or `None` if there is none.
#[must_use]
pub fn clamp_parity(y: isize, n: usize) -> Option<usize> {
    let p = (y & 1) as usize;
    let n = n as isize;
    if p as isize > n - 1 {
        return None;
    }
    let hi = if ((n - 1) & 1) as usize == p {
        n - 1
    } else {
        n - 2
    };
    Some(y.clamp(p as isize, hi) as usize)
}

/// The even-clamped coordinate (see the module docs).
#[must_use]
pub fn clamp_even(y: isize, n: usize) -> usize {
    (y & !1).clamp(0, ((n - 1) & !1) as isize) as usize
}

/// One level of one plane, with a margin of [`MARGIN`] samples on every side.
#[derive(Clone, Debug)]
pub struct Grid {
    /// rows of the level
    pub h: usize,
    /// columns of the level
    pub w: usize,
    /// `w + 2 * MARGIN`
    pub stride: usize,
    /// `(h + 2 * MARGIN) * stride` values; the level's sample `(y, x)` at
    /// `(y + MARGIN) * stride + x + MARGIN`
    pub data: Vec<i32>,
}

impl Grid {
    /// A grid of zeros.
    #[must_use]
    pub fn new(h: usize, w: usize) -> Self {
        let stride = w + 2 * MARGIN;
        Self {
            h,
            w,
            stride,
            data: vec![0; (h + 2 * MARGIN) * stride],
        }
    }

    /// A grid of zeros, allocated fallibly: the decoder's grids, whose size the chunk header
    /// declares.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutOfMemory`] if the memory cannot be had.
    pub fn try_new(h: usize, w: usize) -> Result<Self, CodecError> {
        let stride = w + 2 * MARGIN;
        Ok(Self {
            h,
            w,
            stride,
            data: try_vec(
                CODEC_ID,
                "a decoder grid (int32, one plane of a level)",
                (h + 2 * MARGIN) * stride,
            )?,
        })
    }

    /// Index of the level's sample `(y, x)`.
    #[inline(always)]
    #[must_use]
    pub const fn index(&self, y: usize, x: usize) -> usize {
        (y + MARGIN) * self.stride + x + MARGIN
    }

    /// The neighbour offsets of `step` as index differences.
    #[must_use]
    pub fn offsets(&self, step: usize) -> [isize; NEIGHBOURS] {
        let s = self.stride as isize;
        OFFSETS[step].map(|(dy, dx)| isize::from(dy) * s + isize::from(dx))
    }

    /// Fills the margin from the level's samples by the rule of the module docs. Positions of
    /// components not yet known get whatever those hold; no step reads them. Visits only the
    /// margin (the level's own samples are left alone).
    pub fn fill_margin(&mut self) {
        if self.h >= 2 && self.w >= 2 {
            self.fill_margin_rows();
        } else {
            self.fill_margin_cells();
        }
    }

    /// [`fill_margin`](Self::fill_margin) of a level of at least 2 x 2 samples, where every
    /// coordinate has a same-parity one inside (no even-clamped neighbour), so a margin cell
    /// reads `(clamp_parity(y), clamp_parity(x))`, one rule per axis: a row's margin columns
    /// copy fixed columns of the row, then each margin row copies a whole padded row (the same
    /// values as [`fill_margin_cells`](Self::fill_margin_cells), which the tests check).
    fn fill_margin_rows(&mut self) {
        let (h, w, s, m) = (self.h, self.w, self.stride, MARGIN as isize);
        let col = |x: isize| -> usize {
            clamp_parity(x, w).expect("a same-parity column when w >= 2") + MARGIN
        };
        let cols: [(usize, usize); 2 * MARGIN] = std::array::from_fn(|i| {
            let x = if i < MARGIN {
                i as isize - m
            } else {
                (w + i - MARGIN) as isize
            };
            ((x + m) as usize, col(x))
        });
        for row in self.data[MARGIN * s..(h + MARGIN) * s].chunks_exact_mut(s) {
            for &(d, src) in &cols {
                row[d] = row[src];
            }
        }
        for y in (-m..0).chain(h as isize..h as isize + m) {
            let src = clamp_parity(y, h).expect("a same-parity row when h >= 2") + MARGIN;
            let d = (y + m) as usize;
            self.data.copy_within(src * s..(src + 1) * s, d * s);
        }
    }

    /// [`fill_margin`](Self::fill_margin) cell by cell, for any size.
    fn fill_margin_cells(&mut self) {
        let (h, w, m) = (self.h, self.w, MARGIN as isize);
        let (hi, wi) = (h as isize, w as isize);
        let src = |y: isize, x: isize| -> (usize, usize) {
            match (clamp_parity(y, h), clamp_parity(x, w)) {
                (Some(yy), Some(xx)) => (yy, xx),
                _ => (clamp_even(y, h), clamp_even(x, w)),
            }
        };
        let mut fill = |y: isize, x: isize| {
            let (sy, sx) = src(y, x);
            let v = self.data[self.index(sy, sx)];
            let i = ((y + m) as usize) * self.stride + (x + m) as usize;
            self.data[i] = v;
        };
        for y in -m..hi + m {
            if (0..hi).contains(&y) {
                for x in (-m..0).chain(wi..wi + m) {
                    fill(y, x);
                }
            } else {
                for x in -m..wi + m {
                    fill(y, x);
                }
            }
        }
    }

    /// Copies the samples of `plane` (`h` x `w`, row-major) into the grid and fills the margin.
    pub fn fill_from(&mut self, plane: &[i32]) {
        for y in 0..self.h {
            let i = self.index(y, 0);
            self.data[i..i + self.w].copy_from_slice(&plane[y * self.w..(y + 1) * self.w]);
        }
        self.fill_margin();
    }

    /// The grid of the next level up (this level's even rows and columns), margin filled.
    #[must_use]
    pub fn coarser(&self) -> Self {
        let (h, w) = (self.h.div_ceil(2), self.w.div_ceil(2));
        let mut g = Self::new(h, w);
        for y in 0..h {
            for x in 0..w {
                let i = g.index(y, x);
                g.data[i] = self.data[self.index(2 * y, 2 * x)];
            }
        }
        g.fill_margin();
        g
    }

    /// This level's grid of size `h` x `w` with its A component taken from `coarse`, the level
    /// above; everything else zero, margin filled. Rows are filled in parallel (rayon).
    ///
    /// # Errors
    ///
    /// [`CodecError::OutOfMemory`] if the grid cannot be allocated.
    pub fn finer(coarse: &Self, h: usize, w: usize) -> Result<Self, CodecError> {
        let mut g = Self::try_new(h, w)?;
        let stride = g.stride;
        g.data
            .par_chunks_mut(stride)
            .skip(MARGIN)
            .step_by(2)
            .take(coarse.h)
            .with_min_len((1usize << 14).div_ceil(coarse.w))
            .enumerate()
            .for_each(|(y, row)| {
                let src = &coarse.data[coarse.index(y, 0)..coarse.index(y, 0) + coarse.w];
                for (d, &v) in row[MARGIN..].iter_mut().step_by(2).zip(src) {
                    *d = v;
                }
            });
        g.fill_margin();
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_at_known_components() {
        // known components per step as (row parity, column parity)
        let known: [&[(usize, usize)]; 3] =
            [&[(0, 0)], &[(0, 0), (1, 1)], &[(0, 0), (1, 1), (0, 1)]];
        for step in 0..3 {
            let (py, px) = PARITY[step];
            for &(dy, dx) in &OFFSETS[step] {
                let q = (
                    (py as i32 + i32::from(dy)).rem_euclid(2) as usize,
                    (px as i32 + i32::from(dx)).rem_euclid(2) as usize,
                );
                assert!(known[step].contains(&q), "step {step} offset {dy},{dx}");
            }
        }
    }

    /// The row-wise margin fill gives the cell-by-cell rule's values, every size up to 9 x 9.
    #[test]
    fn margin_rows_match_cells() {
        let mut seed = 7u32;
        for h in 1..=9 {
            for w in 1..=9 {
                let mut a = Grid::new(h, w);
                for v in &mut a.data {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    *v = (seed >> 8) as i32;
                }
                let mut b = a.clone();
                a.fill_margin_cells();
                b.fill_margin();
                assert_eq!(a.data, b.data, "{h} x {w}");
            }
        }
    }

    #[test]
    fn clamping() {
        assert_eq!(clamp_parity(-1, 5), Some(1));
        assert_eq!(clamp_parity(-2, 5), Some(0));
        assert_eq!(clamp_parity(5, 5), Some(3));
        assert_eq!(clamp_parity(6, 5), Some(4));
        assert_eq!(clamp_parity(1, 1), None);
        assert_eq!(clamp_parity(-2, 1), Some(0));
        assert_eq!(clamp_parity(3, 2), Some(1));
        assert_eq!(clamp_even(-3, 1), 0);
        assert_eq!(clamp_even(7, 6), 4);
        assert_eq!(levels(8, 8), 0);
        assert_eq!(levels(512, 512), 6);
        assert_eq!(levels(1, 100_000), MAX_LEVELS);
    }
}
