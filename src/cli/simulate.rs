//! `mosde simulate` (and the merge of its shards).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use mosde::analysis::{Mode, Report};
use mosde::engine::{self, EngineInfo, EngineKind, Job, JobOptions, JobOutput, Scenario};
use mosde::model::{Model, ModelSpec, Policy};
use mosde::report::{self, Manifest, plots};
use serde::{Deserialize, Serialize};

use super::common::{InputError, ModelArgs, default_run_dir, parse_count, parse_shard, progress};

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
    /// Engine: gpu when a hardware adapter exists (auto), cpu, or gpu.
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
    /// Hypervolume reference point in objective units, `v,v,...` (default:
    /// the lower bounds; objectives are normalised by the model's bounds).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "V,...",
        allow_hyphen_values = true
    )]
    pareto_reference: Option<Vec<f64>>,
    /// First-passage tolerance as a fraction of each objective's range.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    tolerance: f64,
    /// Run only shard i of n of the paths (`i/n`, 0-based), or `n` to take i
    /// from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID; combine with `merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Draw the figures (SVG and PNG) into the output directory; records
    /// 200 trajectories per strategy for them unless --record-paths says otherwise.
    #[arg(long)]
    plot: bool,
    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,
}

/// Trajectories recorded for the figures when `--plot` is given.
const PLOT_PATHS: u32 = 200;

/// What a run is, so that its shards can be checked and merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RunIdentity {
    version: String,
    model: ModelSpec,
    strategies: Vec<String>,
    options: JobOptions,
    engine: String,
    shards: u64,
}

/// A shard's output (`partials.json`).
#[derive(Debug, Serialize, Deserialize)]
struct Partials {
    identity: RunIdentity,
    shard: u64,
    output: JobOutput,
}

fn scenarios(model: &Model, names: &[String]) -> Result<Vec<Scenario>, InputError> {
    if names.is_empty() {
        return Ok(Scenario::defaults(model));
    }
    let policies: Vec<Policy> = names
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
        .collect::<Result<_, _>>()?;
    Ok(policies
        .into_iter()
        .map(|p| Scenario::new(model, p))
        .collect())
}

pub fn run(a: SimulateArgs) -> anyhow::Result<()> {
    let model = a.model.load()?;
    let scenarios = scenarios(&model, &a.strategies)?;
    let opts = JobOptions {
        paths: a.paths,
        steps: a.steps,
        dt: a.dt,
        seed: a.seed,
        record_every: a.record_every,
        record_paths: if a.plot && a.record_paths == 0 {
            PLOT_PATHS
        } else {
            a.record_paths
        },
        tolerance: a.tolerance,
        keep_terminal: a.pareto_sample,
        pareto_reference: a.pareto_reference.clone(),
        ..Default::default()
    };
    let mut job = Job::new(&scenarios, &opts)?;
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    if shard.is_some() && a.plot {
        return Err(InputError(
            "--plot needs the whole run: draw the figures with `mosde merge --plot`".into(),
        )
        .into());
    }
    if let Some((i, n)) = shard {
        job.shard(i, n);
    }
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
            "engine: {} on {}; {} strategies x {} paths x {} steps{}",
            info.kind,
            info.adapter,
            scenarios.len(),
            a.paths,
            job.run.steps,
            shard.map_or(String::new(), |(i, n)| format!(
                " (shard {i}/{n}: {} paths)",
                job.total_paths()
            ))
        );
    }
    let bar = progress(job.total_paths(), "paths", a.quiet);
    let t0 = Instant::now();
    let output = eng
        .run(&job, &mut |d| bar.inc(d))
        .context("simulation failed")?;
    let elapsed = t0.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let dir = a.out.unwrap_or_else(default_run_dir);
    let path_steps = job.total_paths() as f64 * f64::from(job.run.steps);
    let manifest = |timings: serde_json::Value| Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        command_line: Manifest::command_line(),
        model: serde_json::to_value(&model.spec).expect("serialisable"),
        seed: a.seed,
        engine: info.kind.clone(),
        adapter: info.adapter.clone(),
        threads: info.threads,
        sizes: serde_json::json!({
            "strategies": scenarios.len(),
            "paths": a.paths,
            "paths_in_this_run": job.total_paths(),
            "shard": shard.map(|(i, n)| [i, n]),
            "steps": job.run.steps,
            "record_every": job.run.record_every,
            "records": job.run.records,
            "block_paths": job.block_paths(),
        }),
        elapsed_s: elapsed,
        path_steps_per_s: path_steps / elapsed.max(1e-9),
        timings,
    };

    if let Some((i, n)) = shard {
        let identity = RunIdentity {
            version: env!("CARGO_PKG_VERSION").into(),
            model: model.spec.clone(),
            strategies: a.strategies.clone(),
            options: opts,
            engine: info.kind.clone(),
            shards: n,
        };
        report::write_json(
            &dir.join("partials.json"),
            &Partials {
                identity,
                shard: i,
                output,
            },
        )?;
        report::write_json(
            &dir.join("manifest.json"),
            &manifest(serde_json::json!({ "simulate_s": elapsed })),
        )?;
        if !a.quiet {
            println!(
                "shard {i}/{n}: {path_steps:.3e} path-steps in {elapsed:.2} s -> {}; combine the shards with `mosde merge`",
                dir.display()
            );
        }
        return Ok(());
    }

    let t1 = Instant::now();
    let report = write_outputs(&dir, &scenarios, &job, &output, info.clone())?;
    let analysis_s = t1.elapsed().as_secs_f64();
    if a.plot {
        let files = plots::simulation(&dir, &report, &scenarios, &job, &output)?;
        if !a.quiet {
            eprintln!("{} figure files -> {}", files.len(), dir.display());
        }
    }
    report::write_json(
        &dir.join("manifest.json"),
        &manifest(serde_json::json!({ "simulate_s": elapsed, "analysis_s": analysis_s })),
    )?;
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

/// Writes summary.json, moments.csv, pareto_front.csv, strategies.md and
/// (when recorded) paths.csv.
fn write_outputs(
    dir: &Path,
    scenarios: &[Scenario],
    job: &Job,
    output: &JobOutput,
    info: EngineInfo,
) -> anyhow::Result<Report> {
    let report = Report::new(scenarios, job, output, info);
    report::write_json(&dir.join("summary.json"), &report)?;
    report::write_atomic(&dir.join("moments.csv"), &report::moments_csv(&report))?;
    if job.flags.record_paths {
        report::write_atomic(
            &dir.join("paths.csv"),
            &report::paths_csv(scenarios, job, output),
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
    Ok(report)
}

/// Merges `simulate --shard` outputs into the outputs of one run.
pub fn merge(dirs: &[PathBuf], out: &Path, plot: bool) -> anyhow::Result<()> {
    let mut parts: Vec<Partials> = Vec::new();
    for d in dirs {
        let p = d.join("partials.json");
        let bytes = std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?;
        parts.push(
            serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a simulate shard", p.display()))?,
        );
    }
    let id = parts[0].identity.clone();
    let n = id.shards;
    let mut seen = vec![false; n as usize];
    for (d, p) in dirs.iter().zip(&parts) {
        if p.identity != id {
            return Err(InputError(format!("{}: a shard of a different run (model, strategies, options, engine or shard count differ)", d.display())).into());
        }
        if std::mem::replace(&mut seen[p.shard as usize], true) {
            return Err(
                InputError(format!("{}: shard {} given twice", d.display(), p.shard)).into(),
            );
        }
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(InputError(format!("shard {i}/{n} is missing; every shard is needed")).into());
    }
    parts.sort_by_key(|p| p.shard);
    let model = Model::from_spec(id.model.clone(), "merged shards")?;
    let scenarios = scenarios(&model, &id.strategies)?;
    let job = Job::new(&scenarios, &id.options)?;
    let mut it = parts.into_iter();
    let mut output = it.next().expect("at least one shard").output;
    for p in it {
        for (a, b) in output.sets.iter_mut().zip(p.output.sets) {
            a.extend(b);
        }
    }
    let info = EngineInfo {
        kind: id.engine.clone(),
        adapter: format!("{n} shards"),
        threads: 0,
    };
    let report = write_outputs(out, &scenarios, &job, &output, info)?;
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        command_line: Manifest::command_line(),
        model: serde_json::to_value(&model.spec)?,
        seed: id.options.seed,
        engine: id.engine.clone(),
        adapter: format!("merged from {n} shards"),
        threads: 0,
        sizes: serde_json::json!({ "strategies": scenarios.len(), "paths": id.options.paths, "shards": n }),
        elapsed_s: 0.0,
        path_steps_per_s: 0.0,
        timings: serde_json::json!({}),
    };
    report::write_json(&out.join("manifest.json"), &manifest)?;
    if plot {
        plots::simulation(out, &report, &scenarios, &job, &output)?;
    }
    print!("{}", summary_table(&report));
    println!("merged {n} shards -> {}", out.display());
    Ok(())
}

fn summary_table(r: &Report) -> String {
    let (head, rows) = report::strategy_rows(r);
    report::table(&head, &rows)
}
