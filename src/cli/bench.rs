//! `mosde bench`: whole-run throughput, for the tables in results/.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use mosde::engine::{self, Engine, EngineKind, Job, JobOptions, Scenario};
use mosde::model::{Model, Policy};
use mosde::report;
use serde::Serialize;

use super::common::{InputError, parse_count};

/// Flags of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Presets to run (repeatable).
    #[arg(long = "preset", value_name = "NAME", default_values_t = ["probe-reference".to_string(), "code-generation".to_string()])]
    presets: Vec<String>,
    /// Paths per workload.
    #[arg(long, default_value = "2^20", value_parser = parse_count)]
    paths: u64,
    /// Steps per path (default 1000, as in the probe).
    #[arg(long, default_value_t = 1000)]
    steps: u32,
    /// Engines to measure: cpu, gpu, or both (auto).
    #[arg(long, value_enum, default_value_t = EngineKind::Auto)]
    engine: EngineKind,
    /// CPU threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Record moments every K steps (default: about 100 records, as in simulate).
    #[arg(long, value_name = "K")]
    record_every: Option<u32>,
    /// Timed repetitions (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeat: u32,
    /// Write bench.json and bench.md into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Row {
    engine: String,
    adapter: String,
    workload: String,
    paths: u64,
    steps: u32,
    record_every: u32,
    seconds: f64,
    path_steps_per_s: f64,
}

pub fn run(a: BenchArgs) -> anyhow::Result<()> {
    if a.repeat == 0 {
        return Err(InputError("--repeat must be at least 1".into()).into());
    }
    let mut engines: Vec<Box<dyn Engine>> = Vec::new();
    match a.engine {
        EngineKind::Cpu => engines.push(engine::open(EngineKind::Cpu, a.threads)?.0),
        EngineKind::Gpu => engines.push(engine::open(EngineKind::Gpu, a.threads)?.0),
        EngineKind::Auto => {
            engines.push(engine::open(EngineKind::Cpu, a.threads)?.0);
            match engine::open(EngineKind::Gpu, a.threads) {
                Ok((g, _)) => engines.push(g),
                Err(e) => eprintln!("note: GPU engine skipped: {e}"),
            }
        }
    }
    let mut rows = Vec::new();
    for name in &a.presets {
        let m = Model::preset(name)?;
        let scenarios = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
        let opts = JobOptions {
            paths: a.paths,
            steps: Some(a.steps),
            record_every: a.record_every,
            ..Default::default()
        };
        let job = Job::new(&scenarios, &opts)?;
        let warm = Job::new(
            &scenarios,
            &JobOptions {
                paths: 4096,
                ..opts.clone()
            },
        )?;
        for e in &mut engines {
            e.run(&warm, &mut |_| {})?; // compiles the kernel
            let mut best = f64::INFINITY;
            for _ in 0..a.repeat {
                let t = Instant::now();
                let out = e.run(&job, &mut |_| {})?;
                best = best.min(t.elapsed().as_secs_f64());
                std::hint::black_box(out);
            }
            let info = e.info();
            let row = Row {
                engine: info.kind,
                adapter: info.adapter,
                workload: format!("{name} ({})", scenarios[0].name),
                paths: a.paths,
                steps: a.steps,
                record_every: job.run.record_every,
                seconds: best,
                path_steps_per_s: a.paths as f64 * f64::from(a.steps) / best,
            };
            eprintln!(
                "{} {} on {}: {:.3} s, {:.3e} path-steps/s",
                row.engine, row.workload, row.adapter, row.seconds, row.path_steps_per_s
            );
            rows.push(row);
        }
    }
    let table = report::table(
        &[
            "engine",
            "adapter",
            "workload",
            "paths",
            "steps",
            "record every",
            "seconds",
            "path-steps/s",
        ],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.engine.clone(),
                    r.adapter.clone(),
                    r.workload.clone(),
                    r.paths.to_string(),
                    r.steps.to_string(),
                    r.record_every.to_string(),
                    format!("{:.3}", r.seconds),
                    format!("{:.3e}", r.path_steps_per_s),
                ]
            })
            .collect::<Vec<_>>(),
    );
    print!("{table}");
    if let Some(dir) = a.out {
        report::write_json(&dir.join("bench.json"), &rows)?;
        report::write_atomic(&dir.join("bench.md"), table.as_bytes())?;
    }
    Ok(())
}
