//! One conformance suite, instantiated for every engine.
//!
//! Statistical checks use fixed seeds and a tolerance of 5 Monte Carlo
//! standard errors; deterministic checks (σ = 0) compare with an f64
//! reference written out in the test.

use crate::common::{model, random_strategy, spec, strategy};
use mosde::engine::{DEAD, Engine, JobOutput};
use mosde::model::{
    Boundary, Diffusion, Model, ModelSpec, Policy, PolicySpec, Scalarization, SegmentSpec,
    StrategySpec,
};
use nalgebra::{DMatrix, DVector};

const SE: f64 = 5.0;

/// Terminal states of set 0 as rows (finite paths only).
fn rows(out: &JobOutput, n: usize) -> Vec<Vec<f64>> {
    mosde::analysis::terminal_rows(&out.sets[0], n)
}

fn mean_cov(rows: &[Vec<f64>]) -> (DVector<f64>, DMatrix<f64>) {
    let n = rows[0].len();
    let k = rows.len() as f64;
    let mut m = DVector::zeros(n);
    for r in rows {
        for i in 0..n {
            m[i] += r[i] / k;
        }
    }
    let mut c = DMatrix::zeros(n, n);
    for r in rows {
        for i in 0..n {
            for j in 0..n {
                c[(i, j)] += (r[i] - m[i]) * (r[j] - m[j]) / (k - 1.0);
            }
        }
    }
    (m, c)
}

/// Closed form of the Euler–Maruyama map with linear drift: mean and
/// covariance after `steps` steps of each `(strategy, steps)` segment.
pub(crate) fn exact(model: &Model, segments: &[(usize, u32)]) -> (DVector<f64>, DMatrix<f64>) {
    let n = model.n();
    let dt = model.dt;
    let mut m = model.x0.clone();
    let mut p = DMatrix::<f64>::zeros(n, n);
    for (k, steps) in segments {
        let s = &model.strategies[*k];
        let phi = DMatrix::identity(n, n) - &s.a * dt;
        let q = &s.l * s.l.transpose() * dt;
        for _ in 0..*steps {
            m = &s.target + &phi * (&m - &s.target);
            p = &phi * &p * phi.transpose() + &q;
        }
    }
    (m, p)
}

/// Asserts sample mean and covariance against the closed form within 5 SE.
fn assert_moments(rows: &[Vec<f64>], want_m: &DVector<f64>, want_p: &DMatrix<f64>, what: &str) {
    let (m, c) = mean_cov(rows);
    let k = rows.len() as f64;
    let n = m.len();
    for i in 0..n {
        let se = (want_p[(i, i)] / k).sqrt();
        assert!(
            (m[i] - want_m[i]).abs() < SE * se,
            "{what}: mean[{i}] = {} vs exact {} (se {se})",
            m[i],
            want_m[i]
        );
        for j in 0..n {
            let se =
                ((want_p[(i, i)] * want_p[(j, j)] + want_p[(i, j)].powi(2)) / (k - 1.0)).sqrt();
            assert!(
                (c[(i, j)] - want_p[(i, j)]).abs() < SE * se,
                "{what}: cov[{i}][{j}] = {} vs exact {} (se {se})",
                c[(i, j)],
                want_p[(i, j)]
            );
        }
    }
}

pub(crate) fn linear_model(
    n: usize,
    strategies: Vec<StrategySpec>,
    steps: u32,
    policy: Option<PolicySpec>,
) -> Model {
    model(ModelSpec {
        boundary: Boundary::None,
        dt: 0.5,
        steps,
        x0: (0..n).map(|i| 0.5 - 0.1 * i as f64).collect(),
        policy,
        ..spec(n, (-1e3, 1e3), strategies)
    })
}

fn exact_ou(engine: &mut dyn Engine, n: usize) {
    let model = linear_model(n, vec![random_strategy("s", n, 17 + n as u64)], 24, None);
    let paths = 40_000;
    let (_, _, out) = crate::common::run(engine, &model, Policy::Fixed { strategy: 0 }, paths, 11);
    let (m, p) = exact(&model, &[(0, 24)]);
    assert_moments(&rows(&out, n), &m, &p, &format!("OU n = {n}"));
}

fn schedule_segments(engine: &mut dyn Engine) {
    let n = 3;
    let segment = |strategy: &str, steps| SegmentSpec {
        strategy: strategy.into(),
        steps,
    };
    let schedule = PolicySpec::Schedule {
        segments: vec![segment("b", 5), segment("a", 8)],
    };
    let model = linear_model(
        n,
        vec![random_strategy("a", n, 3), random_strategy("b", n, 4)],
        20,
        Some(schedule),
    );
    let policy = model.policy.clone().unwrap();
    let (_, _, out) = crate::common::run(engine, &model, policy, 40_000, 5);
    // After the last segment its strategy continues: b 5, a 8 + 7.
    let (m, p) = exact(&model, &[(1, 5), (0, 15)]);
    assert_moments(&rows(&out, n), &m, &p, "schedule");
}

/// Deterministic reference of one path in f64 (σ = 0), with the guard or
/// greedy policy, clamped to the bounds. Returns the final state and the
/// number of steps spent in each strategy.
fn reference_path(model: &Model, policy: &Policy) -> (Vec<f64>, Vec<u32>) {
    let n = model.n();
    let mut x = model.x0.clone();
    let mut occ = vec![0u32; model.strategies.len()];
    let mut rescuing: Option<usize> = None;
    let mut choice = 0;
    for s in 0..model.steps {
        let k = match policy {
            Policy::Guard {
                default,
                floors,
                hysteresis,
                rescue,
            } => {
                if let Some(i) = rescuing
                    && x[i] > floors[i] + hysteresis
                {
                    rescuing = None;
                }
                if rescuing.is_none() {
                    rescuing = (0..n).find(|i| x[*i] < floors[*i]);
                }
                rescuing.map_or(*default, |i| rescue[i])
            }
            Policy::Greedy {
                every,
                scalarization,
                weights,
            } => {
                if s % every == 0 {
                    let mut best = f64::NEG_INFINITY;
                    for (c, st) in model.strategies.iter().enumerate() {
                        let next = &x + st.drift(&x) * model.dt;
                        let score = model.scalarize(&next, *scalarization, weights);
                        if score > best {
                            best = score;
                            choice = c;
                        }
                    }
                }
                choice
            }
            _ => unreachable!(),
        };
        occ[k] += 1;
        let st = &model.strategies[k];
        x = model.project(&(&x + st.drift(&x) * model.dt));
    }
    (x.iter().copied().collect(), occ)
}

fn switching_policies(engine: &mut dyn Engine) {
    let quiet = |name: &str, target: [f64; 3], rates: [f64; 3], m: f64| StrategySpec {
        interference: vec![vec![0.0, 0.0, m], vec![0.0, 0.0, 0.0], vec![0.0, 0.0, 0.0]],
        ..strategy(name, &target, &rates, &[0.0; 3])
    };
    let strategies = vec![
        quiet("push", [1.0, 9.0, 9.5], [0.3, 0.4, 0.5], -0.6),
        quiet("fix", [8.0, 4.0, 5.0], [0.9, 0.1, 0.1], 0.0),
        quiet("low", [2.0, 2.0, 2.0], [0.2, 0.2, 0.2], 0.0),
    ];
    for policy in [
        PolicySpec::Guard {
            default: "push".into(),
            floors: vec![3.1, 0.0, 0.0],
            hysteresis: 1.3,
        },
        PolicySpec::Greedy {
            every: 3,
            scalarization: Scalarization::Min,
            weights: None,
        },
        PolicySpec::Greedy {
            every: 1,
            scalarization: Scalarization::Weighted,
            weights: Some(vec![0.5, 1.0, 2.0]),
        },
    ] {
        let model = model(ModelSpec {
            steps: 40,
            policy: Some(policy.clone()),
            ..spec(3, (0.0, 10.0), strategies.clone())
        });
        let p = model.policy.clone().unwrap();
        let (want, occ) = reference_path(&model, &p);
        assert!(
            occ.iter().filter(|c| **c > 0).count() >= 2,
            "{policy:?}: the reference never switches: {occ:?}"
        );
        let (sc, job, out) = crate::common::run(engine, &model, p, 300, 1);
        for r in rows(&out, 3) {
            for i in 0..3 {
                assert!(
                    (r[i] - want[i]).abs() < 1e-3,
                    "{policy:?}: {r:?} vs reference {want:?}"
                );
            }
        }
        let report = crate::common::report(&sc, &job, &out, engine.info());
        let got = report.strategies[0].occupancy.clone().unwrap();
        for ((name, frac), want) in got.iter().zip(&occ) {
            let want = f64::from(*want) / 40.0;
            assert!(
                (frac - want).abs() < 1e-9,
                "{policy:?}: occupancy of {name} {frac} vs {want}"
            );
        }
    }
}

fn reflect_and_clamp(engine: &mut dyn Engine) {
    // A random walk from the middle of [0, 1] for t = 1.
    let walk = |boundary| {
        model(ModelSpec {
            boundary,
            dt: 0.01,
            steps: 100,
            ..spec(
                1,
                (0.0, 1.0),
                vec![strategy("walk", &[0.5], &[0.0], &[1.0])],
            )
        })
    };
    // Reflected Brownian motion on [0, 1] from the middle is uniform to
    // within e^{-2π²t} ≈ 3e-9 at t = 1: mean 1/2, variance 1/12.
    let model = walk(Boundary::Reflect);
    let paths = 50_000;
    let (_, _, out) = crate::common::run(engine, &model, Policy::Fixed { strategy: 0 }, paths, 2);
    let x: Vec<f64> = rows(&out, 1).into_iter().map(|r| r[0]).collect();
    assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
    let k = x.len() as f64;
    let mean = x.iter().sum::<f64>() / k;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0);
    let (uv, u4) = (1.0 / 12.0, 1.0 / 80.0); // variance and 4th central moment of U(0,1)
    assert!(
        (mean - 0.5).abs() < SE * (uv / k).sqrt(),
        "reflect mean {mean}"
    );
    assert!(
        (var - uv).abs() < SE * ((u4 - uv * uv) / k).sqrt(),
        "reflect variance {var}"
    );
    let below = x.iter().filter(|v| **v < 0.25).count() as f64 / k;
    assert!(
        (below - 0.25).abs() < SE * (0.25 * 0.75 / k).sqrt(),
        "reflect P(x < 1/4) = {below}"
    );

    // Clamping: symmetric, so mean 1/2, with atoms at both bounds.
    let model = walk(Boundary::Clamp);
    let (_, _, out) = crate::common::run(engine, &model, Policy::Fixed { strategy: 0 }, paths, 2);
    let x: Vec<f64> = rows(&out, 1).into_iter().map(|r| r[0]).collect();
    let mean = x.iter().sum::<f64>() / k;
    let sd = (x.iter().map(|v| (v - 0.5).powi(2)).sum::<f64>() / k).sqrt();
    assert!((mean - 0.5).abs() < SE * sd / k.sqrt(), "clamp mean {mean}");
    let at_bounds = x.iter().filter(|v| **v == 0.0 || **v == 1.0).count();
    assert!(
        at_bounds > 1000,
        "clamping leaves atoms at the bounds, found {at_bounds}"
    );

    // Without noise a pull past the bound sticks exactly at it.
    let push = strategy("push", &[-2.0, 3.0], &[0.8, 0.8], &[0.0, 0.0]);
    let model = crate::common::model(ModelSpec {
        steps: 10,
        ..spec(2, (0.0, 1.0), vec![push])
    });
    let (_, _, out) = crate::common::run(engine, &model, Policy::Fixed { strategy: 0 }, 256, 2);
    assert!(rows(&out, 2).iter().all(|r| r == &vec![0.0, 1.0]));
}

fn first_passage(engine: &mut dyn Engine) {
    // x_t = 1 − 0.5^t towards 1 on [0, 10]; tolerance 0.03·10 = 0.3 is first
    // met at t = 2 (0.25); the second objective starts inside its tolerance.
    let s = strategy("s", &[1.0, 4.0], &[0.5, 0.5], &[0.0, 0.0]);
    let on_0_10 = |x0: [f64; 2], s: StrategySpec| {
        model(ModelSpec {
            steps: 6,
            x0: x0.to_vec(),
            ..spec(2, (0.0, 10.0), vec![s])
        })
    };
    let model = on_0_10([0.0, 4.1], s.clone());
    let scenarios = vec![mosde::engine::Scenario::new(
        &model,
        Policy::Fixed { strategy: 0 },
    )];
    let opts = mosde::engine::JobOptions {
        passage: mosde::engine::Passage { tolerance: 0.03 },
        ..mosde::engine::JobOptions::paths(1000)
    };
    let job = mosde::engine::Job::new(&scenarios, &opts).unwrap();
    let out = engine.run(&job, &mut |_| {}).unwrap();
    assert_eq!(out.sets[0].hist, vec![0, 0, 1000, 0, 0, 0, 0, 0]);
    let report = crate::common::report(&scenarios, &job, &out, engine.info());
    assert_eq!(report.strategies[0].first_passage.p50, Some(2.0));

    // A target out of reach: every path is counted as never arriving.
    let far = StrategySpec {
        target: vec![9.0, 9.0],
        rates: vec![0.01, 0.01],
        sigma: vec![0.1, 0.1],
        ..s
    };
    let model = on_0_10([0.0, 0.0], far);
    let (_, _, out) = crate::common::run(engine, &model, Policy::Fixed { strategy: 0 }, 500, 3);
    assert_eq!(out.sets[0].hist.last(), Some(&500));
}

fn jacobi_noise_vanishes_at_bounds(engine: &mut dyn Engine) {
    let s = StrategySpec {
        diffusion: Diffusion::Jacobi,
        ..strategy("j", &[0.0, 0.5], &[0.5, 0.0], &[0.3, 0.3])
    };
    let model = model(ModelSpec {
        boundary: Boundary::None,
        dt: 0.1,
        x0: vec![0.0, 0.5],
        ..spec(2, (0.0, 1.0), vec![s])
    });
    let (_, _, out) = crate::common::run(engine, &model, Policy::Fixed { strategy: 0 }, 2000, 4);
    let r = rows(&out, 2);
    assert!(
        r.iter().all(|x| x[0] == 0.0),
        "noise must vanish at the lower bound"
    );
    let spread = r.iter().map(|x| (x[1] - 0.5).abs()).fold(0.0, f64::max);
    assert!(spread > 0.05, "noise must act inside the bounds");
}

fn nonfinite_paths_are_counted(engine: &mut dyn Engine) {
    let s = StrategySpec {
        interference: vec![vec![0.0, -3.0], vec![-3.0, 0.0]],
        ..strategy("u", &[0.0, 0.0], &[1.0, 1.0], &[0.1, 0.1])
    };
    let model = model(ModelSpec {
        boundary: Boundary::None,
        dt: 0.5,
        steps: 200,
        x0: vec![0.1, 0.0],
        ..spec(2, (-1.0, 1.0), vec![s])
    });
    let (sc, job, out) = crate::common::run(engine, &model, Policy::Fixed { strategy: 0 }, 512, 4);
    let report = crate::common::report(&sc, &job, &out, engine.info());
    assert_eq!(report.strategies[0].nonfinite_paths, 512);
    assert!(
        report.strategies[0]
            .terminal_mean
            .iter()
            .all(|v| v.is_nan())
    );
    assert!(out.sets[0].terminal.iter().all(|v| *v == DEAD));
}

macro_rules! conformance {
    ($name:ident, $engine:expr) => {
        mod $name {
            use super::*;

            fn engine() -> Option<Box<dyn Engine>> {
                $engine
            }

            #[test]
            fn exact_ou_moments_n1() {
                if let Some(mut e) = engine() {
                    exact_ou(e.as_mut(), 1);
                }
            }
            #[test]
            fn exact_ou_moments_n3() {
                if let Some(mut e) = engine() {
                    exact_ou(e.as_mut(), 3);
                }
            }
            #[test]
            fn exact_ou_moments_n8() {
                if let Some(mut e) = engine() {
                    exact_ou(e.as_mut(), 8);
                }
            }
            #[test]
            fn schedule_follows_its_segments() {
                if let Some(mut e) = engine() {
                    schedule_segments(e.as_mut());
                }
            }
            #[test]
            fn guard_and_greedy_match_the_reference() {
                if let Some(mut e) = engine() {
                    switching_policies(e.as_mut());
                }
            }
            #[test]
            fn reflect_and_clamp_boundaries() {
                if let Some(mut e) = engine() {
                    reflect_and_clamp(e.as_mut());
                }
            }
            #[test]
            fn first_passage_counts() {
                if let Some(mut e) = engine() {
                    first_passage(e.as_mut());
                }
            }
            #[test]
            fn jacobi_diffusion() {
                if let Some(mut e) = engine() {
                    jacobi_noise_vanishes_at_bounds(e.as_mut());
                }
            }
            #[test]
            fn nonfinite_paths() {
                if let Some(mut e) = engine() {
                    nonfinite_paths_are_counted(e.as_mut());
                }
            }
            #[test]
            fn adaptive_policy_matches_the_reference() {
                if let Some(mut e) = engine() {
                    crate::goals::adaptive_matches_reference(e.as_mut());
                }
            }
            #[test]
            fn goal_statistics_exact() {
                if let Some(mut e) = engine() {
                    crate::goals::goal_statistics_are_exact(e.as_mut());
                }
            }
            #[test]
            fn goal_statistics_from_recorded_paths() {
                if let Some(mut e) = engine() {
                    crate::goals::goal_statistics_match_recorded_paths(e.as_mut());
                }
            }
        }
    };
}

conformance!(
    cpu,
    Some(Box::new(mosde::engine::cpu::CpuEngine::new(2).unwrap()))
);
// Every CPU kernel: the scalar reference, the portable fallback (forced),
// and AVX-512 where this CPU has it (the `cpu` suite runs the kernel `auto`
// picks, AVX2 on most x86-64 machines).
fn cpu_kernel(k: mosde::engine::cpu::Kernel) -> Option<Box<dyn Engine>> {
    k.available().then(|| {
        Box::new(
            mosde::engine::cpu::CpuEngine::new(2)
                .unwrap()
                .with_kernel(k),
        ) as _
    })
}
conformance!(cpu_scalar, cpu_kernel(mosde::engine::cpu::Kernel::Scalar));
conformance!(
    cpu_portable,
    cpu_kernel(mosde::engine::cpu::Kernel::Portable)
);
conformance!(cpu_avx512, cpu_kernel(mosde::engine::cpu::Kernel::Avx512));
conformance!(
    gpu,
    crate::common::gpu().map(|g| Box::new(g) as Box<dyn Engine>)
);
