//! `pixel_mlp`: learned pixel-by-pixel lossless coding of integer images.
//!
//! After S. Gümüş and F. Kamisli, "A Learned Pixel-by-Pixel Lossless Image Compression Method
//! with 59K Parameters and Parallel Decoding" (arXiv 2212.01185): every sample's distribution
//! comes from a small neural network that reads the sample's causal neighbourhood (rows above,
//! samples to the left, the pixel's channels coded before it, the previous slice of a volume);
//! the sample is range-coded with that distribution, turned into integer cumulative
//! frequencies. The network runs in fixed-point integer arithmetic (`ndcodecs-learned`), so
//! every CPU computes the same frequencies.
//!
//! - numcodecs codec id: `pixel_mlp`; zarr v3 name `ndcodecs.pixel_mlp`.
//! - array → bytes: `(y, x)` images, `(y, x, c)` with `c <= 4` channels, `(z, y, x)` volumes.
//! - dtypes: `uint8`, `uint16`, `int16`; the value range each channel uses is stored.
//! - Specification: `specs/pixel_mlp/README.md` in the repository.

pub mod coding;
pub mod config;
pub mod context;
pub mod encode;
pub mod entropy;
pub mod format;
pub mod model;

pub use config::{LayoutChoice, PixelMlpConfig, PixelMlpVersion, Streams};
pub use encode::{PixelSample, ideal_bits, plan};
pub use format::{Header, Layout, SampleType};

/// numcodecs codec id.
pub const CODEC_ID: &str = "pixel_mlp";
