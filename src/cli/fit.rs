//! `mosde fit`: fit the SDE to logged sessions.

use std::path::{Path, PathBuf};

use clap::Args;
use mosde::fit::{self, FitError, FitOptions, FitReport};
use mosde::formats::sessions::{SessionError, Sessions};
use mosde::model::Model;
use mosde::report;

use super::args::parse_bounds;
use super::common;
use super::common::InputError;

/// Flags of `fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Session CSV: session, strategy, iteration, <objective>…
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Time per iteration.
    #[arg(long, default_value_t = 1.0)]
    dt: f64,
    /// Bounds per objective, `lo:hi,...`, which turn on censoring (or take
    /// them from --model / --preset).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LO:HI,...",
        allow_hyphen_values = true
    )]
    bounds: Option<Vec<String>>,
    #[command(flatten)]
    model: OptionalModel,
    /// Fraction of sessions per strategy held out for the out-of-sample R².
    #[arg(long, default_value_t = 0.0)]
    holdout: f64,
    /// Bootstrap resamples over sessions for the confidence intervals.
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Seed of the holdout split and the bootstrap.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Drop rows with a missing value (and say how many) instead of failing.
    #[arg(long)]
    allow_missing: bool,
    /// Where to write the fitted model (TOML).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Where to write the fit report (JSON).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Draw fitted against observed trajectories into the folder of --out.
    #[arg(long)]
    plot: bool,
}

/// `--model`/`--preset` without a default: only used for the bounds.
#[derive(Debug, Args)]
struct OptionalModel {
    /// Take the bounds from this model file.
    #[arg(long = "model", value_name = "FILE", conflicts_with_all = ["preset", "bounds"])]
    model: Option<PathBuf>,
    /// Take the bounds from this preset.
    #[arg(long = "preset", value_name = "NAME", conflicts_with = "bounds")]
    preset: Option<String>,
}

/// Runs `mosde fit`: read, fit, write the model (and report, figures), print.
pub fn run(a: FitArgs) -> anyhow::Result<()> {
    let data = read(&a.data, a.allow_missing)?;
    let opts = FitOptions {
        dt: a.dt,
        bounds: bounds(&a, &data.objectives)?,
        holdout: a.holdout,
        bootstrap: a.bootstrap,
        seed: a.seed,
    };
    let fitted = fit::fit(&data, &opts).map_err(with_flag)?;
    let name = a.data.file_stem().map_or("fitted".to_string(), |s| {
        format!("{}-fit", s.to_string_lossy())
    });
    let toml = fitted.model_toml(&data, &name, &a.out.display().to_string())?;
    report::write_atomic(&a.out, toml.as_bytes())?;
    if let Some(r) = &a.report {
        report::write_json(r, &fitted)?;
    }
    if a.plot {
        let dir = a
            .out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let files = report::plots::fit(dir, &data, &fitted, 4)?;
        eprintln!("{} figure files -> {}", files.len(), dir.display());
    }
    print_fit(&fitted)?;
    common::outln!("fitted model -> {}", a.out.display())?;
    Ok(())
}

/// Reads the sessions, pointing at `--allow-missing` when a value is missing.
fn read(path: &Path, allow_missing: bool) -> anyhow::Result<Sessions> {
    let data = Sessions::read(path, allow_missing).map_err(|e| match e {
        SessionError::MissingValue { .. } => {
            anyhow::Error::new(e).context("a value is missing (--allow-missing drops such rows)")
        }
        e => e.into(),
    })?;
    if data.dropped_rows > 0 {
        eprintln!(
            "note: dropped {} rows with missing values",
            data.dropped_rows
        );
    }
    Ok(data)
}

/// The bounds the flags give: `--bounds`, or those of the objectives of
/// `--model` / `--preset`, matched by name; none (no censoring) otherwise.
fn bounds(a: &FitArgs, names: &[String]) -> anyhow::Result<Option<Vec<(f64, f64)>>> {
    let model = match (&a.bounds, &a.model.model, &a.model.preset) {
        (Some(b), _, _) => return Ok(Some(parse_bounds("--bounds", b, names)?)),
        (None, Some(p), _) => Model::from_file(p)?,
        (None, None, Some(p)) => Model::preset(p)?,
        (None, None, None) => {
            eprintln!(
                "note: no bounds given (--bounds, --model, --preset): increments are not censored"
            );
            return Ok(None);
        }
    };
    let bounds = model.bounds_of(names).map_err(|n| {
        InputError(format!(
            "objective '{n}' of the data is not in model '{}' ({})",
            model.name,
            model.objective_names().join(", ")
        ))
    })?;
    Ok(Some(bounds))
}

/// Names the flag behind a fit error that a setting caused.
fn with_flag(e: FitError) -> anyhow::Error {
    let flag = match &e {
        FitError::Dt(_) => "--dt",
        FitError::Holdout(_) => "--holdout",
        FitError::BoundsCount { .. } => "--bounds",
        FitError::OutsideBounds { .. } => "--bounds/--model/--preset",
        _ => return e.into(),
    };
    anyhow::Error::new(e).context(flag)
}

/// The fit table on stdout, its warnings on stderr.
fn print_fit(f: &FitReport) -> std::io::Result<()> {
    let ci =
        |c: Option<[f64; 2]>| c.map_or("-".to_string(), |c| format!("[{:.3}, {:.3}]", c[0], c[1]));
    let rows: Vec<Vec<String>> = f
        .strategies
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.increments.to_string(),
                format!("{:.3}", s.rho),
                ci(s.rho_ci),
                s.mode.to_string(),
                report::vec_str(&s.target, 2),
                format!("{:.3}", s.r2_one_step),
                report::opt(s.r2_holdout, 3),
                format!("{:.3}", s.r2_trajectory),
            ]
        })
        .collect();
    common::out!(
        "{}",
        report::table(
            &[
                "strategy",
                "increments",
                "rho",
                "rho 95% CI",
                "mode",
                "x*",
                "R2 1-step",
                "R2 holdout",
                "R2 trajectory"
            ],
            &rows
        )
    )?;
    for (s, e) in &f.failed {
        eprintln!("warning: strategy {s} could not be fitted: {e}");
    }
    for s in &f.strategies {
        for w in &s.warnings {
            eprintln!("warning: {}: {w}", s.name);
        }
    }
    Ok(())
}
