//! Python bindings of the ndcodecs codecs: the native module `ndcodecs._native`.
//!
//! Each codec is exported with [`numcodecs_python::export_codec_class`], which builds a Python
//! class that subclasses `numcodecs.abc.Codec`, releases the GIL while the Rust codec runs and
//! registers the class with numcodecs under the codec id. The Python package `ndcodecs` subclasses
//! these classes to add what numcodecs' conventions need beyond the Rust trait (viewing untyped
//! byte buffers with a known dtype, F-order results, `ValueError`/`TypeError` instead of a plain
//! `Exception`, pickling) and re-registers the subclasses.
//!
//! Exported classes (codec id → class name): `spatial_delta` → `SpatialDelta`, `crc32` → `Crc32`,
//! `linear_quantize` → `LinearQuantize`, `lilcom` → `Lilcom`.
//!
//! The module also carries the `ndcodecs` command line ([`cli_main`], the Rust CLI of
//! `ndcodecs-cli` itself), which the package's `ndcodecs` console script runs: `pip install`
//! gives the command without cargo.

use numcodecs::StaticCodecType;
use numcodecs_python::export_codec_class;
use pyo3::prelude::*;

/// Runs the `ndcodecs` command line with `argv` (the program name first, then the arguments, as
/// in `sys.argv`) and returns its exit status (0 success, 1 error, 2 bad usage). The GIL is
/// released while it runs; it prints on the process's standard output and error.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<std::ffi::OsString>) -> u8 {
    py.detach(|| ndcodecs_cli::main_with_args(argv))
}

/// The native module: one numcodecs codec class per ndcodecs codec, and the command line.
///
/// # Errors
///
/// Fails if numcodecs cannot be imported or a class cannot be created or registered.
#[pymodule]
fn _native(py: Python<'_>, module: &Bound<'_, PyModule>) -> PyResult<()> {
    let module = module.as_borrowed();
    export_codec_class(
        py,
        StaticCodecType::<ndcodecs_spatial_delta::SpatialDeltaCodec>::of(),
        module,
    )?;
    export_codec_class(
        py,
        StaticCodecType::<ndcodecs_crc32::Crc32Codec>::of(),
        module,
    )?;
    export_codec_class(
        py,
        StaticCodecType::<ndcodecs_lilcom::LilcomCodec>::of(),
        module,
    )?;
    export_codec_class(
        py,
        StaticCodecType::<ndcodecs_linear_quantize::LinearQuantizeCodec>::of(),
        module,
    )?;
    module.add_function(wrap_pyfunction!(cli_main, &module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
