//! `mosde figures`: the whole paper set in one go.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::args::{EngineChoice, ModelArgs, open, parse_count};
use super::common;
use super::common::run_dir;

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
    /// Replace --out whole if it already holds files.
    #[arg(long)]
    force: bool,
}

pub fn run(a: FiguresArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let model = a.model.load()?;
    let staging = run_dir(a.out, a.force)?;
    let mut eng = open(a.engine, 0)?;
    let files = mosde::workflow::paper_set(staging.path(), &model, eng.as_mut(), a.paths, a.seed)?;
    let manifest = mosde::report::Manifest::new(&model.spec, a.seed, &eng.info());
    let staged = staging.path().to_path_buf();
    let dir = staging.commit(&manifest)?;
    for f in &files {
        // Name the files where they are now, not where they were staged.
        common::outln!(
            "{}",
            dir.join(f.strip_prefix(&staged).unwrap_or(f)).display()
        )?;
    }
    eprintln!(
        "{} files in {:.1} s -> {}",
        files.len(),
        t0.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
