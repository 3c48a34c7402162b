//! The Pareto analysis of one table of points: ranges from given bounds or from the
//! data, a reference point, the front and its hypervolume, and the result in the shape
//! of `pareto.json`.

use serde::{Deserialize, Serialize};

use super::{Normalization, ParetoError, hypervolume, nondominated};
use crate::formats::points::PointTable;

/// Whether an objective is maximised or minimised (`"max"` / `"min"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sense {
    /// Larger is better.
    Max,
    /// Smaller is better.
    Min,
}

/// Where the normalisation ranges came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BoundsSource {
    /// Given by the caller (`"bounds"` in JSON).
    #[serde(rename = "bounds")]
    Bounds,
    /// The smallest and largest value of each objective (`"data range"` in JSON).
    #[serde(rename = "data range")]
    DataRange,
}

/// Options of [`analyze_table`]. The objective columns themselves are chosen when the
/// table is read ([`PointTable::parse`]), since only those columns must be numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableOptions {
    /// Objectives to minimise, by name; the others are maximised.
    pub minimize: Vec<String>,
    /// Normalisation range `(lower, upper)` per objective (default: the data's range,
    /// see [`Normalization::from_data`]).
    pub bounds: Option<Vec<(f64, f64)>>,
    /// Hypervolume reference point in the data's units (default: the worst end of each
    /// range, [`Normalization::worst`]).
    pub reference: Option<Vec<f64>>,
}

/// The Pareto analysis of a point table. It serialises as `pareto.json`; the field
/// order is that file's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableAnalysis {
    /// Rows in the table.
    pub rows: usize,
    /// Rows on the non-dominated front.
    pub front_size: usize,
    /// Hypervolume of the normalised points above the normalised reference.
    pub hypervolume: f64,
    /// How the objectives were normalised.
    pub normalization: TableNormalization,
    /// Indices of the front's rows, ascending (written to `front.csv`, not JSON).
    #[serde(skip)]
    pub front: Vec<usize>,
}

/// How a table's objectives were normalised (the `normalization` object of
/// `pareto.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableNormalization {
    /// Objective names.
    pub objectives: Vec<String>,
    /// Sense of each objective.
    pub sense: Vec<Sense>,
    /// Lower ends of the ranges.
    pub lower: Vec<f64>,
    /// Upper ends of the ranges.
    pub upper: Vec<f64>,
    /// Where the ranges came from.
    pub source: BoundsSource,
    /// Hypervolume reference point, in the data's units.
    pub reference: Vec<f64>,
    /// The reference point normalised.
    pub reference_normalized: Vec<f64>,
}

impl TableNormalization {
    /// The ranges as `(lower, upper)` pairs.
    pub fn bounds(&self) -> Vec<(f64, f64)> {
        self.lower
            .iter()
            .copied()
            .zip(self.upper.iter().copied())
            .collect()
    }

    /// Which objectives are minimised.
    pub fn minimize(&self) -> Vec<bool> {
        self.sense.iter().map(|s| *s == Sense::Min).collect()
    }
}

/// Refuses rows outside the given bounds, naming the first objective with
/// such rows, how many there are and the first of them.
fn check_inside(norm: &Normalization, rows: &[Vec<f64>]) -> Result<(), ParetoError> {
    for (i, name) in norm.objectives.iter().enumerate() {
        let (lower, upper) = (norm.lower[i], norm.upper[i]);
        let outside = |x: &&Vec<f64>| x[i] < lower || x[i] > upper;
        let count = rows.iter().filter(outside).count();
        if let Some(first) = rows.iter().position(|x| outside(&x)) {
            return Err(ParetoError::OutsideBounds {
                objective: name.clone(),
                rows: count,
                total: rows.len(),
                first: first + 1,
                value: rows[first][i],
                lower,
                upper,
            });
        }
    }
    Ok(())
}

/// Normalises the table's objectives (every one maximised on [0, 1]), then finds the
/// non-dominated rows and their hypervolume above the reference point.
///
/// # Errors
///
/// When a name in `minimize` is not an objective, the bounds do not give one valid
/// range per objective, or the reference point has another length.
pub fn analyze_table(
    table: &PointTable,
    options: &TableOptions,
) -> Result<TableAnalysis, ParetoError> {
    let names = table.objective_names();
    let minimize = minimize_mask(&names, &options.minimize)?;
    let (norm, source) = match &options.bounds {
        Some(b) => {
            let norm = Normalization::from_bounds(names, b, minimize)?;
            check_inside(&norm, &table.values)?;
            (norm, BoundsSource::Bounds)
        }
        None => (
            Normalization::from_data(names, &table.values, minimize),
            BoundsSource::DataRange,
        ),
    };
    let reference = match &options.reference {
        Some(r) if r.len() != norm.objectives.len() => {
            return Err(ParetoError::ReferenceLength {
                got: r.len(),
                expected: norm.objectives.len(),
            });
        }
        Some(r) => {
            if let Some(i) = r.iter().position(|v| !v.is_finite()) {
                return Err(ParetoError::ReferenceNotFinite {
                    objective: norm.objectives[i].clone(),
                    value: r[i],
                });
            }
            r.clone()
        }
        None => norm.worst(),
    };
    let reference_normalized = norm.apply(&reference);
    let points: Vec<Vec<f64>> = table.values.iter().map(|x| norm.apply(x)).collect();
    let front = nondominated(&points);
    let Normalization {
        objectives,
        lower,
        upper,
        minimize,
    } = norm;
    Ok(TableAnalysis {
        rows: table.rows.len(),
        front_size: front.len(),
        hypervolume: hypervolume(&points, &reference_normalized),
        normalization: TableNormalization {
            objectives,
            sense: minimize
                .iter()
                .map(|&m| if m { Sense::Min } else { Sense::Max })
                .collect(),
            lower,
            upper,
            source,
            reference,
            reference_normalized,
        },
        front,
    })
}

/// Which of `objectives` are minimised, given the names to minimise.
fn minimize_mask(objectives: &[String], minimize: &[String]) -> Result<Vec<bool>, ParetoError> {
    if let Some(name) = minimize.iter().find(|m| !objectives.contains(m)) {
        return Err(ParetoError::NotAnObjective {
            name: name.clone(),
            objectives: objectives.to_vec(),
        });
    }
    Ok(objectives.iter().map(|n| minimize.contains(n)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str, objectives: Option<&[&str]>) -> PointTable {
        let names: Option<Vec<String>> =
            objectives.map(|o| o.iter().map(|n| n.to_string()).collect());
        PointTable::parse(text, "t.csv", names.as_deref()).unwrap()
    }

    fn minimize(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn bounds_and_minimisation() {
        // Maximise a, minimise cost: (1,1) is dominated by (2,0); (3,5) and both (2,0) stay.
        let t = table(
            "id,a,cost\np1,1,1\np2,2,0\np3,3,5\np4,2,0\n",
            Some(&["a", "cost"]),
        );
        let options = TableOptions {
            minimize: minimize(&["cost"]),
            bounds: Some(vec![(0.0, 4.0), (0.0, 10.0)]),
            reference: None,
        };
        let out = analyze_table(&t, &options).unwrap();
        assert_eq!((out.rows, out.front_size), (4, 3));
        assert_eq!(out.front, [1, 2, 3]);
        // Normalised: p2 = (0.5, 1.0), p3 = (0.75, 0.5); from 0: 0.5·1.0 + 0.25·0.5.
        assert!((out.hypervolume - 0.625).abs() < 1e-12);
        let n = &out.normalization;
        assert_eq!(n.sense, [Sense::Max, Sense::Min]);
        assert_eq!(n.source, BoundsSource::Bounds);
        assert_eq!(n.bounds(), [(0.0, 4.0), (0.0, 10.0)]);
        assert_eq!(n.minimize(), [false, true]);
        // The default reference is the worst corner: a's lower end, cost's upper end.
        assert_eq!(n.reference, [0.0, 10.0]);
        assert_eq!(n.reference_normalized, [0.0, 0.0]);
        assert_eq!(
            t.rows_csv(&out.front),
            b"id,a,cost\np2,2,0\np3,3,5\np4,2,0\n"
        );
    }

    #[test]
    fn data_range_with_a_constant_column() {
        let t = table("a,b\n1,3\n2,3\n4,3\n", None);
        let out = analyze_table(&t, &TableOptions::default()).unwrap();
        let n = &out.normalization;
        assert_eq!(n.source, BoundsSource::DataRange);
        assert_eq!(
            (n.lower.clone(), n.upper.clone()),
            (vec![1.0, 3.0], vec![4.0, 4.0])
        );
        // b normalises to 0 everywhere, level with the reference: no volume, and a decides.
        assert_eq!(n.reference, [1.0, 3.0]);
        assert_eq!(out.front, [2]);
        assert_eq!(out.hypervolume, 0.0);
    }

    #[test]
    fn data_range_with_minimisation() {
        let t = table("a,b\n1,10\n2,20\n3,30\n", None);
        let options = TableOptions {
            minimize: minimize(&["b"]),
            ..TableOptions::default()
        };
        let out = analyze_table(&t, &options).unwrap();
        // Normalised (0, 1), (0.5, 0.5), (1, 0): a trade-off, all on the front; only the
        // middle point spans a box above the reference (1, 30) → (0, 0).
        assert_eq!(out.front, [0, 1, 2]);
        assert_eq!(out.normalization.reference, [1.0, 30.0]);
        assert!((out.hypervolume - 0.25).abs() < 1e-12);
    }

    #[test]
    fn a_given_reference_is_normalised_too() {
        let t = table("a,b\n1,1\n", None);
        let options = TableOptions {
            bounds: Some(vec![(0.0, 2.0), (0.0, 2.0)]),
            reference: Some(vec![-2.0, 0.0]),
            ..TableOptions::default()
        };
        let out = analyze_table(&t, &options).unwrap();
        assert_eq!(out.normalization.reference_normalized, [-1.0, 0.0]);
        assert!((out.hypervolume - 0.75).abs() < 1e-12);
    }

    #[test]
    fn options_that_do_not_fit_the_table() {
        let t = table("a,b\n1,2\n", None);
        let run = |options: TableOptions| analyze_table(&t, &options).unwrap_err();
        let e = run(TableOptions {
            minimize: minimize(&["c"]),
            ..TableOptions::default()
        });
        assert_eq!(
            e.to_string(),
            "'c' is not an objective; the objectives are a, b"
        );
        let e = run(TableOptions {
            reference: Some(vec![0.0; 3]),
            ..TableOptions::default()
        });
        assert_eq!(
            e,
            ParetoError::ReferenceLength {
                got: 3,
                expected: 2
            }
        );
        let e = run(TableOptions {
            bounds: Some(vec![(0.0, 1.0)]),
            ..TableOptions::default()
        });
        assert!(matches!(e, ParetoError::BoundsCount { got: 1, .. }));
        assert!(e.is_input());
    }

    #[test]
    fn serialises_as_pareto_json() {
        let t = table("a,b\n1,1\n", None);
        let options = TableOptions {
            minimize: minimize(&["b"]),
            bounds: Some(vec![(0.0, 2.0), (0.0, 2.0)]),
            reference: None,
        };
        let out = analyze_table(&t, &options).unwrap();
        let json = serde_json::to_string(&out).unwrap();
        assert_eq!(
            json,
            r#"{"rows":1,"front_size":1,"hypervolume":0.25,"normalization":{"objectives":["a","b"],"sense":["max","min"],"lower":[0.0,0.0],"upper":[2.0,2.0],"source":"bounds","reference":[0.0,2.0],"reference_normalized":[0.0,0.0]}}"#
        );
        let back: TableAnalysis = serde_json::from_str(&json).unwrap();
        assert_eq!(back.normalization, out.normalization);
        let data = analyze_table(&t, &TableOptions::default()).unwrap();
        assert!(
            serde_json::to_string(&data.normalization)
                .unwrap()
                .contains(r#""source":"data range""#)
        );
    }
}
