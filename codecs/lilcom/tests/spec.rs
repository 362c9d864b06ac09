//! The corners of `specs/lilcom/README.md`, checked: hand-made streams against what stock lilcom
//! 1.8.2 did with them (`specs/lilcom/sample_data/handmade.py`), the 0-d expected shape and the
//! `_version` rule.

mod common;

use ndcodecs_core::CodecError;
use ndcodecs_lilcom::{LilcomConfig, decode_f32, decode_into, read_header};

/// The one place ndcodecs reads differently from stock lilcom: a run-length code with `k = 31`,
/// which stock decodes for `x <= 1` and ndcodecs rejects (the spec, "Integer stream").
const REJECTED_WHERE_STOCK_DECODES: &[&str] = &["run_k31_x0", "run_k31_x1"];

#[test]
fn hand_made_streams_read_as_stock_reads_them() {
    let dir = common::repo().join("specs/lilcom/sample_data");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("v1_8_2_handmade.json")).unwrap())
            .unwrap();
    let cases = manifest["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 9);
    for case in cases {
        let name = case["case"].as_str().unwrap();
        let stem = format!("v1_8_2_handmade_{name}");
        let bytes = std::fs::read(dir.join(format!("{stem}.bin"))).unwrap();
        let ours = decode_f32(&bytes);
        match case["stock"].as_str().unwrap() {
            "decoded" if REJECTED_WHERE_STOCK_DECODES.contains(&name) => {
                assert!(
                    matches!(ours, Err(CodecError::Corrupt { .. })),
                    "{name}: {ours:?}"
                );
            }
            "decoded" => {
                let (shape, stock) = common::load_npy_f32(&dir.join(format!("{stem}.decoded.npy")));
                let (found, values) = ours.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(found, shape, "{name}");
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&values), bits(&stock), "{name}");
                let mut out = vec![0f32; stock.len()];
                decode_into(&bytes, &shape, &mut out).unwrap();
                assert_eq!(bits(&out), bits(&stock), "{name}");
            }
            "error" => assert!(
                matches!(ours, Err(CodecError::Corrupt { .. })),
                "{name}: {ours:?}"
            ),
            other => panic!("{name}: unknown stock result {other}"),
        }
    }
}

#[test]
fn a_run_code_is_refused_at_its_31st_zero_bit() {
    // The spec's worked example `4C 00 22 4B 02` (one element, code 0) has its run-length code,
    // a single `1` bit, at bit 17 after the prefix. With that bit cleared and the data ending
    // after 31 zero bits (bits 17..48), the code is corrupt, decided at the 31st zero bit — not
    // truncated, although the terminating bit is missing.
    let example = [0x4c, 0x00, 0x22, 0x4b, 0x02];
    assert_eq!(decode_f32(&example).unwrap(), (vec![1], vec![0.0]));
    let cut = [0x4c, 0x00, 0x22, 0x4b, 0x00, 0x00, 0x00, 0x00];
    assert!(
        matches!(decode_f32(&cut), Err(CodecError::Corrupt { .. })),
        "{:?}",
        decode_f32(&cut)
    );
}

#[test]
fn a_0d_expected_shape_matches_a_stored_shape_of_1_only() {
    let config = LilcomConfig::default();
    let one = ndcodecs_lilcom::encode(&[2.5f32], &[], &config).unwrap();
    assert_eq!(read_header(&one).unwrap().shape, vec![1]);
    let mut out = [0f32];
    decode_into(&one, &[], &mut out).unwrap();
    assert_eq!(out, [2.5]);
    // On its own the stream is 1-d.
    assert_eq!(decode_f32(&one).unwrap().0, vec![1]);
    // Other single-element shapes are not a 0-d chunk.
    for shape in [&[1usize, 1][..], &[1, 1, 1]] {
        let bytes = ndcodecs_lilcom::encode(&[2.5f32], shape, &config).unwrap();
        assert!(
            matches!(
                decode_into(&bytes, &[], &mut out),
                Err(CodecError::ShapeMismatch { .. })
            ),
            "{shape:?}"
        );
    }
}

#[test]
fn version_rule() {
    let parse = |v: &str| {
        serde_json::from_str::<LilcomConfig>(&format!(r#"{{"tick_power": -5, "_version": "{v}"}}"#))
    };
    // The reader (0.1.0) must satisfy ^V for the stored V.
    for ok in ["0.1.0", "0.1.0-rc.1", "0.1.0+build.5", "0.1.0-alpha+b"] {
        assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok).err());
    }
    for refused in [
        "0.1.1",
        "0.1.1-rc.1",
        "0.2.0",
        "0.0.9",
        "0.0.0",
        "1.0.0",
        "0.1",
        "v0.1.0",
        "",
    ] {
        assert!(parse(refused).is_err(), "{refused}");
    }
    assert!(serde_json::from_str::<LilcomConfig>(r#"{"tick_power": -5}"#).is_ok());
}
