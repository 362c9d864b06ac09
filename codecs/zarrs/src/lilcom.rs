//! zarrs array→bytes codec `ndcodecs.lilcom` (zarr v2 id `lilcom`): each chunk is a lilcom 1.x
//! byte string, readable by the stock `lilcom` package.

use std::num::NonZeroU64;
use std::sync::Arc;

use ndcodecs_core::dtype::dtype_name;
use ndcodecs_lilcom::{CODEC_ID, LilcomCodec, LilcomConfig, LilcomDtype};
use numcodecs::{AnyArray, AnyArrayDType, Codec as _, StaticCodec};
use zarrs::array::{ArrayBytes, ArrayBytesRaw, BytesRepresentation, DataType, FillValue};
use zarrs_codec::{ArrayToBytesCodecTraits, Codec, CodecError, CodecOptions};

use crate::adapter::{array_from_bytes, codec_error, impl_zarr_plugin, require_dtype, usize_shape};

/// `lilcom` as a zarrs array→bytes codec. The decoded data type is the array's (`float32`,
/// `float64` or an integer type); the configuration's `dtype` is replaced by it. Every element
/// decodes within `2^(tick_power-1)` of its value; NaN and ±∞ are refused at encode.
#[derive(Clone, Debug)]
pub struct LilcomZarrCodec(pub LilcomCodec);

impl_zarr_plugin!(
    LilcomZarrCodec,
    v3: "ndcodecs.lilcom", ["numcodecs.lilcom"],
    v2: "lilcom",
    LilcomConfig, CODEC_ID, |config| {
    Ok(Codec::ArrayToBytes(Arc::new(LilcomZarrCodec(
        LilcomCodec::from_config(config),
    ))))
}, array: true);

impl LilcomZarrCodec {
    /// The codec with its `dtype` set to the array's.
    fn for_data_type(
        &self,
        data_type: &DataType,
    ) -> Result<(LilcomCodec, AnyArrayDType), CodecError> {
        let dtype = require_dtype(data_type, CODEC_ID)?;
        let lilcom_dtype: LilcomDtype =
            serde_json::from_value(serde_json::json!(dtype_name(dtype)))
                .map_err(|_| CodecError::UnsupportedDataType(data_type.clone(), CODEC_ID.into()))?;
        let mut config = self.0.config().clone();
        config.dtype = lilcom_dtype;
        Ok((LilcomCodec::new(config), dtype))
    }
}

impl ArrayToBytesCodecTraits for LilcomZarrCodec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn ArrayToBytesCodecTraits> {
        self
    }

    fn encoded_representation(
        &self,
        _shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
    ) -> Result<BytesRepresentation, CodecError> {
        self.for_data_type(data_type)?;
        Ok(BytesRepresentation::UnboundedSize)
    }

    fn encode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        let (codec, dtype) = self.for_data_type(data_type)?;
        let shape = usize_shape(shape)?;
        let raw = bytes.into_fixed()?;
        let input = array_from_bytes(&raw, dtype, &shape)?;
        let encoded = codec
            .encode(input.into_cow())
            .map_err(|e| codec_error(&e))?;
        Ok(encoded.as_bytes().into_owned().into())
    }

    fn decode<'a>(
        &self,
        bytes: ArrayBytesRaw<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        let (codec, dtype) = self.for_data_type(data_type)?;
        let shape = usize_shape(shape)?;
        let encoded = array_from_bytes(&bytes, AnyArrayDType::U8, &[bytes.len()])?;
        // The output has the chunk's shape: the decoder checks the stored shape against it
        // before allocating anything for the stream.
        let mut out = AnyArray::zeros(dtype, &shape);
        codec
            .decode_into(encoded.view(), out.view_mut())
            .map_err(|e| codec_error(&e))?;
        Ok(ArrayBytes::from(out.as_bytes().into_owned()))
    }
}
