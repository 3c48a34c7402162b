//! Fitting the SDE to logged sessions (DESIGN §1, "Fitting").
//!
//! Per strategy, least squares of the increments on the state,
//! `Δx/dt = b − A x`, gives A and `x* = A⁻¹ b`; then `κ = diag(A)` and
//! `M_ij = A_ij / A_jj`. The residual covariance gives σ and the noise
//! correlation. With bounds known, an increment that lands on a bound is
//! censored (the clamp hides the drift) and is left out of that objective's
//! equation; an objective with too few uncensored increments is reported as
//! pinned at its bound and left out of ρ rather than fitted as a rate of 1.
//!
//! The steps live in submodules: increments and their censoring
//! (`increments`), the least-squares core (`regression`), R² and warnings
//! (`diagnostics`), resampling and percentile intervals (`bootstrap`), and
//! the fitted model as a model spec (`export`).

mod bootstrap;
mod diagnostics;
mod export;
mod increments;
mod regression;

use serde::{Deserialize, Serialize};

use crate::analysis::spectral::Mode;
use crate::formats::sessions::{Session, Sessions};
use increments::{correlation, increments};

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

/// Largest number of bootstrap resamples (of a fit, or of a sweep's
/// sensitivity intervals): each is a whole refit, and each keeps its result.
pub const MAX_BOOTSTRAP: usize = 100_000;

/// Errors of a fit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// The time per iteration is not a positive finite number.
    #[error("the time per iteration dt = {0} must be a finite number > 0")]
    Dt(f64),
    /// More bootstrap resamples than [`MAX_BOOTSTRAP`].
    #[error("bootstrap = {0} resamples is more than the limit of {MAX_BOOTSTRAP}")]
    Bootstrap(usize),
    /// The holdout fraction is outside `[0, 1)`.
    #[error("the holdout fraction {0} must lie in [0, 1)")]
    Holdout(f64),
    /// The bounds do not match the objectives one to one.
    #[error("{bounds} bounds for {objectives} objectives")]
    BoundsCount {
        /// Ranges given.
        bounds: usize,
        /// Objectives in the data.
        objectives: usize,
    },
    /// An observed value lies outside its objective's bounds.
    #[error("session '{session}' has {objective} = {value} outside the bounds [{lower}, {upper}]")]
    OutsideBounds {
        /// Session identifier.
        session: String,
        /// Objective name.
        objective: String,
        /// The observed value.
        value: f64,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
    },
    /// No strategy could be fitted.
    #[error("no strategy could be fitted: {}", list(.failed))]
    Nothing {
        /// Every strategy with the reason it could not be fitted.
        failed: Vec<(String, StrategyError)>,
    },
}

impl FitError {
    /// Whether the error is bad input: settings that cannot work or data
    /// that cannot be fitted (every fit error is; a fit does no I/O).
    pub fn is_input(&self) -> bool {
        match self {
            FitError::Dt(_)
            | FitError::Bootstrap(_)
            | FitError::Holdout(_)
            | FitError::BoundsCount { .. }
            | FitError::OutsideBounds { .. }
            | FitError::Nothing { .. } => true,
        }
    }
}

fn list(failed: &[(String, StrategyError)]) -> String {
    failed
        .iter()
        .map(|(n, e)| format!("{n}: {e}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why one strategy could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StrategyError {
    /// No two consecutive iterations in any session.
    #[error("no increments (sessions need two consecutive iterations)")]
    NoIncrements,
    /// Fewer increments than a fit of this many objectives needs.
    #[error(
        "only {increments} increments (consecutive iterations); fitting needs at least {needed}: give more sessions or iterations"
    )]
    TooFewData {
        /// Increments in the data.
        increments: usize,
        /// Increments needed: 2 (N + 1) for N objectives.
        needed: usize,
    },
    /// Every objective is pinned at a bound.
    #[error("every objective is pinned at a bound")]
    AllPinned,
    /// Fewer uncensored increments than coefficients.
    #[error(
        "objective '{objective}' has {usable} usable increments for {coefficients} coefficients"
    )]
    TooFewIncrements {
        /// Objective name.
        objective: String,
        /// Uncensored increments.
        usable: usize,
        /// Coefficients of its regression.
        coefficients: usize,
    },
    /// The states are (nearly) collinear.
    #[error("the states do not vary enough to fit objective '{objective}' (singular regression)")]
    Singular {
        /// Objective name.
        objective: String,
    },
    /// The fitted drift matrix cannot be inverted.
    #[error("the fitted drift matrix is singular: no equilibrium")]
    NoEquilibrium,
    /// The fitted drift matrix has no finite eigenvalues.
    #[error(
        "the fitted drift matrix has no finite eigenvalues (the values are too large to fit, or the eigen-solver did not converge)"
    )]
    NoSpectrum,
}

impl StrategyError {
    /// Whether the error is bad input (always: the data cannot be fitted).
    pub fn is_input(&self) -> bool {
        true
    }
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

/// Fits every strategy of the sessions.
pub fn fit(data: &Sessions, opts: &FitOptions) -> Result<FitReport, FitError> {
    check(data, opts)?;
    let n = data.objectives.len();
    let mut strategies = Vec::new();
    let mut failed = Vec::new();
    for (k, name) in data.strategies().into_iter().enumerate() {
        let ss: Vec<&Session> = data
            .sessions
            .iter()
            .filter(|s| s.strategy == name)
            .collect();
        let seed = opts.seed.wrapping_add(k as u64 * 0x1000_0001);
        match fit_strategy(&name, &ss, &data.objectives, opts, seed) {
            Ok(f) => strategies.push(f),
            Err(e) => failed.push((name, e)),
        }
    }
    if strategies.is_empty() {
        return Err(FitError::Nothing { failed });
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
        failed: failed
            .into_iter()
            .map(|(name, e)| (name, e.to_string()))
            .collect(),
    })
}

/// Checks the settings against the data.
fn check(data: &Sessions, opts: &FitOptions) -> Result<(), FitError> {
    if !(opts.dt.is_finite() && opts.dt > 0.0) {
        return Err(FitError::Dt(opts.dt));
    }
    if !(0.0..1.0).contains(&opts.holdout) {
        return Err(FitError::Holdout(opts.holdout));
    }
    if opts.bootstrap > MAX_BOOTSTRAP {
        return Err(FitError::Bootstrap(opts.bootstrap));
    }
    let Some(b) = &opts.bounds else {
        return Ok(());
    };
    let n = data.objectives.len();
    if b.len() != n {
        return Err(FitError::BoundsCount {
            bounds: b.len(),
            objectives: n,
        });
    }
    for s in &data.sessions {
        for x in &s.states {
            if let Some(i) = (0..n).find(|&i| x[i] < b[i].0 || x[i] > b[i].1) {
                return Err(FitError::OutsideBounds {
                    session: s.id.clone(),
                    objective: data.objectives[i].clone(),
                    value: x[i],
                    lower: b[i].0,
                    upper: b[i].1,
                });
            }
        }
    }
    Ok(())
}

/// Fits one strategy's sessions: holdout split, least squares, diagnostics
/// and bootstrap intervals.
fn fit_strategy(
    name: &str,
    all: &[&Session],
    names: &[String],
    opts: &FitOptions,
    seed: u64,
) -> Result<StrategyFit, StrategyError> {
    let n = names.len();
    let bounds = opts.bounds.as_deref();
    let (hold, train) = bootstrap::split_holdout(all, opts.holdout, seed);
    let inc = increments(&train, opts.dt, bounds);
    let core = regression::fit_core(&inc, names, opts)?;
    let (ev, rho, radius) = core.free_spectrum(opts.dt);
    if rho.is_nan() {
        return Err(StrategyError::NoSpectrum);
    }
    let mut warnings = diagnostics::warnings(&core, &inc, names, rho, radius);
    let outside =
        bounds.is_some_and(|b| (0..n).any(|i| core.target[i] < b[i].0 || core.target[i] > b[i].1));
    // A pinned objective sticks at its bound: the boundary mode, whatever
    // the free objectives' eigenvalues say.
    let mode = Mode::classify(rho, !core.pinned.is_empty() || outside, &ev);
    let all_inc = increments(all, opts.dt, bounds);
    let boot = bootstrap::bootstrap(&train, names, opts, seed);
    if opts.bootstrap > 0 && boot.failures * 10 > opts.bootstrap {
        warnings.push(format!(
            "{} of {} bootstrap resamples could not be fitted",
            boot.failures, opts.bootstrap
        ));
    }
    Ok(StrategyFit {
        name: name.to_string(),
        sessions: train.len(),
        holdout_sessions: hold.len(),
        increments: inc.len(),
        a: regression::rows(&core.a),
        kappa: (0..n).map(|i| core.a[(i, i)]).collect(),
        interference: regression::interference_of(&core.a),
        target: core.target.iter().copied().collect(),
        sigma: core.sigma.iter().copied().collect(),
        noise_correlation: regression::rows(&core.corr),
        increment_correlation: correlation(
            &all_inc.iter().map(|r| r.y.clone()).collect::<Vec<_>>(),
            n,
        ),
        eigenvalues: ev,
        rho,
        rho_ci: boot.rho,
        target_ci: boot.target,
        interference_ci: boot.interference,
        bootstrap_failures: boot.failures,
        mode,
        discrete_spectral_radius: radius,
        r2_one_step: diagnostics::r2_one_step(&core, &inc),
        r2_holdout: (!hold.is_empty())
            .then(|| diagnostics::r2_one_step(&core, &increments(&hold, opts.dt, bounds))),
        r2_trajectory: diagnostics::r2_trajectory(&core, &train, opts.dt, bounds),
        pinned: core.pinned,
        warnings,
    })
}

/// Sessions of known linear drifts for the unit tests.
#[cfg(test)]
pub(crate) mod testdata {
    use crate::formats::sessions::{Session, Sessions};

    /// Iterations per session.
    pub const ITERATIONS: u32 = 8;

    /// Drift matrix and target of strategy `P` (rates 0.5 and 0.3,
    /// eigenvalues 0.5 and 0.3) and of `Q` (rates 0.8 and 0.6).
    pub const TRUTH: [([[f64; 2]; 2], [f64; 2]); 2] = [
        ([[0.5, 0.1], [0.0, 0.3]], [6.0, 4.0]),
        ([[0.8, 0.0], [-0.1, 0.6]], [3.0, 7.0]),
    ];

    /// Twelve sessions per strategy on two objectives in `[0, 10]`, from
    /// spread starts, with a small deterministic wobble in place of noise.
    pub fn sessions() -> Sessions {
        let mut sessions = Vec::new();
        for (k, (a, target)) in TRUTH.iter().enumerate() {
            for s in 0..12 {
                let mut x = [1.0 + f64::from(s % 4) * 2.0, 2.0 + f64::from(s % 3) * 2.5];
                let mut states = vec![x.to_vec()];
                for t in 1..=ITERATIONS {
                    let drift =
                        [0, 1].map(|i| (0..2).map(|j| a[i][j] * (target[j] - x[j])).sum::<f64>());
                    for i in 0..2 {
                        let wobble = 0.2
                            * (1.7 * f64::from(s) + 2.3 * f64::from(t) + 0.9 * i as f64 + k as f64)
                                .sin();
                        x[i] = (x[i] + drift[i] + wobble).clamp(0.0, 10.0);
                    }
                    states.push(x.to_vec());
                }
                sessions.push(Session {
                    id: format!("{}{s}", ["P", "Q"][k]),
                    strategy: ["P", "Q"][k].into(),
                    iterations: (0..=ITERATIONS).collect(),
                    states,
                });
            }
        }
        Sessions {
            objectives: vec!["a".into(), "b".into()],
            sessions,
            dropped_rows: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> FitOptions {
        FitOptions {
            bounds: Some(vec![(0.0, 10.0); 2]),
            bootstrap: 20,
            seed: 5,
            ..Default::default()
        }
    }

    #[test]
    fn fits_each_strategy_near_its_truth() {
        let data = testdata::sessions();
        let report = fit(&data, &quick()).unwrap();
        assert_eq!(report.objectives, ["a", "b"]);
        assert!(report.failed.is_empty());
        for (f, (a, target)) in report.strategies.iter().zip(testdata::TRUTH) {
            assert_eq!((f.sessions, f.increments), (12, 12 * 8));
            for i in 0..2 {
                assert!(
                    (f.target[i] - target[i]).abs() < 0.3,
                    "{}: {:?}",
                    f.name,
                    f.target
                );
                assert!(
                    (f.kappa[i] - a[i][i]).abs() < 0.1,
                    "{}: {:?}",
                    f.name,
                    f.kappa
                );
            }
            assert_eq!(f.mode, Mode::Exponential, "{}", f.name);
            let ci = f.rho_ci.unwrap();
            assert!(ci[0] <= ci[1], "{ci:?}");
            assert!(f.r2_trajectory > 0.8, "{}: {}", f.name, f.r2_trajectory);
        }
        assert_eq!(
            fit(&data, &quick()).unwrap(),
            report,
            "a fit is deterministic"
        );
    }

    #[test]
    fn a_strategy_without_increments_is_reported_not_fatal() {
        let mut data = testdata::sessions();
        data.sessions.push(Session {
            id: "r".into(),
            strategy: "R".into(),
            iterations: vec![0, 2],
            states: vec![vec![1.0, 1.0], vec![2.0, 2.0]],
        });
        let report = fit(&data, &quick()).unwrap();
        assert_eq!(report.strategies.len(), 2);
        assert_eq!(
            report.failed,
            [(
                "R".to_string(),
                "no increments (sessions need two consecutive iterations)".to_string()
            )]
        );
        data.sessions.retain(|s| s.strategy == "R");
        let err = fit(&data, &quick()).unwrap_err();
        assert!(
            matches!(&err, FitError::Nothing { failed } if failed[0].1 == StrategyError::NoIncrements)
        );
        assert_eq!(
            err.to_string(),
            format!(
                "no strategy could be fitted: R: {}",
                StrategyError::NoIncrements
            )
        );
    }

    #[test]
    fn bad_settings_are_typed_input_errors_without_flag_names() {
        let data = testdata::sessions();
        let with = |f: fn(&mut FitOptions)| {
            let mut o = quick();
            f(&mut o);
            fit(&data, &o).unwrap_err()
        };
        let errors = [
            with(|o| o.dt = 0.0),
            with(|o| o.holdout = 1.0),
            with(|o| o.bounds = Some(vec![(0.0, 10.0)])),
            with(|o| o.bounds = Some(vec![(0.0, 10.0), (5.0, 10.0)])),
        ];
        assert!(matches!(errors[0], FitError::Dt(_)));
        assert!(matches!(errors[1], FitError::Holdout(_)));
        assert!(matches!(
            errors[2],
            FitError::BoundsCount {
                bounds: 1,
                objectives: 2
            }
        ));
        assert!(
            matches!(&errors[3], FitError::OutsideBounds { objective, .. } if objective == "b")
        );
        for e in errors {
            assert!(e.is_input());
            assert!(!e.to_string().contains("--"), "{e}");
        }
    }

    #[test]
    fn a_holdout_gives_an_out_of_sample_r2() {
        let opts = FitOptions {
            holdout: 0.25,
            ..quick()
        };
        let report = fit(&testdata::sessions(), &opts).unwrap();
        let f = &report.strategies[0];
        assert_eq!((f.sessions, f.holdout_sessions), (9, 3));
        assert!(f.r2_holdout.is_some_and(|r| r > 0.5), "{:?}", f.r2_holdout);
    }
}
