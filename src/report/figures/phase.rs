//! Sample paths in 2-D projections, with targets and equilibria.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{
    Chart2d, TICK, color, fence, grid, legend, legend_entry, legend_line, padded, pairs, panels,
    projection, sheet, titled,
};
use super::{DrawError, Figure};

/// Sample paths in 2-D projections, with targets and equilibria.
#[derive(Debug, Clone)]
pub struct PhasePortraits {
    /// Figure title.
    pub title: String,
    /// Objective names.
    pub objectives: Vec<String>,
    /// Bounds per objective.
    pub bounds: Vec<(f64, f64)>,
    /// One series per strategy.
    pub series: Vec<PhaseSeries>,
}

/// One strategy's paths and markers.
#[derive(Debug, Clone)]
pub struct PhaseSeries {
    /// Strategy name.
    pub name: String,
    /// Colour index.
    pub color: usize,
    /// Paths: step → state.
    pub paths: Vec<Vec<Vec<f64>>>,
    /// x* (none for switching policies).
    pub target: Option<Vec<f64>>,
    /// Effective equilibrium.
    pub equilibrium: Vec<f64>,
}

impl PhasePortraits {
    /// The axis range of objective `k`: its bounds, widened to show every
    /// target (a target may lie outside the bounds).
    fn range(&self, k: usize) -> (f64, f64) {
        let (mut lo, mut hi) = self.bounds[k];
        for t in self.series.iter().filter_map(|sr| sr.target.as_ref()) {
            lo = lo.min(t[k]);
            hi = hi.max(t[k]);
        }
        padded(lo, hi, 0.04)
    }

    /// Every path of every strategy; the first path of each is labelled.
    fn draw_paths<DB: DrawingBackend>(
        &self,
        chart: &mut Chart2d<'_, DB>,
        (i, j): (usize, usize),
        labelled: bool,
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let (ri, rj) = (self.range(i), self.range(j));
        for sr in &self.series {
            let c = color(sr.color);
            for (n, path) in sr.paths.iter().enumerate() {
                let line = chart.draw_series(LineSeries::new(
                    path.iter().map(|x| (fence(x[i], ri), fence(x[j], rj))),
                    c.mix(0.45).stroke_width(1),
                ))?;
                if labelled && n == 0 {
                    line.label(sr.name.as_str()).legend(legend_line(c));
                }
            }
        }
        Ok(())
    }

    /// The target (a cross) and the effective equilibrium (a ringed dot) of
    /// every strategy.
    fn draw_markers<DB: DrawingBackend>(
        &self,
        chart: &mut Chart2d<'_, DB>,
        (i, j): (usize, usize),
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        for sr in &self.series {
            let c = color(sr.color);
            if let Some(t) = &sr.target {
                let cross = Cross::new((t[i], t[j]), 11, c.stroke_width(4));
                chart.draw_series(std::iter::once(cross))?;
            }
            let e = (
                fence(sr.equilibrium[i], self.range(i)),
                fence(sr.equilibrium[j], self.range(j)),
            );
            chart.draw_series(std::iter::once(Circle::new(e, 8, c.filled())))?;
            chart.draw_series(std::iter::once(Circle::new(e, 8, BLACK.stroke_width(2))))?;
        }
        Ok(())
    }
}

impl Figure for PhasePortraits {
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
            let mut chart = projection(
                panel,
                &self.objectives,
                (i, j),
                self.range(i),
                self.range(j),
            )?;
            // The feasible box, where targets outside it can be seen as such.
            let (b0, b1) = (self.bounds[i], self.bounds[j]);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(b0.0, b1.0), (b0.1, b1.1)],
                RGBColor(150, 150, 150).stroke_width(1),
            )))?;
            self.draw_paths(&mut chart, (i, j), p == 0)?;
            self.draw_markers(&mut chart, (i, j))?;
            if p == 0 {
                legend_entry(&mut chart, "target x*", |(x, y)| {
                    Cross::new((x + 10, y), 7, BLACK.stroke_width(3))
                })?;
                legend_entry(&mut chart, "effective equilibrium", |(x, y)| {
                    Circle::new((x + 10, y), 6, BLACK.filled())
                })?;
                legend(&mut chart, SeriesLabelPosition::UpperLeft, TICK)?;
            }
        }
        Ok(())
    }
}
