//! Analysis: spectra of the drift, and reports reduced from simulation output.

pub mod convergence;
pub mod moments;
pub mod sensitivity;
pub mod spectral;

use serde::{Deserialize, Serialize};

use crate::engine::{DEAD, EngineInfo, Job, PartialLayout, PlanError, Run, Scenario, SetOutput};
use crate::model::Policy;
use crate::pareto;
use convergence::FirstPassage;
use moments::RecordMoments;
pub use spectral::{Mode, Spectrum};

/// Terminal quantiles per objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    /// 5th percentile.
    pub p05: Vec<f64>,
    /// 25th percentile.
    pub p25: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 75th percentile.
    pub p75: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
}

/// Everything `summary.json` says about one strategy (or policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategySummary {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Policy kind (`fixed`, `schedule`, `guard`, `greedy`).
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
    /// Terminal standard deviation.
    pub terminal_sd: Vec<f64>,
    /// Terminal covariance.
    pub terminal_cov: Vec<Vec<f64>>,
    /// Terminal quantiles, from the kept terminal states.
    pub terminal_quantiles: Quantiles,
    /// Long-run mean (last quarter of the run).
    pub effective_equilibrium: Vec<f64>,
    /// −slope of ln‖E x_t − x_∞‖ per unit time; `null` if too few points.
    pub empirical_rate: Option<f64>,
    /// First-passage statistics.
    pub first_passage: FirstPassage,
    /// Correlation of per-step increments (the paper's interference matrix).
    pub increment_correlation: Vec<Vec<f64>>,
    /// Paths that became non-finite (|x| ≥ 1e15, NaN or ∞), excluded from
    /// every moment from that step on.
    pub nonfinite_paths: u64,
    /// Hypervolume of the terminal states (objectives normalised to [0, 1] by
    /// their bounds, reference point = the lower bounds).
    pub hypervolume: f64,
    /// Fraction of the pooled non-dominated front (all strategies' terminal
    /// states together) that this strategy contributes.
    pub pareto_share: f64,
    /// Size of this strategy's own non-dominated front.
    pub pareto_front_size: usize,
    /// For switching policies: fraction of path-steps spent in each strategy.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub occupancy: Option<Vec<(String, f64)>>,
}

impl StrategySummary {
    /// A summary with every number undefined (for listing field names).
    pub fn empty(n: usize) -> Self {
        let nan = vec![f64::NAN; n];
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
            terminal_sd: nan.clone(),
            terminal_cov: vec![nan.clone(); n],
            terminal_quantiles: Quantiles {
                p05: nan.clone(),
                p25: nan.clone(),
                p50: nan.clone(),
                p75: nan.clone(),
                p95: nan.clone(),
            },
            effective_equilibrium: nan.clone(),
            empirical_rate: None,
            first_passage: convergence::first_passage(&[0], 0.0),
            increment_correlation: vec![nan; n],
            nonfinite_paths: 0,
            hypervolume: f64::NAN,
            pareto_share: f64::NAN,
            pareto_front_size: 0,
            occupancy: None,
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
        let dt = job.dt(first);
        let n = base.n();
        let samples: Vec<Vec<Vec<f64>>> = outputs.iter().map(|s| terminal_rows(s, n)).collect();
        let norm = pareto::Normalization::from_bounds(
            base.objective_names(),
            &base.bounds(),
            vec![false; n],
        )
        .expect("a validated model has one finite range per objective");
        let pooled = pareto::pooled(&samples, &norm, opts.pareto_reference.as_deref());
        let mut strategies = Vec::new();
        let mut all_moments = Vec::new();
        for (k, (sc, set)) in scenarios.iter().zip(outputs).enumerate() {
            let (mut summary, moments) = summarize(sc, job, first + k, set, &samples[k]);
            summary.hypervolume = pooled.hypervolume[k];
            summary.pareto_share = pooled.share[k];
            summary.pareto_front_size = pooled.front_size[k];
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
            dt,
            seed: job.seed(),
            engine: engine.kind.clone(),
            terminal_sample: sample,
            pareto_subsampled: sample < paths,
            pooled_front_size: pooled.front.len(),
            pareto_reference: opts
                .pareto_reference
                .clone()
                .unwrap_or_else(|| norm.lower.clone()),
            strategies,
        };
        Reduction {
            report,
            moments: all_moments,
            pooled_front: pooled.front,
        }
    }
}

/// Finite terminal states of a set as rows.
pub fn terminal_rows(set: &SetOutput, n: usize) -> Vec<Vec<f64>> {
    set.terminal
        .chunks_exact(n)
        .filter(|r| r.iter().all(|v| *v != DEAD && v.is_finite()))
        .map(|r| r.iter().map(|v| f64::from(*v)).collect())
        .collect()
}

fn summarize(
    sc: &Scenario,
    job: &Job,
    k: usize,
    set: &SetOutput,
    rows: &[Vec<f64>],
) -> (StrategySummary, Vec<RecordMoments>) {
    let m = &sc.model;
    let n = m.n();
    let layout: &PartialLayout = job.partial_layout();
    let dt = job.dt(k);
    let shift = job.moment_shift(k);
    let total = set.fold.total().unwrap_or_else(|| vec![0.0; layout.len()]);
    let steps = job.steps();
    let records: Vec<RecordMoments> = (0..layout.records)
        .map(|r| moments::record(&total, layout, r, job.record_step(r as u32), &shift))
        .collect();
    let last = records.last().expect("at least two records");
    let cov = moments::terminal_cov(&total, layout);
    let eq = convergence::effective_equilibrium(&records, steps);
    let ranges: Vec<f64> = m.objectives.iter().map(|o| o.range()).collect();
    let mut cols: Vec<Vec<f64>> = (0..n)
        .map(|i| rows.iter().map(|r| r[i]).collect())
        .collect();
    for c in &mut cols {
        c.sort_by(f64::total_cmp);
    }
    let q = |p: f64| {
        cols.iter()
            .map(|c| moments::quantile_sorted(c, p))
            .collect::<Vec<_>>()
    };
    let valid: u64 = set.hist.iter().sum();
    let (policy, spectrum) = match &sc.policy {
        Policy::Fixed { strategy } => (
            "fixed",
            Some(spectral::spectrum(m, &m.strategies[*strategy], dt)),
        ),
        Policy::Schedule { .. } => ("schedule", None),
        Policy::Guard { .. } => ("guard", None),
        Policy::Greedy { .. } => ("greedy", None),
    };
    let occupancy = (!matches!(sc.policy, Policy::Fixed { .. }) && layout.occupancy).then(|| {
        let counts = &total[layout.occ()..layout.occ() + m.strategies.len()];
        let sum: f64 = counts.iter().sum();
        m.strategies
            .iter()
            .zip(counts)
            .map(|(s, c)| (s.name.clone(), if sum > 0.0 { c / sum } else { 0.0 }))
            .collect()
    });
    let summary = StrategySummary {
        name: sc.name.clone(),
        label: sc.label.clone(),
        policy: policy.into(),
        theoretical_rate: spectrum.as_ref().map(|s| s.rho),
        eigenvalues: spectrum.as_ref().map(|s| s.eigenvalues.clone()),
        mode: spectrum.as_ref().map(|s| s.mode),
        discrete_spectral_radius: spectrum.as_ref().map(|s| s.discrete_spectral_radius),
        theoretical_log_rate: spectrum
            .as_ref()
            .map(|s| -s.discrete_spectral_radius.ln() / dt),
        target: spectrum.as_ref().map(|s| s.equilibrium.clone()),
        terminal_mean: last.mean.clone(),
        terminal_sd: last.sd.clone(),
        terminal_cov: cov,
        terminal_quantiles: Quantiles {
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
        },
        empirical_rate: convergence::empirical_rate(&records, &eq, &ranges, dt),
        effective_equilibrium: eq,
        first_passage: convergence::first_passage(&set.hist, job.tolerance()),
        increment_correlation: moments::increment_correlation(&total, layout),
        nonfinite_paths: valid.saturating_sub(last.count as u64),
        hypervolume: 0.0,
        pareto_share: 0.0,
        pareto_front_size: 0,
        occupancy,
    };
    (summary, records)
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
        assert_eq!(r.report, Report::new(&run, &opts));
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
