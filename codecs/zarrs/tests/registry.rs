//! Walks the `ndcodecs-registry` codec list: every listed codec is registered with zarrs under its
//! v3 name, each v3 alias and its v2 id, as a codec of its kind, stores its configuration under
//! its v3 name, and round-trips an array (edge chunks included) through a zarrs array.

use std::sync::Arc;

use ndcodecs_core::CodecKind;
use ndcodecs_zarrs::{CODECS, CodecEntry};
use serde_json::{Map, Value, json};
use zarrs::array::codec::api::Codec;
use zarrs::array::{ArrayMetadata, ChunkShape};
use zarrs::metadata::v2::MetadataV2;
use zarrs::metadata::v3::MetadataV3;
use zarrs::storage::store::MemoryStore;

fn kind(codec: &Codec) -> CodecKind {
    match codec {
        Codec::ArrayToArray(_) => CodecKind::ArrayToArray,
        Codec::ArrayToBytes(_) => CodecKind::ArrayToBytes,
        Codec::BytesToBytes(_) => CodecKind::BytesToBytes,
    }
}

fn example(entry: &CodecEntry) -> Map<String, Value> {
    serde_json::from_str(entry.example_config)
        .unwrap_or_else(|e| panic!("{}: example configuration: {e}", entry.codec_id))
}

#[test]
fn every_listed_codec_is_registered_under_its_names() {
    ndcodecs_zarrs::register();
    assert!(!CODECS.is_empty());
    for entry in CODECS {
        let config = example(entry);
        for name in std::iter::once(&entry.zarr_v3_name).chain(entry.zarr_v3_aliases) {
            let metadata: MetadataV3 =
                serde_json::from_value(json!({"name": name, "configuration": config})).unwrap();
            let codec = Codec::from_metadata(&metadata)
                .unwrap_or_else(|e| panic!("{}: v3 name {name}: {e}", entry.codec_id));
            assert_eq!(kind(&codec), entry.kind, "{name}");
        }
        let mut v2 = config.clone();
        v2.insert("id".into(), Value::from(entry.zarr_v2_id));
        let metadata: MetadataV2 = serde_json::from_value(Value::Object(v2)).unwrap();
        let codec = Codec::from_metadata(&metadata)
            .unwrap_or_else(|e| panic!("{}: v2 id {}: {e}", entry.codec_id, entry.zarr_v2_id));
        assert_eq!(kind(&codec), entry.kind, "{}", entry.zarr_v2_id);
    }
}

/// A dtype the codec takes: the one its configuration fixes, else the first of a few it accepts.
fn dtype_for(entry: &CodecEntry, config: &Value) -> &'static str {
    if let Some(dtype) = entry.decoded_dtype(config).unwrap() {
        return ndcodecs_core::dtype::dtype_name(dtype);
    }
    ["int16", "float32", "uint8"]
        .into_iter()
        .find(|name| {
            let dtype = ndcodecs_core::dtype::dtype_from_name(name).unwrap();
            match entry.kind {
                CodecKind::ArrayToArray => entry.encoded_dtype(config, dtype).is_ok(),
                CodecKind::ArrayToBytes => entry.bind(config, dtype, &[6, 10]).is_ok(),
                CodecKind::BytesToBytes => true,
            }
        })
        .unwrap_or_else(|| panic!("{}: takes none of the tried dtypes", entry.codec_id))
}

#[test]
fn every_listed_codec_round_trips_through_a_zarrs_array() {
    ndcodecs_zarrs::register();
    for entry in CODECS {
        let config = example(entry);
        let ours = json!({"name": entry.zarr_v3_name, "configuration": config});
        let bytes = json!({"name": "bytes", "configuration": {"endian": "little"}});
        let codecs = match entry.kind {
            CodecKind::ArrayToArray => json!([ours, bytes]),
            CodecKind::ArrayToBytes => json!([ours]),
            CodecKind::BytesToBytes => json!([bytes, ours]),
        };
        let config = Value::Object(config);
        let dtype = dtype_for(entry, &config);
        let bound = entry.max_abs_error(&config).unwrap().unwrap_or(0.0);
        let metadata = ArrayMetadata::try_from(
            json!({
                "zarr_format": 3, "node_type": "array", "shape": [13, 21], "data_type": dtype,
                "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [6, 10]}},
                "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
                "fill_value": 0, "codecs": codecs
            })
            .to_string()
            .as_str(),
        )
        .unwrap();
        let store = Arc::new(MemoryStore::new());
        let array = ndcodecs_zarrs::create_array(store, "/a", metadata)
            .unwrap_or_else(|e| panic!("{}: {e}", entry.codec_id));
        let stored = serde_json::to_value(array.metadata()).unwrap();
        assert!(
            stored["codecs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["name"] == entry.zarr_v3_name),
            "{}: {stored}",
            entry.codec_id
        );
        let values: Vec<f64> = (0..13 * 21)
            .map(|i| f64::from((i % 21) * 3 + i / 21))
            .collect();
        ndcodecs_core::with_element_type!(dtype, T => {
            // `as` casts, exact for the small values used, in every dtype the macro dispatches to.
            #[allow(clippy::unnecessary_cast)]
            let data: Vec<T> = values.iter().map(|&v| v as T).collect();
            array.store_array_subset(&array.subset_all(), data.clone()).unwrap();
            let back = array.retrieve_array_subset::<Vec<T>>(&array.subset_all()).unwrap();
            let chunk = array.chunk_shape(&[0, 0]).unwrap();
            assert_eq!(chunk, ChunkShape::from(vec![6.try_into().unwrap(), 10.try_into().unwrap()]));
            for (x, y) in data.iter().zip(&back) {
                #[allow(clippy::unnecessary_cast)]
                let err = (*x as f64 - *y as f64).abs();
                assert!(err <= bound, "{}: {x} came back as {y}", entry.codec_id);
            }
        }, _ => panic!("{}: dtype {dtype}", entry.codec_id));
    }
}
