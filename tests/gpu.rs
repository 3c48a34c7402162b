//! GPU-specific checks on a real adapter (lavapipe in CI): raw Philox words,
//! CPU/GPU agreement path by path, and independence from chunking.

use mosde::analysis::ReportOptions;
use mosde::engine::cpu::CpuEngine;
use mosde::engine::gpu::GpuEngine;
use mosde::engine::{Engine, Integration, Job, JobOptions, SaveAt, Scenario};
use mosde::model::{Boundary, Model, ModelSpec, Policy, PolicySpec, Scalarization};
use mosde::rng::{key, normals4, philox4x32_10};

#[test]
fn philox_words_are_bit_identical() {
    let Some(gpu) = crate::common::gpu() else {
        return;
    };
    let mut cases = vec![
        ([0, 0, 0, 0], [0, 0]),
        ([0xffffffff; 4], [0xffffffff; 2]),
        (
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0],
        ),
    ];
    let k = key(0x0123_4567_89ab_cdef);
    for i in 0..61u32 {
        cases.push((
            [i * 7919, i, i % 5, i / 3],
            if i % 2 == 0 { k } else { [i, !i] },
        ));
    }
    let (words, normals) = gpu.philox_words(&cases).unwrap();
    assert_eq!(
        words[0],
        [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
        "Random123 known answer"
    );
    for ((c, k), (w, z)) in cases.iter().zip(words.iter().zip(&normals)) {
        let cpu = philox4x32_10(*c, *k);
        assert_eq!(*w, cpu, "counter {c:08x?} key {k:08x?}");
        let zc = normals4(cpu);
        for (a, b) in z.iter().zip(&zc) {
            assert!(
                (a - b).abs() <= 2e-5 * (1.0 + b.abs()),
                "normals {z:?} vs {zc:?}"
            );
        }
    }
}

fn agreement(model: &Model, policy: Policy, paths: u64) {
    let Some(mut gpu) = crate::common::gpu() else {
        return;
    };
    let mut cpu = CpuEngine::new(2).unwrap();
    let n = model.n();
    let (sc, job, g) = crate::common::run(&mut gpu, model, policy.clone(), paths, 9);
    let (_, _, c) = crate::common::run(&mut cpu, model, policy, paths, 9);
    let (tg, tc) = (&g.sets[0].terminal, &c.sets[0].terminal);
    assert_eq!(tg.len(), tc.len());
    let close = tg
        .chunks_exact(n)
        .zip(tc.chunks_exact(n))
        .filter(|(a, b)| a.iter().zip(b.iter()).all(|(x, y)| (x - y).abs() <= 1e-4))
        .count();
    let frac = close as f64 / (tg.len() / n) as f64;
    assert!(
        frac >= 0.999,
        "{}: only {frac} of paths agree within 1e-4",
        model.name
    );
    // Means and spreads only: without standard errors, whose jackknife
    // repeats the Pareto front and the hypervolume for every replicate
    // group (minutes in eight objectives on a debug build).
    let opts = ReportOptions {
        skip_errors: true,
        ..Default::default()
    };
    let rg = crate::common::reduction_with(&sc, &job, &g, gpu.info(), &opts).report;
    let rc = crate::common::reduction_with(&sc, &job, &c, cpu.info(), &opts).report;
    let (a, b) = (&rg.strategies[0], &rc.strategies[0]);
    for i in 0..n {
        let se = a.terminal_sd[i] / (paths as f64).sqrt();
        assert!(
            (a.terminal_mean[i] - b.terminal_mean[i]).abs() <= 5.0 * se + 1e-9,
            "{}: means {} vs {}",
            model.name,
            a.terminal_mean[i],
            b.terminal_mean[i]
        );
    }
    assert_eq!(g.sets[0].hist.iter().sum::<u64>(), paths);
}

#[test]
fn cpu_and_gpu_agree_on_the_preset() {
    let m = Model::preset("code-generation").unwrap();
    for k in 0..m.strategies.len() {
        agreement(&m, Policy::Fixed { strategy: k }, 20_000);
    }
}

#[test]
fn cpu_and_gpu_agree_under_a_guard_policy_with_jacobi_noise() {
    let m = Model::preset("content-generation").unwrap();
    agreement(&m, m.policy.clone().unwrap(), 20_000);
}

#[test]
fn cpu_and_gpu_agree_with_eight_objectives_and_reflection() {
    let defs: Vec<_> = (0..2)
        .map(|k| crate::common::random_strategy(&format!("s{k}"), 8, 40 + k))
        .collect();
    let m = crate::common::model(ModelSpec {
        boundary: Boundary::Reflect,
        dt: 0.2,
        steps: 30,
        x0: vec![0.0; 8],
        x0_sd: Some(vec![0.3; 8]),
        policy: Some(PolicySpec::Greedy {
            every: 2,
            scalarization: Scalarization::Min,
            weights: None,
        }),
        ..crate::common::spec(8, (-2.0, 2.0), defs)
    });
    agreement(&m, m.policy.clone().unwrap(), 8_192);
    agreement(&m, Policy::Fixed { strategy: 1 }, 8_192);
}

#[test]
fn results_do_not_depend_on_chunking() {
    if crate::common::gpu().is_none() {
        return;
    }
    let m = Model::preset("code-generation").unwrap();
    let scenarios = Scenario::defaults(&m);
    let opts = JobOptions {
        save: SaveAt {
            record_paths: 3,
            keep_terminal: 1000,
            ..Default::default()
        },
        ..JobOptions::paths(3000)
    };
    let job = Job::new(&scenarios, &opts).unwrap();
    let mut outputs = Vec::new();
    for chunk in [None, Some(1), Some(3), Some(5)] {
        let mut e = GpuEngine::new().unwrap();
        if let Some(c) = chunk {
            e = e.with_chunk(c);
        }
        let out = e.run(&job, &mut |_| {}).unwrap();
        let reduction = crate::common::reduction(&scenarios, &job, &out, e.info());
        outputs.push((
            mosde::report::json_bytes(&reduction.report),
            mosde::report::moments_csv(&reduction),
            out,
        ));
    }
    for o in &outputs[1..] {
        assert!(
            o.0 == outputs[0].0,
            "summary.json differs between chunk sizes"
        );
        assert!(
            o.1 == outputs[0].1,
            "moments.csv differs between chunk sizes"
        );
        assert_eq!(o.2, outputs[0].2);
    }
}

#[test]
fn an_impossible_size_fails_before_any_work() {
    let Some(mut gpu) = crate::common::gpu() else {
        return;
    };
    let m = Model::preset("code-generation").unwrap();
    let scenarios = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
    // Recording one block of 256 paths × 200001 steps × 3 objectives
    // (614 MB) cannot fit a GPU buffer. Planning checks the host's memory
    // first; where even that is short, it refuses instead.
    let opts = JobOptions {
        integration: Integration {
            paths: 256,
            steps: Some(200_000),
            ..Default::default()
        },
        save: SaveAt {
            record_paths: 256,
            ..Default::default()
        },
        ..Default::default()
    };
    let job = match Job::new(&scenarios, &opts) {
        Ok(job) => job,
        Err(e) => {
            assert_eq!(e.field(), Some("record_paths"), "{e}");
            return;
        }
    };
    let mut calls = 0;
    let err = gpu.run(&job, &mut |_| calls += 1).unwrap_err();
    assert!(err.to_string().contains("largest buffer"), "{err}");
    assert_eq!(calls, 0, "no work may start");
}
