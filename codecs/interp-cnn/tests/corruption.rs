//! Damaged chunks: every prefix is an error, every single-bit flip is an error or (where the
//! flip lands in a value the checksum covers) never a panic, huge declared sizes are refused
//! before any allocation, and a chunk is refused for an output of another shape or dtype.

use ndcodecs_core::{ArrayToBytesCodec, CodecError};
use ndcodecs_interp_cnn::format::slice_streams;
use ndcodecs_interp_cnn::{
    Header, InterpCnnCodec, InterpCnnConfig, Layout, decode_into, decode_samples, encode,
};

fn sample() -> (Vec<u8>, Vec<usize>, Vec<u8>) {
    let shape = vec![23, 37, 3];
    let v: Vec<u8> = (0..23 * 37 * 3)
        .map(|i| ((i * 7919) % 61 + (i / 111) * 3) as u8)
        .collect();
    let bytes = encode(&v, &shape, &InterpCnnConfig::default()).unwrap();
    (bytes, shape, v)
}

#[test]
fn every_prefix_is_an_error() {
    let (bytes, shape, _) = sample();
    for len in 0..bytes.len() {
        assert!(
            decode_samples(&bytes[..len], None).is_err(),
            "prefix of {len}"
        );
        assert!(
            decode_samples(&bytes[..len], Some(&shape)).is_err(),
            "prefix of {len}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode_samples(&longer, None).is_err());
}

#[test]
fn bit_flips_never_pass_unnoticed() {
    let (bytes, shape, v) = sample();
    // every bit of the header and the length table, one bit (rotating) of every stream byte
    for i in 0..bytes.len() {
        let bits = if i < 64 { 0..8 } else { i % 8..i % 8 + 1 };
        for bit in bits {
            let mut d = bytes.clone();
            d[i] ^= 1 << bit;
            // the checksum and the stream ends catch every damage we have seen; at the very
            // least a flip must not panic and must not decode to other values silently
            if let Ok((_, got)) = decode_samples(&d, Some(&shape)) {
                assert!(
                    got.iter().zip(&v).all(|(&a, &b)| a == i32::from(b)),
                    "flip of bit {bit} of byte {i} decoded to other values"
                );
            }
        }
    }
}

#[test]
fn huge_declared_sizes_are_refused() {
    let (bytes, _, _) = sample();
    // depth, height, width at bytes 12..24
    for (field, value) in [
        (16usize, u32::MAX),
        (20, u32::MAX),
        (16, 1 << 20),
        (20, 1 << 20),
    ] {
        let mut d = bytes.clone();
        d[field..field + 4].copy_from_slice(&value.to_le_bytes());
        let e = decode_samples(&d, None).unwrap_err();
        assert!(
            matches!(
                e,
                CodecError::LimitExceeded { .. }
                    | CodecError::Truncated { .. }
                    | CodecError::Corrupt { .. }
            ),
            "{e}"
        );
    }
    // a header that claims a huge volume, with the caller's shape: refused before allocating
    let mut d = bytes.clone();
    d[5] = 2; // volume
    d[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    d[24] = 1;
    assert!(decode_samples(&d, Some(&[5, 5, 5])).is_err());
}

/// A well-formed header of a 2^17 x 2^17 grey image in bands of 2^24 samples lists only 1 033
/// stream lengths: a chunk of about 1 KB declares 16 GiB of samples. Without an expected shape
/// it is refused from the header, in the decoder and in `stored_shape` (what a caller such as
/// the Python plugin allocates for), before anything sized by it is allocated.
#[test]
fn a_small_chunk_declaring_a_huge_image_is_refused_without_an_expected_shape() {
    let (bytes, _, _) = sample();
    let (mut h, _) = Header::read(&bytes, None).unwrap();
    let side = 1usize << 17;
    h.layout = Layout::Image;
    h.channels = 1;
    h.height = side;
    h.width = side;
    h.band_log2 = 24;
    h.ranges = vec![(0, 255)];
    h.stream_lengths = vec![0; slice_streams(side, side, 1, 24)];
    let bomb = h.write();
    assert!(bomb.len() < 1200, "{} bytes", bomb.len());
    // the header itself is well formed: with the caller's shape it passes the header checks
    assert!(Header::read(&bomb, Some(&[side, side])).is_ok());
    let codec = InterpCnnCodec::new(InterpCnnConfig::default());
    assert!(matches!(
        codec.stored_shape(&bomb),
        Err(CodecError::LimitExceeded { .. })
    ));
    assert!(matches!(
        decode_samples(&bomb, None),
        Err(CodecError::LimitExceeded { .. })
    ));
    // a chunk within the limit gives its shape
    assert_eq!(codec.stored_shape(&bytes).unwrap(), Some(vec![23, 37, 3]));
}

#[test]
fn other_shape_dtype_version_or_model() {
    let (bytes, shape, _) = sample();
    let mut out = vec![0u8; 23 * 37 * 3];
    assert!(matches!(
        decode_into(&bytes, &[37, 23, 3], &mut out),
        Err(CodecError::ShapeMismatch { .. })
    ));
    let mut out16 = vec![0u16; 23 * 37 * 3];
    assert!(matches!(
        decode_into(&bytes, &shape, &mut out16),
        Err(CodecError::UnsupportedDtype { .. })
    ));
    let mut d = bytes.clone();
    d[4] = 2;
    assert!(matches!(
        decode_samples(&d, None),
        Err(CodecError::UnsupportedVersion { found: 2, .. })
    ));
    let mut d = bytes.clone();
    d[8] = 99;
    let e = decode_samples(&d, None).unwrap_err();
    assert!(e.to_string().contains("model id"), "{e}");
    let cfg: InterpCnnConfig = serde_json::from_str(r#"{"model": 99}"#).unwrap();
    assert!(encode(&[0u8; 4], &[2, 2], &cfg).is_err());
}
