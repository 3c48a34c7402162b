//! `mosde figures`: the whole paper set in one go.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use mosde::analysis::Report;
use mosde::engine::{self, EngineKind, Job, JobOptions, Scenario};
use mosde::fit;
use mosde::report::{self, plots};
use mosde::workflow::{generate, replicate as replication};

use super::common::{ModelArgs, default_run_dir, parse_count};

/// Flags of `figures`.
#[derive(Debug, Args)]
pub struct FiguresArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Paths per strategy for the simulated figures.
    #[arg(long, default_value = "20000", value_parser = parse_count)]
    paths: u64,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Engine.
    #[arg(long, value_enum, default_value_t = EngineKind::Auto)]
    engine: EngineKind,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(a: FiguresArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let model = a.model.load()?;
    let dir = a.out.unwrap_or_else(default_run_dir);
    let (mut eng, note) = engine::open(a.engine, 0)?;
    if let Some(n) = note {
        eprintln!("note: {n}");
    }
    // Simulate with recorded paths.
    let scenarios = Scenario::defaults(&model);
    let opts = JobOptions {
        paths: a.paths,
        seed: a.seed,
        record_paths: 200,
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts)?;
    let out = eng.run(&job, &mut |_| {})?;
    let report = Report::new(&scenarios, &job, &out, eng.info());
    let sim = dir.join("simulate");
    report::write_json(&sim.join("summary.json"), &report)?;
    report::write_atomic(&sim.join("moments.csv"), &report::moments_csv(&report))?;
    report::write_atomic(
        &sim.join("strategies.md"),
        report::strategies_md(&report).as_bytes(),
    )?;
    let mut files = plots::simulation(&dir, &report, &scenarios, &job, &out)?;

    // Replicate the paper's experiment for its preset; for any other model,
    // the same loop on the model itself: generated sessions, fitted back.
    let bounds: Vec<(f64, f64)> = model
        .objectives
        .iter()
        .map(|o| (o.lower, o.upper))
        .collect();
    if model.spec == mosde::model::Model::preset("code-generation")?.spec {
        let run = replication::replicate(&model, eng.as_mut(), 100, 10, a.seed, 200)?;
        let rep = dir.join("replicate");
        report::write_json(&rep.join("replication.json"), &run.replication)?;
        report::write_atomic(
            &rep.join("replication.md"),
            run.replication.markdown().as_bytes(),
        )?;
        files.extend(plots::replication(&dir, &run.replication)?);
        files.extend(plots::fit(&dir, &run.sessions, &run.fit, 4)?);
    } else {
        let data = generate(&model, eng.as_mut(), 100, model.steps.min(20), a.seed, 0.0)?;
        let opts = fit::FitOptions {
            dt: model.dt,
            bounds: Some(bounds),
            bootstrap: 100,
            seed: a.seed,
            ..Default::default()
        };
        let fitted =
            fit::fit(&data, &opts).map_err(|e| super::common::InputError(e.to_string()))?;
        files.extend(plots::fit(&dir, &data, &fitted, 4)?);
    }
    for f in &files {
        println!("{}", f.display());
    }
    eprintln!(
        "{} files in {:.1} s -> {}",
        files.len(),
        t0.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
