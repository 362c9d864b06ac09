//! The byte layout of an `arith` chunk (see `specs/arith/README.md` for the full description).
//!
//! ```text
//! [2 bytes] "AR"           magic
//! [1 byte]  format version (1)
//! [1 byte]  dtype code     0 uint8, 1 uint16, 2 uint32, 3 uint64, 4 int8, 5 int16, 6 int32, 7 int64
//! [1 byte]  model id       0: the adaptive context model, 1: the fast static model,
//!                          2: the fast static model in four lanes,
//!                          3: the fast static model in sixteen lanes
//! [1 byte]  rank N         0..=32
//! [N LEB128 varints]       extent of each axis, outermost first
//! [4 bytes] CRC-32 of the header bytes before it and the values (little-endian bytes, C
//!           order), little-endian
//! [rest]    range-coded values
//! ```

use ndcodecs_core::bytes::put_varint;
use ndcodecs_core::{ByteReader, CodecError};
use numcodecs::AnyArrayDType;

use crate::{ArithModel, CODEC_ID};

/// The first two bytes of every `arith` chunk.
pub const MAGIC: [u8; 2] = *b"AR";
/// The format version this crate writes and the newest it reads.
pub const FORMAT_VERSION: u8 = 1;
/// The default context model (the adaptive one); [`ArithModel::id`] gives the others.
pub const MODEL_ID: u8 = 0;
/// Largest rank a chunk may have.
pub const MAX_RANK: usize = 32;

/// The header of an `arith` chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// dtype of the values
    pub dtype: AnyArrayDType,
    /// shape, outermost axis first (empty for a 0-d array)
    pub shape: Vec<u64>,
    /// context model the payload is coded with
    pub model: ArithModel,
    /// CRC-32 of the header's bytes before it, then the values' little-endian bytes in C order
    pub checksum: u32,
}

/// The header's dtype code of `dtype`, for the integer dtypes.
#[must_use]
pub const fn dtype_code(dtype: AnyArrayDType) -> Option<u8> {
    Some(match dtype {
        AnyArrayDType::U8 => 0,
        AnyArrayDType::U16 => 1,
        AnyArrayDType::U32 => 2,
        AnyArrayDType::U64 => 3,
        AnyArrayDType::I8 => 4,
        AnyArrayDType::I16 => 5,
        AnyArrayDType::I32 => 6,
        AnyArrayDType::I64 => 7,
        _ => return None,
    })
}

const CODES: [AnyArrayDType; 8] = [
    AnyArrayDType::U8,
    AnyArrayDType::U16,
    AnyArrayDType::U32,
    AnyArrayDType::U64,
    AnyArrayDType::I8,
    AnyArrayDType::I16,
    AnyArrayDType::I32,
    AnyArrayDType::I64,
];

impl Header {
    /// Appends the header without its checksum to `out` (the bytes the checksum covers first).
    pub fn write_prefix(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&MAGIC);
        out.push(FORMAT_VERSION);
        out.push(dtype_code(self.dtype).unwrap_or(u8::MAX));
        out.push(self.model.id());
        #[allow(clippy::cast_possible_truncation)]
        out.push(self.shape.len() as u8);
        for &d in &self.shape {
            put_varint(out, d);
        }
    }

    /// Reads a header, leaving `reader` at the first payload byte. The checksum covers the bytes
    /// read before it: `reader.offset() - 4` of them.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if the data end inside the header; [`CodecError::Corrupt`] for
    /// a wrong magic, an unknown dtype code or model id, a rank above 32 or a varint that is not
    /// the shortest encoding of a `u64`; [`CodecError::UnsupportedVersion`] for a newer format
    /// version.
    pub fn read(reader: &mut ByteReader<'_>) -> Result<Self, CodecError> {
        let corrupt = |message: String| CodecError::Corrupt {
            codec: CODEC_ID,
            message,
        };
        let magic = reader.array::<2>()?;
        if magic != MAGIC {
            return Err(corrupt(format!(
                "not arith data: magic {magic:02x?} instead of \"AR\""
            )));
        }
        let version = reader.u8()?;
        if version != FORMAT_VERSION {
            if version > FORMAT_VERSION {
                return Err(CodecError::UnsupportedVersion {
                    codec: CODEC_ID,
                    found: u32::from(version),
                    supported: u32::from(FORMAT_VERSION),
                });
            }
            return Err(corrupt(format!("format version {version} does not exist")));
        }
        let code = reader.u8()?;
        let dtype = *CODES
            .get(usize::from(code))
            .ok_or_else(|| corrupt(format!("unknown dtype code {code}")))?;
        let model_id = reader.u8()?;
        let model = ArithModel::from_id(model_id).ok_or_else(|| {
            corrupt(format!(
                "context model {model_id} is unknown to this reader (a newer writer's?): upgrade ndcodecs"
            ))
        })?;
        let rank = usize::from(reader.u8()?);
        if rank > MAX_RANK {
            return Err(corrupt(format!("rank {rank} exceeds {MAX_RANK}")));
        }
        let mut shape = Vec::with_capacity(rank);
        for axis in 0..rank {
            shape.push(get_varint(reader, || format!("extent of axis {axis}"))?);
        }
        let checksum = reader.u32_le()?;
        Ok(Self {
            dtype,
            shape,
            model,
            checksum,
        })
    }
}

/// Reads an unsigned LEB128 varint that must be the shortest encoding of a `u64`; `what` names
/// the field in the error.
///
/// # Errors
///
/// [`CodecError::Truncated`] if the data end inside it; [`CodecError::Corrupt`] if it overflows
/// 64 bits or is not in its shortest encoding.
pub(crate) fn get_varint(
    reader: &mut ByteReader<'_>,
    what: impl Fn() -> String,
) -> Result<u64, CodecError> {
    let corrupt = |message: String| CodecError::Corrupt {
        codec: CODEC_ID,
        message,
    };
    let mut v: u64 = 0;
    let mut shift = 0u32;
    loop {
        let byte = reader.u8()?;
        let bits = u64::from(byte & 0x7F);
        if shift == 63 && bits > 1 || shift > 63 {
            return Err(corrupt(format!("{} overflows 64 bits", what())));
        }
        v |= bits << shift;
        if byte & 0x80 == 0 {
            if byte == 0 && shift > 0 {
                return Err(corrupt(format!(
                    "{} is not in its shortest encoding",
                    what()
                )));
            }
            return Ok(v);
        }
        shift += 7;
    }
}
