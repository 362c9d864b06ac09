use thiserror::Error;

/// The error every ndcodecs codec returns, grouped by who is at fault.
///
/// Each variant names the codec (its numcodecs codec id) so that an error that surfaces from the
/// middle of a zarr codec chain says where it came from.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum CodecError {
    /// The configuration is invalid (the caller's fault).
    #[error("{codec}: invalid configuration: {message}")]
    InvalidConfig {
        /// codec id
        codec: &'static str,
        /// what is wrong and what would be valid
        message: String,
    },
    /// The array's dtype is not one this codec handles.
    #[error("{codec}: unsupported dtype {found}: {expected}")]
    UnsupportedDtype {
        /// codec id
        codec: &'static str,
        /// the dtype that was given
        found: String,
        /// what the codec accepts, or what to do instead
        expected: String,
    },
    /// The shape or size of the data does not match what the caller or the header says.
    #[error("{codec}: shape mismatch: expected {expected}, found {found}")]
    ShapeMismatch {
        /// codec id
        codec: &'static str,
        /// what was expected
        expected: String,
        /// what was found
        found: String,
    },
    /// The encoded data is corrupt (a field holds a value no encoder writes).
    #[error("{codec}: corrupt encoded data: {message}")]
    Corrupt {
        /// codec id
        codec: &'static str,
        /// what is wrong
        message: String,
    },
    /// The encoded data ends before a field it must hold.
    #[error(
        "{codec}: truncated encoded data: {needed} bytes needed at offset {offset}, only {available} available"
    )]
    Truncated {
        /// codec id
        codec: &'static str,
        /// byte offset of the field that could not be read
        offset: usize,
        /// bytes the field needs
        needed: usize,
        /// bytes left at that offset
        available: usize,
    },
    /// A declared size exceeds a decoder limit (checked before anything is allocated).
    #[error("{codec}: {what} of {found} exceeds the limit of {limit}")]
    LimitExceeded {
        /// codec id
        codec: &'static str,
        /// what was too large
        what: &'static str,
        /// the declared value
        found: u64,
        /// the limit
        limit: u64,
    },
    /// Memory for data whose size the input declares could not be reserved (the allocation is
    /// fallible, so a hostile or oversized input gives this error rather than an abort).
    #[error("{codec}: cannot allocate {bytes} bytes for {what}")]
    OutOfMemory {
        /// codec id
        codec: &'static str,
        /// what the memory was for
        what: &'static str,
        /// the size that could not be reserved
        bytes: u64,
    },
    /// An input value cannot be represented by the codec with its configuration.
    #[error("{codec}: value out of range: {message}")]
    OutOfRange {
        /// codec id
        codec: &'static str,
        /// the value, its position and what would fit
        message: String,
    },
    /// A stored checksum does not match the data.
    #[error("{codec}: checksum mismatch: stored {stored:#010x}, computed {computed:#010x}")]
    ChecksumMismatch {
        /// codec id
        codec: &'static str,
        /// checksum stored with the data
        stored: u32,
        /// checksum computed from the data
        computed: u32,
    },
    /// The encoded data was written by a newer format version than this reader knows.
    #[error(
        "{codec}: encoded with format version {found}, this reader knows versions up to {supported}: upgrade ndcodecs"
    )]
    UnsupportedVersion {
        /// codec id
        codec: &'static str,
        /// version found in the header
        found: u32,
        /// newest version this reader decodes
        supported: u32,
    },
}
