//! Golden vectors (`specs/ycocg_r/sample_data/`, written by numpy alone — see `make_golden.py`
//! there) and the pinned JSON schema (`specs/ycocg_r/schema.json`).

use ndcodecs_ycocg_r::YCoCgRCodec;
use numcodecs::{AnyArray, AnyArrayDType, Codec, DynCodecType, StaticCodecType};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/ycocg_r");

fn load(dtype: AnyArrayDType, shape: &[usize], bytes: &[u8]) -> AnyArray {
    // Golden files are little-endian; this test assumes a little-endian host.
    const { assert!(cfg!(target_endian = "little")) };
    AnyArray::with_zeros_bytes(dtype, shape, |b| b.copy_from_slice(bytes)).0
}

#[test]
fn golden_vectors_encode_and_decode_bit_exactly() {
    let mut n = 0;
    for entry in std::fs::read_dir(format!("{SPEC}/sample_data")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let dtype: AnyArrayDType = serde_json::from_value(meta["dtype"].clone()).unwrap();
        let enc_dtype: AnyArrayDType =
            serde_json::from_value(meta["encoded_dtype"].clone()).unwrap();
        let shape: Vec<usize> = serde_json::from_value(meta["shape"].clone()).unwrap();
        let stem = path.with_extension("");
        let input = load(
            dtype,
            &shape,
            &std::fs::read(stem.with_extension("input.bin")).unwrap(),
        );
        let golden = load(
            enc_dtype,
            &shape,
            &std::fs::read(stem.with_extension("encoded.bin")).unwrap(),
        );
        let codec = YCoCgRCodec;
        assert_eq!(
            codec.encode(input.cow()).unwrap(),
            golden,
            "encode {}",
            stem.display()
        );
        assert_eq!(
            codec.decode(golden.cow()).unwrap(),
            input,
            "decode {}",
            stem.display()
        );
        n += 1;
    }
    assert!(n >= 5, "expected at least 5 golden cases, found {n}");
}

#[test]
fn schema_matches_the_spec() {
    let schema = StaticCodecType::<YCoCgRCodec>::of().codec_config_schema();
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = format!("{SPEC}/schema.json");
    if std::env::var_os("NDCODECS_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let pinned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("specs/ycocg_r/schema.json"))
            .unwrap();
    assert_eq!(
        pinned,
        serde_json::to_value(&schema).unwrap(),
        "the config schema changed: update the spec (NDCODECS_BLESS=1)"
    );
}
