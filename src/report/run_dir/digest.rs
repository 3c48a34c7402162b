//! The manifest's file list: SHA-256 of every file of a run folder, and the
//! check of a folder against it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{MANIFEST, RunDirError, io};

/// Checks a run folder against its manifest: every listed file has its
/// hash, and no file is unlisted. Returns the listed files.
pub fn verify(dir: &Path) -> Result<BTreeMap<String, String>, RunDirError> {
    let damaged = |path: &Path, why: String| RunDirError::Damaged {
        path: path.to_path_buf(),
        why,
    };
    let mpath = dir.join(MANIFEST);
    let text = std::fs::read(&mpath)
        .map_err(|e| damaged(&mpath, format!("unreadable ({e}); not a complete run")))?;
    let value: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| damaged(&mpath, format!("damaged ({e}); not a complete run")))?;
    let listed: BTreeMap<String, String> = value
        .get("files")
        .and_then(|f| serde_json::from_value(f.clone()).ok())
        .ok_or_else(|| damaged(&mpath, "lists no files; not a complete run".into()))?;
    let found = hash_tree(dir)?;
    for (file, hash) in &listed {
        match found.get(file) {
            None => return Err(damaged(&dir.join(file), "is missing".into())),
            Some(h) if h != hash => {
                return Err(damaged(
                    &dir.join(file),
                    "does not match the SHA-256 in manifest.json (changed or truncated)".into(),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = found.keys().find(|f| !listed.contains_key(*f)) {
        return Err(damaged(
            &dir.join(extra),
            "is not listed in manifest.json".into(),
        ));
    }
    Ok(listed)
}

/// SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Relative path (with `/`) → SHA-256 of every file under `root`, the
/// manifest excepted.
pub(super) fn hash_tree(root: &Path) -> Result<BTreeMap<String, String>, RunDirError> {
    fn walk(
        root: &Path,
        dir: &Path,
        out: &mut BTreeMap<String, String>,
    ) -> Result<(), RunDirError> {
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel != MANIFEST {
                out.insert(rel, hash_file(&path)?);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out)?;
    Ok(out)
}

fn hash_file(path: &Path) -> Result<String, RunDirError> {
    let mut f = File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            return Ok(hex(&h.finalize()));
        }
        h.update(&buf[..n]);
    }
}
