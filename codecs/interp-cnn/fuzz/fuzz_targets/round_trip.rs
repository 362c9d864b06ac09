//! Arbitrary small images (dtype, layout, shape, samples from the fuzz input) round-trip
//! exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_interp_cnn::{InterpCnnConfig, LayoutChoice, decode_samples, encode};

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let h = usize::from(data[0] % 40) + 1;
    let w = usize::from(data[1] % 40) + 1;
    let kind = data[2] % 6;
    let dtype = data[3] % 3;
    let body = &data[4..];
    let shape: Vec<usize> = match kind {
        0 => vec![h, w],
        1..=4 => vec![h, w, usize::from(kind)],
        _ => vec![usize::from(data[2] % 3) + 1, h, w],
    };
    let layout = if kind == 5 { LayoutChoice::Volume } else { LayoutChoice::Auto };
    let n: usize = shape.iter().product();
    let sample = |i: usize| -> u16 {
        if body.is_empty() {
            0
        } else {
            let a = body[(2 * i) % body.len()];
            let b = body[(2 * i + 1) % body.len()];
            u16::from_le_bytes([a, b])
        }
    };
    let config = InterpCnnConfig { layout, ..InterpCnnConfig::default() };
    let values: Vec<i32> = match dtype {
        0 => {
            let v: Vec<u8> = (0..n).map(|i| sample(i) as u8).collect();
            let bytes = encode(&v, &shape, &config).unwrap();
            assert_eq!(decode_samples(&bytes, Some(&shape)).unwrap().1.len(), n);
            return check(&bytes, &shape, v.iter().map(|&x| i32::from(x)).collect());
        }
        1 => (0..n).map(|i| i32::from(sample(i))).collect(),
        _ => (0..n).map(|i| i32::from(sample(i) as i16)).collect(),
    };
    let bytes = if dtype == 1 {
        encode(&values.iter().map(|&x| x as u16).collect::<Vec<_>>(), &shape, &config).unwrap()
    } else {
        encode(&values.iter().map(|&x| x as i16).collect::<Vec<_>>(), &shape, &config).unwrap()
    };
    check(&bytes, &shape, values);
});

fn check(bytes: &[u8], shape: &[usize], values: Vec<i32>) {
    let (_, back) = decode_samples(bytes, Some(shape)).unwrap();
    assert_eq!(back, values);
}
