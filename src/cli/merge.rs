//! `mosde merge`: shard outputs into the outputs of one run.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::common::InputError;

/// Flags of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard output directories (any order).
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Draw the figures of a merged simulation.
    #[arg(long)]
    plot: bool,
}

pub fn run(a: MergeArgs) -> anyhow::Result<()> {
    let sweeps = a
        .dirs
        .iter()
        .filter(|d| d.join("sweep-state.json").exists())
        .count();
    let sims = a
        .dirs
        .iter()
        .filter(|d| d.join("partials.json").exists())
        .count();
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    if sweeps == a.dirs.len() {
        super::sweep::merge(&a.dirs, &a.out)
    } else if sims == a.dirs.len() {
        super::simulate::merge(&a.dirs, &a.out, a.plot)
    } else {
        Err(InputError(format!(
            "each directory must hold one shard of the same kind of run (partials.json from `simulate --shard`, or sweep-state.json from `sweep`/`sensitivity --shard`); got {} simulate and {} sweep shards among {} directories",
            sims,
            sweeps,
            a.dirs.len()
        ))
        .into())
    }
}
