//! `interp_quantize`: an error-bounded multilevel interpolation predictor with quantization in
//! the loop, from `float32`/`float64` arrays to `int32` codes.
//!
//! Every value is predicted from already *reconstructed* values, its residual quantized with the
//! error bound, and the reconstruction kept for the next predictions, so that
//! `|x − decoded| ≤ bound` holds exactly for every finite value (the encoder checks each
//! reconstruction in the array's float type and corrects the code where rounding would break the
//! bound). The predictor is a dyadic hierarchy, coarse to fine: anchors on a grid of stride
//! `2^a` (Lorenzo predictor over the anchor grid), then at each level the midpoints along each
//! axis in turn, by cubic or linear interpolation of the already reconstructed neighbours, the
//! idea of SZ3's interpolation predictor (Zhao et al., "Optimizing error-bounded lossy
//! compression for scientific data by dynamic spline interpolation", ICDE 2021), with per-level
//! interpolation, axis order and a tighter bound at coarse levels chosen per chunk (QoZ: Liu et
//! al., "Dynamic quality metric oriented error bounded lossy compression for scientific
//! datasets", SC 2022). NaN, ±∞ and a configured `fill_value` round-trip bit-exactly through a
//! mask and reserved codes, and are never used as predictors (a special element's place holds
//! its own prediction, so land cells do not spoil the coast).
//!
//! - numcodecs codec id: `interp_quantize`; zarr v3 name `ndcodecs.interp_quantize`; zarr v2 id
//!   `interp_quantize`.
//! - array → array: a `float32`/`float64` array (the configured `dtype`) of shape
//!   `(d0, …, d_{r−1})` in; a 1-d `int32` array of `encoded_len(shape)` =
//!   `11 + 2r + L + ⌈N/32⌉ + N` words out (`N` elements, `L = ⌈log2 max dᵢ⌉` after dropping
//!   size-1 axes and folding leading axes to rank 4): a header, the special-value mask, the codes
//!   in the predictor's order (anchors, then level by level). The length depends only on the
//!   shape, as zarr's array → array codecs require.
//! - Specification (bit-exact): `specs/interp_quantize/README.md` in the repository.
//!
//! # When encoding fails
//!
//! With [`CodecError::OutOfRange`] naming the value and its index: a NaN other than the two
//! canonical quiet NaNs; a residual whose code does not fit int32 (a bound below about
//! `range / 4·10⁹`); a bound within a few float spacings of the value, where no code decodes
//! within it. With [`CodecError::InvalidConfig`] when the chunk's absolute bound gives no usable
//! step in the float type. Nothing is ever wrapped or clamped.
//!
//! # Example
//!
//! ```
//! use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig};
//! use numcodecs::{AnyArray, Codec};
//!
//! let config: InterpQuantizeConfig = serde_json::from_str(
//!     r#"{"max_abs_error": 0.01, "fill_value": 9.96921e36, "dtype": "float32"}"#,
//! )
//! .unwrap();
//! let codec = InterpQuantizeCodec::try_new(config).unwrap();
//! let x = ndarray::ArrayD::from_shape_fn(vec![20, 30], |i| {
//!     if i[0] == 3 { 9.96921e36 } else { (i[0] as f32 * 0.3).sin() + i[1] as f32 * 0.01 }
//! });
//! let encoded = codec.encode(AnyArray::F32(x.clone()).cow()).unwrap();
//! assert_eq!(encoded.shape(), &[ndcodecs_interp_quantize::encoded_len(&[20, 30]).unwrap()]);
//! let AnyArray::F32(y) = codec.decode(encoded.cow()).unwrap() else { panic!("float32") };
//! for (a, b) in x.iter().zip(&y) {
//!     if *a == 9.96921e36 {
//!         assert_eq!(a.to_bits(), b.to_bits()); // the fill value, bit-exactly
//!     } else {
//!         assert!((f64::from(*a) - f64::from(*b)).abs() <= 0.01);
//!     }
//! }
//! ```

mod config;
mod decode;
mod encode;
mod fast;
pub mod format;
mod kernel;
mod real;
mod tune;
#[cfg(test)]
mod wavefront_tests;

use ndarray::{ArrayD, IxDyn};
use ndcodecs_core::{
    ArrayToArrayCodec, CodecError, PipelineCodec,
    dtype::{Element, Float, dtype_name},
    match_float_array,
    shape::standard_elements,
};
use numcodecs::{
    AnyArray, AnyArrayDType, AnyArrayView, AnyArrayViewMut, AnyCowArray, Codec, StaticCodec,
    StaticCodecConfig,
};

pub use crate::config::{
    ErrorBound, FloatDtype, InterpQuantizeConfig, InterpQuantizeVersion, PositiveBound,
};
pub use crate::decode::read_header;
pub use crate::encode::{ChunkFailure, EncodeFailure};
pub use crate::format::encoded_len;
pub use crate::real::Real;

/// numcodecs codec id.
pub const CODEC_ID: &str = "interp_quantize";

/// zarr v3 codec name.
pub const ZARR_V3_NAME: &str = "ndcodecs.interp_quantize";

/// The dispatch from the configured float dtype to a type parameter.
macro_rules! with_float {
    ($dtype:expr, $F:ident => $body:expr) => {
        match $dtype {
            FloatDtype::Float32 => {
                type $F = f32;
                $body
            }
            FloatDtype::Float64 => {
                type $F = f64;
                $body
            }
        }
    };
}

/// The `interp_quantize` codec (see the [crate] docs).
#[derive(Clone, Debug)]
pub struct InterpQuantizeCodec {
    config: InterpQuantizeConfig,
    /// Set when the configuration is invalid: [`StaticCodec::from_config`] cannot fail, so
    /// encode and decode report it instead.
    invalid: Option<CodecError>,
}

fn validate(config: &InterpQuantizeConfig) -> Result<ErrorBound, CodecError> {
    let bound = config.bound()?;
    if let ErrorBound::Abs(e) = bound {
        let ok = with_float!(config.dtype, F => encode::step_for::<F>(e).is_some());
        if !ok {
            return Err(CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: format!(
                    "max_abs_error {e:?} gives a quantization step that {} cannot use (it must be \
                     representable and have a finite reciprocal)",
                    config.dtype.name()
                ),
            });
        }
    }
    if let Some(v) = config.fill_value {
        let finite = with_float!(config.dtype, F => F::from_f64(v).is_finite());
        if !finite {
            return Err(CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: format!(
                    "fill_value must be a finite {} number (NaN and infinities have codes of \
                     their own), found {v:?}",
                    config.dtype.name()
                ),
            });
        }
    }
    Ok(bound)
}

impl InterpQuantizeCodec {
    /// A codec with a validated configuration.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] unless exactly one of `max_abs_error` and `max_rel_error`
    /// is given, if `max_abs_error` gives no usable step in `dtype`, or if `fill_value` is not
    /// finite once rounded to `dtype`.
    pub fn try_new(config: InterpQuantizeConfig) -> Result<Self, CodecError> {
        validate(&config)?;
        Ok(Self {
            config,
            invalid: None,
        })
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &InterpQuantizeConfig {
        &self.config
    }

    fn bound(&self) -> Result<ErrorBound, CodecError> {
        if let Some(e) = &self.invalid {
            return Err(e.clone());
        }
        self.config.bound()
    }

    fn expect_decoded_dtype(&self, found: AnyArrayDType) -> Result<(), CodecError> {
        if found == self.config.dtype.to_any() {
            Ok(())
        } else {
            Err(CodecError::UnsupportedDtype {
                codec: CODEC_ID,
                found: dtype_name(found).to_owned(),
                expected: format!(
                    "{} (the configured dtype; set \"dtype\" to quantize {} data)",
                    self.config.dtype.name(),
                    dtype_name(found)
                ),
            })
        }
    }

    /// Encodes the elements `xs` (C order) of an array of shape `shape` into the words of the
    /// encoded chunk (`encoded_len(shape)` of them).
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `xs` does not have `shape`'s element count,
    /// [`CodecError::UnsupportedDtype`] if `F` is not the configured dtype, and the errors of
    /// [`Codec::encode`].
    pub fn encode_slice<F: Real>(&self, xs: &[F], shape: &[usize]) -> Result<Vec<i32>, CodecError> {
        let bound = self.bound()?;
        self.expect_decoded_dtype(F::DTYPE)?;
        let total = encoded_len(shape)?;
        let n: usize = shape.iter().product();
        if n != xs.len() {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("{n} elements (shape {shape:?})"),
                found: format!("{} elements", xs.len()),
            });
        }
        let mut out = vec![0i32; total];
        self.encode_words(xs, shape, bound, &mut out)?;
        Ok(out)
    }

    /// [`Self::encode_slice`] into `out`, which holds exactly `encoded_len(shape)` words (any
    /// contents: every word is written), after the checks of the shape and dtype.
    fn encode_words<F: Real>(
        &self,
        xs: &[F],
        shape: &[usize],
        bound: ErrorBound,
        out: &mut [i32],
    ) -> Result<(), CodecError> {
        let fill = self.config.fill_value.map(F::from_f64);
        encode::encode(xs, shape, bound, fill, out)
            .map_err(|f| self.encode_error(xs, shape, bound, f))
    }

    /// Decodes the words of an encoded chunk into its shape and elements (C order).
    ///
    /// # Errors
    ///
    /// As [`Codec::decode`].
    pub fn decode_slice<F: Real>(&self, words: &[i32]) -> Result<(Vec<usize>, Vec<F>), CodecError> {
        self.bound()?;
        self.expect_decoded_dtype(F::DTYPE)?;
        let (h, g) = read_header(words)?;
        let mut out = zeroed_output::<F>(g.len())?;
        decode::decode(words, &h, &g, &mut out)?;
        Ok((h.shape, out))
    }

    fn encode_error<F: Real>(
        &self,
        xs: &[F],
        shape: &[usize],
        bound: ErrorBound,
        failure: ChunkFailure,
    ) -> CodecError {
        let dtype = self.config.dtype.name();
        match failure {
            ChunkFailure::Bound(e) => CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: format!(
                    "the chunk's absolute error bound {e:?} ({}) gives no quantization step that \
                     {dtype} can use",
                    match bound {
                        ErrorBound::Abs(_) => "max_abs_error".to_owned(),
                        ErrorBound::Rel(r) =>
                            format!("max_rel_error {r:?} × the chunk's value range"),
                    }
                ),
            },
            ChunkFailure::Value(i, f) => {
                let x = xs[i];
                let at = format!(
                    "at index {:?} (flat index {i} in C order)",
                    unravel(i, shape)
                );
                let message = match f {
                    EncodeFailure::NanPayload => format!(
                        "NaN with bits {:#x} {at} cannot be stored bit-exactly: only the canonical \
                         quiet NaNs {:#x} and {:#x} (sign bit set) have codes; replace other NaNs \
                         by NaN (e.g. numpy's np.nan) first",
                        x.to_bits(),
                        F::NAN_BITS,
                        F::NEG_NAN_BITS
                    ),
                    EncodeFailure::CodeOutOfRange(q) => format!(
                        "{dtype} value {x:?} {at} differs from its prediction by {q:e} steps, \
                         beyond the int32 code range; use a larger error bound, or configure \
                         fill_value if {x:?} marks missing data"
                    ),
                    EncodeFailure::BelowSpacing(nearest) => format!(
                        "{dtype} value {x:?} {at} has no code that decodes within the bound: the \
                         nearest decoded value is {nearest:?} and the {dtype} spacing at the value \
                         is {:e}, too coarse for that bound; use a larger error bound (512 times \
                         the spacing always suffices)",
                        x.spacing()
                    ),
                };
                CodecError::OutOfRange {
                    codec: CODEC_ID,
                    message,
                }
            }
        }
    }

    fn encode_array<F: Real>(
        &self,
        a: &ndarray::CowArray<'_, F, IxDyn>,
    ) -> Result<AnyArray, CodecError> {
        // A Fortran-ordered array (numpy `order="F"`, zarr v2 `order: "F"`) is coded as the
        // C-ordered array its memory holds (axes reversed), flagged in the header: the
        // predictor sees the same neighbours, and decoding gives it back in Fortran order.
        let t = a.view().reversed_axes();
        let out = match t.as_slice() {
            Some(xs) if a.ndim() > 1 && !a.is_standard_layout() => {
                let mut out = self.encode_slice(xs, t.shape())?;
                format::set_fortran(&mut out, a.ndim());
                out
            }
            _ => self.encode_slice(&standard_elements(a), a.shape())?,
        };
        let len = out.len();
        Ok(AnyArray::I32(from_shape_vec(&[len], out)?))
    }
}

fn from_shape_vec<T>(shape: &[usize], v: Vec<T>) -> Result<ArrayD<T>, CodecError> {
    ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| CodecError::ShapeMismatch {
        codec: CODEC_ID,
        expected: format!("an array of shape {shape:?}"),
        found: e.to_string(),
    })
}

/// The C-order multi-index of flat index `flat` in an array of `shape`.
fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (i, &n) in shape.iter().enumerate().rev() {
        if n > 0 {
            index[i] = flat % n;
            flat /= n;
        }
    }
    index
}

fn expect_codes(found: AnyArrayDType) -> Result<(), CodecError> {
    if found == AnyArrayDType::I32 {
        Ok(())
    } else {
        Err(CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: dtype_name(found).to_owned(),
            expected: "int32 codes (the encoded chunk)".to_owned(),
        })
    }
}

impl Codec for InterpQuantizeCodec {
    type Error = CodecError;

    /// Encodes a `float32`/`float64` array (the configured `dtype`) into a 1-d `int32` array of
    /// `encoded_len(shape)` words. A Fortran-ordered array is coded in its memory order (the
    /// header records its shape reversed, and a flag).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration or a chunk whose bound gives
    /// no usable step; [`CodecError::UnsupportedDtype`] if the data are not of the configured
    /// `dtype`; [`CodecError::LimitExceeded`] for more than 32 dimensions or 2^40 elements;
    /// [`CodecError::OutOfRange`] naming the value and its index if a value has no code (see
    /// the [crate] docs).
    fn encode(&self, data: AnyCowArray) -> Result<AnyArray, Self::Error> {
        self.bound()?;
        match_float_array!(
            data,
            a => self.encode_array(&a),
            other => Err(CodecError::UnsupportedDtype {
                codec: CODEC_ID,
                found: dtype_name(other.dtype()).to_owned(),
                expected: format!("{} (the configured dtype)", self.config.dtype.name()),
            })
        )
    }

    /// Decodes an encoded chunk (`int32` words, any shape, read in C order) into an array of the
    /// configured `dtype` with the shape it was encoded from (C order, or Fortran order for a
    /// chunk encoded from a Fortran-ordered array).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration;
    /// [`CodecError::UnsupportedDtype`] if the codes are not `int32` or the chunk was encoded
    /// from another float dtype; [`CodecError::Truncated`] if the words end before the length
    /// the header implies; [`CodecError::Corrupt`] for trailing words or any invalid field or
    /// code; [`CodecError::UnsupportedVersion`] for a newer format; [`CodecError::OutOfMemory`]
    /// if the output or the list of special values cannot be allocated.
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        self.bound()?;
        expect_codes(encoded.dtype())?;
        let Some(codes) = encoded.as_typed::<i32>() else {
            unreachable!("dtype checked above")
        };
        let words = standard_elements(codes);
        let (h, g) = read_header(&words)?;
        with_float!(self.config.dtype, F => {
            let mut out = zeroed_output::<F>(g.len())?;
            decode::decode(&words, &h, &g, &mut out)?;
            let array = from_shape_vec(&h.shape, out)?;
            Ok(F::into_any(if h.fortran { array.reversed_axes() } else { array }))
        })
    }

    /// Decodes into `decoded`, which must be of the configured `dtype` and the shape the chunk
    /// was encoded from (any memory order).
    ///
    /// # Errors
    ///
    /// As [`Codec::decode`], and [`CodecError::UnsupportedDtype`] if `decoded` is not of the
    /// configured `dtype`, [`CodecError::ShapeMismatch`] if its shape differs (checked before
    /// anything is allocated).
    fn decode_into(
        &self,
        encoded: AnyArrayView,
        mut decoded: AnyArrayViewMut,
    ) -> Result<(), Self::Error> {
        self.bound()?;
        expect_codes(encoded.dtype())?;
        self.expect_decoded_dtype(decoded.dtype())?;
        let Some(codes) = encoded.as_typed::<i32>() else {
            unreachable!("dtype checked above")
        };
        let words = standard_elements(codes);
        let (h, g) = read_header(&words)?;
        let mut shape = h.shape.clone();
        if h.fortran {
            shape.reverse();
        }
        if shape != decoded.shape() {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("an output of the encoded chunk's shape {shape:?}"),
                found: format!("{:?}", decoded.shape()),
            });
        }
        with_float!(self.config.dtype, F => {
            let Some(out) = decoded.as_typed_mut::<F>() else {
                unreachable!("dtype checked above")
            };
            // The coded array: the output itself, or its axes reversed for a Fortran chunk.
            let mut out = if h.fortran {
                out.view_mut().reversed_axes()
            } else {
                out.view_mut()
            };
            if let Some(slice) = out.as_slice_mut() {
                decode::decode(&words, &h, &g, slice)
            } else {
                let mut tmp =
                    zeroed_output::<F>(g.len())?;
                decode::decode(&words, &h, &g, &mut tmp)?;
                for (o, v) in out.iter_mut().zip(tmp) {
                    *o = v;
                }
                Ok(())
            }
        })
    }
}

impl StaticCodec for InterpQuantizeCodec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = InterpQuantizeConfig;

    /// Builds the codec; an invalid configuration is reported by `encode` and `decode` (use
    /// [`InterpQuantizeCodec::try_new`] to be told at once).
    fn from_config(config: Self::Config<'_>) -> Self {
        let invalid = validate(&config).err();
        Self { config, invalid }
    }

    fn get_config(&self) -> StaticCodecConfig<'_, Self> {
        StaticCodecConfig::from(&self.config)
    }
}

impl PipelineCodec for InterpQuantizeCodec {
    const EXAMPLE_CONFIG: &'static str =
        r#"{"max_abs_error": 0.01, "fill_value": 9.96921e36, "dtype": "float32"}"#;
    const DTYPE_FIELD: Option<&'static str> = Some("dtype");

    /// # Errors
    ///
    /// As [`InterpQuantizeCodec::try_new`].
    fn validate(&self) -> Result<(), CodecError> {
        match &self.invalid {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// `max_abs_error`; `None` for `max_rel_error`, whose absolute bound depends on each
    /// chunk's value range (each encoded chunk records the one it used).
    fn max_abs_error(&self) -> Option<f64> {
        self.config.max_abs_error.map(PositiveBound::get)
    }
}

/// Floats of the configured `dtype` to a 1-d `int32` array of [`encoded_len`]`(shape)` words
/// that records the chunk's shape.
impl ArrayToArrayCodec for InterpQuantizeCodec {
    fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        Some(self.config.dtype.to_any())
    }

    /// `int32`.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] unless `decoded` is the configured `dtype`.
    fn encoded_dtype(&self, decoded: AnyArrayDType) -> Result<AnyArrayDType, CodecError> {
        self.expect_decoded_dtype(decoded)?;
        Ok(AnyArrayDType::I32)
    }

    /// `[encoded_len(decoded)]`.
    ///
    /// # Errors
    ///
    /// As [`encoded_len`].
    fn encoded_shape(&self, decoded: &[usize]) -> Result<Vec<usize>, CodecError> {
        Ok(vec![encoded_len(decoded)?])
    }

    fn self_describing(&self) -> bool {
        true
    }

    /// 0: the encoded array has no fill value of its own (a chunk that is all fill value is
    /// encoded like any other, and zarr does not store it).
    fn encoded_fill_value(
        &self,
        decoded: AnyArrayDType,
        _fill: &[u8],
    ) -> Result<Vec<u8>, CodecError> {
        self.expect_decoded_dtype(decoded)?;
        Ok(0i32.to_ne_bytes().to_vec())
    }

    /// The shape the encoded chunk's header records (C order: the axes reversed for a chunk
    /// encoded from a Fortran-ordered array), once the words' count matches it.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `encoded` is not a whole number of `int32` words, and
    /// the errors of [`read_header`].
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError> {
        if !encoded.len().is_multiple_of(size_of::<i32>()) {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: "a whole number of int32 codes".to_owned(),
                found: format!("{} bytes", encoded.len()),
            });
        }
        let words = typed::<i32>(encoded, &[encoded.len() / size_of::<i32>()])?;
        let (h, _) = read_header(&words)?;
        let mut shape = h.shape;
        if h.fortran {
            shape.reverse();
        }
        Ok(Some(shape))
    }

    /// The header's Fortran flag (a chunk encoded from a Fortran-ordered array).
    ///
    /// # Errors
    ///
    /// As [`Self::stored_shape`].
    fn stored_fortran(&self, encoded: &[u8]) -> Result<bool, CodecError> {
        if !encoded.len().is_multiple_of(size_of::<i32>()) {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: "a whole number of int32 codes".to_owned(),
                found: format!("{} bytes", encoded.len()),
            });
        }
        let words = typed::<i32>(encoded, &[encoded.len() / size_of::<i32>()])?;
        Ok(read_header(&words)?.0.fortran)
    }

    /// Encodes straight from the raw elements into `out` (no intermediate array).
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] if `dtype` is not the configured one,
    /// [`CodecError::ShapeMismatch`] if `decoded` does not hold `shape` elements or `out` does
    /// not hold the encoded array, and the errors of [`Codec::encode`]. (Decoding goes through
    /// [`Codec::decode_into`], which checks the header's shape against `shape` before it
    /// writes anything.)
    fn encode_into_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        self.expect_decoded_dtype(dtype)?;
        let total = encoded_len(shape)?;
        if total.checked_mul(size_of::<i32>()) != Some(out.len()) {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("an output of {total} int32 codes"),
                found: format!("{} bytes", out.len()),
            });
        }
        with_float!(self.config.dtype, F => {
            let xs = typed::<F>(decoded, shape)?;
            match bytemuck::try_cast_slice_mut::<u8, i32>(out) {
                // An aligned output takes the words directly (no second buffer, no copy);
                // `typed` checked the element count against `shape`.
                Ok(words) => self.encode_words::<F>(&xs, shape, self.bound()?, words)?,
                Err(_) => {
                    let words = self.encode_slice::<F>(&xs, shape)?;
                    out.copy_from_slice(bytemuck::cast_slice(&words));
                }
            }
        });
        Ok(())
    }
}

/// The native-endian elements of type `T` in `bytes`, which must hold exactly the elements of
/// `shape` (borrowed when aligned).
fn typed<'a, T: bytemuck::Pod>(
    bytes: &'a [u8],
    shape: &[usize],
) -> Result<std::borrow::Cow<'a, [T]>, CodecError> {
    let nbytes = shape
        .iter()
        .try_fold(size_of::<T>(), |n, &d| n.checked_mul(d));
    if nbytes != Some(bytes.len()) {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!(
                "{} bytes (shape {shape:?}, {} bytes per element)",
                nbytes.map_or_else(|| "more than usize::MAX".to_owned(), |n| n.to_string()),
                size_of::<T>()
            ),
            found: format!("{} bytes", bytes.len()),
        });
    }
    Ok(match bytemuck::try_cast_slice::<u8, T>(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => std::borrow::Cow::Owned(bytemuck::pod_collect_to_vec(bytes)),
    })
}

/// A decoded chunk's `n` elements, zero, allocated fallibly: by the allocator's zeroed
/// allocation (for large outputs, fresh pages the system hands over zeroed, instead of a pass
/// writing zeros that the decoder overwrites).
///
/// # Errors
///
/// [`CodecError::OutOfMemory`] if the allocation fails.
fn zeroed_output<F: Real>(n: usize) -> Result<Vec<F>, CodecError> {
    bytemuck::allocation::try_zeroed_vec(n).map_err(|()| CodecError::OutOfMemory {
        codec: CODEC_ID,
        what: "the decoded array",
        bytes: (n as u64).saturating_mul(std::mem::size_of::<F>() as u64),
    })
}

/// Entry points for experiments and benchmarks (not a stable API): encoding with a given plan and
/// the element order of the codes.
#[doc(hidden)]
pub mod experimental {
    use super::{ChunkFailure, encode, format, kernel, tune};
    pub use crate::format::{Geometry, Interp, Level, Plan};
    use crate::real::Real;

    /// The plan the encoder chooses for `xs`.
    #[must_use]
    pub fn default_plan(shape: &[usize]) -> Plan {
        tune::default_plan(&Geometry::of(shape))
    }

    /// Encodes with absolute bound `e` and the given plan (validated against the geometry by
    /// the caller).
    ///
    /// # Errors
    ///
    /// Why the chunk could not be encoded.
    pub fn encode_with_plan<F: Real>(
        xs: &[F],
        shape: &[usize],
        e: f64,
        fill: Option<F>,
        plan: &Plan,
    ) -> Result<Vec<i32>, ChunkFailure> {
        let mut out = vec![0i32; format::encoded_len(shape).map_err(|_| ChunkFailure::Bound(e))?];
        encode::encode_plan(
            xs,
            shape,
            crate::ErrorBound::Abs(e),
            fill,
            Some(plan),
            &mut out,
        )?;
        Ok(out)
    }

    /// The flat index of the element each code belongs to, in code order.
    #[must_use]
    pub fn code_positions(shape: &[usize], plan: &Plan) -> Vec<usize> {
        struct Rec(Vec<usize>);
        impl kernel::PointOp<f64> for Rec {
            type Err = ();
            fn row(
                &mut self,
                work: &mut [f64],
                pos0: usize,
                stride: usize,
                count: usize,
                _lq: &kernel::LevelQuant<f64>,
                _pred: impl Fn(&[f64], usize) -> f64,
            ) -> Result<(), ()> {
                for t in 0..count {
                    let pos = pos0 + t * stride;
                    self.0.push(pos);
                    work[pos] = 0.0;
                }
                Ok(())
            }
        }
        let g = Geometry::of(shape);
        let mut work = vec![0.0; g.len()];
        let mut rec = Rec(Vec::with_capacity(g.len()));
        let _ = kernel::walk(&g, plan, 0.0, 1.0, 1.0, &mut work, &mut rec);
        rec.0
    }
}
