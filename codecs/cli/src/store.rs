//! Writing arrays into zarr v3 stores and reading them back, through zarrs.
//!
//! Arrays are written and read in slabs along the first axis, each a whole number of chunk rows, so
//! that a progress bar can follow and every chunk is encoded exactly once; zarrs encodes the chunks
//! of a slab in parallel.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use indicatif::ProgressBar;
use serde_json::json;
use zarrs::array::{Array, ArrayMetadata, ArraySubset, FromArrayBytes};
use zarrs::group::{Group, GroupBuilder};
use zarrs::metadata::v3::ArrayMetadataV3;
use zarrs::storage::{ListableStorageTraits, ReadableStorageTraits, ReadableWritableStorageTraits};

use crate::fill::Fill;
use crate::npy::with_samples;
use crate::npy::{NdArray, Samples};
use crate::spec::Chain;

/// Size a default chunk aims at: 4 MiB, inside the 1–8 MiB that zarr-python's and dask's
/// guidance suggests (big enough that per-chunk overheads vanish, small enough to read a part of
/// an array cheaply and to encode chunks in parallel).
pub const TARGET_CHUNK_BYTES: u64 = 4 << 20;

/// Arrays up to this size are one chunk, and the last axis stays whole up to this size: 8 MiB.
pub const MAX_CHUNK_BYTES: u64 = 8 << 20;

/// Default chunk shape of an array of `shape` with elements of `element_size` bytes: the whole
/// array up to [`MAX_CHUNK_BYTES`]; otherwise the last (contiguous) axis whole — unless one row
/// along it alone exceeds [`MAX_CHUNK_BYTES`] — and, walking towards the first axis, each axis
/// whole while the chunk stays within [`TARGET_CHUNK_BYTES`]; the first axis that does not fit is
/// split into equal parts that do (chunks of about 2–4 MiB), the axes before it into 1s.
#[must_use]
pub fn default_chunks(shape: &[u64], element_size: u64) -> Vec<u64> {
    let mut chunks: Vec<u64> = shape.iter().map(|&n| n.max(1)).collect();
    let size = element_size.max(1);
    let total = chunks.iter().fold(size, |acc, &n| acc.saturating_mul(n));
    if total <= MAX_CHUNK_BYTES {
        return chunks;
    }
    let mut bytes = size;
    for axis in (0..chunks.len()).rev() {
        let len = chunks[axis];
        let limit = if axis + 1 == chunks.len() {
            MAX_CHUNK_BYTES
        } else {
            TARGET_CHUNK_BYTES
        };
        if bytes.saturating_mul(len) <= limit {
            bytes *= len;
            continue;
        }
        // `bytes` is within the target here: split this axis into equal parts that fit it.
        let per_chunk = (TARGET_CHUNK_BYTES / bytes).max(1);
        let parts = len.div_ceil(per_chunk);
        chunks[axis] = len.div_ceil(parts);
        for c in &mut chunks[..axis] {
            *c = 1;
        }
        break;
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

/// How an array is laid out in its store, beyond its data and codecs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// The array's name inside a root group (`--name`); `None`: the array is the root node.
    pub name: Option<String>,
    /// Axis names written as `dimension_names` (`--dims`).
    pub dims: Option<Vec<String>>,
    /// The array's fill value (`--fill-value`), also written as the CF `_FillValue` attribute
    /// that xarray reads; default 0 and no attribute.
    pub fill: Option<Fill>,
}

impl Layout {
    /// The node path of the array: `/` or `/<name>`.
    #[must_use]
    pub fn path(&self) -> String {
        self.name
            .as_ref()
            .map_or_else(|| "/".to_string(), |n| format!("/{n}"))
    }

    /// Checks the name and the dimension names against the array's rank.
    ///
    /// # Errors
    /// For a name that is not a single zarr node name, or a number of dimension names other than
    /// the rank.
    pub fn check(&self, rank: usize) -> Result<()> {
        if let Some(name) = &self.name
            && (name.is_empty()
                || name.contains('/')
                || name.starts_with("__")
                || name == "."
                || name == "..")
        {
            bail!(
                "--name `{name}` is not a zarr node name (non-empty, no `/`, not `.` or `..`, \
                     not starting with `__`)"
            );
        }
        if let Some(dims) = &self.dims
            && dims.len() != rank
        {
            bail!("--dims names {} axes but the array has {rank}", dims.len());
        }
        Ok(())
    }
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
    layout: &Layout,
) -> Result<ArrayMetadataV3> {
    let fill = match layout.fill {
        Some(f) => f.to_json(),
        None if dtype.starts_with("float") => json!(0.0),
        None => json!(0),
    };
    let mut value = json!({
        "zarr_format": 3,
        "node_type": "array",
        "shape": shape,
        "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": fill,
        "codecs": chain.to_json(),
    });
    if let Some(dims) = &layout.dims {
        value["dimension_names"] = json!(dims);
    }
    if let Some(f) = layout.fill {
        value["attributes"] = json!({"_FillValue": f.xarray_attribute()});
    }
    serde_json::from_value(value).context("invalid array metadata")
}

/// Creates (without writing anything) a zarr array for `data` in `storage` at the root, or at
/// `/<name>` under a root group that this writes.
///
/// # Errors
/// When the array is 0-d, the layout does not fit it, or zarrs rejects the chain for this data
/// type or shape.
pub fn create<S: ?Sized + ReadableWritableStorageTraits + 'static>(
    storage: Arc<S>,
    data: &NdArray,
    chunks: &[u64],
    chain: &Chain,
    layout: &Layout,
) -> Result<Array<S>> {
    if data.shape.is_empty() {
        bail!("0-d arrays are not supported");
    }
    layout.check(data.shape.len())?;
    let md = metadata(
        &data.shape,
        chunks,
        data.samples.dtype_name(),
        chain,
        layout,
    )?;
    if layout.name.is_some() {
        GroupBuilder::new()
            .build(storage.clone(), "/")
            .context("cannot create the root group")?
            .store_metadata()
            .context("cannot store the root group's metadata")?;
    }
    let array = Array::new_with_metadata(storage, &layout.path(), ArrayMetadata::V3(md))
        .with_context(|| {
            format!(
                "chain `{}` cannot store a {} array",
                chain.spec,
                data.samples.dtype_name()
            )
        })?;
    // zarrs builds the codec chain without the array's shape and data type: check them now, not
    // halfway through the first chunk.
    ndcodecs_zarrs::validate_array(&array).with_context(|| {
        format!(
            "chain `{}` cannot store a {} array of chunks {chunks:?}",
            chain.spec,
            data.samples.dtype_name()
        )
    })?;
    Ok(array)
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

/// Opens a zarr array of `storage`: the node `/<name>` when `name` is given, else the root when
/// it is an array, else the one array of the root group.
///
/// # Errors
/// When there is no such array, the root group holds none or several (and no `name` chooses),
/// or the array's metadata is invalid.
pub fn open<S: ?Sized + ReadableStorageTraits + ListableStorageTraits + 'static>(
    storage: Arc<S>,
    name: Option<&str>,
) -> Result<Array<S>> {
    let array = if let Some(name) = name {
        Array::open(storage, &format!("/{}", name.trim_start_matches('/')))
            .with_context(|| format!("cannot open the zarr array `{name}`"))?
    } else {
        match Array::open(storage.clone(), "/") {
            Ok(array) => array,
            Err(e) => {
                let Ok(group) = Group::open(storage.clone(), "/") else {
                    return Err(e).context("cannot open the zarr array");
                };
                let paths = group
                    .child_array_paths()
                    .context("cannot list the arrays of the root group")?;
                match paths.as_slice() {
                    [one] => Array::open(storage, one.as_str())
                        .with_context(|| format!("cannot open the zarr array {}", one.as_str()))?,
                    [] => bail!("the store's root group holds no array"),
                    many => bail!(
                        "the store's root group holds {} arrays ({}): choose one with --name",
                        many.len(),
                        many.iter()
                            .map(|p| p.as_str().trim_start_matches('/'))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
        }
    };
    Ok(array)
}

/// Checks that the codecs of an opened array fit its data type and chunk shape (call it after
/// [`plan_read`] has checked the sizes the metadata declares).
///
/// # Errors
/// Naming the first codec that does not fit.
pub fn validate<S: ?Sized>(array: &Array<S>) -> Result<()> {
    ndcodecs_zarrs::validate_array(array).context("the array's codecs do not fit it")
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

/// How an array is read: its shape, data type and size, checked against a memory limit before
/// anything is allocated, and the rows of the first axis decoded at once (a slab of whole chunk
/// rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPlan {
    /// The array's shape.
    pub shape: Vec<u64>,
    /// The v3 data type name.
    pub dtype: String,
    /// Size of the decoded array in bytes.
    pub bytes: u64,
    /// Rows of the first axis per slab.
    pub slab_rows: u64,
}

/// `n` bytes in the largest binary unit that keeps it above 1 (`4.0 GiB`).
#[must_use]
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    #[allow(clippy::cast_precision_loss)]
    let mut x = n as f64;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

/// Parses a size such as `4GiB`, `512 MiB`, `1.5GB` or `1000000` (bytes).
///
/// # Errors
/// When the text is not a non-negative number with an optional unit (B, kB, MB, GB, TB,
/// KiB, MiB, GiB, TiB, k, M, G, T: the one-letter forms are binary).
pub fn parse_bytes(text: &str) -> Result<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = (&t[..split], t[split..].trim());
    let x: f64 = number
        .parse()
        .with_context(|| format!("`{text}` is not a size (e.g. 4GiB, 512MiB, 1000000)"))?;
    let scale: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => bail!("`{text}`: unknown unit `{unit}` (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)"),
    };
    let bytes = x * scale;
    #[allow(clippy::cast_precision_loss)]
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        bail!("`{text}` is too large");
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(bytes as u64)
}

/// The product of `dims` times `size`, or an error naming `what` when it overflows 64 bits.
fn checked_bytes(dims: &[u64], size: u64, what: &str) -> Result<u64> {
    dims.iter()
        .try_fold(size, |acc, &n| acc.checked_mul(n))
        .with_context(|| {
            format!("{what} {dims:?} of {size}-byte elements holds more than 2^64 bytes")
        })
}

/// Checks the array's declared shape, chunk shape and data type against `memory_limit` (bytes
/// held at once) and this machine's address space, with checked arithmetic, before anything is
/// allocated; and chooses the slab of rows to decode at once: whole chunk rows, at most about 64
/// slabs, each within the limit.
///
/// # Errors
/// For a 0-d array, an unsupported data type, a size that overflows, a chunk row larger than the
/// limit, or an array larger than the address space.
pub fn plan_read<S: ?Sized>(array: &Array<S>, memory_limit: u64) -> Result<ReadPlan> {
    let shape = array.shape().to_vec();
    if shape.is_empty() {
        bail!("0-d arrays are not supported");
    }
    let dtype = dtype_name(array)?;
    let size = ndcodecs_core::with_element_type!(dtype.as_str(), T => std::mem::size_of::<T>() as u64,
        _ => bail!("unsupported data type `{dtype}`: integers, float32 and float64 are"));
    let bytes = checked_bytes(&shape, size, "the array's shape")?;
    if usize::try_from(bytes).is_err() {
        bail!(
            "the array ({} bytes) does not fit this machine's address space",
            bytes
        );
    }
    let chunks = array_chunks(array);
    // A chunk row: the chunk's extent along the first axis (at most the array's), whole along
    // the others.
    let chunk_rows = chunks[0].min(shape[0]).max(1);
    let mut row_shape = shape.clone();
    row_shape[0] = chunk_rows;
    let chunk_row_bytes = checked_bytes(&row_shape, size, "one row of chunks, of shape")?;
    let chunk_bytes = checked_bytes(&chunks, size, "one chunk, of shape")?;
    if chunk_row_bytes > memory_limit || chunk_bytes > memory_limit {
        bail!(
            "decoding this array needs {} ({} bytes) at once (a row of chunks of shape {chunks:?} \
             across the array's shape {shape:?}, {dtype}), more than the memory limit {} \
             (raise it with --memory-limit if this machine has the memory)",
            human_bytes(chunk_row_bytes.max(chunk_bytes)),
            chunk_row_bytes.max(chunk_bytes),
            human_bytes(memory_limit)
        );
    }
    let rows_of_chunks = shape[0].div_ceil(chunk_rows);
    let per_slab = rows_of_chunks
        .div_ceil(64)
        .min((memory_limit / chunk_row_bytes.max(1)).max(1));
    Ok(ReadPlan {
        shape,
        dtype,
        bytes,
        slab_rows: chunk_rows * per_slab,
    })
}

/// Decodes `array` slab by slab as `plan` says, handing each slab's elements (C order) to `sink`
/// and advancing `progress` by rows; at most one slab is held at once.
///
/// # Errors
/// When decoding fails or `sink` fails.
pub fn read_slabs<S, T>(
    array: &Array<S>,
    plan: &ReadPlan,
    progress: Option<&ProgressBar>,
    mut sink: impl FnMut(Vec<T>) -> Result<()>,
) -> Result<()>
where
    S: ?Sized + ReadableStorageTraits + 'static,
    Vec<T>: FromArrayBytes,
{
    let shape = &plan.shape;
    let mut start = 0;
    while start < shape[0] {
        let end = start.saturating_add(plan.slab_rows).min(shape[0]);
        let subset = slab(shape, start..end);
        let part: Vec<T> = array
            .retrieve_array_subset(&subset)
            .with_context(|| format!("cannot decode rows {start}..{end}"))?;
        sink(part)?;
        if let Some(p) = progress {
            p.inc(end - start);
        }
        start = end;
    }
    Ok(())
}

/// Decodes the whole of `array` into memory (for arrays the program wrote itself, as `report`
/// does), advancing `progress` by rows.
///
/// # Errors
/// As [`plan_read`] (without a memory limit) and [`read_slabs`].
pub fn read<S: ?Sized + ReadableStorageTraits + 'static>(
    array: &Array<S>,
    progress: Option<&ProgressBar>,
) -> Result<NdArray> {
    let plan = plan_read(array, u64::MAX)?;
    let samples = ndcodecs_core::with_element_type!(plan.dtype.as_str(), T => {
        let mut out: Vec<T> = Vec::new();
        out.try_reserve_exact(usize::try_from(plan.bytes)? / std::mem::size_of::<T>())
            .with_context(|| format!("cannot allocate {} for the array", human_bytes(plan.bytes)))?;
        read_slabs(array, &plan, progress, |part: Vec<T>| {
            out.extend_from_slice(&part);
            Ok(())
        })?;
        Samples::from(out)
    }, _ => unreachable!("checked by plan_read"));
    Ok(NdArray {
        shape: plan.shape,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_chunks_keep_the_last_axis_and_aim_at_a_few_mib() {
        let mib = 1 << 20;
        // Small arrays: one chunk.
        assert_eq!(default_chunks(&[10, 20], 4), vec![10, 20]);
        assert_eq!(default_chunks(&[0, 5], 4), vec![1, 5]);
        assert_eq!(default_chunks(&[1024, 2048], 4), vec![1024, 2048]);
        for (shape, size) in [
            (vec![4096, 4096], 4),
            (vec![8760, 721, 1440], 4),
            (vec![1458, 80], 4),
            (vec![240, 37, 49, 2], 8),
            (vec![100_000, 3], 2),
            (vec![3, 5000, 5000], 1),
            (vec![64, 64, 64, 64, 64], 2),
        ] {
            let c = default_chunks(&shape, size);
            let bytes = c.iter().product::<u64>() * size;
            let total = shape.iter().product::<u64>() * size;
            assert_eq!(c.last(), shape.last(), "{shape:?}: last axis split: {c:?}");
            assert!(
                bytes <= MAX_CHUNK_BYTES,
                "{shape:?}: {c:?} is {bytes} bytes"
            );
            assert!(bytes >= mib.min(total), "{shape:?}: {c:?} is {bytes} bytes");
        }
        // A row alone above 8 MiB: the last axis is split into equal parts within the target.
        let c = default_chunks(&[3_000_000], 4);
        assert_eq!(c, vec![1_000_000]);
        let c = default_chunks(&[2, 5_000_000], 8);
        assert_eq!(c, vec![1, 500_000]);
        // No overflow on absurd shapes.
        let c = default_chunks(&[u64::MAX, u64::MAX], 8);
        assert!(c.iter().product::<u64>() * 8 <= MAX_CHUNK_BYTES);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("4GiB").unwrap(), 4 << 30);
        assert_eq!(parse_bytes("512 MiB").unwrap(), 512 << 20);
        assert_eq!(parse_bytes("1.5GB").unwrap(), 1_500_000_000);
        assert_eq!(parse_bytes("1000").unwrap(), 1000);
        assert!(parse_bytes("4 parsecs").is_err());
        assert!(parse_bytes("-1").is_err());
        assert!(parse_bytes("1e30").is_err());
        assert_eq!(human_bytes(4 << 30), "4.0 GiB");
        assert_eq!(human_bytes(17), "17 B");
        assert!(checked_bytes(&[1 << 62, 1 << 62], 1, "shape").is_err());
        assert!(checked_bytes(&[u64::MAX], 4, "shape").is_err());
        assert_eq!(checked_bytes(&[3, 5], 4, "shape").unwrap(), 60);
    }

    #[test]
    fn chunks_parse() {
        assert_eq!(parse_chunks("2, 3", &[4, 4]).unwrap(), vec![2, 3]);
        assert!(parse_chunks("2", &[4, 4]).is_err());
        assert!(parse_chunks("0,1", &[4, 4]).is_err());
    }
}
