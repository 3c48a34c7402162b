//! Shard reader of `simulate`: any bytes as a shard's `partials.json` are
//! refused with an error, or merge into a run whose report can be built.
//! The shard's manifest lists the bytes' true hash, so every input reaches
//! the consistency checks behind the hash check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mosde::report::run_dir::sha256_hex;
use mosde::simulation::{PARTIALS, merge};

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("mosde-fuzz-partials-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    std::fs::write(dir.join(PARTIALS), data).expect("a temporary file");
    let manifest = format!(r#"{{"files": {{"{PARTIALS}": "{}"}}}}"#, sha256_hex(data));
    std::fs::write(dir.join("manifest.json"), manifest).expect("a temporary file");
    if let Ok(merged) = merge(&[dir]) {
        let _ = merged.simulation.report(&merged.run);
    }
});
