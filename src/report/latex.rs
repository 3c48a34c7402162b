//! Tables for papers: booktabs LaTeX (`\toprule`, `\midrule`, `\bottomrule`).
//!
//! A table is typed: each cell is text (escaped) or a number with an
//! optional standard error. A number with an SE is rounded to the precision
//! the SE supports (two significant digits of the SE) and written as
//! `$v \pm se$`; one without is written with the table's default decimals.
//! Numbers sit in math mode so that a minus sign is a minus, not a hyphen.

use crate::analysis::{Report, Spectrum};
use crate::model::Model;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Plain text; LaTeX's special characters are escaped.
    Text(String),
    /// LaTeX source written as is (headings such as `$\rho$`).
    Latex(String),
    /// A number and its standard error, where it has one.
    Number {
        /// The estimate.
        value: f64,
        /// Its standard error.
        se: Option<f64>,
    },
}

impl Cell {
    /// Plain text.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A number without a standard error.
    pub fn num(value: f64) -> Cell {
        Cell::Number { value, se: None }
    }

    /// A number written with exactly `digits` decimals (for values
    /// reported at a fixed precision, such as a paper's).
    pub fn fixed(value: f64, digits: usize) -> Cell {
        Cell::Latex(number(value, None, digits))
    }

    /// A number with an optional standard error.
    pub fn with_se(value: f64, se: Option<f64>) -> Cell {
        Cell::Number { value, se }
    }
}

/// A booktabs table inside a `table` float.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Caption (plain text, escaped).
    pub caption: String,
    /// Headings, one per column.
    pub head: Vec<Cell>,
    /// Rows, each with one cell per heading.
    pub rows: Vec<Vec<Cell>>,
    /// Decimals of numbers that have no standard error.
    pub digits: usize,
}

/// Escapes LaTeX's special characters in plain text: `\ _ % & # $ { } ~ ^`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str(r"\textbackslash{}"),
            '~' => out.push_str(r"\textasciitilde{}"),
            '^' => out.push_str(r"\textasciicircum{}"),
            '_' | '%' | '&' | '#' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Decimals that keep two significant digits of `se` (negative: round to
/// tens, hundreds, …); `None` for an SE that is zero or not finite.
pub fn se_decimals(se: f64) -> Option<i32> {
    if !se.is_finite() || se <= 0.0 {
        return None;
    }
    let mut d = 1 - se.log10().floor() as i32;
    // Rounding can carry into a new digit (0.0996 → 0.10): one decimal fewer.
    if (se * 10f64.powi(d)).round() >= 100.0 {
        d -= 1;
    }
    Some(d)
}

/// `v` rounded to `d` decimals (negative `d`: to tens, hundreds, …).
fn fixed(v: f64, d: i32) -> String {
    if d >= 0 {
        let s = format!("{v:.*}", d as usize);
        // "-0.00" reads as a measured negative; a rounded zero has no sign.
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            return s.trim_start_matches('-').to_string();
        }
        s
    } else {
        let p = 10f64.powi(-d);
        format!("{:.0}", (v / p).round() * p)
    }
}

/// A number as LaTeX: `$v \pm se$` rounded to the SE's precision, `$v$`
/// with `digits` decimals without one, `--` when not finite.
pub fn number(value: f64, se: Option<f64>, digits: usize) -> String {
    if !value.is_finite() {
        return "--".into();
    }
    match se.and_then(|s| se_decimals(s).map(|d| (s, d))) {
        Some((s, d)) => format!(r"${} \pm {}$", fixed(value, d), fixed(s, d)),
        None => format!("${}$", fixed(value, digits as i32)),
    }
}

fn cell(c: &Cell, digits: usize) -> String {
    match c {
        Cell::Text(s) => escape(s),
        Cell::Latex(s) => s.clone(),
        Cell::Number { value, se } => number(*value, *se, digits),
    }
}

fn line(cells: &[Cell], digits: usize) -> String {
    let cells: Vec<String> = cells.iter().map(|c| cell(c, digits)).collect();
    format!("{} \\\\\n", cells.join(" & "))
}

impl Table {
    /// The table as LaTeX: the first column left-aligned, the others
    /// right-aligned. Every row must have one cell per heading.
    pub fn to_latex(&self) -> String {
        let cols = self.head.len();
        assert!(
            self.rows.iter().all(|r| r.len() == cols),
            "table rows must have {cols} cells"
        );
        let align = format!("l{}", "r".repeat(cols.saturating_sub(1)));
        let mut t = String::from("% booktabs table: needs \\usepackage{booktabs}\n");
        t += "\\begin{table}\n\\centering\n";
        t += &format!("\\caption{{{}}}\n", escape(&self.caption));
        t += &format!("\\begin{{tabular}}{{{align}}}\n\\toprule\n");
        t += &line(&self.head, self.digits);
        t += "\\midrule\n";
        for r in &self.rows {
            t += &line(r, self.digits);
        }
        t += "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
        t
    }
}

/// `analyze --format latex`: one row per strategy with its label, ρ, mode,
/// discrete radius, stability, eigenvalues of A and equilibrium x* (one
/// column per objective). The numbers are exact functions of the model, so
/// none has a standard error.
pub fn spectra_table(model: &Model, spectra: &[Spectrum]) -> Table {
    let mut head = vec![
        Cell::text("strategy"),
        Cell::text("label"),
        Cell::Latex(r"$\rho$".into()),
        Cell::text("mode"),
        Cell::Latex(r"$r(I - A\,\Delta t)$".into()),
        Cell::text("stable"),
        Cell::text("eigenvalues of A"),
    ];
    head.extend(
        model
            .objective_names()
            .iter()
            .map(|o| Cell::text(format!("x* {o}"))),
    );
    let rows = spectra
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::text(&s.name),
                Cell::text(&s.label),
                Cell::num(s.rho),
                Cell::text(s.mode.to_string()),
                Cell::num(s.discrete_spectral_radius),
                Cell::text(if s.stable && s.discrete_stable {
                    "yes"
                } else {
                    "no"
                }),
                Cell::Latex(eigenvalues(&s.eigenvalues)),
            ];
            row.extend(s.equilibrium.iter().map(|v| Cell::num(*v)));
            row
        })
        .collect();
    Table {
        caption: format!("Drift spectra of model {} (dt = {}).", model.name, model.dt),
        head,
        rows,
        digits: 3,
    }
}

/// Eigenvalues `[re, im]` as one math list.
fn eigenvalues(eig: &[[f64; 2]]) -> String {
    let one = |e: &[f64; 2]| {
        let sign = if e[1] < 0.0 { "-" } else { "+" };
        match e[1] == 0.0 {
            true => fixed(e[0], 3),
            false => format!("{} {sign} {}i", fixed(e[0], 3), fixed(e[1].abs(), 3)),
        }
    };
    format!("${}$", eig.iter().map(one).collect::<Vec<_>>().join(", "))
}

/// A standard error as a cell shows it: none where it is undefined.
fn se(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// `strategies.tex` (`simulate --format latex`): the table of
/// `strategies.md`, equilibrium split into one column per objective, with
/// ± standard errors where the report has them.
pub fn strategies_table(r: &Report) -> Table {
    let mut head = vec![
        Cell::text("strategy"),
        Cell::text("mode"),
        Cell::Latex(r"$\rho$".into()),
        Cell::text("log-rate (theory)"),
        Cell::text("log-rate (empirical)"),
    ];
    head.extend(
        r.objectives
            .iter()
            .map(|o| Cell::text(format!("equilibrium {o}"))),
    );
    head.extend(["fp p50", "reached", "hypervolume", "Pareto share"].map(Cell::text));
    let opt = |v: Option<f64>, se| Cell::with_se(v.unwrap_or(f64::NAN), se);
    let rows = r
        .strategies
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::text(&s.name),
                Cell::text(s.mode.map_or_else(|| s.policy.clone(), |m| m.to_string())),
                opt(s.theoretical_rate, None),
                opt(s.theoretical_log_rate, None),
                opt(s.empirical_rate, s.empirical_rate_se.and_then(se)),
            ];
            row.extend(
                s.effective_equilibrium
                    .iter()
                    .zip(&s.effective_equilibrium_se)
                    .map(|(v, e)| Cell::with_se(*v, se(*e))),
            );
            row.extend([
                opt(s.first_passage.p50, s.first_passage.p50_se.and_then(se)),
                Cell::with_se(
                    s.first_passage.reached_fraction,
                    se(s.first_passage.reached_fraction_se),
                ),
                Cell::with_se(s.hypervolume, se(s.hypervolume_se)),
                Cell::with_se(s.pareto_share, se(s.pareto_share_se)),
            ]);
            row
        })
        .collect();
    Table {
        caption: format!(
            "Strategies of model {}: {} paths per strategy, {} steps, dt = {}, seed {}.",
            r.model, r.paths, r.steps, r.dt, r.seed
        ),
        head,
        rows,
        digits: 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(escape("a_b%c&d#e$f{g}h"), r"a\_b\%c\&d\#e\$f\{g\}h");
        assert_eq!(
            escape(r"x~y^z\w"),
            r"x\textasciitilde{}y\textasciicircum{}z\textbackslash{}w"
        );
        assert_eq!(escape("plain text"), "plain text");
    }

    #[test]
    fn standard_errors_keep_two_significant_digits() {
        assert_eq!(se_decimals(0.0123), Some(3));
        assert_eq!(se_decimals(0.5), Some(2));
        assert_eq!(se_decimals(1.0), Some(1));
        assert_eq!(se_decimals(0.0996), Some(2));
        assert_eq!(se_decimals(123.0), Some(-1));
        assert_eq!(se_decimals(0.0), None);
        assert_eq!(se_decimals(f64::NAN), None);
    }

    #[test]
    fn numbers_round_to_their_standard_error() {
        assert_eq!(number(1.23456, Some(0.0123), 2), r"$1.235 \pm 0.012$");
        assert_eq!(number(-0.17, Some(0.0512), 2), r"$-0.170 \pm 0.051$");
        assert_eq!(number(0.0996, Some(0.0996), 2), r"$0.10 \pm 0.10$");
        assert_eq!(number(12345.0, Some(123.0), 2), r"$12350 \pm 120$");
        assert_eq!(number(0.123, None, 2), "$0.12$");
        assert_eq!(number(-0.001, None, 2), "$0.00$");
        assert_eq!(number(0.5, Some(0.0), 3), "$0.500$");
        assert_eq!(number(f64::NAN, Some(0.1), 2), "--");
    }

    #[test]
    fn a_table_is_booktabs_with_one_cell_per_column() {
        let t = Table {
            caption: "Runs of model_1".into(),
            head: vec![Cell::text("name"), Cell::Latex(r"$\rho$".into())],
            rows: vec![vec![Cell::text("A&B"), Cell::with_se(0.5, Some(0.01))]],
            digits: 2,
        }
        .to_latex();
        assert!(t.contains("\\begin{tabular}{lr}\n\\toprule\n"), "{t}");
        assert!(t.contains("name & $\\rho$ \\\\\n\\midrule\n"), "{t}");
        assert!(t.contains("A\\&B & $0.500 \\pm 0.010$ \\\\\n\\bottomrule\n"));
        assert!(t.contains("\\caption{Runs of model\\_1}"));
        assert!(t.ends_with("\\end{tabular}\n\\end{table}\n"));
    }
}
