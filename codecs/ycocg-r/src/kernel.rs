//! The YCoCg-R lifting steps, written once for both sample types.
//!
//! Forward, per pixel (integer arithmetic, `>>` an arithmetic shift, i.e. floor division by 2):
//!
//! ```text
//! Co = R − B;   t = B + (Co >> 1);   Cg = G − t;   Y = t + (Cg >> 1)
//! ```
//!
//! Inverse: `t = Y − (Cg >> 1);  G = Cg + t;  B = t − (Co >> 1);  R = B + Co`. Each step is a
//! lifting step, so the inverse is exact for every integer triple; an encoded triple is valid
//! exactly when its inverse lies in the sample range.

use ndcodecs_core::dtype::Element;

/// An RGB sample type and the signed type its transformed channels need (one more bit).
pub trait RgbSample: Element {
    /// The signed element type of the transformed array (`int16` for `uint8`, `int32` for
    /// `uint16`).
    type Wide: Element;
    /// Largest sample value.
    const MAX: i64;
    /// The sample as `i64`.
    fn to_i64(self) -> i64;
    /// A transformed value as `i64`.
    fn wide_to_i64(w: Self::Wide) -> i64;
    /// A transformed value from an `i64` known to fit.
    fn wide_from_i64(v: i64) -> Self::Wide;
    /// A sample from an `i64` known to be in `0..=MAX`.
    fn from_i64(v: i64) -> Self;
}

macro_rules! impl_rgb_sample {
    ($t:ty, $w:ty) => {
        impl RgbSample for $t {
            type Wide = $w;
            const MAX: i64 = <$t>::MAX as i64;
            #[inline(always)]
            fn to_i64(self) -> i64 {
                i64::from(self)
            }
            #[inline(always)]
            fn wide_to_i64(w: $w) -> i64 {
                i64::from(w)
            }
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation)]
            fn wide_from_i64(v: i64) -> $w {
                v as $w
            }
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            fn from_i64(v: i64) -> $t {
                v as $t
            }
        }
    };
}
impl_rgb_sample!(u8, i16);
impl_rgb_sample!(u16, i32);

/// Transforms `rgb` (pixels of 3 samples R, G, B) into `out` (Y, Co, Cg per pixel). Both slices
/// hold whole pixels and have the same length.
pub fn forward<S: RgbSample>(rgb: &[S], out: &mut [S::Wide]) {
    debug_assert!(rgb.len() == out.len() && rgb.len().is_multiple_of(3));
    for (p, o) in rgb.chunks_exact(3).zip(out.chunks_exact_mut(3)) {
        let (r, g, b) = (p[0].to_i64(), p[1].to_i64(), p[2].to_i64());
        let co = r - b;
        let t = b + (co >> 1);
        let cg = g - t;
        let y = t + (cg >> 1);
        o[0] = S::wide_from_i64(y);
        o[1] = S::wide_from_i64(co);
        o[2] = S::wide_from_i64(cg);
    }
}

/// The inverse of one pixel, `(R, G, B)`, in `i64` (exact for every `Wide` triple).
#[inline(always)]
fn inverse_pixel<S: RgbSample>(p: &[S::Wide]) -> (i64, i64, i64) {
    let (y, co, cg) = (
        S::wide_to_i64(p[0]),
        S::wide_to_i64(p[1]),
        S::wide_to_i64(p[2]),
    );
    let t = y - (cg >> 1);
    let g = cg + t;
    let b = t - (co >> 1);
    (b + co, g, b)
}

#[inline(always)]
fn out_of_range<S: RgbSample>((r, g, b): (i64, i64, i64)) -> bool {
    (r | g | b) < 0 || r.max(g).max(b) > S::MAX
}

/// Inverts [`forward`]: `ycc` (Y, Co, Cg per pixel) into `out` (R, G, B).
///
/// # Errors
///
/// The index of the first pixel whose inverse lies outside `0..=S::MAX` (such a triple is not
/// the transform of any RGB pixel); `out` is then partly written.
pub fn inverse<S: RgbSample>(ycc: &[S::Wide], out: &mut [S]) -> Result<(), usize> {
    debug_assert!(ycc.len() == out.len() && ycc.len().is_multiple_of(3));
    let mut bad = false;
    for (p, o) in ycc.chunks_exact(3).zip(out.chunks_exact_mut(3)) {
        let rgb = inverse_pixel::<S>(p);
        // No early exit: the loop stays branch-free.
        bad |= out_of_range::<S>(rgb);
        o[0] = S::from_i64(rgb.0);
        o[1] = S::from_i64(rgb.1);
        o[2] = S::from_i64(rgb.2);
    }
    if bad {
        Err(ycc
            .chunks_exact(3)
            .position(|p| out_of_range::<S>(inverse_pixel::<S>(p)))
            .unwrap_or(0))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_uint8_pixel_round_trips() {
        // All 2^24 RGB triples, in blocks.
        let mut rgb = vec![0u8; 3 * 65536];
        let mut ycc = vec![0i16; rgb.len()];
        let mut back = vec![0u8; rgb.len()];
        for r in 0..=255u8 {
            for (i, p) in rgb.chunks_exact_mut(3).enumerate() {
                p[0] = r;
                p[1] = (i >> 8) as u8;
                p[2] = i as u8;
            }
            forward(&rgb, &mut ycc);
            inverse::<u8>(&ycc, &mut back).unwrap();
            assert_eq!(back, rgb);
            for p in ycc.chunks_exact(3) {
                assert!((0..=255).contains(&p[0]) && p[1].abs() <= 255 && p[2].abs() <= 255);
            }
        }
    }

    #[test]
    fn extremes_of_uint16() {
        let rgb = [
            0u16, 65535, 0, 65535, 0, 65535, 65535, 65535, 65535, 0, 0, 0,
        ];
        let mut ycc = [0i32; 12];
        forward(&rgb, &mut ycc);
        let mut back = [0u16; 12];
        inverse::<u16>(&ycc, &mut back).unwrap();
        assert_eq!(back, rgb);
    }

    #[test]
    fn out_of_range_triples_are_found() {
        let ycc = [0i16, 0, 0, 255, 0, 0, 300, 0, 0];
        let mut out = [0u8; 9];
        assert_eq!(inverse::<u8>(&ycc, &mut out), Err(2));
        let ycc = [0i32, 0, 0, i32::MAX, i32::MIN, i32::MAX];
        let mut out = [0u16; 6];
        assert_eq!(inverse::<u16>(&ycc, &mut out), Err(1));
    }
}
