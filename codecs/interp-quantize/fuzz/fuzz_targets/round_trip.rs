//! Arbitrary float32/float64 arrays through encode and decode: either an error, or words that
//! decode to values within the bound of every finite non-fill input and to the same bits for
//! NaN, ±∞ and the fill value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_interp_quantize::{FloatDtype, InterpQuantizeCodec, InterpQuantizeConfig, Real, read_header};

fn check<F: Real>(codec: &InterpQuantizeCodec, xs: &[F], shape: &[usize], fill: Option<F>) {
    let Ok(words) = codec.encode_slice(xs, shape) else { return };
    let (s, ys) = codec.decode_slice::<F>(&words).expect("our own output must decode");
    assert_eq!(s, shape);
    let bound = read_header(&words).unwrap().0.bound;
    for (x, y) in xs.iter().zip(&ys) {
        let special = !x.is_finite() || fill.is_some_and(|f| f.to_bits() == x.to_bits());
        if special {
            assert_eq!(x.to_bits(), y.to_bits());
        } else {
            let d = (x.to_f64() - y.to_f64()).abs();
            assert!(d <= bound, "{x:?} -> {y:?} (bound {bound})");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (head, body) = data.split_at(4);
    let use_f64 = head[0] & 1 == 1;
    let rel = head[0] & 2 == 2;
    let with_fill = head[0] & 4 == 4;
    let bound = 2f64.powi(i32::from(head[1] % 64) - 40);
    let rank = usize::from(head[2] % 5);
    let size = if use_f64 { 8 } else { 4 };
    let n = body.len() / size;
    // A shape with `n` elements: leading extents from the header byte, the rest in the last axis.
    let mut shape = Vec::new();
    let mut rest = n;
    for k in 0..rank.saturating_sub(1) {
        let d = usize::from((head[3] >> (2 * k)) & 3) + 1;
        if rest % d == 0 {
            shape.push(d);
            rest /= d;
        }
    }
    shape.push(rest);
    let mut config = if rel { InterpQuantizeConfig::rel(bound) } else { InterpQuantizeConfig::abs(bound) }.unwrap();
    if use_f64 {
        config.dtype = FloatDtype::Float64;
    }
    if with_fill && n > 0 {
        let v = if use_f64 {
            f64::from_le_bytes(body[..8].try_into().unwrap())
        } else {
            f64::from(f32::from_le_bytes(body[..4].try_into().unwrap()))
        };
        config.fill_value = v.is_finite().then_some(v);
    }
    let Ok(codec) = InterpQuantizeCodec::try_new(config.clone()) else { return };
    if use_f64 {
        let xs: Vec<f64> = body.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
        check(&codec, &xs, &shape, config.fill_value);
    } else {
        let xs: Vec<f32> = body.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
        check(&codec, &xs, &shape, config.fill_value.map(|v| v as f32));
    }
});
