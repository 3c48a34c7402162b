//! The figures of `optimize`: the search's progress per generation, and the
//! held-out comparison of the winner with the baselines, with intervals.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{
    Frame, LABEL, TICK, axes, category_labels, chart, color, legend, legend_line, mesh, padded,
    titled,
};
use super::{DrawError, Figure};

/// One wide panel.
const FRAME: Frame = Frame {
    margin: 16,
    x_area: 60,
    y_area: 90,
};

/// The best and mean objective of each generation.
#[derive(Debug, Clone)]
pub struct SearchProgress {
    /// Figure title.
    pub title: String,
    /// What the objective is (y axis).
    pub y_desc: String,
    /// Best candidate per generation.
    pub best: Vec<f64>,
    /// Mean candidate per generation.
    pub mean: Vec<f64>,
}

impl Figure for SearchProgress {
    fn size(&self) -> (u32, u32) {
        (1000, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let all = self.best.iter().chain(&self.mean).filter(|v| v.is_finite());
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(*v), h.max(*v))
        });
        let (lo, hi) = padded(lo, hi, 0.08);
        let gens = self.best.len().max(2) as f64 - 1.0;
        let mut chart = chart(&area, None, FRAME, 0.0..gens, lo..hi)?;
        axes(&mut chart, "generation", self.y_desc.clone(), TICK)?;
        for (k, (name, ys)) in [
            ("best candidate", &self.best),
            ("mean of candidates", &self.mean),
        ]
        .into_iter()
        .enumerate()
        {
            let pts = ys
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(g, v)| (g as f64, *v));
            chart
                .draw_series(LineSeries::new(pts, color(k).stroke_width(3)))?
                .label(name)
                .legend(legend_line(color(k)));
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight, LABEL)?;
        Ok(())
    }
}

/// Values with 95% intervals, one column per policy.
#[derive(Debug, Clone)]
pub struct IntervalComparison {
    /// Figure title.
    pub title: String,
    /// What the value is (y axis).
    pub y_desc: String,
    /// `(name, value, 95% interval, colour index)` per policy.
    pub rows: Vec<(String, f64, [f64; 2], usize)>,
}

impl Figure for IntervalComparison {
    fn size(&self) -> (u32, u32) {
        (1100, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let ends = self
            .rows
            .iter()
            .flat_map(|r| [r.1, r.2[0], r.2[1]])
            .filter(|v| v.is_finite());
        let (lo, hi) = ends.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
        let (lo, hi) = padded(lo, hi, 0.1);
        let k = self.rows.len();
        let mut chart = chart(&area, None, FRAME, -0.5..(k as f64 - 0.5), lo..hi)?;
        let names: Vec<String> = self.rows.iter().map(|r| r.0.clone()).collect();
        let name = category_labels(names);
        mesh(&mut chart, TICK)
            .x_labels(k)
            .x_label_formatter(&name)
            .disable_x_mesh()
            .x_desc("policy (held-out paths; bars: 95% interval)")
            .y_desc(self.y_desc.clone())
            .draw()?;
        for (x, (_, v, ci, c)) in self.rows.iter().enumerate() {
            let x = x as f64;
            if ci.iter().all(|e| e.is_finite()) {
                let style = color(*c).stroke_width(3);
                chart.draw_series(std::iter::once(ErrorBar::new_vertical(
                    x, ci[0], *v, ci[1], style, 18,
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new((x, *v), 7, color(*c).filled())))?;
        }
        Ok(())
    }
}
