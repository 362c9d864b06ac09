//! The integer dtypes `arith` codes, seen as signed integers of their own width.

use ndcodecs_core::dtype::Int;

/// An integer element as `arith` codes it: unsigned dtypes are read as the signed integer of the
/// same width with the same bits (so that the wrapped differences `spatial_delta` leaves in an
/// unsigned array, e.g. `3 - 5 = 254` in `uint8`, are the small negative numbers they stand for).
pub trait ArithElement: Int + bytemuck::Pod {
    /// Width in bits (8, 16, 32 or 64).
    const BITS: u32;
    /// The value as a signed integer of the same width, sign-extended.
    fn to_signed(self) -> i64;
    /// The element whose same-width signed reading is `v` (the low `BITS` bits of `v`).
    fn from_signed(v: i64) -> Self;
    /// The value with its bytes in little-endian order (itself on little-endian machines).
    #[must_use]
    fn to_le(self) -> Self;
}

macro_rules! impl_arith_element {
    ($($t:ty => $s:ty);*) => {$(
        impl ArithElement for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline(always)]
            #[allow(clippy::cast_possible_wrap, clippy::cast_lossless)]
            fn to_signed(self) -> i64 {
                self as $s as i64
            }
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            fn from_signed(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_le(self) -> Self {
                <$t>::to_le(self)
            }
        }
    )*};
}
impl_arith_element!(u8 => i8; u16 => i16; u32 => i32; u64 => i64; i8 => i8; i16 => i16;
    i32 => i32; i64 => i64);

/// CRC-32 (IEEE 802.3, the one of zlib and numcodecs) of `prefix` (the header's bytes before the
/// checksum) followed by the values' little-endian bytes in the order given.
pub(crate) fn checksum<T: ArithElement>(prefix: &[u8], values: &[T]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(prefix);
    if cfg!(target_endian = "little") {
        h.update(bytemuck::cast_slice(values));
    } else {
        let mut buf: Vec<T> = Vec::with_capacity(4096);
        for chunk in values.chunks(4096) {
            buf.clear();
            buf.extend(chunk.iter().map(|v| v.to_le()));
            h.update(bytemuck::cast_slice(&buf));
        }
    }
    h.finalize()
}
