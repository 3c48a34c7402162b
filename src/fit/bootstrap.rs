//! Resampling: the holdout split of a strategy's sessions, and percentile
//! bootstrap intervals of ρ, x* and M from refits on resampled sessions.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use super::increments::increments;
use super::regression::{fit_core, interference_of};
use super::{FitOptions, Interval};
use crate::analysis::moments::percentile_interval;
use crate::formats::sessions::Session;

/// Splits sessions into `(held out, training)`: a shuffled fraction
/// `holdout` (at least one, and never all) is held out when `holdout > 0`.
pub(super) fn split_holdout<'a>(
    all: &[&'a Session],
    holdout: f64,
    seed: u64,
) -> (Vec<&'a Session>, Vec<&'a Session>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..all.len()).collect();
    let mut n_hold = 0;
    if holdout > 0.0 && all.len() >= 2 {
        for i in (1..order.len()).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        n_hold = ((holdout * all.len() as f64).round() as usize).clamp(1, all.len() - 1);
    }
    let pick = |ks: &[usize]| ks.iter().map(|k| all[*k]).collect();
    (pick(&order[..n_hold]), pick(&order[n_hold..]))
}

/// One bootstrap refit: ρ, x* and M.
type Resample = (f64, Vec<f64>, Vec<Vec<f64>>);

/// Percentile intervals (2.5%, 97.5%) from the bootstrap; `None` with fewer
/// than two successful refits.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Intervals {
    /// Interval of ρ.
    pub rho: Option<Interval>,
    /// Intervals of x*.
    pub target: Option<Vec<Interval>>,
    /// Intervals of M.
    pub interference: Option<Vec<Vec<Interval>>>,
    /// Resamples that could not be fitted.
    pub failures: usize,
}

/// Refits `opts.bootstrap` resamples (with replacement) of the training
/// sessions. Each resample has its own seeded stream, so the result does not
/// depend on how the resamples are spread over threads.
pub(super) fn bootstrap(
    train: &[&Session],
    names: &[String],
    opts: &FitOptions,
    seed: u64,
) -> Intervals {
    let boot: Vec<Option<Resample>> = (0..opts.bootstrap)
        .into_par_iter()
        .map(|b| resample(train, names, opts, seed, b))
        .collect();
    let ok: Vec<&Resample> = boot.iter().flatten().collect();
    let mut out = intervals(&ok, names.len());
    out.failures = boot.len() - ok.len();
    out
}

/// The refit of resample `b`, or `None` when it cannot be fitted.
fn resample(
    train: &[&Session],
    names: &[String],
    opts: &FitOptions,
    seed: u64,
    b: usize,
) -> Option<Resample> {
    let mut r =
        ChaCha8Rng::seed_from_u64(seed ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(b as u64 + 1)));
    let pick: Vec<&Session> = (0..train.len())
        .map(|_| train[r.random_range(0..train.len())])
        .collect();
    let c = fit_core(
        &increments(&pick, opts.dt, opts.bounds.as_deref()),
        names,
        opts,
    )
    .ok()?;
    let (_, rho, _) = c.free_spectrum(opts.dt);
    Some((
        rho,
        c.target.iter().copied().collect(),
        interference_of(&c.a),
    ))
}

/// Percentile intervals of each quantity over the successful refits.
fn intervals(ok: &[&Resample], n: usize) -> Intervals {
    if ok.len() < 2 {
        return Intervals {
            rho: None,
            target: None,
            interference: None,
            failures: 0,
        };
    }
    let over =
        |f: &dyn Fn(&Resample) -> f64| percentile_interval(ok.iter().map(|b| f(b)).collect());
    Intervals {
        rho: Some(over(&|b| b.0)),
        target: Some((0..n).map(|i| over(&|b| b.1[i])).collect()),
        interference: Some(
            (0..n)
                .map(|i| (0..n).map(|j| over(&|b| b.2[i][j])).collect())
                .collect(),
        ),
        failures: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(k: usize) -> Vec<Session> {
        (0..k)
            .map(|s| Session {
                id: format!("s{s}"),
                strategy: "X".into(),
                iterations: vec![0],
                states: vec![vec![s as f64]],
            })
            .collect()
    }

    #[test]
    fn percentile_intervals_of_a_known_vector() {
        // ρ = 0, 1, …, 100 over 101 refits: the 2.5% and 97.5% points.
        let all: Vec<Resample> = (0..=100)
            .rev()
            .map(|k| (f64::from(k), vec![2.0 * f64::from(k)], vec![vec![0.0]]))
            .collect();
        let ok: Vec<&Resample> = all.iter().collect();
        let iv = intervals(&ok, 1);
        assert_eq!(iv.rho, Some([2.5, 97.5]));
        assert_eq!(iv.target, Some(vec![[5.0, 195.0]]));
        assert_eq!(iv.interference, Some(vec![vec![[0.0, 0.0]]]));
        assert_eq!(intervals(&ok[..1], 1).rho, None);
    }

    #[test]
    fn holdout_takes_a_seeded_share_and_never_everything() {
        let s = sessions(10);
        let all: Vec<&Session> = s.iter().collect();
        let (hold, train) = split_holdout(&all, 0.25, 3);
        assert_eq!((hold.len(), train.len()), (3, 7));
        let mut ids: Vec<&str> = hold.iter().chain(&train).map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 10);
        assert_eq!(split_holdout(&all, 0.25, 3), (hold, train));
        let (hold, train) = split_holdout(&all, 0.0, 3);
        assert!(hold.is_empty() && train.len() == 10 && train[0].id == "s0");
        let (hold, _) = split_holdout(&all[..2], 0.99, 3);
        assert_eq!(hold.len(), 1);
    }
}
