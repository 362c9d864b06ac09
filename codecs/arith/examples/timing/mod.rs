//! Timing helpers shared by the crate's examples: this thread's CPU time, so that a shared
//! machine's load counts little.

/// Seconds this thread has run on a CPU.
pub fn cpu_now() -> f64 {
    cpu_time::ThreadTime::now().as_duration().as_secs_f64()
}

/// Best-of-`repeat` CPU seconds of `f` (`repeat >= 1`), and its last result.
#[allow(dead_code)]
pub fn best<R>(repeat: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut t = f64::MAX;
    let mut r = None;
    for _ in 0..repeat.max(1) {
        let s = cpu_now();
        let x = f();
        t = t.min(cpu_now() - s);
        r = Some(x);
    }
    (t, r.expect("at least one round"))
}
