//! Figures: SVG and PNG, drawn with plotters.
//!
//! Every figure is drawn once by backend-generic code and saved twice: SVG
//! (deterministic text, for papers) and PNG (rasterised with a bundled font,
//! DejaVu Sans, so text renders on a machine with no fonts installed). The
//! palette is Okabe–Ito (colour-blind safe), and a strategy keeps its colour
//! (its index in the model) in every figure. Sizes are chosen so that text
//! stays readable when a figure is scaled to one paper column.

mod charts;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use charts::*;

/// The bundled font (DejaVu Sans; licence beside the file).
const FONT: &[u8] = include_bytes!("DejaVuSans.ttf");

/// Okabe–Ito colours, in the order strategies take them.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// The colour of strategy `k` (its index in the model).
pub fn color(k: usize) -> RGBColor {
    PALETTE[k % PALETTE.len()]
}

/// Text sizes (pixels) for figures of about 1000 px per panel row.
pub(crate) const TITLE: u32 = 30;
pub(crate) const LABEL: u32 = 24;
pub(crate) const TICK: u32 = 20;

/// A figure could not be drawn or saved.
#[derive(Debug, thiserror::Error)]
#[error("figure {name}: {message}")]
pub struct FigureError {
    /// The figure.
    pub name: String,
    /// What went wrong.
    pub message: String,
}

/// Something that draws itself on any plotters backend.
pub trait Figure {
    /// Pixel size.
    fn size(&self) -> (u32, u32);
    /// Draws the figure.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            if plotters::style::register_font("sans-serif", style, FONT).is_err() {
                unreachable!("the bundled font parses");
            }
        }
    });
}

/// The SVG text of a figure.
pub fn svg(fig: &impl Figure) -> Result<String, String> {
    register_font();
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        fig.draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(s)
}

/// Saves `name.svg` and `name.png` into `dir` (each through a temporary
/// file and a rename) and returns their paths.
pub fn save(fig: &impl Figure, dir: &Path, name: &str) -> Result<Vec<PathBuf>, FigureError> {
    let err = |m: String| FigureError {
        name: name.to_string(),
        message: m,
    };
    let text = svg(fig).map_err(err)?;
    let svg_path = dir.join(format!("{name}.svg"));
    super::write_atomic(&svg_path, text.as_bytes()).map_err(|e| err(e.to_string()))?;
    let png_path = dir.join(format!("{name}.png"));
    let tmp = dir.join(format!(".{name}.{}.png", std::process::id()));
    {
        let root = BitMapBackend::new(&tmp, fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        fig.draw(&root).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    std::fs::rename(&tmp, &png_path)
        .map_err(|e| err(format!("cannot write {}: {e}", png_path.display())))?;
    Ok(vec![svg_path, png_path])
}

/// `[lo, hi]` widened by a margin, for axis ranges.
pub(crate) fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = (hi - lo).abs().max(1e-9);
    (lo - frac * span, hi + frac * span)
}
