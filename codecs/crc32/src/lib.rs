//! `crc32`: a CRC-32 checksum codec, byte-compatible with numcodecs' `CRC32` codec.
//!
//! Encoding prepends (or appends) the CRC-32 (IEEE 802.3 polynomial, as zlib's `crc32`) of the
//! chunk's bytes as a 4-byte little-endian integer; decoding checks and strips it. The layout and
//! codec id are those of numcodecs' `numcodecs.checksum32.CRC32` (numcodecs ≥ 0.13, `location`
//! `"start"` by default), so arrays that zarr-python wrote with `numcodecs.crc32` are readable by
//! zarrs with ndcodecs, and the other way round. The checksum is computed with `crc32fast`.
//!
//! - numcodecs codec id: `crc32`; zarr v3 name `numcodecs.crc32` (zarr-python's name for the same
//!   codec); zarr v2 id `crc32`.
//! - bytes → bytes: any array's bytes in C order (native byte order) in; a 1-D `uint8` array of
//!   `4 + nbytes` bytes out.
//! - Specification: `specs/crc32/README.md` in the repository.
//!
//! ```
//! use ndcodecs_crc32::{Crc32Codec, Crc32Config};
//! use numcodecs::{AnyArray, Codec, StaticCodec};
//!
//! let codec = Crc32Codec::from_config(serde_json::from_str(r#"{"location": "start"}"#).unwrap());
//! let data = AnyArray::U8(ndarray::ArrayD::from_shape_vec(vec![3], b"abc".to_vec()).unwrap());
//! let encoded = codec.encode(data.cow()).unwrap();
//! assert_eq!(&encoded.as_bytes()[..4], &0x3524_41c2_u32.to_le_bytes()); // crc32(b"abc")
//! assert_eq!(codec.decode(encoded.cow()).unwrap(), data);
//! ```

use ndarray::{ArrayD, IxDyn};
use ndcodecs_core::{BytesToBytesCodec, CodecError, EncodedSize, PipelineCodec, dtype::dtype_name};
use numcodecs::{
    AnyArray, AnyArrayDType, AnyArrayView, AnyArrayViewMut, AnyCowArray, Codec, StaticCodec,
    StaticCodecConfig, StaticCodecVersion,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// numcodecs codec id.
pub const CODEC_ID: &str = "crc32";

/// Size of the stored checksum in bytes.
pub const CHECKSUM_SIZE: usize = 4;

/// Where the checksum goes, as in numcodecs' `Checksum32(location=...)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChecksumLocation {
    /// Before the data (numcodecs' default).
    #[default]
    Start,
    /// After the data.
    End,
}

/// Version of the `crc32` codec's semantics (stored as `_version` in its configuration).
pub type Crc32Version = StaticCodecVersion<0, 1, 0>;

/// Configuration of the `crc32` codec.
///
/// ```json
/// {"location": "start"}
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Crc32Config")]
pub struct Crc32Config {
    /// Where the 4-byte little-endian checksum is stored: `"start"` (default) or `"end"`.
    #[serde(default)]
    pub location: ChecksumLocation,
    /// Version of the codec's semantics, `"0.1.0"` (added by the codec; may be omitted).
    #[serde(default, rename = "_version")]
    pub version: Crc32Version,
}

/// The `crc32` codec (see the [crate] docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Crc32Codec {
    location: ChecksumLocation,
}

impl Crc32Codec {
    /// A codec storing the checksum at `location`.
    #[must_use]
    pub const fn new(location: ChecksumLocation) -> Self {
        Self { location }
    }

    /// Where the checksum is stored.
    #[must_use]
    pub const fn location(&self) -> ChecksumLocation {
        self.location
    }

    /// Encodes `data`: the checksum and the data, `data.len() + 4` bytes.
    #[must_use]
    pub fn encode_bytes(&self, data: &[u8]) -> Vec<u8> {
        let checksum = crc32fast::hash(data).to_le_bytes();
        let mut out = Vec::with_capacity(data.len() + CHECKSUM_SIZE);
        match self.location {
            ChecksumLocation::Start => {
                out.extend_from_slice(&checksum);
                out.extend_from_slice(data);
            }
            ChecksumLocation::End => {
                out.extend_from_slice(data);
                out.extend_from_slice(&checksum);
            }
        }
        out
    }

    /// Checks the checksum of `encoded` and returns the data it protects (a sub-slice).
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if `encoded` is shorter than 4 bytes;
    /// [`CodecError::ChecksumMismatch`] with the stored and computed checksums if they differ.
    pub fn decode_bytes<'a>(&self, encoded: &'a [u8]) -> Result<&'a [u8], CodecError> {
        if encoded.len() < CHECKSUM_SIZE {
            return Err(CodecError::Truncated {
                codec: CODEC_ID,
                offset: 0,
                needed: CHECKSUM_SIZE,
                available: encoded.len(),
            });
        }
        let (stored, data) = match self.location {
            ChecksumLocation::Start => {
                let (c, d) = encoded.split_at(CHECKSUM_SIZE);
                (c, d)
            }
            ChecksumLocation::End => {
                let (d, c) = encoded.split_at(encoded.len() - CHECKSUM_SIZE);
                (c, d)
            }
        };
        let stored = u32::from_le_bytes([stored[0], stored[1], stored[2], stored[3]]);
        let computed = crc32fast::hash(data);
        if stored != computed {
            return Err(CodecError::ChecksumMismatch {
                codec: CODEC_ID,
                stored,
                computed,
            });
        }
        Ok(data)
    }
}

fn u8_array(bytes: Vec<u8>) -> AnyArray {
    let n = bytes.len();
    AnyArray::U8(
        ArrayD::from_shape_vec(IxDyn(&[n]), bytes).unwrap_or_else(|_| ArrayD::zeros(IxDyn(&[0]))),
    )
}

impl PipelineCodec for Crc32Codec {
    const EXAMPLE_CONFIG: &'static str = r#"{"location": "start"}"#;
}

/// 4 bytes more than the data.
impl BytesToBytesCodec for Crc32Codec {
    fn encoded_size(&self, decoded: EncodedSize) -> EncodedSize {
        let n = CHECKSUM_SIZE as u64;
        match decoded {
            EncodedSize::Fixed(s) => EncodedSize::Fixed(s.saturating_add(n)),
            EncodedSize::Bounded(s) => EncodedSize::Bounded(s.saturating_add(n)),
            EncodedSize::Unbounded => EncodedSize::Unbounded,
        }
    }

    fn encode_raw(&self, decoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        Ok(self.encode_bytes(decoded))
    }

    /// # Errors
    ///
    /// As [`Crc32Codec::decode_bytes`].
    fn decode_raw(&self, encoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        self.decode_bytes(encoded).map(<[u8]>::to_vec)
    }

    /// The data without its checksum, not verified.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if `encoded` is shorter than 4 bytes.
    fn decode_raw_unchecked(&self, encoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        let n = encoded.len();
        if n < CHECKSUM_SIZE {
            return Err(CodecError::Truncated {
                codec: CODEC_ID,
                offset: 0,
                needed: CHECKSUM_SIZE,
                available: n,
            });
        }
        Ok(match self.location {
            ChecksumLocation::Start => &encoded[CHECKSUM_SIZE..],
            ChecksumLocation::End => &encoded[..n - CHECKSUM_SIZE],
        }
        .to_vec())
    }
}

impl Codec for Crc32Codec {
    type Error = CodecError;

    /// Checksums the bytes of `data` (any dtype, C order, native byte order); returns a 1-D
    /// `uint8` array.
    ///
    /// # Errors
    ///
    /// Never fails.
    fn encode(&self, data: AnyCowArray) -> Result<AnyArray, Self::Error> {
        Ok(u8_array(self.encode_bytes(&data.as_bytes())))
    }

    /// Checks and strips the checksum; returns the data as a 1-D `uint8` array.
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedDtype`] unless `encoded` is `uint8`; otherwise as
    /// [`Crc32Codec::decode_bytes`].
    fn decode(&self, encoded: AnyCowArray) -> Result<AnyArray, Self::Error> {
        let view = encoded.view();
        let bytes = encoded_bytes(&view)?;
        Ok(u8_array(self.decode_bytes(&bytes)?.to_vec()))
    }

    /// Checks and strips the checksum, writing the data's bytes into `decoded` (any dtype and
    /// shape whose byte size equals the data's).
    ///
    /// # Errors
    ///
    /// As [`Codec::decode`], plus [`CodecError::ShapeMismatch`] if the sizes differ.
    fn decode_into(
        &self,
        encoded: AnyArrayView,
        mut decoded: AnyArrayViewMut,
    ) -> Result<(), Self::Error> {
        let bytes = encoded_bytes(&encoded)?;
        let data = self.decode_bytes(&bytes)?;
        decoded.with_bytes_mut(|out| {
            if out.len() == data.len() {
                out.copy_from_slice(data);
                Ok(())
            } else {
                Err(CodecError::ShapeMismatch {
                    codec: CODEC_ID,
                    expected: format!("{} bytes in the output", data.len()),
                    found: format!("{} bytes", out.len()),
                })
            }
        })
    }
}

fn encoded_bytes<'a>(encoded: &'a AnyArrayView) -> Result<std::borrow::Cow<'a, [u8]>, CodecError> {
    if encoded.dtype() != AnyArrayDType::U8 {
        return Err(CodecError::UnsupportedDtype {
            codec: CODEC_ID,
            found: dtype_name(encoded.dtype()).into(),
            expected: "encoded crc32 data is a uint8 byte array".into(),
        });
    }
    Ok(encoded.as_bytes())
}

impl StaticCodec for Crc32Codec {
    const CODEC_ID: &'static str = CODEC_ID;

    type Config<'de> = Crc32Config;

    fn from_config(config: Self::Config<'_>) -> Self {
        Self::new(config.location)
    }

    fn get_config(&self) -> StaticCodecConfig<'_, Self> {
        StaticCodecConfig::from(&Crc32Config {
            location: self.location,
            version: Crc32Version::default(),
        })
    }
}
