//! Damaged input: every truncation, trailing bytes, every single-bit flip, random damage and
//! headers declaring huge shapes give an error (never a panic, a wrong answer or an unbounded
//! allocation); the checksum catches what the range decoder does not.

use ndcodecs_core::{ArrayToBytesCodec, CodecError};
use ndcodecs_pixel_mlp::{
    DecodeOrder, Header, LayoutChoice, PixelMlpCodec, PixelMlpConfig, Streams, decode_into,
    decode_samples, encode,
};

fn sample() -> (Vec<usize>, Vec<u8>, Vec<u8>) {
    let shape = vec![9, 14, 3];
    let v: Vec<u8> = (0..9 * 14 * 3)
        .map(|i| ((i % 42) * 5 + (i / 42) * 3 + (i * 7919 % 13)) as u8)
        .collect();
    let cfg = PixelMlpConfig {
        streams: Streams::new(3).unwrap(),
        layout: LayoutChoice::Auto,
        ..PixelMlpConfig::default()
    };
    let bytes = encode(&v, &shape, &cfg).unwrap();
    (shape, v, bytes)
}

#[test]
fn every_truncation_is_an_error() {
    let (shape, _, bytes) = sample();
    for len in 0..bytes.len() {
        let mut out = vec![0u8; 9 * 14 * 3];
        assert!(
            decode_into(&bytes[..len], &shape, &mut out, DecodeOrder::Sequential).is_err(),
            "prefix of {len} bytes decoded"
        );
        assert!(decode_samples(&bytes[..len], None, DecodeOrder::Wavefront).is_err());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        decode_samples(&longer, None, DecodeOrder::Sequential),
        Err(CodecError::Corrupt { .. })
    ));
}

#[test]
fn every_bit_flip_is_an_error_or_decodes_the_same() {
    let (shape, v, bytes) = sample();
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut rand = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut wrong = 0;
    for bit in 0..bytes.len() * 8 {
        let mut b = bytes.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        let order = [
            DecodeOrder::Sequential,
            DecodeOrder::Wavefront,
            DecodeOrder::Diagonal,
        ][bit % 3];
        let mut out = vec![0u8; v.len()];
        if decode_into(&b, &shape, &mut out, order).is_ok() && out != v {
            wrong += 1;
        }
    }
    for _ in 0..500 {
        let mut b = bytes.clone();
        for _ in 0..1 + rand() % 4 {
            let i = (rand() as usize) % b.len();
            b[i] = rand() as u8;
        }
        if let Ok((h, values)) = decode_samples(&b, None, DecodeOrder::Wavefront) {
            assert_eq!(values.len(), h.samples());
        }
    }
    // The CRC-32 of the samples makes a silently wrong decode (practically) impossible.
    assert_eq!(wrong, 0, "{wrong} bit flips decoded to other samples");
}

#[test]
fn huge_declared_shapes_are_refused_before_allocating() {
    let (shape, _, bytes) = sample();
    let (header, offset) = Header::read(&bytes).unwrap();
    let streams = &bytes[offset..];
    for (d, h, w) in [
        (1, u32::MAX, u32::MAX),
        (1, 1 << 20, 1 << 20),
        (1, 1 << 15, 1 << 16),
    ] {
        let mut big = header.clone();
        big.depth = d;
        big.height = h as usize;
        big.width = w as usize;
        let mut b = big.write();
        b.extend_from_slice(streams);
        // with an expected shape: refused from the header alone
        let mut out = vec![0u8; 9 * 14 * 3];
        assert!(matches!(
            decode_into(&b, &shape, &mut out, DecodeOrder::Wavefront),
            Err(CodecError::ShapeMismatch { .. } | CodecError::LimitExceeded { .. })
        ));
        // on its own: over the sample limit, or an error once the streams run dry
        assert!(decode_samples(&b, None, DecodeOrder::Wavefront).is_err());
        // the shape a caller would allocate for (the Python plugin's output): refused too
        assert!(matches!(
            PixelMlpCodec::new(PixelMlpConfig::default()).stored_shape(&b),
            Err(CodecError::LimitExceeded { .. } | CodecError::Corrupt { .. })
        ));
    }
    // a chunk within the limit gives its shape
    assert_eq!(
        PixelMlpCodec::new(PixelMlpConfig::default())
            .stored_shape(&bytes)
            .unwrap(),
        Some(shape)
    );
}

#[test]
fn header_fields_are_checked() {
    let (_, _, bytes) = sample();
    let mut magic = bytes.clone();
    magic[0] = b'X';
    assert!(matches!(
        decode_samples(&magic, None, DecodeOrder::Sequential),
        Err(CodecError::Corrupt { .. })
    ));
    let mut version = bytes.clone();
    version[4] = 2;
    assert!(matches!(
        decode_samples(&version, None, DecodeOrder::Sequential),
        Err(CodecError::UnsupportedVersion { .. })
    ));
    let (header, offset) = Header::read(&bytes).unwrap();
    let mut unknown = header.clone();
    unknown.model_id = 999;
    let mut b = unknown.write();
    b.extend_from_slice(&bytes[offset..]);
    let err = decode_samples(&b, None, DecodeOrder::Sequential).unwrap_err();
    assert!(err.to_string().contains("model id 999"), "{err}");
    let mut out = vec![0u16; 9 * 14 * 3];
    assert!(matches!(
        decode_into(&bytes, &[9, 14, 3], &mut out, DecodeOrder::Sequential),
        Err(CodecError::UnsupportedDtype { .. })
    ));
}
