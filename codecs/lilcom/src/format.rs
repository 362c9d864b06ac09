//! The lilcom 1.x byte layout: one adaptive-width integer stream holding the header and then one
//! code per element (see `specs/lilcom/README.md` for the bit-exact description).
//!
//! Everything here works on signed 32-bit integers; the float prediction lives in
//! the encoder and decoder modules.

use ndcodecs_core::CodecError;

use crate::CODEC_ID;

/// Largest number of axes a lilcom header may declare (the reference decoder's limit; its Python
/// encoder writes at most 15).
pub const MAX_AXES_READ: usize = 16;
/// Largest number of axes this encoder writes (the reference Python encoder's limit).
pub const MAX_AXES_WRITE: usize = 15;
/// Smallest and largest `tick_power` the format allows.
pub const TICK_POWER_RANGE: std::ops::RangeInclusive<i32> = -20..=20;
/// First byte of every lilcom byte string (`'L'`).
pub const MAGIC: u8 = b'L';
/// Second byte: the format version. lilcom 1.1–1.8 write and read version 0 only.
pub const FORMAT_VERSION: u8 = 0;
/// Bytes before the integer stream.
pub const PREFIX_LEN: usize = 2;

/// Regression coefficients are stored as integers `k` meaning `k / 256`, with `|k| <= 256`.
pub const COEFF_SCALE: i32 = 256;

/// Maps a signed code to the unsigned value the stream stores (0, -1, 1, -2, … → 0, 1, 2, 3, …).
#[inline(always)]
#[allow(clippy::cast_sign_loss)]
pub const fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

/// Inverse of [`zigzag`].
#[inline(always)]
#[allow(clippy::cast_possible_wrap)]
pub const fn unzigzag(u: u32) -> i32 {
    ((u >> 1) as i32) ^ -((u & 1) as i32)
}

/// `v` rounded half away from zero (C's `round`), saturating at the `i32` range; NaN gives 0.
///
/// Written with a truncating conversion because `f32::round` is a library call on baseline
/// x86-64.
#[inline(always)]
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
pub fn round_half_away(v: f32) -> i32 {
    let t = v as i32;
    // Exact: below 2^23 in magnitude `t` and `v` share the exponent range; above, `v` is an
    // integer and `frac` is 0 (or the saturation excess, which only pushes further out).
    let frac = v - t as f32;
    // Branch-free: the fractional part is unpredictable.
    let step = i64::from(frac >= 0.5) - i64::from(frac <= -0.5);
    (i64::from(t) + step).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// Number of significant bits of `u` (0 for 0).
#[inline(always)]
pub const fn bit_width(u: u32) -> u32 {
    32 - u.leading_zeros()
}

/// The smallest width sequence for `values`: `width[i] >= bit_width(values[i])`, neighbours
/// differing by at most 1. Every valid sequence is at least this one element by element. This is
/// the sequence the reference encoder writes (its windowed computation reaches 32 elements ahead
/// and no width exceeds 32, so the window never changes the result).
pub fn minimal_widths(values: &[u32], widths: &mut Vec<u8>) {
    widths.clear();
    #[allow(clippy::cast_possible_truncation)]
    widths.extend(values.iter().map(|&v| bit_width(v) as u8));
    // width[i] = max over j of bit_width(v[j]) - |i - j|. Widths are at most 32, so distances
    // up to 31 matter: five doubling steps (1, 2, 4, 8, 16) cover them, each a vectorisable
    // pass (a longer path through the steps only gives a smaller candidate).
    let n = widths.len();
    let mut tmp = vec![0u8; n];
    for s in [1usize, 2, 4, 8, 16] {
        if s >= n {
            break;
        }
        tmp.copy_from_slice(widths);
        #[allow(clippy::cast_possible_truncation)]
        let d = s as u8;
        for (w, &t) in widths[s..].iter_mut().zip(&tmp[..n - s]) {
            *w = (*w).max(t.saturating_sub(d));
        }
        for (w, &t) in widths[..n - s].iter_mut().zip(&tmp[s..]) {
            *w = (*w).max(t.saturating_sub(d));
        }
    }
}

/// Writes bit fields least-significant bit first into a buffer sized in advance: each flush
/// stores 8 bytes at once and advances by the whole bytes filled.
struct FastWriter {
    out: Vec<u8>,
    pos: usize,
    acc: u64,
    /// valid bits in `acc`: below 8 after a flush, below 30 between values
    n: u32,
}

impl FastWriter {
    /// Appends the low `width` bits of `bits`; `n + width` must stay within 64.
    #[inline(always)]
    fn put(&mut self, width: u32, bits: u64) {
        self.acc |= bits << self.n;
        self.n += width;
    }

    #[inline(always)]
    fn flush(&mut self) {
        self.out[self.pos..self.pos + 8].copy_from_slice(&self.acc.to_le_bytes());
        let whole = self.n >> 3;
        self.pos += whole as usize;
        // `n` is below 64 (at most 7 left over plus a value of at most 34 bits, or a run code
        // of at most 32), so the shift is below 64.
        debug_assert!(self.n < 64);
        self.acc >>= whole * 8;
        self.n &= 7;
    }

    /// Appends the width-change code and the bits of value `v` of width `cur > 0`, between
    /// widths `prev` and `next`; at most 34 bits.
    #[inline(always)]
    fn value(&mut self, v: u32, prev: u32, cur: u32, next: u32) {
        // Width-change code, first bit lowest: "0" same, "1,0" one less, "1,1" one more.
        let change = u32::from(next != cur);
        let dlen = 1 + change;
        let dbits = u64::from(change | (u32::from(next > cur) << 1));
        // Where neither neighbour is wider the top bit is implied, not stored. It is set there
        // (the widths are valid): clearing it leaves the stored bits; elsewhere the value
        // already fits its width.
        let implied = u32::from(prev <= cur && next <= cur);
        debug_assert!(bit_width(v) <= cur && (implied == 0 || bit_width(v) == cur));
        let v = u64::from(v ^ (implied << (cur - 1)));
        self.put(dlen + cur - implied, dbits | (v << dlen));
    }

    fn zero_run(&mut self, n: u32) {
        self.flush();
        let k = bit_width(n) - 1;
        self.put(k + 1, 1 << k);
        self.flush();
        self.put(k, u64::from(n & ((1u32 << k) - 1)));
        self.flush();
    }
}

/// Encodes a whole stream of unsigned values (already zigzag-mapped) with the given width
/// sequence (valid: `widths[i] >= bit_width(values[i])`, neighbours differing by at most 1, and
/// `bit_width(values[i]) == widths[i]` wherever no neighbour is wider; see [`minimal_widths`]),
/// after the two-byte prefix.
///
/// `values` must not be empty.
pub fn encode_stream(values: &[u32], widths: &[u8]) -> Vec<u8> {
    debug_assert!(!values.is_empty() && values.len() == widths.len());
    let n = values.len();
    // At most `width + 2` bits per value (a run of `L >= 2^k` zeros takes `2k + 1 <= 2L`), 6
    // for the first width, 8 bytes of slack for the last flush. A tight bound keeps the buffer
    // (which is zeroed) small.
    let width_sum: u64 = widths
        .chunks(4096)
        .map(|c| u64::from(c.iter().map(|&w| u32::from(w)).sum::<u32>()))
        .sum();
    let bits = usize::try_from(width_sum).unwrap_or(usize::MAX) + 2 * n + 6;
    let cap = PREFIX_LEN + bits.div_ceil(8) + 16;
    let mut w = FastWriter {
        out: vec![0u8; cap],
        pos: PREFIX_LEN,
        acc: 0,
        n: 0,
    };
    w.out[0] = MAGIC;
    w.out[1] = FORMAT_VERSION;
    let first = u32::from(widths[0]);
    w.put(5, u64::from(first.min(31)));
    if first >= 31 {
        w.put(1, u64::from(first - 31));
    }
    w.flush();
    let mut prev = first;
    let mut i = 0;
    while i < n {
        let cur = u32::from(widths[i]);
        if cur == 0 {
            let run = widths[i..].iter().take_while(|&&w| w == 0).count();
            #[allow(clippy::cast_possible_truncation)]
            w.zero_run(run as u32);
            prev = 0;
            i += run;
            continue;
        }
        // Values up to the next zero width (or the last value, whose successor width counts as
        // its own) take the plain path: no run checks inside.
        let end = memchr::memchr(0, &widths[i..n - 1]).map_or(n - 1, |p| i + p);
        for (&v, pair) in values[i..end].iter().zip(widths[i..=end].windows(2)) {
            let cur = u32::from(pair[0]);
            w.value(v, prev, cur, u32::from(pair[1]));
            // Every value: fewer than 8 bits are left over, and a value takes at most 34.
            w.flush();
            prev = cur;
        }
        i = end;
        if end == n - 1 && widths[end] != 0 {
            // The last value: its successor's width counts as its own.
            let cur = u32::from(widths[end]);
            w.value(values[end], prev, cur, cur);
            w.flush();
            i = n;
        }
    }
    w.flush();
    let end = w.pos + usize::from(w.n > 0);
    let mut out = w.out;
    out.truncate(end);
    out
}

/// Reads the integer stream written by [`encode_stream`], value by value.
///
/// Reads past the end of the input yield zero bits and are detected afterwards by
/// [`StreamReader::finish`] (or early, at refill time, once the overrun exceeds 8 bytes), which
/// reports them as truncation: the result is then discarded.
#[derive(Clone)]
pub struct StreamReader<'a> {
    data: &'a [u8],
    /// next byte of `data` to load into `buf`
    pos: usize,
    buf: u64,
    /// valid bits in `buf`
    nbits: u32,
    prev: u32,
    cur: u32,
    /// remaining zero-width elements in the current run after the next one; -1 when no run is
    /// being consumed
    zero_run: i64,
}

/// Extra zero bytes a reader may load past the end before it reports truncation early.
const OVERRUN_SLACK: usize = 8;

impl<'a> StreamReader<'a> {
    /// Checks the two-byte prefix (magic `'L'`, format version 0) of a lilcom byte string and
    /// starts reading the integer stream after it (reads the width of the first value).
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if `bytes` holds no more than the prefix,
    /// [`CodecError::Corrupt`] for a wrong magic byte and [`CodecError::UnsupportedVersion`] for
    /// a format version other than 0.
    pub fn new(bytes: &'a [u8]) -> Result<Self, CodecError> {
        if bytes.len() <= PREFIX_LEN {
            return Err(CodecError::Truncated {
                codec: CODEC_ID,
                offset: 0,
                needed: PREFIX_LEN + 1,
                available: bytes.len(),
            });
        }
        if bytes[0] != MAGIC {
            return Err(corrupt(&format!(
                "first byte is {:#04x}, not 'L' (0x4c): not lilcom data",
                bytes[0]
            )));
        }
        if bytes[1] != FORMAT_VERSION {
            return Err(CodecError::UnsupportedVersion {
                codec: CODEC_ID,
                found: u32::from(bytes[1]),
                supported: u32::from(FORMAT_VERSION),
            });
        }
        let data = &bytes[PREFIX_LEN..];
        let mut r = Self {
            data,
            pos: 0,
            buf: 0,
            nbits: 0,
            prev: 0,
            cur: 0,
            zero_run: -1,
        };
        let mut first = r.bits(5)?;
        if first >= 31 {
            first += r.bits(1)?;
        }
        r.prev = first;
        r.cur = first;
        Ok(r)
    }

    /// Tops the bit buffer up to at least 56 valid bits.
    #[inline(always)]
    fn refill(&mut self) -> Result<(), CodecError> {
        if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
            // Load 8 bytes; count only the whole bytes that fit. The bits loaded beyond the
            // count are the stream's next bits, so loading them again later is harmless.
            let mut a = [0u8; 8];
            a.copy_from_slice(chunk);
            self.buf |= u64::from_le_bytes(a) << self.nbits;
            self.pos += ((63 - self.nbits) >> 3) as usize;
            self.nbits |= 56;
            Ok(())
        } else {
            self.refill_tail()
        }
    }

    /// Refill near the end of the input: past the end, zero bytes are loaded (and counted), and
    /// [`StreamReader::finish`] reports the overrun; a large overrun stops decoding here.
    #[cold]
    #[inline(never)]
    fn refill_tail(&mut self) -> Result<(), CodecError> {
        while self.nbits <= 56 {
            let byte = self.data.get(self.pos).copied().unwrap_or(0);
            self.buf |= u64::from(byte) << self.nbits;
            self.nbits += 8;
            self.pos += 1;
        }
        if self.pos > self.data.len() + OVERRUN_SLACK {
            return Err(self.truncated());
        }
        Ok(())
    }

    fn truncated(&self) -> CodecError {
        CodecError::Truncated {
            codec: CODEC_ID,
            offset: self.data.len() + PREFIX_LEN,
            needed: self.consumed_bytes().saturating_sub(self.data.len()).max(1),
            available: 0,
        }
    }

    /// Reads `width <= 32` bits.
    #[inline(always)]
    fn bits(&mut self, width: u32) -> Result<u32, CodecError> {
        if self.nbits < width {
            self.refill()?;
        }
        #[allow(clippy::cast_possible_truncation)]
        let v = (self.buf & ((1u64 << width) - 1)) as u32;
        self.buf >>= width;
        self.nbits -= width;
        Ok(v)
    }

    /// Reads the next signed value.
    ///
    /// # Errors
    ///
    /// [`CodecError::Corrupt`] for a width above 32 or an over-long zero run, and
    /// [`CodecError::Truncated`] when the data end well before the value.
    #[inline(always)]
    pub fn next_i32(&mut self) -> Result<i32, CodecError> {
        Ok(unzigzag(self.next_u32()?))
    }

    /// Reads the next unsigned (zigzag-mapped) value.
    ///
    /// # Errors
    ///
    /// As [`StreamReader::next_i32`].
    #[inline(always)]
    pub fn next_u32(&mut self) -> Result<u32, CodecError> {
        if self.nbits < 34 {
            self.refill()?;
        }
        let cur = self.cur;
        if cur == 0 {
            return self.next_in_zero_run();
        }
        // Width change of the next value: "0" same, "1,1" one more, "1,0" one less.
        let b0 = (self.buf & 1) as u32;
        let b1 = ((self.buf >> 1) & 1) as u32;
        let used = 1 + b0;
        let next = (cur + b0 * (2 * b1)).wrapping_sub(b0);
        if next > 32 {
            return Err(corrupt("a value width above 32 bits"));
        }
        // Where neither neighbour is wider, the top bit is implied (set) and not stored.
        let implied = u32::from(self.prev <= cur && next <= cur);
        let width = cur - implied;
        #[allow(clippy::cast_possible_truncation)]
        let value = ((self.buf >> used) & ((1u64 << width) - 1)) as u32 | (implied << (cur - 1));
        self.buf >>= used + width;
        self.nbits -= used + width;
        self.prev = cur;
        self.cur = next;
        Ok(value)
    }

    /// Reads `out.len()` signed values: what as many calls of [`StreamReader::next_i32`] return,
    /// faster (see [`StreamReader::read_each`]).
    ///
    /// # Errors
    ///
    /// As [`StreamReader::next_i32`].
    pub fn read_i32s(&mut self, out: &mut [i32]) -> Result<(), CodecError> {
        self.read_each(out.len(), |j, v| out[j] = v)
    }

    /// Reads `n` signed values, handing each to `sink` with its position (0, 1, …, `n - 1`):
    /// what as many calls of [`StreamReader::next_i32`] return, faster (see
    /// [`StreamReader::read_fold`]).
    ///
    /// # Errors
    ///
    /// As [`StreamReader::next_i32`]; `sink` has then seen the values before the error.
    #[inline(always)]
    pub fn read_each(&mut self, n: usize, sink: impl FnMut(usize, i32)) -> Result<(), CodecError> {
        self.read_fold(n, (), &mut Each(sink))
    }

    /// Reads `n` signed values and folds them into a state: `state = fold.value(state, j,
    /// value)` for the values at positions `j = 0, 1, …, n - 1`, in order ([`Fold::zero`] for
    /// the zeros of a run); returns the final state. The values are what as many calls of
    /// [`StreamReader::next_i32`] return, faster: the reader's state stays in registers, away
    /// from the end of the input a value takes no bounds check, and the zeros of a run are
    /// handed over in a tight loop. `fold` is inlined into that loop (a function of its own,
    /// not inlined into the caller), where its work overlaps the reading; a state carried from
    /// value to value, such as a prediction, stays in a register there, which a variable
    /// captured by a closure does not reliably do.
    ///
    /// # Errors
    ///
    /// As [`StreamReader::next_i32`]; `fold` has then seen the values before the error.
    #[inline(always)]
    pub fn read_fold<F: Fold>(
        &mut self,
        n: usize,
        mut state: F::State,
        fold: &mut F,
    ) -> Result<F::State, CodecError> {
        let mut i = 0;
        while i < n {
            (i, state) = self.read_fast(i, n, state, fold)?;
            if i == n {
                break;
            }
            if self.cur == 0 {
                // A run of zeros starts with a long run-length code, or near the end of the
                // input: read the code here, the fast part then hands over the zeros.
                self.zero_run = self.run_length()? - 1;
            } else {
                // Near the end of the input: one value the slow way.
                state = fold.value(state, i, self.next_i32()?);
                i += 1;
            }
        }
        Ok(state)
    }

    /// Reads a run-length code: `k` zero bits, a one bit, then `[k bits] x`; the run holds
    /// `2^k + x` values.
    fn run_length(&mut self) -> Result<i64, CodecError> {
        let mut k = 0u32;
        while self.bits(1)? == 0 {
            k += 1;
            if k > 30 {
                return Err(corrupt("a zero run longer than 2^31 values"));
            }
        }
        let x = self.bits(k)?;
        Ok((1i64 << k) + i64::from(x))
    }

    /// The fast part of [`StreamReader::read_fold`]: reads values `i..n` until fewer than 8
    /// bytes of input are left to load or a zero run with a long run-length code starts, and
    /// returns the position reached. Not inlined: in a function of its own the loop keeps
    /// `state` and the fold's constants in registers (inlined into a caller that also calls the
    /// slow paths, they were kept in memory, and the store and reload of the state lengthened
    /// the dependency chain of every value).
    #[inline(never)]
    // `prev` is set by every value of a group and read once, after the loop.
    #[allow(unused_assignments)]
    fn read_fast<F: Fold>(
        &mut self,
        mut i: usize,
        n: usize,
        mut state: F::State,
        fold: &mut F,
    ) -> Result<(usize, F::State), CodecError> {
        // Per 2-bit change code `c` (its first bit is bit 0), in 4-bit fields indexed by `c`:
        // - `NEXT`: the next width minus the current plus 1 ("0" same, "1,0" one less, "1,1"
        //   one more);
        // - `EXTRA[s]`, bits 0-1: the bits the change code and value take beyond the width (the
        //   code's length, minus 1 if the top bit is implied); bit 2: whether the top bit is
        //   implied. It is implied where the previous width is not larger (`s`, known from the
        //   previous code) and the next is not larger (`c != 3`).
        const NEXT: u64 = 0x2101;
        const EXTRA: [u64; 2] = [0x2121, 0x2454];
        let data = self.data;
        let (mut buf, mut nbits, mut pos) = (self.buf, self.nbits, self.pos);
        let (mut prev, mut cur, mut zero_run) = (self.prev, self.cur, self.zero_run);
        let mut extra = EXTRA[usize::from(prev <= cur)];
        // The loop-carried chain is buf -> c -> bits used -> buf: a few single-cycle operations
        // (the next width and the value are computed beside it). A refill puts a load on that
        // chain, so one refill serves as many values as surely fit in the 56 bits it
        // guarantees: a value takes at most its width plus 2 bits, and widths grow by at most
        // 1 per value, so from width w, 4 values fit if w <= 10 and 3 if w <= 15.
        // Decodes one value from `buf` (which must hold enough bits).
        macro_rules! one {
            () => {{
                let c4 = ((buf & 3) << 2) as u32;
                let k = extra >> c4;
                #[allow(clippy::cast_possible_truncation)]
                let shift = cur + (k & 3) as u32;
                #[allow(clippy::cast_possible_truncation)]
                let next = cur + ((NEXT >> c4) & 3) as u32 - 1;
                // The value's bits follow the change code (1 bit if it is 0, else 2); where the
                // top bit is implied the bit under it belongs to the next value and is replaced.
                let x = (buf >> 1) >> (buf & 1);
                let top = 1u64 << (cur - 1);
                let mask = (top << 1) - 1;
                #[allow(clippy::cast_possible_truncation)]
                let value = ((x & mask) | (top & 0u64.wrapping_sub((k >> 2) & 1))) as u32;
                buf >>= shift;
                nbits -= shift;
                extra = EXTRA[usize::from(c4 != 4)];
                prev = cur;
                cur = next;
                state = fold.value(state, i, unzigzag(value));
                i += 1;
            }};
        }
        while i < n {
            if cur == 0 {
                if zero_run < 0 {
                    // A run of zeros starts: `k` zero bits, a one bit, `[k bits] x`, `2^k + x`
                    // zeros. With k <= 27 the code lies within the 56 bits a refill gives;
                    // longer codes (runs of 2^28 zeros or more) are left to the slow part.
                    let Some(chunk) = data.get(pos..pos + 8) else {
                        break;
                    };
                    let mut a = [0u8; 8];
                    a.copy_from_slice(chunk);
                    buf |= u64::from_le_bytes(a) << nbits;
                    pos += ((63 - nbits) >> 3) as usize;
                    nbits |= 56;
                    let k = buf.trailing_zeros();
                    if k > 27 {
                        break;
                    }
                    let x = (buf >> (k + 1)) as u32 & ((1u32 << k) - 1);
                    zero_run = (1i64 << k) + i64::from(x) - 1;
                    buf >>= 2 * k + 1;
                    nbits -= 2 * k + 1;
                }
                // Inside a run of zeros (`zero_run` more after the next one): hand over the
                // zeros up to `n`.
                let left = zero_run + 1;
                let take = i64::try_from(n - i).unwrap_or(i64::MAX).min(left);
                #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
                let count = take as usize;
                state = fold.zeros(state, i, count);
                i += count;
                zero_run = left - 1 - take;
                if zero_run < 0 {
                    // After a run the width is 1 (a run is only left upwards), the previous 0.
                    prev = 0;
                    cur = 1;
                    extra = EXTRA[1];
                }
                continue;
            }
            let Some(chunk) = data.get(pos..pos + 8) else {
                break;
            };
            let mut a = [0u8; 8];
            a.copy_from_slice(chunk);
            buf |= u64::from_le_bytes(a) << nbits;
            pos += ((63 - nbits) >> 3) as usize;
            nbits |= 56;
            // From width w the next values are at least w - 1, w - 2, …: no zero width and no
            // width above 32 within a group.
            if (4..=10).contains(&cur) && n - i >= 4 {
                one!();
                one!();
                one!();
                one!();
            } else if (3..=15).contains(&cur) && n - i >= 3 {
                one!();
                one!();
                one!();
            } else {
                if cur == 32 && buf & 3 == 3 {
                    return Err(corrupt("a value width above 32 bits"));
                }
                one!();
            }
        }
        (self.buf, self.nbits, self.pos) = (buf, nbits, pos);
        (self.prev, self.cur, self.zero_run) = (prev, cur, zero_run);
        Ok((i, state))
    }

    /// [`StreamReader::next_u32`] for a value of width 0 (always 0), which starts or continues a
    /// run of such values.
    #[inline(always)]
    fn next_in_zero_run(&mut self) -> Result<u32, CodecError> {
        let next = if self.zero_run >= 0 {
            let next = u32::from(self.zero_run == 0);
            self.zero_run -= 1;
            next
        } else {
            let run = self.run_length()?;
            self.zero_run = run - 2;
            u32::from(run == 1)
        };
        self.prev = 0;
        self.cur = next;
        Ok(0)
    }

    /// Bytes of input the values read so far occupy (the reference decoder's read position).
    #[must_use]
    pub fn consumed_bytes(&self) -> usize {
        (self.pos * 8 - self.nbits as usize).div_ceil(8)
    }

    /// Checks that the values read so far end exactly at the end of the input.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if they needed more bytes than there are, [`CodecError::Corrupt`]
    /// if bytes are left over.
    pub fn finish(&self) -> Result<(), CodecError> {
        let used = self.consumed_bytes();
        match used.cmp(&self.data.len()) {
            std::cmp::Ordering::Equal => Ok(()),
            std::cmp::Ordering::Greater => Err(self.truncated()),
            std::cmp::Ordering::Less => Err(corrupt(&format!(
                "{} trailing byte(s) after the last value (stream ends at byte {used} of {})",
                self.data.len() - used,
                self.data.len()
            ))),
        }
    }
}

/// What [`StreamReader::read_fold`] hands the values to: a step from one state to the next per
/// value.
pub trait Fold {
    /// What is carried from value to value (a prediction, or nothing).
    type State: Copy;

    /// Takes the value at position `j`.
    fn value(&mut self, state: Self::State, j: usize, value: i32) -> Self::State;

    /// Takes a zero of a run of zeros at position `j` (the reader knows these are zeros, so a
    /// fold may take a shorter path): by default [`Fold::value`] with 0.
    #[inline(always)]
    fn zero(&mut self, state: Self::State, j: usize) -> Self::State {
        self.value(state, j, 0)
    }

    /// Takes `count` zeros of a run, at positions `j..j + count`: by default [`Fold::zero`] for
    /// each, in a tight loop.
    #[inline(always)]
    fn zeros(&mut self, mut state: Self::State, j: usize, count: usize) -> Self::State {
        for t in j..j + count {
            state = self.zero(state, t);
        }
        state
    }
}

/// A [`Fold`] without state: calls a closure with each position and value.
struct Each<F>(F);

impl<F: FnMut(usize, i32)> Fold for Each<F> {
    type State = ();

    #[inline(always)]
    fn value(&mut self, (): (), j: usize, value: i32) {
        (self.0)(j, value);
    }
}

pub(crate) fn corrupt(message: &str) -> CodecError {
    CodecError::Corrupt {
        codec: CODEC_ID,
        message: message.to_owned(),
    }
}

/// The header of a lilcom stream: the first `2 + 2 * shape.len()` values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Quantisation step exponent: codes are multiples of `2^tick_power`, in `-20..=20`.
    pub tick_power: i32,
    /// Array shape, outermost axis first; every extent is at least 1.
    pub shape: Vec<usize>,
    /// Regression coefficient of each axis, as `k` meaning `k / 256`, `|k| <= 256`.
    pub coeffs: Vec<i32>,
}

impl Header {
    /// Reads the header from the start of a stream, leaving `reader` at the first element code.
    ///
    /// # Errors
    ///
    /// [`CodecError::Corrupt`] for an axis count outside `1..=16`, a `tick_power` outside
    /// `-20..=20`, an extent below 1 or a coefficient outside `-256..=256` — the values the
    /// reference decoder rejects — and truncation errors from the stream.
    pub fn read(reader: &mut StreamReader<'_>) -> Result<Self, CodecError> {
        let num_axes = reader.next_i32()?;
        let Some(num_axes) = usize::try_from(num_axes)
            .ok()
            .filter(|n| (1..=MAX_AXES_READ).contains(n))
        else {
            return Err(corrupt(&format!(
                "header declares {num_axes} axes (valid: 1..=16)"
            )));
        };
        let tick_power = reader.next_i32()?;
        if !TICK_POWER_RANGE.contains(&tick_power) {
            return Err(corrupt(&format!(
                "header declares tick_power {tick_power} (valid: -20..=20)"
            )));
        }
        let mut shape = Vec::with_capacity(num_axes);
        let mut coeffs = Vec::with_capacity(num_axes);
        for axis in 0..num_axes {
            let dim = reader.next_i32()?;
            let coeff = reader.next_i32()?;
            let Some(dim) = usize::try_from(dim).ok().filter(|&d| d >= 1) else {
                return Err(corrupt(&format!(
                    "header declares extent {dim} for axis {axis} (must be >= 1)"
                )));
            };
            if !(-COEFF_SCALE..=COEFF_SCALE).contains(&coeff) {
                return Err(corrupt(&format!(
                    "header declares regression coefficient {coeff}/256 for axis {axis} (valid: -256..=256)"
                )));
            }
            shape.push(dim);
            coeffs.push(coeff);
        }
        Ok(Self {
            tick_power,
            shape,
            coeffs,
        })
    }

    /// Appends the header values (signed) to `out`.
    pub fn push_values(&self, out: &mut Vec<u32>) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
        let rank = self.shape.len() as i32;
        out.push(zigzag(rank));
        out.push(zigzag(self.tick_power));
        for (&d, &c) in self.shape.iter().zip(&self.coeffs) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            out.push(zigzag(d as i32));
            out.push(zigzag(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_c_round() {
        for v in [
            0.0f32,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999997,
            -0.49999997,
            8388607.5,
            8388608.0,
            16777217.0,
            2147483520.0,
            2147483648.0,
            -2147483648.0,
            1e20,
            -1e20,
            f32::INFINITY,
            f32::NEG_INFINITY,
            123.456,
            -123.456,
        ] {
            let want = v.round() as i32;
            assert_eq!(round_half_away(v), want, "{v}");
        }
        assert_eq!(round_half_away(f32::NAN), 0);
        let mut s = 1u32;
        for _ in 0..100_000 {
            s = s.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
            let v = f32::from_bits(s);
            if v.is_finite() {
                assert_eq!(round_half_away(v), v.round() as i32, "{v}");
            }
        }
    }

    #[test]
    fn minimal_widths_are_the_pointwise_smallest() {
        let mut s = 99u32;
        for len in [1usize, 2, 3, 5, 17, 40, 100, 1000] {
            let v: Vec<u32> = (0..len)
                .map(|i| {
                    s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    if i % 13 < 6 { 0 } else { s >> (s % 33).min(31) }
                })
                .collect();
            let mut w = Vec::new();
            minimal_widths(&v, &mut w);
            for (i, &wi) in w.iter().enumerate() {
                let want = (0..len)
                    .map(|j| i64::from(bit_width(v[j])) - (i as i64 - j as i64).abs())
                    .max()
                    .unwrap()
                    .max(0);
                assert_eq!(i64::from(wi), want, "len {len} index {i}");
            }
        }
    }

    #[test]
    fn zigzag_round_trips() {
        for v in [0, 1, -1, 2, -2, i32::MAX, i32::MIN, 12345, -98765] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(i32::MIN), u32::MAX);
    }

    fn round_trip(values: &[u32]) {
        let mut w = Vec::new();
        minimal_widths(values, &mut w);
        let bytes = encode_stream(values, &w);
        let mut r = StreamReader::new(&bytes).unwrap();
        for (i, &v) in values.iter().enumerate() {
            assert_eq!(r.next_u32().unwrap(), v, "value {i} of {values:?}");
        }
        r.finish().unwrap();
        // The block reader, in blocks of several sizes, mixed with single reads.
        for block in [1usize, 3, 80, 1000, 4096] {
            let mut r = StreamReader::new(&bytes).unwrap();
            let mut got = Vec::new();
            while got.len() < values.len() {
                let mut b = vec![0i32; block.min(values.len() - got.len())];
                r.read_i32s(&mut b).unwrap();
                got.extend(b.iter().map(|&v| zigzag(v)));
                if got.len() < values.len() {
                    got.push(r.next_u32().unwrap());
                }
            }
            assert_eq!(got, values, "blocks of {block}");
            r.finish().unwrap();
        }
    }

    #[test]
    fn streams_round_trip() {
        round_trip(&[0]);
        round_trip(&[5]);
        round_trip(&[u32::MAX]);
        round_trip(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
        round_trip(&[
            u32::MAX,
            0,
            0,
            0,
            u32::MAX,
            1,
            2,
            3,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            7,
        ]);
        let mut s = 12345u32;
        let v: Vec<u32> = (0..5000)
            .map(|i| {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                if i % 97 < 30 { 0 } else { s >> (s % 32) }
            })
            .collect();
        round_trip(&v);
    }

    #[test]
    fn long_zero_runs_round_trip() {
        // Runs of every length class (around powers of two, across blocks), between values of
        // small and large widths, and at both ends.
        let mut v = Vec::new();
        for (k, run) in [
            1usize, 2, 3, 31, 32, 33, 79, 80, 81, 1000, 4095, 4096, 4097, 70_000,
        ]
        .into_iter()
        .enumerate()
        {
            v.extend(std::iter::repeat_n(0, run));
            v.push(if k % 2 == 0 { 1 } else { 1 << (k + 10) });
        }
        v.extend(std::iter::repeat_n(0, 5000));
        round_trip(&v);
    }

    /// A stream of bit fields `(n, value)` after the prefix, least significant bit first.
    fn handmade(fields: &[(u32, u64)]) -> Vec<u8> {
        let mut bits = Vec::new();
        for &(n, v) in fields {
            bits.extend((0..n).map(|i| (v >> i) & 1 == 1));
        }
        let mut out = vec![MAGIC, FORMAT_VERSION];
        out.extend(bits.chunks(8).map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |b, (i, &bit)| b | (u8::from(bit) << i))
        }));
        out
    }

    #[test]
    fn run_with_a_long_code_read_in_part() {
        // First width 0, then a run-length code with k = 28 (beyond the fast path's 27):
        // 2^28 + 5 zeros in 8 bytes. The block reader and the value-by-value reader agree on
        // the first values and on where they are in the run.
        let run = (1u64 << 28) + 5;
        let bytes = handmade(&[(5, 0), (28, 0), (1, 1), (28, 5)]);
        let mut fast = StreamReader::new(&bytes).unwrap();
        let mut slow = fast.clone();
        let mut zeros = 0;
        fast.read_each(1000, |_, v| zeros += usize::from(v == 0))
            .unwrap();
        assert_eq!(zeros, 1000);
        for _ in 0..1000 {
            assert_eq!(slow.next_u32().unwrap(), 0);
        }
        // The rest of the run, handed over in bulk, then the reader is past the run.
        struct Count;
        impl Fold for Count {
            type State = u64;
            fn value(&mut self, n: u64, _: usize, v: i32) -> u64 {
                assert_eq!(v, 0);
                n + 1
            }
            fn zeros(&mut self, n: u64, _: usize, count: usize) -> u64 {
                n + count as u64
            }
        }
        let rest = usize::try_from(run - 1000).unwrap();
        assert_eq!(fast.read_fold(rest, 0, &mut Count).unwrap(), run - 1000);
        assert_eq!(fast.cur, 1, "a run is left upwards");
        fast.finish().unwrap();
    }
}
