//! The weight file of a learned model: a set of [`Mlp`]s, little-endian, written field by field.
//!
//! ```text
//! [4 bytes]  "NDLM"                    magic
//! [4 bytes]  u32 file version (1)
//! [4 bytes]  u32 model id              (the id streams name the model by)
//! [4 bytes]  u32 number of networks    (1..=16)
//! per network:
//!   [4 bytes] u32 number of layers     (1..=8)
//!   per layer:
//!     [2 bytes] u16 n_in  [2 bytes] u16 n_out  (1..=256 each)
//!     [1 byte]  shift (0..=31)  [1 byte] 1 = ReLU, 0 = linear  [2 bytes] 0 (reserved)
//!     [2 * n_in * n_out bytes] i16 weights, input-major (weight[i][o])
//!     [4 * n_out bytes] i32 biases
//! ```
//!
//! The files ship inside the codec crates (`include_bytes!`); a reader refuses anything else.

use ndcodecs_core::{ByteReader, CodecError};

use crate::{Dense, Mlp};

/// First bytes of a weight file.
pub const MAGIC: &[u8; 4] = b"NDLM";
/// The weight file version this reader knows.
pub const FILE_VERSION: u32 = 1;

/// A parsed weight file: the model id and its networks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFile {
    /// The model id.
    pub id: u32,
    /// The networks, in file order.
    pub nets: Vec<Mlp>,
}

fn corrupt(codec: &'static str, message: String) -> CodecError {
    CodecError::Corrupt { codec, message }
}

impl ModelFile {
    /// Parses a weight file on behalf of codec `codec` (for error messages).
    ///
    /// # Errors
    ///
    /// [`CodecError::Corrupt`] / [`CodecError::Truncated`] for a file that breaks the layout.
    pub fn parse(codec: &'static str, bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = ByteReader::new(codec, bytes);
        if r.take(4)? != MAGIC {
            return Err(corrupt(codec, "not a weight file (magic)".into()));
        }
        let version = r.u32_le()?;
        if version != FILE_VERSION {
            return Err(corrupt(codec, format!("weight file version {version}")));
        }
        let id = r.u32_le()?;
        let n_nets = r.u32_le()?;
        if !(1..=16).contains(&n_nets) {
            return Err(corrupt(codec, format!("{n_nets} networks")));
        }
        let mut nets = Vec::new();
        for _ in 0..n_nets {
            let n_layers = r.u32_le()?;
            if !(1..=8).contains(&n_layers) {
                return Err(corrupt(codec, format!("{n_layers} layers")));
            }
            let mut layers = Vec::new();
            for _ in 0..n_layers {
                let n_in = usize::from(u16::from_le_bytes(r.array()?));
                let n_out = usize::from(u16::from_le_bytes(r.array()?));
                let shift = u32::from(r.u8()?);
                let relu = r.u8()?;
                let _reserved = r.array::<2>()?;
                if relu > 1 || n_in == 0 || n_out == 0 || n_in > 256 || n_out > 256 {
                    return Err(corrupt(codec, "bad layer header".into()));
                }
                let weight = r
                    .take(2 * n_in * n_out)?
                    .chunks_exact(2)
                    .map(|c| i16::from_le_bytes([c[0], c[1]]))
                    .collect();
                let bias = r
                    .take(4 * n_out)?
                    .chunks_exact(4)
                    .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                layers.push(
                    Dense::new(n_in, n_out, weight, bias, shift, relu == 1)
                        .map_err(|e| corrupt(codec, e.0))?,
                );
            }
            nets.push(Mlp::new(layers).map_err(|e| corrupt(codec, e.0))?);
        }
        r.finish()?;
        Ok(Self { id, nets })
    }
}

/// Writes a weight file (the inverse of [`ModelFile::parse`]); for tests and tools.
#[must_use]
pub fn write(id: u32, nets: &[Mlp]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FILE_VERSION.to_le_bytes());
    out.extend_from_slice(&id.to_le_bytes());
    #[allow(clippy::cast_possible_truncation)]
    out.extend_from_slice(&(nets.len() as u32).to_le_bytes());
    for net in nets {
        #[allow(clippy::cast_possible_truncation)]
        out.extend_from_slice(&(net.layers().len() as u32).to_le_bytes());
        for l in net.layers() {
            let (w, b, shift, relu) = l.parts();
            #[allow(clippy::cast_possible_truncation)]
            {
                out.extend_from_slice(&(l.n_in() as u16).to_le_bytes());
                out.extend_from_slice(&(l.n_out() as u16).to_le_bytes());
                out.push(shift as u8);
            }
            out.push(u8::from(relu));
            out.extend_from_slice(&[0, 0]);
            for &v in w {
                out.extend_from_slice(&v.to_le_bytes());
            }
            for &v in b {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let l1 = Dense::new(3, 2, vec![1, 2, 3, 4, 5, 6], vec![7, 8], 4, true).unwrap();
        let l2 = Dense::new(2, 1, vec![-1, 1], vec![0], 0, false).unwrap();
        let net = Mlp::new(vec![l1, l2]).unwrap();
        let bytes = write(42, std::slice::from_ref(&net));
        let m = ModelFile::parse("t", &bytes).unwrap();
        assert_eq!(m.id, 42);
        assert_eq!(m.nets, vec![net]);
        for len in 0..bytes.len() {
            assert!(ModelFile::parse("t", &bytes[..len]).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(ModelFile::parse("t", &longer).is_err());
    }
}
