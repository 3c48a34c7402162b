//! Whole-run throughput of an engine on a preset's first strategy: what
//! `mosde bench` measures and `results/` records.

use std::time::Instant;

use serde::Serialize;

use crate::engine::{Engine, Integration, Job, JobOptions, SaveAt, Scenario};
use crate::error::Error;
use crate::model::{Model, Policy};

/// A workload to time.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Preset name.
    pub preset: String,
    /// Paths.
    pub paths: u64,
    /// Steps per path.
    pub steps: u32,
    /// Record moments every K steps (default: about 100 records).
    pub record_every: Option<u32>,
    /// Timed repetitions; the best is reported.
    pub repeat: u32,
}

/// One measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// Engine kind.
    pub engine: String,
    /// Adapter or CPU description.
    pub adapter: String,
    /// The preset and strategy.
    pub workload: String,
    /// Paths.
    pub paths: u64,
    /// Steps.
    pub steps: u32,
    /// Steps between moment records.
    pub record_every: u32,
    /// Best wall time, in seconds.
    pub seconds: f64,
    /// Path-steps per second at the best time.
    pub path_steps_per_s: f64,
}

/// Times `workload` on `engine`, after one small warm-up run that compiles
/// the kernel, so that set-up is not in the figure.
pub fn measure(engine: &mut dyn Engine, workload: &Workload) -> Result<Measurement, Error> {
    let m = Model::preset(&workload.preset)?;
    let scenarios = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
    let mut opts = JobOptions {
        integration: Integration {
            paths: workload.paths,
            steps: Some(workload.steps),
            ..Default::default()
        },
        save: SaveAt {
            record_every: workload.record_every,
            ..Default::default()
        },
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts)?;
    opts.integration.paths = 4096;
    let warm = Job::new(&scenarios, &opts)?;
    engine.run(&warm, &mut |_| {})?;
    let mut best = f64::INFINITY;
    for _ in 0..workload.repeat.max(1) {
        let t = Instant::now();
        let out = engine.run(&job, &mut |_| {})?;
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(out);
    }
    let info = engine.info();
    Ok(Measurement {
        engine: info.kind,
        adapter: info.adapter,
        workload: format!("{} ({})", workload.preset, scenarios[0].name),
        paths: workload.paths,
        steps: workload.steps,
        record_every: job.record_every(),
        seconds: best,
        path_steps_per_s: workload.paths as f64 * f64::from(workload.steps) / best,
    })
}

/// Measurements as a text table (also `bench.md`).
pub fn table(rows: &[Measurement]) -> String {
    let head = [
        "engine",
        "adapter",
        "workload",
        "paths",
        "steps",
        "record every",
        "seconds",
        "path-steps/s",
    ];
    let cells: Vec<Vec<String>> = rows
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
        .collect();
    crate::report::table(&head, &cells)
}
