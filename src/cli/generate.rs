//! `mosde generate`: synthetic sessions from a model.

use std::path::PathBuf;

use clap::Args;
use mosde::analysis::sessions;
use mosde::report;

use super::common::EngineChoice;
use super::common::ModelArgs;

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
    engine: super::common::EngineChoice,
    /// Output CSV.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(a: GenerateArgs) -> anyhow::Result<()> {
    let model = a.model.load()?;
    let mut eng = super::common::open(a.engine, 0)?;
    let s = sessions::generate(
        &model,
        eng.as_mut(),
        a.sessions,
        a.iterations,
        a.seed,
        a.observation_noise,
    )?;
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
