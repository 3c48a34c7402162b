//! Matrices as annotated heatmaps, one panel per strategy.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::RangedCoordusize;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::panel::{Frame, LABEL, TICK, chart, font, grid, panels, sheet, titled};
use super::{DrawError, Figure};

/// Matrices as annotated heatmaps, one panel per strategy.
#[derive(Debug, Clone)]
pub struct Heatmaps {
    /// Figure title.
    pub title: String,
    /// Objective names (rows and columns).
    pub objectives: Vec<String>,
    /// `(strategy, matrix)`.
    pub panels: Vec<(String, Vec<Vec<f64>>)>,
    /// Values at ±limit get the full colours.
    pub limit: f64,
}

/// Wide y label area: row labels are objective names.
const FRAME: Frame = Frame {
    margin: 12,
    x_area: 40,
    y_area: 150,
};

/// Blue (negative) – white – vermillion (positive).
fn diverging(v: f64, limit: f64) -> RGBColor {
    if !v.is_finite() {
        return RGBColor(200, 200, 200);
    }
    let t = (v / limit).clamp(-1.0, 1.0);
    let (end, w) = if t < 0.0 {
        ((0.0, 114.0, 178.0), -t)
    } else {
        ((213.0, 94.0, 0.0), t)
    };
    let mix = |e: f64| (255.0 + (e - 255.0) * w).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

/// The text of a cell: two decimals, "0.00" for tiny values, a dash for
/// non-finite ones.
fn cell_text(v: f64) -> String {
    if !v.is_finite() {
        "–".to_string()
    } else if v.abs() < 0.005 {
        "0.00".to_string()
    } else {
        format!("{v:.2}")
    }
}

/// A chart of matrix cells: segmented row and column indices.
type Cells<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<SegmentedCoord<RangedCoordusize>, SegmentedCoord<RangedCoordusize>>,
>;

impl Heatmaps {
    /// Objective names on both axes (row 0 at the top).
    fn labels<DB: DrawingBackend>(&self, chart: &mut Cells<'_, DB>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let n = self.objectives.len();
        let names = &self.objectives;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(n)
            .y_labels(n)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(k) if *k < n => names[*k].clone(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(k) if *k < n => names[n - 1 - *k].clone(),
                _ => String::new(),
            })
            .y_label_style(font(TICK))
            .x_label_style(font(TICK - 4))
            .draw()?;
        Ok(())
    }

    /// Coloured, annotated cells of matrix `m`, row 0 at the top.
    fn cells<DB: DrawingBackend>(
        &self,
        chart: &mut Cells<'_, DB>,
        m: &[Vec<f64>],
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let n = self.objectives.len();
        for (i, row) in m.iter().enumerate().take(n) {
            for (j, &v) in row.iter().enumerate().take(n) {
                let y = n - 1 - i;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(j), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(j + 1), SegmentValue::Exact(y + 1)),
                    ],
                    diverging(v, self.limit).filled(),
                )))?;
                let style = font(TICK).pos(Pos::new(HPos::Center, VPos::Center));
                chart.draw_series(std::iter::once(Text::new(
                    cell_text(v),
                    (SegmentValue::CenterOf(j), SegmentValue::CenterOf(y)),
                    style,
                )))?;
            }
        }
        Ok(())
    }
}

impl Figure for Heatmaps {
    fn size(&self) -> (u32, u32) {
        let side = 320 + 100 * self.objectives.len() as u32;
        sheet(grid(self.panels.len(), 4), side, side)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let n = self.objectives.len();
        for ((name, m), panel) in self.panels.iter().zip(panels(&area, self.panels.len(), 4)) {
            let (x, y) = ((0..n - 1).into_segmented(), (0..n - 1).into_segmented());
            let mut chart = chart(&panel, Some((name, LABEL)), FRAME, x, y)?;
            self.labels(&mut chart)?;
            self.cells(&mut chart, m)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_colours_run_blue_white_vermillion() {
        assert_eq!(diverging(0.0, 1.0), RGBColor(255, 255, 255));
        assert_eq!(diverging(-1.0, 1.0), RGBColor(0, 114, 178));
        assert_eq!(diverging(5.0, 1.0), RGBColor(213, 94, 0));
        assert_eq!(diverging(f64::NAN, 1.0), RGBColor(200, 200, 200));
    }

    #[test]
    fn cells_show_two_decimals() {
        assert_eq!(cell_text(0.004), "0.00");
        assert_eq!(cell_text(-0.004), "0.00");
        assert_eq!(cell_text(0.256), "0.26");
        assert_eq!(cell_text(f64::INFINITY), "–");
    }
}
