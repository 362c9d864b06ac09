//! `ycocg_r`: the reversible YCoCg-R colour transform for RGB integer arrays.
//!
//! YCoCg-R (H. Malvar and G. Sullivan, "YCoCg-R: A Color Space with RGB Reversibility and Low
//! Dynamic Range", JVT-I014, 2003) maps each RGB pixel to a luma `Y` and two chroma differences
//! `Co` (orange) and `Cg` (green) with integer lifting steps, so the inverse is exact. The
//! decorrelated channels code in fewer bits than R, G and B after any lossless predictor
//! (`ycocg_r → spatial_delta → …`); learned lossless image codecs use it for the same reason
//! (F. Kamisli, "Learned Lossless Image Compression Through Interpolation With Low Complexity",
//! arXiv 2212.13243).
//!
//! - numcodecs codec id: `ycocg_r`; zarr v3 name `ndcodecs.ycocg_r` (zarr v2 id `ycocg_r`).
//! - array → array: shape `(…, 3)` — the **last axis holds R, G, B** (any number of leading
//!   axes, e.g. `(y, x, 3)` or `(z, y, x, 3)`) — into the same shape holding `Y, Co, Cg`.
//! - dtypes: `uint8 → int16` and `uint16 → int32` (`Co` and `Cg` need one more bit than the
//!   samples: `Y ∈ [0, max]`, `Co, Cg ∈ [−max, max]`). Decoding takes `int16` back to `uint8`
//!   and `int32` back to `uint16`, and refuses a triple that is not the transform of any RGB
//!   pixel.
//! - Specification: `specs/ycocg_r/README.md` in the repository.
//!
//! ```
//! use ndcodecs_ycocg_r::{YCoCgRCodec, YCoCgRConfig};
//! use numcodecs::{AnyArray, Codec, StaticCodec};
//!
//! let codec = YCoCgRCodec::from_config(serde_json::from_str::<YCoCgRConfig>("{}").unwrap());
//! let rgb = ndarray::ArrayD::from_shape_vec(vec![1, 2, 3], vec![255u8, 0, 0, 10, 20, 30]).unwrap();
//! let encoded = codec.encode(AnyArray::U8(rgb.clone()).cow()).unwrap();
//! let AnyArray::I16(ycc) = &encoded else { panic!("int16 expected") };
//! assert_eq!(ycc.as_slice().unwrap(), &[63, 255, -127, 20, -20, 0]);
//! assert_eq!(codec.decode(encoded.cow()).unwrap(), AnyArray::U8(rgb));
//! ```

mod config;
pub mod kernel;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use ndcodecs_core::{
    ArrayToArrayCodec, CodecError, PipelineCodec,
    dtype::dtype_name,
    shape::{standard_elements, try_vec},
};
use numcodecs::{
    AnyArray, AnyArrayAssignError, AnyArrayBase, AnyArrayDType, AnyArrayView, AnyArrayViewMut,
    AnyCowArray, Codec, StaticCodec, StaticCodecConfig,
};

pub use config::{YCoCgRConfig, YCoCgRVersion};
pub use kernel::RgbSample;

/// numcodecs codec id.
pub const CODEC_ID: &str = "ycocg_r";

/// The `ycocg_r` codec (see the [crate] docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YCoCgRCodec;

/// The dtype the transform of `dtype` has: `int16` for `uint8`, `int32` for `uint16`.
///
/// # Errors
///
/// [`CodecError::UnsupportedDtype`] for any other dtype.
pub fn encoded_dtype(dtype: AnyArrayDType) -> Result<AnyArrayDType, CodecError> {
    match dtype {
        AnyArrayDType::U8 => Ok(AnyArrayDType::I16),
        AnyArrayDType::U16 => Ok(AnyArrayDType::I32),
        other => Err(unsupported_encode(other)),
    }
}

/// The dtype the inverse of `dtype` has: `uint8` for `int16`, `uint16` for `int32`.
///
/// # Errors
///
/// [`CodecError::UnsupportedDtype`] for any other dtype.
pub fn decoded_dtype(dtype: AnyArrayDType) -> Result<AnyArrayDType, CodecError> {
    match dtype {
        AnyArrayDType::I16 => Ok(AnyArrayDType::U8),
        AnyArrayDType::I32 => Ok(AnyArrayDType::U16),
        other => Err(unsupported_decode(other)),
    }
}

fn unsupported_encode(found: AnyArrayDType) -> CodecError {
    CodecError::UnsupportedDtype {
        codec: CODEC_ID,
        found: dtype_name(found).into(),
        expected:
            "RGB samples of dtype uint8 (transformed to int16) or uint16 (transformed to int32)"
                .into(),
    }
}

fn unsupported_decode(found: AnyArrayDType) -> CodecError {
    CodecError::UnsupportedDtype {
        codec: CODEC_ID,
        found: dtype_name(found).into(),
        expected:
            "encoded YCoCg-R data of dtype int16 (decoded to uint8) or int32 (decoded to uint16)"
                .into(),
    }
}

/// Checks that `shape` has a last axis of length 3.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] for a 0-d array or a last axis of another length.
pub fn check_shape(shape: &[usize]) -> Result<(), CodecError> {
    match shape.last() {
        Some(3) => Ok(()),
        _ => Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: "a last axis of length 3 holding R, G, B (shape (..., 3))".into(),
            found: format!("shape {shape:?}"),
        }),
    }
}

fn check_whole_pixels(len: usize) -> Result<(), CodecError> {
    if len.is_multiple_of(3) {
        Ok(())
    } else {
        Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: "a whole number of pixels of 3 samples".into(),
            found: format!("{len} samples"),
        })
    }
}

/// Transforms RGB pixels (`rgb.len()` a multiple of 3, R, G, B per pixel) into Y, Co, Cg.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] if `rgb.len()` is not a multiple of 3.
pub fn encode_slice<S: RgbSample>(rgb: &[S]) -> Result<Vec<S::Wide>, CodecError> {
    check_whole_pixels(rgb.len())?;
    let mut out = vec![S::Wide::default(); rgb.len()];
    kernel::forward(rgb, &mut out);
    Ok(out)
}

/// Inverts [`encode_slice`].
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] if `ycc.len()` is not a multiple of 3;
/// [`CodecError::OutOfRange`] naming the first pixel whose triple is not the transform of any
/// RGB pixel of this sample type; [`CodecError::OutOfMemory`] if the output cannot be
/// allocated.
pub fn decode_slice<S: RgbSample>(ycc: &[S::Wide]) -> Result<Vec<S>, CodecError> {
    let mut out = try_vec(CODEC_ID, "the decoded RGB pixels", ycc.len())?;
    inverse_into(ycc, &mut out)?;
    Ok(out)
}

/// The inverse transform of `ycc` written into `out` (the same length, a whole number of
/// pixels).
fn inverse_into<S: RgbSample>(ycc: &[S::Wide], out: &mut [S]) -> Result<(), CodecError> {
    check_whole_pixels(ycc.len())?;
    if out.len() != ycc.len() {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("an output of {} samples", ycc.len()),
            found: format!("{} samples", out.len()),
        });
    }
    kernel::inverse(ycc, out).map_err(|pixel| CodecError::OutOfRange {
        codec: CODEC_ID,
        message: format!(
            "pixel {pixel} (Y, Co, Cg) = ({}, {}, {}) is not the transform of any RGB pixel with samples in 0..={}",
            ycc[3 * pixel],
            ycc[3 * pixel + 1],
            ycc[3 * pixel + 2],
            S::MAX
        ),
    })
}

fn to_array<T>(shape: &[usize], v: Vec<T>) -> Result<ArrayD<T>, CodecError> {
    ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| CodecError::ShapeMismatch {
        codec: CODEC_ID,
        expected: format!("{shape:?}"),
        found: e.to_string(),
    })
}

fn encode_array<S: RgbSample>(a: &ArrayViewD<'_, S>) -> Result<ArrayD<S::Wide>, CodecError> {
    check_shape(a.shape())?;
    to_array(a.shape(), encode_slice(&standard_elements(a))?)
}

fn decode_array<S: RgbSample>(a: &ArrayViewD<'_, S::Wide>) -> Result<ArrayD<S>, CodecError> {
    check_shape(a.shape())?;
    to_array(a.shape(), decode_slice::<S>(&standard_elements(a))?)
}

fn assign_error(e: AnyArrayAssignError) -> CodecError {
    match e {
        AnyArrayAssignError::DTypeMismatch { src, dst } => CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: dtype_name(dst).into(),
            expected: format!("an output of the decoded dtype {}", dtype_name(src)),
        },
        AnyArrayAssignError::ShapeMismatch { src, dst } => CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("{src:?}"),
            found: format!("{dst:?}"),
        },
    }
}

impl Codec for YCoCgRCodec {
    type Error = CodecError;

    /// Transforms a `uint8` (→ `int16`) or `uint16` (→ `int32`) array of shape `(..., 3)`
    /// holding R, G, B into Y, Co, Cg of the same shape. The input is read, never modified.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for any other dtype (floats included);
    /// [`CodecError::ShapeMismatch`] unless the last axis has length 3.
    fn encode(&self, data: AnyCowArray) -> Result<AnyArray, Self::Error> {
        match data.view() {
            AnyArrayBase::U8(a) => Ok(AnyArray::I16(encode_array(&a)?)),
            AnyArrayBase::U16(a) => Ok(AnyArray::I32(encode_array(&a)?)),
            other => Err(unsupported_encode(other.dtype())),
        }
    }

    /// Inverts [`Codec::encode`]: `int16` → `uint8`, `int32` → `uint16`, same shape.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for any other dtype; [`CodecError::ShapeMismatch`]
    /// unless the last axis has length 3; [`CodecError::OutOfRange`] for a triple that is not
    /// the transform of any RGB pixel (corrupt data).
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        match encoded.view() {
            AnyArrayBase::I16(a) => Ok(AnyArray::U8(decode_array::<u8>(&a)?)),
            AnyArrayBase::I32(a) => Ok(AnyArray::U16(decode_array::<u16>(&a)?)),
            other => Err(unsupported_decode(other.dtype())),
        }
    }

    /// Decodes into `decoded`, whose dtype must be the decoded dtype (`uint8` for `int16`,
    /// `uint16` for `int32`) and whose shape must be the encoded shape.
    ///
    /// # Errors
    ///
    /// As for [`Codec::decode`], plus [`CodecError::UnsupportedDtype`] /
    /// [`CodecError::ShapeMismatch`] when `decoded` does not match.
    fn decode_into(
        &self,
        encoded: AnyArrayView,
        mut decoded: AnyArrayViewMut,
    ) -> Result<(), Self::Error> {
        let dtype = decoded_dtype(encoded.dtype())?;
        if decoded.dtype() != dtype {
            return Err(assign_error(AnyArrayAssignError::DTypeMismatch {
                src: dtype,
                dst: decoded.dtype(),
            }));
        }
        if decoded.shape() != encoded.shape() {
            return Err(assign_error(AnyArrayAssignError::ShapeMismatch {
                src: encoded.shape().to_vec(),
                dst: decoded.shape().to_vec(),
            }));
        }
        check_shape(encoded.shape())?;
        // Contiguous (C-order) data, as zarr and the Python layer hand it: inverse-transformed
        // straight into `decoded`, with no array of its own.
        match (&encoded, &mut decoded) {
            (AnyArrayBase::I16(e), AnyArrayBase::U8(d)) => {
                if let (Some(e), Some(d)) = (e.as_slice(), d.as_slice_mut()) {
                    return inverse_into::<u8>(e, d);
                }
            }
            (AnyArrayBase::I32(e), AnyArrayBase::U16(d)) => {
                if let (Some(e), Some(d)) = (e.as_slice(), d.as_slice_mut()) {
                    return inverse_into::<u16>(e, d);
                }
            }
            _ => {}
        }
        let out = self.decode(encoded.cow())?;
        decoded.assign(&out).map_err(assign_error)
    }
}

impl StaticCodec for YCoCgRCodec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = YCoCgRConfig;

    fn from_config(_config: Self::Config<'_>) -> Self {
        Self
    }

    fn get_config(&self) -> StaticCodecConfig<'_, Self> {
        StaticCodecConfig::from(&YCoCgRConfig::default())
    }
}

impl PipelineCodec for YCoCgRCodec {
    const EXAMPLE_CONFIG: &'static str = "{}";
}

impl ArrayToArrayCodec for YCoCgRCodec {
    /// `int16` for `uint8`, `int32` for `uint16`.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for any other dtype.
    fn encoded_dtype(&self, decoded: AnyArrayDType) -> Result<AnyArrayDType, CodecError> {
        encoded_dtype(decoded)
    }

    /// The same shape, whose last axis must have length 3.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] for a 0-d shape or a last axis of another length.
    fn encoded_shape(&self, decoded: &[usize]) -> Result<Vec<usize>, CodecError> {
        check_shape(decoded)?;
        Ok(decoded.to_vec())
    }

    /// The fill value as the encoded dtype: a grey pixel `(v, v, v)` encodes to `(v, 0, 0)`,
    /// which is not one value; the fill value only matters to the codecs after this one for
    /// chunks that are never written.
    fn encoded_fill_value(
        &self,
        decoded: AnyArrayDType,
        fill: &[u8],
    ) -> Result<Vec<u8>, CodecError> {
        match (decoded, fill) {
            (AnyArrayDType::U8, &[v]) => Ok(i16::from(v).to_ne_bytes().to_vec()),
            (AnyArrayDType::U16, &[a, b]) => {
                Ok(i32::from(u16::from_ne_bytes([a, b])).to_ne_bytes().to_vec())
            }
            (AnyArrayDType::U8 | AnyArrayDType::U16, _) => Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: "one element as the fill value".into(),
                found: format!("{} bytes", fill.len()),
            }),
            (other, _) => Err(unsupported_encode(other)),
        }
    }
}
