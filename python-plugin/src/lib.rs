//! Python bindings of the ndcodecs codecs: the native module `ndcodecs._native`.
//!
//! Every codec of the `ndcodecs-registry` list is exported with
//! [`numcodecs_python::export_codec_class`], which builds a Python class (named from the codec id:
//! `spatial_delta` → `SpatialDelta`) that subclasses `numcodecs.abc.Codec`, takes its signature
//! and docstring from the configuration's JSON schema and registers the class with numcodecs under
//! the codec id. The Python package `ndcodecs` builds its public classes from these, by kind, and
//! the zarr-python 3 wrappers.
//!
//! Encoding and decoding do not go through numcodecs-python's generic array conversion (a
//! dtype-erased ndarray view per call; rust-numpy's view asserts at most 32 dimensions, and the
//! outputs it returns are Rust allocations): each Python codec instance holds a [`NativeCodec`],
//! the registry's codec behind the trait object of its kind, which takes 1-d `uint8` views of the
//! caller's C-contiguous arrays and of outputs the Python layer allocated with numpy (sized from
//! what the caller expects), and runs the codec with the GIL released.
//!
//! Beside the classes, the module hands Python the list itself ([`codecs`]) and the questions
//! the Python layers ask a codec about a configuration (given as a JSON string) before any data:
//! [`check_config`], [`max_abs_error`], [`decoded_dtype`], [`encoded_dtype`], [`encoded_shape`],
//! [`elementwise`], [`self_describing`], [`bind`], [`chunk_shape`]. They raise `TypeError` for an unsupported dtype,
//! `MemoryError` for memory that could not be reserved, and `ValueError` for anything else (an
//! invalid configuration, an axis out of range, an unknown codec id).
//!
//! The module also carries the `ndcodecs` command line ([`cli_main`], the Rust CLI of
//! `ndcodecs-cli` itself), which the package's `ndcodecs` console script runs: `pip install`
//! gives the command without cargo.

use ndcodecs_core::CodecError;
use ndcodecs_core::dtype::{dtype_from_name, dtype_name};
use ndcodecs_registry::{CodecEntry, DynCodec};
use numcodecs::{AnyArrayDType, StaticCodecType};
use numcodecs_python::export_codec_class;
use numpy::{PyArray1, PyReadonlyArray1, PyReadwriteArray1};
use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

/// Runs the `ndcodecs` command line with `argv` (the program name first, then the arguments, as
/// in `sys.argv`) and returns its exit status (0 success, 1 error, 2 bad usage). The GIL is
/// released while it runs; it prints on the process's standard output and error.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<std::ffi::OsString>) -> u8 {
    py.detach(|| ndcodecs_cli::main_with_args(argv))
}

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

/// A Python exception for an ndcodecs error: `TypeError` for an unsupported dtype,
/// `MemoryError` for memory that could not be reserved, else `ValueError`, with the Rust
/// message.
fn py_error(e: &CodecError) -> PyErr {
    match e {
        CodecError::UnsupportedDtype { .. } => PyTypeError::new_err(e.to_string()),
        CodecError::OutOfMemory { .. } => PyMemoryError::new_err(e.to_string()),
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

/// The configuration (a JSON string, with `id`) of an array codec as it applies to chunks of
/// `dtype` and `shape` (`lilcom`: its `dtype` set to the chunks'; `spatial_delta`: its `dtype`
/// and `chunk_shape`, what a zarr v2 filter needs).
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

/// One codec of the list, created from a configuration: the byte paths the Python classes and
/// the zarr-python wrappers run, and the questions they ask.
///
/// Arrays cross as 1-d `uint8` numpy arrays viewing the caller's C-contiguous data (input) or the
/// output the caller allocated, with the dtype name and the shape beside them: no copy, no limit
/// on the rank, and every output sized by what the caller expects. The codec runs with the GIL
/// released. Errors: `TypeError` (unsupported dtype), `MemoryError` (memory for data whose size
/// the input declares could not be reserved), `ValueError` (anything else).
#[pyclass(frozen, module = "ndcodecs._native")]
struct NativeCodec {
    codec_id: &'static str,
    codec: DynCodec,
}

/// Borrows a numpy array's data as a byte slice (it must be C-contiguous).
fn slice<'a>(
    codec_id: &str,
    what: &str,
    array: &'a PyReadonlyArray1<'_, u8>,
) -> PyResult<&'a [u8]> {
    array.as_slice().map_err(|_| {
        PyValueError::new_err(format!(
            "{codec_id}: {what} must be a contiguous byte array"
        ))
    })
}

/// Borrows a writable numpy array's data as a mutable byte slice (it must be C-contiguous).
fn slice_mut<'a>(
    codec_id: &str,
    what: &str,
    array: &'a mut PyReadwriteArray1<'_, u8>,
) -> PyResult<&'a mut [u8]> {
    array.as_slice_mut().map_err(|_| {
        PyValueError::new_err(format!(
            "{codec_id}: {what} must be a contiguous byte array"
        ))
    })
}

impl NativeCodec {
    fn wrong_kind(&self, what: &str) -> PyErr {
        PyValueError::new_err(format!("{}: not {what}", self.codec_id))
    }

    fn array_to_array(&self) -> PyResult<&dyn ndcodecs_registry::DynArrayToArray> {
        match &self.codec {
            DynCodec::ArrayToArray(c) => Ok(&**c),
            _ => Err(self.wrong_kind("an array → array codec")),
        }
    }

    fn array_to_bytes(&self) -> PyResult<&dyn ndcodecs_registry::DynArrayToBytes> {
        match &self.codec {
            DynCodec::ArrayToBytes(c) => Ok(&**c),
            _ => Err(self.wrong_kind("an array → bytes codec")),
        }
    }

    fn bytes_to_bytes(&self) -> PyResult<&dyn ndcodecs_registry::DynBytesToBytes> {
        match &self.codec {
            DynCodec::BytesToBytes(c) => Ok(&**c),
            _ => Err(self.wrong_kind("a bytes → bytes codec")),
        }
    }
}

#[pymethods]
impl NativeCodec {
    /// Creates codec `codec_id` from its configuration (a JSON string).
    ///
    /// # Errors
    ///
    /// `ValueError` for an unknown codec id or an invalid configuration (the message names the
    /// field, the value and what is accepted).
    #[new]
    fn new(codec_id: &str, config: &str) -> PyResult<Self> {
        let entry = entry(codec_id)?;
        let codec = entry
            .create(&json(codec_id, config)?)
            .map_err(|e| py_error(&e))?;
        Ok(Self {
            codec_id: entry.codec_id,
            codec,
        })
    }

    /// The codec's kind: `"array_to_array"`, `"array_to_bytes"` or `"bytes_to_bytes"`.
    #[getter]
    const fn kind(&self) -> &'static str {
        match self.codec {
            DynCodec::ArrayToArray(_) => "array_to_array",
            DynCodec::ArrayToBytes(_) => "array_to_bytes",
            DynCodec::BytesToBytes(_) => "bytes_to_bytes",
        }
    }

    /// The configuration (a JSON string, with `id` and `_version`).
    ///
    /// # Errors
    ///
    /// `ValueError` if it does not serialize (never for a listed codec).
    fn config(&self) -> PyResult<String> {
        Ok(self.codec.config().map_err(|e| py_error(&e))?.to_string())
    }

    /// The decoded dtype the configuration fixes (a numpy dtype name), or `None`.
    fn decoded_dtype(&self) -> Option<&'static str> {
        self.codec.decoded_dtype().map(dtype_name)
    }

    /// The largest absolute error the configuration guarantees, in the data's units, or `None`.
    fn max_abs_error(&self) -> Option<f64> {
        self.codec.max_abs_error()
    }

    /// The chunk shape an array → array codec's configuration fixes, or `None`.
    ///
    /// # Errors
    ///
    /// `ValueError` for a codec of another kind.
    fn chunk_shape(&self) -> PyResult<Option<Vec<usize>>> {
        Ok(self.array_to_array()?.chunk_shape())
    }

    /// Whether an array → array codec works element by element.
    ///
    /// # Errors
    ///
    /// `ValueError` for a codec of another kind.
    fn elementwise(&self) -> PyResult<bool> {
        Ok(self.array_to_array()?.elementwise())
    }

    /// Whether the encoded array of an array → array codec records the decoded shape
    /// ([`Self::stored_shape`] reads it).
    ///
    /// # Errors
    ///
    /// `ValueError` for a codec of another kind.
    fn self_describing(&self) -> PyResult<bool> {
        Ok(self.array_to_array()?.self_describing())
    }

    /// The encoded dtype of an array → array codec for decoded chunks of `dtype`.
    ///
    /// # Errors
    ///
    /// `TypeError` if the codec does not take `dtype`; `ValueError` for a codec of another kind.
    fn encoded_dtype(&self, dtype: &str) -> PyResult<&'static str> {
        let decoded = self::dtype(self.codec_id, dtype)?;
        let encoded = self
            .array_to_array()?
            .encoded_dtype(decoded)
            .map_err(|e| py_error(&e))?;
        Ok(dtype_name(encoded))
    }

    /// The encoded shape of an array → array codec for decoded chunks of `shape`.
    ///
    /// # Errors
    ///
    /// `ValueError` if the codec does not take `shape` or is of another kind.
    fn encoded_shape(&self, shape: Vec<usize>) -> PyResult<Vec<usize>> {
        self.array_to_array()?
            .encoded_shape(&shape)
            .map_err(|e| py_error(&e))
    }

    /// The encoded fill value (the raw bytes of one element) of an array → array codec for the
    /// fill value `fill` (the raw bytes of one element of `dtype`).
    ///
    /// # Errors
    ///
    /// As [`Self::encoded_dtype`], and `ValueError` if the codec cannot encode `fill`.
    fn encoded_fill_value<'py>(
        &self,
        py: Python<'py>,
        dtype: &str,
        fill: PyReadonlyArray1<'py, u8>,
    ) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let decoded = self::dtype(self.codec_id, dtype)?;
        let fill = slice(self.codec_id, "the fill value", &fill)?;
        let encoded = self
            .array_to_array()?
            .encoded_fill_value(decoded, fill)
            .map_err(|e| py_error(&e))?;
        Ok(PyArray1::from_vec(py, encoded))
    }

    /// The codec as it applies to chunks of `dtype` and `shape` (array codecs).
    ///
    /// # Errors
    ///
    /// `TypeError` or `ValueError` if the codec does not take such chunks, `ValueError` for a
    /// bytes → bytes codec.
    fn bind(&self, dtype: &str, shape: Vec<usize>) -> PyResult<Self> {
        let decoded = self::dtype(self.codec_id, dtype)?;
        let codec = match &self.codec {
            DynCodec::ArrayToArray(c) => {
                DynCodec::ArrayToArray(c.bind(decoded, &shape).map_err(|e| py_error(&e))?)
            }
            DynCodec::ArrayToBytes(c) => {
                DynCodec::ArrayToBytes(c.bind(decoded, &shape).map_err(|e| py_error(&e))?)
            }
            DynCodec::BytesToBytes(_) => return Err(self.wrong_kind("an array codec")),
        };
        Ok(Self {
            codec_id: self.codec_id,
            codec,
        })
    }

    /// The decoded shape that encoded data declare (read from their header, before anything is
    /// decoded): an encoded byte string of an array → bytes codec, or the raw bytes of the
    /// encoded array of a self-describing array → array codec; `None` if the format does not
    /// store it.
    ///
    /// # Errors
    ///
    /// `ValueError` for an unreadable header, a declared size above the decoder's limit, or a
    /// bytes → bytes codec.
    fn stored_shape(
        &self,
        py: Python<'_>,
        encoded: PyReadonlyArray1<'_, u8>,
    ) -> PyResult<Option<Vec<usize>>> {
        let encoded = slice(self.codec_id, "the encoded data", &encoded)?;
        match &self.codec {
            DynCodec::ArrayToArray(c) => py.detach(|| c.stored_shape(encoded)),
            DynCodec::ArrayToBytes(c) => py.detach(|| c.stored_shape(encoded)),
            DynCodec::BytesToBytes(_) => return Err(self.wrong_kind("an array codec")),
        }
        .map_err(|e| py_error(&e))
    }

    /// The dtype (a numpy dtype name) an encoded byte string of an array → bytes codec declares
    /// (read from its header), or `None` if the format does not store it.
    ///
    /// # Errors
    ///
    /// `ValueError` for an unreadable header or a codec of another kind.
    fn stored_dtype(&self, encoded: PyReadonlyArray1<'_, u8>) -> PyResult<Option<&'static str>> {
        let codec = self.array_to_bytes()?;
        let encoded = slice(self.codec_id, "the encoded data", &encoded)?;
        Ok(codec
            .stored_dtype(encoded)
            .map_err(|e| py_error(&e))?
            .map(dtype_name))
    }

    /// Whether the raw bytes of the encoded array of a self-describing array → array codec
    /// record a chunk given in Fortran order (numcodecs callers get it back in that order).
    ///
    /// # Errors
    ///
    /// `ValueError` for an unreadable header or a codec of another kind.
    fn stored_fortran(&self, py: Python<'_>, encoded: PyReadonlyArray1<'_, u8>) -> PyResult<bool> {
        let codec = self.array_to_array()?;
        let encoded = slice(self.codec_id, "the encoded data", &encoded)?;
        py.detach(|| codec.stored_fortran(encoded))
            .map_err(|e| py_error(&e))
    }

    /// Encodes a chunk (the raw bytes of a C-order array of `dtype` and `shape`) of an array →
    /// array codec into `out` (the raw bytes of the encoded array, allocated by the caller).
    ///
    /// # Errors
    ///
    /// `TypeError` for an unsupported dtype, `ValueError` for a size mismatch, an invalid shape,
    /// data the codec cannot encode, or a codec of another kind.
    fn encode_into(
        &self,
        py: Python<'_>,
        input: PyReadonlyArray1<'_, u8>,
        dtype: &str,
        shape: Vec<usize>,
        mut out: PyReadwriteArray1<'_, u8>,
    ) -> PyResult<()> {
        let codec = self.array_to_array()?;
        let dtype = self::dtype(self.codec_id, dtype)?;
        let input = slice(self.codec_id, "the input", &input)?;
        let out = slice_mut(self.codec_id, "out", &mut out)?;
        py.detach(|| codec.encode_into_raw(input, dtype, &shape, out))
            .map_err(|e| py_error(&e))
    }

    /// Decodes into `out` (the raw bytes of a C-order chunk of `dtype` and `shape`, allocated by
    /// the caller): the encoded array's raw bytes (array → array), one encoded byte string
    /// (array → bytes) or the encoded bytes (bytes → bytes; `dtype` and `shape` are ignored).
    /// The sizes are checked before anything is decoded.
    ///
    /// # Errors
    ///
    /// `TypeError` for an unsupported dtype; `ValueError` for a size or shape mismatch or
    /// corrupt data; `MemoryError` if a temporary cannot be allocated.
    fn decode_into(
        &self,
        py: Python<'_>,
        encoded: PyReadonlyArray1<'_, u8>,
        dtype: &str,
        shape: Vec<usize>,
        mut out: PyReadwriteArray1<'_, u8>,
    ) -> PyResult<()> {
        let encoded = slice(self.codec_id, "the encoded data", &encoded)?;
        let out = slice_mut(self.codec_id, "out", &mut out)?;
        let result = match &self.codec {
            DynCodec::BytesToBytes(c) => py.detach(|| c.decode_into_raw(encoded, out)),
            DynCodec::ArrayToArray(c) => {
                let dtype = self::dtype(self.codec_id, dtype)?;
                py.detach(|| c.decode_into_raw(encoded, dtype, &shape, out))
            }
            DynCodec::ArrayToBytes(c) => {
                let dtype = self::dtype(self.codec_id, dtype)?;
                py.detach(|| c.decode_into_raw(encoded, dtype, &shape, out))
            }
        };
        result.map_err(|e| py_error(&e))
    }

    /// Encodes into a new 1-d `uint8` array: a chunk (the raw bytes of a C-order array of
    /// `dtype` and `shape`) for an array → bytes codec, the bytes of `input` for a bytes → bytes
    /// codec (`dtype` and `shape` are ignored).
    ///
    /// # Errors
    ///
    /// `TypeError` for an unsupported dtype, `ValueError` for data the codec cannot encode or an
    /// array → array codec.
    fn encode<'py>(
        &self,
        py: Python<'py>,
        input: PyReadonlyArray1<'py, u8>,
        dtype: &str,
        shape: Vec<usize>,
    ) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let input = slice(self.codec_id, "the input", &input)?;
        let encoded = match &self.codec {
            DynCodec::BytesToBytes(c) => py.detach(|| c.encode_raw(input)),
            DynCodec::ArrayToBytes(c) => {
                let dtype = self::dtype(self.codec_id, dtype)?;
                py.detach(|| c.encode_raw(input, dtype, &shape))
            }
            DynCodec::ArrayToArray(_) => return Err(self.wrong_kind("a codec with a byte output")),
        }
        .map_err(|e| py_error(&e))?;
        Ok(PyArray1::from_vec(py, encoded))
    }

    /// The largest encoded size of `decoded` bytes of a bytes → bytes codec, if known.
    ///
    /// # Errors
    ///
    /// `ValueError` for a codec of another kind.
    fn encoded_size_bound(&self, decoded: u64) -> PyResult<Option<u64>> {
        use ndcodecs_core::EncodedSize;
        Ok(
            match self
                .bytes_to_bytes()?
                .encoded_size(EncodedSize::Fixed(decoded))
            {
                EncodedSize::Fixed(n) | EncodedSize::Bounded(n) => Some(n),
                EncodedSize::Unbounded => None,
            },
        )
    }

    /// Encodes the bytes of `input` (a bytes → bytes codec) into `out`, allocated by the caller
    /// with at least [`Self::encoded_size_bound`] bytes; returns the number of bytes written.
    ///
    /// # Errors
    ///
    /// `ValueError` if `out` is too small or the codec is of another kind.
    fn encode_bytes_into(
        &self,
        py: Python<'_>,
        input: PyReadonlyArray1<'_, u8>,
        mut out: PyReadwriteArray1<'_, u8>,
    ) -> PyResult<usize> {
        let codec = self.bytes_to_bytes()?;
        let input = slice(self.codec_id, "the input", &input)?;
        let out = slice_mut(self.codec_id, "out", &mut out)?;
        py.detach(|| codec.encode_into_raw(input, out))
            .map_err(|e| py_error(&e))
    }

    /// For a bytes → bytes codec whose decoded data are a part of the encoded data (a
    /// checksum): their byte range `(start, end)` once verified, else `None`.
    ///
    /// # Errors
    ///
    /// `ValueError` for corrupt data (a checksum mismatch) or a codec of another kind.
    fn decoded_range(
        &self,
        py: Python<'_>,
        encoded: PyReadonlyArray1<'_, u8>,
    ) -> PyResult<Option<(usize, usize)>> {
        let codec = self.bytes_to_bytes()?;
        let encoded = slice(self.codec_id, "the encoded data", &encoded)?;
        let range = py
            .detach(|| codec.decoded_range(encoded))
            .map_err(|e| py_error(&e))?;
        Ok(range.map(|r| (r.start, r.end)))
    }

    /// Decodes the bytes of a bytes → bytes codec into a new 1-d `uint8` array.
    ///
    /// # Errors
    ///
    /// `ValueError` for corrupt data (a checksum mismatch) or a codec of another kind.
    fn decode<'py>(
        &self,
        py: Python<'py>,
        encoded: PyReadonlyArray1<'py, u8>,
    ) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let codec = self.bytes_to_bytes()?;
        let encoded = slice(self.codec_id, "the encoded data", &encoded)?;
        let decoded = py
            .detach(|| codec.decode_raw(encoded))
            .map_err(|e| py_error(&e))?;
        Ok(PyArray1::from_vec(py, decoded))
    }

    /// Encodes one zarr chunk of an array → bytes codec whose padding holds the fill value `fill`
    /// (the raw bytes of one element): a new 1-d `uint8` array, stored cropped when the codec
    /// cannot hold the fill value, or `None` for a chunk that is nothing but such fill.
    ///
    /// # Errors
    ///
    /// As [`Self::encode`].
    fn encode_chunk<'py>(
        &self,
        py: Python<'py>,
        input: PyReadonlyArray1<'py, u8>,
        dtype: &str,
        shape: Vec<usize>,
        fill: PyReadonlyArray1<'py, u8>,
    ) -> PyResult<Option<Bound<'py, PyArray1<u8>>>> {
        let codec = self.array_to_bytes()?;
        let dtype = self::dtype(self.codec_id, dtype)?;
        let input = slice(self.codec_id, "the input", &input)?;
        let fill = slice(self.codec_id, "the fill value", &fill)?;
        let encoded = py
            .detach(|| codec.encode_chunk(input, dtype, &shape, fill))
            .map_err(|e| py_error(&e))?;
        Ok(encoded.map(|e| PyArray1::from_vec(py, e)))
    }

    /// Decodes one zarr chunk of an array → bytes codec into `out` (the chunk's raw bytes,
    /// allocated by the caller), putting the fill value `fill` around a chunk stored cropped.
    ///
    /// # Errors
    ///
    /// As [`Self::decode_into`].
    fn decode_chunk(
        &self,
        py: Python<'_>,
        encoded: PyReadonlyArray1<'_, u8>,
        dtype: &str,
        shape: Vec<usize>,
        fill: PyReadonlyArray1<'_, u8>,
        mut out: PyReadwriteArray1<'_, u8>,
    ) -> PyResult<()> {
        let codec = self.array_to_bytes()?;
        let dtype = self::dtype(self.codec_id, dtype)?;
        let encoded = slice(self.codec_id, "the encoded data", &encoded)?;
        let fill = slice(self.codec_id, "the fill value", &fill)?;
        let out = slice_mut(self.codec_id, "out", &mut out)?;
        py.detach(|| codec.decode_chunk(encoded, dtype, &shape, fill, out))
            .map_err(|e| py_error(&e))
    }
}

/// The chunk shape an array → array codec's configuration fixes (zarr v2), or `None`.
///
/// # Errors
///
/// `ValueError` for an invalid configuration or a codec of another kind.
#[pyfunction]
fn chunk_shape(codec_id: &str, config: &str) -> PyResult<Option<Vec<usize>>> {
    entry(codec_id)?
        .chunk_shape(&json(codec_id, config)?)
        .map_err(|e| py_error(&e))
}

/// The native module: one numcodecs codec class per ndcodecs codec, the codec list, and the
/// command line.
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
    module.add_function(wrap_pyfunction!(cli_main, module)?)?;
    module.add_function(wrap_pyfunction!(chunk_shape, module)?)?;
    module.add_class::<NativeCodec>()?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
