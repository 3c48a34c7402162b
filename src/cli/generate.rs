//! `mosde generate`: synthetic sessions from a model.

use std::path::PathBuf;

use clap::Args;
use mosde::report;
use mosde::workflow::{self, WorkflowError};

use super::args::{EngineChoice, ModelArgs};

/// Flags of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Sessions per strategy.
    #[arg(long)]
    sessions: u32,
    /// Iterations per session (observations at iterations 0..=T).
    #[arg(long)]
    iterations: u32,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Standard deviation of normal noise added to every observed score
    /// (then clamped to the bounds).
    #[arg(long, default_value_t = 0.0, value_name = "SD")]
    observation_noise: f64,
    /// Engine.
    #[arg(long, value_enum, default_value_t = EngineChoice::Cpu)]
    engine: EngineChoice,
    /// Output CSV.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: GenerateArgs) -> anyhow::Result<()> {
    let model = a.model.load()?;
    let mut eng = super::args::open(a.engine, 0)?;
    let s = workflow::generate(
        &model,
        eng.as_mut(),
        a.sessions,
        a.iterations,
        a.seed,
        a.observation_noise,
    )
    .map_err(with_flag)?;
    report::write_atomic(&a.out, &s.to_csv())?;
    eprintln!(
        "wrote {} sessions ({} per strategy, {} iterations) to {}",
        s.sessions.len(),
        a.sessions,
        a.iterations,
        a.out.display()
    );
    Ok(())
}

/// Names the flags behind a generation error that a setting caused.
fn with_flag(e: WorkflowError) -> anyhow::Error {
    let flag = match &e {
        WorkflowError::Empty { .. } => "--sessions and --iterations",
        WorkflowError::Iterations { .. } => "--iterations",
        WorkflowError::ObservationNoise(_) => "--observation-noise",
        WorkflowError::Dt { .. } => "the model's dt (--model or --preset)",
        _ => return e.into(),
    };
    anyhow::Error::new(e).context(flag)
}
