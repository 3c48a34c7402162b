//! Terminal states and the pooled Pareto front in 2-D projections.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{
    Chart2d, TICK, color, grid, legend, legend_box, legend_entry, legend_line, padded, pairs,
    panels, projection, sheet, titled,
};
use super::{DrawError, Figure};

/// Terminal states and the pooled Pareto front in 2-D projections.
#[derive(Debug, Clone)]
pub struct ParetoProjections {
    /// Figure title.
    pub title: String,
    /// Objective names.
    pub objectives: Vec<String>,
    /// Bounds per objective (axis ranges).
    pub bounds: Vec<(f64, f64)>,
    /// Which objectives are minimised (the front goes the other way).
    pub minimize: Vec<bool>,
    /// One series per strategy (or one for a plain table).
    pub series: Vec<ParetoSeries>,
}

/// One strategy's terminal states.
#[derive(Debug, Clone)]
pub struct ParetoSeries {
    /// Legend label (name, with its hypervolume).
    pub label: String,
    /// Colour index.
    pub color: usize,
    /// Points (a subsample).
    pub points: Vec<Vec<f64>>,
}

impl ParetoProjections {
    /// +1 for a maximised objective, −1 for a minimised one.
    fn sign(&self, k: usize) -> f64 {
        if self.minimize.get(k).copied().unwrap_or(false) {
            -1.0
        } else {
            1.0
        }
    }

    /// The nondominated points of projection `(i, j)` pooled over every
    /// series, as `(series, x, y)` sorted by x.
    fn front(&self, (i, j): (usize, usize)) -> Vec<(usize, f64, f64)> {
        let all: Vec<(usize, f64, f64)> = self
            .series
            .iter()
            .enumerate()
            .flat_map(|(k, sr)| sr.points.iter().map(move |x| (k, x[i], x[j])))
            .collect();
        // Nondominated in the maximised sense.
        let rows: Vec<Vec<f64>> = all
            .iter()
            .map(|(_, a, b)| vec![self.sign(i) * a, self.sign(j) * b])
            .collect();
        let mut front: Vec<(usize, f64, f64)> = crate::pareto::nondominated(&rows)
            .into_iter()
            .map(|q| all[q])
            .collect();
        front.sort_by(|a, b| a.1.total_cmp(&b.1));
        front
    }

    /// Every series' points; labelled on the first panel only.
    fn draw_points<DB: DrawingBackend>(
        &self,
        chart: &mut Chart2d<'_, DB>,
        (i, j): (usize, usize),
        labelled: bool,
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        for sr in &self.series {
            let c = color(sr.color);
            let pts = chart.draw_series(
                sr.points
                    .iter()
                    .map(|x| Circle::new((x[i], x[j]), 2, c.mix(0.35).filled())),
            )?;
            if labelled {
                pts.label(sr.label.as_str()).legend(legend_box(c));
            }
        }
        Ok(())
    }
}

impl Figure for ParetoProjections {
    fn size(&self) -> (u32, u32) {
        sheet(grid(pairs(self.objectives.len()).len(), 3), 600, 580)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let pr = pairs(self.objectives.len());
        for (p, panel) in panels(&area, pr.len(), 3).iter().enumerate() {
            let (i, j) = pr[p];
            let x = padded(self.bounds[i].0, self.bounds[i].1, 0.04);
            let y = padded(self.bounds[j].0, self.bounds[j].1, 0.04);
            let mut chart = projection(panel, &self.objectives, (i, j), x, y)?;
            self.draw_points(&mut chart, (i, j), p == 0)?;
            let front = self.front((i, j));
            chart.draw_series(LineSeries::new(
                front.iter().map(|f| (f.1, f.2)),
                BLACK.stroke_width(2),
            ))?;
            chart.draw_series(front.iter().map(|(k, a, b)| {
                Circle::new((*a, *b), 5, color(self.series[*k].color).filled())
            }))?;
            if p == 0 {
                legend_entry(
                    &mut chart,
                    "pooled front of the projection",
                    legend_line(BLACK),
                )?;
                legend(&mut chart, SeriesLabelPosition::UpperRight, TICK)?;
            }
        }
        Ok(())
    }
}
