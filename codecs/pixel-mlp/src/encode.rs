//! The encoder: every stream in parallel (rayon), each walking its rows.

use ndcodecs_core::CodecError;
use rayon::prelude::*;

use crate::CODEC_ID;
use crate::coding::{Adapt, Geometry, PackedParams, Taps, error_taps, sample_params};
use crate::config::{LayoutChoice, PixelMlpConfig};
use crate::entropy::{SymbolSink, put};
use crate::format::{Header, Layout, MAX_CHANNELS, SampleType, colour_transform};
use crate::model::{Model, model};

/// A sample dtype `pixel_mlp` codes: `u8`, `u16`, `i16`.
pub use ndcodecs_learned::Sample as PixelSample;

/// CRC-32 (IEEE, as `crc32fast`) of samples stored as the little-endian bytes of `dtype`
/// (1 byte for `uint8`, 2 for `uint16` / `int16`), C order.
#[must_use]
pub fn checksum(values: &[i32], dtype: SampleType) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    let mut buf = Vec::with_capacity(8192);
    for block in values.chunks(4096) {
        buf.clear();
        for &v in block {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            match dtype {
                SampleType::U8 => buf.push(v as u8),
                SampleType::U16 | SampleType::I16 => {
                    buf.extend_from_slice(&(v as u16).to_le_bytes())
                }
            }
        }
        crc.update(&buf);
    }
    crc.finalize()
}

/// Encodes `data` (C order, `shape`) into a `pixel_mlp` chunk: the streams in parallel on
/// rayon's pool.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] for a shape `pixel_mlp` does not take or a `data` of another
/// length; [`CodecError::Corrupt`] for an unknown `config.model`.
pub fn encode<T: PixelSample>(
    data: &[T],
    shape: &[usize],
    config: &PixelMlpConfig,
) -> Result<Vec<u8>, CodecError> {
    let (mut header, values) = prepare(data, shape, config)?;
    let m = model(header.model_id)?;
    let pass = network_pass(m, &header, &values);
    let streams: Vec<Vec<u8>> = (0..header.streams)
        .into_par_iter()
        .map(|s| {
            let mut enc = ndcodecs_entropy::RangeEncoder::new();
            encode_stream(&mut enc, m, &header, &values, &pass, s);
            enc.finish()
        })
        .collect();
    header.stream_lengths = streams.iter().map(Vec::len).collect();
    if header.stream_lengths.iter().any(|&l| l > u32::MAX as usize) {
        return Err(CodecError::LimitExceeded {
            codec: CODEC_ID,
            what: "stream length",
            found: header.stream_lengths.iter().copied().max().unwrap_or(0) as u64,
            limit: u64::from(u32::MAX),
        });
    }
    let mut out = header.write();
    for s in &streams {
        out.extend_from_slice(s);
    }
    Ok(out)
}

/// `(layout, depth, height, width, channels)` of an array of `shape` read as `choice` says.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] for a rank other than 2 or 3, an empty axis, or more than 4
/// channels.
pub fn plan(
    shape: &[usize],
    choice: LayoutChoice,
) -> Result<(Layout, usize, usize, usize, usize), CodecError> {
    let bad = |why: &str| CodecError::ShapeMismatch {
        codec: CODEC_ID,
        expected: format!("(y, x), (y, x, c) with c <= 4, or (z, y, x), every axis non-empty{why}"),
        found: format!("shape {shape:?}"),
    };
    if shape.contains(&0) {
        return Err(bad(""));
    }
    match *shape {
        [h, w] => Ok((Layout::Image, 1, h, w, 1)),
        [a, b, c] => {
            let channels = match choice {
                LayoutChoice::Auto => c <= MAX_CHANNELS,
                LayoutChoice::Channels => true,
                LayoutChoice::Volume => false,
            };
            if channels {
                if c > MAX_CHANNELS {
                    return Err(bad(" (layout \"channels\" takes at most 4 channels)"));
                }
                Ok((Layout::Channels, 1, a, b, c))
            } else {
                Ok((Layout::Volume, a, b, c, 1))
            }
        }
        _ => Err(bad("")),
    }
}

/// The network pass of model 3, which reads the network errors of the neighbours (other
/// streams' rows): every sample's parameters and network error
/// ([`Params::network_error`](crate::coding::Params::network_error)), C order, rows in parallel
/// (the encoder knows every sample's context). Empty for models 1 and 2, whose streams run the
/// networks themselves.
#[derive(Debug, Default)]
pub(crate) struct NetworkPass {
    /// network errors
    pub errors: Vec<i32>,
    /// parameters
    pub params: Vec<PackedParams>,
}

pub(crate) fn network_pass(model: &Model, header: &Header, values: &[i32]) -> NetworkPass {
    if !model.adaptation.uses_taps() {
        return NetworkPass::default();
    }
    let g = Geometry { header };
    let row_len = header.width * header.channels;
    let mut errors = vec![0i32; values.len()];
    let mut params = vec![PackedParams::default(); values.len()];
    errors
        .par_chunks_mut(row_len)
        .zip(params.par_chunks_mut(row_len))
        .enumerate()
        .for_each(|(row, (e_out, p_out))| {
            let (z, y) = (row / header.height, row % header.height);
            ndcodecs_learned::simd::vectorize(
                #[inline(always)]
                || {
                    for x in 0..header.width {
                        for c in 0..header.channels {
                            let p = sample_params(model, &g, values, z, y, x, c);
                            let v = i64::from(values[g.index(z, y, x, c)]);
                            e_out[x * header.channels + c] = p.network_error(v);
                            p_out[x * header.channels + c] = PackedParams::new(&p);
                        }
                    }
                },
            );
        });
    NetworkPass { errors, params }
}

/// The taps of sample `(z, y, x, c)` from `errors` (all zero when `errors` is empty: models 1
/// and 2).
#[inline(always)]
pub(crate) fn taps_of(
    g: &Geometry<'_>,
    errors: &[i32],
    z: usize,
    y: usize,
    x: usize,
    c: usize,
) -> Taps {
    if errors.is_empty() {
        Taps::default()
    } else {
        error_taps(&g.plane(errors, z, c), y, x, g.header.width)
    }
}

/// Codes the rows of stream `s` into `sink`; `pass` as [`network_pass`] gives it.
pub(crate) fn encode_stream<K: SymbolSink>(
    sink: &mut K,
    model: &Model,
    header: &Header,
    values: &[i32],
    pass: &NetworkPass,
    s: usize,
) {
    let g = Geometry { header };
    let mut adapt = Adapt::new(model.adaptation);
    ndcodecs_learned::simd::vectorize(
        #[inline(always)]
        || {
            for row in (s..header.rows()).step_by(header.streams) {
                let (z, y) = (row / header.height, row % header.height);
                for x in 0..header.width {
                    for c in 0..header.channels {
                        let i = g.index(z, y, x, c);
                        let p = if pass.params.is_empty() {
                            sample_params(model, &g, values, z, y, x, c)
                        } else {
                            let (vmin, vmax) = g.range(c);
                            pass.params[i].unpack(vmin, vmax)
                        };
                        let v = i64::from(values[i]);
                        let t = taps_of(&g, &pass.errors, z, y, x, c);
                        let (logistic, prepared) = adapt.prepare(&p, &t);
                        put(sink, &logistic, v);
                        adapt.update_prepared(&p, v, &t, &prepared);
                    }
                }
            }
        },
    );
}

/// The header of a chunk of `values` (everything but the stream lengths) and the values as
/// `i32`.
pub(crate) fn prepare<T: PixelSample>(
    data: &[T],
    shape: &[usize],
    config: &PixelMlpConfig,
) -> Result<(Header, Vec<i32>), CodecError> {
    let (layout, depth, height, width, channels) = plan(shape, config.layout)?;
    let n = depth * height * width * channels;
    if data.len() != n {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("{n} samples for shape {shape:?}"),
            found: format!("{} samples", data.len()),
        });
    }
    if height > u32::MAX as usize || width > u32::MAX as usize || depth > u32::MAX as usize {
        return Err(CodecError::LimitExceeded {
            codec: CODEC_ID,
            what: "axis length",
            found: shape.iter().copied().max().unwrap_or(0) as u64,
            limit: u64::from(u32::MAX),
        });
    }
    let mut values: Vec<i32> = data.iter().map(|&v| v.to_i32()).collect();
    let crc = checksum(&values, T::TYPE);
    if colour_transform(layout, channels) {
        for px in values.chunks_exact_mut(channels) {
            let (y, co, cg) = crate::colour::forward(px[0], px[1], px[2]);
            px[0] = y;
            px[1] = co;
            px[2] = cg;
        }
    }
    let mut ranges = vec![(i64::MAX, i64::MIN); channels];
    for px in values.chunks_exact(channels) {
        for (r, &v) in ranges.iter_mut().zip(px) {
            r.0 = r.0.min(i64::from(v));
            r.1 = r.1.max(i64::from(v));
        }
    }
    if layout != Layout::Channels {
        ranges.truncate(1);
    }
    let streams = config.streams.get().min(depth * height);
    Ok((
        Header {
            layout,
            dtype: T::TYPE,
            model_id: config.model,
            depth,
            height,
            width,
            channels,
            streams,
            ranges,
            stream_lengths: vec![0; streams],
            crc,
        },
        values,
    ))
}

/// The ideal code length in bits of `data` under the model (what a perfect entropy coder would
/// write for the samples, without header and stream ends): the model's own measure.
///
/// # Errors
///
/// As [`encode`](crate::encode).
pub fn ideal_bits<T: PixelSample>(
    data: &[T],
    shape: &[usize],
    config: &PixelMlpConfig,
) -> Result<f64, CodecError> {
    let (header, values) = prepare(data, shape, config)?;
    let m = model(header.model_id)?;
    let pass = network_pass(m, &header, &values);
    Ok((0..header.streams)
        .into_par_iter()
        .map(|s| {
            let mut sink = crate::entropy::CodeLength::default();
            encode_stream(&mut sink, m, &header, &values, &pass, s);
            sink.bits
        })
        .sum())
}

/// For each sample, plane by plane (channel `c` or slice `z` in order, raster order within a
/// plane), its interval of `2^16` and its number of extra bits `(start, freq, nbits)`: what the
/// spec's model gives it. For cross-checks against an independent implementation.
///
/// # Errors
///
/// As [`encode`].
pub fn plane_codes<T: PixelSample>(
    data: &[T],
    shape: &[usize],
    config: &PixelMlpConfig,
) -> Result<Vec<[u32; 3]>, CodecError> {
    let (header, values) = prepare(data, shape, config)?;
    let m = model(header.model_id)?;
    let g = Geometry { header: &header };
    let errors = network_pass(m, &header, &values).errors;
    let (h, w, ch) = (header.height, header.width, header.channels);
    let mut out = vec![[0u32; 3]; values.len()];
    for s in 0..header.streams {
        let mut adapt = Adapt::new(m.adaptation);
        for row in (s..header.rows()).step_by(header.streams) {
            let (z, y) = (row / h, row % h);
            for x in 0..w {
                for c in 0..ch {
                    let p = sample_params(m, &g, &values, z, y, x, c);
                    let v = i64::from(values[g.index(z, y, x, c)]);
                    let t = taps_of(&g, &errors, z, y, x, c);
                    let coded = adapt.logistic(&p, &t).code(v);
                    adapt.update(&p, v, &t);
                    // plane order: plane (z, c), then raster order
                    out[((z * ch + c) * h + y) * w + x] = [coded.start, coded.freq, coded.nbits];
                }
            }
        }
    }
    Ok(out)
}
