//! The built-in code-generation preset reproduces the paper's numbers
//! (issue: foundation, item 2).

use mosde::analysis::{Mode, spectral};
use mosde::engine::cpu::CpuEngine;
use mosde::engine::{Engine, Integration, Job, JobOptions, Scenario};
use mosde::model::Model;
use mosde::workflow::paper;

#[test]
fn rates_modes_and_stability_match_the_paper() {
    let m = Model::preset("code-generation").unwrap();
    assert_eq!(
        m.objective_names(),
        ["security", "efficiency", "functionality"]
    );
    assert_eq!((m.dt, m.steps), (1.0, 50));
    let spectra = spectral::analyze(&m, m.dt);
    for (s, p) in spectra.iter().zip(paper::STRATEGIES) {
        assert_eq!(s.name, p.name);
        assert!(
            (s.rho - p.rho).abs() <= 0.005,
            "{}: rho {} vs paper {}",
            s.name,
            s.rho,
            p.rho
        );
        assert!(s.stable && s.discrete_stable, "{} must be stable", s.name);
    }
    assert_eq!(spectra[0].mode, Mode::Exponential);
    assert_eq!(spectra[1].mode, Mode::Oscillatory);
    assert!(
        spectra[1].eigenvalues.iter().any(|e| e[1] != 0.0),
        "SF needs a complex pair"
    );
    assert_eq!(spectra[2].mode, Mode::Boundary);
    assert!(m.strategies[2].target[0] < 0.0, "FF pulls security below 0");
    // AI: balanced (equal rates) and stable.
    let ai = &m.strategies[3];
    assert!(ai.rates.iter().all(|r| (r - ai.rates[0]).abs() < 1e-12));
    assert_eq!(spectra[3].mode, Mode::Exponential);
    // Discrete radius where the paper's |λ_d| = |1 − ρ| is attainable.
    for k in [0, 2, 3] {
        let want = paper::STRATEGIES[k].discrete_abs_lambda;
        assert!(
            (spectra[k].discrete_spectral_radius - want).abs() < 0.005,
            "{}",
            spectra[k].name
        );
    }
}

#[test]
fn functionality_dominates_interference_and_trade_offs_are_negative() {
    let m = Model::preset("code-generation").unwrap();
    let f = 2;
    for s in &m.strategies {
        let col = |j: usize| (0..3).map(|i| s.interference[(i, j)].abs()).sum::<f64>();
        assert!(
            col(f) > col(0) && col(f) > col(1),
            "{}: functionality column must dominate",
            s.name
        );
        for i in 0..3 {
            assert!(
                s.interference[(i, f)] <= 0.0,
                "{}: pulling functionality is a trade-off",
                s.name
            );
        }
    }
}

#[test]
fn long_run_means_match_the_paper_equilibria() {
    let m = Model::preset("code-generation").unwrap();
    let scenarios = Scenario::defaults(&m);
    let job = Job::new(
        &scenarios,
        &JobOptions {
            integration: Integration {
                paths: 20_000,
                seed: 1,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let mut e = CpuEngine::new(2).unwrap();
    let out = e.run(&job, &mut |_| {}).unwrap();
    let r = crate::common::report(&scenarios, &job, &out, e.info());
    for (s, p) in r.strategies.iter().zip(paper::STRATEGIES) {
        for i in 0..3 {
            let got = s.effective_equilibrium[i];
            assert!(
                (got - p.equilibrium[i]).abs() <= 0.25,
                "{} objective {i}: {got} vs paper {}",
                s.name,
                p.equilibrium[i]
            );
        }
    }
}

#[test]
fn the_example_file_is_the_embedded_preset() {
    let file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/models/code-generation.toml"
    ))
    .unwrap();
    assert_eq!(file, mosde::model::preset("code-generation").unwrap());
    let other = Model::preset("content-generation").unwrap();
    assert_ne!(other.n(), 3, "the second example model shows n != 3");
}
