//! The lock that keeps two runs from writing one output folder at once.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{RunDirError, io};

/// An advisory lock on `.<name>.lock` beside the output folder, released when the process ends in any
/// way (so a killed run leaves no live lock), and its file removed on drop.
#[derive(Debug)]
pub(crate) struct Lock {
    path: PathBuf,
    _file: File,
}

impl Lock {
    /// Locks `path` (the lock file of output folder `out`), or says which
    /// process holds it.
    pub(crate) fn acquire(out: &Path, path: &Path) -> Result<Lock, RunDirError> {
        for _ in 0..8 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(io(path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let pid = std::fs::read_to_string(path).unwrap_or_default();
                    let pid = pid.trim();
                    return Err(RunDirError::Locked {
                        path: out.to_path_buf(),
                        lock: path.to_path_buf(),
                        pid: if pid.is_empty() {
                            "?".into()
                        } else {
                            pid.into()
                        },
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(path)(e)),
            }
            // The previous holder may have removed the file between our open
            // and our lock: then we hold a lock on a file nobody else sees.
            if !same_file(&file, path) {
                continue;
            }
            file.set_len(0).map_err(io(path))?;
            writeln!(file, "{}", std::process::id()).map_err(io(path))?;
            return Ok(Lock {
                path: path.to_path_buf(),
                _file: file,
            });
        }
        Err(io(path)(std::io::Error::other(
            "the lock file keeps changing under this process",
        )))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no other process can lock this file
        // and then see it vanish.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}
