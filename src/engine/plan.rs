//! A job: what to integrate, packed into the layout both engines read.
//!
//! A job is a list of parameter sets (a scenario: a model and a policy, with
//! its own paths) that share the number of objectives, the step count and the
//! boundary rule. Paths are grouped into blocks of `sub × 256` consecutive
//! path indices; a block is the unit of work and of partial results. The
//! block size depends only on the job, never on the device, so every engine,
//! chunking and sharding sees the same blocks.

use std::ops::Range;

use super::abi::{
    NMAX, NONE, RunParams, SEGMAX, SetParams, StrategyParams, WG, WorkItem, policy_kind,
};
use super::goals::{GoalError, Goals};
use super::partials::PartialLayout;
use crate::model::{Boundary, Diffusion, MAX_STRATEGIES, Model, Policy, Scalarization};
use crate::shard::Shard;

/// Errors in setting up a job.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// An option outside what the engines accept; `field` is the option's
    /// name in its part of [`JobOptions`] ([`Integration`], [`SaveAt`] or
    /// [`Passage`]).
    #[error("{field} = {value}: {why}")]
    Option {
        /// The option.
        field: &'static str,
        /// Its value, as given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// Nothing to run.
    #[error("no scenario to run")]
    Empty,
    /// Scenarios that cannot share one job.
    #[error("{0}")]
    Mismatch(String),
    /// Goals or a constraint the job's model cannot use.
    #[error(transparent)]
    Goal(#[from] GoalError),
}

impl PlanError {
    /// Every planning error is a problem with the request.
    pub fn is_input(&self) -> bool {
        true
    }

    /// The option at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            PlanError::Option { field, .. } => Some(field),
            _ => None,
        }
    }
}

fn bad(field: &'static str, value: impl std::fmt::Display, why: impl Into<String>) -> PlanError {
    PlanError::Option {
        field,
        value: value.to_string(),
        why: why.into(),
    }
}

/// One parameter set: a model, a policy and how many paths to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name shown in outputs (the strategy, or the policy kind).
    pub name: String,
    /// Label shown in outputs.
    pub label: String,
    /// The model (sweeps give each point its own).
    pub model: Model,
    /// The policy.
    pub policy: Policy,
    /// The parameter-set index in the RNG counter; by default the set's
    /// position in the job. Sweeps fix it so that a point's noise does not
    /// depend on which other points share its batch.
    pub stream: Option<u32>,
}

impl Scenario {
    /// The scenarios `simulate` runs by default: every strategy under a fixed
    /// policy, then the model's own policy if it has a switching one.
    pub fn defaults(model: &Model) -> Vec<Scenario> {
        model
            .default_policies()
            .into_iter()
            .map(|p| Scenario::new(model, p))
            .collect()
    }

    /// The scenario of a policy of a model, named after it.
    pub fn new(model: &Model, policy: Policy) -> Self {
        let (name, label) = match &policy {
            Policy::Fixed { strategy } => {
                let s = &model.strategies[*strategy];
                (s.name.clone(), s.label.clone())
            }
            other => {
                let name = other.display_name(model);
                (name.clone(), format!("{name} policy"))
            }
        };
        Scenario {
            name,
            label,
            model: model.clone(),
            policy,
            stream: None,
        }
    }
}

/// Settings shared by every set of a job, split the way diffrax splits a
/// solve: how to integrate ([`Integration`]), what to save ([`SaveAt`]) and
/// the event to watch for ([`Passage`]).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JobOptions {
    /// How to integrate: paths, steps, time step, seed, noise sharing.
    pub integration: Integration,
    /// What to save: moment records, trajectories, terminal states.
    pub save: SaveAt,
    /// The first-passage event.
    pub passage: Passage,
    /// Goal region and constraint to track per path (`None`: no tracking,
    /// and outputs are exactly those of a run without goals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goals: Option<Goals>,
}

impl JobOptions {
    /// The defaults with `paths` paths per set, since most callers set only
    /// that.
    pub fn paths(paths: u64) -> JobOptions {
        JobOptions {
            integration: Integration {
                paths,
                ..Integration::default()
            },
            ..JobOptions::default()
        }
    }
}

/// Integration settings: how many paths, how many steps of which size, and
/// the noise they see.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Integration {
    /// Paths per set.
    pub paths: u64,
    /// Steps (defaults to the first model's).
    pub steps: Option<u32>,
    /// Time step override.
    pub dt: Option<f64>,
    /// Seed.
    pub seed: u64,
    /// Use the same noise for every set (common random numbers) instead of
    /// one stream per set.
    pub common_noise: bool,
}

impl Default for Integration {
    fn default() -> Self {
        Integration {
            paths: 100_000,
            steps: None,
            dt: None,
            seed: 0,
            common_noise: false,
        }
    }
}

/// What to save besides the sums every run keeps: how often to record
/// moments, and which paths to keep whole or at their end.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SaveAt {
    /// Record moments every K steps (default: about 100 records).
    pub record_every: Option<u32>,
    /// Record whole trajectories of the first K paths of each set.
    pub record_paths: u32,
    /// Keep terminal states of the first K paths of each set.
    pub keep_terminal: u32,
}

impl Default for SaveAt {
    fn default() -> Self {
        SaveAt {
            record_every: None,
            record_paths: 0,
            keep_terminal: 200_000,
        }
    }
}

/// The first-passage event: a path has arrived once every objective is
/// within `tolerance` (a fraction of the objective's range) of the passage
/// target.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Passage {
    /// First-passage tolerance, as a fraction of each objective's range.
    pub tolerance: f64,
}

impl Default for Passage {
    fn default() -> Self {
        Passage { tolerance: 0.05 }
    }
}

impl Integration {
    /// The step count, `steps` or else the first model's `model_steps`,
    /// once every integration setting is checked.
    fn checked_steps(&self, model_steps: u32) -> Result<u32, PlanError> {
        let steps = self.steps.unwrap_or(model_steps);
        if steps == 0 || steps == u32::MAX {
            return Err(bad(
                "steps",
                steps,
                format!("out of range (1 to {})", u32::MAX - 1),
            ));
        }
        if self.paths == 0 {
            return Err(bad("paths", 0, "must be at least 1"));
        }
        if self.paths > u64::from(u32::MAX) {
            return Err(bad(
                "paths",
                self.paths,
                format!(
                    "exceeds {} paths per set (path indices are 32-bit); split the run into shards or use several seeds",
                    u32::MAX
                ),
            ));
        }
        if let Some(dt) = self.dt
            && !(dt.is_finite() && dt > 0.0)
        {
            return Err(bad("dt", dt, "must be a finite number > 0"));
        }
        Ok(steps)
    }
}

impl SaveAt {
    /// Steps between moment records in a run of `steps` steps, checked and
    /// capped at `steps`.
    fn checked_record_every(&self, steps: u32) -> Result<u32, PlanError> {
        let every = self
            .record_every
            .unwrap_or_else(|| default_record_every(steps));
        if every == 0 {
            return Err(bad("record_every", 0, "must be at least 1"));
        }
        Ok(every.min(steps))
    }
}

impl Passage {
    /// Checks that the tolerance is a finite fraction above zero.
    fn check(&self) -> Result<(), PlanError> {
        // At 1 or more every state within the bounds is already "near" the
        // target, and every path would pass at step 0.
        if !(self.tolerance.is_finite() && self.tolerance > 0.0 && self.tolerance < 1.0) {
            return Err(bad(
                "tolerance",
                self.tolerance,
                "must be a fraction of the range, above 0 and below 1",
            ));
        }
        Ok(())
    }
}

/// Specialisation flags: compile-time constants of the GPU kernel, and
/// branches the CPU twin can skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flags {
    /// Objectives.
    pub n: usize,
    /// Largest number of strategies in a set.
    pub s: usize,
    /// Boundary rule.
    pub boundary: Boundary,
    /// Every set runs a fixed policy.
    pub fixed_only: bool,
    /// Some strategy uses jacobi diffusion.
    pub any_jacobi: bool,
    /// Paths whose state leaves the finite range are marked dead (on for
    /// every boundary rule).
    pub check_finite: bool,
    /// Terminal states are kept.
    pub keep_terminal: bool,
    /// Trajectories are recorded.
    pub record_paths: bool,
    /// Goals and a constraint are tracked per path.
    pub goals: bool,
}

/// A packed job, ready for an engine.
///
/// The packed structs are the kernel's ABI and stay inside the engine; the
/// rest of the crate reads a job through its accessors.
#[derive(Debug, Clone)]
pub struct Job {
    /// Dispatch constants (`items` is filled per chunk).
    pub(crate) run: RunParams,
    /// One entry per set.
    pub(crate) sets: Vec<SetParams>,
    /// Strategies of all sets, concatenated.
    pub(crate) strategies: Vec<StrategyParams>,
    /// Specialisation flags.
    pub(crate) flags: Flags,
    /// Partial-slot layout.
    pub(crate) layout: PartialLayout,
    /// Blocks to run, per set (all of them unless sharded).
    pub(crate) blocks: Vec<Range<u64>>,
    /// Time step of each set, as asked (the kernel steps with its f32).
    pub(crate) dt: Vec<f64>,
    /// Seed.
    pub(crate) seed: u64,
    /// First-passage tolerance (fraction of each objective's range).
    pub(crate) tolerance: f64,
    /// Goals and constraint tracked per path, if any.
    pub(crate) goals: Option<Goals>,
}

/// Checks that every scenario's model can run on the f32 engines at its time
/// step. Models are checked at their own `dt` when validated; this catches a
/// `dt` that the options override.
fn check_engine_range(scenarios: &[Scenario], dt: &[f64]) -> Result<(), PlanError> {
    for (sc, dt) in scenarios.iter().zip(dt) {
        let problems = crate::model::engine_problems(&sc.model, *dt);
        if let Some(p) = problems.first() {
            return Err(bad(
                "dt",
                dt,
                format!("with model '{}': {p}", sc.model.name),
            ));
        }
    }
    Ok(())
}

/// Bytes a kept terminal state of `n` objectives costs from the engine to
/// the Pareto analysis: its f32 values, then an f64 row, its normalised copy
/// and their vector headers (about 240 bytes for three objectives).
pub fn kept_state_bytes(n: usize) -> u64 {
    48 + 64 * n as u64
}

/// Checks that the kept terminal states and recorded trajectories of `sets`
/// sets fit in memory before a run starts.
fn check_memory(
    sets: usize,
    n: usize,
    steps: u32,
    keep: u32,
    rec_paths: u32,
) -> Result<(), PlanError> {
    let sets = sets as u128;
    let kept = sets * u128::from(keep) * u128::from(kept_state_bytes(n));
    let traj = sets * u128::from(rec_paths) * (u128::from(steps) + 1) * n as u128 * 4;
    let Some(why) = crate::memory::shortfall(kept + traj) else {
        return Ok(());
    };
    let (field, value, what) = if kept >= traj {
        let each = kept_state_bytes(n);
        (
            "keep_terminal",
            keep,
            format!("{keep} kept states × {sets} sets at {each} bytes each"),
        )
    } else {
        (
            "record_paths",
            rec_paths,
            format!("{rec_paths} trajectories × {sets} sets of {} steps", steps),
        )
    };
    Err(bad(field, value, format!("{what} {why}")))
}

/// Records for `steps` steps every `every`: t = 0, every, 2·every, …, steps.
pub fn record_count(steps: u32, every: u32) -> u32 {
    1 + steps.div_ceil(every)
}

/// The step `t` of record `r`.
pub fn record_step(r: u32, every: u32, steps: u32) -> u32 {
    (r * every).min(steps)
}

/// Default record interval: about 100 records per run.
pub fn default_record_every(steps: u32) -> u32 {
    steps.div_ceil(100).max(1)
}

impl Job {
    /// Packs scenarios into a job.
    pub fn new(scenarios: &[Scenario], opts: &JobOptions) -> Result<Job, PlanError> {
        let first = scenarios.first().ok_or(PlanError::Empty)?;
        let n = first.model.n();
        let steps = opts.integration.checked_steps(first.model.steps)?;
        opts.passage.check()?;
        let record_every = opts.save.checked_record_every(steps)?;
        if let Some(g) = &opts.goals {
            let names = first.model.objective_names();
            let bounds: Vec<(f64, f64)> = first
                .model
                .objectives
                .iter()
                .map(|o| (o.lower, o.upper))
                .collect();
            g.check_bounds(&names, &bounds)?;
        }
        let records = record_count(steps, record_every);
        let boundary = first.model.boundary;
        for sc in scenarios {
            if sc.model.n() != n || sc.model.boundary != boundary {
                return Err(PlanError::Mismatch(format!(
                    "scenario '{}' differs from '{}' in objectives or boundary; one job needs the same of both",
                    sc.name, first.name
                )));
            }
        }
        let s_max = scenarios
            .iter()
            .map(|s| s.model.strategies.len())
            .max()
            .unwrap_or(1)
            .min(MAX_STRATEGIES);
        let fixed_only = scenarios
            .iter()
            .all(|s| matches!(s.policy, Policy::Fixed { .. }));
        let any_jacobi = scenarios.iter().any(|s| {
            s.model
                .strategies
                .iter()
                .any(|t| t.diffusion == Diffusion::Jacobi)
        });
        let paths = opts.integration.paths as u32;
        let keep = opts.save.keep_terminal.min(paths);
        let rec_paths = opts.save.record_paths.min(paths);
        check_memory(scenarios.len(), n, steps, keep, rec_paths)?;

        // Sub-blocks per block: aim for at least 4096 blocks per set so wide
        // GPUs stay busy, and at most 16 sub-blocks so partials stay small.
        // It depends only on the paths per set, so a set's blocks (and thus
        // its bits) do not depend on which other sets share the job.
        let mut sub = 1u32;
        while sub < 16 && opts.integration.paths / (u64::from(sub) * 2 * u64::from(WG)) >= 4096 {
            sub *= 2;
        }

        let mut sets = Vec::with_capacity(scenarios.len());
        let dt: Vec<f64> = scenarios
            .iter()
            .map(|sc| opts.integration.dt.unwrap_or(sc.model.dt))
            .collect();
        check_engine_range(scenarios, &dt)?;
        let mut strategies = Vec::new();
        for (index, sc) in scenarios.iter().enumerate() {
            let set_index = match sc.stream {
                Some(s) => s,
                None if opts.integration.common_noise => 0,
                None => index as u32,
            };
            let base = strategies.len() as u32;
            for st in &sc.model.strategies {
                strategies.push(pack_strategy(st, n));
            }
            sets.push(pack_set(
                sc,
                opts,
                SetShape {
                    paths,
                    set_index,
                    base,
                    keep,
                    rec_paths,
                },
            ));
        }
        let blocks_per_set = u64::from(paths).div_ceil(u64::from(sub * WG));
        let layout = PartialLayout {
            n,
            s: s_max,
            records: records as usize,
            occupancy: !fixed_only,
            goals: opts.goals.is_some(),
        };
        Ok(Job {
            run: RunParams {
                items: 0,
                steps,
                record_every,
                records,
                key0: opts.integration.seed as u32,
                key1: (opts.integration.seed >> 32) as u32,
                sub,
                partial_len: layout.len() as u32,
                hist_len: steps + 2,
                goal_hist: scenarios.len() as u32 * (steps + 2),
                ..Default::default()
            },
            blocks: vec![0..blocks_per_set; sets.len()],
            sets,
            strategies,
            flags: Flags {
                n,
                s: s_max,
                boundary,
                fixed_only,
                any_jacobi,
                // On for every rule: a clamped or reflected state can still
                // turn NaN, and a NaN must be counted, not averaged.
                check_finite: true,
                keep_terminal: keep > 0,
                record_paths: rec_paths > 0,
                goals: opts.goals.is_some(),
            },
            layout,
            dt,
            seed: opts.integration.seed,
            tolerance: opts.passage.tolerance,
            goals: opts.goals.clone(),
        })
    }

    /// Restricts the job to shard `index` of `count`: each set's blocks are
    /// split into `count` contiguous ranges.
    pub fn shard(&mut self, shard: Shard) {
        for r in &mut self.blocks {
            *r = shard.split(r.end);
        }
    }

    /// Steps every path takes.
    pub fn steps(&self) -> u32 {
        self.run.steps
    }

    /// Moment records per set: steps 0, `record_every`, …, `steps`.
    pub fn records(&self) -> u32 {
        self.run.records
    }

    /// Steps between moment records.
    pub fn record_every(&self) -> u32 {
        self.run.record_every
    }

    /// The step of record `r`.
    pub fn record_step(&self, r: u32) -> u32 {
        record_step(r, self.run.record_every, self.run.steps)
    }

    /// Objectives.
    pub fn objectives(&self) -> usize {
        self.flags.n
    }

    /// Parameter sets.
    pub fn set_count(&self) -> usize {
        self.sets.len()
    }

    /// Time step of set `set`.
    pub fn dt(&self, set: usize) -> f64 {
        self.dt[set]
    }

    /// Paths of set `set` (in the whole run, not only this shard).
    pub fn paths(&self, set: usize) -> u64 {
        u64::from(self.sets[set].paths)
    }

    /// Paths of set `set` whose terminal states are kept.
    pub fn kept_paths(&self, set: usize) -> u64 {
        u64::from(self.sets[set].keep_terminal)
    }

    /// Paths of set `set` that keep their terminal state inside the blocks
    /// this job (or shard) runs.
    pub fn kept_paths_in(&self, set: usize) -> u64 {
        let (keep, bp) = (self.kept_paths(set), self.block_paths());
        let blocks = &self.blocks[set];
        (blocks.end * bp).min(keep) - (blocks.start * bp).min(keep)
    }

    /// Paths of set `set` whose whole trajectories are recorded.
    pub fn recorded_trajectories(&self, set: usize) -> u64 {
        u64::from(self.sets[set].record_paths)
    }

    /// Whether any trajectories are recorded.
    pub fn records_paths(&self) -> bool {
        self.flags.record_paths
    }

    /// The point moments of set `set` are summed around (kept close to where
    /// the paths go, so that f32 sums of squares stay accurate).
    pub fn moment_shift(&self, set: usize) -> Vec<f64> {
        self.sets[set].shift[..self.flags.n]
            .iter()
            .map(|v| f64::from(*v))
            .collect()
    }

    /// Layout of each set's partial sums.
    pub fn partial_layout(&self) -> &PartialLayout {
        &self.layout
    }

    /// Bins of the first-passage histogram: one per step, 0 to `steps`, and
    /// a last one for paths that never arrive.
    pub fn passage_bins(&self) -> usize {
        self.run.hist_len as usize
    }

    /// Histograms per job: one first-passage histogram per set, and one
    /// goal histogram per set in jobs with goals.
    pub fn histograms(&self) -> usize {
        self.sets.len() * if self.flags.goals { 2 } else { 1 }
    }

    /// Seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// First-passage tolerance, as a fraction of each objective's range.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }

    /// Goals and constraint tracked per path, if any.
    pub fn goals(&self) -> Option<&Goals> {
        self.goals.as_ref()
    }

    /// The blocks of set `set` this job (or shard) runs.
    pub fn blocks(&self, set: usize) -> Range<u64> {
        self.blocks[set].clone()
    }

    /// Level of the block groups (groups of `2^level` blocks, at most
    /// [`partials::MAX_GROUPS`](super::partials::MAX_GROUPS) per set): fixed
    /// by the paths per set, so shards agree on it.
    pub fn group_level(&self) -> u32 {
        let paths = self.sets.first().map_or(0, |s| u64::from(s.paths));
        super::partials::group_level(paths.div_ceil(self.block_paths()))
    }

    /// Paths in one block.
    pub fn block_paths(&self) -> u64 {
        u64::from(self.run.sub * WG)
    }

    /// The paths of `set` inside `blocks`.
    pub fn paths_in(&self, set: usize, blocks: &Range<u64>) -> u64 {
        let p = u64::from(self.sets[set].paths);
        let bp = self.block_paths();
        (blocks.end * bp).min(p).saturating_sub(blocks.start * bp)
    }

    /// Total paths this job (or shard) integrates.
    pub fn total_paths(&self) -> u64 {
        (0..self.sets.len())
            .map(|s| self.paths_in(s, &self.blocks[s]))
            .sum()
    }

    /// Every work item, in canonical (set, block) order. `term_base` and
    /// `path_base` number the kept terminal states and recorded paths
    /// consecutively over the whole job (NONE where a block keeps none).
    pub fn work_items(&self) -> Vec<WorkItem> {
        let mut out = Vec::new();
        let (mut term, mut rec) = (0u64, 0u64);
        for (s, r) in self.blocks.iter().enumerate() {
            for b in r.clone() {
                let mut item = WorkItem {
                    pset: s as u32,
                    block: b as u32,
                    term_base: NONE,
                    path_base: NONE,
                };
                let (kt, kr) = (self.terminal_paths(&item), self.recorded_paths(&item));
                if kt > 0 {
                    item.term_base = term as u32;
                    term += kt;
                }
                if kr > 0 {
                    item.path_base = rec as u32;
                    rec += kr;
                }
                out.push(item);
            }
        }
        out
    }

    /// Paths of an item's block that keep their terminal state.
    pub fn terminal_paths(&self, item: &WorkItem) -> u64 {
        let first = u64::from(item.block) * self.block_paths();
        u64::from(self.sets[item.pset as usize].keep_terminal)
            .saturating_sub(first)
            .min(self.block_paths())
    }

    /// Paths of an item's block whose trajectories are recorded.
    pub fn recorded_paths(&self, item: &WorkItem) -> u64 {
        let first = u64::from(item.block) * self.block_paths();
        u64::from(self.sets[item.pset as usize].record_paths)
            .saturating_sub(first)
            .min(self.block_paths())
    }
}

struct SetShape {
    paths: u32,
    set_index: u32,
    base: u32,
    keep: u32,
    rec_paths: u32,
}

fn fill(dst: &mut [f32; NMAX], src: impl IntoIterator<Item = f64>) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = s as f32;
    }
}

fn pack_strategy(st: &crate::model::Strategy, n: usize) -> StrategyParams {
    let mut p = StrategyParams::zeroed_default();
    fill(&mut p.xstar, st.target.iter().copied());
    for i in 0..n {
        for j in 0..n {
            p.a[i * NMAX + j] = st.a[(i, j)] as f32;
            p.l[i * NMAX + j] = st.l[(i, j)] as f32;
        }
    }
    p.jacobi = u32::from(st.diffusion == Diffusion::Jacobi);
    p
}

fn pack_set(sc: &Scenario, opts: &JobOptions, shape: SetShape) -> SetParams {
    let m = &sc.model;
    let dt = opts.integration.dt.unwrap_or(m.dt);
    let mut p: SetParams = bytemuck::Zeroable::zeroed();
    p.paths = shape.paths;
    p.set_index = shape.set_index;
    p.strategy_base = shape.base;
    p.strategies = m.strategies.len() as u32;
    p.keep_terminal = shape.keep;
    p.record_paths = shape.rec_paths;
    p.jitter = u32::from(m.x0_sd.iter().any(|v| *v > 0.0));
    p.dt = dt as f32;
    p.sqrt_dt = dt.sqrt() as f32;
    p.every = 1;
    fill(&mut p.lower, m.objectives.iter().map(|o| o.lower));
    fill(&mut p.upper, m.objectives.iter().map(|o| o.upper));
    fill(
        &mut p.inv_range,
        m.objectives.iter().map(|o| 1.0 / o.range()),
    );
    fill(&mut p.x0, m.x0.iter().copied());
    fill(&mut p.x0_sd, m.x0_sd.iter().copied());
    let passage = m.project(&m.strategies[sc.policy.passage_strategy(m)].target);
    fill(&mut p.passage_target, passage.iter().copied());
    fill(
        &mut p.passage_tol,
        m.objectives
            .iter()
            .map(|o| opts.passage.tolerance * o.range()),
    );
    // Moments are summed around where the paths go, which keeps f32 sums of
    // squares accurate.
    let shift = match sc.policy {
        Policy::Fixed { .. } => passage.clone(),
        _ => m.x0.clone(),
    };
    fill(&mut p.shift, shift.iter().copied());
    match &sc.policy {
        Policy::Fixed { strategy } => {
            p.policy = policy_kind::FIXED;
            p.strategy = *strategy as u32;
        }
        Policy::Schedule { segments } => {
            p.policy = policy_kind::SCHEDULE;
            p.strategy = segments[0].0 as u32;
            p.segments = segments.len().min(SEGMAX) as u32;
            let mut end = 0u32;
            for (i, (k, len)) in segments.iter().take(SEGMAX).enumerate() {
                end = end.saturating_add(*len);
                p.seg_strategy[i] = *k as u32;
                p.seg_end[i] = end;
            }
        }
        Policy::Guard {
            default,
            floors,
            hysteresis,
            rescue,
        } => {
            p.policy = policy_kind::GUARD;
            p.strategy = *default as u32;
            p.hysteresis = *hysteresis as f32;
            fill(&mut p.floors, floors.iter().copied());
            for (d, r) in p.rescue.iter_mut().zip(rescue) {
                *d = *r as u32;
            }
        }
        Policy::Greedy {
            every,
            scalarization,
            weights,
        } => {
            p.policy = policy_kind::GREEDY;
            p.every = *every;
            p.weighted = u32::from(*scalarization == Scalarization::Weighted);
            fill(&mut p.weights, weights.iter().copied());
        }
        Policy::Adaptive(a) => pack_adaptive(&mut p, a),
    }
    if let Some(g) = &opts.goals {
        pack_goals(&mut p, g, m.n());
    }
    p
}

/// The adaptive policy's fields (see [`crate::model::PolicySpec::Adaptive`]).
fn pack_adaptive(p: &mut SetParams, a: &crate::model::Adaptive) {
    let slot = |k: Option<usize>| k.map_or(NONE, |k| k as u32);
    p.policy = policy_kind::ADAPTIVE;
    p.strategy = a.default as u32;
    p.every = a.every;
    p.hysteresis = a.hysteresis as f32;
    p.alpha = (1.0 / a.memory) as f32;
    p.floor_margin = a.floor_margin as f32;
    p.conflict = a.conflict as f32;
    p.stall = a.stall as f32;
    p.on_floor = slot(a.on_floor);
    p.on_conflict = slot(a.on_conflict);
    p.on_stall = slot(a.on_stall);
    p.warmup = a.memory.ceil() as u32;
}

/// The goal and constraint boxes the kernels test.
fn pack_goals(p: &mut SetParams, g: &Goals, n: usize) {
    let (lo, hi) = Goals::boxes(&g.goal, n);
    fill(&mut p.goal_lo, lo);
    fill(&mut p.goal_hi, hi);
    let (lo, hi) = Goals::boxes(&g.constraint, n);
    fill(&mut p.cons_lo, lo);
    fill(&mut p.cons_hi, hi);
}

impl StrategyParams {
    fn zeroed_default() -> Self {
        bytemuck::Zeroable::zeroed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_cover_start_interval_and_end() {
        assert_eq!(record_count(50, 1), 51);
        assert_eq!(record_count(50, 7), 9); // 0,7,…,49,50
        assert_eq!(record_step(8, 7, 50), 50);
        assert_eq!(record_count(1000, 10), 101);
    }

    #[test]
    fn block_size_grows_only_for_large_jobs() {
        let m = Model::preset("code-generation").unwrap();
        let sc = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
        let small = Job::new(&sc, &JobOptions::paths(1 << 20)).unwrap();
        assert_eq!(small.run.sub, 1);
        let big = Job::new(&sc, &JobOptions::paths(1 << 24)).unwrap();
        assert_eq!(big.run.sub, 16);
        assert_eq!(big.blocks[0], 0..4096);
    }

    #[test]
    fn shards_partition_the_blocks() {
        let m = Model::preset("code-generation").unwrap();
        let sc = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
        let opts = JobOptions::paths(10_000);
        let whole = Job::new(&sc, &opts).unwrap();
        let mut seen = 0;
        for i in 0..3 {
            let mut j = Job::new(&sc, &opts).unwrap();
            j.shard(Shard::new(i, 3).unwrap());
            assert_eq!(j.blocks[0].start, seen);
            seen = j.blocks[0].end;
        }
        assert_eq!(seen, whole.blocks[0].end);
    }

    #[test]
    fn kept_paths_in_a_shard_are_those_its_items_keep() {
        let m = Model::preset("code-generation").unwrap();
        let sc = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
        let mut opts = JobOptions::paths(10_000);
        opts.save.keep_terminal = 3000;
        let mut total = 0;
        for i in 0..3 {
            let mut j = Job::new(&sc, &opts).unwrap();
            j.shard(Shard::new(i, 3).unwrap());
            let items: u64 = j.work_items().iter().map(|it| j.terminal_paths(it)).sum();
            assert_eq!(j.kept_paths_in(0), items);
            total += items;
        }
        assert_eq!(total, 3000);
    }

    #[test]
    fn defaults_are_those_of_the_flat_options() {
        let o = JobOptions::default();
        assert_eq!(o.integration.paths, 100_000);
        assert_eq!(o.integration.steps, None);
        assert_eq!(o.integration.dt, None);
        assert_eq!(o.integration.seed, 0);
        assert!(!o.integration.common_noise);
        assert_eq!(o.save.record_every, None);
        assert_eq!(o.save.record_paths, 0);
        assert_eq!(o.save.keep_terminal, 200_000);
        assert_eq!(o.passage.tolerance, 0.05);
        let p = JobOptions::paths(7);
        assert_eq!(p.integration.paths, 7);
        assert_eq!(p.save, o.save);
        assert_eq!(p.passage, o.passage);
    }

    #[test]
    fn goals_outside_the_bounds_are_refused() {
        let m = Model::preset("code-generation").unwrap();
        let sc = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
        let goals = Goals::parse(Some("security>=12"), None, 0.9, &m.objective_names()).unwrap();
        let o = JobOptions {
            goals: Some(goals),
            ..JobOptions::paths(100)
        };
        let e = Job::new(&sc, &o).unwrap_err();
        assert!(matches!(e, PlanError::Goal(_)) && e.is_input(), "{e}");
    }

    #[test]
    fn option_errors_name_the_field() {
        let m = Model::preset("code-generation").unwrap();
        let sc = vec![Scenario::new(&m, Policy::Fixed { strategy: 0 })];
        let field = |edit: &dyn Fn(&mut JobOptions)| {
            let mut o = JobOptions::paths(1000);
            edit(&mut o);
            Job::new(&sc, &o).unwrap_err().field()
        };
        assert_eq!(field(&|o| o.integration.paths = 0), Some("paths"));
        assert_eq!(field(&|o| o.integration.steps = Some(0)), Some("steps"));
        assert_eq!(field(&|o| o.integration.dt = Some(-1.0)), Some("dt"));
        assert_eq!(field(&|o| o.passage.tolerance = 0.0), Some("tolerance"));
        assert_eq!(
            field(&|o| o.save.record_every = Some(0)),
            Some("record_every")
        );
    }
}
