//! `crc32` against independent references: checksums of the standard CRC-32 check strings
//! (the CRC catalogue's check value for "123456789" is 0xCBF43926), golden bytes written by
//! numcodecs 0.16.6's `CRC32` (see `specs/crc32/sample_data/`), every truncation and bit flip.

use ndarray::{ArrayD, IxDyn};
use ndcodecs_core::CodecError;
use ndcodecs_crc32::{ChecksumLocation, Crc32Codec};
use numcodecs::{AnyArray, Codec};
use proptest::prelude::*;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/crc32/sample_data");

fn bytes(v: &[u8]) -> AnyArray {
    AnyArray::U8(ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.to_vec()).unwrap())
}

#[test]
fn catalogue_check_value() {
    let enc = Crc32Codec::new(ChecksumLocation::Start).encode_bytes(b"123456789");
    assert_eq!(&enc[..4], &0xCBF4_3926_u32.to_le_bytes());
    assert_eq!(&enc[4..], b"123456789");
    let enc = Crc32Codec::new(ChecksumLocation::End).encode_bytes(b"123456789");
    assert_eq!(&enc[9..], &0xCBF4_3926_u32.to_le_bytes());
}

#[test]
fn golden_vectors_from_numcodecs() {
    // Each golden case: `<name>.input.bin` (raw bytes numcodecs was given) and
    // `<name>.<location>.bin` (what numcodecs' CRC32(location=...) returned).
    let mut seen = 0;
    for entry in std::fs::read_dir(SAMPLES).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(stem) = name.strip_suffix(".input.bin") else {
            continue;
        };
        let input = std::fs::read(&path).unwrap();
        for (loc, codec) in [
            ("start", Crc32Codec::new(ChecksumLocation::Start)),
            ("end", Crc32Codec::new(ChecksumLocation::End)),
        ] {
            let golden = std::fs::read(format!("{SAMPLES}/{stem}.{loc}.bin")).unwrap();
            assert_eq!(codec.encode_bytes(&input), golden, "{stem} {loc}");
            assert_eq!(codec.decode_bytes(&golden).unwrap(), &input[..]);
            seen += 1;
        }
    }
    assert!(seen >= 4, "golden vectors missing ({seen})");
}

#[test]
fn mismatch_reports_both_checksums() {
    let codec = Crc32Codec::default();
    let mut enc = codec.encode_bytes(b"hello");
    enc[4] ^= 1; // the first data byte: "hello" becomes "iello"
    match codec.decode_bytes(&enc).unwrap_err() {
        CodecError::ChecksumMismatch {
            stored, computed, ..
        } => {
            assert_eq!(stored, crc32fast::hash(b"hello"));
            assert_eq!(computed, crc32fast::hash(b"iello"));
        }
        e => panic!("{e}"),
    }
}

#[test]
fn decode_into_checks_size_and_fills_any_dtype() {
    let codec = Crc32Codec::default();
    let data =
        AnyArray::I32(ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1, -2, 3, i32::MIN]).unwrap());
    let enc = codec.encode(data.cow()).unwrap();
    let mut out = AnyArray::I32(ArrayD::zeros(IxDyn(&[2, 2])));
    codec.decode_into(enc.view(), out.view_mut()).unwrap();
    assert_eq!(out, data);
    let mut small = AnyArray::I32(ArrayD::zeros(IxDyn(&[3])));
    assert!(codec.decode_into(enc.view(), small.view_mut()).is_err());
    assert!(
        codec.decode(data.cow()).is_err(),
        "non-uint8 encoded input must be refused"
    );
}

proptest! {
    #[test]
    fn round_trip_truncation_and_flips(data in prop::collection::vec(any::<u8>(), 0..200),
                                        flip in any::<prop::sample::Index>(), end in any::<bool>()) {
        let codec = Crc32Codec::new(if end { ChecksumLocation::End } else { ChecksumLocation::Start });
        let enc = codec.encode(bytes(&data).cow()).unwrap();
        prop_assert_eq!(codec.decode(enc.cow()).unwrap(), bytes(&data));
        let raw = enc.as_bytes().into_owned();
        for cut in 0..raw.len() {
            // every strict prefix fails: too short, or a checksum mismatch
            prop_assert!(codec.decode_bytes(&raw[..cut]).is_err());
        }
        let bit = flip.index(raw.len() * 8);
        let mut bad = raw.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        // CRC-32 detects every single-bit error
        prop_assert!(codec.decode_bytes(&bad).is_err());
    }
}

#[test]
fn schema_matches_the_spec() {
    use numcodecs::{DynCodecType, StaticCodecType};
    let schema = StaticCodecType::<Crc32Codec>::of().codec_config_schema();
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/crc32/schema.json");
    if std::env::var_os("NDCODECS_BLESS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    // Compared as JSON values: key order depends on serde_json features that other crates of
    // the workspace switch on.
    let pinned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("specs/crc32/schema.json"))
            .unwrap();
    assert_eq!(
        pinned,
        serde_json::to_value(&schema).unwrap(),
        "the config schema changed: update the spec (NDCODECS_BLESS=1)"
    );
}
