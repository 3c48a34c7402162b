//! Shards: one run split over processes or machines, and the checks that put
//! it back together.
//!
//! A shard is `index` of `count` contiguous parts of a run's work (blocks of
//! paths for `simulate`, design points for sweeps). Every shard writes what it
//! computed together with the identity of the whole run; [`order`] accepts a
//! set of shards only when it is exactly one run's shards, each once.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Which part of a run this process computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 0-based index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

/// Errors in naming, reading or combining shards.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// A shard specification that is not `i/n` or `n`.
    #[error("{0}")]
    Syntax(&'static str),
    /// An index at or past the count.
    #[error("index {index} must be below the shard count {count}")]
    Range {
        /// The index.
        index: u64,
        /// The count.
        count: u64,
    },
    /// `n` alone, with no scheduler variable to take the index from.
    #[error("no shard index: set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, or give i/n")]
    NoIndex,
    /// No shard directories.
    #[error("no shard directories given")]
    Empty,
    /// A shard file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A shard file that is not what it should be.
    #[error("{} is not a {kind} shard: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// `simulate` or `sweep`.
        kind: &'static str,
        /// Why.
        source: serde_json::Error,
    },
    /// A shard of another run.
    #[error("{}: a shard of a different run ({what} differ)", dir.display())]
    Foreign {
        /// The shard's directory.
        dir: PathBuf,
        /// What differs.
        what: &'static str,
    },
    /// A shard whose index is not below its run's shard count.
    #[error("{}: shard index {index} is not below the shard count {count}", dir.display())]
    Outside {
        /// The shard's directory.
        dir: PathBuf,
        /// The index it claims.
        index: u64,
        /// The run's shard count.
        count: u64,
    },
    /// The same shard twice.
    #[error("{}: shard {index} given twice", dir.display())]
    Twice {
        /// The second directory holding it.
        dir: PathBuf,
        /// The shard index.
        index: u64,
    },
    /// Shards are missing.
    #[error("{}; every shard is needed", missing_text(.missing, *.more, *.count))]
    Missing {
        /// The first missing indices, in order (at most [`MISSING_LISTED`]).
        missing: Vec<u64>,
        /// How many more are missing beyond those listed.
        more: u64,
        /// The count.
        count: u64,
    },
    /// A folder that already holds another shard's state.
    #[error(
        "{}: holds shard {found}, not shard {wanted}; each shard needs its own folder",
        dir.display()
    )]
    Occupied {
        /// The folder.
        dir: PathBuf,
        /// The shard whose state it holds.
        found: Shard,
        /// The shard that was to run there.
        wanted: Shard,
    },
    /// A shard whose run has not finished.
    #[error("{}: shard {shard} is not finished (resume it first)", dir.display())]
    Unfinished {
        /// The shard's directory.
        dir: PathBuf,
        /// Which shard.
        shard: Shard,
    },
    /// A shard whose files do not agree with its manifest or with
    /// themselves (counts, lengths, point ranges).
    #[error("{}: the shard is damaged", dir.display())]
    Damaged {
        /// The shard's directory.
        dir: PathBuf,
        /// What is wrong.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Directories that do not all hold shards of one kind of run.
    #[error(
        "each directory must hold one shard of the same kind of run (partials.json from a simulate shard, or sweep-state.json from a sweep or sensitivity shard); got {simulate} simulate and {sweep} sweep shards among {dirs} directories"
    )]
    Mixed {
        /// Simulate shards among them.
        simulate: usize,
        /// Sweep shards among them.
        sweep: usize,
        /// Directories given.
        dirs: usize,
    },
}

/// How many missing shard indices an error lists.
pub const MISSING_LISTED: usize = 32;

/// `shard 2/4 is missing`, `shards 1, 3 of 4 are missing`, or with more
/// than are listed, `shards 1, 2, … and 998 more of 1000 are missing`.
fn missing_text(missing: &[u64], more: u64, count: u64) -> String {
    match (missing, more) {
        ([one], 0) => format!("shard {one}/{count} is missing"),
        (many, more) => {
            let list: Vec<String> = many.iter().map(u64::to_string).collect();
            let tail = match more {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            format!("shards {}{tail} of {count} are missing", list.join(", "))
        }
    }
}

impl ShardError {
    /// A damaged shard: `dir`, and what is wrong with it.
    pub fn damaged(dir: &Path, e: impl std::error::Error + Send + Sync + 'static) -> ShardError {
        ShardError::Damaged {
            dir: dir.to_path_buf(),
            source: Box::new(e),
        }
    }

    /// Every shard error is a problem with what the user gave.
    pub fn is_input(&self) -> bool {
        true
    }
}

impl Shard {
    /// The whole run, unsplit.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` of `count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, ShardError> {
        if count == 0 || index >= count {
            return Err(ShardError::Range { index, count });
        }
        Ok(Shard { index, count })
    }

    /// Parses `i/n` (0-based), or `n` alone with the index taken from the
    /// scheduler (see [`Shard::scheduler_index`]).
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let whole = |s: &str| s.trim().parse::<u64>();
        match text.split_once('/') {
            Some((i, n)) => match (whole(i), whole(n)) {
                (Ok(i), Ok(n)) => Shard::new(i, n),
                _ => Err(ShardError::Syntax(
                    "expected i/n with whole numbers, e.g. 0/4",
                )),
            },
            None => {
                let n = whole(text).map_err(|_| {
                    ShardError::Syntax("expected i/n, or n with the index from the environment")
                })?;
                Shard::new(Shard::scheduler_index().ok_or(ShardError::NoIndex)?, n)
            }
        }
    }

    /// The shard index a scheduler gives this process: JOB_COMPLETION_INDEX
    /// (Kubernetes Indexed Jobs), else SLURM_ARRAY_TASK_ID (Slurm job
    /// arrays), as given. The task id is the shard index whatever the rest of
    /// the array is, so a task resubmitted alone (`--array=5`, whose
    /// SLURM_ARRAY_TASK_MIN is 5) is still shard 5.
    pub fn scheduler_index() -> Option<u64> {
        let env = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        env("JOB_COMPLETION_INDEX").or_else(|| env("SLURM_ARRAY_TASK_ID"))
    }

    /// Checks that a folder holding `found`'s state may run `self`: only the
    /// same shard of the same split may continue there.
    pub fn check_folder(&self, dir: &Path, found: Shard) -> Result<(), ShardError> {
        if found == *self {
            return Ok(());
        }
        Err(ShardError::Occupied {
            dir: dir.to_path_buf(),
            found,
            wanted: *self,
        })
    }

    /// Whether this is the whole run.
    pub fn is_whole(&self) -> bool {
        self.count == 1
    }

    /// This shard's contiguous part of `0..total`.
    pub fn split(&self, total: u64) -> Range<u64> {
        (total * self.index / self.count)..(total * (self.index + 1) / self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What is inconsistent inside a shard's output.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Inconsistent(pub String);

/// Reads a shard's JSON file.
pub fn read_json<T: DeserializeOwned>(path: &Path, kind: &'static str) -> Result<T, ShardError> {
    let bytes = std::fs::read(path).map_err(|source| ShardError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| ShardError::Parse {
        path: path.to_path_buf(),
        kind,
        source,
    })
}

/// One shard as read: where it came from, which it is, and its contents.
#[derive(Debug)]
pub struct Piece<T> {
    /// The shard's directory.
    pub dir: PathBuf,
    /// Which shard.
    pub shard: Shard,
    /// What it holds.
    pub value: T,
}

/// Puts shards in index order after checking that they are every shard of
/// one run, each once. `differs` names what differs between two shards'
/// runs (`None` when they are shards of the same run).
pub fn order<T>(
    mut pieces: Vec<Piece<T>>,
    differs: impl Fn(&T, &T) -> Option<&'static str>,
) -> Result<Vec<Piece<T>>, ShardError> {
    let first = pieces.first().ok_or(ShardError::Empty)?;
    let count = first.shard.count;
    // A set, not a vector of `count` flags: a shard file may claim any count.
    let mut seen = std::collections::BTreeSet::new();
    for p in &pieces {
        let what = if p.shard.count != count {
            Some("shard counts")
        } else {
            differs(&first.value, &p.value)
        };
        if let Some(what) = what {
            return Err(ShardError::Foreign {
                dir: p.dir.clone(),
                what,
            });
        }
        let index = p.shard.index;
        if index >= count {
            return Err(ShardError::Outside {
                dir: p.dir.clone(),
                index,
                count,
            });
        }
        if !seen.insert(index) {
            return Err(ShardError::Twice {
                dir: p.dir.clone(),
                index,
            });
        }
    }
    // Lists at most `MISSING_LISTED` indices, so this takes at most
    // `pieces.len() + MISSING_LISTED` probes: a shard file may claim any count.
    let missing: Vec<u64> = (0..count)
        .filter(|i| !seen.contains(i))
        .take(MISSING_LISTED)
        .collect();
    if !missing.is_empty() {
        let more = count - seen.len() as u64 - missing.len() as u64;
        return Err(ShardError::Missing {
            missing,
            more,
            count,
        });
    }
    pieces.sort_by_key(|p| p.shard.index);
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(i: u64, n: u64, v: u8) -> Piece<u8> {
        Piece {
            dir: PathBuf::from(format!("s{i}")),
            shard: Shard { index: i, count: n },
            value: v,
        }
    }

    fn same(a: &u8, b: &u8) -> Option<&'static str> {
        (a != b).then_some("runs")
    }

    #[test]
    fn parses_and_splits() {
        assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
        assert!(matches!(Shard::parse("5/5"), Err(ShardError::Range { .. })));
        assert!(matches!(Shard::parse("a/2"), Err(ShardError::Syntax(_))));
        assert!(matches!(Shard::parse("0/0"), Err(ShardError::Range { .. })));
        let parts: Vec<_> = (0..3)
            .map(|i| Shard::new(i, 3).unwrap().split(10))
            .collect();
        assert_eq!(parts, [0..3, 3..6, 6..10]);
        assert_eq!(Shard::WHOLE.split(7), 0..7);
    }

    #[test]
    fn a_folder_of_another_shard_is_refused_naming_both() {
        let (s1, s2) = (Shard::new(1, 4).unwrap(), Shard::new(2, 4).unwrap());
        assert!(s1.check_folder(Path::new("d"), s1).is_ok());
        let e = s2.check_folder(Path::new("d"), s1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "d: holds shard 1/4, not shard 2/4; each shard needs its own folder"
        );
        let whole = Shard::new(0, 1).unwrap();
        assert!(
            Shard::new(0, 4)
                .unwrap()
                .check_folder(Path::new("d"), whole)
                .is_err()
        );
    }

    #[test]
    fn order_checks_every_shard_once() {
        let ok = order(vec![piece(1, 2, 0), piece(0, 2, 0)], same).unwrap();
        assert_eq!(ok[0].shard.index, 0);
        let e = order(vec![piece(0, 2, 0)], same).unwrap_err();
        assert_eq!(e.to_string(), "shard 1/2 is missing; every shard is needed");
        let e = order(vec![piece(1, 4, 0)], same).unwrap_err();
        assert_eq!(
            e.to_string(),
            "shards 0, 2, 3 of 4 are missing; every shard is needed"
        );
        assert!(matches!(
            order(vec![piece(0, 2, 0), piece(0, 2, 0)], same),
            Err(ShardError::Twice { index: 0, .. })
        ));
        assert!(matches!(
            order(vec![piece(0, 2, 0), piece(1, 2, 1)], same),
            Err(ShardError::Foreign { .. })
        ));
        assert!(matches!(
            order(vec![piece(0, 2, 0), piece(1, 3, 0)], same),
            Err(ShardError::Foreign { .. })
        ));
        // An index past the count (a corrupted shard file) is an error, not a panic.
        assert!(matches!(
            order(vec![piece(0, 2, 0), piece(7, 2, 0)], same),
            Err(ShardError::Outside { index: 7, .. })
        ));
        assert!(matches!(order::<u8>(vec![], same), Err(ShardError::Empty)));
        // A count no run could have is answered without allocating for it.
        assert!(matches!(
            order(vec![piece(0, u64::MAX, 0)], same),
            Err(ShardError::Missing { missing, more, .. })
                if missing[0] == 1 && missing.len() == MISSING_LISTED && more == u64::MAX - 1 - MISSING_LISTED as u64
        ));
    }
}
