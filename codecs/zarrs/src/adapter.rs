//! The generic zarrs adapters, one per codec kind, between zarrs' codec traits (raw native-endian
//! bytes + shape + data type) and the traits of `ndcodecs_core::pipeline` every ndcodecs codec
//! implements.
//!
//! [`ArrayToArrayAdapter`], [`ArrayToBytesAdapter`] and [`BytesToBytesAdapter`] implement zarrs'
//! traits for any codec of their kind; `register_codec!` (expanded for every line of the
//! `ndcodecs-registry` list) gives each codec its names and registration: zarrs' plugin macros
//! want one concrete type per codec, which the type alias `<Name>ZarrCodec` is.

use std::borrow::Cow;
use std::num::NonZeroU64;
use std::sync::Arc;

use ndcodecs_core::{
    ArrayToArrayCodec, ArrayToBytesCodec, BytesToBytesCodec, CodecError as NdError, EncodedSize,
    PipelineCodec, shape::try_vec,
};
use numcodecs::{AnyArrayDType, StaticCodec};
use zarrs::array::{
    ArrayBytes, ArrayBytesRaw, ArraySubset, BytesRepresentation, ChunkShape, DataType, FillValue,
    Indexer, data_type,
};
use zarrs_codec::{
    ArrayCodecTraits, ArrayPartialDecoderTraits, ArrayToArrayCodecTraits, ArrayToBytesCodecTraits,
    BytesToBytesCodecTraits, Codec, CodecError, CodecMetadataOptions, CodecOptions, CodecTraits,
    PartialDecoderCapability, PartialEncoderCapability, RecommendedConcurrency,
};
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
fn require_dtype(data_type: &DataType, codec: &str) -> Result<AnyArrayDType, CodecError> {
    any_dtype(data_type)
        .ok_or_else(|| CodecError::UnsupportedDataType(data_type.clone(), codec.to_string()))
}

/// Converts an ndcodecs error into a zarrs codec error, keeping its message.
fn codec_error(e: &NdError) -> CodecError {
    CodecError::Other(e.to_string())
}

/// The chunk shape as `usize`s.
fn usize_shape(shape: &[NonZeroU64]) -> Result<Vec<usize>, CodecError> {
    shape
        .iter()
        .map(|d| {
            usize::try_from(d.get())
                .map_err(|_| CodecError::Other(format!("chunk extent {d} does not fit in memory")))
        })
        .collect()
}

/// The numcodecs configuration of `codec` without its `id`, as zarr metadata.
fn configuration_of<C: StaticCodec>(codec: &C) -> Configuration {
    let mut map = match serde_json::to_value(codec.get_config()) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    map.remove("id");
    map.into()
}

/// zarrs' [`BytesRepresentation`] of an [`EncodedSize`].
const fn representation(size: EncodedSize) -> BytesRepresentation {
    match size {
        EncodedSize::Fixed(n) => BytesRepresentation::FixedSize(n),
        EncodedSize::Bounded(n) => BytesRepresentation::BoundedSize(n),
        EncodedSize::Unbounded => BytesRepresentation::UnboundedSize,
    }
}

/// The [`EncodedSize`] of zarrs' [`BytesRepresentation`].
const fn encoded_size(representation: &BytesRepresentation) -> EncodedSize {
    match *representation {
        BytesRepresentation::FixedSize(n) => EncodedSize::Fixed(n),
        BytesRepresentation::BoundedSize(n) => EncodedSize::Bounded(n),
        BytesRepresentation::UnboundedSize => EncodedSize::Unbounded,
    }
}

/// Creates a codec from zarr metadata (v3 `configuration` or v2 codec metadata with its `id`).
pub(crate) fn create<C: PipelineCodec>(
    configuration: serde_json::Map<String, serde_json::Value>,
    wrap: impl FnOnce(C) -> Codec,
) -> Result<Codec, PluginCreateError> {
    ndcodecs_registry::codec_from_config::<C>(configuration)
        .map(wrap)
        .map_err(|e| PluginCreateError::Other(e.to_string()))
}

/// What every adapter shares: the stored configuration is the codec's numcodecs configuration
/// without `id`; no partial decoding or encoding; one thread per chunk (zarrs runs chunks in
/// parallel).
macro_rules! impl_codec_traits {
    ($adapter:ident) => {
        impl<C: PipelineCodec> CodecTraits for $adapter<C>
        where
            Self: zarrs_plugin::ExtensionName,
        {
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
    };
}

/// An array → array codec ([`ArrayToArrayCodec`]) as a zarrs array → array codec. The encoded
/// data type and shape, and whether the codec takes the array's data type and rank, are asked of
/// the codec when the array is created.
#[derive(Clone, Debug)]
pub struct ArrayToArrayAdapter<C>(pub C);

/// An array → bytes codec ([`ArrayToBytesCodec`]) as a zarrs array → bytes codec. The codec is
/// bound to the chunks' data type and shape ([`ArrayToBytesCodec::bind`]) when the array is
/// created and before every chunk.
#[derive(Clone, Debug)]
pub struct ArrayToBytesAdapter<C>(pub C);

/// A bytes → bytes codec ([`BytesToBytesCodec`]) as a zarrs bytes → bytes codec.
#[derive(Clone, Debug)]
pub struct BytesToBytesAdapter<C>(pub C);

impl_codec_traits!(ArrayToArrayAdapter);
impl_codec_traits!(ArrayToBytesAdapter);
impl_codec_traits!(BytesToBytesAdapter);

impl<C: ArrayToArrayCodec> ArrayToArrayAdapter<C> {
    fn dtype(data_type: &DataType) -> Result<AnyArrayDType, CodecError> {
        require_dtype(data_type, C::CODEC_ID)
    }
}

impl<C: ArrayToArrayCodec> ArrayCodecTraits for ArrayToArrayAdapter<C>
where
    Self: zarrs_plugin::ExtensionName,
{
    fn recommended_concurrency(
        &self,
        _shape: &[NonZeroU64],
        _data_type: &DataType,
    ) -> Result<RecommendedConcurrency, CodecError> {
        Ok(RecommendedConcurrency::new_maximum(1))
    }
}

impl<C: ArrayToArrayCodec> ArrayToArrayCodecTraits for ArrayToArrayAdapter<C>
where
    Self: zarrs_plugin::ExtensionName,
{
    fn into_dyn(self: Arc<Self>) -> Arc<dyn ArrayToArrayCodecTraits> {
        self
    }

    fn encoded_data_type(&self, decoded_data_type: &DataType) -> Result<DataType, CodecError> {
        let dtype = Self::dtype(decoded_data_type)?;
        let encoded = self.0.encoded_dtype(dtype).map_err(|e| codec_error(&e))?;
        Ok(zarr_data_type(encoded))
    }

    fn encoded_shape(&self, decoded_shape: &[NonZeroU64]) -> Result<ChunkShape, CodecError> {
        let shape = usize_shape(decoded_shape)?;
        let encoded = self.0.encoded_shape(&shape).map_err(|e| codec_error(&e))?;
        encoded
            .into_iter()
            .map(|d| {
                u64::try_from(d)
                    .ok()
                    .and_then(NonZeroU64::new)
                    .ok_or_else(|| {
                        CodecError::Other(format!("{}: empty encoded axis", C::CODEC_ID))
                    })
            })
            .collect()
    }

    fn encoded_fill_value(
        &self,
        decoded_data_type: &DataType,
        decoded_fill_value: &FillValue,
    ) -> Result<FillValue, CodecError> {
        let dtype = Self::dtype(decoded_data_type)?;
        let code = self
            .0
            .encoded_fill_value(dtype, decoded_fill_value.as_ne_bytes())
            .map_err(|e| codec_error(&e))?;
        Ok(FillValue::new(code))
    }

    fn encode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        let dtype = Self::dtype(data_type)?;
        let shape = usize_shape(shape)?;
        let raw = bytes.into_fixed()?;
        let encoded = self
            .0
            .encode_raw(&raw, dtype, &shape)
            .map_err(|e| codec_error(&e))?;
        Ok(ArrayBytes::from(encoded))
    }

    fn decode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        let dtype = Self::dtype(data_type)?;
        let shape = usize_shape(shape)?;
        let raw = bytes.into_fixed()?;
        let decoded = self
            .0
            .decode_raw(&raw, dtype, &shape)
            .map_err(|e| codec_error(&e))?;
        Ok(ArrayBytes::from(decoded))
    }

    /// An elementwise codec decodes the requested subset of the encoded chunk (as zarrs' default
    /// does); any other decodes the whole chunk and extracts the subset. zarrs' default asks the
    /// codecs below for the same subset of the *encoded* chunk, which for a codec whose encoded
    /// shape differs (`interp_quantize`) is not a subset of the encoded array at all.
    fn partial_decoder(
        self: Arc<Self>,
        input_handle: Arc<dyn ArrayPartialDecoderTraits>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
        options: &CodecOptions,
    ) -> Result<Arc<dyn ArrayPartialDecoderTraits>, CodecError> {
        let _ = options;
        let encoded_shape = self.encoded_shape(shape)?;
        Ok(Arc::new(FilterPartialDecoder {
            elementwise: self.0.elementwise(),
            input_handle,
            codec: self,
            shape: shape.to_vec(),
            encoded_shape,
            data_type: data_type.clone(),
            fill_value: fill_value.clone(),
        }))
    }
}

/// The partial decoder of a filter: an elementwise filter decodes the requested elements of the
/// encoded chunk; any other decodes the whole chunk (read whole from the codecs below), then
/// extracts the requested elements.
struct FilterPartialDecoder<C> {
    elementwise: bool,
    input_handle: Arc<dyn ArrayPartialDecoderTraits>,
    codec: Arc<ArrayToArrayAdapter<C>>,
    shape: Vec<NonZeroU64>,
    encoded_shape: ChunkShape,
    data_type: DataType,
    fill_value: FillValue,
}

impl<C: ArrayToArrayCodec> ArrayPartialDecoderTraits for FilterPartialDecoder<C>
where
    ArrayToArrayAdapter<C>: zarrs_plugin::ExtensionName,
{
    fn data_type(&self) -> &DataType {
        &self.data_type
    }

    fn exists(&self) -> Result<bool, zarrs::storage::StorageError> {
        self.input_handle.exists()
    }

    fn size_held(&self) -> usize {
        self.input_handle.size_held()
    }

    fn partial_decode(
        &self,
        indexer: &dyn Indexer,
        options: &CodecOptions,
    ) -> Result<ArrayBytes<'_>, CodecError> {
        if self.elementwise {
            let shape = indexer
                .output_shape()
                .iter()
                .map(|&d| NonZeroU64::new(d))
                .collect::<Option<Vec<_>>>();
            let Some(shape) = shape else {
                return Ok(ArrayBytes::new_flen(vec![]));
            };
            let encoded = self.input_handle.partial_decode(indexer, options)?;
            return Ok(ArrayToArrayCodecTraits::decode(
                &*self.codec,
                encoded,
                &shape,
                &self.data_type,
                &self.fill_value,
                options,
            )?
            .into_owned());
        }
        // A chunk that is not stored reads as the fill value (the codecs below would hand us
        // the *encoded* fill value, which for a codec whose encoded chunk has a header is no
        // encoded chunk at all).
        if !self.input_handle.exists()? {
            return ArrayBytes::new_fill_value(&self.data_type, indexer.len(), &self.fill_value)
                .map_err(|e| CodecError::Other(e.to_string()));
        }
        let whole =
            ArraySubset::new_with_shape(self.encoded_shape.iter().map(|d| d.get()).collect());
        let encoded = self.input_handle.partial_decode(&whole, options)?;
        let decoded = ArrayToArrayCodecTraits::decode(
            &*self.codec,
            encoded,
            &self.shape,
            &self.data_type,
            &self.fill_value,
            options,
        )?;
        let shape: Vec<u64> = self.shape.iter().map(|d| d.get()).collect();
        Ok(decoded
            .extract_array_subset(indexer, &shape, &self.data_type)?
            .into_owned())
    }

    fn supports_partial_decode(&self) -> bool {
        false
    }
}

impl<C: ArrayToBytesCodec> ArrayToBytesAdapter<C> {
    /// The codec bound to chunks of `data_type` and `shape`, with the numcodecs dtype.
    fn bind(
        &self,
        data_type: &DataType,
        shape: &[NonZeroU64],
    ) -> Result<(Cow<'_, C>, AnyArrayDType, Vec<usize>), CodecError> {
        let dtype = require_dtype(data_type, C::CODEC_ID)?;
        let shape = usize_shape(shape)?;
        let codec = self.0.bind(dtype, &shape).map_err(|e| codec_error(&e))?;
        Ok((codec, dtype, shape))
    }
}

impl<C: ArrayToBytesCodec> ArrayCodecTraits for ArrayToBytesAdapter<C>
where
    Self: zarrs_plugin::ExtensionName,
{
    fn recommended_concurrency(
        &self,
        _shape: &[NonZeroU64],
        _data_type: &DataType,
    ) -> Result<RecommendedConcurrency, CodecError> {
        Ok(RecommendedConcurrency::new_maximum(1))
    }
}

impl<C: ArrayToBytesCodec> ArrayToBytesCodecTraits for ArrayToBytesAdapter<C>
where
    Self: zarrs_plugin::ExtensionName,
{
    fn into_dyn(self: Arc<Self>) -> Arc<dyn ArrayToBytesCodecTraits> {
        self
    }

    fn encoded_representation(
        &self,
        shape: &[NonZeroU64],
        data_type: &DataType,
        _fill_value: &FillValue,
    ) -> Result<BytesRepresentation, CodecError> {
        let (codec, dtype, shape) = self.bind(data_type, shape)?;
        Ok(representation(codec.encoded_size(dtype, &shape)))
    }

    /// [`ArrayToBytesCodec::encode_chunk`]: an edge chunk whose padding (the fill value) the
    /// codec cannot hold is stored cropped.
    fn encode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        let (codec, dtype, shape) = self.bind(data_type, shape)?;
        let raw = bytes.into_fixed()?;
        let encoded = codec
            .encode_chunk(&raw, dtype, &shape, fill_value.as_ne_bytes())
            .map_err(|e| codec_error(&e))?
            .ok_or_else(|| {
                CodecError::Other(format!(
                    "{}: the chunk holds only the fill value, which the codec cannot store; \
                     leave zarrs' store_empty_chunks off so that such chunks are not written",
                    C::CODEC_ID
                ))
            })?;
        Ok(Cow::Owned(encoded))
    }

    /// [`ArrayToBytesCodec::decode_chunk`] into an output of the chunk's size: the stored shape
    /// is checked against the chunk before anything else is allocated.
    fn decode<'a>(
        &self,
        bytes: ArrayBytesRaw<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
        _options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        let (codec, dtype, shape) = self.bind(data_type, shape)?;
        let n = shape
            .iter()
            .try_fold(dtype.size(), |n, &d| n.checked_mul(d))
            .ok_or_else(|| CodecError::Other(format!("{}: chunk too large", C::CODEC_ID)))?;
        let mut out = try_vec(C::CODEC_ID, "the decoded chunk", n).map_err(|e| codec_error(&e))?;
        codec
            .decode_chunk(&bytes, dtype, &shape, fill_value.as_ne_bytes(), &mut out)
            .map_err(|e| codec_error(&e))?;
        Ok(ArrayBytes::from(out))
    }
}

impl<C: BytesToBytesCodec> BytesToBytesCodecTraits for BytesToBytesAdapter<C>
where
    Self: zarrs_plugin::ExtensionName,
{
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
        representation(self.0.encoded_size(encoded_size(decoded_representation)))
    }

    fn encode<'a>(
        &self,
        decoded_value: ArrayBytesRaw<'a>,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        let encoded = self
            .0
            .encode_raw(&decoded_value)
            .map_err(|e| codec_error(&e))?;
        Ok(Cow::Owned(encoded))
    }

    fn decode<'a>(
        &self,
        encoded_value: ArrayBytesRaw<'a>,
        _decoded_representation: &BytesRepresentation,
        options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        let decoded = if options.validate_checksums() {
            self.0.decode_raw(&encoded_value)
        } else {
            self.0.decode_raw_unchecked(&encoded_value)
        }
        .map_err(|e| codec_error(&e))?;
        Ok(Cow::Owned(decoded))
    }
}

/// Registers one codec of the list with zarrs: the type alias `<Name>ZarrCodec` for its
/// adapter, its v3 name and aliases and v2 id, and zarrs' v3 and v2 plugins.
macro_rules! register_codec {
    ($($name:ident: $kind:ident, $codec:path, $v3:literal, [$($alias:literal),*];)*) => {
        $(zarrs_plugin::paste::paste! {
            #[doc = concat!(
                "The `", stringify!($name), "` codec (`", $v3, "`) as a zarrs ",
                register_codec!(@kind_text $kind), " codec."
            )]
            pub type [<$name ZarrCodec>] = register_codec!(@adapter $kind, $codec);

            zarrs_plugin::impl_extension_aliases!(
                [<$name ZarrCodec>],
                v3: $v3, [$($alias),*],
                v2: <$codec as numcodecs::StaticCodec>::CODEC_ID, []
            );
            inventory::submit! { zarrs_codec::CodecPluginV3::new::<[<$name ZarrCodec>]>() }
            inventory::submit! { zarrs_codec::CodecPluginV2::new::<[<$name ZarrCodec>]>() }

            impl zarrs_codec::CodecTraitsV3 for [<$name ZarrCodec>] {
                fn create(
                    metadata: &zarrs_metadata::v3::MetadataV3,
                ) -> Result<zarrs_codec::Codec, zarrs_plugin::PluginCreateError> {
                    $crate::adapter::create::<$codec>(
                        metadata.to_typed_configuration()?,
                        |c| register_codec!(@wrap $kind, c),
                    )
                }
            }

            impl zarrs_codec::CodecTraitsV2 for [<$name ZarrCodec>] {
                fn create(
                    metadata: &zarrs_metadata::v2::MetadataV2,
                ) -> Result<zarrs_codec::Codec, zarrs_plugin::PluginCreateError> {
                    $crate::adapter::create::<$codec>(
                        metadata.to_typed_configuration()?,
                        |c| register_codec!(@wrap $kind, c),
                    )
                }
            }
        })*

        /// Names every adapter type, so that the linker keeps this crate's registrations.
        pub(crate) fn keep_registrations() {
            $(zarrs_plugin::paste::paste! {
                let _ = std::hint::black_box(std::any::type_name::<[<$name ZarrCodec>]>());
            })*
        }
    };
    (@adapter array_to_array, $codec:path) => { $crate::adapter::ArrayToArrayAdapter<$codec> };
    (@adapter array_to_bytes, $codec:path) => { $crate::adapter::ArrayToBytesAdapter<$codec> };
    (@adapter bytes_to_bytes, $codec:path) => { $crate::adapter::BytesToBytesAdapter<$codec> };
    (@kind_text array_to_array) => { "array → array" };
    (@kind_text array_to_bytes) => { "array → bytes" };
    (@kind_text bytes_to_bytes) => { "bytes → bytes" };
    (@wrap array_to_array, $c:ident) => {
        zarrs_codec::Codec::ArrayToArray(std::sync::Arc::new($crate::adapter::ArrayToArrayAdapter($c)))
    };
    (@wrap array_to_bytes, $c:ident) => {
        zarrs_codec::Codec::ArrayToBytes(std::sync::Arc::new($crate::adapter::ArrayToBytesAdapter($c)))
    };
    (@wrap bytes_to_bytes, $c:ident) => {
        zarrs_codec::Codec::BytesToBytes(std::sync::Arc::new($crate::adapter::BytesToBytesAdapter($c)))
    };
}
pub(crate) use register_codec;
