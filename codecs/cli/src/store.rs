//! Writing arrays into zarr v3 stores and reading them back, through zarrs.
//!
//! Arrays are written and read in slabs along the first axis, each a whole number of chunk rows, so
//! that a progress bar can follow and every chunk is encoded exactly once; zarrs encodes the chunks
//! of a slab in parallel.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use indicatif::ProgressBar;
use serde_json::json;
use zarrs::array::{Array, ArrayMetadata, ArraySubset};
use zarrs::metadata::v3::ArrayMetadataV3;
use zarrs::storage::{ReadableStorageTraits, ReadableWritableStorageTraits};

use crate::npy::with_samples;
use crate::npy::{NdArray, Samples};
use crate::spec::Chain;

/// Largest number of elements in a default chunk (4 MiB of float32).
pub const DEFAULT_CHUNK_ELEMENTS: u64 = 1 << 20;

/// Default chunk shape: the whole array when it has at most [`DEFAULT_CHUNK_ELEMENTS`] elements,
/// otherwise the array's shape with its largest axes halved until a chunk is small enough.
#[must_use]
pub fn default_chunks(shape: &[u64]) -> Vec<u64> {
    let mut chunks: Vec<u64> = shape.iter().map(|&n| n.max(1)).collect();
    while chunks.iter().product::<u64>() > DEFAULT_CHUNK_ELEMENTS {
        let (i, _) = chunks
            .iter()
            .enumerate()
            .max_by_key(|(_, n)| **n)
            .expect("rank >= 1");
        chunks[i] = chunks[i].div_ceil(2);
    }
    chunks
}

/// Parses a `--chunks` value such as `64,64,64`.
///
/// # Errors
/// When a part is not a positive integer or the rank differs from the array's.
pub fn parse_chunks(text: &str, shape: &[u64]) -> Result<Vec<u64>> {
    let chunks = text
        .split(',')
        .map(|p| {
            let n: u64 = p
                .trim()
                .parse()
                .with_context(|| format!("--chunks: `{p}` is not an integer"))?;
            if n == 0 {
                bail!("--chunks: chunk sizes must be positive");
            }
            Ok(n)
        })
        .collect::<Result<Vec<u64>>>()?;
    if chunks.len() != shape.len() {
        bail!(
            "--chunks has {} sizes but the array has {} axes (shape {shape:?})",
            chunks.len(),
            shape.len()
        );
    }
    Ok(chunks)
}

/// The zarr v3 metadata of an array of `shape` and `dtype` stored with `chain`.
///
/// # Errors
/// When zarrs rejects the metadata.
pub fn metadata(
    shape: &[u64],
    chunks: &[u64],
    dtype: &str,
    chain: &Chain,
) -> Result<ArrayMetadataV3> {
    let fill = if dtype.starts_with("float") {
        json!(0.0)
    } else {
        json!(0)
    };
    let value = json!({
        "zarr_format": 3,
        "node_type": "array",
        "shape": shape,
        "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": fill,
        "codecs": chain.to_json(),
    });
    serde_json::from_value(value).context("invalid array metadata")
}

/// Creates (without writing anything) a zarr array for `data` in `storage` at the root.
///
/// # Errors
/// When the array is 0-d or zarrs rejects the chain for this data type or shape.
pub fn create<S: ?Sized>(
    storage: Arc<S>,
    data: &NdArray,
    chunks: &[u64],
    chain: &Chain,
) -> Result<Array<S>> {
    if data.shape.is_empty() {
        bail!("0-d arrays are not supported");
    }
    let md = metadata(&data.shape, chunks, data.samples.dtype_name(), chain)?;
    Array::new_with_metadata(storage, "/", ArrayMetadata::V3(md)).with_context(|| {
        format!(
            "chain `{}` cannot store a {} array",
            chain.spec,
            data.samples.dtype_name()
        )
    })
}

/// Rows of the first axis per slab: whole chunk rows, at most about 64 slabs.
fn slab_rows(shape: &[u64], chunks: &[u64]) -> u64 {
    let chunk_rows = shape[0].div_ceil(chunks[0]).max(1);
    chunks[0] * chunk_rows.div_ceil(64)
}

/// Encodes `data` into `array` (metadata and chunks), advancing `progress` by rows.
///
/// # Errors
/// When encoding or storing fails.
pub fn write<S: ?Sized + ReadableWritableStorageTraits + 'static>(
    array: &Array<S>,
    data: &NdArray,
    progress: Option<&ProgressBar>,
) -> Result<()> {
    array
        .store_metadata()
        .context("cannot store the array metadata")?;
    let shape = &data.shape;
    let rows = slab_rows(shape, &array_chunks(array));
    let row_len: u64 = shape[1..].iter().product();
    let mut start = 0;
    while start < shape[0] {
        let end = (start + rows).min(shape[0]);
        let subset = slab(shape, start..end);
        let (a, b) = (
            usize::try_from(start * row_len)?,
            usize::try_from(end * row_len)?,
        );
        with_samples!(&data.samples, v: _T => array.store_array_subset(&subset, &v[a..b]))
            .with_context(|| format!("cannot encode rows {start}..{end}"))?;
        if let Some(p) = progress {
            p.inc(end - start);
        }
        start = end;
    }
    Ok(())
}

/// The subset of rows `rows` of the first axis, whole along the others.
fn slab(shape: &[u64], rows: std::ops::Range<u64>) -> ArraySubset {
    let ranges: Vec<_> = std::iter::once(rows)
        .chain(shape[1..].iter().map(|&n| 0..n))
        .collect();
    ArraySubset::new_with_ranges(&ranges)
}

fn array_chunks<S: ?Sized>(array: &Array<S>) -> Vec<u64> {
    let zeros = vec![0; array.dimensionality()];
    array
        .chunk_shape(&zeros)
        .map(|c| c.iter().map(|n| n.get()).collect())
        .unwrap_or_else(|_| array.shape().to_vec())
}

/// Opens the zarr v3 array at the root of `storage`.
///
/// # Errors
/// When there is no array or its metadata is invalid.
pub fn open<S: ?Sized + ReadableStorageTraits + 'static>(storage: Arc<S>) -> Result<Array<S>> {
    Array::open(storage, "/").context("cannot open the zarr array")
}

/// The v3 data type name of `array`.
///
/// # Errors
/// For zarr v2 arrays.
pub fn dtype_name<S: ?Sized>(array: &Array<S>) -> Result<String> {
    match array.metadata() {
        ArrayMetadata::V3(m) => Ok(m.data_type.name().to_string()),
        ArrayMetadata::V2(_) => bail!("zarr v2 arrays are not supported"),
    }
}

/// Decodes the whole of `array`, advancing `progress` by rows.
///
/// # Errors
/// When the data type is not supported or decoding fails.
pub fn read<S: ?Sized + ReadableStorageTraits + 'static>(
    array: &Array<S>,
    progress: Option<&ProgressBar>,
) -> Result<NdArray> {
    let shape = array.shape().to_vec();
    if shape.is_empty() {
        bail!("0-d arrays are not supported");
    }
    let dtype = dtype_name(array)?;
    let rows = slab_rows(&shape, &array_chunks(array));
    let samples = ndcodecs_core::with_element_type!(dtype.as_str(), T => {
        let mut out: Vec<T> = Vec::with_capacity(usize::try_from(shape.iter().product::<u64>())?);
        let mut start = 0;
        while start < shape[0] {
            let end = (start + rows).min(shape[0]);
            let subset = slab(&shape, start..end);
            let part: Vec<T> = array
                .retrieve_array_subset(&subset)
                .with_context(|| format!("cannot decode rows {start}..{end}"))?;
            out.extend_from_slice(&part);
            if let Some(p) = progress {
                p.inc(end - start);
            }
            start = end;
        }
        Samples::from(out)
    }, _ => bail!("unsupported data type `{dtype}`: integers, float32 and float64 are"));
    Ok(NdArray { shape, samples })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_chunks_cap_size() {
        assert_eq!(default_chunks(&[10, 20]), vec![10, 20]);
        let c = default_chunks(&[4096, 4096]);
        assert!(c.iter().product::<u64>() <= DEFAULT_CHUNK_ELEMENTS);
        assert_eq!(default_chunks(&[0, 5]), vec![1, 5]);
    }

    #[test]
    fn chunks_parse() {
        assert_eq!(parse_chunks("2, 3", &[4, 4]).unwrap(), vec![2, 3]);
        assert!(parse_chunks("2", &[4, 4]).is_err());
        assert!(parse_chunks("0,1", &[4, 4]).is_err());
    }
}
