//! The holdout: the search's finalists, every fixed strategy and the
//! model's own policy in ONE job on a seed the search never used, so that
//! every comparison is a paired difference under common random numbers and
//! no reported figure was used to select the winner's parameters.

use crate::engine::{Engine, Job, Run, Scenario};
use crate::model::{Policy, PolicySpec};

use super::score::{Score, paired, score};
use super::search::{Event, Finalist, confidence, derive_seed, options, plan, scenario};
use super::{Optimization, OptimizeError};

/// Tag of the holdout's seed (the search's generations use 1, 2, …).
const HOLDOUT_TAG: u64 = u64::MAX;

/// One policy's held-out figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its name in outputs.
    pub name: String,
    /// The policy.
    pub policy: PolicySpec,
    /// Its held-out score.
    pub score: Score,
    /// Winner minus this policy, and its standard error (paired).
    pub diff: (f64, f64),
}

/// The holdout's results.
#[derive(Debug, Clone)]
pub struct Holdout {
    /// The finalists, in search order (sets `0..finalists.len()` of the run).
    pub finalists: Vec<Entry>,
    /// Index of the winner among the finalists: the best held-out score.
    pub winner: usize,
    /// Every fixed strategy, then the model's own policy if it has one.
    pub baselines: Vec<Entry>,
    /// The holdout run (finalists, then baselines).
    pub run: Run,
}

impl Holdout {
    /// The winner.
    pub fn best(&self) -> &Entry {
        &self.finalists[self.winner]
    }
}

/// The baselines: `(name, policy)` of every fixed strategy, then the
/// model's own switching policy.
fn baselines(opt: &Optimization) -> Vec<(String, PolicySpec)> {
    let model = &opt.model;
    model
        .default_policies()
        .into_iter()
        .map(|p| match p {
            Policy::Fixed { strategy } => {
                let name = model.strategies[strategy].name.clone();
                (name.clone(), PolicySpec::Fixed { strategy: name })
            }
            other => (
                format!("model policy ({})", other.display_name(model)),
                model.spec.policy.clone().unwrap_or(PolicySpec::Fixed {
                    strategy: model.strategies[0].name.clone(),
                }),
            ),
        })
        .collect()
}

/// Runs the holdout job and ranks the finalists on it.
pub fn run(
    opt: &Optimization,
    engine: &mut dyn Engine,
    finalists: &[Finalist],
    events: &mut dyn FnMut(Event),
) -> Result<Holdout, OptimizeError> {
    let seed = derive_seed(opt.seed, HOLDOUT_TAG);
    let policies: Vec<PolicySpec> = finalists.iter().map(|f| f.policy.clone()).collect();
    let (mut scenarios, _) = plan(opt, &policies, opt.holdout_paths, seed, true)?;
    let base = baselines(opt);
    for (name, _) in &base {
        let model = &opt.model;
        scenarios.push(match model.strategy_index(name) {
            Some(k) => Scenario::new(model, Policy::Fixed { strategy: k }),
            None => scenario(model, name),
        });
    }
    let job = Job::new(&scenarios, &options(opt, opt.holdout_paths, seed, true))?;
    let run = Run::execute(engine, scenarios, job, &mut |d| events(Event::Paths(d)))?;
    let scores: Vec<Score> = (0..run.scenarios.len())
        .map(|k| score(&run, k, opt.objective, true))
        .collect();
    let f = finalists.len();
    let c = confidence(opt);
    let mut winner = 0;
    for k in 1..f {
        if scores[k].better(&scores[winner], opt.objective, c) {
            winner = k;
        }
    }
    let entry = |k: usize, name: String, policy: PolicySpec| Entry {
        diff: paired(&scores[winner].value, &scores[k].value),
        name,
        policy,
        score: scores[k].clone(),
    };
    Ok(Holdout {
        finalists: policies
            .into_iter()
            .enumerate()
            .map(|(k, p)| entry(k, format!("candidate {}", k + 1), p))
            .collect(),
        winner,
        baselines: base
            .into_iter()
            .enumerate()
            .map(|(i, (name, p))| entry(f + i, name, p))
            .collect(),
        run,
    })
}
