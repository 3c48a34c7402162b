//! `mosde figures`: the whole paper set in one go.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::args::{EngineChoice, ModelArgs, open, parse_count};
use super::common;
use super::common::default_run_dir;

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
    #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
    engine: EngineChoice,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(a: FiguresArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let model = a.model.load()?;
    let dir = a.out.unwrap_or_else(default_run_dir);
    let mut eng = open(a.engine, 0)?;
    let files = mosde::workflow::paper_set(&dir, &model, eng.as_mut(), a.paths, a.seed)?;
    for f in &files {
        common::outln!("{}", f.display())?;
    }
    eprintln!(
        "{} files in {:.1} s -> {}",
        files.len(),
        t0.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
