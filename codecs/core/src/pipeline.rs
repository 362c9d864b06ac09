//! A codec's place in a zarr codec pipeline, and what the zarr and Python layers ask of it.
//!
//! zarr v3 chains codecs in three kinds ([`CodecKind`]): array → array filters, one array → bytes
//! serializer, then bytes → bytes compressors. Each ndcodecs codec implements the trait of its
//! kind ([`ArrayToArrayCodec`], [`ArrayToBytesCodec`], [`BytesToBytesCodec`]), on top of
//! [`PipelineCodec`] and numcodecs' [`Codec`] + [`StaticCodec`]. The traits answer, from the
//! codec's configuration alone, what a zarr layer must know before it sees any data: the encoded
//! data type and shape of a filter, what dtypes, ranks and axes the codec accepts (checked when an
//! array is created, not halfway through its first chunk), the encoded fill value, a bound on the
//! encoded size. They also move chunks as raw native-endian bytes, the form zarrs hands a codec;
//! the provided methods go through numcodecs arrays, and a codec overrides them where it has a
//! faster byte path.
//!
//! The traits know nothing of zarrs or Python: `ndcodecs-zarrs` has one generic zarrs adapter per
//! kind, and the Python package asks the same questions through its native module, both for every
//! codec in the `ndcodecs-registry` list.

use std::borrow::Cow;

use ndarray::{ArrayD, ArrayView, CowArray, IxDyn};
use numcodecs::{AnyArray, AnyArrayDType, AnyCowArray, Codec, StaticCodec};

use crate::CodecError;
use crate::dtype::{Element, dtype_name};

/// The kind of a codec in a zarr v3 codec chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodecKind {
    /// A filter: a typed n-d array in, a typed n-d array out (zarr `array -> array`).
    ArrayToArray,
    /// A serializer: a typed n-d array in, a byte string out (zarr `array -> bytes`).
    ArrayToBytes,
    /// A compressor or checksum: bytes in, bytes out (zarr `bytes -> bytes`).
    BytesToBytes,
}

impl CodecKind {
    /// The kind's name in snake case (`"array_to_array"`, `"array_to_bytes"`,
    /// `"bytes_to_bytes"`), as the Python package and the registry list write it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::ArrayToArray => "array_to_array",
            Self::ArrayToBytes => "array_to_bytes",
            Self::BytesToBytes => "bytes_to_bytes",
        }
    }
}

/// How many bytes an encoded chunk takes, known before encoding (zarrs'
/// `BytesRepresentation`, which sharding uses to size its index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodedSize {
    /// Exactly this many bytes.
    Fixed(u64),
    /// At most this many bytes.
    Bounded(u64),
    /// No bound is known.
    Unbounded,
}

/// What every ndcodecs codec tells the zarr and Python layers, whatever its kind.
pub trait PipelineCodec:
    StaticCodec + Codec<Error = CodecError> + Clone + std::fmt::Debug + Send + Sync + 'static
{
    /// A valid configuration as JSON, e.g. `{"max_abs_error": 0.01}`: shown in docs, and used by
    /// the tests that walk the codec list to create the codec in every layer.
    const EXAMPLE_CONFIG: &'static str;

    /// The configuration field that names the dtype of the decoded array, if the configuration
    /// has one (`linear_quantize` and `lilcom`: `"dtype"`). zarr knows the dtype from the array
    /// metadata: the zarr-python wrappers fill this field in from the array (array → array) or
    /// from each chunk (array → bytes) when the metadata leaves it out.
    const DTYPE_FIELD: Option<&'static str> = None;

    /// Checks the configuration. [`StaticCodec::from_config`] cannot fail, so a codec that
    /// accepts a configuration it cannot use reports it here (and on first use).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] naming the field at fault.
    fn validate(&self) -> Result<(), CodecError> {
        Ok(())
    }

    /// The largest absolute difference between an input value and its decoded value that the
    /// configuration guarantees, in the data's units; `None` for a lossless codec or one without
    /// an absolute bound. The command line reports it beside the measured error.
    fn max_abs_error(&self) -> Option<f64> {
        None
    }
}

/// A filter: a typed n-d array in, a typed n-d array out.
pub trait ArrayToArrayCodec: PipelineCodec {
    /// The dtype of the decoded arrays if the configuration fixes it (`linear_quantize`: its
    /// `dtype`), else `None` (the codec takes several dtypes).
    fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        None
    }

    /// The dtype of the encoded array for decoded arrays of dtype `decoded`.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] if the codec does not take `decoded`;
    /// [`CodecError::InvalidConfig`] for an invalid configuration.
    fn encoded_dtype(&self, decoded: AnyArrayDType) -> Result<AnyArrayDType, CodecError>;

    /// The shape (C order, outermost axis first) of the encoded array for a decoded array of
    /// `shape`. Provided: the same shape.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] if the codec does not take arrays of this rank (e.g. an
    /// axis out of range).
    fn encoded_shape(&self, decoded: &[usize]) -> Result<Vec<usize>, CodecError> {
        Ok(decoded.to_vec())
    }

    /// True if each encoded element depends only on the decoded element at the same position,
    /// so that a flat buffer of encoded elements decodes without knowing the chunk's shape.
    fn elementwise(&self) -> bool {
        false
    }

    /// True if the encoded array records the decoded chunk's shape (and is 1-d), so that a flat
    /// buffer of encoded elements decodes on its own although the encoded shape differs from the
    /// decoded one (`interp_quantize`). Provided: false.
    fn self_describing(&self) -> bool {
        false
    }

    /// The encoded fill value (raw native-endian bytes of one element of the encoded dtype) for
    /// the fill value `fill` (one element of dtype `decoded`). Provided: `fill` encoded as a
    /// one-element 1-d array.
    ///
    /// # Errors
    ///
    /// As [`Self::encode_raw`].
    fn encoded_fill_value(
        &self,
        decoded: AnyArrayDType,
        fill: &[u8],
    ) -> Result<Vec<u8>, CodecError> {
        self.encode_raw(fill, decoded, &[1])
    }

    /// Encodes a chunk given as raw native-endian elements of `dtype` in C order, of `shape`,
    /// into the raw native-endian elements of the encoded array. Provided: through
    /// [`Codec::encode`], checking the result against [`Self::encoded_dtype`] and
    /// [`Self::encoded_shape`].
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `decoded` does not hold `shape` elements of `dtype`, and
    /// the errors of [`Codec::encode`].
    fn encode_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        let expected = (self.encoded_dtype(dtype)?, self.encoded_shape(shape)?);
        let input = array_from_bytes(Self::CODEC_ID, decoded, dtype, shape)?;
        let encoded = self.encode(input)?;
        check_array(Self::CODEC_ID, "encoded", &encoded, expected.0, &expected.1)?;
        Ok(encoded.as_bytes().into_owned())
    }

    /// Decodes the raw native-endian elements of an encoded array into the raw elements of the
    /// decoded chunk of `dtype` and `shape` (C order). The encoded size is checked against what
    /// `dtype` and `shape` give before anything is decoded, so the output is bounded by the
    /// chunk. Provided: through [`Codec::decode`], checking the result's dtype and shape.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `encoded` does not hold the encoded array of a chunk of
    /// `dtype` and `shape`, and the errors of [`Codec::decode`].
    fn decode_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        let input = array_from_bytes(
            Self::CODEC_ID,
            encoded,
            self.encoded_dtype(dtype)?,
            &self.encoded_shape(shape)?,
        )?;
        let decoded = self.decode(input)?;
        check_array(Self::CODEC_ID, "decoded", &decoded, dtype, shape)?;
        Ok(decoded.as_bytes().into_owned())
    }
}

/// A serializer: a typed n-d array in, one byte string out.
pub trait ArrayToBytesCodec: PipelineCodec {
    /// The dtype of the decoded arrays if the configuration fixes it (`lilcom`: its `dtype`).
    fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        None
    }

    /// The codec as it applies to chunks of `dtype` and `shape` (C order), having checked that
    /// it takes them (dtype, rank). zarr knows the dtype from the array metadata, so a codec
    /// whose configuration names the decoded dtype (`lilcom`) returns a copy configured for
    /// `dtype`. Provided: `self` unchanged.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] or [`CodecError::InvalidConfig`] if the codec does not
    /// take such chunks.
    fn bind(&self, dtype: AnyArrayDType, shape: &[usize]) -> Result<Cow<'_, Self>, CodecError> {
        let _ = (dtype, shape);
        Ok(Cow::Borrowed(self))
    }

    /// A bound on the encoded size of a chunk of `dtype` and `shape`. Provided: unbounded.
    fn encoded_size(&self, dtype: AnyArrayDType, shape: &[usize]) -> EncodedSize {
        let _ = (dtype, shape);
        EncodedSize::Unbounded
    }

    /// Encodes a chunk given as raw native-endian elements of `dtype` in C order, of `shape`,
    /// into one byte string. Provided: through [`Codec::encode`], which must return a 1-d
    /// `uint8` array.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `decoded` does not hold `shape` elements of `dtype`, and
    /// the errors of [`Codec::encode`].
    fn encode_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        let input = array_from_bytes(Self::CODEC_ID, decoded, dtype, shape)?;
        let encoded = self.encode(input)?;
        let n = encoded.len();
        check_array(Self::CODEC_ID, "encoded", &encoded, AnyArrayDType::U8, &[n])?;
        Ok(encoded.as_bytes().into_owned())
    }

    /// Decodes one byte string into the raw native-endian elements of a chunk of `dtype` and
    /// `shape` (C order). Provided: through [`Codec::decode_into`] with an output of `shape`,
    /// so that a decoder that checks the stored shape against its output does so before it
    /// allocates anything for the stream.
    ///
    /// # Errors
    ///
    /// The errors of [`Codec::decode_into`].
    fn decode_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        let input = array_from_bytes(Self::CODEC_ID, encoded, AnyArrayDType::U8, &[encoded.len()])?;
        let mut out = AnyArray::zeros(dtype, shape);
        self.decode_into(input.view(), out.view_mut())?;
        Ok(out.as_bytes().into_owned())
    }
}

/// A compressor or checksum: bytes in, bytes out.
pub trait BytesToBytesCodec: PipelineCodec {
    /// A bound on the encoded size for decoded data of size `decoded`. Provided: unbounded.
    fn encoded_size(&self, decoded: EncodedSize) -> EncodedSize {
        let _ = decoded;
        EncodedSize::Unbounded
    }

    /// Encodes `decoded`. Provided: [`Codec::encode`] of a 1-d `uint8` array, which must return
    /// a 1-d `uint8` array.
    ///
    /// # Errors
    ///
    /// The errors of [`Codec::encode`].
    fn encode_raw(&self, decoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        let input = array_from_bytes(Self::CODEC_ID, decoded, AnyArrayDType::U8, &[decoded.len()])?;
        let encoded = self.encode(input)?;
        let n = encoded.len();
        check_array(Self::CODEC_ID, "encoded", &encoded, AnyArrayDType::U8, &[n])?;
        Ok(encoded.as_bytes().into_owned())
    }

    /// Decodes `encoded`. Provided: [`Codec::decode`] of a 1-d `uint8` array, which must return
    /// a 1-d `uint8` array.
    ///
    /// # Errors
    ///
    /// The errors of [`Codec::decode`].
    fn decode_raw(&self, encoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        let input = array_from_bytes(Self::CODEC_ID, encoded, AnyArrayDType::U8, &[encoded.len()])?;
        let decoded = self.decode(input)?;
        let n = decoded.len();
        check_array(Self::CODEC_ID, "decoded", &decoded, AnyArrayDType::U8, &[n])?;
        Ok(decoded.as_bytes().into_owned())
    }

    /// Decodes `encoded` without verifying a checksum it carries, for a caller that has turned
    /// checksum validation off (zarrs' `validate_checksums = false`). Provided: as
    /// [`Self::decode_raw`].
    ///
    /// # Errors
    ///
    /// As [`Self::decode_raw`], less the checksum mismatch.
    fn decode_raw_unchecked(&self, encoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        self.decode_raw(encoded)
    }
}

/// The C-order array of `shape` elements of `dtype` held in native-endian `bytes`: borrowed when
/// the bytes are aligned for `dtype`, else copied.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] if `bytes` does not hold exactly `shape` elements of `dtype`.
pub fn array_from_bytes<'a>(
    codec: &'static str,
    bytes: &'a [u8],
    dtype: AnyArrayDType,
    shape: &[usize],
) -> Result<AnyCowArray<'a>, CodecError> {
    let mismatch = || CodecError::ShapeMismatch {
        codec,
        expected: format!(
            "{} bytes for shape {shape:?} of {}",
            shape
                .iter()
                .try_fold(dtype.size(), |n, &d| n.checked_mul(d))
                .map_or_else(|| "more than usize::MAX".to_string(), |n| n.to_string()),
            dtype_name(dtype)
        ),
        found: format!("{} bytes", bytes.len()),
    };
    let elements = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(mismatch)?;
    if elements.checked_mul(dtype.size()) != Some(bytes.len()) {
        return Err(mismatch());
    }
    crate::with_element_type!(dtype_name(dtype), T => {
        let data: Cow<'a, [T]> = match bytemuck::try_cast_slice::<u8, T>(bytes) {
            Ok(slice) => Cow::Borrowed(slice),
            Err(_) => Cow::Owned(bytemuck::pod_collect_to_vec(bytes)),
        };
        let array: CowArray<'a, T, IxDyn> = match data {
            Cow::Borrowed(slice) => ArrayView::from_shape(IxDyn(shape), slice)
                .map_err(|_| mismatch())?
                .into(),
            Cow::Owned(vec) => ArrayD::from_shape_vec(IxDyn(shape), vec)
                .map_err(|_| mismatch())?
                .into(),
        };
        Ok(<T as Element>::into_any_cow(array))
    }, _ => Err(mismatch()))
}

/// Checks that a codec's output has the dtype and shape its kind's trait promised.
fn check_array(
    codec: &'static str,
    what: &str,
    array: &AnyArray,
    dtype: AnyArrayDType,
    shape: &[usize],
) -> Result<(), CodecError> {
    if array.dtype() == dtype && array.shape() == shape {
        return Ok(());
    }
    Err(CodecError::ShapeMismatch {
        codec,
        expected: format!(
            "an {what} array of shape {shape:?} and dtype {}",
            dtype_name(dtype)
        ),
        found: format!(
            "shape {:?} and dtype {}",
            array.shape(),
            dtype_name(array.dtype())
        ),
    })
}
