//! Criterion benches: engine throughput in path-steps, the RNG, and the host
//! reduction. Devices are opened outside the timed closures.
#![allow(missing_docs, reason = "criterion generates the entry point")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mosde::analysis::Report;
use mosde::engine::cpu::CpuEngine;
use mosde::engine::gpu::GpuEngine;
use mosde::engine::{Engine, Job, JobOptions, SaveAt, Scenario};
use mosde::model::{Model, Policy};

#[path = "../tests/common/lcg.rs"]
mod lcg;

fn job(preset: &str, paths: u64) -> (Vec<Scenario>, Job) {
    let m = Model::preset(preset).unwrap();
    let scenarios = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
    let job = Job::new(
        &scenarios,
        &JobOptions {
            save: SaveAt {
                keep_terminal: 0,
                ..Default::default()
            },
            ..JobOptions::paths(paths)
        },
    )
    .unwrap();
    (scenarios, job)
}

fn engines(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    for preset in ["code-generation", "probe-reference"] {
        let paths = if preset == "probe-reference" {
            1 << 14
        } else {
            1 << 16
        };
        let (_, j) = job(preset, paths);
        g.throughput(Throughput::Elements(paths * u64::from(j.steps())));
        let mut cpu = CpuEngine::new(0).unwrap();
        g.bench_function(format!("cpu/{preset}"), |b| {
            b.iter(|| black_box(cpu.run(&j, &mut |_| {}).unwrap()))
        });
        if let Ok(mut gpu) = GpuEngine::new() {
            let _ = gpu.run(&j, &mut |_| {}); // compile the kernel outside the timing
            g.bench_function(format!("gpu/{preset}"), |b| {
                b.iter(|| black_box(gpu.run(&j, &mut |_| {}).unwrap()))
            });
        }
    }
    g.finish();
}

fn rng(c: &mut Criterion) {
    let mut g = c.benchmark_group("rng");
    g.throughput(Throughput::Elements(1 << 16));
    let key = mosde::rng::key(1);
    g.bench_function("philox4x32_10+normals4", |b| {
        b.iter(|| {
            let mut acc = 0.0f32;
            for i in 0..(1u32 << 16) {
                acc += mosde::rng::normals4(mosde::rng::philox4x32_10([i, 0, 0, 0], key))[0];
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn reduction(c: &mut Criterion) {
    let (scenarios, j) = job("code-generation", 1 << 16);
    let mut cpu = CpuEngine::new(0).unwrap();
    let run = mosde::engine::Run::execute(&mut cpu, scenarios, j, &mut |_| {}).unwrap();
    let opts = Default::default();
    c.bench_function("report/code-generation-2^16", |b| {
        b.iter(|| black_box(Report::new(&run, &opts)))
    });
}

fn pareto(c: &mut Criterion) {
    // 10^6 uniform points in [0, 1]^3 from a fixed LCG.
    let mut lcg = lcg::Lcg(0x2545_f491_4f6c_dd1d);
    let mut next = || lcg.unit();
    let points: Vec<Vec<f64>> = (0..1_000_000)
        .map(|_| vec![next(), next(), next()])
        .collect();
    let mut g = c.benchmark_group("pareto");
    g.sample_size(10);
    g.throughput(Throughput::Elements(points.len() as u64));
    g.bench_function("front+hypervolume/3d-1e6", |b| {
        b.iter(|| {
            let f = mosde::pareto::nondominated(&points);
            black_box((f.len(), mosde::pareto::hypervolume(&points, &[0.0; 3])))
        })
    });
    g.finish();
}

criterion_group!(benches, engines, rng, reduction, pareto);
criterion_main!(benches);
