//! The JSON schema of the configuration is pinned by `specs/interp_quantize/schema.json`.

use std::path::PathBuf;

use ndcodecs_interp_quantize::InterpQuantizeCodec;
use numcodecs::{DynCodecType, StaticCodecType};

#[test]
fn schema_matches_the_spec() {
    let generated = StaticCodecType::<InterpQuantizeCodec>::of().codec_config_schema();
    let generated = serde_json::to_value(&generated).unwrap();
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/interp_quantize/schema.json");
    let pinned: serde_json::Value = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap(),
        Err(e) => panic!(
            "{}: {e}; the generated schema is\n{}",
            path.display(),
            serde_json::to_string_pretty(&generated).unwrap()
        ),
    };
    assert_eq!(
        generated,
        pinned,
        "schema changed; the generated schema is\n{}",
        serde_json::to_string_pretty(&generated).unwrap()
    );
}
