//! The paper's experiment replicated many times: K independent studies of
//! the paper's size (seeds `seed`, `seed + 1`, …), and for each statistic
//! the spread of our values and where the paper's value falls in it.
//!
//! One seed says little: a study of 100 sessions per strategy gives I_fs
//! anywhere between about −0.04 and −0.21. The honest comparison is the
//! paper's value against the distribution the model predicts for a study
//! of that size.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::WorkflowError;
use super::replicate::{Replication, ReplicationRun, replicate};
use crate::analysis::moments::quantile_sorted;
use crate::engine::{Engine, EngineError};
use crate::model::Model;

/// The size of one replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Study {
    /// Sessions per strategy.
    pub sessions: u32,
    /// Iterations per session.
    pub iterations: u32,
    /// Bootstrap resamples of the fit's intervals.
    pub bootstrap: usize,
}

/// One strategy's numbers in one replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedStrategy {
    /// Strategy name.
    pub name: String,
    /// Convergence rate ρ.
    pub rho: f64,
    /// Trajectory R² (the paper's predictive accuracy).
    pub r2_trajectory: f64,
    /// One-step R².
    pub r2_one_step: f64,
    /// Equilibrium, clamped into the bounds.
    pub equilibrium: Vec<f64>,
}

/// One replication: a row of `replication.json`'s `rows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedRow {
    /// Its seed (`mosde replicate --seed <seed>` reproduces it alone).
    pub seed: u64,
    /// Per strategy.
    pub strategies: Vec<SeedStrategy>,
    /// Pooled increment correlation of functionality with efficiency.
    #[serde(rename = "I_fe")]
    pub i_fe: f64,
    /// Pooled increment correlation of functionality with security.
    #[serde(rename = "I_fs")]
    pub i_fs: f64,
    /// Calibration targets this replication missed.
    pub missed: usize,
}

/// The spread of one statistic over the replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// `rho`, `r2_trajectory`, `r2_one_step`, `equilibrium.<objective>`,
    /// `I_fe` or `I_fs`.
    pub statistic: String,
    /// The strategy (none for the pooled increment correlations).
    pub strategy: Option<String>,
    /// The paper's value, where it reports one.
    pub paper: Option<f64>,
    /// Replications with a finite value.
    pub n: usize,
    /// Mean over the replications.
    pub mean: f64,
    /// Standard deviation over the replications (the standard error of one
    /// study of this size).
    pub sd: f64,
    /// 5% quantile.
    pub p05: f64,
    /// 95% quantile.
    pub p95: f64,
    /// Percentage of replications below the paper's value (ties count
    /// half).
    pub paper_percentile: Option<f64>,
    /// Whether the paper's value, as reported (to two decimals, so anywhere
    /// within ± 0.005 of it), overlaps `[p05, p95]`.
    pub typical: Option<bool>,
}

/// `replication.json`'s `distribution` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Number of replications K.
    pub replications: u32,
    /// First seed; replication i has seed `first_seed + i`.
    pub first_seed: u64,
    /// One entry per statistic.
    pub statistics: Vec<Spread>,
}

/// Half the last reported digit of the paper's values (all are given to
/// two decimals): a paper value stands for this interval around it.
pub const PAPER_ROUNDING: f64 = 0.005;

/// One value of one statistic in one replication.
struct Sample {
    statistic: String,
    strategy: Option<String>,
    paper: Option<f64>,
    value: f64,
}

/// The statistics of one replication, in a fixed order.
fn samples(r: &Replication, objectives: &[String]) -> Vec<Sample> {
    let mut out = Vec::new();
    for s in &r.strategies {
        let mut push = |statistic: String, paper, value| {
            out.push(Sample {
                statistic,
                strategy: Some(s.name.clone()),
                paper,
                value,
            })
        };
        push("rho".into(), Some(s.paper.rho), s.ours.rho);
        push("r2_trajectory".into(), Some(s.paper.r2), s.ours.r2);
        push("r2_one_step".into(), None, s.r2_one_step);
        for (i, o) in objectives.iter().enumerate() {
            let paper = s.paper.equilibrium.get(i).copied();
            let ours = s.ours.equilibrium.get(i).copied().unwrap_or(f64::NAN);
            push(format!("equilibrium.{o}"), paper, ours);
        }
    }
    let (p, o) = (r.interference.paper, r.interference.ours);
    for (name, paper, value) in [("I_fe", p.i_fe, o.i_fe), ("I_fs", p.i_fs, o.i_fs)] {
        out.push(Sample {
            statistic: name.into(),
            strategy: None,
            paper: Some(paper),
            value,
        });
    }
    out
}

/// A replication's row.
fn row(r: &Replication) -> SeedRow {
    SeedRow {
        seed: r.seed,
        strategies: r
            .strategies
            .iter()
            .map(|s| SeedStrategy {
                name: s.name.clone(),
                rho: s.ours.rho,
                r2_trajectory: s.ours.r2,
                r2_one_step: s.r2_one_step,
                equilibrium: s.ours.equilibrium.clone(),
            })
            .collect(),
        i_fe: r.interference.ours.i_fe,
        i_fs: r.interference.ours.i_fs,
        missed: r.missed.len(),
    }
}

/// Mean, sd, 5–95% range and the paper's percentile of `values`.
fn spread(
    statistic: String,
    strategy: Option<String>,
    paper: Option<f64>,
    values: &[f64],
) -> Spread {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    let sd = match n {
        0 | 1 => f64::NAN,
        _ => (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt(),
    };
    let (p05, p95) = (quantile_sorted(&v, 0.05), quantile_sorted(&v, 0.95));
    let percentile = paper.filter(|_| n > 0).map(|p| {
        let below = v.iter().filter(|x| **x < p).count() as f64;
        let ties = v.iter().filter(|x| **x == p).count() as f64;
        100.0 * (below + 0.5 * ties) / n as f64
    });
    Spread {
        statistic,
        strategy,
        paper,
        n,
        mean,
        sd,
        p05,
        p95,
        paper_percentile: percentile,
        typical: paper
            .filter(|_| n > 0)
            .map(|p| p05 <= p + PAPER_ROUNDING && p - PAPER_ROUNDING <= p95),
    }
}

/// The distribution of every statistic over `replications` (statistics
/// keyed by name and strategy, so a strategy that failed in one seed only
/// shortens its own samples).
pub fn distribution(replications: &[Replication], objectives: &[String]) -> Distribution {
    let mut keys: Vec<(String, Option<String>, Option<f64>)> = Vec::new();
    let mut values: Vec<Vec<f64>> = Vec::new();
    for r in replications {
        for s in samples(r, objectives) {
            let k = match keys
                .iter()
                .position(|k| k.0 == s.statistic && k.1 == s.strategy)
            {
                Some(k) => k,
                None => {
                    keys.push((s.statistic, s.strategy, s.paper));
                    values.push(Vec::new());
                    keys.len() - 1
                }
            };
            values[k].push(s.value);
        }
    }
    Distribution {
        replications: replications.len() as u32,
        first_seed: replications.first().map_or(0, |r| r.seed),
        statistics: keys
            .into_iter()
            .zip(&values)
            .map(|((stat, strategy, paper), v)| spread(stat, strategy, paper, v))
            .collect(),
    }
}

/// Runs `k` replications of `study` with seeds `seed`, `seed + 1`, … in
/// parallel (each on an engine from `open`), calling `progress` as each
/// finishes. Returns the first replication whole (its sessions and fit,
/// exactly what a single run with `seed` gives), with the distribution and
/// the per-seed rows added to its comparison when `k > 1`.
pub fn replicate_seeds(
    model: &Model,
    open: &(dyn Fn() -> Result<Box<dyn Engine>, EngineError> + Sync),
    study: Study,
    seed: u64,
    k: u32,
    progress: &(dyn Fn() + Sync),
) -> Result<ReplicationRun, WorkflowError> {
    if k == 0 {
        return Err(WorkflowError::NoReplications);
    }
    let one = |i: u32| -> Result<ReplicationRun, WorkflowError> {
        let mut engine = open()?;
        let s = seed.wrapping_add(u64::from(i));
        let run = replicate(
            model,
            engine.as_mut(),
            study.sessions,
            study.iterations,
            s,
            study.bootstrap,
        )?;
        progress();
        Ok(run)
    };
    let mut first = one(0)?;
    if k == 1 {
        return Ok(first);
    }
    let rest: Vec<Replication> = (1..k)
        .into_par_iter()
        .map(|i| one(i).map(|r| r.replication))
        .collect::<Result<_, _>>()?;
    let all: Vec<Replication> = std::iter::once(first.replication.clone())
        .chain(rest)
        .collect();
    let r = &mut first.replication;
    r.distribution = Some(distribution(&all, &model.objective_names()));
    r.rows = Some(all.iter().map(row).collect());
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_place_the_paper_value_counting_ties_half() {
        let v: Vec<f64> = (1..=10).map(f64::from).chain([f64::NAN]).collect();
        let s = spread("rho".into(), Some("EF".into()), Some(3.0), &v);
        assert_eq!(s.n, 10);
        assert!((s.mean - 5.5).abs() < 1e-12);
        // Sample sd of 1..=10: sqrt(110 / 12).
        assert!((s.sd - (110.0f64 / 12.0).sqrt()).abs() < 1e-12);
        assert!((s.p05 - 1.45).abs() < 1e-12 && (s.p95 - 9.55).abs() < 1e-12);
        assert_eq!(s.paper_percentile, Some(25.0));
        assert_eq!(s.typical, Some(true));
        // Outside the range, but within the paper's rounding of it.
        let s = spread("rho".into(), None, Some(9.554), &v);
        assert_eq!((s.paper_percentile, s.typical), (Some(90.0), Some(true)));
        let s = spread("rho".into(), None, Some(12.0), &v);
        assert_eq!((s.paper_percentile, s.typical), (Some(100.0), Some(false)));
        let s = spread("r2_one_step".into(), None, None, &v);
        assert_eq!((s.paper_percentile, s.typical), (None, None));
    }
}
