//! What a parameter set scores on an objective, with its Monte Carlo error
//! and leave-one-group-out replicates, and paired differences of two sets of
//! one job (common random numbers: the same groups hold the same noise).

use crate::analysis::goals::{Estimate, goal_stats};
use crate::analysis::terminal::Terminal;
use crate::engine::Run;
use crate::pareto::{pooled_flat, pooled_replicates};

use super::Objective;

/// The score of one parameter set.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The objective's value (its own units and direction).
    pub value: Estimate,
    /// P(constraint held throughout), when a constraint is set.
    pub constraint: Option<Estimate>,
}

impl Score {
    /// Whether the constraint holds at `confidence`: the estimate itself must
    /// reach it (no one-sided margin; the report shows the standard error).
    pub fn feasible(&self, confidence: f64) -> bool {
        self.constraint
            .as_ref()
            .is_none_or(|c| c.value >= confidence)
    }

    /// How far P(constraint held) falls short of `confidence` (0 if it does not).
    pub fn shortfall(&self, confidence: f64) -> Option<f64> {
        self.constraint
            .as_ref()
            .map(|c| (confidence - c.value).max(0.0))
    }

    /// The ranking: feasible before infeasible; feasible ones by the
    /// objective (better first), infeasible ones by P(constraint held).
    pub fn better(&self, other: &Score, objective: Objective, confidence: f64) -> bool {
        self.rank_key(objective, confidence) > other.rank_key(objective, confidence)
    }

    fn rank_key(&self, objective: Objective, confidence: f64) -> (bool, f64) {
        let finite = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
        if self.feasible(confidence) {
            (true, finite(objective.sign() * self.value.value))
        } else {
            let p = self.constraint.as_ref().map_or(0.0, |c| c.value);
            (false, finite(p))
        }
    }
}

/// The score of set `set` of `run` on `objective`; `replicates` asks for
/// the replicates of the terminal-state objectives too (the goal
/// statistics always carry theirs).
pub fn score(run: &Run, set: usize, objective: Objective, replicates: bool) -> Score {
    let stats = goal_stats(run, set);
    let constraint = stats
        .as_ref()
        .filter(|_| has_constraint(run))
        .map(|s| s.constraint.clone());
    let value = match objective {
        Objective::Reach => stats.map(|s| s.reach),
        Objective::Time => stats.map(|s| s.time_mean),
        Objective::Worst => Some(worst(run, set, replicates)),
        Objective::Hypervolume => Some(hypervolume(run, set, replicates)),
    };
    Score {
        value: value.unwrap_or_else(|| no_estimate(f64::NAN)),
        constraint,
    }
}

fn has_constraint(run: &Run) -> bool {
    run.job.goals().is_some_and(|g| !g.constraint.is_empty())
}

fn no_estimate(value: f64) -> Estimate {
    Estimate {
        value,
        se: f64::NAN,
        loo: Vec::new(),
    }
}

/// The set's kept terminal states, normalised by the bounds, flat.
fn normalised_terminal(run: &Run, set: usize) -> (Terminal<'_>, Vec<f64>) {
    let model = &run.scenarios[set].model;
    let bounds = model.bounds();
    let t = Terminal::new(&run.output.sets[set], model.n());
    let rows = t
        .rows
        .chunks_exact(t.n)
        .flat_map(|r| {
            r.iter()
                .zip(&bounds)
                .map(|(&v, (lo, hi))| (f64::from(v) - lo) / (hi - lo))
        })
        .collect();
    (t, rows)
}

/// E[min_i normalised objective at the horizon] over the kept paths.
fn worst(run: &Run, set: usize, replicates: bool) -> Estimate {
    let (t, rows) = normalised_terminal(run, set);
    let mins: Vec<f64> = rows
        .chunks_exact(t.n)
        .map(|r| r.iter().copied().fold(f64::INFINITY, f64::min))
        .collect();
    let mean = |skip: std::ops::Range<usize>| {
        let kept = mins.len() - skip.len();
        let sum: f64 = mins.iter().sum::<f64>() - mins[skip].iter().sum::<f64>();
        if kept == 0 {
            f64::NAN
        } else {
            sum / kept as f64
        }
    };
    let value = mean(0..0);
    if !replicates {
        return no_estimate(value);
    }
    let loo: Vec<f64> = t.groups.windows(2).map(|w| mean(w[0]..w[1])).collect();
    Estimate::new(value, loo)
}

/// The hypervolume dominated by the kept terminal states, normalised by the
/// bounds (reference: the lower corner), as `simulate` reports it.
fn hypervolume(run: &Run, set: usize, replicates: bool) -> Estimate {
    let (t, rows) = normalised_terminal(run, set);
    let origin = vec![0.0; t.n];
    let value = pooled_flat(&[&rows], t.n, &origin).hypervolume[0];
    if !replicates {
        return no_estimate(value);
    }
    let loo: Vec<f64> = pooled_replicates(&[&rows], std::slice::from_ref(&t.groups), t.n, &origin)
        .iter()
        .map(|s| s.hypervolume[0])
        .collect();
    Estimate::new(value, loo)
}

/// `a − b` and its standard error from replicate-wise differences (both
/// sets of one job under common random numbers).
pub fn paired(a: &Estimate, b: &Estimate) -> (f64, f64) {
    if a.loo.len() != b.loo.len() {
        return (a.value - b.value, f64::NAN);
    }
    let d = a.diff(b);
    (d.value, d.se)
}

/// The normal 95% interval `v ± 1.96·se`.
pub fn ci95(value: f64, se: f64) -> [f64; 2] {
    [value - 1.96 * se, value + 1.96 * se]
}
