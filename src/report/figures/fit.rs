//! Fitted mean paths against observed sessions; rows = strategies, columns =
//! objectives.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{Frame, TICK, axes, chart, color, legend, legend_line, padded, sheet, titled};
use super::{DrawError, Figure};

/// Fitted mean paths against observed sessions; rows = strategies, columns = objectives.
#[derive(Debug, Clone)]
pub struct FitTrajectories {
    /// Figure title.
    pub title: String,
    /// Objective names.
    pub objectives: Vec<String>,
    /// Bounds per objective.
    pub bounds: Vec<(f64, f64)>,
    /// One series per strategy.
    pub series: Vec<FitSeries>,
}

/// `(iteration, state)` points of one session.
pub type Track = Vec<(f64, Vec<f64>)>;

/// One strategy's sessions: observed and predicted `(iteration, state)`.
#[derive(Debug, Clone)]
pub struct FitSeries {
    /// Strategy name.
    pub name: String,
    /// Colour index.
    pub color: usize,
    /// Trajectory R².
    pub r2: f64,
    /// Sessions: `(observed, predicted)`.
    pub sessions: Vec<(Track, Track)>,
}

/// Small panels: many of them, captions in tick size.
const FRAME: Frame = Frame {
    margin: 10,
    x_area: 45,
    y_area: 60,
};

impl FitSeries {
    /// The last observed iteration of any session (at least 1).
    fn t_max(&self) -> f64 {
        self.sessions
            .iter()
            .flat_map(|s| s.0.last().map(|o| o.0))
            .fold(1.0, f64::max)
    }
}

impl FitTrajectories {
    /// Objective `i` of one strategy: each session's fitted path and its
    /// observations, later sessions lighter. `first` labels the legend.
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        sr: &FitSeries,
        i: usize,
        first: bool,
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let c = color(sr.color);
        let (lo, hi) = padded(self.bounds[i].0, self.bounds[i].1, 0.03);
        let caption = format!(
            "{} · {} (trajectory R² {:.2})",
            sr.name, self.objectives[i], sr.r2
        );
        let mut chart = chart(area, Some((&caption, TICK)), FRAME, 0.0..sr.t_max(), lo..hi)?;
        axes(&mut chart, "iteration", "score", TICK - 2)?;
        for (k, (obs, pred)) in sr.sessions.iter().enumerate() {
            let shade = c.mix(1.0 - 0.18 * k as f64);
            let l = chart.draw_series(LineSeries::new(
                pred.iter().map(|(t, x)| (*t, x[i])),
                shade.stroke_width(2),
            ))?;
            if first && k == 0 {
                l.label("fitted mean path").legend(legend_line(BLACK));
            }
            let o = chart.draw_series(
                obs.iter()
                    .map(|(t, x)| Circle::new((*t, x[i]), 4, shade.filled())),
            )?;
            if first && k == 0 {
                o.label("observed")
                    .legend(|(x, y)| Circle::new((x + 10, y), 5, BLACK.filled()));
            }
        }
        if first {
            legend(&mut chart, SeriesLabelPosition::LowerRight, TICK - 2)?;
        }
        Ok(())
    }
}

impl Figure for FitTrajectories {
    fn size(&self) -> (u32, u32) {
        sheet((self.series.len(), self.objectives.len()), 520, 380)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let n = self.objectives.len();
        let panels = area.split_evenly((self.series.len(), n));
        for (r, sr) in self.series.iter().enumerate() {
            for i in 0..n {
                self.panel(&panels[r * n + i], sr, i, r == 0 && i == 0)?;
            }
        }
        Ok(())
    }
}
