//! `interp_cnn`: learned lossless coding of integer images through multiscale interpolation.
//!
//! After F. Kamisli, "Learned Lossless Image Compression Through Interpolation With Low
//! Complexity" (IEEE TCSVT 2023, arXiv 2212.13243): the image is split into its four polyphase
//! components, the first split again, for several levels; the coarsest level is coded with a
//! simple predictor, then at each level the three other components are coded in turn, every
//! sample's distribution (mean and scale of a discretised logistic) computed by small networks
//! from the components already known. No sample of a component depends on another of the same
//! component, so a component is coded and decoded in parallel: it is cut into bands of rows,
//! each in its own range-coder stream, on rayon's pool. The networks run in fixed-point integer
//! arithmetic (`ndcodecs-learned`), so every CPU computes the same frequencies; each band
//! corrects the networks' scale (models 1 and 2) or mean and scale (model 3, the default) online
//! from the errors it has seen ([`adapt`]), identically on both sides.
//!
//! - numcodecs codec id: `interp_cnn`; zarr v3 name `ndcodecs.interp_cnn`.
//! - array → bytes: `(y, x)` images, `(y, x, c)` with `c <= 4` channels (the first three of
//!   three or four go through YCoCg-R, later channels conditioned on earlier ones), `(z, y, x)`
//!   volumes slice by slice.
//! - dtypes: `uint8`, `uint16`, `int16`; the value range of each plane is stored, so the model
//!   codes the bit depth the data need.
//! - Specification: `specs/interp_cnn/README.md` in the repository.
//!
//! ```
//! use ndcodecs_interp_cnn::{InterpCnnCodec, InterpCnnConfig};
//! use numcodecs::{AnyArray, Codec, StaticCodec};
//!
//! let config: InterpCnnConfig = serde_json::from_str(r#"{"layout": "auto"}"#).unwrap();
//! let codec = InterpCnnCodec::from_config(config);
//! let image = ndarray::ArrayD::from_shape_fn(vec![32, 40], |ix| ((ix[0] * 3 + ix[1]) % 200) as u8);
//! let encoded = codec.encode(AnyArray::U8(image.clone()).cow()).unwrap();
//! assert!(encoded.len() < image.len());
//! assert_eq!(codec.decode(encoded.cow()).unwrap(), AnyArray::U8(image));
//! ```

pub mod adapt;
pub mod batch;
pub mod chunk;
pub mod coding;
pub mod config;
pub mod format;
pub mod grid;
pub mod model;

use std::borrow::Cow;

use ndarray::{ArrayD, ArrayViewMutD, IxDyn};
use ndcodecs_core::{
    ArrayToBytesCodec, CodecError, PipelineCodec,
    dtype::dtype_name,
    shape::{standard_elements, try_vec},
};
use numcodecs::{
    AnyArray, AnyArrayBase, AnyArrayDType, AnyArrayView, AnyArrayViewMut, AnyCowArray, Codec,
    StaticCodec, StaticCodecConfig,
};
use rayon::prelude::*;

pub use chunk::{ImageSample, decode_samples, encode, ideal_bits, plan};
pub use config::{InterpCnnConfig, InterpCnnVersion, LayoutChoice};
pub use format::{Header, Layout, SampleType};

/// numcodecs codec id.
pub const CODEC_ID: &str = "interp_cnn";

/// Decodes a chunk into `out` (C order), whose shape `shape` must be the chunk's.
///
/// # Errors
///
/// As [`decode_samples`], plus [`CodecError::UnsupportedDtype`] if the chunk holds another
/// dtype than `T`, [`CodecError::ShapeMismatch`] if `out` does not hold `shape`.
pub fn decode_into<T: ImageSample>(
    data: &[u8],
    shape: &[usize],
    out: &mut [T],
) -> Result<(), CodecError> {
    let (header, _) = Header::read(data, Some(shape))?;
    if header.dtype != T::TYPE {
        return Err(CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: T::TYPE.name().into(),
            expected: format!("the chunk's dtype {}", header.dtype.name()),
        });
    }
    if out.len() != header.samples() {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("an output of {} samples", header.samples()),
            found: format!("{} samples", out.len()),
        });
    }
    let (_, values) = decode_samples(data, Some(shape))?;
    out.par_chunks_mut(1 << 15)
        .zip(values.par_chunks(1 << 15))
        .for_each(|(o, v)| {
            for (o, &v) in o.iter_mut().zip(v) {
                *o = T::from_i32(v);
            }
        });
    Ok(())
}

fn unsupported(found: AnyArrayDType) -> CodecError {
    CodecError::UnsupportedDtype {
        codec: CODEC_ID,
        found: dtype_name(found).into(),
        expected: "integer image samples of dtype uint8, uint16 or int16".into(),
    }
}

fn to_array<T>(shape: &[usize], v: Vec<T>) -> Result<ArrayD<T>, CodecError> {
    ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| CodecError::ShapeMismatch {
        codec: CODEC_ID,
        expected: format!("{shape:?}"),
        found: e.to_string(),
    })
}

fn typed<T: ImageSample>(shape: &[usize], values: Vec<i32>) -> Result<ArrayD<T>, CodecError> {
    let mut out: Vec<T> = try_vec(CODEC_ID, "the decoded chunk", values.len())?;
    for (o, v) in out.iter_mut().zip(values) {
        *o = T::from_i32(v);
    }
    to_array(shape, out)
}

fn decode_view<T: ImageSample>(
    bytes: &[u8],
    mut out: ArrayViewMutD<'_, T>,
) -> Result<(), CodecError> {
    let shape = out.shape().to_vec();
    if let Some(slice) = out.as_slice_mut() {
        return decode_into(bytes, &shape, slice);
    }
    let mut tmp: Vec<T> = try_vec(CODEC_ID, "a contiguous copy of the output", out.len())?;
    decode_into(bytes, &shape, &mut tmp)?;
    for (o, v) in out.iter_mut().zip(tmp) {
        *o = v;
    }
    Ok(())
}

fn bytes_of<'a>(encoded: &'a AnyArrayView<'_>) -> Result<Cow<'a, [u8]>, CodecError> {
    match encoded {
        AnyArrayBase::U8(a) => Ok(standard_elements(a)),
        other => Err(CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: dtype_name(other.dtype()).into(),
            expected: "an encoded interp_cnn chunk as a uint8 array".into(),
        }),
    }
}

/// The `interp_cnn` codec (see the [crate] docs).
#[derive(Clone, Debug, Default)]
pub struct InterpCnnCodec {
    config: InterpCnnConfig,
}

impl InterpCnnCodec {
    /// A codec with this configuration.
    #[must_use]
    pub const fn new(config: InterpCnnConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &InterpCnnConfig {
        &self.config
    }
}

impl PipelineCodec for InterpCnnCodec {
    const EXAMPLE_CONFIG: &'static str = r#"{"layout": "auto"}"#;

    /// The configured model must be one this build ships.
    fn validate(&self) -> Result<(), CodecError> {
        model::model(self.config.model)
            .map(drop)
            .map_err(|e| CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: e.to_string(),
            })
    }
}

/// One chunk per encoded byte string; the decoded dtype and shape are the chunk's.
impl ArrayToBytesCodec for InterpCnnCodec {
    /// Checks the dtype (`uint8`, `uint16`, `int16`) and the shape (see [`plan`]).
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`], [`CodecError::ShapeMismatch`].
    fn bind(&self, dtype: AnyArrayDType, shape: &[usize]) -> Result<Cow<'_, Self>, CodecError> {
        if !matches!(
            dtype,
            AnyArrayDType::U8 | AnyArrayDType::U16 | AnyArrayDType::I16
        ) {
            return Err(unsupported(dtype));
        }
        plan(shape, self.config.layout)?;
        Ok(Cow::Borrowed(self))
    }

    /// The shape in the chunk's header, once its sample count is known to be one this crate
    /// decodes without an expected shape (as [`decode_samples`] checks), so that a caller may
    /// allocate for it.
    ///
    /// # Errors
    ///
    /// As [`Header::read`]; [`CodecError::LimitExceeded`] above
    /// [`chunk::MAX_SAMPLES_UNCHECKED`] samples.
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError> {
        let header = Header::read(encoded, None)?.0;
        chunk::check_unchecked(&header)?;
        Ok(Some(header.shape()))
    }

    /// The dtype in the chunk's header.
    ///
    /// # Errors
    ///
    /// As [`Header::read`].
    fn stored_dtype(&self, encoded: &[u8]) -> Result<Option<AnyArrayDType>, CodecError> {
        Ok(Some(Header::read(encoded, None)?.0.dtype.dtype()))
    }
}

impl Codec for InterpCnnCodec {
    type Error = CodecError;

    /// Encodes a `uint8`, `uint16` or `int16` array of shape `(y, x)`, `(y, x, c)` (`c <= 4`)
    /// or `(z, y, x)` into a 1-d `uint8` array holding one chunk. The input is read, never
    /// modified.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for other dtypes; otherwise as [`encode`].
    fn encode(&self, data: AnyCowArray) -> Result<AnyArray, Self::Error> {
        let bytes = match data.view() {
            AnyArrayBase::U8(a) => encode(&standard_elements(&a), a.shape(), &self.config)?,
            AnyArrayBase::U16(a) => encode(&standard_elements(&a), a.shape(), &self.config)?,
            AnyArrayBase::I16(a) => encode(&standard_elements(&a), a.shape(), &self.config)?,
            other => return Err(unsupported(other.dtype())),
        };
        Ok(AnyArray::U8(to_array(&[bytes.len()], bytes)?))
    }

    /// Decodes a chunk (a `uint8` array) into an array of the dtype and shape in its header.
    ///
    /// # Errors
    ///
    /// As [`decode_samples`].
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        let view = encoded.view();
        let bytes = bytes_of(&view)?;
        let (header, values) = decode_samples(&bytes, None)?;
        let shape = header.shape();
        Ok(match header.dtype {
            SampleType::U8 => AnyArray::U8(typed(&shape, values)?),
            SampleType::U16 => AnyArray::U16(typed(&shape, values)?),
            SampleType::I16 => AnyArray::I16(typed(&shape, values)?),
        })
    }

    /// Decodes into `decoded`, whose shape must be the chunk's (checked against the header
    /// before anything is allocated) and whose dtype must be the chunk's.
    ///
    /// # Errors
    ///
    /// As [`decode_into`].
    fn decode_into(
        &self,
        encoded: AnyArrayView,
        decoded: AnyArrayViewMut,
    ) -> Result<(), Self::Error> {
        let bytes = bytes_of(&encoded)?;
        match decoded {
            AnyArrayViewMut::U8(v) => decode_view(&bytes, v),
            AnyArrayViewMut::U16(v) => decode_view(&bytes, v),
            AnyArrayViewMut::I16(v) => decode_view(&bytes, v),
            other => Err(unsupported(other.dtype())),
        }
    }
}

impl StaticCodec for InterpCnnCodec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = InterpCnnConfig;

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
