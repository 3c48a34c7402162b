//! Golden outputs: a fixed set of commands whose every output file must keep
//! its SHA-256. The hashes in `tests/golden/hashes.txt` were taken before the
//! library was reorganised; any change to a file's bytes is a behaviour
//! change and must be deliberate. `MOSDE_BLESS=1` rewrites the file.
//!
//! `manifest.json` is left out: it holds timings and the command line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::common::{Lcg, mosde};

const SOBOL_SPEC: &str = r#"
model = "code-generation"
strategies = ["AI"]
paths = 1000
steps = 20
design = "sobol"
samples = 16
metrics = ["AI.terminal_mean.security", "AI.hypervolume"]
mc_replicates = 3
bootstrap = 50
[[parameters]]
path = "strategies.AI.target[0]"
range = [2.0, 6.0]
[[parameters]]
path = "strategies.AI.sigma[1]"
range = [0.1, 0.3]
"#;

/// Every file under `root` (relative path → SHA-256), manifests excepted.
fn hashes(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.file_name().is_some_and(|n| n != "manifest.json") {
                let digest = Sha256::digest(std::fs::read(&p).unwrap());
                let hex = digest.iter().fold(String::new(), |mut s, b| {
                    let _ = write!(s, "{b:02x}");
                    s
                });
                let rel = p.strip_prefix(root).unwrap().to_string_lossy();
                out.insert(rel.replace('\\', "/"), hex);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn run(args: &[&str], root: &Path) {
    let out = mosde().current_dir(root).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "mosde {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A deterministic table of points for `pareto`.
fn points_csv() -> String {
    let mut lcg = Lcg(12345);
    let mut next = || lcg.unit();
    let mut t = String::from("cost,quality,speed\n");
    for _ in 0..400 {
        let (a, b) = (next(), next());
        let c = 1.0 - a * b - 0.3 * next();
        let _ = writeln!(t, "{:.6},{:.6},{:.6}", a * 10.0, b, c * 3.0);
    }
    t
}

#[test]
fn outputs_keep_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("sweep.toml"), crate::sweep::SPEC).unwrap();
    std::fs::write(root.join("sobol.toml"), SOBOL_SPEC).unwrap();
    std::fs::write(root.join("points.csv"), points_csv()).unwrap();
    let cpu = ["--engine", "cpu", "--threads", "2", "-q"];
    let sim = [
        "simulate",
        "--paths",
        "3000",
        "--steps",
        "40",
        "--seed",
        "7",
        "--record-paths",
        "3",
        "--pareto-sample",
        "2000",
    ];
    run(&[&sim[..], &cpu, &["--out", "out/simulate"]].concat(), root);
    for i in 0..3 {
        let shard = format!("{i}/3");
        let out = format!("shards/s{i}");
        run(
            &[&sim[..], &cpu, &["--shard", &shard, "--out", &out]].concat(),
            root,
        );
    }
    run(
        &[
            "merge",
            "shards/s0",
            "shards/s1",
            "shards/s2",
            "--out",
            "out/merged",
        ],
        root,
    );
    run(
        &[
            &["sweep", "--spec", "sweep.toml"][..],
            &cpu,
            &["--out", "out/sweep"],
        ]
        .concat(),
        root,
    );
    run(
        &[
            &["sensitivity", "--spec", "sobol.toml"][..],
            &cpu,
            &["--out", "out/sensitivity"],
        ]
        .concat(),
        root,
    );
    run(
        &[
            "generate",
            "--sessions",
            "30",
            "--iterations",
            "8",
            "--seed",
            "2",
            "--out",
            "out/fit/sessions.csv",
        ],
        root,
    );
    run(
        &[
            "fit",
            "--data",
            "out/fit/sessions.csv",
            "--bootstrap",
            "20",
            "--out",
            "out/fit/fitted.toml",
            "--report",
            "out/fit/report.json",
        ],
        root,
    );
    run(
        &["replicate", "--bootstrap", "10", "--out", "out/replicate"],
        root,
    );
    run(
        &[
            "pareto",
            "--input",
            "points.csv",
            "--minimize",
            "cost",
            "--out",
            "out/pareto",
        ],
        root,
    );

    let got = hashes(&root.join("out"));
    let text: String = got.iter().map(|(f, h)| format!("{h}  {f}\n")).collect();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/hashes.txt");
    if std::env::var("MOSDE_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    let want: BTreeMap<&str, &str> = want
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(h, f)| (f, h))
        .collect();
    let mut diff = Vec::new();
    for (f, h) in &want {
        match got.get(*f) {
            None => diff.push(format!("missing: {f}")),
            Some(g) if g != h => diff.push(format!("changed: {f}")),
            _ => {}
        }
    }
    for f in got.keys() {
        if !want.contains_key(f.as_str()) {
            diff.push(format!("new: {f}"));
        }
    }
    assert!(
        diff.is_empty(),
        "outputs differ from tests/golden/hashes.txt:\n{}",
        diff.join("\n")
    );
    // Shards merge to the bytes of the single run.
    for f in [
        "summary.json",
        "moments.csv",
        "pareto_front.csv",
        "strategies.md",
    ] {
        assert_eq!(
            got[&format!("simulate/{f}")],
            got[&format!("merged/{f}")],
            "{f}"
        );
    }
}
