//! A sweep's folder: its state, the rows finished so far, resume, and the
//! merge of shard folders.
//!
//! A running sweep appends each finished batch of rows to
//! `sweep.partial.csv` (synced before the next batch starts), beside
//! `sweep-state.json`, which says which spec, shard and engine the folder
//! belongs to. A resumed run keeps the rows already there and runs the rest;
//! a finished run turns the partial file into `sweep.csv`, sorted by point.
//! Rows depend only on the spec and the point, so a resumed or sharded sweep
//! gives the bytes of one uninterrupted run.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::run::Row;
use super::sensitivity::{self, Analysis};
use super::{Sweep, SweepError};
use crate::engine::Engine;
use crate::model::{Model, ModelSpec};
use crate::report::{self, Manifest};
use crate::shard::{self, Piece, Shard};

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
    /// Continue an interrupted run in `dir`.
    pub resume: bool,
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

fn folder(path: &Path, why: impl Into<String>) -> SweepError {
    SweepError::Folder {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::File {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_record(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(cells).expect("writes to memory");
    String::from_utf8(w.into_inner().expect("writes to memory")).expect("cells are UTF-8")
}

fn header_line(sweep: &Sweep) -> String {
    let mut h = vec!["point".to_string()];
    h.extend(sweep.parameters.iter().map(|p| p.path.clone()));
    h.extend(sweep.metrics.iter().cloned());
    if sweep.spec.se {
        h.extend(sweep.metrics.iter().map(|m| format!("{m}_se")));
    }
    h.push("status".into());
    csv_record(&h)
}

fn row_line(row: &Row) -> String {
    let mut cells = vec![row.point.to_string()];
    cells.extend(row.values.iter().map(|v| report::num(*v)));
    cells.extend(row.metrics.iter().map(|v| report::num(*v)));
    cells.extend(row.errors.iter().map(|v| report::num(*v)));
    cells.push(row.status.clone());
    csv_record(&cells)
}

/// Reads the rows of a partial or final sweep CSV: point → line.
fn read_rows(path: &Path) -> Result<BTreeMap<u64, String>, SweepError> {
    let text = std::fs::read_to_string(path).map_err(file_error(path))?;
    let mut out = BTreeMap::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        if line.is_empty() {
            continue;
        }
        let id: u64 = line
            .split(',')
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| {
                folder(
                    path,
                    format!("line {}: no point number; the file is damaged", k + 1),
                )
            })?;
        out.insert(id, format!("{line}\n"));
    }
    Ok(out)
}

/// Writes `sweep.csv` from rows (sorted by point).
fn write_rows(dir: &Path, sweep: &Sweep, rows: &BTreeMap<u64, String>) -> Result<(), SweepError> {
    let mut text = header_line(sweep);
    for line in rows.values() {
        text.push_str(line);
    }
    report::write_atomic(&dir.join(ROWS), text.as_bytes())?;
    Ok(())
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

    /// Sets up the folder: a new state file, or the rows of the run being
    /// resumed. Leaves `sweep.partial.csv` holding exactly those rows.
    fn open(&self, state: &SweepState, sweep: &Sweep) -> Result<BTreeMap<u64, String>, SweepError> {
        let partial = self.dir.join(PARTIAL);
        let mut done = BTreeMap::new();
        if self.resume {
            let old: SweepState = match std::fs::read(self.dir.join(STATE)) {
                Ok(bytes) => serde_json::from_slice(&bytes)
                    .map_err(|e| folder(&self.dir.join(STATE), format!("damaged: {e}")))?,
                Err(_) => {
                    return Err(folder(
                        &self.dir,
                        format!("holds no sweep to resume ({STATE} missing)"),
                    ));
                }
            };
            if &old != state {
                return Err(folder(
                    &self.dir,
                    "was started with a different spec, shard or engine; resume with the same ones or use a new output folder",
                ));
            }
            if partial.exists() {
                done = read_rows(&partial)?;
            } else if self.dir.join(ROWS).exists() {
                done = read_rows(&self.dir.join(ROWS))?;
            }
        } else {
            if partial.exists() {
                return Err(folder(
                    &self.dir,
                    "holds an unfinished sweep; resume it, or choose another output folder",
                ));
            }
            report::write_json(&self.dir.join(STATE), state)?;
        }
        if !partial.exists() {
            let mut text = header_line(sweep);
            for line in done.values() {
                text.push_str(line);
            }
            report::write_atomic(&partial, text.as_bytes())?;
        }
        Ok(done)
    }

    /// Runs this shard of `sweep` on `engine` into the folder, then, when
    /// the sweep is whole, its Monte Carlo errors and (for sensitivity) its
    /// indices.
    pub fn execute(
        &self,
        sweep: &Sweep,
        engine: &mut dyn Engine,
        events: &mut dyn FnMut(Event),
    ) -> Result<Outcome, SweepError> {
        let info = engine.info();
        let unit = sweep.unit_points();
        let ids = self.shard.split(unit.len() as u64);
        let done = self.open(&self.state(sweep, &info.kind), sweep)?;
        let todo: Vec<u64> = ids.clone().filter(|p| !done.contains_key(p)).collect();
        events(Event::Started {
            points: ids.end - ids.start,
            todo: todo.len() as u64,
            resumed: self.resume,
        });
        let partial = self.dir.join(PARTIAL);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&partial)
            .map_err(file_error(&partial))?;
        let t0 = Instant::now();
        sweep.evaluate(engine, &unit, &todo, &mut |rows| {
            for r in rows {
                file.write_all(row_line(r).as_bytes())
                    .map_err(file_error(&partial))?;
            }
            // Each finished batch is on disk before the next starts: an
            // interrupted run loses at most one batch.
            file.sync_data().map_err(file_error(&partial))?;
            events(Event::Progress(rows.len() as u64));
            Ok(())
        })?;
        let elapsed_s = t0.elapsed().as_secs_f64();
        write_rows(&self.dir, sweep, &read_rows(&partial)?)?;
        std::fs::remove_file(&partial).map_err(file_error(&partial))?;
        if self.shard.index == 0 && sweep.spec.mc_replicates >= 2 {
            let reps = sweep.replicate_centre(engine)?;
            report::write_atomic(
                &self.dir.join(REPLICATES),
                sensitivity::replicates_csv(sweep, &reps).as_bytes(),
            )?;
        }
        let points_run = todo.len() as u64;
        let manifest = Manifest {
            sizes: serde_json::json!({
                "points": unit.len(),
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
            ..Manifest::new(&sweep.model.spec, sweep.spec.seed, &info)
        };
        report::write_json(&self.dir.join("manifest.json"), &manifest)?;
        let analysis = if self.shard.is_whole() {
            Some(sensitivity::analyze(&self.dir, sweep, self.sensitivity)?)
        } else {
            None
        };
        Ok(Outcome {
            points_run,
            elapsed_s,
            analysis,
        })
    }
}

/// Sweep shards merged into one folder.
#[derive(Debug)]
pub struct Merged {
    /// Shards merged.
    pub shards: u64,
    /// Rows in the merged `sweep.csv`.
    pub points: usize,
    /// Whether the shards ran on different engines (rows then agree to
    /// float tolerance, not bit for bit).
    pub mixed_engines: bool,
    /// The Monte Carlo errors and indices.
    pub analysis: Analysis,
}

/// Whether `dir` holds a sweep (or sensitivity) shard.
pub fn is_sweep(dir: &Path) -> bool {
    dir.join(STATE).exists()
}

/// Merges sweep shard folders into `out`: the `sweep.csv` (and
/// `sensitivity.csv`) one run of the whole design would have written.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Merged, crate::Error> {
    let pieces = dirs
        .iter()
        .map(|d| {
            let s: SweepState = shard::read_json(&d.join(STATE), "sweep")?;
            let shard = Shard {
                index: s.shard.0,
                count: s.shard.1,
            };
            if d.join(PARTIAL).exists() || !d.join(ROWS).exists() {
                return Err(shard::ShardError::Unfinished {
                    dir: d.clone(),
                    shard,
                });
            }
            Ok(Piece {
                dir: d.clone(),
                shard,
                value: s,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let pieces = shard::order(pieces, |a, b| {
        (a.spec != b.spec || a.model != b.model || a.command != b.command)
            .then_some("spec, model or command")
    })?;
    let first = pieces[0].value.clone();
    let model = Model::from_spec(first.model.clone(), "merged shards")?;
    let sweep = Sweep::new(first.spec.clone(), model, "merged shards")?;
    let mut rows = BTreeMap::new();
    for p in &pieces {
        rows.extend(read_rows(&p.dir.join(ROWS))?);
    }
    write_rows(out, &sweep, &rows)?;
    report::write_json(
        &out.join(STATE),
        &SweepState {
            shard: (0, 1),
            ..first.clone()
        },
    )?;
    let replicates = pieces[0].dir.join(REPLICATES);
    if replicates.exists() {
        std::fs::copy(&replicates, out.join(REPLICATES))
            .map_err(file_error(&replicates))
            .map_err(crate::Error::from)?;
    }
    let analysis = sensitivity::analyze(out, &sweep, first.command == "sensitivity")?;
    Ok(Merged {
        shards: first.shard.1,
        points: rows.len(),
        mixed_engines: pieces.iter().any(|p| p.value.engine != first.engine),
        analysis,
    })
}
