//! Figure sets assembled from the outputs of each command (the data side of
//! `--plot` and `mosde figures`; the drawing is in `figures`).

use std::path::{Path, PathBuf};

use super::figures::{
    ComparisonRow, EigenPlot, FigureError, FitSeries, FitTrajectories, Heatmaps, PaperComparison,
    ParetoProjections, ParetoSeries, PassageHistograms, PassageSeries, PhasePortraits, PhaseSeries,
    Trajectories, TrajectorySeries, save,
};
use crate::analysis::moments::quantile_sorted;
use crate::analysis::{Report, terminal_rows};
use crate::engine::{Job, JobOutput, Scenario};
use crate::fit::FitReport;
use crate::formats::sessions::Sessions;
use crate::model::{Model, Policy};
use crate::workflow::replicate::Replication;

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

fn bounds(model: &Model) -> Vec<(f64, f64)> {
    model
        .objectives
        .iter()
        .map(|o| (o.lower, o.upper))
        .collect()
}

/// Evenly spaced subsample of at most `k` rows.
fn thin<T: Clone>(rows: &[T], k: usize) -> Vec<T> {
    if rows.len() <= k {
        return rows.to_vec();
    }
    (0..k).map(|i| rows[i * rows.len() / k].clone()).collect()
}

/// Every figure of a simulation: trajectories, phase portraits, first
/// passage, Pareto fronts, eigenvalues, interference and increment
/// correlation heatmaps.
pub fn simulation(
    dir: &Path,
    report: &Report,
    scenarios: &[Scenario],
    job: &Job,
    output: &JobOutput,
) -> Result<Vec<PathBuf>, FigureError> {
    let model = &scenarios[0].model;
    let n = model.n();
    let steps = job.run.steps as usize;
    let b = bounds(model);
    let mut files = Vec::new();
    let recorded: Vec<Vec<Vec<Vec<f64>>>> = output
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
        .collect();
    let empirical = recorded.iter().all(|r| r.len() >= BAND_PATHS);
    let band = if empirical {
        "mean, 5–95% of paths"
    } else {
        "mean ± 1.645 sd"
    };
    let series = scenarios
        .iter()
        .enumerate()
        .map(|(k, sc)| {
            let moments = &report.moments[k];
            let t: Vec<f64> = moments
                .iter()
                .map(|r| f64::from(r.step) * report.dt)
                .collect();
            let mean: Vec<Vec<f64>> = moments.iter().map(|r| r.mean.clone()).collect();
            let (lo, hi) = if empirical {
                let q = |p: f64| -> Vec<Vec<f64>> {
                    moments
                        .iter()
                        .map(|r| {
                            (0..n)
                                .map(|i| {
                                    let mut v: Vec<f64> = recorded[k]
                                        .iter()
                                        .map(|path| path[r.step as usize][i])
                                        .collect();
                                    v.sort_by(f64::total_cmp);
                                    quantile_sorted(&v, p)
                                })
                                .collect()
                        })
                        .collect()
                };
                (q(0.05), q(0.95))
            } else {
                let side = |sign: f64| -> Vec<Vec<f64>> {
                    moments
                        .iter()
                        .map(|r| {
                            (0..n)
                                .map(|i| (r.mean[i] + sign * 1.645 * r.sd[i]).clamp(b[i].0, b[i].1))
                                .collect()
                        })
                        .collect()
                };
                (side(-1.0), side(1.0))
            };
            TrajectorySeries {
                name: sc.name.clone(),
                color: color_of(model, sc, k),
                t,
                mean,
                lo,
                hi,
            }
        })
        .collect();
    let names = model.objective_names();
    files.extend(save(
        &Trajectories {
            title: format!(
                "{}: mean trajectories ({} paths per strategy)",
                model.name, report.paths
            ),
            objectives: names.clone(),
            bounds: b.clone(),
            band: band.into(),
            series,
        },
        dir,
        "trajectories",
    )?);
    if recorded.iter().any(|r| !r.is_empty()) {
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
        files.extend(save(
            &PhasePortraits {
                title: format!("{}: sample paths", model.name),
                objectives: names.clone(),
                bounds: b.clone(),
                series,
            },
            dir,
            "phase_portraits",
        )?);
    }
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
    files.extend(save(
        &PassageHistograms {
            title: format!("{}: first-passage times", model.name),
            tolerance,
            series,
        },
        dir,
        "first_passage",
    )?);
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
    files.extend(save(
        &ParetoProjections {
            title: format!("{}: terminal states and Pareto fronts", model.name),
            objectives: names.clone(),
            bounds: b,
            minimize: vec![false; n],
            series,
        },
        dir,
        "pareto_fronts",
    )?);
    files.extend(model_figures(dir, model, job.sets[0].dt.into())?);
    let panels: Vec<(String, Vec<Vec<f64>>)> = report
        .strategies
        .iter()
        .map(|s| (s.name.clone(), s.increment_correlation.clone()))
        .collect();
    files.extend(save(
        &Heatmaps {
            title: format!(
                "{}: correlation of per-step increments (simulated)",
                model.name
            ),
            objectives: names,
            panels,
            limit: 1.0,
        },
        dir,
        "increment_correlation",
    )?);
    Ok(files)
}

/// The drift figures of a model: eigenvalues with the stability region, and
/// the interference matrices.
pub fn model_figures(dir: &Path, model: &Model, dt: f64) -> Result<Vec<PathBuf>, FigureError> {
    let mut files = Vec::new();
    let spectra = crate::analysis::spectral::analyze(model, dt);
    files.extend(save(
        &EigenPlot {
            title: format!("{}: eigenvalues of A", model.name),
            dt,
            series: spectra
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    (
                        format!("{} (ρ = {:.2}, {})", s.name, s.rho, s.mode),
                        k,
                        s.eigenvalues.clone(),
                    )
                })
                .collect(),
        },
        dir,
        "eigenvalues",
    )?);
    let n = model.n();
    let panels: Vec<(String, Vec<Vec<f64>>)> = model
        .strategies
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                (0..n)
                    .map(|i| (0..n).map(|j| s.interference[(i, j)]).collect())
                    .collect(),
            )
        })
        .collect();
    let limit = panels
        .iter()
        .flat_map(|p| p.1.iter().flatten())
        .fold(0.1f64, |m, v| m.max(v.abs()));
    files.extend(save(
        &Heatmaps {
            title: format!(
                "{}: interference M (row: affected objective, column: pulled objective)",
                model.name
            ),
            objectives: model.objective_names(),
            panels,
            limit,
        },
        dir,
        "interference",
    )?);
    Ok(files)
}

/// Fitted mean paths against a few observed sessions per strategy.
pub fn fit(
    dir: &Path,
    data: &Sessions,
    report: &FitReport,
    sessions_per_strategy: usize,
) -> Result<Vec<PathBuf>, FigureError> {
    let n = data.objectives.len();
    let b: Vec<(f64, f64)> = match &report.bounds {
        Some(b) => b.clone(),
        None => (0..n)
            .map(|i| {
                let v = data
                    .sessions
                    .iter()
                    .flat_map(|s| s.states.iter().map(move |x| x[i]));
                let (lo, hi) = v.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                    (a.min(x), b.max(x))
                });
                (lo, hi)
            })
            .collect(),
    };
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
                .map(|s| {
                    let obs: Vec<(f64, Vec<f64>)> = s
                        .iterations
                        .iter()
                        .zip(&s.states)
                        .map(|(t, x)| (f64::from(*t), x.clone()))
                        .collect();
                    let steps = s.iterations.last().copied().unwrap_or(0) - s.iterations[0];
                    let path =
                        f.mean_path(&s.states[0], steps, report.dt, report.bounds.as_deref());
                    let pred = path
                        .into_iter()
                        .enumerate()
                        .map(|(t, x)| (f64::from(s.iterations[0]) + t as f64, x))
                        .collect();
                    (obs, pred)
                })
                .collect(),
        })
        .collect();
    save(
        &FitTrajectories {
            title: "Fitted mean paths against observed sessions".into(),
            objectives: data.objectives.clone(),
            bounds: b,
            series,
        },
        dir,
        "fit_trajectories",
    )
}

/// Our replicated numbers against the paper's.
pub fn replication(dir: &Path, r: &Replication) -> Result<Vec<PathBuf>, FigureError> {
    let rows = r
        .strategies
        .iter()
        .enumerate()
        .map(|(k, s)| ComparisonRow {
            name: s.name.clone(),
            color: k,
            rho_paper: (
                s.paper.rho,
                s.paper.rho_interval.map(|c| (c[1] - c[0]) / 2.0),
            ),
            rho_ours: (s.ours.rho, s.ours.rho_interval),
            r2_paper: s.paper.r2,
            r2_ours: s.ours.r2,
        })
        .collect();
    save(
        &PaperComparison {
            title: format!(
                "Replication: {} sessions × {} iterations per strategy, refitted",
                r.sessions, r.iterations
            ),
            rows,
        },
        dir,
        "replication",
    )
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
