//! Ours against the paper: ρ and R² per strategy, with intervals.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{
    Chart2d, Frame, LABEL, TICK, category_labels, chart, color, legend, legend_box, legend_entry,
    mesh, titled,
};
use super::{DrawError, Figure};

/// Ours against the paper: ρ and R² per strategy, with intervals.
#[derive(Debug, Clone)]
pub struct PaperComparison {
    /// Figure title.
    pub title: String,
    /// One entry per strategy.
    pub rows: Vec<ComparisonRow>,
}

/// One strategy's numbers.
#[derive(Debug, Clone)]
pub struct ComparisonRow {
    /// Strategy name.
    pub name: String,
    /// Colour index.
    pub color: usize,
    /// Paper ρ and its reported spread.
    pub rho_paper: (f64, Option<f64>),
    /// Our ρ and its bootstrap interval.
    pub rho_ours: (f64, Option<[f64; 2]>),
    /// Paper R².
    pub r2_paper: f64,
    /// Our trajectory R².
    pub r2_ours: f64,
}

/// Two wide panels side by side.
const FRAME: Frame = Frame {
    margin: 14,
    x_area: 50,
    y_area: 70,
};

/// Grey of the paper's bars.
const PAPER: RGBColor = RGBColor(150, 150, 150);

/// Which number a panel compares.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Measure {
    Rho,
    R2,
}

impl Measure {
    fn caption(self) -> &'static str {
        match self {
            Self::Rho => "convergence rate ρ = min Re λ(A)",
            Self::R2 => "trajectory R² (predictive accuracy; colours as on the left)",
        }
    }

    fn y_desc(self) -> &'static str {
        match self {
            Self::Rho => "ρ (per iteration)",
            Self::R2 => "R²",
        }
    }

    /// `(paper, ours)` of one row.
    fn values(self, r: &ComparisonRow) -> (f64, f64) {
        match self {
            Self::Rho => (r.rho_paper.0, r.rho_ours.0),
            Self::R2 => (r.r2_paper, r.r2_ours),
        }
    }
}

impl PaperComparison {
    /// The top of the y axis: room above every bar and interval for ρ, 1 for R².
    fn top(&self, m: Measure) -> f64 {
        if m == Measure::R2 {
            return 1.0;
        }
        let paper = self
            .rows
            .iter()
            .map(|r| r.rho_paper.0 + r.rho_paper.1.unwrap_or(0.0));
        let ours = self
            .rows
            .iter()
            .map(|r| r.rho_ours.1.map_or(r.rho_ours.0, |c| c[1]));
        // Room above the bars for the legend.
        paper.chain(ours).fold(0.0, f64::max) * 1.8
    }

    /// The paper's bar (left) and ours (right) of row `x`; the first row
    /// labels the legend.
    fn bars<DB: DrawingBackend>(
        chart: &mut Chart2d<'_, DB>,
        x: f64,
        r: &ComparisonRow,
        (p, o): (f64, f64),
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let bar_p = chart.draw_series(std::iter::once(Rectangle::new(
            [(x - 0.38, 0.0), (x - 0.02, p)],
            PAPER.filled(),
        )))?;
        if x == 0.0 {
            bar_p
                .label("paper (error bar: its reported ± spread)")
                .legend(legend_box(PAPER));
        }
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x + 0.02, 0.0), (x + 0.38, o)],
                color(r.color).filled(),
            )))?
            .label(format!("ours, {}", r.name))
            .legend(legend_box(color(r.color)));
        Ok(())
    }

    /// The paper's reported spread and our bootstrap interval of ρ.
    fn intervals<DB: DrawingBackend>(
        chart: &mut Chart2d<'_, DB>,
        x: f64,
        r: &ComparisonRow,
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let (p, o) = (r.rho_paper.0, r.rho_ours.0);
        let bar =
            |x, lo, mid, hi| ErrorBar::new_vertical(x, lo, mid, hi, BLACK.stroke_width(2), 14);
        if let Some(sp) = r.rho_paper.1 {
            chart.draw_series(std::iter::once(bar(x - 0.2, p - sp, p, p + sp)))?;
        }
        if let Some(ci) = r.rho_ours.1 {
            chart.draw_series(std::iter::once(bar(x + 0.2, ci[0], o, ci[1])))?;
        }
        Ok(())
    }
}

impl Figure for PaperComparison {
    fn size(&self) -> (u32, u32) {
        (1400, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let halves = area.split_evenly((1, 2));
        let k = self.rows.len();
        for (m, panel) in [Measure::Rho, Measure::R2].into_iter().zip(&halves) {
            let x = -0.5..(k as f64 - 0.5);
            let caption = Some((m.caption(), LABEL));
            let mut chart = chart(panel, caption, FRAME, x, 0.0..self.top(m))?;
            // The x axis is the rows: each whole number is named by its strategy.
            let names: Vec<String> = self.rows.iter().map(|r| r.name.clone()).collect();
            let name = category_labels(names);
            mesh(&mut chart, TICK)
                .x_labels(k)
                .x_label_formatter(&name)
                .disable_x_mesh()
                .x_desc("strategy")
                .y_desc(m.y_desc())
                .draw()?;
            for (x, r) in self.rows.iter().enumerate() {
                let x = x as f64;
                Self::bars(&mut chart, x, r, m.values(r))?;
                if m == Measure::Rho {
                    Self::intervals(&mut chart, x, r)?;
                }
            }
            // One legend, where the tall top leaves room; the colours are
            // the same in both panels.
            if m == Measure::Rho {
                legend_entry(
                    &mut chart,
                    "error bar on ours: 95% bootstrap interval",
                    |(x, y)| {
                        PathElement::new(
                            vec![(x + 10, y - 8), (x + 10, y + 8)],
                            BLACK.stroke_width(2),
                        )
                    },
                )?;
                legend(&mut chart, SeriesLabelPosition::UpperLeft, TICK - 2)?;
            }
        }
        Ok(())
    }
}
