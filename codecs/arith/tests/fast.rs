//! Context model 1 ("fast"; its round trips over dtypes and shapes are in `roundtrip.rs`, beside
//! the adaptive model's): sizes against the information content under the spec's contexts
//! (computed here, independently of the codec), tables that break the rules as errors (damaged
//! streams of both models are in `corruption.rs`), declared sizes
//! checked before allocating, and the configuration field.

mod common;

use common::Rng;
use ndarray::{ArrayD, IxDyn};
use ndcodecs_arith::{
    ArithCodec, ArithConfig, ArithModel, decode, decode_into, encode_with_model, read_header,
};
use ndcodecs_core::CodecError;
use numcodecs::{AnyArray, Codec, StaticCodec};

const FAST: ArithModel = ArithModel::Fast;

/// The spec's symbol of a value of the dtype's width (independent of the codec's code).
fn symbol(v: i64) -> (usize, u32) {
    let u = ((v << 1) ^ (v >> 63)) as u64;
    let e = 64 - u.leading_zeros();
    if e < 2 {
        (e as usize, 0)
    } else {
        (2 * e as usize - 2 + ((u >> (e - 2)) & 1) as usize, e - 2)
    }
}

/// Bits of the symbols under the empirical distribution of each context (the spec's rule:
/// `min(15, (2 sL + sL2 + sU + (sUL + sUR) / 2 + 2) / 4)` over a 2-d array) plus the raw bits.
fn information_bits(v: &[i64], rows: usize, cols: usize) -> f64 {
    let sym: Vec<(usize, u32)> = v.iter().map(|&x| symbol(x)).collect();
    let s = |r: usize, c: isize| -> u32 {
        if c < 0 || c >= cols as isize {
            0
        } else {
            sym[r * cols + c as usize].0 as u32
        }
    };
    let mut counts = vec![vec![0u64; 128]; 16];
    let mut raw = 0u64;
    for r in 0..rows {
        for c in 0..cols {
            let ci = c as isize;
            let up = if r == 0 {
                0
            } else {
                s(r - 1, ci) + ((s(r - 1, ci - 1) + s(r - 1, ci + 1)) >> 1)
            };
            let a = ((2 * s(r, ci - 1) + s(r, ci - 2) + up + 2) >> 2).min(15) as usize;
            let (k, b) = sym[r * cols + c];
            counts[a][k] += 1;
            raw += u64::from(b);
        }
    }
    let mut bits = raw as f64;
    for h in &counts {
        let t: u64 = h.iter().sum();
        for &c in h.iter().filter(|&&c| c > 0) {
            bits -= c as f64 * (c as f64 / t as f64).log2();
        }
    }
    bits
}

/// The coded size is the information content under the spec's contexts plus the 12-bit
/// quantisation of the tables, the tables themselves and a few bytes: within 1 % + 600 bytes.
#[test]
fn size_against_the_information_content() {
    let mut rng = Rng(11);
    let (rows, cols) = (400, 500);
    // a smooth field's residuals: Laplace-like with a slowly varying scale
    let v: Vec<i64> = (0..rows * cols)
        .map(|i| {
            let scale = 1.0 + 20.0 * (((i / cols) as f64 / 60.0).sin().abs());
            let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
            let m = (-(1.0 - u).ln() * scale) as i64;
            if rng.next() & 1 == 0 { m } else { -m }
        })
        .collect();
    let ideal = information_bits(&v, rows, cols) / 8.0;
    let v32: Vec<i32> = v.iter().map(|&x| x as i32).collect();
    let bytes = encode_with_model(&v32, &[rows, cols], FAST).unwrap();
    println!(
        "{} bytes, information content {ideal:.0} bytes",
        bytes.len()
    );
    assert!((bytes.len() as f64) < ideal * 1.01 + 600.0);
    assert!((bytes.len() as f64) > ideal * 0.999);
}

#[test]
fn zero_runs_cost_next_to_nothing() {
    let zeros = vec![0i32; 1 << 20];
    let bytes = encode_with_model(&zeros, &[1024, 1024], FAST).unwrap();
    // 2^20 values at -log2(4095/4096) bits: 46 bytes, plus header, tables and rANS states
    assert!(bytes.len() < 110, "{} bytes for 2^20 zeros", bytes.len());
    let mut out = vec![1i32; 1 << 20];
    decode_into(&bytes, &[1024, 1024], &mut out).unwrap();
    assert!(out.iter().all(|&x| x == 0));
}

#[test]
fn tables_that_break_the_rules_are_errors() {
    let v: Vec<i32> = (0..64).map(|i| (i % 7) - 3).collect();
    let bytes = encode_with_model(&v, &[64], FAST).unwrap();
    let payload = 4 + 1 + 1 + 1 + 1 + 4; // magic, version, dtype, model, rank, extent, CRC
    assert_eq!(read_header(&bytes).unwrap().model, FAST);
    // context 0 lists its symbols first: make it list none
    let mut one = bytes.clone();
    assert!(one[payload] >= 2);
    one[payload] = 0;
    let mut out = vec![0i32; 64];
    assert!(matches!(
        decode_into(&one, &[64], &mut out),
        Err(CodecError::Corrupt { .. })
    ));
    // more symbols than an int8's alphabet (16)
    let v8: Vec<i8> = (0..64).map(|i| (i % 5) as i8 - 2).collect();
    let mut b8 = encode_with_model(&v8, &[64], FAST).unwrap();
    b8[payload] = 17;
    let mut o8 = vec![0i8; 64];
    assert!(decode_into(&b8, &[64], &mut o8).is_err());
}

#[test]
fn declared_sizes_are_checked_before_allocating() {
    // model 1 declaring 2^20 x 2^20 int32 with a small payload
    let mut b = vec![
        b'A', b'R', 1, 6, 1, 2, 0x80, 0x80, 0x40, 0x80, 0x80, 0x40, 0, 0, 0, 0,
    ];
    b.extend([0u8; 40]);
    let mut out = vec![0i32; 24];
    assert!(matches!(
        decode_into(&b, &[2, 3, 4], &mut out),
        Err(CodecError::ShapeMismatch { .. })
    ));
    assert!(matches!(decode(&b), Err(CodecError::LimitExceeded { .. })));
}

#[test]
fn unknown_model_ids_say_upgrade() {
    let mut b = encode_with_model(&[1i32, 2, 3], &[3], FAST).unwrap();
    b[4] = 4;
    let msg = decode(&b).unwrap_err().to_string();
    assert!(msg.contains("upgrade"), "{msg}");
}

#[test]
fn the_codec_writes_the_configured_model() {
    let config: ArithConfig = serde_json::from_str(r#"{"model": "fast"}"#).unwrap();
    let codec = ArithCodec::from_config(config);
    assert_eq!(
        serde_json::to_value(codec.get_config()).unwrap()["model"],
        "fast"
    );
    let data = ArrayD::from_shape_fn(IxDyn(&[30, 20]), |ix| {
        (ix[0] as i16 - 15) * (ix[1] as i16 % 5)
    });
    let encoded = codec.encode(AnyArray::I16(data.clone()).cow()).unwrap();
    let AnyArray::U8(bytes) = &encoded else {
        panic!("bytes")
    };
    assert_eq!(bytes.as_slice().unwrap()[4], 1);
    assert_eq!(
        codec.decode(encoded.cow()).unwrap(),
        AnyArray::I16(data.clone())
    );
    // the default codec reads model 1 too, and writes model 0 with an unchanged configuration
    let default = ArithCodec::from_config(serde_json::from_str("{}").unwrap());
    assert_eq!(default.decode(encoded.cow()).unwrap(), AnyArray::I16(data));
    assert!(
        serde_json::to_value(default.get_config())
            .unwrap()
            .get("model")
            .is_none()
    );
    let adaptive: ArithConfig = serde_json::from_str(r#"{"model": "adaptive"}"#).unwrap();
    assert_eq!(adaptive.model, ArithModel::Adaptive);
    assert!(serde_json::from_str::<ArithConfig>(r#"{"model": "huffman"}"#).is_err());
}
