//! `lilcom`: lossy compression of n-dimensional arrays in the lilcom 1.x byte format.
//!
//! lilcom (Daniel Povey et al., <https://github.com/danpovey/lilcom>, PyPI `lilcom`, format
//! stable since 1.1) quantises every element to a multiple of `2^tick_power` after predicting it
//! from the previously *reconstructed* element along each axis, with one regression coefficient
//! per axis stored in the header, and codes the integer residuals with an adaptive bit-width
//! code. lhotse stores speech features with it (`tick_power = -5`).
//!
//! This crate reads and writes that format byte for byte:
//!
//! - **read**: every stream stock `lilcom.compress` (1.1–1.8) writes decodes to exactly the
//!   float32 values stock `lilcom.decompress` returns (the float32 arithmetic is replayed
//!   operation for operation);
//! - **write**: stock `lilcom.decompress` reads what this crate writes, to exactly what this crate
//!   decodes. Given the same coefficients the bytes equal stock lilcom's, but the coefficients are
//!   chosen differently ([`regression`]): jointly, for the smallest coded size;
//! - **strict bound**: every decoded value is within `2^(tick_power - 1)` of the input (stock
//!   lilcom can exceed that through float32 rounding; this encoder checks each reconstruction and
//!   corrects its code). NaN, infinities and values beyond `±(2^31 - 1) * 2^tick_power` are
//!   refused with an error naming the value.
//!
//! - numcodecs codec id: `lilcom`; zarr v3 name `ndcodecs.lilcom` (zarr v2 id `lilcom`).
//! - array → bytes: the encoded chunk is one lilcom byte string (shape in its header, C order,
//!   outermost axis first; 1 to 15 axes, every extent >= 1; a 0-d array is stored as shape `[1]`).
//! - dtypes: `float32` (lilcom's own), `float64`, and the integer dtypes, which round-trip exactly
//!   for `tick_power <= 0` (integers need an exact float32 value: magnitudes up to 2^24 always
//!   have one).
//! - Specification: `specs/lilcom/README.md` in the repository.
//!
//! Slice-level functions for adapters that do not use ndarray: [`encode`] and [`decode_into`].
//!
//! ```
//! use ndcodecs_lilcom::{LilcomCodec, LilcomConfig};
//! use numcodecs::{AnyArray, Codec, StaticCodec};
//!
//! let config: LilcomConfig =
//!     serde_json::from_str(r#"{"tick_power": -5, "do_regression": true, "dtype": "float32"}"#).unwrap();
//! let codec = LilcomCodec::from_config(config);
//! let data = ndarray::ArrayD::from_shape_fn(vec![20, 8], |ix| (ix[0] as f32 * 0.3).sin() + ix[1] as f32 * 0.1);
//! let encoded = codec.encode(AnyArray::F32(data.clone()).cow()).unwrap();
//! let AnyArray::F32(decoded) = codec.decode(encoded.cow()).unwrap() else { panic!() };
//! assert_eq!(decoded.shape(), data.shape());
//! assert!(decoded.iter().zip(&data).all(|(a, b)| (a - b).abs() <= 1.0 / 64.0));
//! ```

mod config;
mod decode;
mod element;
mod encode;
pub mod format;
pub mod regression;
mod skew;

use ndarray::{ArrayD, ArrayViewMutD, IxDyn};
use std::borrow::Cow;

use ndcodecs_core::{
    ArrayToBytesCodec, CodecError, PipelineCodec, dtype::dtype_name, match_any_array,
    shape::standard_elements,
};
use numcodecs::{
    AnyArray, AnyArrayBase, AnyArrayDType, AnyArrayView, AnyArrayViewMut, AnyCowArray, Codec,
    StaticCodec, StaticCodecConfig,
};

pub use config::{LilcomConfig, LilcomDtype, LilcomVersion, TickPower};
pub use decode::{decode_f32, decode_into, read_header};
pub use element::LilcomElement;
pub use encode::{encode, encode_with_coefficients};
pub use format::Header;

/// numcodecs codec id.
pub const CODEC_ID: &str = "lilcom";

/// The `lilcom` codec (see the [crate] docs).
#[derive(Clone, Debug)]
pub struct LilcomCodec {
    config: LilcomConfig,
}

impl LilcomCodec {
    /// A codec with this configuration.
    #[must_use]
    pub const fn new(config: LilcomConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &LilcomConfig {
        &self.config
    }

    fn check_dtype(&self, found: AnyArrayDType) -> Result<(), CodecError> {
        if found == self.config.dtype.to_numcodecs() {
            Ok(())
        } else {
            Err(CodecError::UnsupportedDtype {
                codec: CODEC_ID,
                found: dtype_name(found).into(),
                expected: format!(
                    "the configured dtype {} (set `dtype` in the lilcom configuration)",
                    dtype_name(self.config.dtype.to_numcodecs())
                ),
            })
        }
    }
}

fn unsupported(found: AnyArrayDType) -> CodecError {
    CodecError::UnsupportedDtype {
        codec: CODEC_ID,
        found: dtype_name(found).into(),
        expected: "float32, float64 or an integer dtype".into(),
    }
}

fn bytes_of(encoded: &AnyArrayView<'_>) -> Result<Vec<u8>, CodecError> {
    match encoded {
        AnyArrayBase::U8(a) => Ok(standard_elements(a).into_owned()),
        other => Err(CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: dtype_name(other.dtype()).into(),
            expected: "encoded lilcom data as a uint8 array".into(),
        }),
    }
}

fn decode_typed<T: LilcomElement>(bytes: &[u8]) -> Result<ArrayD<T>, CodecError> {
    let (shape, values) = decode_f32(bytes)?;
    let mut out = vec![T::default(); values.len()];
    decode::convert(&values, &mut out)?;
    ArrayD::from_shape_vec(IxDyn(&shape), out).map_err(|e| CodecError::ShapeMismatch {
        codec: CODEC_ID,
        expected: format!("{shape:?}"),
        found: e.to_string(),
    })
}

fn decode_into_view<T: LilcomElement>(
    bytes: &[u8],
    mut out: ArrayViewMutD<'_, T>,
) -> Result<(), CodecError> {
    let shape = out.shape().to_vec();
    if let Some(slice) = out.as_slice_mut() {
        return decode_into(bytes, &shape, slice);
    }
    let mut tmp = vec![T::default(); out.len()];
    decode_into(bytes, &shape, &mut tmp)?;
    for (o, v) in out.iter_mut().zip(tmp) {
        *o = v;
    }
    Ok(())
}

impl PipelineCodec for LilcomCodec {
    const EXAMPLE_CONFIG: &'static str = r#"{"tick_power": -5, "do_regression": true}"#;
    const DTYPE_FIELD: Option<&'static str> = Some("dtype");

    /// `2^(tick_power - 1)`.
    fn max_abs_error(&self) -> Option<f64> {
        Some(2f64.powi(self.config.tick_power.get() - 1))
    }
}

/// One lilcom byte string per chunk; the decoded dtype is the chunk's (the configured `dtype`
/// is replaced by it).
impl ArrayToBytesCodec for LilcomCodec {
    fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        Some(self.config.dtype.to_numcodecs())
    }

    /// The codec with its `dtype` set to `dtype`.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for a dtype lilcom does not take.
    fn bind(&self, dtype: AnyArrayDType, _shape: &[usize]) -> Result<Cow<'_, Self>, CodecError> {
        let lilcom_dtype = LilcomDtype::from_numcodecs(dtype).ok_or_else(|| unsupported(dtype))?;
        if lilcom_dtype == self.config.dtype {
            return Ok(Cow::Borrowed(self));
        }
        let mut config = self.config.clone();
        config.dtype = lilcom_dtype;
        Ok(Cow::Owned(Self::new(config)))
    }
}

impl Codec for LilcomCodec {
    type Error = CodecError;

    /// Encodes an array of the configured dtype into a 1-d `uint8` array holding one lilcom byte
    /// string. The input is read, never modified.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] if the array's dtype is not the configured one; otherwise
    /// as [`encode`].
    fn encode(&self, data: AnyCowArray) -> Result<AnyArray, Self::Error> {
        self.check_dtype(data.dtype())?;
        let bytes = match_any_array!(
            data,
            a => encode(&standard_elements(&a), a.shape(), &self.config)?,
            other => return Err(unsupported(other.dtype())),
        );
        Ok(AnyArray::U8(
            ArrayD::from_shape_vec(IxDyn(&[bytes.len()]), bytes).map_err(|e| {
                CodecError::ShapeMismatch {
                    codec: CODEC_ID,
                    expected: "a 1-d byte array".into(),
                    found: e.to_string(),
                }
            })?,
        ))
    }

    /// Decodes a `uint8` array holding one lilcom byte string into an array of the configured
    /// dtype, with the shape stored in the stream.
    ///
    /// # Errors
    ///
    /// As [`decode_f32`] and [`decode_into`].
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        let bytes = bytes_of(&encoded.view())?;
        Ok(match self.config.dtype {
            LilcomDtype::Float32 => AnyArray::F32(decode_typed(&bytes)?),
            LilcomDtype::Float64 => AnyArray::F64(decode_typed(&bytes)?),
            LilcomDtype::Int8 => AnyArray::I8(decode_typed(&bytes)?),
            LilcomDtype::Int16 => AnyArray::I16(decode_typed(&bytes)?),
            LilcomDtype::Int32 => AnyArray::I32(decode_typed(&bytes)?),
            LilcomDtype::Int64 => AnyArray::I64(decode_typed(&bytes)?),
            LilcomDtype::Uint8 => AnyArray::U8(decode_typed(&bytes)?),
            LilcomDtype::Uint16 => AnyArray::U16(decode_typed(&bytes)?),
            LilcomDtype::Uint32 => AnyArray::U32(decode_typed(&bytes)?),
            LilcomDtype::Uint64 => AnyArray::U64(decode_typed(&bytes)?),
        })
    }

    /// Decodes into `decoded`, whose shape is the expected shape (checked against the stream's
    /// header before anything is allocated) and whose dtype must be the configured one.
    ///
    /// # Errors
    ///
    /// As [`decode_into`], plus [`CodecError::UnsupportedDtype`] for a `decoded` of another
    /// dtype.
    fn decode_into(
        &self,
        encoded: AnyArrayView,
        decoded: AnyArrayViewMut,
    ) -> Result<(), Self::Error> {
        self.check_dtype(decoded.dtype())?;
        let bytes = bytes_of(&encoded)?;
        match_any_array!(
            decoded,
            v => decode_into_view(&bytes, v),
            other => Err(unsupported(other.dtype())),
        )
    }
}

impl StaticCodec for LilcomCodec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = LilcomConfig;

    fn from_config(config: Self::Config<'_>) -> Self {
        Self::new(config)
    }

    fn get_config(&self) -> StaticCodecConfig<'_, Self> {
        StaticCodecConfig::from(&self.config)
    }
}

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
