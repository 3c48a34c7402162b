//! The adaptive policy and the goal statistics, run by the conformance
//! suite for every engine: deterministic paths (σ = 0) against an f64
//! reference written out here, and the in-kernel goal sums against the same
//! statistics computed from every recorded path.

use mosde::analysis::goals::goal_stats;
use mosde::engine::{Engine, Goals, Job, JobOptions, Run, Scenario};
use mosde::model::{Model, ModelSpec, Policy, PolicySpec, StrategySpec};

use crate::common::{model, spec, strategy};

/// Runs `policy` of `model` on `engine` with `opts`, every path recorded.
fn run(engine: &mut dyn Engine, model: &Model, policy: Policy, mut opts: JobOptions) -> Run {
    opts.save.record_paths = opts.integration.paths as u32;
    opts.save.record_every = Some(1);
    let scenarios = vec![Scenario::new(model, policy)];
    let job = Job::new(&scenarios, &opts).unwrap();
    Run::execute(engine, scenarios, job, &mut |_| {}).unwrap()
}

fn names(m: &Model) -> Vec<String> {
    m.objective_names()
}

/// The adaptive rule of `model::PolicySpec::Adaptive` in f64 along one
/// deterministic path; returns the final state and the steps per strategy.
fn reference(model: &Model, a: &mosde::model::Adaptive) -> (Vec<f64>, Vec<u32>) {
    let n = model.n();
    let z = |x: &nalgebra::DVector<f64>, i: usize| {
        (x[i] - model.objectives[i].lower) / model.objectives[i].range()
    };
    let mut x = model.x0.clone();
    let (mut prev, mut e) = (x.clone(), vec![0.0; n]);
    let mut latch: Option<usize> = None;
    let mut occ = vec![0u32; model.strategies.len()];
    for s in 0..model.steps {
        for i in 0..n {
            if s > 0 {
                let d = (x[i] - prev[i]) / model.objectives[i].range();
                e[i] += (d - e[i]) / a.memory;
            }
            prev[i] = x[i];
        }
        if s % a.every == 0 {
            let zmin = (0..n).map(|i| z(&x, i)).fold(f64::INFINITY, f64::min);
            let emin = e.iter().copied().fold(f64::INFINITY, f64::min);
            let emax = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let esum: f64 = e.iter().sum();
            let ready = f64::from(s) >= a.memory.ceil();
            let (h, c, st) = (a.hysteresis, a.conflict, a.stall * n as f64);
            let conds = [
                (
                    a.on_floor,
                    zmin < a.floor_margin,
                    zmin >= a.floor_margin * (1.0 + h),
                ),
                (
                    a.on_conflict,
                    ready && emin < -c && emax > c,
                    !ready || emin >= -c * (1.0 - h) || emax <= c * (1.0 - h),
                ),
                (
                    a.on_stall,
                    ready && esum < st,
                    !ready || esum >= st * (1.0 + h),
                ),
            ];
            latch = (0..3).find(|&t| {
                let (k, on, off) = conds[t];
                k.is_some() && if latch == Some(t) { !off } else { on }
            });
        }
        let k = latch.and_then(|t| [a.on_floor, a.on_conflict, a.on_stall][t]);
        let k = k.unwrap_or(a.default);
        occ[k] += 1;
        let st = &model.strategies[k];
        x = model.project(&(&x + st.drift(&x) * model.dt));
    }
    (x.iter().copied().collect(), occ)
}

fn quiet(name: &str, target: [f64; 2], rates: [f64; 2]) -> StrategySpec {
    strategy(name, &target, &rates, &[0.0, 0.0])
}

/// One adaptive policy per trigger on a tiny two-objective model: each
/// switches (the reference says so), and every path of the engine follows
/// the reference's states and occupancy.
pub fn adaptive_matches_reference(engine: &mut dyn Engine) {
    let strategies = vec![
        quiet("up", [9.0, 1.0], [0.3, 0.3]),
        quiet("fix", [5.0, 8.0], [0.5, 0.5]),
        quiet("slow", [5.0, 5.0], [0.2, 0.2]),
    ];
    let adaptive = |default: &str, trigger: &str, fields: (f64, f64, f64, f64)| {
        let on = |t: &str| (t == trigger).then(|| "fix".to_string());
        PolicySpec::Adaptive {
            default: default.into(),
            memory: fields.0,
            floor_margin: fields.1,
            on_floor: on("floor"),
            conflict: fields.2,
            on_conflict: on("conflict"),
            stall: fields.3,
            on_stall: on("stall"),
            hysteresis: 0.5,
            every: 1,
        }
    };
    let cases = [
        ("floor", adaptive("up", "floor", (3.0, 0.3, 0.02, 0.01))),
        (
            "conflict",
            adaptive("up", "conflict", (2.0, 0.3, 0.02, 0.01)),
        ),
        ("stall", adaptive("slow", "stall", (3.0, 0.3, 0.02, 0.01))),
    ];
    for (trigger, policy) in cases {
        let model = model(ModelSpec {
            steps: 30,
            policy: Some(policy),
            ..spec(2, (0.0, 10.0), strategies.clone())
        });
        let Some(Policy::Adaptive(a)) = model.policy.clone() else {
            panic!("{trigger}: not an adaptive policy");
        };
        let (want, occ) = reference(&model, &a);
        assert!(
            occ[1] > 0 && occ[1] < 30,
            "{trigger}: the reference never switches to and back from its strategy: {occ:?}"
        );
        let r = run(engine, &model, Policy::Adaptive(a), JobOptions::paths(300));
        for p in r.output.sets[0].paths.chunks_exact(31 * 2) {
            let last = &p[30 * 2..];
            for i in 0..2 {
                assert!(
                    (f64::from(last[i]) - want[i]).abs() < 1e-3,
                    "{trigger}: {last:?} vs reference {want:?}"
                );
            }
        }
        let report = mosde::analysis::Report::new(&r, &Default::default());
        let got = report.strategies[0].occupancy.clone().unwrap();
        for ((name, frac), want) in got.iter().zip(&occ) {
            let want = f64::from(*want) / 30.0;
            assert!(
                (frac - want).abs() < 1e-9,
                "{trigger}: occupancy of {name} {frac} vs {want}"
            );
        }
    }
}

/// Deterministic goal statistics: x_t = 1 − 0.5^t on [0, 10] first meets
/// `o0>=0.8` at t = 3 (0.875); b_t = 4 + 0.1·0.5^t always meets `o1>=4` and
/// breaks `o1>=4.03` at t = 2 (4.025).
pub fn goal_statistics_are_exact(engine: &mut dyn Engine) {
    let s = strategy("s", &[1.0, 4.0], &[0.5, 0.5], &[0.0, 0.0]);
    let model = model(ModelSpec {
        steps: 6,
        x0: vec![0.0, 4.1],
        ..spec(2, (0.0, 10.0), vec![s])
    });
    for (constraint, held) in [("o1>=4", 1.0), ("o1>=4.03", 0.0)] {
        let goals = Goals::parse(Some("o0>=0.8"), Some(constraint), 0.9, &names(&model)).unwrap();
        let opts = JobOptions {
            goals: Some(goals),
            ..JobOptions::paths(1000)
        };
        let r = run(engine, &model, Policy::Fixed { strategy: 0 }, opts);
        let g = goal_stats(&r, 0).unwrap();
        assert_eq!(g.reach.value, 1.0);
        assert_eq!(g.time_mean.value, 3.0);
        assert_eq!(g.time_median, Some(3.0));
        assert_eq!(g.never.value, 0.0);
        assert_eq!(g.constraint.value, held, "{constraint}");
        assert_eq!(r.output.sets[0].goal_hist[3], 1000);
        let worst = (1.0 - 0.5f64.powi(6)) / 10.0;
        assert!((g.worst.value - worst).abs() < 1e-6, "{}", g.worst.value);
    }
}

/// A noisy two-objective model: the in-kernel goal statistics equal those
/// computed from every recorded path (exactly for counts and times; the
/// worst-objective mean to f32 rounding), and the jackknife standard error
/// of P(goal) is within a factor 1.5 of the binomial √(p(1 − p)/n) (with 32
/// groups the jackknife's own relative error is about 1/√(2·31) ≈ 13%).
pub fn goal_statistics_match_recorded_paths(engine: &mut dyn Engine) {
    let s = strategy("s", &[7.0, 3.0], &[0.2, 0.3], &[0.6, 0.5]);
    let model = model(ModelSpec {
        steps: 20,
        x0: vec![5.0, 5.0],
        ..spec(2, (0.0, 10.0), vec![s])
    });
    let goals = Goals::parse(
        Some("o0>=7.5,o1<=3.25"),
        Some("o1>=2.25"),
        0.9,
        &names(&model),
    )
    .unwrap();
    let paths = 8192;
    let opts = JobOptions {
        goals: Some(goals.clone()),
        integration: mosde::engine::Integration {
            paths,
            seed: 5,
            ..Default::default()
        },
        ..Default::default()
    };
    let r = run(engine, &model, Policy::Fixed { strategy: 0 }, opts);
    let (n, steps) = (2, 20);
    let (mut reached, mut time, mut held, mut worst) = (0u64, 0u64, 0u64, 0.0f64);
    for p in r.output.sets[0].paths.chunks_exact((steps + 1) * n) {
        let state =
            |t: usize| -> Vec<f64> { p[t * n..][..n].iter().map(|v| f64::from(*v)).collect() };
        let tau = (0..=steps).find(|&t| Goals::holds(&goals.goal, &state(t)));
        reached += u64::from(tau.is_some());
        time += tau.unwrap_or(steps) as u64;
        held += u64::from((0..=steps).all(|t| Goals::holds(&goals.constraint, &state(t))));
        worst += state(steps)
            .iter()
            .map(|v| v / 10.0)
            .fold(f64::INFINITY, f64::min);
    }
    let g = goal_stats(&r, 0).unwrap();
    let k = paths as f64;
    assert_eq!(g.reach.value, reached as f64 / k);
    assert_eq!(g.time_mean.value, time as f64 / k);
    assert_eq!(g.constraint.value, held as f64 / k);
    assert!((g.worst.value - worst / k).abs() < 1e-6);
    assert!(
        g.reach.value > 0.2 && g.reach.value < 0.8,
        "{}",
        g.reach.value
    );
    assert!(
        g.constraint.value > 0.2 && g.constraint.value < 0.99,
        "{}",
        g.constraint.value
    );
    let p = g.reach.value;
    let binomial = (p * (1.0 - p) / k).sqrt();
    assert!(
        g.reach.se > binomial / 1.5 && g.reach.se < binomial * 1.5,
        "se {} vs binomial {binomial}",
        g.reach.se
    );
    assert_eq!(g.reach.loo.len(), 32);
}
