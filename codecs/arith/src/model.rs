//! The context model: how each value is split into binary and multi-symbol decisions, and which
//! adaptive model codes each decision, chosen from the already coded neighbours.

use ndcodecs_entropy::{AdaptiveCdf, BinaryModel, RangeDecoder, RangeEncoder};

use crate::element::ArithElement;

/// Tokens of a nonzero magnitude: its bit length `e` for `e` in `1..=16`, and 17 for longer
/// magnitudes (the escape; `e - 17` follows in 6 bypass bits). Symbol 0 stands for zero.
pub(crate) const TOKENS: usize = 18;
pub(crate) const ESCAPE: usize = 17;

/// Tunable parameters (experiments only; the format fixes one set).
#[derive(Clone, Debug)]
#[doc(hidden)]
pub struct Params {
    pub zero_flag: bool,
    pub buckets: usize,
    pub per_octave: u32,
    pub w_left: u32,
    pub w_axis: u32,
    pub w_diag: u32,
    pub w_left2: u32,
    pub fast: u8,
    pub slow: u8,
    pub cdf_rate: u8,
    pub mant_adapt: u32,
    pub sign_ctx: bool,
    /// 0: magnitude bucket only; 1: bucket x signs of (left, above) for zero/token; 2: sign pair folded (same/opposite/zero)
    pub signed_ctx: u8,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            zero_flag: true,
            buckets: 20,
            per_octave: 2,
            w_left: 2,
            w_axis: 1,
            w_diag: 1,
            w_left2: 0,
            fast: 5,
            slow: 8,
            cdf_rate: 7,
            mant_adapt: 1,
            sign_ctx: true,
            signed_ctx: 2,
        }
    }
}

/// Every adaptive model of one chunk.
pub(crate) struct Models {
    zero: Vec<BinaryModel>,
    token: Vec<AdaptiveCdf<TOKENS>>,
    sign: Vec<BinaryModel>,
    /// [bucket][e][bit position]
    mant: Vec<BinaryModel>,
    mant_adapt: u32,
}

impl Models {
    pub(crate) fn new(p: &Params) -> Self {
        let bm = BinaryModel::with_rates(1 << 15, p.fast, p.slow);
        Self {
            zero: vec![bm; p.buckets * 9],
            token: vec![AdaptiveCdf::from_frequencies(&[1; TOKENS], p.cdf_rate); p.buckets * 9],
            sign: vec![bm; 9],
            mant: vec![bm; p.buckets * TOKENS * p.mant_adapt.max(1) as usize],
            mant_adapt: p.mant_adapt,
        }
    }
}

/// The bucket of a neighbourhood activity `delta`: 0 for 0, then `per_octave` buckets per
/// octave, saturating.
#[inline(always)]
fn bucket(delta: u32, per_octave: u32, buckets: usize) -> usize {
    if delta == 0 {
        return 0;
    }
    let l = 31 - delta.leading_zeros();
    let sub = if per_octave == 2 && l > 0 {
        (delta >> (l - 1)) & 1
    } else {
        0
    };
    ((1 + l * per_octave + sub) as usize).min(buckets - 1)
}

#[inline(always)]
fn sign_class(v: i16) -> usize {
    usize::from(v > 0) + 2 * usize::from(v < 0)
}

/// Squeezed geometry: the axes of extent > 1 (C order), their strides.
pub(crate) struct Geometry {
    pub shape: Vec<usize>,
    pub strides: Vec<usize>,
}

impl Geometry {
    pub(crate) fn new(shape: &[usize]) -> Self {
        let mut s: Vec<usize> = shape.iter().copied().filter(|&d| d != 1).collect();
        if s.is_empty() {
            s.push(1);
        }
        let mut strides = vec![1usize; s.len()];
        for a in (0..s.len().saturating_sub(1)).rev() {
            strides[a] = strides[a + 1] * s[a + 1];
        }
        Self { shape: s, strides }
    }
}

/// Per-row context preparation shared by the encoder and the decoder: `acc[j]` is the weighted
/// activity of the neighbours in earlier rows; returns the left weight to use (the missing
/// neighbours' weight is given to the left neighbour) and the index of the row above along the
/// second-last axis, if any.
fn prepare_row(
    geo: &Geometry,
    idx: &[usize],
    row_start: usize,
    cs: &[i16],
    acc: &mut [u32],
    p: &Params,
) -> (u32, Option<usize>) {
    let rank = geo.shape.len();
    let len = acc.len();
    acc.fill(0);
    let mut total = p.w_left;
    let mut present = p.w_left;
    let mut up = None;
    for a in 0..rank - 1 {
        let w = if a == rank - 2 {
            p.w_axis + 2 * p.w_diag
        } else {
            p.w_axis
        };
        total += w;
        if idx[a] == 0 {
            continue;
        }
        present += w;
        let prev = row_start - geo.strides[a];
        let row = &cs[prev..prev + len];
        for (x, &v) in acc.iter_mut().zip(row) {
            *x += p.w_axis * u32::from(v.unsigned_abs());
        }
        if a == rank - 2 {
            up = Some(prev);
            if p.w_diag > 0 && len > 1 {
                for j in 0..len {
                    let l = if j > 0 { row[j - 1] } else { row[j] };
                    let r = if j + 1 < len { row[j + 1] } else { row[j] };
                    acc[j] +=
                        p.w_diag * (u32::from(l.unsigned_abs()) + u32::from(r.unsigned_abs()));
                }
            }
        }
    }
    (p.w_left + (total - present), up)
}

/// Walks the rows of `geo` in C order, calling `f(row_start, idx)`.
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

#[inline(always)]
fn zctx(b: usize, pair: usize, p: &Params) -> usize {
    match p.signed_ctx {
        1 => b * 9 + pair,
        2 => {
            // 0: a zero among the two, 1: same signs, 2: opposite signs
            let (l, a) = (pair / 3, pair % 3);
            b * 3
                + if l == 0 || a == 0 {
                    0
                } else if l == a {
                    1
                } else {
                    2
                }
        }
        _ => b,
    }
}

#[inline(always)]
fn clamp16(v: i64) -> i16 {
    #[allow(clippy::cast_possible_truncation)]
    {
        v.clamp(-32767, 32767) as i16
    }
}

/// Codes `values` (C order, shape `shape`) into `enc`.
pub(crate) fn encode_values<T: ArithElement>(
    values: &[T],
    shape: &[usize],
    p: &Params,
    enc: &mut RangeEncoder,
) {
    let geo = Geometry::new(shape);
    let n = values.len();
    if n == 0 {
        return;
    }
    let mut m = Models::new(p);
    let cs: Vec<i16> = values.iter().map(|v| clamp16(v.to_signed())).collect();
    let len = geo.shape[geo.shape.len() - 1];
    let mut acc = vec![0u32; len];
    for_each_row(&geo, |start, idx| {
        let (w_left, up) = prepare_row(&geo, idx, start, &cs, &mut acc, p);
        for j in 0..len {
            let i = start + j;
            let left = if j > 0 { cs[i - 1] } else { 0 };
            let mut delta = acc[j] + w_left * u32::from(left.unsigned_abs());
            if p.w_left2 > 0 && j > 1 {
                delta += p.w_left2 * u32::from(cs[i - 2].unsigned_abs());
            }
            let b = bucket(delta, p.per_octave, p.buckets);
            let above = up.map_or(0, |u| cs[u + j]);
            let pair = sign_class(left) * 3 + sign_class(above);
            let sctx = if p.sign_ctx { pair } else { 0 };
            let zb = zctx(b, pair, p);
            code_one(enc, &mut m, values[i].to_signed(), b, zb, sctx, p);
        }
        true
    });
}

#[inline(always)]
fn code_one(
    enc: &mut RangeEncoder,
    m: &mut Models,
    v: i64,
    b: usize,
    zb: usize,
    sctx: usize,
    p: &Params,
) {
    let mag = v.unsigned_abs();
    if p.zero_flag {
        enc.encode_bit(mag != 0, &mut m.zero[zb]);
        if mag == 0 {
            return;
        }
    }
    let e = 64 - mag.leading_zeros() as usize;
    let t = e.min(ESCAPE);
    enc.encode_symbol(t, &mut m.token[zb]);
    if mag == 0 {
        return;
    }
    if t == ESCAPE {
        enc.encode_bits((e - ESCAPE) as u64, 6);
    }
    enc.encode_bit(v < 0, &mut m.sign[sctx]);
    if e >= 2 {
        let nb = (e - 1) as u32;
        let na = nb.min(m.mant_adapt);
        let base = (b * TOKENS + t) * m.mant_adapt.max(1) as usize;
        for k in 0..na {
            let bit = (mag >> (nb - 1 - k)) & 1 == 1;
            enc.encode_bit(bit, &mut m.mant[base + k as usize]);
        }
        let rest = nb - na;
        if rest > 0 {
            enc.encode_bits(mag & ((1u64 << rest) - 1), rest);
        }
    }
}

/// Decodes into `out` (C order, shape `shape`).
pub(crate) fn decode_values<T: ArithElement>(
    dec: &mut RangeDecoder<'_>,
    shape: &[usize],
    p: &Params,
    out: &mut [T],
) {
    let geo = Geometry::new(shape);
    let n = out.len();
    if n == 0 {
        return;
    }
    let mut m = Models::new(p);
    let mut cs = vec![0i16; n];
    let len = geo.shape[geo.shape.len() - 1];
    let mut acc = vec![0u32; len];
    for_each_row(&geo, |start, idx| {
        let (w_left, up) = prepare_row(&geo, idx, start, &cs, &mut acc, p);
        for j in 0..len {
            let i = start + j;
            let left = if j > 0 { cs[i - 1] } else { 0 };
            let mut delta = acc[j] + w_left * u32::from(left.unsigned_abs());
            if p.w_left2 > 0 && j > 1 {
                delta += p.w_left2 * u32::from(cs[i - 2].unsigned_abs());
            }
            let b = bucket(delta, p.per_octave, p.buckets);
            let above = up.map_or(0, |u| cs[u + j]);
            let pair = sign_class(left) * 3 + sign_class(above);
            let sctx = if p.sign_ctx { pair } else { 0 };
            let zb = zctx(b, pair, p);
            let v = decode_one::<T>(dec, &mut m, b, zb, sctx, p);
            cs[i] = clamp16(v);
            out[i] = T::from_signed(v);
        }
        !dec.is_past_end()
    });
}

#[inline(always)]
fn decode_one<T: ArithElement>(
    dec: &mut RangeDecoder<'_>,
    m: &mut Models,
    b: usize,
    zb: usize,
    sctx: usize,
    p: &Params,
) -> i64 {
    if p.zero_flag && !dec.decode_bit(&mut m.zero[zb]) {
        return 0;
    }
    let t = dec.decode_symbol(&mut m.token[zb]);
    if t == 0 {
        return 0;
    }
    let e = if t == ESCAPE {
        ESCAPE + dec.decode_bits(6) as usize
    } else {
        t
    };
    // a corrupt stream can ask for more bits than the dtype has: keep to the width
    let e = e.min(T::BITS as usize);
    let neg = dec.decode_bit(&mut m.sign[sctx]);
    let mut mag: u64 = 1;
    if e >= 2 {
        let nb = (e - 1) as u32;
        let na = nb.min(m.mant_adapt);
        let base = (b * TOKENS + t) * m.mant_adapt.max(1) as usize;
        for k in 0..na {
            mag = (mag << 1) | u64::from(dec.decode_bit(&mut m.mant[base + k as usize]));
        }
        let rest = nb - na;
        if rest > 0 {
            mag = (mag << rest) | dec.decode_bits(rest);
        }
    }
    #[allow(clippy::cast_possible_wrap)]
    if neg {
        (mag as i64).wrapping_neg()
    } else {
        mag as i64
    }
}
