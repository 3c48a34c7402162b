//! First-passage histograms, one panel per strategy.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{
    Frame, TICK, axes, chart, color, grid, legend, legend_box, panels, sheet, titled,
};
use super::{DrawError, Figure};

/// First-passage histograms, one panel per strategy.
#[derive(Debug, Clone)]
pub struct PassageHistograms {
    /// Figure title.
    pub title: String,
    /// Tolerance (fraction of each range), for the axis description.
    pub tolerance: f64,
    /// One series per strategy.
    pub series: Vec<PassageSeries>,
}

/// One strategy's histogram.
#[derive(Debug, Clone)]
pub struct PassageSeries {
    /// Strategy name.
    pub name: String,
    /// Colour index.
    pub color: usize,
    /// Paths per first-passage step.
    pub counts: Vec<u64>,
    /// Paths that never arrived.
    pub never: u64,
}

/// Panels without a caption; the legend names the strategy.
const FRAME: Frame = Frame {
    margin: 12,
    x_area: 55,
    y_area: 80,
};

impl PassageSeries {
    /// Paths counted, those that never arrived included (at least 1).
    fn total(&self) -> f64 {
        (self.counts.iter().sum::<u64>() + self.never).max(1) as f64
    }
}

impl Figure for PassageHistograms {
    fn size(&self) -> (u32, u32) {
        sheet(grid(self.series.len(), 2), 700, 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        // A shared step axis up to the last step any strategy reaches.
        let last = self
            .series
            .iter()
            .filter_map(|sr| sr.counts.iter().rposition(|c| *c > 0))
            .max()
            .unwrap_or(1)
            .max(1);
        let x_desc = format!(
            "first-passage step (within {:.0}% of range)",
            100.0 * self.tolerance
        );
        for (sr, panel) in self.series.iter().zip(panels(&area, self.series.len(), 2)) {
            let total = sr.total();
            let frac: Vec<f64> = sr.counts.iter().map(|c| *c as f64 / total).collect();
            let top = frac.iter().copied().fold(0.0, f64::max).max(1e-3) * 1.15;
            let reached = 1.0 - sr.never as f64 / total;
            let x = -0.5..(last as f64 + 0.5);
            let mut chart = chart(&panel, None, FRAME, x, 0.0..top)?;
            axes(&mut chart, x_desc.as_str(), "fraction of paths", TICK)?;
            let c = color(sr.color);
            let bars = frac
                .iter()
                .enumerate()
                .take(last + 1)
                .filter(|(_, f)| **f > 0.0)
                .map(|(t, f)| {
                    Rectangle::new([(t as f64 - 0.4, 0.0), (t as f64 + 0.4, *f)], c.filled())
                });
            chart
                .draw_series(bars)?
                .label(format!("{} (reached {:.1}%)", sr.name, 100.0 * reached))
                .legend(legend_box(c));
            legend(&mut chart, SeriesLabelPosition::UpperRight, TICK)?;
        }
        Ok(())
    }
}
