//! Damaged input, in streams of every context model: every truncation, trailing bytes, every single-bit flip and random damage give
//! an error (the CRC-32 of the values and the coder's canonical end leave no way to decode other
//! values silently), never a panic; declared sizes larger than expected are refused before
//! anything is allocated.

mod common;

use common::Rng;
use ndcodecs_arith::{ArithCodec, ArithModel, decode, decode_into, encode, encode_with_model};
use ndcodecs_core::{CodecError, pipeline::ArrayToBytesCodec};

/// Streams of every context model (adaptive, fast, fast in 4 and in 16 lanes) over several
/// shapes (for 16 lanes: more lanes than rows, rows in lanes of two and of one, lanes of values,
/// empty lanes), and an all-zero one.
fn streams() -> Vec<(Vec<usize>, Vec<i32>, Vec<u8>)> {
    let mut out = Vec::new();
    for model in [
        ArithModel::Adaptive,
        ArithModel::Fast,
        ArithModel::FastLanes,
        ArithModel::FastLanes16,
    ] {
        let mut rng = Rng(42);
        for shape in [vec![7usize, 9, 5], vec![300], vec![16, 16], vec![1], vec![]] {
            let n: usize = shape.iter().product();
            let v: Vec<i32> = (0..n).map(|_| rng.residual() as i32).collect();
            let b = encode_with_model(&v, &shape, model).unwrap();
            out.push((shape, v, b));
        }
        let zeros = vec![0i32; 4096];
        let b = encode_with_model(&zeros, &[64, 64], model).unwrap();
        out.push((vec![64, 64], zeros, b));
    }
    out
}

#[test]
fn every_truncation_is_an_error() {
    for (shape, v, bytes) in streams() {
        for len in 0..bytes.len() {
            let mut out = vec![0i32; v.len()];
            assert!(
                decode_into(&bytes[..len], &shape, &mut out).is_err(),
                "{shape:?}: {len}/{}",
                bytes.len()
            );
            assert!(decode(&bytes[..len]).is_err());
        }
    }
}

#[test]
fn trailing_bytes_are_errors() {
    for (shape, v, bytes) in streams() {
        for extra in [&[0u8][..], &[0, 0, 0, 0, 0], &[0xff], &[1, 2]] {
            let mut longer = bytes.clone();
            longer.extend_from_slice(extra);
            let mut out = vec![0i32; v.len()];
            assert!(
                decode_into(&longer, &shape, &mut out).is_err(),
                "{shape:?} + {extra:?}"
            );
            assert!(decode(&longer).is_err());
        }
    }
}

#[test]
fn every_single_bit_flip_is_an_error() {
    for (shape, v, bytes) in streams() {
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let mut out = vec![0i32; v.len()];
            assert!(
                decode_into(&b, &shape, &mut out).is_err(),
                "{shape:?}: bit {bit}"
            );
            assert!(decode(&b).is_err(), "{shape:?}: bit {bit}");
            let mut other = vec![0u16; v.len()];
            assert!(decode_into(&b, &shape, &mut other).is_err());
        }
    }
}

#[test]
fn random_damage_never_panics() {
    let mut rng = Rng(7);
    let mut accepted = 0;
    for (shape, v, bytes) in streams() {
        for _ in 0..3000 {
            let b = &common::damage(&mut rng, &bytes)[..];
            let mut out = vec![0i32; v.len()];
            if decode_into(b, &shape, &mut out).is_ok() {
                accepted += 1;
                assert_eq!(out, v, "damaged stream decoded to other values");
            }
            let _ = decode(b);
        }
    }
    println!("{accepted} damaged streams were the original (damage hit nothing)");
}

#[test]
fn declared_sizes_are_checked_before_allocating() {
    // a header declaring 2^20 x 2^20 int32 with a tiny payload
    let mut b = vec![
        b'A', b'R', 1, 6, 0, 2, 0x80, 0x80, 0x40, 0x80, 0x80, 0x40, 0, 0, 0, 0,
    ];
    b.extend([0x12, 0x34]);
    let mut out = vec![0i32; 24];
    assert!(matches!(
        decode_into(&b, &[2, 3, 4], &mut out),
        Err(CodecError::ShapeMismatch { .. })
    ));
    assert!(matches!(decode(&b), Err(CodecError::LimitExceeded { .. })));
    // the shape a caller allocates for before decoding (the Python plugin's path) is checked
    // the same way
    let codec = ArithCodec::default();
    assert!(matches!(
        codec.stored_shape(&b),
        Err(CodecError::LimitExceeded { .. })
    ));
    let ok = encode(&[1i32, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
    assert_eq!(codec.stored_shape(&ok).unwrap(), Some(vec![2, 3]));
    // a shape too large for any machine
    let mut h = vec![b'A', b'R', 1, 6, 0, 3];
    for _ in 0..3 {
        h.extend([0xff, 0xff, 0xff, 0xff, 0x0f]);
    }
    h.extend([0, 0, 0, 0]);
    assert!(matches!(decode(&h), Err(CodecError::LimitExceeded { .. })));
    // the wrong dtype for the caller's array
    let bytes = encode(&[1i32, 2, 3], &[3]).unwrap();
    let mut u = vec![0u32; 3];
    assert!(matches!(
        decode_into(&bytes, &[3], &mut u),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    let mut i = vec![0i32; 4];
    assert!(matches!(
        decode_into(&bytes, &[3], &mut i),
        Err(CodecError::ShapeMismatch { .. })
    ));
}

#[test]
fn header_errors() {
    let bytes = encode(&[1i32, 2, 3], &[3]).unwrap();
    let mut v = bytes.clone();
    v[2] = 2;
    assert!(matches!(
        decode(&v),
        Err(CodecError::UnsupportedVersion {
            found: 2,
            supported: 1,
            ..
        })
    ));
    let msg = decode(&v).unwrap_err().to_string();
    assert!(msg.contains("upgrade"), "{msg}");
    v[2] = 0;
    assert!(matches!(decode(&v), Err(CodecError::Corrupt { .. })));
    let mut m = bytes.clone();
    m[4] = 4;
    assert!(decode(&m).unwrap_err().to_string().contains("upgrade"));
    let mut d = bytes.clone();
    d[3] = 8;
    assert!(matches!(decode(&d), Err(CodecError::Corrupt { .. })));
    let mut r = bytes.clone();
    r[5] = 33;
    assert!(matches!(decode(&r), Err(CodecError::Corrupt { .. })));
    // a varint that is not the shortest encoding
    let mut s = bytes[..6].to_vec();
    s.extend([0x83, 0x00]);
    s.extend(&bytes[7..]);
    assert!(matches!(decode(&s), Err(CodecError::Corrupt { .. })));
}
