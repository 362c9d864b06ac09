//! The context model of format version 1 (model id 0): how each value is predicted, split into
//! decisions, and which adaptive model codes each decision, all from already coded neighbours.
//! `specs/arith/README.md` describes every step; the comments here name the spec's terms.

use ndcodecs_entropy::{AdaptiveCdf, BinaryModel, RangeDecoder, RangeEncoder};

use crate::element::ArithElement;

/// Token alphabet: 0 (unused after the zero flag), the bit length `e` of a nonzero magnitude for
/// `e` in `1..=16`, and [`ESCAPE`] for `e >= 17` (then `e - 17` in 6 bypass bits).
const TOKENS: usize = 18;
const ESCAPE: usize = 17;
/// Activity buckets (`bucket`).
const BUCKETS: usize = 20;
/// Sign-relation classes of the left and upper neighbours.
const RELATIONS: usize = 3;
/// Rates of the binary models (fast, slow) and the token distributions.
const FAST_RATE: u8 = 5;
const SLOW_RATE: u8 = 8;
const CDF_RATE: u8 = 7;
/// Weight of the left neighbour in the activity, before the missing neighbours' weight is added.
const LEFT_WEIGHT: u32 = 2;
/// Prediction: 6 inputs (held in 8 lanes, the last two always 0, so that the arithmetic
/// vectorises), weights in units of 2^-12, sign-sign LMS step and bound.
const TAPS: usize = 8;
const WEIGHT_SHIFT: u32 = 12;
const LMS_STEP: i32 = 4;
const WEIGHT_BOUND: i32 = 8192;
/// Decay of the selector's error sums (`sum -= sum >> 12` per value).
const SELECTOR_SHIFT: u32 = 12;
/// Neighbours enter the contexts and the prediction clamped to this magnitude.
const CLAMP: i64 = 32767;

/// Every adaptive model of one chunk, in their initial state (`P(0) = 1/2`, uniform tokens).
struct Models {
    zero: Vec<BinaryModel>,
    token: Vec<AdaptiveCdf<TOKENS>>,
    sign: [BinaryModel; 9],
    mantissa: Vec<BinaryModel>,
}

impl Models {
    fn new() -> Self {
        let bm = BinaryModel::with_rates(1 << 15, FAST_RATE, SLOW_RATE);
        Self {
            zero: vec![bm; BUCKETS * RELATIONS],
            token: vec![AdaptiveCdf::from_frequencies(&[1; TOKENS], CDF_RATE); BUCKETS * RELATIONS],
            sign: [bm; 9],
            mantissa: vec![bm; BUCKETS * TOKENS],
        }
    }
}

/// The prediction of a value from its neighbours (sign-sign LMS) and the selector that turns
/// it off where it does worse than no prediction.
struct Predictor {
    weights: [i32; TAPS],
    plain: u64,
    predicted: u64,
}

impl Predictor {
    const fn new() -> Self {
        Self {
            weights: [0; TAPS],
            plain: 0,
            predicted: 0,
        }
    }

    /// `(raw, used)`: the LMS prediction and the one applied (raw, or 0 while the selector
    /// prefers no prediction).
    #[inline(always)]
    fn predict(&self, x: &[i32; TAPS]) -> (i64, i64) {
        // |w| <= 2^13 and |x| <= 32767: six products and the rounding term stay below 2^31, so
        // 32-bit arithmetic gives the spec's exact sum.
        let mut s: i32 = 1 << (WEIGHT_SHIFT - 1);
        for (&w, &x) in self.weights.iter().zip(x) {
            s += w * x;
        }
        let raw = i64::from(s >> WEIGHT_SHIFT);
        (raw, if self.predicted <= self.plain { raw } else { 0 })
    }

    /// Learns from value `v` whose raw prediction error is `e`.
    #[inline(always)]
    fn update(&mut self, x: &[i32; TAPS], v: i64, e: i64) {
        #[allow(clippy::cast_possible_truncation)]
        let se = e.signum() as i32;
        for (w, &x) in self.weights.iter_mut().zip(x) {
            *w = (*w + LMS_STEP * se * x.signum()).clamp(-WEIGHT_BOUND, WEIGHT_BOUND);
        }
        let cap = |x: i64| x.unsigned_abs().min(1 << 20);
        self.plain = self.plain - (self.plain >> SELECTOR_SHIFT) + cap(v);
        self.predicted = self.predicted - (self.predicted >> SELECTOR_SHIFT) + cap(e);
    }
}

/// The activity bucket: 0 for 0, then two buckets per octave, saturating at 19.
#[inline(always)]
fn bucket(delta: u32) -> usize {
    if delta == 0 {
        return 0;
    }
    let l = 31 - delta.leading_zeros();
    let half = if l > 0 { (delta >> (l - 1)) & 1 } else { 0 };
    ((1 + 2 * l + half) as usize).min(BUCKETS - 1)
}

/// 0 for zero, 1 for positive, 2 for negative.
#[inline(always)]
fn sign_class(v: i32) -> usize {
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
}

/// What a row (a line along the last axis) needs from earlier rows.
struct RowContext {
    /// activity of the neighbours in earlier rows, per position
    acc: Vec<u32>,
    /// the row above along the second-last axis, with a zero before and after (`up[j + 1]` is
    /// above position `j`)
    up: Vec<i16>,
    /// the row before along the third-last axis
    front: Vec<i16>,
    /// weight of the left neighbour for this row
    left_weight: u32,
}

impl RowContext {
    fn new(len: usize) -> Self {
        Self {
            acc: vec![0; len],
            up: vec![0; len + 2],
            front: vec![0; len],
            left_weight: LEFT_WEIGHT,
        }
    }

    /// Prepares the row starting at `start` with outer multi-index `idx`.
    fn prepare(&mut self, geo: &Geometry, idx: &[usize], start: usize, cs: &[i16]) {
        let rank = geo.shape.len();
        let len = self.acc.len();
        self.acc.fill(0);
        self.up.fill(0);
        self.front.fill(0);
        let mut missing = 0;
        for a in 0..rank - 1 {
            let second_last = a + 2 == rank;
            if idx[a] == 0 {
                missing += if second_last { 3 } else { 1 };
                continue;
            }
            let prev = &cs[start - geo.strides[a]..start - geo.strides[a] + len];
            if second_last {
                self.up[1..=len].copy_from_slice(prev);
                for (j, x) in self.acc.iter_mut().enumerate() {
                    *x += u32::from(self.up[j].unsigned_abs())
                        + u32::from(self.up[j + 1].unsigned_abs())
                        + u32::from(self.up[j + 2].unsigned_abs());
                }
            } else {
                if a + 3 == rank {
                    self.front.copy_from_slice(prev);
                }
                for (x, &v) in self.acc.iter_mut().zip(prev) {
                    *x += u32::from(v.unsigned_abs());
                }
            }
        }
        self.left_weight = LEFT_WEIGHT + missing;
    }
}

/// Walks the rows of `geo` in C order, calling `f(row_start, outer multi-index)` until it
/// returns `false`.
fn for_each_row(geo: &Geometry, mut f: impl FnMut(usize, &[usize]) -> bool) {
    let rank = geo.shape.len();
    let len = geo.shape[rank - 1];
    let mut idx = vec![0usize; rank - 1];
    let mut start = 0;
    loop {
        if !f(start, &idx) {
            return;
        }
        start += len;
        let mut a = rank - 1;
        loop {
            if a == 0 {
                return;
            }
            a -= 1;
            idx[a] += 1;
            if idx[a] < geo.shape[a] {
                break;
            }
            idx[a] = 0;
        }
    }
}

/// The contexts of the value at position `j` of a row: `(activity bucket, zero/token context,
/// sign context, prediction inputs)`.
#[inline(always)]
fn contexts(
    row: &RowContext,
    j: usize,
    left: i16,
    left2: i16,
) -> (usize, usize, usize, [i32; TAPS]) {
    let delta = row.acc[j] + row.left_weight * u32::from(left.unsigned_abs());
    let b = bucket(delta);
    let (l, u) = (i32::from(left), i32::from(row.up[j + 1]));
    let (sl, su) = (sign_class(l), sign_class(u));
    let relation = if sl == 0 || su == 0 {
        0
    } else if sl == su {
        1
    } else {
        2
    };
    let x = [
        l,
        i32::from(left2),
        u,
        i32::from(row.up[j]),
        i32::from(row.up[j + 2]),
        i32::from(row.front[j]),
        0,
        0,
    ];
    (b, b * RELATIONS + relation, sl * 3 + su, x)
}

/// Codes `values` (C order, shape `shape`) into `enc`.
pub(crate) fn encode_values<T: ArithElement>(
    values: &[T],
    shape: &[usize],
    enc: &mut RangeEncoder,
) {
    if values.is_empty() {
        return;
    }
    let geo = Geometry::new(shape);
    let mut m = Models::new();
    let mut p = Predictor::new();
    let cs: Vec<i16> = values.iter().map(|v| clamp(v.to_signed())).collect();
    let len = geo.shape[geo.shape.len() - 1];
    let mut row = RowContext::new(len);
    for_each_row(&geo, |start, idx| {
        row.prepare(&geo, idx, start, &cs);
        let (mut left, mut left2) = (0i16, 0i16);
        for j in 0..len {
            let (b, zb, sctx, x) = contexts(&row, j, left, left2);
            let v = values[start + j].to_signed();
            let (raw, pred) = p.predict(&x);
            let d = T::from_signed(v.wrapping_sub(pred)).to_signed();
            encode_one(enc, &mut m, d, b, zb, sctx);
            p.update(&x, v, T::from_signed(v.wrapping_sub(raw)).to_signed());
            left2 = left;
            left = cs[start + j];
        }
        true
    });
}

#[inline(always)]
fn encode_one(enc: &mut RangeEncoder, m: &mut Models, d: i64, b: usize, zb: usize, sctx: usize) {
    let mag = d.unsigned_abs();
    enc.encode_bit(mag != 0, &mut m.zero[zb]);
    if mag == 0 {
        return;
    }
    let e = 64 - mag.leading_zeros() as usize;
    let t = e.min(ESCAPE);
    enc.encode_symbol(t, &mut m.token[zb]);
    if t == ESCAPE {
        enc.encode_bits((e - ESCAPE) as u64, 6);
    }
    enc.encode_bit(d < 0, &mut m.sign[sctx]);
    if e >= 2 {
        let rest = (e - 2) as u32;
        enc.encode_bit((mag >> rest) & 1 == 1, &mut m.mantissa[b * TOKENS + t]);
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
) -> bool {
    if out.is_empty() {
        return true;
    }
    let mut valid = true;
    let geo = Geometry::new(shape);
    let mut m = Models::new();
    let mut p = Predictor::new();
    let mut cs = vec![0i16; out.len()];
    let len = geo.shape[geo.shape.len() - 1];
    let mut row = RowContext::new(len);
    for_each_row(&geo, |start, idx| {
        row.prepare(&geo, idx, start, &cs);
        let (mut left, mut left2) = (0i16, 0i16);
        for j in 0..len {
            let (b, zb, sctx, x) = contexts(&row, j, left, left2);
            let (raw, pred) = p.predict(&x);
            let d = decode_one::<T>(dec, &mut m, b, zb, sctx, &mut valid);
            let v = T::from_signed(d.wrapping_add(pred)).to_signed();
            p.update(&x, v, T::from_signed(v.wrapping_sub(raw)).to_signed());
            out[start + j] = T::from_signed(v);
            left2 = left;
            left = clamp(v);
            cs[start + j] = left;
        }
        valid && !dec.is_past_end()
    });
    valid
}

#[inline(always)]
fn decode_one<T: ArithElement>(
    dec: &mut RangeDecoder<'_>,
    m: &mut Models,
    b: usize,
    zb: usize,
    sctx: usize,
    valid: &mut bool,
) -> i64 {
    if !dec.decode_bit(&mut m.zero[zb]) {
        return 0;
    }
    let t = dec.decode_symbol(&mut m.token[zb]);
    if t == 0 {
        // never written after a set zero flag
        *valid = false;
        return 0;
    }
    let e = if t == ESCAPE {
        #[allow(clippy::cast_possible_truncation)]
        let extra = dec.decode_bits(6) as usize;
        ESCAPE + extra
    } else {
        t
    };
    if e > T::BITS as usize {
        // more bits than the dtype has
        *valid = false;
        return 0;
    }
    let neg = dec.decode_bit(&mut m.sign[sctx]);
    let mut mag: u64 = 1;
    if e >= 2 {
        let rest = (e - 2) as u32;
        mag = (mag << 1) | u64::from(dec.decode_bit(&mut m.mantissa[b * TOKENS + t]));
        if rest > 0 {
            mag = (mag << rest) | dec.decode_bits(rest);
        }
    }
    // the magnitudes of a signed integer of the dtype's width: up to 2^(BITS-1) - 1, and
    // 2^(BITS-1) for the most negative value
    let top = 1u64 << (T::BITS - 1);
    if mag > top || (mag == top && !neg) {
        *valid = false;
    }
    #[allow(clippy::cast_possible_wrap)]
    let v = mag as i64;
    if neg { v.wrapping_neg() } else { v }
}
