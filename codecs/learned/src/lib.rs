//! Fixed-point building blocks of the ndcodecs learned codecs (`pixel_mlp`, and `interp_cnn`
//! after it): integer dense layers, fixed-point log/exp/logistic tables, and the integer CDF of a
//! discretised logistic for a range coder.
//!
//! A learned lossless codec fails when encoder and decoder compute even one probability
//! differently (float results differ between CPUs, compilers and vectorisations). Everything
//! here is integer arithmetic over constant tables, specified operation by operation in the
//! module docs and in `specs/pixel_mlp/README.md`, so that two implementations agree bit for bit:
//!
//! - [`dense`]: `i16` weights and activations, wrapping `i32` accumulators, rounding shifts,
//!   ReLU by clamping;
//! - [`fixed`]: `log2`, `2^-x` and the logistic function from tables ([`tables`]);
//! - [`logistic`]: a discretised logistic over an integer range as 16-bit cumulative
//!   frequencies (a window of bins around the mean, escapes for the tails), with the symbol
//!   search a decoder needs;
//! - [`model`]: the little-endian weight file format of a model (named by a model id).

pub mod dense;
pub mod fixed;
pub mod logistic;
pub mod model;
pub mod sample;
pub mod simd;
pub mod tables;

pub use dense::{Dense, LayerError, Mlp};
pub use logistic::{Coded, Found, Logistic};
pub use sample::{Sample, SampleType};
