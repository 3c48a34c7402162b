//! `mosde replicate`: the paper's experiment end to end.

use std::path::PathBuf;

use clap::Args;
use mosde::model::Model;
use mosde::report;
use mosde::workflow;

use super::args::EngineChoice;
use super::common;
use super::common::default_run_dir;

/// Flags of `replicate`.
#[derive(Debug, Args)]
pub struct ReplicateArgs {
    /// Seed of the generated sessions and the bootstrap.
    #[arg(long, default_value_t = 0)]
    seed: u64,
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
    /// Draw ours against the paper's, and fitted against observed trajectories.
    #[arg(long)]
    plot: bool,
}

pub fn run(a: ReplicateArgs) -> anyhow::Result<()> {
    let model = Model::preset("code-generation")?;
    let mut eng = super::args::open(a.engine, 0)?;
    let run = workflow::replicate(
        &model,
        eng.as_mut(),
        a.sessions,
        a.iterations,
        a.seed,
        a.bootstrap,
    )?;
    let dir = a.out.unwrap_or_else(default_run_dir);
    run.write(&dir)?;
    if a.plot {
        mosde::workflow::replicate::figures(&dir, &run.replication)?;
        report::plots::fit(&dir, &run.sessions, &run.fit, 4)?;
    }
    common::out!("{}", run.replication.markdown())?;
    common::outln!("-> {}", dir.display())?;
    Ok(())
}
