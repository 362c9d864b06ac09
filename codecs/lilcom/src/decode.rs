//! Decoding: replays the reference decoder's float32 arithmetic operation for operation, so the
//! result is bit-identical to stock lilcom's `decompress`.

use ndcodecs_core::{
    CodecError,
    shape::{MAX_CHUNK_ELEMENTS, try_vec},
};

use crate::{
    CODEC_ID, LilcomElement,
    format::{Fold, Header, StreamReader},
};

/// The quantisation step `2^tick_power` as float32 (exact for `-20..=20`).
#[inline]
pub(crate) fn tick(tick_power: i32) -> f32 {
    2f32.powi(tick_power)
}

/// Coefficient `k / 256` as float32 (exact).
#[inline]
#[allow(clippy::cast_precision_loss)]
pub(crate) fn coeff_f32(k: i32) -> f32 {
    k as f32 / 256.0
}

/// Reads only the header of a lilcom byte string.
///
/// # Errors
///
/// [`CodecError::Truncated`] or [`CodecError::Corrupt`] if the header cannot be read or holds a
/// value the format does not allow (see [`Header::read`]).
pub fn read_header(bytes: &[u8]) -> Result<Header, CodecError> {
    let mut reader = StreamReader::new(bytes)?;
    Header::read(&mut reader)
}

/// Decodes a lilcom byte string whose shape is expected to be `expected_shape` (C order,
/// outermost axis first) into `out`.
///
/// The shape in the header is checked against `expected_shape` before anything is allocated. A
/// 0-dimensional expected shape matches a stored shape of `[1]`.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] if the stored shape differs from `expected_shape` or `out` does
/// not hold exactly as many elements; [`CodecError::Truncated`] / [`CodecError::Corrupt`] for a
/// damaged stream (including trailing bytes); [`CodecError::OutOfRange`] if `T` is an integer
/// type and a decoded value is NaN or infinite.
pub fn decode_into<T: LilcomElement>(
    bytes: &[u8],
    expected_shape: &[usize],
    out: &mut [T],
) -> Result<(), CodecError> {
    let mut reader = StreamReader::new(bytes)?;
    let header = Header::read(&mut reader)?;
    let expected: &[usize] = if expected_shape.is_empty() {
        &[1]
    } else {
        expected_shape
    };
    if header.shape != expected {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("{expected_shape:?}"),
            found: format!("{:?} (stored in the lilcom header)", header.shape),
        });
    }
    let n: usize = expected.iter().product();
    if out.len() != n {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("an output of {n} elements for shape {expected_shape:?}"),
            found: format!("{} elements", out.len()),
        });
    }
    if let Some(out) = T::as_f32_slice(out) {
        return decode_body(&mut reader, &header, out);
    }
    let mut values = zeroed(n as u64)?;
    decode_body(&mut reader, &header, &mut values)?;
    convert(&values, out)
}

/// Decodes a lilcom byte string on its own, returning its shape (C order, outermost axis first)
/// and its values as float32 (what stock lilcom returns).
///
/// Memory grows with the values actually decoded rather than with the declared shape, so a
/// damaged header cannot make it allocate much more than the data justify; the declared element
/// count is also checked against [`MAX_CHUNK_ELEMENTS`].
///
/// # Errors
///
/// As [`decode_into`], plus [`CodecError::LimitExceeded`] for a declared element count above the
/// limit.
pub fn decode_f32(bytes: &[u8]) -> Result<(Vec<usize>, Vec<f32>), CodecError> {
    let shape = declared_shape(bytes)?;
    let mut reader = StreamReader::new(bytes)?;
    let header = Header::read(&mut reader)?;
    let mut values = zeroed(shape.iter().product::<usize>() as u64)?;
    decode_body(&mut reader, &header, &mut values)?;
    Ok((header.shape, values))
}

/// The shape a lilcom byte string declares in its header (C order, outermost axis first),
/// checked against [`MAX_CHUNK_ELEMENTS`] and, when the declared element count is more than the
/// data obviously justify (runs of zeros take far fewer bits than values), against the codes
/// themselves, read through once without allocating: what a caller may allocate for before
/// decoding a stream it has no expected shape for.
///
/// # Errors
///
/// As [`read_header`], [`CodecError::LimitExceeded`] for a declared element count above the
/// limit, and [`CodecError::Truncated`] / [`CodecError::Corrupt`] if the codes do not hold the
/// declared count.
pub fn declared_shape(bytes: &[u8]) -> Result<Vec<usize>, CodecError> {
    let mut reader = StreamReader::new(bytes)?;
    let header = Header::read(&mut reader)?;
    let n = header
        .shape
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .filter(|&n| n <= MAX_CHUNK_ELEMENTS)
        .ok_or(CodecError::LimitExceeded {
            codec: CODEC_ID,
            what: "declared element count",
            found: header
                .shape
                .iter()
                .fold(1u64, |a, &d| a.saturating_mul(d as u64)),
            limit: MAX_CHUNK_ELEMENTS,
        })?;
    // A stream of real data takes some bits per value; runs of zeros can take far fewer. When
    // the declared count is more than the data obviously justify, read the codes through once
    // (no allocation) before anyone allocates for them.
    if n > (bytes.len() as u64) * 8 + 4096 {
        validate_codes(reader, n)?;
    }
    Ok(header.shape)
}

/// Converts decoded float32 values to the output type.
pub(crate) fn convert<T: LilcomElement>(values: &[f32], out: &mut [T]) -> Result<(), CodecError> {
    for (i, (o, &v)) in out.iter_mut().zip(values).enumerate() {
        *o = T::from_f32(v).ok_or_else(|| CodecError::OutOfRange {
            codec: CODEC_ID,
            message: format!("decoded value {v} at flat index {i} has no integer representation"),
        })?;
    }
    Ok(())
}

/// C-order strides (in elements) of `shape`.
pub(crate) fn strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1usize; shape.len()];
    for a in (0..shape.len() - 1).rev() {
        strides[a] = strides[a + 1] * shape[a + 1];
    }
    strides
}

/// Decodes the element codes following the header into `out` (exactly one slot per element, C
/// order), then checks that the stream ends there.
fn decode_body(
    reader: &mut StreamReader<'_>,
    header: &Header,
    out: &mut [f32],
) -> Result<(), CodecError> {
    let shape = &header.shape;
    let rank = shape.len();
    let tick = tick(header.tick_power);
    let coeffs: Vec<f32> = header.coeffs.iter().map(|&k| coeff_f32(k)).collect();
    let row_len = shape[rank - 1];
    let last_coeff = coeffs[rank - 1];
    let strides = strides(shape);
    let mut index = vec![0usize; rank - 1];
    let mut local: Vec<(usize, f32)> = Vec::with_capacity(rank);
    let mut codes = vec![0i32; row_len.min(BLOCK)];
    let mut start = 0usize;
    loop {
        contributing(&index, &coeffs, &strides, &mut local);
        let mut prev_prediction = 0.0f32;
        // The row's codes are read a block at a time, then reconstructed.
        for block_start in (start..start + row_len).step_by(BLOCK) {
            let len = (start + row_len - block_start).min(BLOCK);
            let codes = &mut codes[..len];
            let (done, rest) = out.split_at_mut(block_start);
            let block = &mut rest[..len];
            // With no or one earlier axis contributing (every row of a 2-d chunk), the codes
            // are reconstructed as they are read: reading overlaps the reconstruction's
            // dependency chain along the row.
            match local.as_slice() {
                [] => {
                    let mut row = AlongRow {
                        out: block,
                        tick,
                        last_coeff,
                    };
                    prev_prediction = reader.read_fold(len, prev_prediction, &mut row)?;
                }
                &[(s0, c0)] => {
                    let mut row = WithOneAxis {
                        out: block,
                        earlier: &done[block_start - s0..block_start - s0 + len],
                        coeff: c0,
                        tick,
                        last_coeff,
                    };
                    prev_prediction = reader.read_fold(len, prev_prediction, &mut row)?;
                }
                local => {
                    reader.read_i32s(codes)?;
                    for (j, &code) in codes.iter().enumerate() {
                        let mut predicted = prev_prediction;
                        for &(s, c) in local {
                            predicted += done[block_start + j - s] * c;
                        }
                        #[allow(clippy::cast_precision_loss)]
                        let value = predicted + code as f32 * tick;
                        block[j] = value;
                        prev_prediction = value * last_coeff;
                    }
                }
            }
        }
        start += row_len;
        if !next_row(&mut index, shape) {
            return reader.finish();
        }
    }
}

// The reconstruction of a row as the reader hands over its codes, carrying the prediction along
// the row (`prev`: the previous element times the last axis's coefficient).
//
// For a zero code, `y = p + 0.0 * t` equals `p` unless `p` is a zero, when `y` is `+0.0`. The
// zero path carries `p * c` instead of `y * c`, which takes the addition off the dependency chain
// and stores the same `y`: by induction along the row the carried prediction is either the
// reference's or a zero of the other sign where the reference's is a zero, and a zero of either
// sign gives the same sum with any nonzero term and `+0.0` with a zero term (round to nearest:
// `-0.0 + +0.0 = +0.0`), so every stored element is the reference's, bit for bit.

/// A row with no earlier axis contributing: `y[j] = prev + code * t`.
struct AlongRow<'a> {
    out: &'a mut [f32],
    tick: f32,
    last_coeff: f32,
}

impl Fold for AlongRow<'_> {
    type State = f32;

    #[inline(always)]
    fn value(&mut self, prev: f32, j: usize, code: i32) -> f32 {
        #[allow(clippy::cast_precision_loss)]
        let y = prev + code as f32 * self.tick;
        self.out[j] = y;
        y * self.last_coeff
    }

    #[inline(always)]
    fn zero(&mut self, prev: f32, j: usize) -> f32 {
        self.out[j] = prev + 0.0;
        prev * self.last_coeff
    }
}

/// A row with one earlier axis contributing (every row but the first of a 2-d chunk):
/// `y[j] = (prev + earlier[j] * c) + code * t`.
struct WithOneAxis<'a> {
    out: &'a mut [f32],
    earlier: &'a [f32],
    coeff: f32,
    tick: f32,
    last_coeff: f32,
}

impl Fold for WithOneAxis<'_> {
    type State = f32;

    #[inline(always)]
    fn value(&mut self, prev: f32, j: usize, code: i32) -> f32 {
        let p = prev + self.earlier[j] * self.coeff;
        #[allow(clippy::cast_precision_loss)]
        let y = p + code as f32 * self.tick;
        self.out[j] = y;
        y * self.last_coeff
    }

    #[inline(always)]
    fn zero(&mut self, prev: f32, j: usize) -> f32 {
        let p = prev + self.earlier[j] * self.coeff;
        self.out[j] = p + 0.0;
        p * self.last_coeff
    }
}

/// The earlier axes that contribute to the prediction of the row at outer multi-index `index`,
/// as (stride, coefficient) in axis order: those whose index is not 0 and whose coefficient is
/// not 0 (the reference decoder skips the others rather than adding 0).
pub(crate) fn contributing(
    index: &[usize],
    coeffs: &[f32],
    strides: &[usize],
    local: &mut Vec<(usize, f32)>,
) {
    local.clear();
    for (a, &i) in index.iter().enumerate() {
        if i != 0 && coeffs[a] != 0.0 {
            local.push((strides[a], coeffs[a]));
        }
    }
}

/// Advances `index`, the multi-index over all axes of `shape` but the last, to the next row in
/// C order; `false` after the last row.
pub(crate) fn next_row(index: &mut [usize], shape: &[usize]) -> bool {
    for a in (0..index.len()).rev() {
        index[a] += 1;
        if index[a] < shape[a] {
            return true;
        }
        index[a] = 0;
    }
    false
}

/// Codes read at a time along a row before they are reconstructed.
const BLOCK: usize = 1024;

/// Reads `n` codes without decoding values, then checks the end: validates a stream before a
/// large allocation that its size does not obviously justify. Runs of zeros are skipped whole, so
/// the time taken grows with the input's length, not with the declared count.
fn validate_codes(mut reader: StreamReader<'_>, n: u64) -> Result<(), CodecError> {
    /// Takes the values and does nothing with them.
    struct Skip;
    impl Fold for Skip {
        type State = ();
        #[inline(always)]
        fn value(&mut self, (): (), _: usize, _: i32) {}
        #[inline(always)]
        fn zeros(&mut self, (): (), _: usize, _: usize) {}
    }
    let n = usize::try_from(n).map_err(|_| CodecError::LimitExceeded {
        codec: CODEC_ID,
        what: "declared element count",
        found: n,
        limit: MAX_CHUNK_ELEMENTS,
    })?;
    reader.read_fold(n, (), &mut Skip)?;
    reader.finish()
}

/// A zeroed vector of `n` values, or an error if the memory cannot be had (instead of aborting).
fn zeroed(n: u64) -> Result<Vec<f32>, CodecError> {
    let n = usize::try_from(n).map_err(|_| CodecError::LimitExceeded {
        codec: CODEC_ID,
        what: "decoded element count",
        found: n,
        limit: usize::MAX as u64,
    })?;
    try_vec(CODEC_ID, "the decoded float32 values", n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{encode_stream, minimal_widths, zigzag};

    /// The reconstruction exactly as the spec writes it, reading one code at a time: the oracle
    /// for the decoder's blocked paths.
    fn reference(bytes: &[u8]) -> Vec<f32> {
        let mut r = StreamReader::new(bytes).unwrap();
        let h = Header::read(&mut r).unwrap();
        let t = tick(h.tick_power);
        let c: Vec<f32> = h.coeffs.iter().map(|&k| coeff_f32(k)).collect();
        let rank = h.shape.len();
        let st = strides(&h.shape);
        let n: usize = h.shape.iter().product();
        let mut y = vec![0f32; n];
        for flat in 0..n {
            let j = flat % h.shape[rank - 1];
            let mut p = if j == 0 {
                0.0
            } else {
                y[flat - 1] * c[rank - 1]
            };
            for a in 0..rank - 1 {
                if c[a] != 0.0 && !(flat / st[a]).is_multiple_of(h.shape[a]) {
                    p += y[flat - st[a]] * c[a];
                }
            }
            #[allow(clippy::cast_precision_loss)]
            let code = r.next_i32().unwrap() as f32;
            y[flat] = p + code * t;
        }
        r.finish().unwrap();
        y
    }

    fn stream(tick_power: i32, shape: &[i32], coeffs: &[i32], codes: &[i32]) -> Vec<u8> {
        #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
        let mut v = vec![zigzag(shape.len() as i32), zigzag(tick_power)];
        for (&d, &k) in shape.iter().zip(coeffs) {
            v.push(zigzag(d));
            v.push(zigzag(k));
        }
        v.extend(codes.iter().map(|&c| zigzag(c)));
        let mut w = Vec::new();
        minimal_widths(&v, &mut w);
        encode_stream(&v, &w)
    }

    #[test]
    fn signed_zeros_and_runs_match_the_reference_bit_for_bit() {
        // Codes mostly 0 (in runs, some longer than a row or a block) around values that cancel
        // to zero, with coefficients of both signs and 0, at the smallest tick (products that
        // underflow to a signed zero) and at a large one: every path of the decoder (no, one and
        // two contributing axes; zeros of a run and coded zeros) against the reference.
        let mut s = 7u32;
        let mut next = || {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            s >> 8
        };
        for tick_power in [-20, 0, 12] {
            for coeffs in [
                [-256, -256, -3],
                [256, -1, 255],
                [-128, 0, -256],
                [0, 256, 0],
                [1, 1, -1],
            ] {
                for shape in [vec![3, 5, 1300], vec![2, 2600], vec![5200]] {
                    let n: usize = shape.iter().map(|&d| d as usize).product();
                    let codes: Vec<i32> = (0..n)
                        .map(|i| match (i / 700) % 3 {
                            0 => 0,
                            1 => [0, 0, 0, 0, 1, -1, 2][(next() % 7) as usize],
                            _ => [0, 0, 1, -1][(next() % 4) as usize],
                        })
                        .collect();
                    let bytes = stream(tick_power, &shape, &coeffs[3 - shape.len()..], &codes);
                    let (_, got) = decode_f32(&bytes).unwrap();
                    let want = reference(&bytes);
                    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                        assert_eq!(
                            g.to_bits(),
                            w.to_bits(),
                            "tick_power {tick_power}, coefficients {coeffs:?}, shape {shape:?}, element {i}"
                        );
                    }
                    assert!(want.contains(&0.0));
                }
            }
        }
    }
}
