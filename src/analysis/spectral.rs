//! Eigen-analysis of a strategy's drift: convergence rate, dynamic mode and
//! the stability of the discrete map (the model section of the README).

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::model::{Model, Strategy};

/// QR iterations per row of the matrix before the eigen-solver gives up
/// (nalgebra's own default is unbounded).
pub const MAX_SCHUR_ITERATIONS: usize = 200;

/// Imaginary parts below this count as real.
const IMAG_TOL: f64 = 1e-9;

/// The dynamic mode of a strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// All eigenvalues real with positive real part.
    Exponential,
    /// A complex pair: damped oscillation.
    Oscillatory,
    /// The target lies outside the bounds: an objective sticks at a bound.
    Boundary,
    /// Some eigenvalue has a non-positive real part.
    Unstable,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Exponential => "exponential",
            Mode::Oscillatory => "oscillatory",
            Mode::Boundary => "boundary",
            Mode::Unstable => "unstable",
        })
    }
}

impl Mode {
    /// The mode of a drift whose eigenvalues `ev` have the rate `rho` (their
    /// least real part): unstable when ρ ≤ 0 or NaN; else boundary when an
    /// objective sticks at a bound (`at_bound`: the target lies outside the
    /// bounds); else oscillatory when an eigenvalue is complex; else
    /// exponential.
    pub fn classify(rho: f64, at_bound: bool, ev: &[[f64; 2]]) -> Mode {
        // NaN (no eigenvalues could be computed) is not a proof of stability.
        if rho.is_nan() || rho <= 0.0 {
            Mode::Unstable
        } else if at_bound {
            Mode::Boundary
        } else if ev.iter().any(|e| e[1] != 0.0) {
            Mode::Oscillatory
        } else {
            Mode::Exponential
        }
    }
}

/// The convergence rate ρ = min Re λ and the spectral radius of the
/// discrete map I − A·dt, from the eigenvalues of A.
pub fn rates(ev: &[[f64; 2]], dt: f64) -> (f64, f64) {
    // `f64::min` skips NaN, which would turn "no eigenvalues" into ρ = ∞.
    if ev.iter().flatten().any(|v| !v.is_finite()) {
        return (f64::NAN, f64::NAN);
    }
    let rho = ev.iter().map(|e| e[0]).fold(f64::INFINITY, f64::min);
    let radius = ev
        .iter()
        .map(|e| (1.0 - e[0] * dt).hypot(e[1] * dt))
        .fold(0.0, f64::max);
    (rho, radius)
}

/// Eigenvalues of a real matrix as `[re, im]` pairs, sorted by real then
/// imaginary part so that outputs are stable.
///
/// Always returns: a matrix with a non-finite entry, or one whose QR
/// iteration does not converge within [`MAX_SCHUR_ITERATIONS`] per row,
/// gives NaN pairs ([`rates`] then gives NaN and [`Mode::classify`]
/// `unstable`). Huge or tiny matrices are scaled by a power of two first,
/// which is exact, so the eigenvalues of ordinary matrices are unchanged.
pub fn eigenvalues(a: &DMatrix<f64>) -> Vec<[f64; 2]> {
    let n = a.nrows();
    let nan = vec![[f64::NAN, f64::NAN]; n];
    if a.iter().any(|v| !v.is_finite()) {
        return nan;
    }
    let big = a.amax();
    let scale = if big > 1e100 || (big > 0.0 && big < 1e-100) {
        2f64.powi(-(big.log2().round() as i32))
    } else {
        1.0
    };
    let Some(schur) =
        nalgebra::linalg::Schur::try_new(a * scale, f64::EPSILON, MAX_SCHUR_ITERATIONS * n.max(1))
    else {
        return nan;
    };
    let mut ev: Vec<[f64; 2]> = schur
        .complex_eigenvalues()
        .iter()
        .map(|c| [c.re / scale, c.im / scale])
        .collect();
    for e in &mut ev {
        if e[1].abs() < IMAG_TOL {
            e[1] = 0.0;
        }
    }
    ev.sort_by(|x, y| x[0].total_cmp(&y[0]).then(x[1].total_cmp(&y[1])));
    ev
}

/// What `analyze` reports for one strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spectrum {
    /// Strategy name.
    pub name: String,
    /// Strategy label.
    pub label: String,
    /// A = (I + M)·diag(κ), row-major.
    pub a: Vec<Vec<f64>>,
    /// Eigenvalues of A as `[re, im]`.
    pub eigenvalues: Vec<[f64; 2]>,
    /// Convergence rate ρ = min Re λ(A): the slowest mode sets the asymptotic rate.
    pub rho: f64,
    /// Mode.
    pub mode: Mode,
    /// Spectral radius of the discrete map I − A·dt.
    pub discrete_spectral_radius: f64,
    /// Whether the continuous dynamics are stable (ρ > 0).
    pub stable: bool,
    /// Whether the discrete map is stable (radius < 1).
    pub discrete_stable: bool,
    /// Equilibrium x* (the target).
    pub equilibrium: Vec<f64>,
    /// x* clamped into the bounds (where clamped paths settle when A is
    /// diagonal; the simulated effective equilibrium is the exact answer).
    pub projected_equilibrium: Vec<f64>,
}

/// Analyses one strategy of a model with time step `dt`.
pub fn spectrum(model: &Model, s: &Strategy, dt: f64) -> Spectrum {
    let ev = eigenvalues(&s.a);
    let (rho, radius) = rates(&ev, dt);
    let outside = s
        .target
        .iter()
        .zip(&model.objectives)
        .any(|(x, o)| *x < o.lower || *x > o.upper);
    let mode = Mode::classify(rho, outside, &ev);
    let n = model.n();
    Spectrum {
        name: s.name.clone(),
        label: s.label.clone(),
        a: (0..n)
            .map(|i| (0..n).map(|j| s.a[(i, j)]).collect())
            .collect(),
        eigenvalues: ev,
        rho,
        mode,
        discrete_spectral_radius: radius,
        stable: rho > 0.0,
        discrete_stable: radius < 1.0,
        equilibrium: s.target.iter().copied().collect(),
        projected_equilibrium: model.project(&s.target).iter().copied().collect(),
    }
}

/// Analyses every strategy of a model.
pub fn analyze(model: &Model, dt: f64) -> Vec<Spectrum> {
    model
        .strategies
        .iter()
        .map(|s| spectrum(model, s, dt))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn modes_in_order_of_precedence() {
        let real = [[0.5, 0.0], [1.0, 0.0]];
        let complex = [[0.5, -0.2], [0.5, 0.2]];
        assert_eq!(Mode::classify(0.5, false, &real), Mode::Exponential);
        assert_eq!(Mode::classify(0.5, false, &complex), Mode::Oscillatory);
        assert_eq!(Mode::classify(0.5, true, &complex), Mode::Boundary);
        assert_eq!(Mode::classify(0.0, true, &complex), Mode::Unstable);
        let (rho, radius) = rates(&complex, 1.0);
        assert_eq!(rho, 0.5);
        assert_abs_diff_eq!(radius, 0.5f64.hypot(0.2), epsilon = 1e-15);
    }

    #[test]
    fn huge_and_non_finite_matrices_return() {
        // Entries near 1e200 overflow inside an unscaled QR iteration.
        let a = DMatrix::from_row_slice(2, 2, &[3e200, 1e200, 0.0, 2e200]);
        let ev = eigenvalues(&a);
        assert_abs_diff_eq!(ev[0][0] / 2e200, 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[1][0] / 3e200, 1.0, epsilon = 1e-12);
        let nan = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, 0.0, 1.0]);
        let ev = eigenvalues(&nan);
        let (rho, radius) = rates(&ev, 1.0);
        assert!(rho.is_nan() && radius.is_nan());
        assert_eq!(Mode::classify(rho, false, &ev), Mode::Unstable);
    }

    #[test]
    fn complex_pair_of_a_rotation() {
        let a = DMatrix::from_row_slice(2, 2, &[1.0, -0.5, 0.5, 1.0]);
        let ev = eigenvalues(&a);
        assert_abs_diff_eq!(ev[0][0], 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[0][1].abs(), 0.5, epsilon = 1e-12);
        assert_abs_diff_eq!(ev[0][1], -ev[1][1], epsilon = 1e-12);
    }
}
