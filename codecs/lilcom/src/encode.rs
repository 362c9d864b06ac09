//! Encoding: chooses regression coefficients, then codes each element while replaying the
//! decoder's float32 arithmetic, so every reconstructed value is known and checked against the
//! error bound before it is written.

use ndcodecs_core::CodecError;

use crate::{
    CODEC_ID, LilcomConfig, LilcomElement,
    decode::{coeff_f32, tick},
    format::{self, COEFF_SCALE, Header, MAX_AXES_WRITE, TICK_POWER_RANGE},
    regression,
};

/// Encodes `data` (C order, shape `shape`, outermost axis first) into a lilcom 1.x byte string.
///
/// Every reconstructed value `x̂` satisfies `|x - x̂| <= 2^(tick_power - 1)` against the input
/// value `x` itself (for integer input also `round(x̂) == x`, which makes integer round trips with
/// `tick_power <= 0` exact). With `do_regression` the coefficients are chosen by
/// [`regression::choose_coefficients`] to minimise the coded size; otherwise they are 0.
/// A 0-dimensional `shape` is stored as `[1]`.
///
/// # Errors
///
/// - [`CodecError::ShapeMismatch`] if `data.len()` is not the product of `shape`, an extent is
///   0 (lilcom cannot store empty axes), `shape` has more than 15 axes or more than
///   `2^31 - 1` elements;
/// - [`CodecError::OutOfRange`] for NaN or infinite values (the format cannot hold them), values
///   beyond `±(2^31 - 1) * 2^tick_power`, integers without an exact float32 representation, and
///   (in theory) a value no code can reconstruct within the bound.
pub fn encode<T: LilcomElement>(
    data: &[T],
    shape: &[usize],
    config: &LilcomConfig,
) -> Result<Vec<u8>, CodecError> {
    let shape = check_shape(data.len(), shape)?;
    let tick_power = config.tick_power.get();
    check_values(data, tick_power)?;
    let coeffs = if config.do_regression {
        regression::choose_coefficients(data, &shape, tick_power)
    } else {
        vec![0; shape.len()]
    };
    encode_checked(data, &shape, tick_power, &coeffs)
}

/// Encodes with the given regression coefficients (`k` meaning `k / 256`, one per axis, outermost
/// first) instead of choosing them.
///
/// For coefficients the reference encoder would also use, the bytes equal the reference
/// encoder's except where its reconstruction would exceed the error bound (this encoder then
/// picks a neighbouring code) and, when the last axes have extent 1, where the reference encoder
/// sums the prediction in a different order than its decoder.
///
/// # Errors
///
/// As [`encode`], plus [`CodecError::InvalidConfig`] for a `tick_power` outside `-20..=20`, a
/// coefficient outside `-256..=256` or a coefficient count different from the rank.
pub fn encode_with_coefficients<T: LilcomElement>(
    data: &[T],
    shape: &[usize],
    tick_power: i32,
    coeffs: &[i32],
) -> Result<Vec<u8>, CodecError> {
    let shape = check_shape(data.len(), shape)?;
    if !TICK_POWER_RANGE.contains(&tick_power) {
        return Err(invalid(format!(
            "tick_power {tick_power} is outside -20..=20"
        )));
    }
    if coeffs.len() != shape.len()
        || coeffs
            .iter()
            .any(|k| !(-COEFF_SCALE..=COEFF_SCALE).contains(k))
    {
        return Err(invalid(format!(
            "need {} coefficients in -256..=256 (one per axis), got {coeffs:?}",
            shape.len()
        )));
    }
    check_values(data, tick_power)?;
    encode_checked(data, &shape, tick_power, coeffs)
}

fn invalid(message: String) -> CodecError {
    CodecError::InvalidConfig {
        codec: CODEC_ID,
        message,
    }
}

/// Most elements one chunk may hold: a run of `2^31` or more zero codes would need a run-length
/// code with `k >= 31`, which lilcom's reader (and this one) reject.
const MAX_ELEMENTS: usize = (1 << 31) - 1;

/// The shape lilcom stores: 0-d becomes `[1]`; checks length, empty axes and rank.
pub(crate) fn check_shape(len: usize, shape: &[usize]) -> Result<Vec<usize>, CodecError> {
    let stored: Vec<usize> = if shape.is_empty() {
        vec![1]
    } else {
        shape.to_vec()
    };
    let n = stored.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if n != Some(len) {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("{len} elements"),
            found: format!("shape {shape:?}"),
        });
    }
    if stored.len() > MAX_AXES_WRITE {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: "at most 15 axes (the lilcom format's limit)".into(),
            found: format!("shape {shape:?}"),
        });
    }
    if len > MAX_ELEMENTS {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!(
                "at most {MAX_ELEMENTS} elements per chunk (a run of 2^31 zero codes has no \
                 lilcom run-length code that readers accept)"
            ),
            found: format!("shape {shape:?}"),
        });
    }
    if stored.iter().any(|&d| d == 0 || i32::try_from(d).is_err()) {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: "every extent in 1..=2147483647 (lilcom cannot store empty axes)".into(),
            found: format!("shape {shape:?}"),
        });
    }
    Ok(stored)
}

/// Largest magnitude that is codable: `(2^31 - 1) * 2^tick_power`.
fn max_abs(tick_power: i32) -> f64 {
    f64::from(i32::MAX) * 2f64.powi(tick_power)
}

/// Rejects non-finite, out-of-range and (for integers) non-float32 values, naming the first.
fn check_values<T: LilcomElement>(data: &[T], tick_power: i32) -> Result<(), CodecError> {
    let limit = max_abs(tick_power);
    // Fast path: one pass computing whether anything needs a closer look.
    let mut bad = false;
    for &x in data {
        let v = x.to_f64();
        #[allow(clippy::cast_possible_truncation)]
        let exact = !T::INTEGER || f64::from(v as f32) == v;
        let in_range = matches!(
            v.abs().partial_cmp(&limit),
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
        );
        bad |= !in_range || !exact;
    }
    if !bad {
        return Ok(());
    }
    for (i, &x) in data.iter().enumerate() {
        let v = x.to_f64();
        if !v.is_finite() {
            return Err(CodecError::OutOfRange {
                codec: CODEC_ID,
                message: format!(
                    "{x} at flat index {i}: the lilcom format cannot hold NaN or infinite values; \
                     replace them first, e.g. with `linear_quantize` and its `fill_value`"
                ),
            });
        }
        if v.abs() > limit {
            return Err(CodecError::OutOfRange {
                codec: CODEC_ID,
                message: format!(
                    "{x} at flat index {i} is beyond ±{limit} = (2^31-1) * 2^{tick_power}, the \
                     largest magnitude lilcom can code at tick_power {tick_power}; use a larger \
                     tick_power"
                ),
            });
        }
        #[allow(clippy::cast_possible_truncation)]
        if T::INTEGER && f64::from(v as f32) != v {
            return Err(CodecError::OutOfRange {
                codec: CODEC_ID,
                message: format!(
                    "integer {x} at flat index {i} has no exact float32 representation, and \
                     lilcom reconstructs float32 values (integers up to ±2^24 always fit)"
                ),
            });
        }
    }
    Ok(())
}

/// Encodes after the checks; falls back to zero coefficients if some element cannot be
/// reconstructed within the bound with the chosen ones (with zero coefficients every value that
/// passed [`check_values`] can be).
fn encode_checked<T: LilcomElement>(
    data: &[T],
    shape: &[usize],
    tick_power: i32,
    coeffs: &[i32],
) -> Result<Vec<u8>, CodecError> {
    let mut values = Vec::with_capacity(data.len() + 2 + 2 * shape.len());
    // Reconstruction scratch space, sized by `code_elements` as its path needs.
    let mut recon = Vec::new();
    let mut header = Header {
        tick_power,
        shape: shape.to_vec(),
        coeffs: coeffs.to_vec(),
    };
    header.push_values(&mut values);
    if let Err(i) = code_elements(data, &header, &mut values, &mut recon) {
        if coeffs.iter().all(|&k| k == 0) {
            return Err(unreachable_value(data, i, tick_power));
        }
        header.coeffs = vec![0; shape.len()];
        values.clear();
        header.push_values(&mut values);
        code_elements(data, &header, &mut values, &mut recon)
            .map_err(|i| unreachable_value(data, i, tick_power))?;
    }
    drop(recon);
    let mut widths = Vec::new();
    format::minimal_widths(&values, &mut widths);
    Ok(format::encode_stream(&values, &widths))
}

fn unreachable_value<T: LilcomElement>(data: &[T], i: usize, tick_power: i32) -> CodecError {
    CodecError::OutOfRange {
        codec: CODEC_ID,
        message: format!(
            "{} at flat index {i} cannot be reconstructed as float32 within 2^{} of itself \
             (float32 holds 24 significant bits; use a larger tick_power)",
            data[i],
            tick_power - 1
        ),
    }
}

/// `|x - r| <= h`, decided exactly (`h` a power of two).
#[inline(always)]
fn within(x: f64, r: f32, h: f64) -> bool {
    let r = f64::from(r);
    let s = x - r;
    let a = s.abs();
    if a != h {
        return a < h;
    }
    // The difference rounded to exactly h: decide with the subtraction's exact error (TwoSum).
    let bb = s - x;
    let err = (x - (s - bb)) + (-r - bb);
    if s > 0.0 { err <= 0.0 } else { err >= 0.0 }
}

/// Whether reconstruction `r` is acceptable for input `x`.
#[inline(always)]
fn acceptable<T: LilcomElement>(x: T, xf: f64, r: f32, h: f64) -> bool {
    within(xf, r, h) && (!T::INTEGER || T::from_f32(r) == Some(x))
}

/// Quantisation constants of one chunk.
pub(crate) struct Quant {
    /// `2^tick_power`
    tick: f32,
    /// `2^-tick_power`
    inv_tick: f32,
    /// the error bound `2^(tick_power - 1)`
    h: f64,
    /// the error bound less 2^-20 of it, as float32
    h_fast: f32,
    /// `tick / 2` as float32
    half_tick: f32,
    /// `1.5 * 2^23` ticks: adding and removing it rounds to a multiple of `tick`
    magic: f32,
    /// `2^21` ticks: offsets below this in magnitude take the fast path (their codes stay well
    /// inside the binade of `magic`)
    limit: f32,
}

impl Quant {
    pub(crate) fn new(tick_power: i32) -> Self {
        Self {
            tick: tick(tick_power),
            inv_tick: 2f32.powi(-tick_power),
            h: 2f64.powi(tick_power - 1),
            h_fast: 2f32.powi(tick_power - 1) * (1.0 - 2f32.powi(-20)),
            half_tick: 2f32.powi(tick_power - 1),
            magic: 1.5 * 2f32.powi(23 + tick_power),
            limit: 2f32.powi(21 + tick_power),
        }
    }
}

/// Chooses the code of one element: the reference encoder's choice when it is acceptable,
/// otherwise the nearest acceptable neighbour of the exact residual. Returns the code and its
/// reconstruction.
///
/// The reference encoder computes `code = round(offset * (1/tick))` (half away from zero) and
/// the decoder `predicted + float32(code) * tick`. For `|offset| < 2^21` ticks the same multiple
/// of the tick comes out of `(offset + 1.5 * 2^23 ticks) - 1.5 * 2^23 ticks` (the float32 sum
/// keeps no bits below one tick; ties go to even and are then moved away from zero): two
/// additions on the loop-carried chain instead of a scaling, a rounding and a rescaling.
#[inline(always)]
fn code_one<T: LilcomElement>(x: T, predicted: f32, q: &Quant) -> Option<(i32, f32)> {
    let xf = x.to_f64();
    #[allow(clippy::cast_possible_truncation)]
    let x32 = xf as f32;
    let offset = x32 - predicted;
    if offset.is_nan() || offset.abs() >= q.limit {
        return code_general(x, xf, offset, predicted, q);
    }
    let sum = offset + q.magic;
    let mut multiple = sum - q.magic;
    // `sum` is `magic + code * tick` within one binade, where the tick is the last mantissa bit:
    // the code is the difference of the bit patterns.
    #[allow(clippy::cast_possible_wrap)]
    let mut code = sum.to_bits().wrapping_sub(q.magic.to_bits()) as i32;
    if (offset - multiple).abs() == q.half_tick {
        (code, multiple) = tie_away(offset, code, multiple, q.tick);
    }
    let r = predicted + multiple;
    // For float32 input, clearly within the bound in float32 arithmetic (the subtraction's
    // rounding error is far below the margin); otherwise decided exactly.
    if (T::IS_F32 && (x32 - r).abs() < q.h_fast) || acceptable(x, xf, r, q.h) {
        return Some((code, r));
    }
    correct(x, xf, predicted, q.tick, q.h)
}

/// A tie rounded to the even multiple of the tick, moved away from zero if it went towards it
/// (C's `round`).
#[cold]
#[inline(never)]
fn tie_away(offset: f32, code: i32, even: f32, tick: f32) -> (i32, f32) {
    if even.abs() < offset.abs() {
        let up = offset > 0.0;
        (code + if up { 1 } else { -1 }, even + tick.copysign(offset))
    } else {
        (code, even)
    }
}

/// [`code_one`] for offsets of `2^21` ticks or more (or not finite): the reference encoder's
/// arithmetic as written (round half away from zero, saturating at the `i32` range).
#[cold]
#[inline(never)]
fn code_general<T: LilcomElement>(
    x: T,
    xf: f64,
    offset: f32,
    predicted: f32,
    q: &Quant,
) -> Option<(i32, f32)> {
    let code = format::round_half_away(offset * q.inv_tick);
    #[allow(clippy::cast_precision_loss)]
    let r = predicted + code as f32 * q.tick;
    if acceptable(x, xf, r, q.h) {
        return Some((code, r));
    }
    correct(x, xf, predicted, q.tick, q.h)
}

#[cold]
#[inline(always)]
fn correct<T: LilcomElement>(
    x: T,
    xf: f64,
    predicted: f32,
    tick: f32,
    h: f64,
) -> Option<(i32, f32)> {
    let exact = ((xf - f64::from(predicted)) / f64::from(tick)).round();
    for delta in [0.0, -1.0, 1.0, -2.0, 2.0] {
        let c = exact + delta;
        if !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&c) {
            continue;
        }
        #[allow(clippy::cast_possible_truncation)]
        let code = c as i32;
        #[allow(clippy::cast_precision_loss)]
        let r = predicted + code as f32 * tick;
        if acceptable(x, xf, r, h) {
            return Some((code, r));
        }
    }
    None
}

/// Codes every element in C order, appending the zigzag codes to `values` and writing the
/// reconstruction to the scratch space `recon` (resized as needed). Returns the flat index of an element that
/// cannot be coded within the bound.
fn code_elements<T: LilcomElement>(
    data: &[T],
    header: &Header,
    values: &mut Vec<u32>,
    recon: &mut Vec<f32>,
) -> Result<(), usize> {
    let shape = &header.shape;
    let rank = shape.len();
    let q = Quant::new(header.tick_power);
    let coeffs: Vec<f32> = header.coeffs.iter().map(|&k| coeff_f32(k)).collect();
    let row_len = shape[rank - 1];
    let last_coeff = coeffs[rank - 1];
    let strides = crate::decode::strides(shape);
    let base = values.len();
    values.resize(base + data.len(), 0);
    let codes = &mut values[base..];
    if rank == 1 {
        let mut prev_prediction = 0.0f32;
        for (j, (&x, o)) in data.iter().zip(codes.iter_mut()).enumerate() {
            let (code, r) = code_one(x, prev_prediction, &q).ok_or(j)?;
            *o = format::zigzag(code);
            prev_prediction = r * last_coeff;
        }
        return Ok(());
    }
    if rank == 2 && coeffs[0] != 0.0 && shape[0] > 2 {
        let p = Params {
            q,
            above: coeffs[0],
            left: last_coeff,
        };
        // Only the row above is ever read: keep the rows of one group and the one above it.
        recon.clear();
        recon.resize((GROUP + 1) * row_len, 0.0);
        return code_matrix(data, shape[0], row_len, &p, codes, recon);
    }
    recon.clear();
    recon.resize(data.len(), 0.0);
    let mut index = vec![0usize; rank - 1];
    let mut local: Vec<(usize, f32)> = Vec::with_capacity(rank);
    let mut start = 0usize;
    loop {
        crate::decode::contributing(&index, &coeffs, &strides, &mut local);
        let row = &data[start..start + row_len];
        let out = &mut codes[start..start + row_len];
        let (done, rest) = recon.split_at_mut(start);
        let rrow = &mut rest[..row_len];
        let mut prev_prediction = 0.0f32;
        match local.as_slice() {
            [] => {
                for (j, ((&x, o), r_out)) in row
                    .iter()
                    .zip(out.iter_mut())
                    .zip(rrow.iter_mut())
                    .enumerate()
                {
                    let (code, r) = code_one(x, prev_prediction, &q).ok_or(start + j)?;
                    *o = format::zigzag(code);
                    *r_out = r;
                    prev_prediction = r * last_coeff;
                }
            }
            &[(s0, c0)] => {
                let above = &done[start - s0..start - s0 + row_len];
                for (j, (((&x, o), r_out), &u)) in row
                    .iter()
                    .zip(out.iter_mut())
                    .zip(rrow.iter_mut())
                    .zip(above)
                    .enumerate()
                {
                    let predicted = prev_prediction + u * c0;
                    let (code, r) = code_one(x, predicted, &q).ok_or(start + j)?;
                    *o = format::zigzag(code);
                    *r_out = r;
                    prev_prediction = r * last_coeff;
                }
            }
            local => {
                for j in 0..row_len {
                    let mut predicted = prev_prediction;
                    for &(s, c) in local {
                        predicted += done[start + j - s] * c;
                    }
                    let (code, r) = code_one(row[j], predicted, &q).ok_or(start + j)?;
                    out[j] = format::zigzag(code);
                    rrow[j] = r;
                    prev_prediction = r * last_coeff;
                }
            }
        }
        start += row_len;
        if !crate::decode::next_row(&mut index, shape) {
            return Ok(());
        }
    }
}

/// Constants of the element loop.
struct Params {
    q: Quant,
    /// coefficient of the element above (axis 0)
    above: f32,
    /// coefficient of the element to the left (axis 1)
    left: f32,
}

/// [`code_elements`] for a 2-d array with a non-zero coefficient on axis 0: the same values,
/// computed [`GROUP`] rows at a time, each row one element behind the row above it, so that the
/// rows' dependency chains (each element waits for its left neighbour) overlap.
fn code_matrix<T: LilcomElement>(
    data: &[T],
    rows: usize,
    row_len: usize,
    p: &Params,
    codes: &mut [u32],
    recon: &mut [f32],
) -> Result<(), usize> {
    // Row 0 has no element above.
    let mut prev = 0.0f32;
    for j in 0..row_len {
        let (code, r) = code_one(data[j], prev, &p.q).ok_or(j)?;
        codes[j] = format::zigzag(code);
        recon[j] = r;
        prev = r * p.left;
    }
    // `recon` holds the row above a group followed by the group's rows; after each group its
    // last row moves to the front.
    let mut i = 1;
    while i + GROUP <= rows {
        code_rows::<T, GROUP>(data, i * row_len, row_len, p, codes, recon)?;
        recon.copy_within(GROUP * row_len..(GROUP + 1) * row_len, 0);
        i += GROUP;
    }
    while i + 2 <= rows {
        code_rows::<T, 2>(data, i * row_len, row_len, p, codes, recon)?;
        recon.copy_within(2 * row_len..3 * row_len, 0);
        i += 2;
    }
    if i < rows {
        code_rows::<T, 1>(data, i * row_len, row_len, p, codes, recon)?;
    }
    Ok(())
}

/// Rows coded together by [`code_matrix`].
const GROUP: usize = 4;

/// The `G` rows [`code_rows`] codes: element `(r, k)` is at `r * row_len + k` of `data` and
/// `codes`, and its reconstruction at `(r + 1) * row_len + k` of `recon`, after the row above.
struct Rows<'a, T, const G: usize> {
    data: &'a [T],
    /// flat index of the group's first element in the chunk (for error positions)
    start: usize,
    row_len: usize,
    p: &'a Params,
    codes: &'a mut [u32],
    recon: &'a mut [f32],
    /// each row's running prediction along the last axis
    prev: [f32; G],
}

impl<T: LilcomElement, const G: usize> crate::skew::Step for Rows<'_, T, G> {
    type Error = usize;

    #[inline(always)]
    fn step(&mut self, r: usize, k: usize) -> Result<(), usize> {
        let pos = r * self.row_len + k;
        let p = self.p;
        let predicted = self.prev[r] + self.recon[pos] * p.above;
        let (code, v) = code_one(self.data[pos], predicted, &p.q).ok_or(self.start + pos)?;
        self.codes[pos] = format::zigzag(code);
        self.recon[pos + self.row_len] = v;
        self.prev[r] = v * p.left;
        Ok(())
    }
}

/// Codes the `G` rows starting at flat index `start` (not the first row), in the skewed order of
/// [`crate::skew::skewed`]. `recon` starts with the reconstruction of the row above the group;
/// the group's reconstructions are written after it.
#[inline(always)]
fn code_rows<T: LilcomElement, const G: usize>(
    data: &[T],
    start: usize,
    row_len: usize,
    p: &Params,
    codes: &mut [u32],
    recon: &mut [f32],
) -> Result<(), usize> {
    let end = start + G * row_len;
    let mut rows = Rows::<T, G> {
        data: &data[start..end],
        start,
        row_len,
        p,
        codes: &mut codes[start..end],
        recon: &mut recon[..(G + 1) * row_len],
        prev: [0.0; G],
    };
    crate::skew::skewed::<G, _>(row_len, &mut rows)
}

#[cfg(test)]
mod tests {
    use super::{Quant, check_shape, code_general, code_one};

    #[test]
    fn chunks_of_2_pow_31_elements_are_refused() {
        // Checked from the length alone: nothing is allocated.
        assert!(check_shape((1 << 31) - 1, &[(1 << 31) - 1]).is_ok());
        let err = check_shape(1 << 31, &[1 << 16, 1 << 15]).unwrap_err();
        assert!(
            err.to_string().contains("at most 2147483647 elements"),
            "{err}"
        );
    }

    #[test]
    fn fast_rounding_matches_the_reference_arithmetic() {
        // Random values and predictions, and offsets of exactly k + 1/2 ticks (ties), at every
        // tick_power: the fast path must pick the code and reconstruction the reference
        // encoder's arithmetic (`code_general`) picks.
        let mut s = 11u64;
        let mut next = || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (s >> 33) as u32
        };
        for tp in -20..=20 {
            let q = Quant::new(tp);
            let t = q.tick;
            for i in 0..20_000 {
                let scale = t * (1u32 << (next() % 26)) as f32;
                let predicted = (next() as f32 / u32::MAX as f32 - 0.5) * scale;
                let x = if i % 4 == 0 {
                    // a tie: predicted + (k + 1/2) ticks, when exactly representable
                    predicted + ((next() % 2001) as f32 - 1000.5) * t
                } else {
                    predicted + (next() as f32 / u32::MAX as f32 - 0.5) * scale
                };
                let fast = code_one(x, predicted, &q);
                let general = code_general(x, f64::from(x), x - predicted, predicted, &q);
                assert_eq!(
                    fast.map(|(c, r)| (c, r.to_bits())),
                    general.map(|(c, r)| (c, r.to_bits())),
                    "tp {tp}, x {x}, predicted {predicted}"
                );
            }
        }
    }
}
