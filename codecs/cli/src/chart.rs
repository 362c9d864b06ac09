//! The rate–distortion chart of `ndcodecs report`: compression ratio against the largest error
//! (relative to the value range), drawn with plotters' bitmap backend and a bundled font.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Once;

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::report::Row;

/// Open Sans Regular (Apache-2.0, see `assets/README.md`): text without fontconfig or freetype.
static FONT: &[u8] = include_bytes!("../assets/OpenSans-Regular.ttf");

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is a valid TrueType file; failing to parse it would be a build error in
        // spirit, so text is simply missing rather than the report failing.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// The chain with the value of `max_abs_error=...` blanked: chains that differ only in their bound
/// form one curve.
fn family(chain: &str) -> String {
    let key = "max_abs_error=";
    let Some(p) = chain.find(key) else {
        return chain.to_string();
    };
    let rest = &chain[p + key.len()..];
    let end = rest.find([',', ')']).unwrap_or(rest.len());
    format!("{}{key}…{}", &chain[..p], &rest[end..])
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

fn plot_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw the chart: {e:?}")
}

/// Draws the chart of `rows` into the PNG file `path`.
///
/// Lossy chains are points (joined when they differ only in their bound) at their largest error
/// over the value range; exact chains are dashed horizontal lines at their ratio.
///
/// # Errors
/// When the image cannot be drawn or written.
pub fn draw(path: &Path, title: &str, rows: &[Row]) -> Result<()> {
    register_font();
    let root = BitMapBackend::new(path, (1000, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_error)?;

    let lossy: Vec<&Row> = rows
        .iter()
        .filter(|r| r.max_rel_error > 0.0 && r.max_rel_error.is_finite())
        .collect();
    let exact: Vec<&Row> = rows.iter().filter(|r| r.max_abs_error == 0.0).collect();
    let (mut xmin, mut xmax) = lossy
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.max_rel_error), b.max(r.max_rel_error))
        });
    if !xmin.is_finite() {
        (xmin, xmax) = (1e-5, 1e-1);
    }
    let (xmin, xmax) = (xmin / 3.0, xmax * 3.0);
    let ymax = rows
        .iter()
        .map(|r| r.ratio)
        .filter(|r| r.is_finite())
        .fold(1.0, f64::max)
        * 1.15;

    let mut chart = ChartBuilder::on(&root)
        .caption(short(title, 90), ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d((xmin..xmax).log_scale(), 0.0..ymax)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_desc("largest absolute error / value range (log scale)")
        .y_desc("compression ratio")
        .x_label_formatter(&|x| format!("{x:.0e}"))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(plot_error)?;

    let mut families: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for r in &lossy {
        families.entry(family(&r.chain)).or_default().push(r);
    }
    let mut color_index = 0;
    for (name, mut members) in families {
        members.sort_by(|a, b| a.max_rel_error.total_cmp(&b.max_rel_error));
        let color = Palette99::pick(color_index).to_rgba();
        color_index += 1;
        let points: Vec<(f64, f64)> = members.iter().map(|r| (r.max_rel_error, r.ratio)).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(plot_error)?
            .label(short(&name, 80))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 5, color.filled())))
            .map_err(plot_error)?;
    }
    for r in exact {
        let color = Palette99::pick(color_index).to_rgba();
        color_index += 1;
        let y = r.ratio;
        let n = 40;
        let (lx0, lx1) = (xmin.ln(), xmax.ln());
        let dashes = (0..n).step_by(2).map(move |i| {
            let at = |k: usize| {
                #[allow(clippy::cast_precision_loss)]
                let t = k as f64 / n as f64;
                ((lx0 + (lx1 - lx0) * t).exp(), y)
            };
            PathElement::new(vec![at(i), at(i + 1)], color.stroke_width(2))
        });
        chart
            .draw_series(dashes)
            .map_err(plot_error)?
            .label(short(&format!("exact: {}", r.chain), 80))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(plot_error)?;
    root.present().map_err(plot_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_ignore_the_bound() {
        assert_eq!(
            family("linear_quantize(max_abs_error=0.01) | zstd"),
            family("linear_quantize(max_abs_error=1e-4) | zstd")
        );
        assert_eq!(family("zstd"), "zstd");
    }
}
