//! zarrs round trips through a filesystem store with ndcodecs codecs in the chain, on the real
//! arrays in `tests/data/` (see its README for sources). The stores are re-opened from disk with
//! `Array::open`, so the codecs are found through zarrs' registry from the stored metadata alone.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use zarrs::array::{Array, ArrayMetadata, Element, ElementOwned};
use zarrs::filesystem::FilesystemStore;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data");

fn read_npy<T: npyz::Deserialize>(name: &str) -> (Vec<u64>, Vec<T>) {
    let bytes = std::fs::read(format!("{DATA}/{name}.npy")).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = npy.shape().to_vec();
    (shape, npy.into_vec::<T>().unwrap())
}

fn metadata_v3(
    shape: &[u64],
    chunks: &[u64],
    dtype: &str,
    fill: serde_json::Value,
    codecs: serde_json::Value,
) -> ArrayMetadata {
    ArrayMetadata::try_from(
        json!({
            "zarr_format": 3, "node_type": "array", "shape": shape, "data_type": dtype,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": fill, "codecs": codecs
        })
        .to_string()
        .as_str(),
    )
    .unwrap()
}

/// Writes `data` with `metadata` to a fresh filesystem store, re-opens it from disk and returns
/// what it reads back, plus the bytes the chunks take on disk.
fn write_reopen_read<T: Element + ElementOwned + Clone>(
    dir: &Path,
    metadata: ArrayMetadata,
    data: &[T],
) -> (Vec<T>, u64) {
    ndcodecs_zarrs::register();
    let store = Arc::new(FilesystemStore::new(dir).unwrap());
    let array = ndcodecs_zarrs::create_array(store.clone(), "/a", metadata).unwrap();
    array.store_metadata().unwrap();
    array
        .store_array_subset(&array.subset_all(), data.to_vec())
        .unwrap();
    drop(array);
    let reopened = Array::open(store, "/a").unwrap();
    let back = reopened
        .retrieve_array_subset::<Vec<T>>(&reopened.subset_all())
        .unwrap();
    let mut size = 0;
    for entry in walk(&dir.join("a")) {
        if entry
            .file_name()
            .is_some_and(|n| n != "zarr.json" && n != ".zarray")
        {
            size += std::fs::metadata(&entry).unwrap().len();
        }
    }
    (back, size)
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn lossless_integer_chains_on_real_arrays() {
    let chains = [
        json!([
            {"name": "ndcodecs.spatial_delta", "configuration": {"axis": [0, 1, 2]}},
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "zstd", "configuration": {"level": 5, "checksum": false}}
        ]),
        json!([
            {"name": "ndcodecs.spatial_delta", "configuration": {"axis": -1}},
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "numcodecs.crc32", "configuration": {"location": "start"}}
        ]),
    ];
    let (shape, data) = read_npy::<u16>("microscopy_nuclei_3d_uint16");
    for codecs in &chains {
        let dir = tempfile::tempdir().unwrap();
        let md = metadata_v3(&shape, &[16, 32, 32], "uint16", json!(0), codecs.clone());
        let (back, _) = write_reopen_read(dir.path(), md, &data);
        assert_eq!(back, data, "{codecs}");
    }

    // The delta must pay off against the same chain without it (plain zstd) on real data.
    let (shape, data) = read_npy::<i16>("speech_librivox_16k_int16");
    let dir = tempfile::tempdir().unwrap();
    let with = metadata_v3(
        &shape,
        &[16000],
        "int16",
        json!(0),
        chains[0]
            .clone()
            .as_array()
            .map(|c| {
                let mut c = c.clone();
                c[0]["configuration"]["axis"] = json!(0);
                json!(c)
            })
            .unwrap(),
    );
    let (back, delta_size) = write_reopen_read(dir.path(), with, &data);
    assert_eq!(back, data);
    let dir = tempfile::tempdir().unwrap();
    let without = metadata_v3(
        &shape,
        &[16000],
        "int16",
        json!(0),
        json!([
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "zstd", "configuration": {"level": 5, "checksum": false}}
        ]),
    );
    let (_, plain_size) = write_reopen_read(dir.path(), without, &data);
    assert!(
        delta_size < plain_size,
        "delta {delta_size} vs plain {plain_size}"
    );
}

#[test]
fn zarr_v2_filters_and_compressor() {
    let (shape, data) = read_npy::<u8>("photo_camera_gray");
    let md = ArrayMetadata::try_from(
        json!({
            "zarr_format": 2, "shape": shape, "chunks": [128, 128], "dtype": "|u1",
            "compressor": {"id": "crc32", "location": "end"},
            "fill_value": 0, "order": "C",
            "filters": [{"id": "spatial_delta", "axis": [0, 1]}]
        })
        .to_string()
        .as_str(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (back, _) = write_reopen_read(dir.path(), md, &data);
    assert_eq!(back, data);
}

#[test]
fn bad_axis_or_float_dtype_fail_when_the_array_is_created() {
    // zarrs itself builds the chain without the array's shape; `create_array` checks it.
    ndcodecs_zarrs::register();
    let store = Arc::new(zarrs::storage::store::MemoryStore::new());
    let codecs = json!([
        {"name": "ndcodecs.spatial_delta", "configuration": {"axis": [0, 2]}},
        {"name": "bytes", "configuration": {"endian": "little"}}
    ]);
    let err = ndcodecs_zarrs::create_array(
        store.clone(),
        "/a",
        metadata_v3(&[8, 8], &[4, 4], "int32", json!(0), codecs),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("axis 2 is out of range"), "{err}");
    let codecs = json!([
        {"name": "ndcodecs.spatial_delta", "configuration": {"axis": 0}},
        {"name": "bytes", "configuration": {"endian": "little"}}
    ]);
    let err = ndcodecs_zarrs::create_array(
        store,
        "/b",
        metadata_v3(&[8], &[4], "float32", json!(0.0), codecs),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("linear_quantize"), "{err}");
}

#[test]
fn corrupted_chunk_reports_both_checksums() {
    ndcodecs_zarrs::register();
    let dir = tempfile::tempdir().unwrap();
    let codecs = json!([
        {"name": "bytes", "configuration": {"endian": "little"}},
        {"name": "numcodecs.crc32", "configuration": {}}
    ]);
    let store = Arc::new(FilesystemStore::new(dir.path()).unwrap());
    let array = Array::new_with_metadata(
        store.clone(),
        "/a",
        metadata_v3(&[4], &[4], "int32", json!(0), codecs),
    )
    .unwrap();
    array.store_metadata().unwrap();
    array
        .store_array_subset(&array.subset_all(), vec![1i32, 2, 3, 4])
        .unwrap();
    let chunk = dir.path().join("a/c/0");
    let mut raw = std::fs::read(&chunk).unwrap();
    raw[6] ^= 0x10;
    std::fs::write(&chunk, raw).unwrap();
    let err = array
        .retrieve_array_subset::<Vec<i32>>(&array.subset_all())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("checksum mismatch") && err.contains("stored 0x"),
        "{err}"
    );
}

/// Every truncation and some bit flips of stored chunks: an error, or (for a flip that still
/// decodes) a result of the right size — never a panic.
#[test]
fn truncated_and_flipped_chunks_never_panic() {
    ndcodecs_zarrs::register();
    let (shape, data) = read_npy::<u16>("microscopy_nuclei_3d_uint16");
    for codecs in [
        json!([
            {"name": "ndcodecs.spatial_delta", "configuration": {"axis": [0, 1, 2]}},
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "numcodecs.crc32", "configuration": {"location": "end"}}
        ]),
        json!([
            {"name": "ndcodecs.spatial_delta", "configuration": {"axis": [0, 1, 2]}},
            {"name": "bytes", "configuration": {"endian": "little"}}
        ]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FilesystemStore::new(dir.path()).unwrap());
        let md = metadata_v3(&shape, &shape, "uint16", json!(0), codecs.clone());
        let array = ndcodecs_zarrs::create_array(store, "/a", md).unwrap();
        array
            .store_array_subset(&array.subset_all(), data.clone())
            .unwrap();
        let chunk = dir.path().join("a/c/0/0/0");
        let good = std::fs::read(&chunk).unwrap();
        let step = (good.len() / 97).max(1);
        for cut in (0..good.len()).step_by(step) {
            std::fs::write(&chunk, &good[..cut]).unwrap();
            // (a panic fails the test)
            let r = array.retrieve_array_subset::<Vec<u16>>(&array.subset_all());
            assert!(r.is_err(), "cut {cut} {codecs}");
        }
        let mut state = 12345u64;
        for _ in 0..64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let bit = (state >> 33) as usize % (good.len() * 8);
            let mut bad = good.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            std::fs::write(&chunk, &bad).unwrap();
            if let Ok(v) = array.retrieve_array_subset::<Vec<u16>>(&array.subset_all()) {
                assert_eq!(v.len(), data.len());
                assert!(
                    !codecs.to_string().contains("crc32"),
                    "crc32 missed a bit flip"
                );
            }
        }
    }
}

const FLOAT_ARRAYS: [&str; 6] = [
    "climate_hadcm3_air_temperature",
    "climate_ncar_temperature_3d",
    "climate_ncar_geopotential_height",
    "ocean_pop_temperature_with_fill",
    "terrain_regional_surface_height",
    "speech_librivox_fbank80",
];
const OCEAN_FILL: f32 = 9.969_21e36;

/// `linear_quantize → spatial_delta (all axes) → bytes → zstd` on every real float array, at an
/// absolute bound of 1e-3 × the value range: every value within the bound, the fill values over
/// land bit-exact, and a ratio above plain zstd's on the raw floats.
#[test]
fn lossy_chain_keeps_the_bound_on_real_float_arrays() {
    for name in FLOAT_ARRAYS {
        let (shape, data) = read_npy::<f32>(name);
        let valid: Vec<f32> = data.iter().copied().filter(|&v| v != OCEAN_FILL).collect();
        let (lo, hi) = valid
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let bound = 1e-3 * f64::from(hi - lo);
        let axes: Vec<i64> = (0..shape.len() as i64).collect();
        let chunks: Vec<u64> = shape.iter().map(|&s| s.min(128)).collect();
        let codecs = json!([
            {"name": "ndcodecs.linear_quantize", "configuration": {
                "max_abs_error": bound, "offset": f64::from(lo), "fill_value": f64::from(OCEAN_FILL),
                "dtype": "float32", "astype": "int32"}},
            {"name": "ndcodecs.spatial_delta", "configuration": {"axis": axes}},
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "zstd", "configuration": {"level": 5, "checksum": false}}
        ]);
        let dir = tempfile::tempdir().unwrap();
        let md = metadata_v3(&shape, &chunks, "float32", json!(OCEAN_FILL), codecs);
        let (back, size) = write_reopen_read(dir.path(), md, &data);
        for (i, (&x, &y)) in data.iter().zip(&back).enumerate() {
            if x == OCEAN_FILL {
                assert_eq!(x.to_bits(), y.to_bits(), "{name}[{i}] fill value");
            } else {
                assert!(
                    (f64::from(x) - f64::from(y)).abs() <= bound,
                    "{name}[{i}]: {x} -> {y}, bound {bound}"
                );
            }
        }
        let raw = (data.len() * 4) as f64;
        let zstd_only = zstd_size(&data);
        assert!(
            (size as f64) < zstd_only as f64,
            "{name}: chain {size} B is not smaller than zstd alone {zstd_only} B"
        );
        eprintln!(
            "{name}: ratio {:.1} (zstd alone {:.1})",
            raw / size as f64,
            raw / zstd_only as f64
        );
    }
}

fn zstd_size(data: &[f32]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let md = metadata_v3(
        &[data.len() as u64],
        &[data.len() as u64],
        "float32",
        json!(0.0),
        json!([
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "zstd", "configuration": {"level": 5, "checksum": false}}
        ]),
    );
    write_reopen_read(dir.path(), md, data).1 as usize
}

#[test]
fn linear_quantize_as_zarr_v2_filter_and_dtype_check() {
    let (shape, data) = read_npy::<f32>("climate_ncar_geopotential_height");
    let md = ArrayMetadata::try_from(
        json!({
            "zarr_format": 2, "shape": shape, "chunks": [7, 73, 144], "dtype": "<f4",
            "compressor": {"id": "zstd", "level": 3},
            "fill_value": "NaN", "order": "C",
            "filters": [
                {"id": "linear_quantize", "max_abs_error": 0.5, "offset": 5000.0, "dtype": "float32", "astype": "int16"},
                {"id": "spatial_delta", "axis": [0, 1, 2]}
            ]
        })
        .to_string()
        .as_str(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (back, _) = write_reopen_read(dir.path(), md, &data);
    for (&x, &y) in data.iter().zip(&back) {
        assert!((f64::from(x) - f64::from(y)).abs() <= 0.5);
    }
    // A float64 array under a float32-configured quantizer is refused when the array is opened.
    let store = Arc::new(zarrs::storage::store::MemoryStore::new());
    let codecs = json!([
        {"name": "ndcodecs.linear_quantize", "configuration": {"max_abs_error": 0.1, "dtype": "float32"}},
        {"name": "bytes", "configuration": {"endian": "little"}}
    ]);
    let err = ndcodecs_zarrs::create_array(
        store,
        "/x",
        metadata_v3(&[4], &[4], "float64", json!(0.0), codecs),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("float32"), "{err}");
}

/// `spatial_delta → lilcom(tick_power=0)` on int16 speech is lossless.
#[test]
fn spatial_delta_then_lilcom_is_lossless_on_int16_speech() {
    let (shape, data) = read_npy::<i16>("speech_librivox_16k_int16");
    let codecs = json!([
        {"name": "ndcodecs.spatial_delta", "configuration": {"axis": 0}},
        {"name": "ndcodecs.lilcom", "configuration": {"tick_power": 0}}
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (back, size) = write_reopen_read(
        dir.path(),
        metadata_v3(&shape, &[16000], "int16", json!(0), codecs),
        &data,
    );
    assert_eq!(back, data);
    assert!(size < (data.len() * 2) as u64, "no gain: {size} B");
}

/// `linear_quantize → spatial_delta → lilcom(tick_power=0)` on real float fields keeps the
/// quantizer's bound (lilcom is exact on the small integer residuals).
#[test]
fn quantize_delta_lilcom_chain_keeps_the_bound() {
    for name in [
        "climate_hadcm3_air_temperature",
        "terrain_regional_surface_height",
    ] {
        let (shape, data) = read_npy::<f32>(name);
        let axes: Vec<i64> = (0..shape.len() as i64).collect();
        let bound = 0.05;
        let codecs = json!([
            {"name": "ndcodecs.linear_quantize", "configuration": {"max_abs_error": bound, "dtype": "float32"}},
            {"name": "ndcodecs.spatial_delta", "configuration": {"axis": axes}},
            {"name": "ndcodecs.lilcom", "configuration": {"tick_power": 0}}
        ]);
        let chunks: Vec<u64> = shape.iter().map(|&s| s.min(100)).collect();
        let dir = tempfile::tempdir().unwrap();
        let (back, _) = write_reopen_read(
            dir.path(),
            metadata_v3(&shape, &chunks, "float32", json!(0.0), codecs),
            &data,
        );
        for (&x, &y) in data.iter().zip(&back) {
            assert!(
                (f64::from(x) - f64::from(y)).abs() <= bound,
                "{name}: {x} -> {y}"
            );
        }
    }
}

/// lhotse's setting: 80-bin fbank, 500-frame chunks, tick_power −5: every value within 2^-6.
#[test]
fn lilcom_on_fbank_in_lhotse_chunks() {
    let (shape, data) = read_npy::<f32>("speech_librivox_fbank80");
    let codecs = json!([{"name": "ndcodecs.lilcom", "configuration": {"tick_power": -5}}]);
    let dir = tempfile::tempdir().unwrap();
    let (back, _) = write_reopen_read(
        dir.path(),
        metadata_v3(&shape, &[500, 80], "float32", json!(0.0), codecs),
        &data,
    );
    for (&x, &y) in data.iter().zip(&back) {
        assert!(
            (f64::from(x) - f64::from(y)).abs() <= 2f64.powi(-6),
            "{x} -> {y}"
        );
    }
}

/// `interp_quantize → bytes → zstd` on every real float array, chunks of at most 100 per axis (so
/// that every array has edge chunks), at 1e-3 × the value range: every value within the bound,
/// the fill values over land bit-exact; an interior subset of a chunk reads back the same values
/// (the partial decoder decodes the whole chunk); the size within 5 % of the `linear_quantize →
/// spatial_delta` chain's with zstd or below (it is below on every array when written).
#[test]
fn interp_quantize_chain_with_edge_chunks_on_real_float_arrays() {
    for name in FLOAT_ARRAYS {
        let (shape, data) = read_npy::<f32>(name);
        let valid: Vec<f32> = data.iter().copied().filter(|&v| v != OCEAN_FILL).collect();
        let (lo, hi) = valid
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let bound = 1e-3 * f64::from(hi - lo);
        let chunks: Vec<u64> = shape.iter().map(|&s| s.min(100)).collect();
        assert!(
            shape.iter().zip(&chunks).any(|(s, c)| s % c != 0),
            "{name}: no edge chunk"
        );
        let zstd = json!({"name": "zstd", "configuration": {"level": 5, "checksum": false}});
        let bytes = json!({"name": "bytes", "configuration": {"endian": "little"}});
        let codecs = json!([
            {"name": "ndcodecs.interp_quantize", "configuration": {
                "max_abs_error": bound, "fill_value": f64::from(OCEAN_FILL), "dtype": "float32"}},
            bytes, zstd
        ]);
        let dir = tempfile::tempdir().unwrap();
        let md = metadata_v3(&shape, &chunks, "float32", json!(OCEAN_FILL), codecs);
        let (back, size) = write_reopen_read(dir.path(), md, &data);
        for (i, (&x, &y)) in data.iter().zip(&back).enumerate() {
            if x == OCEAN_FILL {
                assert_eq!(x.to_bits(), y.to_bits(), "{name}[{i}] fill value");
            } else {
                assert!(
                    (f64::from(x) - f64::from(y)).abs() <= bound,
                    "{name}[{i}]: {x} -> {y}, bound {bound}"
                );
            }
        }
        // An interior subset of the first chunk.
        let reopened =
            Array::open(Arc::new(FilesystemStore::new(dir.path()).unwrap()), "/a").unwrap();
        let ranges: Vec<std::ops::Range<u64>> =
            chunks.iter().map(|&c| (c / 3)..(c / 3 + c / 2)).collect();
        let part = reopened
            .retrieve_array_subset::<Vec<f32>>(&zarrs::array::ArraySubset::new_with_ranges(&ranges))
            .unwrap();
        let sub = zarrs::array::ArraySubset::new_with_ranges(&ranges);
        let strides: Vec<u64> = (0..shape.len())
            .map(|k| shape[k + 1..].iter().product())
            .collect();
        for (j, idx) in sub.indices().iter().enumerate() {
            let flat: u64 = idx.iter().zip(&strides).map(|(i, s)| i * s).sum();
            let flat = usize::try_from(flat).unwrap();
            assert_eq!(
                part[j].to_bits(),
                back[flat].to_bits(),
                "{name} subset {idx:?}"
            );
        }
        let lq = json!([
            {"name": "ndcodecs.linear_quantize", "configuration": {
                "max_abs_error": bound, "offset": f64::from(lo), "fill_value": f64::from(OCEAN_FILL),
                "dtype": "float32", "astype": "int32"}},
            {"name": "ndcodecs.spatial_delta", "configuration": {"axis": (0..shape.len()).collect::<Vec<_>>()}},
            bytes, zstd
        ]);
        let dir = tempfile::tempdir().unwrap();
        let md = metadata_v3(&shape, &chunks, "float32", json!(OCEAN_FILL), lq);
        let (_, lq_size) = write_reopen_read(dir.path(), md, &data);
        let raw = (data.len() * 4) as f64;
        eprintln!(
            "{name}: interp_quantize ratio {:.2}, linear_quantize | spatial_delta {:.2}",
            raw / size as f64,
            raw / lq_size as f64
        );
        assert!(
            size as f64 <= 1.05 * lq_size as f64,
            "{name}: interp_quantize {size} B, linear_quantize chain {lq_size} B"
        );
    }
}

/// `interp_quantize` as a zarr v2 filter (before a zstd compressor), float64 data, NaN fill value,
/// a chunk grid with edge chunks; and a relative bound.
#[test]
fn interp_quantize_as_zarr_v2_filter_float64_and_rel_bound() {
    let (shape, data) = read_npy::<f32>("climate_ncar_temperature_3d");
    let data: Vec<f64> = data.iter().map(|&v| f64::from(v)).collect();
    let md = ArrayMetadata::try_from(
        json!({
            "zarr_format": 2, "shape": shape, "chunks": [5, 40, 50], "dtype": "<f8",
            "compressor": {"id": "zstd", "level": 3},
            "fill_value": "NaN", "order": "C",
            "filters": [{"id": "interp_quantize", "max_rel_error": 1e-4, "dtype": "float64"}]
        })
        .to_string()
        .as_str(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (back, _) = write_reopen_read(dir.path(), md, &data);
    // Each chunk's bound is 1e-4 of its own range, at most 1e-4 of the array's.
    let (lo, hi) = data
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    for (&x, &y) in data.iter().zip(&back) {
        assert!((x - y).abs() <= 1e-4 * (hi - lo));
    }
}

/// A chunk that was never written (all fill value) reads as the fill value through a partial
/// read of an edge chunk: `interp_quantize`'s partial decoder does not hand the encoded fill
/// value to its decoder.
#[test]
fn interp_quantize_missing_chunks_read_as_fill_value() {
    ndcodecs_zarrs::register();
    let codecs = json!([
        {"name": "ndcodecs.interp_quantize", "configuration": {"max_abs_error": 0.1}},
        {"name": "bytes", "configuration": {"endian": "little"}},
        {"name": "zstd", "configuration": {"level": 1, "checksum": false}}
    ]);
    let md = metadata_v3(&[30, 25], &[16, 16], "float32", json!(-5.0), codecs);
    let store = Arc::new(zarrs::storage::store::MemoryStore::new());
    let array = ndcodecs_zarrs::create_array(store, "/a", md).unwrap();
    let block: Vec<f32> = (0..16 * 16).map(|i| (i as f32 * 0.1).sin()).collect();
    array.store_chunk(&[0, 0], block.clone()).unwrap();
    let all = array
        .retrieve_array_subset::<Vec<f32>>(&array.subset_all())
        .unwrap();
    for (i, v) in all.iter().enumerate() {
        let (r, c) = (i / 25, i % 25);
        if r < 16 && c < 16 {
            assert!((v - block[r * 16 + c]).abs() <= 0.1, "({r}, {c})");
        } else {
            assert_eq!(*v, -5.0, "({r}, {c}) is in a chunk never written");
        }
    }
}
