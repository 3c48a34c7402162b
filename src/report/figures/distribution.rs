//! Distributions over replications as box plots, one panel per statistic,
//! with a reference value (the paper's) marked on each box.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panel::{
    Chart2d, LABEL, PANEL, TICK, chart, color, grid, legend, legend_box, legend_entry, mesh,
    padded, panels, sheet, titled,
};
use super::{DrawError, Figure};
use crate::analysis::moments::quantile_sorted;

/// Box plots of replicated statistics, one panel per statistic.
#[derive(Debug, Clone)]
pub struct Distributions {
    /// Figure title.
    pub title: String,
    /// Number of replications (for the legend).
    pub replications: usize,
    /// One panel per statistic.
    pub panels: Vec<DistributionPanel>,
}

/// One statistic: a box per strategy (or per pooled quantity).
#[derive(Debug, Clone)]
pub struct DistributionPanel {
    /// Panel caption.
    pub caption: String,
    /// Y axis description (with units).
    pub y_desc: String,
    /// The boxes, left to right.
    pub boxes: Vec<BoxSeries>,
}

/// One box: the replicated values and the reference value.
#[derive(Debug, Clone)]
pub struct BoxSeries {
    /// Name under the box.
    pub name: String,
    /// Colour index (a strategy's), or grey for pooled quantities.
    pub color: Option<usize>,
    /// The values over the replications.
    pub values: Vec<f64>,
    /// The paper's value, where it reports one.
    pub paper: Option<f64>,
}

/// Grey of boxes that belong to no strategy.
const POOLED: RGBColor = RGBColor(150, 150, 150);
/// Columns of panels.
const COLS: usize = 4;

/// The five numbers of a box: 5%, 25%, 50%, 75%, 95%.
fn five(values: &[f64]) -> Option<[f64; 5]> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some([0.05, 0.25, 0.5, 0.75, 0.95].map(|q| quantile_sorted(&v, q)))
}

impl DistributionPanel {
    /// The y range: every value and reference, padded.
    fn range(&self) -> (f64, f64) {
        let all = self
            .boxes
            .iter()
            .flat_map(|b| b.values.iter().chain(b.paper.iter()))
            .filter(|x| x.is_finite());
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
        padded(lo, hi, 0.08)
    }

    /// Box `x` of `b`: whiskers 5–95%, box 25–75%, median line, the
    /// replications as small dots, the paper's value as a black diamond.
    fn draw_box<DB: DrawingBackend>(
        chart: &mut Chart2d<'_, DB>,
        x: f64,
        b: &BoxSeries,
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let c = b.color.map_or(POOLED, color);
        if let Some([p05, q25, q50, q75, p95]) = five(&b.values) {
            let line = |pts: Vec<(f64, f64)>| PathElement::new(pts, BLACK.stroke_width(2));
            chart.draw_series([
                line(vec![(x, p05), (x, q25)]),
                line(vec![(x, q75), (x, p95)]),
                line(vec![(x - 0.12, p05), (x + 0.12, p05)]),
                line(vec![(x - 0.12, p95), (x + 0.12, p95)]),
            ])?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, q25), (x + 0.3, q75)],
                c.mix(0.75).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, q25), (x + 0.3, q75)],
                BLACK.stroke_width(1),
            )))?;
            chart.draw_series(std::iter::once(line(vec![(x - 0.3, q50), (x + 0.3, q50)])))?;
        }
        let n = b.values.len().max(1) as f64;
        chart.draw_series(b.values.iter().enumerate().map(|(i, v)| {
            // Spread the dots across the box's width, deterministically.
            let dx = 0.4 * ((i as f64 + 0.5) / n - 0.5);
            Circle::new((x + 0.45 + dx * 0.3, *v), 2, c.mix(0.6).filled())
        }))?;
        if let Some(p) = b.paper {
            let mark = EmptyElement::at((x, p))
                + Polygon::new(diamond(0, 0, 10), WHITE.filled())
                + Polygon::new(diamond(0, 0, 7), BLACK.filled());
            chart.draw_series(std::iter::once(mark))?;
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let k = self.boxes.len();
        let (lo, hi) = self.range();
        let x = -0.6..(k as f64 - 0.4);
        let mut ch = chart(area, Some((&self.caption, LABEL)), PANEL, x, lo..hi)?;
        let names: Vec<String> = self.boxes.iter().map(|b| b.name.clone()).collect();
        let at = move |v: &f64| {
            let i = v.round();
            match (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                true => names[i as usize].clone(),
                false => String::new(),
            }
        };
        mesh(&mut ch, TICK)
            .x_labels(4 * k + 1)
            .x_label_formatter(&at)
            .disable_x_mesh()
            .y_desc(self.y_desc.as_str())
            .draw()?;
        for (i, b) in self.boxes.iter().enumerate() {
            Self::draw_box(&mut ch, i as f64, b)?;
        }
        Ok(())
    }
}

impl Distributions {
    /// The strategies' names and colours, as the boxes give them.
    fn strategies(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for b in self.panels.iter().flat_map(|p| &p.boxes) {
            if let Some(c) = b.color
                && !out.iter().any(|(n, _)| n == &b.name)
            {
                out.push((b.name.clone(), c));
            }
        }
        out
    }

    /// The legend on `area` (a free panel, or the top of the first one):
    /// what the box, whiskers, dots, diamond and colours mean.
    fn key<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let mut ch = chart(area, None, PANEL, 0.0..1.0, 0.0..1.0)?;
        let k = self.replications;
        legend_entry(&mut ch, "paper's value", |(x, y)| {
            Polygon::new(diamond(x + 10, y, 8), BLACK.filled())
        })?;
        legend_entry(
            &mut ch,
            &format!("box: 25–75% of {k} replications"),
            legend_box(POOLED),
        )?;
        legend_entry(&mut ch, "line in the box: median", |(x, y)| {
            PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2))
        })?;
        legend_entry(&mut ch, "whiskers: 5% and 95%", |(x, y)| {
            PathElement::new(
                vec![(x + 10, y - 8), (x + 10, y + 8)],
                BLACK.stroke_width(2),
            )
        })?;
        legend_entry(&mut ch, "dot: one replication", |(x, y)| {
            Circle::new((x + 10, y), 3, POOLED.filled())
        })?;
        for (name, c) in self.strategies() {
            legend_entry(&mut ch, &format!("strategy {name}"), legend_box(color(c)))?;
        }
        legend_entry(&mut ch, "pooled over strategies", legend_box(POOLED))?;
        legend(&mut ch, SeriesLabelPosition::UpperLeft, TICK)
    }
}

/// Corners of the paper's diamond, in pixels around its centre.
fn diamond(cx: i32, cy: i32, r: i32) -> Vec<(i32, i32)> {
    vec![(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)]
}

impl Figure for Distributions {
    fn size(&self) -> (u32, u32) {
        sheet(grid(self.panels.len() + 1, COLS), 560, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        // One slot more than the panels: the legend gets its own.
        let areas = panels(&area, self.panels.len() + 1, COLS);
        for (p, a) in self.panels.iter().zip(&areas) {
            p.draw(a)?;
        }
        match areas.last() {
            Some(a) => self.key(a),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_numbers_skip_non_finite_values() {
        let v: Vec<f64> = (0..=100).map(f64::from).chain([f64::NAN]).collect();
        assert_eq!(five(&v), Some([5.0, 25.0, 50.0, 75.0, 95.0]));
        assert_eq!(five(&[f64::NAN]), None);
    }
}
