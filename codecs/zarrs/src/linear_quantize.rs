//! zarrs array→array codec `ndcodecs.linear_quantize` (zarr v2 id `linear_quantize`).

use std::num::NonZeroU64;
use std::sync::Arc;

use ndcodecs_linear_quantize::{CODEC_ID, LinearQuantizeCodec, LinearQuantizeConfig};
use zarrs::array::{ArrayBytes, DataType, FillValue};
use zarrs_codec::{ArrayToArrayCodecTraits, Codec, CodecError, CodecOptions};
use zarrs_plugin::PluginCreateError;

use crate::adapter::{codec_error, impl_zarr_plugin, require_dtype, zarr_data_type};

/// `linear_quantize` as a zarrs array→array codec: a `float32`/`float64` array (the configured
/// `dtype`, checked when the array is opened) becomes integer codes of the configured `astype`,
/// same shape. The array's fill value maps to its code (NaN, ±∞ and the configured `fill_value`
/// to their reserved codes).
#[derive(Clone, Debug)]
pub struct LinearQuantizeZarrCodec(pub LinearQuantizeCodec);

impl_zarr_plugin!(
    LinearQuantizeZarrCodec,
    v3: "ndcodecs.linear_quantize", ["numcodecs.linear_quantize"],
    v2: "linear_quantize",
    LinearQuantizeConfig, CODEC_ID, |config| {
    let codec = LinearQuantizeCodec::try_new(config)
        .map_err(|e| PluginCreateError::Other(e.to_string()))?;
    Ok(Codec::ArrayToArray(Arc::new(LinearQuantizeZarrCodec(codec))))
}, array: true);

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
