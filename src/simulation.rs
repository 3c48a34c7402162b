//! `simulate` as a library call: what to simulate, the run, the files it
//! writes, and the shard protocol (`partials.json` and its merge).
//!
//! ```
//! use mosde::engine::{Engine, JobOptions, cpu::CpuEngine};
//! use mosde::model::Model;
//! use mosde::shard::Shard;
//! use mosde::simulation::Simulation;
//!
//! let model = Model::preset("code-generation")?;
//! let sim = Simulation::new(model, &[], JobOptions::paths(2048));
//! let mut cpu = CpuEngine::new(1)?;
//! let run = sim.run(&mut cpu, Shard::WHOLE, &mut |_| {})?;
//! let report = sim.report(&run);
//! assert_eq!(report.strategies.len(), 4);
//! # Ok::<(), mosde::Error>(())
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::{Mode, Reduction, Report, ReportOptions, spectral};
use crate::engine::{Engine, EngineInfo, Job, JobOptions, JobOutput, PlanError, Run, Scenario};
use crate::error::Error;
use crate::model::{Model, ModelSpec, Policy};
use crate::report::{self, Manifest, plots, run_dir};
use crate::shard::{self, Piece, Shard};

/// The file a `simulate` shard writes.
pub const PARTIALS: &str = "partials.json";

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The model.
    pub model: Model,
    /// Strategies to run under a fixed policy, by name; empty means every
    /// strategy plus the model's own switching policy, if it has one.
    pub strategies: Vec<String>,
    /// How to integrate, what to save, and the first-passage event.
    pub options: JobOptions,
    /// Report-only choices (the hypervolume reference).
    pub report: ReportOptions,
}

/// What identifies a simulation, so that its shards can be checked and merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Identity {
    version: String,
    model: ModelSpec,
    strategies: Vec<String>,
    options: JobOptions,
    #[serde(default)]
    report: ReportOptions,
    engine: String,
    shards: u64,
}

/// A shard's output (`partials.json`).
#[derive(Debug, Serialize, Deserialize)]
struct Partials {
    identity: Identity,
    shard: u64,
    output: JobOutput,
}

/// Which shard a `partials.json` holds (the rest of the file is skipped).
#[derive(Debug, Deserialize)]
struct ShardOf {
    identity: ShardCount,
    shard: u64,
}

/// The shard count of a `partials.json`'s identity.
#[derive(Debug, Deserialize)]
struct ShardCount {
    shards: u64,
}

/// Checks that `dir` may take `shard`'s output: a folder that already holds
/// another shard's `partials.json` is refused, naming both shards, so that
/// a task rerun with the wrong index cannot replace another shard's work.
pub fn check_shard_folder(dir: &Path, shard: Shard) -> Result<(), Error> {
    let path = dir.join(PARTIALS);
    if !path.exists() {
        return Ok(());
    }
    let held: ShardOf = shard::read_json(&path, "simulate")?;
    let found = Shard {
        index: held.shard,
        count: held.identity.shards,
    };
    Ok(shard.check_folder(dir, found)?)
}

/// Simulate shards merged into one run.
#[derive(Debug)]
pub struct Merged {
    /// What was simulated.
    pub simulation: Simulation,
    /// The combined run.
    pub run: Run,
    /// How many shards it came from.
    pub shards: u64,
}

impl Simulation {
    /// A simulation of `model`'s strategies named in `strategies` (empty:
    /// the defaults) with `options`.
    pub fn new(model: Model, strategies: &[String], options: JobOptions) -> Simulation {
        Simulation {
            model,
            strategies: strategies.to_vec(),
            options,
            report: ReportOptions::default(),
        }
    }

    /// The scenarios to run, in order.
    pub fn scenarios(&self) -> Result<Vec<Scenario>, Error> {
        if self.strategies.is_empty() {
            return Ok(Scenario::defaults(&self.model));
        }
        if let Some((k, name)) = self
            .strategies
            .iter()
            .enumerate()
            .find(|(k, n)| self.strategies[..*k].contains(n))
        {
            // Two scenarios of one name would give two summaries and
            // moment rows that cannot be told apart.
            return Err(PlanError::Option {
                field: "strategy",
                value: name.clone(),
                why: format!("is asked for twice (the second time as strategy {})", k + 1),
            }
            .into());
        }
        self.strategies
            .iter()
            .map(|name| {
                let strategy = self.model.find_strategy(name)?;
                Ok(Scenario::new(&self.model, Policy::Fixed { strategy }))
            })
            .collect()
    }

    /// The scenarios and the job of `shard`, checked.
    pub fn plan(&self, shard: Shard) -> Result<(Vec<Scenario>, Job), Error> {
        let scenarios = self.scenarios()?;
        let mut job = Job::new(&scenarios, &self.options)?;
        self.report.check(self.model.n())?;
        job.shard(shard);
        Ok((scenarios, job))
    }

    /// Warnings about the model worth showing before a run: strategies that
    /// are unstable at this time step.
    pub fn warnings(&self) -> Vec<String> {
        let dt = self.options.integration.dt.unwrap_or(self.model.dt);
        spectral::analyze(&self.model, dt)
            .into_iter()
            .filter(|s| s.mode == Mode::Unstable || !s.discrete_stable)
            .map(|s| {
                format!(
                    "strategy {} is unstable (rho = {:.3}, discrete radius = {:.3}); simulating anyway, non-finite paths are counted",
                    s.name, s.rho, s.discrete_spectral_radius
                )
            })
            .collect()
    }

    /// Runs `shard` of the simulation on `engine`; `progress` is called with
    /// the paths finished since its last call.
    pub fn run(
        &self,
        engine: &mut dyn Engine,
        shard: Shard,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Run, Error> {
        let (scenarios, job) = self.plan(shard)?;
        Ok(Run::execute(engine, scenarios, job, progress)?)
    }

    /// The report of a whole run.
    pub fn report(&self, run: &Run) -> Report {
        Report::new(run, &self.report)
    }

    fn identity(&self, engine: &str, shards: u64) -> Identity {
        Identity {
            version: env!("CARGO_PKG_VERSION").into(),
            model: self.model.spec.clone(),
            strategies: self.strategies.clone(),
            options: self.options.clone(),
            report: self.report.clone(),
            engine: engine.into(),
            shards,
        }
    }

    /// A manifest for `run`, with its sizes; timings are the caller's.
    pub fn manifest(&self, run: &Run, shard: Shard) -> Manifest {
        let job = &run.job;
        Manifest {
            sizes: serde_json::json!({
                "strategies": run.scenarios.len(),
                "paths": self.options.integration.paths,
                "paths_in_this_run": job.total_paths(),
                "shard": (!shard.is_whole()).then_some([shard.index, shard.count]),
                "steps": job.steps(),
                "record_every": job.record_every(),
                "records": job.records(),
                "block_paths": job.block_paths(),
            }),
            ..Manifest::new(&self.model.spec, self.options.integration.seed, &run.engine)
        }
    }

    /// Writes `shard`'s output to `dir/partials.json`, for [`merge`].
    pub fn write_shard(&self, dir: &Path, run: &Run, shard: Shard) -> Result<PathBuf, Error> {
        let path = dir.join(PARTIALS);
        let partials = Partials {
            identity: self.identity(&run.engine.kind, shard.count),
            shard: shard.index,
            output: run.output.clone(),
        };
        report::write_json(&path, &partials)?;
        Ok(path)
    }
}

/// What [`write_outputs`] wrote.
#[derive(Debug)]
pub struct Written {
    /// The report of the run.
    pub report: Report,
    /// Every file written, figures included.
    pub files: Vec<PathBuf>,
}

/// Writes a whole run's files into `dir` (see [`report::write_simulation`]),
/// and its figures when `plot` is set.
pub fn write_outputs(
    dir: &Path,
    simulation: &Simulation,
    run: &Run,
    plot: bool,
) -> Result<Written, Error> {
    let reduction = Reduction::new(run, &simulation.report);
    let mut files = report::write_simulation(dir, run, &reduction)?;
    if plot {
        files.extend(plots::simulation(dir, &reduction, run)?);
    }
    Ok(Written {
        report: reduction.report,
        files,
    })
}

/// Reads `simulate` shards from `dirs` and combines them into the run a
/// single process would have made. Every shard must be there, once, and all
/// must be shards of one run.
pub fn merge(dirs: &[PathBuf]) -> Result<Merged, Error> {
    let pieces = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>, Error>>()?;
    let pieces = shard::order(pieces, |a, b| {
        (a.identity != b.identity).then_some("model, strategies, options, engine or shard count")
    })?;
    let id = pieces[0].value.identity.clone();
    let model = Model::from_spec(id.model.clone(), "merged shards")?;
    let simulation = Simulation {
        model,
        strategies: id.strategies.clone(),
        options: id.options.clone(),
        report: id.report.clone(),
    };
    for p in &pieces {
        let (_, job) = simulation.plan(p.shard)?;
        p.value.output.check(&job).map_err(|why| {
            shard::ShardError::damaged(&p.dir, shard::Inconsistent(format!("{PARTIALS}: {why}")))
        })?;
    }
    let (scenarios, job) = simulation.plan(Shard::WHOLE)?;
    let mut it = pieces.into_iter().map(|p| p.value.output);
    let mut output = it.next().expect("order() returns every shard");
    for o in it {
        for (a, b) in output.sets.iter_mut().zip(o.sets) {
            a.extend(b);
        }
    }
    let run = Run {
        scenarios,
        job,
        output,
        engine: EngineInfo {
            kind: id.engine.clone(),
            adapter: format!("{} shards", id.shards),
            threads: 0,
            threads_source: String::new(),
        },
    };
    Ok(Merged {
        simulation,
        run,
        shards: id.shards,
    })
}

/// Reads one shard's partials after checking its files against its manifest.
fn read_shard(d: &Path) -> Result<Piece<Partials>, Error> {
    run_dir::verify(d).map_err(|e| shard::ShardError::damaged(d, e))?;
    let p: Partials = shard::read_json(&d.join(PARTIALS), "simulate")?;
    Ok(Piece {
        dir: d.to_path_buf(),
        shard: Shard::new(p.shard, p.identity.shards)
            .map_err(|e| shard::ShardError::damaged(d, e))?,
        value: p,
    })
}

impl Merged {
    /// The merged run's manifest.
    pub fn manifest(&self) -> Manifest {
        let sim = &self.simulation;
        Manifest {
            adapter: format!("merged from {} shards", self.shards),
            sizes: serde_json::json!({
                "strategies": self.run.scenarios.len(),
                "paths": sim.options.integration.paths,
                "shards": self.shards,
            }),
            ..Manifest::new(
                &sim.model.spec,
                sim.options.integration.seed,
                &self.run.engine,
            )
        }
    }
}
