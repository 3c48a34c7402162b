//! Both engines keep every recorded state inside the bounds, for every
//! boundary rule that has bounds and any noise up to the largest accepted.

use mosde::engine::{Engine, Integration, Job, JobOptions, SaveAt, Scenario};
use mosde::model::{Boundary, MAX_REFLECT_STEP_RANGES, Model, ModelSpec, Policy, largest_step};
use proptest::prelude::*;

use crate::common::{gpu, pick, random_strategy, spec};

/// A random model of `n` objectives on random bounds under `boundary`,
/// whose noise is scaled so that its largest step is `fraction` of the
/// largest the validation accepts (for clamp, the reflect limit times 10⁶:
/// clamp has no fold to protect).
fn model(seed: u64, n: usize, boundary: Boundary, fraction: f64) -> (ModelSpec, Model) {
    let mut s = seed;
    let lo = pick(&mut s, -50.0, 50.0);
    let width = 10f64.powf(pick(&mut s, -2.0, 2.0));
    let mut st = random_strategy("S", n, seed);
    for t in &mut st.target {
        *t = lo + width * (0.75 * *t + 0.5);
    }
    let dt = pick(&mut s, 0.05, 1.0);
    let mut sp = ModelSpec {
        dt,
        steps: 40,
        boundary,
        ..spec(n, (lo, lo + width), vec![st])
    };
    // The step bound does not depend on the rule; clamp accepts any noise.
    let unit = ModelSpec {
        boundary: Boundary::Clamp,
        ..sp.clone()
    };
    let unit = Model::from_spec(unit, "unit").unwrap();
    // The noise part of the largest step is linear in σ: scale it to take
    // up `fraction` of what is left after the drift.
    let limit = MAX_REFLECT_STEP_RANGES * width;
    let scale = (0..n)
        .map(|i| {
            let (drift, noise) = largest_step(&unit, 0, i, dt);
            (limit - drift) / noise
        })
        .fold(f64::INFINITY, f64::min);
    let scale = if boundary == Boundary::Clamp {
        scale * 1e6
    } else {
        scale
    };
    for v in &mut sp.strategies[0].sigma {
        *v *= scale * fraction;
    }
    let m = Model::from_spec(sp.clone(), "scaled").unwrap();
    (sp, m)
}

/// Runs 512 paths, recording every state, and checks them against the
/// bounds as the engine holds them (f32).
fn check_engine(engine: &mut dyn Engine, m: &Model, seed: u64) -> Result<(), TestCaseError> {
    let scenarios = vec![Scenario::new(m, Policy::Fixed { strategy: 0 })];
    let opts = JobOptions {
        integration: Integration {
            paths: 512,
            seed,
            ..Default::default()
        },
        save: SaveAt {
            record_paths: 512,
            keep_terminal: 512,
            ..Default::default()
        },
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts).unwrap();
    let out = engine.run(&job, &mut |_| {}).unwrap();
    let bounds = m.bounds();
    let set = &out.sets[0];
    let n = bounds.len();
    prop_assert_eq!(set.paths.len(), 512 * 41 * n);
    for row in set.paths.chunks(n).chain(set.terminal.chunks(n)) {
        for (v, (lo, hi)) in row.iter().zip(&bounds) {
            prop_assert!(
                *v >= *lo as f32 && *v <= *hi as f32,
                "{:?}: state {} outside [{}, {}]",
                m.boundary,
                v,
                lo,
                hi
            );
        }
    }
    Ok(())
}

fn boundary() -> impl Strategy<Value = Boundary> {
    prop_oneof![Just(Boundary::Clamp), Just(Boundary::Reflect)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn cpu_states_stay_within_bounds(
        seed in any::<u64>(),
        n in 1usize..=3,
        b in boundary(),
        fraction in prop_oneof![Just(0.999), 0.0..1.0f64],
    ) {
        let (_, m) = model(seed, n, b, fraction);
        let mut cpu = mosde::engine::cpu::CpuEngine::new(2).unwrap();
        check_engine(&mut cpu, &m, seed)?;
    }
}

#[test]
fn gpu_states_stay_within_bounds() {
    let Some(g) = gpu() else {
        return;
    };
    // The runner takes an `Fn`; the engine is borrowed mutably per case.
    let g = std::cell::RefCell::new(g);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(12));
    let strategy = (
        any::<u64>(),
        1usize..=3,
        boundary(),
        prop_oneof![Just(0.999), 0.0..1.0f64],
    );
    runner
        .run(&strategy, |(seed, n, b, fraction)| {
            let (_, m) = model(seed, n, b, fraction);
            check_engine(&mut *g.borrow_mut(), &m, seed)
        })
        .unwrap();
}

/// Just beyond the largest accepted step, reflect is refused by name.
#[test]
fn reflect_beyond_the_limit_is_refused() {
    for seed in 0..8 {
        let (mut sp, _) = model(seed, 2, Boundary::Reflect, 0.999);
        for v in &mut sp.strategies[0].sigma {
            *v *= 1.02;
        }
        let err = Model::from_spec(sp, "over").unwrap_err().to_string();
        assert!(
            err.contains("strategies[0].sigma") && err.contains("reflect"),
            "{err}"
        );
    }
}
