//! Arbitrary bytes (and damaged valid chunks) into the decoder: an error or a checked result,
//! never a panic, and never an allocation the input does not justify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_interp_cnn::{Header, InterpCnnConfig, decode_into, decode_samples, encode};

fuzz_target!(|data: &[u8]| {
    // Arbitrary bytes, with and without the caller's shape.
    let modest = Header::read(data, None).is_ok_and(|(h, _)| h.samples() <= 1 << 20);
    let mut out = vec![0u8; 2 * 3 * 4];
    let _ = decode_into(data, &[2, 3, 4], &mut out);
    if modest {
        if let Ok((h, values)) = decode_samples(data, None) {
            // a decoded chunk re-encodes to itself: the stream held exactly these samples
            assert_eq!(values.len(), h.samples());
            let shape = h.shape();
            let again = match h.dtype {
                ndcodecs_interp_cnn::SampleType::U8 => {
                    let v: Vec<u8> = values.iter().map(|&x| x as u8).collect();
                    encode(&v, &shape, &config(&h))
                }
                ndcodecs_interp_cnn::SampleType::U16 => {
                    let v: Vec<u16> = values.iter().map(|&x| x as u16).collect();
                    encode(&v, &shape, &config(&h))
                }
                ndcodecs_interp_cnn::SampleType::I16 => {
                    let v: Vec<i16> = values.iter().map(|&x| x as i16).collect();
                    encode(&v, &shape, &config(&h))
                }
            };
            let (_, back) = decode_samples(&again.unwrap(), None).unwrap();
            assert_eq!(back, values);
        }
    }
    // A valid chunk with the fuzz input spliced over its stream bytes.
    if data.len() >= 3 {
        let img: Vec<u8> = (0..24 * 19 * 3).map(|i| ((i * 37) % 251) as u8).collect();
        let mut chunk = encode(&img, &[24, 19, 3], &InterpCnnConfig::default()).unwrap();
        let at = usize::from(data[0]) * 256 + usize::from(data[1]);
        let at = at % chunk.len();
        for (k, &b) in data[2..].iter().enumerate().take(8) {
            let i = (at + k) % chunk.len();
            chunk[i] ^= b;
        }
        if let Ok((_, v)) = decode_samples(&chunk, Some(&[24, 19, 3])) {
            // the checksum lets only the original samples through
            assert!(v.iter().zip(&img).all(|(&a, &b)| a == i32::from(b)));
        }
    }
});

fn config(h: &Header) -> InterpCnnConfig {
    InterpCnnConfig {
        layout: match h.layout {
            ndcodecs_interp_cnn::Layout::Volume => ndcodecs_interp_cnn::LayoutChoice::Volume,
            _ => ndcodecs_interp_cnn::LayoutChoice::Channels,
        },
        ..InterpCnnConfig::default()
    }
}
