//! `mosde replicate`: the paper's experiment end to end, once or K times.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mosde::engine::{self, Engine, EngineError, EngineKind};
use mosde::model::Model;
use mosde::report;
use mosde::workflow::{self, Study};

use super::args::EngineChoice;
use super::common;
use super::common::{progress, run_dir};

/// Format of the comparison table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    /// replication.md only.
    Md,
    /// replication.md and a booktabs replication.tex.
    Latex,
}

/// Flags of `replicate`.
#[derive(Debug, Args)]
pub struct ReplicateArgs {
    /// Seed of the generated sessions and the bootstrap (of the first
    /// replication; replication i has seed + i).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Independent replications of the study, run in parallel; with K > 1
    /// replication.json and replication.md give the distribution of every
    /// statistic and where the paper's value falls in it.
    #[arg(long, value_name = "K", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..))]
    seeds: u32,
    /// Sessions per strategy (the paper's 100).
    #[arg(long, default_value_t = 100)]
    sessions: u32,
    /// Iterations per session (the paper's estimated 10).
    #[arg(long, default_value_t = 10)]
    iterations: u32,
    /// Bootstrap resamples for the intervals.
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Engine that generates the sessions.
    #[arg(long, value_enum, default_value_t = EngineChoice::Cpu)]
    engine: EngineChoice,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace --out whole if it already holds files.
    #[arg(long)]
    force: bool,
    /// Format of the table: `md` writes replication.md; `latex` also writes
    /// replication.tex (booktabs).
    #[arg(long, value_enum, default_value_t = TableFormat::Md)]
    format: TableFormat,
    /// Draw ours against the paper's, and fitted against observed trajectories.
    #[arg(long)]
    plot: bool,
}

pub fn run(a: ReplicateArgs) -> anyhow::Result<()> {
    let model = Model::preset("code-generation")?;
    let staging = run_dir(a.out, a.force)?;
    let kind = EngineKind::from(a.engine);
    // One replication uses every core; several run side by side, one thread each.
    let threads = if a.seeds == 1 { 0 } else { 1 };
    // Opened once here so that a bad --engine is told in terms of the flag
    // (and a fallback noted once); each replication then opens its own.
    let eng = super::args::open(a.engine, threads)?;
    let open = || -> Result<Box<dyn Engine>, EngineError> { Ok(engine::open(kind, threads)?.0) };
    let study = Study {
        sessions: a.sessions,
        iterations: a.iterations,
        bootstrap: a.bootstrap,
    };
    let bar = progress(u64::from(a.seeds), "replications", a.seeds == 1);
    let run = workflow::replicate_seeds(&model, &open, study, a.seed, a.seeds, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let dir = staging.path();
    run.write(dir)?;
    let objectives = model.objective_names();
    if a.format == TableFormat::Latex {
        let tex = run.replication.latex_table(&objectives).to_latex();
        report::write_atomic(&dir.join("replication.tex"), tex.as_bytes())?;
    }
    if a.plot || a.seeds > 1 {
        workflow::replicate::figures(dir, &run.replication, &objectives)?;
    }
    if a.plot {
        report::plots::fit(dir, &run.sessions, &run.fit, 4)?;
    }
    let manifest = report::Manifest::new(&model.spec, a.seed, &eng.info());
    let dir = staging.commit(&manifest)?;
    common::out!("{}", run.replication.markdown())?;
    common::outln!("-> {}", dir.display())?;
    Ok(())
}
