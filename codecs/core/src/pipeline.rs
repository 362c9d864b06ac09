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
//! faster byte path. The `*_into_raw` methods write into an output the caller allocated (a numpy
//! array, a zarrs chunk buffer), sized from what the caller expects rather than from anything the
//! encoded data declare: that is how every layer bounds a decoder's memory by the chunk.
//!
//! Two zarr conventions are implemented here once for every codec of a kind:
//!
//! - **zarr v2 filters** ([`ArrayToArrayCodec::chunk_shape`], [`ArrayToArrayCodec::bind`]): zarr v2
//!   hands the first filter of a chain the compressor's output as bare bytes. A filter whose
//!   configuration fixes its decoded dtype and chunk shape (numcodecs' `Delta(dtype=…)` convention)
//!   can read them; `bind` returns the codec configured so.
//! - **edge chunks** ([`ArrayToBytesCodec::encode_chunk`], [`ArrayToBytesCodec::decode_chunk`]):
//!   zarr pads the part of an edge chunk outside the array with the fill value (NaN for float
//!   variables written by xarray), which a lossy serializer may be unable to hold. When the codec
//!   refuses a value and the chunk's trailing slabs along some axes hold nothing but the fill value,
//!   the chunk is stored cropped to the box before those slabs, and decoding puts the fill value back
//!   around the stored box. A fill value inside that box (a real NaN in the data) is still refused.
//!
//! The traits know nothing of zarrs or Python: `ndcodecs-zarrs` has one generic zarrs adapter per
//! kind, and the Python package asks the same questions through its native module, both for every
//! codec in the `ndcodecs-registry` list.

use std::borrow::Cow;
use std::ops::Range;

use ndarray::{ArrayD, ArrayView, ArrayViewMut, CowArray, IxDyn};
use numcodecs::{AnyArray, AnyArrayDType, AnyArrayViewMut, AnyCowArray, Codec, StaticCodec};

use crate::CodecError;
use crate::dtype::{Element, dtype_name};
use crate::shape::{element_count, try_vec};

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

    /// The shape (C order) of the decoded chunks if the configuration fixes it, else `None`.
    ///
    /// zarr v2 hands the first filter of a chain its encoded chunk as bare bytes (the
    /// compressor's output): a filter that is not [`Self::elementwise`] can decode them only if
    /// its configuration names the chunk shape (and its dtype, [`Self::decoded_dtype`]). Provided:
    /// `None`.
    fn chunk_shape(&self) -> Option<Vec<usize>> {
        None
    }

    /// The codec as it applies to chunks of `dtype` and `shape` (C order), having checked that it
    /// takes them; for a codec that is not [`Self::elementwise`], configured with that dtype and
    /// chunk shape (so that it can decode bare bytes in zarr v2). Provided: the checks of
    /// [`Self::encoded_dtype`] and [`Self::encoded_shape`], then `self` unchanged.
    ///
    /// # Errors
    ///
    /// As [`Self::encoded_dtype`] and [`Self::encoded_shape`].
    fn bind(&self, dtype: AnyArrayDType, shape: &[usize]) -> Result<Cow<'_, Self>, CodecError> {
        self.encoded_dtype(dtype)?;
        self.encoded_shape(shape)?;
        Ok(Cow::Borrowed(self))
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

    /// The shape (C order) of the decoded chunk that an encoded array records (raw native-endian
    /// elements of the encoded dtype), read from its header without decoding (or allocating for)
    /// the data: what a caller holding only a flat encoded buffer decodes into. `None` unless the
    /// codec is [`Self::self_describing`]. Provided: `None`.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`], [`CodecError::Corrupt`] or [`CodecError::ShapeMismatch`] for
    /// an unreadable header.
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError> {
        let _ = encoded;
        Ok(None)
    }

    /// True if an encoded array of a [`Self::self_describing`] codec records a chunk given in
    /// Fortran (column-major) memory order, which numcodecs callers get back in that order (zarr
    /// v2 reads an `order="F"` chunk's decoded memory as column-major). The raw byte paths still
    /// decode it into C order. Provided: false.
    ///
    /// # Errors
    ///
    /// As [`Self::stored_shape`].
    fn stored_fortran(&self, encoded: &[u8]) -> Result<bool, CodecError> {
        let _ = encoded;
        Ok(false)
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
    /// into the raw native-endian elements of the encoded array. Provided: a fallibly allocated
    /// output filled by [`Self::encode_into_raw`].
    ///
    /// # Errors
    ///
    /// As [`Self::encode_into_raw`], and [`CodecError::OutOfMemory`].
    fn encode_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        let size = self.encoded_dtype(dtype)?.size();
        let n = element_count(Self::CODEC_ID, &self.encoded_shape(shape)?)?;
        let mut out = try_vec(Self::CODEC_ID, "the encoded chunk", n.saturating_mul(size))?;
        self.encode_into_raw(decoded, dtype, shape, &mut out)?;
        Ok(out)
    }

    /// Encodes a chunk (raw native-endian elements of `dtype`, C order, of `shape`) into `out`,
    /// which must hold exactly the encoded array of [`Self::encoded_dtype`] and
    /// [`Self::encoded_shape`]. Provided: through [`Codec::encode`] and a copy; a codec with a
    /// direct byte path overrides it.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `decoded` or `out` does not hold the expected number of
    /// bytes, and the errors of [`Codec::encode`].
    fn encode_into_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        let expected = (self.encoded_dtype(dtype)?, self.encoded_shape(shape)?);
        check_len(
            Self::CODEC_ID,
            "the encoded output",
            out.len(),
            expected.0,
            &expected.1,
        )?;
        let input = array_from_bytes(Self::CODEC_ID, decoded, dtype, shape)?;
        let encoded = self.encode(input)?;
        check_array(Self::CODEC_ID, "encoded", &encoded, expected.0, &expected.1)?;
        out.copy_from_slice(&encoded.as_bytes());
        Ok(())
    }

    /// Decodes the raw native-endian elements of an encoded array into the raw elements of the
    /// decoded chunk of `dtype` and `shape` (C order). The encoded size is checked against what
    /// `dtype` and `shape` give before anything is decoded, so the output is bounded by the
    /// chunk. Provided: a fallibly allocated output filled by [`Self::decode_into_raw`].
    ///
    /// # Errors
    ///
    /// As [`Self::decode_into_raw`], and [`CodecError::OutOfMemory`].
    fn decode_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        let n = element_count(Self::CODEC_ID, shape)?;
        let mut out = try_vec(
            Self::CODEC_ID,
            "the decoded chunk",
            n.saturating_mul(dtype.size()),
        )?;
        self.decode_into_raw(encoded, dtype, shape, &mut out)?;
        Ok(out)
    }

    /// Decodes the raw native-endian elements of an encoded array into `out`, the raw elements
    /// of a decoded chunk of `dtype` and `shape` (C order). Both sizes are checked before
    /// anything is decoded. Provided: through [`Codec::decode_into`] on a view of `out`.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `encoded` does not hold the encoded array of such a chunk
    /// or `out` does not hold the chunk, and the errors of [`Codec::decode_into`].
    fn decode_into_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        let input = array_from_bytes(
            Self::CODEC_ID,
            encoded,
            self.encoded_dtype(dtype)?,
            &self.encoded_shape(shape)?,
        )?;
        with_array_view_mut(Self::CODEC_ID, out, dtype, shape, |view| {
            self.decode_into(input.view(), view)
        })
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

    /// The shape (C order) that an encoded byte string declares, read from its header without
    /// decoding (or allocating for) the data; `None` if the format does not store its shape.
    /// Callers check it against the chunk (or output) they expect before decoding, and
    /// [`Self::decode_chunk`] uses it to recognise a chunk stored cropped. Provided: `None`.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] or [`CodecError::Corrupt`] for an unreadable header.
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError> {
        let _ = encoded;
        Ok(None)
    }

    /// The dtype that an encoded byte string declares, read from its header without decoding
    /// the data; `None` if the format does not store it (the configuration then names it:
    /// [`Self::decoded_dtype`]). Lets a caller without array metadata (numcodecs, the CLI)
    /// allocate the output of a self-describing stream. Provided: `None`.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] or [`CodecError::Corrupt`] for an unreadable header.
    fn stored_dtype(&self, encoded: &[u8]) -> Result<Option<AnyArrayDType>, CodecError> {
        let _ = encoded;
        Ok(None)
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
    /// `shape` (C order). Provided: a fallibly allocated output filled by
    /// [`Self::decode_into_raw`].
    ///
    /// # Errors
    ///
    /// As [`Self::decode_into_raw`], and [`CodecError::OutOfMemory`].
    fn decode_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        let n = element_count(Self::CODEC_ID, shape)?;
        let mut out = try_vec(
            Self::CODEC_ID,
            "the decoded chunk",
            n.saturating_mul(dtype.size()),
        )?;
        self.decode_into_raw(encoded, dtype, shape, &mut out)?;
        Ok(out)
    }

    /// Decodes one byte string into `out`, the raw native-endian elements of a chunk of `dtype`
    /// and `shape` (C order). The output is the caller's, sized by the chunk it expects: a
    /// decoder that checks the stored shape against it does so before it allocates anything for
    /// the stream. Provided: through [`Codec::decode_into`] on a view of `out`.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] if `out` does not hold a chunk of `dtype` and `shape`, and
    /// the errors of [`Codec::decode_into`].
    fn decode_into_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        let input = array_from_bytes(Self::CODEC_ID, encoded, AnyArrayDType::U8, &[encoded.len()])?;
        with_array_view_mut(Self::CODEC_ID, out, dtype, shape, |view| {
            self.decode_into(input.view(), view)
        })
    }

    /// Encodes one zarr chunk whose elements outside the array hold the fill value `fill` (raw
    /// native-endian bytes of one element of `dtype`).
    ///
    /// The chunk is encoded whole with [`Self::encode_raw`]. If the codec refuses a value
    /// ([`CodecError::OutOfRange`], e.g. lilcom and a NaN fill value) and the codec stores its
    /// shape ([`Self::stored_shape`]), the trailing slabs of the chunk that hold only the fill
    /// value (bit for bit) are cropped off and the box before them is encoded instead: the
    /// padding zarr adds to an edge chunk is never stored, while a refused value inside the box
    /// (a real NaN in the data) is still an error. Returns `None` if the chunk holds nothing but
    /// the fill value and the codec refuses it (there is nothing to store: zarr reads a missing
    /// chunk as the fill value).
    ///
    /// # Errors
    ///
    /// The errors of [`Self::encode_raw`] (for the cropped box when cropping was tried).
    fn encode_chunk(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        fill: &[u8],
    ) -> Result<Option<Vec<u8>>, CodecError> {
        let refused = match self.encode_raw(decoded, dtype, shape) {
            Ok(encoded) => return Ok(Some(encoded)),
            Err(e @ CodecError::OutOfRange { .. }) => e,
            Err(e) => return Err(e),
        };
        if fill.len() != dtype.size()
            || decoded.len() != element_count(Self::CODEC_ID, shape)?.saturating_mul(fill.len())
        {
            return Err(refused);
        }
        let Some(extent) = fill_box(decoded, fill, shape) else {
            return Ok(None);
        };
        if extent == shape {
            return Err(refused);
        }
        let cropped = copy_box(Self::CODEC_ID, decoded, fill.len(), shape, &extent)?;
        let encoded = self.encode_raw(&cropped, dtype, &extent)?;
        // Only a codec that stores its shape can tell a cropped chunk when decoding.
        if self.stored_shape(&encoded)?.as_deref() != Some(&extent[..]) {
            return Err(refused);
        }
        Ok(Some(encoded))
    }

    /// Decodes one zarr chunk of `dtype` and `shape` into `out` (raw native-endian elements, C
    /// order): [`Self::decode_into_raw`], or, for a chunk that [`Self::encode_chunk`] stored
    /// cropped (a stored shape of the same rank and no larger along any axis, checked before
    /// anything is allocated), the stored box with the fill value `fill` around it.
    ///
    /// # Errors
    ///
    /// [`CodecError::ShapeMismatch`] for a stored shape larger than the chunk along some axis,
    /// and the errors of [`Self::decode_into_raw`].
    fn decode_chunk(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        fill: &[u8],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        let stored = match self.stored_shape(encoded)? {
            Some(stored) if stored.len() == shape.len() && stored != shape => stored,
            _ => return self.decode_into_raw(encoded, dtype, shape, out),
        };
        let size = dtype.size();
        if stored.iter().zip(shape).any(|(s, c)| s > c)
            || fill.len() != size
            || out.len() != element_count(Self::CODEC_ID, shape)?.saturating_mul(size)
        {
            return Err(CodecError::ShapeMismatch {
                codec: Self::CODEC_ID,
                expected: format!(
                    "a chunk of shape {shape:?} (or a box of it cropped at its end) of {}",
                    dtype_name(dtype)
                ),
                found: format!(
                    "a stored shape of {stored:?} and an output of {} bytes",
                    out.len()
                ),
            });
        }
        let n = element_count(Self::CODEC_ID, &stored)?;
        let mut part = try_vec(Self::CODEC_ID, "the decoded chunk", n.saturating_mul(size))?;
        self.decode_into_raw(encoded, dtype, &stored, &mut part)?;
        for element in out.chunks_exact_mut(size) {
            element.copy_from_slice(fill);
        }
        place_box(&part, out, size, shape, &stored);
        Ok(())
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

    /// Encodes `decoded` into `out` (sized from [`Self::encoded_size`] of the decoded size),
    /// returning the number of bytes written. Provided: [`Self::encode_raw`] and a copy.
    ///
    /// # Errors
    ///
    /// As [`Self::encode_raw`], and [`CodecError::ShapeMismatch`] if `out` is too small.
    fn encode_into_raw(&self, decoded: &[u8], out: &mut [u8]) -> Result<usize, CodecError> {
        let encoded = self.encode_raw(decoded)?;
        let Some(target) = out.get_mut(..encoded.len()) else {
            return Err(CodecError::ShapeMismatch {
                codec: Self::CODEC_ID,
                expected: format!("an output of at least {} bytes", encoded.len()),
                found: format!("{} bytes", out.len()),
            });
        };
        target.copy_from_slice(&encoded);
        Ok(encoded.len())
    }

    /// For a codec whose decoded data are a part of the encoded data (a checksum), the byte
    /// range of that part, once verified: a caller may then use the encoded bytes in place
    /// instead of copying them. Provided: `None` (decode as usual).
    ///
    /// # Errors
    ///
    /// As [`Self::decode_raw`].
    fn decoded_range(&self, encoded: &[u8]) -> Result<Option<Range<usize>>, CodecError> {
        let _ = encoded;
        Ok(None)
    }

    /// Decodes `encoded` into `out`, which must have exactly the decoded size. Provided:
    /// [`Self::decode_raw`] and a copy.
    ///
    /// # Errors
    ///
    /// As [`Self::decode_raw`], and [`CodecError::ShapeMismatch`] if the decoded size differs
    /// from `out`'s.
    fn decode_into_raw(&self, encoded: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
        let decoded = self.decode_raw(encoded)?;
        if decoded.len() != out.len() {
            return Err(CodecError::ShapeMismatch {
                codec: Self::CODEC_ID,
                expected: format!("{} decoded bytes (the output's size)", out.len()),
                found: format!("{} bytes", decoded.len()),
            });
        }
        out.copy_from_slice(&decoded);
        Ok(())
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

/// A C-order array of `shape` zeros of `dtype`, allocated fallibly: the output a decoder
/// allocates through numcodecs' `Codec::decode`.
///
/// # Errors
///
/// [`CodecError::LimitExceeded`] if the element count overflows, [`CodecError::OutOfMemory`] if
/// the memory cannot be reserved, [`CodecError::UnsupportedDtype`] for a non-numeric dtype.
pub fn try_zeros(
    codec: &'static str,
    dtype: AnyArrayDType,
    shape: &[usize],
) -> Result<AnyArray, CodecError> {
    let n = element_count(codec, shape)?;
    crate::with_element_type!(dtype_name(dtype), T => {
        let data: Vec<T> = try_vec(codec, "the output array", n)?;
        let array = ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|e| {
            CodecError::ShapeMismatch { codec, expected: format!("{shape:?}"), found: e.to_string() }
        })?;
        Ok(<T as Element>::into_any(array))
    }, _ => Err(CodecError::UnsupportedDtype {
        codec,
        found: dtype_name(dtype).into(),
        expected: "a numeric dtype".into(),
    }))
}

/// Calls `f` with a mutable C-order view of `shape` elements of `dtype` over the native-endian
/// bytes `out`: directly when the bytes are aligned for `dtype`, else through a temporary copied
/// back afterwards.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] if `out` does not hold exactly `shape` elements of `dtype`;
/// [`CodecError::OutOfMemory`] if the temporary cannot be allocated; the errors of `f`.
pub fn with_array_view_mut(
    codec: &'static str,
    out: &mut [u8],
    dtype: AnyArrayDType,
    shape: &[usize],
    f: impl FnOnce(AnyArrayViewMut<'_>) -> Result<(), CodecError>,
) -> Result<(), CodecError> {
    check_len(codec, "the output", out.len(), dtype, shape)?;
    let mismatch = |e: ndarray::ShapeError| CodecError::ShapeMismatch {
        codec,
        expected: format!("an output of shape {shape:?}"),
        found: e.to_string(),
    };
    crate::with_element_type!(dtype_name(dtype), T => {
        if let Ok(slice) = bytemuck::try_cast_slice_mut::<u8, T>(out) {
            let view = ArrayViewMut::from_shape(IxDyn(shape), slice).map_err(mismatch)?;
            return f(<T as Element>::into_any_view_mut(view));
        }
        let mut tmp: Vec<T> = try_vec(codec, "an aligned copy of the output", out.len() / dtype.size())?;
        let view = ArrayViewMut::from_shape(IxDyn(shape), &mut tmp[..]).map_err(mismatch)?;
        f(<T as Element>::into_any_view_mut(view))?;
        out.copy_from_slice(bytemuck::cast_slice(&tmp));
        Ok(())
    }, _ => Err(CodecError::UnsupportedDtype {
        codec,
        found: dtype_name(dtype).into(),
        expected: "a numeric dtype".into(),
    }))
}

/// The native-endian bytes `bytes` as a slice of `T`: borrowed when aligned, else copied (into
/// a fallibly allocated vector).
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] if `bytes` is not a whole number of `T`;
/// [`CodecError::OutOfMemory`] if the copy cannot be allocated.
pub fn cast_elements<'a, T: bytemuck::Pod + Default>(
    codec: &'static str,
    bytes: &'a [u8],
) -> Result<Cow<'a, [T]>, CodecError> {
    let size = std::mem::size_of::<T>();
    if !bytes.len().is_multiple_of(size) {
        return Err(CodecError::ShapeMismatch {
            codec,
            expected: format!("whole elements of {size} bytes"),
            found: format!("{} bytes", bytes.len()),
        });
    }
    if let Ok(slice) = bytemuck::try_cast_slice::<u8, T>(bytes) {
        return Ok(Cow::Borrowed(slice));
    }
    let mut v: Vec<T> = try_vec(codec, "an aligned copy of the input", bytes.len() / size)?;
    bytemuck::cast_slice_mut::<T, u8>(&mut v).copy_from_slice(bytes);
    Ok(Cow::Owned(v))
}

/// Calls `f` with the native-endian bytes `out` as a mutable slice of `T`: directly when
/// aligned, else through a temporary copied back afterwards.
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] if `out` is not a whole number of `T`;
/// [`CodecError::OutOfMemory`] if the temporary cannot be allocated; the errors of `f`.
pub fn with_elements_mut<T: bytemuck::Pod + Default>(
    codec: &'static str,
    out: &mut [u8],
    f: impl FnOnce(&mut [T]) -> Result<(), CodecError>,
) -> Result<(), CodecError> {
    let size = std::mem::size_of::<T>();
    if !out.len().is_multiple_of(size) {
        return Err(CodecError::ShapeMismatch {
            codec,
            expected: format!("an output of whole elements of {size} bytes"),
            found: format!("{} bytes", out.len()),
        });
    }
    if let Ok(slice) = bytemuck::try_cast_slice_mut::<u8, T>(out) {
        return f(slice);
    }
    let mut tmp: Vec<T> = try_vec(codec, "an aligned copy of the output", out.len() / size)?;
    f(&mut tmp)?;
    out.copy_from_slice(bytemuck::cast_slice(&tmp));
    Ok(())
}

/// Checks that `len` bytes hold exactly `shape` elements of `dtype` (`what` names the buffer in
/// the error).
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] otherwise.
pub fn check_len(
    codec: &'static str,
    what: &str,
    len: usize,
    dtype: AnyArrayDType,
    shape: &[usize],
) -> Result<(), CodecError> {
    let expected = element_count(codec, shape)?.checked_mul(dtype.size());
    if expected == Some(len) {
        return Ok(());
    }
    Err(CodecError::ShapeMismatch {
        codec,
        expected: format!(
            "{what} to hold shape {shape:?} of {} ({} bytes)",
            dtype_name(dtype),
            expected.map_or_else(|| "more than usize::MAX".into(), |n| n.to_string())
        ),
        found: format!("{len} bytes"),
    })
}

/// The extent, along each axis, of the smallest box at the origin of a C-order chunk of `shape`
/// (elements of `fill.len()` bytes) outside which every element equals `fill` bit for bit;
/// `None` if every element does.
fn fill_box(data: &[u8], fill: &[u8], shape: &[usize]) -> Option<Vec<usize>> {
    let size = fill.len();
    let rank = shape.len();
    if rank == 0 {
        return (data != fill).then(Vec::new);
    }
    let mut extent = vec![0usize; rank];
    let row = shape[rank - 1];
    let mut index = vec![0usize; rank - 1];
    if row == 0 {
        return None;
    }
    for r in data.chunks_exact(row * size) {
        // The last element of the row that is not the fill value, from the end.
        if let Some(last) = r.chunks_exact(size).rposition(|e| e != fill) {
            extent[rank - 1] = extent[rank - 1].max(last + 1);
            for (e, &i) in extent.iter_mut().zip(&index) {
                *e = (*e).max(i + 1);
            }
        }
        for k in (0..rank - 1).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    (extent[rank - 1] > 0).then_some(extent)
}

/// The C-order elements of the box `extent` at the origin of a chunk of `shape` (elements of
/// `size` bytes), copied into a fallibly allocated buffer.
fn copy_box(
    codec: &'static str,
    data: &[u8],
    size: usize,
    shape: &[usize],
    extent: &[usize],
) -> Result<Vec<u8>, CodecError> {
    let n = element_count(codec, extent)?;
    let mut out = try_vec(codec, "the cropped chunk", n.saturating_mul(size))?;
    walk_box(shape, extent, size, |chunk_at, box_at, len| {
        out[box_at..box_at + len].copy_from_slice(&data[chunk_at..chunk_at + len]);
    });
    Ok(out)
}

/// Copies the C-order box `part` of `extent` into the chunk `out` of `shape` at the origin.
fn place_box(part: &[u8], out: &mut [u8], size: usize, shape: &[usize], extent: &[usize]) {
    walk_box(shape, extent, size, |chunk_at, box_at, len| {
        out[chunk_at..chunk_at + len].copy_from_slice(&part[box_at..box_at + len]);
    });
}

/// Calls `f(chunk offset, box offset, length)` (in bytes) for each row of the box `extent` at
/// the origin of a C-order chunk of `shape`; `extent` is no larger than `shape` and not empty.
fn walk_box(
    shape: &[usize],
    extent: &[usize],
    size: usize,
    mut f: impl FnMut(usize, usize, usize),
) {
    let rank = shape.len();
    if rank == 0 {
        f(0, 0, size);
        return;
    }
    let row = extent[rank - 1] * size;
    let mut strides = vec![size; rank];
    for k in (0..rank - 1).rev() {
        strides[k] = strides[k + 1] * shape[k + 1];
    }
    let rows: usize = extent[..rank - 1].iter().product();
    let mut index = vec![0usize; rank - 1];
    for r in 0..rows {
        let at: usize = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
        f(at, r * row, row);
        for k in (0..rank - 1).rev() {
            index[k] += 1;
            if index[k] < extent[k] {
                break;
            }
            index[k] = 0;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_box_finds_the_trailing_fill_slabs() {
        let fill = 9u8.to_ne_bytes();
        // 3 x 4, the last row and the last two columns are fill.
        let data = [1, 2, 9, 9, 3, 9, 9, 9, 9, 9, 9, 9];
        assert_eq!(fill_box(&data, &fill, &[3, 4]), Some(vec![2, 2]));
        assert_eq!(fill_box(&[9; 12], &fill, &[3, 4]), None);
        assert_eq!(fill_box(&[1; 12], &fill, &[3, 4]), Some(vec![3, 4]));
        assert_eq!(fill_box(&[9], &fill, &[]), None);
        assert_eq!(fill_box(&[1], &fill, &[]), Some(vec![]));
        // A fill value inside the box stays inside.
        assert_eq!(fill_box(&[9, 1, 9, 9], &fill, &[2, 2]), Some(vec![1, 2]));
    }

    #[test]
    fn boxes_copy_out_and_back() {
        let data: Vec<u8> = (0..24).collect();
        let part = copy_box("t", &data, 2, &[3, 4], &[2, 3]).unwrap();
        // Elements of 2 bytes: rows of 8 bytes, the box takes 6 of each of the first two rows.
        assert_eq!(part, [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13]);
        let mut out = vec![0u8; 24];
        place_box(&part, &mut out, 2, &[3, 4], &[2, 3]);
        assert_eq!(&out[..6], &data[..6]);
        assert_eq!(&out[8..14], &data[8..14]);
        assert!(out[6..8].iter().chain(&out[14..]).all(|&b| b == 0));
    }
}
