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
    /// What the colour scale measures (its label).
    pub scale: String,
    /// Axis descriptions `(columns, rows)`.
    pub axes: (String, String),
    /// Why the diagonal is fixed (then drawn grey, "n/a", not as data), or
    /// `None` when it is data.
    pub fixed_diagonal: Option<String>,
}

/// Wide y label area: row labels are objective names, then the axis
/// description.
const FRAME: Frame = Frame {
    margin: 12,
    x_area: 70,
    y_area: 180,
};

/// Width (pixels) of the colour bar column at the right.
const BAR: u32 = 260;

/// Grey of cells that are not applicable (a fixed diagonal).
const NA: RGBColor = RGBColor(215, 215, 215);

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
            .x_desc(self.axes.0.as_str())
            .y_desc(self.axes.1.as_str())
            .axis_desc_style(font(TICK))
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
                let na = i == j && self.fixed_diagonal.is_some();
                let fill = if na { NA } else { diverging(v, self.limit) };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(j), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(j + 1), SegmentValue::Exact(y + 1)),
                    ],
                    fill.filled(),
                )))?;
                let style = font(TICK).pos(Pos::new(HPos::Center, VPos::Center));
                let text = if na { "n/a".to_string() } else { cell_text(v) };
                chart.draw_series(std::iter::once(Text::new(
                    text,
                    (SegmentValue::CenterOf(j), SegmentValue::CenterOf(y)),
                    style,
                )))?;
            }
        }
        Ok(())
    }
}

impl Heatmaps {
    /// The colour scale from −limit to +limit, labelled, with the grey of
    /// "n/a" cells explained below it when the diagonal is fixed.
    fn colour_bar<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(h * 7 / 10);
        let l = self.limit;
        let frame = Frame {
            margin: 30,
            x_area: 0,
            y_area: 80,
        };
        let mut c = chart(
            &top,
            Some((self.scale.as_str(), TICK)),
            frame,
            0.0..1.0,
            // A little room above and below, so the end ticks clear the caption.
            -1.08 * l..1.08 * l,
        )?;
        c.configure_mesh()
            .disable_x_mesh()
            .disable_x_axis()
            .y_labels(5)
            .y_label_formatter(&|v| format!("{v:.2}"))
            .label_style(font(TICK - 2))
            .light_line_style(WHITE)
            .bold_line_style(WHITE)
            .draw()?;
        let steps = 100;
        c.draw_series((0..steps).map(|k| {
            let (y0, y1) = (
                -l + 2.0 * l * k as f64 / steps as f64,
                -l + 2.0 * l * (k + 1) as f64 / steps as f64,
            );
            Rectangle::new(
                [(0.0, y0), (0.45, y1)],
                diverging((y0 + y1) / 2.0, l).filled(),
            )
        }))?;
        c.draw_series(std::iter::once(Rectangle::new(
            [(0.0, -l), (0.45, l)],
            BLACK.stroke_width(1),
        )))?;
        if let Some(why) = &self.fixed_diagonal {
            let style = font(TICK - 2);
            bottom.draw(&Rectangle::new([(40, 10), (84, 40)], NA.filled()))?;
            bottom.draw(&Text::new("n/a", (46, 17), style.clone()))?;
            for (k, line) in why.lines().enumerate() {
                bottom.draw(&Text::new(
                    line.to_string(),
                    (40, 55 + 24 * k as i32),
                    style.clone(),
                ))?;
            }
        }
        Ok(())
    }
}

impl Figure for Heatmaps {
    fn size(&self) -> (u32, u32) {
        let side = 350 + 100 * self.objectives.len() as u32;
        let (w, h) = sheet(grid(self.panels.len(), 4), side, side);
        (w + BAR, h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let (w, _) = area.dim_in_pixel();
        let (area, bar) = area.split_horizontally(w.saturating_sub(BAR));
        self.colour_bar(&bar)?;
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
