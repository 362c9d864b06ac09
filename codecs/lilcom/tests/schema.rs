//! The codec's generated configuration schema (what numcodecs-python builds the Python class's
//! signature and docstring from) equals `specs/lilcom/schema.json`.

mod common;

use ndcodecs_lilcom::LilcomCodec;
use numcodecs::{DynCodecType, StaticCodecType};

#[test]
fn schema_matches_spec() {
    let schema = StaticCodecType::<LilcomCodec>::of().codec_config_schema();
    let path = common::repo().join("specs/lilcom/schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&schema).unwrap() + "\n").unwrap();
    }
    // Compared as JSON values: key order depends on serde_json features that other crates of the
    // workspace switch on.
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_default();
    assert_eq!(
        stored,
        serde_json::to_value(&schema).unwrap(),
        "specs/lilcom/schema.json is out of date: rerun with UPDATE_SCHEMA=1"
    );
}
