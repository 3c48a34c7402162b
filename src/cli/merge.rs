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
    /// Replace --out whole if it already holds files.
    #[arg(long)]
    force: bool,
    /// Draw the figures of a merged simulation.
    #[arg(long)]
    plot: bool,
}

pub fn run(a: MergeArgs) -> anyhow::Result<()> {
    // A glob like `runs/shard-*` also matches the unfinished state a sweep
    // shard keeps in `shard-<i>.partial`: that is not a shard's output.
    let a = MergeArgs {
        dirs: a
            .dirs
            .into_iter()
            .filter(|d| {
                let unfinished = d.extension().is_some_and(|e| e == "partial");
                if unfinished {
                    eprintln!(
                        "note: {} is an unfinished shard (resume it); left out",
                        d.display()
                    );
                }
                !unfinished
            })
            .collect(),
        ..a
    };
    if let Some(d) = a.dirs.iter().find(|d| !d.is_dir()) {
        return Err(super::common::InputError(format!(
            "{}: no such directory (merge takes shard output directories)",
            d.display()
        ))
        .into());
    }
    let sweeps = a.dirs.iter().filter(|d| store::is_sweep(d)).count();
    let sims = a.dirs.iter().filter(|d| d.join(PARTIALS).exists()).count();
    // A folder with neither file is a shard that never got far enough to
    // write anything (a task that failed early): it is left out, and the
    // merge then names its index among the missing shards.
    let dirs: Vec<PathBuf> = a
        .dirs
        .iter()
        .filter(|d| {
            let holds = store::is_sweep(d) || d.join(PARTIALS).exists();
            if !holds && sweeps + sims > 0 {
                eprintln!("note: {} holds no shard output; left out", d.display());
            }
            holds || sweeps + sims == 0
        })
        .cloned()
        .collect();
    if sims == 0 && sweeps == dirs.len() {
        super::sweep::merge(&dirs, &a.out, a.force)
    } else if sweeps == 0 && sims == dirs.len() {
        super::simulate::merge(&dirs, &a.out, a.force, a.plot)
    } else {
        Err(ShardError::Mixed {
            simulate: sims,
            sweep: sweeps,
            dirs: a.dirs.len(),
        }
        .into())
    }
}
