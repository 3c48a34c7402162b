//! `mosde optimize`: the search finds the enumerated optimum of a nearly
//! deterministic model, its output is reproducible, and bad goals,
//! constraints, families and settings are refused with exit code 2.

use std::path::Path;

use mosde::engine::{Integration, Job, JobOptions, Run, SaveAt, Scenario, cpu::CpuEngine};
use mosde::model::{Model, Policy};

use crate::common::{mosde, usage_error, write};

/// Two objectives on [0, 10] and two strategies that pull them in opposite
/// directions, with almost no noise: the best terminal balance comes from
/// running `A` then `B` with one switch at the right step, which the
/// enumeration below finds.
const TUG: &str = r#"
name = "tug"
dt = 1.0
steps = 10
x0 = [2.0, 2.0]

[[objectives]]
name = "a"
lower = 0.0
upper = 10.0

[[objectives]]
name = "b"
lower = 0.0
upper = 10.0

[[strategies]]
name = "A"
target = [10.0, 0.0]
rates = [0.3, 0.1]
interference = [[0.0, 0.0], [0.0, 0.0]]
sigma = [0.01, 0.01]

[[strategies]]
name = "B"
target = [0.0, 10.0]
rates = [0.1, 0.3]
interference = [[0.0, 0.0], [0.0, 0.0]]
sigma = [0.01, 0.01]
"#;

/// Paths per schedule in the enumeration and the holdout.
const PATHS: u64 = 2048;

/// Every schedule of at most two segments, and E[min normalised objective
/// at the horizon] of each: the best value and its standard error.
fn enumerated_optimum(model: &Model) -> (f64, f64) {
    let steps = model.steps;
    let mut policies = vec![Policy::Fixed { strategy: 0 }, Policy::Fixed { strategy: 1 }];
    for (s1, s2) in [(0, 1), (1, 0)] {
        for cut in 1..steps {
            policies.push(Policy::Schedule {
                segments: vec![(s1, cut), (s2, steps - cut)],
            });
        }
    }
    let scenarios: Vec<Scenario> = policies
        .into_iter()
        .map(|p| Scenario::new(model, p))
        .collect();
    let opts = JobOptions {
        integration: Integration {
            paths: PATHS,
            seed: 99,
            common_noise: true,
            ..Default::default()
        },
        save: SaveAt {
            keep_terminal: PATHS as u32,
            ..Default::default()
        },
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts).unwrap();
    let mut cpu = CpuEngine::new(1).unwrap();
    let run = Run::execute(&mut cpu, scenarios, job, &mut |_| {}).unwrap();
    (0..run.scenarios.len())
        .map(|k| {
            let s = mosde::optimize::score::score(&run, k, mosde::optimize::Objective::Worst, true);
            (s.value.value, s.value.se)
        })
        .fold(
            (f64::NEG_INFINITY, 0.0),
            |a, b| if b.0 > a.0 { b } else { a },
        )
}

fn optimize(dir: &Path, out: &str) -> serde_json::Value {
    let m = write(dir, "tug.toml", TUG);
    let args = format!(
        "optimize --engine cpu --model {} --family schedule --segments 2 --objective worst --budget 160 --paths 256 --holdout-paths {PATHS} --seed 5 --quiet --out",
        m.display()
    );
    let status = mosde()
        .current_dir(dir)
        .args(args.split_whitespace())
        .arg(out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(dir.join(out).join("optimize.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn schedule_search_finds_the_enumerated_optimum_reproducibly() {
    let dir = tempfile::tempdir().unwrap();
    let (best, best_se) = enumerated_optimum(&Model::from_toml(TUG, "tug").unwrap());
    let first = optimize(dir.path(), "a");
    let (v, se) = (
        first["best"]["value"].as_f64().unwrap(),
        first["best"]["se"].as_f64().unwrap(),
    );
    // Both figures are held out (independent seeds), so their difference has
    // SE sqrt(se² + best_se²); 4 SE leaves a 1-in-15,000 false alarm.
    let tol = 4.0 * (se * se + best_se * best_se).sqrt();
    assert!(
        v >= best - tol,
        "found {v} ± {se}, optimum {best} ± {best_se}"
    );
    // Every baseline is a fixed strategy, which the winner must not lose to.
    for b in first["baselines"].as_array().unwrap() {
        assert!(b["diff"].as_f64().unwrap() >= -1e-9, "{b}");
    }
    optimize(dir.path(), "b");
    let bytes = |d: &str| std::fs::read(dir.path().join(d).join("optimize.json")).unwrap();
    assert_eq!(bytes("a"), bytes("b"), "same command, same optimize.json");
    let best_toml = dir.path().join("a/best.toml");
    let sim = mosde()
        .args([
            "simulate", "--engine", "cpu", "--paths", "256", "--quiet", "--out",
        ])
        .arg(dir.path().join("sim"))
        .arg("--model")
        .arg(&best_toml)
        .output()
        .unwrap();
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
}

#[test]
fn bad_goals_constraints_families_and_settings_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tug.toml", TUG);
    let base = "optimize --engine cpu --model tug.toml --out out --paths 64";
    let cases: [(&str, &str, &str); 11] = [
        ("family", "--family bogus --objective worst", "--family"),
        (
            "objective",
            "--family schedule --objective fastest",
            "--objective",
        ),
        (
            "reach without goal",
            "--family schedule --objective reach",
            "--goal",
        ),
        (
            "unknown objective in goal",
            "--family guard --objective reach --goal speed>=3",
            "--goal",
        ),
        (
            "goal without operator",
            "--family guard --objective time --goal a=3",
            "--goal",
        ),
        (
            "bad constraint",
            "--family greedy --objective worst --constraint b>=nan",
            "--constraint",
        ),
        (
            "confidence out of range",
            "--family schedule --objective worst --constraint b>=1 --confidence 1.5",
            "--confidence",
        ),
        (
            "tiny budget",
            "--family schedule --objective worst --budget 3",
            "--budget 3",
        ),
        (
            "too few holdout paths",
            "--family schedule --objective worst --holdout-paths 300",
            "--holdout-paths 300",
        ),
        (
            "no segments",
            "--family schedule --objective worst --segments 0",
            "--segments 0",
        ),
        (
            "shard",
            "--family schedule --objective worst --shard 0/2",
            "--shard 0/2: optimize cannot be sharded",
        ),
    ];
    for (what, extra, needle) in cases {
        let args = format!("{base} {extra}");
        usage_error(
            mosde()
                .current_dir(dir.path())
                .args(args.split_whitespace()),
            what,
            needle,
        );
        assert!(
            !dir.path().join("out/optimize.json").exists(),
            "{what}: left output"
        );
    }
}

#[test]
fn goal_objectives_report_the_constraint_and_draw_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tug.toml", TUG);
    let args = "optimize --engine cpu --model tug.toml --family adaptive --objective reach --goal a>=4,b>=4 --constraint a>=1 --confidence 0.9 --budget 8 --paths 64 --holdout-paths 1024 --quiet --plot --out out";
    let out = mosde()
        .current_dir(dir.path())
        .args(args.split_whitespace())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("out/optimize.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["goal"], "a>=4,b>=4");
    assert_eq!(v["constraint"], "a>=1");
    assert_eq!(v["family"], "adaptive");
    assert_eq!(v["best"]["policy"]["kind"], "adaptive");
    // The state never leaves [1.6, 10] in ten steps, so the floor holds.
    assert_eq!(v["best"]["constraint_prob"], 1.0);
    for b in v["baselines"].as_array().unwrap() {
        for key in [
            "name",
            "value",
            "se",
            "ci95",
            "constraint_prob",
            "diff_ci95",
        ] {
            assert!(!b[key].is_null(), "{key} in {b}");
        }
    }
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
    for fig in ["search_progress", "comparison", "mean_trajectories"] {
        assert!(dir.path().join(format!("out/{fig}.svg")).exists(), "{fig}");
    }
}
