//! `optimize` as a library call: search a policy family for the policy that
//! does best on an objective, under a constraint, then re-evaluate the best
//! few on fresh noise and compare them with every fixed strategy.
//!
//! The search is the cross-entropy method ([`cem`]) over each family's
//! parameters ([`space`]). A generation is one engine job: every candidate
//! is a parameter set, and all share their noise (common random numbers), so
//! the ranking inside a generation is not blurred by independent noise. The
//! figures that are reported come only from the holdout job ([`holdout`]),
//! run on a seed the search never saw, so the winner's score is not biased
//! upwards by its selection (the winner's curse).

mod adaptive;
pub mod cem;
mod figures;
pub mod holdout;
mod markdown;
pub mod output;
pub mod score;
pub mod search;
pub mod space;

use crate::engine::{EngineError, Goals, PlanError};
use crate::model::{MAX_SEGMENTS, Model, ModelError};

pub use holdout::{Entry, Holdout};
pub use markdown::comparison_table;
pub use output::{Written, write_outputs};
pub use search::{Event, Generation, Outcome, Timing, optimize};

/// Errors of an optimisation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OptimizeError {
    /// A setting that cannot be used; `field` names it.
    #[error("{field} = {value}: {why}")]
    Setting {
        /// The setting.
        field: &'static str,
        /// Its value, as given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// A candidate or baseline job could not be planned.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A candidate policy the model refused.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl OptimizeError {
    /// Settings, plans and models are the request's fault; engines say.
    pub fn is_input(&self) -> bool {
        match self {
            OptimizeError::Setting { .. } => true,
            OptimizeError::Plan(e) => e.is_input(),
            OptimizeError::Model(e) => e.is_input(),
            OptimizeError::Engine(e) => e.is_input(),
        }
    }
}

fn bad(field: &'static str, value: impl std::fmt::Display, why: &str) -> OptimizeError {
    OptimizeError::Setting {
        field,
        value: value.to_string(),
        why: why.to_string(),
    }
}

/// The policy families searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Up to K segments of (strategy, length).
    Schedule,
    /// A default strategy, floors and hysteresis.
    Guard,
    /// One-step look-ahead on the model's drift (model-aware).
    Greedy,
    /// Switching on the path's observed history only.
    Adaptive,
}

impl Family {
    /// The family's name, as the policy kind.
    pub fn name(self) -> &'static str {
        match self {
            Family::Schedule => "schedule",
            Family::Guard => "guard",
            Family::Greedy => "greedy",
            Family::Adaptive => "adaptive",
        }
    }
}

/// What the search maximises (or, for `time`, minimises).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// P(goal reached by the horizon).
    Reach,
    /// Mean time to the goal, restricted to the horizon (lower is better).
    Time,
    /// E[smallest normalised objective at the horizon].
    Worst,
    /// Hypervolume of the terminal states, normalised by the bounds.
    Hypervolume,
}

impl Objective {
    /// The objective's name.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Reach => "reach",
            Objective::Time => "time",
            Objective::Worst => "worst",
            Objective::Hypervolume => "hypervolume",
        }
    }

    /// +1 where larger is better, −1 for `time`.
    pub fn sign(self) -> f64 {
        if self == Objective::Time { -1.0 } else { 1.0 }
    }

    /// Whether the objective is a statistic of a goal region.
    pub fn needs_goal(self) -> bool {
        matches!(self, Objective::Reach | Objective::Time)
    }

    /// Whether the objective reads kept terminal states.
    pub fn needs_terminal(self) -> bool {
        matches!(self, Objective::Worst | Objective::Hypervolume)
    }
}

/// What to optimise, and how hard to search.
#[derive(Debug, Clone)]
pub struct Optimization {
    /// The model (its own policy is one of the baselines).
    pub model: Model,
    /// The family searched.
    pub family: Family,
    /// The objective.
    pub objective: Objective,
    /// The goal region and constraint, if any.
    pub goals: Option<Goals>,
    /// Most segments of a schedule.
    pub segments: usize,
    /// Candidate evaluations of the search, in all.
    pub budget: u64,
    /// Paths per candidate in the search.
    pub paths: u64,
    /// Paths per policy in the holdout.
    pub holdout_paths: u64,
    /// Seed of the search's sampling and of every job.
    pub seed: u64,
}

/// Search candidates re-evaluated in the holdout.
pub const FINALISTS: usize = 4;
/// Largest population of one generation (a job with more sets gains little
/// from CRN and delays the first update).
pub const MAX_POPULATION: u64 = 64;
/// Fewest held-out paths per policy: two blocks of paths.
pub const MIN_HOLDOUT_PATHS: u64 = 512;
/// Smallest population: fewer points cannot form an elite and a spread.
pub const MIN_POPULATION: u64 = 4;

impl Optimization {
    /// Generations and candidates per generation that the budget buys: about
    /// eight generations, the population between 4 and 64.
    pub fn shape(&self) -> (usize, usize) {
        let pop = (self.budget / 8).clamp(MIN_POPULATION, MAX_POPULATION);
        ((self.budget / pop).max(1) as usize, pop as usize)
    }

    /// Checks the settings, naming the one at fault.
    pub fn check(&self) -> Result<(), OptimizeError> {
        if self.budget < 2 * MIN_POPULATION {
            return Err(bad(
                "budget",
                self.budget,
                &format!(
                    "must be at least {} candidate evaluations (two generations of {MIN_POPULATION})",
                    2 * MIN_POPULATION
                ),
            ));
        }
        if !(1..=MAX_SEGMENTS).contains(&self.segments) {
            return Err(bad(
                "segments",
                self.segments,
                &format!("must be 1 to {MAX_SEGMENTS}"),
            ));
        }
        if self.paths == 0 {
            return Err(bad("paths", 0, "must be at least 1"));
        }
        // Standard errors come from block groups, and a block holds 256
        // paths: the held-out figures need two blocks at least.
        if self.holdout_paths < MIN_HOLDOUT_PATHS {
            return Err(bad(
                "holdout_paths",
                self.holdout_paths,
                &format!(
                    "must be at least {MIN_HOLDOUT_PATHS} (two blocks of 256 paths, so that the held-out figures have standard errors)"
                ),
            ));
        }
        let has_goal = self.goals.as_ref().is_some_and(|g| !g.goal.is_empty());
        if self.objective.needs_goal() && !has_goal {
            return Err(bad(
                "goal",
                "(none)",
                &format!(
                    "the {} objective needs a goal region",
                    self.objective.name()
                ),
            ));
        }
        Ok(())
    }
}
