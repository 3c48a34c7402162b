//! Monte Carlo standard errors from block groups.
//!
//! A set's paths run in blocks whose noise is independent, and the blocks
//! form at most [`MAX_GROUPS`](crate::engine::partials::MAX_GROUPS) groups
//! fixed by the job (see [`GroupFold`](crate::engine::GroupFold)). Each
//! statistic is recomputed with one group left out, and the spread of those
//! values is the delete-one-group jackknife: for a mean over equal groups it
//! is exactly the batch-means standard error, and it extends to the ratios,
//! correlations, rates and Pareto statistics that are not linear. The groups
//! are fixed, so the standard errors, like the estimates, have the same bits
//! for any thread count, chunking or shard split.

use crate::engine::{Job, PartialLayout};

use super::convergence;
use super::moments::{self, RecordMoments};

/// The delete-one-group jackknife standard error from the leave-one-out
/// values `loo`: `sqrt((G − 1)/G · Σ (θ₍g₎ − θ̄)²)`. NaN with fewer than two
/// groups or when a replicate is undefined.
pub fn jackknife(loo: &[f64]) -> f64 {
    let g = loo.len();
    if g < 2 || loo.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let mean = loo.iter().sum::<f64>() / g as f64;
    let ss: f64 = loo.iter().map(|v| (v - mean).powi(2)).sum();
    (ss * (g - 1) as f64 / g as f64).sqrt()
}

/// [`jackknife`] of each of `m` values, from replicates of `m` values each.
pub fn jackknife_each(loo: &[Vec<f64>], m: usize) -> Vec<f64> {
    (0..m)
        .map(|i| jackknife(&loo.iter().map(|r| r[i]).collect::<Vec<_>>()))
        .collect()
}

/// [`jackknife`] of an optional statistic: `None` when the estimate is
/// undefined, NaN inside when some replicate is.
pub fn jackknife_opt(loo: &[Option<f64>]) -> Option<f64> {
    Some(jackknife(
        &loo.iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect::<Vec<_>>(),
    ))
}

/// Standard error of a count `k` of `n` independent trials (binomial).
pub fn count_se(k: f64, n: f64) -> f64 {
    if n <= 0.0 {
        return f64::NAN;
    }
    (k * (1.0 - k / n)).max(0.0).sqrt()
}

/// Every statistic read off a set's partial sums.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldStats {
    /// Moments per record.
    pub records: Vec<RecordMoments>,
    /// Terminal covariance.
    pub cov: Vec<Vec<f64>>,
    /// Effective equilibrium.
    pub equilibrium: Vec<f64>,
    /// Empirical rate.
    pub rate: Option<f64>,
    /// Increment correlation.
    pub increment_correlation: Vec<Vec<f64>>,
    /// Occupancy counters normalised to fractions (empty without counters).
    pub occupancy: Vec<f64>,
}

impl FoldStats {
    /// The statistics of set `k` of `job` from its summed partials `total`.
    pub fn new(total: &[f64], job: &Job, k: usize, ranges: &[f64], strategies: usize) -> Self {
        let layout: &PartialLayout = job.partial_layout();
        let shift = job.moment_shift(k);
        let records: Vec<RecordMoments> = (0..layout.records)
            .map(|r| moments::record(total, layout, r, job.record_step(r as u32), &shift))
            .collect();
        let equilibrium = convergence::effective_equilibrium(&records, job.steps());
        let occupancy = if layout.occupancy {
            let counts = &total[layout.occ()..layout.occ() + strategies];
            let sum: f64 = counts.iter().sum();
            counts
                .iter()
                .map(|c| if sum > 0.0 { c / sum } else { 0.0 })
                .collect()
        } else {
            Vec::new()
        };
        FoldStats {
            rate: convergence::empirical_rate(&records, &equilibrium, ranges, job.dt(k)),
            cov: moments::terminal_cov(total, layout),
            increment_correlation: moments::increment_correlation(total, layout),
            records,
            equilibrium,
            occupancy,
        }
    }

    /// The statistics with each group left out in turn: `groups` are the
    /// per-group sums, which add up to `total`.
    pub fn replicates(
        total: &[f64],
        groups: &[Vec<f64>],
        job: &Job,
        k: usize,
        ranges: &[f64],
        strategies: usize,
    ) -> Vec<FoldStats> {
        let mut rest = vec![0.0; total.len()];
        groups
            .iter()
            .map(|g| {
                for ((r, t), v) in rest.iter_mut().zip(total).zip(g) {
                    *r = t - v;
                }
                FoldStats::new(&rest, job, k, ranges, strategies)
            })
            .collect()
    }

    /// The last record (the terminal moments).
    pub fn last(&self) -> &RecordMoments {
        self.records.last().expect("a job has at least two records")
    }
}

/// Jackknife standard errors of a [`FoldStats`], field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldErrors {
    /// Of the terminal mean.
    pub mean: Vec<f64>,
    /// Of the terminal standard deviation.
    pub sd: Vec<f64>,
    /// Of the terminal covariance.
    pub cov: Vec<Vec<f64>>,
    /// Of the effective equilibrium.
    pub equilibrium: Vec<f64>,
    /// Of the empirical rate (`None` where the rate is).
    pub rate: Option<f64>,
    /// Of the increment correlation.
    pub increment_correlation: Vec<Vec<f64>>,
    /// Of the occupancy fractions.
    pub occupancy: Vec<f64>,
}

impl FoldErrors {
    /// The standard errors of `full` from its leave-one-group-out `reps`.
    pub fn new(full: &FoldStats, reps: &[FoldStats]) -> Self {
        let n = full.equilibrium.len();
        let vecs = |f: &dyn Fn(&FoldStats) -> Vec<f64>| {
            let m = f(full).len();
            jackknife_each(&reps.iter().map(f).collect::<Vec<_>>(), m)
        };
        let matrix = |f: &dyn Fn(&FoldStats) -> &Vec<Vec<f64>>| {
            let flat = vecs(&|s: &FoldStats| f(s).concat());
            flat.chunks(n.max(1)).map(<[f64]>::to_vec).collect()
        };
        FoldErrors {
            mean: vecs(&|s| s.last().mean.clone()),
            sd: vecs(&|s| s.last().sd.clone()),
            cov: matrix(&|s| &s.cov),
            equilibrium: vecs(&|s| s.equilibrium.clone()),
            rate: full
                .rate
                .and_then(|_| jackknife_opt(&reps.iter().map(|r| r.rate).collect::<Vec<_>>())),
            increment_correlation: matrix(&|s| &s.increment_correlation),
            occupancy: vecs(&|s| s.occupancy.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jackknife_of_a_mean_is_the_batch_means_error() {
        // Group means m_g of equal groups: leave-one-out means are
        // (G·m̄ − m_g)/(G − 1), whose jackknife is sd(m_g)/√G.
        let m = [1.0, 3.0, 2.0, 6.0];
        let g = m.len() as f64;
        let total: f64 = m.iter().sum();
        let loo: Vec<f64> = m.iter().map(|x| (total - x) / (g - 1.0)).collect();
        let mean = total / g;
        let sd = (m.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (g - 1.0)).sqrt();
        assert!((jackknife(&loo) - sd / g.sqrt()).abs() < 1e-12);
        assert!(jackknife(&[1.0]).is_nan());
        assert!(jackknife(&[1.0, f64::NAN]).is_nan());
    }

    #[test]
    fn binomial_count_error() {
        assert_eq!(count_se(25.0, 100.0), (25.0f64 * 0.75).sqrt());
        assert_eq!(count_se(0.0, 100.0), 0.0);
    }
}
