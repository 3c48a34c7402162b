//! `mosde fit`: fit the SDE to logged sessions.

use std::path::PathBuf;

use clap::Args;
use mosde::analysis::fit::{self, FitOptions, FitReport};
use mosde::analysis::sessions::Sessions;
use mosde::model::Model;
use mosde::report;

use super::common::{InputError, ModelArgs, parse_bounds};

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

/// Bounds of a model, matched to the data's objectives by name.
pub fn model_bounds(model: &Model, names: &[String]) -> Result<Vec<(f64, f64)>, InputError> {
    names
        .iter()
        .map(|n| {
            model
                .objectives
                .iter()
                .find(|o| &o.name == n)
                .map(|o| (o.lower, o.upper))
                .ok_or_else(|| {
                    InputError(format!(
                        "objective '{n}' of the data is not in model '{}' ({})",
                        model.name,
                        model.objective_names().join(", ")
                    ))
                })
        })
        .collect()
}

pub fn run(a: FitArgs) -> anyhow::Result<()> {
    let data = Sessions::read(&a.data, a.allow_missing)?;
    if data.dropped_rows > 0 {
        eprintln!(
            "note: dropped {} rows with missing values",
            data.dropped_rows
        );
    }
    let bounds = match (&a.bounds, &a.model.model, &a.model.preset) {
        (Some(b), _, _) => Some(parse_bounds("--bounds", b, &data.objectives)?),
        (None, Some(p), _) => Some(model_bounds(&Model::from_file(p)?, &data.objectives)?),
        (None, None, Some(p)) => Some(model_bounds(
            &ModelArgs {
                preset: Some(p.clone()),
                model: None,
            }
            .load()?,
            &data.objectives,
        )?),
        (None, None, None) => None,
    };
    if bounds.is_none() {
        eprintln!(
            "note: no bounds given (--bounds, --model, --preset): increments are not censored"
        );
    }
    let opts = FitOptions {
        dt: a.dt,
        bounds,
        holdout: a.holdout,
        bootstrap: a.bootstrap,
        seed: a.seed,
    };
    let fitted = fit::fit(&data, &opts).map_err(|e| InputError(e.to_string()))?;
    let name = a.data.file_stem().map_or("fitted".to_string(), |s| {
        format!("{}-fit", s.to_string_lossy())
    });
    let spec = fitted.to_spec(&data, &name);
    // The fitted model must be one `simulate` accepts.
    Model::from_spec(spec.clone(), &a.out.display().to_string())?;
    report::write_atomic(&a.out, spec.to_toml().as_bytes())?;
    if let Some(r) = &a.report {
        report::write_json(r, &fitted)?;
    }
    if a.plot {
        let dir = a
            .out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let files = report::plots::fit(dir, &data, &fitted, 4)?;
        eprintln!("{} figure files -> {}", files.len(), dir.display());
    }
    print_fit(&fitted);
    for (s, e) in &fitted.failed {
        eprintln!("warning: strategy {s} could not be fitted: {e}");
    }
    for s in &fitted.strategies {
        for w in &s.warnings {
            eprintln!("warning: {}: {w}", s.name);
        }
    }
    println!("fitted model -> {}", a.out.display());
    Ok(())
}

fn print_fit(f: &FitReport) {
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
    print!(
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
    );
}
