//! Damaged input: every truncation, trailing bytes, wrong prefix, random bit flips and headers
//! declaring huge shapes must give an error (or, for bit flips, a checked result), never a panic
//! or an unbounded allocation.

mod common;

use ndcodecs_core::CodecError;
use ndcodecs_lilcom::{LilcomConfig, TickPower, decode_f32, decode_into, encode, format};

fn valid_streams() -> Vec<(Vec<usize>, Vec<u8>)> {
    let mut out = Vec::new();
    let dir = common::repo().join("specs/lilcom/sample_data");
    for name in [
        "1d_sine",
        "3d_smooth",
        "1d_zero_runs",
        "2d_wide_codes",
        "15d",
    ] {
        let bytes = std::fs::read(dir.join(format!("v1_8_2_{name}.bin"))).unwrap();
        let (shape, _) = decode_f32(&bytes).unwrap();
        out.push((shape, bytes));
    }
    let data: Vec<f32> = (0..300).map(|i| (i as f32 * 0.1).sin() * 4.0).collect();
    let config = LilcomConfig {
        tick_power: TickPower::new(-6).unwrap(),
        ..LilcomConfig::default()
    };
    out.push((vec![12, 25], encode(&data, &[12, 25], &config).unwrap()));
    out
}

#[test]
fn every_truncation_is_an_error() {
    for (shape, bytes) in valid_streams() {
        let n: usize = shape.iter().product();
        for len in 0..bytes.len() {
            let cut = &bytes[..len];
            assert!(
                decode_f32(cut).is_err(),
                "prefix of {len}/{} bytes decoded",
                bytes.len()
            );
            let mut out = vec![0f32; n];
            assert!(
                decode_into(cut, &shape, &mut out).is_err(),
                "prefix of {len} bytes decoded"
            );
        }
    }
}

#[test]
fn trailing_bytes_and_wrong_prefix_are_errors() {
    for (shape, bytes) in valid_streams() {
        let n: usize = shape.iter().product();
        let mut out = vec![0f32; n];
        for extra in [&[0u8][..], &[0, 0], &[0xff]] {
            let mut longer = bytes.clone();
            longer.extend_from_slice(extra);
            assert!(matches!(
                decode_f32(&longer),
                Err(CodecError::Corrupt { .. })
            ));
            assert!(decode_into(&longer, &shape, &mut out).is_err());
        }
        let mut magic = bytes.clone();
        magic[0] = b'M';
        assert!(matches!(
            decode_f32(&magic),
            Err(CodecError::Corrupt { .. })
        ));
        let mut version = bytes.clone();
        version[1] = 1;
        assert!(matches!(
            decode_f32(&version),
            Err(CodecError::UnsupportedVersion { .. })
        ));
    }
}

#[test]
fn random_bit_flips_never_panic() {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut rand = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut accepted = 0;
    for (shape, bytes) in valid_streams() {
        let n: usize = shape.iter().product();
        // every single-bit flip
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let mut out = vec![0f32; n];
            if decode_into(&b, &shape, &mut out).is_ok() {
                accepted += 1;
            }
            if let Ok((found, v)) = decode_f32(&b) {
                assert_eq!(v.len(), found.iter().product::<usize>());
            }
            let mut ints = vec![0i16; n];
            let _ = decode_into(&b, &shape, &mut ints);
        }
        // random multi-byte damage
        for _ in 0..2000 {
            let mut b = bytes.clone();
            for _ in 0..1 + rand() % 4 {
                let i = (rand() as usize) % b.len();
                b[i] = rand() as u8;
            }
            let mut out = vec![0f32; n];
            let _ = decode_into(&b, &shape, &mut out);
            if let Ok((found, v)) = decode_f32(&b) {
                assert_eq!(v.len(), found.iter().product::<usize>());
            }
        }
    }
    // Some flips land in value bits and decode to other values: that is expected for a format
    // without a checksum. The count is only reported.
    println!("{accepted} single-bit flips decoded to some values");
}

/// A stream declaring `shape` with all coefficients 0, followed by `codes` zero codes.
fn handmade(shape: &[i32], codes: usize) -> Vec<u8> {
    let mut v = vec![format::zigzag(shape.len() as i32), format::zigzag(-8)];
    for &d in shape {
        v.push(format::zigzag(d));
        v.push(0);
    }
    v.extend(std::iter::repeat_n(0, codes));
    let mut w = Vec::new();
    format::minimal_widths(&v, &mut w);
    format::encode_stream(&v, &w)
}

#[test]
fn huge_declared_shapes_are_refused_before_allocating() {
    let huge = handmade(&[i32::MAX, i32::MAX, i32::MAX], 10);
    // with an expected shape: a shape mismatch, found from the header alone
    let mut out = vec![0f32; 10];
    assert!(matches!(
        decode_into(&huge, &[10], &mut out),
        Err(CodecError::ShapeMismatch { .. })
    ));
    // on its own: over the element limit
    assert!(matches!(
        decode_f32(&huge),
        Err(CodecError::LimitExceeded { .. })
    ));
    // large but under the limit, with far too few codes: truncated, after allocating only what
    // the data justify
    let big = handmade(&[1 << 20, 1 << 10], 10);
    assert!(matches!(
        decode_f32(&big),
        Err(CodecError::Truncated { .. })
    ));
    // 16 axes are readable (the reference decoder accepts them); 17 are not
    let ok16 = handmade(&[1; 16], 1);
    assert_eq!(decode_f32(&ok16).unwrap().0, vec![1; 16]);
    assert!(matches!(
        decode_f32(&handmade(&[1; 17], 1)),
        Err(CodecError::Corrupt { .. })
    ));
    assert!(matches!(
        decode_f32(&handmade(&[0], 0)),
        Err(CodecError::Corrupt { .. })
    ));
}

#[test]
fn long_zero_runs_decode() {
    // 2^22 zeros take a handful of bytes; decoding on its own validates the stream (skipping
    // through the run) before allocating, then decodes it.
    let n = 1usize << 22;
    let bytes = handmade(&[1 << 11, 1 << 11], n);
    assert!(bytes.len() < 64, "{} bytes", bytes.len());
    let (shape, v) = decode_f32(&bytes).unwrap();
    assert_eq!(shape, vec![1 << 11, 1 << 11]);
    assert!(v.len() == n && v.iter().all(|&x| x == 0.0));
    // far fewer zeros than declared: truncated (one or two fewer can hide in the last byte's
    // padding bits, which then read as zeros — stock lilcom reads them the same way)
    let short = handmade(&[1 << 11, 1 << 11], n - 1000);
    assert!(decode_f32(&short).is_err());
}

#[test]
fn integer_output_refuses_non_finite_values() {
    // tick_power 20, codes near 2^31 and coefficient 1 on both axes: values grow binomially
    // and overflow float32
    let mut v = vec![format::zigzag(2), format::zigzag(20)];
    v.extend([
        format::zigzag(100),
        format::zigzag(256),
        format::zigzag(100),
        format::zigzag(256),
    ]);
    v.extend(std::iter::repeat_n(format::zigzag(i32::MAX), 10_000));
    let mut w = Vec::new();
    format::minimal_widths(&v, &mut w);
    let bytes = format::encode_stream(&v, &w);
    let (_, f) = decode_f32(&bytes).unwrap();
    assert!(f.iter().any(|x| x.is_infinite()));
    let mut out = vec![0i32; 10_000];
    assert!(matches!(
        decode_into(&bytes, &[100, 100], &mut out),
        Err(CodecError::OutOfRange { .. })
    ));
}
