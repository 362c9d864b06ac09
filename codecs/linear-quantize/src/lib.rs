//! `linear_quantize`: an error-bounded linear quantizer from `float32`/`float64` to signed
//! integer codes.
//!
//! Each finite value `x` becomes the integer code `q ≈ (x − offset) / step` and decodes to
//! `offset + q · step`, computed in the array's own float type, with the guarantee that
//! `|x − decoded| ≤ max_abs_error` holds exactly for every finite value that encodes (the
//! encoder checks every value and corrects its code by one where rounding would break the bound;
//! a value that no code can meet is an error, never a silent violation). `step` is
//! `max_abs_error · 63/32`, a little under `2 · max_abs_error`, so that the decoder's rounding
//! errors fit in the margin. NaN (both canonical quiet NaNs), ±∞ and an optional fill value (such as
//! netCDF's `_FillValue`) round-trip bit-exactly through five reserved codes at the extremes of
//! the code dtype. The integer codes are then left to a lossless compressor later in the chain
//! (e.g. a delta filter and zstd).
//!
//! It is the linear ("scale and offset") packing that netCDF-CF and GRIB use, with the
//! error bound enforced exactly and specials kept — numcodecs' own `FixedScaleOffset` rounds and
//! casts to the integer type without checks (out-of-range values and NaN come back as garbage),
//! and numcodecs' `quantize` (a different codec) keeps decimal digits.
//!
//! - numcodecs codec id: `linear_quantize`; zarr v3 name `ndcodecs.linear_quantize`; zarr v2 id
//!   `linear_quantize`.
//! - array → array: a `float32`/`float64` array (the configured `dtype`) in; an array of the
//!   configured integer `astype` with the same shape out (no header).
//! - Specification (bit-exact): `specs/linear_quantize/README.md` in the repository.
//!
//! # When encoding fails
//!
//! A finite value fails to encode, with [`CodecError::OutOfRange`] naming the value and its
//! index, when its code is outside the finite code range of `astype` (the message gives the
//! range of values that fit and suggests a wider `astype`, a larger `max_abs_error`, a closer
//! `offset`, or `fill_value`), or when the bound is within a few dozen float spacings of the value
//! and no code decodes within it (the message gives the spacing). Encoding never fails for lack of
//! a code when `max_abs_error ≥ 512 × spacing(|x| + |x − offset| + 4·max_abs_error)`, and in
//! practice succeeds down to about 64 spacings: 0.002 K on float32 temperatures near 300 K is fine.
//! Nothing is ever wrapped or clamped.
//!
//! # Reserved codes
//!
//! For a code dtype with range `MIN..=MAX`: `MIN` is NaN (`0x7fc00000` / `0x7ff8000000000000`),
//! `MIN + 1` the same NaN with the sign bit set, `MIN + 2` −∞, `MAX − 1` the fill value, `MAX`
//! +∞. Finite values use `MIN + 3..=MAX − 2` (`-125..=125` for `int8`). NaNs with other payloads
//! (signalling NaNs, non-canonical payloads) are refused with an error rather than silently
//! canonicalised: the codec promises bit-exact specials, and a payload it cannot store is the
//! caller's to decide about.
//!
//! # `_version` and unknown keys
//!
//! The configuration rejects unknown keys (`deny_unknown_fields`). numcodecs-python 0.7 builds a
//! codec from exactly the keys that `get_config` returned (minus `id`), and the Rust codecs of
//! the numcodecs ecosystem put a `_version` key there; so `_version` is a declared, optional field
//! of the configuration ([`LinearQuantizeVersion`], `"0.1.0"`), written by `get_config` and
//! checked for semver compatibility when read — never an ignored key.
//!
//! # Example
//!
//! ```
//! use ndcodecs_linear_quantize::{LinearQuantizeCodec, LinearQuantizeConfig};
//! use numcodecs::{AnyArray, Codec, StaticCodec};
//!
//! let config: LinearQuantizeConfig = serde_json::from_str(
//!     r#"{"max_abs_error": 0.01, "offset": 273.15, "fill_value": 9.96921e36,
//!         "dtype": "float32", "astype": "int16"}"#,
//! )
//! .unwrap();
//! let codec = LinearQuantizeCodec::try_new(config).unwrap();
//!
//! let x = ndarray::ArrayD::from_shape_vec(vec![2, 3], vec![271.5f32, 273.15, 280.004, f32::NAN,
//!     9.96921e36, f32::NEG_INFINITY]).unwrap();
//! let encoded = codec.encode(AnyArray::F32(x.clone()).cow()).unwrap();
//! let AnyArray::I16(codes) = &encoded else { panic!("int16 codes") };
//! assert_eq!(codes.as_slice().unwrap(), &[-84, 0, 348, i16::MIN, i16::MAX - 1, i16::MIN + 2]);
//!
//! let AnyArray::F32(y) = codec.decode(encoded.cow()).unwrap() else { panic!("float32") };
//! for (a, b) in x.iter().zip(&y) {
//!     if a.is_finite() && *a != 9.96921e36 {
//!         assert!((f64::from(*a) - f64::from(*b)).abs() <= 0.01);
//!     } else {
//!         assert_eq!(a.to_bits(), b.to_bits()); // NaN, the fill value and -inf: bit-exact
//!     }
//! }
//! ```

mod config;
mod decode;
mod encode;
pub mod format;

use ndarray::{ArrayD, IxDyn};
use ndcodecs_core::{
    ArrayToArrayCodec, CodecError, PipelineCodec,
    dtype::{Element, dtype_name},
    match_float_array,
    shape::standard_elements,
};
use numcodecs::{
    AnyArray, AnyArrayDType, AnyArrayView, AnyArrayViewMut, AnyCowArray, Codec, StaticCodec,
    StaticCodecConfig,
};

pub use crate::config::{
    CodeDtype, FloatDtype, LinearQuantizeConfig, LinearQuantizeVersion, MaxAbsError,
};
use crate::format::{CodeType, EncodeFailure, FloatType, Params};

/// numcodecs codec id.
pub const CODEC_ID: &str = "linear_quantize";

/// zarr v3 codec name.
pub const ZARR_V3_NAME: &str = "ndcodecs.linear_quantize";

/// The one dispatch from the configured code dtype to a type parameter: evaluates `$body` with
/// the type alias `$I` naming the code type.
macro_rules! with_code_type {
    ($astype:expr, $I:ident => $body:expr) => {
        match $astype {
            CodeDtype::Int8 => {
                type $I = i8;
                $body
            }
            CodeDtype::Int16 => {
                type $I = i16;
                $body
            }
            CodeDtype::Int32 => {
                type $I = i32;
                $body
            }
            CodeDtype::Int64 => {
                type $I = i64;
                $body
            }
        }
    };
}

/// The dispatch from the configured float dtype and code dtype (for decoding, where the input
/// is integer codes and the output float type comes from the configuration).
macro_rules! with_types {
    ($dtype:expr, $astype:expr, $F:ident, $I:ident => $body:expr) => {
        match $dtype {
            FloatDtype::Float32 => {
                type $F = f32;
                with_code_type!($astype, $I => $body)
            }
            FloatDtype::Float64 => {
                type $F = f64;
                with_code_type!($astype, $I => $body)
            }
        }
    };
}

/// The `linear_quantize` codec (see the [crate] docs).
#[derive(Clone, Debug)]
pub struct LinearQuantizeCodec {
    config: LinearQuantizeConfig,
    /// Set when the configuration is invalid: [`StaticCodec::from_config`] cannot fail, so
    /// encode and decode report it instead.
    invalid: Option<CodecError>,
}

fn validate(config: &LinearQuantizeConfig) -> Result<(), CodecError> {
    match config.dtype {
        FloatDtype::Float32 => Params::<f32>::new::<i8>(config).map(drop),
        FloatDtype::Float64 => Params::<f64>::new::<i8>(config).map(drop),
    }
}

impl LinearQuantizeCodec {
    /// A codec with a validated configuration.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] if `max_abs_error` is not a finite number > 0 (or is too
    /// small to give a usable step in `dtype`), or `offset` or `fill_value` is not finite once
    /// rounded to `dtype`.
    pub fn try_new(config: LinearQuantizeConfig) -> Result<Self, CodecError> {
        validate(&config)?;
        Ok(Self {
            config,
            invalid: None,
        })
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &LinearQuantizeConfig {
        &self.config
    }

    fn check(&self) -> Result<(), CodecError> {
        self.invalid.clone().map_or(Ok(()), Err)
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

    fn expect_encoded_dtype(&self, found: AnyArrayDType) -> Result<(), CodecError> {
        if found == self.config.astype.to_any() {
            Ok(())
        } else {
            Err(CodecError::UnsupportedDtype {
                codec: CODEC_ID,
                found: dtype_name(found).to_owned(),
                expected: format!(
                    "{} codes (the configured astype)",
                    self.config.astype.name()
                ),
            })
        }
    }

    /// The dtype of the encoded array for a decoded array of dtype `decoded` (for adapters that
    /// must know it before any data, such as zarr's array → array codecs).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration;
    /// [`CodecError::UnsupportedDtype`] if `decoded` is not the configured `dtype`.
    pub fn encoded_dtype(&self, decoded: AnyArrayDType) -> Result<AnyArrayDType, CodecError> {
        self.check()?;
        self.expect_decoded_dtype(decoded)?;
        Ok(self.config.astype.to_any())
    }

    /// Encodes raw elements of the configured `dtype` in native byte order (as zarrs hands a
    /// chunk to an array → array codec) into raw native-endian codes of the configured `astype`,
    /// in the same element order.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `decoded` is not a whole number of elements, and the
    /// errors of [`Codec::encode`].
    pub fn encode_bytes(&self, decoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        self.check()?;
        let shape = [decoded.len() / self.config.dtype.to_any().size()];
        with_types!(self.config.dtype, self.config.astype, F, I => {
            let xs: Vec<F> = pod_elements(decoded, "decoded")?;
            let mut out = vec![I::default(); xs.len()];
            self.encode_kernel(&xs, &shape, &mut out)?;
            Ok(bytemuck::cast_slice::<I, u8>(&out).to_vec())
        })
    }

    /// Decodes raw native-endian codes of the configured `astype` into raw native-endian
    /// elements of the configured `dtype`; `elements` is the number of elements the caller
    /// expects (the chunk's size).
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if `encoded` holds fewer than `elements` codes,
    /// [`CodecError::Corrupt`] if it holds more bytes, and the errors of [`Codec::decode`].
    pub fn decode_bytes(&self, encoded: &[u8], elements: usize) -> Result<Vec<u8>, CodecError> {
        self.check()?;
        let size = self.config.astype.to_any().size();
        let needed = elements.saturating_mul(size);
        if encoded.len() < needed {
            return Err(CodecError::Truncated {
                codec: CODEC_ID,
                offset: 0,
                needed,
                available: encoded.len(),
            });
        }
        if encoded.len() > needed {
            return Err(CodecError::Corrupt {
                codec: CODEC_ID,
                message: format!(
                    "{} trailing bytes after {elements} {} codes",
                    encoded.len() - needed,
                    self.config.astype.name()
                ),
            });
        }
        with_types!(self.config.dtype, self.config.astype, F, I => {
            let codes: Vec<I> = pod_elements(encoded, "encoded")?;
            let p = Params::<F>::new::<I>(&self.config)?;
            let mut out = vec![F::default(); codes.len()];
            decode::decode_slice(&p, &codes, &mut out)?;
            Ok(bytemuck::cast_slice::<F, u8>(&out).to_vec())
        })
    }

    /// Encodes one fill value (raw native-endian bytes of one element of the configured `dtype`)
    /// into the raw native-endian bytes of its code: what a zarr adapter stores as the encoded
    /// array's fill value. NaN, ±∞ and the configured `fill_value` map to their reserved codes.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `fill` is not exactly one element, and the errors of
    /// [`Codec::encode`] for that element.
    pub fn encode_fill_value(&self, fill: &[u8]) -> Result<Vec<u8>, CodecError> {
        let size = self.config.dtype.to_any().size();
        if fill.len() != size {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("one {} fill value ({size} bytes)", self.config.dtype.name()),
                found: format!("{} bytes", fill.len()),
            });
        }
        self.encode_bytes(fill)
    }

    fn encode_array<F: FloatType>(
        &self,
        a: &ndarray::CowArray<'_, F, IxDyn>,
    ) -> Result<AnyArray, CodecError> {
        self.expect_decoded_dtype(F::DTYPE)?;
        let xs = standard_elements(a);
        with_code_type!(self.config.astype, I => {
            let mut out = vec![I::default(); xs.len()];
            self.encode_kernel::<F, I>(&xs, a.shape(), &mut out)?;
            Ok(I::into_any(from_shape_vec(a.shape(), out)?))
        })
    }

    fn encode_kernel<F: FloatType, I: CodeType>(
        &self,
        xs: &[F],
        shape: &[usize],
        out: &mut [I],
    ) -> Result<(), CodecError> {
        let p = Params::<F>::new::<I>(&self.config)?;
        encode::encode_slice(&p, xs, out)
            .map_err(|(i, failure)| self.encode_error(&p, shape, i, xs[i], failure))
    }

    fn encode_error<F: FloatType>(
        &self,
        p: &Params<F>,
        shape: &[usize],
        flat: usize,
        x: F,
        failure: EncodeFailure,
    ) -> CodecError {
        let at = format!(
            "at index {:?} (flat index {flat} in C order)",
            unravel(flat, shape)
        );
        let dtype = self.config.dtype.name();
        let astype = self.config.astype.name();
        let message = match failure {
            EncodeFailure::NanPayload => format!(
                "NaN with bits {:#x} {at} cannot be stored bit-exactly: only the canonical quiet \
                 NaNs {:#x} and {:#x} (sign bit set) have codes; replace other NaNs by NaN \
                 (e.g. numpy's np.nan) first",
                x.to_bits(),
                F::NAN_BITS,
                F::NEG_NAN_BITS
            ),
            EncodeFailure::CodeOutOfRange(q) => {
                let (lo, hi) = p.finite_range();
                format!(
                    "{dtype} value {x:?} {at} needs code {}, outside {astype}'s finite code \
                     range {}..={} (with max_abs_error {:?} and offset {:?}, values from {lo:?} \
                     to {hi:?}, ± max_abs_error, fit); use a wider astype, a larger \
                     max_abs_error or an offset closer to the data, or configure fill_value if \
                     {x:?} marks missing data",
                    if q.abs() < 1e16 {
                        format!("{q}")
                    } else {
                        format!("{q:e}")
                    },
                    p.codes.finite_min,
                    p.codes.finite_max,
                    p.bound,
                    p.offset
                )
            }
            EncodeFailure::BelowSpacing(nearest) => format!(
                "{dtype} value {x:?} {at} has no code that decodes within max_abs_error {:?}: \
                 the nearest decoded value is {nearest:?}; the {dtype} spacing is {:e} at the value and \
                 {:e} at the product code·step, too coarse for that bound; use a larger \
                 max_abs_error (512 times the spacing always suffices) or an offset closer to the data",
                p.bound,
                x.spacing(),
                F::from_f64(nearest - p.offset.to_f64()).spacing()
            ),
        };
        CodecError::OutOfRange {
            codec: CODEC_ID,
            message,
        }
    }
}

/// Copies native-endian bytes into a vector of `T` (the bytes need not be aligned).
fn pod_elements<T: bytemuck::Pod + Element>(
    bytes: &[u8],
    what: &str,
) -> Result<Vec<T>, CodecError> {
    let size = std::mem::size_of::<T>();
    if !bytes.len().is_multiple_of(size) {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!(
                "{what} data of whole {} elements ({size} bytes each)",
                dtype_name(T::DTYPE)
            ),
            found: format!("{} bytes", bytes.len()),
        });
    }
    Ok(bytemuck::pod_collect_to_vec(bytes))
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

impl PipelineCodec for LinearQuantizeCodec {
    const EXAMPLE_CONFIG: &'static str =
        r#"{"max_abs_error": 0.01, "offset": 273.15, "dtype": "float32", "astype": "int16"}"#;
    const DTYPE_FIELD: Option<&'static str> = Some("dtype");

    /// # Errors
    ///
    /// As [`LinearQuantizeCodec::try_new`].
    fn validate(&self) -> Result<(), CodecError> {
        self.check()
    }

    /// `max_abs_error`.
    fn max_abs_error(&self) -> Option<f64> {
        Some(self.config.max_abs_error.get())
    }
}

/// Floats of the configured `dtype` to codes of the configured `astype`, same shape,
/// elementwise; the fill value maps to its code.
impl ArrayToArrayCodec for LinearQuantizeCodec {
    fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        Some(self.config.dtype.to_any())
    }

    /// The configured `astype`.
    ///
    /// # Errors
    ///
    /// As [`LinearQuantizeCodec::encoded_dtype`].
    fn encoded_dtype(&self, decoded: AnyArrayDType) -> Result<AnyArrayDType, CodecError> {
        Self::encoded_dtype(self, decoded)
    }

    fn elementwise(&self) -> bool {
        true
    }

    /// The fill value's code (NaN, ±∞ and the configured `fill_value` map to their reserved
    /// codes).
    ///
    /// # Errors
    ///
    /// As [`LinearQuantizeCodec::encode_fill_value`].
    fn encoded_fill_value(
        &self,
        _decoded: AnyArrayDType,
        fill: &[u8],
    ) -> Result<Vec<u8>, CodecError> {
        self.encode_fill_value(fill)
    }

    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] if `dtype` is not the configured one, and the errors of
    /// [`LinearQuantizeCodec::encode_bytes`].
    fn encode_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        _shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        Self::encoded_dtype(self, dtype)?;
        self.encode_bytes(decoded)
    }

    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] if `dtype` is not the configured one,
    /// [`CodecError::LimitExceeded`] if `shape` has more elements than memory can hold, and the
    /// errors of [`LinearQuantizeCodec::decode_bytes`].
    fn decode_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        Self::encoded_dtype(self, dtype)?;
        let elements = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or(CodecError::LimitExceeded {
                codec: CODEC_ID,
                what: "chunk element count",
                found: u64::MAX,
                limit: usize::MAX as u64,
            })?;
        self.decode_bytes(encoded, elements)
    }
}

impl Codec for LinearQuantizeCodec {
    type Error = CodecError;

    /// Quantizes a `float32`/`float64` array (the configured `dtype`) into codes of the
    /// configured `astype`, same shape.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration;
    /// [`CodecError::UnsupportedDtype`] if the data are not of the configured `dtype`;
    /// [`CodecError::OutOfRange`] naming the value and its index if a finite value's code does
    /// not fit `astype`, if no code decodes within the bound (bound too close to the float
    /// spacing), or for a NaN with a non-canonical payload.
    fn encode(&self, data: AnyCowArray) -> Result<AnyArray, Self::Error> {
        self.check()?;
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

    /// Decodes codes of the configured `astype` into an array of the configured `dtype`, same
    /// shape.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration;
    /// [`CodecError::UnsupportedDtype`] if the codes are not of the configured `astype`;
    /// [`CodecError::Corrupt`] for a fill-value code when no `fill_value` is configured.
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        self.check()?;
        self.expect_encoded_dtype(encoded.dtype())?;
        with_types!(self.config.dtype, self.config.astype, F, I => {
            let Some(codes) = encoded.as_typed::<I>() else {
                unreachable!("dtype checked above")
            };
            let p = Params::<F>::new::<I>(&self.config)?;
            let codes = standard_elements(codes);
            let mut out = vec![F::default(); codes.len()];
            decode::decode_slice(&p, &codes, &mut out)?;
            Ok(F::into_any(from_shape_vec(encoded.shape(), out)?))
        })
    }

    /// Decodes into `decoded`, which must be of the configured `dtype` and the codes' shape (it
    /// may be non-contiguous).
    ///
    /// # Errors
    ///
    /// As [`Codec::decode`], and [`CodecError::UnsupportedDtype`] if `decoded` is not of the
    /// configured `dtype`, [`CodecError::ShapeMismatch`] if its shape differs.
    fn decode_into(
        &self,
        encoded: AnyArrayView,
        mut decoded: AnyArrayViewMut,
    ) -> Result<(), Self::Error> {
        self.check()?;
        self.expect_encoded_dtype(encoded.dtype())?;
        self.expect_decoded_dtype(decoded.dtype())?;
        if encoded.shape() != decoded.shape() {
            return Err(CodecError::ShapeMismatch {
                codec: CODEC_ID,
                expected: format!("an output of the codes' shape {:?}", encoded.shape()),
                found: format!("{:?}", decoded.shape()),
            });
        }
        with_types!(self.config.dtype, self.config.astype, F, I => {
            let (Some(codes), Some(out)) =
                (encoded.as_typed::<I>(), decoded.as_typed_mut::<F>())
            else {
                unreachable!("dtypes checked above")
            };
            let p = Params::<F>::new::<I>(&self.config)?;
            let codes = standard_elements(codes);
            if let Some(slice) = out.as_slice_mut() {
                decode::decode_slice(&p, &codes, slice)
            } else {
                let mut tmp = vec![F::default(); codes.len()];
                decode::decode_slice(&p, &codes, &mut tmp)?;
                for (o, v) in out.iter_mut().zip(tmp) {
                    *o = v;
                }
                Ok(())
            }
        })
    }
}

impl StaticCodec for LinearQuantizeCodec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = LinearQuantizeConfig;

    /// Builds the codec; an invalid configuration is reported by `encode` and `decode` (use
    /// [`LinearQuantizeCodec::try_new`] to be told at once).
    fn from_config(config: Self::Config<'_>) -> Self {
        let invalid = validate(&config).err();
        Self { config, invalid }
    }

    fn get_config(&self) -> StaticCodecConfig<'_, Self> {
        StaticCodecConfig::from(&self.config)
    }
}
