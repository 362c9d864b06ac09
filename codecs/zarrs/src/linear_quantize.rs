//! zarrs array→array codec `ndcodecs.linear_quantize` (zarr v2 id `linear_quantize`).

use std::num::NonZeroU64;
use std::sync::Arc;

use ndcodecs_linear_quantize::{CODEC_ID, LinearQuantizeCodec, LinearQuantizeConfig};
use zarrs::array::{ArrayBytes, DataType, FillValue};
use zarrs_codec::{
    ArrayCodecTraits, ArrayToArrayCodecTraits, Codec, CodecError, CodecMetadataOptions,
    CodecOptions, CodecTraits, CodecTraitsV2, CodecTraitsV3, PartialDecoderCapability,
    PartialEncoderCapability, RecommendedConcurrency,
};
use zarrs_metadata::Configuration;
use zarrs_metadata::v2::MetadataV2;
use zarrs_metadata::v3::MetadataV3;
use zarrs_plugin::{PluginCreateError, ZarrVersion};

use crate::adapter::{
    codec_error, configuration_of, parse_configuration, require_dtype, zarr_data_type,
};

/// `linear_quantize` as a zarrs array→array codec: a `float32`/`float64` array (the configured
/// `dtype`, checked when the array is opened) becomes integer codes of the configured `astype`,
/// same shape. The array's fill value maps to its code (NaN, ±∞ and the configured `fill_value`
/// to their reserved codes).
#[derive(Clone, Debug)]
pub struct LinearQuantizeZarrCodec(pub LinearQuantizeCodec);

zarrs_plugin::impl_extension_aliases!(LinearQuantizeZarrCodec,
    v3: "ndcodecs.linear_quantize", ["numcodecs.linear_quantize"],
    v2: "linear_quantize", []
);

inventory::submit! { zarrs_codec::CodecPluginV3::new::<LinearQuantizeZarrCodec>() }
inventory::submit! { zarrs_codec::CodecPluginV2::new::<LinearQuantizeZarrCodec>() }

impl LinearQuantizeZarrCodec {
    fn from_map(
        map: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Codec, PluginCreateError> {
        let config: LinearQuantizeConfig = parse_configuration(map, CODEC_ID)?;
        let codec = LinearQuantizeCodec::try_new(config)
            .map_err(|e| PluginCreateError::Other(e.to_string()))?;
        Ok(Codec::ArrayToArray(Arc::new(Self(codec))))
    }
}

impl CodecTraitsV3 for LinearQuantizeZarrCodec {
    fn create(metadata: &MetadataV3) -> Result<Codec, PluginCreateError> {
        Self::from_map(metadata.to_typed_configuration()?)
    }
}

impl CodecTraitsV2 for LinearQuantizeZarrCodec {
    fn create(metadata: &MetadataV2) -> Result<Codec, PluginCreateError> {
        Self::from_map(metadata.to_typed_configuration()?)
    }
}

impl CodecTraits for LinearQuantizeZarrCodec {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn configuration(
        &self,
        _version: ZarrVersion,
        _options: &CodecMetadataOptions,
    ) -> Option<Configuration> {
        Some(configuration_of(&self.0))
    }

    fn partial_decoder_capability(&self) -> PartialDecoderCapability {
        PartialDecoderCapability {
            partial_read: false,
            partial_decode: false,
        }
    }

    fn partial_encoder_capability(&self) -> PartialEncoderCapability {
        PartialEncoderCapability {
            partial_encode: false,
        }
    }
}

impl ArrayCodecTraits for LinearQuantizeZarrCodec {
    fn recommended_concurrency(
        &self,
        _shape: &[NonZeroU64],
        _data_type: &DataType,
    ) -> Result<RecommendedConcurrency, CodecError> {
        Ok(RecommendedConcurrency::new_maximum(1))
    }
}

impl ArrayToArrayCodecTraits for LinearQuantizeZarrCodec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn ArrayToArrayCodecTraits> {
        self
    }

    fn encoded_data_type(&self, decoded_data_type: &DataType) -> Result<DataType, CodecError> {
        let dtype = require_dtype(decoded_data_type, CODEC_ID)?;
        let encoded = self.0.encoded_dtype(dtype).map_err(|e| codec_error(&e))?;
        Ok(zarr_data_type(encoded))
    }

    fn encoded_fill_value(
        &self,
        decoded_data_type: &DataType,
        decoded_fill_value: &FillValue,
    ) -> Result<FillValue, CodecError> {
        require_dtype(decoded_data_type, CODEC_ID)?;
        let code = self
            .0
            .encode_fill_value(decoded_fill_value.as_ne_bytes())
            .map_err(|e| codec_error(&e))?;
        Ok(FillValue::new(code))
    }

    fn encode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        _shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        let dtype = require_dtype(data_type, CODEC_ID)?;
        self.0.encoded_dtype(dtype).map_err(|e| codec_error(&e))?;
        let raw = bytes.into_fixed()?;
        let codes = self.0.encode_bytes(&raw).map_err(|e| codec_error(&e))?;
        Ok(ArrayBytes::from(codes))
    }

    fn decode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        let dtype = require_dtype(data_type, CODEC_ID)?;
        self.0.encoded_dtype(dtype).map_err(|e| codec_error(&e))?;
        let elements = shape
            .iter()
            .try_fold(1usize, |n, d| n.checked_mul(usize::try_from(d.get()).ok()?))
            .ok_or_else(|| CodecError::Other("chunk shape too large".into()))?;
        let raw = bytes.into_fixed()?;
        let values = self
            .0
            .decode_bytes(&raw, elements)
            .map_err(|e| codec_error(&e))?;
        Ok(ArrayBytes::from(values))
    }
}
