//! The files of an optimisation: `optimize.json`, `best.toml` (the model
//! with the winning policy) and `optimize.md`, plus figures on request.

use std::path::Path;

use serde::Serialize;

use crate::engine::{Goals, Threshold};
use crate::error::Error;
use crate::report::{self, write_atomic};

use super::score::{Score, ci95};
use super::search::{Generation, Outcome, confidence};
use super::{Entry, Optimization};

/// `optimize.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The objective's name.
    pub objective: String,
    /// The goal region as `name>=v,…` (None without one).
    pub goal: Option<String>,
    /// The constraint as `name>=v,…` (None without one).
    pub constraint: Option<String>,
    /// The confidence the constraint must hold with.
    pub confidence: Option<f64>,
    /// The family searched.
    pub family: String,
    /// The winner, on held-out paths.
    pub best: Best,
    /// Every fixed strategy and the model's own policy, on the same held-out paths.
    pub baselines: Vec<Baseline>,
    /// The search, per generation (search paths, not held out).
    pub history: Vec<Generation>,
    /// How the search ran.
    pub search: SearchInfo,
}

/// The winner's held-out figures.
#[derive(Debug, Clone, Serialize)]
pub struct Best {
    /// The policy as its TOML table.
    pub policy: serde_json::Value,
    /// Objective value.
    pub value: f64,
    /// Its standard error.
    pub se: f64,
    /// 95% interval.
    pub ci95: [f64; 2],
    /// P(constraint held throughout), with a constraint.
    pub constraint_prob: Option<f64>,
    /// Its standard error.
    pub constraint_se: Option<f64>,
    /// Whether P(constraint held) reaches the confidence.
    pub feasible: bool,
    /// By how much P(constraint held) falls short of the confidence.
    pub constraint_shortfall: Option<f64>,
}

/// A baseline's held-out figures and its paired difference with the winner.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// The strategy's name, or `model policy (kind)`.
    pub name: String,
    /// Objective value.
    pub value: f64,
    /// Its standard error.
    pub se: f64,
    /// 95% interval.
    pub ci95: [f64; 2],
    /// P(constraint held throughout), with a constraint.
    pub constraint_prob: Option<f64>,
    /// Whether P(constraint held) reaches the confidence.
    pub feasible: bool,
    /// Winner minus baseline.
    pub diff: f64,
    /// Its standard error (paired, common random numbers).
    pub diff_se: f64,
    /// 95% interval of the difference.
    pub diff_ci95: [f64; 2],
}

/// The search's settings and shape.
#[derive(Debug, Clone, Serialize)]
pub struct SearchInfo {
    /// Method.
    pub method: String,
    /// Candidate evaluations asked for.
    pub budget: u64,
    /// Generations run.
    pub generations: usize,
    /// Candidates per generation.
    pub population: usize,
    /// Most schedule segments.
    pub segments: usize,
    /// Paths per candidate in the search.
    pub paths: u64,
    /// Paths per policy in the holdout.
    pub holdout_paths: u64,
    /// Seed.
    pub seed: u64,
    /// The finalists' policies and held-out values, in search order.
    pub finalists: Vec<Finalist>,
}

/// One finalist in `optimize.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Finalist {
    /// The policy.
    pub policy: serde_json::Value,
    /// Held-out value.
    pub value: f64,
    /// Its standard error.
    pub se: f64,
    /// P(constraint held), with a constraint.
    pub constraint_prob: Option<f64>,
}

/// `name>=v,…` of thresholds (None when empty).
fn thresholds_text(list: &[Threshold], names: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| Goals::describe(list, names))
}

fn policy_json(e: &Entry) -> serde_json::Value {
    serde_json::to_value(&e.policy).expect("a policy spec serialises")
}

impl Summary {
    /// The summary of an outcome.
    pub fn new(opt: &Optimization, out: &Outcome) -> Summary {
        let names = opt.model.objective_names();
        let goals = opt.goals.as_ref();
        let list =
            |f: fn(&Goals) -> &Vec<Threshold>| goals.and_then(|g| thresholds_text(f(g), &names));
        let c = confidence(opt);
        let h = &out.holdout;
        let w = h.best();
        Summary {
            objective: opt.objective.name().into(),
            goal: list(|g| &g.goal),
            constraint: list(|g| &g.constraint),
            confidence: goals
                .filter(|g| !g.constraint.is_empty())
                .map(|g| g.confidence),
            family: opt.family.name().into(),
            best: Best {
                policy: policy_json(w),
                value: w.score.value.value,
                se: w.score.value.se,
                ci95: ci95(w.score.value.value, w.score.value.se),
                constraint_prob: w.score.constraint.as_ref().map(|e| e.value),
                constraint_se: w.score.constraint.as_ref().map(|e| e.se),
                feasible: w.score.feasible(c),
                constraint_shortfall: w.score.shortfall(c),
            },
            baselines: h.baselines.iter().map(|b| baseline(b, c)).collect(),
            history: out.history.clone(),
            search: SearchInfo {
                method: "cross-entropy".into(),
                budget: opt.budget,
                generations: out.history.len(),
                population: out.population,
                segments: opt.segments,
                paths: opt.paths,
                holdout_paths: opt.holdout_paths,
                seed: opt.seed,
                finalists: h
                    .finalists
                    .iter()
                    .map(|f| Finalist {
                        policy: policy_json(f),
                        value: f.score.value.value,
                        se: f.score.value.se,
                        constraint_prob: constraint(&f.score),
                    })
                    .collect(),
            },
        }
    }
}

fn constraint(s: &Score) -> Option<f64> {
    s.constraint.as_ref().map(|e| e.value)
}

fn baseline(b: &Entry, c: f64) -> Baseline {
    let v = &b.score.value;
    Baseline {
        name: b.name.clone(),
        value: v.value,
        se: v.se,
        ci95: ci95(v.value, v.se),
        constraint_prob: constraint(&b.score),
        feasible: b.score.feasible(c),
        diff: b.diff.0,
        diff_se: b.diff.1,
        diff_ci95: ci95(b.diff.0, b.diff.1),
    }
}

/// What [`write_outputs`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The summary (`optimize.json`).
    pub summary: Summary,
    /// `optimize.md`'s text.
    pub markdown: String,
}

/// Writes `optimize.json`, `best.toml`, `optimize.md` and, with `plot`, the
/// figures into `dir`.
pub fn write_outputs(
    dir: &Path,
    opt: &Optimization,
    out: &Outcome,
    plot: bool,
) -> Result<Written, Error> {
    let summary = Summary::new(opt, out);
    report::write_json(&dir.join("optimize.json"), &summary)?;
    let mut spec = opt.model.spec.clone();
    spec.policy = Some(out.holdout.best().policy.clone());
    write_atomic(&dir.join("best.toml"), spec.to_toml().as_bytes())?;
    let markdown = super::markdown::markdown(opt, &summary);
    write_atomic(&dir.join("optimize.md"), markdown.as_bytes())?;
    if plot {
        super::figures::draw(dir, opt, out, &summary)?;
    }
    Ok(Written { summary, markdown })
}
