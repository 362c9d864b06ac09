//! `spatial_delta`: an axis-aware delta filter for n-dimensional integer arrays.
//!
//! Along each configured axis in turn, the first slice is kept and every other slice becomes its
//! difference with the previous slice (wrapping integer arithmetic, so the filter is exact for
//! every value of every integer dtype). Decoding applies cumulative sums along the same axes in
//! reverse order. Listing every axis of an array gives the n-dimensional Lorenzo predictor
//! (Ibarria et al., "Out-of-core compression and decompression of large n-dimensional scalar
//! fields", Eurographics 2003), whose residuals a following compressor (zstd, lilcom) codes well.
//!
//! Origin: the codec proposed in numcodecs issue #583, from the discussion in numcodecs #198 —
//! numcodecs' stock `Delta` flattens the chunk and so cannot exploit correlation along one chosen
//! axis.
//!
//! - numcodecs codec id: `spatial_delta`; zarr v3 name `ndcodecs.spatial_delta` (zarr v2 id
//!   `spatial_delta`).
//! - array → array: same shape (axis order as given, C order), same dtype.
//! - dtypes: `int8`..`int64`, `uint8`..`uint64`. Floats are refused: a float delta is not exactly
//!   invertible — put `linear_quantize` first.
//! - zarr v2: a filter after a compressor receives its encoded chunk as bare bytes; configured
//!   with the chunks' `dtype` and `chunk_shape` ([`ArrayToArrayCodec::bind`] sets both) the codec
//!   reads them.
//! - Specification: `specs/spatial_delta/README.md` in the repository.
//!
//! ```
//! use ndcodecs_spatial_delta::{SpatialDeltaCodec, SpatialDeltaConfig};
//! use numcodecs::{AnyArray, Codec, StaticCodec};
//!
//! let config: SpatialDeltaConfig = serde_json::from_str(r#"{"axis": [0, -1]}"#).unwrap();
//! let codec = SpatialDeltaCodec::from_config(config);
//! let data = AnyArray::I32(ndarray::ArrayD::from_shape_vec(vec![2, 3], vec![1, 2, 4, 2, 4, 8]).unwrap());
//! let encoded = codec.encode(data.cow()).unwrap();
//! assert_eq!(encoded.as_bytes(), AnyArray::I32(ndarray::ArrayD::from_shape_vec(vec![2, 3], vec![1, 1, 2, 1, 1, 2]).unwrap()).as_bytes());
//! assert_eq!(codec.decode(encoded.cow()).unwrap(), data);
//! ```

mod config;
mod kernel;

use std::borrow::Cow;

use ndcodecs_core::{
    ArrayToArrayCodec, CodecError, PipelineCodec,
    dtype::{DtypeName, Int, dtype_name},
    pipeline::{cast_elements, check_len, try_zeros, with_elements_mut},
    shape::{normalize_axis, try_vec},
};
use numcodecs::{
    AnyArray, AnyArrayDType, AnyArrayView, AnyArrayViewMut, AnyCowArray, Codec, StaticCodec,
    StaticCodecConfig,
};

pub use config::{AxisSelection, SpatialDeltaConfig, SpatialDeltaVersion};

/// numcodecs codec id.
pub const CODEC_ID: &str = "spatial_delta";

/// The `spatial_delta` codec (see the [crate] docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpatialDeltaCodec {
    axis: AxisSelection,
    dtype: Option<DtypeName>,
    chunk_shape: Option<Vec<usize>>,
}

/// The one dispatch from an integer dtype to a type parameter: evaluates `$body` with `$t` naming the element type, or
/// `$otherwise` for any other dtype.
macro_rules! with_int_type {
    ($dtype:expr, $t:ident => $body:expr, _ => $otherwise:expr) => {
        match $dtype {
            AnyArrayDType::U8 => {
                type $t = u8;
                $body
            }
            AnyArrayDType::U16 => {
                type $t = u16;
                $body
            }
            AnyArrayDType::U32 => {
                type $t = u32;
                $body
            }
            AnyArrayDType::U64 => {
                type $t = u64;
                $body
            }
            AnyArrayDType::I8 => {
                type $t = i8;
                $body
            }
            AnyArrayDType::I16 => {
                type $t = i16;
                $body
            }
            AnyArrayDType::I32 => {
                type $t = i32;
                $body
            }
            AnyArrayDType::I64 => {
                type $t = i64;
                $body
            }
            _ => $otherwise,
        }
    };
}

impl SpatialDeltaCodec {
    /// A codec that takes differences along `axis` (one axis or a list; negative counts from the
    /// end), for arrays of any integer dtype and shape.
    #[must_use]
    pub const fn new(axis: AxisSelection) -> Self {
        Self {
            axis,
            dtype: None,
            chunk_shape: None,
        }
    }

    /// The configured axes, as given.
    #[must_use]
    pub const fn axis(&self) -> &AxisSelection {
        &self.axis
    }

    /// Resolves the configured axes against an array of `ndim` dimensions.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] if the list is empty or an axis is out of range.
    pub fn resolve_axes(&self, ndim: usize) -> Result<Vec<usize>, CodecError> {
        let axes = self.axis.as_slice();
        if axes.is_empty() {
            return Err(empty_axis());
        }
        axes.iter()
            .map(|&a| normalize_axis(CODEC_ID, a, ndim))
            .collect()
    }

    /// Checks `dtype` and `shape` against the configuration (the dtype is an integer dtype, and
    /// the configured `dtype` and `chunk_shape` if any), returning the resolved axes.
    fn check_chunk(&self, dtype: AnyArrayDType, shape: &[usize]) -> Result<Vec<usize>, CodecError> {
        self.encoded_dtype(dtype)?;
        if let Some(expected) = &self.chunk_shape
            && expected != shape
        {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("an array of the configured chunk_shape {expected:?}"),
                found: format!("shape {shape:?}"),
            });
        }
        self.resolve_axes(shape.len())
    }

    /// Encodes a C-order slice of shape `shape` (outermost axis first) into a new vector.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `input.len()` is not the product of `shape`;
    /// [`CodecError::InvalidConfig`] if an axis is out of range for `shape`;
    /// [`CodecError::OutOfMemory`] if the output cannot be allocated.
    pub fn encode_slice<T: Int>(&self, input: &[T], shape: &[usize]) -> Result<Vec<T>, CodecError> {
        let mut out = try_vec(CODEC_ID, "the encoded array", input.len())?;
        self.encode_slice_into(input, &mut out, shape)?;
        Ok(out)
    }

    /// Encodes a C-order slice of shape `shape` into `out` (same length), e.g. a buffer reused
    /// from chunk to chunk.
    ///
    /// # Errors
    ///
    /// As for [`Self::encode_slice`], and [`CodecError::ShapeMismatch`] if `out` has another
    /// length.
    pub fn encode_slice_into<T: Int>(
        &self,
        input: &[T],
        out: &mut [T],
        shape: &[usize],
    ) -> Result<(), CodecError> {
        let axes = self.resolve_axes(shape.len())?;
        check_slice_len(input.len(), shape)?;
        check_slice_len(out.len(), shape)?;
        kernel::encode_into(input, out, shape, &axes);
        Ok(())
    }

    /// Decodes, in place, a C-order slice of shape `shape` that [`Self::encode_slice`] produced.
    ///
    /// # Errors
    ///
    /// As for [`Self::encode_slice`].
    pub fn decode_slice_in_place<T: Int>(
        &self,
        data: &mut [T],
        shape: &[usize],
    ) -> Result<(), CodecError> {
        let axes = self.resolve_axes(shape.len())?;
        check_slice_len(data.len(), shape)?;
        kernel::decode_in_place(data, shape, &axes);
        Ok(())
    }

    /// Decodes a C-order slice of shape `shape` into `out` (same length) in one pass over memory
    /// where the axes allow: the input is read once and the output written once.
    ///
    /// # Errors
    ///
    /// As for [`Self::encode_slice_into`].
    pub fn decode_slice_into<T: Int>(
        &self,
        input: &[T],
        out: &mut [T],
        shape: &[usize],
    ) -> Result<(), CodecError> {
        let axes = self.resolve_axes(shape.len())?;
        check_slice_len(input.len(), shape)?;
        check_slice_len(out.len(), shape)?;
        kernel::decode_into(input, out, shape, &axes);
        Ok(())
    }

    fn transform(&self, data: AnyCowArray, decode: bool) -> Result<AnyArray, CodecError> {
        let (dtype, shape) = (data.dtype(), data.shape().to_vec());
        self.check_chunk(dtype, &shape)?;
        let input = data.as_bytes();
        let mut out = try_zeros(CODEC_ID, dtype, &shape)?;
        out.with_bytes_mut(|o| {
            if decode {
                self.decode_into_raw(&input, dtype, &shape, o)
            } else {
                self.encode_into_raw(&input, dtype, &shape, o)
            }
        })?;
        Ok(out)
    }
}

fn empty_axis() -> CodecError {
    CodecError::InvalidConfig {
        codec: CODEC_ID,
        message: "axis: [] lists no axis; give an axis (an integer) or a non-empty list of axes"
            .into(),
    }
}

fn check_slice_len(len: usize, shape: &[usize]) -> Result<(), CodecError> {
    let n = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    if n == Some(len) {
        Ok(())
    } else {
        Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("the number of elements of shape {shape:?}"),
            found: format!("{len} elements"),
        })
    }
}

/// The error for a float (or otherwise unsupported) dtype.
#[must_use]
pub fn unsupported_dtype(found: &str) -> CodecError {
    CodecError::UnsupportedDtype {
        codec: CODEC_ID,
        found: found.to_string(),
        expected: "spatial_delta takes integer dtypes (int8..int64, uint8..uint64); a float delta is not exactly invertible, so put `linear_quantize` first (linear_quantize → spatial_delta)".into(),
    }
}

impl PipelineCodec for SpatialDeltaCodec {
    const EXAMPLE_CONFIG: &'static str = r#"{"axis": [0, 1]}"#;

    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an empty `axis` list, a float `dtype`, or an axis out of
    /// range for the rank of `chunk_shape`.
    fn validate(&self) -> Result<(), CodecError> {
        if self.axis.as_slice().is_empty() {
            return Err(empty_axis());
        }
        if let Some(dtype) = self.dtype
            && matches!(dtype, DtypeName::Float32 | DtypeName::Float64)
        {
            return Err(CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: format!(
                    "dtype: {:?} is not accepted: give an integer dtype (int8..int64, \
                     uint8..uint64); a float delta is not exactly invertible",
                    dtype_name(dtype.to_any())
                ),
            });
        }
        if let Some(shape) = &self.chunk_shape {
            self.resolve_axes(shape.len()).map_err(|e| match e {
                CodecError::InvalidConfig { codec, message } => CodecError::InvalidConfig {
                    codec,
                    message: format!("axis: {message} (chunk_shape {shape:?})"),
                },
                other => other,
            })?;
        }
        Ok(())
    }
}

/// Same shape and dtype out; integer dtypes only; the axes are checked against the rank.
impl ArrayToArrayCodec for SpatialDeltaCodec {
    /// The configured `dtype`, if any.
    fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        self.dtype.map(DtypeName::to_any)
    }

    /// The configured `chunk_shape`, if any.
    fn chunk_shape(&self) -> Option<Vec<usize>> {
        self.chunk_shape.clone()
    }

    /// The codec with its `dtype` and `chunk_shape` set to `dtype` and `shape`.
    ///
    /// # Errors
    ///
    /// As [`ArrayToArrayCodec::encoded_dtype`] and [`ArrayToArrayCodec::encoded_shape`].
    fn bind(&self, dtype: AnyArrayDType, shape: &[usize]) -> Result<Cow<'_, Self>, CodecError> {
        self.check_chunk(dtype, shape)?;
        let bound = Self {
            axis: self.axis.clone(),
            dtype: DtypeName::from_any(dtype),
            chunk_shape: Some(shape.to_vec()),
        };
        Ok(if bound == *self {
            Cow::Borrowed(self)
        } else {
            Cow::Owned(bound)
        })
    }

    /// The same integer dtype.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for `float32` and `float64` (see [`unsupported_dtype`])
    /// and for a dtype other than the configured `dtype`.
    fn encoded_dtype(&self, decoded: AnyArrayDType) -> Result<AnyArrayDType, CodecError> {
        if matches!(decoded, AnyArrayDType::F32 | AnyArrayDType::F64) {
            return Err(unsupported_dtype(dtype_name(decoded)));
        }
        if let Some(configured) = self.dtype
            && configured.to_any() != decoded
        {
            return Err(CodecError::UnsupportedDtype {
                codec: CODEC_ID,
                found: dtype_name(decoded).into(),
                expected: format!(
                    "the configured dtype {} (or leave `dtype` out)",
                    dtype_name(configured.to_any())
                ),
            });
        }
        Ok(decoded)
    }

    /// The same shape.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] if `axis` lists no axis or one out of range for the rank,
    /// or `shape` is not the configured `chunk_shape`.
    fn encoded_shape(&self, decoded: &[usize]) -> Result<Vec<usize>, CodecError> {
        if let Some(expected) = &self.chunk_shape
            && expected != decoded
        {
            return Err(CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: format!(
                    "chunk_shape: the configured {expected:?} is not the chunk shape {decoded:?}"
                ),
            });
        }
        self.resolve_axes(decoded.len())?;
        Ok(decoded.to_vec())
    }

    /// The fill value unchanged: a chunk full of the fill value encodes to the fill value
    /// followed by zeros, which is not one value; the fill value only matters to the codecs
    /// after this one for chunks that are never written.
    fn encoded_fill_value(
        &self,
        _decoded: AnyArrayDType,
        fill: &[u8],
    ) -> Result<Vec<u8>, CodecError> {
        Ok(fill.to_vec())
    }

    /// The kernel from the input bytes to the output bytes (no copy when both are aligned).
    ///
    /// # Errors
    ///
    /// As [`ArrayToArrayCodec::encoded_dtype`] and [`ArrayToArrayCodec::encoded_shape`], and
    /// [`CodecError::ShapeMismatch`] if `decoded` or `out` does not hold the chunk.
    fn encode_into_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        let axes = self.check_chunk(dtype, shape)?;
        check_len(CODEC_ID, "the input", decoded.len(), dtype, shape)?;
        check_len(CODEC_ID, "the output", out.len(), dtype, shape)?;
        with_int_type!(dtype, T => {
            let input = cast_elements::<T>(CODEC_ID, decoded)?;
            with_elements_mut::<T>(CODEC_ID, out, |out| {
                kernel::encode_into(&input, out, shape, &axes);
                Ok(())
            })
        }, _ => Err(unsupported_dtype(dtype_name(dtype))))
    }

    /// The kernel from the encoded bytes to the output bytes, in one pass over memory where the
    /// axes allow (no copy when both are aligned).
    ///
    /// # Errors
    ///
    /// As [`ArrayToArrayCodec::encode_into_raw`].
    fn decode_into_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        let axes = self.check_chunk(dtype, shape)?;
        check_len(CODEC_ID, "the encoded input", encoded.len(), dtype, shape)?;
        check_len(CODEC_ID, "the output", out.len(), dtype, shape)?;
        with_int_type!(dtype, T => {
            let input = cast_elements::<T>(CODEC_ID, encoded)?;
            with_elements_mut::<T>(CODEC_ID, out, |out| {
                kernel::decode_into(&input, out, shape, &axes);
                Ok(())
            })
        }, _ => Err(unsupported_dtype(dtype_name(dtype))))
    }
}

impl Codec for SpatialDeltaCodec {
    type Error = CodecError;

    /// Takes differences along the configured axes; same shape and dtype out.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for float input or a dtype other than the configured one;
    /// [`CodecError::InvalidConfig`] for an axis out of range; [`CodecError::ShapeMismatch`] for
    /// a shape other than the configured `chunk_shape`.
    fn encode(&self, data: AnyCowArray) -> Result<AnyArray, Self::Error> {
        self.transform(data, false)
    }

    /// Cumulative sums along the configured axes in reverse order; same shape and dtype out.
    ///
    /// # Errors
    ///
    /// As for [`Codec::encode`].
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        self.transform(encoded, true)
    }

    /// Decodes into `decoded`, which must have the encoded array's dtype and shape; a
    /// contiguous output is written directly.
    ///
    /// # Errors
    ///
    /// As for [`Codec::decode`], plus [`CodecError::ShapeMismatch`] /
    /// [`CodecError::UnsupportedDtype`] when `decoded` does not match.
    fn decode_into(
        &self,
        encoded: AnyArrayView,
        decoded: AnyArrayViewMut,
    ) -> Result<(), Self::Error> {
        if encoded.dtype() != decoded.dtype() {
            return Err(CodecError::UnsupportedDtype {
                codec: CODEC_ID,
                found: dtype_name(decoded.dtype()).into(),
                expected: format!(
                    "an output of the encoded dtype {}",
                    dtype_name(encoded.dtype())
                ),
            });
        }
        if encoded.shape() != decoded.shape() {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("an output of the encoded shape {:?}", encoded.shape()),
                found: format!("{:?}", decoded.shape()),
            });
        }
        let (dtype, shape) = (encoded.dtype(), encoded.shape().to_vec());
        let input = encoded.as_bytes();
        let mut decoded = decoded;
        decoded.with_bytes_mut(|out| self.decode_into_raw(&input, dtype, &shape, out))
    }
}

impl StaticCodec for SpatialDeltaCodec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = SpatialDeltaConfig;

    fn from_config(config: Self::Config<'_>) -> Self {
        Self {
            axis: config.axis,
            dtype: config.dtype,
            chunk_shape: config.chunk_shape,
        }
    }

    fn get_config(&self) -> StaticCodecConfig<'_, Self> {
        StaticCodecConfig::from(&SpatialDeltaConfig {
            axis: self.axis.clone(),
            dtype: self.dtype,
            chunk_shape: self.chunk_shape.clone(),
            version: SpatialDeltaVersion::default(),
        })
    }
}
