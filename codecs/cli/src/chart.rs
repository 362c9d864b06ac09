//! The charts of `ndcodecs report`.
//!
//! - `report.png`: compression ratio against the largest error over the value range (log scale),
//!   and PSNR against bits per value; chains that differ only in their bound are one curve, each
//!   point labelled with its bound; exact chains are dashed lines; the legend sits below the
//!   plots, so that it never hides a point, and gives every chain in full, wrapped between codecs.
//! - `errors.png`: for each lossy chain, the signed error (decoded − input) of the middle slice of
//!   the array as a map (or along a stretch of a 1-d array), and the histogram of the signed
//!   error with its mean (the bias) and the bound marked, with RMSE, NRMSE, PSNR and the lag-1
//!   autocorrelation of the error written beside them.
//!
//! Colours are the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), told apart
//! by colour-blind readers, with a marker shape per curve as well; error maps use a blue–white–red
//! diverging scale symmetric about 0, grey where nothing is measured.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use plotters::prelude::*;

use crate::canvas::{Align, Canvas, PlotError, Rgb, Text, wrap};
use crate::report::{ErrorMap, HISTOGRAM_BINS, Row, fmt_correlation, short_number};

/// Okabe–Ito colours without yellow (too light on white): blue, vermillion, bluish green,
/// orange, reddish purple, sky blue, black.
const PALETTE: [Rgb; 7] = [
    (0, 114, 178),
    (213, 94, 0),
    (0, 158, 115),
    (230, 159, 0),
    (204, 121, 167),
    (86, 180, 233),
    (0, 0, 0),
];
const GRID: Rgb = (225, 225, 225);
const AXIS: Rgb = (60, 60, 60);
const MUTED: Rgb = (90, 90, 90);
const MASKED: Rgb = (190, 190, 190);

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// The chain with the values of its bound (`max_abs_error=…`, `tick_power=…`) blanked and any
/// `[request]` dropped: chains that differ only in their bound form one curve.
fn family(chain: &str) -> String {
    let mut out = chain.split("  [").next().unwrap_or(chain).to_string();
    for key in ["max_abs_error=", "tick_power="] {
        if let Some(p) = out.find(key) {
            let rest = &out[p + key.len()..];
            let end = rest.find([',', ')']).unwrap_or(rest.len());
            out = format!("{}{key}…{}", &out[..p], &rest[end..]);
        }
    }
    out
}

/// A marker shape, by curve index.
#[derive(Debug, Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

impl Marker {
    fn of(i: usize) -> Self {
        [Self::Circle, Self::Square, Self::Triangle, Self::Diamond][i % 4]
    }
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;
type DrawResult = Result<(), PlotError>;

fn draw_marker(area: &Area<'_>, marker: Marker, (x, y): (i32, i32), color: Rgb) -> DrawResult {
    let style = rgb(color).filled();
    let r = 5;
    match marker {
        Marker::Circle => area.draw(&Circle::new((x, y), r, style)),
        Marker::Square => area.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], style)),
        Marker::Triangle => area.draw(&Polygon::new(
            vec![(x, y - r - 1), (x - r - 1, y + r), (x + r + 1, y + r)],
            style,
        )),
        Marker::Diamond => area.draw(&Polygon::new(
            vec![
                (x, y - r - 1),
                (x + r + 1, y),
                (x, y + r + 1),
                (x - r - 1, y),
            ],
            style,
        )),
    }
}

fn dashed(area: &Area<'_>, from: (i32, i32), to: (i32, i32), color: Rgb, width: u32) -> DrawResult {
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let len = dx.hypot(dy);
    let dash = 9.0;
    let mut t = 0.0;
    while t < len {
        let t1 = (t + dash).min(len);
        #[allow(clippy::cast_possible_truncation)]
        let at = |s: f64| {
            (
                from.0 + (dx * s / len).round() as i32,
                from.1 + (dy * s / len).round() as i32,
            )
        };
        area.draw(&PathElement::new(
            vec![at(t), at(t1)],
            rgb(color).stroke_width(width),
        ))?;
        t += 2.0 * dash;
    }
    Ok(())
}

/// An axis: a data range mapped onto a pixel range, linear or logarithmic.
#[derive(Debug, Clone, Copy)]
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    from: i32,
    to: i32,
}

impl Axis {
    #[allow(clippy::cast_possible_truncation)]
    fn px(&self, v: f64) -> i32 {
        let t = if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        (f64::from(self.from) + t * f64::from(self.to - self.from)).round() as i32
    }

    /// Tick values: decades (with 2 and 5 between when the range is short) for a log axis,
    /// 1/2/5 steps for a linear one.
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (
                self.lo.log10().floor() as i32,
                self.hi.log10().ceil() as i32,
            );
            let short = b - a <= 2;
            let mut out = Vec::new();
            for k in a..=b {
                let p = 10f64.powi(k);
                let mults: &[f64] = if short { &[1.0, 2.0, 5.0] } else { &[1.0] };
                out.extend(mults.iter().map(|m| m * p));
            }
            out.retain(|v| *v >= self.lo && *v <= self.hi);
            out
        } else {
            let step = nice_step((self.hi - self.lo) / 5.0);
            let mut v = (self.lo / step).ceil() * step;
            let mut out = Vec::new();
            while v <= self.hi + step * 1e-9 {
                out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
                v += step;
            }
            out
        }
    }
}

fn nice_step(raw: f64) -> f64 {
    if !(raw > 0.0 && raw.is_finite()) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    p * if m <= 1.5 {
        1.0
    } else if m <= 3.0 {
        2.0
    } else if m <= 7.0 {
        5.0
    } else {
        10.0
    }
}

fn tick_label(v: f64, log: bool) -> String {
    if log {
        format!("{v:.0e}").replace("e-", "e−")
    } else {
        short_number(v).replace('-', "−")
    }
}

/// A plot area with its axes.
struct Panel {
    x: Axis,
    y: Axis,
}

impl Panel {
    fn at(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (self.x.px(x), self.y.px(y))
    }

    /// Grid, frame, tick labels and axis titles (texts are queued for `texts`).
    fn frame(&self, area: &Area<'_>, texts: &mut Vec<Text>, titles: (&str, &str)) -> DrawResult {
        let (left, right, top, bottom) = (self.x.from, self.x.to, self.y.to, self.y.from);
        for v in self.x.ticks() {
            let px = self.x.px(v);
            area.draw(&PathElement::new(vec![(px, top), (px, bottom)], rgb(GRID)))?;
            texts.push(
                Text::new(tick_label(v, self.x.log), (px, bottom + 14), 13.0)
                    .align(Align::Center)
                    .color(MUTED),
            );
        }
        for v in self.y.ticks() {
            let py = self.y.px(v);
            area.draw(&PathElement::new(vec![(left, py), (right, py)], rgb(GRID)))?;
            texts.push(
                Text::new(tick_label(v, self.y.log), (left - 7, py), 13.0)
                    .align(Align::Right)
                    .color(MUTED),
            );
        }
        area.draw(&Rectangle::new([(left, top), (right, bottom)], rgb(AXIS)))?;
        texts.push(
            Text::new(titles.0, ((left + right) / 2, bottom + 38), 15.0).align(Align::Center),
        );
        texts.push(
            Text::new(titles.1, (left - 58, (top + bottom) / 2), 15.0)
                .align(Align::Center)
                .vertical(),
        );
        Ok(())
    }
}

/// One legend entry: how the curve looks and its label.
struct Entry {
    color: Rgb,
    marker: Option<Marker>,
    dashed: bool,
    label: String,
}

const LEGEND_SIZE: f32 = 14.0;
const LEGEND_LINE: i32 = 20;

fn legend_height(entries: &[Entry], width: i32) -> i32 {
    entries
        .iter()
        .map(|e| wrap(&e.label, LEGEND_SIZE, (width - 60) as f32).len() as i32 * LEGEND_LINE + 6)
        .sum::<i32>()
        + 30
}

fn draw_legend(
    area: &Area<'_>,
    texts: &mut Vec<Text>,
    entries: &[Entry],
    (x, mut y): (i32, i32),
    width: i32,
) -> DrawResult {
    texts.push(Text::new("chains", (x, y), 15.0));
    y += 24;
    for e in entries {
        let lines = wrap(&e.label, LEGEND_SIZE, (width - 60) as f32);
        if e.dashed {
            dashed(area, (x, y), (x + 40, y), e.color, 2)?;
        } else {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 40, y)],
                rgb(e.color).stroke_width(2),
            ))?;
        }
        if let Some(m) = e.marker {
            draw_marker(area, m, (x + 20, y), e.color)?;
        }
        for (i, line) in lines.iter().enumerate() {
            texts.push(Text::new(
                line.clone(),
                (x + 52, y + i as i32 * LEGEND_LINE),
                LEGEND_SIZE,
            ));
        }
        y += lines.len() as i32 * LEGEND_LINE + 6;
    }
    Ok(())
}

/// Draws `report.png` (see the module docs) for `rows` into `path`.
///
/// # Errors
/// When the image cannot be drawn or written.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::too_many_lines
)]
pub fn draw_rate_distortion(path: &Path, title: &str, rows: &[Row]) -> Result<()> {
    const W: i32 = 1400;
    let title_lines = wrap(title, 20.0, (W - 60) as f32);
    let top = 30 + 28 * title_lines.len() as i32 + 40;
    let plot_h = 380;
    let bottom = top + plot_h;

    let lossy: Vec<&Row> = rows
        .iter()
        .filter(|r| r.errors.max_rel > 0.0 && r.errors.max_rel.is_finite())
        .collect();
    let exact: Vec<&Row> = rows.iter().filter(|r| r.is_exact()).collect();
    let mut families: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for r in &lossy {
        families.entry(family(&r.chain)).or_default().push(r);
    }
    let mut entries = Vec::new();
    for (i, name) in families.keys().enumerate() {
        entries.push(Entry {
            color: PALETTE[i % PALETTE.len()],
            marker: Some(Marker::of(i)),
            dashed: false,
            label: name.clone(),
        });
    }
    for (j, r) in exact.iter().enumerate() {
        let i = families.len() + j;
        entries.push(Entry {
            color: PALETTE[i % PALETTE.len()],
            marker: None,
            dashed: true,
            label: format!("exact: {}", r.chain),
        });
    }
    let legend_top = bottom + 70;
    let height = legend_top + legend_height(&entries, W - 100) + 10;
    let mut canvas = Canvas::new(W as u32, height as u32);
    let mut texts = Vec::new();
    for (i, line) in title_lines.iter().enumerate() {
        texts.push(Text::new(line.clone(), (W / 2, 30 + 28 * i as i32), 20.0).align(Align::Center));
    }

    // Left: ratio against largest error / value range (log).
    let (mut xmin, mut xmax) = lossy
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.errors.max_rel), b.max(r.errors.max_rel))
        });
    if !xmin.is_finite() {
        (xmin, xmax) = (1e-5, 1e-1);
    }
    let ymax = rows
        .iter()
        .map(|r| r.ratio)
        .filter(|r| r.is_finite())
        .fold(1.0, f64::max)
        * 1.12;
    let left = Panel {
        x: Axis {
            lo: xmin / 3.0,
            hi: xmax * 3.0,
            log: true,
            from: 100,
            to: W / 2 - 30,
        },
        y: Axis {
            lo: 0.0,
            hi: ymax,
            log: false,
            from: bottom,
            to: top,
        },
    };
    // Right: PSNR against bits per value.
    let bpv_max = rows
        .iter()
        .map(|r| r.bits_per_value)
        .filter(|b| b.is_finite())
        .fold(0.0, f64::max)
        * 1.08;
    let psnrs: Vec<f64> = lossy
        .iter()
        .map(|r| r.errors.psnr_db)
        .filter(|p| p.is_finite())
        .collect();
    let (pmin, pmax) = if psnrs.is_empty() {
        (0.0, 100.0)
    } else {
        let lo = psnrs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = psnrs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (
            ((lo - 5.0) / 10.0).floor() * 10.0,
            ((hi + 5.0) / 10.0).ceil() * 10.0,
        )
    };
    let right = Panel {
        x: Axis {
            lo: 0.0,
            hi: bpv_max.max(1e-3),
            log: false,
            from: W / 2 + 100,
            to: W - 40,
        },
        y: Axis {
            lo: pmin,
            hi: pmax,
            log: false,
            from: bottom,
            to: top,
        },
    };
    texts.push(
        Text::new(
            "compression ratio against largest error",
            ((left.x.from + left.x.to) / 2, top - 18),
            16.0,
        )
        .align(Align::Center),
    );
    texts.push(
        Text::new(
            "PSNR against bits per value",
            ((right.x.from + right.x.to) / 2, top - 18),
            16.0,
        )
        .align(Align::Center),
    );

    canvas.plot(|area| {
        area.fill(&WHITE)?;
        left.frame(
            area,
            &mut texts,
            (
                "largest absolute error / value range (log scale)",
                "compression ratio (raw / stored)",
            ),
        )?;
        right.frame(
            area,
            &mut texts,
            ("stored bits per value", "PSNR (dB, peak = value range)"),
        )?;
        for (i, members) in families.values().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let marker = Marker::of(i);
            let mut members = members.clone();
            members.sort_by(|a, b| a.errors.max_rel.total_cmp(&b.errors.max_rel));
            for (panel, point) in [
                (
                    &left,
                    &(|r: &Row| (r.errors.max_rel, r.ratio)) as &dyn Fn(&Row) -> (f64, f64),
                ),
                (&right, &|r: &Row| (r.bits_per_value, r.errors.psnr_db)),
            ] {
                let pts: Vec<(i32, i32)> = members.iter().map(|r| panel.at(point(r))).collect();
                area.draw(&PathElement::new(pts.clone(), rgb(color).stroke_width(2)))?;
                for (p, r) in pts.iter().zip(&members) {
                    draw_marker(area, marker, *p, color)?;
                    if let Some(b) = r.bound {
                        texts.push(
                            Text::new(short_number(b), (p.0 + 9, p.1 - 12), 11.0)
                                .color(color)
                                .boxed(),
                        );
                    }
                }
            }
        }
        for (j, r) in exact.iter().enumerate() {
            let color = PALETTE[(families.len() + j) % PALETTE.len()];
            let y = left.y.px(r.ratio);
            dashed(area, (left.x.from, y), (left.x.to, y), color, 2)?;
            let x = right.x.px(r.bits_per_value);
            dashed(area, (x, right.y.from), (x, right.y.to), color, 2)?;
            texts.push(
                Text::new("exact", (x + 4, right.y.to + 10 + 14 * j as i32), 11.0)
                    .color(color)
                    .boxed(),
            );
        }
        draw_legend(area, &mut texts, &entries, (60, legend_top), W - 100)
    })?;
    for t in &texts {
        canvas.text(t)?;
    }
    canvas.save_png(path)
}

/// Blue–white–red: `t` in −1..=1.
fn diverging(t: f64) -> Rgb {
    const BLUE: Rgb = (33, 102, 172);
    const WHITE_: Rgb = (247, 247, 247);
    const RED: Rgb = (178, 24, 43);
    let t = t.clamp(-1.0, 1.0);
    let (a, b, s) = if t < 0.0 {
        (WHITE_, BLUE, -t)
    } else {
        (WHITE_, RED, t)
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * s).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// At most this many lossy chains get a row in `errors.png`.
const MAX_ERROR_ROWS: usize = 8;

/// Draws `errors.png` (see the module docs) for the lossy `rows` into `path`.
///
/// # Errors
/// When the image cannot be drawn or written.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    clippy::too_many_lines
)]
pub fn draw_errors(path: &Path, title: &str, rows: &[Row]) -> Result<()> {
    const W: i32 = 1400;
    const BLOCK: i32 = 400;
    let lossy: Vec<&Row> = rows.iter().filter(|r| r.detail.is_some()).collect();
    let shown = &lossy[..lossy.len().min(MAX_ERROR_ROWS)];
    let mut header = format!("{title}: error of each lossy chain (decoded − input)");
    if lossy.len() > shown.len() {
        header.push_str(&format!(", the first {} of {}", shown.len(), lossy.len()));
    }
    let title_lines = wrap(&header, 20.0, (W - 60) as f32);
    let first = 30 + 28 * title_lines.len() as i32 + 10;
    let height = first + BLOCK * shown.len() as i32;
    let mut canvas = Canvas::new(W as u32, height as u32);
    let mut texts = Vec::new();
    for (i, line) in title_lines.iter().enumerate() {
        texts.push(Text::new(line.clone(), (W / 2, 30 + 28 * i as i32), 20.0).align(Align::Center));
    }
    let mut blocks = Vec::new();
    for (k, r) in shown.iter().enumerate() {
        let Some(d) = &r.detail else { continue };
        let y0 = first + BLOCK * k as i32;
        let label_lines = wrap(&r.chain, 15.0, (W - 60) as f32);
        for (i, line) in label_lines.iter().enumerate() {
            texts.push(
                Text::new(line.clone(), (30, y0 + 14 + 20 * i as i32), 15.0).color(PALETTE[0]),
            );
        }
        let e = &r.errors;
        let stats = format!(
            "max |e| = {}   bias = {}   RMSE = {}   NRMSE = {}   PSNR = {} dB   lag-1 autocorrelation = {}   {} bits/value",
            short_number(e.max_abs),
            short_number(e.bias),
            short_number(e.rmse),
            short_number(e.nrmse),
            if e.psnr_db.is_finite() {
                format!("{:.1}", e.psnr_db)
            } else {
                "∞".into()
            },
            fmt_correlation(e.lag1),
            short_number(r.bits_per_value),
        );
        let stats_y = y0 + 14 + 20 * label_lines.len() as i32;
        texts.push(Text::new(stats, (30, stats_y), 14.0).color(MUTED));
        let top = stats_y + 34;
        let bottom = y0 + BLOCK - 60;
        // The colour scale spans ± the bound when there is one (the error's allowed range), else
        // ± the largest error.
        let limit = r
            .bound
            .filter(|b| *b > 0.0)
            .unwrap_or(d.histogram_limit)
            .max(f64::MIN_POSITIVE);
        blocks.push((k, top, bottom, limit));
    }

    // Images first (plotters draws frames and lines over them), then geometry, then text.
    for &(k, top, bottom, limit) in &blocks {
        let Some(d) = &shown[k].detail else { continue };
        if let ErrorMap::Image {
            width,
            height,
            values,
            ..
        } = &d.map
        {
            let (bw, bh) = (W / 2 - 190, bottom - top);
            let scale = (f64::from(bw) / *width as f64).min(f64::from(bh) / *height as f64);
            let (iw, ih) = (
                (*width as f64 * scale) as i32,
                (*height as f64 * scale) as i32,
            );
            let x0 = 110 + (bw - iw) / 2;
            for py in 0..ih.max(1) {
                for px in 0..iw.max(1) {
                    let sx = ((f64::from(px) / scale) as usize).min(width - 1);
                    let sy = ((f64::from(py) / scale) as usize).min(height - 1);
                    let v = values[sy * width + sx];
                    let c = if v.is_nan() {
                        MASKED
                    } else if v.is_infinite() {
                        (0, 0, 0)
                    } else {
                        diverging(v / limit)
                    };
                    canvas.blend(x0 + px, top + py, c, 1.0);
                }
            }
            // Colour bar.
            let cx = W / 2 - 60;
            for py in 0..bh {
                let t = 1.0 - 2.0 * f64::from(py) / f64::from(bh.max(1));
                canvas.fill((cx, top + py), (cx + 16, top + py + 1), diverging(t));
            }
        }
    }
    canvas.plot(|area| {
        for &(k, top, bottom, limit) in &blocks {
            let Some(d) = &shown[k].detail else { continue };
            let r = shown[k];
            match &d.map {
                ErrorMap::Image {
                    width,
                    height,
                    label,
                    ..
                } => {
                    let (bw, bh) = (W / 2 - 190, bottom - top);
                    let scale = (f64::from(bw) / *width as f64).min(f64::from(bh) / *height as f64);
                    let (iw, ih) = (
                        (*width as f64 * scale) as i32,
                        (*height as f64 * scale) as i32,
                    );
                    let x0 = 110 + (bw - iw) / 2;
                    area.draw(&Rectangle::new(
                        [(x0 - 1, top - 1), (x0 + iw, top + ih)],
                        rgb(AXIS),
                    ))?;
                    let cx = W / 2 - 60;
                    area.draw(&Rectangle::new([(cx, top), (cx + 16, bottom)], rgb(AXIS)))?;
                    for (t, v) in [(1.0, limit), (0.0, 0.0), (-1.0, -limit)] {
                        let y = top + ((1.0 - t) / 2.0 * f64::from(bh)) as i32;
                        texts
                            .push(Text::new(tick_label(v, false), (cx + 22, y), 12.0).color(MUTED));
                    }
                    texts.push(
                        Text::new(
                            if label.is_empty() {
                                "signed error (row 0 at the top)".to_string()
                            } else {
                                format!("signed error, slice {label} (row 0 at the top)")
                            },
                            (x0 + iw / 2, bottom + 16),
                            13.0,
                        )
                        .align(Align::Center)
                        .color(MUTED),
                    );
                    texts.push(
                        Text::new(
                            if r.bound.is_some() {
                                "colour: ± bound"
                            } else {
                                "colour: ± largest error"
                            },
                            (cx + 8, top - 12),
                            12.0,
                        )
                        .align(Align::Center)
                        .color(MUTED),
                    );
                }
                ErrorMap::Line { start, values } => {
                    let panel = Panel {
                        x: Axis {
                            lo: *start as f64,
                            hi: (*start + values.len().max(2) - 1) as f64,
                            log: false,
                            from: 110,
                            to: W / 2 - 40,
                        },
                        y: Axis {
                            lo: -limit * 1.1,
                            hi: limit * 1.1,
                            log: false,
                            from: bottom,
                            to: top,
                        },
                    };
                    panel.frame(area, &mut texts, ("index", "signed error"))?;
                    let pts: Vec<(i32, i32)> = values
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| v.is_finite())
                        .map(|(i, v)| panel.at(((*start + i) as f64, *v)))
                        .collect();
                    area.draw(&PathElement::new(pts, rgb(PALETTE[0])))?;
                }
            }
            // Histogram of the signed error.
            let hl = d.histogram_limit.max(f64::MIN_POSITIVE);
            let span = r.bound.map_or(hl, |b| b.max(hl)) * 1.08;
            let peak = d.histogram.iter().copied().max().unwrap_or(1).max(1) as f64;
            let hist = Panel {
                x: Axis {
                    lo: -span,
                    hi: span,
                    log: false,
                    from: W / 2 + 110,
                    to: W - 40,
                },
                y: Axis {
                    lo: 0.0,
                    hi: peak * 1.1,
                    log: false,
                    from: bottom,
                    to: top,
                },
            };
            hist.frame(
                area,
                &mut texts,
                ("signed error (decoded − input)", "elements"),
            )?;
            let bin = 2.0 * hl / HISTOGRAM_BINS as f64;
            for (i, &count) in d.histogram.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let a = -hl + bin * i as f64;
                let (x0, y0) = hist.at((a, count as f64));
                let (x1, y1) = hist.at((a + bin, 0.0));
                area.draw(&Rectangle::new(
                    [(x0, y0), (x1.max(x0 + 1), y1)],
                    rgb(PALETTE[0]).mix(0.75).filled(),
                ))?;
            }
            let zero = hist.x.px(0.0);
            area.draw(&PathElement::new(
                vec![(zero, top), (zero, bottom)],
                rgb(AXIS),
            ))?;
            let bx = hist.x.px(r.errors.bias);
            area.draw(&PathElement::new(
                vec![(bx, top), (bx, bottom)],
                rgb(PALETTE[1]).stroke_width(2),
            ))?;
            texts.push(
                Text::new(
                    format!("bias {}", short_number(r.errors.bias)),
                    (bx, top - 10),
                    12.0,
                )
                .align(Align::Center)
                .color(PALETTE[1]),
            );
            if let Some(b) = r.bound {
                for x in [-b, b] {
                    let px = hist.x.px(x);
                    dashed(area, (px, top), (px, bottom), MUTED, 1)?;
                }
                texts.push(
                    Text::new(
                        format!("± bound {}", short_number(b)),
                        (hist.x.px(b), top - 10),
                        12.0,
                    )
                    .align(Align::Right)
                    .color(MUTED),
                );
            }
        }
        Ok(())
    })?;
    for t in &texts {
        canvas.text(t)?;
    }
    canvas.save_png(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_ignore_the_bound() {
        assert_eq!(
            family("linear_quantize(max_abs_error=0.01) | zstd"),
            family("linear_quantize(max_abs_error=1e-4) | zstd  [PSNR ≥ 60 dB]")
        );
        assert_eq!(
            family("lilcom(tick_power=-3)"),
            family("lilcom(tick_power=-8)")
        );
        assert_eq!(family("zstd"), "zstd");
    }

    #[test]
    fn ticks() {
        let a = Axis {
            lo: 1e-5,
            hi: 1e-1,
            log: true,
            from: 0,
            to: 100,
        };
        assert_eq!(a.ticks(), vec![1e-5, 1e-4, 1e-3, 1e-2, 1e-1]);
        let a = Axis {
            lo: 0.0,
            hi: 11.2,
            log: false,
            from: 0,
            to: 100,
        };
        assert_eq!(a.ticks(), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(a.px(5.6), 50);
    }
}
