//! Figure sets assembled from the outputs of each command (the data side of
//! `--plot`; the drawing is in `figures`). The whole paper set of
//! `mosde figures` is drawn by [`crate::workflow::paper_set()`] through these.

use std::path::{Path, PathBuf};

use super::figures::{
    EigenPlot, FigureError, FitSeries, FitTrajectories, Heatmaps, ParetoProjections, ParetoSeries,
    PassageHistograms, PassageSeries, PhasePortraits, PhaseSeries, Track, Trajectories,
    TrajectorySeries, save,
};
use crate::analysis::moments::{RecordMoments, quantile_sorted};
use crate::analysis::{Reduction, Report, terminal_rows};
use crate::engine::{JobOutput, Run, Scenario};
use crate::fit::{FitReport, StrategyFit};
use crate::formats::sessions::{Session, Sessions};
use crate::model::{Model, Policy};

/// Recorded paths needed before bands use empirical quantiles.
const BAND_PATHS: usize = 100;
/// Points per strategy drawn in scatter plots.
const SCATTER: usize = 600;
/// Paths per strategy drawn in phase portraits.
const PORTRAIT_PATHS: usize = 25;

/// The colour index of a scenario: its strategy's index, or after all
/// strategies for switching policies.
pub fn color_of(model: &Model, sc: &Scenario, position: usize) -> usize {
    match sc.policy {
        Policy::Fixed { strategy } => strategy,
        _ => model.strategies.len() + position,
    }
}

/// Evenly spaced subsample of at most `k` rows.
fn thin<T: Clone>(rows: &[T], k: usize) -> Vec<T> {
    if rows.len() <= k {
        return rows.to_vec();
    }
    (0..k).map(|i| rows[i * rows.len() / k].clone()).collect()
}

/// Recorded paths of every set: set → path → step → state.
type Recorded = Vec<Vec<Vec<Vec<f64>>>>;

/// The recorded paths of a job's output, in `f64`.
fn recorded(output: &JobOutput, steps: usize, n: usize) -> Recorded {
    output
        .sets
        .iter()
        .map(|s| {
            s.paths
                .chunks_exact((steps + 1) * n)
                .map(|p| {
                    p.chunks_exact(n)
                        .map(|x| x.iter().map(|v| f64::from(*v)).collect())
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Quantile `p` of every objective over the recorded paths, per record.
fn quantile_band(moments: &[RecordMoments], paths: &[Vec<Vec<f64>>], p: f64) -> Vec<Vec<f64>> {
    moments
        .iter()
        .map(|r| {
            (0..r.mean.len())
                .map(|i| {
                    let mut v: Vec<f64> =
                        paths.iter().map(|path| path[r.step as usize][i]).collect();
                    v.sort_by(f64::total_cmp);
                    quantile_sorted(&v, p)
                })
                .collect()
        })
        .collect()
}

/// Mean + `z` standard deviations, clamped to the bounds, per record.
fn normal_band(moments: &[RecordMoments], z: f64, b: &[(f64, f64)]) -> Vec<Vec<f64>> {
    moments
        .iter()
        .map(|r| {
            (0..r.mean.len())
                .map(|i| (r.mean[i] + z * r.sd[i]).clamp(b[i].0, b[i].1))
                .collect()
        })
        .collect()
}

/// Mean trajectories with a band: 5–95% of the recorded paths when every
/// strategy has enough of them, else mean ± 1.645 sd.
fn trajectories(
    dir: &Path,
    reduction: &Reduction,
    scenarios: &[Scenario],
    recorded: &Recorded,
) -> Result<Vec<PathBuf>, FigureError> {
    let report = &reduction.report;
    let model = &scenarios[0].model;
    let b = model.bounds();
    let empirical = recorded.iter().all(|r| r.len() >= BAND_PATHS);
    let series = scenarios
        .iter()
        .enumerate()
        .map(|(k, sc)| {
            let moments = &reduction.moments[k];
            let (lo, hi) = if empirical {
                let q = |p| quantile_band(moments, &recorded[k], p);
                (q(0.05), q(0.95))
            } else {
                (
                    normal_band(moments, -1.645, &b),
                    normal_band(moments, 1.645, &b),
                )
            };
            TrajectorySeries {
                name: sc.name.clone(),
                color: color_of(model, sc, k),
                t: moments
                    .iter()
                    .map(|r| f64::from(r.step) * report.dt)
                    .collect(),
                mean: moments.iter().map(|r| r.mean.clone()).collect(),
                lo,
                hi,
            }
        })
        .collect();
    let band = if empirical {
        "mean, 5–95% of paths"
    } else {
        "mean ± 1.645 sd"
    };
    let title = format!(
        "{}: mean trajectories ({} paths per strategy)",
        model.name, report.paths
    );
    let fig = Trajectories {
        title,
        objectives: model.objective_names(),
        bounds: b,
        band: band.into(),
        series,
    };
    save(&fig, dir, "trajectories")
}

/// A few recorded paths per strategy with targets and equilibria (nothing
/// when no path was recorded).
fn phase_portraits(
    dir: &Path,
    report: &Report,
    scenarios: &[Scenario],
    recorded: &Recorded,
) -> Result<Vec<PathBuf>, FigureError> {
    if recorded.iter().all(|r| r.is_empty()) {
        return Ok(Vec::new());
    }
    let model = &scenarios[0].model;
    let series = scenarios
        .iter()
        .enumerate()
        .map(|(k, sc)| PhaseSeries {
            name: sc.name.clone(),
            color: color_of(model, sc, k),
            paths: recorded[k].iter().take(PORTRAIT_PATHS).cloned().collect(),
            target: report.strategies[k].target.clone(),
            equilibrium: report.strategies[k].effective_equilibrium.clone(),
        })
        .collect();
    let fig = PhasePortraits {
        title: format!("{}: sample paths", model.name),
        objectives: model.objective_names(),
        bounds: model.bounds(),
        series,
    };
    save(&fig, dir, "phase_portraits")
}

/// First-passage histograms.
fn first_passage(
    dir: &Path,
    report: &Report,
    scenarios: &[Scenario],
) -> Result<Vec<PathBuf>, FigureError> {
    let model = &scenarios[0].model;
    let series = report
        .strategies
        .iter()
        .zip(scenarios)
        .enumerate()
        .map(|(k, (s, sc))| PassageSeries {
            name: s.name.clone(),
            color: color_of(model, sc, k),
            counts: s.first_passage.histogram.clone(),
            never: s.first_passage.never,
        })
        .collect();
    let tolerance = report
        .strategies
        .first()
        .map_or(0.05, |s| s.first_passage.tolerance);
    let fig = PassageHistograms {
        title: format!("{}: first-passage times", model.name),
        tolerance,
        series,
    };
    save(&fig, dir, "first_passage")
}

/// Terminal states (a subsample) and Pareto fronts in 2-D projections.
fn pareto_fronts(
    dir: &Path,
    report: &Report,
    scenarios: &[Scenario],
    output: &JobOutput,
) -> Result<Vec<PathBuf>, FigureError> {
    let model = &scenarios[0].model;
    let n = model.n();
    let series = output
        .sets
        .iter()
        .zip(scenarios)
        .enumerate()
        .map(|(k, (set, sc))| ParetoSeries {
            label: format!("{} (HV {:.3})", sc.name, report.strategies[k].hypervolume),
            color: color_of(model, sc, k),
            points: thin(&terminal_rows(set, n), SCATTER),
        })
        .collect();
    let fig = ParetoProjections {
        title: format!("{}: terminal states and Pareto fronts", model.name),
        objectives: model.objective_names(),
        bounds: model.bounds(),
        minimize: vec![false; n],
        series,
    };
    save(&fig, dir, "pareto_fronts")
}

/// Correlation of the simulated per-step increments, per strategy.
fn increment_correlation(
    dir: &Path,
    report: &Report,
    model: &Model,
) -> Result<Vec<PathBuf>, FigureError> {
    let panels = report
        .strategies
        .iter()
        .map(|s| (s.name.clone(), s.increment_correlation.clone()))
        .collect();
    let fig = Heatmaps {
        title: format!(
            "{}: correlation of per-step increments (simulated)",
            model.name
        ),
        objectives: model.objective_names(),
        panels,
        limit: 1.0,
        scale: "correlation".into(),
        axes: ("objective".into(), "objective".into()),
        fixed_diagonal: Some("diagonal: 1 by\ndefinition, not\nmeasured".into()),
    };
    save(&fig, dir, "increment_correlation")
}

/// Every figure of a simulation: trajectories, phase portraits, first
/// passage, Pareto fronts, eigenvalues, interference and increment
/// correlation heatmaps.
pub fn simulation(
    dir: &Path,
    reduction: &Reduction,
    run: &Run,
) -> Result<Vec<PathBuf>, FigureError> {
    let report = &reduction.report;
    let (scenarios, job, output) = (&run.scenarios[..], &run.job, &run.output);
    let model = &scenarios[0].model;
    let paths = recorded(output, job.steps() as usize, model.n());
    let mut files = trajectories(dir, reduction, scenarios, &paths)?;
    files.extend(phase_portraits(dir, report, scenarios, &paths)?);
    files.extend(first_passage(dir, report, scenarios)?);
    files.extend(pareto_fronts(dir, report, scenarios, output)?);
    files.extend(model_figures(dir, model, job.dt(0))?);
    files.extend(increment_correlation(dir, report, model)?);
    Ok(files)
}

/// The drift figures of a model: eigenvalues with the stability region, and
/// the interference matrices.
pub fn model_figures(dir: &Path, model: &Model, dt: f64) -> Result<Vec<PathBuf>, FigureError> {
    let mut files = eigenvalues(dir, model, dt)?;
    files.extend(interference(dir, model)?);
    Ok(files)
}

/// Eigenvalues of each strategy's drift matrix with the stability region
/// of the time step `dt`.
fn eigenvalues(dir: &Path, model: &Model, dt: f64) -> Result<Vec<PathBuf>, FigureError> {
    let series = crate::analysis::spectral::analyze(model, dt)
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let label = format!("{} (ρ = {:.2}, {})", s.name, s.rho, s.mode);
            (label, k, s.eigenvalues.clone())
        })
        .collect();
    let fig = EigenPlot {
        title: format!("{}: eigenvalues of A", model.name),
        dt,
        series,
    };
    save(&fig, dir, "eigenvalues")
}

/// The interference matrices, coloured up to the largest entry (at least 0.1).
fn interference(dir: &Path, model: &Model) -> Result<Vec<PathBuf>, FigureError> {
    let n = model.n();
    let panels: Vec<(String, Vec<Vec<f64>>)> = model
        .strategies
        .iter()
        .map(|s| {
            let m = (0..n)
                .map(|i| (0..n).map(|j| s.interference[(i, j)]).collect())
                .collect();
            (s.name.clone(), m)
        })
        .collect();
    let limit = panels
        .iter()
        .flat_map(|p| p.1.iter().flatten())
        .fold(0.1f64, |m, v| m.max(v.abs()));
    let fig = Heatmaps {
        title: format!(
            "{}: interference M of the drift A = (I + M)·diag(κ)",
            model.name
        ),
        objectives: model.objective_names(),
        panels,
        limit,
        scale: "interference M_ij".into(),
        axes: (
            "pulled objective (column j)".into(),
            "affected objective (row i)".into(),
        ),
        fixed_diagonal: Some(
            "diagonal: fixed at 0\n(self-pull is the\nrate κ), not a\nparameter".into(),
        ),
    };
    save(&fig, dir, "interference")
}

/// The axis bounds of a fit: the model's when it had bounds, else the range
/// of the data.
fn fit_bounds(data: &Sessions, report: &FitReport) -> Vec<(f64, f64)> {
    if let Some(b) = &report.bounds {
        return b.clone();
    }
    (0..data.objectives.len())
        .map(|i| {
            let v = data
                .sessions
                .iter()
                .flat_map(|s| s.states.iter().map(move |x| x[i]));
            v.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            })
        })
        .collect()
}

/// One session observed, and the fitted mean path from its first state.
fn fitted_track(s: &Session, f: &StrategyFit, report: &FitReport) -> (Track, Track) {
    let obs: Track = s
        .iterations
        .iter()
        .zip(&s.states)
        .map(|(t, x)| (f64::from(*t), x.clone()))
        .collect();
    let steps = s.iterations.last().copied().unwrap_or(0) - s.iterations[0];
    let path = f.mean_path(&s.states[0], steps, report.dt, report.bounds.as_deref());
    let pred = path
        .into_iter()
        .enumerate()
        .map(|(t, x)| (f64::from(s.iterations[0]) + t as f64, x))
        .collect();
    (obs, pred)
}

/// Fitted mean paths against a few observed sessions per strategy.
pub fn fit(
    dir: &Path,
    data: &Sessions,
    report: &FitReport,
    sessions_per_strategy: usize,
) -> Result<Vec<PathBuf>, FigureError> {
    let series = report
        .strategies
        .iter()
        .enumerate()
        .map(|(k, f)| FitSeries {
            name: f.name.clone(),
            color: k,
            r2: f.r2_trajectory,
            sessions: data
                .sessions
                .iter()
                .filter(|s| s.strategy == f.name)
                .take(sessions_per_strategy)
                .map(|s| fitted_track(s, f, report))
                .collect(),
        })
        .collect();
    let fig = FitTrajectories {
        title: "Fitted mean paths against observed sessions".into(),
        objectives: data.objectives.clone(),
        bounds: fit_bounds(data, report),
        series,
    };
    save(&fig, dir, "fit_trajectories")
}

/// A point table's 2-D projections with its front (for `pareto --plot`).
pub fn point_table(
    dir: &Path,
    names: &[String],
    values: &[Vec<f64>],
    bounds: &[(f64, f64)],
    minimize: &[bool],
) -> Result<Vec<PathBuf>, FigureError> {
    save(
        &ParetoProjections {
            title: format!("Pareto front of {} points", values.len()),
            objectives: names.to_vec(),
            bounds: bounds.to_vec(),
            minimize: minimize.to_vec(),
            series: vec![ParetoSeries {
                label: "points".into(),
                color: 0,
                points: values.to_vec(),
            }],
        },
        dir,
        "pareto_fronts",
    )
}
