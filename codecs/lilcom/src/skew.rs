//! The visiting order that lets the encoder overlap the dependency chains of several rows of a
//! 2-d array. (The decoder cannot use it to gain anything: it is bound by reading the stream,
//! which is in row order.)
//!
//! In lilcom's prediction every element waits for its left neighbour (the running prediction
//! along the last axis) and for the element above it. Handling `G` rows at once, row `r` one
//! element behind row `r - 1`, keeps both dependencies satisfied while giving the processor `G`
//! independent chains to interleave. The values computed are exactly those of the plain row-by-row
//! order: only the order of independent operations changes.

/// One element's work in [`skewed`]: a trait rather than a closure so that it is always inlined
/// into the ramp's loops (a closure called from several loops can be left out of line, which
/// costs a call and the reloading of its captures per element).
pub(crate) trait Step {
    /// Error that stops the walk.
    type Error;
    /// Handles element `k` of row `r`.
    fn step(&mut self, r: usize, k: usize) -> Result<(), Self::Error>;
}

/// Calls `s.step(r, k)` for every row `r < G` and element `k < row_len`, in an order where
/// `step(r, k)` comes after `step(r, k - 1)` and after `step(r - 1, k)`: at step `j` row `r`
/// handles element `j - r` (a ramp where the lower rows have not started, all rows, then a ramp
/// where the upper rows have finished). Stops at the first error.
#[inline(always)]
pub(crate) fn skewed<const G: usize, S: Step>(row_len: usize, s: &mut S) -> Result<(), S::Error> {
    if row_len < G {
        for r in 0..G {
            for k in 0..row_len {
                s.step(r, k)?;
            }
        }
        return Ok(());
    }
    for j in 0..G - 1 {
        for r in 0..=j {
            s.step(r, j - r)?;
        }
    }
    for j in G - 1..row_len {
        for r in 0..G {
            s.step(r, j - r)?;
        }
    }
    for j in row_len..row_len + G - 1 {
        for r in j + 1 - row_len..G {
            s.step(r, j - r)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Step, skewed};

    struct FnStep<F>(F);

    impl<E, F: FnMut(usize, usize) -> Result<(), E>> Step for FnStep<F> {
        type Error = E;
        fn step(&mut self, r: usize, k: usize) -> Result<(), E> {
            (self.0)(r, k)
        }
    }

    fn check<const G: usize>(row_len: usize) {
        let mut done = vec![[false; 64]; G];
        let mut count = 0;
        skewed::<G, _>(
            row_len,
            &mut FnStep(|r: usize, k: usize| -> Result<(), ()> {
                assert!(!done[r][k], "({r}, {k}) visited twice");
                assert!(
                    k == 0 || done[r][k - 1],
                    "({r}, {k}) before its left neighbour"
                );
                assert!(
                    r == 0 || done[r - 1][k],
                    "({r}, {k}) before the element above"
                );
                done[r][k] = true;
                count += 1;
                Ok(())
            }),
        )
        .unwrap();
        assert_eq!(count, G * row_len);
    }

    #[test]
    fn every_element_once_after_its_dependencies() {
        for row_len in 0..40 {
            check::<1>(row_len);
            check::<2>(row_len);
            check::<4>(row_len);
            check::<8>(row_len);
        }
    }

    #[test]
    fn stops_at_the_first_error() {
        let mut calls = 0;
        let r = skewed::<4, _>(
            10,
            &mut FnStep(|r: usize, k: usize| {
                calls += 1;
                if r == 2 && k == 3 { Err(calls) } else { Ok(()) }
            }),
        );
        assert_eq!(r, Err(calls));
    }
}
