//! The Slurm example on a real cluster, as the README walks through it: an
//! array job of shards, one task cancelled while it runs, the merge that
//! names the missing shard, the recovery, and the merge again, whose files
//! must be byte-identical to one run. Needs a running cluster (`.ci/slurm-up`
//! starts one and CI stops it); without `sinfo` the test says it is skipped,
//! unless MOSDE_REQUIRE_SLURM=1.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{cluster_example, mosde, say, write};

const SHARDS: u32 = 3;
/// How long any one step may take before the test fails with the logs.
const PATIENCE: Duration = Duration::from_secs(240);

/// A sensitivity analysis whose shards take a few seconds each, so that one
/// can be cancelled while it runs.
const SPEC: &str = r#"
model = "code-generation"
strategies = ["AI"]
paths = 12000
steps = 50
seed = 5
design = "sobol"
samples = 16
metrics = ["terminal_mean.security", "first_passage.p50"]
mc_replicates = 0

[[parameters]]
path = "strategies.AI.interference[0][2]"
range = [-0.5, 0.0]
[[parameters]]
path = "strategies.AI.rates[2]"
range = [0.1, 0.2]
"#;

/// Whether a cluster answers; without one, skip (or fail when required).
fn cluster() -> bool {
    let up = Command::new("sinfo")
        .arg("-h")
        .output()
        .is_ok_and(|o| o.status.success());
    if !up {
        if std::env::var("MOSDE_REQUIRE_SLURM").is_ok_and(|v| v == "1") {
            panic!("MOSDE_REQUIRE_SLURM=1 but no Slurm cluster answers (run .ci/slurm-up)");
        }
        say("skipping Slurm test: no cluster (sinfo does not answer)");
    }
    up
}

/// The jobs a test submitted, cancelled when it ends (also when it fails).
struct Jobs {
    dir: PathBuf,
    ids: Vec<String>,
}

impl Drop for Jobs {
    fn drop(&mut self) {
        for id in &self.ids {
            let _ = Command::new("scancel").arg(id).status();
        }
    }
}

impl Jobs {
    /// `sbatch --parsable ARGS` from the test's folder, as a user would
    /// type it there; returns the job id.
    fn submit(&mut self, command: &str, args: &[&str]) -> String {
        let out = Command::new("sbatch")
            .arg("--parsable")
            .args(args)
            .current_dir(&self.dir)
            .env("MOSDE", assert_cmd::cargo::cargo_bin("mosde"))
            .env("MOSDE_COMMAND", command)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            out.status.success(),
            "sbatch {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let id = text.split(';').next().unwrap().to_string();
        self.ids.push(id.clone());
        id
    }

    /// Waits until `done` holds, or fails showing the logs.
    fn wait(&self, what: &str, mut done: impl FnMut() -> bool) {
        let t0 = Instant::now();
        while !done() {
            if t0.elapsed() > PATIENCE {
                panic!("timed out waiting for {what}\n{}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the job (every task of an array) has left the queue.
    fn wait_ended(&self, id: &str) {
        self.wait(&format!("job {id} to end"), || {
            let out = Command::new("squeue")
                .args(["-h", "-o", "%i", "-j", id])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).trim().is_empty()
        });
    }

    /// Every Slurm log in the folder, for failure messages.
    fn logs(&self) -> String {
        let mut text = String::new();
        for e in std::fs::read_dir(&self.dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("slurm-") {
                let body = std::fs::read_to_string(e.path()).unwrap_or_default();
                text.push_str(&format!("--- {name}\n{body}"));
            }
        }
        text
    }
}

/// `JobState` and `ExitCode` of a job, from `scontrol show job`.
fn state(id: &str) -> (String, String) {
    let out = Command::new("scontrol")
        .args(["show", "job", "-o", id])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |k: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .unwrap_or("?")
            .to_string()
    };
    (field("JobState="), field("ExitCode="))
}

/// One kind of run through the README's Slurm walk-through.
struct Case {
    /// `MOSDE_COMMAND`.
    command: &'static str,
    /// SPEC: a sweep spec, or a preset for simulate.
    spec: &'static str,
    /// Flags the script passes on to mosde.
    flags: &'static [&'static str],
    /// The file whose presence in the unfinished shard folder
    /// (`shard-1.partial`) says a shard started (sweeps), if any.
    started: Option<&'static str>,
    /// The file a finished shard holds.
    finished: &'static str,
    /// The files that must match one run's bytes.
    compare: &'static [&'static str],
}

fn walk_through(case: &Case) {
    if !cluster() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "spec.toml", SPEC);
    // The single run to compare with.
    let mut one = mosde();
    one.current_dir(dir).arg(case.command);
    match case.command {
        "simulate" => one.args(["--preset", case.spec]),
        _ => one.args(["--spec", case.spec]),
    };
    one.args(case.flags)
        .args(["--out", "whole", "--quiet"])
        .assert()
        .success();

    let mut jobs = Jobs {
        dir: dir.to_path_buf(),
        ids: vec![],
    };
    let slurm = cluster_example("slurm.sh");
    let merge = cluster_example("merge.sh");
    let (slurm, merge) = (slurm.to_str().unwrap(), merge.to_str().unwrap());
    let array_arg = format!("--array=0-{}", SHARDS - 1);
    let mut args = vec![array_arg.as_str(), "--cpus-per-task=1", slurm, case.spec];
    args.push("runs");
    args.extend(case.flags);
    let array = jobs.submit(case.command, &args);
    let after = format!("--dependency=afterany:{array}");
    let merge1 = jobs.submit(case.command, &[&after, merge, "runs"]);

    // Cancel task 1 while it runs.
    let log1 = dir.join(format!("slurm-{array}_1.out"));
    let header = format!("shard 1/{SHARDS}");
    jobs.wait("task 1 to start", || {
        let started = case
            .started
            .is_none_or(|f| dir.join("runs/shard-1.partial").join(f).exists());
        started && std::fs::read_to_string(&log1).is_ok_and(|l| l.contains(&header))
    });
    let task1 = format!("{array}_1");
    let status = Command::new("scancel").arg(&task1).status().unwrap();
    assert!(status.success());
    jobs.wait_ended(&array);
    jobs.wait_ended(&merge1);
    assert_eq!(state(&task1).0, "CANCELLED", "{}", jobs.logs());
    assert!(
        !dir.join("runs/shard-1").join(case.finished).exists(),
        "task 1 finished before it was cancelled; give it more work"
    );
    // The merge ran although a task failed, and said which shard is missing.
    assert_eq!(state(&merge1), ("FAILED".into(), "2:0".into()));
    let merge_log = std::fs::read_to_string(dir.join(format!("slurm-{merge1}-merge.out"))).unwrap();
    assert!(merge_log.contains(&header), "{merge_log}");

    // The recovery: the same command for the failed index, then the merge.
    let mut again = vec!["--array=1", "--cpus-per-task=1", slurm, case.spec, "runs"];
    again.extend(case.flags);
    let rerun = jobs.submit(case.command, &again);
    let after = format!("--dependency=afterany:{rerun}");
    let merge2 = jobs.submit(case.command, &[&after, merge, "runs"]);
    jobs.wait_ended(&merge2);
    assert_eq!(state(&merge2).0, "COMPLETED", "{}", jobs.logs());
    for f in case.compare {
        assert_eq!(
            std::fs::read(dir.join("whole").join(f)).unwrap(),
            std::fs::read(dir.join("runs/merged").join(f)).unwrap(),
            "{f} differs after the recovered merge"
        );
    }
    // The task ran on the one CPU Slurm gave it, and the manifest says why.
    let manifest = std::fs::read_to_string(dir.join("runs/shard-0/manifest.json")).unwrap();
    assert!(
        manifest.contains("\"threads\": 1") && manifest.contains("\"SLURM_CPUS_PER_TASK\""),
        "{manifest}"
    );
}

#[test]
fn slurm_sensitivity_recovers_a_cancelled_task() {
    walk_through(&Case {
        command: "sensitivity",
        spec: "spec.toml",
        flags: &["--engine", "cpu"],
        started: Some("sweep-state.json"),
        finished: "sweep.csv",
        compare: &["sweep.csv", "sensitivity.csv"],
    });
}

#[test]
fn slurm_simulate_recovers_a_cancelled_task() {
    walk_through(&Case {
        command: "simulate",
        spec: "code-generation",
        flags: &[
            "--engine",
            "cpu",
            "--paths",
            "300000",
            "--record-paths",
            "3",
        ],
        started: None,
        finished: "partials.json",
        compare: &[
            "summary.json",
            "moments.csv",
            "paths.csv",
            "pareto_front.csv",
            "strategies.md",
        ],
    });
}
