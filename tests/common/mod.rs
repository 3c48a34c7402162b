//! Shared helpers for integration tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

mod lcg;

pub use lcg::Lcg;
use mosde::engine::gpu::GpuEngine;
use mosde::engine::{Engine, Job, JobOptions, JobOutput, Scenario};
use mosde::model::{Model, Policy};

/// Opens the GPU engine, or returns `None` (and says why) when there is no
/// adapter. With `MOSDE_REQUIRE_GPU=1` a missing adapter fails the test.
pub fn gpu() -> Option<GpuEngine> {
    match GpuEngine::new() {
        Ok(g) => {
            eprintln!("GPU tests run on: {}", g.context().describe());
            Some(g)
        }
        Err(e) => {
            if std::env::var("MOSDE_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("MOSDE_REQUIRE_GPU=1 but no GPU engine: {e}");
            }
            eprintln!("skipping GPU test: {e}");
            None
        }
    }
}

/// Formats a TOML array.
pub fn arr(v: &[f64]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Formats a TOML matrix.
pub fn mat(m: &[Vec<f64>]) -> String {
    format!(
        "[{}]",
        m.iter().map(|r| arr(r)).collect::<Vec<_>>().join(", ")
    )
}

/// One strategy's numbers.
#[derive(Clone)]
pub struct StrategyDef {
    pub name: String,
    pub target: Vec<f64>,
    pub rates: Vec<f64>,
    pub interference: Vec<Vec<f64>>,
    pub sigma: Vec<f64>,
    pub corr: Option<Vec<Vec<f64>>>,
    pub jacobi: bool,
}

/// A model's TOML text from parts.
#[allow(
    clippy::too_many_arguments,
    reason = "a test helper that spells out a whole model"
)]
pub fn model_toml(
    n: usize,
    bounds: (f64, f64),
    boundary: &str,
    dt: f64,
    steps: u32,
    x0: &[f64],
    x0_sd: Option<&[f64]>,
    strategies: &[StrategyDef],
    policy: &str,
) -> String {
    let mut t = format!(
        "name = \"test\"\ndt = {dt:?}\nsteps = {steps}\nboundary = \"{boundary}\"\nx0 = {}\n",
        arr(x0)
    );
    if let Some(sd) = x0_sd {
        t += &format!("x0_sd = {}\n", arr(sd));
    }
    for i in 0..n {
        t += &format!(
            "[[objectives]]\nname = \"o{i}\"\nlower = {:?}\nupper = {:?}\n",
            bounds.0, bounds.1
        );
    }
    for s in strategies {
        t += &format!(
            "[[strategies]]\nname = \"{}\"\ntarget = {}\nrates = {}\ninterference = {}\nsigma = {}\n",
            s.name,
            arr(&s.target),
            arr(&s.rates),
            mat(&s.interference),
            arr(&s.sigma)
        );
        if let Some(c) = &s.corr {
            t += &format!("noise_correlation = {}\n", mat(c));
        }
        if s.jacobi {
            t += "diffusion = \"jacobi\"\n";
        }
    }
    t + policy
}

/// A deterministic pseudo-random number in [lo, hi) for building test
/// models; `seed` is the state of an [`Lcg`].
pub fn pick(seed: &mut u64, lo: f64, hi: f64) -> f64 {
    let mut g = Lcg(*seed);
    let u = g.unit();
    *seed = g.0;
    lo + (hi - lo) * u
}

/// A random stable strategy on n objectives with correlated noise.
pub fn random_strategy(name: &str, n: usize, seed: u64) -> StrategyDef {
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
    // Correlation from a random factor: C = D^-1/2 (B Bᵀ + I) D^-1/2.
    let b: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..n).map(|_| pick(&mut s, -0.5, 0.5)).collect())
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
    StrategyDef {
        name: name.into(),
        target: (0..n).map(|_| pick(&mut s, -1.0, 1.0)).collect(),
        rates,
        interference,
        sigma: (0..n).map(|_| pick(&mut s, 0.1, 0.4)).collect(),
        corr: Some(c),
        jacobi: false,
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
        paths,
        seed,
        keep_terminal: paths as u32,
        record_every: Some(1),
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts).unwrap();
    let out = engine.run(&job, &mut |_| {}).unwrap();
    (scenarios, job, out)
}
