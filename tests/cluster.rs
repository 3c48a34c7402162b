//! Runs beyond one machine, short of a real cluster: the Kubernetes
//! manifests' commands run locally, the Slurm script's arguments and shard
//! count, shard identity and refusals, threads that follow the scheduler,
//! and quiet logs without XDG_RUNTIME_DIR. (`slurm.rs` runs the Slurm
//! example on a real cluster.)

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_norway::Value;

use crate::common::{cluster_example, mosde, write};

/// A small Sobol' design: 8 × (2 + 2) = 32 points.
const SPEC: &str = r#"
model = "code-generation"
strategies = ["AI"]
paths = 300
steps = 20
seed = 2
design = "sobol"
samples = 8
metrics = ["terminal_mean.security", "first_passage.p50"]

[[parameters]]
path = "strategies.AI.interference[0][2]"
range = [-0.5, 0.0]
[[parameters]]
path = "strategies.AI.rates[2]"
range = [0.1, 0.2]
"#;

/// A Job manifest's one container: its command line (command then args),
/// its environment, and the Job's `completions`.
struct Container {
    argv: Vec<String>,
    env: BTreeMap<String, String>,
    completions: u64,
}

fn container(file: &str) -> Container {
    let text = std::fs::read_to_string(cluster_example(file)).unwrap();
    let job: Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(job["apiVersion"].as_str(), Some("batch/v1"), "{file}");
    assert_eq!(job["kind"].as_str(), Some("Job"), "{file}");
    let containers = job["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .unwrap();
    assert_eq!(containers.len(), 1, "{file}: one container");
    let c = &containers[0];
    let strings = |v: &Value| -> Vec<String> {
        v.as_sequence().map_or(vec![], |s| {
            s.iter().map(|x| x.as_str().unwrap().to_string()).collect()
        })
    };
    let mut argv = strings(&c["command"]);
    argv.extend(strings(&c["args"]));
    let env = c["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("name"), s("value"))
        })
        .collect();
    Container {
        argv,
        env,
        completions: job["spec"]["completions"].as_u64().unwrap_or(1),
    }
}

/// Runs a container's command here, in `dir`, with its environment, the
/// overrides, and the test's mosde first on PATH.
fn run_locally(c: &Container, dir: &Path, overrides: &[(&str, String)]) {
    let bin = assert_cmd::cargo::cargo_bin("mosde");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(&c.argv[0])
        .args(&c.argv[1..])
        .current_dir(dir)
        .envs(&c.env)
        .envs(overrides.iter().map(|(k, v)| (*k, v.as_str())))
        .env("PATH", path)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?} {overrides:?}: {}",
        c.argv,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn kubernetes_manifests_run_and_merge_into_one_runs_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let spec = write(dir, "spec.toml", SPEC);
    let shards = container("k8s-indexed-job.yaml");
    let merge = container("k8s-merge-job.yaml");
    assert_eq!(
        shards.env["SHARDS"],
        shards.completions.to_string(),
        "SHARDS must equal completions"
    );
    let runs = dir.join("runs");
    let env = [
        ("SPEC", spec.display().to_string()),
        ("RUNS", runs.display().to_string()),
    ];
    for i in 0..shards.completions {
        let mut e = env.to_vec();
        e.push(("JOB_COMPLETION_INDEX", i.to_string()));
        run_locally(&shards, dir, &e);
    }
    // A retried pod finds its shard's state and resumes.
    let mut e = env.to_vec();
    e.push(("JOB_COMPLETION_INDEX", "3".into()));
    run_locally(&shards, dir, &e);
    run_locally(&merge, dir, &env);
    mosde()
        .args(["sensitivity", "--engine", "auto", "-q", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.join("whole"))
        .assert()
        .success();
    for f in ["sweep.csv", "sensitivity.csv"] {
        assert_eq!(
            std::fs::read(dir.join("whole").join(f)).unwrap(),
            std::fs::read(runs.join("merged").join(f)).unwrap(),
            "{f} differs after the merge"
        );
    }
}

/// Runs examples/cluster/slurm.sh outside Slurm with a stand-in mosde that
/// prints its arguments; returns (exit code, stdout + stderr).
fn slurm_script(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let stub = write(dir, "echo-mosde", "#!/bin/sh\necho \"mosde $*\"\n");
    Command::new("chmod").arg("+x").arg(&stub).status().unwrap();
    let out = Command::new("bash")
        .arg(cluster_example("slurm.sh"))
        .args(args)
        .env("MOSDE", &stub)
        .env("SLURM_SUBMIT_DIR", dir)
        .env_remove("MOSDE_SHARDS")
        .env_remove("MOSDE_COMMAND")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn slurm_script_resolves_paths_and_keeps_the_shard_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("examples/cluster")).unwrap();
    write(dir, "examples/cluster/sweep.toml", SPEC);
    let d = dir.display();
    // No arguments: examples/cluster/sweep.toml into runs/, from the submit
    // folder, as absolute paths; the count is the array's size.
    let task = |id: &'static str, count: &'static str| {
        [
            ("SLURM_ARRAY_TASK_ID", id),
            ("SLURM_ARRAY_TASK_COUNT", count),
            ("SLURM_ARRAY_TASK_MIN", id),
        ]
    };
    let (code, text) = slurm_script(dir, &[], &task("2", "4"));
    assert_eq!(code, 0, "{text}");
    let want = format!(
        "mosde sensitivity --spec {d}/examples/cluster/sweep.toml --shard 2/4 --out {d}/runs/shard-2 --quiet"
    );
    assert!(text.contains(&want), "{text}");
    // A task resubmitted alone (an array of one) is still shard 3 of 4.
    let (code, text) = slurm_script(dir, &[], &task("3", "1"));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("--shard 3/4 --out"), "{text}");
    // A new array of another size into the same folder is refused.
    let (code, text) = slurm_script(dir, &[], &task("1", "8"));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("holds a run of 4 shards"), "{text}");
    // SPEC and OUT relative to the submit folder; flags passed on; simulate.
    let (code, text) = slurm_script(
        dir,
        &["code-generation", "sim", "--paths", "1e6"],
        &[task("0", "2").as_slice(), &[("MOSDE_COMMAND", "simulate")]].concat(),
    );
    assert_eq!(code, 0, "{text}");
    let want = format!(
        "mosde simulate --preset code-generation --shard 0/2 --out {d}/sim/shard-0 --quiet --paths 1e6"
    );
    assert!(text.contains(&want), "{text}");
}
