//! The codec's generated configuration schema (what numcodecs-python builds the Python class's
//! signature and docstring from) equals `specs/arith/schema.json`.

mod common;

use ndcodecs_arith::ArithCodec;
use numcodecs::{DynCodecType, StaticCodecType};

#[test]
fn schema_matches_spec() {
    let schema = StaticCodecType::<ArithCodec>::of().codec_config_schema();
    let path = common::repo().join("specs/arith/schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&schema).unwrap() + "\n").unwrap();
    }
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(
        stored,
        serde_json::to_value(&schema).unwrap(),
        "specs/arith/schema.json is out of date: rerun with UPDATE_SCHEMA=1"
    );
}

#[test]
fn unknown_fields_are_refused() {
    assert!(serde_json::from_str::<ndcodecs_arith::ArithConfig>(r#"{"level": 3}"#).is_err());
    let c: ndcodecs_arith::ArithConfig = serde_json::from_str(r#"{"_version": "0.1.0"}"#).unwrap();
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        serde_json::json!({"_version": "0.1.0"})
    );
}
