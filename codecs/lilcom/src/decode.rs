//! Decoding: replays the reference decoder's float32 arithmetic operation for operation, so the
//! result is bit-identical to stock lilcom's `decompress`.

use ndcodecs_core::{CodecError, shape::MAX_CHUNK_ELEMENTS};

use crate::{
    CODEC_ID, LilcomElement,
    format::{Header, StreamReader},
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
    let mut values = Vec::with_capacity(n);
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
    // Start small: a stream of real data takes at least a few bits per value; runs of zeros can
    // take fewer, and then the vector grows as they are decoded.
    let initial = usize::try_from(n)
        .unwrap_or(usize::MAX)
        .min(bytes.len().saturating_mul(8) + 4096);
    let mut values = Vec::with_capacity(initial);
    decode_body(&mut reader, &header, &mut values)?;
    Ok((header.shape, values))
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

/// Decodes the element codes following the header, appending the values to `out` (empty on
/// entry) in C order.
fn decode_body(
    reader: &mut StreamReader<'_>,
    header: &Header,
    out: &mut Vec<f32>,
) -> Result<(), CodecError> {
    let shape = &header.shape;
    let rank = shape.len();
    let tick = tick(header.tick_power);
    let coeffs: Vec<f32> = header.coeffs.iter().map(|&k| coeff_f32(k)).collect();
    let row_len = shape[rank - 1];
    let last_coeff = coeffs[rank - 1];
    // C-order strides of the outer axes.
    let mut strides = vec![1usize; rank];
    for a in (0..rank - 1).rev() {
        strides[a] = strides[a + 1] * shape[a + 1];
    }
    let mut index = vec![0usize; rank.saturating_sub(1)];
    let mut local: Vec<(usize, f32)> = Vec::with_capacity(rank);
    loop {
        // Axes before the last whose index is not 0 and whose coefficient is not 0 contribute.
        local.clear();
        for (a, &i) in index.iter().enumerate() {
            if i != 0 && coeffs[a] != 0.0 {
                local.push((strides[a], coeffs[a]));
            }
        }
        let start = out.len();
        let mut prev_prediction = 0.0f32;
        match local.as_slice() {
            [] => {
                for _ in 0..row_len {
                    let code = reader.next_i32()?;
                    #[allow(clippy::cast_precision_loss)]
                    let value = prev_prediction + code as f32 * tick;
                    out.push(value);
                    prev_prediction = value * last_coeff;
                }
            }
            &[(s0, c0)] => {
                for j in 0..row_len {
                    let code = reader.next_i32()?;
                    let predicted = prev_prediction + out[start + j - s0] * c0;
                    #[allow(clippy::cast_precision_loss)]
                    let value = predicted + code as f32 * tick;
                    out.push(value);
                    prev_prediction = value * last_coeff;
                }
            }
            local => {
                for j in 0..row_len {
                    let code = reader.next_i32()?;
                    let mut predicted = prev_prediction;
                    for &(s, c) in local {
                        predicted += out[start + j - s] * c;
                    }
                    #[allow(clippy::cast_precision_loss)]
                    let value = predicted + code as f32 * tick;
                    out.push(value);
                    prev_prediction = value * last_coeff;
                }
            }
        }
        // Next row: increment the multi-index over the outer axes.
        let mut a = rank - 1;
        loop {
            if a == 0 {
                return reader.finish();
            }
            a -= 1;
            index[a] += 1;
            if index[a] < shape[a] {
                break;
            }
            index[a] = 0;
        }
    }
}
