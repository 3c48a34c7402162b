//! Shared helpers for integration tests: the command, usage-error checks,
//! the GPU engine, and models built from specs.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
mod lcg;

pub use lcg::Lcg;
use mosde::engine::gpu::GpuEngine;
use mosde::engine::{Engine, Integration, Job, JobOptions, JobOutput, SaveAt, Scenario};
use mosde::model::{Boundary, Diffusion, Model, ModelSpec, ObjectiveSpec, Policy, StrategySpec};

/// A small valid model file: two objectives on [0, 10], one strategy `S`.
/// Tests of bad input change one thing in it.
pub const TWO_OBJECTIVES: &str = r#"
name = "m"
dt = 1.0
steps = 10
x0 = [5.0, 5.0]

[[objectives]]
name = "a"
lower = 0.0
upper = 10.0

[[objectives]]
name = "b"
lower = 0.0
upper = 10.0

[[strategies]]
name = "S"
target = [6.0, 4.0]
rates = [0.3, 0.4]
interference = [[0.0, -0.1], [0.0, 0.0]]
sigma = [0.2, 0.2]
"#;

/// A file of `examples/cluster/` (scripts and manifests).
pub fn cluster_example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/cluster")
        .join(name)
}

/// The `mosde` binary, with a runtime directory for wgpu.
pub fn mosde() -> Command {
    let mut c = Command::cargo_bin("mosde").unwrap();
    c.env("XDG_RUNTIME_DIR", std::env::temp_dir());
    c
}

/// Runs `cmd` and asserts a usage error naming `needle`: exit code 2,
/// `needle` in stderr, no panic. `what` names the case in failures.
/// Returns stderr for further checks.
pub fn usage_error(cmd: &mut Command, what: &str, needle: &str) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: exit code, stderr:\n{err}"
    );
    assert!(
        err.contains(needle),
        "{what}: stderr lacks '{needle}':\n{err}"
    );
    assert!(!err.contains("panicked"), "{what}: panic:\n{err}");
    err
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A line in the test log that libtest does not capture (it captures
/// `print!` and `eprint!`, not writes to the stderr handle), so a skipped
/// GPU test says so even when it passes.
pub fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Opens the GPU engine, or returns `None` (and says why) when there is no
/// adapter. With `MOSDE_REQUIRE_GPU=1` a missing adapter fails the test.
pub fn gpu() -> Option<GpuEngine> {
    match GpuEngine::new() {
        Ok(g) => {
            say(&format!("GPU tests run on: {}", g.context().describe()));
            Some(g)
        }
        Err(e) => {
            if std::env::var("MOSDE_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("MOSDE_REQUIRE_GPU=1 but no GPU engine: {e}");
            }
            say(&format!("skipping GPU test: {e}"));
            None
        }
    }
}

/// `n` objectives `o0, o1, …` sharing `bounds`.
pub fn objectives(n: usize, (lower, upper): (f64, f64)) -> Vec<ObjectiveSpec> {
    (0..n)
        .map(|i| ObjectiveSpec {
            name: format!("o{i}"),
            lower,
            upper,
        })
        .collect()
}

/// A test model of `n` objectives sharing `bounds`, starting in their
/// middle: dt 1, 50 steps, clamped, no policy. Tests change what they need
/// with struct update syntax.
pub fn spec(n: usize, bounds: (f64, f64), strategies: Vec<StrategySpec>) -> ModelSpec {
    ModelSpec {
        name: "test".into(),
        dt: 1.0,
        steps: 50,
        boundary: Boundary::Clamp,
        x0: vec![(bounds.0 + bounds.1) / 2.0; n],
        x0_sd: None,
        objectives: objectives(n, bounds),
        strategies,
        policy: None,
    }
}

/// The validated model of a spec.
pub fn model(spec: ModelSpec) -> Model {
    Model::from_spec(spec, "test").unwrap()
}

/// A strategy without interference, with independent additive noise.
pub fn strategy(name: &str, target: &[f64], rates: &[f64], sigma: &[f64]) -> StrategySpec {
    let n = target.len();
    StrategySpec {
        name: name.into(),
        label: None,
        target: target.to_vec(),
        rates: rates.to_vec(),
        interference: vec![vec![0.0; n]; n],
        sigma: sigma.to_vec(),
        noise_correlation: None,
        diffusion: Diffusion::Additive,
    }
}

/// A deterministic pseudo-random number in [lo, hi) for building test
/// models; `seed` is the state of an [`Lcg`].
pub fn pick(seed: &mut u64, lo: f64, hi: f64) -> f64 {
    let mut g = Lcg(*seed);
    let u = g.unit();
    *seed = g.0;
    lo + (hi - lo) * u
}

/// A random correlation matrix from a random factor B:
/// C = D^-1/2 (B Bᵀ + I) D^-1/2.
fn random_correlation(s: &mut u64, n: usize) -> Vec<Vec<f64>> {
    let b: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..n).map(|_| pick(s, -0.5, 0.5)).collect())
        .collect();
    let mut c = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            c[i][j] =
                (0..n).map(|k| b[i][k] * b[j][k]).sum::<f64>() + if i == j { 1.0 } else { 0.0 };
        }
    }
    let d: Vec<f64> = (0..n).map(|i| c[i][i].sqrt()).collect();
    for i in 0..n {
        for j in 0..n {
            c[i][j] /= d[i] * d[j];
        }
        c[i][i] = 1.0;
    }
    c
}

/// A random stable strategy on n objectives with correlated noise.
pub fn random_strategy(name: &str, n: usize, seed: u64) -> StrategySpec {
    let mut s = seed;
    let rates: Vec<f64> = (0..n).map(|_| pick(&mut s, 0.2, 0.6)).collect();
    let interference: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if i == j {
                        0.0
                    } else {
                        pick(&mut s, -0.15, 0.15)
                    }
                })
                .collect()
        })
        .collect();
    let noise_correlation = Some(random_correlation(&mut s, n));
    let target = (0..n).map(|_| pick(&mut s, -1.0, 1.0)).collect();
    let sigma = (0..n).map(|_| pick(&mut s, 0.1, 0.4)).collect();
    StrategySpec {
        name: name.into(),
        label: None,
        target,
        rates,
        interference,
        sigma,
        noise_correlation,
        diffusion: Diffusion::Additive,
    }
}

/// Runs one policy of a model on an engine with every terminal state kept.
pub fn run(
    engine: &mut dyn Engine,
    model: &Model,
    policy: Policy,
    paths: u64,
    seed: u64,
) -> (Vec<Scenario>, Job, JobOutput) {
    let scenarios = vec![Scenario::new(model, policy)];
    let opts = JobOptions {
        integration: Integration {
            paths,
            seed,
            ..Default::default()
        },
        save: SaveAt {
            keep_terminal: paths as u32,
            record_every: Some(1),
            ..Default::default()
        },
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts).unwrap();
    let out = engine.run(&job, &mut |_| {}).unwrap();
    (scenarios, job, out)
}

/// The reduction of one engine run (default report options).
pub fn reduction(
    scenarios: &[Scenario],
    job: &Job,
    output: &JobOutput,
    engine: mosde::engine::EngineInfo,
) -> mosde::analysis::Reduction {
    reduction_with(scenarios, job, output, engine, &Default::default())
}

/// The reduction of one engine run with report options `opts`.
pub fn reduction_with(
    scenarios: &[Scenario],
    job: &Job,
    output: &JobOutput,
    engine: mosde::engine::EngineInfo,
    opts: &mosde::analysis::ReportOptions,
) -> mosde::analysis::Reduction {
    let run = mosde::engine::Run {
        scenarios: scenarios.to_vec(),
        job: job.clone(),
        output: output.clone(),
        engine,
    };
    mosde::analysis::Reduction::new(&run, opts)
}

/// The report of one engine run (default report options).
pub fn report(
    scenarios: &[Scenario],
    job: &Job,
    output: &JobOutput,
    engine: mosde::engine::EngineInfo,
) -> mosde::analysis::Report {
    reduction(scenarios, job, output, engine).report
}
