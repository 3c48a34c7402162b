//! The paper set of figures (`mosde figures`): a simulation of the model with
//! its figures, then the fit check — the paper's experiment on its preset, or
//! sessions generated from any other model and fitted back.

use std::path::{Path, PathBuf};

use super::replicate::{self, replicate};
use super::{WorkflowError, generate};
use crate::analysis::Reduction;
use crate::engine::{Engine, Integration, Job, JobOptions, Run, SaveAt, Scenario};
use crate::fit::{self, FitOptions};
use crate::model::Model;
use crate::report::{self, plots};

/// Recorded paths per strategy in the simulation of the paper set.
const PAPER_RECORDED_PATHS: u32 = 200;
/// Generated sessions per strategy in the fit check (the paper's 100).
const CHECK_SESSIONS: u32 = 100;
/// Sessions per strategy drawn in the fit figure.
const FIT_PANEL_SESSIONS: usize = 4;

/// Every figure of the paper set for `model`, into `dir`: the figures of a
/// simulation of `paths` paths per strategy (its files, as `simulate`
/// writes them, go under `simulate/`), then the fit check. Returns the
/// figure files.
///
/// The fit check replicates the paper's experiment for its preset (with
/// the replication's files under `replicate/`); for any other model it
/// runs the same loop on the model itself: sessions generated from it and
/// fitted back.
pub fn paper_set(
    dir: &Path,
    model: &Model,
    engine: &mut dyn Engine,
    paths: u64,
    seed: u64,
) -> Result<Vec<PathBuf>, WorkflowError> {
    let mut files = simulated(dir, model, engine, paths, seed)?;
    if Model::preset("code-generation").is_ok_and(|p| p.spec == model.spec) {
        files.extend(replicated(dir, model, engine, seed)?);
    } else {
        files.extend(refitted(dir, model, engine, seed)?);
    }
    Ok(files)
}

/// Simulates the default scenarios with recorded paths, writes the tables
/// and draws the simulation's figures.
fn simulated(
    dir: &Path,
    model: &Model,
    engine: &mut dyn Engine,
    paths: u64,
    seed: u64,
) -> Result<Vec<PathBuf>, WorkflowError> {
    let scenarios = Scenario::defaults(model);
    let opts = JobOptions {
        integration: Integration {
            paths,
            seed,
            ..Default::default()
        },
        save: SaveAt {
            record_paths: PAPER_RECORDED_PATHS,
            ..Default::default()
        },
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts)?;
    let run = Run::execute(engine, scenarios, job, &mut |_| {})?;
    let reduction = Reduction::new(&run, &Default::default());
    report::write_simulation(&dir.join("simulate"), &run, &reduction)?;
    Ok(plots::simulation(dir, &reduction, &run)?)
}

/// The paper's experiment on its preset: the comparison and the fit.
fn replicated(
    dir: &Path,
    model: &Model,
    engine: &mut dyn Engine,
    seed: u64,
) -> Result<Vec<PathBuf>, WorkflowError> {
    let run = replicate(model, engine, CHECK_SESSIONS, 10, seed, 200)?;
    run.write(&dir.join("replicate"))?;
    let mut files = replicate::figures(dir, &run.replication, &model.objective_names())?;
    files.extend(plots::fit(
        dir,
        &run.sessions,
        &run.fit,
        FIT_PANEL_SESSIONS,
    )?);
    Ok(files)
}

/// Sessions generated from the model and fitted back (with its bounds,
/// unless its boundary rule is `none`).
fn refitted(
    dir: &Path,
    model: &Model,
    engine: &mut dyn Engine,
    seed: u64,
) -> Result<Vec<PathBuf>, WorkflowError> {
    let iterations = model.steps.min(20);
    let data = generate(model, engine, CHECK_SESSIONS, iterations, seed, 0.0)?;
    let opts = FitOptions {
        dt: model.dt,
        // Under `boundary = "none"` states leave the bounds, so the bounds
        // neither hold the sessions nor censor their increments.
        bounds: (model.boundary != crate::model::Boundary::None).then(|| model.bounds()),
        bootstrap: 100,
        seed,
        ..Default::default()
    };
    let fitted = fit::fit(&data, &opts)?;
    Ok(plots::fit(dir, &data, &fitted, FIT_PANEL_SESSIONS)?)
}
