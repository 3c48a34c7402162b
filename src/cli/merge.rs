//! `mosde merge`: shard outputs into the outputs of one run.

use std::path::PathBuf;

use clap::Args;
use mosde::shard::ShardError;
use mosde::simulation::PARTIALS;
use mosde::sweep::store;

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
    if let Some(d) = a.dirs.iter().find(|d| !d.is_dir()) {
        return Err(super::common::InputError(format!(
            "{}: no such directory (merge takes shard output directories)",
            d.display()
        ))
        .into());
    }
    let sweeps = a.dirs.iter().filter(|d| store::is_sweep(d)).count();
    let sims = a.dirs.iter().filter(|d| d.join(PARTIALS).exists()).count();
    if sweeps == a.dirs.len() {
        super::sweep::merge(&a.dirs, &a.out)
    } else if sims == a.dirs.len() {
        super::simulate::merge(&a.dirs, &a.out, a.plot)
    } else {
        Err(ShardError::Mixed {
            simulate: sims,
            sweep: sweeps,
            dirs: a.dirs.len(),
        }
        .into())
    }
}
