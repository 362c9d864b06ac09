//! The error analysis of `ndcodecs report`: for each codec chain, the compressed size (ratio,
//! bits per value), the errors against the input as a scientist reads them — largest and mean
//! absolute error, bias (mean signed error), RMSE and NRMSE, PSNR, the lag-1 autocorrelation of
//! the error (the measures SZ3's analysis prints) — and the encode and decode speeds; printed as a
//! table and written as Markdown, CSV and two charts (rate–distortion, and per lossy chain an
//! error map and an error histogram).

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use zarrs::storage::store::MemoryStore;
use zarrs::storage::{ListableStorageTraits, ReadableStorageTraits, StoreKey};

use crate::fill::{self, Fill};
use crate::npy::NdArray;
use crate::spec::Chain;
use crate::store::{self, Layout};

/// The measures of one codec chain on one array.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The chain's label (as given, or with its resolved bound).
    pub chain: String,
    /// The bound the chain promises (`max_abs_error`, or half of lilcom's tick), when it has one.
    pub bound: Option<f64>,
    /// Size of the input elements in bytes.
    pub raw_bytes: u64,
    /// Size of the stored chunks in bytes (the array metadata excluded).
    pub compressed_bytes: u64,
    /// `raw_bytes / compressed_bytes`.
    pub ratio: f64,
    /// Stored bits per array element: `8 · compressed_bytes / elements`.
    pub bits_per_value: f64,
    /// Errors over the measured elements (finite and not the fill value).
    pub errors: Errors,
    /// Elements equal to the fill value that did not come back bit-exactly (`None` without a
    /// fill value).
    pub fill_changed: Option<u64>,
    /// Encode speed in MB/s (10^6 bytes of input per second), best of the repeats.
    pub encode_mbps: f64,
    /// Decode speed in MB/s (10^6 bytes of output per second), best of the repeats.
    pub decode_mbps: f64,
    /// What the charts of the error draw (lossy chains only).
    pub detail: Option<Detail>,
}

impl Row {
    /// Whether the measured largest error is within the chain's bound (true when it has none).
    #[must_use]
    pub fn within_bound(&self) -> bool {
        self.bound.is_none_or(|b| self.errors.max_abs <= b)
    }

    /// Whether every measured element came back exactly.
    #[must_use]
    pub fn is_exact(&self) -> bool {
        self.errors.max_abs == 0.0
    }
}

/// Error measures of a decoded array against the input, over the measured elements; errors are
/// signed `decoded − input`. A decoded NaN where the input is finite is an infinite error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Errors {
    /// Number of measured elements.
    pub count: u64,
    /// Value range (max − min) of the measured input elements.
    pub range: f64,
    /// Mean absolute error.
    pub mean_abs: f64,
    /// Largest absolute error.
    pub max_abs: f64,
    /// Largest absolute error over the value range.
    pub max_rel: f64,
    /// Mean signed error (a systematic shift of the decoded values).
    pub bias: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// RMSE over the value range (SZ3's NRMSE).
    pub nrmse: f64,
    /// PSNR in dB with the value range as peak: `20 log10(range) − 10 log10(MSE)` (infinite when
    /// exact).
    pub psnr_db: f64,
    /// Lag-1 autocorrelation of the signed error between neighbours along the last axis (NaN
    /// when exact or undefined): near 0 for noise-like errors, near 1 for errors that form
    /// smooth patterns (artefacts).
    pub lag1: f64,
}

/// The value range (max − min) of the measured elements of `x` (those `valid` marks), 0 when
/// there is none.
#[must_use]
pub fn value_range(x: &[f64], valid: &[bool]) -> f64 {
    let (lo, hi) = x
        .iter()
        .zip(valid)
        .filter(|(_, ok)| **ok)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (&v, _)| {
            (lo.min(v), hi.max(v))
        });
    if hi >= lo { hi - lo } else { 0.0 }
}

/// The signed error `decoded − original` of each element, NaN where it is not measured (and
/// +inf where the input is measured but the decoded value is NaN).
fn signed_errors(original: &[f64], decoded: &[f64], valid: &[bool]) -> Vec<f64> {
    original
        .iter()
        .zip(decoded)
        .zip(valid)
        .map(|((&x, &y), &ok)| match (ok, y.is_nan()) {
            (false, _) => f64::NAN,
            (true, true) => f64::INFINITY,
            (true, false) => y - x,
        })
        .collect()
}

#[allow(clippy::cast_precision_loss)]
fn measures(e: &[f64], range: f64, row_len: usize) -> Errors {
    let (mut n, mut sum, mut sum_abs, mut sum_sq, mut max) = (0_u64, 0.0, 0.0, 0.0, 0.0_f64);
    for &v in e.iter().filter(|v| !v.is_nan()) {
        n += 1;
        sum += v;
        sum_abs += v.abs();
        sum_sq += v * v;
        max = max.max(v.abs());
    }
    let nf = n.max(1) as f64;
    let (bias, mse) = (sum / nf, sum_sq / nf);
    let rmse = mse.sqrt();
    let psnr_db = if mse == 0.0 {
        f64::INFINITY
    } else {
        20.0 * range.log10() - 10.0 * mse.log10()
    };
    // Lag-1 autocorrelation along the last axis: the mean product of the centred errors of
    // neighbouring measured elements of a row, over their variance.
    let (mut pairs, mut cross, mut var) = (0_u64, 0.0, 0.0);
    for &v in e.iter().filter(|v| !v.is_nan()) {
        var += (v - bias) * (v - bias);
    }
    for row in e.chunks(row_len.max(1)) {
        for w in row.windows(2) {
            if !w[0].is_nan() && !w[1].is_nan() {
                pairs += 1;
                cross += (w[0] - bias) * (w[1] - bias);
            }
        }
    }
    let lag1 = if pairs > 0 && var > 0.0 && var.is_finite() {
        (cross / pairs as f64) / (var / nf)
    } else {
        f64::NAN
    };
    let rel = |x: f64| if range > 0.0 { x / range } else { x };
    Errors {
        count: n,
        range,
        mean_abs: sum_abs / nf,
        max_abs: max,
        max_rel: rel(max),
        bias,
        rmse,
        nrmse: rel(rmse),
        psnr_db,
        lag1,
    }
}

/// What the error charts draw for one lossy chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// The signed error over a 2-d slice of the array, or along a stretch of a 1-d array.
    pub map: ErrorMap,
    /// Counts of the signed errors in [`HISTOGRAM_BINS`] equal bins over `±histogram_limit`.
    pub histogram: Vec<u64>,
    /// Half-width of the histogram's range: the largest finite absolute error.
    pub histogram_limit: f64,
}

/// Bins of the error histogram.
pub const HISTOGRAM_BINS: usize = 61;

/// Largest side of the error map kept (larger slices are subsampled).
const MAP_MAX_SIDE: usize = 800;

/// Signed errors laid out for drawing.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorMap {
    /// A 2-d slice of the last two axes (row-major, NaN where not measured).
    Image {
        /// Which slice, e.g. `[8, :, :]` (empty for a 2-d array, shown whole), and the
        /// subsampling step when there is one.
        label: String,
        /// Columns.
        width: usize,
        /// Rows.
        height: usize,
        /// `width · height` signed errors.
        values: Vec<f64>,
    },
    /// A stretch of a 1-d array.
    Line {
        /// Index of the first value.
        start: usize,
        /// The signed errors.
        values: Vec<f64>,
    },
}

fn detail(e: &[f64], shape: &[u64]) -> Detail {
    let limit = e
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut histogram = vec![0_u64; HISTOGRAM_BINS];
    if limit > 0.0 {
        for &v in e.iter().filter(|v| v.is_finite()) {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let bin = (((v + limit) / (2.0 * limit)) * HISTOGRAM_BINS as f64).floor() as usize;
            histogram[bin.min(HISTOGRAM_BINS - 1)] += 1;
        }
    }
    let dims: Vec<usize> = shape
        .iter()
        .map(|&n| usize::try_from(n).unwrap_or(0))
        .collect();
    let map = if dims.len() >= 2 {
        let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
        let lead = &dims[..dims.len() - 2];
        // The middle slice along every leading axis.
        let mut offset = 0;
        for (i, &n) in lead.iter().enumerate() {
            let stride: usize = dims[i + 1..].iter().product();
            offset += (n / 2) * stride;
        }
        let step = h.max(w).div_ceil(MAP_MAX_SIDE).max(1);
        let (hh, ww) = (h.div_ceil(step), w.div_ceil(step));
        let mut values = Vec::with_capacity(hh * ww);
        for r in (0..h).step_by(step) {
            for c in (0..w).step_by(step) {
                values.push(e[offset + r * w + c]);
            }
        }
        let mut label = format!(
            "[{}:, :]",
            lead.iter()
                .map(|n| format!("{}, ", n / 2))
                .collect::<String>()
        );
        if lead.is_empty() {
            // A 2-d array: the map is the whole array.
            label.clear();
        }
        if step > 1 {
            let _ = write!(
                label,
                "{}every {step}th row and column",
                if label.is_empty() { "" } else { ", " }
            );
        }
        ErrorMap::Image {
            label,
            width: ww,
            height: hh,
            values,
        }
    } else {
        let n = e.len();
        let len = n.min(600);
        let start = (n - len) / 2;
        ErrorMap::Line {
            start,
            values: e[start..start + len].to_vec(),
        }
    };
    Detail {
        map,
        histogram,
        histogram_limit: limit,
    }
}

fn mbps(bytes: usize, t: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    b / 1e6 / t.as_secs_f64().max(1e-9)
}

/// Encodes and decodes `data` with `chain` `repeat` times in memory and measures the result;
/// elements equal to `fill` are left out of the error measures and checked to come back
/// bit-exactly.
///
/// # Errors
/// When the chain cannot store this array or encoding/decoding fails.
pub fn measure(
    data: &NdArray,
    chain: &Chain,
    chunks: &[u64],
    repeat: usize,
    fill: Option<Fill>,
    progress: Option<&ProgressBar>,
) -> Result<Row> {
    let mut best_enc = Duration::MAX;
    let mut best_dec = Duration::MAX;
    let mut compressed_bytes = 0;
    let mut decoded = None;
    for _ in 0..repeat.max(1) {
        let storage = Arc::new(MemoryStore::new());
        let array = store::create(storage.clone(), data, chunks, chain, &Layout::default())?;
        let t = Instant::now();
        store::write(&array, data, None).with_context(|| format!("chain `{}`", chain.label()))?;
        best_enc = best_enc.min(t.elapsed());
        let total = storage.size()?;
        let meta = storage.size_key(&StoreKey::new("zarr.json")?)?.unwrap_or(0);
        compressed_bytes = total - meta;
        let t = Instant::now();
        let back =
            store::read(&array, None).with_context(|| format!("chain `{}`", chain.label()))?;
        best_dec = best_dec.min(t.elapsed());
        decoded = Some(back);
        if let Some(p) = progress {
            p.inc(1);
        }
    }
    let decoded = decoded.expect("at least one repeat");
    let valid = fill::valid_mask(data, fill);
    let original = data.samples.to_f64();
    let e = signed_errors(&original, &decoded.samples.to_f64(), &valid);
    let row_len = data
        .shape
        .last()
        .map_or(1, |&n| usize::try_from(n).unwrap_or(usize::MAX));
    let errors = measures(&e, value_range(&original, &valid), row_len);
    let detail = (errors.max_abs > 0.0).then(|| detail(&e, &data.shape));
    let raw = data.nbytes();
    #[allow(clippy::cast_precision_loss)]
    let (ratio, bits_per_value) = (
        raw as f64 / compressed_bytes.max(1) as f64,
        8.0 * compressed_bytes as f64 / data.samples.len().max(1) as f64,
    );
    Ok(Row {
        chain: chain.label(),
        bound: chain.error_bound(),
        raw_bytes: raw as u64,
        compressed_bytes,
        ratio,
        bits_per_value,
        errors,
        fill_changed: fill.map(|f| fill::fill_changed(&data.samples, &decoded.samples, Some(f))),
        encode_mbps: mbps(raw, best_enc),
        decode_mbps: mbps(raw, best_dec),
        detail,
    })
}

/// The chains `report` runs when none is given: lossless baselines (`zstd`, and for integers
/// `spatial_delta → zstd` and `spatial_delta → arith`), and for floats
/// `linear_quantize → spatial_delta → zstd`, `linear_quantize → spatial_delta → arith` and
/// `interp_quantize → arith` (all with the fill value given, if any) at 10⁻², 10⁻³ and 10⁻⁴ of
/// the value range, plus
/// `lilcom` (exact for integers, ticks meeting 10⁻³ of the range for floats) when it is registered.
/// The value range leaves out non-finite elements and those equal to `fill`, which every
/// `linear_quantize` and `interp_quantize` chain stores under its fill code. With
/// `open_bounds` (a PSNR target sets the bounds), one `linear_quantize` chain with its bound
/// left open and no `interp_quantize` chain.
#[must_use]
pub fn default_chains(data: &NdArray, fill: Option<Fill>, open_bounds: bool) -> Vec<String> {
    let valid = fill::valid_mask(data, fill);
    let rank = data.shape.len();
    let axes = (0..rank)
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let have = |name: &str| Chain::parse(name).is_ok();
    let mut chains = vec!["zstd(level=5)".to_string()];
    if have("spatial_delta") {
        if data.samples.is_float() {
            // Floats are only delta-coded after quantization.
        } else {
            chains.push(format!("spatial_delta(axis=[{axes}]) | zstd(level=5)"));
            if have("arith") {
                chains.push(format!("spatial_delta(axis=[{axes}]) | arith"));
            }
        }
    }
    if data.samples.is_float() && have("linear_quantize(max_abs_error=1)") {
        let range = value_range(&data.samples.to_f64(), &valid);
        let mut extra = match data.samples {
            crate::npy::Samples::F64(_) => ", dtype=float64".to_string(),
            _ => String::new(),
        };
        if let Some(f) = fill.map(Fill::given).filter(|f| f.is_finite()) {
            let _ = write!(extra, ", fill_value={}", number(f));
        }
        // The fastest (zstd) and, where the arith codec is registered, the smaller arith end.
        let mut ends = vec!["zstd(level=5)"];
        if have("arith") {
            ends.push("arith");
        }
        if open_bounds {
            // The bound is left open for a PSNR target to set.
            for end in &ends {
                chains.push(format!(
                    "linear_quantize{} | spatial_delta(axis=[{axes}]) | {end}",
                    if extra.is_empty() {
                        String::new()
                    } else {
                        format!("({})", extra.trim_start_matches(", "))
                    }
                ));
            }
        }
        for rel in [1e-2, 1e-3, 1e-4].into_iter().filter(|_| !open_bounds) {
            let bound = round_sig(range * rel);
            if bound > 0.0 {
                for end in &ends {
                    chains.push(format!(
                        "linear_quantize(max_abs_error={bound}{extra}) | spatial_delta(axis=[{axes}]) | {end}"
                    ));
                }
            }
        }
        // A PSNR target sets open bounds of linear_quantize and lilcom only: interp_quantize
        // chains need a bound of their own.
        if have("interp_quantize(max_abs_error=1)") && !open_bounds {
            for rel in [1e-2, 1e-3, 1e-4] {
                let bound = round_sig(range * rel);
                if bound > 0.0 {
                    // arith codes interp_quantize's level-by-level codes best (README).
                    let end = if have("arith") {
                        "arith"
                    } else {
                        "zstd(level=5)"
                    };
                    chains.push(format!(
                        "interp_quantize(max_abs_error={bound}{extra}) | {end}"
                    ));
                }
            }
        }
    }
    if have("lilcom") && open_bounds {
        chains.push("lilcom".to_string());
    } else if have("lilcom") {
        if data.samples.is_float() {
            // Ticks of 2^tick_power, errors up to half a tick: the tick for 1e-3 of the range.
            let range = value_range(&data.samples.to_f64(), &valid);
            let bound = range * 1e-3;
            if bound > 0.0 && bound.is_finite() {
                #[allow(clippy::cast_possible_truncation)]
                let tp = (bound.log2().floor() as i64 + 1).clamp(-20, 20);
                chains.push(format!("lilcom(tick_power={tp})"));
            }
        } else {
            // Integer ticks: exact.
            chains.push("lilcom(tick_power=0)".to_string());
        }
    }
    chains
}

/// `x` in the shortest text that reads back as the same `f64`, with an exponent only for very
/// large or small magnitudes (`-999`, `0.001`, `9.96921e36`).
#[must_use]
pub fn number(x: f64) -> String {
    if x == 0.0 || (1e-4..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// `x` to at most four significant digits, for tables (`0.1319`, `9.969e36`).
#[must_use]
pub fn short_number(x: f64) -> String {
    let s: f64 = format!("{x:.3e}").parse().unwrap_or(x);
    number(s)
}

/// `x` rounded to one significant digit (a readable bound).
fn round_sig(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 0.0;
    }
    let p = 10f64.powf(x.log10().floor());
    let r = (x / p).floor() * p;
    // Print-and-parse drops the binary noise of the multiplication.
    format!("{r:.1e}").parse().unwrap_or(r)
}

fn fmt_err(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.3e}")
    }
}

fn fmt_bound(r: &Row) -> String {
    match r.bound {
        None => "-".into(),
        Some(b) if r.within_bound() => format!("{} ok", short_number(b)),
        Some(b) => format!("{} EXCEEDED", short_number(b)),
    }
}

fn fmt_psnr(x: f64) -> String {
    if x.is_infinite() && x > 0.0 {
        "exact".into()
    } else {
        format!("{x:.1}")
    }
}

fn fmt_lag1(r: &Row) -> String {
    fmt_correlation(r.errors.lag1)
}

/// A correlation to two decimals (`-` when undefined, no `-0.00`).
#[must_use]
pub fn fmt_correlation(r: f64) -> String {
    if r.is_nan() {
        "-".into()
    } else if r.abs() < 0.005 {
        "0.00".into()
    } else {
        format!("{r:.2}")
    }
}

fn fmt_fill(r: &Row) -> String {
    match r.fill_changed {
        None => "-".into(),
        Some(0) => "kept".into(),
        Some(n) => format!("{n} LOST"),
    }
}

/// One column of the table: header, Markdown header, and the cell of a row.
struct Column {
    head: &'static str,
    md_head: &'static str,
    cell: fn(&Row) -> String,
}

const COLUMNS: &[Column] = &[
    Column {
        head: "ratio",
        md_head: "ratio",
        cell: |r| format!("{:.2}", r.ratio),
    },
    Column {
        head: "bits/val",
        md_head: "bits / value",
        cell: |r| format!("{:.3}", r.bits_per_value),
    },
    Column {
        head: "max err",
        md_head: "max abs err",
        cell: |r| fmt_err(r.errors.max_abs),
    },
    Column {
        head: "max/range",
        md_head: "max err / range",
        cell: |r| fmt_err(r.errors.max_rel),
    },
    Column {
        head: "bound",
        md_head: "bound",
        cell: fmt_bound,
    },
    Column {
        head: "bias",
        md_head: "bias (mean err)",
        cell: |r| fmt_err(r.errors.bias),
    },
    Column {
        head: "NRMSE",
        md_head: "NRMSE",
        cell: |r| fmt_err(r.errors.nrmse),
    },
    Column {
        head: "PSNR dB",
        md_head: "PSNR (dB)",
        cell: |r| fmt_psnr(r.errors.psnr_db),
    },
    Column {
        head: "lag-1 r",
        md_head: "lag-1 autocorr.",
        cell: fmt_lag1,
    },
    Column {
        head: "fill",
        md_head: "fill value",
        cell: fmt_fill,
    },
    Column {
        head: "enc MB/s",
        md_head: "encode MB/s",
        cell: |r| format!("{:.1}", r.encode_mbps),
    },
    Column {
        head: "dec MB/s",
        md_head: "decode MB/s",
        cell: |r| format!("{:.1}", r.decode_mbps),
    },
];

/// The columns shown for `rows`: the fill-value column only when a fill value was given.
fn columns(rows: &[Row]) -> Vec<&'static Column> {
    let fill = rows.iter().any(|r| r.fill_changed.is_some());
    COLUMNS
        .iter()
        .filter(|c| fill || c.head != "fill")
        .collect()
}

/// The rows as an aligned plain-text table (the chain last).
#[must_use]
pub fn table(rows: &[Row]) -> String {
    let cols = columns(rows);
    let mut all: Vec<Vec<String>> = vec![
        cols.iter()
            .map(|c| c.head.to_string())
            .chain(["chain".to_string()])
            .collect(),
    ];
    for r in rows {
        all.push(
            cols.iter()
                .map(|c| (c.cell)(r))
                .chain([r.chain.clone()])
                .collect(),
        );
    }
    let mut widths = vec![0; cols.len() + 1];
    for line in &all {
        for (w, c) in widths.iter_mut().zip(line) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for line in &all {
        let last = line.len() - 1;
        for (i, (c, w)) in line.iter().zip(&widths).enumerate() {
            if i == last {
                let _ = write!(out, "{c}");
            } else {
                let _ = write!(out, "{c:>w$}  ");
            }
        }
        out.push('\n');
    }
    out
}

/// What the measures mean, as report.md states it.
pub const LEGEND: &str = "ratio = raw bytes / stored chunk bytes; bits / value = 8 × stored bytes / \
elements. Errors are decoded − input over the measured elements (finite, not the fill value): max \
err / range is the largest absolute error over the value range of the input; bias is the mean \
signed error; NRMSE = RMSE / value range; PSNR = 20 log10(value range) − 10 log10(MSE); lag-1 \
autocorr. is the correlation of the error with its neighbour along the last axis (near 0: \
noise-like; near 1: smooth artefacts). fill value: whether elements equal to the fill value came \
back bit-exactly. Speeds are MB (10^6 bytes) of raw data per second, best of the repeats.";

/// The rows as a Markdown document with a title line describing the input.
#[must_use]
pub fn markdown(title: &str, rows: &[Row]) -> String {
    let cols = columns(rows);
    let mut out = format!("# {title}\n\n| chain |");
    for c in &cols {
        let _ = write!(out, " {} |", c.md_head);
    }
    out.push_str("\n|---|");
    for c in &cols {
        out.push_str(if c.head == "bound" || c.head == "fill" {
            "---|"
        } else {
            "---:|"
        });
    }
    out.push('\n');
    for r in rows {
        let _ = write!(out, "| `{}` |", r.chain.replace('|', "\\|"));
        for c in &cols {
            let _ = write!(out, " {} |", (c.cell)(r));
        }
        out.push('\n');
    }
    out.push_str("\n![compression ratio against error, PSNR against bits per value](report.png)\n");
    if rows.iter().any(|r| r.detail.is_some()) {
        out.push_str("\n![error map and error histogram of each lossy chain](errors.png)\n");
    }
    let _ = write!(out, "\n{LEGEND}\n");
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Header line of [`csv`].
pub const CSV_HEADER: &str = "chain,bound,raw_bytes,compressed_bytes,ratio,bits_per_value,\
mean_abs_error,max_abs_error,max_rel_error,bias,rmse,nrmse,psnr_db,lag1_autocorrelation,\
fill_changed,encode_mb_s,decode_mb_s";

/// The rows as CSV (full precision; `psnr_db` is `inf` when exact; `bound` and `fill_changed`
/// are empty when there is none, `lag1_autocorrelation` is `NaN` when undefined).
#[must_use]
pub fn csv(rows: &[Row]) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for r in rows {
        let e = &r.errors;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&r.chain),
            r.bound.map(|b| b.to_string()).unwrap_or_default(),
            r.raw_bytes,
            r.compressed_bytes,
            r.ratio,
            r.bits_per_value,
            e.mean_abs,
            e.max_abs,
            e.max_rel,
            e.bias,
            e.rmse,
            e.nrmse,
            e.psnr_db,
            e.lag1,
            r.fill_changed.map(|n| n.to_string()).unwrap_or_default(),
            r.encode_mbps,
            r.decode_mbps
        );
    }
    out
}

/// Writes `report.md`, `report.csv`, `report.png` and (when a chain is lossy) `errors.png` into
/// `dir` (created if needed).
///
/// # Errors
/// When a file cannot be written or a chart cannot be drawn.
pub fn write_files(dir: &Path, title: &str, rows: &[Row]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let md = dir.join("report.md");
    std::fs::write(&md, markdown(title, rows))
        .with_context(|| format!("cannot write {}", md.display()))?;
    let csv_path = dir.join("report.csv");
    std::fs::write(&csv_path, csv(rows))
        .with_context(|| format!("cannot write {}", csv_path.display()))?;
    crate::chart::draw_rate_distortion(&dir.join("report.png"), title, rows)?;
    let errors_png = dir.join("errors.png");
    if rows.iter().any(|r| r.detail.is_some()) {
        crate::chart::draw_errors(&errors_png, title, rows)?;
    } else if errors_png.is_file() {
        // An old error chart would describe other chains: this report has no lossy chain.
        std::fs::remove_file(&errors_png)
            .with_context(|| format!("cannot remove {}", errors_png.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compares `decoded` with `original` over the elements `valid` marks; `row_len` is the length of
    /// the last axis (for the lag-1 autocorrelation along it).
    fn errors(original: &[f64], decoded: &[f64], valid: &[bool], row_len: usize) -> Errors {
        let e = signed_errors(original, decoded, valid);
        measures(&e, value_range(original, valid), row_len)
    }

    #[test]
    fn error_measures() {
        let x = [0.0, 1.0, 2.0, 4.0, 1e30];
        let y = [0.0, 1.5, 2.0, 4.0, 0.0];
        let mask = [true, true, true, true, false];
        let e = errors(&x, &y, &mask, 5);
        assert_eq!(e.count, 4);
        assert_eq!(e.max_abs, 0.5);
        assert_eq!(e.mean_abs, 0.125);
        assert_eq!(e.bias, 0.125);
        assert_eq!(e.max_rel, 0.125);
        assert_eq!(e.rmse, 0.25);
        assert_eq!(e.nrmse, 0.0625);
        assert!((e.psnr_db - (20.0 * 4f64.log10() - 10.0 * (0.25f64 / 4.0).log10())).abs() < 1e-12);
        assert!(errors(&x, &x, &mask, 5).psnr_db.is_infinite());
        assert!(errors(&x, &x, &mask, 5).lag1.is_nan());
    }

    #[test]
    fn lag1_autocorrelation_tells_smooth_from_alternating_errors() {
        let x = vec![0.0; 8];
        let smooth: Vec<f64> = (0..8).map(|i| f64::from(i) * 0.1).collect();
        let alternating: Vec<f64> = (0..8)
            .map(|i| if i % 2 == 0 { 0.1 } else { -0.1 })
            .collect();
        let all = vec![true; 8];
        assert!(errors(&x, &smooth, &all, 8).lag1 > 0.5);
        assert!((errors(&x, &alternating, &all, 8).lag1 + 1.0).abs() < 1e-12);
        // Pairs do not cross rows: two rows of 4 alternating within each row.
        assert!(errors(&x, &alternating, &all, 4).lag1 < -0.99);
    }

    #[test]
    fn detail_takes_the_middle_slice() {
        let shape = [3, 2, 4];
        let e: Vec<f64> = (0..24).map(f64::from).collect();
        let d = detail(&e, &shape);
        let ErrorMap::Image {
            width,
            height,
            values,
            label,
        } = d.map
        else {
            panic!()
        };
        assert_eq!((width, height), (4, 2));
        assert_eq!(values, (8..16).map(f64::from).collect::<Vec<_>>());
        assert_eq!(label, "[1, :, :]");
        assert_eq!(d.histogram.iter().sum::<u64>(), 24);
        assert_eq!(d.histogram_limit, 23.0);
    }

    #[test]
    fn rounding() {
        assert_eq!(round_sig(0.0345), 0.03);
        assert_eq!(round_sig(3456.0), 3000.0);
        assert_eq!(number(-999.0), "-999");
        assert_eq!(number(9.96921e36), "9.96921e36");
        assert_eq!(short_number(0.131_881_958_007_812_5), "0.1319");
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(csv_field("a | b"), "a | b");
        assert_eq!(csv_field("f(a=1, b=2)"), "\"f(a=1, b=2)\"");
    }
}
