//! Eigenvalues of A in the complex plane with the discrete stability region.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{Frame, TICK, axes, chart, color, legend, legend_box, padded, titled};
use super::{DrawError, Figure};

/// Eigenvalues of A in the complex plane with the discrete stability region.
#[derive(Debug, Clone)]
pub struct EigenPlot {
    /// Figure title.
    pub title: String,
    /// Time step.
    pub dt: f64,
    /// `(strategy, colour index, eigenvalues [re, im])`.
    pub series: Vec<(String, usize, Vec<[f64; 2]>)>,
}

/// One large panel.
const FRAME: Frame = Frame {
    margin: 16,
    x_area: 60,
    y_area: 80,
};

/// Grey of the stability region.
const REGION: RGBColor = RGBColor(200, 200, 200);

impl EigenPlot {
    /// Every eigenvalue of every strategy.
    fn eigenvalues(&self) -> impl Iterator<Item = &[f64; 2]> {
        self.series.iter().flat_map(|x| x.2.iter())
    }

    /// Axis ranges: the stability disc (centre and radius `1/dt`) and every
    /// eigenvalue, with a margin.
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let r = 1.0 / self.dt;
        let re_max = self.eigenvalues().map(|e| e[0]).fold(2.0 * r, f64::max);
        let re_min = self.eigenvalues().map(|e| e[0]).fold(0.0, f64::min);
        let im = self.eigenvalues().map(|e| e[1].abs()).fold(r, f64::max);
        (padded(re_min, re_max, 0.08), padded(-im, im, 0.08))
    }
}

impl Figure for EigenPlot {
    fn size(&self) -> (u32, u32) {
        (1000, 760)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let r = 1.0 / self.dt;
        let ((x0, x1), (y0, y1)) = self.ranges();
        let mut chart = chart(&area, None, FRAME, x0..x1, y0..y1)?;
        axes(&mut chart, "Re λ (per unit time)", "Im λ", TICK)?;
        // |1 − λ·dt| < 1: the disc of radius 1/dt around 1/dt.
        let circle: Vec<(f64, f64)> = (0..=120)
            .map(|k| std::f64::consts::TAU * f64::from(k) / 120.0)
            .map(|a| (r + r * a.cos(), r * a.sin()))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                circle.clone(),
                REGION.mix(0.35),
            )))?
            .label(format!(
                "discrete map stable: |1 − λ·dt| < 1 (dt = {})",
                self.dt
            ))
            .legend(legend_box(REGION));
        chart.draw_series(LineSeries::new(
            circle,
            RGBColor(120, 120, 120).stroke_width(2),
        ))?;
        chart.draw_series(LineSeries::new(
            [(0.0, y0), (0.0, y1)],
            BLACK.stroke_width(1),
        ))?;
        for (name, k, ev) in &self.series {
            let c = color(*k);
            chart
                .draw_series(ev.iter().map(|e| Circle::new((e[0], e[1]), 9, c.filled())))?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 10, y), 7, c.filled()));
            chart.draw_series(
                ev.iter()
                    .map(|e| Circle::new((e[0], e[1]), 9, BLACK.stroke_width(1))),
            )?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, TICK)?;
        Ok(())
    }
}
