//! zarrs array→array codec `ndcodecs.spatial_delta` (zarr v2 id `spatial_delta`).

use std::num::NonZeroU64;
use std::sync::Arc;

use ndcodecs_spatial_delta::{CODEC_ID, SpatialDeltaCodec, SpatialDeltaConfig, unsupported_dtype};
use numcodecs::{AnyArray, Codec as _, StaticCodec};
use zarrs::array::{ArrayBytes, ChunkShape, DataType, FillValue};
use zarrs_codec::{ArrayToArrayCodecTraits, Codec, CodecError, CodecOptions};

use crate::adapter::{array_from_bytes, codec_error, impl_zarr_plugin, require_dtype, usize_shape};

/// `spatial_delta` as a zarrs array→array codec: same shape and data type out; integer data
/// types only. The axes are checked against the array's dimensionality when the array is
/// created.
#[derive(Clone, Debug)]
pub struct SpatialDeltaZarrCodec(pub SpatialDeltaCodec);

impl_zarr_plugin!(
    SpatialDeltaZarrCodec,
    v3: "ndcodecs.spatial_delta", ["numcodecs.spatial_delta"],
    v2: "spatial_delta",
    SpatialDeltaConfig, CODEC_ID, |config| {
    Ok(Codec::ArrayToArray(Arc::new(SpatialDeltaZarrCodec(
        SpatialDeltaCodec::from_config(config),
    ))))
}, array: true);

impl SpatialDeltaZarrCodec {
    fn check_int(data_type: &DataType) -> Result<(), CodecError> {
        let dtype = require_dtype(data_type, CODEC_ID)?;
        if matches!(
            dtype,
            numcodecs::AnyArrayDType::F32 | numcodecs::AnyArrayDType::F64
        ) {
            return Err(codec_error(&unsupported_dtype(&data_type.to_string())));
        }
        Ok(())
    }

    fn run<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        decode: bool,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        Self::check_int(data_type)?;
        let dtype = require_dtype(data_type, CODEC_ID)?;
        let shape = usize_shape(shape)?;
        let raw = bytes.into_fixed()?;
        let input: AnyArray = array_from_bytes(&raw, dtype, &shape)?;
        let out = if decode {
            self.0.decode(input.into_cow())
        } else {
            self.0.encode(input.into_cow())
        }
        .map_err(|e| codec_error(&e))?;
        Ok(ArrayBytes::from(out.as_bytes().into_owned()))
    }
}

impl ArrayToArrayCodecTraits for SpatialDeltaZarrCodec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn ArrayToArrayCodecTraits> {
        self
    }

    fn encoded_data_type(&self, decoded_data_type: &DataType) -> Result<DataType, CodecError> {
        Self::check_int(decoded_data_type)?;
        Ok(decoded_data_type.clone())
    }

    fn encoded_shape(&self, decoded_shape: &[NonZeroU64]) -> Result<ChunkShape, CodecError> {
        self.0
            .resolve_axes(decoded_shape.len())
            .map_err(|e| codec_error(&e))?;
        Ok(decoded_shape.to_vec())
    }

    /// A chunk full of the fill value encodes to the fill value followed by zeros, which is not
    /// one value; the fill value is passed on unchanged (it only matters to codecs after this one
    /// for chunks that are never written).
    fn encoded_fill_value(
        &self,
        _decoded_data_type: &DataType,
        decoded_fill_value: &FillValue,
    ) -> Result<FillValue, CodecError> {
        Ok(decoded_fill_value.clone())
    }

    fn encode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        self.run(bytes, shape, data_type, false)
    }

    fn decode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        self.run(bytes, shape, data_type, true)
    }
}
