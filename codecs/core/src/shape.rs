//! Axis normalisation, contiguous element access and decoder size checks.

use std::borrow::Cow;

use ndarray::{ArrayBase, Data, IxDyn};

use crate::CodecError;

/// Largest number of elements a decoder allocates for one chunk (2^40, i.e. a few TiB of data):
/// anything larger is a corrupt header or a hostile input, not a chunk.
pub const MAX_CHUNK_ELEMENTS: u64 = 1 << 40;

/// Resolves `axis` (negative values count from the end, as in numpy) against an array of
/// `ndim` dimensions.
///
/// # Errors
///
/// [`CodecError::InvalidConfig`] if `axis` is not in `-ndim..ndim`.
pub fn normalize_axis(codec: &'static str, axis: i64, ndim: usize) -> Result<usize, CodecError> {
    let n = i64::try_from(ndim).unwrap_or(i64::MAX);
    let resolved = if axis < 0 { axis + n } else { axis };
    if (0..n).contains(&resolved) {
        Ok(usize::try_from(resolved).unwrap_or(usize::MAX))
    } else {
        Err(CodecError::InvalidConfig {
            codec,
            message: format!(
                "axis {axis} is out of range for an array with {ndim} dimension(s) (valid: {}..={})",
                -n,
                n - 1
            ),
        })
    }
}

/// The elements of `array` in C (row-major) order: borrowed when the array is already contiguous
/// in standard layout, otherwise copied.
#[must_use]
pub fn standard_elements<S: Data>(array: &ArrayBase<S, IxDyn>) -> Cow<'_, [S::Elem]>
where
    S::Elem: Clone,
{
    match array.as_slice() {
        Some(slice) => Cow::Borrowed(slice),
        None => Cow::Owned(array.iter().cloned().collect()),
    }
}

/// Number of elements of `shape`, checked against overflow and [`MAX_CHUNK_ELEMENTS`].
///
/// # Errors
///
/// [`CodecError::LimitExceeded`] if the product overflows or exceeds the limit.
pub fn checked_len(codec: &'static str, shape: &[u64]) -> Result<usize, CodecError> {
    let mut n: u64 = 1;
    for &d in shape {
        n = n.checked_mul(d).ok_or(CodecError::LimitExceeded {
            codec,
            what: "element count",
            found: u64::MAX,
            limit: MAX_CHUNK_ELEMENTS,
        })?;
    }
    if n > MAX_CHUNK_ELEMENTS {
        return Err(CodecError::LimitExceeded {
            codec,
            what: "element count",
            found: n,
            limit: MAX_CHUNK_ELEMENTS,
        });
    }
    usize::try_from(n).map_err(|_| CodecError::LimitExceeded {
        codec,
        what: "element count",
        found: n,
        limit: usize::MAX as u64,
    })
}

/// Largest chunk, in samples, that the image codecs (`pixel_mlp`, `interp_cnn`) decode without
/// an expected shape: `2^28` (1 GiB of `i32` working buffer). Their headers can declare far
/// more than their bytes hold (a constant plane costs no bits), so a chunk decoded on its own is
/// refused above this; with an expected shape the caller's output bounds the allocation instead.
pub const MAX_SAMPLES_UNCHECKED: usize = 1 << 28;

/// Checks a sample count a header declares for a chunk decoded without an expected shape
/// against [`MAX_SAMPLES_UNCHECKED`], before anything sized by it is allocated (by a decoder,
/// or by a caller that allocates for the shape the header declares).
///
/// # Errors
///
/// [`CodecError::LimitExceeded`] above the limit.
pub fn check_unchecked_samples(codec: &'static str, samples: usize) -> Result<(), CodecError> {
    if samples > MAX_SAMPLES_UNCHECKED {
        return Err(CodecError::LimitExceeded {
            codec,
            what: "sample count of a chunk decoded without an expected shape",
            found: samples as u64,
            limit: MAX_SAMPLES_UNCHECKED as u64,
        });
    }
    Ok(())
}

/// A vector of `n` default (zero) elements, allocated fallibly: what a decoder allocates for
/// data whose size its input declares.
///
/// # Errors
///
/// [`CodecError::OutOfMemory`] if the memory cannot be reserved (or its size overflows).
pub fn try_vec<T: Clone + Default>(
    codec: &'static str,
    what: &'static str,
    n: usize,
) -> Result<Vec<T>, CodecError> {
    let bytes = (n as u64).saturating_mul(std::mem::size_of::<T>() as u64);
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| CodecError::OutOfMemory { codec, what, bytes })?;
    v.resize(n, T::default());
    Ok(v)
}

/// A vector of `n` elements made by `f`, allocated fallibly (reserved once, then filled without
/// reallocating): [`try_vec`] for element types that are not `Clone` (atomics, cache-line-aligned
/// counters).
///
/// # Errors
///
/// [`CodecError::OutOfMemory`] if the memory cannot be reserved (or its size overflows).
pub fn try_vec_with<T>(
    codec: &'static str,
    what: &'static str,
    n: usize,
    f: impl FnMut() -> T,
) -> Result<Vec<T>, CodecError> {
    let bytes = (n as u64).saturating_mul(std::mem::size_of::<T>() as u64);
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| CodecError::OutOfMemory { codec, what, bytes })?;
    v.extend(std::iter::repeat_with(f).take(n));
    Ok(v)
}

/// Number of elements of `shape` (`usize` extents), checked against overflow.
///
/// # Errors
///
/// [`CodecError::LimitExceeded`] if the product overflows `usize`.
pub fn element_count(codec: &'static str, shape: &[usize]) -> Result<usize, CodecError> {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or(CodecError::LimitExceeded {
            codec,
            what: "element count",
            found: u64::MAX,
            limit: usize::MAX as u64,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_resolve_like_numpy() {
        assert_eq!(normalize_axis("t", -1, 3).unwrap(), 2);
        assert_eq!(normalize_axis("t", 0, 3).unwrap(), 0);
        assert!(normalize_axis("t", 3, 3).is_err());
        assert!(normalize_axis("t", -4, 3).is_err());
        assert!(normalize_axis("t", 0, 0).is_err());
    }

    #[test]
    fn allocation_failure_is_an_error() {
        assert_eq!(try_vec::<u32>("t", "data", 3).unwrap(), vec![0, 0, 0]);
        assert!(matches!(
            try_vec::<u64>("t", "data", usize::MAX / 2),
            Err(CodecError::OutOfMemory { .. })
        ));
        let v = try_vec_with("t", "data", 3, || std::cell::Cell::new(1u8)).unwrap();
        assert_eq!(
            v.iter().map(std::cell::Cell::get).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert!(matches!(
            try_vec_with("t", "data", usize::MAX / 2, || 0u64),
            Err(CodecError::OutOfMemory { .. })
        ));
        assert_eq!(element_count("t", &[2, 3]).unwrap(), 6);
        assert!(element_count("t", &[usize::MAX, 2]).is_err());
    }

    #[test]
    fn sizes_are_bounded() {
        assert_eq!(checked_len("t", &[2, 3, 4]).unwrap(), 24);
        assert!(checked_len("t", &[u64::MAX, 2]).is_err());
        assert!(checked_len("t", &[1 << 21, 1 << 21]).is_err());
        assert!(check_unchecked_samples("t", 1 << 28).is_ok());
        assert!(matches!(
            check_unchecked_samples("t", (1 << 28) + 1),
            Err(CodecError::LimitExceeded { .. })
        ));
    }
}
