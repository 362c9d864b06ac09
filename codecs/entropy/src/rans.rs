//! Interleaved rANS with static tables: the fast entropy coder of the ndcodecs codecs.
//!
//! rANS (range asymmetric numeral systems, J. Duda, "Asymmetric numeral systems", 2009/2013)
//! in the byte-oriented form of F. Giesen's `rans_byte` / interleaved rANS (Giesen, "Interleaved
//! entropy coders", 2014), with a 32-bit state, 16-bit renormalisation and
//! [`RANS_LANES`] interleaved states: symbol `i` of a stream is coded by state `i mod 4`, so that
//! a decoder's state updates do not wait for one another. Probabilities are static (a table per
//! context, frequencies summing to `2^RANS_PROB_BITS`); the encoder codes the symbols last to
//! first and the decoder reads them first to last. The exact arithmetic is in
//! `specs/entropy/README.md` (section *rANS*).
//!
//! Stream: the four final encoder states (each a little-endian `u32`, lane 0 first), then the
//! 16-bit words the encoder emitted, little-endian, in the order the decoder reads them. The
//! encoder starts every state at [`RANS_L`]; the decoder checks that it ends there with every
//! word read, so that truncated data, trailing bytes and most damage are errors.

use crate::EntropyError;

/// Precision of the static tables: frequencies sum to `2^12`.
pub const RANS_PROB_BITS: u32 = 12;
/// Total of a table's frequencies.
pub const RANS_TOTAL: u32 = 1 << RANS_PROB_BITS;
/// Number of interleaved states (symbol `i` is coded by state `i mod RANS_LANES`).
pub const RANS_LANES: usize = 4;
/// Lower bound of the normalised state interval `[2^16, 2^32)`, and every state's initial value.
pub const RANS_L: u32 = 1 << 16;
/// Largest symbol a table may hold, plus one.
pub const RANS_MAX_SYMBOLS: usize = 128;

const MASK: u32 = RANS_TOTAL - 1;

/// The decoding table of one static distribution: for every slot `s` of `[0, 2^12)`, the
/// symbol whose interval holds `s`, its frequency and `s` minus its cumulative frequency, packed
/// in one `u32` (`symbol | (s − cum) << 7 | freq << 19`).
#[derive(Clone, Debug)]
pub struct RansTable {
    slots: Box<[u32; RANS_TOTAL as usize]>,
}

impl RansTable {
    /// The table of `freqs` (frequency of symbol `k` at index `k`; zero for a symbol that does
    /// not occur).
    ///
    /// # Errors
    ///
    /// [`EntropyError::InvalidCdf`] if there are more than [`RANS_MAX_SYMBOLS`] entries or the
    /// frequencies do not sum to [`RANS_TOTAL`].
    pub fn new(freqs: &[u16]) -> Result<Self, EntropyError> {
        if freqs.len() > RANS_MAX_SYMBOLS {
            return Err(EntropyError::InvalidCdf(format!(
                "{} symbols, at most {RANS_MAX_SYMBOLS}",
                freqs.len()
            )));
        }
        let total: u32 = freqs.iter().map(|&f| u32::from(f)).sum();
        if total != RANS_TOTAL {
            return Err(EntropyError::InvalidCdf(format!(
                "frequencies sum to {total}, not {RANS_TOTAL}"
            )));
        }
        let mut slots = Box::new([0u32; RANS_TOTAL as usize]);
        let mut cum = 0u32;
        for (sym, &f) in freqs.iter().enumerate() {
            let f = u32::from(f);
            #[allow(clippy::cast_possible_truncation)]
            let sym = sym as u32;
            for (k, slot) in slots[cum as usize..(cum + f) as usize]
                .iter_mut()
                .enumerate()
            {
                #[allow(clippy::cast_possible_truncation)]
                let bias = k as u32;
                *slot = sym | bias << 7 | f << 19;
            }
            cum += f;
        }
        Ok(Self { slots })
    }
}

/// Scales `counts` (occurrences of symbol `k` at index `k`) to frequencies summing to
/// [`RANS_TOTAL`], written to `freqs` (same length), every occurring symbol keeping at least 1.
///
/// The rule (part of what an ndcodecs encoder writes, so fixed): `f_k = max(1, floor(c_k × 2^12
/// / total))` for `c_k > 0`, 0 otherwise; a shortfall is added to the symbol with the largest
/// count (the lowest such symbol); an excess is taken one at a time from the symbol with the
/// largest frequency above 1 (the lowest such symbol).
///
/// # Panics
///
/// If `counts` and `freqs` differ in length, if no count is nonzero, or if more than
/// [`RANS_TOTAL`] counts are nonzero.
pub fn quantize_frequencies(counts: &[u64], freqs: &mut [u16]) {
    assert_eq!(counts.len(), freqs.len());
    let total: u64 = counts.iter().sum();
    assert!(total > 0, "no symbol occurs");
    let mut sum = 0u32;
    for (f, &c) in freqs.iter_mut().zip(counts) {
        *f = if c == 0 {
            0
        } else {
            #[allow(clippy::cast_possible_truncation)]
            let q = (u128::from(c) * u128::from(RANS_TOTAL) / u128::from(total)) as u16;
            q.max(1)
        };
        sum += u32::from(*f);
    }
    if sum < RANS_TOTAL {
        let mut best = 0;
        for (k, &c) in counts.iter().enumerate() {
            if c > counts[best] {
                best = k;
            }
        }
        #[allow(clippy::cast_possible_truncation)]
        {
            freqs[best] += (RANS_TOTAL - sum) as u16;
        }
    }
    while sum > RANS_TOTAL {
        let mut best = 0;
        for (k, &f) in freqs.iter().enumerate() {
            if f > freqs[best] {
                best = k;
            }
        }
        assert!(freqs[best] > 1, "more occurring symbols than slots");
        freqs[best] -= 1;
        sum -= 1;
    }
}

/// A symbol's interval `[start, start + freq)` of `[0, 2^12)` prepared for
/// [`RansEncoder::put_rev`]: with `rcp = ceil(2^44 / freq)`, `floor(x / freq) = floor(x · rcp /
/// 2^44)` for every 32-bit state `x` (the error `x · (rcp · freq − 2^44) / 2^44` stays below
/// `x · freq / 2^44 < 1` of `freq`; the idea of F. Giesen's `rans_byte` reciprocals, exact here
/// over the whole state range).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RansEncSymbol {
    rcp: u64,
    start: u32,
    freq: u32,
}

impl RansEncSymbol {
    /// The symbol of interval `[start, start + freq)`; `freq` must be in `1..=4096` and
    /// `start + freq <= 4096` (a table's own entries), as for [`RansEncoder::put`] (a `freq` of
    /// 0 codes as 1).
    #[must_use]
    pub const fn new(start: u32, freq: u32) -> Self {
        let freq = if freq == 0 { 1 } else { freq };
        Self {
            rcp: (1u64 << 44).div_ceil(freq as u64),
            start,
            freq,
        }
    }

    /// The interval's start.
    #[must_use]
    pub const fn start(&self) -> u32 {
        self.start
    }

    /// The interval's length, the symbol's frequency (1 for a `freq` of 0 given to
    /// [`new`](Self::new)).
    #[must_use]
    pub const fn freq(&self) -> u32 {
        self.freq
    }

    /// The reciprocal `ceil(2^44 / freq)` (at most `2^44`), for a codec's own vector loop.
    #[must_use]
    pub const fn rcp(&self) -> u64 {
        self.rcp
    }

    /// `(floor(x / freq), x mod freq)` for any 32-bit `x`, by the reciprocal.
    #[inline(always)]
    #[must_use]
    pub fn div(&self, x: u32) -> (u32, u32) {
        #[allow(clippy::cast_possible_truncation)]
        let q = ((u128::from(x) * u128::from(self.rcp)) >> 44) as u32;
        (q, x - q * self.freq)
    }
}

/// One symbol of [`RansEncoder::put_rev`] on state `x`: the 16-bit word it writes (the low
/// half of `x`), whether it writes it (renormalisation) and the new state.
#[inline(always)]
fn encode_step(x: u32, s: RansEncSymbol) -> (u16, bool, u32) {
    let big = u64::from(x) >= u64::from(s.freq) << (32 - RANS_PROB_BITS);
    let y = if big { x >> 16 } else { x };
    let (q, r) = s.div(y);
    #[allow(clippy::cast_possible_truncation)]
    (x as u16, big, (q << RANS_PROB_BITS) + r + s.start)
}

/// The rANS encoder: symbols are put **last to first** (symbol `i` of the stream with lane
/// `i mod S`); [`finish_into`](Self::finish_into) writes the stream.
///
/// `S` is the number of interleaved states: [`RANS_LANES`] (4, the stream of the entropy spec)
/// by default; a codec whose format says so may interleave more
/// ([`from_buffer`](Self::from_buffer)), which lets its decoder run more independent chains at
/// once. The stream has the same layout with `S` states in the head.
#[derive(Clone, Debug)]
pub struct RansEncoder<const S: usize = RANS_LANES> {
    states: [u32; S],
    /// 16-bit words in the order emitted (the reverse of the decoder's)
    words: Vec<u16>,
}

impl Default for RansEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl RansEncoder {
    /// An encoder with every state at [`RANS_L`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An encoder with room for `words` 16-bit words.
    #[must_use]
    pub fn with_capacity(words: usize) -> Self {
        Self {
            states: [RANS_L; RANS_LANES],
            words: Vec::with_capacity(words),
        }
    }

    /// An encoder with every state at [`RANS_L`] that writes its words into `words` (cleared
    /// first): a buffer kept from an earlier encoder ([`finish_into_keep`](Self::finish_into_keep)),
    /// so that a new stream reuses its memory.
    #[must_use]
    pub fn with_buffer(words: Vec<u16>) -> Self {
        Self::from_buffer(words)
    }
}

impl<const S: usize> RansEncoder<S> {
    /// An encoder of `S` interleaved states, every one at [`RANS_L`], that writes its words
    /// into `words` (cleared first; as [`with_buffer`](RansEncoder::with_buffer) for 4 states).
    ///
    /// # Panics
    ///
    /// If `S` is 0.
    #[must_use]
    pub fn from_buffer(mut words: Vec<u16>) -> Self {
        assert!(S > 0, "an rANS encoder needs a state");
        words.clear();
        Self {
            states: [RANS_L; S],
            words,
        }
    }

    /// Codes the symbol whose interval is `[start, start + freq)` of `[0, 2^12)` with state
    /// `lane mod S`. Symbols are put last to first.
    ///
    /// `freq` must be in `1..=4096` and `start + freq <= 4096` (a table's own entries); other
    /// values write a stream that does not decode (checked in debug builds).
    #[inline(always)]
    pub fn put(&mut self, lane: usize, start: u32, freq: u32) {
        debug_assert!(freq >= 1 && start + freq <= RANS_TOTAL);
        let x = &mut self.states[lane % S];
        // x_max = ((RANS_L >> 12) << 16) * freq: one word out keeps x / freq below 2^20
        if u64::from(*x) >= u64::from(freq) << (32 - RANS_PROB_BITS) {
            #[allow(clippy::cast_possible_truncation)]
            self.words.push(*x as u16);
            *x >>= 16;
        }
        let freq = freq.max(1);
        *x = ((*x / freq) << RANS_PROB_BITS) + (*x % freq) + start;
    }

    /// Codes the symbol `s` with state `lane mod S` (as [`put`](Self::put), with the division
    /// done by `s`'s reciprocal). Symbols are put last to first.
    #[inline(always)]
    pub fn put_symbol(&mut self, lane: usize, s: RansEncSymbol) {
        let x = &mut self.states[lane % S];
        let (word, big, next) = encode_step(*x, s);
        if big {
            self.words.push(word);
        }
        *x = next;
    }

    /// Codes symbols `n − 1` down to 0 (symbol `i` with state `i mod S`, its interval
    /// `sym(i)`): the stream of calling [`put`](Self::put) for each of them in that order, with
    /// the division by the frequency done as a multiplication by [`RansEncSymbol`]'s reciprocal,
    /// the renormalisation without a branch and (for 4 states) the states in registers.
    #[inline(always)]
    pub fn put_rev(&mut self, n: usize, mut sym: impl FnMut(usize) -> RansEncSymbol) {
        if S != RANS_LANES {
            self.put_rev_any(n, sym);
            return;
        }
        // at most one word per symbol, written four symbols at a time
        let base = self.words.len();
        self.words.resize(base + n + RANS_LANES, 0);
        let words = &mut self.words[base..];
        let mut k = 0usize;
        let (mut x0, mut x1, mut x2, mut x3) = (
            self.states[0],
            self.states[1],
            self.states[2],
            self.states[3],
        );
        let mut i = n;
        while !i.is_multiple_of(RANS_LANES) {
            i -= 1;
            let x = match i % RANS_LANES {
                0 => &mut x0,
                1 => &mut x1,
                _ => &mut x2,
            };
            let (word, big, next) = encode_step(*x, sym(i));
            words[k] = word;
            k += usize::from(big);
            *x = next;
        }
        while i >= RANS_LANES {
            i -= RANS_LANES;
            // `k + 4 <= n - i` words so far: the four fit
            let w = &mut words[k..k + RANS_LANES];
            let (w3, b3, n3) = encode_step(x3, sym(i + 3));
            let (w2, b2, n2) = encode_step(x2, sym(i + 2));
            let (w1, b1, n1) = encode_step(x1, sym(i + 1));
            let (w0, b0, n0) = encode_step(x0, sym(i));
            // each word at the next free place; a word not written is overwritten by the next
            let mut j = 0usize;
            w[j] = w3;
            j += usize::from(b3);
            w[j & 3] = w2;
            j += usize::from(b2);
            w[j & 3] = w1;
            j += usize::from(b1);
            w[j & 3] = w0;
            j += usize::from(b0);
            k += j;
            (x0, x1, x2, x3) = (n0, n1, n2, n3);
        }
        self.states[..4].copy_from_slice(&[x0, x1, x2, x3]);
        self.words.truncate(base + k);
    }

    /// [`put_rev`](Self::put_rev) for any number of states: the symbols of the last, partial
    /// round one by one, then the full rounds ([`put_rounds`](Self::put_rounds)).
    #[inline(always)]
    fn put_rev_any(&mut self, n: usize, mut sym: impl FnMut(usize) -> RansEncSymbol) {
        let full = n / S;
        for i in (S * full..n).rev() {
            self.put_symbol(i, sym(i));
        }
        self.put_rounds(full, |t, l| sym(S * t + l));
    }

    /// Codes rounds `rounds − 1` down to 0 of `S` symbols each, round `t`'s symbol of state
    /// `l` being `sym(t, l)` (the symbol of stream index `S t + l`): the stream of
    /// [`put_rev`](Self::put_rev)`(S · rounds, |i| sym(i / S, i % S))`.
    ///
    /// Written step by step across the states, so that a caller compiled for a CPU's vector
    /// instructions (`pulp`'s dispatch, this function being inlined there) codes a round's `S`
    /// states in vector registers: the intervals of the round, then every state's
    /// renormalisation test, division (by the reciprocal, in two 32 × 32-bit products:
    /// `floor(y · rcp / 2^44) = floor((y · rcp_hi + floor(y · rcp_lo / 2^32)) / 2^12)`) and new
    /// value, then the words of the states that renormalise, in the order the encoder emits
    /// them (state `S − 1` first).
    #[inline(always)]
    pub fn put_rounds(
        &mut self,
        rounds: usize,
        mut sym: impl FnMut(usize, usize) -> RansEncSymbol,
    ) {
        // at most one word per symbol
        let base = self.words.len();
        self.words.resize(base + S * rounds, 0);
        let words = &mut self.words[base..];
        let mut k = 0usize;
        let mut x = self.states;
        for t in (0..rounds).rev() {
            let (mut freq, mut start, mut lo, mut hi) =
                ([0u32; S], [0u32; S], [0u32; S], [0u32; S]);
            for l in 0..S {
                let s = sym(t, l);
                freq[l] = s.freq;
                start[l] = s.start;
                #[allow(clippy::cast_possible_truncation)]
                {
                    lo[l] = s.rcp as u32;
                    hi[l] = (s.rcp >> 32) as u32;
                }
            }
            let mut big = [0u32; S];
            let mut next = [0u32; S];
            for l in 0..S {
                // x >= freq · 2^20 (which is 2^32 for a frequency of 4096: never)
                let b = x[l] > (freq[l] << (32 - RANS_PROB_BITS)).wrapping_sub(1);
                let y = if b { x[l] >> 16 } else { x[l] };
                let y64 = u64::from(y);
                #[allow(clippy::cast_possible_truncation)]
                let q = ((y64 * u64::from(hi[l]) + ((y64 * u64::from(lo[l])) >> 32)) >> 12) as u32;
                // q · 2^12 + (y − q · freq) + start
                next[l] = y + q * (RANS_TOTAL - freq[l]) + start[l];
                big[l] = u32::from(b);
            }
            // `k + S <= S · (rounds − t)` words so far: every word of the round fits
            for l in (0..S).rev() {
                #[allow(clippy::cast_possible_truncation)]
                {
                    words[k] = x[l] as u16;
                }
                k += big[l] as usize;
            }
            x = next;
        }
        self.states = x;
        self.words.truncate(base + k);
    }

    /// The encoder's parts, for a codec that runs its own coding loop (see
    /// [`from_parts`](Self::from_parts)): the `S` states and the 16-bit words emitted so far,
    /// in the order emitted (the reverse of the stream's).
    #[must_use]
    pub fn into_parts(self) -> ([u32; S], Vec<u16>) {
        (self.states, self.words)
    }

    /// An encoder from the parts of [`into_parts`](Self::into_parts) after a codec's own loop
    /// went on with them: every state must stay in `[2^16, 2^32)` and every word be one that
    /// [`put`](Self::put) would have emitted, else the stream does not decode.
    #[must_use]
    pub const fn from_parts(states: [u32; S], words: Vec<u16>) -> Self {
        Self { states, words }
    }

    /// [`finish_into`](Self::finish_into), returning the buffer of words for
    /// [`with_buffer`](Self::with_buffer).
    pub fn finish_into_keep(self, out: &mut Vec<u8>) -> Vec<u16> {
        out.reserve(self.len());
        for s in self.states {
            out.extend_from_slice(&s.to_le_bytes());
        }
        for &w in self.words.iter().rev() {
            out.extend_from_slice(&w.to_le_bytes());
        }
        self.words
    }

    /// Number of bytes [`finish_into`](Self::finish_into) will append.
    #[must_use]
    pub fn len(&self) -> usize {
        4 * S + 2 * self.words.len()
    }

    /// Never empty: the final states take `4 S` bytes.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// Appends the stream to `out`: the `S` states, then the words in decoding order.
    pub fn finish_into(self, out: &mut Vec<u8>) {
        out.reserve(self.len());
        for s in self.states {
            out.extend_from_slice(&s.to_le_bytes());
        }
        for &w in self.words.iter().rev() {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }
}

/// The decoder of [`RansEncoder`]'s streams.
///
/// It never panics on damaged data: past the end it reads zero words, and every call returns
/// some symbol of the table. [`finish`](Self::finish) checks that every state is back at
/// [`RANS_L`] with every word read.
///
/// `S` is the number of interleaved states, as for [`RansEncoder`]: [`RANS_LANES`] by default
/// ([`new`](RansDecoder::new)), any other with [`with_states`](Self::with_states).
#[derive(Clone, Debug)]
pub struct RansDecoder<'a, const S: usize = RANS_LANES> {
    states: [u32; S],
    /// the 16-bit words, little-endian
    words: &'a [[u8; 2]],
    /// words read
    pos: usize,
}

impl<'a> RansDecoder<'a> {
    /// Starts decoding `data` (exactly the bytes [`RansEncoder::finish_into`] appended).
    ///
    /// # Errors
    ///
    /// [`EntropyError::Truncated`] for fewer than 16 bytes; [`EntropyError::Corrupt`] for a
    /// state outside `[2^16, 2^32)` or an odd number of word bytes.
    pub fn new(data: &'a [u8]) -> Result<Self, EntropyError> {
        Self::with_states(data)
    }
}

impl<'a, const S: usize> RansDecoder<'a, S> {
    /// Starts decoding `data`, a stream of `S` interleaved states (the bytes
    /// [`RansEncoder::<S>::finish_into`](RansEncoder::finish_into) appended).
    ///
    /// # Errors
    ///
    /// [`EntropyError::Truncated`] for fewer than `4 S` bytes; [`EntropyError::Corrupt`] for a
    /// state outside `[2^16, 2^32)` or an odd number of word bytes.
    pub fn with_states(data: &'a [u8]) -> Result<Self, EntropyError> {
        let head = 4 * S;
        if data.len() < head {
            return Err(EntropyError::Truncated {
                needed: head,
                available: data.len(),
            });
        }
        let mut states = [0u32; S];
        for (s, b) in states.iter_mut().zip(data.chunks_exact(4)) {
            *s = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if *s < RANS_L {
                return Err(EntropyError::Corrupt("an rANS state below 2^16"));
            }
        }
        let (words, odd) = data[head..].as_chunks::<2>();
        if !odd.is_empty() {
            return Err(EntropyError::Corrupt("an odd number of rANS word bytes"));
        }
        Ok(Self {
            states,
            words,
            pos: 0,
        })
    }

    /// The decoder's parts, for a codec that runs its own decoding loop over the words (see
    /// [`from_parts`](Self::from_parts)): the states, the words (little-endian) and the number
    /// of words read.
    #[must_use]
    pub const fn into_parts(self) -> ([u32; S], &'a [[u8; 2]], usize) {
        (self.states, self.words, self.pos)
    }

    /// A decoder from the parts of [`into_parts`](Self::into_parts) after a codec's own loop
    /// went on with them (`pos` words read, possibly past the end: [`finish`](Self::finish)
    /// then says the stream is truncated), so that it checks the stream's end.
    #[must_use]
    pub const fn from_parts(states: [u32; S], words: &'a [[u8; 2]], pos: usize) -> Self {
        Self { states, words, pos }
    }

    /// Decodes the next symbol with state `lane mod S` under `table`.
    #[inline(always)]
    pub fn get(&mut self, lane: usize, table: &RansTable) -> u8 {
        let e = table.slots[self.slot(lane) as usize];
        let slot = self.slot(lane);
        self.advance(lane, slot - ((e >> 7) & MASK), e >> 19);
        #[allow(clippy::cast_possible_truncation)]
        let sym = (e & 0x7F) as u8;
        sym
    }

    /// The slot `x mod 2^12` of state `lane mod S`: the decoded symbol is the one whose
    /// interval `[start, start + freq)` holds it (for codecs that keep their own slot tables).
    #[inline(always)]
    #[must_use]
    pub const fn slot(&self, lane: usize) -> u32 {
        self.states[lane % S] & MASK
    }

    /// Moves state `lane mod S` past the symbol of interval `[start, start + freq)`, which must
    /// hold [`slot`](Self::slot)`(lane)` (else the state is garbage, not a panic), and reads a
    /// word if the state falls below `2^16` (without a branch).
    #[inline(always)]
    pub fn advance(&mut self, lane: usize, start: u32, freq: u32) {
        let x = &mut self.states[lane % S];
        let y = freq
            .wrapping_mul(*x >> RANS_PROB_BITS)
            .wrapping_add(*x & MASK)
            .wrapping_sub(start);
        let w = self
            .words
            .get(self.pos)
            .map_or(0, |&b| u32::from(u16::from_le_bytes(b)));
        let renorm = y < RANS_L;
        *x = if renorm { y << 16 | w } else { y };
        self.pos += usize::from(renorm);
    }

    /// `true` once the decoder has read past the end of the data (it is truncated or damaged).
    #[must_use]
    pub const fn is_past_end(&self) -> bool {
        self.pos > self.words.len()
    }

    /// Checks the end of the stream.
    ///
    /// # Errors
    ///
    /// [`EntropyError::Truncated`] if the symbols needed more words than there are;
    /// [`EntropyError::TrailingBytes`] if words are left; [`EntropyError::Corrupt`] if a state
    /// did not end at [`RANS_L`].
    pub fn finish(&self) -> Result<(), EntropyError> {
        let head = 4 * S;
        if self.pos > self.words.len() {
            return Err(EntropyError::Truncated {
                needed: head + 2 * self.pos,
                available: head + 2 * self.words.len(),
            });
        }
        if self.pos < self.words.len() {
            return Err(EntropyError::TrailingBytes {
                count: 2 * (self.words.len() - self.pos),
            });
        }
        if self.states.iter().any(|&s| s != RANS_L) {
            return Err(EntropyError::Corrupt(
                "an rANS state does not end where every encoder starts",
            ));
        }
        Ok(())
    }
}
