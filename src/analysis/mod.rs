//! Analysis: spectra of the drift, and reports reduced from simulation output.

mod columns;
pub mod convergence;
pub mod errors;
pub mod goals;
pub mod moments;
pub mod sensitivity;
pub mod spectral;
pub mod terminal;

use serde::{Deserialize, Serialize};

use crate::engine::{EngineInfo, Job, PlanError, Run, Scenario, SetOutput};
use crate::model::Policy;
use crate::pareto;
use columns::Columns;
use convergence::FirstPassage;
use errors::{FoldErrors, FoldStats, count_se, jackknife};
use moments::RecordMoments;
pub use spectral::{Mode, Spectrum};
use terminal::Terminal;

/// Terminal quantiles per objective, each with its standard error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    /// 5th percentile.
    pub p05: Vec<f64>,
    /// Its standard error.
    pub p05_se: Vec<f64>,
    /// 25th percentile.
    pub p25: Vec<f64>,
    /// Its standard error.
    pub p25_se: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// Its standard error.
    pub p50_se: Vec<f64>,
    /// 75th percentile.
    pub p75: Vec<f64>,
    /// Its standard error.
    pub p75_se: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
    /// Its standard error.
    pub p95_se: Vec<f64>,
}

impl Quantiles {
    /// From the values and errors at [`terminal::PROBS`] (`[p][objective]`).
    fn new(mut q: Vec<Vec<f64>>, mut se: Vec<Vec<f64>>) -> Self {
        let mut next = || (q.remove(0), se.remove(0));
        let (p05, p05_se) = next();
        let (p25, p25_se) = next();
        let (p50, p50_se) = next();
        let (p75, p75_se) = next();
        let (p95, p95_se) = next();
        Quantiles {
            p05,
            p05_se,
            p25,
            p25_se,
            p50,
            p50_se,
            p75,
            p75_se,
            p95,
            p95_se,
        }
    }

    /// `(name, values, standard errors)` of each quantile, in order.
    pub fn entries(&self) -> [(&'static str, &[f64], &[f64]); 5] {
        [
            ("p05", &self.p05, &self.p05_se),
            ("p25", &self.p25, &self.p25_se),
            ("p50", &self.p50, &self.p50_se),
            ("p75", &self.p75, &self.p75_se),
            ("p95", &self.p95, &self.p95_se),
        ]
    }
}

/// Everything `summary.json` says about one strategy (or policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategySummary {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Policy kind (`fixed`, `schedule`, `guard`, `greedy`, `adaptive`).
    pub policy: String,
    /// ρ = min Re λ(A); `null` for switching policies.
    pub theoretical_rate: Option<f64>,
    /// Eigenvalues of A as `[re, im]`.
    pub eigenvalues: Option<Vec<[f64; 2]>>,
    /// Dynamic mode.
    pub mode: Option<Mode>,
    /// Spectral radius r of the discrete map I − A·dt.
    pub discrete_spectral_radius: Option<f64>,
    /// The asymptotic log-decay rate of the discrete map, −ln(r)/dt: what the
    /// empirical rate estimates (≈ ρ when ρ·dt ≪ 1).
    pub theoretical_log_rate: Option<f64>,
    /// x*.
    pub target: Option<Vec<f64>>,
    /// Mean terminal state (finite paths).
    pub terminal_mean: Vec<f64>,
    /// Standard error of the terminal mean.
    pub terminal_mean_se: Vec<f64>,
    /// Terminal standard deviation.
    pub terminal_sd: Vec<f64>,
    /// Standard error of the terminal standard deviation.
    pub terminal_sd_se: Vec<f64>,
    /// Terminal covariance.
    pub terminal_cov: Vec<Vec<f64>>,
    /// Standard error of each terminal covariance.
    pub terminal_cov_se: Vec<Vec<f64>>,
    /// Terminal quantiles, from the kept terminal states.
    pub terminal_quantiles: Quantiles,
    /// Long-run mean (last quarter of the run).
    pub effective_equilibrium: Vec<f64>,
    /// Standard error of the long-run mean.
    pub effective_equilibrium_se: Vec<f64>,
    /// −slope of ln‖E x_t − x_∞‖ per unit time; `null` if too few points.
    pub empirical_rate: Option<f64>,
    /// Standard error of the empirical rate; `null` with the rate.
    pub empirical_rate_se: Option<f64>,
    /// First-passage statistics.
    pub first_passage: FirstPassage,
    /// Correlation of per-step increments (the paper's interference matrix).
    pub increment_correlation: Vec<Vec<f64>>,
    /// Standard error of each increment correlation.
    pub increment_correlation_se: Vec<Vec<f64>>,
    /// Paths that became non-finite (|x| ≥ 1e15, NaN or ∞), excluded from
    /// every moment from that step on.
    pub nonfinite_paths: u64,
    /// Standard error of that count (binomial).
    pub nonfinite_paths_se: f64,
    /// Hypervolume of the terminal states (objectives normalised to [0, 1] by
    /// their bounds, reference point = the lower bounds).
    pub hypervolume: f64,
    /// Standard error of the hypervolume.
    pub hypervolume_se: f64,
    /// Fraction of the pooled non-dominated front (all strategies' terminal
    /// states together) that this strategy contributes.
    pub pareto_share: f64,
    /// Standard error of the Pareto share.
    pub pareto_share_se: f64,
    /// Size of this strategy's own non-dominated front.
    pub pareto_front_size: usize,
    /// Standard error of the front size.
    pub pareto_front_size_se: f64,
    /// For switching policies: fraction of path-steps spent in each strategy.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub occupancy: Option<Vec<(String, f64)>>,
    /// Standard errors of the occupancy fractions.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub occupancy_se: Option<Vec<(String, f64)>>,
    /// Goal and constraint statistics (runs with goals only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub goal: Option<goals::GoalSummary>,
}

impl StrategySummary {
    /// A summary with every number undefined (for listing field names).
    pub fn empty(n: usize) -> Self {
        let nan = vec![f64::NAN; n];
        let q = vec![nan.clone(); terminal::PROBS.len()];
        StrategySummary {
            name: String::new(),
            label: String::new(),
            policy: String::new(),
            theoretical_rate: None,
            eigenvalues: None,
            mode: None,
            discrete_spectral_radius: None,
            theoretical_log_rate: None,
            target: None,
            terminal_mean: nan.clone(),
            terminal_mean_se: nan.clone(),
            terminal_sd: nan.clone(),
            terminal_sd_se: nan.clone(),
            terminal_cov: vec![nan.clone(); n],
            terminal_cov_se: vec![nan.clone(); n],
            terminal_quantiles: Quantiles::new(q.clone(), q),
            effective_equilibrium: nan.clone(),
            effective_equilibrium_se: nan.clone(),
            empirical_rate: None,
            empirical_rate_se: None,
            first_passage: convergence::first_passage(&[0], 0.0),
            increment_correlation: vec![nan.clone(); n],
            increment_correlation_se: vec![nan; n],
            nonfinite_paths: 0,
            nonfinite_paths_se: f64::NAN,
            hypervolume: f64::NAN,
            hypervolume_se: f64::NAN,
            pareto_share: f64::NAN,
            pareto_share_se: f64::NAN,
            pareto_front_size: 0,
            pareto_front_size_se: f64::NAN,
            occupancy: None,
            occupancy_se: None,
            goal: None,
        }
    }
}

/// A whole simulation report: the schema of `summary.json`, nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Model name.
    pub model: String,
    /// Objective names.
    pub objectives: Vec<String>,
    /// Paths per strategy.
    pub paths: u64,
    /// Steps.
    pub steps: u32,
    /// Time step.
    pub dt: f64,
    /// Seed.
    pub seed: u64,
    /// Engine kind (`cpu` or `gpu`).
    pub engine: String,
    /// Paths per strategy whose terminal states feed the quantiles and the
    /// Pareto analysis: the first `terminal_sample` paths, a uniform
    /// subsample when fewer than `paths` (`--pareto-sample`).
    pub terminal_sample: u64,
    /// Whether the Pareto analysis used a subsample of the paths.
    pub pareto_subsampled: bool,
    /// Size of the pooled non-dominated front.
    pub pooled_front_size: usize,
    /// Standard error of the pooled front size.
    pub pooled_front_size_se: f64,
    /// Hypervolume reference point (objective units): the lower bounds
    /// unless `--pareto-reference` set it. Objectives are normalised to
    /// [0, 1] by the model's bounds.
    pub pareto_reference: Vec<f64>,
    /// One entry per strategy or policy.
    pub strategies: Vec<StrategySummary>,
}

/// A run reduced: the [`Report`] and the series written beside
/// `summary.json`, computed together because they share the moments and the
/// pooled front.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduction {
    /// What `summary.json` holds.
    pub report: Report,
    /// Moments per strategy and record (`moments.csv`).
    pub moments: Vec<Vec<RecordMoments>>,
    /// The pooled front as `(strategy index, terminal state)`
    /// (`pareto_front.csv`).
    pub pooled_front: Vec<(usize, Vec<f64>)>,
}

/// Choices that shape a report but not the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Hypervolume reference point in objective units (default: the lower
    /// bounds).
    #[serde(default)]
    pub pareto_reference: Option<Vec<f64>>,
    /// Leave the standard errors out (NaN): sweeps that do not report them
    /// skip their cost. Not part of a run's identity.
    #[serde(skip)]
    pub skip_errors: bool,
}

impl ReportOptions {
    /// Checks the options against a model's objectives.
    pub fn check(&self, n: usize) -> Result<(), PlanError> {
        match &self.pareto_reference {
            Some(r) if r.len() != n || r.iter().any(|v| !v.is_finite()) => Err(PlanError::Option {
                field: "pareto_reference",
                value: r
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                why: match r.iter().position(|v| !v.is_finite()) {
                    Some(i) if r.len() == n => format!(
                        "value {} of the hypervolume reference is {}; give {n} finite values, one per objective",
                        i + 1,
                        r[i]
                    ),
                    _ => format!(
                        "the hypervolume reference has {} values; give {n} finite values, one per objective",
                        r.len()
                    ),
                },
            }),
            _ => Ok(()),
        }
    }
}

impl Report {
    /// Reduces a run's output to `summary.json`'s schema (see
    /// [`Reduction::new`] for the series as well).
    pub fn new(run: &Run, opts: &ReportOptions) -> Report {
        Reduction::new(run, opts).report
    }
}

impl Reduction {
    /// Reduces a run's output.
    pub fn new(run: &Run, opts: &ReportOptions) -> Reduction {
        Self::from_sets(
            &run.scenarios,
            &run.job,
            0,
            &run.output.sets,
            &run.engine,
            opts,
        )
    }

    /// Reduces the outputs of the job's sets `first..first + scenarios.len()`
    /// (a sweep point's strategies), pooling the Pareto analysis over them.
    pub fn from_sets(
        scenarios: &[Scenario],
        job: &Job,
        first: usize,
        outputs: &[SetOutput],
        engine: &EngineInfo,
        opts: &ReportOptions,
    ) -> Reduction {
        let base = &scenarios[0].model;
        let n = base.n();
        let errors = !opts.skip_errors;
        let (terms, cols): (Vec<Terminal>, Vec<Columns>) =
            outputs.iter().map(|s| Columns::of_set(s, n)).unzip();
        let norm = pareto::Normalization::from_bounds(
            base.objective_names(),
            &base.bounds(),
            vec![false; n],
        )
        .expect("a validated model has one finite range per objective");
        // In three dimensions the hypervolume sweeps the third objective in
        // order: one sort of that column serves it and the column's quantiles.
        let sorted: Vec<Option<Vec<u32>>> =
            cols.iter().map(|c| (n == 3).then(|| c.sorted(2))).collect();
        let zs: Vec<Option<Vec<u64>>> = sorted
            .iter()
            .map(|s| {
                let s = s.as_deref()?;
                let values: Vec<f64> = Terminal::sorted_values(s).collect();
                Some(norm.sweep_keys(2, &values))
            })
            .collect();
        let pa = ParetoErrors::new(&terms, &norm, opts.pareto_reference.as_deref(), &zs, errors);
        let mut strategies = Vec::new();
        let mut all_moments = Vec::new();
        for (k, (sc, set)) in scenarios.iter().zip(outputs).enumerate() {
            let term = (&terms[k], &cols[k], sorted[k].as_deref().map(|s| (2, s)));
            let (mut summary, moments) = summarize(sc, job, first + k, set, term, errors);
            summary.hypervolume = pa.full.hypervolume[k];
            summary.hypervolume_se = pa.se(|s| s.hypervolume[k]);
            summary.pareto_share = pa.full.share[k];
            summary.pareto_share_se = pa.se(|s| s.share[k]);
            summary.pareto_front_size = pa.full.front_size[k];
            summary.pareto_front_size_se = pa.se(|s| s.front_size[k] as f64);
            strategies.push(summary);
            all_moments.push(moments);
        }
        let paths = job.paths(first);
        let sample = job.kept_paths(first);
        let report = Report {
            model: base.name.clone(),
            objectives: base.objective_names(),
            paths,
            steps: job.steps(),
            dt: job.dt(first),
            seed: job.seed(),
            engine: engine.kind.clone(),
            terminal_sample: sample,
            pareto_subsampled: sample < paths,
            pooled_front_size: pa.full.front.len(),
            pooled_front_size_se: pa.se(|s| s.front.len() as f64),
            pareto_reference: opts
                .pareto_reference
                .clone()
                .unwrap_or_else(|| norm.lower.clone()),
            strategies,
        };
        let pooled_front = pa
            .full
            .front
            .iter()
            .map(|&(k, i)| (k, terms[k].row(i).iter().map(|&v| f64::from(v)).collect()))
            .collect();
        Reduction {
            report,
            moments: all_moments,
            pooled_front,
        }
    }
}

/// Finite terminal states of a set as rows.
pub fn terminal_rows(set: &SetOutput, n: usize) -> Vec<Vec<f64>> {
    let t = Terminal::new(set, n);
    t.rows
        .chunks_exact(n)
        .map(|r| r.iter().map(|&v| f64::from(v)).collect())
        .collect()
}

/// The pooled Pareto statistics and their leave-one-group-out replicates.
struct ParetoErrors {
    full: pareto::PooledStats,
    reps: Vec<pareto::PooledStats>,
}

impl ParetoErrors {
    /// Normalises every set's rows into one flat buffer each, then pools
    /// (`zs[k]`: set `k`'s hypervolume sweep keys, when known). Without
    /// replicates or a reference, only the fronts are normalised where that
    /// gives the same bits ([`pareto::pooled_raw`]).
    fn new(
        terms: &[Terminal],
        norm: &pareto::Normalization,
        reference: Option<&[f64]>,
        zs: &[Option<Vec<u64>>],
        errors: bool,
    ) -> Self {
        let d = norm.objectives.len();
        let zs: Vec<Option<&[u64]>> = zs.iter().map(Option::as_deref).collect();
        if !errors && reference.is_none() {
            let raw: Vec<&[f32]> = terms.iter().map(|t| &t.rows[..]).collect();
            if let Some(full) = pareto::pooled_raw(&raw, &zs, norm) {
                return ParetoErrors {
                    full,
                    reps: Vec::new(),
                };
            }
        }
        let flats: Vec<Vec<f64>> = terms
            .iter()
            .map(|t| {
                let mut z = Vec::with_capacity(t.rows.len());
                norm.apply_rows(&t.rows, &mut z);
                z
            })
            .collect();
        let views: Vec<&[f64]> = flats.iter().map(Vec::as_slice).collect();
        let origin = reference.map_or_else(|| vec![0.0; d], |r| norm.apply(r));
        let full = pareto::pooled_flat_keyed(&views, &zs, d, &origin);
        let same_groups = terms
            .windows(2)
            .all(|w| w[0].groups.len() == w[1].groups.len());
        let reps = if errors && same_groups {
            let groups: Vec<Vec<usize>> = terms.iter().map(|t| t.groups.clone()).collect();
            pareto::pooled_replicates(&views, &groups, d, &origin)
        } else {
            Vec::new()
        };
        ParetoErrors { full, reps }
    }

    /// The jackknife standard error of one statistic.
    fn se(&self, f: impl Fn(&pareto::PooledStats) -> f64) -> f64 {
        jackknife(&self.reps.iter().map(f).collect::<Vec<_>>())
    }
}

fn summarize(
    sc: &Scenario,
    job: &Job,
    k: usize,
    set: &SetOutput,
    (term, cols, sorted): (&Terminal, &Columns, Option<(usize, &[u32])>),
    errors: bool,
) -> (StrategySummary, Vec<RecordMoments>) {
    let m = &sc.model;
    let n = m.n();
    let layout = job.partial_layout();
    let dt = job.dt(k);
    let total = set.fold.total().unwrap_or_else(|| vec![0.0; layout.len()]);
    let ranges: Vec<f64> = m.objectives.iter().map(|o| o.range()).collect();
    let strategies = m.strategies.len();
    let stats = FoldStats::new(&total, job, k, &ranges, strategies);
    let groups = if errors {
        set.groups.sums()
    } else {
        Vec::new()
    };
    let reps = FoldStats::replicates(&total, &groups, job, k, &ranges, strategies);
    let se = FoldErrors::new(&stats, &reps);
    let quantile_se = if errors {
        term.quantile_errors()
    } else {
        vec![vec![f64::NAN; n]; terminal::PROBS.len()]
    };
    let last = stats.last();
    let valid: u64 = set.hist.iter().sum();
    let nonfinite = valid.saturating_sub(last.count as u64);
    let spectrum = match &sc.policy {
        Policy::Fixed { strategy } => Some(spectral::spectrum(m, &m.strategies[*strategy], dt)),
        _ => None,
    };
    let occupancy = (!matches!(sc.policy, Policy::Fixed { .. }) && layout.occupancy).then(|| {
        let named = |v: &[f64]| {
            m.strategies
                .iter()
                .zip(v)
                .map(|(s, c)| (s.name.clone(), *c))
                .collect::<Vec<_>>()
        };
        (named(&stats.occupancy), named(&se.occupancy))
    });
    let summary = StrategySummary {
        name: sc.name.clone(),
        label: sc.label.clone(),
        policy: policy_kind(&sc.policy).into(),
        theoretical_rate: spectrum.as_ref().map(|s| s.rho),
        eigenvalues: spectrum.as_ref().map(|s| s.eigenvalues.clone()),
        mode: spectrum.as_ref().map(|s| s.mode),
        discrete_spectral_radius: spectrum.as_ref().map(|s| s.discrete_spectral_radius),
        theoretical_log_rate: spectrum
            .as_ref()
            .map(|s| -s.discrete_spectral_radius.ln() / dt),
        target: spectrum.as_ref().map(|s| s.equilibrium.clone()),
        terminal_mean: last.mean.clone(),
        terminal_mean_se: se.mean,
        terminal_sd: last.sd.clone(),
        terminal_sd_se: se.sd,
        terminal_cov: stats.cov.clone(),
        terminal_cov_se: se.cov,
        terminal_quantiles: Quantiles::new(cols.quantiles(sorted), quantile_se),
        empirical_rate: stats.rate,
        empirical_rate_se: se.rate,
        effective_equilibrium: stats.equilibrium.clone(),
        effective_equilibrium_se: se.equilibrium,
        first_passage: convergence::first_passage(&set.hist, job.tolerance()),
        increment_correlation: stats.increment_correlation.clone(),
        increment_correlation_se: se.increment_correlation,
        nonfinite_paths: nonfinite,
        nonfinite_paths_se: count_se(nonfinite as f64, valid as f64),
        hypervolume: 0.0,
        hypervolume_se: f64::NAN,
        pareto_share: 0.0,
        pareto_share_se: f64::NAN,
        pareto_front_size: 0,
        pareto_front_size_se: f64::NAN,
        occupancy_se: occupancy.as_ref().map(|o| o.1.clone()),
        occupancy: occupancy.map(|o| o.0),
        goal: goals::goal_summary(job, set, &m.objective_names()),
    };
    (summary, stats.records)
}

/// The kind of a policy, as `summary.json` names it.
fn policy_kind(p: &Policy) -> &'static str {
    match p {
        Policy::Fixed { .. } => "fixed",
        Policy::Schedule { .. } => "schedule",
        Policy::Guard { .. } => "guard",
        Policy::Greedy { .. } => "greedy",
        Policy::Adaptive(_) => "adaptive",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cpu::CpuEngine;
    use crate::engine::{JobOptions, Run};
    use crate::model::Model;

    fn run() -> Run {
        let model = Model::preset("code-generation").unwrap();
        let scenarios = Scenario::defaults(&model);
        let mut opts = JobOptions::paths(512);
        opts.integration.steps = Some(40);
        let job = Job::new(&scenarios, &opts).unwrap();
        let mut cpu = CpuEngine::new(1).unwrap();
        Run::execute(&mut cpu, scenarios, job, &mut |_| {}).unwrap()
    }

    #[test]
    fn the_reduction_holds_the_report_and_its_series() {
        let run = run();
        let opts = ReportOptions::default();
        let r = Reduction::new(&run, &opts);
        // Compared as JSON: undefined errors are NaN, which `==` never equates.
        let json = |r: &Report| serde_json::to_string(r).unwrap();
        assert_eq!(json(&r.report), json(&Report::new(&run, &opts)));
        assert_eq!(r.moments.len(), r.report.strategies.len());
        assert!(
            r.moments
                .iter()
                .all(|m| m.len() == run.job.records() as usize)
        );
        assert_eq!(r.pooled_front.len(), r.report.pooled_front_size);
        assert!(r.pooled_front.iter().all(|(k, x)| {
            *k < r.report.strategies.len() && x.len() == r.report.objectives.len()
        }));
    }
}
