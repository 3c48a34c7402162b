//! Mean trajectories with a band, one panel per objective.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{
    LABEL, PANEL, TICK, axes, chart, color, fence, grid, legend, legend_line, padded, panels,
    sheet, titled,
};
use super::{DrawError, Figure};

/// Mean trajectories with a band, one panel per objective.
#[derive(Debug, Clone)]
pub struct Trajectories {
    /// Figure title.
    pub title: String,
    /// Objective names.
    pub objectives: Vec<String>,
    /// Bounds per objective.
    pub bounds: Vec<(f64, f64)>,
    /// What the band is (for the axis description).
    pub band: String,
    /// One series per strategy.
    pub series: Vec<TrajectorySeries>,
}

/// One strategy's mean path and band.
#[derive(Debug, Clone)]
pub struct TrajectorySeries {
    /// Strategy name.
    pub name: String,
    /// Colour index.
    pub color: usize,
    /// Times.
    pub t: Vec<f64>,
    /// Mean per time, per objective.
    pub mean: Vec<Vec<f64>>,
    /// Lower band per time, per objective.
    pub lo: Vec<Vec<f64>>,
    /// Upper band per time, per objective.
    pub hi: Vec<Vec<f64>>,
}

impl TrajectorySeries {
    /// The band of objective `i` as a closed polygon: up along the upper
    /// edge, back along the lower one.
    fn band(&self, i: usize) -> Vec<(f64, f64)> {
        let mut poly: Vec<(f64, f64)> = self
            .t
            .iter()
            .zip(&self.hi)
            .map(|(t, h)| (*t, h[i]))
            .collect();
        poly.extend(self.t.iter().zip(&self.lo).rev().map(|(t, l)| (*t, l[i])));
        poly
    }
}

impl Figure for Trajectories {
    fn size(&self) -> (u32, u32) {
        sheet(grid(self.objectives.len(), 3), 620, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let t_max = self
            .series
            .iter()
            .flat_map(|s| s.t.last().copied())
            .fold(1e-9, f64::max);
        for (i, panel) in panels(&area, self.objectives.len(), 3).iter().enumerate() {
            let (lo, hi) = padded(self.bounds[i].0, self.bounds[i].1, 0.03);
            let caption = Some((self.objectives[i].as_str(), LABEL));
            let mut chart = chart(panel, caption, PANEL, 0.0..t_max, lo..hi)?;
            let y = format!("score ({})", self.band);
            axes(&mut chart, "time (LLM iterations)", y, TICK)?;
            let f = |v: f64| fence(v, (lo, hi));
            for sr in &self.series {
                let c = color(sr.color);
                let band = sr
                    .band(i)
                    .into_iter()
                    .map(|(t, v)| (t, f(v)))
                    .collect::<Vec<_>>();
                chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.18))))?;
                let line = chart.draw_series(LineSeries::new(
                    sr.t.iter().zip(&sr.mean).map(|(t, m)| (*t, f(m[i]))),
                    c.stroke_width(3),
                ))?;
                if i == 0 {
                    line.label(sr.name.as_str()).legend(legend_line(c));
                }
            }
            if i == 0 {
                legend(&mut chart, SeriesLabelPosition::LowerRight, TICK)?;
            }
        }
        Ok(())
    }
}
