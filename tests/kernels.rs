//! Every CPU kernel gives the same bytes: the scalar reference, the portable
//! lane kernel and each SIMD kernel this CPU runs, over random small models
//! (every policy, boundary and diffusion, 1 to 8 objectives, x0 jitter,
//! record settings, path counts that are not a multiple of the lanes).

use crate::common::{model, random_strategy, spec};
use mosde::engine::cpu::{CpuEngine, Kernel};
use mosde::engine::{Engine, Integration, Job, JobOptions, JobOutput, Passage, SaveAt, Scenario};
use mosde::model::{
    Boundary, Diffusion, ModelSpec, Policy, PolicySpec, Scalarization, SegmentSpec,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// One random case: what the model and the job look like.
#[derive(Debug, Clone)]
struct Case {
    n: usize,
    boundary: Boundary,
    jacobi: [bool; 2],
    policy: u8,
    jitter: bool,
    sigma_scale: f64,
    paths: u64,
    steps: u32,
    record_every: Option<u32>,
    record_paths: u32,
    keep_terminal: u32,
    tolerance: f64,
    seed: u64,
}

fn cases() -> impl Strategy<Value = Case> {
    let boundary = prop_oneof![
        Just(Boundary::Clamp),
        Just(Boundary::Reflect),
        Just(Boundary::None)
    ];
    (
        (
            1usize..=8,
            boundary,
            any::<[bool; 2]>(),
            0u8..6,
            any::<bool>(),
        ),
        (
            prop_oneof![Just(0.5), Just(1.0), Just(4.0)],
            1u64..700,
            1u32..24,
        ),
        (
            prop_oneof![Just(None), Just(Some(1)), Just(Some(3))],
            0u32..20,
        ),
        (0u32..40, prop_oneof![Just(0.05), Just(0.4)], any::<u64>()),
    )
        .prop_map(|(a, b, c, d)| Case {
            n: a.0,
            boundary: a.1,
            jacobi: a.2,
            policy: a.3,
            jitter: a.4,
            sigma_scale: b.0,
            paths: b.1,
            steps: b.2,
            record_every: c.0,
            record_paths: c.1,
            keep_terminal: d.0,
            tolerance: d.1,
            seed: d.2,
        })
}

/// The case's model policy (fixed, schedule, guard, greedy min or weighted).
fn policy(c: &Case) -> Option<PolicySpec> {
    let seg = |s: &str, steps| SegmentSpec {
        strategy: s.into(),
        steps,
    };
    match c.policy {
        0 => None,
        1 => Some(PolicySpec::Schedule {
            segments: vec![seg("b", 1 + c.steps / 3), seg("a", 2)],
        }),
        2 => Some(PolicySpec::Guard {
            default: "a".into(),
            floors: vec![-0.2; c.n],
            hysteresis: 0.1,
        }),
        5 => Some(PolicySpec::Adaptive {
            default: "a".into(),
            memory: 2.0,
            floor_margin: 0.2,
            on_floor: Some("b".into()),
            conflict: 0.01,
            on_conflict: Some("b".into()),
            stall: 0.005,
            on_stall: None,
            hysteresis: 0.5,
            every: 2,
        }),
        p => Some(PolicySpec::Greedy {
            every: 2,
            scalarization: if p == 3 {
                Scalarization::Min
            } else {
                Scalarization::Weighted
            },
            weights: (p == 4).then(|| (0..c.n).map(|i| 1.0 + i as f64).collect()),
        }),
    }
}

/// The job of a case: the model's policy beside a fixed one, so jobs mix
/// lane-kernel sets and per-path policies.
fn job(c: &Case) -> (Vec<Scenario>, Job) {
    let strategies = ["a", "b"]
        .iter()
        .zip(c.jacobi)
        .enumerate()
        .map(|(k, (name, jac))| {
            let mut s = random_strategy(name, c.n, c.seed ^ k as u64);
            s.sigma.iter_mut().for_each(|v| *v *= c.sigma_scale);
            s.diffusion = if jac {
                Diffusion::Jacobi
            } else {
                Diffusion::Additive
            };
            s
        })
        .collect();
    let m = model(ModelSpec {
        boundary: c.boundary,
        dt: 0.3,
        steps: c.steps,
        x0_sd: c.jitter.then(|| vec![0.3; c.n]),
        policy: policy(c),
        ..spec(c.n, (-1.5, 1.5), strategies)
    });
    let p = m.policy.clone().unwrap_or(Policy::Fixed { strategy: 1 });
    let scenarios = vec![
        Scenario::new(&m, p),
        Scenario::new(&m, Policy::Fixed { strategy: 0 }),
    ];
    let opts = JobOptions {
        integration: Integration {
            paths: c.paths,
            seed: c.seed,
            ..Default::default()
        },
        save: SaveAt {
            record_every: c.record_every,
            record_paths: c.record_paths,
            keep_terminal: c.keep_terminal,
        },
        passage: Passage {
            tolerance: c.tolerance,
        },
        // Half the cases track a goal and a constraint.
        goals: (c.seed % 2 == 1).then(|| {
            let names: Vec<String> = (0..c.n).map(|i| format!("o{i}")).collect();
            mosde::engine::Goals::parse(Some("o0>=0.25"), Some("o0>=-1"), 0.9, &names).unwrap()
        }),
    };
    let job = Job::new(&scenarios, &opts).unwrap();
    (scenarios, job)
}

/// Every output as bits: histograms, fold values, terminal states, paths.
fn bits(out: &JobOutput) -> Vec<u64> {
    let mut v = Vec::new();
    for s in &out.sets {
        v.extend(&s.hist);
        v.extend(&s.goal_hist);
        for node in &s.fold.nodes {
            v.extend([u64::from(node.level), node.index]);
            v.extend(node.values.iter().map(|x| x.to_bits()));
        }
        v.extend(s.terminal.iter().map(|x| u64::from(x.to_bits())));
        v.extend(s.paths.iter().map(|x| u64::from(x.to_bits())));
    }
    v
}

fn run(kernel: Kernel, job: &Job) -> Vec<u64> {
    let mut e = CpuEngine::new(1).unwrap().with_kernel(kernel);
    bits(&e.run(job, &mut |_| {}).unwrap())
}

proptest! {
    #![proptest_config(Config {
        cases: 48,
        rng_seed: RngSeed::Fixed(0x5eed_0011),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn every_kernel_gives_the_scalar_bytes(c in cases()) {
        let (_, job) = job(&c);
        let want = run(Kernel::Scalar, &job);
        for k in Kernel::available_all() {
            prop_assert!(run(k, &job) == want, "kernel {} differs", k.name());
        }
    }
}

#[test]
fn portable_is_always_available_and_forcing_it_is_reported() {
    assert!(Kernel::available_all().contains(&Kernel::Portable));
    let e = CpuEngine::new(1).unwrap().with_kernel(Kernel::Portable);
    assert_eq!(e.info().adapter, "cpu (portable, 8 lanes, 1 thread)");
    assert_eq!(Kernel::parse("PORTABLE").unwrap(), Kernel::Portable);
    assert_eq!(Kernel::parse("auto").unwrap(), Kernel::detect());
}

#[test]
fn unknown_or_unsupported_kernels_are_input_errors() {
    let e = Kernel::parse("sse9").unwrap_err();
    assert!(e.is_input());
    assert!(e.to_string().contains("unknown CPU kernel `sse9`"), "{e}");
    for k in Kernel::ALL.into_iter().filter(|k| !k.available()) {
        let e = Kernel::parse(k.name()).unwrap_err();
        assert!(e.is_input() && e.to_string().contains("cannot run"), "{e}");
    }
}

#[test]
fn a_bad_kernel_variable_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = crate::common::mosde();
    cmd.env("MOSDE_CPU_KERNEL", "sse9")
        .args(["simulate", "--engine", "cpu", "--paths", "64", "--out"])
        .arg(dir.path().join("out"));
    crate::common::usage_error(
        &mut cmd,
        "MOSDE_CPU_KERNEL=sse9",
        "MOSDE_CPU_KERNEL: unknown CPU kernel `sse9`",
    );
}

/// Lanes that die (leave the finite range) at different steps inside one
/// lane group: the lane kernels switch from their all-live sums to masked
/// ones at the first death, and must still give the scalar kernel's bytes.
#[test]
fn lanes_dying_at_different_steps_give_the_scalar_bytes() {
    use crate::common::strategy;
    use mosde::model::StrategySpec;
    let s = StrategySpec {
        interference: vec![vec![0.0, -3.0], vec![-3.0, 0.0]],
        ..strategy("u", &[0.0, 0.0], &[1.0, 1.0], &[0.1, 0.1])
    };
    let m = model(ModelSpec {
        boundary: Boundary::None,
        dt: 0.5,
        steps: 56,
        x0: vec![0.1, 0.0],
        x0_sd: Some(vec![0.5, 0.5]),
        ..spec(2, (-1.0, 1.0), vec![s])
    });
    let scenarios = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
    let opts = JobOptions {
        save: SaveAt {
            record_every: Some(1),
            record_paths: 16,
            keep_terminal: 100,
        },
        ..JobOptions::paths(100)
    };
    let job = Job::new(&scenarios, &opts).unwrap();
    let out = CpuEngine::new(1)
        .unwrap()
        .with_kernel(Kernel::Scalar)
        .run(&job, &mut |_| {})
        .unwrap();
    // Some lanes of the first groups die, and some live to the end.
    let dead = out.sets[0]
        .terminal
        .iter()
        .filter(|v| **v == mosde::engine::DEAD)
        .count();
    assert!(dead > 0 && dead < 200, "{dead} of 200 terminal values dead");
    let want = bits(&out);
    for k in Kernel::available_all() {
        assert!(run(k, &job) == want, "kernel {} differs", k.name());
    }
}
