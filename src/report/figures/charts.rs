//! The figure types. Each holds plain data and draws itself on any backend.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Figure, LABEL, TICK, TITLE, color, padded};

fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&BLACK)
}

fn s<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Axis tick text: whole numbers without decimals, no "-0".
fn tick(v: &f64) -> String {
    let v = if v.abs() < 1e-9 { 0.0 } else { *v };
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let t = format!("{v:.3}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axis descriptions, tick labels and a plain background grid.
fn axes<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    x: impl Into<String>,
    y: impl Into<String>,
    size: u32,
) -> Result<(), String> {
    chart
        .configure_mesh()
        .x_desc(x)
        .y_desc(y)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style(font(size))
        .axis_desc_style(font(size))
        .light_line_style(WHITE)
        .draw()
        .map_err(s)
}

/// The legend box of a chart's labelled series.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    size: u32,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(font(size))
        .draw()
        .map_err(s)
}

/// Titles the whole figure and returns the area below the title.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.titled(title, font(TITLE)).map_err(s)
}

/// Rows × columns for `k` panels, at most `max_cols` wide.
fn grid(k: usize, max_cols: usize) -> (usize, usize) {
    let cols = k.clamp(1, max_cols);
    (k.div_ceil(cols), cols)
}

fn pairs(n: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            out.push((i, j));
        }
    }
    if out.is_empty() {
        out.push((0, 0));
    }
    out
}

fn legend_box(c: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], c.filled())
}

fn legend_line(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(4))
}

// ---------------------------------------------------------------------------

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

impl Figure for Trajectories {
    fn size(&self) -> (u32, u32) {
        let (r, c) = grid(self.objectives.len(), 3);
        (620 * c as u32, 80 + 520 * r as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = titled(root, &self.title)?;
        let t_max = self
            .series
            .iter()
            .flat_map(|s| s.t.last().copied())
            .fold(1e-9, f64::max);
        for (i, panel) in area
            .split_evenly(grid(self.objectives.len(), 3))
            .iter()
            .enumerate()
            .take(self.objectives.len())
        {
            let (lo, hi) = padded(self.bounds[i].0, self.bounds[i].1, 0.03);
            let mut chart = ChartBuilder::on(panel)
                .caption(&self.objectives[i], font(LABEL))
                .margin(12)
                .x_label_area_size(55)
                .y_label_area_size(70)
                .build_cartesian_2d(0.0..t_max, lo..hi)
                .map_err(s)?;
            axes(
                &mut chart,
                "time (LLM iterations)",
                format!("score ({})", self.band),
                TICK,
            )?;
            for sr in &self.series {
                let c = color(sr.color);
                let mut poly: Vec<(f64, f64)> =
                    sr.t.iter().zip(&sr.hi).map(|(t, h)| (*t, h[i])).collect();
                poly.extend(sr.t.iter().zip(&sr.lo).rev().map(|(t, l)| (*t, l[i])));
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18))))
                    .map_err(s)?;
                let line = chart
                    .draw_series(LineSeries::new(
                        sr.t.iter().zip(&sr.mean).map(|(t, m)| (*t, m[i])),
                        c.stroke_width(3),
                    ))
                    .map_err(s)?;
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

// ---------------------------------------------------------------------------

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

impl Figure for PhasePortraits {
    fn size(&self) -> (u32, u32) {
        let (r, c) = grid(pairs(self.objectives.len()).len(), 3);
        (600 * c as u32, 80 + 580 * r as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = titled(root, &self.title)?;
        let pr = pairs(self.objectives.len());
        for (p, panel) in area
            .split_evenly(grid(pr.len(), 3))
            .iter()
            .enumerate()
            .take(pr.len())
        {
            let (i, j) = pr[p];
            let range = |k: usize| {
                let mut lo = self.bounds[k].0;
                let mut hi = self.bounds[k].1;
                for sr in &self.series {
                    if let Some(t) = &sr.target {
                        lo = lo.min(t[k]);
                        hi = hi.max(t[k]);
                    }
                }
                padded(lo, hi, 0.04)
            };
            let (x0, x1) = range(i);
            let (y0, y1) = range(j);
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!("{} vs {}", self.objectives[j], self.objectives[i]),
                    font(LABEL),
                )
                .margin(12)
                .x_label_area_size(55)
                .y_label_area_size(70)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(s)?;
            axes(
                &mut chart,
                self.objectives[i].as_str(),
                self.objectives[j].as_str(),
                TICK,
            )?;
            // The feasible box, where targets outside it can be seen as such.
            let (b0, b1) = (self.bounds[i], self.bounds[j]);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(b0.0, b1.0), (b0.1, b1.1)],
                    RGBColor(150, 150, 150).stroke_width(1),
                )))
                .map_err(s)?;
            for sr in &self.series {
                let c = color(sr.color);
                for (n, path) in sr.paths.iter().enumerate() {
                    let line = chart
                        .draw_series(LineSeries::new(
                            path.iter().map(|x| (x[i], x[j])),
                            c.mix(0.45).stroke_width(1),
                        ))
                        .map_err(s)?;
                    if p == 0 && n == 0 {
                        line.label(sr.name.as_str()).legend(legend_line(c));
                    }
                }
            }
            for sr in &self.series {
                let c = color(sr.color);
                if let Some(t) = &sr.target {
                    chart
                        .draw_series(std::iter::once(Cross::new(
                            (t[i], t[j]),
                            11,
                            c.stroke_width(4),
                        )))
                        .map_err(s)?;
                }
                let e = &sr.equilibrium;
                chart
                    .draw_series(std::iter::once(Circle::new((e[i], e[j]), 8, c.filled())))
                    .map_err(s)?;
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (e[i], e[j]),
                        8,
                        BLACK.stroke_width(2),
                    )))
                    .map_err(s)?;
            }
            if p == 0 {
                chart
                    .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                    .map_err(s)?
                    .label("target x*")
                    .legend(|(x, y)| Cross::new((x + 10, y), 7, BLACK.stroke_width(3)));
                chart
                    .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                    .map_err(s)?
                    .label("effective equilibrium")
                    .legend(|(x, y)| Circle::new((x + 10, y), 6, BLACK.filled()));
                legend(&mut chart, SeriesLabelPosition::UpperLeft, TICK)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------

/// First-passage-time histograms, one panel per strategy.
#[derive(Debug, Clone)]
pub struct PassageHistograms {
    /// Figure title.
    pub title: String,
    /// Tolerance (fraction of each range), for the axis description.
    pub tolerance: f64,
    /// One series per strategy.
    pub series: Vec<PassageSeries>,
}

/// One strategy's histogram.
#[derive(Debug, Clone)]
pub struct PassageSeries {
    /// Strategy name.
    pub name: String,
    /// Colour index.
    pub color: usize,
    /// Paths per first-passage step.
    pub counts: Vec<u64>,
    /// Paths that never arrived.
    pub never: u64,
}

impl Figure for PassageHistograms {
    fn size(&self) -> (u32, u32) {
        let (r, c) = grid(self.series.len(), 2);
        (700 * c as u32, 80 + 420 * r as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = titled(root, &self.title)?;
        // A shared step axis up to the last step any strategy reaches.
        let last = self
            .series
            .iter()
            .filter_map(|sr| sr.counts.iter().rposition(|c| *c > 0))
            .max()
            .unwrap_or(1)
            .max(1);
        for (k, panel) in area
            .split_evenly(grid(self.series.len(), 2))
            .iter()
            .enumerate()
            .take(self.series.len())
        {
            let sr = &self.series[k];
            let total = (sr.counts.iter().sum::<u64>() + sr.never).max(1) as f64;
            let frac: Vec<f64> = sr.counts.iter().map(|c| *c as f64 / total).collect();
            let top = frac.iter().copied().fold(0.0, f64::max).max(1e-3) * 1.15;
            let reached = 1.0 - sr.never as f64 / total;
            let mut chart = ChartBuilder::on(panel)
                .margin(12)
                .x_label_area_size(55)
                .y_label_area_size(80)
                .build_cartesian_2d(-0.5..(last as f64 + 0.5), 0.0..top)
                .map_err(s)?;
            chart
                .configure_mesh()
                .x_desc(format!(
                    "first-passage step (within {:.0}% of range)",
                    100.0 * self.tolerance
                ))
                .y_desc("fraction of paths")
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .label_style(font(TICK))
                .axis_desc_style(font(TICK))
                .light_line_style(WHITE)
                .draw()
                .map_err(s)?;
            let c = color(sr.color);
            chart
                .draw_series(
                    frac.iter()
                        .enumerate()
                        .take(last + 1)
                        .filter(|(_, f)| **f > 0.0)
                        .map(|(t, f)| {
                            Rectangle::new(
                                [(t as f64 - 0.4, 0.0), (t as f64 + 0.4, *f)],
                                c.filled(),
                            )
                        }),
                )
                .map_err(s)?
                .label(format!("{} (reached {:.1}%)", sr.name, 100.0 * reached))
                .legend(legend_box(c));
            legend(&mut chart, SeriesLabelPosition::UpperRight, TICK)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------

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

impl Figure for ParetoProjections {
    fn size(&self) -> (u32, u32) {
        let (r, c) = grid(pairs(self.objectives.len()).len(), 3);
        (600 * c as u32, 80 + 580 * r as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = titled(root, &self.title)?;
        let pr = pairs(self.objectives.len());
        let sign = |k: usize| {
            if self.minimize.get(k).copied().unwrap_or(false) {
                -1.0
            } else {
                1.0
            }
        };
        for (p, panel) in area
            .split_evenly(grid(pr.len(), 3))
            .iter()
            .enumerate()
            .take(pr.len())
        {
            let (i, j) = pr[p];
            let (x0, x1) = padded(self.bounds[i].0, self.bounds[i].1, 0.04);
            let (y0, y1) = padded(self.bounds[j].0, self.bounds[j].1, 0.04);
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!("{} vs {}", self.objectives[j], self.objectives[i]),
                    font(LABEL),
                )
                .margin(12)
                .x_label_area_size(55)
                .y_label_area_size(70)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(s)?;
            axes(
                &mut chart,
                self.objectives[i].as_str(),
                self.objectives[j].as_str(),
                TICK,
            )?;
            let mut all: Vec<(usize, f64, f64)> = Vec::new();
            for (k, sr) in self.series.iter().enumerate() {
                let c = color(sr.color);
                let pts = chart
                    .draw_series(
                        sr.points
                            .iter()
                            .map(|x| Circle::new((x[i], x[j]), 2, c.mix(0.35).filled())),
                    )
                    .map_err(s)?;
                if p == 0 {
                    pts.label(sr.label.as_str()).legend(legend_box(c));
                }
                all.extend(sr.points.iter().map(|x| (k, x[i], x[j])));
            }
            // The pooled front of this projection (in the maximised sense).
            let rows: Vec<Vec<f64>> = all
                .iter()
                .map(|(_, a, b)| vec![sign(i) * a, sign(j) * b])
                .collect();
            let mut front: Vec<(usize, f64, f64)> = crate::pareto::nondominated(&rows)
                .into_iter()
                .map(|q| all[q])
                .collect();
            front.sort_by(|a, b| a.1.total_cmp(&b.1));
            chart
                .draw_series(LineSeries::new(
                    front.iter().map(|f| (f.1, f.2)),
                    BLACK.stroke_width(2),
                ))
                .map_err(s)?;
            chart
                .draw_series(front.iter().map(|(k, a, b)| {
                    Circle::new((*a, *b), 5, color(self.series[*k].color).filled())
                }))
                .map_err(s)?;
            if p == 0 {
                chart
                    .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                    .map_err(s)?
                    .label("pooled front of the projection")
                    .legend(legend_line(BLACK));
                legend(&mut chart, SeriesLabelPosition::UpperRight, TICK)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------

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

impl Figure for EigenPlot {
    fn size(&self) -> (u32, u32) {
        (1000, 760)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = titled(root, &self.title)?;
        let r = 1.0 / self.dt;
        let re_max = self
            .series
            .iter()
            .flat_map(|x| x.2.iter().map(|e| e[0]))
            .fold(2.0 * r, f64::max);
        let re_min = self
            .series
            .iter()
            .flat_map(|x| x.2.iter().map(|e| e[0]))
            .fold(0.0, f64::min);
        let im = self
            .series
            .iter()
            .flat_map(|x| x.2.iter().map(|e| e[1].abs()))
            .fold(r, f64::max);
        let (x0, x1) = padded(re_min, re_max, 0.08);
        let (y0, y1) = padded(-im, im, 0.08);
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(60)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(s)?;
        axes(&mut chart, "Re λ (per unit time)", "Im λ", TICK)?;
        let circle: Vec<(f64, f64)> = (0..=120)
            .map(|k| std::f64::consts::TAU * f64::from(k) / 120.0)
            .map(|a| (r + r * a.cos(), r * a.sin()))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                circle.clone(),
                RGBColor(200, 200, 200).mix(0.35),
            )))
            .map_err(s)?
            .label(format!(
                "discrete map stable: |1 − λ·dt| < 1 (dt = {})",
                self.dt
            ))
            .legend(legend_box(RGBColor(200, 200, 200)));
        chart
            .draw_series(LineSeries::new(
                circle,
                RGBColor(120, 120, 120).stroke_width(2),
            ))
            .map_err(s)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, y0), (0.0, y1)],
                BLACK.stroke_width(1),
            ))
            .map_err(s)?;
        for (name, k, ev) in &self.series {
            let c = color(*k);
            chart
                .draw_series(ev.iter().map(|e| Circle::new((e[0], e[1]), 9, c.filled())))
                .map_err(s)?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 10, y), 7, c.filled()));
            chart
                .draw_series(
                    ev.iter()
                        .map(|e| Circle::new((e[0], e[1]), 9, BLACK.stroke_width(1))),
                )
                .map_err(s)?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, TICK)?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------

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

impl Figure for Heatmaps {
    fn size(&self) -> (u32, u32) {
        let (r, c) = grid(self.panels.len(), 4);
        let n = self.objectives.len() as u32;
        let side = 320 + 100 * n;
        (side * c as u32, 80 + side * r as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = titled(root, &self.title)?;
        let n = self.objectives.len();
        let names = self.objectives.clone();
        for (p, panel) in area
            .split_evenly(grid(self.panels.len(), 4))
            .iter()
            .enumerate()
            .take(self.panels.len())
        {
            let (name, m) = &self.panels[p];
            let labels = names.clone();
            let labels_y = names.clone();
            let mut chart = ChartBuilder::on(panel)
                .caption(name, font(LABEL))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(150)
                .build_cartesian_2d((0..n - 1).into_segmented(), (0..n - 1).into_segmented())
                .map_err(s)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(n)
                .y_labels(n)
                .x_label_formatter(&move |v| match v {
                    SegmentValue::CenterOf(k) if *k < n => labels[*k].clone(),
                    _ => String::new(),
                })
                .y_label_formatter(&move |v| match v {
                    SegmentValue::CenterOf(k) if *k < n => labels_y[n - 1 - *k].clone(),
                    _ => String::new(),
                })
                .y_label_style(font(TICK))
                .x_label_style(font(TICK - 4))
                .draw()
                .map_err(s)?;
            for (i, row) in m.iter().enumerate().take(n) {
                for (j, &v) in row.iter().enumerate().take(n) {
                    let y = n - 1 - i;
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [
                                (SegmentValue::Exact(j), SegmentValue::Exact(y)),
                                (SegmentValue::Exact(j + 1), SegmentValue::Exact(y + 1)),
                            ],
                            diverging(v, self.limit).filled(),
                        )))
                        .map_err(s)?;
                    let text = if !v.is_finite() {
                        "–".to_string()
                    } else if v.abs() < 0.005 {
                        "0.00".to_string()
                    } else {
                        format!("{v:.2}")
                    };
                    let style = font(TICK).pos(Pos::new(HPos::Center, VPos::Center));
                    chart
                        .draw_series(std::iter::once(Text::new(
                            text,
                            (SegmentValue::CenterOf(j), SegmentValue::CenterOf(y)),
                            style,
                        )))
                        .map_err(s)?;
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------

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

impl Figure for FitTrajectories {
    fn size(&self) -> (u32, u32) {
        (
            520 * self.objectives.len() as u32,
            80 + 380 * self.series.len() as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = titled(root, &self.title)?;
        let n = self.objectives.len();
        let panels = area.split_evenly((self.series.len(), n));
        for (r, sr) in self.series.iter().enumerate() {
            let c = color(sr.color);
            let t_max = sr
                .sessions
                .iter()
                .flat_map(|s| s.0.last().map(|o| o.0))
                .fold(1.0, f64::max);
            for i in 0..n {
                let (lo, hi) = padded(self.bounds[i].0, self.bounds[i].1, 0.03);
                let mut chart = ChartBuilder::on(&panels[r * n + i])
                    .caption(
                        format!(
                            "{} · {} (trajectory R² {:.2})",
                            sr.name, self.objectives[i], sr.r2
                        ),
                        font(TICK),
                    )
                    .margin(10)
                    .x_label_area_size(45)
                    .y_label_area_size(60)
                    .build_cartesian_2d(0.0..t_max, lo..hi)
                    .map_err(s)?;
                axes(&mut chart, "iteration", "score", TICK - 2)?;
                for (k, (obs, pred)) in sr.sessions.iter().enumerate() {
                    let shade = c.mix(1.0 - 0.18 * k as f64);
                    let l = chart
                        .draw_series(LineSeries::new(
                            pred.iter().map(|(t, x)| (*t, x[i])),
                            shade.stroke_width(2),
                        ))
                        .map_err(s)?;
                    if r == 0 && i == 0 && k == 0 {
                        l.label("fitted mean path").legend(legend_line(BLACK));
                    }
                    let o = chart
                        .draw_series(
                            obs.iter()
                                .map(|(t, x)| Circle::new((*t, x[i]), 4, shade.filled())),
                        )
                        .map_err(s)?;
                    if r == 0 && i == 0 && k == 0 {
                        o.label("observed")
                            .legend(|(x, y)| Circle::new((x + 10, y), 5, BLACK.filled()));
                    }
                }
                if r == 0 && i == 0 {
                    legend(&mut chart, SeriesLabelPosition::LowerRight, TICK - 2)?;
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------

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

impl Figure for PaperComparison {
    fn size(&self) -> (u32, u32) {
        (1400, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = titled(root, &self.title)?;
        let halves = area.split_evenly((1, 2));
        let k = self.rows.len();
        let paper_color = RGBColor(150, 150, 150);
        for (h, panel) in halves.iter().enumerate() {
            let (label, top) = if h == 0 {
                let m = self
                    .rows
                    .iter()
                    .map(|r| r.rho_paper.0 + r.rho_paper.1.unwrap_or(0.0))
                    .chain(
                        self.rows
                            .iter()
                            .map(|r| r.rho_ours.1.map_or(r.rho_ours.0, |c| c[1])),
                    )
                    .fold(0.0, f64::max);
                ("convergence rate ρ = min Re λ(A)", m * 1.2)
            } else {
                ("trajectory R² (predictive accuracy)", 1.0)
            };
            let names: Vec<String> = self.rows.iter().map(|r| r.name.clone()).collect();
            let mut chart = ChartBuilder::on(panel)
                .caption(label, font(LABEL))
                .margin(14)
                .x_label_area_size(50)
                .y_label_area_size(70)
                .build_cartesian_2d(-0.5..(k as f64 - 0.5), 0.0..top)
                .map_err(s)?;
            chart
                .configure_mesh()
                .x_labels(k)
                .x_label_formatter(&move |v| {
                    let i = v.round();
                    if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                        names[i as usize].clone()
                    } else {
                        String::new()
                    }
                })
                .y_desc(if h == 0 { "ρ (per iteration)" } else { "R²" })
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .label_style(font(TICK))
                .axis_desc_style(font(TICK))
                .light_line_style(WHITE)
                .draw()
                .map_err(s)?;
            for (x, r) in self.rows.iter().enumerate() {
                let x = x as f64;
                let (p, o) = if h == 0 {
                    (r.rho_paper.0, r.rho_ours.0)
                } else {
                    (r.r2_paper, r.r2_ours)
                };
                let bar_p = chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.38, 0.0), (x - 0.02, p)],
                        paper_color.filled(),
                    )))
                    .map_err(s)?;
                if x == 0.0 {
                    bar_p
                        .label("paper (± reported spread)")
                        .legend(legend_box(paper_color));
                }
                let bar_o = chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.02, 0.0), (x + 0.38, o)],
                        color(r.color).filled(),
                    )))
                    .map_err(s)?;
                if x == 0.0 {
                    bar_o
                        .label("ours (95% bootstrap interval), coloured by strategy")
                        .legend(legend_box(color(r.color)));
                }
                if h == 0 {
                    if let Some(sp) = r.rho_paper.1 {
                        chart
                            .draw_series(std::iter::once(ErrorBar::new_vertical(
                                x - 0.2,
                                p - sp,
                                p,
                                p + sp,
                                BLACK.stroke_width(2),
                                14,
                            )))
                            .map_err(s)?;
                    }
                    if let Some(ci) = r.rho_ours.1 {
                        chart
                            .draw_series(std::iter::once(ErrorBar::new_vertical(
                                x + 0.2,
                                ci[0],
                                o,
                                ci[1],
                                BLACK.stroke_width(2),
                                14,
                            )))
                            .map_err(s)?;
                    }
                }
            }
            legend(&mut chart, SeriesLabelPosition::UpperLeft, TICK - 2)?;
        }
        Ok(())
    }
}
