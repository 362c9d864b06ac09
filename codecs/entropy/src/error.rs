use thiserror::Error;

/// What can go wrong when coding or decoding with this crate.
///
/// The decoder never panics on damaged input: it keeps decoding (reading zero bytes past the end
/// of the data) and reports what it found when [`RangeDecoder::finish`](crate::RangeDecoder::finish)
/// is called or when a table handed to it is invalid.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntropyError {
    /// The coded data ended before the decoder had read what the coded symbols need.
    #[error("truncated range-coded data: {needed} bytes needed, {available} available")]
    Truncated {
        /// bytes the decoded symbols need
        needed: usize,
        /// bytes there are
        available: usize,
    },
    /// Bytes follow the end of the range-coded data.
    #[error("{count} trailing bytes after the end of the range-coded data")]
    TrailingBytes {
        /// number of bytes past the end
        count: usize,
    },
    /// The coded data is not what an encoder writes (its end is not canonical, or its first bytes
    /// lie outside the coder's interval).
    #[error("corrupt range-coded data: {0}")]
    Corrupt(&'static str),
    /// A cumulative-frequency table handed to the coder breaks the rules of
    /// [`RangeEncoder::encode_cdf`](crate::RangeEncoder::encode_cdf).
    #[error("invalid CDF table: {0}")]
    InvalidCdf(String),
}
