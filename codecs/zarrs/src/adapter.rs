//! The thin layer between zarrs' codec traits (raw native-endian bytes + shape + data type) and
//! the numcodecs `Codec` trait every ndcodecs codec implements (typed n-d arrays).

use std::num::NonZeroU64;

use ndcodecs_core::CodecError as NdError;
use numcodecs::{AnyArray, AnyArrayDType, StaticCodec};
use serde::de::DeserializeOwned;
use zarrs::array::{DataType, data_type};
use zarrs_codec::CodecError;
use zarrs_metadata::Configuration;
use zarrs_plugin::{PluginCreateError, ZarrVersion};

/// The numcodecs dtype of a zarrs data type, if it is one of the ten numeric dtypes.
#[must_use]
pub fn any_dtype(data_type: &DataType) -> Option<AnyArrayDType> {
    Some(match data_type.name(ZarrVersion::V3)?.as_ref() {
        "uint8" => AnyArrayDType::U8,
        "uint16" => AnyArrayDType::U16,
        "uint32" => AnyArrayDType::U32,
        "uint64" => AnyArrayDType::U64,
        "int8" => AnyArrayDType::I8,
        "int16" => AnyArrayDType::I16,
        "int32" => AnyArrayDType::I32,
        "int64" => AnyArrayDType::I64,
        "float32" => AnyArrayDType::F32,
        "float64" => AnyArrayDType::F64,
        _ => return None,
    })
}

/// The zarrs data type of a numcodecs dtype.
#[must_use]
pub fn zarr_data_type(dtype: AnyArrayDType) -> DataType {
    match dtype {
        AnyArrayDType::U8 => data_type::uint8(),
        AnyArrayDType::U16 => data_type::uint16(),
        AnyArrayDType::U32 => data_type::uint32(),
        AnyArrayDType::U64 => data_type::uint64(),
        AnyArrayDType::I8 => data_type::int8(),
        AnyArrayDType::I16 => data_type::int16(),
        AnyArrayDType::I32 => data_type::int32(),
        AnyArrayDType::I64 => data_type::int64(),
        AnyArrayDType::F32 => data_type::float32(),
        _ => data_type::float64(),
    }
}

/// [`any_dtype`], or zarrs' "unsupported data type" error naming the codec.
pub fn require_dtype(data_type: &DataType, codec: &str) -> Result<AnyArrayDType, CodecError> {
    any_dtype(data_type)
        .ok_or_else(|| CodecError::UnsupportedDataType(data_type.clone(), codec.to_string()))
}

/// Converts an ndcodecs error into a zarrs codec error, keeping its message.
#[must_use]
pub fn codec_error(e: &NdError) -> CodecError {
    CodecError::Other(e.to_string())
}

/// The chunk shape as `usize`s.
pub fn usize_shape(shape: &[NonZeroU64]) -> Result<Vec<usize>, CodecError> {
    shape
        .iter()
        .map(|d| {
            usize::try_from(d.get())
                .map_err(|_| CodecError::Other(format!("chunk extent {d} does not fit in memory")))
        })
        .collect()
}

/// A C-order array of `dtype` and `shape` holding a copy of the native-endian `bytes`.
pub fn array_from_bytes(
    bytes: &[u8],
    dtype: AnyArrayDType,
    shape: &[usize],
) -> Result<AnyArray, CodecError> {
    let expected = shape.iter().product::<usize>() * dtype.size();
    if bytes.len() != expected {
        return Err(CodecError::Other(format!(
            "chunk holds {} bytes, expected {expected} for shape {shape:?} of {dtype}",
            bytes.len()
        )));
    }
    Ok(AnyArray::with_zeros_bytes(dtype, shape, |b| b.copy_from_slice(bytes)).0)
}

/// The numcodecs configuration of `codec` without its `id`, as zarr metadata.
#[must_use]
pub fn configuration_of<C: StaticCodec>(codec: &C) -> Configuration {
    let mut map = match serde_json::to_value(codec.get_config()) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    map.remove("id");
    map.into()
}

/// Parses a codec configuration from zarr metadata (v3 `configuration`, or v2 codec metadata
/// with its `id`): the `id` key, when present, must be the codec's numcodecs id.
pub fn parse_configuration<T: DeserializeOwned>(
    configuration: serde_json::Map<String, serde_json::Value>,
    codec_id: &str,
) -> Result<T, PluginCreateError> {
    let mut map = configuration;
    if let Some(id) = map.remove("id")
        && id.as_str() != Some(codec_id)
    {
        return Err(PluginCreateError::Other(format!(
            "expected codec id {codec_id:?}, found {id}"
        )));
    }
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| PluginCreateError::Other(format!("{codec_id}: invalid configuration: {e}")))
}

/// The parts of a zarrs codec that are the same for every ndcodecs adapter: its names (zarr v3
/// name and aliases, zarr v2 id) and registration in zarrs' plugin registry, creation from zarr v3
/// and v2 metadata (`$build` turns the parsed configuration into a zarrs [`Codec`]), the stored
/// configuration (the inner numcodecs codec's, without `id`), no partial decoding or encoding,
/// and — for array codecs — one-thread-per-chunk concurrency (zarrs runs chunks in parallel).
macro_rules! impl_zarr_plugin {
    ($ty:ident, v3: $v3:literal, [$($alias:literal),*], v2: $v2:literal,
     $config:ty, $codec_id:expr, |$cfg:ident| $build:expr $(, array: $array:tt)?) => {
        zarrs_plugin::impl_extension_aliases!($ty, v3: $v3, [$($alias),*], v2: $v2, []);
        inventory::submit! { zarrs_codec::CodecPluginV3::new::<$ty>() }
        inventory::submit! { zarrs_codec::CodecPluginV2::new::<$ty>() }

        impl $ty {
            fn from_map(
                map: serde_json::Map<String, serde_json::Value>,
            ) -> Result<zarrs_codec::Codec, zarrs_plugin::PluginCreateError> {
                let $cfg: $config = $crate::adapter::parse_configuration(map, $codec_id)?;
                $build
            }
        }

        impl zarrs_codec::CodecTraitsV3 for $ty {
            fn create(
                metadata: &zarrs_metadata::v3::MetadataV3,
            ) -> Result<zarrs_codec::Codec, zarrs_plugin::PluginCreateError> {
                Self::from_map(metadata.to_typed_configuration()?)
            }
        }

        impl zarrs_codec::CodecTraitsV2 for $ty {
            fn create(
                metadata: &zarrs_metadata::v2::MetadataV2,
            ) -> Result<zarrs_codec::Codec, zarrs_plugin::PluginCreateError> {
                Self::from_map(metadata.to_typed_configuration()?)
            }
        }

        impl zarrs_codec::CodecTraits for $ty {
            fn as_any(&self) -> &dyn std::any::Any {
                self
            }

            fn configuration(
                &self,
                _version: zarrs_plugin::ZarrVersion,
                _options: &zarrs_codec::CodecMetadataOptions,
            ) -> Option<zarrs_metadata::Configuration> {
                Some($crate::adapter::configuration_of(&self.0))
            }

            fn partial_decoder_capability(&self) -> zarrs_codec::PartialDecoderCapability {
                zarrs_codec::PartialDecoderCapability {
                    partial_read: false,
                    partial_decode: false,
                }
            }

            fn partial_encoder_capability(&self) -> zarrs_codec::PartialEncoderCapability {
                zarrs_codec::PartialEncoderCapability {
                    partial_encode: false,
                }
            }
        }

        $(impl_zarr_plugin!(@array $ty $array);)?
    };
    (@array $ty:ident true) => {
        impl zarrs_codec::ArrayCodecTraits for $ty {
            fn recommended_concurrency(
                &self,
                _shape: &[std::num::NonZeroU64],
                _data_type: &zarrs::array::DataType,
            ) -> Result<zarrs_codec::RecommendedConcurrency, zarrs_codec::CodecError> {
                Ok(zarrs_codec::RecommendedConcurrency::new_maximum(1))
            }
        }
    };
}
pub(crate) use impl_zarr_plugin;
