//! Golden vectors (`specs/spatial_delta/sample_data/`, written by numpy alone — see
//! `make_golden.py` there) and the pinned JSON schema (`specs/spatial_delta/schema.json`).

use ndcodecs_spatial_delta::{SpatialDeltaCodec, SpatialDeltaConfig};
use numcodecs::{AnyArray, AnyArrayDType, Codec, DynCodecType, StaticCodec, StaticCodecType};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/spatial_delta");

fn load(dtype: AnyArrayDType, shape: &[usize], bytes: &[u8]) -> AnyArray {
    // Golden files are little-endian; this test assumes a little-endian host.
    const { assert!(cfg!(target_endian = "little")) };
    AnyArray::with_zeros_bytes(dtype, shape, |b| b.copy_from_slice(bytes)).0
}

#[test]
fn golden_vectors_decode_and_encode_bit_exactly() {
    let mut n = 0;
    for entry in std::fs::read_dir(format!("{SPEC}/sample_data")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let config: SpatialDeltaConfig = serde_json::from_value(meta["config"].clone()).unwrap();
        let dtype: AnyArrayDType = serde_json::from_value(meta["dtype"].clone()).unwrap();
        let shape: Vec<usize> = serde_json::from_value(meta["shape"].clone()).unwrap();
        let stem = path.with_extension("");
        let input = load(
            dtype,
            &shape,
            &std::fs::read(stem.with_extension("input.bin")).unwrap(),
        );
        let golden = load(
            dtype,
            &shape,
            &std::fs::read(stem.with_extension("encoded.bin")).unwrap(),
        );
        let codec = SpatialDeltaCodec::from_config(config);
        assert_eq!(
            codec.decode(golden.cow()).unwrap(),
            input,
            "decode {}",
            stem.display()
        );
        assert_eq!(
            codec.encode(input.cow()).unwrap(),
            golden,
            "encode {}",
            stem.display()
        );
        n += 1;
    }
    assert!(n >= 5, "expected at least 5 golden cases, found {n}");
}

#[test]
fn schema_matches_the_spec() {
    let schema = StaticCodecType::<SpatialDeltaCodec>::of().codec_config_schema();
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = format!("{SPEC}/schema.json");
    if std::env::var_os("NDCODECS_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    // Compared as JSON values: key order depends on serde_json features that other crates of
    // the workspace switch on.
    let pinned: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path).expect("specs/spatial_delta/schema.json"),
    )
    .unwrap();
    assert_eq!(
        pinned,
        serde_json::to_value(&schema).unwrap(),
        "the config schema changed: update the spec (NDCODECS_BLESS=1)"
    );
}

#[test]
fn config_round_trips_and_rejects_unknown_fields() {
    let codec =
        SpatialDeltaCodec::from_config(serde_json::from_str(r#"{"axis": [0, -1]}"#).unwrap());
    let json = serde_json::to_value(codec.get_config()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"id": "spatial_delta", "axis": [0, -1], "_version": "0.1.0"})
    );
    assert!(serde_json::from_str::<SpatialDeltaConfig>(r#"{"axes": 0}"#).is_err());
    assert!(
        serde_json::from_str::<SpatialDeltaConfig>(r#"{"axis": 0, "_version": "1.0.0"}"#).is_err()
    );
    let default: SpatialDeltaConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(default.axis.as_slice(), &[-1]);
}
