//! `ndcodecs`: compress NumPy `.npy` arrays into zarr v3 stores with a codec chain, decompress
//! them, and report the ratio / error / speed trade-offs of several chains.
//!
//! ```text
//! ndcodecs compress temperature.npy temperature.zarr \
//!     --codecs 'linear_quantize(max_abs_error=0.01) | spatial_delta(axis=[0,1,2]) | zstd(level=5)'
//! ndcodecs decompress temperature.zarr back.npy
//! ndcodecs report temperature.npy --codecs 'zstd(level=5)' --codecs 'lilcom' --out report/
//! ndcodecs report            # on a small real array embedded in the binary
//! ```

mod chart;
mod npy;
mod report;
mod spec;
mod store;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use zarrs::filesystem::FilesystemStore;

use crate::npy::NdArray;
use crate::report::Mask;
use crate::spec::Chain;

/// The array `report` uses when given no input: regional model surface height in m, (438, 450)
/// float32, from Debian's libncarg-data (see tests/data/README.md).
static EMBEDDED: &[u8] = include_bytes!("../../../tests/data/terrain_regional_surface_height.npy");
const EMBEDDED_NAME: &str = "terrain_regional_surface_height.npy (embedded)";

/// Compression codecs for chunked n-d arrays, as zarr v3 stores.
#[derive(Debug, Parser)]
#[command(name = "ndcodecs", version, about, long_about = None)]
struct Cli {
    /// Worker threads for encoding and decoding chunks (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compress a .npy array into a zarr v3 store.
    Compress {
        /// The input array (.npy: any integer dtype, float32 or float64; C order).
        input: PathBuf,
        /// The zarr v3 store (a directory) to create.
        output: PathBuf,
        /// The codec chain, e.g. `linear_quantize(max_abs_error=0.01) | spatial_delta(axis=[0,1]) |
        /// zstd(level=5)`, or a zarr v3 JSON codec list `[{"name": ..., "configuration": {...}}]`.
        /// Shards: `sharding_indexed(chunk_shape=[32,32], codecs="... | zstd")` with --chunks as the
        /// shard shape.
        #[arg(long, value_name = "SPEC")]
        codecs: String,
        /// Chunk shape, e.g. `64,64,64` (default: the whole array, split when above 2^20 elements).
        #[arg(long, value_name = "N,N,...")]
        chunks: Option<String>,
        /// Replace OUTPUT if it exists.
        #[arg(long)]
        overwrite: bool,
    },
    /// Decompress a zarr v3 array into a .npy file.
    Decompress {
        /// The zarr v3 store (a directory) holding an array at its root.
        store: PathBuf,
        /// The .npy file to write.
        output: PathBuf,
    },
    /// Measure codec chains on an array: ratio, errors, speeds; table, Markdown, CSV and chart.
    Report {
        /// The input array (.npy). Default: a small real array embedded in the program.
        input: Option<PathBuf>,
        /// A codec chain to measure (repeat the option for several). Default: lossless baselines,
        /// linear_quantize | spatial_delta | zstd and interp_quantize | zstd at 1e-2, 1e-3, 1e-4
        /// of the value range, lilcom.
        #[arg(long, value_name = "SPEC")]
        codecs: Vec<String>,
        /// Directory for report.md, report.csv and report.png.
        #[arg(long, value_name = "DIR", default_value = "ndcodecs-report")]
        out: PathBuf,
        /// Chunk shape (default as for `compress`).
        #[arg(long, value_name = "N,N,...")]
        chunks: Option<String>,
        /// Encode and decode each chain this many times; speeds are the best of the runs.
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Input elements equal to this value are missing data: left out of the error measures and
        /// of the value range.
        #[arg(long, value_name = "X", allow_negative_numbers = true)]
        fill_value: Option<f64>,
        /// What to print on standard output.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Output format of `report` on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// An aligned plain-text table.
    Table,
    /// The Markdown of report.md.
    Markdown,
    /// The CSV of report.csv.
    Csv,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    // Our codecs (ndcodecs.spatial_delta, ndcodecs.linear_quantize, numcodecs.crc32, ...).
    ndcodecs_zarrs::register();
    if let Some(n) = cli.threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
        zarrs::config::global_config_mut().set_codec_concurrent_target(n);
        zarrs::config::global_config_mut().set_chunk_concurrent_minimum(1);
    }
    match cli.command {
        Command::Compress {
            input,
            output,
            codecs,
            chunks,
            overwrite,
        } => compress(&input, &output, &codecs, chunks.as_deref(), overwrite),
        Command::Decompress { store, output } => decompress(&store, &output),
        Command::Report {
            input,
            codecs,
            out,
            chunks,
            repeat,
            fill_value,
            format,
        } => run_report(
            input.as_deref(),
            &codecs,
            &out,
            chunks.as_deref(),
            repeat,
            fill_value,
            format,
        ),
    }
}

fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {unit} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

fn style_units(bar: &ProgressBar, unit: &'static str) {
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{msg:>12}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{eta}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
}

fn chunks_for(array: &NdArray, chunks: Option<&str>) -> Result<Vec<u64>> {
    match chunks {
        Some(text) => store::parse_chunks(text, &array.shape),
        None => Ok(store::default_chunks(&array.shape)),
    }
}

fn compress(
    input: &Path,
    output: &Path,
    codecs: &str,
    chunks: Option<&str>,
    overwrite: bool,
) -> Result<()> {
    let chain = Chain::parse(codecs)?;
    let data = npy::read(input)?;
    let chunks = chunks_for(&data, chunks)?;
    if output.exists() {
        let empty = output.is_dir() && std::fs::read_dir(output)?.next().is_none();
        if overwrite {
            if output.is_dir() {
                std::fs::remove_dir_all(output)
            } else {
                std::fs::remove_file(output)
            }
            .with_context(|| format!("cannot remove {}", output.display()))?;
        } else if !empty {
            bail!(
                "{} exists (use --overwrite to replace it)",
                output.display()
            );
        }
    }
    std::fs::create_dir_all(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    let storage = Arc::new(
        FilesystemStore::new(output)
            .with_context(|| format!("cannot open {}", output.display()))?,
    );
    let array = store::create(storage, &data, &chunks, &chain)?;
    let bar = progress(data.shape[0], "compressing");
    style_units(&bar, "rows");
    if let Err(e) = store::write(&array, &data, Some(&bar)) {
        bar.finish_and_clear();
        // Leave no half-written store behind (the directory was empty or absent before).
        let _ = std::fs::remove_dir_all(output);
        return Err(e);
    }
    bar.finish_and_clear();
    let stored = dir_size(output)?;
    #[allow(clippy::cast_precision_loss)]
    let ratio = data.nbytes() as f64 / stored.max(1) as f64;
    eprintln!(
        "{}: {} {:?} -> {} ({} bytes, ratio {ratio:.2}, chunks {chunks:?})",
        input.display(),
        data.samples.dtype_name(),
        data.shape,
        output.display(),
        stored
    );
    Ok(())
}

fn dir_size(path: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            total += dir_size(&entry.path())?;
        } else if entry.file_name() != "zarr.json" {
            total += meta.len();
        }
    }
    Ok(total)
}

fn decompress(store_path: &Path, output: &Path) -> Result<()> {
    if !store_path.is_dir() {
        bail!("{} is not a zarr store directory", store_path.display());
    }
    let storage = Arc::new(
        FilesystemStore::new(store_path)
            .with_context(|| format!("cannot open {}", store_path.display()))?,
    );
    let array = store::open(storage)?;
    let rows = array.shape().first().copied().unwrap_or(0);
    let bar = progress(rows, "decompressing");
    style_units(&bar, "rows");
    let data = store::read(&array, Some(&bar))?;
    bar.finish_and_clear();
    npy::write(output, &data)?;
    eprintln!(
        "{} -> {}: {} {:?}",
        store_path.display(),
        output.display(),
        data.samples.dtype_name(),
        data.shape
    );
    Ok(())
}

fn run_report(
    input: Option<&Path>,
    codecs: &[String],
    out: &Path,
    chunks: Option<&str>,
    repeat: usize,
    fill_value: Option<f64>,
    format: Format,
) -> Result<()> {
    let (data, name) = match input {
        Some(path) => (npy::read(path)?, path.display().to_string()),
        None => (
            npy::read_bytes(EMBEDDED).context("embedded array")?,
            EMBEDDED_NAME.to_string(),
        ),
    };
    // The fill value as the data hold it: rounded to float32 for float32 data (9.96921e36
    // is stored as 9.969209968386869e36), so that it matches the fill cells.
    #[allow(clippy::cast_possible_truncation)]
    let fill_value = match data.samples {
        npy::Samples::F32(_) => fill_value.map(|f| f64::from(f as f32)),
        _ => fill_value,
    };
    let mask = Mask { fill_value };
    let specs: Vec<String> = if codecs.is_empty() {
        report::default_chains(&data, mask)
    } else {
        codecs.to_vec()
    };
    let chains = specs
        .iter()
        .map(|s| Chain::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let chunks = chunks_for(&data, chunks)?;
    let bar = progress((chains.len() * repeat.max(1)) as u64, "measuring");
    style_units(&bar, "runs");
    let mut rows = Vec::with_capacity(chains.len());
    for chain in &chains {
        bar.set_message(format!("{:.12}", chain.spec));
        match report::measure(&data, chain, &chunks, repeat, mask, Some(&bar)) {
            Ok(row) => rows.push(row),
            // A default chain that does not suit this array is left out; a chain the user asked
            // for is an error.
            Err(e) if codecs.is_empty() => {
                bar.suspend(|| eprintln!("note: skipping `{}`: {e:#}", chain.spec));
            }
            Err(e) => return Err(e),
        }
    }
    bar.finish_and_clear();
    if rows.is_empty() {
        bail!("no chain could store this array");
    }
    let title = format!(
        "{name}: {} {:?}, {} bytes",
        data.samples.dtype_name(),
        data.shape,
        data.nbytes()
    );
    report::write_files(out, &title, &rows)?;
    match format {
        Format::Table => {
            println!("{title}\n");
            print!("{}", report::table(&rows));
            eprintln!(
                "\nwrote report.md, report.csv and report.png in {}",
                out.display()
            );
        }
        Format::Markdown => print!("{}", report::markdown(&title, &rows)),
        Format::Csv => print!("{}", report::csv(&rows)),
    }
    Ok(())
}
