//! An RGB image the report's charts are drawn on: lines, points and rectangles through plotters'
//! bitmap backend, text laid out here with `ab_glyph` (advance widths, side bearings and kerning
//! of the bundled font), written as PNG with the `png` crate.
//!
//! Text is not left to plotters: its `ab_glyph` text path (0.3.7) places every glyph at the
//! start of its advance box, ignoring the glyph's left side bearing, so that narrow letters drift
//! into their neighbours ("climate" reads "dimate").

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Open Sans Regular (Apache-2.0, see `assets/README.md`).
static FONT: &[u8] = include_bytes!("../assets/OpenSans-Regular.ttf");

/// The error of a plotters drawing operation on the bitmap backend.
pub type PlotError = DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// Horizontal placement of text relative to its anchor point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The text starts at the anchor.
    Left,
    /// The text is centred on the anchor.
    Center,
    /// The text ends at the anchor.
    Right,
}

/// A line of text to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The text (one line).
    pub text: String,
    /// Anchor: x in pixels (see `align`), y of the middle of the line's capital letters.
    pub at: (i32, i32),
    /// Font size in pixels (the em).
    pub size: f32,
    /// Colour.
    pub color: Rgb,
    /// Horizontal placement.
    pub align: Align,
    /// Drawn bottom-to-top (rotated 90° anticlockwise), as a y-axis title.
    pub vertical: bool,
    /// Drawn on a white box (for labels over lines and points).
    pub boxed: bool,
}

impl Text {
    /// Left-aligned black text at `at`.
    #[must_use]
    pub fn new(text: impl Into<String>, at: (i32, i32), size: f32) -> Self {
        Self {
            text: text.into(),
            at,
            size,
            color: (0, 0, 0),
            align: Align::Left,
            vertical: false,
            boxed: false,
        }
    }

    /// The same text with another alignment.
    #[must_use]
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    /// The same text in another colour.
    #[must_use]
    pub fn color(mut self, color: Rgb) -> Self {
        self.color = color;
        self
    }

    /// The same text on a white box.
    #[must_use]
    pub fn boxed(mut self) -> Self {
        self.boxed = true;
        self
    }

    /// The same text drawn bottom-to-top.
    #[must_use]
    pub fn vertical(mut self) -> Self {
        self.vertical = true;
        self
    }
}

fn font() -> Result<FontRef<'static>> {
    FontRef::try_from_slice(FONT).map_err(|e| anyhow!("the bundled font cannot be read: {e}"))
}

/// Width in pixels of `text` at `size`: advance widths plus kerning.
#[must_use]
pub fn text_width(text: &str, size: f32) -> f32 {
    let Ok(font) = font() else { return 0.0 };
    let font = font.as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            width += font.kern(p, id);
        }
        width += font.h_advance(id);
        prev = Some(id);
    }
    width
}

/// Splits `text` into lines no wider than `max_width` pixels at `size`, breaking after the
/// separators `" | "` and `", "` or at spaces — never inside a name — unless one piece alone is
/// wider than the line.
#[must_use]
pub fn wrap(text: &str, size: f32, max_width: f32) -> Vec<String> {
    // Pieces: each ends just after a break opportunity.
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        let next = chars.get(i + 1).copied();
        if c == ' ' && next != Some(' ') && next != Some('|') {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let candidate = format!("{line}{piece}");
        if line.is_empty() || text_width(candidate.trim_end(), size) <= max_width {
            line = candidate;
        } else {
            lines.push(line.trim_end().to_string());
            line = piece;
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// An RGB image being drawn.
pub struct Canvas {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Canvas {
    /// A white image of `width × height` pixels.
    #[must_use]
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            rgb: vec![255; width as usize * height as usize * 3],
        }
    }

    /// Width and height in pixels.
    #[cfg(test)]
    #[must_use]
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Draws with plotters on the whole image (pixel coordinates, origin top left).
    ///
    /// # Errors
    /// When plotters fails.
    pub fn plot(
        &mut self,
        draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), PlotError>,
    ) -> Result<()> {
        let (w, h) = (self.width, self.height);
        let root = BitMapBackend::with_buffer(&mut self.rgb, (w, h)).into_drawing_area();
        draw(&root).map_err(|e| anyhow!("cannot draw the chart: {e:?}"))?;
        root.present()
            .map_err(|e| anyhow!("cannot draw the chart: {e:?}"))?;
        Ok(())
    }

    /// Mixes `color` into pixel `(x, y)` with weight `alpha` (0..=1); outside the image: nothing.
    pub fn blend(&mut self, x: i32, y: i32, color: Rgb, alpha: f32) {
        if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let a = alpha.clamp(0.0, 1.0);
        for (k, c) in [color.0, color.1, color.2].into_iter().enumerate() {
            let old = f32::from(self.rgb[i + k]);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            {
                self.rgb[i + k] = (old + (f32::from(c) - old) * a).round() as u8;
            }
        }
    }

    /// Fills the pixels `x0..x1 × y0..y1` with `color`.
    pub fn fill(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), color: Rgb) {
        for y in y0..y1 {
            for x in x0..x1 {
                self.blend(x, y, color, 1.0);
            }
        }
    }

    /// Draws `text`.
    ///
    /// # Errors
    /// When the bundled font cannot be read.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    pub fn text(&mut self, text: &Text) -> Result<()> {
        let font = font()?;
        let scaled = font.as_scaled(PxScale::from(text.size));
        let width = text_width(&text.text, text.size);
        let start = match text.align {
            Align::Left => 0.0,
            Align::Center => -width / 2.0,
            Align::Right => -width,
        };
        // The baseline sits half a cap height (≈ 0.36 em for Open Sans) below the anchor.
        let baseline = text.size * 0.36;
        if text.boxed && !text.vertical {
            let half = (text.size * 0.6) as i32;
            self.fill(
                (text.at.0 + start as i32 - 2, text.at.1 - half),
                (text.at.0 + (start + width) as i32 + 2, text.at.1 + half + 1),
                (255, 255, 255),
            );
        }
        let mut caret = start;
        let mut prev = None;
        for c in text.text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(text.size, point(caret, baseline));
            caret += scaled.h_advance(id);
            prev = Some(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let mut covered = Vec::new();
            outline.draw(|x, y, coverage| {
                covered.push((
                    bounds.min.x as i32 + x as i32,
                    bounds.min.y as i32 + y as i32,
                    coverage,
                ));
            });
            for (gx, gy, coverage) in covered {
                let (x, y) = if text.vertical {
                    (text.at.0 + gy, text.at.1 - gx)
                } else {
                    (text.at.0 + gx, text.at.1 + gy)
                };
                self.blend(x, y, text.color, coverage);
            }
        }
        Ok(())
    }

    /// Writes the image as a PNG file.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn save_png(&self, path: &Path) -> Result<()> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut encoder = png::Encoder::new(BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(&self.rgb))
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The colour of pixel `(x, y)` (for tests).
    #[cfg(test)]
    #[must_use]
    pub fn pixel(&self, x: u32, y: u32) -> Rgb {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns of `canvas` holding a dark pixel in the rows `y0..y1`.
    fn inked_columns(canvas: &Canvas, y0: u32, y1: u32) -> Vec<bool> {
        (0..canvas.size().0)
            .map(|x| (y0..y1).any(|y| canvas.pixel(x, y).0 < 128))
            .collect()
    }

    #[test]
    fn letters_keep_their_own_place() {
        // "cl": a gap of white columns between the c and the l, as the font's side bearings
        // give; plotters' text path drew them touching ("d").
        let mut canvas = Canvas::new(120, 40);
        canvas.text(&Text::new("cl", (10, 20), 32.0)).unwrap();
        let ink = inked_columns(&canvas, 0, 40);
        let runs = ink.windows(2).filter(|w| w[0] && !w[1]).count();
        assert_eq!(runs, 2, "expected two separate glyphs: {ink:?}");
        // Text is as wide as its advances say.
        let first = ink.iter().position(|&b| b).unwrap() as f32;
        let last = ink.iter().rposition(|&b| b).unwrap() as f32;
        let width = text_width("cl", 32.0);
        assert!(
            last - first < width && last - first > width * 0.6,
            "{first}..{last} vs {width}"
        );
    }

    #[test]
    fn wrapping_breaks_between_codecs_not_inside_names() {
        let chain =
            "linear_quantize(max_abs_error=0.01) | spatial_delta(axis=[0, 1, 2]) | zstd(level=5)";
        let lines = wrap(
            chain,
            14.0,
            text_width("linear_quantize(max_abs_error=0.01) | ", 14.0) + 5.0,
        );
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.join(" "), chain.replace("  ", " "));
        for l in &lines {
            assert!(!l.ends_with('_') && !l.starts_with('_'), "{lines:?}");
        }
        assert_eq!(wrap("short", 14.0, 1000.0), vec!["short".to_string()]);
    }
}
