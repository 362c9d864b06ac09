//! Python bindings of the ndcodecs codecs: the native module `ndcodecs._native`.
//!
//! Every codec of the `ndcodecs-registry` list is exported with
//! [`numcodecs_python::export_codec_class`], which builds a Python class (named from the codec id:
//! `spatial_delta` → `SpatialDelta`) that subclasses `numcodecs.abc.Codec`, takes its signature
//! and docstring from the configuration's JSON schema, releases the GIL while the Rust codec runs
//! and registers the class with numcodecs under the codec id. The Python package `ndcodecs` builds
//! its public classes from these, by kind, adding what numcodecs' conventions need beyond the Rust
//! trait (viewing untyped byte buffers with a known dtype, F-order results,
//! `ValueError`/`TypeError` instead of a plain `Exception`, pickling), and the zarr-python 3
//! wrappers.
//!
//! Beside the classes, the module hands Python the list itself ([`codecs`]) and the questions
//! the Python layers ask a codec about a configuration (given as a JSON string) before any data:
//! [`check_config`], [`max_abs_error`], [`decoded_dtype`], [`encoded_dtype`], [`encoded_shape`],
//! [`elementwise`], [`self_describing`], [`bind`]. They raise `TypeError` for an unsupported dtype and `ValueError` for anything else
//! (an invalid configuration, an axis out of range, an unknown codec id).

use ndcodecs_core::CodecError;
use ndcodecs_core::dtype::{dtype_from_name, dtype_name};
use ndcodecs_registry::CodecEntry;
use numcodecs::{AnyArrayDType, StaticCodecType};
use numcodecs_python::export_codec_class;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

/// Exports one numcodecs class per codec of the list, and checks that numcodecs-python named it
/// as the list does.
macro_rules! export_classes {
    ($($name:ident: $kind:ident, $codec:path, $v3:literal, [$($alias:literal),*];)*) => {
        fn export_classes(py: Python<'_>, module: &Bound<'_, PyModule>) -> PyResult<()> {
            $(
                let class = export_codec_class(
                    py,
                    StaticCodecType::<$codec>::of(),
                    module.as_borrowed(),
                )?;
                let class_name: String = class.getattr("__name__")?.extract()?;
                if class_name != stringify!($name) {
                    return Err(PyValueError::new_err(format!(
                        "the codec list names the class of {:?} {}, numcodecs-python {class_name}",
                        <$codec as numcodecs::StaticCodec>::CODEC_ID,
                        stringify!($name),
                    )));
                }
            )*
            Ok(())
        }
    };
}
ndcodecs_registry::for_each_codec!(export_classes);

/// A Python exception for an ndcodecs error: `TypeError` for an unsupported dtype, else
/// `ValueError`, with the Rust message.
fn py_error(e: &CodecError) -> PyErr {
    match e {
        CodecError::UnsupportedDtype { .. } => PyTypeError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// The list entry of `codec_id`.
fn entry(codec_id: &str) -> PyResult<&'static CodecEntry> {
    ndcodecs_registry::find(codec_id)
        .ok_or_else(|| PyValueError::new_err(format!("{codec_id:?} is not an ndcodecs codec id")))
}

/// A JSON configuration string as a JSON value.
fn json(codec_id: &str, config: &str) -> PyResult<Value> {
    serde_json::from_str(config).map_err(|e| {
        PyValueError::new_err(format!("{codec_id}: the configuration is not JSON: {e}"))
    })
}

/// The numcodecs dtype of a numpy dtype name.
fn dtype(codec_id: &str, name: &str) -> PyResult<AnyArrayDType> {
    dtype_from_name(name).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{codec_id}: unsupported dtype {name}: ndcodecs codecs take the numeric dtypes \
             int8..int64, uint8..uint64, float32 and float64"
        ))
    })
}

/// The list of codecs: one dict per codec with `name` (the class name), `codec_id`,
/// `zarr_v2_id`, `zarr_v3_name`, `zarr_v3_aliases`, `kind` (`"array_to_array"`,
/// `"array_to_bytes"` or `"bytes_to_bytes"`), `example_config` (a JSON string), `dtype_field`
/// (or `None`) and `replaces_numcodecs`.
///
/// # Errors
///
/// Only if Python cannot build the dicts.
#[pyfunction]
fn codecs(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for c in ndcodecs_registry::CODECS {
        let d = PyDict::new(py);
        d.set_item("name", c.name)?;
        d.set_item("codec_id", c.codec_id)?;
        d.set_item("zarr_v2_id", c.zarr_v2_id)?;
        d.set_item("zarr_v3_name", c.zarr_v3_name)?;
        d.set_item("zarr_v3_aliases", c.zarr_v3_aliases.to_vec())?;
        d.set_item("kind", c.kind.name())?;
        d.set_item("example_config", c.example_config)?;
        d.set_item("dtype_field", c.dtype_field)?;
        d.set_item("replaces_numcodecs", c.replaces_numcodecs())?;
        list.append(d)?;
    }
    Ok(list)
}

/// Checks the configuration (JSON) of codec `codec_id`.
///
/// # Errors
///
/// `ValueError` for an invalid configuration or an unknown codec id.
#[pyfunction]
fn check_config(codec_id: &str, config: &str) -> PyResult<()> {
    entry(codec_id)?
        .validate(&json(codec_id, config)?)
        .map_err(|e| py_error(&e))
}

/// The largest absolute error the configuration guarantees, in the data's units, or `None`
/// (lossless, or no absolute bound).
///
/// # Errors
///
/// As [`check_config`].
#[pyfunction]
fn max_abs_error(codec_id: &str, config: &str) -> PyResult<Option<f64>> {
    entry(codec_id)?
        .max_abs_error(&json(codec_id, config)?)
        .map_err(|e| py_error(&e))
}

/// The decoded dtype the configuration fixes (a numpy dtype name), or `None`.
///
/// # Errors
///
/// As [`check_config`].
#[pyfunction]
fn decoded_dtype(codec_id: &str, config: &str) -> PyResult<Option<&'static str>> {
    let dtype = entry(codec_id)?
        .decoded_dtype(&json(codec_id, config)?)
        .map_err(|e| py_error(&e))?;
    Ok(dtype.map(dtype_name))
}

/// The encoded dtype (a numpy dtype name) of an array → array codec for decoded chunks of
/// `dtype`.
///
/// # Errors
///
/// `TypeError` if the codec does not take `dtype`; `ValueError` for an invalid configuration or
/// a codec of another kind.
#[pyfunction]
fn encoded_dtype(codec_id: &str, config: &str, dtype: &str) -> PyResult<&'static str> {
    let decoded = self::dtype(codec_id, dtype)?;
    let encoded = entry(codec_id)?
        .encoded_dtype(&json(codec_id, config)?, decoded)
        .map_err(|e| py_error(&e))?;
    Ok(dtype_name(encoded))
}

/// The encoded shape of an array → array codec for a decoded chunk of `shape` (the rank and axis
/// checks, without a dtype).
///
/// # Errors
///
/// `ValueError` if the codec does not take `shape`, for an invalid configuration, or a codec of
/// another kind.
#[pyfunction]
fn encoded_shape(codec_id: &str, config: &str, shape: Vec<usize>) -> PyResult<Vec<usize>> {
    entry(codec_id)?
        .encoded_shape(&json(codec_id, config)?, &shape)
        .map_err(|e| py_error(&e))
}

/// Whether an array → array codec works element by element (a flat buffer of encoded elements
/// then decodes without the chunk's shape).
///
/// # Errors
///
/// `ValueError` for an invalid configuration or a codec of another kind.
#[pyfunction]
fn elementwise(codec_id: &str, config: &str) -> PyResult<bool> {
    entry(codec_id)?
        .elementwise(&json(codec_id, config)?)
        .map_err(|e| py_error(&e))
}

/// Whether the encoded array of an array → array codec records the decoded shape (a flat buffer
/// of encoded elements then decodes alone, although its shape differs from the decoded one).
///
/// # Errors
///
/// `ValueError` for an invalid configuration or a codec of another kind.
#[pyfunction]
fn self_describing(codec_id: &str, config: &str) -> PyResult<bool> {
    entry(codec_id)?
        .self_describing(&json(codec_id, config)?)
        .map_err(|e| py_error(&e))
}

/// The configuration (a JSON string, with `id`) of an array → bytes codec as it applies to
/// chunks of `dtype` and `shape` (`lilcom`: its `dtype` set to the chunks').
///
/// # Errors
///
/// `TypeError` if the codec does not take `dtype`; `ValueError` for an invalid configuration,
/// or a codec of another kind.
#[pyfunction]
fn bind(codec_id: &str, config: &str, dtype: &str, shape: Vec<usize>) -> PyResult<String> {
    let entry = entry(codec_id)?;
    let dtype = self::dtype(codec_id, dtype)?;
    let bound = entry
        .bind(&json(codec_id, config)?, dtype, &shape)
        .map_err(|e| py_error(&e))?;
    Ok(bound.to_string())
}

/// The native module: one numcodecs codec class per ndcodecs codec, and the codec list.
///
/// # Errors
///
/// Fails if numcodecs cannot be imported or a class cannot be created or registered.
#[pymodule]
fn _native(py: Python<'_>, module: &Bound<'_, PyModule>) -> PyResult<()> {
    export_classes(py, module)?;
    module.add_function(wrap_pyfunction!(codecs, module)?)?;
    module.add_function(wrap_pyfunction!(check_config, module)?)?;
    module.add_function(wrap_pyfunction!(max_abs_error, module)?)?;
    module.add_function(wrap_pyfunction!(decoded_dtype, module)?)?;
    module.add_function(wrap_pyfunction!(encoded_dtype, module)?)?;
    module.add_function(wrap_pyfunction!(encoded_shape, module)?)?;
    module.add_function(wrap_pyfunction!(elementwise, module)?)?;
    module.add_function(wrap_pyfunction!(self_describing, module)?)?;
    module.add_function(wrap_pyfunction!(bind, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
