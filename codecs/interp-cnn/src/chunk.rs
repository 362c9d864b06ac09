//! A whole chunk: samples to planes (YCoCg-R for colour), slices, header, checksum.

use ndcodecs_core::CodecError;
use ndcodecs_core::shape::try_vec;
use ndcodecs_ycocg_r::kernel;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::CODEC_ID;
use crate::coding::{decode_slice_grids, encode_slice, ideal_slice_bits, slice_params};
use crate::config::{InterpCnnConfig, LayoutChoice};
use crate::format::{
    BAND_LOG2, BAND_LOG2_RANGE, Header, Layout, MAX_CHANNELS, SampleType, colour_transform,
    slice_streams,
};
use crate::model::{Model, model};

/// A sample type `interp_cnn` codes: `u8`, `u16`, `i16`.
pub use ndcodecs_learned::Sample as ImageSample;

/// CRC-32 (IEEE, as `crc32fast`) of samples as the little-endian bytes of `dtype`, C order.
#[must_use]
pub fn samples_crc(values: &[i32], dtype: SampleType) -> u32 {
    // pieces in parallel, their CRCs combined in order (crc32fast's `combine`; rayon's reduce
    // keeps the pieces' order, and needs no list of them)
    let h = values
        .par_chunks(PIECE)
        .map(|part| {
            let mut h = crc32fast::Hasher::new();
            let mut buf = Vec::with_capacity(part.len() * 2);
            for &v in part {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                match dtype {
                    SampleType::U8 => buf.push(v as u8),
                    _ => buf.extend_from_slice(&(v as u16).to_le_bytes()),
                }
            }
            h.update(&buf);
            h
        })
        .reduce(crc32fast::Hasher::new, |mut a, b| {
            a.combine(&b);
            a
        });
    h.finalize()
}

/// Samples (pixels, for the channel interleave) per piece of the parallel passes over a whole
/// chunk: the checksum, the interleave, YCoCg-R and the range check.
const PIECE: usize = 1 << 15;

/// `(layout, depth, height, width, channels)` of a chunk of `shape` under `choice`.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] for other ranks, a channel count outside 1..=4 where channels
/// are asked for, or an empty axis.
pub fn plan(
    shape: &[usize],
    choice: LayoutChoice,
) -> Result<(Layout, usize, usize, usize, usize), CodecError> {
    let bad = |what: &str| CodecError::ShapeMismatch {
        codec: CODEC_ID,
        expected: what.into(),
        found: format!("shape {shape:?}"),
    };
    let p = match *shape {
        [h, w] => (Layout::Image, 1, h, w, 1),
        [a, b, c] => {
            let channels = match choice {
                LayoutChoice::Auto => c <= MAX_CHANNELS,
                LayoutChoice::Channels => true,
                LayoutChoice::Volume => false,
            };
            if channels {
                if !(1..=MAX_CHANNELS).contains(&c) {
                    return Err(bad("(y, x, c) with c in 1..=4"));
                }
                (Layout::Channels, 1, a, b, c)
            } else {
                (Layout::Volume, a, b, c, 1)
            }
        }
        _ => return Err(bad("a 2-d (y, x) image, (y, x, c) or a (z, y, x) volume")),
    };
    if p.1 == 0 || p.2 == 0 || p.3 == 0 {
        return Err(bad("no empty axis"));
    }
    Ok(p)
}

/// The planes of every slice: `planes[z][c]`, row-major `h` x `w`, YCoCg-R applied.
fn to_planes(values: &[i32], h: &Header) -> Vec<Vec<Vec<i32>>> {
    let (hw, nc) = (h.height * h.width, h.channels);
    let colour = colour_transform(h.layout, nc);
    (0..h.depth)
        .map(|z| {
            let s = &values[z * hw * nc..(z + 1) * hw * nc];
            let mut planes = vec![Vec::with_capacity(hw); nc];
            if colour {
                let off = if h.dtype == SampleType::I16 { 32768 } else { 0 };
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let rgb: Vec<u16> = s
                    .chunks_exact(nc)
                    .flat_map(|p| p[..3].iter().map(move |&v| (v + off) as u16))
                    .collect();
                let mut ycc = vec![0i32; rgb.len()];
                kernel::forward::<u16>(&rgb, &mut ycc);
                for (i, p) in s.chunks_exact(nc).enumerate() {
                    for c in 0..3 {
                        planes[c].push(ycc[3 * i + c]);
                    }
                    for c in 3..nc {
                        planes[c].push(p[c]);
                    }
                }
            } else {
                for p in s.chunks_exact(nc) {
                    for (c, &v) in p.iter().enumerate() {
                        planes[c].push(v);
                    }
                }
            }
            planes
        })
        .collect()
}

/// The chunk's header for `plan` (layout, depth, height, width, channels) and model `m`, with
/// each plane's smallest and largest value in `ranges` (checksum and stream lengths left to the
/// caller), the samples as `i32`, and their planes slice after slice ([`to_planes`]).
fn prepare<T: ImageSample>(
    samples: &[T],
    plan: (Layout, usize, usize, usize, usize),
    m: &Model,
) -> (Header, Vec<i32>, Vec<Vec<Vec<i32>>>) {
    let (layout, depth, height, width, channels) = plan;
    let values: Vec<i32> = samples.iter().map(|&v| v.to_i32()).collect();
    let mut header = Header {
        layout,
        dtype: T::TYPE,
        band_log2: BAND_LOG2,
        model_id: m.id,
        depth,
        height,
        width,
        channels,
        ranges: Vec::new(),
        crc: 0,
        stream_lengths: Vec::new(),
    };
    let planes = to_planes(&values, &header);
    header.ranges = planes
        .iter()
        .flat_map(|sl| {
            sl.iter().map(|p| {
                let lo = p.iter().copied().min().unwrap_or(0);
                let hi = p.iter().copied().max().unwrap_or(0);
                (i64::from(lo), i64::from(hi))
            })
        })
        .collect();
    (header, values, planes)
}

/// The ranges of slice `z`'s planes in `header.ranges`.
fn slice_ranges(header: &Header, z: usize) -> &[(i64, i64)] {
    &header.ranges[z * header.channels..(z + 1) * header.channels]
}

/// Encodes samples (C order, `shape`) with the codec's configuration.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] for shapes [`plan`] refuses or a sample count that does not
/// match; [`CodecError::LimitExceeded`] for a side of 2^32 or more; [`CodecError::Corrupt`] if
/// the configured model is not shipped.
pub fn encode<T: ImageSample>(
    samples: &[T],
    shape: &[usize],
    config: &InterpCnnConfig,
) -> Result<Vec<u8>, CodecError> {
    let (layout, depth, height, width, channels) = plan(shape, config.layout)?;
    if samples.len() != depth * height * width * channels {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!(
                "{} samples for shape {shape:?}",
                depth * height * width * channels
            ),
            found: format!("{} samples", samples.len()),
        });
    }
    for &d in &[depth, height, width] {
        if u32::try_from(d).is_err() {
            return Err(CodecError::LimitExceeded {
                codec: CODEC_ID,
                what: "axis length",
                found: d as u64,
                limit: u64::from(u32::MAX),
            });
        }
    }
    let m = model(config.model)?;
    let (mut header, values, planes) =
        prepare(samples, (layout, depth, height, width, channels), m);
    header.crc = samples_crc(&values, T::TYPE);
    let streams: Result<Vec<Vec<Vec<u8>>>, CodecError> = planes
        .par_iter()
        .enumerate()
        .map(|(z, sl)| encode_slice(sl, height, width, slice_ranges(&header, z), m, BAND_LOG2))
        .collect();
    let streams: Vec<Vec<u8>> = streams?.into_iter().flatten().collect();
    header.stream_lengths = streams.iter().map(Vec::len).collect();
    let mut out = header.write();
    for s in &streams {
        out.extend_from_slice(s);
    }
    Ok(out)
}

/// Ideal code length in bits of the samples' coded values under the configured model (the
/// header and stream ends not counted): for tools that compare models.
///
/// # Errors
///
/// As [`encode`].
pub fn ideal_bits<T: ImageSample>(
    samples: &[T],
    shape: &[usize],
    config: &InterpCnnConfig,
) -> Result<f64, CodecError> {
    let (layout, depth, height, width, channels) = plan(shape, config.layout)?;
    let m = model(config.model)?;
    let (header, _, planes) = prepare(samples, (layout, depth, height, width, channels), m);
    let mut total = 0.0;
    for (z, sl) in planes.iter().enumerate() {
        total += ideal_slice_bits(sl, height, width, slice_ranges(&header, z), m)?;
    }
    Ok(total)
}

/// Every interpolated sample's distribution parameters, slice after slice, as rows `(level,
/// step, channel, mu_fp, ls_fp, mu', ls')` ([`slice_params`]): the network's and, after the
/// online correction of bands of `2^band_log2` samples (the encoder's are
/// [`crate::format::BAND_LOG2`]), the coded ones: for tests against an independent
/// implementation of the model arithmetic.
///
/// # Errors
///
/// As [`encode`]; [`CodecError::InvalidConfig`] for a `band_log2` outside 8..=24.
pub fn params<T: ImageSample>(
    samples: &[T],
    shape: &[usize],
    config: &InterpCnnConfig,
    band_log2: u8,
) -> Result<Vec<[i64; 7]>, CodecError> {
    if !BAND_LOG2_RANGE.contains(&band_log2) {
        return Err(CodecError::InvalidConfig {
            codec: CODEC_ID,
            message: format!("band_log2 {band_log2} outside {BAND_LOG2_RANGE:?}"),
        });
    }
    let (layout, depth, height, width, channels) = plan(shape, config.layout)?;
    let m = model(config.model)?;
    let (header, _, planes) = prepare(samples, (layout, depth, height, width, channels), m);
    let mut rows = Vec::new();
    for (z, sl) in planes.iter().enumerate() {
        rows.extend(slice_params(
            sl,
            height,
            width,
            slice_ranges(&header, z),
            m,
            band_log2,
        )?);
    }
    Ok(rows)
}

pub use ndcodecs_core::shape::MAX_SAMPLES_UNCHECKED;

/// Checks that a chunk decoded without an expected shape declares at most
/// [`MAX_SAMPLES_UNCHECKED`] samples ([`ndcodecs_core::shape::check_unchecked_samples`]).
///
/// # Errors
///
/// [`CodecError::LimitExceeded`] above the limit.
pub fn check_unchecked(header: &Header) -> Result<(), CodecError> {
    ndcodecs_core::shape::check_unchecked_samples(CODEC_ID, header.samples())
}

/// Decodes a chunk into its header and samples (C order, as `i32`). With `expected`, the
/// chunk's shape must be it (checked before anything sized by the header is allocated).
///
/// # Errors
///
/// [`CodecError::Corrupt`], [`CodecError::Truncated`], [`CodecError::UnsupportedVersion`],
/// [`CodecError::LimitExceeded`], [`CodecError::ShapeMismatch`] and
/// [`CodecError::ChecksumMismatch`] for data that is not a valid chunk;
/// [`CodecError::OutOfMemory`] if the decoder's working memory cannot be had (the samples as
/// `int32`, each slice's level grids, bands and look-ahead blocks, the colour scratch of a
/// piece).
pub fn decode_samples(
    data: &[u8],
    expected: Option<&[usize]>,
) -> Result<(Header, Vec<i32>), CodecError> {
    let (h, offset) = Header::read(data, expected)?;
    if expected.is_none() {
        check_unchecked(&h)?;
    }
    let m = model(h.model_id)?;
    let per_slice = slice_streams(h.height, h.width, h.channels, h.band_log2);
    let mut streams = Vec::with_capacity(h.stream_lengths.len());
    let mut pos = offset;
    for &len in &h.stream_lengths {
        streams.push(&data[pos..pos + len]);
        pos += len;
    }
    let nc = h.channels;
    let hw = h.height * h.width;
    // The samples (int32, C order) are reserved before any decoding, so that a chunk too large
    // for the memory at hand fails at once; slices are decoded in parallel, each straight into
    // its part of them (only the slices in flight hold level grids).
    let mut values: Vec<i32> = try_vec(CODEC_ID, "the decoded samples (int32)", h.samples())?;
    let colour = colour_transform(h.layout, nc);
    let (lo, hi) = h.dtype.range();
    let (w, row_len) = (h.width, h.width * nc);
    let piece_rows = (PIECE / w).max(1);
    // Slices in flight keep every thread busy: only the last slices to start (as many as
    // threads) offer helper tasks to their bands (a helper's bookkeeping costs a band CPU time,
    // and while other slices are left a helper would not be run by another thread anyway).
    let threads = rayon::current_num_threads();
    let started = AtomicUsize::new(0);
    values
        .par_chunks_mut(hw * nc)
        .enumerate()
        .try_for_each(|(z, out)| {
            let i = started.fetch_add(1, Ordering::Relaxed);
            let planes = decode_slice_grids(
                &streams[z * per_slice..(z + 1) * per_slice],
                h.height,
                h.width,
                &h.ranges[z * nc..(z + 1) * nc],
                m,
                h.band_log2,
                h.depth - i <= threads,
            )?;
            // pieces in parallel, each giving its first pixel that is no YCoCg-R of an RGB
            // pixel and its first value outside the dtype; reduced in order (rayon's reduce
            // keeps the pieces' order), so reported as a serial pass would
            let found = out
                .par_chunks_mut(piece_rows * row_len)
                .enumerate()
                .map(
                    |(k, piece)| -> Result<(Option<usize>, Option<i32>), CodecError> {
                        let y0 = k * piece_rows;
                        let p0 = y0 * w;
                        for (r, row) in piece.chunks_exact_mut(row_len).enumerate() {
                            for (c, g) in planes.iter().enumerate() {
                                let i = g.index(y0 + r, 0);
                                for (px, &v) in row.chunks_exact_mut(nc).zip(&g.data[i..i + w]) {
                                    px[c] = v;
                                }
                            }
                        }
                        if colour {
                            // a piece is at least one row, whose width the header declares
                            let n = 3 * (piece.len() / nc);
                            let mut ycc: Vec<i32> =
                                try_vec(CODEC_ID, "the YCoCg-R pixels of a piece of a slice", n)?;
                            let mut rgb: Vec<u16> =
                                try_vec(CODEC_ID, "the RGB pixels of a piece of a slice", n)?;
                            for (t, p) in ycc.chunks_exact_mut(3).zip(piece.chunks_exact(nc)) {
                                t.copy_from_slice(&p[..3]);
                            }
                            if let Err(p) = kernel::inverse::<u16>(&ycc, &mut rgb) {
                                return Ok((Some(p0 + p), None));
                            }
                            let off = if h.dtype == SampleType::I16 { 32768 } else { 0 };
                            for (px, p) in piece.chunks_exact_mut(nc).zip(rgb.chunks_exact(3)) {
                                for c in 0..3 {
                                    px[c] = i32::from(p[c]) - off;
                                }
                            }
                        }
                        let bad = piece
                            .iter()
                            .find(|&&v| i64::from(v) < lo || i64::from(v) > hi)
                            .copied();
                        Ok((None, bad))
                    },
                )
                .try_reduce(|| (None, None), |a, b| Ok((a.0.or(b.0), a.1.or(b.1))))?;
            if let Some(p) = found.0 {
                return Err(CodecError::Corrupt {
                    codec: CODEC_ID,
                    message: format!("pixel {p} of slice {z} is not the YCoCg-R of any RGB pixel"),
                });
            }
            if let Some(v) = found.1 {
                return Err(CodecError::Corrupt {
                    codec: CODEC_ID,
                    message: format!("decoded value {v} outside {}", h.dtype.name()),
                });
            }
            Ok(())
        })?;
    let crc = samples_crc(&values, h.dtype);
    if crc != h.crc {
        return Err(CodecError::ChecksumMismatch {
            codec: CODEC_ID,
            stored: h.crc,
            computed: crc,
        });
    }
    Ok((h, values))
}
