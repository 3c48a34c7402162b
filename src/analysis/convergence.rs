//! Convergence from simulation: effective equilibrium, empirical rate and
//! first-passage times.

use serde::{Deserialize, Serialize};

use super::moments::RecordMoments;

/// Fraction of the run, at the end, averaged for the effective equilibrium.
const TAIL: f64 = 0.25;
/// A distance counts as signal while it exceeds this many standard errors.
const SIGNAL_SE: f64 = 5.0;

/// The long-run mean: the mean state averaged over the records in the last
/// quarter of the run. It differs from x* where bounds bind.
pub fn effective_equilibrium(records: &[RecordMoments], steps: u32) -> Vec<f64> {
    let n = records.first().map_or(0, |r| r.mean.len());
    let from = (f64::from(steps) * (1.0 - TAIL)).floor() as u32;
    let tail: Vec<&RecordMoments> = records
        .iter()
        .filter(|r| r.step >= from && r.count > 0.0)
        .collect();
    (0..n)
        .map(|i| tail.iter().map(|r| r.mean[i]).sum::<f64>() / tail.len() as f64)
        .collect()
}

/// The empirical convergence rate: minus the least-squares slope of
/// `ln ‖E x_t − x_∞‖` against time, over the records from the start while the
/// distance stays above `SIGNAL_SE` Monte Carlo standard errors. Distances
/// are measured in range-normalised units, and the slope is taken over the
/// later half of that window, where the slowest mode dominates. `None` when fewer than two records
/// carry signal.
pub fn empirical_rate(
    records: &[RecordMoments],
    eq: &[f64],
    ranges: &[f64],
    dt: f64,
) -> Option<f64> {
    let mut pts = Vec::new();
    for r in records {
        if r.count < 2.0 {
            break;
        }
        let mut d2 = 0.0;
        let mut se2 = 0.0;
        for i in 0..eq.len() {
            d2 += ((r.mean[i] - eq[i]) / ranges[i]).powi(2);
            se2 += (r.sd[i] / ranges[i]).powi(2) / r.count;
        }
        let d = d2.sqrt();
        if d.is_nan() || d <= SIGNAL_SE * se2.sqrt() || d <= 0.0 {
            break;
        }
        pts.push((f64::from(r.step) * dt, d.ln()));
    }
    // Early on the faster modes still contribute; the asymptotic rate is the
    // slope of the later half of the window.
    let pts = &pts[pts.len() / 2..];
    if pts.len() < 2 {
        return None;
    }
    let k = pts.len() as f64;
    let mt = pts.iter().map(|p| p.0).sum::<f64>() / k;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / k;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mt) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mt).powi(2)).sum();
    Some(-sxy / sxx)
}

/// First-passage statistics (in steps), each with its standard error.
///
/// The histogram is summed over a whole set on the GPU, so these errors
/// come from the histogram itself rather than from block groups: binomial
/// for the fraction and the count, the spread of the passage times over
/// the paths that arrived for the mean, and for a quantile the order
/// statistics at `p ± 1.96·√(p(1 − p)/N)` (the distribution-free 95%
/// interval of the quantile) divided by `2 · 1.96`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstPassage {
    /// Tolerance as a fraction of each objective's range.
    pub tolerance: f64,
    /// Fraction of paths that arrived within the run.
    pub reached_fraction: f64,
    /// Its standard error.
    pub reached_fraction_se: f64,
    /// Mean first-passage step over the paths that arrived.
    pub mean: Option<f64>,
    /// Its standard error.
    pub mean_se: Option<f64>,
    /// Median over all paths; `null` when half or more never arrive.
    pub p50: Option<f64>,
    /// Its standard error; `null` when the upper end of its interval is never reached.
    pub p50_se: Option<f64>,
    /// 90th percentile over all paths; `null` when a tenth or more never arrive.
    pub p90: Option<f64>,
    /// Its standard error, as for the median.
    pub p90_se: Option<f64>,
    /// Paths per first-passage step `0..=steps`.
    pub histogram: Vec<u64>,
    /// Paths that never arrived (counted, not dropped).
    pub never: u64,
    /// Its standard error (binomial).
    pub never_se: f64,
}

/// Normal quantile of the 95% interval used for quantile errors.
const Z95: f64 = 1.959_963_984_540_054;

/// Statistics from a histogram whose last bin counts paths that never arrived.
pub fn first_passage(hist: &[u64], tolerance: f64) -> FirstPassage {
    let (bins, never) = hist.split_at(hist.len() - 1);
    let never = never[0];
    let reached: u64 = bins.iter().sum();
    let total = reached + never;
    let moment = |k: i32| {
        bins.iter()
            .enumerate()
            .map(|(t, c)| (t as f64).powi(k) * *c as f64)
            .sum::<f64>()
    };
    let mean = (reached > 0).then(|| moment(1) / reached as f64);
    let mean_se = mean.filter(|_| reached > 1).map(|m| {
        let var = (moment(2) - reached as f64 * m * m) / (reached - 1) as f64;
        (var.max(0.0) / reached as f64).sqrt()
    });
    let quantile = |q: f64| -> Option<f64> {
        let need = (q * total as f64).ceil().max(1.0) as u64;
        let mut acc = 0;
        for (t, c) in bins.iter().enumerate() {
            acc += c;
            if acc >= need {
                return Some(t as f64);
            }
        }
        None
    };
    let quantile_se = |q: f64| -> Option<f64> {
        let half = Z95 * (q * (1.0 - q) / total.max(1) as f64).sqrt();
        let lo = quantile((q - half).max(0.0))?;
        let hi = quantile((q + half).min(1.0))?;
        Some((hi - lo) / (2.0 * Z95))
    };
    let p50 = quantile(0.5);
    let p90 = quantile(0.9);
    let fraction = if total > 0 {
        reached as f64 / total as f64
    } else {
        0.0
    };
    FirstPassage {
        tolerance,
        reached_fraction: fraction,
        reached_fraction_se: super::errors::count_se(reached as f64, total as f64)
            / total.max(1) as f64,
        mean,
        mean_se,
        p50_se: p50.and(quantile_se(0.5)),
        p50,
        p90_se: p90.and(quantile_se(0.9)),
        p90,
        histogram: bins.to_vec(),
        never,
        never_se: super::errors::count_se(never as f64, total as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_count_paths_that_never_arrive() {
        let fp = first_passage(&[0, 3, 3, 4], 0.05);
        assert_eq!(fp.reached_fraction, 0.6);
        assert_eq!(fp.p50, Some(2.0));
        assert_eq!(fp.p90, None);
        assert_eq!(fp.mean, Some(1.5));
        assert_eq!(fp.never, 4);
    }

    #[test]
    fn rate_of_a_geometric_decay() {
        let recs: Vec<RecordMoments> = (0..20)
            .map(|t| RecordMoments {
                step: t,
                count: 1e6,
                mean: vec![1.0 + 0.5f64.powi(t as i32)],
                sd: vec![1e-3],
            })
            .collect();
        let r = empirical_rate(&recs, &[1.0], &[1.0], 1.0).unwrap();
        assert!((r - 2f64.ln()).abs() < 1e-9, "{r}");
    }
}
