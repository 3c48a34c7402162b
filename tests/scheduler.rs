//! What a batch scheduler's environment changes: the shard index, refusals
//! of a folder that holds another shard, merges that name missing shards,
//! threads that follow the cores a task was given, and logs without driver
//! noise when XDG_RUNTIME_DIR is unset.

use std::path::Path;

use crate::common::{mosde, usage_error, write};

const SPEC: &str = crate::sweep::SPEC;

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

fn sweep_shard(spec: &Path, out: &Path, shard: &str) -> assert_cmd::Command {
    let mut c = mosde();
    c.args(["sweep", "--engine", "cpu", "-q", "--shard", shard, "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(out);
    c
}

#[test]
fn slurm_task_id_is_the_shard_index_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", SPEC);
    // A task resubmitted alone (`sbatch --array=3`) has SLURM_ARRAY_TASK_MIN=3
    // and is still shard 3.
    sweep_shard(&spec, &dir.path().join("o"), "4")
        .env_remove("JOB_COMPLETION_INDEX")
        .env("SLURM_ARRAY_TASK_ID", "3")
        .env("SLURM_ARRAY_TASK_MIN", "3")
        .env("SLURM_ARRAY_TASK_COUNT", "1")
        .assert()
        .success();
    let state = std::fs::read_to_string(dir.path().join("o/sweep-state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["shard"], serde_json::json!([3, 4]));
}

#[test]
fn a_folder_holding_another_shard_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", SPEC);
    let out = dir.path().join("o");
    sweep_shard(&spec, &out, "0/4").assert().success();
    let both = "holds shard 0/4, not shard 1/4";
    let mut c = sweep_shard(&spec, &out, "1/4");
    c.arg("--resume");
    usage_error(
        &mut c,
        "sweep --resume of shard 1 in shard 0's folder",
        both,
    );
    usage_error(
        &mut sweep_shard(&spec, &out, "1/4"),
        "sweep shard 1 into shard 0's folder",
        both,
    );
    let sim = |shard: &str| {
        let mut c = mosde();
        c.args(["simulate", "--engine", "cpu", "-q", "--paths", "2000"])
            .args(["--shard", shard, "--out"])
            .arg(dir.path().join("sim"));
        c
    };
    sim("0/2").assert().success();
    usage_error(
        &mut sim("1/2"),
        "simulate shard 1 into shard 0's folder",
        "holds shard 0/2, not shard 1/2",
    );
}

#[test]
fn merge_names_every_missing_shard() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", SPEC);
    sweep_shard(&spec, &dir.path().join("s2"), "2/4")
        .assert()
        .success();
    // A task that died before writing anything leaves an empty folder.
    std::fs::create_dir(dir.path().join("s0")).unwrap();
    let mut c = mosde();
    c.arg("merge")
        .arg(dir.path().join("s0"))
        .arg(dir.path().join("s2"))
        .arg("--out")
        .arg(dir.path().join("m"));
    let err = usage_error(
        &mut c,
        "merge of shard 2 alone",
        "shards 0, 1, 3 of 4 are missing",
    );
    assert!(err.contains("holds no shard output; left out"), "{err}");
}

fn simulate_threads(
    dir: &Path,
    name: &str,
    cmd: &mut assert_cmd::Command,
    extra: &[&str],
) -> (u64, String) {
    let out = dir.join(name);
    cmd.args(["simulate", "--engine", "cpu", "-q", "--paths", "1000"])
        .args(extra)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let m = manifest(&out);
    (
        m["threads"].as_u64().unwrap(),
        m["threads_source"].as_str().unwrap().to_string(),
    )
}

#[test]
fn threads_follow_affinity_and_slurm_cpus_per_task() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cores = std::thread::available_parallelism().unwrap().get() as u64;
    let mut c = mosde();
    c.env_remove("SLURM_CPUS_PER_TASK");
    let got = simulate_threads(d, "a", &mut c, &[]);
    assert_eq!(got, (cores, "cpu affinity".into()));
    let mut c = mosde();
    c.env("SLURM_CPUS_PER_TASK", "1");
    let want = if cores > 1 {
        "SLURM_CPUS_PER_TASK"
    } else {
        "cpu affinity"
    };
    assert_eq!(simulate_threads(d, "s", &mut c, &[]), (1, want.into()));
    let mut c = mosde();
    c.env("SLURM_CPUS_PER_TASK", "1");
    let got = simulate_threads(d, "r", &mut c, &["--threads", "2"]);
    assert_eq!(got, (2, "requested".into()));
    // The default reads the affinity mask, where taskset exists to set it.
    if std::process::Command::new("taskset")
        .arg("-V")
        .output()
        .is_ok()
    {
        let mut c = assert_cmd::Command::new("taskset");
        c.args(["-c", "0"])
            .arg(assert_cmd::cargo::cargo_bin("mosde"))
            .env_remove("SLURM_CPUS_PER_TASK")
            .env("XDG_RUNTIME_DIR", std::env::temp_dir());
        let got = simulate_threads(d, "t", &mut c, &[]);
        assert_eq!(got, (1, "cpu affinity".into()));
    }
}

#[test]
fn no_driver_noise_without_xdg_runtime_dir() {
    for args in [
        vec!["devices"],
        vec![
            "simulate", "--engine", "auto", "-q", "--paths", "1000", "--out",
        ],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut c = mosde();
        c.env_remove("XDG_RUNTIME_DIR").args(&args);
        if args.len() > 1 {
            c.arg(dir.path().join("o"));
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        assert!(!err.contains("XDG_RUNTIME_DIR"), "{args:?}: {err}");
    }
}
