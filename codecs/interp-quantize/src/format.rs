//! The encoded layout: a header of int32 words, the special-value mask, the codes; the folded
//! 4-d geometry the predictor walks and the per-level plan the header records.
//!
//! Everything here follows `specs/interp_quantize/README.md` to the word.

use ndcodecs_core::CodecError;

use crate::CODEC_ID;

/// Format version written in word 0 of every encoded chunk.
pub const FORMAT_VERSION: i32 = 1;

/// Largest rank the header records (numcodecs and zarr arrays stay far below it).
pub const MAX_RANK: usize = 32;

/// Largest per-level bound shift: a level's step is `step · 2^-shift`.
pub const MAX_SHIFT: u32 = 15;

/// Bit of the header's flags word set for a chunk given in Fortran order (bit 0: a fill value is
/// present).
pub const FLAG_FORTRAN: u32 = 1;

/// Bit of the header's flags word set when the mask region holds runs (below) rather than one
/// bit per element.
pub const FLAG_MASK_RUNS: u32 = 2;

/// Number of words of the mask for `n` elements: one bit per element.
#[must_use]
pub const fn mask_words(n: usize) -> usize {
    n.div_ceil(32)
}

/// Kinds of special values: the code an element flagged in the mask holds.
pub mod kind {
    /// The configured fill value.
    pub const FILL: i32 = 0;
    /// NaN with the sign bit clear (canonical quiet NaN).
    pub const NAN: i32 = 1;
    /// NaN with the sign bit set (canonical quiet NaN).
    pub const NEG_NAN: i32 = 2;
    /// +∞
    pub const POS_INF: i32 = 3;
    /// −∞
    pub const NEG_INF: i32 = 4;
}

/// The array's shape folded to four axes: size-1 axes dropped, leading axes merged until at
/// most four remain, then padded with leading 1s. Element order (C order) is unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Extents of the four axes.
    pub dims: [usize; 4],
    /// C-order element strides of the four axes.
    pub strides: [usize; 4],
    /// Number of interpolation levels the header has room for: `ceil(log2(max(dims)))`.
    pub max_levels: u32,
}

impl Geometry {
    /// The geometry of `shape`.
    #[must_use]
    pub fn of(shape: &[usize]) -> Self {
        let mut kept: Vec<usize> = shape.iter().copied().filter(|&d| d != 1).collect();
        if kept.contains(&0) {
            kept = vec![0];
        }
        while kept.len() > 4 {
            let merged = kept[0] * kept[1];
            kept.splice(0..2, [merged]);
        }
        let mut dims = [1usize; 4];
        dims[4 - kept.len()..].copy_from_slice(&kept);
        let mut strides = [1usize; 4];
        for k in (0..3).rev() {
            strides[k] = strides[k + 1] * dims[k + 1];
        }
        let m = dims.iter().copied().max().unwrap_or(1);
        let max_levels = if m <= 1 {
            0
        } else {
            usize::BITS - (m - 1).leading_zeros()
        };
        Self {
            dims,
            strides,
            max_levels,
        }
    }

    /// Number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// `true` for an array without elements.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Interpolation of one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interp {
    /// Midpoint of the two neighbours at ±stride.
    Linear,
    /// Cubic through the four neighbours at ±stride, ±3·stride (quadratic or linear near edges).
    Cubic,
}

/// How one interpolation level is coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    /// The interpolation.
    pub interp: Interp,
    /// The level's step is `step · 2^-shift` (a tighter bound at coarse levels).
    pub shift: u32,
    /// The order in which the four folded axes are interpolated (a permutation of 0..4).
    pub order: [u8; 4],
}

impl Level {
    /// Cubic interpolation, full step, axes in order 0, 1, 2, 3.
    pub const DEFAULT: Self = Self {
        interp: Interp::Cubic,
        shift: 0,
        order: [0, 1, 2, 3],
    };

    fn to_word(self) -> i32 {
        let mut w = match self.interp {
            Interp::Linear => 0u32,
            Interp::Cubic => 1,
        };
        w |= self.shift << 4;
        for (j, &a) in self.order.iter().enumerate() {
            w |= u32::from(a) << (8 + 2 * j);
        }
        w.cast_signed()
    }

    fn from_word(word: i32) -> Option<Self> {
        let w = word.cast_unsigned();
        if w >> 16 != 0 || w & 0b1110 != 0 {
            return None;
        }
        let interp = if w & 1 == 1 {
            Interp::Cubic
        } else {
            Interp::Linear
        };
        let shift = (w >> 4) & 0xf;
        let mut order = [0u8; 4];
        let mut seen = [false; 4];
        for (j, o) in order.iter_mut().enumerate() {
            let a = ((w >> (8 + 2 * j)) & 3) as u8;
            if seen[usize::from(a)] {
                return None;
            }
            seen[usize::from(a)] = true;
            *o = a;
        }
        Some(Self {
            interp,
            shift,
            order,
        })
    }
}

/// The encoder's choices for one chunk, recorded in the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Anchors lie on the grid of stride `2^anchor_level`; levels `anchor_level` down to 1 are
    /// interpolated. 0 codes every element as an anchor (the Lorenzo predictor).
    pub anchor_level: u32,
    /// The anchors' step is `step · 2^-anchor_shift`.
    pub anchor_shift: u32,
    /// `levels[l - 1]` codes level `l` (stride `2^(l-1)`), for `l` in `1..=anchor_level`.
    pub levels: Vec<Level>,
}

/// The decoded contents of a header.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Width of the float dtype (32 or 64).
    pub width: u32,
    /// The array's shape.
    pub shape: Vec<usize>,
    /// The absolute error bound.
    pub bound: f64,
    /// The first anchor's prediction (a value of the float dtype, widened to `f64`).
    pub offset: f64,
    /// The fill value (a value of the float dtype, widened to `f64`), if any.
    pub fill: Option<f64>,
    /// The chunk was given in Fortran order: `shape` is its shape reversed (the shape coded, in
    /// C order), and a decoder that returns an array returns it with its axes reversed.
    pub fortran: bool,
    /// The mask region holds runs (flag bit 2: run lengths of the mask XOR the mask one row
    /// before, the specification's *Mask* section) rather than one bit per element.
    pub mask_runs: bool,
    /// The predictor's plan.
    pub plan: Plan,
}

/// Number of header words for an array of `rank` dimensions whose geometry has
/// `max_levels` levels.
#[must_use]
pub const fn header_words(rank: usize, max_levels: u32) -> usize {
    11 + 2 * rank + max_levels as usize
}

/// Total number of int32 words of an encoded chunk of `shape`.
///
/// # Errors
///
/// [`CodecError::LimitExceeded`] if the shape has more than [`MAX_RANK`] dimensions or more
/// elements than a chunk may have.
pub fn encoded_len(shape: &[usize]) -> Result<usize, CodecError> {
    if shape.len() > MAX_RANK {
        return Err(CodecError::LimitExceeded {
            codec: CODEC_ID,
            what: "rank",
            found: shape.len() as u64,
            limit: MAX_RANK as u64,
        });
    }
    let dims: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
    let n = ndcodecs_core::shape::checked_len(CODEC_ID, &dims)?;
    let g = Geometry::of(shape);
    Ok(header_words(shape.len(), g.max_levels) + mask_words(n) + n)
}

/// Sets the Fortran-order flag in the header of an encoded chunk of `rank` dimensions (the
/// shape it records is then read as the coded array's, the given array's reversed).
pub(crate) fn set_fortran(out: &mut [i32], rank: usize) {
    out[3 + 2 * rank + 4] |= 1 << FLAG_FORTRAN;
}

/// The special-value mask as runs, if they fit in the mask region: `bits` is the mask's bits
/// form (bit `p mod 32` of word `⌊p/32⌋` set when element `p`, C order, is special; bits past
/// `n` clear). The bits coded are `special(p) XOR special(p − row)` (a coast moves little from
/// one row to the next, so few bits are set), `row` being the extent of the last folded axis;
/// their runs of equal bits, the first of 0-bits (empty if bit 0 is set), go out as
/// `[R, run_1, …, run_R, 0, …]`. `None` when `R + 1` words do not fit in `mask_words(n)`.
pub(crate) fn mask_runs(bits: &[u32], n: usize, row: usize) -> Option<Vec<i32>> {
    let m = mask_words(n);
    // The 32 mask bits from bit `s` on (bits before 0 read as clear).
    let bits_at = |s: isize| -> u32 {
        if s <= -32 {
            0
        } else if s < 0 {
            bits[0] << s.unsigned_abs()
        } else {
            let (i, sh) = (s.unsigned_abs() / 32, s.unsigned_abs() % 32);
            let hi = if sh == 0 {
                0
            } else {
                bits.get(i + 1).map_or(0, |&w| w << (32 - sh))
            };
            (bits[i] >> sh) | hi
        }
    };
    let row = isize::try_from(row).ok()?;
    let mut out = vec![0i32];
    let mut bit = false;
    let mut run = 0usize;
    for (w, &word) in bits.iter().enumerate().take(m) {
        let width = (n - 32 * w).min(32);
        let b = word ^ bits_at(isize::try_from(32 * w).ok()? - row);
        let b = if width < 32 {
            b & ((1 << width) - 1)
        } else {
            b
        };
        let same = if bit { u32::MAX >> (32 - width) } else { 0 };
        if b == same {
            run += width;
            continue;
        }
        for j in 0..width {
            let b = b >> j & 1 == 1;
            if b != bit {
                out.push(i32::try_from(run).ok()?);
                // At least one more run follows: it must fit too.
                if out.len() >= m {
                    return None;
                }
                bit = b;
                run = 0;
            }
            run += 1;
        }
    }
    out.push(i32::try_from(run).ok()?);
    if out.len() > m {
        return None;
    }
    out[0] = i32::try_from(out.len() - 1).ok()?;
    out.resize(m, 0);
    Some(out)
}

/// The one-bit-per-element mask of `n` elements from its runs form (see [`mask_runs`]).
///
/// # Errors
///
/// [`CodecError::Corrupt`] if the run count or a run is out of range, the runs do not add up to
/// `n`, or a word after the runs is not 0.
pub(crate) fn mask_from_runs(words: &[i32], n: usize, row: usize) -> Result<Vec<i32>, CodecError> {
    let m = words.len();
    let r = usize::try_from(words.first().copied().unwrap_or(0)).unwrap_or(0);
    if r == 0 || r + 1 > m {
        return Err(corrupt(format!(
            "mask run count {:?} is not in 1..={}",
            words.first(),
            m.saturating_sub(1)
        )));
    }
    if words[r + 1..].iter().any(|&w| w != 0) {
        return Err(corrupt("mask words after the runs are not 0".to_owned()));
    }
    let mut bits = vec![0u32; m];
    let mut p = 0usize;
    for (j, &w) in words[1..=r].iter().enumerate() {
        let len = usize::try_from(w).unwrap_or(usize::MAX);
        if (j > 0 && len == 0) || len > n - p {
            return Err(corrupt(format!(
                "mask run {j} of length {w} does not fit the {n} elements"
            )));
        }
        if j % 2 == 1 {
            for q in p..p + len {
                bits[q / 32] |= 1 << (q % 32);
            }
        }
        p += len;
    }
    if p != n {
        return Err(corrupt(format!(
            "mask runs cover {p} elements, the chunk has {n}"
        )));
    }
    undo_row_xor(&mut bits, n, row);
    Ok(bits.into_iter().map(u32::cast_signed).collect())
}

/// Undoes the XOR with the row above (`row` elements back) in the mask bits of `n` elements,
/// first row to last: `special(p) = b(p) XOR special(p − row)`. Bits at or past `n` are 0 on
/// entry and stay 0.
fn undo_row_xor(bits: &mut [u32], n: usize, row: usize) {
    let bitwise = |bits: &mut [u32], qs: std::ops::Range<usize>| {
        for q in qs {
            let above = bits[(q - row) / 32] >> ((q - row) % 32) & 1;
            bits[q / 32] ^= above << (q % 32);
        }
    };
    if row < 32 {
        // the row above may lie in the same word
        bitwise(bits, row..n);
        return;
    }
    // Bit by bit up to the first word past the first row, then 32 bits at a time: the word of
    // bits `32w …` reads the bits `32w − row …`, all in earlier words, all final.
    let w0 = row.div_ceil(32);
    bitwise(bits, row..(32 * w0).min(n));
    for w in w0..bits.len() {
        let s = 32 * w - row;
        let (i, sh) = (s / 32, s % 32);
        let above = if sh == 0 {
            bits[i]
        } else {
            (bits[i] >> sh) | (bits[i + 1] << (32 - sh))
        };
        bits[w] ^= above;
    }
    // the last word's bits past `n` read elements of the last row
    if !n.is_multiple_of(32)
        && let Some(last) = bits.last_mut()
    {
        *last &= (1u32 << (n % 32)) - 1;
    }
}

fn split(v: u64) -> [i32; 2] {
    [(v as u32).cast_signed(), ((v >> 32) as u32).cast_signed()]
}

fn join(lo: i32, hi: i32) -> u64 {
    u64::from(lo.cast_unsigned()) | (u64::from(hi.cast_unsigned()) << 32)
}

impl Header {
    /// Writes the header into `out` (exactly [`header_words`] words).
    pub fn write(&self, g: &Geometry, out: &mut [i32]) {
        let r = self.shape.len();
        out[0] = FORMAT_VERSION;
        out[1] = self.width.cast_signed();
        out[2] = r as i32;
        for (k, &d) in self.shape.iter().enumerate() {
            out[3 + 2 * k..5 + 2 * k].copy_from_slice(&split(d as u64));
        }
        let b = 3 + 2 * r;
        out[b..b + 2].copy_from_slice(&split(self.bound.to_bits()));
        out[b + 2..b + 4].copy_from_slice(&split(self.offset.to_bits()));
        out[b + 4] = i32::from(self.fill.is_some())
            | (i32::from(self.fortran) << FLAG_FORTRAN)
            | (i32::from(self.mask_runs) << FLAG_MASK_RUNS);
        out[b + 5..b + 7].copy_from_slice(&split(self.fill.unwrap_or(0.0).to_bits()));
        out[b + 7] = (self.plan.anchor_level | (self.plan.anchor_shift << 8)).cast_signed();
        for l in 0..g.max_levels as usize {
            out[b + 8 + l] = self.plan.levels.get(l).map_or(0, |lv| lv.to_word());
        }
    }

    /// Reads and validates the header at the start of `words`; returns it with the geometry.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if `words` ends inside the header;
    /// [`CodecError::UnsupportedVersion`] for a newer format version; [`CodecError::Corrupt`] for
    /// any field outside its valid range; [`CodecError::LimitExceeded`] for a shape beyond the
    /// chunk limits.
    pub fn read(words: &[i32]) -> Result<(Self, Geometry), CodecError> {
        let need = |n: usize| {
            if words.len() < n {
                Err(CodecError::Truncated {
                    codec: CODEC_ID,
                    offset: 4 * words.len(),
                    needed: 4 * (n - words.len()),
                    available: 0,
                })
            } else {
                Ok(())
            }
        };
        need(3)?;
        if words[0] != FORMAT_VERSION {
            return if words[0] > FORMAT_VERSION {
                Err(CodecError::UnsupportedVersion {
                    codec: CODEC_ID,
                    found: words[0].cast_unsigned(),
                    supported: FORMAT_VERSION.cast_unsigned(),
                })
            } else {
                Err(corrupt(format!("format version {} is not valid", words[0])))
            };
        }
        let width = words[1].cast_unsigned();
        if width != 32 && width != 64 {
            return Err(corrupt(format!("float width {width} is not 32 or 64")));
        }
        let r = usize::try_from(words[2]).unwrap_or(usize::MAX);
        if r > MAX_RANK {
            return Err(corrupt(format!(
                "rank {} is not in 0..={MAX_RANK}",
                words[2]
            )));
        }
        need(3 + 2 * r)?;
        let mut dims = Vec::with_capacity(r);
        for k in 0..r {
            dims.push(join(words[3 + 2 * k], words[4 + 2 * k]));
        }
        let n = ndcodecs_core::shape::checked_len(CODEC_ID, &dims)?;
        let shape: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
        let g = Geometry::of(&shape);
        let hw = header_words(r, g.max_levels);
        need(hw)?;
        let b = 3 + 2 * r;
        let bound = f64::from_bits(join(words[b], words[b + 1]));
        if !(bound.is_finite() && bound > 0.0) {
            return Err(corrupt(format!(
                "error bound {bound:?} is not finite and > 0"
            )));
        }
        let offset = f64::from_bits(join(words[b + 2], words[b + 3]));
        let in_width = |v: f64| width == 64 || f64::from(v as f32) == v;
        if !offset.is_finite() || !in_width(offset) {
            return Err(corrupt(format!(
                "offset {offset:?} is not a finite float{width} value"
            )));
        }
        let fill_bits = join(words[b + 5], words[b + 6]);
        let flags = words[b + 4];
        let fortran = flags >> FLAG_FORTRAN & 1 == 1;
        let mask_runs = flags >> FLAG_MASK_RUNS & 1 == 1;
        let fill = match flags & !(1 << FLAG_FORTRAN | 1 << FLAG_MASK_RUNS) {
            0 if fill_bits == 0 => None,
            1 => {
                let f = f64::from_bits(fill_bits);
                if !f.is_finite() || !in_width(f) {
                    return Err(corrupt(format!(
                        "fill value {f:?} is not a finite float{width} value"
                    )));
                }
                Some(f)
            }
            _ => {
                return Err(corrupt(format!(
                    "flags word {flags:#x} (fill bits {fill_bits:#x}) is not valid"
                )));
            }
        };
        let aw = words[b + 7].cast_unsigned();
        let anchor_level = aw & 0xff;
        let anchor_shift = (aw >> 8) & 0xff;
        if aw >> 16 != 0 || anchor_level > g.max_levels || anchor_shift > MAX_SHIFT {
            return Err(corrupt(format!(
                "anchor word {aw:#x} is not valid for {} levels",
                g.max_levels
            )));
        }
        let mut levels = Vec::with_capacity(anchor_level as usize);
        for l in 0..g.max_levels as usize {
            let w = words[b + 8 + l];
            if l < anchor_level as usize {
                levels.push(
                    Level::from_word(w).ok_or_else(|| {
                        corrupt(format!("level {} word {w:#x} is not valid", l + 1))
                    })?,
                );
            } else if w != 0 {
                return Err(corrupt(format!(
                    "level {} word {w:#x} above the anchor level {anchor_level} is not 0",
                    l + 1
                )));
            }
        }
        let _ = n;
        Ok((
            Self {
                width,
                shape,
                bound,
                offset,
                fill,
                fortran,
                mask_runs,
                plan: Plan {
                    anchor_level,
                    anchor_shift,
                    levels,
                },
            },
            g,
        ))
    }
}

pub(crate) fn corrupt(message: String) -> CodecError {
    CodecError::Corrupt {
        codec: CODEC_ID,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_folds_and_squeezes() {
        let g = Geometry::of(&[3, 1, 5]);
        assert_eq!(g.dims, [1, 1, 3, 5]);
        assert_eq!(g.strides, [15, 15, 5, 1]);
        assert_eq!(g.max_levels, 3);
        let g = Geometry::of(&[2, 3, 4, 5, 6]);
        assert_eq!(g.dims, [6, 4, 5, 6]);
        assert_eq!(Geometry::of(&[]).dims, [1, 1, 1, 1]);
        assert_eq!(Geometry::of(&[]).max_levels, 0);
        assert_eq!(Geometry::of(&[4, 0]).len(), 0);
        assert_eq!(Geometry::of(&[2]).max_levels, 1);
        assert_eq!(Geometry::of(&[4]).max_levels, 2);
        assert_eq!(Geometry::of(&[5]).max_levels, 3);
    }

    /// Masks round-trip through runs (when they fit), bit for bit, for any row length (shorter
    /// than a word, or longer: the XOR with the row above is undone a word at a time).
    #[test]
    fn mask_runs_round_trip() {
        let mut state = 7u64;
        for n in [1usize, 31, 32, 33, 100, 1000, 4097] {
            for row in [1usize, 3, 31, 32, 33, 50, 64, 320, n] {
                for density in [0u64, 1, 5, 50] {
                    let bits: Vec<bool> = (0..n)
                        .map(|p| {
                            state = state
                                .wrapping_mul(6_364_136_223_846_793_005)
                                .wrapping_add(1_442_695_040_888_963_407);
                            // Blocks of specials with some noise.
                            (p / 37) % 5 == 1 || (state >> 33) % 1000 < density
                        })
                        .collect();
                    let mut words = vec![0u32; mask_words(n)];
                    for (p, &b) in bits.iter().enumerate() {
                        words[p / 32] |= u32::from(b) << (p % 32);
                    }
                    // the runs of `special(p) XOR special(p − row)`, bit by bit
                    let mut want = vec![0usize];
                    let mut cur = false;
                    for p in 0..n {
                        let b = bits[p] ^ (p >= row && bits[p - row]);
                        if b != cur {
                            want.push(0);
                            cur = b;
                        }
                        *want.last_mut().unwrap() += 1;
                    }
                    let got = mask_runs(&words, n, row);
                    assert_eq!(got.is_some(), want.len() < mask_words(n), "n {n} row {row}");
                    let Some(runs) = got else {
                        continue;
                    };
                    assert_eq!(runs[0] as usize, want.len(), "n {n} row {row}");
                    assert!(
                        runs[1..=want.len()]
                            .iter()
                            .map(|&r| r as usize)
                            .eq(want.iter().copied())
                    );
                    assert_eq!(runs.len(), mask_words(n));
                    let words = mask_from_runs(&runs, n, row).unwrap();
                    if n % 32 != 0 {
                        assert_eq!(
                            words[n / 32].cast_unsigned() >> (n % 32),
                            0,
                            "n {n} row {row}"
                        );
                    }
                    for (p, &b) in bits.iter().enumerate() {
                        assert_eq!(
                            words[p / 32] >> (p % 32) & 1 == 1,
                            b,
                            "n {n} row {row} p {p}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn bad_mask_runs_are_refused() {
        let n = 100; // 4 mask words
        let ok = [2, 40, 60, 0];
        assert!(mask_from_runs(&ok, n, 10).is_ok());
        for bad in [
            [0, 40, 60, 0],  // no run
            [4, 40, 60, 0],  // more runs than words
            [2, 40, 59, 0],  // short
            [2, 40, 61, 0],  // long
            [3, 40, 0, 60],  // an empty run after the first
            [2, 40, 60, 1],  // a word after the runs
            [2, -1, 101, 0], // negative
            [-1, 40, 60, 0], // negative count
        ] {
            assert!(mask_from_runs(&bad, n, 10).is_err(), "{bad:?}");
        }
        // A first run of 0-bits may be empty.
        assert!(mask_from_runs(&[2, 0, 100, 0], n, 10).is_ok());
    }

    #[test]
    fn level_words_round_trip() {
        let lv = Level {
            interp: Interp::Linear,
            shift: 7,
            order: [3, 1, 0, 2],
        };
        assert_eq!(Level::from_word(lv.to_word()), Some(lv));
        assert_eq!(
            Level::from_word(Level::DEFAULT.to_word()),
            Some(Level::DEFAULT)
        );
        // Not a permutation.
        assert_eq!(Level::from_word(0x1 | (0b0000_0101 << 8)), None);
        // Reserved bits.
        assert_eq!(Level::from_word(Level::DEFAULT.to_word() | 2), None);
        assert_eq!(Level::from_word(Level::DEFAULT.to_word() | (1 << 20)), None);
    }
}
