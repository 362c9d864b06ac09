//! Arbitrary arrays through encode and decode under every context model: the same values back,
//! for every dtype and for shapes with 0-length and size-1 axes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_arith::{ArithElement, ArithModel, decode_into, encode_with_model};

fn check<T: ArithElement>(raw: &[u8], shape: &[usize], model: ArithModel) {
    let size = std::mem::size_of::<T>();
    let n: usize = shape.iter().product();
    let values: Vec<T> = raw
        .chunks_exact(size)
        .take(n)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..size].copy_from_slice(c);
            T::from_signed(i64::from_le_bytes(b))
        })
        .collect();
    if values.len() != n {
        return;
    }
    let bytes = encode_with_model(&values, shape, model).unwrap();
    let mut out = vec![T::default(); n];
    decode_into(&bytes, shape, &mut out).unwrap();
    assert!(out == values, "round trip");
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let rank = usize::from(data[1] % 5);
    if data.len() < 2 + rank {
        return;
    }
    let shape: Vec<usize> = data[2..2 + rank].iter().map(|&d| usize::from(d % 13)).collect();
    let raw = &data[2 + rank..];
    // bits 3 and 4 of the first byte pick the context model
    let m = match (data[0] >> 3) & 3 {
        0 => ArithModel::Adaptive,
        1 => ArithModel::Fast,
        2 => ArithModel::FastLanes16,
        _ => ArithModel::FastLanes,
    };
    match data[0] % 8 {
        0 => check::<u8>(raw, &shape, m),
        1 => check::<u16>(raw, &shape, m),
        2 => check::<u32>(raw, &shape, m),
        3 => check::<u64>(raw, &shape, m),
        4 => check::<i8>(raw, &shape, m),
        5 => check::<i16>(raw, &shape, m),
        6 => check::<i32>(raw, &shape, m),
        _ => check::<i64>(raw, &shape, m),
    }
});
