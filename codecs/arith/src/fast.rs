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
//!
//! Context model 2 ("fast_lanes", section *Model 2*) is the same model with the values split
//! into [`LANES`] lanes (contiguous sub-arrays), each with its own context chain and rANS state,
//! coded in lockstep so that the decoder runs four independent chains of context → table →
//! symbol; the tables and the payload layout are model 1's. Context model 3 ("fast_lanes16",
//! section *Model 3*) is model 2 with [`LANES16`] lanes and rANS states, whose decoder takes a
//! round of sixteen symbols step by step across the lanes ([`BlockDecoder::block_wide`]) and
//! whose encoder codes a round with the sixteen rANS states in vector registers
//! ([`rounds16`]).

use ndcodecs_core::{ByteReader, CodecError, shape::try_vec};
use ndcodecs_entropy::{
    EntropyError, RANS_L, RANS_MAX_SYMBOLS, RansDecoder, RansEncSymbol, RansEncoder,
    quantize_frequencies,
};

use crate::{CODEC_ID, element::ArithElement};

mod rounds16;

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

    /// `count <= 56` bits.
    #[inline(always)]
    fn get_short(&mut self, count: u32) -> u64 {
        let v = (self.word(self.pos >> 3) >> (self.pos & 7)) & !(u64::MAX << count);
        self.pos += count as usize;
        v
    }

    /// `count <= 62` bits.
    #[inline(always)]
    fn get(&mut self, count: u32) -> u64 {
        if count <= 56 {
            self.get_short(count)
        } else {
            self.get_long(count)
        }
    }

    /// `56 < count <= 62` bits (only 64-bit values have them).
    #[cold]
    #[inline(never)]
    fn get_long(&mut self, count: u32) -> u64 {
        let lo = self.get_short(32);
        lo | self.get_short(count - 32) << 32
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

/// Number of lanes of model 2.
pub(crate) const LANES: usize = 4;
/// Number of lanes of model 3.
pub(crate) const LANES16: usize = 16;

/// The value ranges `[start, end)` (C order) coded as separate sub-arrays with their own context
/// chains: one lane for model 1 (`lanes == 1`); for models 2 and 3 `lanes` (4 or 16) lanes of
/// whole rows along the first remaining axes when the geometry has rows (at least two remaining
/// axes), otherwise of values. The first `units mod lanes` lanes take one unit more than the
/// others.
fn lane_ranges(n: usize, geo: &Geometry, lanes: usize) -> Vec<(usize, usize)> {
    let unit = if geo.rows_per_plane > 1 { geo.len } else { 1 };
    let units = n / unit;
    let (base, extra) = (units / lanes, units % lanes);
    let mut start = 0;
    (0..lanes)
        .map(|k| {
            let len = (base + usize::from(k < extra)) * unit;
            start += len;
            (start - len, start)
        })
        .collect()
}

/// Four histograms of (context, symbol), taken in turn, so that repeated symbols do not wait
/// on one counter.
const H: usize = CONTEXTS * SYMBOLS;
/// The stride of those histograms: `H` and 8 more counters, so that the four are not 4 KiB
/// apart (a load from one would wait on a store to the next, whose address the CPU takes for
/// the same by its low bits).
const HS: usize = H + 8;

/// The writer of the raw bits in C order (model 1's order), fed by the first pass: LSB first,
/// every put stores the 8-byte buffer at the current byte (see [`put_bits`]).
struct RawBits {
    /// the bytes, with room for 8 bytes past the current one ([`reserve`](Self::reserve))
    out: Vec<u8>,
    /// bytes complete
    pos: usize,
    /// bits not yet complete bytes
    buf: u64,
    /// their number (below 8)
    nb: u32,
}

impl RawBits {
    fn new() -> Self {
        Self {
            out: Vec::new(),
            pos: 0,
            buf: 0,
            nb: 0,
        }
    }

    /// Makes room for `values` more values (at most 8 bytes each, and the 8-byte store).
    fn reserve(&mut self, values: usize) {
        let need = self.pos + 8 * values + 16;
        if self.out.len() < need {
            self.out.resize(need.max(2 * self.out.len()), 0);
        }
    }

    /// The bytes written (`ceil(bits / 8)`).
    fn finish(mut self) -> Vec<u8> {
        self.out.truncate(self.pos + usize::from(self.nb > 0));
        self.out
    }
}

/// Pass 1 over one row `row` of `len` values, in one loop: every value's symbol, its raw bits
/// into `raw` (model 1), its `ctx << 7 | symbol` into `codes` and the histograms. With
/// `rows = Some((up, cur))` the symbols go to `cur[2..len + 2]` (the next row's `up`), and `up`
/// holds the previous row's symbols at `up[2..len + 2]` with zeros at 0, 1 and `len + 2`
/// (`None`: no row above, all zeros); `rows = None` for a lane of one row.
#[inline(always)]
fn code_row<T: ArithElement>(
    row: &[T],
    codes: &mut [u16],
    rows: Option<(Option<&[u8]>, &mut [u8])>,
    hists: &mut [u64],
    raw: Option<&mut RawBits>,
) {
    let len = row.len();
    let codes = &mut codes[..len];
    match rows {
        Some((Some(up), cur)) => {
            // `up_part` reads positions j..=j+2 of the row above; here it starts one zero later
            let ups = &up[1..len + 3];
            row_loop::<T, true>(row, codes, &mut cur[2..len + 2], hists, raw, |j| {
                up_part(ups, j)
            });
        }
        Some((None, cur)) => {
            row_loop::<T, true>(row, codes, &mut cur[2..len + 2], hists, raw, |_| 0);
        }
        None => row_loop::<T, false>(row, codes, &mut [], hists, raw, |_| 0),
    }
}

/// The symbol of value `v` (as [`symbol_of`] of its zigzagged value), computed in 32-bit
/// integers for dtypes of at most 32 bits (the same symbol: the zigzagged value of a 32-bit
/// integer fits 32 bits), so that a loop of them vectorises.
#[inline(always)]
fn symbol_of_value<T: ArithElement>(v: T) -> u32 {
    if T::BITS <= 32 {
        #[allow(clippy::cast_possible_truncation)]
        let w = v.to_signed() as i32;
        #[allow(clippy::cast_sign_loss)]
        let u = ((w << 1) ^ (w >> 31)) as u32;
        let e = 32 - u.leading_zeros();
        (2 * e.max(1) - 2) | ((u >> e.saturating_sub(2)) & 1)
    } else {
        #[allow(clippy::cast_possible_truncation)]
        let sym = symbol_of(zigzag(v.to_signed())).0 as u32;
        sym
    }
}

/// The loop of [`code_row`], `up(j)` the part of value `j`'s context from the row above; the
/// symbols go to `cur` if `CUR`.
///
/// By blocks of [`SUB`] values, in stages: the symbols (a loop without a dependency between
/// values, which vectorises), the contexts and `ctx << 7 | symbol` (the same), the histograms'
/// counts, and the raw bits (skipped in a block whose values have none: at coarse error bounds,
/// most).
#[inline(always)]
fn row_loop<T: ArithElement, const CUR: bool>(
    row: &[T],
    codes: &mut [u16],
    cur: &mut [u8],
    hists: &mut [u64],
    mut raw: Option<&mut RawBits>,
    up: impl Fn(usize) -> u32,
) {
    const SUB: usize = 256;
    // the symbols of the block, after those of the two values before it (zeros at the row's
    // start)
    let mut syms = [0u8; SUB + 2];
    for (b, (vb, cb)) in row.chunks(SUB).zip(codes.chunks_mut(SUB)).enumerate() {
        let j0 = b * SUB;
        let m = vb.len();
        // symbols; raw bits where the symbol is 4 (bit length 3) or more
        let mut any_raw = false;
        for (s, &v) in syms[2..m + 2].iter_mut().zip(vb) {
            let sym = symbol_of_value(v);
            any_raw |= sym >= 4;
            #[allow(clippy::cast_possible_truncation)]
            {
                *s = sym as u8;
            }
        }
        if CUR {
            cur[j0..j0 + m].copy_from_slice(&syms[2..m + 2]);
        }
        // contexts, from the two symbols before and the row above
        for (j, c) in cb.iter_mut().enumerate() {
            let ctx = context(u32::from(syms[j + 1]), u32::from(syms[j]), up(j0 + j));
            #[allow(clippy::cast_possible_truncation)]
            {
                *c = (ctx << 7 | usize::from(syms[j + 2])) as u16;
            }
        }
        for (j, &c) in cb.iter().enumerate() {
            hists[(j & 3) * HS + usize::from(c)] += 1;
        }
        if any_raw && let Some(raw) = raw.as_deref_mut() {
            raw.reserve(m);
            let (mut pos, mut buf, mut nb) = (raw.pos, raw.buf, raw.nb);
            let dst = &mut raw.out[..];
            for &v in vb {
                let u = zigzag(v.to_signed());
                let e = symbol_of(u).1;
                put_value_bits::<T>(dst, &mut pos, &mut buf, &mut nb, u, e);
            }
            (raw.pos, raw.buf, raw.nb) = (pos, buf, nb);
        }
        syms[0] = syms[m];
        syms[1] = syms[m + 1];
    }
}

/// Puts the raw bits of the zigzagged value `u` of bit length `e` (its `max(0, e − 2)` low bits),
/// as [`put_bits`].
#[inline(always)]
fn put_value_bits<T: ArithElement>(
    dst: &mut [u8],
    pos: &mut usize,
    buf: &mut u64,
    nb: &mut u32,
    u: u64,
    e: u32,
) {
    let count = e.saturating_sub(2);
    if T::BITS > 32 && count > 56 {
        // only 64-bit values: the low 32 bits first
        put_bits(dst, pos, buf, nb, u & 0xFFFF_FFFF, 32);
        put_bits(dst, pos, buf, nb, u >> 32, count - 32);
    } else {
        put_bits(dst, pos, buf, nb, u, count);
    }
}

/// Largest buffers (bytes each) a thread keeps between chunks.
const KEEP_BYTES: usize = 16 << 20;

/// The buffers of one chunk's encoding: pass 1's codes and the rANS encoder's words.
#[derive(Default)]
struct Scratch {
    codes: Vec<u16>,
    words: Vec<u16>,
}

thread_local! {
    /// The thread's [`Scratch`], kept between chunks (each buffer up to [`KEEP_BYTES`]) so
    /// that a chunk's passes write into memory already mapped rather than fresh pages.
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

/// Pass 1 of models 1 and 2: every value's `ctx << 7 | symbol` (C order, into `coded`, which
/// is resized to the values) and the counts per context, each lane of `lanes` a sub-array of
/// its own (row by row); with `raw` (model 1, one lane) the raw bits as well.
#[inline(always)]
fn first_pass<T: ArithElement>(
    values: &[T],
    geo: &Geometry,
    lanes: &[(usize, usize)],
    mut raw: Option<&mut RawBits>,
    coded: &mut Vec<u16>,
) -> Vec<[u64; SYMBOLS]> {
    let n = values.len();
    coded.resize(n, 0);
    let mut hists = vec![0u64; 4 * HS];
    let rows = geo.rows_per_plane > 1;
    for &(a, b) in lanes {
        if !rows {
            // one row per lane, none above, none after
            code_row(
                &values[a..b],
                &mut coded[a..b],
                None,
                &mut hists,
                raw.as_deref_mut(),
            );
            continue;
        }
        // symbols of the previous and the current row, with two zeros before and one after
        let mut up = vec![0u8; geo.len + 3];
        let mut cur = vec![0u8; geo.len + 3];
        let mut start = a;
        while start < b {
            let has_up = start != a && !(start / geo.len).is_multiple_of(geo.rows_per_plane);
            let end = start + geo.len;
            code_row(
                &values[start..end],
                &mut coded[start..end],
                Some((has_up.then_some(&up[..]), &mut cur[..])),
                &mut hists,
                raw.as_deref_mut(),
            );
            std::mem::swap(&mut up, &mut cur);
            start = end;
        }
    }
    (0..CONTEXTS)
        .map(|c| {
            std::array::from_fn(|k| (0..4).map(|h| hists[h * HS + c * SYMBOLS + k]).sum::<u64>())
        })
        .collect()
}

/// The thread's [`Scratch`], taken out of the thread-local (a nested call gets buffers of its
/// own); [`put_scratch`] gives it back. (Not a function taking a closure: the encoders' loops
/// must stay in the function `pulp` compiles with the CPU's features, which a closure's body,
/// compiled on its own, is not.)
#[inline(always)]
fn take_scratch() -> Scratch {
    SCRATCH.take()
}

/// Gives `s` back to the thread, without buffers above [`KEEP_BYTES`].
#[inline(always)]
fn put_scratch(mut s: Scratch) {
    if 2 * s.codes.capacity() > KEEP_BYTES {
        s.codes = Vec::new();
    }
    if 2 * s.words.capacity() > KEEP_BYTES {
        s.words = Vec::new();
    }
    SCRATCH.set(s);
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

/// Appends the tables of `hist` (the payload's first part) to `out` and returns every
/// (context, symbol)'s interval prepared for the rANS encoder.
fn put_tables(hist: &[[u64; SYMBOLS]], out: &mut Vec<u8>) -> Box<[RansEncSymbol; H]> {
    let mut packed = Box::new([RansEncSymbol::default(); H]);
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
    packed
}

/// The number of raw bits the counts `hist` say the values have.
fn raw_bit_count(hist: &[[u64; SYMBOLS]]) -> usize {
    let bits: u64 = hist
        .iter()
        .flat_map(|h| h.iter().zip(RAW_BITS))
        .map(|(&c, b)| c * u64::from(b))
        .sum();
    #[allow(clippy::cast_possible_truncation)]
    {
        bits as usize
    }
}

/// Appends the model-1 payload of `values` (C order, shape `shape`) to `out`.
pub(crate) fn encode_values<T: ArithElement>(values: &[T], shape: &[usize], out: &mut Vec<u8>) {
    encode_on(pulp::Arch::new(), values, shape, 1, out);
}

/// Appends the model-2 payload of `values` (C order, shape `shape`) to `out`: model 1's tables
/// and layout, the values in [`LANES`] lanes coded in lockstep (round `t` holds value `t` of
/// every lane that has one, lanes ascending; lane `k`'s symbols on rANS state `k`).
pub(crate) fn encode_values_lanes<T: ArithElement>(
    values: &[T],
    shape: &[usize],
    out: &mut Vec<u8>,
) {
    encode_on(pulp::Arch::new(), values, shape, LANES, out);
}

/// Appends the model-3 payload of `values` (C order, shape `shape`) to `out`: model 2's with
/// [`LANES16`] lanes and rANS states.
pub(crate) fn encode_values_lanes16<T: ArithElement>(
    values: &[T],
    shape: &[usize],
    out: &mut Vec<u8>,
) {
    encode_on(pulp::Arch::new(), values, shape, LANES16, out);
}

/// The payload of model 1 (`lanes == 1`), model 2 (`lanes == LANES`) or model 3 (`lanes ==
/// LANES16`), with the loops
/// compiled for `arch` (`pulp`'s runtime dispatch: on x86-64-v3 CPUs the bit lengths take one
/// `lzcnt`, the shifts and masks one instruction without the `cl` register). Integer
/// arithmetic: the same bytes on every path (tested).
fn encode_on<T: ArithElement>(
    arch: pulp::Arch,
    values: &[T],
    shape: &[usize],
    lanes: usize,
    out: &mut Vec<u8>,
) {
    struct Op<'a, 'o, T> {
        values: &'a [T],
        shape: &'a [usize],
        lanes: usize,
        out: &'o mut Vec<u8>,
        avx2: Avx2,
    }
    impl<T: ArithElement> pulp::WithSimd for Op<'_, '_, T> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) {
            match self.lanes {
                1 => encode_model1(self.values, self.shape, self.out),
                LANES => encode_lanes::<T, LANES>(self.values, self.shape, self.out, None),
                _ => encode_lanes::<T, LANES16>(self.values, self.shape, self.out, self.avx2),
            }
        }
    }
    if values.is_empty() {
        return;
    }
    arch.dispatch(Op {
        values,
        shape,
        lanes,
        out,
        avx2: avx2_of(arch),
    });
}

#[inline(always)]
fn encode_model1<T: ArithElement>(values: &[T], shape: &[usize], out: &mut Vec<u8>) {
    let n = values.len();
    let geo = Geometry::new(shape);
    let mut raw = RawBits::new();
    let mut scratch = take_scratch();
    let hist = first_pass(values, &geo, &[(0, n)], Some(&mut raw), &mut scratch.codes);
    let packed = put_tables(&hist, out);
    // pass 2: rANS, last symbol first
    let mut enc = RansEncoder::with_buffer(std::mem::take(&mut scratch.words));
    let coded = &scratch.codes[..n];
    enc.put_rev(n, |i| packed[usize::from(coded[i]) & (H - 1)]);
    ndcodecs_core::bytes::put_varint(out, enc.len() as u64);
    scratch.words = enc.finish_into_keep(out);
    put_scratch(scratch);
    // the raw bits: as many as the symbols counted say
    let raw = raw.finish();
    debug_assert_eq!(raw.len(), raw_bit_count(&hist).div_ceil(8));
    out.extend_from_slice(&raw);
}

/// The payload of models 2 (`L = 4`) and 3 (`L = 16`): pass 1 lane by lane, the rANS symbols
/// round by round on `L` states, the raw bits in the same order.
#[inline(always)]
fn encode_lanes<T: ArithElement, const L: usize>(
    values: &[T],
    shape: &[usize],
    out: &mut Vec<u8>,
    avx2: Avx2,
) {
    let n = values.len();
    let geo = Geometry::new(shape);
    let lanes = lane_ranges(n, &geo, L);
    let start: [usize; L] = std::array::from_fn(|k| lanes[k].0);
    let lens: [usize; L] = std::array::from_fn(|k| lanes[k].1 - lanes[k].0);
    // the lanes' lengths: `full` values in every lane, then up to `longest` in the first ones
    let (full, longest) = (lens[L - 1], lens[0]);
    let mut scratch = take_scratch();
    let hist = first_pass(values, &geo, &lanes, None, &mut scratch.codes);
    let packed = put_tables(&hist, out);
    let coded = &scratch.codes[..n];
    let sym = |k: usize, t: usize| packed[usize::from(coded[start[k] + t]) & (H - 1)];
    let mut enc = RansEncoder::<L>::from_buffer(std::mem::take(&mut scratch.words));
    // pass 2: rANS, last symbol first: the rounds where only the first lanes have values,
    // then the full rounds (stream index `L t + k`: state `k`)
    for t in (full..longest).rev() {
        for k in (0..L).rev() {
            if t < lens[k] {
                enc.put_symbol(k, sym(k, t));
            }
        }
    }
    if L == LANES {
        // four states in registers
        enc.put_rev(L * full, |i| sym(i % L, i / L));
    } else {
        // a round's states in vector registers
        let lane_codes: [&[u16]; L] = std::array::from_fn(|k| &coded[start[k]..start[k] + full]);
        enc = put_rounds(avx2, enc, full, &lane_codes, &packed);
    }
    ndcodecs_core::bytes::put_varint(out, enc.len() as u64);
    scratch.words = enc.finish_into_keep(out);
    let mut raw = RawBits::new();
    if L == LANES {
        raw_bits_interleaved::<T, L>(values, coded, &start, &lens, &mut raw);
    } else {
        raw_bits_by_lane::<T, L>(values, coded, &start, &lens, &mut raw);
    }
    put_scratch(scratch);
    out.extend_from_slice(&raw.finish());
}

/// The full rounds of model 3's rANS pass ([`RansEncoder::put_rounds`], lane `k`'s symbol of
/// round `t` being the interval `packed[codes[k][t] mod H]`, every `codes[k]` holding at least
/// `rounds` codes): with AVX2 and sixteen lanes, the states in its registers
/// ([`rounds16::put_rounds`]); otherwise the loops the compiler vectorises as it can (the same
/// stream, tested).
#[inline(always)]
fn put_rounds<const L: usize>(
    avx2: Avx2,
    mut enc: RansEncoder<L>,
    rounds: usize,
    codes: &[&[u16]; L],
    packed: &[RansEncSymbol; H],
) -> RansEncoder<L> {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = avx2
        && let Ok(codes16) = <[&[u16]; LANES16]>::try_from(&codes[..])
    {
        let (states, words) = enc.into_parts();
        let states16 = <[u32; LANES16]>::try_from(&states[..]).unwrap_or([RANS_L; LANES16]);
        let mut table = Box::new([[0u32; 4]; H]);
        for (t, &s) in table.iter_mut().zip(packed.iter()) {
            *t = rounds16::interval(s);
        }
        let enc16 = RansEncoder::from_parts(states16, words);
        let (states16, words) =
            rounds16::put_rounds(simd, enc16, rounds, &codes16, &table).into_parts();
        let states = <[u32; L]>::try_from(&states16[..]).unwrap_or(states);
        return RansEncoder::from_parts(states, words);
    }
    let _ = avx2;
    enc.put_rounds(rounds, |t, k| packed[usize::from(codes[k][t]) & (H - 1)]);
    enc
}

/// Whether any of the values whose codes (`ctx << 7 | symbol`) are `codes` has raw bits (a
/// symbol of 4 or more: `|v| >= 2`).
#[inline(always)]
fn any_raw(codes: &[u16]) -> bool {
    codes.iter().fold(0, |a, &c| a | c) & 0x7C != 0
}

/// The raw bits of the `L` lanes (lane `k` the values `start[k]..start[k] + lens[k]`, `codes`
/// their pass-1 codes) in the stream's order, round by round, lanes ascending: rounds of values
/// in blocks, read across the lanes. A block whose symbols are all below 4 (`|v| <= 1`: no raw
/// bits, most blocks at coarse error bounds) is skipped.
#[inline(always)]
fn raw_bits_interleaved<T: ArithElement, const L: usize>(
    values: &[T],
    coded: &[u16],
    start: &[usize; L],
    lens: &[usize; L],
    raw: &mut RawBits,
) {
    let longest = lens[0];
    let mut t0 = 0;
    while t0 < longest {
        let t1 = longest.min(t0 + RAW_VALUES / L);
        let has_raw = (0..L).any(|k| {
            let lane = &coded[start[k]..start[k] + lens[k]];
            lane.get(t0..t1.min(lens[k])).is_some_and(any_raw)
        });
        if has_raw {
            raw.reserve(L * (t1 - t0));
            let (mut pos, mut buf, mut nb) = (raw.pos, raw.buf, raw.nb);
            let dst = &mut raw.out[..];
            for t in t0..t1 {
                for k in 0..L {
                    if t < lens[k] {
                        let u = zigzag(values[start[k] + t].to_signed());
                        let e = symbol_of(u).1;
                        put_value_bits::<T>(dst, &mut pos, &mut buf, &mut nb, u, e);
                    }
                }
            }
            (raw.pos, raw.buf, raw.nb) = (pos, buf, nb);
        }
        t0 = t1;
    }
}

/// [`raw_bits_interleaved`] (the same bits) for many lanes: a block's zigzagged values and bit
/// lengths are first made lane by lane (each lane's values read in order) into a buffer in the
/// stream's order, then the bits packed from it in one loop. The full rounds (every lane has
/// a value) and the last ones (only the longer lanes) are blocks of their own.
#[inline(always)]
fn raw_bits_by_lane<T: ArithElement, const L: usize>(
    values: &[T],
    coded: &[u16],
    start: &[usize; L],
    lens: &[usize; L],
    raw: &mut RawBits,
) {
    const R: usize = RAW_VALUES / LANES16;
    let (full, longest) = (lens[L - 1], lens[0]);
    // the lanes taking part in rounds `full..longest`
    let wide = lens.iter().filter(|&&len| len > full).count();
    let mut zz = [0u64; RAW_VALUES];
    let mut bits = [0u8; RAW_VALUES];
    for (from, to, width) in [(0, full, L), (full, longest, wide)] {
        let mut t0 = from;
        while t0 < to {
            let t1 = to.min(t0 + R);
            let m = t1 - t0;
            let has_raw = (0..width).any(|k| any_raw(&coded[start[k] + t0..start[k] + t1]));
            if has_raw {
                for k in 0..width {
                    let lane = &values[start[k] + t0..start[k] + t1];
                    for (j, &v) in lane.iter().enumerate() {
                        let u = zigzag(v.to_signed());
                        zz[j * width + k] = u;
                        #[allow(clippy::cast_possible_truncation)]
                        {
                            bits[j * width + k] = symbol_of(u).1 as u8;
                        }
                    }
                }
                raw.reserve(width * m);
                let (mut pos, mut buf, mut nb) = (raw.pos, raw.buf, raw.nb);
                let dst = &mut raw.out[..];
                for (&u, &e) in zz[..width * m].iter().zip(&bits[..width * m]) {
                    put_value_bits::<T>(dst, &mut pos, &mut buf, &mut nb, u, u32::from(e));
                }
                (raw.pos, raw.buf, raw.nb) = (pos, buf, nb);
            }
            t0 = t1;
        }
    }
}

/// Values per block of the lanes' raw-bit pass.
const RAW_VALUES: usize = 256;

fn entropy_error(e: &EntropyError) -> CodecError {
    corrupt(format!("rANS stream: {e}"))
}

/// The tables of a payload of models 1 to 3 (`None` for a context without one), its rANS decoder
/// of `L` states and its raw bits.
type Payload<'a, const L: usize> = (Vec<Option<[u16; SYMBOLS]>>, RansDecoder<'a, L>, &'a [u8]);

/// Reads the tables and the rANS stream's length of `payload` (a rANS stream of `L` states) and
/// splits it.
fn read_payload<T: ArithElement, const L: usize>(
    payload: &[u8],
) -> Result<Payload<'_, L>, CodecError> {
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
    let dec = RansDecoder::<L>::with_states(rans_bytes).map_err(|e| entropy_error(&e))?;
    Ok((tables, dec, raw_bytes))
}

/// The decoding side of models 1 and 2: the tables, the rANS decoder and the raw bits.
struct SymbolDecoder<'a> {
    dec: RansDecoder<'a>,
    bits: BitReader,
    /// the symbol of every slot of every context (`ctx << 12 | slot`)
    slot_sym: Box<[u8; CONTEXTS << 12]>,
    /// `start | freq << 16` of every (context, symbol)
    interval: Box<[u32; CONTEXTS * SYMBOLS]>,
    /// the contexts that have a table
    used_mask: u32,
    /// the contexts met
    seen_mask: u32,
}

impl<'a> SymbolDecoder<'a> {
    /// Reads the tables, the rANS stream's length and splits the payload.
    fn new<T: ArithElement>(payload: &'a [u8]) -> Result<Self, CodecError> {
        let (tables, dec, raw_bytes) =
            read_payload::<T, { ndcodecs_entropy::RANS_LANES }>(payload)?;
        let bits = BitReader::new(raw_bytes);
        // flat tables; a context without a table decodes symbol 0 and fails at the end
        let mut slot_sym: Box<[u8; CONTEXTS << 12]> = vec![0u8; CONTEXTS << 12]
            .into_boxed_slice()
            .try_into()
            .map_err(|_| corrupt("the slot table has the wrong size".into()))?;
        let mut interval: Box<[u32; CONTEXTS * SYMBOLS]> =
            Box::new([4096 << 16; CONTEXTS * SYMBOLS]);
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
        Ok(Self {
            dec,
            bits,
            slot_sym,
            interval,
            used_mask,
            seen_mask: 0,
        })
    }

    /// Decodes the next value of rANS state `lane mod 4` in context `ctx`: its symbol and its
    /// zigzagged value.
    #[inline(always)]
    fn next(&mut self, lane: usize, ctx: usize) -> (u32, u64) {
        self.seen_mask |= 1 << ctx;
        let slot = self.dec.slot(lane) as usize;
        let sym = usize::from(self.slot_sym[(ctx << 12 | slot) & ((CONTEXTS << 12) - 1)]);
        let p = self.interval[(ctx * SYMBOLS + sym) & (CONTEXTS * SYMBOLS - 1)];
        self.dec.advance(lane, p & 0xFFFF, p >> 16);
        let sym = sym & (SYMBOLS - 1);
        let nb = u32::from(RAW_BITS[sym]);
        #[allow(clippy::cast_possible_truncation)]
        (sym as u32, u64::from(TOP[sym]) << nb | self.bits.get(nb))
    }

    /// Checks the ends of both streams and the contexts met.
    fn finish(&self, payload_len: usize) -> Result<(), CodecError> {
        self.dec
            .finish()
            .map_err(|e| rans_end_error(&e, payload_len))?;
        self.bits.finish()?;
        if self.seen_mask & !self.used_mask != 0 {
            return Err(empty_context_error());
        }
        Ok(())
    }
}

/// An error unless an array without values has an empty payload; `true` if it has values.
fn has_values(payload: &[u8], n: usize) -> Result<bool, CodecError> {
    if n > 0 {
        return Ok(true);
    }
    if payload.is_empty() {
        return Ok(false);
    }
    Err(corrupt(format!(
        "{} bytes of payload for an array without values",
        payload.len()
    )))
}

/// Rounds of values (one value of every lane) decoded per block by the two-pass decoders: the
/// symbols of a block first ([`BlockDecoder::symbol`], the rANS chains alone), then its values
/// from the symbols and the raw bits ([`BlockDecoder::value`]), so that each loop is short and
/// keeps its state in registers. A power of two.
const BLOCK_ROUNDS: usize = 256;
/// Values of a block of the lockstep decoders (rounds × lanes), whatever the number of lanes.
const BLOCK_VALUES: usize = LANES * BLOCK_ROUNDS;
/// Rounds of a block of `lanes` lanes: [`BLOCK_VALUES`] / `lanes`.
const fn block_rounds(lanes: usize) -> usize {
    BLOCK_VALUES / lanes
}
/// Rounds of a block whose values are made at once when none has raw bits.
const GROUP_ROUNDS: usize = 8;
/// The words of the rANS stream a block sees: twice what it may read (one word a value at
/// most), a power of two, so that a masked index needs no bounds check.
const WORD_WINDOW: usize = 2 * BLOCK_VALUES;
/// The bytes of raw bits a block sees: twice what it may read (8 bytes a value at most, plus
/// the 8-byte load), a power of two.
const BYTE_WINDOW: usize = 2 * 8 * BLOCK_VALUES;

/// A symbol's zigzagged value without its raw bits: its leading bits (`TOP`) shifted above
/// them (`RAW_BITS`).
const TOP_SHIFTED: [u64; SYMBOLS] = {
    let mut t = [0u64; SYMBOLS];
    let mut s = 0;
    while s < SYMBOLS {
        t[s] = (TOP[s] as u64) << RAW_BITS[s];
        s += 1;
    }
    t
};

/// The error for a rANS stream whose end check failed: words missing are a truncated payload
/// of `payload_len` bytes, anything else (states not back at their start, words left over) a
/// corrupt one.
fn rans_end_error(e: &EntropyError, payload_len: usize) -> CodecError {
    match e {
        EntropyError::Truncated { .. } => CodecError::Truncated {
            codec: CODEC_ID,
            offset: payload_len,
            needed: 1,
            available: 0,
        },
        other => entropy_error(other),
    }
}

/// One bit per byte of `w` (byte `i` → bit `i`): whether it is a symbol with raw bits (4 and
/// up).
#[inline(always)]
fn raw_flags(w: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let t = w & 0xFCFC_FCFC_FCFC_FCFC;
    // the high bit of every byte of `t` that is not zero, without carries between bytes
    let high = (((t & LOW7) + LOW7) | t) & !LOW7;
    // gathered into the top byte by a multiplication (bit 8i + 7 goes to bit 56 + i)
    (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The error for a value met in a context without a table.
fn empty_context_error() -> CodecError {
    corrupt("a value falls in a context whose table is empty".into())
}

thread_local! {
    /// The thread's [`BlockDecoder`] slot table (256 KiB), kept between chunks: fresh memory
    /// of that size comes as fresh pages, whose faults cost more than decoding a chunk of a
    /// few thousand values (4096 values of the wind field: 20 µs before the table, 30 µs with
    /// a fresh table each time).
    static SLOT_TABLE: std::cell::Cell<Option<Box<[u32; CONTEXTS << 12]>>> =
        const { std::cell::Cell::new(None) };
}

/// The decoding side of models 2 and 3 (`L` rANS states) for the two-pass loops: one packed
/// table entry per
/// (context, slot), the rANS stream and the raw bits each behind a window of zeros, so that
/// the loops read both without a bounds check per value (past the end they read zeros, as
/// [`RansDecoder`] and [`BitReader`] do).
struct BlockDecoder<'a, const L: usize> {
    /// `symbol | (slot − cum) << 7 | freq << 19` at `ctx << 12 | slot` (the symbol whose
    /// interval `[cum, cum + freq)` holds the slot); a context without a table has `freq` 4096,
    /// which no table lists, symbol 0 and `cum` 0 (the state stays as it is), so that bit 31 of
    /// the entries met, or-ed together, says whether a value fell in such a context
    table: Box<[u32; CONTEXTS << 12]>,
    /// the rANS words (little-endian, for the end's check)
    rans_words: &'a [[u8; 2]],
    /// the rANS words followed by [`WORD_WINDOW`] zeros
    words: Vec<u16>,
    /// the `L` states
    states: [u32; L],
    /// words read (past the end for a damaged stream)
    pos: usize,
    /// the raw bits followed by [`BYTE_WINDOW`] zeros, and the bits read
    bits: BitReader,
    /// the table entries met, or-ed
    flags: u32,
    /// the CPU's AVX2 (x86-64-v3) instructions, if the decoding loops are compiled for them
    avx2: Avx2,
}

impl<'a, const L: usize> BlockDecoder<'a, L> {
    fn new<T: ArithElement>(payload: &'a [u8]) -> Result<Self, CodecError> {
        let (tables, dec, raw_bytes) = read_payload::<T, L>(payload)?;
        let (states, rans_words, pos) = dec.into_parts();
        let mut words = Vec::with_capacity(rans_words.len() + WORD_WINDOW);
        words.extend(rans_words.iter().map(|&b| u16::from_le_bytes(b)));
        words.resize(rans_words.len() + WORD_WINDOW, 0);
        let mut data = Vec::with_capacity(raw_bytes.len() + BYTE_WINDOW);
        data.extend_from_slice(raw_bytes);
        data.resize(raw_bytes.len() + BYTE_WINDOW, 0);
        let bits = BitReader {
            data,
            len: raw_bytes.len(),
            pos: 0,
        };
        // every entry is written below (a listed table's frequencies sum to 4096), so the
        // thread's kept table needs no clearing
        let mut table = match SLOT_TABLE.take() {
            Some(t) => t,
            None => vec![0u32; CONTEXTS << 12]
                .into_boxed_slice()
                .try_into()
                .map_err(|_| corrupt("the slot table has the wrong size".into()))?,
        };
        for (ctx, f) in tables.iter().enumerate() {
            let entries = &mut table[ctx << 12..(ctx + 1) << 12];
            let Some(f) = f else {
                for (slot, e) in (0u32..).zip(entries.iter_mut()) {
                    *e = slot << 7 | 4096 << 19;
                }
                continue;
            };
            let mut cum = 0usize;
            for (sym, &q) in (0u32..).zip(f.iter()) {
                let q = usize::from(q);
                for (k, e) in (0u32..).zip(entries[cum..cum + q].iter_mut()) {
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        *e = sym | k << 7 | (q as u32) << 19;
                    }
                }
                cum += q;
            }
        }
        Ok(Self {
            table,
            rans_words,
            words,
            states,
            pos,
            bits,
            flags: 0,
            avx2: None,
        })
    }

    /// The window of rANS words a block reads from, its first word's index in the stream and
    /// the index of the next word in it: from the next word on, or (past the end of a damaged
    /// stream) the zeros after the words.
    #[inline(always)]
    fn word_window(&self) -> (&[u16; WORD_WINDOW], usize, usize) {
        let base = self.pos.min(self.rans_words.len());
        let win = self.words[base..]
            .first_chunk::<WORD_WINDOW>()
            .unwrap_or(&[0; WORD_WINDOW]);
        (win, base, self.pos - base)
    }

    /// The window of raw-bit bytes a block reads from and its first byte's offset in the raw
    /// bits (as [`word_window`](Self::word_window)).
    #[inline(always)]
    fn byte_window(&self) -> (&[u8; BYTE_WINDOW], usize) {
        let base = (self.bits.pos >> 3).min(self.bits.len);
        let win = self.bits.data[base..]
            .first_chunk::<BYTE_WINDOW>()
            .unwrap_or(&[0; BYTE_WINDOW]);
        (win, base)
    }

    /// Decodes the next symbol with state `x` in context `ctx` (rANS of the entropy spec: the
    /// slot's entry, the state's step, a word read if it falls below `2^16`, without a branch),
    /// the words read counted in `rel` (an index into the block's word window `win`).
    #[inline(always)]
    fn symbol(
        table: &[u32; CONTEXTS << 12],
        win: &[u16; WORD_WINDOW],
        x: &mut u32,
        rel: &mut usize,
        flags: &mut u32,
        ctx: usize,
    ) -> u32 {
        let e = table[(ctx << 12 | (*x & 0xFFF) as usize) & ((CONTEXTS << 12) - 1)];
        *flags |= e;
        let y = (e >> 19)
            .wrapping_mul(*x >> 12)
            .wrapping_add((e >> 7) & 0xFFF);
        let w = u32::from(win[*rel & (WORD_WINDOW - 1)]);
        // a conditional move, not a branch (which would mispredict)
        let renorm = y < ndcodecs_entropy::RANS_L;
        *x = std::hint::select_unpredictable(renorm, y << 16 | w, y);
        *rel += usize::from(renorm);
        e & 0x7F
    }

    /// The value of symbol `sym` with its raw bits read at bit `pos` of the raw bits, whose byte
    /// `base` is the first of the block's byte window `win`.
    #[inline(always)]
    fn value<T: ArithElement>(
        sym: usize,
        win: &[u8; BYTE_WINDOW],
        base: usize,
        pos: &mut usize,
    ) -> T {
        T::from_signed(unzigzag(Self::zigzagged::<T>(sym, win, base, pos)))
    }

    /// The zigzagged value of symbol `sym` with its raw bits read at bit `pos` (as
    /// [`value`](Self::value)).
    #[inline(always)]
    fn zigzagged<T: ArithElement>(
        sym: usize,
        win: &[u8; BYTE_WINDOW],
        base: usize,
        pos: &mut usize,
    ) -> u64 {
        let sym = sym & (SYMBOLS - 1);
        let nb = u32::from(RAW_BITS[sym]);
        let read = |pos: usize, count: u32| -> u64 {
            let i = ((pos >> 3) - base) & (BYTE_WINDOW / 2 - 1);
            let b = *win[i..].first_chunk::<8>().unwrap_or(&[0; 8]);
            (u64::from_le_bytes(b) >> (pos & 7)) & !(u64::MAX << count)
        };
        // up to 30 raw bits for 32-bit values: one read without the 64-bit case
        let raw = if T::BITS <= 32 || nb <= 56 {
            read(*pos, nb)
        } else {
            read(*pos, 32) | read(*pos + 32, nb - 32) << 32
        };
        *pos += nb as usize;
        TOP_SHIFTED[sym] | raw
    }

    /// Checks the ends of both streams and the contexts met (the checks of
    /// [`SymbolDecoder::finish`], in its order).
    fn finish(self, payload_len: usize) -> Result<(), CodecError> {
        SLOT_TABLE.set(Some(self.table));
        RansDecoder::from_parts(self.states, self.rans_words, self.pos)
            .finish()
            .map_err(|e| rans_end_error(&e, payload_len))?;
        self.bits.finish()?;
        if self.flags >> 31 != 0 {
            return Err(empty_context_error());
        }
        Ok(())
    }
}

impl<const L: usize> BlockDecoder<'_, L> {
    /// Decodes one block of `m <= block_rounds(L)` rounds of the first `active <= K` lanes
    /// (state `k` for lane `k`; the lanes from `active` on are empty): the symbols of every
    /// round first (into `outs[k][..m]`, and for `ROWS` into `curs[k][..m]`, the contexts' part
    /// from the row above from `ups[k]`, which holds the symbols above the block's values with
    /// one more either side), then the values, the raw bits read in stream order (round by
    /// round, lanes ascending). `sl` and `sl2` are the lanes' last two symbols.
    #[inline(always)]
    fn block<T: ArithElement, const ROWS: bool, const K: usize>(
        &mut self,
        outs: [&mut [T]; K],
        ups: [&[u8]; K],
        curs: [&mut [u8]; K],
        sl: &mut [u32; L],
        sl2: &mut [u32; L],
        active: usize,
    ) {
        let m = outs[0].len().min(block_rounds(L));
        // lanes from `active` on are empty
        let mut outs = outs.map(|o| {
            let l = o.len().min(m);
            &mut o[..l]
        });
        let ups = ups.map(|u| if ROWS { &u[..u.len().min(m + 2)] } else { u });
        let curs = curs.map(|c| {
            let l = if ROWS { c.len().min(m) } else { c.len() };
            &mut c[..l]
        });
        // pass 1: the symbols, one independent chain per lane of context → table → state
        let (win, wbase, mut rel) = self.word_window();
        let table = &*self.table;
        let mut x = self.states;
        let mut flags = self.flags;
        let (mut a, mut b) = (*sl, *sl2);
        for j in 0..m {
            for k in 0..K {
                if k >= active {
                    break;
                }
                let up = if ROWS { up_part(ups[k], j) } else { 0 };
                let s = Self::symbol(
                    table,
                    win,
                    &mut x[k],
                    &mut rel,
                    &mut flags,
                    context(a[k], b[k], up),
                );
                b[k] = a[k];
                a[k] = s;
                outs[k][j] = T::from_signed(i64::from(s));
                if ROWS {
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        curs[k][j] = s as u8;
                    }
                }
            }
        }
        let pos = wbase + rel;
        (self.states, self.pos, self.flags) = (x, pos, flags);
        (*sl, *sl2) = (a, b);
        // pass 2: the values, from the symbols and the raw bits
        let (win, base) = self.byte_window();
        let mut pos = self.bits.pos;
        let mut j0 = 0;
        while j0 < m {
            let j1 = m.min(j0 + GROUP_ROUNDS);
            // symbols 0 to 3 (|v| <= 1, the most common at coarse error bounds) have no raw
            // bits: a group of them is a map of each lane's symbols (vectorised)
            let any = outs
                .iter()
                .take(active)
                .map(|o| o[j0..j1].iter().fold(0, |acc, s| acc | s.to_signed()))
                .fold(0, |acc, s| acc | s);
            if any & !3 == 0 {
                for o in outs.iter_mut().take(active) {
                    for v in &mut o[j0..j1] {
                        #[allow(clippy::cast_sign_loss)]
                        let u = v.to_signed() as u64;
                        *v = T::from_signed(unzigzag(u));
                    }
                }
            } else {
                for j in j0..j1 {
                    for o in outs.iter_mut().take(active) {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let sym = o[j].to_signed() as usize;
                        o[j] = Self::value::<T>(sym, win, base, &mut pos);
                    }
                }
            }
            j0 = j1;
        }
        self.bits.pos = pos;
    }
}

impl<const L: usize> BlockDecoder<'_, L> {
    /// [`block`](Self::block) for all `L` lanes (8 or more; model 3's full rounds), written
    /// lane-parallel: every step of a round (contexts and slots, table entries, states,
    /// symbols) as a loop over the lanes that the compiler turns into vector instructions (the
    /// table entries are loaded one by one: it emits no gathers for x86-64-v3), then the words
    /// in stream order ([`read_words`]: a word's position depends on the lanes before). The
    /// symbols go to a round-major buffer, from which the values are made in the raw bits'
    /// order: in stretches of 64 symbols, a mask of those with raw bits ([`raw_flags`]), only
    /// they read raw bits (all of them in turn where most do), then each lane's values.
    #[inline(always)]
    fn block_wide<T: ArithElement, const ROWS: bool>(
        &mut self,
        outs: [&mut [T]; L],
        ups: [&[u8]; L],
        curs: [&mut [u8]; L],
        sl: &mut [u32; L],
        sl2: &mut [u32; L],
    ) {
        let m = outs[0].len().min(block_rounds(L));
        let mut outs = outs.map(|o| &mut o[..m]);
        let ups = ups.map(|u| if ROWS { &u[..m + 2] } else { u });
        let mut curs = curs.map(|c| if ROWS { &mut c[..m] } else { c });
        let mut syms = [0u8; BLOCK_VALUES];
        let (win, wbase, mut rel) = self.word_window();
        let table = &*self.table;
        let mut x = self.states;
        let mut flags = [0u32; L];
        let (mut a, mut b) = (*sl, *sl2);
        for (j, round) in syms.chunks_exact_mut(L).take(m).enumerate() {
            let mut idx = [0u32; L];
            for k in 0..L {
                let up = if ROWS { up_part(ups[k], j) } else { 0 };
                #[allow(clippy::cast_possible_truncation)]
                let c = context(a[k], b[k], up) as u32;
                idx[k] = c << 12 | (x[k] & 0xFFF);
            }
            let mut e = [0u32; L];
            for k in 0..L {
                e[k] = table[idx[k] as usize & ((CONTEXTS << 12) - 1)];
            }
            let mut y = [0u32; L];
            for k in 0..L {
                flags[k] |= e[k];
                y[k] = (e[k] >> 19)
                    .wrapping_mul(x[k] >> 12)
                    .wrapping_add((e[k] >> 7) & 0xFFF);
                b[k] = a[k];
                a[k] = e[k] & 0x7F;
                #[allow(clippy::cast_possible_truncation)]
                {
                    round[k] = a[k] as u8;
                }
            }
            read_words(self.avx2, &y, &mut x, win, &mut rel);
            if ROWS {
                for (c, &s) in curs.iter_mut().zip(round.iter()) {
                    c[j] = s;
                }
            }
        }
        let pos = wbase + rel;
        (self.states, self.pos) = (x, pos);
        self.flags |= flags.iter().fold(0, |acc, &f| acc | f);
        (*sl, *sl2) = (a, b);
        // pass 2: the values' zigzagged forms round by round (the raw bits' order), then each
        // lane's values from them
        let n = m * L;
        let syms = &syms[..n];
        let mut zz = [0u64; BLOCK_VALUES];
        let zz = &mut zz[..n];
        if syms.iter().fold(0, |acc, &s| acc | s) & !3 == 0 {
            // no raw bits: symbols 0 to 3 are their zigzagged values
            for (z, &s) in zz.iter_mut().zip(syms) {
                *z = u64::from(s);
            }
        } else {
            let (win, base) = self.byte_window();
            let mut pos = self.bits.pos;
            for (zc, sc) in zz.chunks_mut(64).zip(syms.chunks(64)) {
                // the symbols with raw bits (4 and up), by a mask of the chunk
                let mut mask = 0u64;
                for (g, b) in sc.chunks(8).enumerate() {
                    let mut w = [0u8; 8];
                    w[..b.len()].copy_from_slice(b);
                    mask |= raw_flags(u64::from_le_bytes(w)) << (8 * g);
                }
                // most with raw bits (fine error bounds): every symbol in turn
                if mask.count_ones() > 40 {
                    for (z, &s) in zc.iter_mut().zip(sc) {
                        *z = Self::zigzagged::<T>(usize::from(s), win, base, &mut pos);
                    }
                } else {
                    for (z, &s) in zc.iter_mut().zip(sc) {
                        *z = u64::from(s);
                    }
                    while mask != 0 {
                        let i = mask.trailing_zeros() as usize & 63;
                        mask &= mask - 1;
                        if let (Some(z), Some(&s)) = (zc.get_mut(i), sc.get(i)) {
                            *z = Self::zigzagged::<T>(usize::from(s), win, base, &mut pos);
                        }
                    }
                }
            }
            self.bits.pos = pos;
        }
        for (k, o) in outs.iter_mut().enumerate() {
            for (j, v) in o.iter_mut().enumerate() {
                *v = T::from_signed(unzigzag(zz[j * L + k]));
            }
        }
    }
}

/// AVX2 instructions for [`read_words`] (`pulp`'s token that the CPU has them).
#[cfg(target_arch = "x86_64")]
type Avx2 = Option<pulp::x86::V3>;
/// No AVX2 on other CPUs.
#[cfg(not(target_arch = "x86_64"))]
type Avx2 = Option<std::convert::Infallible>;

/// The AVX2 token of `arch`, if it is one.
#[inline(always)]
fn avx2_of(arch: pulp::Arch) -> Avx2 {
    #[cfg(target_arch = "x86_64")]
    {
        match arch {
            pulp::Arch::V3(simd) => Some(simd),
            _ => None,
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = arch;
        None
    }
}

/// For every 8-bit mask `m` of eight lanes, lane `i`'s count of set bits of `m` below bit `i`
/// (the index of the word it reads among the words the eight lanes read), a byte each.
const WORD_INDEX: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut m = 0;
    while m < 256 {
        let mut i = 0;
        let mut v = 0u64;
        while i < 8 {
            v |= ((m & ((1 << i) - 1)) as u32).count_ones() as u64 * (1 << (8 * i));
            i += 1;
        }
        t[m] = v;
        m += 1;
    }
    t
};

/// The rANS renormalisation of a round of `L` lanes: state `x[k]` becomes `y[k] << 16 | w` with
/// the next word `w` of the window `win` (from `rel` on) where `y[k] < 2^16`, `y[k]` elsewhere,
/// the words taken in lane order; `rel` moves past them. With AVX2, eight lanes at a time: the
/// lanes that read a word as a mask, the next eight words loaded at once and moved to their
/// lanes by a permutation ([`WORD_INDEX`]); otherwise lane by lane (the same words, tested).
#[inline(always)]
fn read_words<const L: usize>(
    avx2: Avx2,
    y: &[u32; L],
    x: &mut [u32; L],
    win: &[u16; WORD_WINDOW],
    rel: &mut usize,
) {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = avx2
        && L.is_multiple_of(8)
    {
        use pulp::bytemuck::cast;
        use std::arch::x86_64::{__m128i, __m256i};
        for (yc, xc) in y.chunks_exact(8).zip(x.chunks_exact_mut(8)) {
            let mut m = 0usize;
            for (i, &v) in yc.iter().enumerate() {
                m |= usize::from(v < ndcodecs_entropy::RANS_L) << i;
            }
            let at = *rel & (WORD_WINDOW - 1);
            let w8: [u16; 8] = win
                .get(at..at + 8)
                .and_then(|s| s.first_chunk::<8>())
                .copied()
                .unwrap_or([0; 8]);
            let idx = simd
                .avx2
                ._mm256_cvtepu8_epi32(cast::<[u64; 2], __m128i>([WORD_INDEX[m & 255], 0]));
            let words = simd.avx2._mm256_permutevar8x32_epi32(
                simd.avx2
                    ._mm256_cvtepu16_epi32(cast::<[u16; 8], __m128i>(w8)),
                idx,
            );
            let words: [u32; 8] = cast::<__m256i, [u32; 8]>(words);
            for i in 0..8 {
                let renorm = yc[i] < ndcodecs_entropy::RANS_L;
                xc[i] = if renorm {
                    yc[i] << 16 | words[i]
                } else {
                    yc[i]
                };
            }
            *rel += m.count_ones() as usize;
        }
        return;
    }
    let _ = avx2;
    for k in 0..L {
        let w = u32::from(win[*rel & (WORD_WINDOW - 1)]);
        let renorm = y[k] < ndcodecs_entropy::RANS_L;
        x[k] = if renorm { y[k] << 16 | w } else { y[k] };
        *rel += usize::from(renorm);
    }
}

#[cfg(test)]
thread_local! {
    /// Tests only: full rounds of 8 and more lanes take the lane-by-lane loop, so that a test
    /// compares it with the lane-parallel one.
    static NARROW_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether full rounds of 8 and more lanes take [`BlockDecoder::block_wide`] (always, but in
/// tests that ask otherwise).
#[inline(always)]
fn wide_allowed() -> bool {
    #[cfg(test)]
    {
        !NARROW_ONLY.with(std::cell::Cell::get)
    }
    #[cfg(not(test))]
    {
        true
    }
}

/// The first `K` of `outs`, each from `a` to `b`, the first `active` of them (empty after).
#[inline(always)]
fn lanes_at<'s, T, const K: usize>(
    outs: &'s mut [&mut [T]],
    a: usize,
    b: usize,
    active: usize,
) -> [&'s mut [T]; K] {
    let mut it = outs.iter_mut().take(active);
    std::array::from_fn(|_| match it.next() {
        Some(o) => &mut o[a..b],
        None => &mut [],
    })
}

/// [`BlockDecoder::block`] for the first `active` lanes (1 to `L`), values `a..b` of each
/// (`b − a <= block_rounds(L)`); with `rows = Some((ups, curs, w, j0))` the lanes' rows of
/// symbols above in `ups` and current ones in `curs` (`w` bytes a lane, one zero either side),
/// the block's values starting at value `j0` of the row. All lanes, 3, 2 and 1 have loops of
/// their own; other partial rounds (more than 4 lanes) take the loop of all lanes with a bound.
#[inline(always)]
fn block_of<T: ArithElement, const L: usize>(
    bd: &mut BlockDecoder<'_, L>,
    active: usize,
    outs: &mut [&mut [T]],
    (a, b): (usize, usize),
    rows: Option<(&[u8], &mut [u8], usize, usize)>,
    sl: &mut [u32; L],
    sl2: &mut [u32; L],
) {
    #[inline(always)]
    fn go<T: ArithElement, const L: usize, const K: usize>(
        bd: &mut BlockDecoder<'_, L>,
        outs: &mut [&mut [T]],
        (a, b): (usize, usize),
        rows: Option<(&[u8], &mut [u8], usize, usize)>,
        sl: &mut [u32; L],
        sl2: &mut [u32; L],
        active: usize,
    ) {
        let o = lanes_at::<T, K>(outs, a, b, active);
        if let Some((ups, curs, w, j0)) = rows {
            let mut u = ups.chunks(w).take(active);
            let mut c = curs.chunks_mut(w).take(active);
            let m = b - a;
            let u: [&[u8]; K] =
                std::array::from_fn(|_| u.next().map_or(&[][..], |r| &r[j0..j0 + m + 2]));
            let c: [&mut [u8]; K] = std::array::from_fn(|_| match c.next() {
                Some(r) => &mut r[j0 + 1..j0 + 1 + m],
                None => &mut [],
            });
            bd.block::<T, true, K>(o, u, c, sl, sl2, active);
        } else {
            bd.block::<T, false, K>(
                o,
                [&[]; K],
                std::array::from_fn(|_| &mut [][..]),
                sl,
                sl2,
                active,
            );
        }
    }
    match active {
        k if k == L && L >= 8 && wide_allowed() => {
            let o = lanes_at::<T, L>(outs, a, b, L);
            if let Some((ups, curs, w, j0)) = rows {
                let mut u = ups.chunks(w);
                let mut c = curs.chunks_mut(w);
                let m = b - a;
                let u: [&[u8]; L] =
                    std::array::from_fn(|_| u.next().map_or(&[][..], |r| &r[j0..j0 + m + 2]));
                let c: [&mut [u8]; L] = std::array::from_fn(|_| match c.next() {
                    Some(r) => &mut r[j0 + 1..j0 + 1 + m],
                    None => &mut [],
                });
                bd.block_wide::<T, true>(o, u, c, sl, sl2);
            } else {
                bd.block_wide::<T, false>(
                    o,
                    [&[]; L],
                    std::array::from_fn(|_| &mut [][..]),
                    sl,
                    sl2,
                );
            }
        }
        k if k == L => go::<T, L, L>(bd, outs, (a, b), rows, sl, sl2, L),
        3 => go::<T, L, 3>(bd, outs, (a, b), rows, sl, sl2, 3),
        2 => go::<T, L, 2>(bd, outs, (a, b), rows, sl, sl2, 2),
        1 => go::<T, L, 1>(bd, outs, (a, b), rows, sl, sl2, 1),
        _ => go::<T, L, L>(bd, outs, (a, b), rows, sl, sl2, active),
    }
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
    if !has_values(payload, n)? {
        return Ok(());
    }
    let mut sd = SymbolDecoder::new::<T>(payload)?;
    let geo = Geometry::new(shape);
    let len = geo.len;
    let mut up: Vec<u8> = try_vec(CODEC_ID, "the decoder's row of symbols", len + 2)?;
    let mut cur: Vec<u8> = try_vec(CODEC_ID, "the decoder's row of symbols", len + 2)?;
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
            let (sym, u) = sd.next(start + j, ctx);
            *o = T::from_signed(unzigzag(u));
            #[allow(clippy::cast_possible_truncation)]
            {
                *cs = sym as u8;
            }
            sl2 = sl;
            sl = sym;
        }
        std::mem::swap(&mut up, &mut cur);
    });
    sd.finish(payload.len())
}

/// `out` split at the ends of the lanes `lanes` (contiguous, in order, covering `out`).
fn split_lanes<'o, T>(mut out: &'o mut [T], lanes: &[(usize, usize)]) -> Vec<&'o mut [T]> {
    lanes
        .iter()
        .map(|&(a, b)| {
            let (head, rest) = std::mem::take(&mut out).split_at_mut(b - a);
            out = rest;
            head
        })
        .collect()
}

/// [`decode_lanes_on`] compiled for `arch` (`pulp`'s runtime dispatch: on x86-64-v3 CPUs,
/// shifts and bit masks without the `cl` register).
fn decode_lanes_arch<'a, T: ArithElement, const L: usize>(
    arch: pulp::Arch,
    bd: BlockDecoder<'a, L>,
    outs: &mut [&mut [T]],
    lanes: &[(usize, usize)],
    geo: &Geometry,
    rows: (Vec<u8>, Vec<u8>),
) -> BlockDecoder<'a, L> {
    struct Op<'a, 'o, 'p, T, const L: usize> {
        bd: BlockDecoder<'a, L>,
        outs: &'o mut [&'p mut [T]],
        lanes: &'o [(usize, usize)],
        geo: &'o Geometry,
        rows: (Vec<u8>, Vec<u8>),
    }
    impl<'a, T: ArithElement, const L: usize> pulp::WithSimd for Op<'a, '_, '_, T, L> {
        type Output = BlockDecoder<'a, L>;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) -> BlockDecoder<'a, L> {
            decode_lanes_on(self.bd, self.outs, self.lanes, self.geo, self.rows)
        }
    }
    arch.dispatch(Op {
        bd,
        outs,
        lanes,
        geo,
        rows,
    })
}

/// The lockstep loops of models 2 and 3 (`L` lanes), in blocks of up to `block_rounds(L)`
/// rounds of the lanes that have
/// values ([`BlockDecoder::block`]).
#[inline(always)]
fn decode_lanes_on<'a, T: ArithElement, const L: usize>(
    mut bd: BlockDecoder<'a, L>,
    outs: &mut [&mut [T]],
    lanes: &[(usize, usize)],
    geo: &Geometry,
    (mut ups, mut curs): (Vec<u8>, Vec<u8>),
) -> BlockDecoder<'a, L> {
    let lens: [usize; L] = std::array::from_fn(|k| lanes[k].1 - lanes[k].0);
    let mut sl = [0u32; L];
    let mut sl2 = [0u32; L];
    if geo.rows_per_plane == 1 {
        // lanes of values: one row each, nothing above; round `t` holds the lanes longer than
        // `t` (the first ones)
        let mut t0 = 0;
        while let Some(end) = lens.iter().copied().filter(|&l| l > t0).min() {
            let active = lens.iter().filter(|&&l| l > t0).count();
            let t1 = end.min(t0 + block_rounds(L));
            block_of(&mut bd, active, outs, (t0, t1), None, &mut sl, &mut sl2);
            t0 = t1;
        }
    } else {
        // lanes of rows: every lane's previous and current row of symbols (one zero either
        // side), lane `k`'s at `k × (len + 2)`
        let len = geo.len;
        let w = len + 2;
        debug_assert!(ups.len() == L * w && curs.len() == L * w);
        let rows: [usize; L] = std::array::from_fn(|k| lens[k] / len);
        for q in 0..rows[0] {
            let active = rows.iter().filter(|&&r| r > q).count();
            for k in 0..active {
                if q == 0 || (lanes[k].0 / len + q).is_multiple_of(geo.rows_per_plane) {
                    ups[k * w..(k + 1) * w].fill(0);
                }
                (sl[k], sl2[k]) = (0, 0);
            }
            let base = q * len;
            let mut j0 = 0;
            while j0 < len {
                let j1 = len.min(j0 + block_rounds(L));
                block_of(
                    &mut bd,
                    active,
                    outs,
                    (base + j0, base + j1),
                    Some((&ups, &mut curs, w, j0)),
                    &mut sl,
                    &mut sl2,
                );
                j0 = j1;
            }
            std::mem::swap(&mut ups, &mut curs);
        }
    }
    bd
}

/// Decodes the model-2 payload `payload` into `out` (C order, shape `shape`): the lanes in
/// lockstep, so that the CPU has four independent chains of context → table → symbol.
///
/// # Errors
///
/// As [`decode_values`].
pub(crate) fn decode_values_lanes<T: ArithElement>(
    payload: &[u8],
    shape: &[usize],
    out: &mut [T],
) -> Result<(), CodecError> {
    decode_values_lanes_on::<T, LANES>(pulp::Arch::new(), payload, shape, out)
}

/// Decodes the model-3 payload `payload` into `out` (C order, shape `shape`): model 2's
/// decoding with [`LANES16`] lanes, full rounds lane-parallel ([`BlockDecoder::block_wide`]).
///
/// # Errors
///
/// As [`decode_values`].
pub(crate) fn decode_values_lanes16<T: ArithElement>(
    payload: &[u8],
    shape: &[usize],
    out: &mut [T],
) -> Result<(), CodecError> {
    decode_values_lanes_on::<T, LANES16>(pulp::Arch::new(), payload, shape, out)
}

/// [`decode_values_lanes`] / [`decode_values_lanes16`] (`L` lanes) with the lockstep loops
/// compiled for `arch`.
fn decode_values_lanes_on<T: ArithElement, const L: usize>(
    arch: pulp::Arch,
    payload: &[u8],
    shape: &[usize],
    out: &mut [T],
) -> Result<(), CodecError> {
    let n = out.len();
    if !has_values(payload, n)? {
        return Ok(());
    }
    let mut bd = BlockDecoder::<L>::new::<T>(payload)?;
    bd.avx2 = avx2_of(arch);
    let geo = Geometry::new(shape);
    let lanes = lane_ranges(n, &geo, L);
    // lanes of rows: every lane's previous and current row of symbols, reserved fallibly here
    // (a row's length is the header's)
    let rows = if geo.rows_per_plane == 1 {
        (Vec::new(), Vec::new())
    } else {
        let w = L * (geo.len + 2);
        (
            try_vec(CODEC_ID, "the decoder's rows of symbols", w)?,
            try_vec(CODEC_ID, "the decoder's rows of symbols", w)?,
        )
    };
    let mut outs = split_lanes(out, &lanes);
    let bd = decode_lanes_arch(arch, bd, &mut outs, &lanes, &geo, rows);
    bd.finish(payload.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A xorshift64 generator of test values from `seed` (also for the tests of the
    /// submodules).
    pub(super) fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// The encoders of models 1 to 3 compiled for this CPU's best instruction set (`pulp`'s
    /// dispatch) and for the scalar baseline write the same payload, and it decodes to the
    /// values: 32-bit and 64-bit values (raw bits beyond 56 in a value), rows and flat arrays.
    #[test]
    fn dispatched_and_scalar_encoders_agree() {
        let mut next = xorshift(0x2545_F491_4F6C_DD1Du64);
        for shape in [
            vec![1001usize],
            vec![3],
            vec![9, 13],
            vec![4, 5, 6],
            vec![5000],
        ] {
            let n: usize = shape.iter().product();
            for width in [1u32, 6, 14, 31, 63] {
                #[allow(clippy::cast_possible_wrap)]
                let wide: Vec<i64> = (0..n)
                    .map(|i| {
                        let v = next() as i64 >> (63 - width);
                        if i % 50 < 10 { 0 } else { v }
                    })
                    .collect();
                #[allow(clippy::cast_possible_truncation)]
                let narrow: Vec<i32> = wide.iter().map(|&v| (v >> 32) as i32).collect();
                for lanes in [1, LANES, LANES16] {
                    let payloads = [pulp::Arch::new(), pulp::Arch::Scalar].map(|arch| {
                        let (mut a, mut b) = (Vec::new(), Vec::new());
                        encode_on(arch, &wide, &shape, lanes, &mut a);
                        encode_on(arch, &narrow, &shape, lanes, &mut b);
                        (a, b)
                    });
                    assert_eq!(payloads[0], payloads[1], "{shape:?}, {width} bits");
                    let (a, b) = &payloads[1];
                    let (mut wa, mut nb) = (vec![0i64; n], vec![0i32; n]);
                    if lanes == 1 {
                        decode_values(a, &shape, &mut wa).unwrap();
                        decode_values(b, &shape, &mut nb).unwrap();
                    } else if lanes == LANES {
                        decode_values_lanes(a, &shape, &mut wa).unwrap();
                        decode_values_lanes(b, &shape, &mut nb).unwrap();
                    } else {
                        decode_values_lanes16(a, &shape, &mut wa).unwrap();
                        decode_values_lanes16(b, &shape, &mut nb).unwrap();
                    }
                    assert_eq!((wa, nb), (wide.clone(), narrow.clone()), "{shape:?}");
                }
            }
        }
    }

    /// Model 2's or 3's payload (`L` lanes) symbol by symbol in reverse stream order
    /// ([`RansEncoder::put_symbol`]) and with the raw bits read across the lanes round by round
    /// ([`raw_bits_interleaved`]): the reference for the encoder's rounds and raw-bit pass.
    fn encode_lanes_ref<T: ArithElement, const L: usize>(values: &[T], shape: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        if values.is_empty() {
            return out;
        }
        let geo = Geometry::new(shape);
        let lanes = lane_ranges(values.len(), &geo, L);
        let start: [usize; L] = std::array::from_fn(|k| lanes[k].0);
        let lens: [usize; L] = std::array::from_fn(|k| lanes[k].1 - lanes[k].0);
        let mut coded = Vec::new();
        let hist = first_pass(values, &geo, &lanes, None, &mut coded);
        let packed = put_tables(&hist, &mut out);
        // stream order: round t, lanes ascending; coded last to first
        let order: Vec<(usize, usize)> = (0..lens[0])
            .flat_map(|t| (0..L).filter(move |&k| t < lens[k]).map(move |k| (k, t)))
            .collect();
        let mut enc = RansEncoder::<L>::from_buffer(Vec::new());
        for &(k, t) in order.iter().rev() {
            enc.put_symbol(k, packed[usize::from(coded[start[k] + t]) & (H - 1)]);
        }
        ndcodecs_core::bytes::put_varint(&mut out, enc.len() as u64);
        enc.finish_into(&mut out);
        let mut raw = RawBits::new();
        raw_bits_interleaved::<T, L>(values, &coded, &start, &lens, &mut raw);
        out.extend_from_slice(&raw.finish());
        out
    }

    /// Model 3's encoder on this CPU's best instruction set (AVX2's rANS rounds) and on the
    /// scalar baseline writes the reference payload ([`encode_lanes_ref`]): tiny arrays (fewer
    /// values than lanes: empty lanes, only a partial round), lanes of unequal length (values and
    /// whole rows as units, so that the last rounds hold only the first lanes), values with and
    /// without raw bits (in some lanes only), 32- and 64-bit values.
    #[test]
    fn lanes16_encoder_matches_the_reference() {
        let mut next = xorshift(0x0DDB_1A5E_5BAD_5EEDu64);
        let shapes: Vec<Vec<usize>> = vec![
            vec![1],
            vec![2],
            vec![15],
            vec![16],
            vec![17],
            vec![31],
            vec![33],
            vec![255],
            vec![4099],
            vec![3, 5],
            vec![17, 7],
            vec![40, 9],
            vec![2, 19, 11],
            vec![1, 33, 70],
        ];
        for shape in shapes {
            let n: usize = shape.iter().product();
            for width in [0u32, 1, 3, 9, 20, 62] {
                #[allow(clippy::cast_possible_wrap)]
                let wide: Vec<i64> = (0..n)
                    .map(|i| {
                        let v = if width == 0 {
                            0
                        } else {
                            next() as i64 >> (63 - width)
                        };
                        // stretches of small values (no raw bits) and of large ones
                        if (i / 37) % 3 == 0 { v.signum() } else { v }
                    })
                    .collect();
                #[allow(clippy::cast_possible_truncation)]
                let narrow: Vec<i32> = wide.iter().map(|&v| (v >> 31) as i32).collect();
                let reference = (
                    encode_lanes_ref::<_, LANES16>(&wide, &shape),
                    encode_lanes_ref::<_, LANES16>(&narrow, &shape),
                );
                for arch in [pulp::Arch::new(), pulp::Arch::Scalar] {
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    encode_on(arch, &wide, &shape, LANES16, &mut a);
                    encode_on(arch, &narrow, &shape, LANES16, &mut b);
                    assert_eq!(
                        (&a, &b),
                        (&reference.0, &reference.1),
                        "{shape:?}, {width} bits"
                    );
                }
                let (mut wa, mut nb) = (vec![0i64; n], vec![0i32; n]);
                decode_values_lanes16(&reference.0, &shape, &mut wa).unwrap();
                decode_values_lanes16(&reference.1, &shape, &mut nb).unwrap();
                assert_eq!((wa, nb), (wide, narrow), "{shape:?}, {width} bits");
            }
        }
    }

    /// Pass 1 of model 1, value by value as the spec states it: every value's
    /// `ctx << 7 | symbol`, the counts per context and the raw bits.
    fn first_pass_ref<T: ArithElement>(
        values: &[T],
        shape: &[usize],
    ) -> (Vec<u16>, Vec<[u64; SYMBOLS]>, Vec<u8>) {
        let geo = Geometry::new(shape);
        let sym = |v: T| symbol_of(zigzag(v.to_signed()));
        let (mut codes, mut hist) = (Vec::new(), vec![[0u64; SYMBOLS]; CONTEXTS]);
        let (mut bits, mut nbits) = (Vec::new(), 0usize);
        for (r, row) in values.chunks(geo.len).enumerate() {
            let above = (!r.is_multiple_of(geo.rows_per_plane))
                .then(|| &values[(r - 1) * geo.len..r * geo.len]);
            for (j, &v) in row.iter().enumerate() {
                let s =
                    |k: Option<usize>| k.and_then(|k| row.get(k)).map_or(0, |&x| sym(x).0 as u32);
                let a = |k: Option<usize>| {
                    let x = above.and_then(|up| k.and_then(|k| up.get(k)));
                    x.map_or(0, |&x| sym(x).0 as u32)
                };
                let up = a(Some(j)) + ((a(j.checked_sub(1)) + a(Some(j + 1))) >> 1);
                let ctx = context(s(j.checked_sub(1)), s(j.checked_sub(2)), up);
                let (sy, e) = sym(v);
                codes.push((ctx << 7 | sy) as u16);
                hist[ctx][sy] += 1;
                let u = zigzag(v.to_signed());
                for b in 0..e.saturating_sub(2) {
                    if nbits % 8 == 0 {
                        bits.push(0u8);
                    }
                    bits[nbits / 8] |= ((u >> b & 1) as u8) << (nbits % 8);
                    nbits += 1;
                }
            }
        }
        (codes, hist, bits)
    }

    /// Pass 1 by blocks (symbols, contexts, counts and raw bits in stages; blocks without raw
    /// bits skipped) gives the codes, counts and raw bits of the value-by-value reference:
    /// blocks all zero, without raw bits, with a few and with many, rows of lengths around the
    /// block size, with and without a row above, 8- to 64-bit values.
    #[test]
    fn first_pass_matches_the_reference() {
        fn check<T: ArithElement>(values: &[T], shape: &[usize]) {
            let want = first_pass_ref(values, shape);
            for arch in [pulp::Arch::new(), pulp::Arch::Scalar] {
                struct Op<'a, T> {
                    values: &'a [T],
                    shape: &'a [usize],
                }
                impl<T: ArithElement> pulp::WithSimd for Op<'_, T> {
                    type Output = (Vec<u16>, Vec<[u64; SYMBOLS]>, Vec<u8>);
                    #[inline(always)]
                    fn with_simd<S: pulp::Simd>(self, _: S) -> Self::Output {
                        let geo = Geometry::new(self.shape);
                        let n = self.values.len();
                        let (mut raw, mut codes) = (RawBits::new(), Vec::new());
                        let hist =
                            first_pass(self.values, &geo, &[(0, n)], Some(&mut raw), &mut codes);
                        (codes, hist, raw.finish())
                    }
                }
                let got = arch.dispatch(Op { values, shape });
                assert_eq!(got.0, want.0, "codes, {shape:?}");
                assert_eq!(got.1, want.1, "counts, {shape:?}");
                assert_eq!(got.2, want.2, "raw bits, {shape:?}");
            }
        }
        let mut next = xorshift(0x0123_4567_89AB_CDEFu64);
        for shape in [
            vec![1usize],
            vec![255],
            vec![256],
            vec![257],
            vec![3000],
            vec![7, 300],
            vec![3, 4, 513],
            vec![40, 41],
        ] {
            let n: usize = shape.iter().product();
            #[allow(clippy::cast_possible_wrap)]
            let wide: Vec<i64> = (0..n)
                .map(|i| {
                    let r = next();
                    // by stretches of 300 values: zeros, -2..=1 (no raw bits), rare large
                    // values among small ones, values of any width
                    match i / 300 % 4 {
                        0 => 0,
                        1 => (r % 4) as i64 - 2,
                        2 if r.is_multiple_of(97) => (r as i64) >> (r % 60),
                        2 => (r % 3) as i64 - 1,
                        _ => (r as i64) >> (r % 64),
                    }
                })
                .collect();
            check(&wide, &shape);
            #[allow(clippy::cast_possible_truncation)]
            let narrow: Vec<i32> = wide.iter().map(|&v| (v >> (v & 31)) as i32).collect();
            check(&narrow, &shape);
            #[allow(clippy::cast_possible_truncation)]
            let bytes: Vec<u8> = wide.iter().map(|&v| v as u8).collect();
            check(&bytes, &shape);
            #[allow(clippy::cast_possible_truncation)]
            let halves: Vec<u16> = wide.iter().map(|&v| v as u16).collect();
            check(&halves, &shape);
            check(&[i32::MIN, i32::MAX, -1, 0, 1, i32::MIN + 1], &[6]);
        }
    }

    /// The lockstep decoders of models 2 and 3 (`L` lanes) compiled for this CPU's best
    /// instruction set (`pulp`'s dispatch) and for the scalar baseline read the same values, and
    /// the same errors from damaged payloads: lanes of values and of rows, blocks of rounds
    /// longer than one, partial rounds of every kind (3, 2 or 1 lanes, and for model 3 more than
    /// 4 but fewer than 16), lanes without values, 8- to 32-bit values.
    fn decoders_agree<const L: usize>(encode: fn(&[i32], &[usize], &mut Vec<u8>)) {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15u64);
        let rounds = block_rounds(L);
        for shape in [
            vec![1001usize],
            vec![3],
            vec![9, 13],
            vec![4, 5, 6],
            vec![2, 50],
            // blocks of rounds: lanes of values and rows longer than a block, partial rounds
            vec![L * rounds + 7],
            vec![4 * rounds + 7],
            vec![7, 2 * rounds + 3],
            // rows: 16 lanes with 7, 3, 2 and 1 of them a row longer; more lanes than rows
            vec![L + 7, 2 * rounds + 3],
            vec![L + 3, 5],
            vec![L + 2, 9],
            vec![L + 1, 4],
            vec![3, 2, L + 5, 11],
        ] {
            for width in [1u32, 2, 6, 14, 31] {
                let n: usize = shape.iter().product();
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                let values: Vec<i32> = (0..n)
                    .map(|i| {
                        let v = (next() >> 33) as i32 >> (31 - width);
                        if i % 50 < 10 { 0 } else { v }
                    })
                    .collect();
                let mut payload = Vec::new();
                encode(&values, &shape, &mut payload);
                for arch in [pulp::Arch::new(), pulp::Arch::Scalar] {
                    let mut out = vec![0i32; n];
                    decode_values_lanes_on::<i32, L>(arch, &payload, &shape, &mut out).unwrap();
                    assert_eq!(out, values, "{L} lanes, {shape:?}, {width} bits");
                }
                #[allow(clippy::cast_possible_truncation)]
                let bytes: Vec<i8> = values.iter().map(|&v| v as i8).collect();
                let mut payload8 = Vec::new();
                encode_on(pulp::Arch::new(), &bytes, &shape, L, &mut payload8);
                let mut out8 = vec![0i8; n];
                decode_values_lanes_on::<i8, L>(pulp::Arch::Scalar, &payload8, &shape, &mut out8)
                    .unwrap();
                assert_eq!(out8, bytes, "{L} lanes, {shape:?}, 8-bit");
                let mut damaged = payload.clone();
                let at = damaged.len() / 2;
                damaged[at] ^= 0x10;
                let results: Vec<_> = [pulp::Arch::new(), pulp::Arch::Scalar]
                    .map(|arch| {
                        let mut out = vec![0i32; n];
                        let r = decode_values_lanes_on::<i32, L>(arch, &damaged, &shape, &mut out);
                        (r.map_err(|e| e.to_string()), out)
                    })
                    .into_iter()
                    .collect();
                assert_eq!(
                    results[0], results[1],
                    "{L} lanes, {shape:?}, {width} bits, damaged"
                );
            }
        }
    }

    #[test]
    fn dispatched_and_scalar_decoders_agree() {
        decoders_agree::<LANES>(encode_values_lanes::<i32>);
    }

    #[test]
    fn dispatched_and_scalar_decoders_agree_16_lanes() {
        decoders_agree::<LANES16>(encode_values_lanes16::<i32>);
    }

    /// The generic lane-by-lane loop of [`BlockDecoder::block`] for all sixteen lanes (what a
    /// partial round of more than 4 lanes takes) decodes what the lane-parallel
    /// [`BlockDecoder::block_wide`] decodes, symbol for symbol, in lanes of values and of rows.
    #[test]
    fn wide_and_lane_by_lane_rounds_agree() {
        let mut next = xorshift(0x0F1E_2D3C_4B5A_6978u64);
        for shape in [vec![16 * 300 + 5], vec![40, 37], vec![3, 35, 70]] {
            for width in [1u32, 5, 20] {
                let n: usize = shape.iter().product();
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                let values: Vec<i32> = (0..n)
                    .map(|i| {
                        let v = (next() >> 33) as i32 >> (31 - width);
                        if i % 30 < 10 { 0 } else { v }
                    })
                    .collect();
                let mut payload = Vec::new();
                encode_values_lanes16(&values, &shape, &mut payload);
                let mut wide = vec![0i32; n];
                decode_values_lanes16(&payload, &shape, &mut wide).unwrap();
                assert_eq!(wide, values, "{shape:?}");
                let narrow = NARROW_ONLY.with(|f| {
                    f.set(true);
                    let mut out = vec![0i32; n];
                    let r = decode_values_lanes16(&payload, &shape, &mut out);
                    f.set(false);
                    r.map(|()| out)
                });
                assert_eq!(narrow.unwrap(), values, "{shape:?}, lane by lane");
            }
        }
    }
}
