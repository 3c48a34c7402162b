//! Shard reader of `sweep`: the input is a shard's `sweep-state.json`, a
//! line `====`, then its `sweep.csv` rows. Any bytes are refused with an
//! error or merge into a sweep folder. The shard's manifest lists the
//! files' true hashes, so every input reaches the checks behind the hashes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mosde::report::run_dir::sha256_hex;
use mosde::sweep::store::{ROWS, STATE, merge};

fuzz_target!(|data: &[u8]| {
    let sep = b"\n====\n";
    let Some(at) = data.windows(sep.len()).position(|w| w == sep) else {
        return;
    };
    let (state, rows) = (&data[..at], &data[at + sep.len()..]);
    let root = std::env::temp_dir().join(format!("mosde-fuzz-sweep-{}", std::process::id()));
    let (dir, out) = (root.join("shard"), root.join("out"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    std::fs::write(dir.join(STATE), state).expect("a temporary file");
    std::fs::write(dir.join(ROWS), rows).expect("a temporary file");
    let manifest = format!(
        r#"{{"files": {{"{STATE}": "{}", "{ROWS}": "{}"}}}}"#,
        sha256_hex(state),
        sha256_hex(rows)
    );
    std::fs::write(dir.join("manifest.json"), manifest).expect("a temporary file");
    let _ = merge(&[dir], &out, true);
});
