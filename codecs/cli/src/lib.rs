//! `ndcodecs`: compress NumPy `.npy` arrays into zarr v3 stores with a codec chain, decompress
//! them, and report the ratio / error / speed trade-offs of several chains.
//!
//! ```text
//! ndcodecs compress temperature.npy temperature.zarr \
//!     --codecs 'linear_quantize(max_abs_error=0.01) | spatial_delta(axis=[0,1,2]) | zstd(level=5) | crc32c'
//! ndcodecs compress sst.npy ocean.zarr --name sst --dims lat,lon --fill-value 9.96921e36 \
//!     --codecs 'linear_quantize(max_rel_error=1e-3) | zstd'     # an xarray dataset, REL bound
//! ndcodecs compress t.npy t.zarr --psnr 60 --codecs 'linear_quantize | zstd'
//! ndcodecs decompress temperature.zarr back.npy --memory-limit 8GiB
//! ndcodecs report temperature.npy --codecs 'zstd(level=5)' --codecs 'lilcom' --out report/
//! ndcodecs report            # on a small real array embedded in the binary
//! ```
//!
//! The command is this library's [`main_with_args`]: the `ndcodecs` binary of this crate calls it
//! with the process arguments, and so does the `ndcodecs` console script of the Python package
//! (through its native module), so both are the same program.

mod canvas;
mod chart;
mod fill;
mod npy;
mod output;
mod psnr;
mod report;
mod spec;
mod store;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use zarrs::filesystem::FilesystemStore;

use crate::fill::Fill;
use crate::npy::NdArray;
use crate::spec::Chain;
use crate::store::Layout;

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

/// The options of `compress`.
#[derive(Debug, Args)]
struct CompressArgs {
    /// The input array (.npy: any integer dtype, float32 or float64; C order).
    input: PathBuf,
    /// The zarr v3 store (a directory) to create.
    output: PathBuf,
    /// The codec chain, e.g. `linear_quantize(max_abs_error=0.01) | spatial_delta(axis=[0,1]) |
    /// zstd(level=5) | crc32c`, or a zarr v3 JSON codec list `[{"name": ..., "configuration":
    /// {...}}]`. `linear_quantize(max_rel_error=1e-3)` (and `interp_quantize(...)`) takes a bound
    /// relative to the value range of the whole array (resolved on this array into the
    /// `max_abs_error` that is stored). Shards: `sharding_indexed(chunk_shape=[32,32], codecs="... | zstd")` with --chunks
    /// as the shard shape.
    #[arg(long, value_name = "SPEC")]
    codecs: String,
    /// Chunk shape, e.g. `64,64,64`. Default: the whole array up to 8 MiB; otherwise the last
    /// (contiguous) axis whole and chunks of about 2–4 MiB.
    #[arg(long, value_name = "N,N,...")]
    chunks: Option<String>,
    /// Elements equal to this value (in the array's dtype) are missing data: it becomes the
    /// array's `fill_value` and its CF `_FillValue` attribute (xarray reads those elements as
    /// NaN), and every codec of the chain that keeps a fill value bit-exactly (`linear_quantize`,
    /// `interp_quantize`) gets it unless it sets its own.
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    fill_value: Option<String>,
    /// A PSNR target in dB: the chain's `linear_quantize` without `max_abs_error` (or `lilcom`
    /// without `tick_power`) gets the largest bound whose PSNR on this array meets it, e.g.
    /// `--psnr 60 --codecs 'linear_quantize | spatial_delta | zstd'`. PSNR's peak is the value
    /// range of the elements other than the fill value.
    #[arg(long, value_name = "DB", allow_negative_numbers = true)]
    psnr: Option<f64>,
    /// Store the array as NAME inside a root group (a dataset, as `xarray.open_zarr` reads it)
    /// instead of as the root node.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Names of the axes, e.g. `time,lat,lon`, written as the array's `dimension_names` (the
    /// dimensions xarray shows).
    #[arg(long, value_name = "NAME,NAME,...")]
    dims: Option<String>,
    /// Replace OUTPUT if it is a zarr store (a directory holding only zarr metadata and
    /// chunks); anything else is never replaced. An empty directory is used as it is.
    #[arg(long)]
    overwrite: bool,
}

/// The options of `report`.
#[derive(Debug, Args)]
struct ReportArgs {
    /// The input array (.npy). Default: a small real array embedded in the program.
    input: Option<PathBuf>,
    /// A codec chain to measure (repeat the option for several). Default: lossless baselines
    /// (zstd; spatial_delta | zstd and spatial_delta | arith for integers), linear_quantize |
    /// spatial_delta | zstd or arith and interp_quantize | arith at 1e-2, 1e-3, 1e-4 of the
    /// value range, lilcom.
    /// `linear_quantize(max_rel_error=1e-3)` (and `interp_quantize(...)`) takes a bound relative
    /// to the value range of the whole array.
    #[arg(long, value_name = "SPEC")]
    codecs: Vec<String>,
    /// Directory for report.md, report.csv, report.png and errors.png.
    #[arg(long, value_name = "DIR", default_value = "ndcodecs-report")]
    out: PathBuf,
    /// Chunk shape (default as for `compress`).
    #[arg(long, value_name = "N,N,...")]
    chunks: Option<String>,
    /// Encode and decode each chain this many times; speeds are the best of the runs.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// A PSNR target in dB: every chain with an open bound (`linear_quantize` without
    /// `max_abs_error`, `lilcom` without `tick_power`) gets the largest that meets it; the
    /// default chains become such chains.
    #[arg(long, value_name = "DB", allow_negative_numbers = true)]
    psnr: Option<f64>,
    /// Input elements equal to this value (compared in the array's dtype) are missing data:
    /// left out of the error measures and of the value range, given to every chain's
    /// `linear_quantize` and `interp_quantize` that sets none, and checked to come back
    /// bit-exactly.
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    fill_value: Option<String>,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compress a .npy array into a zarr v3 store.
    Compress(CompressArgs),
    /// Decompress a zarr v3 array into a .npy file.
    Decompress {
        /// The zarr v3 store (a directory) holding an array at its root, or a group holding it.
        store: PathBuf,
        /// The .npy file to write.
        output: PathBuf,
        /// The array to read inside the store's root group (default: the root array, or the
        /// group's only array).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Replace OUTPUT if it is a .npy file (anything else is never replaced).
        #[arg(long)]
        overwrite: bool,
        /// The most decoded data to hold in memory at once, e.g. `512MiB`, `16GiB`: the array is
        /// decoded in slabs of whole chunk rows and written as it goes; a store whose chunk rows
        /// exceed this is refused before anything is allocated.
        #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
        memory_limit: u64,
    },
    /// Measure codec chains on an array: ratio, bits per value, errors as a scientist reads them
    /// (bias, NRMSE, PSNR, lag-1 autocorrelation of the error), speeds; a table, report.md,
    /// report.csv and the charts report.png and errors.png.
    Report(ReportArgs),
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

/// Runs the `ndcodecs` command with `args` (the program name first, as in `std::env::args_os`)
/// and returns its exit status: 0 on success, 1 on an error (printed on standard error), 2 for a
/// command line clap cannot parse (its message printed). `--help` and `--version` print on
/// standard output and return 0.
///
/// Call it once per process: `--threads` sets the size of rayon's global thread pool, which can
/// be set only once.
pub fn main_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            1
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
        Command::Compress(args) => compress(&args),
        Command::Decompress {
            store,
            output,
            name,
            overwrite,
            memory_limit,
        } => decompress(&store, &output, name.as_deref(), overwrite, memory_limit),
        Command::Report(args) => run_report(&args),
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
        None => Ok(store::default_chunks(
            &array.shape,
            array.samples.element_size() as u64,
        )),
    }
}

fn compress(args: &CompressArgs) -> Result<()> {
    let (input, output) = (args.input.as_path(), args.output.as_path());
    let mut chain = Chain::parse(&args.codecs)?;
    let data = npy::read(input)?;
    let chunks = chunks_for(&data, args.chunks.as_deref())?;
    let fill = args
        .fill_value
        .as_deref()
        .map(|t| Fill::parse(t, data.samples.dtype_name()))
        .transpose()?;
    prepare(&mut chain, &data, &chunks, fill, args.psnr, true)?;
    if chain.uses("numcodecs.crc32") {
        eprintln!(
            "note: `crc32` is numcodecs' checksum, for readers that have only numcodecs (zarr v2); \
             in this zarr v3 store zarr's core `crc32c` is native in zarrs and zarr-python"
        );
    }
    if chain.request.is_some() {
        eprintln!("chain: {}", chain.label());
    }
    let layout = Layout {
        name: args.name.clone(),
        dims: args
            .dims
            .as_deref()
            .map(|d| d.split(',').map(|n| n.trim().to_string()).collect()),
        fill,
    };
    layout.check(data.shape.len())?;
    let existing = output::classify_store(output)?;
    output::check(output, &existing, args.overwrite)?;
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    // The store is written under a temporary name beside OUTPUT and replaces it once complete.
    let tmp = output::temporary_beside(output);
    std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let bar = progress(data.shape.first().copied().unwrap_or(1), "compressing");
    style_units(&bar, "rows");
    let written = FilesystemStore::new(&tmp)
        .with_context(|| format!("cannot open {}", tmp.display()))
        .and_then(|storage| store::create(Arc::new(storage), &data, &chunks, &chain, &layout))
        .and_then(|array| store::write(&array, &data, Some(&bar)))
        .and_then(|()| output::commit(&tmp, output, &existing));
    if let Err(e) = written {
        bar.finish_and_clear();
        // Leave no half-written store behind; what was at OUTPUT is untouched.
        let _ = std::fs::remove_dir_all(&tmp);
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

/// Makes `chain` ready for `data`: gives it the fill value, resolves `max_rel_error`, fills an
/// open bound from a PSNR target (required to exist when `need_open_bound`), and checks that
/// every bound is set.
fn prepare(
    chain: &mut Chain,
    data: &NdArray,
    chunks: &[u64],
    fill: Option<Fill>,
    psnr: Option<f64>,
    need_open_bound: bool,
) -> Result<()> {
    let spec = chain.spec.clone();
    let fail = |e: String| anyhow::anyhow!("chain `{spec}`: {e}");
    if let Some(f) = fill {
        chain.set_fill_value(f.given()).map_err(fail)?;
    }
    chain.resolve_relative(data).map_err(fail)?;
    if let Some(target) = psnr {
        let tuned = psnr::tune(chain, data, chunks, fill, target)?;
        if !tuned && need_open_bound {
            bail!(
                "--psnr sets the bound of a `linear_quantize` without max_abs_error or a `lilcom` \
                 without tick_power, and chain `{spec}` has none (e.g. `linear_quantize | \
                 spatial_delta | zstd`)"
            );
        }
    }
    chain.check_bounds().map_err(fail)
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

fn parse_size(text: &str) -> Result<u64, String> {
    store::parse_bytes(text).map_err(|e| format!("{e:#}"))
}

fn decompress(
    store_path: &Path,
    output: &Path,
    name: Option<&str>,
    overwrite: bool,
    memory_limit: u64,
) -> Result<()> {
    if !store_path.is_dir() {
        bail!("{} is not a zarr store directory", store_path.display());
    }
    let existing = output::classify_npy(output)?;
    output::check(output, &existing, overwrite)?;
    let storage = Arc::new(
        FilesystemStore::new(store_path)
            .with_context(|| format!("cannot open {}", store_path.display()))?,
    );
    let array = store::open(storage, name)?;
    // Shape, chunk shape and data type checked (no overflow, within the limit) before anything
    // is allocated.
    let plan = store::plan_read(&array, memory_limit)?;
    store::validate(&array)?;
    let bar = progress(plan.shape[0], "decompressing");
    style_units(&bar, "rows");
    // Written slab by slab under a temporary name beside OUTPUT, which it replaces once complete.
    let tmp = output::temporary_beside(output);
    let written = ndcodecs_core::with_element_type!(plan.dtype.as_str(), T => {
        npy::write_slabs::<T>(&tmp, &plan.shape, |put| {
            store::read_slabs(&array, &plan, Some(&bar), |part: Vec<T>| put(part))
        })
    }, _ => unreachable!("data type checked by plan_read"))
    .and_then(|()| output::commit(&tmp, output, &existing));
    bar.finish_and_clear();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    eprintln!(
        "{} -> {}: {} {:?}",
        store_path.display(),
        output.display(),
        plan.dtype,
        plan.shape
    );
    Ok(())
}

fn run_report(args: &ReportArgs) -> Result<()> {
    let (input, codecs, out, chunks) = (
        args.input.as_deref(),
        args.codecs.as_slice(),
        args.out.as_path(),
        args.chunks.as_deref(),
    );
    let (repeat, psnr, fill_value, format) = (
        args.repeat,
        args.psnr,
        args.fill_value.as_deref(),
        args.format,
    );
    let (data, name) = match input {
        Some(path) => (npy::read(path)?, path.display().to_string()),
        None => (
            npy::read_bytes(EMBEDDED).context("embedded array")?,
            EMBEDDED_NAME.to_string(),
        ),
    };
    let fill = fill_value
        .map(|t| Fill::parse(t, data.samples.dtype_name()))
        .transpose()?;
    let specs: Vec<String> = if codecs.is_empty() {
        report::default_chains(&data, fill, psnr.is_some())
    } else {
        codecs.to_vec()
    };
    let chains = specs
        .iter()
        .map(|s| Chain::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let chunks = chunks_for(&data, chunks)?;
    let mut ready = Vec::with_capacity(chains.len());
    for mut chain in chains {
        match prepare(&mut chain, &data, &chunks, fill, psnr, false) {
            Ok(()) => ready.push(chain),
            Err(e) if codecs.is_empty() => eprintln!("note: skipping `{}`: {e:#}", chain.spec),
            Err(e) => return Err(e),
        }
    }
    let chains = ready;
    let bar = progress((chains.len() * repeat.max(1)) as u64, "measuring");
    style_units(&bar, "runs");
    let mut rows = Vec::with_capacity(chains.len());
    for chain in &chains {
        bar.set_message(format!("{:.12}", chain.label()));
        match report::measure(&data, chain, &chunks, repeat, fill, Some(&bar)) {
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
            let charts = if rows.iter().any(|r| r.detail.is_some()) {
                "report.png and errors.png"
            } else {
                "report.png"
            };
            eprintln!(
                "\nwrote report.md, report.csv, {charts} in {}",
                out.display()
            );
        }
        Format::Markdown => print!("{}", report::markdown(&title, &rows)),
        Format::Csv => print!("{}", report::csv(&rows)),
    }
    Ok(())
}
