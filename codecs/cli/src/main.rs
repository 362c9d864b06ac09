//! The `ndcodecs` command (see the library crate `ndcodecs_cli` for what it does).

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(ndcodecs_cli::main_with_args(std::env::args_os()))
}
