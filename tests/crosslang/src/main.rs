//! Rust side of the cross-language zarr tests (`tests/test_crosslang.py` drives it).
//!
//! ```text
//! ndcodecs-crosslang write STORE METADATA_JSON DTYPE DATA_RAW
//!     create the array at the root of the filesystem store STORE from METADATA_JSON (a zarr v3
//!     `zarr.json` or a zarr v2 `.zarray`), with ndcodecs' codecs registered and the chain
//!     validated, and write DATA_RAW (the whole array: C order, little-endian DTYPE elements)
//! ndcodecs-crosslang read STORE DTYPE OUT_RAW
//!     open the array at the root of STORE and write all of it to OUT_RAW (same layout)
//! ```
//!
//! DTYPE is a numpy name: `int8`..`int64`, `uint8`..`uint64`, `float32`, `float64`. The raw
//! files are read and written in the machine's byte order, which the test checks is little-endian.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use zarrs::array::{Array, ArrayMetadata};
use zarrs::filesystem::FilesystemStore;

type Error = Box<dyn std::error::Error>;

fn write(store: &Path, metadata: &Path, dtype: &str, data: &Path) -> Result<(), Error> {
    let metadata = ArrayMetadata::try_from(std::fs::read_to_string(metadata)?.as_str())?;
    let store = Arc::new(FilesystemStore::new(store)?);
    let array = ndcodecs_zarrs::create_array(store, "/", metadata)?;
    let bytes = std::fs::read(data)?;
    ndcodecs_core::with_element_type!(dtype, T => {
        let values: Vec<T> = bytemuck::pod_collect_to_vec(&bytes);
        array.store_metadata()?;
        array.store_array_subset(&array.subset_all(), values)?;
        Ok(())
    }, _ => Err(format!("unsupported dtype {dtype}").into()))
}

fn read(store: &Path, dtype: &str, out: &Path) -> Result<(), Error> {
    ndcodecs_zarrs::register();
    let store = Arc::new(FilesystemStore::new(store)?);
    let array = Array::open(store, "/")?;
    ndcodecs_core::with_element_type!(dtype, T => {
        let values = array.retrieve_array_subset::<Vec<T>>(&array.subset_all())?;
        std::fs::write(out, bytemuck::cast_slice::<T, u8>(&values))?;
        Ok(())
    }, _ => Err(format!("unsupported dtype {dtype}").into()))
}

fn run(args: &[String]) -> Result<(), Error> {
    match args {
        [cmd, store, metadata, dtype, data] if cmd == "write" => {
            write(Path::new(store), Path::new(metadata), dtype, Path::new(data))
        }
        [cmd, store, dtype, out] if cmd == "read" => read(Path::new(store), dtype, Path::new(out)),
        _ => Err("usage: ndcodecs-crosslang write STORE METADATA_JSON DTYPE DATA_RAW | read STORE DTYPE OUT_RAW".into()),
    }
}

fn main() -> ExitCode {
    if cfg!(target_endian = "big") {
        eprintln!(
            "ndcodecs-crosslang: raw files are little-endian; big-endian hosts are not supported"
        );
        return ExitCode::FAILURE;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ndcodecs-crosslang: {e}");
            ExitCode::FAILURE
        }
    }
}
