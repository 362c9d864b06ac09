//! Shared core of the ndcodecs codecs.
//!
//! Every ndcodecs codec implements the [`numcodecs`] crate's [`Codec`](numcodecs::Codec) +
//! [`StaticCodec`](numcodecs::StaticCodec) traits. This crate holds what they share:
//!
//! - [`CodecError`]: the one error type, with kinds by who is at fault (invalid configuration,
//!   unsupported dtype, shape mismatch, corrupt or truncated data, a decoder limit exceeded, a
//!   value out of range, a checksum mismatch, an unknown format version);
//! - [`dtype`]: element traits for the ten numcodecs dtypes and the single dtype dispatch macros;
//! - [`bytes`]: checked little-endian reading of encoded headers ([`ByteReader`]);
//! - [`shape`]: axis normalisation, contiguous views of numcodecs arrays and decoder size checks;
//! - [`pipeline`]: the traits by codec kind (array → array, array → bytes, bytes → bytes) that
//!   tell the zarr and Python layers what they must know about a codec before any data.

pub mod bytes;
pub mod dtype;
mod error;
pub mod float;
pub mod pipeline;
pub mod shape;

pub use bytes::ByteReader;
pub use error::CodecError;
pub use pipeline::{
    ArrayToArrayCodec, ArrayToBytesCodec, BytesToBytesCodec, CodecKind, EncodedSize, PipelineCodec,
};

#[doc(hidden)]
pub use numcodecs as __numcodecs;
