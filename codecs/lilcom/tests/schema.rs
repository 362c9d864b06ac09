//! The configuration's JSON schema equals `specs/lilcom/schema.json`.
//!
//! After an intended change, regenerate the file with
//! `UPDATE_SCHEMA=1 cargo test -p ndcodecs-lilcom --test schema`.

mod common;

use ndcodecs_lilcom::LilcomConfig;

#[test]
fn schema_matches_spec() {
    let schema = schemars::schema_for!(LilcomConfig);
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = common::repo().join("specs/lilcom/schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        stored, generated,
        "specs/lilcom/schema.json is out of date: rerun with UPDATE_SCHEMA=1"
    );
}
