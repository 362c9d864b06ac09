//! Damaged data and invalid tables: errors, never a panic or a loop.

use ndcodecs_entropy::{AdaptiveCdf, BinaryModel, EntropyError, RangeDecoder, RangeEncoder};

#[test]
fn decoding_past_the_end_terminates_and_fails() {
    let mut enc = RangeEncoder::new();
    let mut m = BinaryModel::new();
    let mut c = AdaptiveCdf::<8>::new();
    for i in 0..10_000u32 {
        enc.encode_bit(i % 7 == 0, &mut m);
        enc.encode_symbol((i % 5) as usize, &mut c);
        enc.encode_bits(u64::from(i), 13);
    }
    let bytes = enc.finish();
    for cut in [0, 1, 5, bytes.len() / 2, bytes.len() - 1] {
        let mut dec = RangeDecoder::new(&bytes[..cut]);
        let mut m = BinaryModel::new();
        let mut c = AdaptiveCdf::<8>::new();
        let mut same = true;
        for i in 0..10_000u32 {
            same &= dec.decode_bit(&mut m) == (i % 7 == 0);
            same &= dec.decode_symbol(&mut c) == (i % 5) as usize;
            same &= dec.decode_bits(13) == u64::from(i);
        }
        if cut + 8 < bytes.len() {
            assert!(dec.is_past_end());
        }
        // A prefix can be the canonical stream of other symbols (the coder has no redundancy;
        // codecs add a checksum): refused, or decoded to something else.
        assert!(dec.finish().is_err() || !same, "cut at {cut}");
    }
    // nothing at all, many symbols: terminates
    let mut dec = RangeDecoder::new(&[]);
    let mut c = AdaptiveCdf::<8>::new();
    for _ in 0..100_000 {
        dec.decode_symbol(&mut c);
    }
    // all 0xFF: outside the coder's interval
    let dec = RangeDecoder::new(&[0xFF; 8]);
    assert!(matches!(dec.finish(), Err(EntropyError::Corrupt(_))));
}

#[test]
fn trailing_bytes_are_refused() {
    let mut enc = RangeEncoder::new();
    for i in 0..1000u64 {
        enc.encode_bits(i, 10);
    }
    let mut bytes = enc.finish();
    let decode = |b: &[u8]| {
        let mut dec = RangeDecoder::new(b);
        let ok = (0..1000u64).all(|i| dec.decode_bits(10) == i);
        dec.finish().map(|()| ok)
    };
    assert_eq!(decode(&bytes), Ok(true));
    bytes.push(0);
    assert!(matches!(
        decode(&bytes),
        Err(EntropyError::TrailingBytes { count: 1 })
    ));
    bytes.extend([0, 0, 0, 0, 7]);
    assert!(decode(&bytes).is_err());
}

#[test]
fn invalid_tables_are_errors() {
    let mut enc = RangeEncoder::new();
    let bad: [(&[u32], u32, usize); 7] = [
        (&[0, 10, 10, 16], 4, 1), // zero frequency
        (&[0, 10, 16], 4, 2),     // symbol outside the table
        (&[0, 10, 15], 4, 0),     // does not end at 2^4
        (&[1, 10, 16], 4, 0),     // does not start at 0
        (&[0, 1 << 17], 17, 0),   // precision above 16
        (&[0, 1], 0, 0),          // precision 0
        (&[0], 4, 0),             // no symbol
    ];
    for (cdf, p, s) in bad {
        assert!(
            matches!(enc.encode_cdf(s, cdf, p), Err(EntropyError::InvalidCdf(_))),
            "{cdf:?}"
        );
    }
    assert!(enc.encode_freq(0, 0, 8).is_err());
    assert!(enc.encode_freq(200, 100, 8).is_err());
    assert!(enc.encode_freq(0, 1, 17).is_err());
    // nothing was coded by the refused calls
    assert!(enc.finish().is_empty());

    // A decoder handed a table with wrong ends: an error, state unchanged. (A table that is not
    // increasing decodes to some symbol; every valid table decodes what was coded.)
    let mut enc = RangeEncoder::new();
    enc.encode_cdf(2, &[0u16, 100, 200, 256], 8).unwrap();
    let bytes = enc.finish();
    let mut dec = RangeDecoder::new(&bytes);
    assert!(dec.decode_cdf(&[0u16, 100, 200, 255], 8).is_err());
    assert!(dec.decode_cdf(&[0u16, 100, 200], 7).is_err());
    assert!(dec.decode_cdf(&[0u32], 8).is_err());
    assert!(
        dec.decode_cdf(&[0u16, 100, 300, 200, 256], 8)
            .is_ok_and(|s| s < 4)
    );
    let mut dec = RangeDecoder::new(&bytes);
    assert_eq!(dec.decode_cdf(&[0u16, 100, 200, 256], 8), Ok(2));
    dec.finish().unwrap();

    // the two-step interface refuses an interval that does not hold the target
    let mut enc = RangeEncoder::new();
    enc.encode_freq(10, 5, 6).unwrap();
    let bytes = enc.finish();
    let mut dec = RangeDecoder::new(&bytes);
    let t = dec.decode_target(6);
    assert!((10..15).contains(&t));
    assert!(dec.decode_interval(0, 10, 6).is_err());
    dec.decode_interval(10, 5, 6).unwrap();
    dec.finish().unwrap();
}
