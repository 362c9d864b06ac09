//! `arith`: lossless context-adaptive arithmetic coding of n-dimensional integer arrays.
//!
//! Every element is coded with a range coder ([`ndcodecs_entropy`]) under adaptive models chosen
//! by its already coded neighbours along each axis (the *causal neighbourhood*): the neighbours'
//! magnitudes, summed with weights and bucketed on a log scale, pick the statistics, so that a
//! smooth region and an edge are coded with different ones; the signs of the left and upper
//! neighbours pick the sign's model. A value is split into a zero flag, a bit-length token (an
//! adaptive 18-symbol distribution, with an escape for magnitudes of 2^16 and more), a sign, its
//! first mantissa bit (adaptive) and the remaining mantissa bits (equiprobable), so that an
//! outlier costs its bit length plus a few bits, and a long run of zeros next to nothing. The
//! design follows the context modelling of CALIC (Wu & Memon, 1997) and the binarisation of
//! CABAC (Marpe et al., 2003); the issue is ndcodecs #9.
//!
//! That is context model 0 (`"model": "adaptive"`, the default). Context model 1
//! (`"model": "fast"`, [`ArithModel::Fast`]) trades size for speed: no prediction, and a static
//! table per context and chunk (16 contexts from the neighbours' bit lengths; the idea of SZ3's
//! per-chunk Huffman tables and LOCO-I's context classes) on four interleaved rANS states
//! ([`ndcodecs_entropy::RansDecoder`]), the low bits of each value in a raw bit stream: one
//! table lookup per value to decode. Context model 2 (`"model": "fast_lanes"`,
//! [`ArithModel::FastLanes`]) is model 1 with the values in four lanes (contiguous sub-arrays,
//! each its own rANS state and context chain) decoded in lockstep: the same tables, within a
//! fraction of a percent of model 1's size, faster to decode. Context model 3
//! (`"model": "fast_lanes16"`, [`ArithModel::FastLanes16`]) is the same with sixteen lanes, which
//! the decoder runs lane-parallel (each step of a round of sixteen symbols as one loop over the
//! lanes): faster to decode again, 48 bytes more per chunk. The model id is in every stream;
//! every decoder reads every model.
//!
//! - numcodecs codec id: `arith`; zarr v3 name `ndcodecs.arith` (zarr v2 id `arith`).
//! - array → bytes: the encoded chunk is one `arith` stream (dtype and shape in its header, a
//!   CRC-32 of the values, then the range-coded values).
//! - dtypes: `int8`..`int64`, `uint8`..`uint64`, lossless. Unsigned values are modelled as the
//!   signed integers with the same bits, so that the wrapped differences `spatial_delta` leaves
//!   in unsigned arrays are small numbers.
//! - any rank 0..=32, 0-length and size-1 axes; C order, outermost axis first.
//! - Specification: `specs/arith/README.md` in the repository.
//!
//! Typical chains: `linear_quantize → spatial_delta → arith` (floats with an error bound),
//! `spatial_delta → arith` (images, volumes, integer fields).
//!
//! ```
//! use ndcodecs_arith::{ArithCodec, ArithConfig};
//! use numcodecs::{AnyArray, Codec, StaticCodec};
//!
//! let config: ArithConfig = serde_json::from_str("{}").unwrap();
//! let codec = ArithCodec::from_config(config);
//! let data = ndarray::ArrayD::from_shape_fn(vec![40, 30], |ix| (ix[0] as i32 - 20) * (ix[1] as i32 % 7));
//! let encoded = codec.encode(AnyArray::I32(data.clone()).cow()).unwrap();
//! assert_eq!(codec.decode(encoded.cow()).unwrap(), AnyArray::I32(data));
//! ```

mod config;
mod element;
mod fast;
pub mod format;
mod model;

use ndarray::{ArrayD, ArrayViewMutD, IxDyn};
use ndcodecs_core::{
    ByteReader, CodecError,
    dtype::dtype_name,
    pipeline::{ArrayToBytesCodec, PipelineCodec, check_len, with_elements_mut},
    shape::{MAX_CHUNK_ELEMENTS, checked_len, standard_elements, try_vec},
};
use ndcodecs_entropy::{EntropyError, RangeDecoder, RangeEncoder};
use numcodecs::{
    AnyArray, AnyArrayBase, AnyArrayDType, AnyArrayView, AnyArrayViewMut, AnyCowArray, ArrayDType,
    Codec, StaticCodec, StaticCodecConfig,
};

pub use config::{ArithConfig, ArithModel, ArithVersion};
pub use element::ArithElement;
pub use format::Header;

/// numcodecs codec id.
pub const CODEC_ID: &str = "arith";

/// Elements a stream may declare per bit of payload when decoded without an expected shape: no
/// element costs less than `-log2(65535/65536)` bits (a zero flag at its most probable), so a
/// longer declaration cannot be a valid stream.
const MAX_ELEMENTS_PER_PAYLOAD_BIT: u64 = 45_500;
/// The same for models 1 to 3: no symbol has a frequency above 4095/4096, so no value costs less than
/// `-log2(4095/4096)` bits (2839 values a bit).
const MAX_ELEMENTS_PER_PAYLOAD_BIT_FAST: u64 = 2_840;

/// Encodes `values` (C order, `shape` outermost axis first; an empty shape is a 0-d array of one
/// element) into one `arith` stream with the default context model ([`ArithModel::Adaptive`]).
///
/// # Errors
///
/// [`CodecError::ShapeMismatch`] if `values` does not hold `product(shape)` elements;
/// [`CodecError::InvalidConfig`] for a rank above 32.
pub fn encode<T: ArithElement>(values: &[T], shape: &[usize]) -> Result<Vec<u8>, CodecError> {
    encode_with_model(values, shape, ArithModel::Adaptive)
}

/// Encodes `values` (C order, `shape` outermost axis first) into one `arith` stream with the
/// context model `model` (recorded in the header; every decoder call reads either).
///
/// # Errors
///
/// As [`encode`].
pub fn encode_with_model<T: ArithElement>(
    values: &[T],
    shape: &[usize],
    model: ArithModel,
) -> Result<Vec<u8>, CodecError> {
    if shape.len() > format::MAX_RANK {
        return Err(CodecError::InvalidConfig {
            codec: CODEC_ID,
            message: format!(
                "rank {} exceeds the {} axes an arith stream holds",
                shape.len(),
                format::MAX_RANK
            ),
        });
    }
    let n = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if n != Some(values.len()) {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("{shape:?}"),
            found: format!("{} elements", values.len()),
        });
    }
    let header = Header {
        dtype: <T as ArrayDType>::DTYPE,
        shape: shape.iter().map(|&d| d as u64).collect(),
        model,
        checksum: 0,
    };
    let mut out = Vec::with_capacity(values.len() / 2 + 64);
    header.write_prefix(&mut out);
    let checksum = element::checksum(&out, values);
    out.extend_from_slice(&checksum.to_le_bytes());
    match model {
        ArithModel::Fast => {
            fast::encode_values(values, shape, &mut out);
            return Ok(out);
        }
        ArithModel::FastLanes => {
            fast::encode_values_lanes(values, shape, &mut out);
            return Ok(out);
        }
        ArithModel::FastLanes16 => {
            fast::encode_values_lanes16(values, shape, &mut out);
            return Ok(out);
        }
        ArithModel::Adaptive => {}
    }
    let mut enc = RangeEncoder::append_to(out);
    model::encode_values(values, shape, &mut enc);
    Ok(enc.finish())
}

/// Reads the header of an `arith` stream.
///
/// # Errors
///
/// As [`Header::read`].
pub fn read_header(bytes: &[u8]) -> Result<Header, CodecError> {
    Header::read(&mut ByteReader::new(CODEC_ID, bytes))
}

/// Decodes an `arith` stream whose dtype must be `T` and whose shape must be `expected_shape`
/// into `out` (C order). The header is checked against both before anything is decoded or
/// allocated.
///
/// # Errors
///
/// [`CodecError::UnsupportedDtype`] if the stream holds another dtype;
/// [`CodecError::ShapeMismatch`] if its shape differs from `expected_shape` or `out` does not
/// hold `product(expected_shape)` elements; [`CodecError::Truncated`] /
/// [`CodecError::Corrupt`] for a damaged stream (including trailing bytes and a wrong end);
/// [`CodecError::ChecksumMismatch`] if the decoded values do not match the stream's CRC-32;
/// [`CodecError::UnsupportedVersion`] for a stream of a newer format;
/// [`CodecError::OutOfMemory`] if the decoder's working memory (an `int16` copy of the values
/// for the context model of rank 2 and up, rows of symbols) cannot be had.
pub fn decode_into<T: ArithElement>(
    bytes: &[u8],
    expected_shape: &[usize],
    out: &mut [T],
) -> Result<(), CodecError> {
    let mut reader = ByteReader::new(CODEC_ID, bytes);
    let header = Header::read(&mut reader)?;
    if header.dtype != <T as ArrayDType>::DTYPE {
        return Err(CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: format!("{} (stored in the stream)", dtype_name(header.dtype)),
            expected: format!(
                "{} (the array's dtype)",
                dtype_name(<T as ArrayDType>::DTYPE)
            ),
        });
    }
    let expected: Vec<u64> = expected_shape.iter().map(|&d| d as u64).collect();
    if header.shape != expected {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("{expected_shape:?}"),
            found: format!("{:?} (stored in the stream)", header.shape),
        });
    }
    let n: usize = expected_shape.iter().product();
    if out.len() != n {
        return Err(CodecError::ShapeMismatch {
            codec: CODEC_ID,
            expected: format!("an output of {n} elements for shape {expected_shape:?}"),
            found: format!("{} elements", out.len()),
        });
    }
    decode_payload_checked(bytes, reader, &header, expected_shape, out)
}

fn decode_payload_checked<T: ArithElement>(
    bytes: &[u8],
    reader: ByteReader<'_>,
    header: &Header,
    shape: &[usize],
    out: &mut [T],
) -> Result<(), CodecError> {
    let offset = reader.offset();
    let payload = reader.remaining();
    let prefix = &bytes[..offset - 4];
    match header.model {
        ArithModel::Fast => {
            fast::decode_values(payload, shape, out)?;
            return check_values(prefix, header, out);
        }
        ArithModel::FastLanes => {
            fast::decode_values_lanes(payload, shape, out)?;
            return check_values(prefix, header, out);
        }
        ArithModel::FastLanes16 => {
            fast::decode_values_lanes16(payload, shape, out)?;
            return check_values(prefix, header, out);
        }
        ArithModel::Adaptive => {}
    }
    let mut dec = RangeDecoder::new(payload);
    let valid = model::decode_values(&mut dec, shape, out)?;
    dec.finish().map_err(|e| match e {
        EntropyError::Truncated { needed, available } => CodecError::Truncated {
            codec: CODEC_ID,
            offset: offset + available,
            needed: needed - available,
            available: 0,
        },
        other => CodecError::Corrupt {
            codec: CODEC_ID,
            message: other.to_string(),
        },
    })?;
    if !valid {
        return Err(CodecError::Corrupt {
            codec: CODEC_ID,
            message: "the coded decisions form a value no encoder writes".into(),
        });
    }
    check_values(prefix, header, out)
}

/// Compares the CRC-32 of the header's `prefix` and the decoded values with the stored one.
fn check_values<T: ArithElement>(
    prefix: &[u8],
    header: &Header,
    out: &[T],
) -> Result<(), CodecError> {
    let computed = element::checksum(prefix, out);
    if computed != header.checksum {
        return Err(CodecError::ChecksumMismatch {
            codec: CODEC_ID,
            stored: header.checksum,
            computed,
        });
    }
    Ok(())
}

/// The element count `header` declares, checked against [`MAX_CHUNK_ELEMENTS`] and against
/// what a payload of `payload_len` bytes can hold under its model.
fn check_declared_len(header: &Header, payload_len: usize) -> Result<u64, CodecError> {
    let n = checked_len(CODEC_ID, &header.shape)? as u64;
    let payload_bits = (payload_len as u64 + 8) * 8;
    let per_bit = match header.model {
        ArithModel::Adaptive => MAX_ELEMENTS_PER_PAYLOAD_BIT,
        ArithModel::Fast | ArithModel::FastLanes | ArithModel::FastLanes16 => {
            MAX_ELEMENTS_PER_PAYLOAD_BIT_FAST
        }
    };
    let limit = payload_bits.saturating_mul(per_bit).min(MAX_CHUNK_ELEMENTS);
    if n > limit {
        return Err(CodecError::LimitExceeded {
            codec: CODEC_ID,
            what: "declared element count (for the payload's size)",
            found: n,
            limit,
        });
    }
    Ok(n)
}

/// Decodes an `arith` stream on its own: dtype and shape from its header.
///
/// The declared element count is checked against [`MAX_CHUNK_ELEMENTS`] and against what the
/// payload can hold (no element costs less than 2^-15.5 bits under model 0, `-log2(4095/4096)`
/// bits under model 1) before anything is allocated.
///
/// # Errors
///
/// As [`decode_into`], plus [`CodecError::LimitExceeded`] for a declared element count above
/// either limit.
pub fn decode(bytes: &[u8]) -> Result<AnyArray, CodecError> {
    let mut reader = ByteReader::new(CODEC_ID, bytes);
    let header = Header::read(&mut reader)?;
    let n = check_declared_len(&header, reader.remaining().len())?;
    let shape: Vec<usize> = header.shape.iter().map(|&d| d as usize).collect();
    macro_rules! typed {
        ($t:ty, $v:ident) => {{
            let mut out: Vec<$t> = zeroed(n, "the decoded chunk")?;
            decode_payload_checked(bytes, reader, &header, &shape, &mut out)?;
            AnyArray::$v(ArrayD::from_shape_vec(IxDyn(&shape), out).map_err(|e| {
                CodecError::ShapeMismatch {
                    codec: CODEC_ID,
                    expected: format!("{shape:?}"),
                    found: e.to_string(),
                }
            })?)
        }};
    }
    Ok(match header.dtype {
        AnyArrayDType::U8 => typed!(u8, U8),
        AnyArrayDType::U16 => typed!(u16, U16),
        AnyArrayDType::U32 => typed!(u32, U32),
        AnyArrayDType::U64 => typed!(u64, U64),
        AnyArrayDType::I8 => typed!(i8, I8),
        AnyArrayDType::I16 => typed!(i16, I16),
        AnyArrayDType::I32 => typed!(i32, I32),
        _ => typed!(i64, I64),
    })
}

/// A zeroed vector of `n` values, or an error if the memory cannot be had (instead of aborting).
fn zeroed<T: Clone + Default>(n: u64, what: &'static str) -> Result<Vec<T>, CodecError> {
    let n = usize::try_from(n).map_err(|_| CodecError::LimitExceeded {
        codec: CODEC_ID,
        what: "decoded element count",
        found: n,
        limit: usize::MAX as u64,
    })?;
    try_vec(CODEC_ID, what, n)
}

/// The `arith` codec (see the [crate] docs).
#[derive(Clone, Debug, Default)]
pub struct ArithCodec {
    config: ArithConfig,
}

impl ArithCodec {
    /// A codec with this configuration.
    #[must_use]
    pub const fn new(config: ArithConfig) -> Self {
        Self { config }
    }
}

fn unsupported(found: AnyArrayDType) -> CodecError {
    CodecError::UnsupportedDtype {
        codec: CODEC_ID,
        found: dtype_name(found).into(),
        expected: "an integer dtype (int8..int64, uint8..uint64); quantise floats first, e.g. with linear_quantize".into(),
    }
}

fn decode_into_view<T: ArithElement>(
    bytes: &[u8],
    mut out: ArrayViewMutD<'_, T>,
) -> Result<(), CodecError> {
    let shape = out.shape().to_vec();
    if let Some(slice) = out.as_slice_mut() {
        return decode_into(bytes, &shape, slice);
    }
    let mut tmp = zeroed::<T>(out.len() as u64, "a contiguous copy of the output")?;
    decode_into(bytes, &shape, &mut tmp)?;
    for (o, v) in out.iter_mut().zip(tmp) {
        *o = v;
    }
    Ok(())
}

/// The one dtype dispatch point of this crate: binds the typed array of every integer variant.
macro_rules! match_int {
    ($array:expr, $a:ident => $body:expr, $other:ident => $fallback:expr $(,)?) => {
        match $array {
            AnyArrayBase::U8($a) => $body,
            AnyArrayBase::U16($a) => $body,
            AnyArrayBase::U32($a) => $body,
            AnyArrayBase::U64($a) => $body,
            AnyArrayBase::I8($a) => $body,
            AnyArrayBase::I16($a) => $body,
            AnyArrayBase::I32($a) => $body,
            AnyArrayBase::I64($a) => $body,
            $other => $fallback,
        }
    };
}

impl Codec for ArithCodec {
    type Error = CodecError;

    /// Encodes an integer array of any rank up to 32 into a 1-d `uint8` array holding one
    /// `arith` stream. The input is read, never modified; non-contiguous input is copied.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for a float array; otherwise as [`encode`].
    fn encode(&self, data: AnyCowArray) -> Result<AnyArray, Self::Error> {
        let bytes = match_int!(
            data,
            a => encode_with_model(&standard_elements(&a), a.shape(), self.config.model)?,
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

    /// Decodes a `uint8` array holding one `arith` stream into an array of the dtype and shape
    /// stored in the stream.
    ///
    /// # Errors
    ///
    /// As [`decode`], plus [`CodecError::UnsupportedDtype`] if `encoded` is not `uint8`.
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        decode(&bytes_of(&encoded.view())?)
    }

    /// Decodes into `decoded`, whose dtype and shape must be those of the stream (checked
    /// against its header before anything is decoded).
    ///
    /// # Errors
    ///
    /// As [`crate::decode_into`].
    fn decode_into(
        &self,
        encoded: AnyArrayView,
        decoded: AnyArrayViewMut,
    ) -> Result<(), Self::Error> {
        let bytes = bytes_of(&encoded)?;
        match_int!(
            decoded,
            v => decode_into_view(&bytes, v),
            other => Err(unsupported(other.dtype())),
        )
    }
}

fn bytes_of(encoded: &AnyArrayView<'_>) -> Result<Vec<u8>, CodecError> {
    match encoded {
        AnyArrayBase::U8(a) => Ok(standard_elements(a).into_owned()),
        other => Err(CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: dtype_name(other.dtype()).into(),
            expected: "encoded arith data as a uint8 array".into(),
        }),
    }
}

impl PipelineCodec for ArithCodec {
    const EXAMPLE_CONFIG: &'static str = "{}";
}

/// One `arith` stream per chunk, for any integer dtype and rank up to 32.
impl ArrayToBytesCodec for ArithCodec {
    /// `self`, having checked that the chunk's dtype is an integer one and its rank at most 32.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] for a float dtype; [`CodecError::InvalidConfig`] for a
    /// rank above 32.
    fn bind(
        &self,
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<std::borrow::Cow<'_, Self>, CodecError> {
        if format::dtype_code(dtype).is_none() {
            return Err(unsupported(dtype));
        }
        if shape.len() > format::MAX_RANK {
            return Err(CodecError::InvalidConfig {
                codec: CODEC_ID,
                message: format!(
                    "chunks of rank {} exceed the {} axes an arith stream holds",
                    shape.len(),
                    format::MAX_RANK
                ),
            });
        }
        Ok(std::borrow::Cow::Borrowed(self))
    }

    /// The shape in the stream's header, once its element count is known to fit the payload
    /// (as [`decode`] checks), so that a caller may allocate for it.
    ///
    /// # Errors
    ///
    /// As [`read_header`]; [`CodecError::Corrupt`] for an extent beyond the address space;
    /// [`CodecError::LimitExceeded`] for a declared element count the payload cannot hold.
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError> {
        let mut reader = ByteReader::new(CODEC_ID, encoded);
        let header = Header::read(&mut reader)?;
        check_declared_len(&header, reader.remaining().len())?;
        header
            .shape
            .iter()
            .map(|&d| {
                usize::try_from(d).map_err(|_| CodecError::Corrupt {
                    codec: CODEC_ID,
                    message: format!("extent {d} exceeds this machine's address space"),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// The dtype in the stream's header.
    ///
    /// # Errors
    ///
    /// As [`read_header`].
    fn stored_dtype(&self, encoded: &[u8]) -> Result<Option<AnyArrayDType>, CodecError> {
        Ok(Some(read_header(encoded)?.dtype))
    }

    /// Decodes straight into `out` (no output of its own; see [`decode_into`]).
    ///
    /// # Errors
    ///
    /// As [`decode_into`]; [`CodecError::UnsupportedDtype`] for a float `dtype`;
    /// [`CodecError::ShapeMismatch`] if `out` does not hold `shape` elements of `dtype`.
    fn decode_into_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        check_len(CODEC_ID, "the output", out.len(), dtype, shape)?;
        macro_rules! typed {
            ($t:ty) => {
                with_elements_mut::<$t>(CODEC_ID, out, |o| decode_into(encoded, shape, o))
            };
        }
        match dtype {
            AnyArrayDType::U8 => typed!(u8),
            AnyArrayDType::U16 => typed!(u16),
            AnyArrayDType::U32 => typed!(u32),
            AnyArrayDType::U64 => typed!(u64),
            AnyArrayDType::I8 => typed!(i8),
            AnyArrayDType::I16 => typed!(i16),
            AnyArrayDType::I32 => typed!(i32),
            AnyArrayDType::I64 => typed!(i64),
            other => Err(unsupported(other)),
        }
    }
}

impl StaticCodec for ArithCodec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = ArithConfig;

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
