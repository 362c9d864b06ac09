//! The decoder: rows in stream order, concurrently by wavefront or by diagonals, or one after
//! another; every order gives the same samples.
//!
//! Row `r` (counting the rows of all slices) may decode column `x` once row `r - 1` has decoded
//! columns `..= x + 2` (the context reaches two columns to the right in the row above) and, in a
//! volume, row `r - height` (the same row of the previous slice) has decoded column `x`. Rows of
//! one stream follow each other in its range coder, so row `r` also waits for row `r - streams`
//! to finish.
//!
//! A row publishes its progress every `BATCH` (8) columns, not once per run of columns it was
//! allowed: the first row of a chunk may run to its end at once, and if it published only there
//! each following row would wait for the whole row above and the wavefront would run one row at
//! a time.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

use ndcodecs_core::CodecError;
use ndcodecs_core::shape::{try_vec, try_vec_with};
use ndcodecs_entropy::RangeDecoder;
use rayon::prelude::*;

use crate::CODEC_ID;
use crate::coding::{Adapt, Geometry, Taps, error_taps, sample_params};
use crate::context::{LOOKAHEAD, PlaneRead};
use crate::entropy::get;
use crate::format::{Header, Layout, colour_transform};
use crate::model::{Model, model};

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

/// Columns a row decodes between two publications of its progress: small against a row (the
/// row below starts `BATCH + LOOKAHEAD` columns later at most), large enough that the store and
/// the cache-line transfer to the reading thread cost little against the pixels' inference.
const BATCH: usize = 8;

/// Columns fully decoded in one row, alone in its cache line (128 bytes: adjacent-line
/// prefetch pairs 64-byte lines), so that the row writing its counter does not invalidate the
/// line another thread polls for the next row's.
#[repr(align(128))]
#[derive(Default)]
struct Progress(AtomicUsize);

/// The order in which rows are decoded; all give identical samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DecodeOrder {
    /// One row after another on the calling thread.
    Sequential,
    /// Rows claimed in order by up to `min(threads, streams)` workers of rayon's pool, each row
    /// decoding column `x` as soon as the row above has published column `x + 2` (rows publish
    /// their progress every 8 columns; Gümüş & Kamisli's method 1).
    #[default]
    Wavefront,
    /// Time steps: at step `t` every active row decodes one pixel, the rows of a step in
    /// parallel on rayon's pool (the paper's method 2, diagonal by diagonal).
    Diagonal,
}

fn corrupt(message: String) -> CodecError {
    CodecError::Corrupt {
        codec: CODEC_ID,
        message,
    }
}

/// The state of one stream: its range decoder and its adaptation.
struct Coder<'a> {
    dec: RangeDecoder<'a>,
    adapt: Box<Adapt>,
}

impl<'a> Coder<'a> {
    fn new(data: &'a [u8], model: &Model) -> Self {
        Self {
            dec: RangeDecoder::new(data),
            adapt: Box::new(Adapt::new(model.adaptation)),
        }
    }
}

/// The network errors of one plane in the decoder's ring of rows: row `y - k` (k = 0, 1, 2) of
/// the plane in `rows[k]` (a ring slot: `width * channels` values, interleaved as the samples).
struct ErrorRing<'a> {
    rows: [&'a [AtomicI32]; 3],
    y: usize,
    channels: usize,
    c: usize,
}

impl PlaneRead for ErrorRing<'_> {
    #[inline(always)]
    fn at(&self, y: usize, x: usize) -> i64 {
        i64::from(self.rows[self.y - y][x * self.channels + self.c].load(Ordering::Relaxed))
    }
}

/// Shared state of one chunk's decoding.
struct Job<'a> {
    model: &'static Model,
    header: &'a Header,
    streams: Vec<&'a [u8]>,
    samples: Vec<AtomicI32>,
    /// the network errors of the last [`Job::ring`] rows when the model reads them (model 3),
    /// else empty: row `r` in slot `r % ring`
    errors: Vec<AtomicI32>,
    /// rows the error ring holds
    ring: usize,
    /// columns fully decoded, per row
    progress: Vec<Progress>,
    abort: AtomicBool,
}

impl<'a> Job<'a> {
    fn new(header: &'a Header, data: &'a [u8], offset: usize) -> Result<Self, CodecError> {
        let model = model(header.model_id)?;
        let mut streams = Vec::with_capacity(header.streams);
        let mut at = offset;
        for &len in &header.stream_lengths {
            streams.push(&data[at..at + len]);
            at += len;
        }
        // Row r reads the errors of rows r - 1 and r - 2 of its plane and starts once row
        // r - streams has finished; in one plane a row finishes after the row above, so then
        // all rows before r - streams have too, nobody reads rows up to r - streams - 2 any
        // more, and streams + 2 slots suffice. Across the slices of a volume that chain breaks
        // (a slice's first row waits for the previous slice, not for the row before it): a
        // volume keeps every row.
        let ring = if header.depth > 1 {
            header.rows()
        } else {
            (header.streams + 2).min(header.rows())
        };
        // Sized by the header (the caller's output bounds the samples, not this 4-byte plane,
        // model 3's 4-byte error ring nor the 128-byte counter per row): reserved fallibly,
        // once, before decoding.
        let samples = try_vec_with(
            CODEC_ID,
            "the decoder's int32 sample plane",
            header.samples(),
            || AtomicI32::new(0),
        )?;
        let errors = if model.adaptation.uses_taps() {
            // ring <= rows, so this is at most the sample count (no overflow)
            try_vec_with(
                CODEC_ID,
                "the decoder's int32 ring of network errors (model 3)",
                ring * header.width * header.channels,
                || AtomicI32::new(0),
            )?
        } else {
            Vec::new()
        };
        let progress = try_vec_with(
            CODEC_ID,
            "the decoder's per-row progress counters",
            header.rows(),
            Progress::default,
        )?;
        Ok(Self {
            model,
            header,
            streams,
            samples,
            errors,
            ring,
            progress,
            abort: AtomicBool::new(false),
        })
    }

    /// Columns row `r` may decode up to (exclusive) given the rows it depends on.
    #[inline(always)]
    fn allowed(&self, r: usize) -> usize {
        let h = self.header;
        let mut limit = h.width;
        if !r.is_multiple_of(h.height) {
            let above = self.progress[r - 1].0.load(Ordering::Acquire);
            limit = if above == h.width {
                h.width
            } else {
                above.saturating_sub(LOOKAHEAD)
            };
        }
        if h.layout == Layout::Volume && r >= h.height {
            limit = limit.min(self.progress[r - h.height].0.load(Ordering::Acquire));
        }
        limit
    }

    /// Decodes columns `from..to` of row `r`.
    #[inline(always)]
    fn decode_columns(
        &self,
        dec: &mut Coder<'_>,
        r: usize,
        from: usize,
        to: usize,
    ) -> Result<(), CodecError> {
        let Coder { dec, adapt } = dec;
        let h = self.header;
        let g = Geometry { header: h };
        let (z, y) = (r / h.height, r % h.height);
        let taps = !self.errors.is_empty();
        // ring slots of rows r, r - 1, r - 2 (rows of earlier slices are never read: the taps
        // stay in the plane)
        let slots = [0, 1, 2].map(|k| (r + self.ring - k % self.ring) % self.ring.max(1));
        let row_len = h.width * h.channels;
        let rows: [&[AtomicI32]; 3] = if taps {
            slots.map(|s| &self.errors[s * row_len..(s + 1) * row_len])
        } else {
            [&[]; 3]
        };
        ndcodecs_learned::simd::vectorize(
            #[inline(always)]
            || {
                for x in from..to {
                    for c in 0..h.channels {
                        let p = sample_params(self.model, &g, &self.samples, z, y, x, c);
                        let t = if taps {
                            let ring = ErrorRing {
                                rows,
                                y,
                                channels: h.channels,
                                c,
                            };
                            error_taps(&ring, y, x, h.width)
                        } else {
                            Taps::default()
                        };
                        let (logistic, prepared) = adapt.prepare(&p, &t);
                        let v = get(dec, &logistic)?;
                        adapt.update_prepared(&p, v, &t, &prepared);
                        let i = g.index(z, y, x, c);
                        #[allow(clippy::cast_possible_truncation)]
                        self.samples[i].store(v as i32, Ordering::Relaxed);
                        if taps {
                            rows[0][x * h.channels + c]
                                .store(p.network_error(v), Ordering::Relaxed);
                        }
                    }
                }
                Ok::<(), CodecError>(())
            },
        )?;
        self.progress[r].0.store(to, Ordering::Release);
        if dec.is_past_end() {
            return Err(corrupt(format!(
                "the range-coded stream of row {r} ends before its samples (truncated or damaged data)"
            )));
        }
        Ok(())
    }

    /// Decodes row `r` entirely, waiting for the rows it depends on, in runs of at most
    /// [`BATCH`] columns.
    fn decode_row(&self, dec: &mut Coder<'_>, r: usize) -> Result<(), CodecError> {
        let w = self.header.width;
        let mut x = 0;
        let mut spins = 0u32;
        while x < w {
            let to = self.allowed(r).min(x + BATCH);
            if to > x {
                self.decode_columns(dec, r, x, to)?;
                x = to;
                spins = 0;
            } else {
                if self.abort.load(Ordering::Relaxed) {
                    return Err(corrupt("another row failed".into()));
                }
                spins += 1;
                if spins < 64 {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        }
        Ok(())
    }

    fn finish_stream(dec: &Coder<'_>) -> Result<(), CodecError> {
        dec.dec.finish().map_err(|e| corrupt(e.to_string()))
    }

    fn sequential(&self) -> Result<(), CodecError> {
        let mut decs: Vec<Coder<'_>> = self
            .streams
            .iter()
            .map(|s| Coder::new(s, self.model))
            .collect();
        let n = self.header.streams;
        for r in 0..self.header.rows() {
            self.decode_row(&mut decs[r % n], r)?;
        }
        decs.iter().try_for_each(Self::finish_stream)
    }

    fn wavefront(&self) -> Result<(), CodecError> {
        let rows = self.header.rows();
        let n = self.header.streams;
        // each stream's coder, with the row that takes it next (rows of a stream must take it in
        // order: a worker that finishes row r - n and claims a later row of the stream must not
        // take it before the worker of row r)
        let slots: Vec<Mutex<Option<(usize, Coder<'_>)>>> = self
            .streams
            .iter()
            .enumerate()
            .map(|(s, b)| Mutex::new(Some((s, Coder::new(b, self.model)))))
            .collect();
        let next = AtomicUsize::new(0);
        let error: Mutex<Option<CodecError>> = Mutex::new(None);
        let worker = || {
            loop {
                let r = next.fetch_add(1, Ordering::Relaxed);
                if r >= rows || self.abort.load(Ordering::Relaxed) {
                    return;
                }
                let s = r % n;
                // the stream's coder is free once its previous row (r - n) has finished
                let mut spins = 0u32;
                let mut dec = loop {
                    let taken = slots[s].lock().ok().and_then(|mut g| {
                        if g.as_ref().is_some_and(|(next, _)| *next == r) {
                            g.take().map(|(_, d)| d)
                        } else {
                            None
                        }
                    });
                    if let Some(d) = taken {
                        break d;
                    }
                    if self.abort.load(Ordering::Relaxed) {
                        return;
                    }
                    spins += 1;
                    if spins < 64 {
                        std::hint::spin_loop();
                    } else {
                        std::thread::yield_now();
                    }
                };
                let result = self.decode_row(&mut dec, r).and_then(|()| {
                    if r + n >= rows {
                        Self::finish_stream(&dec)
                    } else {
                        Ok(())
                    }
                });
                if let Err(e) = result {
                    self.abort.store(true, Ordering::Relaxed);
                    if let Ok(mut slot) = error.lock() {
                        slot.get_or_insert(e);
                    }
                    return;
                }
                if let Ok(mut g) = slots[s].lock() {
                    *g = Some((r + n, dec));
                }
            }
        };
        let workers = rayon::current_num_threads().min(n).max(1);
        rayon::scope(|sc| {
            for _ in 1..workers {
                sc.spawn(|_| worker());
            }
            worker();
        });
        match error.into_inner().ok().flatten() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn diagonal(&self) -> Result<(), CodecError> {
        let h = self.header;
        let (rows, n, w) = (h.rows(), h.streams, h.width);
        // start[r] = max(start[r-1] + LOOKAHEAD + 1, start[r-n] + w)
        let mut start: Vec<usize> = try_vec(CODEC_ID, "the diagonal schedule", rows)?;
        for r in 1..rows {
            start[r] = start[r - 1] + LOOKAHEAD + 1;
            if r >= n {
                start[r] = start[r].max(start[r - n] + w);
            }
        }
        let end = start[rows - 1] + w;
        let mut decs: Vec<(usize, Coder<'_>)> = self
            .streams
            .iter()
            .enumerate()
            .map(|(s, b)| (s, Coder::new(b, self.model)))
            .collect();
        for t in 0..end {
            decs.par_iter_mut().try_for_each(|(row, dec)| {
                let r = *row;
                if r >= rows || t < start[r] {
                    return Ok(());
                }
                let x = t - start[r];
                self.decode_columns(dec, r, x, x + 1)?;
                if x + 1 == w {
                    *row += n;
                }
                Ok::<(), CodecError>(())
            })?;
        }
        decs.iter().try_for_each(|(_, d)| Self::finish_stream(d))
    }
}

/// Decodes a chunk into its header and samples (`i32`, C order), in `order`. When
/// `expected_shape` is given, the header's shape must equal it (checked before anything is
/// allocated).
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] for another shape; [`CodecError::Corrupt`],
/// [`CodecError::Truncated`], [`CodecError::UnsupportedVersion`],
/// [`CodecError::LimitExceeded`] for damaged or foreign data; [`CodecError::ChecksumMismatch`]
/// if the decoded samples do not match the stored CRC-32; [`CodecError::OutOfMemory`] if the
/// decoder's working memory (a 4-byte sample plane, model 3's 4-byte error ring, a 128-byte
/// counter per row) cannot be had.
pub fn decode_samples(
    data: &[u8],
    expected_shape: Option<&[usize]>,
    order: DecodeOrder,
) -> Result<(Header, Vec<i32>), CodecError> {
    let (header, offset) = Header::read(data)?;
    if let Some(shape) = expected_shape {
        if header.shape() != shape {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("{shape:?}"),
                found: format!("{:?} in the chunk header", header.shape()),
            });
        }
    } else {
        check_unchecked(&header)?;
    }
    let job = Job::new(&header, data, offset)?;
    match order {
        DecodeOrder::Sequential => job.sequential(),
        DecodeOrder::Wavefront => job.wavefront(),
        DecodeOrder::Diagonal => job.diagonal(),
    }?;
    let mut values: Vec<i32> = job.samples.into_iter().map(AtomicI32::into_inner).collect();
    if colour_transform(header.layout, header.channels) {
        let (lo, hi) = header.dtype.range();
        for px in values.chunks_exact_mut(header.channels) {
            let (r, g, b) = crate::colour::inverse(px[0], px[1], px[2]);
            if [r, g, b].iter().any(|&v| v < lo || v > hi) {
                return Err(corrupt(format!(
                    "decoded (Y, Co, Cg) = ({}, {}, {}) is no pixel of the dtype",
                    px[0], px[1], px[2]
                )));
            }
            #[allow(clippy::cast_possible_truncation)]
            {
                px[0] = r as i32;
                px[1] = g as i32;
                px[2] = b as i32;
            }
        }
    }
    let crc = crate::encode::checksum(&values, header.dtype);
    if crc != header.crc {
        return Err(CodecError::ChecksumMismatch {
            codec: CODEC_ID,
            stored: header.crc,
            computed: crc,
        });
    }
    Ok((header, values))
}
