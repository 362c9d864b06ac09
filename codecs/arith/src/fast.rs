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
    EntropyError, RANS_MAX_SYMBOLS, RansDecoder, RansEncoder, RansTable, quantize_frequencies,
};

use crate::{CODEC_ID, element::ArithElement};

/// Number of contexts.
pub(crate) const CONTEXTS: usize = 16;
/// Symbols of the alphabet (`2 × 64`).
const SYMBOLS: usize = RANS_MAX_SYMBOLS;

/// The context of a value from its neighbours' bit lengths: `min(15, activity)` with the
/// activity `(2 eL + eL2 + eU + (eUL + eUR) / 2 + 1) / 2` (see [`context`]).
#[inline(always)]
fn context(e_left: u32, e_left2: u32, e_up: u32, e_ul: u32, e_ur: u32) -> usize {
    let a = (2 * e_left + e_left2 + e_up + ((e_ul + e_ur) >> 1) + 1) >> 1;
    a.min(15) as usize
}

/// Bit length `e` of a zigzagged value whose symbol is `s` (`s` for `s < 2`, `s / 2 + 1`
/// otherwise).
const fn bit_length_of(s: usize) -> u8 {
    if s < 2 { s as u8 } else { (s / 2 + 1) as u8 }
}
const BIT_LENGTH: [u8; SYMBOLS] = {
    let mut t = [0u8; SYMBOLS];
    let mut s = 0;
    while s < SYMBOLS {
        t[s] = bit_length_of(s);
        s += 1;
    }
    t
};

/// `(symbol, e)` of a zigzagged value `u`.
#[inline(always)]
fn symbol_of(u: u64) -> (usize, u32) {
    let e = 64 - u.leading_zeros();
    if e < 2 {
        (e as usize, e)
    } else {
        ((2 * e - 2) as usize | ((u >> (e - 2)) & 1) as usize, e)
    }
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

/// LSB-first bit writer of the raw bits.
struct BitWriter {
    out: Vec<u8>,
    buf: u64,
    n: u32,
}

impl BitWriter {
    #[inline(always)]
    fn put(&mut self, bits: u64, count: u32) {
        // count <= 62: split so that the buffer never holds more than 63 bits
        if count > 32 {
            self.put(bits & 0xFFFF_FFFF, 32);
            self.put(bits >> 32, count - 32);
            return;
        }
        self.buf |= (bits & ((1u64 << count) - 1)) << self.n;
        self.n += count;
        if self.n >= 32 {
            #[allow(clippy::cast_possible_truncation)]
            self.out.extend_from_slice(&(self.buf as u32).to_le_bytes());
            self.buf >>= 32;
            self.n -= 32;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        let bytes = self.n.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.buf.to_le_bytes()[..bytes]);
        self.out
    }
}

/// LSB-first bit reader; past the end it reads zero bits (and [`finish`](Self::finish) says
/// so).
struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    buf: u64,
    n: u32,
}

impl<'a> BitReader<'a> {
    const fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            buf: 0,
            n: 0,
        }
    }

    #[inline(always)]
    fn refill(&mut self) {
        let w = match self.data.get(self.pos..self.pos + 4) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => {
                let mut b = [0u8; 4];
                let rest = self.data.get(self.pos..).unwrap_or(&[]);
                b[..rest.len()].copy_from_slice(rest);
                u32::from_le_bytes(b)
            }
        };
        self.buf |= u64::from(w) << self.n;
        self.pos += 4;
        self.n += 32;
    }

    /// `count <= 32` bits.
    #[inline(always)]
    fn get32(&mut self, count: u32) -> u64 {
        if self.n < count {
            self.refill();
        }
        let v = self.buf & ((1u64 << count) - 1);
        self.buf >>= count;
        self.n -= count;
        v
    }

    #[inline(always)]
    fn get(&mut self, count: u32) -> u64 {
        if count > 32 {
            let lo = self.get32(32);
            lo | self.get32(count - 32) << 32
        } else {
            self.get32(count)
        }
    }

    /// Checks that the bits read end in the last byte of the data and that the bits after them
    /// in that byte are zero.
    fn finish(&self) -> Result<(), CodecError> {
        let read = self.pos * 8 - self.n as usize;
        let needed = read.div_ceil(8);
        if needed > self.data.len() {
            return Err(CodecError::Truncated {
                codec: CODEC_ID,
                offset: self.data.len(),
                needed: needed - self.data.len(),
                available: 0,
            });
        }
        if needed < self.data.len() {
            return Err(corrupt(format!(
                "{} trailing bytes after the raw bits",
                self.data.len() - needed
            )));
        }
        // the bits still buffered that belong to the data's last byte must be zero
        let tail = (8 - read % 8) % 8;
        #[allow(clippy::cast_possible_truncation)]
        if tail > 0 && self.buf & ((1u64 << tail) - 1) != 0 {
            return Err(corrupt("the raw bits' last byte is not padded with zeros".into()));
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

/// Unsigned LEB128.
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        #[allow(clippy::cast_possible_truncation)]
        let byte = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Unsigned LEB128 in its shortest encoding, at most `max`.
fn get_varint(r: &mut ByteReader<'_>, max: u64, what: &str) -> Result<u64, CodecError> {
    let mut v: u64 = 0;
    let mut shift = 0u32;
    loop {
        let byte = r.u8()?;
        if shift > 56 {
            return Err(corrupt(format!("{what} overflows")));
        }
        v |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            if byte == 0 && shift > 0 {
                return Err(corrupt(format!("{what} is not in its shortest encoding")));
            }
            break;
        }
        shift += 7;
    }
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
        row(start, r % geo.rows_per_plane != 0);
        r += 1;
        start += geo.len;
    }
}

/// Appends the model-1 payload of `values` (C order, shape `shape`) to `out`.
pub(crate) fn encode_values<T: ArithElement>(values: &[T], shape: &[usize], out: &mut Vec<u8>) {
    let n = values.len();
    if n == 0 {
        return;
    }
    let geo = Geometry::new(shape);
    let len = geo.len;
    // pass 1: symbols with their contexts (`ctx << 7 | symbol`), raw bits, histograms
    let mut coded: Vec<u16> = vec![0; n];
    let mut hist = vec![[0u32; SYMBOLS]; CONTEXTS];
    let mut raw = BitWriter {
        out: Vec::with_capacity(n / 2),
        buf: 0,
        n: 0,
    };
    // bit lengths of the previous and the current row, with a zero on either side
    let mut up = vec![0u8; len + 2];
    let mut cur = vec![0u8; len + 2];
    for_each_row(n, &geo, |start, has_up| {
        if !has_up {
            up.fill(0);
        }
        let row = &values[start..start + len];
        let codes = &mut coded[start..start + len];
        let (mut el, mut el2) = (0u32, 0u32);
        for (j, (v, c)) in row.iter().zip(codes.iter_mut()).enumerate() {
            let ctx = context(
                el,
                el2,
                u32::from(up[j + 1]),
                u32::from(up[j]),
                u32::from(up[j + 2]),
            );
            let u = zigzag(v.to_signed());
            let (sym, e) = symbol_of(u);
            if e > 2 {
                raw.put(u, e - 2);
            }
            #[allow(clippy::cast_possible_truncation)]
            {
                *c = (ctx << 7 | sym) as u16;
                cur[j + 1] = e as u8;
            }
            hist[ctx][sym] += 1;
            el2 = el;
            el = e;
        }
        std::mem::swap(&mut up, &mut cur);
    });
    // the tables: quantised frequencies of the contexts that occur
    let mut packed = vec![0u32; CONTEXTS * SYMBOLS];
    let mut freqs = [0u16; SYMBOLS];
    for (ctx, h) in hist.iter().enumerate() {
        let used = h.iter().filter(|&&c| c > 0).count();
        if used == 0 {
            out.push(0);
            continue;
        }
        if used == 1 {
            // a lone symbol keeps 4095/4096 and its pair symbol (`s xor 1`, within every
            // dtype's alphabet) 1/4096, so that no value costs nothing (see the decoder's bound)
            let s = h.iter().position(|&c| c > 0).unwrap_or(0);
            freqs.fill(0);
            freqs[s] = 4095;
            freqs[s ^ 1] = 1;
        } else {
            quantize_frequencies(h, &mut freqs);
        }
        let listed = if used == 1 { 2 } else { used };
        #[allow(clippy::cast_possible_truncation)]
        out.push(listed as u8);
        let mut start = 0u32;
        for (sym, &f) in freqs.iter().enumerate() {
            if f == 0 {
                continue;
            }
            #[allow(clippy::cast_possible_truncation)]
            out.push(sym as u8);
            put_varint(out, u64::from(f));
            packed[ctx * SYMBOLS + sym] = start | u32::from(f) << 16;
            start += u32::from(f);
        }
    }
    // pass 2: rANS, last symbol first
    let mut enc = RansEncoder::with_capacity(n / 4 + 16);
    for (i, &c) in coded.iter().enumerate().rev() {
        let p = packed[usize::from(c) & (CONTEXTS * SYMBOLS - 1)];
        enc.put(i, p & 0xFFFF, p >> 16);
    }
    put_varint(out, enc.len() as u64);
    enc.finish_into(out);
    out.extend_from_slice(&raw.finish());
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
    let mut tables: Vec<Option<RansTable>> = Vec::with_capacity(CONTEXTS);
    let mut freqs = [0u16; SYMBOLS];
    for ctx in 0..CONTEXTS {
        let used = usize::from(r.u8()?);
        if used == 0 {
            tables.push(None);
            continue;
        }
        if used == 1 {
            return Err(corrupt(format!(
                "context {ctx} lists one symbol (an encoder lists two at least)"
            )));
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
                return Err(corrupt(format!("context {ctx}: a listed symbol with frequency 0")));
            }
            total += f;
            #[allow(clippy::cast_possible_truncation)]
            {
                freqs[sym] = f as u16;
            }
        }
        let table = RansTable::new(&freqs)
            .map_err(|e| corrupt(format!("context {ctx}: {e} (total {total})")))?;
        tables.push(Some(table));
    }
    let rans_len = get_varint(&mut r, payload.len() as u64, "the rANS stream's length")?;
    #[allow(clippy::cast_possible_truncation)]
    let rans_bytes = r.take(rans_len as usize)?;
    let raw_bytes = r.remaining();
    let mut dec = RansDecoder::new(rans_bytes).map_err(|e| entropy_error(&e))?;
    let mut bits = BitReader::new(raw_bytes);

    // a context without a table: decode on with an all-zero table and fail at the end
    let fallback = {
        let mut f = [0u16; SYMBOLS];
        f[0] = 4096;
        RansTable::new(&f).map_err(|e| entropy_error(&e))?
    };
    let mut unknown_context = false;
    let refs: Vec<&RansTable> = tables
        .iter()
        .map(|t| {
            t.as_ref().unwrap_or_else(|| &fallback)
        })
        .collect();
    let used: Vec<bool> = tables.iter().map(Option::is_some).collect();
    let refs: [&RansTable; CONTEXTS] = std::array::from_fn(|c| refs[c]);
    let used: [bool; CONTEXTS] = std::array::from_fn(|c| used[c]);

    let geo = Geometry::new(shape);
    let len = geo.len;
    let mut up = vec![0u8; len + 2];
    let mut cur = vec![0u8; len + 2];
    for_each_row(n, &geo, |start, has_up| {
        if !has_up {
            up.fill(0);
        }
        let row = &mut out[start..start + len];
        let (mut el, mut el2) = (0u32, 0u32);
        let ups = &up[..len + 2];
        let curs = &mut cur[1..len + 1];
        for (j, (o, ce)) in row.iter_mut().zip(curs.iter_mut()).enumerate() {
            let ctx = context(
                el,
                el2,
                u32::from(ups[j + 1]),
                u32::from(ups[j]),
                u32::from(ups[j + 2]),
            );
            unknown_context |= !used[ctx];
            let sym = usize::from(dec.get(start + j, refs[ctx]));
            let e = u32::from(BIT_LENGTH[sym & (SYMBOLS - 1)]);
            let u = if e < 2 {
                u64::from(e)
            } else {
                let top = (2 | (sym as u64 & 1)) << (e - 2);
                top | bits.get(e - 2)
            };
            *o = T::from_signed(unzigzag(u));
            #[allow(clippy::cast_possible_truncation)]
            {
                *ce = e as u8;
            }
            el2 = el;
            el = e;
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
    if unknown_context {
        return Err(corrupt("a value falls in a context whose table is empty".into()));
    }
    Ok(())
}
