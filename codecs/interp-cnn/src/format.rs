//! The byte layout of an `interp_cnn` chunk (`specs/interp_cnn/README.md`): a header written
//! field by field in little-endian order, a table of stream lengths (LEB128), the range-coder
//! streams.

use ndcodecs_core::{ByteReader, CodecError, shape::checked_len};

use crate::CODEC_ID;
use crate::grid::{PARITY, count, level_size, levels};

/// First bytes of every chunk.
pub const MAGIC: &[u8; 4] = b"NDIC";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Largest number of channels.
pub const MAX_CHANNELS: usize = 4;
/// Band size (log2 of the samples a band holds at least, unless a sub-image is smaller) the
/// encoder writes.
pub const BAND_LOG2: u8 = 14;
/// Allowed band sizes (log2).
pub const BAND_LOG2_RANGE: std::ops::RangeInclusive<u8> = 8..=24;

/// The array layout a chunk holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `(y, x)`: one plane
    Image,
    /// `(y, x, c)`, `c` in `1..=4`
    Channels,
    /// `(z, y, x)`: slices coded one after another, independently
    Volume,
}

pub use ndcodecs_learned::SampleType;

/// Whether the first three channels are coded as YCoCg-R (layout channels with 3 or 4
/// channels).
#[must_use]
pub const fn colour_transform(layout: Layout, channels: usize) -> bool {
    matches!(layout, Layout::Channels) && channels >= 3
}

/// The values plane `c` can hold: the dtype's range; under YCoCg-R (samples first mapped to
/// `0..=M`, `M` = 255 for `uint8`, 65535 otherwise, `int16` by adding 32768) Y in `0..=M` and
/// Co, Cg in `-M..=M`.
#[must_use]
pub const fn plane_range(
    layout: Layout,
    dtype: SampleType,
    channels: usize,
    c: usize,
) -> (i64, i64) {
    if colour_transform(layout, channels) && c < 3 {
        let m = match dtype {
            SampleType::U8 => 255,
            _ => 65535,
        };
        if c == 0 { (0, m) } else { (-m, m) }
    } else {
        dtype.range()
    }
}

/// The header of a chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// the layout
    pub layout: Layout,
    /// the sample dtype
    pub dtype: SampleType,
    /// log2 of a band's least number of samples
    pub band_log2: u8,
    /// the model that coded the chunk
    pub model_id: u32,
    /// slices (1 unless [`Layout::Volume`])
    pub depth: usize,
    /// rows
    pub height: usize,
    /// columns
    pub width: usize,
    /// channels (1 unless [`Layout::Channels`])
    pub channels: usize,
    /// smallest and largest coded value per slice and channel (`ranges[z * channels + c]`)
    pub ranges: Vec<(i64, i64)>,
    /// CRC-32 of the decoded samples (little-endian bytes of the dtype, C order)
    pub crc: u32,
    /// byte length of each stream, in stream order
    pub stream_lengths: Vec<usize>,
}

/// Rows per band of a sub-image `ws` samples wide with `channels` channels.
#[must_use]
pub fn band_rows(band_log2: u8, ws: usize, channels: usize) -> usize {
    ((1usize << band_log2) / (ws * channels).max(1)).max(1)
}

/// The streams of one slice, in order: `(level, step, band rows, bands)` per step with samples
/// (the coarse level, first, is one stream and not listed).
#[must_use]
pub fn slice_steps(
    h: usize,
    w: usize,
    channels: usize,
    band_log2: u8,
) -> Vec<(usize, usize, usize, usize)> {
    let mut out = Vec::new();
    for l in (0..levels(h, w)).rev() {
        let (lh, lw) = level_size(h, w, l);
        for (step, &(py, px)) in PARITY.iter().enumerate() {
            let (hs, ws) = (count(lh, py), count(lw, px));
            if hs == 0 || ws == 0 {
                continue;
            }
            let rows = band_rows(band_log2, ws, channels);
            out.push((l, step, rows, hs.div_ceil(rows)));
        }
    }
    out
}

/// Number of streams of one slice.
#[must_use]
pub fn slice_streams(h: usize, w: usize, channels: usize, band_log2: u8) -> usize {
    1 + slice_steps(h, w, channels, band_log2)
        .iter()
        .map(|s| s.3)
        .sum::<usize>()
}

impl Header {
    /// The array shape the header describes.
    #[must_use]
    pub fn shape(&self) -> Vec<usize> {
        match self.layout {
            Layout::Image => vec![self.height, self.width],
            Layout::Channels => vec![self.height, self.width, self.channels],
            Layout::Volume => vec![self.depth, self.height, self.width],
        }
    }

    /// Number of samples.
    #[must_use]
    pub fn samples(&self) -> usize {
        self.depth * self.height * self.width * self.channels
    }

    /// Writes the header and the stream length table (everything before the streams).
    #[must_use]
    pub fn write(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(40 + 8 * self.ranges.len() + 3 * self.stream_lengths.len());
        out.extend_from_slice(MAGIC);
        out.push(FORMAT_VERSION);
        out.push(match self.layout {
            Layout::Image => 0,
            Layout::Channels => 1,
            Layout::Volume => 2,
        });
        out.push(match self.dtype {
            SampleType::U8 => 0,
            SampleType::U16 => 1,
            SampleType::I16 => 2,
        });
        out.push(self.band_log2);
        out.extend_from_slice(&self.model_id.to_le_bytes());
        for v in [self.depth, self.height, self.width] {
            #[allow(clippy::cast_possible_truncation)]
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        #[allow(clippy::cast_possible_truncation)]
        out.push(self.channels as u8);
        out.extend_from_slice(&[0, 0, 0]);
        for &(lo, hi) in &self.ranges {
            #[allow(clippy::cast_possible_truncation)]
            {
                out.extend_from_slice(&(lo as i32).to_le_bytes());
                out.extend_from_slice(&(hi as i32).to_le_bytes());
            }
        }
        out.extend_from_slice(&self.crc.to_le_bytes());
        for &len in &self.stream_lengths {
            ndcodecs_core::bytes::put_varint(&mut out, len as u64);
        }
        out
    }

    /// Reads a header and its stream length table; returns it and the offset of the first
    /// stream. If `expected` is given, the shape is checked against it before anything sized by
    /// the header is allocated; the stream lengths must add up to exactly the rest of `data`.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`], [`CodecError::Corrupt`], [`CodecError::UnsupportedVersion`],
    /// [`CodecError::LimitExceeded`], [`CodecError::ShapeMismatch`].
    pub fn read(data: &[u8], expected: Option<&[usize]>) -> Result<(Self, usize), CodecError> {
        let corrupt = |m: String| CodecError::Corrupt {
            codec: CODEC_ID,
            message: m,
        };
        let mut r = ByteReader::new(CODEC_ID, data);
        if r.take(4)? != MAGIC {
            return Err(corrupt("not an interp_cnn chunk (magic)".into()));
        }
        let version = r.u8()?;
        if version != FORMAT_VERSION {
            return Err(if version > FORMAT_VERSION {
                CodecError::UnsupportedVersion {
                    codec: CODEC_ID,
                    found: u32::from(version),
                    supported: u32::from(FORMAT_VERSION),
                }
            } else {
                corrupt(format!("format version {version}"))
            });
        }
        let layout = match r.u8()? {
            0 => Layout::Image,
            1 => Layout::Channels,
            2 => Layout::Volume,
            v => return Err(corrupt(format!("layout {v}"))),
        };
        let dtype = match r.u8()? {
            0 => SampleType::U8,
            1 => SampleType::U16,
            2 => SampleType::I16,
            v => return Err(corrupt(format!("dtype code {v}"))),
        };
        let band_log2 = r.u8()?;
        if !BAND_LOG2_RANGE.contains(&band_log2) {
            return Err(corrupt(format!("band size 2^{band_log2}")));
        }
        let model_id = r.u32_le()?;
        let depth = r.u32_le()? as usize;
        let height = r.u32_le()? as usize;
        let width = r.u32_le()? as usize;
        let channels = usize::from(r.u8()?);
        if r.array::<3>()? != [0, 0, 0] {
            return Err(corrupt("reserved bytes are not 0".into()));
        }
        let ok_shape = match layout {
            Layout::Image => depth == 1 && channels == 1,
            Layout::Channels => depth == 1 && (1..=MAX_CHANNELS).contains(&channels),
            Layout::Volume => channels == 1,
        };
        if !ok_shape || depth == 0 || height == 0 || width == 0 {
            return Err(corrupt(format!(
                "shape {depth} x {height} x {width} x {channels} for this layout"
            )));
        }
        let mut header = Self {
            layout,
            dtype,
            band_log2,
            model_id,
            depth,
            height,
            width,
            channels,
            ranges: Vec::new(),
            crc: 0,
            stream_lengths: Vec::new(),
        };
        if let Some(shape) = expected
            && header.shape() != shape
        {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("a chunk of shape {shape:?}"),
                found: format!("a chunk of shape {:?}", header.shape()),
            });
        }
        checked_len(
            CODEC_ID,
            &[depth as u64, height as u64, width as u64, channels as u64],
        )?;
        // every range and every stream takes at least one byte: no table outgrows the data
        let n_ranges = depth * channels;
        if n_ranges.saturating_mul(8) > r.remaining().len() {
            return Err(CodecError::Truncated {
                codec: CODEC_ID,
                offset: data.len() - r.remaining().len(),
                needed: n_ranges.saturating_mul(8),
                available: r.remaining().len(),
            });
        }
        let mut ranges = Vec::with_capacity(n_ranges);
        for i in 0..n_ranges {
            let (dmin, dmax) = plane_range(layout, dtype, channels, i % channels);
            let lo = i64::from(i32::from_le_bytes(r.array()?));
            let hi = i64::from(i32::from_le_bytes(r.array()?));
            if lo > hi || lo < dmin || hi > dmax {
                return Err(corrupt(format!("value range {lo}..={hi}")));
            }
            ranges.push((lo, hi));
        }
        header.ranges = ranges;
        header.crc = r.u32_le()?;
        let per_slice = slice_streams(height, width, channels, band_log2);
        let n_streams = per_slice.saturating_mul(depth);
        if n_streams > r.remaining().len() {
            return Err(CodecError::Truncated {
                codec: CODEC_ID,
                offset: data.len() - r.remaining().len(),
                needed: n_streams,
                available: r.remaining().len(),
            });
        }
        let mut lengths = Vec::with_capacity(n_streams);
        let mut total = 0usize;
        for _ in 0..n_streams {
            let mut v = 0u64;
            let mut shift = 0;
            loop {
                let b = r.u8()?;
                v |= u64::from(b & 0x7F) << shift;
                if b & 0x80 == 0 {
                    break;
                }
                shift += 7;
                if shift > 28 {
                    return Err(corrupt("stream length longer than 5 bytes".into()));
                }
            }
            let len = usize::try_from(v)
                .ok()
                .filter(|&l| l <= data.len())
                .ok_or_else(|| corrupt(format!("stream length {v}")))?;
            total = total.saturating_add(len);
            lengths.push(len);
        }
        let offset = data.len() - r.remaining().len();
        if total != r.remaining().len() {
            return Err(if total > r.remaining().len() {
                CodecError::Truncated {
                    codec: CODEC_ID,
                    offset,
                    needed: total,
                    available: r.remaining().len(),
                }
            } else {
                corrupt(format!(
                    "{} bytes after the streams",
                    r.remaining().len() - total
                ))
            });
        }
        header.stream_lengths = lengths;
        Ok((header, offset))
    }
}
