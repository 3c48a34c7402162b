//! `mosde simulate`.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use mosde::analysis::{Report, ReportOptions};
use mosde::engine::{EngineInfo, Integration, Job, JobOptions, Passage, Run, SaveAt};
use mosde::model::ModelError;
use mosde::report;
use mosde::shard::Shard;
use mosde::simulation::{self, Simulation};

use super::args::{EngineArgs, GoalArgs, ModelArgs, parse_count, parse_shard};
use super::common;
use super::common::{InputError, default_run_dir, flag_context, progress, run_dir};

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
    #[command(flatten)]
    engine: EngineArgs,
    /// Record moments every K steps (default: about 100 records).
    #[arg(long, value_name = "K")]
    record_every: Option<u32>,
    /// Record whole trajectories of the first K paths of each strategy (paths.csv).
    #[arg(long, value_name = "K", default_value_t = 0)]
    record_paths: u32,
    /// Terminal states kept per strategy for quantiles and the Pareto analysis
    /// (the first K paths: a uniform subsample). Each costs about 48 + 64·N
    /// bytes (240 for three objectives) per strategy; a size beyond the
    /// available memory is refused before the run.
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
    #[command(flatten)]
    goals: GoalArgs,
    /// Run only shard i of n of the paths (`i/n`, 0-based), or `n` to take i
    /// from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID; combine with `merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace --out whole if it already holds files.
    #[arg(long)]
    force: bool,
    /// Draw the figures (SVG and PNG) into the output directory; records
    /// 200 trajectories per strategy for them unless --record-paths says otherwise.
    #[arg(long)]
    plot: bool,
    /// Format of the strategy table: `md` writes strategies.md; `latex` also
    /// writes strategies.tex (booktabs) beside it.
    #[arg(long, value_enum, default_value_t = TableFormat::Md)]
    format: TableFormat,
    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,
}

/// Format of the strategy table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    /// Markdown (strategies.md) only.
    Md,
    /// strategies.md and a booktabs strategies.tex.
    Latex,
}

/// Trajectories recorded for the figures when `--plot` is given.
const PLOT_PATHS: u32 = 200;

impl SimulateArgs {
    fn simulation(&self) -> anyhow::Result<Simulation> {
        let model = self.model.load()?;
        let goals = self.goals.goals(&model)?;
        let options = JobOptions {
            integration: Integration {
                paths: self.paths,
                steps: self.steps,
                dt: self.dt,
                seed: self.seed,
                ..Default::default()
            },
            save: SaveAt {
                record_every: self.record_every,
                record_paths: if self.plot && self.record_paths == 0 {
                    PLOT_PATHS
                } else {
                    self.record_paths
                },
                keep_terminal: self.pareto_sample,
            },
            passage: Passage {
                tolerance: self.tolerance,
            },
            goals,
        };
        let mut sim = Simulation::new(model, &self.strategies, options);
        sim.report = ReportOptions {
            pareto_reference: self.pareto_reference.clone(),
            ..Default::default()
        };
        Ok(sim)
    }
}

pub fn run(a: SimulateArgs) -> anyhow::Result<()> {
    if a.pareto_sample == 0 {
        return Err(InputError(
            "--pareto-sample 0 keeps no terminal states, so quantiles and hypervolumes could not be measured; give at least 1".into(),
        )
        .into());
    }
    let sim = a.simulation()?;
    let shard = parse_shard(a.shard.as_deref())?;
    if !shard.is_whole() && a.plot {
        return Err(InputError(
            "--plot needs the whole run: draw the figures with `mosde merge --plot`".into(),
        )
        .into());
    }
    let (scenarios, job) = sim.plan(shard).map_err(strategy_context)?;
    let dir = a.out.clone().unwrap_or_else(default_run_dir);
    if !shard.is_whole() && !a.force {
        simulation::check_shard_folder(&dir, shard)?;
    }
    for w in sim.warnings() {
        eprintln!("warning: {w}");
    }
    let out = run_dir(Some(dir), a.force)?;
    let mut eng = a.engine.open()?;
    if !a.quiet {
        eprintln!(
            "{}",
            banner(&eng.info(), shard, &job, scenarios.len(), a.paths)
        );
    }
    let bar = progress(job.total_paths(), "paths", a.quiet);
    let t0 = Instant::now();
    let run = Run::execute(eng.as_mut(), scenarios, job, &mut |d| bar.inc(d))?;
    let elapsed = t0.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let path_steps = run.job.total_paths() as f64 * f64::from(run.job.steps());
    let mut manifest = sim.manifest(&run, shard);
    manifest.elapsed_s = elapsed;
    manifest.path_steps_per_s = path_steps / elapsed.max(1e-9);
    manifest.timings = serde_json::json!({ "simulate_s": elapsed });
    if !shard.is_whole() {
        sim.write_shard(out.path(), &run, shard)?;
        let dir = out.commit(&manifest)?;
        if !a.quiet {
            common::outln!(
                "shard {shard}: {path_steps:.3e} path-steps in {elapsed:.2} s -> {}; combine the shards with `mosde merge`",
                dir.display()
            )?;
        }
        return Ok(());
    }
    let t1 = Instant::now();
    let spin = common::spinner(analysis_message(&run.job), a.quiet);
    let written = simulation::write_outputs(out.path(), &sim, &run, a.plot)?;
    spin.finish_and_clear();
    if a.format == TableFormat::Latex {
        let tex = report::latex::strategies_table(&written.report).to_latex();
        report::write_atomic(&out.path().join("strategies.tex"), tex.as_bytes())?;
    }
    let analysis_s = t1.elapsed().as_secs_f64();
    manifest.timings = serde_json::json!({ "simulate_s": elapsed, "analysis_s": analysis_s });
    let dir = out.commit(&manifest)?;
    if !a.quiet {
        common::out!("{}", summary_table(&written.report))?;
        common::outln!(
            "{path_steps:.3e} path-steps in {elapsed:.2} s ({:.3e} path-steps/s) -> {}",
            path_steps / elapsed.max(1e-9),
            dir.display()
        )?;
    }
    Ok(())
}

/// What the spinner says while a run is reduced to its outputs. In five or
/// more objectives the exact hypervolume and its jackknife standard error
/// dominate and grow steeply with the kept terminal states (README, "Many
/// objectives"), so the message says what bounds them.
fn analysis_message(job: &Job) -> String {
    let n = job.objectives();
    let kept = (0..job.set_count())
        .map(|s| job.kept_paths(s))
        .max()
        .unwrap_or(0);
    if n >= 5 {
        format!(
            "analysing: exact Pareto fronts and hypervolumes in {n} objectives on up to {kept} terminal states per strategy (--pareto-sample bounds them)"
        )
    } else {
        "analysing: moments, quantiles, Pareto fronts and hypervolumes".into()
    }
}

/// What is about to run, for stderr.
fn banner(info: &EngineInfo, shard: Shard, job: &Job, strategies: usize, paths: u64) -> String {
    let part = match shard.is_whole() {
        true => String::new(),
        false => format!(" (shard {shard}: {} paths)", job.total_paths()),
    };
    format!(
        "engine: {} on {}; {strategies} strategies x {paths} paths x {} steps{part}",
        info.kind,
        info.adapter,
        job.steps()
    )
}

/// An unknown strategy came from `--strategy`; option errors from their flags.
fn strategy_context(e: mosde::Error) -> anyhow::Error {
    if let mosde::Error::Model(ModelError::UnknownStrategy { name, .. }) = &e {
        let flag = format!("--strategy {name}");
        return anyhow::Error::new(e).context(flag);
    }
    flag_context(e)
}

/// The per-strategy table printed after a run or a merge, with `± SE` on
/// its headline columns.
pub fn summary_table(r: &Report) -> String {
    let (head, rows) = report::strategy_rows_with(r, true);
    let mut out = report::table(&head, &rows);
    if let Some((head, rows)) = report::goals::goal_rows(r, true) {
        out.push('\n');
        out.push_str(&report::table(&head, &rows));
    }
    out
}

/// `merge` of `simulate` shards.
pub fn merge(
    dirs: &[PathBuf],
    out: &std::path::Path,
    force: bool,
    plot: bool,
) -> anyhow::Result<()> {
    let merged = simulation::merge(dirs)?;
    let staging = run_dir(Some(out.to_path_buf()), force)?;
    let spin = common::spinner(analysis_message(&merged.run.job), false);
    let written = simulation::write_outputs(staging.path(), &merged.simulation, &merged.run, plot)?;
    spin.finish_and_clear();
    let dir = staging.commit(&merged.manifest())?;
    common::out!("{}", summary_table(&written.report))?;
    common::outln!("merged {} shards -> {}", merged.shards, dir.display())?;
    Ok(())
}
