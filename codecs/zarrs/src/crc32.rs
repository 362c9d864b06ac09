//! zarrs bytes→bytes codec `numcodecs.crc32` (zarr v2 id `crc32`), byte-compatible with
//! numcodecs' `CRC32`.

use std::borrow::Cow;
use std::sync::Arc;

use ndcodecs_crc32::{CHECKSUM_SIZE, CODEC_ID, Crc32Codec, Crc32Config};
use numcodecs::StaticCodec;
use zarrs::array::{ArrayBytesRaw, BytesRepresentation};
use zarrs_codec::{
    BytesToBytesCodecTraits, Codec, CodecError, CodecOptions, RecommendedConcurrency,
};

use crate::adapter::{codec_error, impl_zarr_plugin};

/// numcodecs' `CRC32` as a zarrs bytes→bytes codec (4-byte little-endian CRC-32 at the start, or
/// at the end with `location = "end"`). A mismatch is an error naming both checksums.
#[derive(Clone, Debug)]
pub struct Crc32ZarrCodec(pub Crc32Codec);

impl_zarr_plugin!(
    Crc32ZarrCodec,
    v3: "numcodecs.crc32", ["ndcodecs.crc32"],
    v2: "crc32",
    Crc32Config, CODEC_ID, |config| {
    Ok(Codec::BytesToBytes(Arc::new(Crc32ZarrCodec(
        Crc32Codec::from_config(config),
    ))))
});

impl BytesToBytesCodecTraits for Crc32ZarrCodec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn BytesToBytesCodecTraits> {
        self
    }

    fn recommended_concurrency(
        &self,
        _decoded_representation: &BytesRepresentation,
    ) -> Result<RecommendedConcurrency, CodecError> {
        Ok(RecommendedConcurrency::new_maximum(1))
    }

    fn encoded_representation(
        &self,
        decoded_representation: &BytesRepresentation,
    ) -> BytesRepresentation {
        let n = CHECKSUM_SIZE as u64;
        match decoded_representation {
            BytesRepresentation::FixedSize(s) => BytesRepresentation::FixedSize(s + n),
            BytesRepresentation::BoundedSize(s) => BytesRepresentation::BoundedSize(s + n),
            BytesRepresentation::UnboundedSize => BytesRepresentation::UnboundedSize,
        }
    }

    fn encode<'a>(
        &self,
        decoded_value: ArrayBytesRaw<'a>,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        Ok(Cow::Owned(self.0.encode_bytes(&decoded_value)))
    }

    fn decode<'a>(
        &self,
        encoded_value: ArrayBytesRaw<'a>,
        _decoded_representation: &BytesRepresentation,
        options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        if !options.validate_checksums() {
            let n = encoded_value.len();
            if n < CHECKSUM_SIZE {
                return Err(codec_error(&ndcodecs_core::CodecError::Truncated {
                    codec: CODEC_ID,
                    offset: 0,
                    needed: CHECKSUM_SIZE,
                    available: n,
                }));
            }
            let data = match self.0.location() {
                ndcodecs_crc32::ChecksumLocation::Start => &encoded_value[CHECKSUM_SIZE..],
                ndcodecs_crc32::ChecksumLocation::End => &encoded_value[..n - CHECKSUM_SIZE],
            };
            return Ok(Cow::Owned(data.to_vec()));
        }
        let data = self
            .0
            .decode_bytes(&encoded_value)
            .map_err(|e| codec_error(&e))?;
        Ok(Cow::Owned(data.to_vec()))
    }
}
