//! How well a fit explains the data: one-step R² (in sample and on held-out
//! sessions), trajectory R² (the paper's predictive accuracy), the fitted
//! mean path, and warnings about the fit (size, stability, non-normal
//! residuals).

use nalgebra::{DMatrix, DVector};

use super::StrategyFit;
use super::increments::Increment;
use super::regression::Core;
use crate::formats::sessions::Session;

/// The fitted drift of objective `i` at `x`: `Σ_j A_ij (x*_j − x_j)`.
fn drift(core: &Core, i: usize, x: &[f64]) -> f64 {
    (0..x.len())
        .map(|j| core.a[(i, j)] * (core.target[j] - x[j]))
        .sum()
}

/// One-step R² pooled over the free objectives' uncensored increments.
pub(super) fn r2_one_step(core: &Core, inc: &[Increment]) -> f64 {
    let mut ss_res = 0.0;
    let mut ss_tot = 0.0;
    for &i in &core.free {
        let ys: Vec<(f64, f64)> = inc
            .iter()
            .filter(|r| !r.censored[i])
            .map(|r| (r.y[i], drift(core, i, &r.x)))
            .collect();
        if ys.is_empty() {
            continue;
        }
        let mean = ys.iter().map(|p| p.0).sum::<f64>() / ys.len() as f64;
        ss_res += ys.iter().map(|p| (p.0 - p.1).powi(2)).sum::<f64>();
        ss_tot += ys.iter().map(|p| (p.0 - mean).powi(2)).sum::<f64>();
    }
    1.0 - ss_res / ss_tot
}

/// One noise-free step of the fitted drift, clamped to the bounds when known.
fn advance(
    a: &DMatrix<f64>,
    target: &DVector<f64>,
    x: &mut DVector<f64>,
    dt: f64,
    bounds: Option<&[(f64, f64)]>,
) {
    *x = &*x + a * (target - &*x) * dt;
    if let Some(b) = bounds {
        for (i, (lo, hi)) in b.iter().enumerate() {
            x[i] = x[i].clamp(*lo, *hi);
        }
    }
}

/// Trajectory R²: the deterministic path from each session's first state
/// against the observed states, pooled over objectives and iterations ≥ 1.
pub(super) fn r2_trajectory(
    core: &Core,
    sessions: &[&Session],
    dt: f64,
    bounds: Option<&[(f64, f64)]>,
) -> f64 {
    let n = core.target.len();
    let mut pairs: Vec<(usize, f64, f64)> = Vec::new();
    for s in sessions {
        let mut x = DVector::from_vec(s.states[0].clone());
        let mut t = s.iterations[0];
        for (it, obs) in s.iterations.iter().zip(&s.states).skip(1) {
            while t < *it {
                advance(&core.a, &core.target, &mut x, dt, bounds);
                t += 1;
            }
            for i in 0..n {
                pairs.push((i, obs[i], x[i]));
            }
        }
    }
    let mut mean = vec![0.0; n];
    let mut count = vec![0.0f64; n];
    for (i, o, _) in &pairs {
        mean[*i] += o;
        count[*i] += 1.0;
    }
    for i in 0..n {
        mean[i] /= count[i].max(1.0);
    }
    let ss_res: f64 = pairs.iter().map(|(_, o, p)| (o - p).powi(2)).sum();
    let ss_tot: f64 = pairs.iter().map(|(i, o, _)| (o - mean[*i]).powi(2)).sum();
    1.0 - ss_res / ss_tot
}

impl StrategyFit {
    /// The noise-free path of the fitted model from `x0` over `steps`
    /// iterations (`steps + 1` states), clamped to the bounds when known.
    pub fn mean_path(
        &self,
        x0: &[f64],
        steps: u32,
        dt: f64,
        bounds: Option<&[(f64, f64)]>,
    ) -> Vec<Vec<f64>> {
        let n = x0.len();
        let a = DMatrix::from_fn(n, n, |i, j| self.a[i][j]);
        let target = DVector::from_column_slice(&self.target);
        let mut x = DVector::from_column_slice(x0);
        let mut out = vec![x0.to_vec()];
        for _ in 0..steps {
            advance(&a, &target, &mut x, dt, bounds);
            out.push(x.iter().copied().collect());
        }
        out
    }
}

/// The warnings of a fit before its bootstrap: the core's own, too few
/// increments for the parameters, an unstable drift, non-normal residuals.
pub(super) fn warnings(
    core: &Core,
    inc: &[Increment],
    names: &[String],
    rho: f64,
    radius: f64,
) -> Vec<String> {
    let n = names.len();
    let mut out = core.warnings.clone();
    let params = n * n + n;
    if inc.len() < params {
        out.push(format!(
            "only {} increments for {params} parameters (n² + n); the fit is underdetermined in spirit",
            inc.len()
        ));
    }
    if rho <= 0.0 || radius >= 1.0 {
        out.push(format!(
            "the fitted drift is unstable (rho = {rho:.3}, discrete radius = {radius:.3})"
        ));
    }
    out.extend(normality_warnings(core, inc, names));
    out
}

/// Residual non-normality: skewness and excess kurtosis per free objective.
fn normality_warnings(core: &Core, inc: &[Increment], names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for &i in &core.free {
        let r: Vec<f64> = inc
            .iter()
            .filter(|x| !x.censored[i])
            .map(|x| x.y[i] - drift(core, i, &x.x))
            .collect();
        let m = r.len() as f64;
        if m < 20.0 {
            continue;
        }
        let mean = r.iter().sum::<f64>() / m;
        let var = r.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / m;
        if var <= 0.0 {
            continue;
        }
        let skew = r.iter().map(|v| (v - mean).powi(3)).sum::<f64>() / m / var.powf(1.5);
        let kurt = r.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / m / (var * var) - 3.0;
        let jb = m / 6.0 * (skew * skew + kurt * kurt / 4.0);
        // Strongly non-normal: significant (Jarque–Bera p < 0.001) and large.
        if jb > 13.82 && (skew.abs() > 1.0 || kurt.abs() > 3.0) {
            out.push(format!(
                "residuals of '{}' are strongly non-normal (skewness {skew:.2}, excess kurtosis {kurt:.2}); sigma and the intervals are approximate",
                names[i]
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn core(rate: f64, target: [f64; 2]) -> Core {
        Core {
            a: DMatrix::from_row_slice(2, 2, &[rate, 0.1, 0.0, rate]),
            target: DVector::from_column_slice(&target),
            free: vec![0, 1],
            pinned: Vec::new(),
            sigma: DVector::zeros(2),
            corr: DMatrix::identity(2, 2),
            warnings: Vec::new(),
        }
    }

    fn increment(x: [f64; 2], y: [f64; 2]) -> Increment {
        Increment {
            x: x.to_vec(),
            y: y.to_vec(),
            censored: vec![false; 2],
            upper: vec![false; 2],
        }
    }

    /// A session that follows the core's noise-free path from `x0`.
    fn follow(c: &Core, x0: [f64; 2], steps: u32, bounds: Option<&[(f64, f64)]>) -> Session {
        let mut x = DVector::from_column_slice(&x0);
        let mut states = vec![x0.to_vec()];
        for _ in 0..steps {
            advance(&c.a, &c.target, &mut x, 1.0, bounds);
            states.push(x.iter().copied().collect());
        }
        Session {
            id: "s".into(),
            strategy: "X".into(),
            iterations: (0..=steps).collect(),
            states,
        }
    }

    #[test]
    fn a_true_model_explains_noiseless_data_fully() {
        let c = core(0.5, [2.0, 3.0]);
        let inc: Vec<Increment> = [[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]]
            .iter()
            .map(|x| increment(*x, [0, 1].map(|i| drift(&c, i, x))))
            .collect();
        assert_abs_diff_eq!(r2_one_step(&c, &inc), 1.0, epsilon = 1e-12);
        let sessions = [
            follow(&c, [0.0, 0.0], 6, None),
            follow(&c, [5.0, 1.0], 4, None),
        ];
        let refs: Vec<&Session> = sessions.iter().collect();
        assert_abs_diff_eq!(r2_trajectory(&c, &refs, 1.0, None), 1.0, epsilon = 1e-12);
        let worse = core(0.2, [2.0, 3.0]);
        assert!(r2_trajectory(&worse, &refs, 1.0, None) < 0.99);
    }

    #[test]
    fn the_noise_free_path_is_clamped_to_the_bounds() {
        let c = core(0.5, [12.0, 3.0]);
        let bounds = [(0.0, 10.0), (0.0, 10.0)];
        let s = follow(&c, [9.0, 3.0], 3, Some(&bounds));
        assert_eq!(s.states[1][0], 10.0);
        assert_eq!(s.states[3][0], 10.0);
        assert_abs_diff_eq!(s.states[3][1], 3.0, epsilon = 1e-12);
    }

    #[test]
    fn warnings_name_small_unstable_and_skewed_fits() {
        let c = core(0.0, [0.0, 0.0]);
        // Mostly no change, with a few large jumps: strongly skewed residuals.
        let inc: Vec<Increment> = (0..40)
            .map(|k| increment([0.0, 0.0], [if k % 13 == 0 { 10.0 } else { 0.0 }, 0.0]))
            .collect();
        let names = ["a".to_string(), "b".to_string()];
        let w = warnings(&c, &inc[..3], &names, -0.1, 1.1);
        assert!(
            w[0].starts_with("only 3 increments for 6 parameters"),
            "{w:?}"
        );
        assert!(w[1].contains("unstable (rho = -0.100"), "{w:?}");
        let w = warnings(&c, &inc, &names, 0.5, 0.5);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("residuals of 'a' are strongly non-normal"));
    }
}
