//! Global sensitivity indices, generic over the model: Sobol' first-order and
//! total indices from Saltelli's design, and Morris elementary effects.
//!
//! Both take the model outputs in design order (see `sweep::design`), so any
//! function can be analysed; the tests use the Ishigami function.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::moments::percentile_interval;

/// Sobol' indices of one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolIndices {
    /// First-order indices (Saltelli 2010 estimator).
    pub s1: Vec<f64>,
    /// 95% bootstrap intervals of S1.
    pub s1_ci: Vec<[f64; 2]>,
    /// Total indices (Jansen estimator).
    pub st: Vec<f64>,
    /// 95% bootstrap intervals of ST.
    pub st_ci: Vec<[f64; 2]>,
    /// Variance of the output over the design.
    pub variance: f64,
    /// Base rows used (rows with an undefined output are left out).
    pub rows: usize,
    /// Base rows left out because an output was undefined (NaN).
    pub dropped: usize,
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    s / n as f64
}

/// One estimate of (S1, ST, V) from the given base rows. `centre` is
/// subtracted from `b` in the first-order estimator (Saltelli 2010), which
/// is not invariant to a shift of the output: uncentred, its error grows
/// with mean / spread, and an output of mean 5 varying by 0.05 gives S1 far
/// outside [0, 1]. (SALib centres the same way, by standardising Y once.)
fn estimate(
    a: &[f64],
    b: &[f64],
    ab: &[Vec<f64>],
    rows: &[usize],
    centre: f64,
) -> (Vec<f64>, Vec<f64>, f64) {
    let d = ab.len();
    let all: Vec<f64> = rows.iter().flat_map(|&j| [a[j], b[j]]).collect();
    let m = mean(all.iter().copied());
    let v = all.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (all.len() as f64 - 1.0);
    let s1 = (0..d)
        .map(|i| mean(rows.iter().map(|&j| (b[j] - centre) * (ab[i][j] - a[j]))) / v)
        .collect();
    let st = (0..d)
        .map(|i| mean(rows.iter().map(|&j| (a[j] - ab[i][j]).powi(2))) / (2.0 * v))
        .collect();
    (s1, st, v)
}

/// Sobol' indices from outputs in Saltelli order (`N` blocks of
/// `A, AB^(1), …, AB^(D), B`), with percentile-bootstrap intervals over base rows.
pub fn sobol_indices(y: &[f64], d: usize, bootstrap: usize, seed: u64) -> SobolIndices {
    let block = d + 2;
    let n = y.len() / block;
    let a: Vec<f64> = (0..n).map(|j| y[j * block]).collect();
    let b: Vec<f64> = (0..n).map(|j| y[j * block + d + 1]).collect();
    let ab: Vec<Vec<f64>> = (0..d)
        .map(|i| (0..n).map(|j| y[j * block + 1 + i]).collect())
        .collect();
    let rows: Vec<usize> = (0..n)
        .filter(|&j| y[j * block..(j + 1) * block].iter().all(|v| v.is_finite()))
        .collect();
    let dropped = n - rows.len();
    if rows.len() < 2 {
        let nan = vec![f64::NAN; d];
        let nan_ci = vec![[f64::NAN; 2]; d];
        return SobolIndices {
            s1: nan.clone(),
            s1_ci: nan_ci.clone(),
            st: nan,
            st_ci: nan_ci,
            variance: f64::NAN,
            rows: rows.len(),
            dropped,
        };
    }
    // One centre for the estimate and every resample: the mean of all
    // outputs of the rows kept.
    let centre = mean(
        rows.iter()
            .flat_map(|&j| y[j * block..(j + 1) * block].iter().copied()),
    );
    let (s1, st, variance) = estimate(&a, &b, &ab, &rows, centre);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s1_b: Vec<Vec<f64>> = vec![Vec::with_capacity(bootstrap); d];
    let mut st_b: Vec<Vec<f64>> = vec![Vec::with_capacity(bootstrap); d];
    for _ in 0..bootstrap {
        let pick: Vec<usize> = (0..rows.len())
            .map(|_| rows[rng.random_range(0..rows.len())])
            .collect();
        let (s, t, _) = estimate(&a, &b, &ab, &pick, centre);
        for i in 0..d {
            s1_b[i].push(s[i]);
            st_b[i].push(t[i]);
        }
    }
    let ci = |mut v: Vec<f64>| -> [f64; 2] {
        v.retain(|x| x.is_finite());
        percentile_interval(v)
    };
    SobolIndices {
        s1_ci: s1_b.into_iter().map(ci).collect(),
        st_ci: st_b.into_iter().map(ci).collect(),
        s1,
        st,
        variance,
        rows: rows.len(),
        dropped,
    }
}

/// Morris statistics of one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndices {
    /// Mean absolute elementary effect (Campolongo's μ*).
    pub mu_star: Vec<f64>,
    /// Mean elementary effect.
    pub mu: Vec<f64>,
    /// Standard deviation of the elementary effects.
    pub sigma: Vec<f64>,
    /// Trajectories used.
    pub trajectories: usize,
}

/// Elementary effects from outputs in trajectory order (`N` trajectories of
/// `D + 1` points, unit-cube coordinates in `x`). Effects are per unit of the
/// normalised parameter (a move across its whole range counts 1).
pub fn morris_indices(x: &[Vec<f64>], y: &[f64], d: usize) -> MorrisIndices {
    let block = d + 1;
    let mut ee: Vec<Vec<f64>> = vec![Vec::new(); d];
    let mut used = 0;
    for t in 0..y.len() / block {
        let base = t * block;
        let mut ok = false;
        for s in 0..d {
            let (p, q) = (base + s, base + s + 1);
            let Some(i) = (0..d).find(|&i| (x[q][i] - x[p][i]).abs() > 1e-12) else {
                continue;
            };
            if y[p].is_finite() && y[q].is_finite() {
                ee[i].push((y[q] - y[p]) / (x[q][i] - x[p][i]));
                ok = true;
            }
        }
        used += usize::from(ok);
    }
    let stats = |v: &Vec<f64>| -> (f64, f64, f64) {
        let k = v.len() as f64;
        let mu = v.iter().sum::<f64>() / k;
        let mu_star = v.iter().map(|e| e.abs()).sum::<f64>() / k;
        let sd = (v.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (k - 1.0).max(1.0)).sqrt();
        (mu_star, mu, sd)
    };
    let s: Vec<(f64, f64, f64)> = ee.iter().map(stats).collect();
    MorrisIndices {
        mu_star: s.iter().map(|t| t.0).collect(),
        mu: s.iter().map(|t| t.1).collect(),
        sigma: s.iter().map(|t| t.2).collect(),
        trajectories: used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::design::{self, Design};
    use std::f64::consts::PI;

    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn ishigami_sobol_indices_match_the_analytic_values() {
        let pts = design::points(Design::Sobol, 4096, &[None; 3], 0);
        let y: Vec<f64> = pts.iter().map(|p| ishigami(p)).collect();
        let r = sobol_indices(&y, 3, 500, 1);
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!(
                r.s1_ci[i][0] <= s1[i] && s1[i] <= r.s1_ci[i][1],
                "S1[{i}] = {} with interval {:?}, analytic {}",
                r.s1[i],
                r.s1_ci[i],
                s1[i]
            );
            assert!(
                r.st_ci[i][0] <= st[i] && st[i] <= r.st_ci[i][1],
                "ST[{i}] = {} with interval {:?}, analytic {}",
                r.st[i],
                r.st_ci[i],
                st[i]
            );
            assert!((r.s1[i] - s1[i]).abs() < 0.05 && (r.st[i] - st[i]).abs() < 0.05);
        }
        // V = 1/2 + a²/8 + bπ⁴/5 + b²π⁸/18 with a = 7, b = 0.1.
        assert!(
            (r.variance - 13.8446).abs() < 0.3,
            "variance {}",
            r.variance
        );
    }

    #[test]
    fn first_order_indices_do_not_depend_on_the_outputs_mean() {
        // An additive output, x0 + x1/2, far from zero (as a terminal mean
        // of 5 that varies by 0.05 is): S1 = (4/5, 1/5) exactly, and a shift
        // by 1e3 must not move the estimate (uncentred, it moved S1 by
        // about mean / spread / sqrt(N) ≈ 100).
        let pts = design::points(Design::Sobol, 64, &[None; 2], 0);
        let f =
            |shift: f64| -> Vec<f64> { pts.iter().map(|p| shift + p[0] + 0.5 * p[1]).collect() };
        let (near, far) = (
            sobol_indices(&f(0.0), 2, 0, 1),
            sobol_indices(&f(1e3), 2, 0, 1),
        );
        for i in 0..2 {
            assert!(
                (near.s1[i] - far.s1[i]).abs() < 1e-9,
                "S1[{i}]: {} vs {}",
                near.s1[i],
                far.s1[i]
            );
            assert!(
                (far.s1[i] - [0.8, 0.2][i]).abs() < 0.1,
                "S1[{i}] = {}",
                far.s1[i]
            );
        }
    }

    #[test]
    fn ishigami_morris_ranks_the_inputs() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let x = design::morris(400, 3, &mut rng);
        let y: Vec<f64> = x.iter().map(|p| ishigami(p)).collect();
        let m = morris_indices(&x, &y, 3);
        assert_eq!(m.trajectories, 400);
        // x3 acts only through its interaction with x1: small μ*, large σ relative to μ.
        assert!(m.mu_star[0] > m.mu_star[2], "{m:?}");
        assert!(m.sigma[2] > 0.0 && m.mu[2].abs() < m.sigma[2], "{m:?}");
        // x2 acts through sin², whose effects cancel in sign: μ ≈ 0, μ* large.
        assert!(m.mu_star[1] > 3.0 * m.mu[1].abs(), "{m:?}");
    }

    #[test]
    fn undefined_outputs_drop_their_rows() {
        let pts = design::points(Design::Sobol, 64, &[None; 2], 0);
        let mut y: Vec<f64> = pts.iter().map(|p| p[0] + 2.0 * p[1]).collect();
        y[5] = f64::NAN;
        let r = sobol_indices(&y, 2, 50, 1);
        assert_eq!(r.dropped, 1);
        assert_eq!(r.rows, 63);
        assert!(r.s1.iter().all(|v| v.is_finite()));
    }
}
