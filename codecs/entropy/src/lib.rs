//! Entropy coding shared by the ndcodecs codecs: a range coder with adaptive binary models,
//! adaptive multi-symbol models and coding from given integer CDF tables.
//!
//! Integer arithmetic only (no floats anywhere), so that the same symbols and probabilities give
//! the same bytes on every CPU and compiler; the exact arithmetic is specified in
//! `specs/entropy/README.md` of the repository, for anyone writing a second decoder.
//!
//! - [`RangeEncoder`] / [`RangeDecoder`]: a byte-wise range coder (G. N. N. Martin, 1979) with a
//!   32-bit range and carry propagation; a canonical end that the decoder checks, so that
//!   truncated data, trailing bytes and a damaged end are errors; reading past the end yields
//!   zero bytes, never a panic or a loop.
//! - [`BinaryModel`]: an adaptive bit probability, two shift-updated estimates at two rates,
//!   mixed (as in CABAC / LZMA, two-rate as in H.266/VVC).
//! - [`AdaptiveCdf`]: an adaptive `N`-symbol distribution whose cumulative frequencies move
//!   towards each coded symbol (as in AV1), every symbol keeping a nonzero frequency.
//! - [`RansEncoder`] / [`RansDecoder`]: interleaved rANS (4 states of 32 bits, 16-bit words)
//!   with static 12-bit tables ([`RansTable`], [`quantize_frequencies`]), the fast path.
//! - [`RangeEncoder::encode_cdf`] / [`RangeDecoder::decode_cdf`]: a symbol from a given table of
//!   cumulative frequencies summing to `2^precision_bits` (`precision_bits <= 16`), the interface
//!   for learned models; **every coded symbol must have a nonzero frequency**, which the encoder
//!   checks.
//!
//! ```
//! use ndcodecs_entropy::{AdaptiveCdf, BinaryModel, RangeDecoder, RangeEncoder};
//!
//! let bits = [false, false, true, false, false, false, true, false];
//! let symbols = [3usize, 3, 2, 3, 0, 3];
//! let cdf: [u16; 4] = [0, 1000, 30000, 32768]; // 3 symbols, 15-bit precision
//!
//! let mut enc = RangeEncoder::new();
//! let (mut bit_model, mut sym_model) = (BinaryModel::new(), AdaptiveCdf::<4>::new());
//! for &b in &bits {
//!     enc.encode_bit(b, &mut bit_model);
//! }
//! for &s in &symbols {
//!     enc.encode_symbol(s, &mut sym_model);
//! }
//! enc.encode_cdf(2, &cdf, 15)?;
//! enc.encode_bits(0xABCD, 16);
//! let bytes = enc.finish();
//!
//! let mut dec = RangeDecoder::new(&bytes);
//! let (mut bit_model, mut sym_model) = (BinaryModel::new(), AdaptiveCdf::<4>::new());
//! for &b in &bits {
//!     assert_eq!(dec.decode_bit(&mut bit_model), b);
//! }
//! for &s in &symbols {
//!     assert_eq!(dec.decode_symbol(&mut sym_model), s);
//! }
//! assert_eq!(dec.decode_cdf(&cdf, 15)?, 2);
//! assert_eq!(dec.decode_bits(16), 0xABCD);
//! dec.finish()?;
//! # Ok::<(), ndcodecs_entropy::EntropyError>(())
//! ```

mod binary;
mod cdf;
mod decoder;
mod encoder;
mod error;
mod rans;

pub use binary::{BIT_PROB_BITS, BinaryModel};
pub use cdf::{AdaptiveCdf, CDF_PROB_BITS, MAX_PRECISION_BITS};
pub use decoder::RangeDecoder;
pub use encoder::RangeEncoder;
pub use error::EntropyError;
pub use rans::{
    RANS_L, RANS_LANES, RANS_MAX_SYMBOLS, RANS_PROB_BITS, RANS_TOTAL, RansDecoder, RansEncSymbol,
    RansEncoder, RansTable, quantize_frequencies,
};

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
