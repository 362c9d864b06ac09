//! The error analysis of `ndcodecs report`: for each codec chain, the compressed size, the ratio to
//! the raw size, the errors against the input, and the encode and decode speeds; printed as a table
//! and written as Markdown, CSV and a rate–distortion chart.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use zarrs::storage::store::MemoryStore;
use zarrs::storage::{ListableStorageTraits, ReadableStorageTraits, StoreKey};

use crate::npy::NdArray;
use crate::spec::Chain;
use crate::store;

/// Which elements take part in the error measures.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mask {
    /// Elements of the input equal to this value (a fill value marking missing data) are left out.
    pub fill_value: Option<f64>,
}

impl Mask {
    /// Whether the input value `x` is measured (finite and not the fill value).
    #[must_use]
    pub fn is_valid(&self, x: f64) -> bool {
        x.is_finite() && self.fill_value.is_none_or(|f| x != f)
    }
}

/// The measures of one codec chain on one array.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The chain as given.
    pub chain: String,
    /// The chain's `max_abs_error`, when it has one.
    pub bound: Option<f64>,
    /// Size of the input elements in bytes.
    pub raw_bytes: u64,
    /// Size of the stored chunks in bytes (the array metadata excluded).
    pub compressed_bytes: u64,
    /// `raw_bytes / compressed_bytes`.
    pub ratio: f64,
    /// Mean absolute error over the measured elements.
    pub mean_abs_error: f64,
    /// Largest absolute error over the measured elements.
    pub max_abs_error: f64,
    /// Largest absolute error divided by the value range of the measured input elements.
    pub max_rel_error: f64,
    /// Peak signal-to-noise ratio in dB, the peak being the value range (infinite when exact).
    pub psnr_db: f64,
    /// Encode speed in MB/s (10^6 bytes of input per second), best of the repeats.
    pub encode_mbps: f64,
    /// Decode speed in MB/s (10^6 bytes of output per second), best of the repeats.
    pub decode_mbps: f64,
}

impl Row {
    /// Whether the measured largest error is within the chain's bound (true when it has none).
    #[must_use]
    pub fn within_bound(&self) -> bool {
        self.bound.is_none_or(|b| self.max_abs_error <= b)
    }
}

/// Error measures of `decoded` against `original`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Errors {
    /// Mean absolute error.
    pub mean_abs: f64,
    /// Largest absolute error.
    pub max_abs: f64,
    /// Largest absolute error over the value range.
    pub max_rel: f64,
    /// PSNR in dB with the value range as peak.
    pub psnr_db: f64,
}

/// The value range (max − min) of the measured elements of `x`, 0 when there is none.
#[must_use]
pub fn value_range(x: &[f64], mask: Mask) -> f64 {
    let (lo, hi) = x
        .iter()
        .filter(|v| mask.is_valid(**v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if hi >= lo { hi - lo } else { 0.0 }
}

/// Compares `decoded` with `original` over the elements `mask` measures. A decoded NaN where the
/// input is finite counts as an infinite error.
#[must_use]
pub fn errors(original: &[f64], decoded: &[f64], mask: Mask) -> Errors {
    let range = value_range(original, mask);
    let (mut n, mut sum, mut sum_sq, mut max) = (0_u64, 0.0_f64, 0.0_f64, 0.0_f64);
    for (&x, &y) in original.iter().zip(decoded) {
        if !mask.is_valid(x) {
            continue;
        }
        let e = if y.is_nan() {
            f64::INFINITY
        } else {
            (x - y).abs()
        };
        n += 1;
        sum += e;
        sum_sq += e * e;
        max = max.max(e);
    }
    #[allow(clippy::cast_precision_loss)]
    let nf = n.max(1) as f64;
    let mse = sum_sq / nf;
    let psnr_db = if mse == 0.0 {
        f64::INFINITY
    } else {
        20.0 * range.log10() - 10.0 * mse.log10()
    };
    Errors {
        mean_abs: sum / nf,
        max_abs: max,
        max_rel: if range > 0.0 { max / range } else { max },
        psnr_db,
    }
}

fn mbps(bytes: usize, t: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    b / 1e6 / t.as_secs_f64().max(1e-9)
}

/// Encodes and decodes `data` with `chain` `repeat` times in memory and measures the result.
///
/// # Errors
/// When the chain cannot store this array or encoding/decoding fails.
pub fn measure(
    data: &NdArray,
    chain: &Chain,
    chunks: &[u64],
    repeat: usize,
    mask: Mask,
    progress: Option<&ProgressBar>,
) -> Result<Row> {
    let mut best_enc = Duration::MAX;
    let mut best_dec = Duration::MAX;
    let mut compressed_bytes = 0;
    let mut decoded = None;
    for _ in 0..repeat.max(1) {
        let storage = Arc::new(MemoryStore::new());
        let array = store::create(storage.clone(), data, chunks, chain)?;
        let t = Instant::now();
        store::write(&array, data, None).with_context(|| format!("chain `{}`", chain.spec))?;
        best_enc = best_enc.min(t.elapsed());
        let total = storage.size()?;
        let meta = storage.size_key(&StoreKey::new("zarr.json")?)?.unwrap_or(0);
        compressed_bytes = total - meta;
        let t = Instant::now();
        let back = store::read(&array, None).with_context(|| format!("chain `{}`", chain.spec))?;
        best_dec = best_dec.min(t.elapsed());
        decoded = Some(back);
        if let Some(p) = progress {
            p.inc(1);
        }
    }
    let decoded = decoded.expect("at least one repeat");
    let e = errors(&data.samples.to_f64(), &decoded.samples.to_f64(), mask);
    let raw = data.nbytes();
    #[allow(clippy::cast_precision_loss)]
    let ratio = raw as f64 / compressed_bytes.max(1) as f64;
    Ok(Row {
        chain: chain.spec.clone(),
        bound: chain.error_bound(),
        raw_bytes: raw as u64,
        compressed_bytes,
        ratio,
        mean_abs_error: e.mean_abs,
        max_abs_error: e.max_abs,
        max_rel_error: e.max_rel,
        psnr_db: e.psnr_db,
        encode_mbps: mbps(raw, best_enc),
        decode_mbps: mbps(raw, best_dec),
    })
}

/// The chains `report` runs when none is given: lossless baselines, and for floats
/// `linear_quantize → spatial_delta → zstd` and `interp_quantize → zstd` (both with the fill
/// value given, if any) at 10⁻², 10⁻³ and 10⁻⁴ of the value range, plus
/// `lilcom` (exact for integers, ticks meeting 10⁻³ of the range for floats) when it is registered.
#[must_use]
pub fn default_chains(data: &NdArray, mask: Mask) -> Vec<String> {
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
        }
    }
    if data.samples.is_float() && have("linear_quantize(max_abs_error=1)") {
        let range = value_range(&data.samples.to_f64(), mask);
        let dtype = match data.samples {
            crate::npy::Samples::F64(_) => ", dtype=float64",
            _ => "",
        };
        let fill = mask
            .fill_value
            .map_or_else(String::new, |f| format!(", fill_value={f:?}"));
        for rel in [1e-2, 1e-3, 1e-4] {
            let bound = round_sig(range * rel);
            if bound > 0.0 {
                chains.push(format!(
                    "linear_quantize(max_abs_error={bound}{fill}{dtype}) | spatial_delta(axis=[{axes}]) | zstd(level=5)"
                ));
            }
        }
        if have("interp_quantize(max_abs_error=1)") {
            for rel in [1e-2, 1e-3, 1e-4] {
                let bound = round_sig(range * rel);
                if bound > 0.0 {
                    chains.push(format!(
                        "interp_quantize(max_abs_error={bound}{fill}{dtype}) | zstd(level=5)"
                    ));
                }
            }
        }
    }
    if have("lilcom") {
        if data.samples.is_float() {
            // Ticks of 2^tick_power, errors up to half a tick: the tick for 1e-3 of the range.
            let range = value_range(&data.samples.to_f64(), mask);
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
    } else {
        format!("{x:.3e}")
    }
}

fn fmt_bound(r: &Row) -> String {
    match r.bound {
        None => "-".into(),
        Some(b) if r.within_bound() => format!("{b} ok"),
        Some(b) => format!("{b} EXCEEDED"),
    }
}

fn fmt_psnr(x: f64) -> String {
    if x.is_infinite() {
        "exact".into()
    } else {
        format!("{x:.1}")
    }
}

const HEADERS: [&str; 10] = [
    "ratio",
    "size (B)",
    "mean err",
    "max err",
    "max err/range",
    "bound",
    "PSNR dB",
    "enc MB/s",
    "dec MB/s",
    "chain",
];

fn cells(r: &Row) -> [String; 10] {
    [
        format!("{:.2}", r.ratio),
        r.compressed_bytes.to_string(),
        fmt_err(r.mean_abs_error),
        fmt_err(r.max_abs_error),
        fmt_err(r.max_rel_error),
        fmt_bound(r),
        fmt_psnr(r.psnr_db),
        format!("{:.1}", r.encode_mbps),
        format!("{:.1}", r.decode_mbps),
        r.chain.clone(),
    ]
}

/// The rows as an aligned plain-text table.
#[must_use]
pub fn table(rows: &[Row]) -> String {
    let all: Vec<[String; 10]> = rows.iter().map(cells).collect();
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count()).collect();
    for r in &all {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        let last = cells.len() - 1;
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                let _ = write!(out, "{c}");
            } else {
                let _ = write!(out, "{c:>w$}  ");
            }
        }
        out.push('\n');
    };
    let head: Vec<String> = HEADERS.iter().map(|s| (*s).to_string()).collect();
    line(&mut out, &head);
    for r in &all {
        line(&mut out, r);
    }
    out
}

/// The rows as a Markdown document with a title line describing the input.
#[must_use]
pub fn markdown(title: &str, rows: &[Row]) -> String {
    let mut out = format!("# {title}\n\n");
    out.push_str("| chain | ratio | size (B) | mean abs err | max abs err | max err / range | bound | PSNR (dB) | encode MB/s | decode MB/s |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
    for r in rows {
        let c = cells(r);
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c[9].replace('|', "\\|"),
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            c[6],
            c[7],
            c[8]
        );
    }
    out.push_str(
        "\nratio = raw bytes / stored chunk bytes; max err / range = largest absolute error over the \
         value range of the input; PSNR uses the value range as peak; speeds are MB (10^6 bytes) \
         of raw data per second, best of the repeats.\n",
    );
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
pub const CSV_HEADER: &str = "chain,bound,raw_bytes,compressed_bytes,ratio,mean_abs_error,max_abs_error,max_rel_error,psnr_db,encode_mb_s,decode_mb_s";

/// The rows as CSV (full precision; `psnr_db` is `inf` when exact, `bound` empty without one).
#[must_use]
pub fn csv(rows: &[Row]) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&r.chain),
            r.bound.map(|b| b.to_string()).unwrap_or_default(),
            r.raw_bytes,
            r.compressed_bytes,
            r.ratio,
            r.mean_abs_error,
            r.max_abs_error,
            r.max_rel_error,
            r.psnr_db,
            r.encode_mbps,
            r.decode_mbps
        );
    }
    out
}

/// Writes `report.md`, `report.csv` and `report.png` into `dir` (created if needed).
///
/// # Errors
/// When a file cannot be written or the chart cannot be drawn.
pub fn write_files(dir: &Path, title: &str, rows: &[Row]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let md = dir.join("report.md");
    std::fs::write(&md, markdown(title, rows))
        .with_context(|| format!("cannot write {}", md.display()))?;
    let csv_path = dir.join("report.csv");
    std::fs::write(&csv_path, csv(rows))
        .with_context(|| format!("cannot write {}", csv_path.display()))?;
    crate::chart::draw(&dir.join("report.png"), title, rows)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_measures() {
        let x = [0.0, 1.0, 2.0, 4.0, 1e30];
        let y = [0.0, 1.5, 2.0, 4.0, 0.0];
        let mask = Mask {
            fill_value: Some(1e30),
        };
        let e = errors(&x, &y, mask);
        assert_eq!(e.max_abs, 0.5);
        assert_eq!(e.mean_abs, 0.125);
        assert_eq!(e.max_rel, 0.125);
        assert!((e.psnr_db - (20.0 * 4f64.log10() - 10.0 * (0.25f64 / 4.0).log10())).abs() < 1e-12);
        assert!(errors(&x, &x, mask).psnr_db.is_infinite());
    }

    #[test]
    fn rounding() {
        assert_eq!(round_sig(0.0345), 0.03);
        assert_eq!(round_sig(3456.0), 3000.0);
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(csv_field("a | b"), "a | b");
        assert_eq!(csv_field("f(a=1, b=2)"), "\"f(a=1, b=2)\"");
    }
}
