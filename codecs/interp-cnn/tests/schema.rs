//! The codec's generated configuration schema (what numcodecs-python builds the Python class's
//! signature and docstring from) equals `specs/interp_cnn/schema.json`.

mod common;

use ndcodecs_interp_cnn::InterpCnnCodec;
use numcodecs::{DynCodecType, StaticCodecType};

#[test]
fn schema_matches_spec() {
    let schema = StaticCodecType::<InterpCnnCodec>::of().codec_config_schema();
    let path = common::repo().join("specs/interp_cnn/schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&schema).unwrap() + "\n").unwrap();
    }
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(
        stored,
        serde_json::to_value(&schema).unwrap(),
        "specs/interp_cnn/schema.json is out of date: rerun with UPDATE_SCHEMA=1"
    );
}
