//! Arbitrary small images through encode and decode: the same samples back in every order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_pixel_mlp::{DecodeOrder, LayoutChoice, PixelMlpConfig, Streams, decode_into, encode};

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (h, w) = (usize::from(data[0] % 9) + 1, usize::from(data[1] % 9) + 1);
    let c = usize::from(data[2] % 4) + 1;
    let streams = usize::from(data[3] % 5) + 1;
    let layout = if data[3] & 0x80 != 0 { LayoutChoice::Volume } else { LayoutChoice::Channels };
    let shape = [h, w, c];
    let n = h * w * c;
    let wide = data[2] & 0x40 != 0;
    let cfg = PixelMlpConfig { streams: Streams::new(streams).unwrap(), layout, ..PixelMlpConfig::default() };
    let body = &data[4..];
    if wide {
        let v: Vec<u16> = (0..n).map(|i| {
            let a = body.get(2 * i).copied().unwrap_or(0);
            let b = body.get(2 * i + 1).copied().unwrap_or(0);
            u16::from_le_bytes([a, b])
        }).collect();
        let bytes = encode(&v, &shape, &cfg).expect("encode");
        for order in [DecodeOrder::Sequential, DecodeOrder::Wavefront, DecodeOrder::Diagonal] {
            let mut out = vec![0u16; n];
            decode_into(&bytes, &shape, &mut out, order).expect("decode");
            assert!(out == v);
        }
    } else {
        let v: Vec<u8> = (0..n).map(|i| body.get(i).copied().unwrap_or(0)).collect();
        let bytes = encode(&v, &shape, &cfg).expect("encode");
        for order in [DecodeOrder::Sequential, DecodeOrder::Wavefront, DecodeOrder::Diagonal] {
            let mut out = vec![0u8; n];
            decode_into(&bytes, &shape, &mut out, order).expect("decode");
            assert!(out == v);
        }
    }
});
