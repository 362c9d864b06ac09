//! Context model 1 ("fast"): a static model per chunk on the interleaved rANS coder of
//! [`ndcodecs_entropy`]. `specs/arith/README.md` (section *Model 1*) describes every step; the
//! comments here name the spec's terms.
//!
//! Every value `v` is zigzagged (`u`), split into a **symbol** (its bit length `e`, with the bit
//! below the leading one for `e >= 2`: 128 symbols at most) and `e − 2` **raw bits** below that,
//! which go to a separate bit stream. The symbol is coded with the static table of one of
//! [`CONTEXTS`] contexts, chosen from the bit lengths of the left neighbour, the neighbour
//! before it and the three neighbours of the previous row (the geometry of model 0). The
//! encoder counts the symbols per context in a first pass, stores the quantised frequencies in
//! the payload and codes the symbols with four interleaved rANS states; the decoder needs one
//! table lookup per value. The idea is the static per-context tables of SZ3's Huffman stage
//! and of JPEG-LS / LOCO-I's context classes, on a faster coder.

use ndcodecs_core::{ByteReader, CodecError};
use ndcodecs_entropy::{
    EntropyError, RANS_MAX_SYMBOLS, RansDecoder, RansEncSymbol, RansEncoder, quantize_frequencies,
};

use crate::{CODEC_ID, element::ArithElement};

/// Number of contexts.
pub(crate) const CONTEXTS: usize = 16;
/// Symbols of the alphabet (`2 × 64`).
const SYMBOLS: usize = RANS_MAX_SYMBOLS;

/// The context of a value from its neighbours' symbols (`sL` left, `sL2` the one before,
/// `sU`, `sUL`, `sUR` above, above-left and above-right; 0 where a neighbour does not exist):
/// `min(15, (2 sL + sL2 + sU + (sUL + sUR) / 2 + 2) / 4)`. A symbol is about twice its value's
/// bit length, so this is a weighted mean of the neighbours' bit lengths.
#[inline(always)]
const fn context(s_left: u32, s_left2: u32, up_part: u32) -> usize {
    let a = (2 * s_left + s_left2 + up_part + 2) >> 2;
    (if a < 15 { a } else { 15 }) as usize
}

/// The part of [`context`]'s sum from the row above: `sU + (sUL + sUR) / 2`.
#[inline(always)]
fn up_part(up: &[u8], j: usize) -> u32 {
    u32::from(up[j + 1]) + ((u32::from(up[j]) + u32::from(up[j + 2])) >> 1)
}

/// Raw bits below a symbol's two leading bits: `max(0, e − 2)`.
const RAW_BITS: [u8; SYMBOLS] = {
    let mut t = [0u8; SYMBOLS];
    let mut s = 2;
    while s < SYMBOLS {
        t[s] = (s / 2 - 1) as u8;
        s += 1;
    }
    t
};
/// A symbol's leading bits: `u >> (e − 2)` for `e >= 2` (`2` or `3`), `u` itself below.
const TOP: [u8; SYMBOLS] = {
    let mut t = [0u8; SYMBOLS];
    let mut s = 0;
    while s < SYMBOLS {
        t[s] = if s < 2 { s as u8 } else { 2 | (s & 1) as u8 };
        s += 1;
    }
    t
};

/// `(symbol, e)` of a zigzagged value `u`.
#[inline(always)]
fn symbol_of(u: u64) -> (usize, u32) {
    let e = 64 - u.leading_zeros();
    // without a branch: for `e < 2` the formula gives `u` (= `e`) as well
    (
        (2 * e.max(1) - 2) as usize | ((u >> e.saturating_sub(2)) & 1) as usize,
        e,
    )
}

#[inline(always)]
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline(always)]
fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

/// The geometry of model 0: extent-1 axes dropped; rows along the last remaining axis; the
/// previous row along the second-to-last axis, where it exists.
struct Geometry {
    /// row length `L`
    len: usize,
    /// extent of the second-to-last remaining axis (1 if there is none)
    rows_per_plane: usize,
}

impl Geometry {
    fn new(shape: &[usize]) -> Self {
        let kept: Vec<usize> = shape.iter().copied().filter(|&d| d != 1).collect();
        Self {
            len: kept.last().copied().unwrap_or(1),
            rows_per_plane: if kept.len() >= 2 {
                kept[kept.len() - 2]
            } else {
                1
            },
        }
    }
}

/// LSB-first bit reader over a copy of the raw bits with 8 zero bytes after them, so that
/// every read is one unaligned 8-byte load; past the end it reads zero bits (and
/// [`finish`](Self::finish) says so).
struct BitReader {
    data: Vec<u8>,
    /// length of the raw bits in bytes
    len: usize,
    /// bits read
    pos: usize,
}

impl BitReader {
    fn new(raw: &[u8]) -> Self {
        let mut data = Vec::with_capacity(raw.len() + 8);
        data.extend_from_slice(raw);
        data.resize(raw.len() + 8, 0);
        Self {
            data,
            len: raw.len(),
            pos: 0,
        }
    }

    /// The 8 bytes at byte `at`, zeros past the end.
    #[inline(always)]
    fn word(&self, at: usize) -> u64 {
        match self.data.get(at..at + 8) {
            Some(b) => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            None => 0,
        }
    }

    /// `count <= 62` bits.
    #[inline(always)]
    fn get(&mut self, count: u32) -> u64 {
        if count <= 56 {
            let v = (self.word(self.pos >> 3) >> (self.pos & 7)) & ((1u64 << count) - 1);
            self.pos += count as usize;
            v
        } else {
            let lo = self.get(32);
            lo | self.get(count - 32) << 32
        }
    }

    /// Checks that the bits read end in the last byte of the data and that the bits after them
    /// in that byte are zero.
    fn finish(&self) -> Result<(), CodecError> {
        let needed = self.pos.div_ceil(8);
        if needed > self.len {
            return Err(CodecError::Truncated {
                codec: CODEC_ID,
                offset: self.len,
                needed: needed - self.len,
                available: 0,
            });
        }
        if needed < self.len {
            return Err(corrupt(format!(
                "{} trailing bytes after the raw bits",
                self.len - needed
            )));
        }
        let tail = (8 - self.pos % 8) % 8;
        if tail > 0 && (self.word(self.pos >> 3) >> (self.pos & 7)) & ((1u64 << tail) - 1) != 0 {
            return Err(corrupt(
                "the raw bits' last byte is not padded with zeros".into(),
            ));
        }
        Ok(())
    }
}

fn corrupt(message: String) -> CodecError {
    CodecError::Corrupt {
        codec: CODEC_ID,
        message,
    }
}

/// Unsigned LEB128 in its shortest encoding, at most `max`.
fn get_varint(r: &mut ByteReader<'_>, max: u64, what: &str) -> Result<u64, CodecError> {
    let v = crate::format::get_varint(r, || what.to_string())?;
    if v > max {
        return Err(corrupt(format!("{what} {v} exceeds {max}")));
    }
    Ok(v)
}

/// Largest symbol of a `bits`-wide dtype: `2 × bits − 1`.
const fn max_symbol(bits: u32) -> usize {
    2 * bits as usize - 1
}

/// Calls `row(start, has_up)` for every row, in order.
#[inline(always)]
fn for_each_row(n: usize, geo: &Geometry, mut row: impl FnMut(usize, bool)) {
    let mut r = 0usize;
    let mut start = 0usize;
    while start < n {
        row(start, !r.is_multiple_of(geo.rows_per_plane));
        r += 1;
        start += geo.len;
    }
}

/// Appends the raw bits of `values` (the bits below each zigzagged value's two leading bits,
/// `bits` in all), LSB first, to `out`: every put stores the 8-byte buffer at the current byte
/// (`out` has 8 bytes of room past the end while they are written).
fn put_raw_bits<T: ArithElement>(values: &[T], bits: usize, out: &mut Vec<u8>) {
    let base = out.len();
    let bytes = bits.div_ceil(8);
    out.resize(base + bytes + 8, 0);
    let dst = &mut out[base..];
    let (mut pos, mut buf, mut nb) = (0usize, 0u64, 0u32);
    for v in values {
        let u = zigzag(v.to_signed());
        let count = symbol_of(u).1.saturating_sub(2);
        let (bits, count) = if count > 56 {
            // only 64-bit values: the low 32 bits first
            put_bits(dst, &mut pos, &mut buf, &mut nb, u & 0xFFFF_FFFF, 32);
            (u >> 32, count - 32)
        } else {
            (u, count)
        };
        put_bits(dst, &mut pos, &mut buf, &mut nb, bits, count);
    }
    debug_assert_eq!(8 * pos + nb as usize, bits);
    out.truncate(base + bytes);
}

/// Puts the low `count <= 56` bits of `bits` (the writer's state: bytes complete `pos`, the
/// bits not yet complete bytes `buf`, their number `nb`, below 8 after every put).
#[inline(always)]
fn put_bits(out: &mut [u8], pos: &mut usize, buf: &mut u64, nb: &mut u32, bits: u64, count: u32) {
    *buf |= (bits & !(u64::MAX << count)) << *nb;
    *nb += count;
    if let Some(b) = out.get_mut(*pos..*pos + 8) {
        b.copy_from_slice(&buf.to_le_bytes());
    }
    let whole = *nb & !7;
    *pos += (whole >> 3) as usize;
    *buf >>= whole;
    *nb &= 7;
}

/// Appends the model-1 payload of `values` (C order, shape `shape`) to `out`.
pub(crate) fn encode_values<T: ArithElement>(values: &[T], shape: &[usize], out: &mut Vec<u8>) {
    let n = values.len();
    if n == 0 {
        return;
    }
    let geo = Geometry::new(shape);
    let len = geo.len;
    // pass 1: symbols with their contexts (`ctx << 7 | symbol`), histograms; row by row, the
    // symbols first and then the contexts (no loop-carried dependency in either loop)
    let mut coded: Vec<u16> = vec![0; n];
    // four histograms, taken in turn, so that repeated symbols do not wait on one counter
    const H: usize = CONTEXTS * SYMBOLS;
    let mut hists = vec![0u64; 4 * H];
    // symbols of the previous and the current row, with two zeros before and one after
    let mut up = vec![0u8; len + 3];
    let mut cur = vec![0u8; len + 3];
    for_each_row(n, &geo, |start, has_up| {
        if !has_up {
            up.fill(0);
        }
        let row = &values[start..start + len];
        for (cs, v) in cur[2..len + 2].iter_mut().zip(row) {
            #[allow(clippy::cast_possible_truncation)]
            {
                *cs = symbol_of(zigzag(v.to_signed())).0 as u8;
            }
        }
        let codes = &mut coded[start..start + len];
        // `up_part` reads positions j..=j+2 of the row above; here it starts one zero later
        let (ups, curs) = (&up[1..len + 3], &cur[..len + 3]);
        for (j, c) in codes.iter_mut().enumerate() {
            let ctx = context(u32::from(curs[j + 1]), u32::from(curs[j]), up_part(ups, j));
            let cs = ctx << 7 | usize::from(curs[j + 2]);
            #[allow(clippy::cast_possible_truncation)]
            {
                *c = cs as u16;
            }
            hists[((j & 3) * H + cs) & (4 * H - 1)] += 1;
        }
        std::mem::swap(&mut up, &mut cur);
    });
    let hist: Vec<[u64; SYMBOLS]> = (0..CONTEXTS)
        .map(|c| {
            std::array::from_fn(|k| (0..4).map(|h| hists[h * H + c * SYMBOLS + k]).sum::<u64>())
        })
        .collect();
    // the tables: quantised frequencies of the contexts that occur
    let mut packed = vec![RansEncSymbol::default(); CONTEXTS * SYMBOLS];
    let mut freqs = [0u16; SYMBOLS];
    for (ctx, h) in hist.iter().enumerate() {
        let used = h.iter().filter(|&&c| c > 0).count();
        if used == 0 {
            out.push(0);
            continue;
        }
        if used == 1 {
            // a lone symbol `s`: listed without a frequency; it keeps 4095/4096 and its pair
            // symbol `s xor 1` (within every dtype's alphabet) 1/4096, so that no value costs
            // nothing (see the decoder's bound on declared sizes)
            let s = h.iter().position(|&c| c > 0).unwrap_or(0);
            out.push(1);
            #[allow(clippy::cast_possible_truncation)]
            out.push(s as u8);
            packed[ctx * SYMBOLS + s] = if s & 1 == 0 {
                RansEncSymbol::new(0, 4095)
            } else {
                RansEncSymbol::new(1, 4095)
            };
            continue;
        }
        quantize_frequencies(h, &mut freqs);
        #[allow(clippy::cast_possible_truncation)]
        out.push(used as u8);
        let mut start = 0u32;
        for (sym, &f) in freqs.iter().enumerate() {
            if f == 0 {
                continue;
            }
            #[allow(clippy::cast_possible_truncation)]
            out.push(sym as u8);
            ndcodecs_core::bytes::put_varint(out, u64::from(f));
            packed[ctx * SYMBOLS + sym] = RansEncSymbol::new(start, u32::from(f));
            start += u32::from(f);
        }
    }
    // pass 2: rANS, last symbol first
    let mut enc = RansEncoder::with_capacity(n / 4 + 16);
    enc.put_rev(n, |i| {
        packed[usize::from(coded[i]) & (CONTEXTS * SYMBOLS - 1)]
    });
    ndcodecs_core::bytes::put_varint(out, enc.len() as u64);
    enc.finish_into(out);
    // the raw bits: as many as the symbols counted say
    let raw_bits: u64 = hist
        .iter()
        .flat_map(|h| h.iter().zip(RAW_BITS))
        .map(|(&c, b)| c * u64::from(b))
        .sum();
    #[allow(clippy::cast_possible_truncation)]
    put_raw_bits(values, raw_bits as usize, out);
}

fn entropy_error(e: &EntropyError) -> CodecError {
    corrupt(format!("rANS stream: {e}"))
}

/// Decodes the model-1 payload `payload` into `out` (C order, shape `shape`).
///
/// # Errors
///
/// [`CodecError::Truncated`] / [`CodecError::Corrupt`] for a damaged payload (tables,
/// lengths, rANS end, raw bits' end, trailing bytes).
pub(crate) fn decode_values<T: ArithElement>(
    payload: &[u8],
    shape: &[usize],
    out: &mut [T],
) -> Result<(), CodecError> {
    let n = out.len();
    if n == 0 {
        if payload.is_empty() {
            return Ok(());
        }
        return Err(corrupt(format!(
            "{} bytes of payload for an array without values",
            payload.len()
        )));
    }
    let mut r = ByteReader::new(CODEC_ID, payload);
    let max_sym = max_symbol(T::BITS);
    // one table per context; a context without symbols gets no table and is an error if met
    let mut tables: Vec<Option<[u16; SYMBOLS]>> = Vec::with_capacity(CONTEXTS);
    let mut freqs = [0u16; SYMBOLS];
    for ctx in 0..CONTEXTS {
        let used = usize::from(r.u8()?);
        if used == 0 {
            tables.push(None);
            continue;
        }
        freqs.fill(0);
        if used == 1 {
            let sym = usize::from(r.u8()?);
            if sym > max_sym {
                return Err(corrupt(format!(
                    "context {ctx}: symbol {sym} above {max_sym}"
                )));
            }
            freqs[sym] = 4095;
            freqs[sym ^ 1] = 1;
            tables.push(Some(freqs));
            continue;
        }
        if used > max_sym + 1 {
            return Err(corrupt(format!(
                "context {ctx} lists {used} symbols, more than a {}-bit value has",
                T::BITS
            )));
        }
        freqs.fill(0);
        let mut last: Option<usize> = None;
        let mut total = 0u64;
        for _ in 0..used {
            let sym = usize::from(r.u8()?);
            if sym > max_sym || last.is_some_and(|l| sym <= l) {
                return Err(corrupt(format!(
                    "context {ctx}: symbol {sym} out of order or above {max_sym}"
                )));
            }
            last = Some(sym);
            let f = get_varint(&mut r, 4095, "a frequency")?;
            if f == 0 {
                return Err(corrupt(format!(
                    "context {ctx}: a listed symbol with frequency 0"
                )));
            }
            total += f;
            #[allow(clippy::cast_possible_truncation)]
            {
                freqs[sym] = f as u16;
            }
        }
        if total != 4096 {
            return Err(corrupt(format!(
                "context {ctx}: frequencies sum to {total}, not 4096"
            )));
        }
        tables.push(Some(freqs));
    }
    let rans_len = get_varint(&mut r, payload.len() as u64, "the rANS stream's length")?;
    #[allow(clippy::cast_possible_truncation)]
    let rans_bytes = r.take(rans_len as usize)?;
    let raw_bytes = r.remaining();
    let mut dec = RansDecoder::new(rans_bytes).map_err(|e| entropy_error(&e))?;
    let mut bits = BitReader::new(raw_bytes);

    // flat tables: the symbol of every slot of every context, and `start | freq << 16` of
    // every (context, symbol); a context without a table decodes symbol 0 and fails at the end
    let mut slot_sym: Box<[u8; CONTEXTS << 12]> = vec![0u8; CONTEXTS << 12]
        .into_boxed_slice()
        .try_into()
        .map_err(|_| corrupt("the slot table has the wrong size".into()))?;
    let mut interval: Box<[u32; CONTEXTS * SYMBOLS]> = Box::new([4096 << 16; CONTEXTS * SYMBOLS]);
    let mut used_mask = 0u32;
    for (ctx, f) in tables.iter().enumerate() {
        let Some(f) = f else { continue };
        used_mask |= 1 << ctx;
        let mut cum = 0usize;
        for (sym, &q) in f.iter().enumerate() {
            let q = usize::from(q);
            slot_sym[(ctx << 12) + cum..(ctx << 12) + cum + q].fill(sym as u8);
            #[allow(clippy::cast_possible_truncation)]
            {
                interval[ctx * SYMBOLS + sym] = (cum as u32) | (q as u32) << 16;
            }
            cum += q;
        }
    }
    let mut seen_mask = 0u32;

    let geo = Geometry::new(shape);
    let len = geo.len;
    let mut up = vec![0u8; len + 2];
    let mut cur = vec![0u8; len + 2];
    for_each_row(n, &geo, |start, has_up| {
        if !has_up {
            up.fill(0);
        }
        let row = &mut out[start..start + len];
        let ups = &up[..len + 2];
        let curs = &mut cur[1..=len];
        let (mut sl, mut sl2) = (0u32, 0u32);
        for (j, (o, cs)) in row.iter_mut().zip(curs.iter_mut()).enumerate() {
            let ctx = context(sl, sl2, up_part(ups, j));
            seen_mask |= 1 << ctx;
            let lane = start + j;
            let slot = dec.slot(lane) as usize;
            let sym = usize::from(slot_sym[(ctx << 12 | slot) & ((CONTEXTS << 12) - 1)]);
            let p = interval[(ctx * SYMBOLS + sym) & (CONTEXTS * SYMBOLS - 1)];
            dec.advance(lane, p & 0xFFFF, p >> 16);
            let sym = sym & (SYMBOLS - 1);
            let nb = u32::from(RAW_BITS[sym]);
            let u = u64::from(TOP[sym]) << nb | bits.get(nb);
            *o = T::from_signed(unzigzag(u));
            #[allow(clippy::cast_possible_truncation)]
            {
                *cs = sym as u8;
            }
            sl2 = sl;
            #[allow(clippy::cast_possible_truncation)]
            {
                sl = sym as u32;
            }
        }
        std::mem::swap(&mut up, &mut cur);
    });
    dec.finish().map_err(|e| match e {
        EntropyError::Truncated { .. } => CodecError::Truncated {
            codec: CODEC_ID,
            offset: payload.len(),
            needed: 1,
            available: 0,
        },
        other => entropy_error(&other),
    })?;
    bits.finish()?;
    if seen_mask & !used_mask != 0 {
        return Err(corrupt(
            "a value falls in a context whose table is empty".into(),
        ));
    }
    Ok(())
}
