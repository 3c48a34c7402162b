//! Run folders that are either a complete run or absent.
//!
//! A command never writes into its output folder directly. [`RunDir`] takes
//! a lock beside the folder (`.<name>.lock`, holding the writer's process
//! id; hidden, so that a glob over run folders never picks it up),
//! hands out a staging folder beside it on the same filesystem, and
//! [`RunDir::commit`] writes `manifest.json` — provenance plus the SHA-256 of
//! every file — and renames the staging folder into place. A run that fails
//! or is killed leaves the output folder as it was (absent, or the previous
//! complete run); [`verify`] checks a folder against its manifest.
//!
//! Staging folders are `.<name>.tmp-<pid>`, removed on failure and swept up
//! by the next run into the same folder. A resumable run (a sweep) stages in
//! `<out>.partial` instead, kept on failure so that a resume finds it.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Serialize;

mod digest;
mod lock;

use digest::hash_tree;
pub use digest::{sha256_hex, verify};
use lock::Lock;

/// The manifest every run folder holds.
pub const MANIFEST: &str = "manifest.json";

/// Why a run folder could not be prepared, committed or verified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunDirError {
    /// The output folder holds files and replacing it was not asked for.
    #[error("{} already holds files; a run is never written over another", path.display())]
    Exists {
        /// The output folder.
        path: PathBuf,
    },
    /// An unfinished resumable run sits beside the output folder.
    #[error("{} holds an unfinished run; resume it, or start over", path.display())]
    Unfinished {
        /// The staging folder of the unfinished run.
        path: PathBuf,
    },
    /// Another process is writing the same output folder.
    #[error("{} is being written by process {pid} (lock file {})", path.display(), lock.display())]
    Locked {
        /// The output folder.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// The other writer's process id, as its lock file says (`?` if unreadable).
        pid: String,
    },
    /// A path that cannot name an output folder (`.`, `..`, `/`).
    #[error("{} cannot be an output folder: it must end in a folder name", path.display())]
    Name {
        /// The path given.
        path: PathBuf,
    },
    /// A folder whose files do not match its manifest.
    #[error("{}: {why}", path.display())]
    Damaged {
        /// The folder or file.
        path: PathBuf,
        /// What does not match.
        why: String,
    },
    /// The filesystem failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl RunDirError {
    /// Refusals and damaged folders concern what the user gave; I/O
    /// failures are the machine's.
    pub fn is_input(&self) -> bool {
        !matches!(self, RunDirError::Io { .. })
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RunDirError + '_ {
    move |source| RunDirError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A run being written: the lock on its output folder and its staging folder.
#[derive(Debug)]
pub struct RunDir {
    out: PathBuf,
    staging: PathBuf,
    replace: bool,
    resumable: bool,
    committed: bool,
    _lock: Lock,
}

impl RunDir {
    /// Prepares a run into `out`: refused when `out` holds files unless
    /// `force` (then the old folder is replaced whole at commit).
    pub fn create(out: &Path, force: bool) -> Result<RunDir, RunDirError> {
        let (lock, name) = prepare(out)?;
        refuse_nonempty(out, force)?;
        let staging = sibling(out, &format!(".{name}.tmp-{}", std::process::id()));
        make_fresh(&staging)?;
        Ok(RunDir {
            out: out.to_path_buf(),
            staging,
            replace: force,
            resumable: false,
            committed: false,
            _lock: lock,
        })
    }

    /// Prepares a resumable run into `out`, staged in [`partial_dir`]`(out)`,
    /// which is kept when the run stops early. With `resume`, an unfinished
    /// run found there is continued (and `out` may be replaced by the
    /// finished run); without it, an unfinished run is refused unless
    /// `force`, which starts over.
    pub fn resumable(out: &Path, force: bool, resume: bool) -> Result<RunDir, RunDirError> {
        let (lock, _) = prepare(out)?;
        let staging = partial_dir(out);
        if !resume {
            refuse_nonempty(out, force)?;
            if staging.exists() && !force {
                return Err(RunDirError::Unfinished { path: staging });
            }
            make_fresh(&staging)?;
        } else {
            std::fs::create_dir_all(&staging).map_err(io(&staging))?;
            // The lock says no live run writes here, so temporaries are what
            // killed writes left: without them, a run killed while writing
            // its first file leaves an empty folder, which resumes from the
            // start, and no debris reaches the finished run.
            remove_temporaries(&staging).map_err(io(&staging))?;
        }
        Ok(RunDir {
            out: out.to_path_buf(),
            staging,
            replace: force || resume,
            resumable: true,
            committed: false,
            _lock: lock,
        })
    }

    /// The staging folder: write the run's files here.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The output folder the run becomes at commit.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Writes `manifest.json` (`manifest`'s fields, then `files`: the SHA-256
    /// of every other file, by relative path) and moves the run into place.
    pub fn commit<M: Serialize>(mut self, manifest: &M) -> Result<PathBuf, RunDirError> {
        #[derive(Serialize)]
        struct Listed<'a, M> {
            #[serde(flatten)]
            manifest: &'a M,
            files: BTreeMap<String, String>,
        }
        let files = hash_tree(&self.staging)?;
        let listed = Listed { manifest, files };
        crate::report::write_json(&self.staging.join(MANIFEST), &listed).map_err(|e| {
            RunDirError::Io {
                path: e.path,
                source: e.source,
            }
        })?;
        sync_dir(&self.staging);
        self.swap_in()?;
        self.committed = true;
        Ok(self.out.clone())
    }

    /// Renames the staging folder to `out`, moving an old `out` aside first
    /// when it may be replaced. A kill between the two renames leaves `out`
    /// absent, never mixed.
    fn swap_in(&self) -> Result<(), RunDirError> {
        if self.out.exists() {
            if !self.replace && !is_empty_dir(&self.out) {
                return Err(RunDirError::Exists {
                    path: self.out.clone(),
                });
            }
            let name = folder_name(&self.out)?;
            let old = sibling(&self.out, &format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(&self.out, &old).map_err(io(&self.out))?;
            std::fs::rename(&self.staging, &self.out).map_err(io(&self.out))?;
            remove_any(&old);
        } else {
            std::fs::rename(&self.staging, &self.out).map_err(io(&self.out))?;
        }
        if let Some(parent) = self.out.parent() {
            sync_dir(parent);
        }
        Ok(())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        // A resumable run keeps what it finished; an empty staging folder
        // (nothing done yet) is debris either way.
        if !self.resumable || is_empty_dir(&self.staging) {
            remove_any(&self.staging);
        }
    }
}

/// The provenance a command with no model or engine records in its
/// manifest: the version and the command line.
pub fn stamp() -> serde_json::Value {
    serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "command_line": crate::report::Manifest::command_line(),
    })
}

/// Where a resumable run into `out` keeps its unfinished state: `<out>.partial`.
pub fn partial_dir(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}

/// Takes the lock of `out`, creating its parent, and sweeps up staging
/// folders that killed runs left beside it (the lock says none is live).
fn prepare(out: &Path) -> Result<(Lock, String), RunDirError> {
    let name = folder_name(out)?;
    let parent = parent_of(out);
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let lock = Lock::acquire(out, &sibling(out, &format!(".{name}.lock")))?;
    if let Ok(entries) = std::fs::read_dir(parent) {
        let stale = [format!(".{name}.tmp-"), format!(".{name}.old-")];
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if stale.iter().any(|s| n.starts_with(s.as_str())) {
                remove_any(&e.path());
            }
        }
    }
    Ok((lock, name))
}

fn refuse_nonempty(out: &Path, force: bool) -> Result<(), RunDirError> {
    if out.exists() && !force && !is_empty_dir(out) {
        return Err(RunDirError::Exists {
            path: out.to_path_buf(),
        });
    }
    Ok(())
}

fn folder_name(out: &Path) -> Result<String, RunDirError> {
    match out.components().next_back() {
        Some(std::path::Component::Normal(n)) => Ok(n.to_string_lossy().into_owned()),
        _ => Err(RunDirError::Name {
            path: out.to_path_buf(),
        }),
    }
}

fn parent_of(out: &Path) -> &Path {
    out.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn sibling(out: &Path, name: &str) -> PathBuf {
    parent_of(out).join(name)
}

fn make_fresh(dir: &Path) -> Result<(), RunDirError> {
    remove_any(dir);
    std::fs::create_dir_all(dir).map_err(io(dir))
}

/// Removes the temporary files of atomic writes (`NAME.PID.tmp`, see
/// [`crate::report::write_atomic`]) at the top of `dir`.
fn remove_temporaries(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let temporary = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.ends_with(".tmp"));
        if temporary && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Whether `dir` is a folder with nothing in it.
pub fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

fn remove_any(path: &Path) {
    if path.is_dir() {
        let _ = std::fs::remove_dir_all(path);
    } else {
        let _ = std::fs::remove_file(path);
    }
}

/// Makes renames inside `dir` durable (best effort: not every platform
/// can open a folder).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests;
