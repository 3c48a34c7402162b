//! The paper's experiment end to end: sessions generated from the preset,
//! fitted back, and compared with the paper's reported numbers.

use serde::{Deserialize, Serialize};

use std::path::{Path, PathBuf};

use super::distribution::{Distribution, SeedRow};
use super::distribution_report::distribution_figure;
use super::paper::{self, PaperStrategy};
use super::{WorkflowError, generate};
use crate::engine::Engine;
use crate::fit::{self, FitOptions, FitReport, StrategyFit};
use crate::formats::sessions::Sessions;
use crate::model::Model;
use crate::pareto::{self, Normalization};
use crate::report::figures::{ComparisonRow, FigureError, PaperComparison, save};
use crate::report::{WriteError, write_atomic, write_json};

/// Tolerances the calibration aims at (issue targets).
pub const RHO_TOL: f64 = 0.15;
/// Trajectory R² tolerance.
pub const R2_TOL: f64 = 0.05;
/// Equilibrium tolerance.
pub const EQ_TOL: f64 = 0.25;
/// Increment-correlation tolerance.
pub const I_TOL: f64 = 0.05;

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Convergence rate.
    pub rho: f64,
    /// Interval or spread of ρ: the paper's ± (as `[ρ−s, ρ+s]`) or our bootstrap interval.
    pub rho_interval: Option<[f64; 2]>,
    /// Discrete |λ| (paper) or spectral radius of I − A·dt (ours).
    pub discrete: f64,
    /// Mode.
    pub mode: String,
    /// Trajectory R² (the paper's predictive accuracy).
    pub r2: f64,
    /// Equilibrium (ours: the fitted x* clamped into the bounds).
    pub equilibrium: Vec<f64>,
    /// Pareto efficiency (paper, where given) or share of the pooled front of
    /// the sessions' final states (ours).
    pub pareto: Option<f64>,
}

/// Paper against ours for one strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyComparison {
    /// Strategy name.
    pub name: String,
    /// The paper's figures.
    pub paper: Figures,
    /// Ours.
    pub ours: Figures,
    /// Our one-step R² (for contrast: it cannot play the paper's role).
    pub r2_one_step: f64,
}

/// The two interference values the paper reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InterferencePair {
    /// Functionality with efficiency.
    #[serde(rename = "I_fe")]
    pub i_fe: f64,
    /// Functionality with security.
    #[serde(rename = "I_fs")]
    pub i_fs: f64,
}

/// Paper against ours for the pooled increment correlations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InterferenceComparison {
    /// The paper's values.
    pub paper: InterferencePair,
    /// Ours.
    pub ours: InterferencePair,
}

/// `replication.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replication {
    /// Sessions per strategy.
    pub sessions: u32,
    /// Iterations per session.
    pub iterations: u32,
    /// Seed.
    pub seed: u64,
    /// Per strategy.
    pub strategies: Vec<StrategyComparison>,
    /// Pooled increment correlations.
    pub interference: InterferenceComparison,
    /// Targets missed, each with the amount.
    pub missed: Vec<String>,
    /// With several replications: the spread of every statistic over them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
    /// With several replications: each one's numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<SeedRow>>,
}

/// Everything a replication produced.
#[derive(Debug, Clone)]
pub struct ReplicationRun {
    /// The generated sessions.
    pub sessions: Sessions,
    /// The fit.
    pub fit: FitReport,
    /// The comparison.
    pub replication: Replication,
}

/// Generates `sessions × iterations` per strategy from `model` (the
/// code-generation preset), fits them with the model's bounds, and compares.
pub fn replicate(
    model: &Model,
    engine: &mut dyn Engine,
    n_sessions: u32,
    iterations: u32,
    seed: u64,
    bootstrap: usize,
) -> Result<ReplicationRun, WorkflowError> {
    let data = generate(model, engine, n_sessions, iterations, seed, 0.0)?;
    let bounds = model
        .bounds_of(&model.objective_names())
        .expect("a model has bounds for its own objectives");
    let opts = FitOptions {
        dt: model.dt,
        bounds: Some(bounds.clone()),
        holdout: 0.0,
        bootstrap,
        seed,
    };
    let fitted = fit::fit(&data, &opts)?;
    let names = data.strategies();
    let shares = pareto_shares(model, &data, &bounds);
    let mut missed = Vec::new();
    let mut strategies = Vec::new();
    for p in paper::STRATEGIES {
        let Some(f) = fitted.strategies.iter().find(|s| s.name == p.name) else {
            missed.push(format!("{}: could not be fitted", p.name));
            continue;
        };
        let share = names.iter().position(|n| n == p.name).map(|k| shares[k]);
        let c = compare(&p, f, &bounds, share);
        missed.extend(misses(&c, &model.objective_names()));
        strategies.push(c);
    }
    let interference = InterferenceComparison {
        paper: InterferencePair {
            i_fe: paper::I_FE,
            i_fs: paper::I_FS,
        },
        ours: pooled_pair(model, &fitted.pooled_increment_correlation),
    };
    missed.extend(interference_misses(&interference));
    let replication = Replication {
        sessions: n_sessions,
        iterations,
        seed,
        strategies,
        interference,
        missed,
        distribution: None,
        rows: None,
    };
    Ok(ReplicationRun {
        sessions: data,
        fit: fitted,
        replication,
    })
}

/// Pareto share of the sessions' final states per strategy (in the order of
/// `data.strategies()`), pooled over strategies.
fn pareto_shares(model: &Model, data: &Sessions, bounds: &[(f64, f64)]) -> Vec<f64> {
    let finals: Vec<Vec<Vec<f64>>> = data
        .strategies()
        .iter()
        .map(|n| {
            data.sessions
                .iter()
                .filter(|s| &s.strategy == n)
                .map(|s| s.states.last().cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    let norm = Normalization {
        objectives: model.objective_names(),
        lower: bounds.iter().map(|b| b.0).collect(),
        upper: bounds.iter().map(|b| b.1).collect(),
        minimize: vec![false; model.n()],
    };
    pareto::pooled(&finals, &norm, None).share
}

/// The pooled increment correlations the paper reports (NaN when the model
/// lacks one of the three objectives).
fn pooled_pair(model: &Model, pic: &[Vec<f64>]) -> InterferencePair {
    let idx = |name: &str| model.objectives.iter().position(|o| o.name == name);
    match (idx("functionality"), idx("efficiency"), idx("security")) {
        (Some(f), Some(e), Some(s)) => InterferencePair {
            i_fe: pic[f][e],
            i_fs: pic[f][s],
        },
        _ => InterferencePair {
            i_fe: f64::NAN,
            i_fs: f64::NAN,
        },
    }
}

/// The paper's figures for one strategy beside ours.
fn compare(
    p: &PaperStrategy,
    f: &StrategyFit,
    bounds: &[(f64, f64)],
    share: Option<f64>,
) -> StrategyComparison {
    let equilibrium: Vec<f64> = f
        .target
        .iter()
        .zip(bounds)
        .map(|(x, b)| x.clamp(b.0, b.1))
        .collect();
    StrategyComparison {
        name: p.name.into(),
        paper: Figures {
            rho: p.rho,
            rho_interval: p.rho_spread.map(|s| [p.rho - s, p.rho + s]),
            discrete: p.discrete_abs_lambda,
            mode: p.mode.into(),
            r2: p.r2,
            equilibrium: p.equilibrium.to_vec(),
            pareto: p.pareto_efficiency,
        },
        ours: Figures {
            rho: f.rho,
            rho_interval: f.rho_ci,
            discrete: f.discrete_spectral_radius,
            mode: f.mode.to_string(),
            r2: f.r2_trajectory,
            equilibrium,
            pareto: share,
        },
        r2_one_step: f.r2_one_step,
    }
}

/// The calibration targets one strategy misses, each with the amount.
fn misses(c: &StrategyComparison, objectives: &[String]) -> Vec<String> {
    let (p, ours) = (&c.paper, &c.ours);
    let mut out = Vec::new();
    if (ours.rho - p.rho).abs() > RHO_TOL {
        out.push(format!(
            "{}: rho {:.3} vs paper {:.2} (off by {:.3}, tolerance {RHO_TOL})",
            c.name,
            ours.rho,
            p.rho,
            ours.rho - p.rho
        ));
    }
    if (ours.r2 - p.r2).abs() > R2_TOL {
        out.push(format!(
            "{}: trajectory R² {:.3} vs paper {:.2} (off by {:.3}, tolerance {R2_TOL})",
            c.name,
            ours.r2,
            p.r2,
            ours.r2 - p.r2
        ));
    }
    for (i, (a, b)) in ours.equilibrium.iter().zip(&p.equilibrium).enumerate() {
        if (a - b).abs() > EQ_TOL {
            out.push(format!(
                "{}: equilibrium {} {:.2} vs paper {:.2} (off by {:.2}, tolerance {EQ_TOL})",
                c.name,
                objectives[i],
                a,
                b,
                a - b
            ));
        }
    }
    out
}

/// The interference targets missed.
fn interference_misses(c: &InterferenceComparison) -> Vec<String> {
    [
        ("I_fe", c.ours.i_fe, c.paper.i_fe),
        ("I_fs", c.ours.i_fs, c.paper.i_fs),
    ]
    .into_iter()
    .filter(|(_, a, b)| a.is_nan() || (a - b).abs() > I_TOL)
    .map(|(label, a, b)| {
        format!(
            "{label}: {a:.3} vs paper {b:.2} (off by {:.3}, tolerance {I_TOL})",
            a - b
        )
    })
    .collect()
}

impl ReplicationRun {
    /// Writes the run's files into `dir`: `sessions.csv`, the fit's
    /// `report.json`, the refitted model `fitted.toml`, `replication.json`
    /// and `replication.md`. Each file is written atomically.
    pub fn write(&self, dir: &Path) -> Result<(), WriteError> {
        write_atomic(&dir.join("sessions.csv"), &self.sessions.to_csv())?;
        write_json(&dir.join("report.json"), &self.fit)?;
        let spec = self.fit.to_spec(&self.sessions, "code-generation-refit");
        write_atomic(&dir.join("fitted.toml"), spec.to_toml().as_bytes())?;
        write_json(&dir.join("replication.json"), &self.replication)?;
        write_atomic(
            &dir.join("replication.md"),
            self.replication.markdown().as_bytes(),
        )
    }
}

fn v(x: &[f64]) -> String {
    x.iter()
        .map(|a| format!("{a:.2}"))
        .collect::<Vec<_>>()
        .join("/")
}

impl StrategyComparison {
    /// The strategy's row of the table in `replication.md`.
    fn markdown_row(&self) -> String {
        let (paper, ours) = (&self.paper, &self.ours);
        let ci = ours
            .rho_interval
            .map_or(String::new(), |c| format!(" [{:.2}, {:.2}]", c[0], c[1]));
        let spread = paper
            .rho_interval
            .map_or(String::new(), |c| format!(" ± {:.2}", (c[1] - c[0]) / 2.0));
        format!(
            "| {} | {:.2}{} | {:.3}{} | {:.2} | {:.3} | {} | {} | {:.2} | {:.3} | {:.3} | {} | {} | {} | {} |\n",
            self.name,
            paper.rho,
            spread,
            ours.rho,
            ci,
            paper.discrete,
            ours.discrete,
            paper.mode,
            ours.mode,
            paper.r2,
            ours.r2,
            self.r2_one_step,
            v(&paper.equilibrium),
            v(&ours.equilibrium),
            paper
                .pareto
                .map_or("High".to_string(), |p| format!("{:.0}%", p * 100.0)),
            ours.pareto
                .map_or("-".to_string(), |p| format!("{:.0}%", p * 100.0)),
        )
    }
}

impl Replication {
    /// `replication.md`: with several replications, the distribution of
    /// every statistic first, then the first replication's table.
    pub fn markdown(&self) -> String {
        match &self.distribution {
            None => self.table_markdown(),
            Some(d) => {
                let one = self.table_markdown().replacen(
                    "# Replication of the paper's results table",
                    &format!("## One replication (seed {})", self.seed),
                    1,
                );
                format!(
                    "{}
{one}",
                    d.markdown(self.sessions, self.iterations)
                )
            }
        }
    }

    /// The table of one replication against the paper's.
    fn table_markdown(&self) -> String {
        let mut t = format!(
            "# Replication of the paper's results table\n\n{} sessions × {} iterations per strategy, generated from the \
             `code-generation` preset (seed {}), then fitted back with `mosde fit` (bounds known, so censored increments \
             are left out). Paper values as reported in secondary notes (see README).\n\n",
            self.sessions, self.iterations, self.seed
        );
        t += "| strategy | ρ paper | ρ ours [95% CI] | discrete \\|λ\\| paper | r(I−A dt) ours | mode paper | mode ours | R² paper | R² ours (trajectory) | R² ours (one-step) | equilibrium paper | equilibrium ours | Pareto paper | Pareto share ours |\n";
        t += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
        for s in &self.strategies {
            t += &s.markdown_row();
        }
        t += &format!(
            "\nPooled increment correlations (the paper's interference matrix): I_fe paper {:.2}, ours {:.3}; I_fs paper {:.2}, ours {:.3}.\n",
            self.interference.paper.i_fe,
            self.interference.ours.i_fe,
            self.interference.paper.i_fs,
            self.interference.ours.i_fs
        );
        t += "\nNotes: the paper's R² is compared with our trajectory R² (the noise-free path from each session's first state \
              against what was observed); one-step R² is shown for contrast. The paper's discrete |λ| = |1 − ρ| cannot hold for an \
              oscillatory strategy, whose complex pair has |1 − λ| > |1 − Re λ|. 'Pareto share' is the fraction of the pooled \
              front of all sessions' final states that the strategy contributes; the paper does not define its 'Pareto \
              efficiency', so the two are not the same measure.\n";
        if self.missed.is_empty() {
            t += "\nEvery calibration target is met.\n";
        } else {
            t += "\nTargets missed:\n\n";
            for m in &self.missed {
                t += &format!("- {m}\n");
            }
        }
        t
    }
}

/// Our replicated numbers against the paper's (`replication`), and with
/// several replications their distribution against the paper's values
/// (`replication_distribution`; `objectives` name its equilibrium panels).
pub fn figures(
    dir: &Path,
    r: &Replication,
    objectives: &[String],
) -> Result<Vec<PathBuf>, FigureError> {
    let rows = r
        .strategies
        .iter()
        .enumerate()
        .map(|(k, s)| ComparisonRow {
            name: s.name.clone(),
            color: k,
            rho_paper: (
                s.paper.rho,
                s.paper.rho_interval.map(|c| (c[1] - c[0]) / 2.0),
            ),
            rho_ours: (s.ours.rho, s.ours.rho_interval),
            r2_paper: s.paper.r2,
            r2_ours: s.ours.r2,
        })
        .collect();
    let title = format!(
        "Replication: {} sessions × {} iterations per strategy, refitted (seed {})",
        r.sessions, r.iterations, r.seed
    );
    let mut files = save(&PaperComparison { title, rows }, dir, "replication")?;
    if let Some(fig) = distribution_figure(r, objectives) {
        files.extend(save(&fig, dir, "replication_distribution")?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cpu::CpuEngine;

    #[test]
    fn a_small_run_compares_and_writes_its_five_files() {
        let model = Model::preset("code-generation").unwrap();
        let mut e = CpuEngine::new(1).unwrap();
        let run = replicate(&model, &mut e, 30, 6, 1, 0).unwrap();
        let r = &run.replication;
        assert_eq!((r.sessions, r.iterations, r.seed), (30, 6, 1));
        assert_eq!(r.strategies.len(), run.fit.strategies.len());
        assert_eq!(r.strategies[0].paper.rho, paper::STRATEGIES[0].rho);
        let dir = tempfile::tempdir().unwrap();
        run.write(dir.path()).unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert_eq!(read("sessions.csv").as_bytes(), run.sessions.to_csv());
        assert_eq!(read("replication.md"), r.markdown());
        Model::from_toml(&read("fitted.toml"), "fitted.toml").unwrap();
        let back: Replication = serde_json::from_str(&read("replication.json")).unwrap();
        assert_eq!(back.strategies.len(), r.strategies.len());
        let fit: FitReport = serde_json::from_str(&read("report.json")).unwrap();
        assert_eq!(fit.objectives, run.fit.objectives);
    }

    #[test]
    fn interference_misses_name_the_pair_and_count_nan_as_missed() {
        let pair = |i_fe, i_fs| InterferencePair { i_fe, i_fs };
        let c = InterferenceComparison {
            paper: pair(-0.17, -0.09),
            ours: pair(-0.16, f64::NAN),
        };
        let m = interference_misses(&c);
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("I_fs: NaN vs paper -0.09"), "{}", m[0]);
    }
}
