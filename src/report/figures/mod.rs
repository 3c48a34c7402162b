//! Figures: SVG and PNG, drawn with plotters.
//!
//! Every figure is drawn once by backend-generic code and saved twice: SVG
//! (deterministic text, for papers) and PNG (rasterised with a bundled font,
//! DejaVu Sans, so text renders on a machine with no fonts installed). The
//! palette is Okabe–Ito (colour-blind safe), and a strategy keeps its colour
//! (its index in the model) in every figure. Sizes are chosen so that text
//! stays readable when a figure is scaled to one paper column.
//!
//! One file per figure; `panel.rs` holds what they share (palette, fonts,
//! tick labels, chart set-up, axes and legends).

mod distribution;
mod eigenvalues;
mod first_passage;
mod fit;
mod heatmap;
mod optimize;
mod panel;
mod pareto;
mod phase;
mod replication;
mod trajectories;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::WriteError;

pub use distribution::{BoxSeries, DistributionPanel, Distributions};
pub use eigenvalues::EigenPlot;
pub use first_passage::{PassageHistograms, PassageSeries};
pub use fit::{FitSeries, FitTrajectories, Track};
pub use heatmap::Heatmaps;
pub use optimize::{IntervalComparison, SearchProgress};
pub use panel::{PALETTE, color};
pub use pareto::{ParetoProjections, ParetoSeries};
pub use phase::{PhasePortraits, PhaseSeries};
pub use replication::{ComparisonRow, PaperComparison};
pub use trajectories::{Trajectories, TrajectorySeries};

/// The bundled font (DejaVu Sans; licence beside the file).
const FONT: &[u8] = include_bytes!("DejaVuSans.ttf");

/// A plotters backend failed while drawing (the backend's own error, boxed
/// because SVG and PNG backends have different error types).
#[derive(Debug)]
pub struct DrawError(Box<dyn std::error::Error + Send + Sync>);

impl<E: std::error::Error + Send + Sync + 'static> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        Self(Box::new(e))
    }
}

impl std::fmt::Display for DrawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DrawError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// A figure could not be drawn or saved.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// A backend failed while drawing.
    #[error("figure {name}")]
    Draw {
        /// The figure.
        name: String,
        /// The backend's error.
        source: DrawError,
    },
    /// A file of the figure could not be written.
    #[error("figure {name}")]
    Write {
        /// The figure.
        name: String,
        /// The file and the I/O error.
        source: WriteError,
    },
}

impl FigureError {
    /// Always false: a figure fails on the machine (disk, backend), never
    /// because of what the user asked for.
    pub fn is_input(&self) -> bool {
        false
    }
}

/// Something that draws itself on any plotters backend.
pub trait Figure {
    /// Pixel size.
    fn size(&self) -> (u32, u32);
    /// Draws the figure.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static;
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

/// Fills the background, draws the figure and flushes the backend.
fn render<DB: DrawingBackend>(fig: &impl Figure, backend: DB) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    fig.draw(&root)?;
    root.present()?;
    Ok(())
}

/// The SVG text of a figure.
pub fn svg(fig: &impl Figure) -> Result<String, DrawError> {
    register_font();
    let mut s = String::new();
    render(fig, SVGBackend::with_string(&mut s, fig.size()))?;
    Ok(s)
}

/// The PNG bytes of a figure, drawn in memory: the file is then written
/// like every other output (a temporary file, a rename, and an I/O error
/// that names the file), so a failure leaves no half image behind.
pub fn png(fig: &impl Figure) -> Result<Vec<u8>, DrawError> {
    use image::ImageEncoder;
    register_font();
    let (w, h) = fig.size();
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    render(fig, BitMapBackend::with_buffer(&mut rgb, (w, h)))?;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| DrawError(Box::new(e)))?;
    Ok(out)
}

/// Saves `name.svg` and `name.png` into `dir` (each through a temporary
/// file and a rename) and returns their paths.
pub fn save(fig: &impl Figure, dir: &Path, name: &str) -> Result<Vec<PathBuf>, FigureError> {
    let draw = |source| FigureError::Draw {
        name: name.to_string(),
        source,
    };
    let write = |source| FigureError::Write {
        name: name.to_string(),
        source,
    };
    let text = svg(fig).map_err(draw)?;
    let svg_path = dir.join(format!("{name}.svg"));
    super::write_atomic(&svg_path, text.as_bytes()).map_err(write)?;
    let png_path = dir.join(format!("{name}.png"));
    let png = png(fig).map_err(draw)?;
    super::write_atomic(&png_path, &png).map_err(write)?;
    Ok(vec![svg_path, png_path])
}
