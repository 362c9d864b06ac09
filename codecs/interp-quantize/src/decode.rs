//! The decoder: header and mask checks, then the walk that adds each code's multiple of the step
//! to its prediction, then the special values.

use ndcodecs_core::CodecError;

use crate::format::{Geometry, Header, corrupt, header_words, kind, mask_from_runs, mask_words};
use crate::kernel::{AnchorOp, LevelQuant, PointOp, predict, walk};
use crate::real::Real;

struct DecodeOp<'a, const SPECIALS: bool> {
    codes: &'a [i32],
    mask: &'a [i32],
    k: usize,
    finite: bool,
    max_kind: i32,
    specials: Vec<(usize, i32)>,
    /// Whether runs of interpolated targets free of special values take [`crate::fast`]
    /// (always, but in the tests that compare it with the element-by-element row).
    fast: bool,
}

impl<F: Real, const SPECIALS: bool> PointOp<F> for DecodeOp<'_, SPECIALS> {
    type Err = CodecError;

    #[inline(always)]
    fn row(
        &mut self,
        work: &mut [F],
        pos0: usize,
        stride: usize,
        count: usize,
        lq: &LevelQuant<F>,
        pred: impl Fn(&[F], usize) -> F,
    ) -> Result<(), CodecError> {
        let codes = &self.codes[self.k..self.k + count];
        self.k += count;
        let step = lq.step;
        let mut finite = true;
        let mut pos = pos0;
        // A row whose stretch of the mask is clear takes the loop without the mask.
        if SPECIALS && self.flagged(pos0, stride, count) {
            for &c in codes {
                let p = pred(work, pos);
                if (self.mask[pos / 32] >> (pos % 32)) & 1 == 1 {
                    self.special(work, pos, c, p)?;
                } else {
                    let v = p + F::from_code(c) * step;
                    finite &= v.is_finite();
                    work[pos] = v;
                }
                pos += stride;
            }
        } else {
            for &c in codes {
                let p = pred(work, pos);
                let v = p + F::from_code(c) * step;
                finite &= v.is_finite();
                work[pos] = v;
                pos += stride;
            }
        }
        self.finite &= finite;
        Ok(())
    }

    #[inline(always)]
    fn row_interp<const C: u8>(
        &mut self,
        work: &mut [F],
        pos0: usize,
        stride: usize,
        count: usize,
        off: usize,
        lq: &LevelQuant<F>,
    ) -> Result<(), CodecError> {
        let all = self.codes;
        if self.fast
            && count > 1
            && let Some(codes) = all.get(self.k..self.k + count)
            && let Some(finite) =
                crate::fast::decode_run::<F, C>(work, pos0, stride, count, off, codes, lq.step)
        {
            if !(SPECIALS && self.flagged(pos0, stride, count)) {
                self.k += count;
                self.finite &= finite;
                return Ok(());
            }
            if finite {
                // The run's flagged elements, in order: their predictions in place of the
                // values the run wrote (which no other target of the run reads).
                let last = pos0 + (count - 1) * stride;
                // a mask word's bits of the run's targets for the strides of the walk's runs
                // (powers of two): one in `stride` from `pos0`'s bit (the words start at
                // multiples of 32), at most one per word past 32; other strides by division
                let exact = stride.is_power_of_two();
                let shift = stride.trailing_zeros();
                #[allow(clippy::cast_possible_truncation)]
                let pattern = if exact && stride <= 32 {
                    (u32::MAX / ((1u64 << stride) - 1) as u32) << (pos0 % stride)
                } else {
                    u32::MAX
                };
                for wi in pos0 / 32..=last / 32 {
                    let mut bits = self.mask[wi].cast_unsigned() & pattern;
                    if wi == pos0 / 32 {
                        bits &= u32::MAX << (pos0 % 32);
                    }
                    if wi == last / 32 {
                        bits &= u32::MAX >> (31 - last % 32);
                    }
                    while bits != 0 {
                        let pos = wi * 32 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        let t = if exact {
                            if (pos - pos0) & (stride - 1) != 0 {
                                continue;
                            }
                            (pos - pos0) >> shift
                        } else if (pos - pos0).is_multiple_of(stride) {
                            (pos - pos0) / stride
                        } else {
                            continue;
                        };
                        let p = predict::<F, C>(work, pos, off);
                        self.special(work, pos, codes[t], p)?;
                    }
                }
                self.k += count;
                return Ok(());
            }
            // A value that is not finite (perhaps one of a flagged element, which the row
            // replaces): the row below decides, element by element.
        }
        self.row(work, pos0, stride, count, lq, |w, pos| {
            predict::<F, C>(w, pos, off)
        })
    }
}

impl<F: Real, const SPECIALS: bool> AnchorOp<F> for DecodeOp<'_, SPECIALS> {
    // 2 rows in flight decode a Lorenzo plan (anchor level 0) about 10 % faster than 4 (climate
    // field of shape 240 × 37 × 49, float32; 8 rows are 20 % slower than 4).
    const WAVEFRONT_LANES: usize = 2;

    #[inline(always)]
    fn at(
        &mut self,
        work: &mut [F],
        pos: usize,
        k: usize,
        lq: &LevelQuant<F>,
        pred: F,
    ) -> Result<(), CodecError> {
        let c = self.codes[self.k + k];
        if SPECIALS && (self.mask[pos / 32] >> (pos % 32)) & 1 == 1 {
            return self.special(work, pos, c, pred);
        }
        let v = pred + F::from_code(c) * lq.step;
        self.finite &= v.is_finite();
        work[pos] = v;
        Ok(())
    }

    #[inline(always)]
    fn advance(&mut self, n: usize) {
        self.k += n;
    }
}

impl<const SPECIALS: bool> DecodeOp<'_, SPECIALS> {
    /// Whether the mask has a bit set in the stretch from `pos0` to the last of `count`
    /// elements `stride` apart (most rows have none: land and missing values come in patches).
    #[inline(always)]
    fn flagged(&self, pos0: usize, stride: usize, count: usize) -> bool {
        let last = pos0 + count.saturating_sub(1) * stride;
        count > 0 && self.mask[pos0 / 32..=last / 32].iter().any(|&w| w != 0)
    }

    /// A special element `pos` with word `c`: checks the kind, keeps it for after the walk and
    /// puts the prediction `p` in its place.
    #[inline(always)]
    fn special<F: Real>(
        &mut self,
        work: &mut [F],
        pos: usize,
        c: i32,
        p: F,
    ) -> Result<(), CodecError> {
        if !(0..=self.max_kind).contains(&c) {
            return Err(corrupt(format!(
                "element {pos} is flagged special but its code {c} names no special value this \
                 chunk can hold"
            )));
        }
        self.specials.push((pos, c));
        work[pos] = p;
        Ok(())
    }
}

/// Reads the header of an encoded chunk and checks that `words` has exactly the length it
/// implies.
///
/// # Errors
///
/// [`CodecError::Truncated`] if `words` is shorter, [`CodecError::Corrupt`] if it is longer or a
/// header field is invalid, [`CodecError::UnsupportedVersion`] for a newer format.
pub fn read_header(words: &[i32]) -> Result<(Header, Geometry), CodecError> {
    let (h, g) = Header::read(words)?;
    let n = g.len();
    let total = header_words(h.shape.len(), g.max_levels) + mask_words(n) + n;
    if words.len() < total {
        return Err(CodecError::Truncated {
            codec: crate::CODEC_ID,
            offset: 4 * words.len(),
            needed: 4 * (total - words.len()),
            available: 0,
        });
    }
    if words.len() > total {
        return Err(corrupt(format!(
            "{} words after the {total} words of a chunk of shape {:?}",
            words.len() - total,
            h.shape
        )));
    }
    Ok((h, g))
}

/// An empty list of special elements with room for `n`.
fn reserve_specials(n: usize) -> Result<Vec<(usize, i32)>, CodecError> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| CodecError::OutOfMemory {
            codec: crate::CODEC_ID,
            what: "the list of special elements (non-finite or fill values)",
            bytes: (n as u64).saturating_mul(std::mem::size_of::<(usize, i32)>() as u64),
        })?;
    Ok(v)
}

/// Decodes `words` (a whole encoded chunk) into `out` (the chunk's element count, C order).
pub(crate) fn decode<F: Real>(
    words: &[i32],
    h: &Header,
    g: &Geometry,
    out: &mut [F],
) -> Result<(), CodecError> {
    decode_on(pulp::Arch::new(), true, words, h, g, out)
}

/// [`decode`] with the walk compiled for `arch` (the CPU's vector features, or
/// `pulp::Arch::Scalar` in the tests that compare the two), the runs of interpolated targets by
/// [`crate::fast`] if `fast` (else element by element, the reference the tests compare with).
pub(crate) fn decode_on<F: Real>(
    arch: pulp::Arch,
    fast: bool,
    words: &[i32],
    h: &Header,
    g: &Geometry,
    out: &mut [F],
) -> Result<(), CodecError> {
    let n = g.len();
    debug_assert_eq!(out.len(), n);
    if h.width != F::WIDTH {
        return Err(CodecError::UnsupportedDtype {
            codec: crate::CODEC_ID,
            found: format!("float{}", F::WIDTH),
            expected: format!("float{} (the encoded chunk's dtype)", h.width),
        });
    }
    let hw = header_words(h.shape.len(), g.max_levels);
    let mw = mask_words(n);
    let expanded;
    let mask = if h.mask_runs {
        expanded = mask_from_runs(&words[hw..hw + mw], n, g.dims[3])?;
        &expanded[..]
    } else {
        &words[hw..hw + mw]
    };
    let codes = &words[hw + mw..];
    let tail = n % 32;
    if tail != 0 && mw > 0 && (mask[mw - 1].cast_unsigned() >> tail) != 0 {
        return Err(corrupt(
            "mask bits beyond the last element are set".to_owned(),
        ));
    }
    // every flagged element is kept as (position, code) until the walk ends: as many as the
    // mask has bits set, reserved fallibly before the walk (16 bytes each, up to 4 times the
    // codes' size), so that the walk's pushes never reallocate
    let flagged: usize = mask
        .iter()
        .map(|&w| w.cast_unsigned().count_ones() as usize)
        .sum();
    let specials = flagged != 0;
    let (step, inv) = crate::encode::step_for::<F>(h.bound)
        .ok_or_else(|| corrupt(format!("error bound {:?} gives no usable step", h.bound)))?;
    let offset = F::from_f64(h.offset);
    let max_kind = kind::NEG_INF;
    let mut finite = true;
    let mut found = Vec::new();
    if specials {
        let mut op = DecodeOp::<true> {
            codes,
            mask,
            k: 0,
            finite: true,
            max_kind,
            specials: reserve_specials(flagged)?,
            fast,
        };
        // compiled for the CPU's vector features as the encoder's walk is (the walk is inlined)
        let r = arch.dispatch(crate::kernel::Walk {
            g,
            plan: &h.plan,
            offset,
            step,
            inv,
            work: out,
            op: &mut op,
        });
        if r.is_err() {
            // The wavefront has several anchor rows in flight and may have met a later bad word
            // first: the walk in the specification's order reports the first.
            op.k = 0;
            op.specials.clear();
            walk(g, &h.plan, offset, step, inv, out, &mut op)?;
        }
        finite &= op.finite;
        found = op.specials;
    } else {
        let mut op = DecodeOp::<false> {
            codes,
            mask,
            k: 0,
            finite: true,
            max_kind,
            specials: Vec::new(),
            fast,
        };
        arch.dispatch(crate::kernel::Walk {
            g,
            plan: &h.plan,
            offset,
            step,
            inv,
            work: out,
            op: &mut op,
        })?;
        finite &= op.finite;
    }
    if !finite {
        return Err(corrupt(
            "a code decodes to a value that is not finite".to_owned(),
        ));
    }
    // the value of each kind, converted once (`None`: the fill value of a chunk without one)
    const _: () = assert!(
        kind::FILL == 0
            && kind::NAN == 1
            && kind::NEG_NAN == 2
            && kind::POS_INF == 3
            && kind::NEG_INF == 4
    );
    let values: [Option<F>; 5] = [
        h.fill.map(F::from_f64),
        Some(F::from_bits(F::NAN_BITS)),
        Some(F::from_bits(F::NEG_NAN_BITS)),
        Some(F::POS_INF),
        Some(F::NEG_INF),
    ];
    for (pos, c) in found {
        // (`special` has checked that `c` is a kind)
        let v = usize::try_from(c)
            .ok()
            .and_then(|k| values.get(k).copied().flatten());
        out[pos] = v.ok_or_else(|| {
            corrupt(format!(
                "element {pos} holds the fill-value code but the chunk has no fill value"
            ))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InterpQuantizeCodec, InterpQuantizeConfig};

    /// The decoder's walk compiled for the CPU's vector features gives bit for bit the values of
    /// the scalar build of the same walk, and both stay within the bound of the input (the encoder
    /// tests' field: smooth parts, noise, rare jumps) (an
    /// independent check), for both float types and several shapes and bounds.
    fn check<F: Real>() {
        for shape in [&[2000][..], &[37, 49], &[9, 17, 33], &[3, 5, 7, 40]] {
            let n: usize = shape.iter().product();
            let xs: Vec<F> = crate::encode::tests::field(n, 29);
            for e in [1.0, 1e-2, 1e-4] {
                let mut cfg = InterpQuantizeConfig::abs(e).unwrap();
                if F::WIDTH == 64 {
                    cfg.dtype = ndcodecs_core::float::FloatDtype::Float64;
                }
                let codec = InterpQuantizeCodec::try_new(cfg).unwrap();
                let words = codec.encode_slice(&xs, shape).unwrap();
                let (h, g) = read_header(&words).unwrap();
                let mut outs = Vec::new();
                for (arch, fast) in [(pulp::Arch::new(), true), (pulp::Arch::Scalar, false)] {
                    let mut out = vec![F::ZERO; n];
                    decode_on(arch, fast, &words, &h, &g, &mut out).unwrap();
                    for (x, y) in xs.iter().zip(&out) {
                        assert!((x.to_f64() - y.to_f64()).abs() <= e, "{shape:?} e={e}");
                    }
                    outs.push(out.iter().map(|v| v.to_f64().to_bits()).collect::<Vec<_>>());
                }
                assert_eq!(outs[0], outs[1], "{shape:?} e={e}");
            }
        }
    }

    #[test]
    fn vector_and_scalar_decoding_agree_f32() {
        check::<f32>();
    }

    #[test]
    fn vector_and_scalar_decoding_agree_f64() {
        check::<f64>();
    }
}
