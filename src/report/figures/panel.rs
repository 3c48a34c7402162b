//! What every figure shares: palette, text sizes, fonts, tick labels, panel
//! grids, the chart set-up, axes and legends. Written once so that all
//! figures look alike.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::coord::types::RangedCoordf64;
use plotters::element::IntoDynElement;
use plotters::prelude::*;

use super::DrawError;

/// Okabe–Ito colours, in the order strategies take them.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// The colour of strategy `k` (its index in the model).
pub fn color(k: usize) -> RGBColor {
    PALETTE[k % PALETTE.len()]
}

/// Text sizes (pixels) for figures of about 1000 px per panel row.
pub(super) const TITLE: u32 = 30;
pub(super) const LABEL: u32 = 24;
pub(super) const TICK: u32 = 20;

/// Height (pixels) reserved for the figure title above the panels.
const TITLE_BAND: u32 = 80;

/// The sans-serif font (the bundled one) in black.
pub(super) fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&BLACK)
}

/// Axis tick text: whole numbers without decimals, no "-0".
pub(super) fn tick(v: &f64) -> String {
    let v = if v.abs() < 1e-9 { 0.0 } else { *v };
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let t = format!("{v:.3}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Tick labels of a categorical x axis whose categories sit at 0, 1, …:
/// each whole number is named by its category, every other tick is blank.
pub(super) fn category_labels(names: Vec<String>) -> impl Fn(&f64) -> String {
    move |v: &f64| {
        let i = v.round();
        let whole = (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len();
        if whole {
            names[i as usize].clone()
        } else {
            String::new()
        }
    }
}

/// `[lo, hi]` widened by a margin, for axis ranges.
pub(crate) fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = (hi - lo).abs().max(1e-9);
    (lo - frac * span, hi + frac * span)
}

/// `v` kept within four spans of the axis range `[lo, hi]` (NaN goes to the
/// low end): plotters maps coordinates to i32 pixels, and a value like 1e30
/// from a diverging path overflows them.
pub(crate) fn fence(v: f64, (lo, hi): (f64, f64)) -> f64 {
    let span = (hi - lo).abs().max(1e-9);
    let (a, b) = (lo - 4.0 * span, hi + 4.0 * span);
    if v.is_nan() { a } else { v.clamp(a, b) }
}

/// Rows × columns for `k` panels, at most `max_cols` wide.
pub(super) fn grid(k: usize, max_cols: usize) -> (usize, usize) {
    let cols = k.clamp(1, max_cols);
    (k.div_ceil(cols), cols)
}

/// Pixel size of a figure of `rows × cols` panels of `w × h` under its title.
pub(super) fn sheet((rows, cols): (usize, usize), w: u32, h: u32) -> (u32, u32) {
    (w * cols as u32, TITLE_BAND + h * rows as u32)
}

/// The objective pairs `(i, j)`, `i < j`, of the 2-D projections (one
/// `(0, 0)` panel for a single objective).
pub(super) fn pairs(n: usize) -> Vec<(usize, usize)> {
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

/// Titles the whole figure and returns the area below the title.
pub(super) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, DrawError>
where
    DB::ErrorType: 'static,
{
    Ok(root.titled(title, font(TITLE))?)
}

/// The first `k` panels of a grid at most `max_cols` wide.
pub(super) fn panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    k: usize,
    max_cols: usize,
) -> Vec<DrawingArea<DB, Shift>> {
    let mut all = area.split_evenly(grid(k, max_cols));
    all.truncate(k);
    all
}

/// A 2-D chart with `f64` axes.
pub(super) type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Margin and label-area sizes of a chart (pixels).
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    /// Margin on every side.
    pub margin: u32,
    /// Height of the x label area.
    pub x_area: u32,
    /// Width of the y label area.
    pub y_area: u32,
}

/// The frame of one panel of a multi-panel figure.
pub(super) const PANEL: Frame = Frame {
    margin: 12,
    x_area: 55,
    y_area: 70,
};

/// The chart of [`chart`] for axis specs `X` and `Y`.
pub(super) type ChartOf<'a, DB, X, Y> = ChartContext<
    'a,
    DB,
    Cartesian2d<<X as AsRangedCoord>::CoordDescType, <Y as AsRangedCoord>::CoordDescType>,
>;

/// Sets up a chart on `area`: the frame, an optional caption `(text, size)`
/// and the axis ranges.
pub(super) fn chart<'a, DB, X, Y>(
    area: &'a DrawingArea<DB, Shift>,
    caption: Option<(&str, u32)>,
    frame: Frame,
    x: X,
    y: Y,
) -> Result<ChartOf<'a, DB, X, Y>, DrawError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: AsRangedCoord,
    Y: AsRangedCoord,
{
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(frame.margin)
        .x_label_area_size(frame.x_area)
        .y_label_area_size(frame.y_area);
    if let Some((text, size)) = caption {
        builder.caption(text, font(size));
    }
    Ok(builder.build_cartesian_2d(x, y)?)
}

/// The mesh style every `f64` chart shares: tick labels, fonts of `size`
/// and a plain background without the light grid lines.
pub(super) fn mesh<'a, 'c, DB: DrawingBackend>(
    chart: &'c mut Chart2d<'a, DB>,
    size: u32,
) -> MeshStyle<'a, 'c, RangedCoordf64, RangedCoordf64, DB> {
    let mut style = chart.configure_mesh();
    style
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style(font(size))
        .axis_desc_style(font(size))
        .light_line_style(WHITE);
    style
}

/// Axis descriptions, tick labels and a plain background grid.
pub(super) fn axes<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    x: impl Into<String>,
    y: impl Into<String>,
    size: u32,
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    mesh(chart, size).x_desc(x).y_desc(y).draw()?;
    Ok(())
}

/// The legend box of a chart's labelled series.
pub(super) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    size: u32,
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(font(size))
        .draw()?;
    Ok(())
}

/// A legend entry with no data of its own (for markers drawn elsewhere).
pub(super) fn legend_entry<'a, DB, E, F>(
    chart: &mut Chart2d<'a, DB>,
    label: &str,
    glyph: F,
) -> Result<(), DrawError>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    E: IntoDynElement<'a, DB, (i32, i32)>,
    F: Fn((i32, i32)) -> E + 'a,
{
    chart
        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
        .label(label)
        .legend(glyph);
    Ok(())
}

/// A filled legend box in colour `c`.
pub(super) fn legend_box(c: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], c.filled())
}

/// A thick legend line in colour `c`.
pub(super) fn legend_line(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(4))
}

/// A 2-D projection panel: objective `i` across, `j` up, captioned
/// "`j` vs `i`", with the axes drawn.
pub(super) fn projection<'a, DB: DrawingBackend>(
    panel: &'a DrawingArea<DB, Shift>,
    objectives: &[String],
    (i, j): (usize, usize),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Result<Chart2d<'a, DB>, DrawError>
where
    DB::ErrorType: 'static,
{
    let caption = format!("{} vs {}", objectives[j], objectives[i]);
    let mut c = chart(panel, Some((&caption, LABEL)), PANEL, x0..x1, y0..y1)?;
    axes(&mut c, objectives[i].as_str(), objectives[j].as_str(), TICK)?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_drop_decimals_of_whole_numbers_and_negative_zero() {
        assert_eq!(tick(&3.0), "3");
        assert_eq!(tick(&-1e-12), "0");
        assert_eq!(tick(&0.25), "0.25");
        assert_eq!(tick(&1.23456), "1.235");
        assert_eq!(tick(&-0.5), "-0.5");
    }

    #[test]
    fn grids_fill_rows_up_to_the_column_limit() {
        assert_eq!(grid(0, 3), (0, 1));
        assert_eq!(grid(1, 3), (1, 1));
        assert_eq!(grid(3, 3), (1, 3));
        assert_eq!(grid(4, 3), (2, 3));
        assert_eq!(sheet((2, 3), 600, 500), (1800, 1080));
    }

    #[test]
    fn pairs_cover_each_projection_once() {
        assert_eq!(pairs(1), vec![(0, 0)]);
        assert_eq!(pairs(3), vec![(0, 1), (0, 2), (1, 2)]);
        assert_eq!(pairs(8).len(), 28);
    }

    #[test]
    fn padding_widens_finite_ranges_only() {
        assert_eq!(padded(0.0, 10.0, 0.1), (-1.0, 11.0));
        assert_eq!(padded(f64::NAN, 1.0, 0.1), (0.0, 1.0));
        let (lo, hi) = padded(2.0, 2.0, 0.5);
        assert!(lo < 2.0 && hi > 2.0);
    }

    #[test]
    fn colours_cycle_through_the_palette() {
        assert_eq!(color(0), PALETTE[0]);
        assert_eq!(color(9), PALETTE[1]);
    }
}
