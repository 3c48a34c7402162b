//! Fitting the SDE to logged sessions (DESIGN §1, "Fitting").
//!
//! Per strategy, least squares of the increments on the state,
//! `Δx/dt = b − A x`, gives A and `x* = A⁻¹ b`; then `κ = diag(A)` and
//! `M_ij = A_ij / A_jj`. The residual covariance gives σ and the noise
//! correlation. With bounds known, an increment that lands on a bound is
//! censored (the clamp hides the drift) and is left out of that objective's
//! equation; an objective with too few uncensored increments is reported as
//! pinned at its bound and left out of ρ rather than fitted as a rate of 1.

use nalgebra::{DMatrix, DVector};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::sessions::{Session, Sessions};
use super::spectral::{Mode, eigenvalues};
use crate::model::{Boundary, ModelSpec, ObjectiveSpec, StrategySpec};

/// A value hitting a bound within this fraction of the range counts as on it.
const ON_BOUND: f64 = 1e-9;
/// An objective is pinned when fewer than this fraction of its increments
/// are uncensored (or fewer than 2(n + 1)).
const PINNED_FRACTION: f64 = 0.1;

/// Settings of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Time per iteration.
    pub dt: f64,
    /// Bounds per objective, if known (they enable censoring).
    pub bounds: Option<Vec<(f64, f64)>>,
    /// Fraction of sessions per strategy held out for the out-of-sample R².
    pub holdout: f64,
    /// Bootstrap resamples over sessions for the intervals.
    pub bootstrap: usize,
    /// Seed for the holdout split and the bootstrap.
    pub seed: u64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            dt: 1.0,
            bounds: None,
            holdout: 0.0,
            bootstrap: 200,
            seed: 0,
        }
    }
}

/// Errors of a fit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// Settings that cannot work.
    #[error("{0}")]
    Options(String),
    /// No strategy could be fitted.
    #[error("no strategy could be fitted: {0}")]
    Nothing(String),
}

/// An objective the fit found pinned at a bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pinned {
    /// Objective name.
    pub objective: String,
    /// `lower` or `upper`.
    pub bound: String,
    /// Increments that did not land on the bound.
    pub uncensored: usize,
    /// All increments.
    pub increments: usize,
}

/// A percentile interval.
pub type Interval = [f64; 2];

/// One bootstrap refit: ρ, x* and M.
type Resample = (f64, Vec<f64>, Vec<Vec<f64>>);

/// The fit of one strategy (one entry of `report.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyFit {
    /// Strategy name.
    pub name: String,
    /// Sessions used for fitting.
    pub sessions: usize,
    /// Sessions held out.
    pub holdout_sessions: usize,
    /// Increments used (pairs of consecutive iterations, training sessions).
    pub increments: usize,
    /// Fitted drift matrix A (row-major). Rows and columns of pinned
    /// objectives hold the placeholder rate on the diagonal and zeros.
    #[serde(rename = "A")]
    pub a: Vec<Vec<f64>>,
    /// κ = diag(A).
    pub kappa: Vec<f64>,
    /// M with `M_ij = A_ij / A_jj`.
    pub interference: Vec<Vec<f64>>,
    /// x* = A⁻¹ b (pinned objectives: a point beyond their bound).
    pub target: Vec<f64>,
    /// σ from the residual covariance.
    pub sigma: Vec<f64>,
    /// Noise correlation from the residual covariance.
    pub noise_correlation: Vec<Vec<f64>>,
    /// Correlation of the raw increments (the paper's interference matrix).
    pub increment_correlation: Vec<Vec<f64>>,
    /// Eigenvalues of A restricted to the objectives that are not pinned.
    pub eigenvalues: Vec<[f64; 2]>,
    /// ρ = min Re λ over those objectives.
    pub rho: f64,
    /// Bootstrap percentile interval (2.5%, 97.5%) of ρ.
    pub rho_ci: Option<Interval>,
    /// Bootstrap intervals of x*.
    pub target_ci: Option<Vec<Interval>>,
    /// Bootstrap intervals of M.
    pub interference_ci: Option<Vec<Vec<Interval>>>,
    /// Bootstrap resamples that could not be fitted (left out of the intervals).
    pub bootstrap_failures: usize,
    /// Mode.
    pub mode: Mode,
    /// Spectral radius of I − A·dt (free objectives).
    pub discrete_spectral_radius: f64,
    /// One-step R² of Δx, pooled over objectives, in sample.
    pub r2_one_step: f64,
    /// One-step R² on the held-out sessions (`null` without a holdout).
    pub r2_holdout: Option<f64>,
    /// Trajectory R²: the deterministic mean path from each session's first
    /// state against its observed states, pooled over objectives and
    /// iterations ≥ 1 (the paper's "predictive accuracy").
    pub r2_trajectory: f64,
    /// Objectives pinned at a bound.
    pub pinned: Vec<Pinned>,
    /// Warnings about this fit.
    pub warnings: Vec<String>,
}

/// The whole fit (`report.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// Objective names.
    pub objectives: Vec<String>,
    /// Time per iteration.
    pub dt: f64,
    /// Whether bounds were known (censoring on).
    pub bounds: Option<Vec<(f64, f64)>>,
    /// Rows dropped for missing values.
    pub dropped_rows: usize,
    /// Per strategy.
    pub strategies: Vec<StrategyFit>,
    /// Correlation of increments pooled over every strategy.
    pub pooled_increment_correlation: Vec<Vec<f64>>,
    /// Strategies that could not be fitted, with the reason.
    pub failed: Vec<(String, String)>,
}

/// One increment: the state before, the scaled change, which objectives landed on a bound.
#[derive(Debug, Clone)]
struct Increment {
    x: Vec<f64>,
    y: Vec<f64>,
    censored: Vec<bool>,
    /// Which bound each censored objective landed on (true = upper).
    upper: Vec<bool>,
}

fn increments(sessions: &[&Session], dt: f64, bounds: Option<&[(f64, f64)]>) -> Vec<Increment> {
    let mut out = Vec::new();
    for s in sessions {
        for w in 0..s.iterations.len().saturating_sub(1) {
            if s.iterations[w + 1] != s.iterations[w] + 1 {
                continue; // a gap: no single-iteration increment here
            }
            let (a, b) = (&s.states[w], &s.states[w + 1]);
            let n = a.len();
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
            out.push(Increment {
                x: a.clone(),
                y: (0..n).map(|i| (b[i] - a[i]) / dt).collect(),
                censored,
                upper,
            });
        }
    }
    out
}

/// Correlation matrix of columns; NaN where a variance is zero.
fn correlation(rows: &[Vec<f64>], n: usize) -> Vec<Vec<f64>> {
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

/// The core least-squares fit of one strategy (no bootstrap, no R²).
#[derive(Debug, Clone)]
struct Core {
    a: DMatrix<f64>,
    target: DVector<f64>,
    free: Vec<usize>,
    pinned: Vec<Pinned>,
    sigma: DVector<f64>,
    corr: DMatrix<f64>,
    warnings: Vec<String>,
}

fn fit_core(inc: &[Increment], names: &[String], opts: &FitOptions) -> Result<Core, String> {
    let n = names.len();
    let total = inc.len();
    if total == 0 {
        return Err("no increments (sessions need two consecutive iterations)".into());
    }
    let mut warnings = Vec::new();
    let min_rows = (2 * (n + 1)).max((PINNED_FRACTION * total as f64).ceil() as usize);
    let mut pinned = Vec::new();
    let mut free = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let unc = inc.iter().filter(|r| !r.censored[i]).count();
        if opts.bounds.is_some() && unc < min_rows {
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
        } else {
            free.push(i);
        }
    }
    if free.is_empty() {
        return Err("every objective is pinned at a bound".into());
    }
    let f = free.len();
    // One regression per free objective on [x_free, 1], over its uncensored rows.
    let mut a_free = DMatrix::<f64>::zeros(f, f);
    let mut b_free = DVector::<f64>::zeros(f);
    for (row, &i) in free.iter().enumerate() {
        let rows: Vec<&Increment> = inc.iter().filter(|r| !r.censored[i]).collect();
        if rows.len() < f + 1 {
            return Err(format!(
                "objective '{}' has {} usable increments for {} coefficients",
                names[i],
                rows.len(),
                f + 1
            ));
        }
        let z = DMatrix::from_fn(rows.len(), f + 1, |r, c| {
            if c < f { rows[r].x[free[c]] } else { 1.0 }
        });
        let y = DVector::from_iterator(rows.len(), rows.iter().map(|r| r.y[i]));
        let beta = (z.transpose() * &z)
            .try_inverse()
            .map(|g| g * z.transpose() * y)
            .ok_or_else(|| {
                format!(
                    "the states do not vary enough to fit objective '{}' (singular regression)",
                    names[i]
                )
            })?;
        for c in 0..f {
            a_free[(row, c)] = -beta[c];
        }
        b_free[row] = beta[f];
    }
    let t_free = a_free
        .clone()
        .try_inverse()
        .map(|inv| inv * &b_free)
        .ok_or_else(|| "the fitted drift matrix is singular: no equilibrium".to_string())?;

    // Residual covariance over rows where every free objective is uncensored.
    let mut res: Vec<Vec<f64>> = Vec::new();
    for r in inc.iter().filter(|r| free.iter().all(|&i| !r.censored[i])) {
        let xf = DVector::from_iterator(f, free.iter().map(|&i| r.x[i]));
        let pred = &b_free - &a_free * xf;
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
                    cov_f[(p, q)] += r[p] * r[q] / dof * opts.dt;
                }
            }
        }
    } else {
        warnings.push("too few complete increments to estimate the noise; sigma set to 0".into());
    }
    let mut sigma = DVector::<f64>::zeros(n);
    let mut corr = DMatrix::<f64>::identity(n, n);
    for (p, &i) in free.iter().enumerate() {
        sigma[i] = cov_f[(p, p)].max(0.0).sqrt();
    }
    for (p, &i) in free.iter().enumerate() {
        for (q, &j) in free.iter().enumerate() {
            if i != j && sigma[i] > 0.0 && sigma[j] > 0.0 {
                corr[(i, j)] =
                    (cov_f[(p, q)] / (sigma[i] * sigma[j] * opts.dt)).clamp(-0.999, 0.999);
            }
        }
    }
    // Rounding or few rows can leave C indefinite: shrink it towards I until
    // it is positive definite, and say so.
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
    let mean_rate = free.iter().map(|&i| a[(i, i)]).sum::<f64>() / f as f64;
    for p in &pinned {
        let i = names
            .iter()
            .position(|n| *n == p.objective)
            .expect("a known objective");
        let (lo, hi) = opts.bounds.as_ref().expect("pinned only with bounds")[i];
        a[(i, i)] = if mean_rate > 0.0 { mean_rate } else { 1.0 };
        target[i] = if p.bound == "upper" {
            hi + 0.5 * (hi - lo)
        } else {
            lo - 0.5 * (hi - lo)
        };
        let unc: Vec<f64> = inc
            .iter()
            .filter(|r| !r.censored[i])
            .map(|r| r.y[i])
            .collect();
        sigma[i] = if unc.len() >= 2 {
            let m = unc.iter().sum::<f64>() / unc.len() as f64;
            (unc.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (unc.len() - 1) as f64 * opts.dt)
                .sqrt()
        } else {
            free.iter().map(|&j| sigma[j]).sum::<f64>() / f as f64
        };
    }
    Ok(Core {
        a,
        target,
        free,
        pinned,
        sigma,
        corr,
        warnings,
    })
}

fn spectrum_free(core: &Core, dt: f64) -> (Vec<[f64; 2]>, f64, f64) {
    let f = core.free.len();
    let af = DMatrix::from_fn(f, f, |p, q| core.a[(core.free[p], core.free[q])]);
    let ev = eigenvalues(&af);
    let rho = ev.iter().map(|e| e[0]).fold(f64::INFINITY, f64::min);
    let radius = ev
        .iter()
        .map(|e| (1.0 - e[0] * dt).hypot(e[1] * dt))
        .fold(0.0, f64::max);
    (ev, rho, radius)
}

fn interference_of(a: &DMatrix<f64>) -> Vec<Vec<f64>> {
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

/// One-step R² pooled over the free objectives' uncensored increments.
fn r2_one_step(core: &Core, inc: &[Increment]) -> f64 {
    let mut ss_res = 0.0;
    let mut ss_tot = 0.0;
    for &i in &core.free {
        let ys: Vec<(f64, f64)> = inc
            .iter()
            .filter(|r| !r.censored[i])
            .map(|r| {
                let pred: f64 = (0..r.x.len())
                    .map(|j| core.a[(i, j)] * (core.target[j] - r.x[j]))
                    .sum();
                (r.y[i], pred)
            })
            .collect();
        if ys.is_empty() {
            continue;
        }
        let mean = ys.iter().map(|p| p.0).sum::<f64>() / ys.len() as f64;
        ss_res += ys.iter().map(|p| (p.0 - p.1).powi(2)).sum::<f64>();
        ss_tot += ys.iter().map(|p| (p.0 - mean).powi(2)).sum::<f64>();
    }
    1.0 - ss_res / ss_tot
}

/// One noise-free step of the fitted drift, clamped to the bounds when known.
fn advance(
    a: &DMatrix<f64>,
    target: &DVector<f64>,
    x: &mut DVector<f64>,
    dt: f64,
    bounds: Option<&[(f64, f64)]>,
) {
    *x = &*x + a * (target - &*x) * dt;
    if let Some(b) = bounds {
        for (i, (lo, hi)) in b.iter().enumerate() {
            x[i] = x[i].clamp(*lo, *hi);
        }
    }
}

/// Trajectory R²: deterministic path from each session's first state.
fn r2_trajectory(core: &Core, sessions: &[&Session], opts: &FitOptions) -> f64 {
    let n = core.target.len();
    let mut pairs: Vec<(usize, f64, f64)> = Vec::new();
    for s in sessions {
        let mut x = DVector::from_vec(s.states[0].clone());
        let mut t = s.iterations[0];
        for (it, obs) in s.iterations.iter().zip(&s.states).skip(1) {
            while t < *it {
                advance(
                    &core.a,
                    &core.target,
                    &mut x,
                    opts.dt,
                    opts.bounds.as_deref(),
                );
                t += 1;
            }
            for i in 0..n {
                pairs.push((i, obs[i], x[i]));
            }
        }
    }
    let mut mean = vec![0.0; n];
    let mut count = vec![0.0f64; n];
    for (i, o, _) in &pairs {
        mean[*i] += o;
        count[*i] += 1.0;
    }
    for i in 0..n {
        mean[i] /= count[i].max(1.0);
    }
    let ss_res: f64 = pairs.iter().map(|(_, o, p)| (o - p).powi(2)).sum();
    let ss_tot: f64 = pairs.iter().map(|(i, o, _)| (o - mean[*i]).powi(2)).sum();
    1.0 - ss_res / ss_tot
}

impl StrategyFit {
    /// The noise-free path of the fitted model from `x0` over `steps`
    /// iterations (`steps + 1` states), clamped to the bounds when known.
    pub fn mean_path(
        &self,
        x0: &[f64],
        steps: u32,
        dt: f64,
        bounds: Option<&[(f64, f64)]>,
    ) -> Vec<Vec<f64>> {
        let n = x0.len();
        let a = DMatrix::from_fn(n, n, |i, j| self.a[i][j]);
        let target = DVector::from_column_slice(&self.target);
        let mut x = DVector::from_column_slice(x0);
        let mut out = vec![x0.to_vec()];
        for _ in 0..steps {
            advance(&a, &target, &mut x, dt, bounds);
            out.push(x.iter().copied().collect());
        }
        out
    }
}

fn percentile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    super::moments::quantile_sorted(&v, q)
}

fn interval(v: Vec<f64>) -> Interval {
    [percentile(v.clone(), 0.025), percentile(v, 0.975)]
}

/// Residual non-normality: skewness and excess kurtosis per free objective.
fn normality_warnings(core: &Core, inc: &[Increment], names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for &i in &core.free {
        let r: Vec<f64> = inc
            .iter()
            .filter(|x| !x.censored[i])
            .map(|x| {
                x.y[i]
                    - (0..x.x.len())
                        .map(|j| core.a[(i, j)] * (core.target[j] - x.x[j]))
                        .sum::<f64>()
            })
            .collect();
        let m = r.len() as f64;
        if m < 20.0 {
            continue;
        }
        let mean = r.iter().sum::<f64>() / m;
        let var = r.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / m;
        if var <= 0.0 {
            continue;
        }
        let skew = r.iter().map(|v| (v - mean).powi(3)).sum::<f64>() / m / var.powf(1.5);
        let kurt = r.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / m / (var * var) - 3.0;
        let jb = m / 6.0 * (skew * skew + kurt * kurt / 4.0);
        // Strongly non-normal: significant (Jarque–Bera p < 0.001) and large.
        if jb > 13.82 && (skew.abs() > 1.0 || kurt.abs() > 3.0) {
            out.push(format!(
                "residuals of '{}' are strongly non-normal (skewness {skew:.2}, excess kurtosis {kurt:.2}); sigma and the intervals are approximate",
                names[i]
            ));
        }
    }
    out
}

fn fit_strategy(
    name: &str,
    all: &[&Session],
    names: &[String],
    opts: &FitOptions,
    seed: u64,
) -> Result<StrategyFit, String> {
    let n = names.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..all.len()).collect();
    let mut n_hold = 0;
    if opts.holdout > 0.0 && all.len() >= 2 {
        for i in (1..order.len()).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        n_hold = ((opts.holdout * all.len() as f64).round() as usize).clamp(1, all.len() - 1);
    }
    let hold: Vec<&Session> = order[..n_hold].iter().map(|k| all[*k]).collect();
    let train: Vec<&Session> = order[n_hold..].iter().map(|k| all[*k]).collect();
    let inc = increments(&train, opts.dt, opts.bounds.as_deref());
    let core = fit_core(&inc, names, opts)?;
    let mut warnings = core.warnings.clone();
    let params = n * n + n;
    if inc.len() < params {
        warnings.push(format!("only {} increments for {params} parameters (n² + n); the fit is underdetermined in spirit", inc.len()));
    }
    let (ev, rho, radius) = spectrum_free(&core, opts.dt);
    if rho <= 0.0 || radius >= 1.0 {
        warnings.push(format!(
            "the fitted drift is unstable (rho = {rho:.3}, discrete radius = {radius:.3})"
        ));
    }
    warnings.extend(normality_warnings(&core, &inc, names));
    let outside = opts
        .bounds
        .as_ref()
        .is_some_and(|b| (0..n).any(|i| core.target[i] < b[i].0 || core.target[i] > b[i].1));
    let mode = if rho <= 0.0 {
        Mode::Unstable
    } else if !core.pinned.is_empty() || outside {
        Mode::Boundary
    } else if ev.iter().any(|e| e[1] != 0.0) {
        Mode::Oscillatory
    } else {
        Mode::Exponential
    };
    let all_inc = increments(all, opts.dt, opts.bounds.as_deref());

    // Percentile bootstrap over training sessions.
    let boot: Vec<Option<Resample>> = (0..opts.bootstrap)
        .into_par_iter()
        .map(|b| {
            let mut r = ChaCha8Rng::seed_from_u64(
                seed ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(b as u64 + 1)),
            );
            let pick: Vec<&Session> = (0..train.len())
                .map(|_| train[r.random_range(0..train.len())])
                .collect();
            let c = fit_core(
                &increments(&pick, opts.dt, opts.bounds.as_deref()),
                names,
                opts,
            )
            .ok()?;
            let (_, rho, _) = spectrum_free(&c, opts.dt);
            Some((
                rho,
                c.target.iter().copied().collect(),
                interference_of(&c.a),
            ))
        })
        .collect();
    let ok: Vec<_> = boot.iter().flatten().collect();
    let failures = boot.len() - ok.len();
    let (rho_ci, target_ci, interference_ci) = if ok.len() >= 2 {
        (
            Some(interval(ok.iter().map(|b| b.0).collect())),
            Some(
                (0..n)
                    .map(|i| interval(ok.iter().map(|b| b.1[i]).collect()))
                    .collect(),
            ),
            Some(
                (0..n)
                    .map(|i| {
                        (0..n)
                            .map(|j| interval(ok.iter().map(|b| b.2[i][j]).collect()))
                            .collect()
                    })
                    .collect(),
            ),
        )
    } else {
        (None, None, None)
    };
    if opts.bootstrap > 0 && failures * 10 > opts.bootstrap {
        warnings.push(format!(
            "{failures} of {} bootstrap resamples could not be fitted",
            opts.bootstrap
        ));
    }
    let a = &core.a;
    Ok(StrategyFit {
        name: name.to_string(),
        sessions: train.len(),
        holdout_sessions: hold.len(),
        increments: inc.len(),
        a: (0..n)
            .map(|i| (0..n).map(|j| a[(i, j)]).collect())
            .collect(),
        kappa: (0..n).map(|i| a[(i, i)]).collect(),
        interference: interference_of(a),
        target: core.target.iter().copied().collect(),
        sigma: core.sigma.iter().copied().collect(),
        noise_correlation: (0..n)
            .map(|i| (0..n).map(|j| core.corr[(i, j)]).collect())
            .collect(),
        increment_correlation: correlation(
            &all_inc.iter().map(|r| r.y.clone()).collect::<Vec<_>>(),
            n,
        ),
        eigenvalues: ev,
        rho,
        rho_ci,
        target_ci,
        interference_ci,
        bootstrap_failures: failures,
        mode,
        discrete_spectral_radius: radius,
        r2_one_step: r2_one_step(&core, &inc),
        r2_holdout: (!hold.is_empty())
            .then(|| r2_one_step(&core, &increments(&hold, opts.dt, opts.bounds.as_deref()))),
        r2_trajectory: r2_trajectory(&core, &train, opts),
        pinned: core.pinned,
        warnings,
    })
}

/// Fits every strategy of the sessions.
pub fn fit(data: &Sessions, opts: &FitOptions) -> Result<FitReport, FitError> {
    if !(opts.dt.is_finite() && opts.dt > 0.0) {
        return Err(FitError::Options(format!(
            "--dt {} must be a finite number > 0",
            opts.dt
        )));
    }
    if !(0.0..1.0).contains(&opts.holdout) {
        return Err(FitError::Options(format!(
            "--holdout {} must lie in [0, 1)",
            opts.holdout
        )));
    }
    let n = data.objectives.len();
    if let Some(b) = &opts.bounds {
        if b.len() != n {
            return Err(FitError::Options(format!(
                "--bounds has {} ranges for {n} objectives",
                b.len()
            )));
        }
        for (s, x) in data
            .sessions
            .iter()
            .flat_map(|s| s.states.iter().map(move |x| (s, x)))
        {
            for i in 0..n {
                if x[i] < b[i].0 || x[i] > b[i].1 {
                    return Err(FitError::Options(format!(
                        "session '{}' has {} = {} outside the bounds [{}, {}]",
                        s.id, data.objectives[i], x[i], b[i].0, b[i].1
                    )));
                }
            }
        }
    }
    let mut strategies = Vec::new();
    let mut failed = Vec::new();
    for (k, name) in data.strategies().into_iter().enumerate() {
        let ss: Vec<&Session> = data
            .sessions
            .iter()
            .filter(|s| s.strategy == name)
            .collect();
        match fit_strategy(
            &name,
            &ss,
            &data.objectives,
            opts,
            opts.seed.wrapping_add(k as u64 * 0x1000_0001),
        ) {
            Ok(f) => strategies.push(f),
            Err(e) => failed.push((name, e)),
        }
    }
    if strategies.is_empty() {
        return Err(FitError::Nothing(
            failed
                .iter()
                .map(|(n, e)| format!("{n}: {e}"))
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    let all: Vec<&Session> = data.sessions.iter().collect();
    let pooled: Vec<Vec<f64>> = increments(&all, opts.dt, None)
        .into_iter()
        .map(|r| r.y)
        .collect();
    Ok(FitReport {
        objectives: data.objectives.clone(),
        dt: opts.dt,
        bounds: opts.bounds.clone(),
        dropped_rows: data.dropped_rows,
        strategies,
        pooled_increment_correlation: correlation(&pooled, n),
        failed,
    })
}

impl FitReport {
    /// The fitted model as a model spec that `simulate` runs directly.
    pub fn to_spec(&self, data: &Sessions, name: &str) -> ModelSpec {
        let n = self.objectives.len();
        let firsts: Vec<&Vec<f64>> = data.sessions.iter().map(|s| &s.states[0]).collect();
        let k = firsts.len().max(1) as f64;
        let x0: Vec<f64> = (0..n)
            .map(|i| firsts.iter().map(|x| x[i]).sum::<f64>() / k)
            .collect();
        let x0_sd: Vec<f64> = (0..n)
            .map(|i| {
                (firsts.iter().map(|x| (x[i] - x0[i]).powi(2)).sum::<f64>() / (k - 1.0).max(1.0))
                    .sqrt()
            })
            .collect();
        let (bounds, boundary) = match &self.bounds {
            Some(b) => (b.clone(), Boundary::Clamp),
            None => {
                // No bounds known: the data's range, widened by a tenth each side.
                let b = (0..n)
                    .map(|i| {
                        let lo = data
                            .sessions
                            .iter()
                            .flat_map(|s| s.states.iter().map(|x| x[i]))
                            .fold(f64::INFINITY, f64::min);
                        let hi = data
                            .sessions
                            .iter()
                            .flat_map(|s| s.states.iter().map(|x| x[i]))
                            .fold(f64::NEG_INFINITY, f64::max);
                        let pad = ((hi - lo) * 0.1).max(1e-6);
                        (lo - pad, hi + pad)
                    })
                    .collect();
                (b, Boundary::None)
            }
        };
        let steps = data
            .sessions
            .iter()
            .map(|s| s.iterations.last().copied().unwrap_or(0) - s.iterations[0])
            .max()
            .unwrap_or(1)
            .max(1);
        ModelSpec {
            name: name.to_string(),
            dt: self.dt,
            steps,
            boundary,
            x0,
            x0_sd: Some(x0_sd),
            objectives: self
                .objectives
                .iter()
                .zip(&bounds)
                .map(|(o, b)| ObjectiveSpec {
                    name: o.clone(),
                    lower: b.0,
                    upper: b.1,
                })
                .collect(),
            strategies: self
                .strategies
                .iter()
                .map(|s| StrategySpec {
                    name: s.name.clone(),
                    label: Some(s.name.clone()),
                    target: s.target.clone(),
                    rates: s.kappa.clone(),
                    interference: s.interference.clone(),
                    sigma: s.sigma.clone(),
                    noise_correlation: Some(s.noise_correlation.clone()),
                    diffusion: Default::default(),
                })
                .collect(),
            policy: None,
        }
    }
}
