//! A sweep's folder: its state, the rows finished so far, resume, and the
//! merge of shard folders (`merge` and `Merged` are re-exported here).
//!
//! A running sweep stages its folder in `<out>.partial` (see
//! [`RunDir::resumable`]): it appends each finished batch of rows
//! to `sweep.partial.csv` there (synced before the next batch starts, each
//! row with a check that exposes a torn tail; see [`super::rows`]), beside
//! `sweep-state.json`, which says which spec, shard and engine the run
//! belongs to. A resumed run keeps the good rows and runs the rest; a
//! finished run turns the partial file into `sweep.csv`, sorted by point,
//! and moves the folder into place.
//! Rows depend only on the spec and the point, so a resumed or sharded sweep
//! gives the bytes of one uninterrupted run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use super::merge::{Merged, merge};
use super::rows::{self, Rows};
use super::sensitivity::{self, Analysis};
use super::{Sweep, SweepError};
use crate::engine::{Engine, EngineInfo};
use crate::model::ModelSpec;
use crate::report::run_dir::RunDir;
use crate::report::{self, Manifest};
use crate::shard::Shard;

/// What a sweep directory is (`sweep-state.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepState {
    /// `sweep` or `sensitivity`.
    pub command: String,
    /// The spec.
    pub spec: super::SweepSpec,
    /// The base model (so that a merge needs no model file).
    pub model: ModelSpec,
    /// Shard index and count.
    pub shard: (u64, u64),
    /// Engine kind that ran.
    pub engine: String,
}

/// The state file of a sweep folder.
pub const STATE: &str = "sweep-state.json";
/// The rows of an unfinished sweep.
pub const PARTIAL: &str = "sweep.partial.csv";
/// The rows of a finished sweep.
pub const ROWS: &str = "sweep.csv";
/// The centre-point replicates that give each metric's Monte Carlo error.
pub const REPLICATES: &str = "mc_replicates.csv";

/// How to run a sweep into a folder.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// `sensitivity` also computes the indices when the sweep is whole.
    pub sensitivity: bool,
    /// The part of the design to run.
    pub shard: Shard,
    /// The output folder.
    pub dir: PathBuf,
    /// Continue an interrupted run into `dir`.
    pub resume: bool,
    /// Replace `dir` whole if it holds files, and discard an unfinished run.
    pub force: bool,
}

/// What happens while a sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Points in this shard, and how many of them are still to run.
    Started {
        /// Points in the shard.
        points: u64,
        /// Points left to run.
        todo: u64,
        /// Whether finished points were found and kept.
        resumed: bool,
    },
    /// Points finished since the last event.
    Progress(u64),
}

/// What a sweep run did.
#[derive(Debug)]
pub struct Outcome {
    /// Points run now (not those resumed).
    pub points_run: u64,
    /// Wall time of the evaluation, in seconds.
    pub elapsed_s: f64,
    /// The Monte Carlo errors and indices, when the sweep is whole.
    pub analysis: Option<Analysis>,
}

fn command(sensitivity: bool) -> &'static str {
    if sensitivity { "sensitivity" } else { "sweep" }
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::File {
        path: path.to_path_buf(),
        source,
    }
}

fn folder(path: &Path, why: impl Into<String>) -> SweepError {
    SweepError::Folder {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

impl SweepRun {
    fn state(&self, sweep: &Sweep, engine: &str) -> SweepState {
        SweepState {
            command: command(self.sensitivity).into(),
            spec: sweep.spec.clone(),
            model: sweep.model.spec.clone(),
            shard: (self.shard.index, self.shard.count),
            engine: engine.into(),
        }
    }

    /// The rows a resume starts from: those of the unfinished run in
    /// `staging`, or of the finished run in the output folder. `staged`
    /// says whether `staging` existed before this run: a run killed before
    /// it wrote its state leaves it empty, and then nothing was done yet.
    fn resumed_rows(
        &self,
        staging: &Path,
        staged: bool,
        state: &SweepState,
        sweep: &Sweep,
    ) -> Result<Rows, SweepError> {
        let found = [staging, self.dir.as_path()]
            .into_iter()
            .find(|d| d.join(STATE).exists());
        if found.is_none() && staged && crate::report::run_dir::is_empty_dir(staging) {
            return Ok(Rows::new());
        }
        let from = found.ok_or_else(|| {
            folder(
                &self.dir,
                format!(
                    "holds no sweep to resume ({STATE} missing here and in {})",
                    staging.display()
                ),
            )
        })?;
        let old: SweepState = serde_json::from_slice(
            &std::fs::read(from.join(STATE)).map_err(file_error(&from.join(STATE)))?,
        )
        .map_err(|e| folder(&from.join(STATE), format!("damaged: {e}")))?;
        if &old != state {
            return Err(folder(
                from,
                "was started with a different spec, shard or engine; resume with the same ones or use a new output folder",
            ));
        }
        // Rows still being appended, or those of a run that finished but was
        // stopped before it moved into place.
        let partial = from.join(PARTIAL);
        if partial.exists() {
            rows::read_partial(&partial, sweep)
        } else if from.join(ROWS).exists() {
            rows::read_rows(&from.join(ROWS), sweep)
        } else {
            Ok(Rows::new())
        }
    }

    /// Refuses a folder that holds another shard's state, naming both
    /// shards (a rerun with the wrong index must not mix two shards).
    fn check_shard_of(&self, dir: &Path) -> Result<(), SweepError> {
        let Ok(bytes) = std::fs::read(dir.join(STATE)) else {
            return Ok(());
        };
        let Ok(old) = serde_json::from_slice::<SweepState>(&bytes) else {
            return Ok(());
        };
        let found = Shard {
            index: old.shard.0,
            count: old.shard.1,
        };
        Ok(self.shard.check_folder(dir, found)?)
    }

    /// A resume replaces the output folder at the end; without `force` it
    /// may replace only an earlier state of the same sweep, never another run.
    fn check_replaceable(&self, state: &SweepState) -> Result<(), SweepError> {
        let full = std::fs::read_dir(&self.dir).is_ok_and(|mut d| d.next().is_some());
        if !self.resume || self.force || !full {
            return Ok(());
        }
        let same = std::fs::read(self.dir.join(STATE))
            .ok()
            .and_then(|b| serde_json::from_slice::<SweepState>(&b).ok())
            .is_some_and(|old| &old == state);
        match same {
            true => Ok(()),
            false => Err(crate::report::run_dir::RunDirError::Exists {
                path: self.dir.clone(),
            }
            .into()),
        }
    }

    /// Sets up the staging folder: the state file and a partial file holding
    /// exactly the rows already done (rewritten whole, so that appends start
    /// after the last good row and a torn tail is gone).
    fn open(
        &self,
        staging: &Path,
        staged: bool,
        state: &SweepState,
        sweep: &Sweep,
    ) -> Result<Rows, SweepError> {
        let done = match self.resume {
            true => self.resumed_rows(staging, staged, state, sweep)?,
            false => Rows::new(),
        };
        self.check_replaceable(state)?;
        let ids = self.shard.split(sweep.unit_points().len() as u64);
        if let Some(p) = done.keys().find(|p| !ids.contains(p)) {
            return Err(folder(
                staging,
                format!("holds point {p}, which is not in shard {}", self.shard),
            ));
        }
        report::write_json(&staging.join(STATE), state)?;
        report::write_atomic(
            &staging.join(PARTIAL),
            rows::partial_text(sweep, &done).as_bytes(),
        )?;
        Ok(done)
    }

    /// Runs this shard of `sweep` on `engine` into the folder, then, when
    /// the sweep is whole, its Monte Carlo errors and (for sensitivity) its
    /// indices. The folder appears only when the run is complete; until
    /// then the rows finished so far are kept in
    /// [`crate::report::run_dir::partial_dir`]`(dir)` for a resume.
    pub fn execute(
        &self,
        sweep: &Sweep,
        engine: &mut dyn Engine,
        events: &mut dyn FnMut(Event),
    ) -> Result<Outcome, SweepError> {
        let info = engine.info();
        let ids = self.shard.split(sweep.unit_points().len() as u64);
        if !self.force {
            self.check_shard_of(&self.dir)?;
            self.check_shard_of(&crate::report::run_dir::partial_dir(&self.dir))?;
        }
        let staged = crate::report::run_dir::partial_dir(&self.dir).exists();
        let out = RunDir::resumable(&self.dir, self.force, self.resume)?;
        let done = self.open(out.path(), staged, &self.state(sweep, &info.kind), sweep)?;
        let todo: Vec<u64> = ids.clone().filter(|p| !done.contains_key(p)).collect();
        events(Event::Started {
            points: ids.end - ids.start,
            todo: todo.len() as u64,
            resumed: self.resume,
        });
        let t0 = Instant::now();
        append_rows(out.path(), sweep, engine, &todo, events)?;
        let elapsed_s = t0.elapsed().as_secs_f64();
        let partial = out.path().join(PARTIAL);
        let rows = rows::read_partial(&partial, sweep)?;
        rows::check_points(&partial, &rows, &ids)?;
        rows::write_rows(out.path(), sweep, &rows)?;
        if self.shard.index == 0 && sweep.spec.mc_replicates >= 2 {
            let reps = sweep.replicate_centre(engine)?;
            report::write_atomic(
                &out.path().join(REPLICATES),
                sensitivity::replicates_csv(sweep, &reps).as_bytes(),
            )?;
        }
        let analysis = match self.shard.is_whole() {
            true => Some(sensitivity::analyze(out.path(), sweep, self.sensitivity)?),
            false => None,
        };
        let points_run = todo.len() as u64;
        // Kept until now so that a resume after a kill in the tables above
        // starts from the checked rows.
        std::fs::remove_file(&partial).map_err(file_error(&partial))?;
        out.commit(&self.manifest(sweep, &info, points_run, elapsed_s))?;
        Ok(Outcome {
            points_run,
            elapsed_s,
            analysis,
        })
    }

    fn manifest(
        &self,
        sweep: &Sweep,
        info: &EngineInfo,
        points_run: u64,
        elapsed_s: f64,
    ) -> Manifest {
        let ids = self.shard.split(sweep.unit_points().len() as u64);
        Manifest {
            sizes: serde_json::json!({
                "points": sweep.unit_points().len(),
                "shard": [self.shard.index, self.shard.count],
                "points_in_shard": ids.end - ids.start,
                "strategies": sweep.strategies.len(),
                "paths": sweep.spec.paths,
                "points_per_dispatch": sweep.batch_points(),
            }),
            elapsed_s,
            path_steps_per_s: points_run as f64
                * sweep.strategies.len() as f64
                * sweep.spec.paths as f64
                * f64::from(sweep.spec.steps.unwrap_or(sweep.model.steps))
                / elapsed_s.max(1e-9),
            timings: serde_json::json!({ "points_per_s": points_run as f64 / elapsed_s.max(1e-9) }),
            ..Manifest::new(&sweep.model.spec, sweep.spec.seed, info)
        }
    }
}

/// Runs `todo` and appends each finished batch to the partial file of
/// `staging`, synced before the next batch starts: an interrupted run loses
/// at most one batch, and a torn row is caught by its check.
fn append_rows(
    staging: &Path,
    sweep: &Sweep,
    engine: &mut dyn Engine,
    todo: &[u64],
    events: &mut dyn FnMut(Event),
) -> Result<(), SweepError> {
    let partial = staging.join(PARTIAL);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&partial)
        .map_err(file_error(&partial))?;
    let unit = sweep.unit_points();
    sweep.evaluate(engine, &unit, todo, &mut |batch| {
        let text: String = batch
            .iter()
            .map(|r| rows::checked_line(&rows::row_line(r)))
            .collect();
        file.write_all(text.as_bytes())
            .map_err(file_error(&partial))?;
        file.sync_data().map_err(file_error(&partial))?;
        events(Event::Progress(batch.len() as u64));
        Ok(())
    })
}
/// Whether `dir` holds a sweep (or sensitivity) shard.
pub fn is_sweep(dir: &Path) -> bool {
    dir.join(STATE).exists()
}
