//! The byte layout of a `pixel_mlp` chunk (`specs/pixel_mlp/README.md`): a header written field
//! by field in little-endian order, a table of stream lengths, the range-coder streams.

use ndcodecs_core::{ByteReader, CodecError, shape::checked_len};

use crate::CODEC_ID;

/// First bytes of every chunk.
pub const MAGIC: &[u8; 4] = b"NDPX";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Largest number of range-coder streams.
pub const MAX_STREAMS: usize = 64;
/// Largest number of channels.
pub const MAX_CHANNELS: usize = 4;

/// The array layout a chunk holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `(y, x)`: one plane
    Image,
    /// `(y, x, c)`, `c` in `1..=4`: channel `k` conditioned on channels `k - 1`, `k - 2`
    Channels,
    /// `(z, y, x)`: slice `z` conditioned on slice `z - 1`
    Volume,
}

pub use ndcodecs_learned::SampleType;

/// Whether the first three channels are coded as YCoCg-R (layout channels with 3 or 4
/// channels).
#[must_use]
pub const fn colour_transform(layout: Layout, channels: usize) -> bool {
    matches!(layout, Layout::Channels) && channels >= 3
}

/// The values plane `c` can hold: the dtype's range, or for the chroma planes Co and Cg of
/// YCoCg-R `±(max - min)` of the dtype.
#[must_use]
pub const fn plane_range(
    layout: Layout,
    dtype: SampleType,
    channels: usize,
    c: usize,
) -> (i64, i64) {
    let (lo, hi) = dtype.range();
    if colour_transform(layout, channels) && (c == 1 || c == 2) {
        (lo - hi, hi - lo)
    } else {
        (lo, hi)
    }
}

/// The header of a chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// the layout
    pub layout: Layout,
    /// the sample dtype
    pub dtype: SampleType,
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
    /// range-coder streams
    pub streams: usize,
    /// smallest and largest sample per channel (one entry for images and volumes)
    pub ranges: Vec<(i64, i64)>,
    /// byte length of each stream
    pub stream_lengths: Vec<usize>,
    /// CRC-32 of the decoded samples (little-endian bytes of the dtype, C order)
    pub crc: u32,
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

    /// Total rows over all slices (`depth * height`): row `g` belongs to stream `g % streams`.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.depth * self.height
    }

    /// Writes the header (everything before the streams).
    #[must_use]
    pub fn write(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 8 * self.ranges.len() + 4 * self.streams);
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
        out.push(0);
        out.extend_from_slice(&self.model_id.to_le_bytes());
        for v in [self.depth, self.height, self.width] {
            #[allow(clippy::cast_possible_truncation)]
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        #[allow(clippy::cast_possible_truncation)]
        {
            out.push(self.channels as u8);
            out.push(self.streams as u8);
        }
        out.extend_from_slice(&[0, 0]);
        for &(lo, hi) in &self.ranges {
            #[allow(clippy::cast_possible_truncation)]
            {
                out.extend_from_slice(&(lo as i32).to_le_bytes());
                out.extend_from_slice(&(hi as i32).to_le_bytes());
            }
        }
        for &len in &self.stream_lengths {
            #[allow(clippy::cast_possible_truncation)]
            out.extend_from_slice(&(len as u32).to_le_bytes());
        }
        out.extend_from_slice(&self.crc.to_le_bytes());
        out
    }

    /// Reads a header; returns it and the offset of the first stream. The stream lengths are
    /// checked against the data's length, the shape against [`checked_len`]'s limit.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`], [`CodecError::Corrupt`], [`CodecError::UnsupportedVersion`],
    /// [`CodecError::LimitExceeded`].
    pub fn read(data: &[u8]) -> Result<(Self, usize), CodecError> {
        let corrupt = |m: String| CodecError::Corrupt {
            codec: CODEC_ID,
            message: m,
        };
        let mut r = ByteReader::new(CODEC_ID, data);
        if r.take(4)? != MAGIC {
            return Err(corrupt("not a pixel_mlp chunk (magic)".into()));
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
        if r.u8()? != 0 {
            return Err(corrupt("reserved byte is not 0".into()));
        }
        let model_id = r.u32_le()?;
        let depth = r.u32_le()? as usize;
        let height = r.u32_le()? as usize;
        let width = r.u32_le()? as usize;
        let channels = usize::from(r.u8()?);
        let streams = usize::from(r.u8()?);
        if r.array::<2>()? != [0, 0] {
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
        checked_len(
            CODEC_ID,
            &[depth as u64, height as u64, width as u64, channels as u64],
        )?;
        if !(1..=MAX_STREAMS).contains(&streams) || streams > depth * height {
            return Err(corrupt(format!(
                "{streams} streams for {} rows",
                depth * height
            )));
        }
        let n_ranges = if layout == Layout::Channels {
            channels
        } else {
            1
        };
        let mut ranges = Vec::with_capacity(n_ranges);
        for c in 0..n_ranges {
            let (dmin, dmax) = plane_range(layout, dtype, channels, c);
            let lo = i64::from(i32::from_le_bytes(r.array()?));
            let hi = i64::from(i32::from_le_bytes(r.array()?));
            if lo > hi || lo < dmin || hi > dmax {
                return Err(corrupt(format!("value range {lo}..={hi}")));
            }
            ranges.push((lo, hi));
        }
        let mut stream_lengths = Vec::with_capacity(streams);
        let mut total = 0usize;
        for _ in 0..streams {
            let len = r.u32_le()? as usize;
            total = total.saturating_add(len);
            stream_lengths.push(len);
        }
        let crc = r.u32_le()?;
        let offset = r.offset();
        let available = data.len() - offset;
        if total != available {
            return Err(if total > available {
                CodecError::Truncated {
                    codec: CODEC_ID,
                    offset,
                    needed: total,
                    available,
                }
            } else {
                corrupt(format!(
                    "{} trailing bytes after the streams",
                    available - total
                ))
            });
        }
        Ok((
            Self {
                layout,
                dtype,
                model_id,
                depth,
                height,
                width,
                channels,
                streams,
                ranges,
                stream_lengths,
                crc,
            },
            offset,
        ))
    }
}
