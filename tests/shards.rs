//! Property tests of the shard protocol: honest shards, however many, merge
//! into the bytes of the single run; a shard with any one field changed is
//! refused, and the refusal names it.

use std::path::{Path, PathBuf};

use mosde::engine::JobOptions;
use mosde::engine::cpu::CpuEngine;
use mosde::model::Model;
use mosde::report::run_dir::{MANIFEST, RunDir, sha256_hex};
use mosde::shard::Shard;
use mosde::simulation::{self, PARTIALS, Simulation};
use mosde::sweep::Sweep;
use mosde::sweep::store::{self, ROWS, SweepRun};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::write;

fn simulation() -> Simulation {
    simulation_with(None)
}

/// [`simulation`] with goals and a constraint tracked.
fn goal_simulation() -> Simulation {
    let names = Model::preset("code-generation").unwrap().objective_names();
    let goals = mosde::engine::Goals::parse(
        Some("security>=5,efficiency>=4"),
        Some("security>=1"),
        0.9,
        &names,
    )
    .unwrap();
    simulation_with(Some(goals))
}

fn simulation_with(goals: Option<mosde::engine::Goals>) -> Simulation {
    let mut options = JobOptions::paths(1100);
    options.goals = goals;
    options.integration.steps = Some(12);
    options.integration.seed = 11;
    options.save.record_paths = 3;
    options.save.keep_terminal = 700;
    Simulation::new(Model::preset("code-generation").unwrap(), &[], options)
}

/// Runs `shard` of `sim` into `dir` as `simulate --shard` does.
fn simulate_shard(sim: &Simulation, dir: &Path, shard: Shard) {
    let mut cpu = CpuEngine::new(1).unwrap();
    let run = sim.run(&mut cpu, shard, &mut |_| {}).unwrap();
    let out = RunDir::create(dir, false).unwrap();
    sim.write_shard(out.path(), &run, shard).unwrap();
    out.commit(&sim.manifest(&run, shard)).unwrap();
}

/// The whole run's files, by name.
fn outputs(dir: &Path, sim: &Simulation, run: &mosde::engine::Run) -> Vec<(String, Vec<u8>)> {
    let w = simulation::write_outputs(dir, sim, run, false).unwrap();
    w.files
        .iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(f).unwrap())
        })
        .collect()
}

fn sweep(root: &Path) -> Sweep {
    let spec = crate::sweep::SPEC.replace("mc_replicates = 3", "mc_replicates = 2");
    Sweep::from_file(&write(root, "s.toml", &spec)).unwrap()
}

fn sweep_shard(sweep: &Sweep, dir: &Path, shard: Shard) {
    let mut cpu = CpuEngine::new(1).unwrap();
    let run = SweepRun {
        sensitivity: false,
        shard,
        dir: dir.to_path_buf(),
        resume: false,
        force: false,
    };
    run.execute(sweep, &mut cpu, &mut |_| {}).unwrap();
}

/// An error and its causes, as the CLI prints them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

/// Rewrites a shard's manifest so that its hashes match its files again:
/// a corruption that only the shard's own consistency checks can catch.
fn rehash(dir: &Path) {
    let path = dir.join(MANIFEST);
    let mut m: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let files = m["files"].as_object_mut().unwrap();
    for (f, h) in files.iter_mut() {
        *h = Value::String(sha256_hex(&std::fs::read(dir.join(f)).unwrap()));
    }
    std::fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
}

/// Every leaf of a JSON value, as a JSON pointer.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| leaves(c, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| leaves(c, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

/// Changes one leaf: numbers move, strings gain a character, booleans flip.
fn mutate(v: &mut Value) {
    *v = match v.take() {
        Value::Number(n) => match n.as_u64() {
            Some(u) => Value::from(u ^ 1),
            None => Value::from(n.as_f64().unwrap_or(0.0) * 1.5 + 1.0),
        },
        Value::String(s) => Value::String(format!("{s}x")),
        Value::Bool(b) => Value::Bool(!b),
        Value::Null => Value::from(1),
        other => other,
    };
}

fn shard_dirs(root: &Path, n: u64) -> Vec<PathBuf> {
    (0..n).map(|i| root.join(format!("s{i}"))).collect()
}

#[test]
fn goal_shards_merge_into_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let sim = goal_simulation();
    let dirs = shard_dirs(dir.path(), 3);
    for (i, d) in dirs.iter().enumerate() {
        simulate_shard(&sim, d, Shard::new(i as u64, 3).unwrap());
    }
    let merged = simulation::merge(&dirs).unwrap();
    let mut cpu = CpuEngine::new(2).unwrap();
    let single = sim.run(&mut cpu, Shard::WHOLE, &mut |_| {}).unwrap();
    let a = outputs(&dir.path().join("single"), &sim, &single);
    let b = outputs(&dir.path().join("merged"), &merged.simulation, &merged.run);
    let summary = &a.iter().find(|(n, _)| n == "summary.json").unwrap().1;
    assert!(String::from_utf8_lossy(summary).contains("\"constraint_held\""));
    assert_eq!(a, b);
    // A goal histogram that miscounts, behind honest file hashes, is refused.
    let path = dirs[1].join(PARTIALS);
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut all = Vec::new();
    leaves(&v, String::new(), &mut all);
    let at = all.iter().find(|p| p.contains("/goal_hist/")).unwrap();
    mutate(v.pointer_mut(at).unwrap());
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    rehash(&dirs[1]);
    let e = simulation::merge(&dirs).unwrap_err();
    assert!(chain(&e).contains("goal histogram counts"), "{}", chain(&e));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn honest_simulate_shards_merge_into_the_single_run(n in 1u64..6) {
        let dir = tempfile::tempdir().unwrap();
        let sim = simulation();
        let dirs = shard_dirs(dir.path(), n);
        for (i, d) in dirs.iter().enumerate().rev() {
            simulate_shard(&sim, d, Shard::new(i as u64, n).unwrap());
        }
        let merged = simulation::merge(&dirs).unwrap();
        let mut cpu = CpuEngine::new(2).unwrap();
        let single = sim.run(&mut cpu, Shard::WHOLE, &mut |_| {}).unwrap();
        let a = outputs(&dir.path().join("single"), &sim, &single);
        let b = outputs(&dir.path().join("merged"), &merged.simulation, &merged.run);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn honest_sweep_shards_merge_into_the_single_run(n in 1u64..6) {
        let dir = tempfile::tempdir().unwrap();
        let sweep = sweep(dir.path());
        sweep_shard(&sweep, &dir.path().join("single"), Shard::WHOLE);
        let dirs = shard_dirs(dir.path(), n);
        for (i, d) in dirs.iter().enumerate() {
            sweep_shard(&sweep, d, Shard::new(i as u64, n).unwrap());
        }
        store::merge(&dirs, &dir.path().join("merged"), false).unwrap();
        for f in [ROWS, "mc_error.csv", "mc_replicates.csv"] {
            prop_assert_eq!(
                std::fs::read(dir.path().join("single").join(f)).unwrap(),
                std::fs::read(dir.path().join("merged").join(f)).unwrap(),
                "{}", f
            );
        }
    }

    #[test]
    fn any_changed_field_of_a_simulate_shard_is_refused(pick in 0usize..1 << 20, which in 0u64..3) {
        let dir = tempfile::tempdir().unwrap();
        let sim = simulation();
        let dirs = shard_dirs(dir.path(), 3);
        for (i, d) in dirs.iter().enumerate() {
            simulate_shard(&sim, d, Shard::new(i as u64, 3).unwrap());
        }
        let bad = &dirs[which as usize];
        let file = bad.join(PARTIALS);
        let mut v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let mut all = Vec::new();
        leaves(&v, String::new(), &mut all);
        mutate(v.pointer_mut(&all[pick % all.len()]).unwrap());
        std::fs::write(&file, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
        let Err(err) = simulation::merge(&dirs) else {
            panic!("a changed shard was merged");
        };
        prop_assert!(chain(&err).contains(&bad.display().to_string()), "{}", chain(&err));
    }

    #[test]
    fn any_changed_cell_or_lost_row_of_a_sweep_shard_is_refused(
        pick in 0usize..1 << 20,
        which in 0u64..3,
        delete in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let sweep = sweep(dir.path());
        let dirs = shard_dirs(dir.path(), 3);
        for (i, d) in dirs.iter().enumerate() {
            sweep_shard(&sweep, d, Shard::new(i as u64, 3).unwrap());
        }
        let bad = &dirs[which as usize];
        let file = bad.join(ROWS);
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let row = 1 + pick % (lines.len() - 1);
        if delete {
            lines.remove(row);
        } else {
            let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
            let k = (pick / 7) % cells.len();
            cells[k].push('1');
            lines[row] = cells.join(",");
        }
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let Err(err) = store::merge(&dirs, &dir.path().join("m"), false) else {
            panic!("a changed shard was merged");
        };
        prop_assert!(chain(&err).contains(&bad.display().to_string()), "{}", chain(&err));
        prop_assert!(!dir.path().join("m").exists());
    }
}

/// What is changed, how, and a word the refusal must contain.
type Corruption = (&'static str, fn(&mut Value), &'static str);

/// Corruptions with an honest-looking manifest: the shard's own counts,
/// lengths and point ranges give it away.
#[test]
fn inconsistent_shards_with_matching_hashes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulation();
    let dirs = shard_dirs(dir.path(), 3);
    for (i, d) in dirs.iter().enumerate() {
        simulate_shard(&sim, d, Shard::new(i as u64, 3).unwrap());
    }
    let original = std::fs::read(dirs[0].join(PARTIALS)).unwrap();
    let cases: [Corruption; 5] = [
        (
            "histogram",
            |v| {
                let bin = &mut v["output"]["sets"][0]["hist"][0];
                *bin = Value::from(bin.as_u64().unwrap() + 1);
            },
            "counts",
        ),
        (
            "terminal list",
            |v| {
                v["output"]["sets"][1]["terminal"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            },
            "terminal values",
        ),
        (
            "fold",
            |v| v["output"]["sets"][2]["fold"]["nodes"] = Value::Array(vec![]),
            "partial sums",
        ),
        (
            "trajectories",
            |v| {
                v["output"]["sets"][0]["paths"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            },
            "trajectory",
        ),
        ("shard index", |v| v["shard"] = Value::from(7), "index 7"),
    ];
    for (what, change, needle) in cases {
        let mut v: Value = serde_json::from_slice(&original).unwrap();
        change(&mut v);
        std::fs::write(dirs[0].join(PARTIALS), serde_json::to_vec(&v).unwrap()).unwrap();
        rehash(&dirs[0]);
        let Err(err) = simulation::merge(&dirs) else {
            panic!("{what}: a changed shard was merged");
        };
        let err = chain(&err);
        assert!(
            err.contains(&dirs[0].display().to_string()) && err.contains(needle),
            "{what}: {err}"
        );
    }
}

/// A sweep shard whose row was renumbered to another shard's point, with
/// its manifest made to match.
#[test]
fn a_renumbered_sweep_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = sweep(dir.path());
    let dirs = shard_dirs(dir.path(), 2);
    for (i, d) in dirs.iter().enumerate() {
        sweep_shard(&sweep, d, Shard::new(i as u64, 2).unwrap());
    }
    let file = dirs[0].join(ROWS);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("\n0,", "\n20,", 1)).unwrap();
    rehash(&dirs[0]);
    let Err(err) = store::merge(&dirs, &dir.path().join("m"), false) else {
        panic!("a renumbered row was merged");
    };
    let err = chain(&err);
    assert!(err.contains("s0") && err.contains("point 20"), "{err}");
    assert!(!dir.path().join("m").exists());
}
