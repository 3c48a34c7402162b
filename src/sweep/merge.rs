//! The merge of sweep shard folders into the folder of one whole run.

use std::path::{Path, PathBuf};

use super::Sweep;
use super::rows::{self, Rows};
use super::sensitivity::{self, Analysis};
use super::store::{REPLICATES, ROWS, STATE, SweepState};
use crate::engine::EngineInfo;
use crate::model::Model;
use crate::report::run_dir::{self, RunDir};
use crate::report::{self, Manifest};
use crate::shard::{self, Piece, Shard};

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

/// Merges sweep shard folders into `out` (replaced whole when `force`): the
/// `sweep.csv` (and `sensitivity.csv`) one run of the whole design would
/// have written. Each shard is verified first: its files against its
/// manifest's hashes, its rows against its share of the design.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<Merged, crate::Error> {
    let pieces = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    let pieces = shard::order(pieces, |a, b| {
        (a.spec != b.spec || a.model != b.model || a.command != b.command)
            .then_some("spec, model or command")
    })?;
    let first = pieces[0].value.clone();
    let model = Model::from_spec(first.model.clone(), "merged shards")?;
    let sweep = Sweep::new(first.spec.clone(), model, "merged shards")?;
    let total = sweep.unit_points().len() as u64;
    let mut all = Rows::new();
    for p in &pieces {
        let path = p.dir.join(ROWS);
        let rows = rows::read_rows(&path, &sweep)
            .and_then(|r| rows::check_points(&path, &r, &p.shard.split(total)).map(|()| r))
            .map_err(|e| shard::ShardError::damaged(&p.dir, e))?;
        all.extend(rows);
    }
    let staging = RunDir::create(out, force)?;
    let dir = staging.path();
    rows::write_rows(dir, &sweep, &all)?;
    report::write_json(
        &dir.join(STATE),
        &SweepState {
            shard: (0, 1),
            ..first.clone()
        },
    )?;
    let replicates = pieces[0].dir.join(REPLICATES);
    if replicates.exists() {
        std::fs::copy(&replicates, dir.join(REPLICATES))
            .map_err(|source| super::SweepError::File {
                path: replicates.clone(),
                source,
            })
            .map_err(crate::Error::from)?;
    }
    let analysis = sensitivity::analyze(dir, &sweep, first.command == "sensitivity")?;
    let engine = EngineInfo {
        kind: first.engine.clone(),
        adapter: format!("merged from {} shards", first.shard.1),
        threads: 0,
        threads_source: String::new(),
    };
    staging.commit(&Manifest::new(&first.model, first.spec.seed, &engine))?;
    Ok(Merged {
        shards: first.shard.1,
        points: all.len(),
        mixed_engines: pieces.iter().any(|p| p.value.engine != first.engine),
        analysis,
    })
}

/// Reads one finished shard's state after checking its files against its
/// manifest.
fn read_shard(d: &Path) -> Result<Piece<SweepState>, crate::Error> {
    let s: SweepState = shard::read_json(&d.join(STATE), "sweep")?;
    let shard = Shard {
        index: s.shard.0,
        count: s.shard.1,
    };
    if !d.join(ROWS).exists() {
        return Err(shard::ShardError::Unfinished {
            dir: d.to_path_buf(),
            shard,
        }
        .into());
    }
    run_dir::verify(d).map_err(|e| shard::ShardError::damaged(d, e))?;
    Ok(Piece {
        dir: d.to_path_buf(),
        shard,
        value: s,
    })
}
