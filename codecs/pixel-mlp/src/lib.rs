//! `pixel_mlp`: learned pixel-by-pixel lossless coding of integer images.
//!
//! After S. Gümüş and F. Kamisli, "A Learned Pixel-by-Pixel Lossless Image Compression Method
//! with 59K Parameters and Parallel Decoding" (arXiv 2212.01185): every sample's distribution
//! comes from a small neural network that reads the sample's causal neighbourhood (rows above,
//! samples to the left, the pixel's channels coded before it, the previous slice of a volume);
//! the sample is range-coded with that distribution, turned into integer cumulative
//! frequencies. The network runs in fixed-point integer arithmetic (`ndcodecs-learned`), so
//! every CPU computes the same frequencies. Rows go round-robin to several range-coder streams,
//! so that rows decode concurrently (by wavefront or by diagonals, [`DecodeOrder`]) with the same
//! result in every order.
//!
//! - numcodecs codec id: `pixel_mlp`; zarr v3 name `ndcodecs.pixel_mlp`.
//! - array → bytes: `(y, x)` images, `(y, x, c)` with `c <= 4` channels (the first three of
//!   three or four go through YCoCg-R), `(z, y, x)` volumes (each slice conditioned on the one
//!   before).
//! - dtypes: `uint8`, `uint16`, `int16`; the value range each channel uses is stored, so the
//!   model codes the bit depth the data need.
//! - Specification: `specs/pixel_mlp/README.md` in the repository.
//!
//! ```
//! use ndcodecs_pixel_mlp::{PixelMlpCodec, PixelMlpConfig};
//! use numcodecs::{AnyArray, Codec, StaticCodec};
//!
//! let config: PixelMlpConfig = serde_json::from_str(r#"{"streams": 4}"#).unwrap();
//! let codec = PixelMlpCodec::from_config(config);
//! let image = ndarray::ArrayD::from_shape_fn(vec![32, 40], |ix| ((ix[0] * 3 + ix[1]) % 200) as u8);
//! let encoded = codec.encode(AnyArray::U8(image.clone()).cow()).unwrap();
//! assert!(encoded.len() < image.len());
//! assert_eq!(codec.decode(encoded.cow()).unwrap(), AnyArray::U8(image));
//! ```

pub mod coding;
pub mod colour;
pub mod config;
pub mod context;
pub mod decode;
pub mod encode;
pub mod entropy;
pub mod format;
pub mod model;

use ndarray::{ArrayD, ArrayViewMutD, IxDyn};
use std::borrow::Cow;

use ndcodecs_core::{
    ArrayToBytesCodec, CodecError, EncodedSize, PipelineCodec,
    dtype::dtype_name,
    shape::{standard_elements, try_vec},
};
use numcodecs::{
    AnyArray, AnyArrayBase, AnyArrayDType, AnyArrayView, AnyArrayViewMut, AnyCowArray, Codec,
    StaticCodec, StaticCodecConfig,
};

pub use config::{LayoutChoice, PixelMlpConfig, PixelMlpVersion, Streams};
pub use decode::{DecodeOrder, decode_samples};
pub use encode::{PixelSample, encode, ideal_bits, plan, plane_codes};
pub use format::{Header, Layout, SampleType};

/// numcodecs codec id.
pub const CODEC_ID: &str = "pixel_mlp";

/// Decodes a chunk into `out` (C order), whose shape `shape` must be the chunk's, in `order`.
///
/// # Errors
///
/// As [`decode_samples`], plus [`CodecError::UnsupportedDtype`] if the chunk holds another
/// dtype than `T`, [`CodecError::ShapeMismatch`] if `out` does not hold `shape`.
pub fn decode_into<T: PixelSample>(
    data: &[u8],
    shape: &[usize],
    out: &mut [T],
    order: DecodeOrder,
) -> Result<(), CodecError> {
    let (header, _) = Header::read(data)?;
    if header.dtype != T::TYPE {
        return Err(dtype_mismatch(header.dtype, T::TYPE));
    }
    if out.len() != shape.iter().product::<usize>() {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!(
                "an output of {} samples for shape {shape:?}",
                shape.iter().product::<usize>()
            ),
            found: format!("{} samples", out.len()),
        });
    }
    let (_, values) = decode_samples(data, Some(shape), order)?;
    for (o, v) in out.iter_mut().zip(values) {
        *o = T::from_i32(v);
    }
    Ok(())
}

fn dtype_mismatch(found: SampleType, wanted: SampleType) -> CodecError {
    CodecError::UnsupportedDtype {
        codec: CODEC_ID,
        found: wanted.name().into(),
        expected: format!("the chunk's dtype {}", found.name()),
    }
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

fn typed<T: PixelSample>(shape: &[usize], values: Vec<i32>) -> Result<ArrayD<T>, CodecError> {
    let mut out: Vec<T> = try_vec(CODEC_ID, "the decoded chunk", values.len())?;
    for (o, v) in out.iter_mut().zip(values) {
        *o = T::from_i32(v);
    }
    to_array(shape, out)
}

fn decode_view<T: PixelSample>(
    bytes: &[u8],
    mut out: ArrayViewMutD<'_, T>,
) -> Result<(), CodecError> {
    let shape = out.shape().to_vec();
    if let Some(slice) = out.as_slice_mut() {
        return decode_into(bytes, &shape, slice, DecodeOrder::Wavefront);
    }
    let mut tmp: Vec<T> = try_vec(CODEC_ID, "a contiguous copy of the output", out.len())?;
    decode_into(bytes, &shape, &mut tmp, DecodeOrder::Wavefront)?;
    for (o, v) in out.iter_mut().zip(tmp) {
        *o = v;
    }
    Ok(())
}

/// The `pixel_mlp` codec (see the [crate] docs).
#[derive(Clone, Debug, Default)]
pub struct PixelMlpCodec {
    config: PixelMlpConfig,
}

impl PixelMlpCodec {
    /// A codec with this configuration.
    #[must_use]
    pub const fn new(config: PixelMlpConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &PixelMlpConfig {
        &self.config
    }
}

fn bytes_of(encoded: &AnyArrayView<'_>) -> Result<Vec<u8>, CodecError> {
    match encoded {
        AnyArrayBase::U8(a) => Ok(standard_elements(a).into_owned()),
        other => Err(CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: dtype_name(other.dtype()).into(),
            expected: "an encoded pixel_mlp chunk as a uint8 array".into(),
        }),
    }
}

impl Codec for PixelMlpCodec {
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

    /// Decodes a chunk (a `uint8` array) into an array of the dtype and shape in its header,
    /// wavefront-parallel on rayon's pool.
    ///
    /// # Errors
    ///
    /// As [`decode_samples`].
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        let bytes = bytes_of(&encoded.view())?;
        let (header, values) = decode_samples(&bytes, None, DecodeOrder::Wavefront)?;
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

impl StaticCodec for PixelMlpCodec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = PixelMlpConfig;

    fn from_config(config: Self::Config<'_>) -> Self {
        Self::new(config)
    }

    fn get_config(&self) -> StaticCodecConfig<'_, Self> {
        StaticCodecConfig::from(&self.config)
    }
}

impl PipelineCodec for PixelMlpCodec {
    const EXAMPLE_CONFIG: &'static str = r#"{"streams": 8}"#;

    /// Checks that the configured model ships with this build.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an unknown `model`.
    fn validate(&self) -> Result<(), CodecError> {
        model::model(self.config.model)
            .map(|_| ())
            .map_err(|e| CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: format!("model: {e}"),
            })
    }
}

/// One chunk per zarr chunk; the dtype is the chunk's.
impl ArrayToBytesCodec for PixelMlpCodec {
    /// Checks the dtype (`uint8`, `uint16`, `int16`) and the shape (`(y, x)`, `(y, x, c)` with
    /// `c <= 4`, `(z, y, x)`, as `layout` reads it).
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
        self.validate()?;
        Ok(Cow::Borrowed(self))
    }

    /// At most 5 bytes per sample (a symbol costs at most 16 bits, its extra bits at most 17),
    /// 5 bytes per stream end and 512 bytes of header.
    fn encoded_size(&self, _dtype: AnyArrayDType, shape: &[usize]) -> EncodedSize {
        let samples: u64 = shape.iter().map(|&d| d as u64).product();
        EncodedSize::Bounded(512 + 5 * samples + 5 * self.config.streams.get() as u64)
    }

    /// The shape in the chunk's header, once its sample count is known to be one this crate
    /// decodes without an expected shape (as [`decode_samples`] checks), so that a caller may
    /// allocate for it.
    ///
    /// # Errors
    ///
    /// As [`Header::read`]; [`CodecError::LimitExceeded`] above
    /// [`decode::MAX_SAMPLES_UNCHECKED`] samples.
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError> {
        let header = Header::read(encoded)?.0;
        decode::check_unchecked(&header)?;
        Ok(Some(header.shape()))
    }

    /// The dtype in the chunk's header.
    ///
    /// # Errors
    ///
    /// As [`Header::read`].
    fn stored_dtype(&self, encoded: &[u8]) -> Result<Option<AnyArrayDType>, CodecError> {
        Ok(Some(Header::read(encoded)?.0.dtype.dtype()))
    }
}

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
