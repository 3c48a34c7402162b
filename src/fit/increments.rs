//! Increments of logged sessions, and their censoring at known bounds.
//!
//! An increment whose end lands on a bound is censored for that objective:
//! the clamp hid how far the drift would have carried it, so the regression
//! must not see it.

use crate::formats::sessions::Session;

/// A value hitting a bound within this fraction of the range counts as on it.
const ON_BOUND: f64 = 1e-9;

/// One increment: the state before, the scaled change, which objectives landed on a bound.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Increment {
    /// State before the step.
    pub x: Vec<f64>,
    /// Change over the step divided by dt.
    pub y: Vec<f64>,
    /// Per objective: the step ended on a bound.
    pub censored: Vec<bool>,
    /// Which bound each censored objective landed on (true = upper).
    pub upper: Vec<bool>,
}

/// The increments over consecutive iterations of every session (a gap in
/// the iterations is no single-iteration increment), censored at `bounds`
/// when known.
pub(super) fn increments(
    sessions: &[&Session],
    dt: f64,
    bounds: Option<&[(f64, f64)]>,
) -> Vec<Increment> {
    let mut out = Vec::new();
    for s in sessions {
        for w in 0..s.iterations.len().saturating_sub(1) {
            if s.iterations[w + 1] != s.iterations[w] + 1 {
                continue;
            }
            let (a, b) = (&s.states[w], &s.states[w + 1]);
            let (censored, upper) = censor(b, bounds);
            out.push(Increment {
                x: a.clone(),
                y: (0..a.len()).map(|i| (b[i] - a[i]) / dt).collect(),
                censored,
                upper,
            });
        }
    }
    out
}

/// Per objective of the state `b` an increment ended in: whether it lies on
/// a bound, and whether that bound is the upper one.
fn censor(b: &[f64], bounds: Option<&[(f64, f64)]>) -> (Vec<bool>, Vec<bool>) {
    let n = b.len();
    let mut censored = vec![false; n];
    let mut upper = vec![false; n];
    if let Some(bd) = bounds {
        for i in 0..n {
            let eps = ON_BOUND * (bd[i].1 - bd[i].0);
            if (b[i] - bd[i].0).abs() <= eps {
                censored[i] = true;
            } else if (b[i] - bd[i].1).abs() <= eps {
                censored[i] = true;
                upper[i] = true;
            }
        }
    }
    (censored, upper)
}

/// Correlation matrix of columns; NaN where a variance is zero.
pub(super) fn correlation(rows: &[Vec<f64>], n: usize) -> Vec<Vec<f64>> {
    let m = rows.len() as f64;
    let mean: Vec<f64> = (0..n)
        .map(|i| rows.iter().map(|r| r[i]).sum::<f64>() / m)
        .collect();
    let mut c = vec![vec![0.0; n]; n];
    for r in rows {
        for i in 0..n {
            for j in 0..n {
                c[i][j] += (r[i] - mean[i]) * (r[j] - mean[j]);
            }
        }
    }
    let d: Vec<f64> = (0..n).map(|i| c[i][i].sqrt()).collect();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if d[i] > 0.0 && d[j] > 0.0 {
                        (c[i][j] / (d[i] * d[j])).clamp(-1.0, 1.0)
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn session(iterations: &[u32], states: &[[f64; 2]]) -> Session {
        Session {
            id: "s".into(),
            strategy: "X".into(),
            iterations: iterations.to_vec(),
            states: states.iter().map(|x| x.to_vec()).collect(),
        }
    }

    #[test]
    fn increments_censor_at_either_bound() {
        let s = session(
            &[0, 1, 2, 3],
            &[[5.0, 5.0], [0.0, 6.0], [1.0, 10.0], [2.0, 9.0]],
        );
        let bounds = [(0.0, 10.0), (0.0, 10.0)];
        let inc = increments(&[&s], 1.0, Some(&bounds));
        assert_eq!(inc.len(), 3);
        assert_eq!(inc[0].censored, [true, false]);
        assert_eq!(inc[0].upper, [false, false]);
        assert_eq!(inc[1].censored, [false, true]);
        assert_eq!(inc[1].upper, [false, true]);
        assert_eq!(inc[2].censored, [false, false]);
        let free = increments(&[&s], 1.0, None);
        assert!(free.iter().all(|r| r.censored == [false, false]));
    }

    #[test]
    fn increments_skip_gaps_and_scale_by_dt() {
        let s = session(
            &[0, 1, 3, 4],
            &[[0.0, 0.0], [1.0, 2.0], [5.0, 5.0], [6.0, 4.0]],
        );
        let inc = increments(&[&s], 0.5, None);
        assert_eq!(inc.len(), 2);
        assert_eq!(inc[0].x, [0.0, 0.0]);
        assert_eq!(inc[0].y, [2.0, 4.0]);
        assert_eq!(inc[1].x, [5.0, 5.0]);
        assert_eq!(inc[1].y, [2.0, -2.0]);
    }

    #[test]
    fn correlation_of_linked_and_constant_columns() {
        let rows = vec![
            vec![1.0, 2.0, 7.0],
            vec![2.0, 0.0, 7.0],
            vec![3.0, -2.0, 7.0],
        ];
        let c = correlation(&rows, 3);
        assert_abs_diff_eq!(c[0][0], 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(c[0][1], -1.0, epsilon = 1e-12);
        assert!(c[0][2].is_nan() && c[2][2].is_nan());
    }
}
