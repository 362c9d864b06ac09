//! The context model of format version 1 (model id 0): how each value is predicted, split into
//! decisions, and which adaptive model codes each decision, all from already coded neighbours.
//! `specs/arith/README.md` describes every step; the comments here name the spec's terms.
//!
//! Built for speed as well as size: the prediction's inputs sit in 8 or 16 lanes of 16 bits
//! (8 for rank 1 and 2, whose other inputs are always 0), so that the products and the weight
//! updates vectorise; the inputs from earlier rows are gathered per block of a row beforehand;
//! the model tables are sized to powers of two so that masked indices need no bounds checks.

use ndcodecs_core::{CodecError, shape::try_vec};
use ndcodecs_entropy::{AdaptiveCdf, BinaryModel, RangeDecoder, RangeEncoder};

use crate::CODEC_ID;
use crate::element::ArithElement;

/// Token alphabet: 0 (unused after the zero flag), the bit length `e` of a nonzero magnitude for
/// `e` in `1..=16`, and [`ESCAPE`] for `e >= 17` (then `e - 17` in 6 bypass bits).
const TOKENS: usize = 18;
const ESCAPE: usize = 17;
/// Activity buckets (`bucket`).
const BUCKETS: usize = 20;
/// Rates of the binary models (fast, slow) and the token distributions.
const FAST_RATE: u8 = 5;
const SLOW_RATE: u8 = 8;
const CDF_RATE: u8 = 7;
/// Weight of the left neighbour in the activity, before the missing neighbours' weight is added.
const LEFT_WEIGHT: u32 = 2;
/// Prediction: weights in units of 2^-12, sign-sign LMS step and bound.
const WEIGHT_SHIFT: u32 = 12;
const LMS_STEP: i16 = 4;
const WEIGHT_BOUND: i16 = 4096;
/// Decay of the selector's error sums (`sum -= sum >> 12` per value).
const SELECTOR_SHIFT: u32 = 12;
/// Neighbours enter the contexts and the prediction clamped to this magnitude.
const CLAMP: i64 = 32767;
/// Rows are prepared and coded in blocks of this many values (the block's gathered neighbours
/// stay in the first-level cache).
const BLOCK: usize = 1024;

/// Lanes of the prediction inputs: left, left2, left3; up, up-left, up-right, up2; front,
/// front-left, front-up, front2 (the last four only for rank 3 and more).
const LEFT_LANES: usize = 3;
const UP: usize = 3;

/// The sign relation of the left and upper neighbours: 0 if either is 0, 1 if their signs
/// agree, 2 if they differ. Arithmetic rather than a table indexed by the sign context, so that
/// no load sits between one value and the next value's zero-flag context: with
/// `p = signum(left) × signum(up)` in `{-1, 0, 1}`, `(p & 1) + ((p >> 1) & 1)` maps 0, 1, -1 to
/// 0, 1, 2.
#[inline(always)]
fn relation(left: i16, up: i16) -> usize {
    let p = i32::from(left.signum()) * i32::from(up.signum());
    #[allow(clippy::cast_sign_loss)]
    {
        ((p & 1) + ((p >> 1) & 1)) as usize
    }
}

/// Every adaptive model of one chunk, in their initial state (`P(0) = 1/2`, uniform tokens).
/// Tables are padded to powers of two so that masked indices need no bounds checks.
struct Models {
    /// `zero[z]`, `z = 3 × bucket + relation < 60`
    zero: [BinaryModel; 64],
    /// `token[z]`
    token: [AdaptiveCdf<TOKENS>; 64],
    /// `sign[s]`, `s = 3 × class(left) + class(up) < 9`
    sign: [BinaryModel; 16],
    /// `mantissa[16 × bucket + token]` (`< 320`)
    mantissa: [BinaryModel; 512],
}

impl Models {
    fn new() -> Box<Self> {
        let bm = BinaryModel::with_rates(1 << 15, FAST_RATE, SLOW_RATE);
        let cdf = AdaptiveCdf::from_frequencies(&[1; TOKENS], CDF_RATE);
        Box::new(Self {
            zero: [bm; 64],
            token: std::array::from_fn(|_| cdf.clone()),
            sign: [bm; 16],
            mantissa: [bm; 512],
        })
    }
}

/// The prediction of a value from its neighbours (sign-sign LMS over `L` lanes) and the
/// selector that turns it off where it does worse than no prediction.
struct Predictor<const L: usize> {
    weights: [i16; L],
    plain: u64,
    predicted: u64,
    simd: Simd,
}

impl<const L: usize> Predictor<L> {
    fn new() -> Self {
        Self {
            weights: [0; L],
            plain: 0,
            predicted: 0,
            simd: Simd::detect(),
        }
    }

    /// The raw LMS prediction.
    #[inline(always)]
    fn raw(&self, x: &[i16; L]) -> i64 {
        // |w| <= 2^12 and |x| <= 32767: eleven products and the rounding term stay below 2^31,
        // so 32-bit arithmetic gives the spec's exact sum.
        let s = self
            .simd
            .dot(&self.weights, x)
            .wrapping_add(1 << (WEIGHT_SHIFT - 1));
        i64::from(s >> WEIGHT_SHIFT)
    }

    /// Whether the prediction is applied (else the coded value is the value itself).
    #[inline(always)]
    const fn active(&self) -> bool {
        self.predicted <= self.plain
    }

    /// Learns from value `v` whose raw prediction error is `e`.
    #[inline(always)]
    fn update(&mut self, x: &[i16; L], v: i64, e: i64) {
        #[allow(clippy::cast_possible_truncation)]
        let step = LMS_STEP * e.signum() as i16;
        for (w, &x) in self.weights.iter_mut().zip(x) {
            let sx = i16::from(x > 0) - i16::from(x < 0);
            *w = (*w + step * sx).clamp(-WEIGHT_BOUND, WEIGHT_BOUND);
        }
        let cap = |x: i64| x.unsigned_abs().min(1 << 20);
        self.plain = self.plain - (self.plain >> SELECTOR_SHIFT) + cap(v);
        self.predicted = self.predicted - (self.predicted >> SELECTOR_SHIFT) + cap(e);
    }
}

/// The vector instructions of the prediction's dot product: SSE2's `pmaddwd` on x86-64 (part of
/// its baseline; the `pulp` crate's token makes the intrinsics safe to call), to which the
/// compiler does not turn the plain loop on its own (it extracts the lanes one by one); the
/// plain sum elsewhere. Integer arithmetic: every path gives the same sums.
#[derive(Clone, Copy)]
struct Simd {
    #[cfg(target_arch = "x86_64")]
    sse2: Option<pulp::core_arch::x86::Sse2>,
}

impl Simd {
    fn detect() -> Self {
        Self {
            #[cfg(target_arch = "x86_64")]
            sse2: pulp::core_arch::x86::Sse2::try_new(),
        }
    }

    /// `sum(w[i] × x[i])` in 32 bits (exact for the predictor's bounds: see
    /// [`Predictor::raw`]).
    #[inline(always)]
    fn dot<const L: usize>(self, w: &[i16; L], x: &[i16; L]) -> i32 {
        #[cfg(target_arch = "x86_64")]
        if let Some(sse2) = self.sse2 {
            let (w8, x8) = (w.as_chunks::<8>().0, x.as_chunks::<8>().0);
            let mut acc = sse2._mm_setzero_si128();
            for (w, x) in w8.iter().zip(x8) {
                let p = sse2._mm_madd_epi16(bytemuck::cast(*w), bytemuck::cast(*x));
                acc = sse2._mm_add_epi32(acc, p);
            }
            let a: [i32; 4] = bytemuck::cast(acc);
            return (a[0].wrapping_add(a[1])).wrapping_add(a[2].wrapping_add(a[3]));
        }
        w.iter().zip(x).fold(0i32, |s, (&w, &x)| {
            s.wrapping_add(i32::from(w) * i32::from(x))
        })
    }
}

/// The activity bucket: 0 for 0, then two buckets per octave, saturating at 19.
#[inline(always)]
fn bucket(delta: u32) -> usize {
    let l = 31 - (delta | 1).leading_zeros();
    // the bit below the leading one (0 for delta = 1); delta < 2^31, so the shift keeps it
    let half = ((delta << 1) >> l) & 1;
    let b = ((1 + 2 * l + half) as usize).min(BUCKETS - 1);
    if delta == 0 { 0 } else { b }
}

/// 0 for zero, 1 for positive, 2 for negative.
#[inline(always)]
fn sign_class(v: i16) -> usize {
    usize::from(v > 0) + 2 * usize::from(v < 0)
}

#[inline(always)]
fn clamp(v: i64) -> i16 {
    #[allow(clippy::cast_possible_truncation)]
    {
        v.clamp(-CLAMP, CLAMP) as i16
    }
}

/// The axes of extent > 1 (C order) and their strides: axes of extent 1 have no neighbours and
/// are dropped; an array whose axes all have extent 1 is one value.
struct Geometry {
    shape: Vec<usize>,
    strides: Vec<usize>,
}

impl Geometry {
    fn new(shape: &[usize]) -> Self {
        let mut s: Vec<usize> = shape.iter().copied().filter(|&d| d != 1).collect();
        if s.is_empty() {
            s.push(1);
        }
        let mut strides = vec![1usize; s.len()];
        for a in (0..s.len() - 1).rev() {
            strides[a] = strides[a + 1] * s[a + 1];
        }
        Self { shape: s, strides }
    }

    fn rank(&self) -> usize {
        self.shape.len()
    }

    fn row_len(&self) -> usize {
        self.shape[self.rank() - 1]
    }
}

/// What a block of a row needs from earlier rows: per position, the activity of the neighbours
/// in earlier rows and the prediction inputs from earlier rows (lanes 3.., lanes 0..3 zero).
struct Block<const L: usize> {
    acc: Vec<u32>,
    taps: Vec<[i16; L]>,
    /// weight of the left neighbour for this row
    left_weight: u32,
}

impl<const L: usize> Block<L> {
    fn new(len: usize) -> Self {
        Self {
            acc: vec![0; len],
            taps: vec![[0; L]; len],
            left_weight: LEFT_WEIGHT,
        }
    }

    /// Gathers positions `j0..j0 + n` of the row starting at `start` (outer multi-index
    /// `idx`, row length `len`) from the clamped values `cs` of earlier rows.
    #[inline(always)]
    fn prepare(
        &mut self,
        geo: &Geometry,
        idx: &[usize],
        start: usize,
        j0: usize,
        n: usize,
        cs: &[i16],
    ) {
        let rank = geo.rank();
        let len = geo.row_len();
        let (acc, taps) = (&mut self.acc[..n], &mut self.taps[..n]);
        acc.fill(0);
        taps.fill([0; L]);
        let mut missing = 0;
        let at = |base: usize, j: usize| -> i16 { cs[base + j] };
        for a in 0..rank - 1 {
            let second_last = a + 2 == rank;
            if idx[a] == 0 {
                missing += if second_last { 3 } else { 1 };
                continue;
            }
            let base = start - geo.strides[a];
            if second_last {
                let up2 = (idx[a] > 1).then(|| base - geo.strides[a]);
                for (k, (x, t)) in acc.iter_mut().zip(taps.iter_mut()).enumerate() {
                    let j = j0 + k;
                    let u = at(base, j);
                    let ul = if j > 0 { at(base, j - 1) } else { 0 };
                    let ur = if j + 1 < len { at(base, j + 1) } else { 0 };
                    t[UP] = u;
                    t[UP + 1] = ul;
                    t[UP + 2] = ur;
                    if let Some(b2) = up2 {
                        t[UP + 3] = at(b2, j);
                    }
                    *x += u32::from(u.unsigned_abs())
                        + u32::from(ul.unsigned_abs())
                        + u32::from(ur.unsigned_abs());
                }
            } else {
                if a + 3 == rank && L > UP + 7 {
                    let front_up = (idx[rank - 2] > 0).then(|| base - geo.strides[rank - 2]);
                    let front2 = (idx[a] > 1).then(|| base - geo.strides[a]);
                    for (k, t) in taps.iter_mut().enumerate() {
                        let j = j0 + k;
                        t[UP + 4] = at(base, j);
                        t[UP + 5] = if j > 0 { at(base, j - 1) } else { 0 };
                        if let Some(b) = front_up {
                            t[UP + 6] = at(b, j);
                        }
                        if let Some(b) = front2 {
                            t[UP + 7] = at(b, j);
                        }
                    }
                }
                for (k, x) in acc.iter_mut().enumerate() {
                    *x += u32::from(at(base, j0 + k).unsigned_abs());
                }
            }
        }
        self.left_weight = LEFT_WEIGHT + missing;
    }
}

/// Walks the rows of `geo` in C order: the start of each row and its outer multi-index (a
/// cursor rather than a closure, so that the loop over a row stays in the function compiled
/// for the CPU's instruction set).
struct Rows<'g> {
    geo: &'g Geometry,
    idx: Vec<usize>,
    start: usize,
    started: bool,
}

impl<'g> Rows<'g> {
    fn new(geo: &'g Geometry) -> Self {
        Self {
            geo,
            idx: vec![0; geo.rank() - 1],
            start: 0,
            started: false,
        }
    }

    /// Moves to the next row (the first on the first call); `false` once past the last.
    #[inline(always)]
    fn advance(&mut self) -> bool {
        if !self.started {
            self.started = true;
            return true;
        }
        self.start += self.geo.row_len();
        let mut a = self.idx.len();
        loop {
            if a == 0 {
                return false;
            }
            a -= 1;
            self.idx[a] += 1;
            if self.idx[a] < self.geo.shape[a] {
                return true;
            }
            self.idx[a] = 0;
        }
    }
}

/// The contexts of a value: `(bucket, zero/token context, sign context)`.
#[inline(always)]
fn contexts(acc: u32, left_weight: u32, left: i16, up: i16) -> (usize, usize, usize) {
    let delta = acc + left_weight * u32::from(left.unsigned_abs());
    let b = bucket(delta);
    let s = 3 * sign_class(left) + sign_class(up);
    (b, 3 * b + relation(left, up), s)
}

/// The prediction inputs of a value: the gathered lanes with the left neighbours in lanes 0..3.
#[inline(always)]
fn inputs<const L: usize>(taps: &[i16; L], left: &[i16; LEFT_LANES]) -> [i16; L] {
    let mut x = *taps;
    x[..LEFT_LANES].copy_from_slice(left);
    x
}

/// The lane count for an array of this rank: 8 for rank 1 and 2, 16 beyond.
enum Lanes {
    Flat,
    Eight,
    Sixteen,
}

fn lanes(geo: &Geometry) -> Lanes {
    match geo.rank() {
        1 => Lanes::Flat,
        2 => Lanes::Eight,
        _ => Lanes::Sixteen,
    }
}

/// Codes `values` (C order, shape `shape`) into `enc`.
pub(crate) fn encode_values<T: ArithElement>(
    values: &[T],
    shape: &[usize],
    enc: &mut RangeEncoder,
) {
    encode_values_on(pulp::Arch::new(), values, shape, enc);
}

/// [`encode_values`] with the loop compiled for `arch`: the CPU's best instruction set (AVX2,
/// BMI2, LZCNT, POPCNT on x86-64 where present: the range coder's shifts and leading-zero
/// counts take one instruction each) or the baseline. Integer arithmetic, the same bytes on
/// every path (tested).
fn encode_values_on<T: ArithElement>(
    arch: pulp::Arch,
    values: &[T],
    shape: &[usize],
    enc: &mut RangeEncoder,
) {
    if values.is_empty() {
        return;
    }
    let geo = Geometry::new(shape);
    arch.dispatch(EncodeOp {
        values,
        geo: &geo,
        enc,
    });
}

struct EncodeOp<'a, 'b, T> {
    values: &'a [T],
    geo: &'a Geometry,
    enc: &'b mut RangeEncoder,
}

impl<T: ArithElement> pulp::WithSimd for EncodeOp<'_, '_, T> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Self { values, geo, enc } = self;
        match lanes(geo) {
            Lanes::Flat => encode_lanes::<T, 8, true>(values, geo, enc),
            Lanes::Eight => encode_lanes::<T, 8, false>(values, geo, enc),
            Lanes::Sixteen => encode_lanes::<T, 16, false>(values, geo, enc),
        }
    }
}

#[inline(always)]
fn encode_lanes<T: ArithElement, const L: usize, const FLAT: bool>(
    values: &[T],
    geo: &Geometry,
    enc_out: &mut RangeEncoder,
) {
    // a local copy, so that the coder's state lives in registers
    let mut enc = std::mem::take(enc_out);
    let enc = &mut enc;
    let mut m = Models::new();
    let mut p = Predictor::<L>::new();
    let cs: Vec<i16> = if FLAT {
        Vec::new()
    } else {
        values.iter().map(|v| clamp(v.to_signed())).collect()
    };
    let len = geo.row_len();
    let mut block = Block::<L>::new(if FLAT { 0 } else { len.min(BLOCK) });
    let zero_taps = [0i16; L];
    let mut rows = Rows::new(geo);
    while rows.advance() {
        let (start, idx) = (rows.start, &rows.idx[..]);
        let mut left = [0i16; LEFT_LANES];
        for j0 in (0..len).step_by(BLOCK) {
            let n = BLOCK.min(len - j0);
            if !FLAT {
                block.prepare(geo, idx, start, j0, n, &cs);
            }
            let lw = block.left_weight;
            let vals = &values[start + j0..start + j0 + n];
            for (k, v) in vals.iter().enumerate() {
                let (acc, taps) = if FLAT {
                    (0, &zero_taps)
                } else {
                    (block.acc[k], &block.taps[k])
                };
                let (b, z, s) = contexts(acc, lw, left[0], taps[UP]);
                let x = inputs(taps, &left);
                let r = p.raw(&x);
                let pred = if p.active() { r } else { 0 };
                let v = v.to_signed();
                let d = T::from_signed(v.wrapping_sub(pred)).to_signed();
                encode_one(enc, &mut m, d, b, z, s);
                p.update(&x, v, T::from_signed(v.wrapping_sub(r)).to_signed());
                left = [clamp(v), left[0], left[1]];
            }
        }
    }
    *enc_out = std::mem::take(enc);
}

#[inline(always)]
fn encode_one(enc: &mut RangeEncoder, m: &mut Models, d: i64, b: usize, z: usize, s: usize) {
    let mag = d.unsigned_abs();
    enc.encode_bit(mag != 0, &mut m.zero[z & 63]);
    if mag == 0 {
        return;
    }
    let e = 64 - mag.leading_zeros();
    let t = (e as usize).min(ESCAPE);
    enc.encode_symbol(t, &mut m.token[z & 63]);
    if t == ESCAPE {
        enc.encode_bits(u64::from(e) - ESCAPE as u64, 6);
    }
    enc.encode_bit(d < 0, &mut m.sign[s & 15]);
    if e >= 2 {
        let rest = e - 2;
        enc.encode_bit(
            (mag >> rest) & 1 == 1,
            &mut m.mantissa[(b * TOKENS + t) & 511],
        );
        if rest > 0 {
            enc.encode_bits(mag & ((1u64 << rest) - 1), rest);
        }
    }
}

/// Decodes into `out` (C order, shape `shape`). Stops early (leaving the rest of `out` as it
/// is) once the decoder has run past the end of its data; the caller's end check then fails.
/// Returns `false` if a decision sequence no encoder writes was met (a zero token after a set
/// zero flag, a bit length beyond the dtype, a magnitude outside its signed range).
pub(crate) fn decode_values<T: ArithElement>(
    dec: &mut RangeDecoder<'_>,
    shape: &[usize],
    out: &mut [T],
) -> Result<bool, CodecError> {
    decode_values_on(pulp::Arch::new(), dec, shape, out)
}

/// [`decode_values`] with the loop compiled for `arch` (see [`encode_values_on`]).
fn decode_values_on<T: ArithElement>(
    arch: pulp::Arch,
    dec: &mut RangeDecoder<'_>,
    shape: &[usize],
    out: &mut [T],
) -> Result<bool, CodecError> {
    if out.is_empty() {
        return Ok(true);
    }
    let geo = Geometry::new(shape);
    // the clamped values of earlier rows that the context reads (rank 2 and up): 2 bytes a
    // value, up to twice the output, reserved fallibly before decoding
    let cs = match lanes(&geo) {
        Lanes::Flat => Vec::new(),
        Lanes::Eight | Lanes::Sixteen => try_vec(
            CODEC_ID,
            "the decoder's int16 copy of the values (context model)",
            out.len(),
        )?,
    };
    Ok(arch.dispatch(DecodeOp {
        dec,
        geo: &geo,
        out,
        cs,
    }))
}

struct DecodeOp<'a, 'b, 'c, T> {
    dec: &'a mut RangeDecoder<'b>,
    geo: &'a Geometry,
    out: &'c mut [T],
    cs: Vec<i16>,
}

impl<T: ArithElement> pulp::WithSimd for DecodeOp<'_, '_, '_, T> {
    type Output = bool;
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> bool {
        let Self { dec, geo, out, cs } = self;
        match lanes(geo) {
            Lanes::Flat => decode_lanes::<T, 8, true>(dec, geo, out, cs),
            Lanes::Eight => decode_lanes::<T, 8, false>(dec, geo, out, cs),
            Lanes::Sixteen => decode_lanes::<T, 16, false>(dec, geo, out, cs),
        }
    }
}

#[inline(always)]
fn decode_lanes<T: ArithElement, const L: usize, const FLAT: bool>(
    dec_out: &mut RangeDecoder<'_>,
    geo: &Geometry,
    out: &mut [T],
    mut cs: Vec<i16>,
) -> bool {
    // a local copy, so that the decoder's state lives in registers
    let mut dec = dec_out.clone();
    let dec = &mut dec;
    let mut valid = true;
    let mut m = Models::new();
    let mut p = Predictor::<L>::new();
    debug_assert_eq!(cs.len(), if FLAT { 0 } else { out.len() });
    let len = geo.row_len();
    let mut block = Block::<L>::new(if FLAT { 0 } else { len.min(BLOCK) });
    let zero_taps = [0i16; L];
    let mut rows = Rows::new(geo);
    'rows: while rows.advance() {
        let (start, idx) = (rows.start, &rows.idx[..]);
        let mut left = [0i16; LEFT_LANES];
        for j0 in (0..len).step_by(BLOCK) {
            let n = BLOCK.min(len - j0);
            if !FLAT {
                block.prepare(geo, idx, start, j0, n, &cs);
            }
            let lw = block.left_weight;
            let outs = &mut out[start + j0..start + j0 + n];
            for (k, o) in outs.iter_mut().enumerate() {
                let (acc, taps) = if FLAT {
                    (0, &zero_taps)
                } else {
                    (block.acc[k], &block.taps[k])
                };
                let (b, z, s) = contexts(acc, lw, left[0], taps[UP]);
                let x = inputs(taps, &left);
                let r = p.raw(&x);
                let pred = if p.active() { r } else { 0 };
                let d = decode_one::<T>(dec, &mut m, b, z, s, &mut valid);
                let v = T::from_signed(d.wrapping_add(pred)).to_signed();
                p.update(&x, v, T::from_signed(v.wrapping_sub(r)).to_signed());
                *o = T::from_signed(v);
                left = [clamp(v), left[0], left[1]];
            }
            if !FLAT {
                for (c, o) in cs[start + j0..start + j0 + n].iter_mut().zip(outs.iter()) {
                    *c = clamp(o.to_signed());
                }
            }
            if !valid || dec.is_past_end() {
                break 'rows;
            }
        }
    }
    *dec_out = dec.clone();
    valid
}

#[inline(always)]
fn decode_one<T: ArithElement>(
    dec: &mut RangeDecoder<'_>,
    m: &mut Models,
    b: usize,
    z: usize,
    s: usize,
    valid: &mut bool,
) -> i64 {
    if !dec.decode_bit(&mut m.zero[z & 63]) {
        return 0;
    }
    let t = dec.decode_symbol(&mut m.token[z & 63]);
    if t == 0 {
        // never written after a set zero flag
        *valid = false;
        return 0;
    }
    #[allow(clippy::cast_possible_truncation)]
    let e = if t == ESCAPE {
        ESCAPE as u32 + dec.decode_bits(6) as u32
    } else {
        t as u32
    };
    if e > T::BITS {
        // more bits than the dtype has
        *valid = false;
        return 0;
    }
    let neg = dec.decode_bit(&mut m.sign[s & 15]);
    let mut mag: u64 = 1;
    if e >= 2 {
        let rest = e - 2;
        let bit = dec.decode_bit(&mut m.mantissa[(b * TOKENS + t) & 511]);
        mag = (2 | u64::from(bit)) << rest;
        if rest > 0 {
            mag |= dec.decode_bits(rest);
        }
    }
    // the magnitudes of a signed integer of the dtype's width: up to 2^(BITS-1) - 1, and
    // 2^(BITS-1) for the most negative value
    let top = 1u64 << (T::BITS - 1);
    *valid &= mag < top || (mag == top && neg);
    #[allow(clippy::cast_possible_wrap)]
    let v = mag as i64;
    if neg { v.wrapping_neg() } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sign relation against its definition (indexed by the sign context
    /// `3 × class(left) + class(up)`).
    #[test]
    fn relation_is_the_table() {
        const RELATION: [usize; 9] = [0, 0, 0, 0, 1, 2, 0, 2, 1];
        for left in [-32767i16, -5, -1, 0, 1, 7, 32767] {
            for up in [-32767i16, -2, -1, 0, 1, 3, 32767] {
                let s = 3 * sign_class(left) + sign_class(up);
                assert_eq!(relation(left, up), RELATION[s], "{left} {up}");
            }
        }
    }

    /// The loop compiled for the CPU's instruction set and for the baseline give the same bytes
    /// and the same values, for ranks 1 to 3 and small to wide residuals.
    #[test]
    fn every_instruction_set_codes_the_same() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for shape in [vec![700], vec![23, 41], vec![5, 9, 31]] {
            for width in [1u32, 6, 14, 31] {
                let n: usize = shape.iter().product();
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                let values: Vec<i32> = (0..n)
                    .map(|i| {
                        let r = next();
                        let v = (r >> 33) as i32 >> (31 - width);
                        // runs of zeros as well
                        if i % 50 < 10 { 0 } else { v }
                    })
                    .collect();
                let mut coded = Vec::new();
                for arch in [pulp::Arch::new(), pulp::Arch::Scalar] {
                    let mut enc = RangeEncoder::new();
                    encode_values_on(arch, &values, &shape, &mut enc);
                    coded.push(enc.finish());
                }
                assert_eq!(coded[0], coded[1], "{shape:?}, {width} bits");
                for arch in [pulp::Arch::new(), pulp::Arch::Scalar] {
                    let mut out = vec![0i32; n];
                    let mut dec = RangeDecoder::new(&coded[0]);
                    assert!(decode_values_on(arch, &mut dec, &shape, &mut out).unwrap());
                    assert!(dec.finish().is_ok());
                    assert_eq!(out, values, "{shape:?}, {width} bits");
                }
            }
        }
    }

    /// The vector dot product against the plain sum, at the bounds of the weights and inputs
    /// and on random lanes.
    #[test]
    fn vector_dot_product_is_the_plain_sum() {
        let plain = |w: &[i16; 16], x: &[i16; 16]| -> i32 {
            w.iter()
                .zip(x)
                .map(|(&w, &x)| i32::from(w) * i32::from(x))
                .sum()
        };
        let simd = Simd::detect();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..10_000 {
            let mut w = [0i16; 16];
            let mut x = [0i16; 16];
            // eleven lanes in use, the last five zero, as in the model
            for i in 0..11 {
                #[allow(clippy::cast_possible_truncation)]
                let (a, b) = (next() as i16, next() as i16);
                w[i] = match case % 3 {
                    0 => WEIGHT_BOUND,
                    1 => -WEIGHT_BOUND,
                    _ => a.clamp(-WEIGHT_BOUND, WEIGHT_BOUND),
                };
                x[i] = if case % 3 == 2 { b.max(-32767) } else { 32767 };
            }
            assert_eq!(simd.dot(&w, &x), plain(&w, &x));
            #[cfg(target_arch = "x86_64")]
            assert_eq!(Simd { sse2: None }.dot(&w, &x), plain(&w, &x));
            let (w8, x8): (&[i16; 8], &[i16; 8]) =
                (w[..8].try_into().unwrap(), x[..8].try_into().unwrap());
            assert_eq!(
                simd.dot(w8, x8),
                plain(&w, &{
                    let mut y = x;
                    y[8..].fill(0);
                    y
                })
            );
        }
    }
}
