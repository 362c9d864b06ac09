//! Registers every ndcodecs codec with [zarrs](https://zarrs.dev) 0.23.
//!
//! Linking this crate is enough: each codec of the `ndcodecs-registry` list is submitted to
//! zarrs' plugin registry (the `inventory` mechanism zarrs uses for its own codecs), under its
//! zarr v3 name, its v3 aliases and its zarr v2 id, so that an array whose metadata names it
//! opens with no further setup, also after the store is re-opened from disk. Call [`register`]
//! once at start-up to make sure the linker keeps the crate.
//!
//! | codec | kind | zarr v3 name | zarr v2 id |
//! |---|---|---|---|
//! | `spatial_delta` | array → array | `ndcodecs.spatial_delta` | `spatial_delta` |
//! | `linear_quantize` | array → array | `ndcodecs.linear_quantize` | `linear_quantize` |
//! | `lilcom` | array → bytes | `ndcodecs.lilcom` | `lilcom` |
//! | `crc32` | bytes → bytes | `numcodecs.crc32` | `crc32` |
//!
//! There is no code per codec here: one generic adapter per kind ([`ArrayToArrayAdapter`],
//! [`ArrayToBytesAdapter`], [`BytesToBytesAdapter`]) turns zarrs' calls (raw native-endian
//! bytes, chunk shape, data type) into calls of the codec's kind trait from
//! `ndcodecs_core::pipeline`, and the `ndcodecs_registry::for_each_codec!` list expands into one
//! registered type per codec (`SpatialDeltaZarrCodec`, …), registered under the list's v3 name
//! and aliases and the codec id as v2 id.
//!
//! # Adding a codec
//!
//! Nothing in this crate changes. The codec's author:
//!
//! 1. implements, in the codec's own crate (no zarrs dependency), `ndcodecs_core::PipelineCodec`
//!    and the trait of its kind: `ArrayToArrayCodec` (what zarrs asks of a filter when the array
//!    is created: the encoded data type and shape, which must be known before any data; the
//!    dtypes, ranks and axes it takes; the encoded fill value), `ArrayToBytesCodec` (`bind` to
//!    the chunks' data type and shape, checked when the array is created; a size bound for
//!    `BytesRepresentation`) or `BytesToBytesCodec` (a size bound; decoding without checksum
//!    verification when zarrs' `validate_checksums` is off);
//! 2. adds the crate to the workspace and to `ndcodecs-registry`'s dependencies, and its line to
//!    `ndcodecs_registry::for_each_codec!`
//!    (`Name: kind, $crate::ndcodecs_<codec>::<Type>, "ndcodecs.<codec>", [aliases];`);
//! 3. runs `cargo test -p ndcodecs-zarrs --test registry`: it fails unless zarrs resolves the v3
//!    name, every alias and the v2 id as a codec of the listed kind and an array with edge chunks
//!    round-trips within the codec's `max_abs_error`.
//!
//! The Python side (entry points in `pyproject.toml`) is in the repository's README, "Adding a
//! codec".
//!
//! zarrs' own codecs (`bytes`, `zstd`, `blosc`, `sharding_indexed`, …) chain before and after
//! these; chunks are encoded and decoded concurrently wherever zarrs does so.
//!
//! ```
//! use std::sync::Arc;
//! use zarrs::array::{Array, ArrayMetadata};
//! use zarrs::storage::store::MemoryStore;
//!
//! ndcodecs_zarrs::register();
//! let metadata = ArrayMetadata::try_from(r#"{
//!     "zarr_format": 3, "node_type": "array", "shape": [64, 48], "data_type": "int32",
//!     "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [32, 16]}},
//!     "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
//!     "fill_value": 0,
//!     "codecs": [
//!         {"name": "ndcodecs.spatial_delta", "configuration": {"axis": [0, 1]}},
//!         {"name": "bytes", "configuration": {"endian": "little"}},
//!         {"name": "zstd", "configuration": {"level": 5, "checksum": false}},
//!         {"name": "numcodecs.crc32", "configuration": {"location": "start"}}
//!     ]
//! }"#)?;
//! let array = Array::new_with_metadata(Arc::new(MemoryStore::new()), "/a", metadata)?;
//! let data: Vec<i32> = (0..64 * 48).map(|i| (i % 48) * 3 + (i / 48) * 7).collect();
//! array.store_array_subset(&array.subset_all(), data.clone())?;
//! assert_eq!(array.retrieve_array_subset::<Vec<i32>>(&array.subset_all())?, data);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod adapter;

use std::sync::Arc;

use zarrs::array::{Array, ArrayCreateError, ArrayMetadata};
use zarrs_plugin::PluginCreateError;

pub use adapter::{
    ArrayToArrayAdapter, ArrayToBytesAdapter, BytesToBytesAdapter, any_dtype, zarr_data_type,
};
pub use ndcodecs_registry::{CODECS, CodecEntry};

ndcodecs_registry::for_each_codec!(register_codec);
use adapter::register_codec;

/// Checks, for the array's chunk shape, data type and fill value, that every codec in its chain
/// accepts them: an axis out of range for `spatial_delta`, a float array under `spatial_delta`, a
/// data type that does not match `linear_quantize`'s configuration, … are reported here rather
/// than halfway through the first chunk.
///
/// zarrs 0.23 builds an array's codec chain without looking at the array's shape or data type,
/// so [`create_array`] and [`open_array`] call this after zarrs has created the array.
///
/// # Errors
///
/// [`ArrayCreateError::CodecsCreateError`] with the first codec's message.
pub fn validate_array<T: ?Sized>(array: &Array<T>) -> Result<(), ArrayCreateError> {
    let fail = |msg: String| ArrayCreateError::CodecsCreateError(PluginCreateError::Other(msg));
    let origin = vec![0u64; array.dimensionality()];
    let chunk_shape = array
        .chunk_shape(&origin)
        .map_err(|e| fail(e.to_string()))?;
    zarrs_codec::ArrayToBytesCodecTraits::encoded_representation(
        array.codecs().as_ref(),
        &chunk_shape,
        array.data_type(),
        array.fill_value(),
    )
    .map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// [`Array::new_with_metadata`] followed by [`validate_array`].
///
/// # Errors
///
/// As [`Array::new_with_metadata`] and [`validate_array`].
pub fn create_array<T: ?Sized>(
    storage: Arc<T>,
    path: &str,
    metadata: ArrayMetadata,
) -> Result<Array<T>, ArrayCreateError> {
    register();
    let array = Array::new_with_metadata(storage, path, metadata)?;
    validate_array(&array)?;
    Ok(array)
}

/// [`Array::open`] followed by [`validate_array`].
///
/// # Errors
///
/// As [`Array::open`] and [`validate_array`].
pub fn open_array<T: ?Sized + zarrs::storage::ReadableStorageTraits + 'static>(
    storage: Arc<T>,
    path: &str,
) -> Result<Array<T>, ArrayCreateError> {
    register();
    let array = Array::open(storage, path)?;
    validate_array(&array)?;
    Ok(array)
}

/// Makes sure the linker keeps this crate, so that its codecs are in zarrs' registry. Idempotent
/// and cheap; call it once before opening arrays that use ndcodecs codecs.
pub fn register() {
    // The codecs are registered at link time through `inventory`; naming the types here keeps the
    // crate (and so its registrations) in the final binary.
    keep_registrations();
}

/// The Rust examples of the repository's README.md, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
