//! `mosde sweep` and `mosde sensitivity`: resumable, shardable sweeps.

use std::path::{Path, PathBuf};

use clap::Args;
use mosde::sweep::Sweep;
use mosde::sweep::sensitivity::Analysis;
use mosde::sweep::store::{self, Event, SweepRun};

use super::args::{EngineArgs, parse_shard};
use super::common;
use super::common::{default_run_dir, progress};

/// Flags shared by `sweep` and `sensitivity`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep spec (TOML).
    #[arg(long, value_name = "FILE")]
    spec: PathBuf,
    #[command(flatten)]
    engine: EngineArgs,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only shard i of n (`i/n`, 0-based), or `n` to take i from
    /// JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Continue an interrupted run into --out from the points it completed
    /// (kept in <out>.partial until the run is complete).
    #[arg(long)]
    resume: bool,
    /// Replace --out whole if it holds files, and discard an unfinished run.
    #[arg(long)]
    force: bool,
    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(a: SweepArgs, sensitivity: bool) -> anyhow::Result<()> {
    let sweep = Sweep::from_file(&a.spec)?;
    if sensitivity {
        sweep.check_indices(&a.spec.display().to_string())?;
    }
    let request = SweepRun {
        sensitivity,
        shard: parse_shard(a.shard.as_deref())?,
        dir: a.out.clone().unwrap_or_else(default_run_dir),
        resume: a.resume,
        force: a.force,
    };
    let mut eng = a.engine.open()?;
    let info = eng.info();
    let mut bar = None;
    let outcome = request
        .execute(&sweep, eng.as_mut(), &mut |event| match event {
            Event::Started {
                points,
                todo,
                resumed,
            } => {
                if resumed {
                    eprintln!("resuming: {} of {points} points already done", points - todo);
                }
                if !a.quiet {
                    eprintln!(
                        "engine: {} on {}; {points} points ({todo} to run) x {} strategies x {} paths, {} points per dispatch",
                        info.kind,
                        info.adapter,
                        sweep.strategies.len(),
                        sweep.spec.paths,
                        sweep.batch_points()
                    );
                }
                bar = Some(progress(todo, "points", a.quiet));
            }
            Event::Progress(n) => bar.iter().for_each(|b| b.inc(n)),
        })
        .map_err(|e| resume_context(e, a.resume))?;
    bar.iter().for_each(|b| b.finish_and_clear());
    if !a.quiet {
        eprintln!(
            "{} points in {:.2} s ({:.1} points/s) -> {}",
            outcome.points_run,
            outcome.elapsed_s,
            outcome.points_run as f64 / outcome.elapsed_s.max(1e-9),
            request.dir.display()
        );
    }
    match outcome.analysis {
        Some(analysis) => show(&analysis, a.quiet)?,
        None if !a.quiet => eprintln!(
            "shard {} done; combine the shards with `mosde merge`",
            request.shard
        ),
        None => {}
    }
    Ok(())
}

/// Folder errors concern `--resume` and `--out`.
fn resume_context(e: mosde::sweep::SweepError, resume: bool) -> anyhow::Error {
    match (&e, resume) {
        (mosde::sweep::SweepError::Folder { .. }, true) => {
            anyhow::Error::new(e).context("--resume")
        }
        _ => super::common::flag_context(e.into()),
    }
}

/// Warnings, then (for sensitivity) the ranked indices.
fn show(analysis: &Analysis, quiet: bool) -> std::io::Result<()> {
    for w in analysis.warnings() {
        eprintln!("warning: {w}");
    }
    if !quiet {
        common::out!("{}", analysis.console())?;
    }
    Ok(())
}

/// `merge` of sweep shards.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> anyhow::Result<()> {
    let merged = store::merge(dirs, out, force)?;
    if merged.mixed_engines {
        eprintln!(
            "warning: the shards ran on different engines; rows agree to float tolerance, not bit for bit"
        );
    }
    show(&merged.analysis, false)?;
    eprintln!(
        "merged {} shards, {} points -> {}",
        merged.shards,
        merged.points,
        out.display()
    );
    Ok(())
}
