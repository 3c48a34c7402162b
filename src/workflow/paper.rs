//! The numbers the paper reports (Shukla & Joshi, arXiv 2510.10739), as
//! collected from secondary notes: per-strategy convergence rate, discrete
//! |λ|, mode, trajectory R², equilibrium, and the pooled increment
//! correlations. The preset is calibrated against these; `replicate` and the
//! calibration tests compare with them.

/// One strategy's reported figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaperStrategy {
    /// Short name.
    pub name: &'static str,
    /// Label used by the paper's notes.
    pub label: &'static str,
    /// Convergence rate ρ.
    pub rho: f64,
    /// Reported spread of ρ (± value), if any.
    pub rho_spread: Option<f64>,
    /// Reported discrete |λ| = |1 − ρ|.
    pub discrete_abs_lambda: f64,
    /// Dynamic mode as the paper names it.
    pub mode: &'static str,
    /// Predictive accuracy R².
    pub r2: f64,
    /// Equilibrium (security, efficiency, functionality).
    pub equilibrium: [f64; 3],
    /// "Pareto efficiency", where a number is reported.
    pub pareto_efficiency: Option<f64>,
}

/// The four strategies, in the preset's order.
pub const STRATEGIES: [PaperStrategy; 4] = [
    PaperStrategy {
        name: "EF",
        label: "Efficiency-Focused",
        rho: 0.33,
        rho_spread: Some(0.08),
        discrete_abs_lambda: 0.67,
        mode: "exponential",
        r2: 0.58,
        equilibrium: [5.25, 4.65, 7.26],
        pareto_efficiency: None,
    },
    PaperStrategy {
        name: "SF",
        label: "Security-Focused",
        rho: 1.08,
        rho_spread: Some(0.15),
        discrete_abs_lambda: 0.08,
        mode: "oscillatory",
        r2: 0.72,
        equilibrium: [5.75, 3.90, 8.20],
        pareto_efficiency: None,
    },
    PaperStrategy {
        name: "FF",
        label: "Feature-Focused",
        rho: 1.29,
        rho_spread: Some(0.21),
        discrete_abs_lambda: 0.29,
        mode: "boundary",
        r2: 0.50,
        equilibrium: [0.00, 2.10, 8.75],
        pareto_efficiency: Some(0.50),
    },
    PaperStrategy {
        name: "AI",
        label: "Adaptive Integration",
        rho: 0.15,
        rho_spread: None,
        discrete_abs_lambda: 0.85,
        mode: "balanced",
        r2: 0.74,
        equilibrium: [4.00, 4.20, 8.20],
        pareto_efficiency: None,
    },
];

/// Pooled increment correlation of functionality with efficiency.
pub const I_FE: f64 = -0.17;
/// Pooled increment correlation of functionality with security.
pub const I_FS: f64 = -0.09;
/// Sessions per strategy in the paper's data.
pub const SESSIONS: usize = 100;
/// Iterations per session (the notes' best estimate).
pub const ITERATIONS: u32 = 10;
