//! Moments from reduced partial sums: mean and spread per record, terminal
//! covariance, increment correlation.

use crate::engine::PartialLayout;

/// Mean and standard deviation of every objective at one recorded step.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordMoments {
    /// Step index.
    pub step: u32,
    /// Paths contributing (finite paths).
    pub count: f64,
    /// Mean per objective.
    pub mean: Vec<f64>,
    /// Standard deviation per objective (n − 1 denominator).
    pub sd: Vec<f64>,
}

/// Sample covariance from a count, shifted sums and shifted cross-products.
fn cov(n: f64, si: f64, sj: f64, qij: f64) -> f64 {
    if n < 2.0 {
        return f64::NAN;
    }
    (qij - si * sj / n) / (n - 1.0)
}

/// Sample variance; rounding can make the raw formula slightly negative.
fn var(n: f64, s: f64, q: f64) -> f64 {
    cov(n, s, s, q).max(0.0)
}

/// Moments at record `r`.
pub fn record(
    total: &[f64],
    layout: &PartialLayout,
    r: usize,
    step: u32,
    shift: &[f64],
) -> RecordMoments {
    let n = layout.n;
    let at = layout.record(r);
    let count = total[at];
    let mut mean = Vec::with_capacity(n);
    let mut sd = Vec::with_capacity(n);
    for i in 0..n {
        let s = total[at + 1 + i];
        let q = total[at + 1 + n + i];
        mean.push(if count > 0.0 {
            shift[i] + s / count
        } else {
            f64::NAN
        });
        sd.push(var(count, s, q).sqrt());
    }
    RecordMoments {
        step,
        count,
        mean,
        sd,
    }
}

/// Terminal covariance matrix (from the last record and the cross-products).
pub fn terminal_cov(total: &[f64], layout: &PartialLayout) -> Vec<Vec<f64>> {
    let n = layout.n;
    let at = layout.record(layout.records - 1);
    let count = total[at];
    let mut c = vec![vec![f64::NAN; n]; n];
    for i in 0..n {
        for j in 0..n {
            let q = total[layout.cross() + layout.tri_index(i, j)];
            c[i][j] = cov(count, total[at + 1 + i], total[at + 1 + j], q);
            if i == j {
                c[i][j] = c[i][j].max(0.0);
            }
        }
    }
    c
}

/// Correlation of the per-step increments Δx_i, Δx_j pooled over every step
/// of every finite path: the paper's empirical interference matrix (with a
/// unit diagonal). Undefined entries (an objective that never moves) are NaN.
pub fn increment_correlation(total: &[f64], layout: &PartialLayout) -> Vec<Vec<f64>> {
    let n = layout.n;
    let at = layout.incr();
    let m = total[at];
    let sums = &total[at + 1..at + 1 + n];
    let q = |i: usize, j: usize| total[at + 1 + n + layout.tri_index(i, j)];
    let mut c = vec![vec![f64::NAN; n]; n];
    for i in 0..n {
        for j in 0..n {
            let vij = cov(m, sums[i], sums[j], q(i, j));
            let vii = var(m, sums[i], q(i, i));
            let vjj = var(m, sums[j], q(j, j));
            let denom = (vii * vjj).sqrt();
            c[i][j] = if denom > 0.0 {
                (vij / denom).clamp(-1.0, 1.0)
            } else {
                f64::NAN
            };
        }
    }
    c
}

/// Linear-interpolation quantile (type 7) of sorted finite data.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The 95% percentile interval `[2.5%, 97.5%]` of a sample (type-7
/// quantiles; sorted with `total_cmp`, so NaNs sort last: filter them first
/// where they can occur).
pub fn percentile_interval(mut v: Vec<f64>) -> [f64; 2] {
    v.sort_by(f64::total_cmp);
    [quantile_sorted(&v, 0.025), quantile_sorted(&v, 0.975)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interval_of_0_to_40() {
        let v: Vec<f64> = (0..=40).rev().map(f64::from).collect();
        assert_eq!(percentile_interval(v), [1.0, 39.0]);
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
    }

    #[test]
    fn covariance_from_shifted_sums() {
        // x = 1, 2, 3 around shift 0: var 1.
        assert!((cov(3.0, 6.0, 6.0, 14.0) - 1.0).abs() < 1e-12);
    }
}
