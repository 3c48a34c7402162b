//! The least-squares core of a fit: which objectives are pinned at a bound,
//! one regression of the increments on `[x_free, 1]` per free objective, the
//! residual noise, and the full drift with placeholders for pinned objectives.

use nalgebra::{DMatrix, DVector};

use super::increments::Increment;
use super::{FitOptions, Pinned, StrategyError};
use crate::analysis::spectral;

/// An objective is pinned when fewer than this fraction of its increments
/// are uncensored (or fewer than 2(n + 1)).
const PINNED_FRACTION: f64 = 0.1;

/// The core least-squares fit of one strategy (no bootstrap, no R²).
#[derive(Debug, Clone)]
pub(super) struct Core {
    /// Drift matrix A over every objective.
    pub a: DMatrix<f64>,
    /// x*.
    pub target: DVector<f64>,
    /// Objectives that are not pinned, ascending.
    pub free: Vec<usize>,
    /// Objectives pinned at a bound.
    pub pinned: Vec<Pinned>,
    /// σ.
    pub sigma: DVector<f64>,
    /// Noise correlation (positive definite).
    pub corr: DMatrix<f64>,
    /// Warnings about the fit.
    pub warnings: Vec<String>,
}

impl Core {
    /// Eigenvalues, ρ and the discrete spectral radius of A restricted to
    /// the free objectives.
    pub fn free_spectrum(&self, dt: f64) -> (Vec<[f64; 2]>, f64, f64) {
        let f = self.free.len();
        let af = DMatrix::from_fn(f, f, |p, q| self.a[(self.free[p], self.free[q])]);
        let ev = spectral::eigenvalues(&af);
        let (rho, radius) = spectral::rates(&ev, dt);
        (ev, rho, radius)
    }
}

/// Fits A, x*, σ and the noise correlation to the increments of one strategy.
pub(super) fn fit_core(
    inc: &[Increment],
    names: &[String],
    opts: &FitOptions,
) -> Result<Core, StrategyError> {
    if inc.is_empty() {
        return Err(StrategyError::NoIncrements);
    }
    // Too few rows must be said as such, not read as pinned objectives.
    let needed = 2 * (names.len() + 1);
    if inc.len() < needed {
        return Err(StrategyError::TooFewData {
            increments: inc.len(),
            needed,
        });
    }
    let (free, pinned, mut warnings) = split_pinned(inc, names, opts.bounds.is_some());
    if free.is_empty() {
        return Err(StrategyError::AllPinned);
    }
    let (a_free, b_free) = regress(inc, names, &free)?;
    let t_free = a_free
        .clone()
        .try_inverse()
        .map(|inv| inv * &b_free)
        .ok_or(StrategyError::NoEquilibrium)?;
    let cov_f = residual_cov(inc, &free, &a_free, &b_free, opts.dt, &mut warnings);
    let n = names.len();
    let mut sigma = DVector::<f64>::zeros(n);
    for (p, &i) in free.iter().enumerate() {
        sigma[i] = cov_f[(p, p)].max(0.0).sqrt();
    }
    let corr = noise_correlation(&cov_f, &free, &sigma, opts.dt, &mut warnings);

    // Assemble the full model: pinned objectives get a placeholder rate and a
    // target beyond their bound, so that the fitted model keeps them there.
    let mut a = DMatrix::<f64>::zeros(n, n);
    let mut target = DVector::<f64>::zeros(n);
    for (p, &i) in free.iter().enumerate() {
        target[i] = t_free[p];
        for (q, &j) in free.iter().enumerate() {
            a[(i, j)] = a_free[(p, q)];
        }
    }
    let mut core = Core {
        a,
        target,
        free,
        pinned,
        sigma,
        corr,
        warnings,
    };
    hold_pinned(&mut core, inc, names, opts);
    Ok(core)
}

/// Splits the objectives into free ones and ones pinned at a bound (only
/// with bounds known), with a warning for each pinned one.
fn split_pinned(
    inc: &[Increment],
    names: &[String],
    bounded: bool,
) -> (Vec<usize>, Vec<Pinned>, Vec<String>) {
    let n = names.len();
    let total = inc.len();
    let min_rows = (2 * (n + 1)).max((PINNED_FRACTION * total as f64).ceil() as usize);
    let mut warnings = Vec::new();
    let mut pinned = Vec::new();
    let mut free = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let unc = inc.iter().filter(|r| !r.censored[i]).count();
        if !(bounded && unc < min_rows) {
            free.push(i);
            continue;
        }
        let ups = inc.iter().filter(|r| r.censored[i] && r.upper[i]).count();
        let bound = if 2 * ups > total - unc {
            "upper"
        } else {
            "lower"
        };
        warnings.push(format!(
            "objective '{name}' is pinned at its {bound} bound ({unc} of {total} increments uncensored); left out of rho"
        ));
        pinned.push(Pinned {
            objective: name.clone(),
            bound: bound.into(),
            uncensored: unc,
            increments: total,
        });
    }
    (free, pinned, warnings)
}

/// One regression per free objective on `[x_free, 1]` over its uncensored
/// rows: the drift `b − A x` restricted to the free objectives, as `(A, b)`.
fn regress(
    inc: &[Increment],
    names: &[String],
    free: &[usize],
) -> Result<(DMatrix<f64>, DVector<f64>), StrategyError> {
    let f = free.len();
    let mut a_free = DMatrix::<f64>::zeros(f, f);
    let mut b_free = DVector::<f64>::zeros(f);
    for (row, &i) in free.iter().enumerate() {
        let rows: Vec<&Increment> = inc.iter().filter(|r| !r.censored[i]).collect();
        if rows.len() < f + 1 {
            return Err(StrategyError::TooFewIncrements {
                objective: names[i].clone(),
                usable: rows.len(),
                coefficients: f + 1,
            });
        }
        let z = DMatrix::from_fn(rows.len(), f + 1, |r, c| {
            if c < f { rows[r].x[free[c]] } else { 1.0 }
        });
        let y = DVector::from_iterator(rows.len(), rows.iter().map(|r| r.y[i]));
        let beta = (z.transpose() * &z)
            .try_inverse()
            .map(|g| g * z.transpose() * y)
            .ok_or_else(|| StrategyError::Singular {
                objective: names[i].clone(),
            })?;
        for c in 0..f {
            a_free[(row, c)] = -beta[c];
        }
        b_free[row] = beta[f];
    }
    Ok((a_free, b_free))
}

/// Residual covariance (per unit time) of the free objectives over the rows
/// where every free objective is uncensored; zero, with a warning, when
/// there are too few such rows.
fn residual_cov(
    inc: &[Increment],
    free: &[usize],
    a_free: &DMatrix<f64>,
    b_free: &DVector<f64>,
    dt: f64,
    warnings: &mut Vec<String>,
) -> DMatrix<f64> {
    let f = free.len();
    let mut res: Vec<Vec<f64>> = Vec::new();
    for r in inc.iter().filter(|r| free.iter().all(|&i| !r.censored[i])) {
        let xf = DVector::from_iterator(f, free.iter().map(|&i| r.x[i]));
        let pred = b_free - a_free * xf;
        res.push(
            free.iter()
                .enumerate()
                .map(|(k, &i)| r.y[i] - pred[k])
                .collect(),
        );
    }
    let dof = res.len() as f64 - (f + 1) as f64;
    let mut cov_f = DMatrix::<f64>::zeros(f, f);
    if dof >= 1.0 {
        for r in &res {
            for p in 0..f {
                for q in 0..f {
                    cov_f[(p, q)] += r[p] * r[q] / dof * dt;
                }
            }
        }
    } else {
        warnings.push("too few complete increments to estimate the noise; sigma set to 0".into());
    }
    cov_f
}

/// The noise correlation over every objective (identity outside the free
/// ones). Rounding or few rows can leave it indefinite: it is then shrunk
/// towards I until it is positive definite, with a warning.
fn noise_correlation(
    cov_f: &DMatrix<f64>,
    free: &[usize],
    sigma: &DVector<f64>,
    dt: f64,
    warnings: &mut Vec<String>,
) -> DMatrix<f64> {
    let n = sigma.len();
    let mut corr = DMatrix::<f64>::identity(n, n);
    for (p, &i) in free.iter().enumerate() {
        for (q, &j) in free.iter().enumerate() {
            if i != j && sigma[i] > 0.0 && sigma[j] > 0.0 {
                corr[(i, j)] = (cov_f[(p, q)] / (sigma[i] * sigma[j] * dt)).clamp(-0.999, 0.999);
            }
        }
    }
    let mut shrink = 0.0;
    while corr.clone().cholesky().is_none() && shrink < 1.0 {
        shrink += 0.05;
        corr = corr.map(|v| v * (1.0 - 0.05));
        for i in 0..n {
            corr[(i, i)] = 1.0;
        }
    }
    if shrink > 0.0 {
        warnings.push(format!("the residual correlation was not positive definite; shrunk towards identity by {shrink:.2}"));
    }
    corr
}

/// Gives each pinned objective the free objectives' mean rate, a target half
/// a range beyond its bound, and the spread of its uncensored increments.
fn hold_pinned(core: &mut Core, inc: &[Increment], names: &[String], opts: &FitOptions) {
    let free = &core.free;
    let f = free.len();
    let mean_rate = free.iter().map(|&i| core.a[(i, i)]).sum::<f64>() / f as f64;
    for p in &core.pinned {
        let i = names
            .iter()
            .position(|n| *n == p.objective)
            .expect("a known objective");
        let (lo, hi) = opts.bounds.as_ref().expect("pinned only with bounds")[i];
        core.a[(i, i)] = if mean_rate > 0.0 { mean_rate } else { 1.0 };
        core.target[i] = if p.bound == "upper" {
            hi + 0.5 * (hi - lo)
        } else {
            lo - 0.5 * (hi - lo)
        };
        let unc: Vec<f64> = inc
            .iter()
            .filter(|r| !r.censored[i])
            .map(|r| r.y[i])
            .collect();
        core.sigma[i] = if unc.len() >= 2 {
            let m = unc.iter().sum::<f64>() / unc.len() as f64;
            (unc.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (unc.len() - 1) as f64 * opts.dt)
                .sqrt()
        } else {
            free.iter().map(|&j| core.sigma[j]).sum::<f64>() / f as f64
        };
    }
}

/// M with `M_ij = A_ij / A_jj` (zero on the diagonal and where `A_jj = 0`).
pub(super) fn interference_of(a: &DMatrix<f64>) -> Vec<Vec<f64>> {
    let n = a.nrows();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if i == j || a[(j, j)] == 0.0 {
                        0.0
                    } else {
                        a[(i, j)] / a[(j, j)]
                    }
                })
                .collect()
        })
        .collect()
}

/// A matrix as rows.
pub(super) fn rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)]).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    const A: [[f64; 2]; 2] = [[0.5, 0.1], [-0.2, 0.8]];
    const TARGET: [f64; 2] = [3.0, 4.0];

    /// Noiseless increments of the linear drift `A (x* − x)` from a grid of states.
    fn noiseless() -> Vec<Increment> {
        let mut out = Vec::new();
        for u in 0..5 {
            for v in 0..4 {
                let x = vec![f64::from(u), 1.5 * f64::from(v) - 0.5 * f64::from(u)];
                let y = (0..2)
                    .map(|i| (0..2).map(|j| A[i][j] * (TARGET[j] - x[j])).sum())
                    .collect();
                out.push(Increment {
                    x,
                    y,
                    censored: vec![false; 2],
                    upper: vec![false; 2],
                });
            }
        }
        out
    }

    fn names() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    #[test]
    fn recovers_a_known_drift_from_noiseless_increments() {
        let core = fit_core(&noiseless(), &names(), &FitOptions::default()).unwrap();
        for (i, row) in A.iter().enumerate() {
            for (j, a) in row.iter().enumerate() {
                assert_abs_diff_eq!(core.a[(i, j)], *a, epsilon = 1e-9);
            }
            assert_abs_diff_eq!(core.target[i], TARGET[i], epsilon = 1e-9);
            assert_abs_diff_eq!(core.sigma[i], 0.0, epsilon = 1e-6);
        }
        assert_eq!(core.free, [0, 1]);
        assert!(core.pinned.is_empty() && core.warnings.is_empty());
        let m = interference_of(&core.a);
        assert_abs_diff_eq!(m[0][1], 0.1 / 0.8, epsilon = 1e-9);
        assert_eq!(m[0][0], 0.0);
    }

    #[test]
    fn free_spectrum_of_a_known_drift() {
        let core = fit_core(&noiseless(), &names(), &FitOptions::default()).unwrap();
        let (ev, rho, radius) = core.free_spectrum(1.0);
        // Trace 1.3 and determinant 0.42: eigenvalues 0.6 and 0.7.
        assert_abs_diff_eq!(ev[0][0], 0.6, epsilon = 1e-9);
        assert_abs_diff_eq!(ev[1][0], 0.7, epsilon = 1e-9);
        assert_abs_diff_eq!(rho, 0.6, epsilon = 1e-9);
        assert_abs_diff_eq!(radius, 0.4, epsilon = 1e-9);
    }

    #[test]
    fn an_objective_always_on_its_bound_is_pinned_beyond_it() {
        let mut inc = noiseless();
        for r in &mut inc {
            r.censored[0] = true;
        }
        let opts = FitOptions {
            bounds: Some(vec![(0.0, 10.0), (-10.0, 10.0)]),
            ..Default::default()
        };
        let core = fit_core(&inc, &names(), &opts).unwrap();
        assert_eq!(core.free, [1]);
        assert_eq!(core.pinned[0].bound, "lower");
        assert_eq!(core.pinned[0].uncensored, 0);
        assert_eq!(core.target[0], -5.0);
        assert_eq!(core.a[(0, 0)], core.a[(1, 1)]);
        assert!(core.warnings[0].contains("pinned at its lower bound"));
    }

    #[test]
    fn failures_are_typed() {
        let opts = FitOptions::default();
        assert_eq!(
            fit_core(&[], &names(), &opts).unwrap_err(),
            StrategyError::NoIncrements
        );
        let few = &noiseless()[..2];
        assert!(matches!(
            fit_core(few, &names(), &opts).unwrap_err(),
            StrategyError::TooFewData {
                increments: 2,
                needed: 6,
            }
        ));
        let mut flat = noiseless();
        for r in &mut flat {
            r.x[1] = 2.0 * r.x[0];
        }
        assert!(matches!(
            fit_core(&flat, &names(), &opts).unwrap_err(),
            StrategyError::Singular { .. }
        ));
    }
}
