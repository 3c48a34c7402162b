//! `mosde simulate`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use mosde::analysis::{Mode, Report};
use mosde::engine::{self, EngineKind, Job, JobOptions, Scenario};
use mosde::model::Policy;
use mosde::report::{self, Manifest};

use super::common::{InputError, ModelArgs, default_run_dir, parse_count, progress};

/// Flags of `simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Strategy to run under a fixed policy (repeatable; default: every
    /// strategy, plus the model's own policy if it has one).
    #[arg(long = "strategy", value_name = "NAME")]
    strategies: Vec<String>,
    /// Paths per strategy (accepts 1e6, 2^20).
    #[arg(long, default_value = "100000", value_parser = parse_count)]
    paths: u64,
    /// Steps (default: the model's).
    #[arg(long)]
    steps: Option<u32>,
    /// Time step (default: the model's).
    #[arg(long, allow_negative_numbers = true)]
    dt: Option<f64>,
    /// Seed of the counter-based RNG.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Engine: gpu when an adapter exists (auto), cpu, or gpu.
    #[arg(long, value_enum, default_value_t = EngineKind::Auto)]
    engine: EngineKind,
    /// CPU threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Record moments every K steps (default: about 100 records).
    #[arg(long, value_name = "K")]
    record_every: Option<u32>,
    /// Record whole trajectories of the first K paths of each strategy (paths.csv).
    #[arg(long, value_name = "K", default_value_t = 0)]
    record_paths: u32,
    /// Terminal states kept per strategy for quantiles and the Pareto analysis
    /// (the first K paths: a uniform subsample).
    #[arg(long, value_name = "K", default_value_t = 200_000)]
    pareto_sample: u32,
    /// First-passage tolerance as a fraction of each objective's range.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    tolerance: f64,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(a: SimulateArgs) -> anyhow::Result<()> {
    let model = a.model.load()?;
    let policies = if a.strategies.is_empty() {
        model.default_policies()
    } else {
        a.strategies
            .iter()
            .map(|name| {
                model
                    .strategy_index(name)
                    .map(|k| Policy::Fixed { strategy: k })
                    .ok_or_else(|| {
                        InputError(format!(
                            "--strategy {name}: unknown strategy; the model '{}' has {}",
                            model.name,
                            model
                                .strategies
                                .iter()
                                .map(|s| s.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let scenarios: Vec<Scenario> = policies
        .into_iter()
        .map(|p| Scenario::new(&model, p))
        .collect();
    let opts = JobOptions {
        paths: a.paths,
        steps: a.steps,
        dt: a.dt,
        seed: a.seed,
        record_every: a.record_every,
        record_paths: a.record_paths,
        tolerance: a.tolerance,
        keep_terminal: a.pareto_sample,
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts)?;
    let dt = f64::from(job.sets[0].dt);
    for s in mosde::analysis::spectral::analyze(&model, dt) {
        if s.mode == Mode::Unstable || !s.discrete_stable {
            eprintln!(
                "warning: strategy {} is unstable (rho = {:.3}, discrete radius = {:.3}); simulating anyway, non-finite paths are counted",
                s.name, s.rho, s.discrete_spectral_radius
            );
        }
    }

    let (mut eng, note) = engine::open(a.engine, a.threads)?;
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    let info = eng.info();
    if !a.quiet {
        eprintln!(
            "engine: {} on {}; {} strategies x {} paths x {} steps",
            info.kind,
            info.adapter,
            scenarios.len(),
            a.paths,
            job.run.steps
        );
    }
    let bar = progress(job.total_paths(), "paths", a.quiet);
    let t0 = Instant::now();
    let output = eng
        .run(&job, &mut |d| bar.inc(d))
        .context("simulation failed")?;
    let elapsed = t0.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let t1 = Instant::now();
    let report = Report::new(&scenarios, &job, &output, info.clone());
    let analysis_s = t1.elapsed().as_secs_f64();

    let dir = a.out.unwrap_or_else(default_run_dir);
    report::write_json(&dir.join("summary.json"), &report)?;
    report::write_atomic(&dir.join("moments.csv"), &report::moments_csv(&report))?;
    if a.record_paths > 0 {
        report::write_atomic(
            &dir.join("paths.csv"),
            &report::paths_csv(&scenarios, &job, &output),
        )?;
    }
    report::write_atomic(
        &dir.join("pareto_front.csv"),
        &report::pareto_front_csv(&report),
    )?;
    report::write_atomic(
        &dir.join("strategies.md"),
        report::strategies_md(&report).as_bytes(),
    )?;
    let path_steps = job.total_paths() as f64 * f64::from(job.run.steps);
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        command_line: Manifest::command_line(),
        model: serde_json::to_value(&model.spec)?,
        seed: a.seed,
        engine: info.kind.clone(),
        adapter: info.adapter.clone(),
        threads: info.threads,
        sizes: serde_json::json!({
            "strategies": scenarios.len(),
            "paths": a.paths,
            "steps": job.run.steps,
            "record_every": job.run.record_every,
            "records": job.run.records,
            "block_paths": job.block_paths(),
        }),
        elapsed_s: elapsed,
        path_steps_per_s: path_steps / elapsed.max(1e-9),
        timings: serde_json::json!({ "simulate_s": elapsed, "analysis_s": analysis_s }),
    };
    report::write_json(&dir.join("manifest.json"), &manifest)?;

    if !a.quiet {
        print!("{}", summary_table(&report));
        println!(
            "{:.3e} path-steps in {:.2} s ({:.3e} path-steps/s) -> {}",
            path_steps,
            elapsed,
            path_steps / elapsed.max(1e-9),
            dir.display()
        );
    }
    Ok(())
}

fn summary_table(r: &Report) -> String {
    let (head, rows) = report::strategy_rows(r);
    report::table(&head, &rows)
}
