//! Coding one slice: the coarse level in raster order, then every level's three steps, each
//! step's sub-image cut into bands of rows that are coded (and decoded) independently, each in
//! its own range-coder stream. Encoder and decoder walk a band with the same function
//! ([`walk_band`]), so they compute the same distributions by construction.

use ndcodecs_core::CodecError;
use ndcodecs_core::shape::{try_vec, try_vec_with};
use ndcodecs_entropy::{RangeDecoder, RangeEncoder};
use ndcodecs_learned::fixed::log2_fp;
use ndcodecs_learned::logistic::PRECISION_BITS;
use ndcodecs_learned::{Found, Logistic};
use rayon::prelude::*;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

use crate::CODEC_ID;
use crate::adapt::{Adapt, Adapt3, Correct};
use crate::batch::{BatchMlp, MAX_BATCH, input_len};
use crate::format::{MAX_CHANNELS, slice_steps};
use crate::grid::{Grid, MARGIN, PARITY, count, level_size, levels};
use crate::model::{
    Core, Correction, MAX_FEATURES, Model, batch_core_features, cond_features, net_index, params,
};

fn corrupt(message: String) -> CodecError {
    CodecError::Corrupt {
        codec: CODEC_ID,
        message,
    }
}

/// Codes or decodes one value with a distribution: the encoder's sink codes the value it is
/// given, the decoder's returns the value it reads.
pub trait Coder {
    /// Codes the sample (encoder: `value` is the true value) and returns the sample's value.
    ///
    /// # Errors
    ///
    /// [`CodecError::Corrupt`] from a decoder that reads an impossible value.
    fn code(&mut self, dist: &Logistic, value: i32, hint: Hint) -> Result<i32, CodecError>;
}

/// The parameters of a sample's distribution as coded and as the network gave them (for tools
/// that record them, such as the oracle export), and its range; the decoder finds values from
/// the [`Logistic`] itself ([`Logistic::guess`]).
#[derive(Clone, Copy, Debug)]
pub struct Hint {
    /// mean, 8 fractional bits
    pub mu_fp: i64,
    /// log2 scale, 8 fractional bits
    pub ls_fp: i32,
    /// the network's own `(mu_fp, ls_fp)`, before the band's online correction
    pub net: (i64, i32),
    /// smallest value
    pub lo: i64,
    /// largest value
    pub hi: i64,
}

impl Hint {
    /// The hint of a distribution of mean `mu_fp / 256` and log2 scale `ls_fp / 256` over
    /// `lo..=hi`.
    #[inline(always)]
    #[must_use]
    pub fn new(mu_fp: i64, ls_fp: i32, lo: i64, hi: i64) -> Self {
        Self {
            mu_fp,
            ls_fp,
            net: (mu_fp, ls_fp),
            lo,
            hi,
        }
    }
}

/// Encoding into a range coder.
pub struct Encoder(pub RangeEncoder);

impl Coder for Encoder {
    #[inline(always)]
    fn code(&mut self, dist: &Logistic, value: i32, _hint: Hint) -> Result<i32, CodecError> {
        let c = dist.code(i64::from(value));
        self.0
            .encode_freq(c.start, c.freq, PRECISION_BITS)
            .map_err(|e| corrupt(e.to_string()))?;
        self.0.encode_bits(c.bits, c.nbits);
        Ok(value)
    }
}

/// Decoding from a range coder.
pub struct Decoder<'a>(pub RangeDecoder<'a>);

impl Coder for Decoder<'_> {
    #[inline(always)]
    fn code(&mut self, dist: &Logistic, _value: i32, _hint: Hint) -> Result<i32, CodecError> {
        let target = self.0.decode_target(PRECISION_BITS);
        // Most values lie next to the mean: walk from the value the target points at (the
        // inverse CDF, approximately) while each value is a symbol of its own; the symbol
        // holding the target is the one the full search would find, whatever the guess.
        let guess = dist.guess(target);
        if let Some((v, start, freq)) = dist.walk(guess, target, 6) {
            self.0
                .decode_interval(start, freq, PRECISION_BITS)
                .map_err(|e| corrupt(e.to_string()))?;
            #[allow(clippy::cast_possible_truncation)]
            return Ok(v as i32);
        }
        let found: Found = dist.find(target);
        self.0
            .decode_interval(found.start, found.freq, PRECISION_BITS)
            .map_err(|e| corrupt(e.to_string()))?;
        let bits = self.0.decode_bits(found.nbits);
        let v = dist
            .value(&found, bits)
            .ok_or_else(|| corrupt("a value outside the plane's range".into()))?;
        #[allow(clippy::cast_possible_truncation)]
        Ok(v as i32)
    }
}

/// Ideal code length in bits (for tools): `-log2` of each symbol's probability plus its extra
/// bits.
#[derive(Default)]
pub struct IdealBits(pub f64);

impl Coder for IdealBits {
    fn code(&mut self, dist: &Logistic, value: i32, _hint: Hint) -> Result<i32, CodecError> {
        let c = dist.code(i64::from(value));
        self.0 += f64::from(PRECISION_BITS) - f64::from(c.freq).log2() + f64::from(c.nbits);
        Ok(value)
    }
}

/// Median edge detector (LOCO-I) prediction.
fn med(w: i64, n: i64, nw: i64) -> i64 {
    if nw >= w.max(n) {
        w.min(n)
    } else if nw <= w.min(n) {
        w.max(n)
    } else {
        w + n - nw
    }
}

/// Codes the coarse level (`grids`, one per channel, all `h` x `w`) in raster order, channels
/// interleaved per sample: mean `MED(W, N, NW)` (`W` in the first row, `N` in the first
/// column, the range's middle at the first sample), log2-scale `log2_fp(1 + g)` with
/// `g = |W - NW| + |N - NW|` inside, `(vmax - vmin) >> 2` in the first row and column.
///
/// # Errors
///
/// As [`Coder::code`].
pub fn walk_coarse<C: Coder>(
    grids: &mut [Grid],
    ranges: &[(i64, i64)],
    coder: &mut C,
) -> Result<(), CodecError> {
    let (h, w) = (grids[0].h, grids[0].w);
    for y in 0..h {
        for x in 0..w {
            for (g, &(lo, hi)) in grids.iter_mut().zip(ranges) {
                let at = |yy: usize, xx: usize| i64::from(g.data[g.index(yy, xx)]);
                let (mu, gr) = match (y, x) {
                    (0, 0) => ((lo + hi) >> 1, (hi - lo) >> 2),
                    (0, _) => (at(0, x - 1), (hi - lo) >> 2),
                    (_, 0) => (at(y - 1, 0), (hi - lo) >> 2),
                    _ => {
                        let (wv, nv, nw) = (at(y, x - 1), at(y - 1, x), at(y - 1, x - 1));
                        (med(wv, nv, nw), (wv - nw).abs() + (nv - nw).abs())
                    }
                };
                #[allow(clippy::cast_sign_loss)]
                let ls = log2_fp((1 + gr) as u64);
                let dist = Logistic::new(256 * mu, ls, lo, hi);
                let i = g.index(y, x);
                g.data[i] = coder.code(&dist, g.data[i], Hint::new(256 * mu, ls, lo, hi))?;
            }
        }
    }
    Ok(())
}

/// One step of one level of a slice: the grids of every channel (margins filled, the step's
/// known components in place) and what the walk needs.
pub struct Step<'a> {
    /// one grid per channel, all of the level's size
    pub grids: &'a [Grid],
    /// the model
    pub model: &'a Model,
    /// the step (0, 1, 2)
    pub step: usize,
    /// value range per channel
    pub ranges: &'a [(i64, i64)],
}

impl Step<'_> {
    /// Rows and columns of the step's sub-image.
    #[must_use]
    pub fn sub_size(&self) -> (usize, usize) {
        let (py, px) = PARITY[self.step];
        (count(self.grids[0].h, py), count(self.grids[0].w, px))
    }
}

/// Codes rows `rows` of the step's sub-image and writes each value to `out` (row-major over the
/// band, channels interleaved per sample).
///
/// Coding order: row by row; within a row, channel by channel; within a channel, sample by
/// sample. For each sample of channel `c` the walk gathers the 16 neighbours, computes their
/// statistics ([`core`](fn@crate::model::core)), the features ([`features`](crate::model::features), conditioned on channel `c - 1` and, from
/// `c = 2`, channel 0, with those channels' values at the sample, coded before), the network
/// `3 * step + min(c, 2)`, the distribution ([`params`], [`Logistic`]) and the coded value.
///
/// # Errors
///
/// As [`Coder::code`].
pub fn walk_band<C: Coder>(
    s: &Step<'_>,
    rows: std::ops::Range<usize>,
    coder: &mut C,
    out: &mut [i32],
) -> Result<(), CodecError> {
    // compiled a second time with AVX2 for CPUs that have it; the integer results are the same
    match s.model.correction {
        Correction::Scale => ndcodecs_learned::simd::vectorize(
            #[inline(always)]
            || walk_band_impl::<C, Adapt>(s, rows, coder, out),
        ),
        Correction::PatternBias => ndcodecs_learned::simd::vectorize(
            #[inline(always)]
            || walk_band_impl::<C, Adapt3>(s, rows, coder, out),
        ),
    }
}

/// Channel 0's statistics and network parameters at one sample: they depend only on samples of
/// earlier steps and levels, not on the band's coding, so they can be computed ahead.
#[derive(Clone, Copy, Debug, Default)]
struct Pre {
    k: Core,
    mu: i64,
    ls: i32,
}

/// Channel 0's [`Pre`] of every sample of sub-image rows `rows`, row-major.
///
/// # Errors
///
/// [`CodecError::OutOfMemory`] if the block cannot be allocated (a block is one row at least,
/// whose width the chunk header declares).
#[inline(always)]
fn ch0_rows(s: &Step<'_>, rows: std::ops::Range<usize>) -> Result<Vec<Pre>, CodecError> {
    let (py, px) = PARITY[s.step];
    let (_, ws) = s.sub_size();
    let offs = s.grids[0].offsets(s.step);
    let net = &s.model.batch[net_index(s.step, 0)];
    let g = &s.grids[0].data;
    let mut pre: Vec<Pre> = try_vec(
        CODEC_ID,
        "a block of channel 0's network outputs",
        rows.len() * ws,
    )?;
    let mut x = vec![0i16; input_len(MAX_FEATURES)];
    let mut o = [0i32; 2 * MAX_BATCH];
    for (r, iy) in rows.enumerate() {
        let row0 = s.grids[0].index(2 * iy + py, px);
        let pre = &mut pre[r * ws..(r + 1) * ws];
        let mut s0 = 0;
        while s0 < ws {
            let n = (ws - s0).min(MAX_BATCH);
            let mut cores = [Core::default(); MAX_BATCH];
            batch_core_features(g, row0 + 2 * s0, n, &offs, &mut cores, &mut x);
            for (p, k) in pre[s0..s0 + n].iter_mut().zip(&cores) {
                p.k = *k;
            }
            net.forward(&x, n, &mut o);
            for (j, p) in pre[s0..s0 + n].iter_mut().enumerate() {
                (p.mu, p.ls) = params(&p.k, &[o[j], o[MAX_BATCH + j]]);
            }
            s0 += n;
        }
    }
    Ok(pre)
}

/// One look-ahead block: channel 0's [`Pre`] of its rows, or why it could not be allocated.
type Block = Result<Vec<Pre>, CodecError>;

/// A wait for another thread's result: a short spin, then yielding the CPU on every call (on a
/// loaded machine the thread waited for may be descheduled).
#[derive(Default)]
struct Backoff(u32);

impl Backoff {
    /// Waits a little longer.
    #[inline]
    fn snooze(&mut self) {
        self.0 = self.0.saturating_add(1);
        if self.0 < 64 {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

/// Channel 0's [`Pre`] of one band, in blocks of rows that the decoding thread and helper
/// threads claim in order: a helper computes blocks ahead of the decoding thread, which
/// computes the next unclaimed block itself when the one it needs is not ready (so it never
/// waits for a helper that has not started) and waits only for a block another thread is
/// computing. The values are those [`walk_band`] computes itself. Blocks are kept for the
/// band's life: a [`Pipe`]'s later-channel items read channel 0's block of their row, from
/// either thread.
struct Ahead<'a> {
    s: &'a Step<'a>,
    first_row: usize,
    end_row: usize,
    block_rows: usize,
    blocks: Vec<OnceLock<Block>>,
    claim: AtomicUsize,
}

impl<'a> Ahead<'a> {
    /// Samples of one block (at least one row). Small enough that the decoding thread, when
    /// it catches up with a helper and computes the next unclaimed block itself, delays its
    /// range decoder only briefly, and that a band of a coarse level (4 096 samples) splits
    /// into 16 blocks (into 4 with the 1 024 of before).
    const BLOCK: usize = 256;

    /// # Errors
    ///
    /// [`CodecError::OutOfMemory`] if the table of blocks cannot be allocated.
    fn new(s: &'a Step<'a>, rows: std::ops::Range<usize>) -> Result<Self, CodecError> {
        let (_, ws) = s.sub_size();
        let block_rows = (Self::BLOCK / ws.max(1)).max(1);
        let blocks = rows.len().div_ceil(block_rows);
        Ok(Self {
            s,
            first_row: rows.start,
            end_row: rows.end,
            block_rows,
            blocks: try_vec_with(
                CODEC_ID,
                "the table of look-ahead blocks",
                blocks,
                OnceLock::new,
            )?,
            claim: AtomicUsize::new(0),
        })
    }

    /// Computes the next unclaimed block; false if every block is claimed.
    #[inline(always)]
    fn work(&self) -> bool {
        let b = self.claim.fetch_add(1, Ordering::Relaxed);
        if b >= self.blocks.len() {
            return false;
        }
        let r0 = self.first_row + b * self.block_rows;
        let rows = r0..(r0 + self.block_rows).min(self.end_row);
        // a block is claimed once, so it is set once
        let _ = self.blocks[b].set(ch0_rows(self.s, rows));
        true
    }

    /// The [`Pre`] of sub-image row `iy`.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutOfMemory`] if its block could not be allocated.
    #[inline(always)]
    fn row(&self, iy: usize) -> Result<&[Pre], CodecError> {
        let (_, ws) = self.s.sub_size();
        let b = (iy - self.first_row) / self.block_rows;
        let mut backoff = Backoff::default();
        loop {
            if let Some(v) = self.blocks[b].get() {
                let r = iy - self.first_row - b * self.block_rows;
                return match v {
                    Ok(v) => Ok(&v[r * ws..(r + 1) * ws]),
                    Err(e) => Err(e.clone()),
                };
            }
            if !self.work() {
                backoff.snooze();
            }
        }
    }
}

/// Least samples per task of the copies between steps (smaller levels are copied by one thread:
/// handing them to another costs more than it saves).
const MIN_SPLIT: usize = 1 << 14;

/// Least samples (all channels) of a band that offers a helper task: a smaller band is decoded
/// in less time than it takes another thread to pick the task up.
const MIN_HELPED: usize = 2048;

/// Samples of one work item of the later channels in [`Pipe`].
const ITEM: usize = 32;

/// A band's decoding shared between its decoding thread and a helper: channel 0's [`Pre`]
/// ahead of the range decoder ([`Ahead`]) and, in colour, the later channels' statistics,
/// features and networks in items of [`ITEM`] samples of one channel's row, each computed as
/// soon as the values it is conditioned on are decoded (the decoding thread publishes them as
/// it goes). Items are claimed in coding order by whichever thread comes first: the decoding
/// thread computes an item itself when no helper has claimed it, so it waits only for an item
/// another thread is computing. The values are those [`walk_band`] computes itself.
struct Pipe<'a> {
    ahead: Ahead<'a>,
    /// channels
    nc: usize,
    /// samples per sub-image row
    ws: usize,
    /// items per channel row
    nj: usize,
    /// `[((row * (nc - 1)) + c - 1) * nj + j]`: item `j` of channel `c` (>= 1) of a band row
    items: Vec<OnceLock<[Pre; ITEM]>>,
    /// the next item to claim
    claim: AtomicUsize,
    /// decoded values `[(row * nc + c) * ws + ix]` of the channels later ones are conditioned on
    vals: Vec<AtomicI32>,
    /// samples decoded and published, in coding order
    done: AtomicUsize,
    /// set when the decoding thread returns (finished or failed): the helper stops
    stop: AtomicBool,
}

impl<'a> Pipe<'a> {
    /// # Errors
    ///
    /// [`CodecError::OutOfMemory`] if the band's items or published values (sized by the
    /// band's rows and the header's width) cannot be allocated.
    fn new(s: &'a Step<'a>, rows: std::ops::Range<usize>) -> Result<Self, CodecError> {
        let (_, ws) = s.sub_size();
        let nc = s.grids.len();
        let nj = ws.div_ceil(ITEM);
        let n_items = rows.len() * (nc - 1) * nj;
        let n_vals = if nc > 1 { rows.len() * nc * ws } else { 0 };
        Ok(Self {
            ahead: Ahead::new(s, rows)?,
            nc,
            ws,
            nj,
            items: try_vec_with(
                CODEC_ID,
                "a band's items of later-channel network outputs",
                n_items,
                OnceLock::new,
            )?,
            claim: AtomicUsize::new(0),
            vals: try_vec_with(
                CODEC_ID,
                "a band's published decoded values",
                n_vals,
                || AtomicI32::new(0),
            )?,
            done: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        })
    }

    /// (band row, channel, item in the row) of item `k`.
    fn item_at(&self, k: usize) -> (usize, usize, usize) {
        let (t, j) = (k / self.nj, k % self.nj);
        (t / (self.nc - 1), t % (self.nc - 1) + 1, j)
    }

    /// Samples that must be decoded (in coding order) before item `k` can be computed: its
    /// samples of the channel before its own.
    fn need(&self, k: usize) -> usize {
        let (r, c, j) = self.item_at(k);
        (r * self.nc + c - 1) * self.ws + ((j + 1) * ITEM).min(self.ws)
    }

    /// Computes item `k` (its inputs decoded): the statistics and network parameters of its
    /// samples, as [`walk_band_impl`] computes them.
    /// (Not inlined: its own AVX2 dispatch, so that the decoding thread's loop stays small.)
    #[inline(never)]
    fn compute(&self, k: usize, x: &mut [i16], o: &mut [i32; 2 * MAX_BATCH]) -> [Pre; ITEM] {
        ndcodecs_learned::simd::vectorize(
            #[inline(always)]
            || self.compute_impl(k, x, o),
        )
    }

    #[inline(always)]
    fn compute_impl(&self, k: usize, x: &mut [i16], o: &mut [i32; 2 * MAX_BATCH]) -> [Pre; ITEM] {
        let s = self.ahead.s;
        let (r, c, j) = self.item_at(k);
        let (py, px) = PARITY[s.step];
        let iy = self.ahead.first_row + r;
        let row0 = s.grids[0].index(2 * iy + py, px);
        let s0 = j * ITEM;
        let n = (self.ws - s0).min(ITEM);
        let offs = s.grids[0].offsets(s.step);
        let mut cores = [Core::default(); ITEM];
        batch_core_features(&s.grids[c].data, row0 + 2 * s0, n, &offs, &mut cores, x);
        // channel 0's block of this row was had (Ok) before any item of the row could be
        // claimed: the item needs channel 0's values of the row, decoded from that block
        let first = &self.ahead.row(iy).expect("decoded before")[s0..s0 + n];
        // the channel before this one, if not the first: its item of the same samples, set
        // before the values this item needs were decoded
        let before = (c > 1).then(|| self.items[k - self.nj].get().expect("computed before"));
        let val = |cc: usize, ix: usize| {
            i64::from(self.vals[(r * self.nc + cc) * self.ws + ix].load(Ordering::Relaxed))
        };
        for jj in 0..n {
            let ix = s0 + jj;
            let conds_buf;
            let conds: &[(Core, i64)] = match before {
                None => {
                    conds_buf = [(first[jj].k, val(0, ix)); 2];
                    &conds_buf[..1]
                }
                Some(b) => {
                    conds_buf = [(b[jj].k, val(c - 1, ix)), (first[jj].k, val(0, ix))];
                    &conds_buf[..]
                }
            };
            cond_features(&cores[jj], conds, x, jj);
        }
        s.model.batch[net_index(s.step, c)].forward(x, n, o);
        let mut out = [Pre::default(); ITEM];
        for (jj, p) in out[..n].iter_mut().enumerate() {
            let (mu, ls) = params(&cores[jj], &[o[jj], o[MAX_BATCH + jj]]);
            *p = Pre {
                k: cores[jj],
                mu,
                ls,
            };
        }
        out
    }

    /// Claims item `k` if it is the next unclaimed one.
    fn try_claim(&self, k: usize) -> bool {
        self.claim
            .compare_exchange(k, k + 1, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// Item `k`, for the decoding thread (which has decoded its inputs and obtained every
    /// earlier item, so every item before `k` is claimed).
    #[inline(always)]
    fn item(&self, k: usize, x: &mut [i16], o: &mut [i32; 2 * MAX_BATCH]) -> &[Pre] {
        let mut backoff = Backoff::default();
        loop {
            if let Some(v) = self.items[k].get() {
                return &v[..(self.ws - (k % self.nj) * ITEM).min(ITEM)];
            }
            if self.try_claim(k) {
                // claimed once, so set once
                let _ = self.items[k].set(self.compute(k, x, o));
                continue;
            }
            backoff.snooze();
        }
    }

    /// Publishes the decoded value `v` of channel `c` at sample `ix` of band row `r`.
    #[inline(always)]
    fn publish_value(&self, r: usize, c: usize, ix: usize, v: i32) {
        if c + 1 < self.nc {
            self.vals[(r * self.nc + c) * self.ws + ix].store(v, Ordering::Relaxed);
        }
    }

    /// Publishes that the first `q` samples in coding order are decoded.
    #[inline(always)]
    fn publish_done(&self, q: usize) {
        if self.nc > 1 {
            self.done.store(q, Ordering::Release);
        }
    }

    /// The helper's task: the next item as soon as its inputs are decoded, channel 0's blocks
    /// ahead in between, until every item and block is claimed or the decoding thread stops.
    fn help(&self) {
        ndcodecs_learned::simd::vectorize(
            #[inline(always)]
            || {
                let mut x = vec![0i16; input_len(MAX_FEATURES)];
                let mut o = [0i32; 2 * MAX_BATCH];
                let mut backoff = Backoff::default();
                loop {
                    if self.stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let k = self.claim.load(Ordering::Acquire);
                    if k >= self.items.len() {
                        while self.ahead.work() {}
                        return;
                    }
                    if self.done.load(Ordering::Acquire) >= self.need(k) {
                        if self.try_claim(k) {
                            let _ = self.items[k].set(self.compute(k, &mut x, &mut o));
                        }
                        backoff = Backoff::default();
                        continue;
                    }
                    if self.ahead.work() {
                        backoff = Backoff::default();
                        continue;
                    }
                    backoff.snooze();
                }
            },
        );
    }
}

/// Sets [`Pipe::stop`] when dropped (the decoding thread's return, an error included).
struct StopOnDrop<'p, 'a>(&'p Pipe<'a>);

impl Drop for StopOnDrop<'_, '_> {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::Relaxed);
    }
}

/// [`walk_band`] decoding with a helper task (run when the pool has a free thread) computing
/// ahead of the range decoder channel 0's networks and, in colour, the later channels'
/// networks as soon as the values they are conditioned on are decoded ([`Pipe`]): how a step
/// of fewer bands than threads (the coarse levels) uses more than one thread. Same values as
/// [`walk_band`].
fn walk_band_ahead<C: Coder + Send>(
    s: &Step<'_>,
    rows: std::ops::Range<usize>,
    coder: &mut C,
    out: &mut [i32],
) -> Result<(), CodecError> {
    let pipe = Pipe::new(s, rows.clone())?;
    let (r, ()) = rayon::join(
        || {
            let _stop = StopOnDrop(&pipe);
            match s.model.correction {
                Correction::Scale => ndcodecs_learned::simd::vectorize(
                    #[inline(always)]
                    || walk_band_pipe::<C, Adapt>(&pipe, coder, out),
                ),
                Correction::PatternBias => ndcodecs_learned::simd::vectorize(
                    #[inline(always)]
                    || walk_band_pipe::<C, Adapt3>(&pipe, coder, out),
                ),
            }
        },
        || pipe.help(),
    );
    r
}

/// The decoding thread's walk of [`walk_band_ahead`]: the coding order of [`walk_band_impl`],
/// every sample's statistics and network parameters from the [`Pipe`].
#[inline(always)]
fn walk_band_pipe<C: Coder, A: Correct>(
    pipe: &Pipe<'_>,
    coder: &mut C,
    out: &mut [i32],
) -> Result<(), CodecError> {
    let s = pipe.ahead.s;
    let (py, px) = PARITY[s.step];
    let (nc, ws) = (pipe.nc, pipe.ws);
    let mut x = vec![0i16; input_len(MAX_FEATURES)];
    let mut o = [0i32; 2 * MAX_BATCH];
    let mut adapt = A::new(nc);
    let mut q = 0;
    for (r, iy) in (pipe.ahead.first_row..pipe.ahead.end_row).enumerate() {
        let row0 = s.grids[0].index(2 * iy + py, px);
        let g = &s.grids[0].data;
        for (ix, p) in pipe.ahead.row(iy)?.iter().enumerate() {
            let v = code_sample(
                coder,
                &mut adapt,
                0,
                &p.k,
                (p.mu, p.ls),
                s.ranges[0],
                g[row0 + 2 * ix],
            )?;
            out[(r * ws + ix) * nc] = v;
            pipe.publish_value(r, 0, ix, v);
            q += 1;
            if ix % ITEM == ITEM - 1 {
                pipe.publish_done(q);
            }
        }
        pipe.publish_done(q);
        for c in 1..nc {
            let g = &s.grids[c].data;
            for j in 0..pipe.nj {
                let k = ((r * (nc - 1)) + c - 1) * pipe.nj + j;
                for (jj, p) in pipe.item(k, &mut x, &mut o).iter().enumerate() {
                    let ix = j * ITEM + jj;
                    let v = code_sample(
                        coder,
                        &mut adapt,
                        c,
                        &p.k,
                        (p.mu, p.ls),
                        s.ranges[c],
                        g[row0 + 2 * ix],
                    )?;
                    out[(r * ws + ix) * nc + c] = v;
                    pipe.publish_value(r, c, ix, v);
                }
                q += (ws - j * ITEM).min(ITEM);
                pipe.publish_done(q);
            }
        }
    }
    Ok(())
}

/// Codes one sample of channel `c` (statistics `k`) with the network's parameters `(mu, ls)`
/// corrected by the band's online adaptation, and updates it.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn code_sample<C: Coder, A: Correct>(
    coder: &mut C,
    adapt: &mut A,
    c: usize,
    k: &Core,
    (mu, ls): (i64, i32),
    (lo, hi): (i64, i64),
    truth: i32,
) -> Result<i32, CodecError> {
    let (ctx, mu2, ls2) = adapt.before(c, k, mu, ls);
    let dist = Logistic::new(mu2, ls2, lo, hi);
    let mut hint = Hint::new(mu2, ls2, lo, hi);
    hint.net = (mu, ls);
    let v = coder.code(&dist, truth, hint)?;
    adapt.after(ctx, v, mu, ls);
    Ok(v)
}

#[inline(always)]
fn walk_band_impl<C: Coder, A: Correct>(
    s: &Step<'_>,
    rows: std::ops::Range<usize>,
    coder: &mut C,
    out: &mut [i32],
) -> Result<(), CodecError> {
    let (py, px) = PARITY[s.step];
    let (_, ws) = s.sub_size();
    let nc = s.grids.len();
    let offs = s.grids[0].offsets(s.step);
    let nets: [&BatchMlp; MAX_CHANNELS] =
        std::array::from_fn(|c| &s.model.batch[net_index(s.step, c)]);
    // one band row of statistics and values per channel: sized by the header's width
    let mut cores = try_vec_with(CODEC_ID, "a band row of statistics", nc * ws, Core::default)?;
    let mut vals: Vec<i32> = try_vec(CODEC_ID, "a band row of values", nc * ws)?;
    let mut x = vec![0i16; input_len(MAX_FEATURES)];
    let mut o = [0i32; 2 * MAX_BATCH];
    let mut adapt = A::new(nc);
    for (r, iy) in rows.enumerate() {
        let y = 2 * iy + py;
        let row0 = s.grids[0].index(y, px);
        for c in 0..nc {
            let g = &s.grids[c].data;
            let net = nets[c];
            let mut s0 = 0;
            while s0 < ws {
                let n = (ws - s0).min(MAX_BATCH);
                batch_core_features(
                    g,
                    row0 + 2 * s0,
                    n,
                    &offs,
                    &mut cores[c * ws + s0..c * ws + s0 + n],
                    &mut x,
                );
                if c > 0 {
                    for j in 0..n {
                        let ix = s0 + j;
                        let conds_buf;
                        let conds: &[(Core, i64)] = if c == 1 {
                            conds_buf = [(cores[ix], i64::from(vals[ix])); 2];
                            &conds_buf[..1]
                        } else {
                            conds_buf = [
                                (cores[(c - 1) * ws + ix], i64::from(vals[(c - 1) * ws + ix])),
                                (cores[ix], i64::from(vals[ix])),
                            ];
                            &conds_buf[..]
                        };
                        cond_features(&cores[c * ws + ix], conds, &mut x, j);
                    }
                }
                net.forward(&x, n, &mut o);
                for j in 0..n {
                    let ix = s0 + j;
                    let (mu, ls) = params(&cores[c * ws + ix], &[o[j], o[MAX_BATCH + j]]);
                    let v = code_sample(
                        coder,
                        &mut adapt,
                        c,
                        &cores[c * ws + ix],
                        (mu, ls),
                        s.ranges[c],
                        g[row0 + 2 * ix],
                    )?;
                    vals[c * ws + ix] = v;
                    out[(r * ws + ix) * nc + c] = v;
                }
                s0 += n;
            }
        }
    }
    Ok(())
}

/// The level grids of one slice's planes, level 0 first (encoder side: every sample known).
fn pyramid(planes: &[Vec<i32>], h: usize, w: usize) -> Vec<Vec<Grid>> {
    let nl = levels(h, w);
    planes
        .iter()
        .map(|p| {
            let mut g = Grid::new(h, w);
            g.fill_from(p);
            let mut v = vec![g];
            for _ in 0..nl {
                let next = v[v.len() - 1].coarser();
                v.push(next);
            }
            v
        })
        .collect()
}

/// Encodes one slice (`planes`: one row-major `h` x `w` plane per channel, values within
/// `ranges`) into its streams, in stream order. Bands are coded in parallel.
///
/// # Errors
///
/// [`CodecError::Corrupt`] only if the range coder refuses a table (a bug).
pub fn encode_slice(
    planes: &[Vec<i32>],
    h: usize,
    w: usize,
    ranges: &[(i64, i64)],
    model: &Model,
    band_log2: u8,
) -> Result<Vec<Vec<u8>>, CodecError> {
    let pyr = pyramid(planes, h, w);
    let nl = levels(h, w);
    let nc = planes.len();
    let mut coarse: Vec<Grid> = pyr.iter().map(|p| p[nl].clone()).collect();
    let mut enc = Encoder(RangeEncoder::new());
    walk_coarse(&mut coarse, ranges, &mut enc)?;
    let mut streams = vec![enc.0.finish()];
    let steps = slice_steps(h, w, nc, band_log2);
    let jobs: Vec<(usize, usize, usize)> = steps
        .iter()
        .enumerate()
        .flat_map(|(i, &(_, _, _, nb))| (0..nb).map(move |b| (i, b, 0)))
        .collect();
    let level_grids: Vec<Vec<Grid>> = (0..nl)
        .map(|l| pyr.iter().map(|p| p[l].clone()).collect())
        .collect();
    let coded: Result<Vec<Vec<u8>>, CodecError> = jobs
        .par_iter()
        .map(|&(i, b, _)| {
            let (l, step, rows, _) = steps[i];
            let s = Step {
                grids: &level_grids[l],
                model,
                step,
                ranges,
            };
            let (hs, ws) = s.sub_size();
            let r = b * rows..((b + 1) * rows).min(hs);
            let mut out = vec![0i32; r.len() * ws * nc];
            let mut enc = Encoder(RangeEncoder::new());
            walk_band(&s, r, &mut enc, &mut out)?;
            Ok(enc.0.finish())
        })
        .collect();
    streams.extend(coded?);
    Ok(streams)
}

/// Ideal code length in bits of one slice (for tools and tests).
///
/// # Errors
///
/// As [`encode_slice`].
pub fn ideal_slice_bits(
    planes: &[Vec<i32>],
    h: usize,
    w: usize,
    ranges: &[(i64, i64)],
    model: &Model,
) -> Result<f64, CodecError> {
    let pyr = pyramid(planes, h, w);
    let nl = levels(h, w);
    let mut coarse: Vec<Grid> = pyr.iter().map(|p| p[nl].clone()).collect();
    let mut bits = IdealBits::default();
    walk_coarse(&mut coarse, ranges, &mut bits)?;
    for l in (0..nl).rev() {
        let grids: Vec<Grid> = pyr.iter().map(|p| p[l].clone()).collect();
        for step in 0..3 {
            let s = Step {
                grids: &grids,
                model,
                step,
                ranges,
            };
            let (hs, ws) = s.sub_size();
            let mut out = vec![0i32; hs * ws * planes.len()];
            walk_band(&s, 0..hs, &mut bits, &mut out)?;
        }
    }
    Ok(bits.0)
}

/// Decodes one slice from its streams (in stream order) into one row-major `h` x `w` plane per
/// channel. Bands of a step are decoded in parallel; on more than one thread, the last bands of
/// a step with helper tasks computing networks ahead of the band's range decoder.
///
/// # Errors
///
/// [`CodecError::Corrupt`] / [`CodecError::Truncated`] for damaged streams;
/// [`CodecError::OutOfMemory`] if the planes, the level grids, a band or a band's look-ahead
/// blocks and items cannot be allocated.
pub fn decode_slice(
    streams: &[&[u8]],
    h: usize,
    w: usize,
    ranges: &[(i64, i64)],
    model: &Model,
    band_log2: u8,
) -> Result<Vec<Vec<i32>>, CodecError> {
    let grids = decode_slice_grids(streams, h, w, ranges, model, band_log2, true)?;
    grids
        .iter()
        .map(|g| {
            let mut plane: Vec<i32> = try_vec(CODEC_ID, "a decoded plane (int32)", h * w)?;
            for (y, row) in plane.chunks_exact_mut(w).enumerate() {
                let i = g.index(y, 0);
                row.copy_from_slice(&g.data[i..i + w]);
            }
            Ok(plane)
        })
        .collect()
}

/// [`decode_slice`] into the level-0 grid of each channel (`h` x `w`, margin filled), without
/// copying the samples out. With `helpers` false, no band offers a helper task (the caller
/// keeps the other threads busy with other slices).
///
/// # Errors
///
/// As [`decode_slice`].
pub fn decode_slice_grids(
    streams: &[&[u8]],
    h: usize,
    w: usize,
    ranges: &[(i64, i64)],
    model: &Model,
    band_log2: u8,
    helpers: bool,
) -> Result<Vec<Grid>, CodecError> {
    let nc = ranges.len();
    let nl = levels(h, w);
    let (ch, cw) = level_size(h, w, nl);
    let mut grids = (0..nc)
        .map(|_| Grid::try_new(ch, cw))
        .collect::<Result<Vec<Grid>, CodecError>>()?;
    let mut dec = Decoder(RangeDecoder::new(streams[0]));
    walk_coarse(&mut grids, ranges, &mut dec)?;
    dec.0.finish().map_err(|e| corrupt(e.to_string()))?;
    for g in &mut grids {
        g.fill_margin();
    }
    let steps = slice_steps(h, w, nc, band_log2);
    let mut next = 1;
    let mut si = 0;
    for l in (0..nl).rev() {
        let (lh, lw) = level_size(h, w, l);
        grids = grids
            .iter()
            .map(|g| Grid::finer(g, lh, lw))
            .collect::<Result<_, _>>()?;
        for (step, &(py, px)) in PARITY.iter().enumerate() {
            let (hs, ws) = (count(lh, py), count(lw, px));
            if hs == 0 || ws == 0 {
                continue;
            }
            let (sl, sstep, rows, nb) = steps[si];
            debug_assert_eq!((sl, sstep), (l, step));
            si += 1;
            let band_streams = &streams[next..next + nb];
            next += nb;
            let s = Step {
                grids: &grids,
                model,
                step,
                ranges,
            };
            // on more than one thread, each of the last bands to start (as many as threads)
            // offers a helper task that computes networks ahead of its range decoder
            // ([`walk_band_ahead`]): a step of fewer bands than threads (the coarse levels)
            // uses them all, and a thread without a band of its own helps the last ones. The
            // bands before them run without (the other threads have bands of their own, and
            // the helper's bookkeeping costs the band about 6 % in colour), and so do bands
            // of fewer than MIN_HELPED samples and, in a volume, every slice's but the last
            // ones' (the caller's `helpers`).
            let threads = rayon::current_num_threads();
            let started = AtomicUsize::new(0);
            let bands: Result<Vec<Vec<i32>>, CodecError> = band_streams
                .par_iter()
                .enumerate()
                .map(|(b, data)| {
                    let r = b * rows..((b + 1) * rows).min(hs);
                    let mut out = try_vec(CODEC_ID, "a decoded band (int32)", r.len() * ws * nc)?;
                    let mut dec = Decoder(RangeDecoder::new(data));
                    let i = started.fetch_add(1, Ordering::Relaxed);
                    if helpers
                        && threads > 1
                        && nb - i <= threads
                        && r.len() * ws * nc >= MIN_HELPED
                    {
                        walk_band_ahead(&s, r, &mut dec, &mut out)?;
                    } else {
                        walk_band(&s, r, &mut dec, &mut out)?;
                    }
                    dec.0.finish().map_err(|e| corrupt(e.to_string()))?;
                    Ok(out)
                })
                .collect();
            let bands = bands?;
            // the step's samples into the grids, rows in parallel
            for (c, g) in grids.iter_mut().enumerate() {
                let stride = g.stride;
                g.data
                    .par_chunks_mut(stride)
                    .skip(MARGIN + py)
                    .step_by(2)
                    .take(hs)
                    .with_min_len(MIN_SPLIT.div_ceil(ws))
                    .enumerate()
                    .for_each(|(iy, row)| {
                        let (b, r) = (iy / rows, iy % rows);
                        let vals = &bands[b][r * ws * nc..(r + 1) * ws * nc];
                        for (d, v) in row[MARGIN + px..]
                            .iter_mut()
                            .step_by(2)
                            .zip(vals.iter().skip(c).step_by(nc))
                        {
                            *d = *v;
                        }
                    });
            }
            for g in &mut grids {
                g.fill_margin();
            }
        }
    }
    Ok(grids)
}

/// Records each coded sample's parameters: the network's and the corrected ones.
struct Recorder(Vec<(i64, i32, i64, i32)>);

impl Coder for Recorder {
    fn code(&mut self, _dist: &Logistic, value: i32, hint: Hint) -> Result<i32, CodecError> {
        self.0
            .push((hint.net.0, hint.net.1, hint.mu_fp, hint.ls_fp));
        Ok(value)
    }
}

/// Every interpolated sample's distribution parameters, as rows `(level, step, channel, mu_fp,
/// ls_fp, mu', ls')` in the order level (coarsest first), step, channel, row, column: the
/// network's `(mu_fp, ls_fp)` and the `(mu', ls')` the sample is coded with after the online
/// correction of its band, bands of `band_log2` (as in a chunk's header): what an independent
/// implementation of the model arithmetic is compared with (the coarse level is not listed).
///
/// # Errors
///
/// As [`encode_slice`].
pub fn slice_params(
    planes: &[Vec<i32>],
    h: usize,
    w: usize,
    ranges: &[(i64, i64)],
    model: &Model,
    band_log2: u8,
) -> Result<Vec<[i64; 7]>, CodecError> {
    let pyr = pyramid(planes, h, w);
    let nc = planes.len();
    let mut rows = Vec::new();
    for (l, step, band, nb) in slice_steps(h, w, nc, band_log2) {
        let grids: Vec<Grid> = pyr.iter().map(|p| p[l].clone()).collect();
        let s = Step {
            grids: &grids,
            model,
            step,
            ranges,
        };
        let (hs, ws) = s.sub_size();
        // bands in order: the records are row by row, channel by channel over the whole step
        let mut rec = Recorder(Vec::new());
        for b in 0..nb {
            let r = b * band..((b + 1) * band).min(hs);
            let mut out = vec![0i32; r.len() * ws * nc];
            walk_band(&s, r, &mut rec, &mut out)?;
        }
        for c in 0..nc {
            for r in 0..hs {
                for ix in 0..ws {
                    let (mu, ls, mu2, ls2) = rec.0[(r * nc + c) * ws + ix];
                    rows.push([
                        l as i64,
                        step as i64,
                        c as i64,
                        mu,
                        i64::from(ls),
                        mu2,
                        i64::from(ls2),
                    ]);
                }
            }
        }
    }
    Ok(rows)
}
