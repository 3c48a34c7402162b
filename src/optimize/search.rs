//! The search loop: one engine job per generation, candidates ranked on
//! their score, the sampling distribution moved towards the elite, and the
//! best few candidates kept for the holdout.

use std::cmp::Ordering;
use std::time::Instant;

use crate::engine::{Engine, Integration, Job, JobOptions, Passage, Run, SaveAt, Scenario};
use crate::model::{Model, PolicySpec};

use super::cem::{Cem, Point, elite_size};
use super::holdout::{self, Holdout};
use super::score::{Score, score};
use super::space::{decode, fixed_point, space};
use super::{FINALISTS, Optimization, OptimizeError};

/// What the search reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The search starts: its shape and the paths it will integrate in all.
    Started {
        /// Generations.
        generations: usize,
        /// Candidates per generation.
        population: usize,
        /// Paths of the search and the holdout together.
        paths: u64,
    },
    /// Paths finished since the last event.
    Paths(u64),
    /// A generation is done.
    Generation(Generation),
}

/// One generation's summary (search figures, not held out).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Generation {
    /// Generation index, from 0.
    pub generation: usize,
    /// The objective of the generation's best-ranked candidate.
    pub best: f64,
    /// The mean objective of the generation's candidates.
    pub mean: f64,
    /// Candidates that met the constraint.
    pub feasible: usize,
}

/// A candidate kept for the holdout, with its search score.
#[derive(Debug, Clone, PartialEq)]
pub struct Finalist {
    /// The policy.
    pub policy: PolicySpec,
    /// Its score in the search (selected, so biased upwards).
    pub search: Score,
}

/// Where the time went, for the performance note.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Timing {
    /// Generations run.
    pub generations: usize,
    /// Candidates evaluated in the search.
    pub candidates: u64,
    /// Wall time of the search.
    pub search_s: f64,
    /// Of which the engine integrated.
    pub integrate_s: f64,
    /// Wall time of the holdout job and its scores.
    pub holdout_s: f64,
}

/// Everything an optimisation produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One entry per generation.
    pub history: Vec<Generation>,
    /// The holdout: finalists, winner, baselines and their run.
    pub holdout: Holdout,
    /// Candidates per generation.
    pub population: usize,
    /// Where the time went.
    pub timing: Timing,
}

/// Runs the search and the holdout on `engine`.
pub fn optimize(
    opt: &Optimization,
    engine: &mut dyn Engine,
    events: &mut dyn FnMut(Event),
) -> Result<Outcome, OptimizeError> {
    opt.check()?;
    let (generations, population) = opt.shape();
    let holdout_sets = (FINALISTS + opt.model.default_policies().len()) as u64;
    events(Event::Started {
        generations,
        population,
        paths: (generations * population) as u64 * opt.paths + holdout_sets * opt.holdout_paths,
    });
    let mut cem = Cem::new(space(opt.family, &opt.model, opt.segments), opt.seed);
    let mut finalists: Vec<Finalist> = Vec::new();
    let mut history = Vec::new();
    let mut timing = Timing::default();
    let t0 = Instant::now();
    for g in 0..generations {
        let points = sample(&mut cem, opt, g, population);
        let specs: Vec<PolicySpec> = points
            .iter()
            .map(|p| decode(opt.family, &opt.model, p))
            .collect();
        let seed = derive_seed(opt.seed, g as u64 + 1);
        let (scenarios, job) = plan(opt, &specs, opt.paths, seed, false)?;
        let t = Instant::now();
        let run = Run::execute(engine, scenarios, job, &mut |d| events(Event::Paths(d)))?;
        timing.integrate_s += t.elapsed().as_secs_f64();
        let scores: Vec<Score> = (0..specs.len())
            .map(|k| score(&run, k, opt.objective, false))
            .collect();
        let order = ranking(&scores, opt);
        let generation = summary(g, &scores, &order, opt);
        events(Event::Generation(generation.clone()));
        history.push(generation);
        for &k in &order {
            offer(&mut finalists, &specs[k], &scores[k], opt);
        }
        let elite: Vec<&Point> = order[..elite_size(population)]
            .iter()
            .map(|&k| &points[k])
            .collect();
        cem.update(&elite);
    }
    timing.generations = generations;
    timing.candidates = (generations * population) as u64;
    timing.search_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let holdout = holdout::run(opt, engine, &finalists, events)?;
    timing.holdout_s = t1.elapsed().as_secs_f64();
    Ok(Outcome {
        history,
        holdout,
        population,
        timing,
    })
}

/// Generation `g`'s candidates; the first generation starts from every
/// fixed strategy the family holds.
fn sample(cem: &mut Cem, opt: &Optimization, g: usize, population: usize) -> Vec<Point> {
    let mut points = cem.sample(population);
    if g == 0 {
        let fixed = (0..opt.model.strategies.len())
            .filter_map(|k| fixed_point(opt.family, &opt.model, k, opt.segments));
        for (p, f) in points.iter_mut().zip(fixed) {
            *p = f;
        }
    }
    points
}

/// Candidate indices, best first (ties keep the sampling order).
fn ranking(scores: &[Score], opt: &Optimization) -> Vec<usize> {
    let confidence = confidence(opt);
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        if scores[a].better(&scores[b], opt.objective, confidence) {
            Ordering::Less
        } else if scores[b].better(&scores[a], opt.objective, confidence) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
    order
}

/// The confidence the constraint must hold with (unused without one).
pub(super) fn confidence(opt: &Optimization) -> f64 {
    opt.goals.as_ref().map_or(0.0, |g| g.confidence)
}

fn summary(g: usize, scores: &[Score], order: &[usize], opt: &Optimization) -> Generation {
    let values: Vec<f64> = scores
        .iter()
        .map(|s| s.value.value)
        .filter(|v| v.is_finite())
        .collect();
    Generation {
        generation: g,
        best: scores[order[0]].value.value,
        mean: values.iter().sum::<f64>() / values.len().max(1) as f64,
        feasible: scores
            .iter()
            .filter(|s| s.feasible(confidence(opt)))
            .count(),
    }
}

/// Keeps `policy` among the best [`FINALISTS`] distinct policies seen.
fn offer(finalists: &mut Vec<Finalist>, policy: &PolicySpec, s: &Score, opt: &Optimization) {
    let c = confidence(opt);
    if let Some(i) = finalists.iter().position(|f| &f.policy == policy) {
        if !s.better(&finalists[i].search, opt.objective, c) {
            return;
        }
        finalists.remove(i);
    }
    let at = finalists
        .iter()
        .position(|f| s.better(&f.search, opt.objective, c))
        .unwrap_or(finalists.len());
    if at < FINALISTS {
        finalists.insert(
            at,
            Finalist {
                policy: policy.clone(),
                search: s.clone(),
            },
        );
        finalists.truncate(FINALISTS);
    }
}

/// A seed for job `tag` of a search seeded `seed` (SplitMix64), so that no
/// two jobs share noise and the holdout's noise is new.
pub(super) fn derive_seed(seed: u64, tag: u64) -> u64 {
    let mut z = seed ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The model running `policy`, validated like a written policy.
pub fn with_policy(model: &Model, policy: &PolicySpec) -> Result<Model, OptimizeError> {
    let mut spec = model.spec.clone();
    spec.policy = Some(policy.clone());
    Ok(Model::from_spec(spec, "candidate policy")?)
}

/// The scenario of a model with its own policy.
pub(super) fn scenario(model: &Model, name: &str) -> Scenario {
    let policy = model
        .policy
        .clone()
        .unwrap_or(crate::model::Policy::Fixed { strategy: 0 });
    let mut sc = Scenario::new(model, policy);
    sc.name = name.to_string();
    sc.label = name.to_string();
    sc
}

/// The scenarios and job of `policies` at `paths` paths each under common
/// noise from `seed`; the holdout also records moments for the figures.
pub(super) fn plan(
    opt: &Optimization,
    policies: &[PolicySpec],
    paths: u64,
    seed: u64,
    holdout: bool,
) -> Result<(Vec<Scenario>, Job), OptimizeError> {
    let scenarios = policies
        .iter()
        .enumerate()
        .map(|(k, p)| {
            Ok(scenario(
                &with_policy(&opt.model, p)?,
                &format!("candidate {}", k + 1),
            ))
        })
        .collect::<Result<Vec<_>, OptimizeError>>()?;
    let job = Job::new(&scenarios, &options(opt, paths, seed, holdout))?;
    Ok((scenarios, job))
}

/// Job options of the search (two moment records: the engine's cheapest)
/// and of the holdout (the default records, for the mean trajectories).
pub(super) fn options(opt: &Optimization, paths: u64, seed: u64, holdout: bool) -> JobOptions {
    let keep = if opt.objective.needs_terminal() {
        u32::try_from(paths).unwrap_or(u32::MAX)
    } else {
        0
    };
    JobOptions {
        integration: Integration {
            paths,
            seed,
            common_noise: true,
            ..Integration::default()
        },
        save: SaveAt {
            record_every: (!holdout).then_some(opt.model.steps.max(1)),
            record_paths: 0,
            keep_terminal: keep,
        },
        passage: Passage::default(),
        goals: opt.goals.clone(),
    }
}
