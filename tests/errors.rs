//! Standard errors against an oracle: on a linear (Ornstein–Uhlenbeck)
//! model the Euler–Maruyama map has a closed-form terminal covariance P, so
//! the exact standard error of the terminal mean over N paths is √(P_ii/N).

use crate::common::random_strategy;
use crate::conformance::{exact, linear_model};
use mosde::engine::cpu::CpuEngine;
use mosde::engine::{Engine, Integration, Job, JobOptions, SaveAt, Scenario};
use mosde::model::Policy;

/// Paths per run: 32 blocks of 256, so 32 groups of one block each.
const PATHS: u64 = 8192;
const STEPS: u32 = 24;
const SEEDS: u64 = 200;

#[test]
fn terminal_mean_errors_match_the_oracle_and_cover() {
    let n = 2;
    let model = linear_model(n, vec![random_strategy("s", n, 19)], STEPS, None);
    let (mean, p) = exact(&model, &[(0, STEPS)]);
    let exact_se = (p[(0, 0)] / PATHS as f64).sqrt();
    let scenarios = vec![Scenario::new(&model, Policy::Fixed { strategy: 0 })];
    let mut cpu = CpuEngine::new(2).unwrap();
    let (mut sum_se2, mut covered) = (0.0, 0u32);
    for seed in 0..SEEDS {
        let opts = JobOptions {
            integration: Integration {
                paths: PATHS,
                seed,
                ..Default::default()
            },
            save: SaveAt {
                keep_terminal: 512,
                ..Default::default()
            },
            ..Default::default()
        };
        let job = Job::new(&scenarios, &opts).unwrap();
        let out = cpu.run(&job, &mut |_| {}).unwrap();
        let r = crate::common::report(&scenarios, &job, &out, cpu.info());
        let s = &r.strategies[0];
        let se = s.terminal_mean_se[0];
        if seed == 0 {
            check_every_error_is_defined(s);
        }
        sum_se2 += se * se;
        covered += u32::from((s.terminal_mean[0] - mean[0]).abs() <= 1.96 * se);
    }
    // With G = 32 groups the squared error is unbiased for the variance of
    // the mean and has relative sd √(2/(G − 1)) = 0.25 per seed, so its
    // average over 200 seeds has relative sd 0.018, and the root mean square
    // error 0.009: a 10% tolerance is over 10 of those sds.
    let rms = (sum_se2 / SEEDS as f64).sqrt();
    assert!(
        (rms / exact_se - 1.0).abs() < 0.10,
        "rms SE {rms} vs exact {exact_se}"
    );
    // Coverage of estimate ± 1.96·SE: 95% nominal (94.1% for a t with 31
    // degrees of freedom); binomial sd over 200 seeds √(0.95·0.05/200) =
    // 1.5%, so 95% ± 3.5 sd is [89.6%, 100%].
    let coverage = f64::from(covered) / SEEDS as f64;
    assert!(
        (coverage - 0.95).abs() <= 3.5 * (0.95f64 * 0.05 / SEEDS as f64).sqrt(),
        "coverage {coverage}"
    );
}

/// Every error that has an estimate is a finite, non-negative number.
fn check_every_error_is_defined(s: &mosde::analysis::StrategySummary) {
    let q = &s.terminal_quantiles;
    let mut all: Vec<f64> = [
        &s.terminal_mean_se,
        &s.terminal_sd_se,
        &s.effective_equilibrium_se,
        &q.p05_se,
        &q.p50_se,
        &q.p95_se,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect();
    all.extend(s.terminal_cov_se.iter().flatten());
    all.extend(s.increment_correlation_se.iter().flatten());
    all.extend([
        s.hypervolume_se,
        s.pareto_share_se,
        s.pareto_front_size_se,
        s.nonfinite_paths_se,
        s.first_passage.reached_fraction_se,
    ]);
    assert!(all.iter().all(|v| v.is_finite() && *v >= 0.0), "{all:?}");
    assert!(s.terminal_mean_se.iter().all(|v| *v > 0.0));
}
