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

use ndcodecs_core::dtype::dtype_name;
use ndcodecs_core::{
    ArrayToArrayCodec, ArrayToBytesCodec, BytesToBytesCodec, CodecError, CodecKind, PipelineCodec,
};
use numcodecs::{AnyArrayDType, StaticCodec};
use serde::Deserialize;
use serde_json::{Map, Value};

#[doc(hidden)]
pub use ndcodecs_core;
#[doc(hidden)]
pub use ndcodecs_crc32;
#[doc(hidden)]
pub use ndcodecs_interp_quantize;
#[doc(hidden)]
pub use ndcodecs_lilcom;
#[doc(hidden)]
pub use ndcodecs_linear_quantize;
#[doc(hidden)]
pub use ndcodecs_spatial_delta;

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
            Crc32: bytes_to_bytes, $crate::ndcodecs_crc32::Crc32Codec, "numcodecs.crc32", ["ndcodecs.crc32"];
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
    ops: Ops,
}

/// The codec-specific functions of an entry, instantiated for its type by [`for_each_codec!`].
#[derive(Clone, Copy)]
struct Ops {
    validate: fn(&Value) -> Result<(), CodecError>,
    max_abs_error: fn(&Value) -> Result<Option<f64>, CodecError>,
    decoded_dtype: fn(&Value) -> Result<Option<AnyArrayDType>, CodecError>,
    array: Option<ArrayOps>,
    bind: Option<BindFn>,
}

type BindFn = fn(&Value, AnyArrayDType, &[usize]) -> Result<Value, CodecError>;

/// The functions only an array → array codec has.
#[derive(Clone, Copy)]
struct ArrayOps {
    encoded_dtype: fn(&Value, AnyArrayDType) -> Result<AnyArrayDType, CodecError>,
    encoded_shape: fn(&Value, &[usize]) -> Result<Vec<usize>, CodecError>,
    elementwise: fn(&Value) -> Result<bool, CodecError>,
    self_describing: fn(&Value) -> Result<bool, CodecError>,
}

impl std::fmt::Debug for Ops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ops")
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

    /// Checks a configuration: it parses and the codec accepts it.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] naming the codec and what is wrong.
    pub fn validate(&self, config: &Value) -> Result<(), CodecError> {
        (self.ops.validate)(config)
    }

    /// The error bound the configuration guarantees ([`PipelineCodec::max_abs_error`]).
    ///
    /// # Errors
    ///
    /// As [`Self::validate`].
    pub fn max_abs_error(&self, config: &Value) -> Result<Option<f64>, CodecError> {
        (self.ops.max_abs_error)(config)
    }

    /// The decoded dtype the configuration fixes, if any (array codecs; `None` for bytes →
    /// bytes codecs).
    ///
    /// # Errors
    ///
    /// As [`Self::validate`].
    pub fn decoded_dtype(&self, config: &Value) -> Result<Option<AnyArrayDType>, CodecError> {
        (self.ops.decoded_dtype)(config)
    }

    fn array_ops(&self) -> Result<ArrayOps, CodecError> {
        self.ops.array.ok_or_else(|| CodecError::InvalidConfig {
            codec: self.codec_id,
            message: format!("{} is not an array → array codec", self.codec_id),
        })
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
        (self.array_ops()?.encoded_dtype)(config, dtype)
    }

    /// The encoded shape of an array → array codec for a decoded array of `shape` (C order).
    ///
    /// # Errors
    ///
    /// As [`ArrayToArrayCodec::encoded_shape`], and [`CodecError::InvalidConfig`] for an
    /// invalid configuration or a codec of another kind.
    pub fn encoded_shape(&self, config: &Value, shape: &[usize]) -> Result<Vec<usize>, CodecError> {
        (self.array_ops()?.encoded_shape)(config, shape)
    }

    /// Whether an array → array codec works element by element
    /// ([`ArrayToArrayCodec::elementwise`]).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration or a codec of another kind.
    pub fn elementwise(&self, config: &Value) -> Result<bool, CodecError> {
        (self.array_ops()?.elementwise)(config)
    }

    /// Whether the encoded array of an array → array codec records the decoded shape, so that a
    /// flat buffer of it decodes alone ([`ArrayToArrayCodec::self_describing`]).
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidConfig`] for an invalid configuration or a codec of another kind.
    pub fn self_describing(&self, config: &Value) -> Result<bool, CodecError> {
        (self.array_ops()?.self_describing)(config)
    }

    /// The numcodecs configuration (with `id`) of an array → bytes codec as it applies to
    /// chunks of `dtype` and `shape` ([`ArrayToBytesCodec::bind`]).
    ///
    /// # Errors
    ///
    /// As [`ArrayToBytesCodec::bind`], and [`CodecError::InvalidConfig`] for an invalid
    /// configuration or a codec of another kind.
    pub fn bind(
        &self,
        config: &Value,
        dtype: AnyArrayDType,
        shape: &[usize],
    ) -> Result<Value, CodecError> {
        let bind = self.ops.bind.ok_or_else(|| CodecError::InvalidConfig {
            codec: self.codec_id,
            message: format!("{} is not an array → bytes codec", self.codec_id),
        })?;
        bind(config, dtype, shape)
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
                ops: ops!($kind, $codec),
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
    macro_rules! ops {
        (array_to_array, $codec:path) => {
            Ops {
                validate: validate::<$codec>,
                max_abs_error: max_abs_error::<$codec>,
                decoded_dtype: |c| Ok(ArrayToArrayCodec::decoded_dtype(&parse::<$codec>(c)?)),
                array: Some(ArrayOps {
                    encoded_dtype: |c, d| parse::<$codec>(c)?.encoded_dtype(d),
                    encoded_shape: |c, s| parse::<$codec>(c)?.encoded_shape(s),
                    elementwise: |c| Ok(parse::<$codec>(c)?.elementwise()),
                    self_describing: |c| Ok(parse::<$codec>(c)?.self_describing()),
                }),
                bind: None,
            }
        };
        (array_to_bytes, $codec:path) => {
            Ops {
                validate: validate::<$codec>,
                max_abs_error: max_abs_error::<$codec>,
                decoded_dtype: |c| Ok(ArrayToBytesCodec::decoded_dtype(&parse::<$codec>(c)?)),
                array: None,
                bind: Some(bind::<$codec>),
            }
        };
        (bytes_to_bytes, $codec:path) => {
            Ops {
                validate: validate::<$codec>,
                max_abs_error: max_abs_error::<$codec>,
                decoded_dtype: |c| {
                    let _: $codec = parse(c)?;
                    Ok(None)
                },
                array: None,
                bind: None,
            }
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
    let config = C::Config::<'static>::deserialize(Value::Object(config))
        .map_err(|e| invalid(e.to_string()))?;
    let codec = C::from_config(config);
    codec.validate()?;
    Ok(codec)
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

fn validate<C: PipelineCodec>(config: &Value) -> Result<(), CodecError> {
    parse::<C>(config).map(drop)
}

fn max_abs_error<C: PipelineCodec>(config: &Value) -> Result<Option<f64>, CodecError> {
    Ok(parse::<C>(config)?.max_abs_error())
}

fn bind<C: ArrayToBytesCodec>(
    config: &Value,
    dtype: AnyArrayDType,
    shape: &[usize],
) -> Result<Value, CodecError> {
    let codec = parse::<C>(config)?;
    let bound = codec.bind(dtype, shape)?;
    serde_json::to_value(bound.get_config()).map_err(|e| CodecError::InvalidConfig {
        codec: C::CODEC_ID,
        message: format!(
            "the configuration for {} chunks does not serialize: {e}",
            dtype_name(dtype)
        ),
    })
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
