//! Runtime selection of the CPU's vector instructions, without `unsafe` in this workspace.
//!
//! [`vectorize`] runs a closure compiled a second time with AVX2/FMA enabled (x86-64-v3) when
//! the CPU has them, through the `pulp` crate's dispatch; code inlined into the closure
//! (`#[inline(always)]` functions, generics) then autovectorises with 256-bit integer
//! instructions. Nothing depends on which path runs: every kernel in this crate is integer
//! arithmetic whose result is the same for every order of evaluation (tests compare both
//! paths). No global `target-cpu` is needed.

/// Runs `f` with the best vector instruction set the CPU supports enabled for the code inlined
/// into it.
#[inline(always)]
pub fn vectorize<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}
