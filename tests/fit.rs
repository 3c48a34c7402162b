//! Fitting: round trips, noiseless R², bootstrap coverage, censoring.

use crate::common::{random_strategy, spec};
use mosde::engine::cpu::CpuEngine;
use mosde::fit::{FitOptions, fit};
use mosde::model::{Boundary, Model, ModelSpec, StrategySpec};
use mosde::workflow::generate;

/// Free (unbounded in effect) objectives on [-50, 50], starting at 0 with
/// a jitter of `x0_sd`, `steps` steps of dt 1.
fn free_model(n: usize, steps: u32, x0_sd: f64, strategies: Vec<StrategySpec>) -> Model {
    crate::common::model(ModelSpec {
        boundary: Boundary::None,
        steps,
        x0: vec![0.0; n],
        x0_sd: Some(vec![x0_sd; n]),
        ..spec(n, (-50.0, 50.0), strategies)
    })
}

fn round_trip(n: usize) {
    let defs = (0..2)
        .map(|k| random_strategy(&format!("s{k}"), n, 100 + n as u64 + k))
        .collect();
    let model = free_model(n, 20, 1.5, defs);
    let mut e = CpuEngine::new(2).unwrap();
    let data = generate(&model, &mut e, 2000, 20, 7, 0.0).unwrap();
    let f = fit(
        &data,
        &FitOptions {
            bootstrap: 0,
            ..Default::default()
        },
    )
    .unwrap();
    for (s, truth) in f.strategies.iter().zip(&model.strategies) {
        for i in 0..n {
            for j in 0..n {
                let d = (s.a[i][j] - truth.a[(i, j)]).abs();
                assert!(
                    d < 0.05,
                    "n={n} {}: A[{i}][{j}] {} vs {}",
                    s.name,
                    s.a[i][j],
                    truth.a[(i, j)]
                );
            }
            assert!(
                (s.target[i] - truth.target[i]).abs() < 0.1,
                "n={n} {}: x*[{i}] {} vs {}",
                s.name,
                s.target[i],
                truth.target[i]
            );
            let rel = (s.sigma[i] - truth.sigma[i]).abs() / truth.sigma[i];
            assert!(
                rel < 0.05,
                "n={n} {}: sigma[{i}] {} vs {}",
                s.name,
                s.sigma[i],
                truth.sigma[i]
            );
        }
    }
}

#[test]
fn round_trip_recovers_parameters_n3() {
    round_trip(3);
}

#[test]
fn round_trip_recovers_parameters_n5() {
    round_trip(5);
}

#[test]
fn a_noiseless_model_has_r2_of_one() {
    let mut s = random_strategy("q", 3, 5);
    s.sigma = vec![0.0; 3];
    s.noise_correlation = None;
    let model = free_model(3, 10, 2.0, vec![s]);
    let mut e = CpuEngine::new(2).unwrap();
    let data = generate(&model, &mut e, 50, 10, 1, 0.0).unwrap();
    let f = fit(
        &data,
        &FitOptions {
            bootstrap: 0,
            holdout: 0.2,
            ..Default::default()
        },
    )
    .unwrap();
    let s = &f.strategies[0];
    assert!(
        (s.r2_trajectory - 1.0).abs() < 1e-6,
        "trajectory R² {}",
        s.r2_trajectory
    );
    assert!(
        (s.r2_one_step - 1.0).abs() < 1e-6,
        "one-step R² {}",
        s.r2_one_step
    );
    assert!((s.r2_holdout.unwrap() - 1.0).abs() < 1e-6);
}

#[test]
fn bootstrap_intervals_cover_the_truth() {
    let model = free_model(3, 10, 1.5, vec![random_strategy("c", 3, 21)]);
    let truth = mosde::analysis::spectral::spectrum(&model, &model.strategies[0], 1.0).rho;
    let mut e = CpuEngine::new(2).unwrap();
    let mut covered = 0;
    for rep in 0..50 {
        let data = generate(&model, &mut e, 60, 10, 1000 + rep, 0.0).unwrap();
        let f = fit(
            &data,
            &FitOptions {
                bootstrap: 200,
                seed: rep,
                ..Default::default()
            },
        )
        .unwrap();
        let ci = f.strategies[0].rho_ci.unwrap();
        if ci[0] <= truth && truth <= ci[1] {
            covered += 1;
        }
    }
    assert!(
        covered >= 45,
        "95% intervals covered the true rho in {covered} of 50 fits"
    );
}

#[test]
fn censoring_keeps_ff_rate_off_one() {
    let model = Model::preset("code-generation").unwrap();
    let mut e = CpuEngine::new(2).unwrap();
    let data = generate(&model, &mut e, 100, 10, 3, 0.0).unwrap();
    let bounds = model.bounds_of(&model.objective_names()).unwrap();
    let with = fit(
        &data,
        &FitOptions {
            bounds: Some(bounds),
            bootstrap: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let ff = with.strategies.iter().find(|s| s.name == "FF").unwrap();
    assert!(
        (ff.rho - 1.29).abs() < 0.15,
        "censored fit: FF rho {}",
        ff.rho
    );
    assert_eq!(ff.pinned.len(), 1);
    assert_eq!(ff.pinned[0].objective, "security");
    assert_eq!(ff.mode, mosde::analysis::Mode::Boundary);
    // Without bounds the clamp looks like a pull of rate one on security.
    let naive = fit(
        &data,
        &FitOptions {
            bootstrap: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let ff = naive.strategies.iter().find(|s| s.name == "FF").unwrap();
    assert!(
        (ff.kappa[0] - 1.0).abs() < 0.1,
        "naive FF security rate {}",
        ff.kappa[0]
    );
    // The fitted model runs.
    let spec = with.to_spec(&data, "refit");
    Model::from_spec(spec, "refit").unwrap();
}
