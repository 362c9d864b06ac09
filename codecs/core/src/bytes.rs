//! Checked little-endian reading of encoded data.
//!
//! Headers in ndcodecs formats are written by hand, field by field, in little-endian byte order —
//! never through a generic serializer, so that a refactor cannot silently change the bytes.

use crate::CodecError;

/// A cursor over encoded bytes whose reads fail with [`CodecError::Truncated`] instead of
/// panicking when the data ends early.
#[derive(Debug, Clone)]
pub struct ByteReader<'a> {
    codec: &'static str,
    data: &'a [u8],
    offset: usize,
}

impl<'a> ByteReader<'a> {
    /// Starts reading `data` on behalf of the codec with id `codec` (used in error messages).
    #[must_use]
    pub const fn new(codec: &'static str, data: &'a [u8]) -> Self {
        Self {
            codec,
            data,
            offset: 0,
        }
    }

    /// Current byte offset from the start of the data.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Bytes not read yet.
    #[must_use]
    pub fn remaining(&self) -> &'a [u8] {
        &self.data[self.offset..]
    }

    /// Reads the next `n` bytes.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if fewer than `n` bytes remain.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let available = self.data.len() - self.offset;
        if n > available {
            return Err(CodecError::Truncated {
                codec: self.codec,
                offset: self.offset,
                needed: n,
                available,
            });
        }
        let out = &self.data[self.offset..self.offset + n];
        self.offset += n;
        Ok(out)
    }

    /// Reads `N` bytes into an array.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if fewer than `N` bytes remain.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// Reads one byte.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] at the end of the data.
    pub fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a little-endian `u32`.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if fewer than 4 bytes remain.
    pub fn u32_le(&mut self) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// Reads a little-endian `u64`.
    ///
    /// # Errors
    ///
    /// [`CodecError::Truncated`] if fewer than 8 bytes remain.
    pub fn u64_le(&mut self) -> Result<u64, CodecError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Checks that every byte has been read.
    ///
    /// # Errors
    ///
    /// [`CodecError::Corrupt`] naming the number of trailing bytes.
    pub fn finish(&self) -> Result<(), CodecError> {
        let left = self.data.len() - self.offset;
        if left == 0 {
            Ok(())
        } else {
            Err(CodecError::Corrupt {
                codec: self.codec,
                message: format!("{left} trailing bytes after the end of the encoded data"),
            })
        }
    }
}

/// Appends `v` as an unsigned LEB128 varint (7 bits a byte, least significant group first, the
/// high bit set on every byte but the last), in its shortest encoding: the length fields of the
/// `arith` and `interp_cnn` formats.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        #[allow(clippy::cast_possible_truncation)]
        let byte = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_and_reports_truncation() {
        let data = [1u8, 0, 0, 0, 2];
        let mut r = ByteReader::new("t", &data);
        assert_eq!(r.u32_le().unwrap(), 1);
        assert_eq!(
            r.u32_le().unwrap_err(),
            CodecError::Truncated {
                codec: "t",
                offset: 4,
                needed: 4,
                available: 1
            }
        );
        assert_eq!(r.u8().unwrap(), 2);
        r.finish().unwrap();
    }

    #[test]
    fn varints_are_leb128_in_their_shortest_encoding() {
        for (v, want) in [
            (0u64, &[0u8][..]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (300, &[0xac, 0x02]),
            (
                u64::MAX,
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            ),
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out, want, "{v}");
        }
    }
}
