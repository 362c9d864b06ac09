//! The one list of ndcodecs codecs.
//!
//! [`for_each_codec!`] holds one line per codec: its Python class name, its kind (array → array,
//! array → bytes, bytes → bytes), its Rust type, its zarr v3 name and the v3 aliases it is also
//! read under. Everything else about a codec comes from its type: the numcodecs codec id (which
//! is also its zarr v2 id) from `StaticCodec::CODEC_ID`, the configuration and its JSON schema
//! from `StaticCodec::Config`, and what the zarr and Python layers must know before any data
//! (encoded dtype and shape, accepted dtypes and axes, fill value, error bound) from the traits
//! of [`ndcodecs_core::pipeline`].
//!
//! Every layer reads this list:
//!
//! - `ndcodecs-zarrs` expands [`for_each_codec!`] into one zarrs codec per line (a generic
//!   adapter per kind, registered under the v3 name, the aliases and the v2 id);
//! - the `ndcodecs` command line maps a readable codec name (the codec id) to its v3 name and
//!   asks the codec for its error bound through [`CODECS`];
//! - the Python package's native module exports one numcodecs class per line and hands
//!   [`CODECS`] to Python, which builds the public numcodecs classes and the zarr-python 3
//!   wrappers from it, by kind.
//!
//! Tests in each layer walk the list and fail when a layer lacks a listed codec.
//!
//! # Adding a codec
//!
//! 1. Write the codec crate `codecs/<codec>/`: a type implementing numcodecs' `Codec` +
//!    `StaticCodec` with a serde + schemars configuration, [`PipelineCodec`] and the trait of
//!    its kind ([`ArrayToArrayCodec`], [`ArrayToBytesCodec`] or [`BytesToBytesCodec`]).
//! 2. Add it to the workspace (`members` and `[workspace.dependencies]` of the root
//!    `Cargo.toml`) and to this crate's `[dependencies]`, and re-export it below
//!    (`pub use ndcodecs_<codec>;`).
//! 3. Add its line to [`for_each_codec!`].
//! 4. For a codec with an `ndcodecs.` v3 name, add its two entry points to
//!    `python-plugin/pyproject.toml` (`numcodecs.codecs`: `<codec id> = "ndcodecs:<Class>"`;
//!    `zarr.codecs`: `"<v3 name>" = "ndcodecs.zarr3:<Class>"`); the registry tests fail until
//!    they are there. Optionally, a hand-written Python docstring in
//!    `python-plugin/python/ndcodecs/_docs.py` (otherwise it is built from the configuration's
//!    doc comments).
//!
//! A codec whose v3 name starts with `numcodecs.` re-implements one of numcodecs' own codecs
//! (`crc32`): zarrs reads it under that name, but the Python package leaves the name to
//! numcodecs and zarr-python (no entry points, no zarr-python wrapper), so stock users keep what
//! they had.
//!
//! ```
//! let lilcom = ndcodecs_registry::find("lilcom").unwrap();
//! assert_eq!(lilcom.zarr_v3_name, "ndcodecs.lilcom");
//! assert_eq!(lilcom.kind, ndcodecs_core::CodecKind::ArrayToBytes);
//! let config = serde_json::json!({"tick_power": -5});
//! assert_eq!(lilcom.max_abs_error(&config).unwrap(), Some(1.0 / 64.0));
//! ```

use ndcodecs_core::{
    ArrayToArrayCodec, ArrayToBytesCodec, BytesToBytesCodec, CodecError, CodecKind, EncodedSize,
    PipelineCodec,
};
use numcodecs::{AnyArrayDType, StaticCodec};
use serde_json::{Map, Value};

#[doc(hidden)]
pub use ndcodecs_arith;
#[doc(hidden)]
pub use ndcodecs_core;
#[doc(hidden)]
pub use ndcodecs_crc32;
#[doc(hidden)]
pub use ndcodecs_interp_cnn;
#[doc(hidden)]
pub use ndcodecs_interp_quantize;
#[doc(hidden)]
pub use ndcodecs_lilcom;
#[doc(hidden)]
pub use ndcodecs_linear_quantize;
#[doc(hidden)]
pub use ndcodecs_pixel_mlp;
#[doc(hidden)]
pub use ndcodecs_spatial_delta;
#[doc(hidden)]
pub use ndcodecs_ycocg_r;

/// Calls the macro `$callback` with the list of ndcodecs codecs, one line per codec:
///
/// ```text
/// <Python class name>: <kind>, <Rust codec type>, "<zarr v3 name>", ["<zarr v3 alias>", ...];
/// ```
///
/// `<kind>` is one of the identifiers `array_to_array`, `array_to_bytes`, `bytes_to_bytes`; the
/// codec type must implement the matching trait of [`ndcodecs_core::pipeline`]. The Python class
/// name is the one numcodecs-python derives from the codec id (`spatial_delta` →
/// `SpatialDelta`); the numcodecs codec id and zarr v2 id are the type's
/// `StaticCodec::CODEC_ID`.
///
/// ```
/// macro_rules! names {
///     ($($name:ident: $kind:ident, $codec:path, $v3:literal, [$($alias:literal),*];)*) => {
///         [$(stringify!($name)),*]
///     };
/// }
/// let names = ndcodecs_registry::for_each_codec!(names);
/// assert!(names.contains(&"SpatialDelta"));
/// ```
#[macro_export]
macro_rules! for_each_codec {
    ($callback:ident) => {
        $callback! {
            SpatialDelta: array_to_array, $crate::ndcodecs_spatial_delta::SpatialDeltaCodec, "ndcodecs.spatial_delta", ["numcodecs.spatial_delta"];
            LinearQuantize: array_to_array, $crate::ndcodecs_linear_quantize::LinearQuantizeCodec, "ndcodecs.linear_quantize", ["numcodecs.linear_quantize"];
            InterpQuantize: array_to_array, $crate::ndcodecs_interp_quantize::InterpQuantizeCodec, "ndcodecs.interp_quantize", ["numcodecs.interp_quantize"];
            Lilcom: array_to_bytes, $crate::ndcodecs_lilcom::LilcomCodec, "ndcodecs.lilcom", ["numcodecs.lilcom"];
            Arith: array_to_bytes, $crate::ndcodecs_arith::ArithCodec, "ndcodecs.arith", ["numcodecs.arith"];
            Crc32: bytes_to_bytes, $crate::ndcodecs_crc32::Crc32Codec, "numcodecs.crc32", ["ndcodecs.crc32"];
            YcocgR: array_to_array, $crate::ndcodecs_ycocg_r::YCoCgRCodec, "ndcodecs.ycocg_r", [];
            PixelMlp: array_to_bytes, $crate::ndcodecs_pixel_mlp::PixelMlpCodec, "ndcodecs.pixel_mlp", [];
            InterpCnn: array_to_bytes, $crate::ndcodecs_interp_cnn::InterpCnnCodec, "ndcodecs.interp_cnn", ["numcodecs.interp_cnn"];
        }
    };
}

/// One codec of the list, with the questions the command line and the Python package ask it
/// about a configuration given as JSON (the numcodecs configuration; an `id` key, if present,
/// must be the codec id).
#[derive(Clone, Copy, Debug)]
pub struct CodecEntry {
    /// The Python class name (`"SpatialDelta"`).
    pub name: &'static str,
    /// The numcodecs codec id (`"spatial_delta"`), also the name a readable command-line chain
    /// uses.
    pub codec_id: &'static str,
    /// The zarr v2 codec id (numcodecs' convention: the codec id).
    pub zarr_v2_id: &'static str,
    /// The zarr v3 codec name written to array metadata (`"ndcodecs.spatial_delta"`).
    pub zarr_v3_name: &'static str,
    /// Other zarr v3 names the codec is read under.
    pub zarr_v3_aliases: &'static [&'static str],
    /// Where the codec sits in a zarr v3 codec chain.
    pub kind: CodecKind,
    /// A valid configuration, as JSON ([`PipelineCodec::EXAMPLE_CONFIG`]).
    pub example_config: &'static str,
    /// The configuration field naming the decoded dtype ([`PipelineCodec::DTYPE_FIELD`]).
    pub dtype_field: Option<&'static str>,
    create: CreateFn,
}

type CreateFn = fn(&Value) -> Result<DynCodec, CodecError>;

/// A codec of the list, created from a configuration, behind the trait object of its kind: what
/// the Python package holds to encode and decode without knowing the codec's type.
#[derive(Debug)]
pub enum DynCodec {
    /// An array → array codec.
    ArrayToArray(Box<dyn DynArrayToArray>),
    /// An array → bytes codec.
    ArrayToBytes(Box<dyn DynArrayToBytes>),
    /// A bytes → bytes codec.
    BytesToBytes(Box<dyn DynBytesToBytes>),
}

/// What every codec answers behind a trait object, whatever its kind.
pub trait DynPipelineCodec: Send + Sync + std::fmt::Debug {
    /// The numcodecs configuration, with `id` and `_version`.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] if it does not serialize (never for a listed codec).
    fn config(&self) -> Result<Value, CodecError>;
    /// [`PipelineCodec::max_abs_error`].
    fn max_abs_error(&self) -> Option<f64>;
}

/// [`ArrayToArrayCodec`] behind a trait object; see the trait for each method.
#[allow(missing_docs)]
pub trait DynArrayToArray: DynPipelineCodec {
    fn decoded_dtype(&self) -> Option<AnyArrayDType>;
    fn chunk_shape(&self) -> Option<Vec<usize>>;
    fn elementwise(&self) -> bool;
    fn self_describing(&self) -> bool;
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError>;
    fn stored_fortran(&self, encoded: &[u8]) -> Result<bool, CodecError>;
    fn encoded_dtype(&self, decoded: AnyArrayDType) -> Result<AnyArrayDType, CodecError>;
    fn encoded_shape(&self, decoded: &[usize]) -> Result<Vec<usize>, CodecError>;
    fn encoded_fill_value(
        &self,
        decoded: AnyArrayDType,
        fill: &[u8],
    ) -> Result<Vec<u8>, CodecError>;
    fn bind(
        &self,
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Box<dyn DynArrayToArray>, CodecError>;
    fn encode_into_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError>;
    fn decode_into_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError>;
}

/// [`ArrayToBytesCodec`] behind a trait object; see the trait for each method.
#[allow(missing_docs)]
pub trait DynArrayToBytes: DynPipelineCodec {
    fn decoded_dtype(&self) -> Option<AnyArrayDType>;
    fn bind(
        &self,
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Box<dyn DynArrayToBytes>, CodecError>;
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError>;
    fn stored_dtype(&self, encoded: &[u8]) -> Result<Option<AnyArrayDType>, CodecError>;
    fn encode_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError>;
    fn decode_into_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError>;
    fn encode_chunk(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        fill: &[u8],
    ) -> Result<Option<Vec<u8>>, CodecError>;
    fn decode_chunk(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        fill: &[u8],
        out: &mut [u8],
    ) -> Result<(), CodecError>;
}

/// [`BytesToBytesCodec`] behind a trait object; see the trait for each method.
#[allow(missing_docs)]
pub trait DynBytesToBytes: DynPipelineCodec {
    fn encoded_size(&self, decoded: EncodedSize) -> EncodedSize;
    fn encode_raw(&self, decoded: &[u8]) -> Result<Vec<u8>, CodecError>;
    fn encode_into_raw(&self, decoded: &[u8], out: &mut [u8]) -> Result<usize, CodecError>;
    fn decoded_range(&self, encoded: &[u8]) -> Result<Option<std::ops::Range<usize>>, CodecError>;
    fn decode_raw(&self, encoded: &[u8]) -> Result<Vec<u8>, CodecError>;
    fn decode_into_raw(&self, encoded: &[u8], out: &mut [u8]) -> Result<(), CodecError>;
}

impl<C: PipelineCodec> DynPipelineCodec for C {
    fn config(&self) -> Result<Value, CodecError> {
        serde_json::to_value(self.get_config()).map_err(|e| CodecError::InvalidConfig {
            codec: C::CODEC_ID,
            message: format!("the configuration does not serialize: {e}"),
        })
    }

    fn max_abs_error(&self) -> Option<f64> {
        PipelineCodec::max_abs_error(self)
    }
}

impl<C: ArrayToArrayCodec> DynArrayToArray for C {
    fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        ArrayToArrayCodec::decoded_dtype(self)
    }
    fn chunk_shape(&self) -> Option<Vec<usize>> {
        ArrayToArrayCodec::chunk_shape(self)
    }
    fn elementwise(&self) -> bool {
        ArrayToArrayCodec::elementwise(self)
    }
    fn self_describing(&self) -> bool {
        ArrayToArrayCodec::self_describing(self)
    }
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError> {
        ArrayToArrayCodec::stored_shape(self, encoded)
    }
    fn stored_fortran(&self, encoded: &[u8]) -> Result<bool, CodecError> {
        ArrayToArrayCodec::stored_fortran(self, encoded)
    }
    fn encoded_dtype(&self, decoded: AnyArrayDType) -> Result<AnyArrayDType, CodecError> {
        ArrayToArrayCodec::encoded_dtype(self, decoded)
    }
    fn encoded_shape(&self, decoded: &[usize]) -> Result<Vec<usize>, CodecError> {
        ArrayToArrayCodec::encoded_shape(self, decoded)
    }
    fn encoded_fill_value(
        &self,
        decoded: AnyArrayDType,
        fill: &[u8],
    ) -> Result<Vec<u8>, CodecError> {
        ArrayToArrayCodec::encoded_fill_value(self, decoded, fill)
    }
    fn bind(
        &self,
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Box<dyn DynArrayToArray>, CodecError> {
        Ok(Box::new(
            ArrayToArrayCodec::bind(self, dtype, shape)?.into_owned(),
        ))
    }
    fn encode_into_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        ArrayToArrayCodec::encode_into_raw(self, decoded, dtype, shape, out)
    }
    fn decode_into_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        ArrayToArrayCodec::decode_into_raw(self, encoded, dtype, shape, out)
    }
}

impl<C: ArrayToBytesCodec> DynArrayToBytes for C {
    fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        ArrayToBytesCodec::decoded_dtype(self)
    }
    fn bind(
        &self,
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Box<dyn DynArrayToBytes>, CodecError> {
        Ok(Box::new(
            ArrayToBytesCodec::bind(self, dtype, shape)?.into_owned(),
        ))
    }
    fn stored_shape(&self, encoded: &[u8]) -> Result<Option<Vec<usize>>, CodecError> {
        ArrayToBytesCodec::stored_shape(self, encoded)
    }
    fn stored_dtype(&self, encoded: &[u8]) -> Result<Option<AnyArrayDType>, CodecError> {
        ArrayToBytesCodec::stored_dtype(self, encoded)
    }
    fn encode_raw(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Vec<u8>, CodecError> {
        ArrayToBytesCodec::encode_raw(self, decoded, dtype, shape)
    }
    fn decode_into_raw(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        ArrayToBytesCodec::decode_into_raw(self, encoded, dtype, shape, out)
    }
    fn encode_chunk(
        &self,
        decoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        fill: &[u8],
    ) -> Result<Option<Vec<u8>>, CodecError> {
        ArrayToBytesCodec::encode_chunk(self, decoded, dtype, shape, fill)
    }
    fn decode_chunk(
        &self,
        encoded: &[u8],
        dtype: AnyArrayDType,
        shape: &[usize],
        fill: &[u8],
        out: &mut [u8],
    ) -> Result<(), CodecError> {
        ArrayToBytesCodec::decode_chunk(self, encoded, dtype, shape, fill, out)
    }
}

impl<C: BytesToBytesCodec> DynBytesToBytes for C {
    fn encoded_size(&self, decoded: EncodedSize) -> EncodedSize {
        BytesToBytesCodec::encoded_size(self, decoded)
    }
    fn encode_raw(&self, decoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        BytesToBytesCodec::encode_raw(self, decoded)
    }
    fn encode_into_raw(&self, decoded: &[u8], out: &mut [u8]) -> Result<usize, CodecError> {
        BytesToBytesCodec::encode_into_raw(self, decoded, out)
    }
    fn decoded_range(&self, encoded: &[u8]) -> Result<Option<std::ops::Range<usize>>, CodecError> {
        BytesToBytesCodec::decoded_range(self, encoded)
    }
    fn decode_raw(&self, encoded: &[u8]) -> Result<Vec<u8>, CodecError> {
        BytesToBytesCodec::decode_raw(self, encoded)
    }
    fn decode_into_raw(&self, encoded: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
        BytesToBytesCodec::decode_into_raw(self, encoded, out)
    }
}

impl DynCodec {
    fn common(&self) -> &dyn DynPipelineCodec {
        match self {
            Self::ArrayToArray(c) => &**c,
            Self::ArrayToBytes(c) => &**c,
            Self::BytesToBytes(c) => &**c,
        }
    }

    /// The numcodecs configuration, with `id` and `_version`.
    ///
    /// # Errors
    ///
    /// As [`DynPipelineCodec::config`].
    pub fn config(&self) -> Result<Value, CodecError> {
        self.common().config()
    }

    /// [`PipelineCodec::max_abs_error`].
    #[must_use]
    pub fn max_abs_error(&self) -> Option<f64> {
        self.common().max_abs_error()
    }

    /// The decoded dtype the configuration fixes, if any (`None` for a bytes → bytes codec).
    #[must_use]
    pub fn decoded_dtype(&self) -> Option<AnyArrayDType> {
        match self {
            Self::ArrayToArray(c) => c.decoded_dtype(),
            Self::ArrayToBytes(c) => c.decoded_dtype(),
            Self::BytesToBytes(_) => None,
        }
    }
}

impl CodecEntry {
    /// True for a codec that re-implements one of numcodecs' own codecs (its v3 name starts with
    /// `numcodecs.`): the Python package then registers no entry point and no zarr-python
    /// wrapper for it, leaving the name to numcodecs and zarr-python.
    #[must_use]
    pub fn replaces_numcodecs(&self) -> bool {
        self.zarr_v3_name.starts_with("numcodecs.")
    }

    /// Creates the codec from a configuration (checked as [`Self::validate`] does).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] naming the codec, the field, the value and what is
    /// accepted.
    pub fn create(&self, config: &Value) -> Result<DynCodec, CodecError> {
        (self.create)(config)
    }

    /// Checks a configuration: it parses and the codec accepts it.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] naming the codec, the field, the value and what is
    /// accepted.
    pub fn validate(&self, config: &Value) -> Result<(), CodecError> {
        self.create(config).map(drop)
    }

    /// The error bound the configuration guarantees ([`PipelineCodec::max_abs_error`]).
    ///
    /// # Errors
    ///
    /// As [`Self::validate`].
    pub fn max_abs_error(&self, config: &Value) -> Result<Option<f64>, CodecError> {
        Ok(self.create(config)?.max_abs_error())
    }

    /// The decoded dtype the configuration fixes, if any (array codecs; `None` for bytes →
    /// bytes codecs).
    ///
    /// # Errors
    ///
    /// As [`Self::validate`].
    pub fn decoded_dtype(&self, config: &Value) -> Result<Option<AnyArrayDType>, CodecError> {
        Ok(self.create(config)?.decoded_dtype())
    }

    fn array_to_array(&self, config: &Value) -> Result<Box<dyn DynArrayToArray>, CodecError> {
        match self.create(config)? {
            DynCodec::ArrayToArray(c) => Ok(c),
            _ => Err(CodecError::InvalidConfig {
                codec: self.codec_id,
                message: format!("{} is not an array → array codec", self.codec_id),
            }),
        }
    }

    /// The encoded dtype of an array → array codec for decoded arrays of `dtype`.
    ///
    /// # Errors
    ///
    /// As [`ArrayToArrayCodec::encoded_dtype`], and [`CodecError::InvalidConfig`] for an invalid
    /// configuration or a codec of another kind.
    pub fn encoded_dtype(
        &self,
        config: &Value,
        dtype: AnyArrayDType,
    ) -> Result<AnyArrayDType, CodecError> {
        self.array_to_array(config)?.encoded_dtype(dtype)
    }

    /// The encoded shape of an array → array codec for a decoded array of `shape` (C order).
    ///
    /// # Errors
    ///
    /// As [`ArrayToArrayCodec::encoded_shape`], and [`CodecError::InvalidConfig`] for an
    /// invalid configuration or a codec of another kind.
    pub fn encoded_shape(&self, config: &Value, shape: &[usize]) -> Result<Vec<usize>, CodecError> {
        self.array_to_array(config)?.encoded_shape(shape)
    }

    /// Whether an array → array codec works element by element
    /// ([`ArrayToArrayCodec::elementwise`]).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration or a codec of another kind.
    pub fn elementwise(&self, config: &Value) -> Result<bool, CodecError> {
        Ok(self.array_to_array(config)?.elementwise())
    }

    /// Whether the encoded array of an array → array codec records the decoded shape, so that a
    /// flat buffer of it decodes alone ([`ArrayToArrayCodec::self_describing`]).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration or a codec of another kind.
    pub fn self_describing(&self, config: &Value) -> Result<bool, CodecError> {
        Ok(self.array_to_array(config)?.self_describing())
    }

    /// The chunk shape an array → array codec's configuration fixes
    /// ([`ArrayToArrayCodec::chunk_shape`]).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration or a codec of another kind.
    pub fn chunk_shape(&self, config: &Value) -> Result<Option<Vec<usize>>, CodecError> {
        Ok(self.array_to_array(config)?.chunk_shape())
    }

    /// The numcodecs configuration (with `id`) of an array codec as it applies to chunks of
    /// `dtype` and `shape` ([`ArrayToArrayCodec::bind`]: for a filter, the configuration zarr v2
    /// needs; [`ArrayToBytesCodec::bind`]).
    ///
    /// # Errors
    ///
    /// As the `bind` of the kind's trait, and [`CodecError::InvalidConfig`] for an invalid
    /// configuration or a bytes → bytes codec.
    pub fn bind(
        &self,
        config: &Value,
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Value, CodecError> {
        match self.create(config)? {
            DynCodec::ArrayToArray(c) => c.bind(dtype, shape)?.config(),
            DynCodec::ArrayToBytes(c) => c.bind(dtype, shape)?.config(),
            DynCodec::BytesToBytes(_) => Err(CodecError::InvalidConfig {
                codec: self.codec_id,
                message: format!(
                    "{} is a bytes → bytes codec: it is not bound to a dtype",
                    self.codec_id
                ),
            }),
        }
    }
}

/// Every ndcodecs codec, in the order of [`for_each_codec!`].
pub static CODECS: &[CodecEntry] = {
    macro_rules! entries {
        ($($name:ident: $kind:ident, $codec:path, $v3:literal, [$($alias:literal),*];)*) => {
            &[$(CodecEntry {
                name: stringify!($name),
                codec_id: <$codec as StaticCodec>::CODEC_ID,
                zarr_v2_id: <$codec as StaticCodec>::CODEC_ID,
                zarr_v3_name: $v3,
                zarr_v3_aliases: &[$($alias),*],
                kind: kind!($kind),
                example_config: <$codec as PipelineCodec>::EXAMPLE_CONFIG,
                dtype_field: <$codec as PipelineCodec>::DTYPE_FIELD,
                create: create!($kind, $codec),
            }),*]
        };
    }
    macro_rules! kind {
        (array_to_array) => {
            CodecKind::ArrayToArray
        };
        (array_to_bytes) => {
            CodecKind::ArrayToBytes
        };
        (bytes_to_bytes) => {
            CodecKind::BytesToBytes
        };
    }
    macro_rules! create {
        (array_to_array, $codec:path) => {
            |c| Ok(DynCodec::ArrayToArray(Box::new(parse::<$codec>(c)?)))
        };
        (array_to_bytes, $codec:path) => {
            |c| Ok(DynCodec::ArrayToBytes(Box::new(parse::<$codec>(c)?)))
        };
        (bytes_to_bytes, $codec:path) => {
            |c| Ok(DynCodec::BytesToBytes(Box::new(parse::<$codec>(c)?)))
        };
    }
    for_each_codec!(entries)
};

/// The codec whose codec id (or zarr v2 id) is `codec_id`.
#[must_use]
pub fn find(codec_id: &str) -> Option<&'static CodecEntry> {
    CODECS
        .iter()
        .find(|c| c.codec_id == codec_id || c.zarr_v2_id == codec_id)
}

/// The codec whose zarr v3 name or one of its aliases is `name`.
#[must_use]
pub fn find_v3(name: &str) -> Option<&'static CodecEntry> {
    CODECS
        .iter()
        .find(|c| c.zarr_v3_name == name || c.zarr_v3_aliases.contains(&name))
}

/// Creates codec `C` from a numcodecs configuration (zarr v3 `configuration`, or zarr v2 codec
/// metadata with its `id`) and checks it ([`PipelineCodec::validate`]).
///
/// # Errors
///
/// [`CodecError::InvalidConfig`] if the `id` key is not `C`'s codec id, the configuration does
/// not parse (unknown field, missing field, wrong type, incompatible `_version`) or the codec
/// refuses it.
pub fn codec_from_config<C: PipelineCodec>(
    mut config: Map<String, Value>,
) -> Result<C, CodecError> {
    let invalid = |message: String| CodecError::InvalidConfig {
        codec: C::CODEC_ID,
        message,
    };
    if let Some(id) = config.remove("id")
        && id.as_str() != Some(C::CODEC_ID)
    {
        return Err(invalid(format!(
            "expected codec id {:?}, found {id}",
            C::CODEC_ID
        )));
    }
    let fields = config.clone();
    let config: C::Config<'static> = serde_path_to_error::deserialize(Value::Object(config))
        .map_err(|e| {
            let schema = serde_json::to_value(numcodecs::DynCodecType::codec_config_schema(
                &numcodecs::StaticCodecType::<C>::of(),
            ))
            .unwrap_or(Value::Null);
            invalid(field_error(&fields, &schema, &e))
        })?;
    let codec = C::from_config(config);
    codec.validate()?;
    Ok(codec)
}

/// The message of a configuration that does not parse: the field at fault, serde's message
/// (what was expected), and the value found there when serde's message does not show it.
fn field_error(
    fields: &Map<String, Value>,
    schema: &Value,
    e: &serde_path_to_error::Error<serde_json::Error>,
) -> String {
    let path = e.path().to_string();
    let mut message = e.inner().to_string();
    // serde's message for a wrong type given to an enum of names does not list the names.
    let names = schema_names(&schema["properties"][&path]);
    if message.contains("expected string or map") && !names.is_empty() {
        message = message.replace(
            "expected string or map",
            &format!("expected one of {}", names.join(", ")),
        );
    }
    // serde names Rust types; a configuration is JSON.
    for (rust, json) in [
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected i64", "expected an integer"),
        ("expected i32", "expected an integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected usize", "expected a non-negative integer"),
    ] {
        message = message.replace(rust, json);
    }
    match fields.get(&path) {
        Some(value) if !message.contains(&value.to_string()) => {
            format!("{path}: {message}; found {value}")
        }
        _ if path == "." || path.is_empty() => message,
        _ => format!("{path}: {message}"),
    }
}

/// The string constants a field's JSON schema enumerates, quoted.
fn schema_names(schema: &Value) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(Value::String(name)) = schema.get("const") {
        names.push(format!("{name:?}"));
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        names.extend(
            values
                .iter()
                .filter_map(Value::as_str)
                .map(|v| format!("{v:?}")),
        );
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(subs)) = schema.get(key) {
            names.extend(subs.iter().flat_map(schema_names));
        }
    }
    names
}

fn parse<C: PipelineCodec>(config: &Value) -> Result<C, CodecError> {
    match config {
        Value::Object(map) => codec_from_config(map.clone()),
        other => Err(CodecError::InvalidConfig {
            codec: C::CODEC_ID,
            message: format!("the configuration must be a JSON object, found {other}"),
        }),
    }
}

// Compile-time uses of the kind traits, so that a line naming the wrong kind fails to build with
// a message about the missing trait rather than deep inside a layer.
const _: () = {
    const fn array_to_array<C: ArrayToArrayCodec>() {}
    const fn array_to_bytes<C: ArrayToBytesCodec>() {}
    const fn bytes_to_bytes<C: BytesToBytesCodec>() {}
    macro_rules! check {
        ($($name:ident: $kind:ident, $codec:path, $v3:literal, [$($alias:literal),*];)*) => {
            $($kind::<$codec>();)*
        };
    }
    for_each_codec!(check);
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every configuration error names the codec, the field, the value and what is accepted.
    #[test]
    fn config_errors_name_codec_field_value_and_what_is_accepted() {
        for entry in CODECS {
            let example: Map<String, Value> = serde_json::from_str(entry.example_config).unwrap();
            entry.validate(&Value::Object(example.clone())).unwrap();
            let mut fields: Vec<String> = example.keys().cloned().collect();
            fields.push("_version".into());
            for field in fields {
                for bad in [json!({"bogus": true}), json!("bogus"), json!([[1.5]])] {
                    let mut config = example.clone();
                    config.insert(field.clone(), bad.clone());
                    let message = entry
                        .validate(&Value::Object(config))
                        .unwrap_err()
                        .to_string();
                    for part in [entry.codec_id, &field, &bad.to_string()] {
                        assert!(message.contains(part), "{message:?} lacks {part:?}");
                    }
                    assert!(
                        message.contains("expected") || message.contains("accepted"),
                        "{message:?} does not say what is accepted"
                    );
                }
            }
            let mut config = example.clone();
            config.insert("no_such_field".into(), json!(1));
            let message = entry
                .validate(&Value::Object(config))
                .unwrap_err()
                .to_string();
            for part in [entry.codec_id, "no_such_field", "expected"] {
                assert!(message.contains(part), "{message:?} lacks {part:?}");
            }
        }
    }
}
