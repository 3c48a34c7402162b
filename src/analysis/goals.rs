//! Goal and constraint statistics of one parameter set, from the goal sums
//! the engines keep per block (`engine::partials::goal_slot`) and the goal
//! histogram.
//!
//! Every estimate carries its delete-one-group jackknife standard error and
//! the leave-one-group-out replicates themselves. The groups are fixed by
//! the job, so two sets of one job under common random numbers have paired
//! replicates: the standard error of a difference is the jackknife of the
//! replicate-wise differences ([`Estimate::diff`]).

use serde::{Deserialize, Serialize};

use super::convergence;
use super::errors::jackknife;
use crate::engine::partials::goal_slot as g;
use crate::engine::{Goals, Job, Run, SetOutput};

/// An estimate, its standard error and its leave-one-group-out replicates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate from every path.
    pub value: f64,
    /// Its Monte Carlo standard error (delete-one-group jackknife).
    pub se: f64,
    /// The estimate with each block group left out, in group order.
    #[serde(skip)]
    pub loo: Vec<f64>,
}

impl Estimate {
    /// An estimate from its full value and replicates.
    pub fn new(value: f64, loo: Vec<f64>) -> Estimate {
        Estimate {
            value,
            se: jackknife(&loo),
            loo,
        }
    }

    /// `self − other` for two sets of the same job run under common random
    /// numbers, with the standard error of the paired difference.
    pub fn diff(&self, other: &Estimate) -> Estimate {
        let loo = self
            .loo
            .iter()
            .zip(&other.loo)
            .map(|(a, b)| a - b)
            .collect();
        Estimate::new(self.value - other.value, loo)
    }
}

/// Goal and constraint statistics of one parameter set. Times are in steps,
/// as first passage reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalStats {
    /// P(goal region reached by the horizon).
    pub reach: Estimate,
    /// Mean of min(τ, steps), τ the first step in the goal region.
    pub time_mean: Estimate,
    /// Median of τ over every path; `None` when half or more never reach.
    pub time_median: Option<f64>,
    /// Share of paths that never reach the goal by the horizon.
    pub never: Estimate,
    /// P(constraint held at every step, t = 0 included).
    pub constraint: Estimate,
    /// Mean over finite paths of the smallest objective at the horizon,
    /// each normalised by its bounds to [0, 1].
    pub worst: Estimate,
}

impl GoalStats {
    /// Whether the constraint holds with at least probability `confidence`
    /// (on the estimate; see [`GoalStats::constraint_margin`]).
    pub fn constraint_met(&self, confidence: f64) -> bool {
        self.constraint.value >= confidence
    }

    /// By how much P(constraint held) exceeds `confidence` (negative: short).
    pub fn constraint_margin(&self, confidence: f64) -> f64 {
        self.constraint.value - confidence
    }
}

/// The goal statistics of set `set` of a run, or `None` when the job has no
/// goals (or the set ran no block).
pub fn goal_stats(run: &Run, set: usize) -> Option<GoalStats> {
    goal_stats_of(&run.job, &run.output.sets[set])
}

/// [`goal_stats`] of one set's output `out` of `job`.
pub fn goal_stats_of(job: &Job, out: &SetOutput) -> Option<GoalStats> {
    job.goals()?;
    let at = job.partial_layout().goal();
    let total = out.fold.total()?;
    let sums = |v: &[f64]| -> [f64; g::LEN] {
        let mut s = [0.0; g::LEN];
        s.copy_from_slice(&v[at..at + g::LEN]);
        s
    };
    let full = sums(&total);
    let reps: Vec<[f64; g::LEN]> = out
        .groups
        .sums()
        .iter()
        .map(|grp| {
            let part = sums(grp);
            std::array::from_fn(|i| full[i] - part[i])
        })
        .collect();
    let est =
        |f: &dyn Fn(&[f64; g::LEN]) -> f64| Estimate::new(f(&full), reps.iter().map(f).collect());
    let steps = f64::from(job.steps());
    let median = convergence::first_passage(&out.goal_hist, 0.0).p50;
    Some(GoalStats {
        reach: est(&|s| s[g::REACHED] / s[g::VALID]),
        time_mean: est(&|s| s[g::TIME] / s[g::VALID]),
        time_median: median.filter(|t| *t <= steps),
        never: est(&|s| 1.0 - s[g::REACHED] / s[g::VALID]),
        constraint: est(&|s| s[g::HELD] / s[g::VALID]),
        worst: est(&|s| s[g::WORST] / s[g::ALIVE]),
    })
}

/// The `goal` object of a strategy in `summary.json`: the goals as given and
/// their statistics, each with its standard error. Times are in steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalSummary {
    /// The goal region, as `name>=value,…` (empty: none).
    pub goal: String,
    /// The constraint, as `name>=value,…` (empty: none).
    pub constraint: String,
    /// Probability with which the constraint must hold.
    pub confidence: f64,
    /// P(goal reached by the horizon).
    pub reach: f64,
    /// Its standard error.
    pub reach_se: f64,
    /// Mean of min(τ, steps), τ the first step in the goal region.
    pub time_mean: f64,
    /// Its standard error.
    pub time_mean_se: f64,
    /// Median first step in the goal region; `null` when half or more never
    /// reach it.
    pub time_median: Option<f64>,
    /// Its standard error, from the distribution-free 95% interval of the
    /// median as for first passage; `null` with the median or when the
    /// interval's upper end is never reached.
    pub time_median_se: Option<f64>,
    /// Share of paths that never reach the goal by the horizon.
    pub never: f64,
    /// Its standard error.
    pub never_se: f64,
    /// P(constraint held at every step, t = 0 included).
    pub constraint_held: f64,
    /// Its standard error.
    pub constraint_held_se: f64,
    /// Whether `constraint_held` ≥ `confidence`.
    pub constraint_met: bool,
    /// Mean smallest normalised objective at the horizon (finite paths).
    pub worst: f64,
    /// Its standard error.
    pub worst_se: f64,
}

/// The `goal` object of one set's output `out` of `job`, or `None`
/// without goals.
pub fn goal_summary(job: &Job, out: &SetOutput, names: &[String]) -> Option<GoalSummary> {
    let goals = job.goals()?;
    let s = goal_stats_of(job, out)?;
    let median_se = convergence::first_passage(&out.goal_hist, 0.0).p50_se;
    Some(GoalSummary {
        goal: Goals::describe(&goals.goal, names),
        constraint: Goals::describe(&goals.constraint, names),
        confidence: goals.confidence,
        constraint_met: s.constraint_met(goals.confidence),
        reach: s.reach.value,
        reach_se: s.reach.se,
        time_mean: s.time_mean.value,
        time_mean_se: s.time_mean.se,
        time_median: s.time_median,
        time_median_se: s.time_median.and(median_se),
        never: s.never.value,
        never_se: s.never.se,
        constraint_held: s.constraint.value,
        constraint_held_se: s.constraint.se,
        worst: s.worst.value,
        worst_se: s.worst.se,
    })
}
