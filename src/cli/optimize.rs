//! `mosde optimize`: search a policy family, hold the best out, compare.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mosde::optimize::{self, Event, Family, Objective, Optimization, OptimizeError, Outcome};
use mosde::report::{self, Manifest};

use super::args::{EngineArgs, GoalArgs, ModelArgs, parse_count};
use super::common::{self, InputError, flag_context, progress, run_dir};

/// Flags of `optimize`.
#[derive(Debug, Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Policy family to search.
    #[arg(long, value_enum)]
    family: FamilyChoice,
    /// What to optimise: reach (P(goal by the horizon), needs --goal), time
    /// (restricted mean time to the goal, needs --goal), worst (E[smallest
    /// normalised objective at the horizon]) or hypervolume (of the terminal
    /// states, normalised by the bounds).
    #[arg(long, value_enum)]
    objective: ObjectiveChoice,
    #[command(flatten)]
    goals: GoalArgs,
    /// Most segments of a schedule (--family schedule).
    #[arg(long, value_name = "K", default_value_t = 3)]
    segments: usize,
    /// Candidate evaluations of the search, in all (about 8 generations).
    #[arg(long, value_name = "EVALS", default_value = "256", value_parser = parse_count)]
    budget: u64,
    /// Paths per candidate in the search (accepts 1e4, 2^12).
    #[arg(long, value_name = "N", default_value = "4096", value_parser = parse_count)]
    paths: u64,
    /// Paths per policy when the finalists and baselines are re-run on fresh seeds.
    #[arg(long, value_name = "N", default_value = "50000", value_parser = parse_count)]
    holdout_paths: u64,
    /// Seed of the search and of every job.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    engine: EngineArgs,
    /// Not supported: each generation depends on the one before, so the
    /// search cannot be split into independent shards.
    #[arg(long, value_name = "I/N", hide = true)]
    shard: Option<String>,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace --out whole if it already holds files.
    #[arg(long)]
    force: bool,
    /// Draw the search progress, the comparison and the mean trajectories.
    #[arg(long)]
    plot: bool,
    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,
}

/// `--family`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FamilyChoice {
    /// Up to --segments segments of (strategy, length).
    Schedule,
    /// Default strategy, floors and hysteresis.
    Guard,
    /// One-step look-ahead on the model's drift (model-aware).
    Greedy,
    /// Switching on the path's observed history only.
    Adaptive,
}

/// `--objective`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ObjectiveChoice {
    /// Maximise P(goal reached by the horizon).
    Reach,
    /// Minimise the mean time to the goal, restricted to the horizon.
    Time,
    /// Maximise E[smallest normalised objective at the horizon].
    Worst,
    /// Maximise the hypervolume of the terminal states.
    Hypervolume,
}

impl OptimizeArgs {
    fn optimization(&self) -> anyhow::Result<Optimization> {
        let model = self.model.load()?;
        let goals = self.goals.goals(&model)?;
        Ok(Optimization {
            family: match self.family {
                FamilyChoice::Schedule => Family::Schedule,
                FamilyChoice::Guard => Family::Guard,
                FamilyChoice::Greedy => Family::Greedy,
                FamilyChoice::Adaptive => Family::Adaptive,
            },
            objective: match self.objective {
                ObjectiveChoice::Reach => Objective::Reach,
                ObjectiveChoice::Time => Objective::Time,
                ObjectiveChoice::Worst => Objective::Worst,
                ObjectiveChoice::Hypervolume => Objective::Hypervolume,
            },
            model,
            goals,
            segments: self.segments,
            budget: self.budget,
            paths: self.paths,
            holdout_paths: self.holdout_paths,
            seed: self.seed,
        })
    }
}

/// A setting or option error, told in terms of its flag.
fn setting_context(e: OptimizeError) -> anyhow::Error {
    match e {
        OptimizeError::Setting { field, value, why } => {
            let flag = field.replace('_', "-");
            InputError(format!("--{flag} {value}: {why}")).into()
        }
        OptimizeError::Plan(p) => flag_context(p.into()),
        other => anyhow::Error::new(other),
    }
}

pub fn run(a: OptimizeArgs) -> anyhow::Result<()> {
    if let Some(s) = &a.shard {
        return Err(InputError(format!(
            "--shard {s}: optimize cannot be sharded: each generation of the search is sampled from the results of the one before, so shards could not run independently (a run is one job per generation; give it a larger machine or fewer --paths instead)"
        ))
        .into());
    }
    let opt = a.optimization()?;
    opt.check().map_err(setting_context)?;
    let out = run_dir(a.out.clone(), a.force)?;
    let mut eng = a.engine.open()?;
    let info = eng.info();
    let bar = progress(1, "paths", a.quiet);
    let outcome = optimize::optimize(&opt, eng.as_mut(), &mut |e| match e {
        Event::Started { generations, population, paths } => {
            if !a.quiet {
                bar.println(format!(
                    "engine: {} on {}; {} search: {generations} generations x {population} candidates x {} paths, then a holdout of {} paths per policy",
                    info.kind, info.adapter, opt.family.name(), opt.paths, opt.holdout_paths
                ));
            }
            bar.set_length(paths);
        }
        Event::Paths(d) => bar.inc(d),
        Event::Generation(g) if !a.quiet => bar.println(format!(
            "generation {}: best {:.4}, mean {:.4}, {} feasible (search paths)",
            g.generation, g.best, g.mean, g.feasible
        )),
        Event::Generation(_) => {}
    })
    .map_err(setting_context)?;
    bar.finish_and_clear();
    let written = optimize::write_outputs(out.path(), &opt, &outcome, a.plot)?;
    let dir = out.commit(&manifest(&opt, &outcome, &info))?;
    if !a.quiet {
        let (head, rows) = optimize::comparison_table(&written.summary);
        common::out!("{}", report::table(&head, &rows))?;
        let t = &outcome.timing;
        common::outln!(
            "{} generations in {:.2} s ({:.2} generations/s, {:.1} candidates/s, {:.0}% integrating); holdout {:.2} s -> {}",
            t.generations,
            t.search_s,
            t.generations as f64 / t.search_s.max(1e-9),
            t.candidates as f64 / t.search_s.max(1e-9),
            100.0 * t.integrate_s / t.search_s.max(1e-9),
            t.holdout_s,
            dir.display()
        )?;
    }
    Ok(())
}

/// The manifest: the model, the search's shape and where the time went.
fn manifest(opt: &Optimization, out: &Outcome, info: &mosde::engine::EngineInfo) -> Manifest {
    let t = &out.timing;
    let mut m = Manifest::new(&opt.model.spec, opt.seed, info);
    let steps = f64::from(opt.model.steps);
    let paths = t.candidates as f64 * opt.paths as f64;
    m.sizes = serde_json::json!({
        "generations": t.generations,
        "population": out.population,
        "paths": opt.paths,
        "holdout_paths": opt.holdout_paths,
        "holdout_policies": out.holdout.run.scenarios.len(),
    });
    m.elapsed_s = t.search_s + t.holdout_s;
    m.path_steps_per_s = paths * steps / t.integrate_s.max(1e-9);
    m.timings = serde_json::json!({
        "search_s": t.search_s,
        "integrate_s": t.integrate_s,
        "host_s": t.search_s - t.integrate_s,
        "holdout_s": t.holdout_s,
        "generations_per_s": t.generations as f64 / t.search_s.max(1e-9),
        "candidates_per_s": t.candidates as f64 / t.search_s.max(1e-9),
        "integrate_fraction": t.integrate_s / t.search_s.max(1e-9),
    });
    m
}
