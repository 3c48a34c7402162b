//! Each policy family as a point of a search [`Space`]: the dimensions, their
//! boxes (derived from the model), and the decoding of a point into a policy
//! spec that the model validates like any written policy.

use crate::model::{Model, PolicySpec, Scalarization, SegmentSpec};

use super::Family;
use super::cem::{Point, Space};

/// Largest decision interval of `greedy`, as a fraction of the horizon.
const MAX_EVERY_FRACTION: f64 = 0.2;
/// Largest guard hysteresis, as a fraction of the narrowest objective range.
const MAX_HYSTERESIS_FRACTION: f64 = 0.25;

/// The search space of `family` on `model` (`segments`: the most segments a
/// schedule may have).
pub fn space(family: Family, model: &Model, segments: usize) -> Space {
    let s = model.strategies.len();
    let n = model.n();
    match family {
        Family::Schedule => Space {
            // How many segments, then each segment's strategy.
            choices: std::iter::once(segments).chain(vec![s; segments]).collect(),
            // Where each segment ends, as a fraction of the horizon.
            boxes: vec![(0.0, 1.0); segments.saturating_sub(1)],
        },
        Family::Guard => Space {
            choices: vec![s],
            boxes: model
                .bounds()
                .into_iter()
                .chain([(0.0, MAX_HYSTERESIS_FRACTION * min_range(model))])
                .collect(),
        },
        Family::Greedy => Space {
            choices: vec![2],
            boxes: std::iter::once((1.0, max_every(model)))
                .chain(vec![(0.0, 1.0); n])
                .collect(),
        },
        Family::Adaptive => super::adaptive::space(model),
    }
}

fn min_range(model: &Model) -> f64 {
    model
        .objectives
        .iter()
        .map(|o| o.range())
        .fold(f64::INFINITY, f64::min)
}

pub(super) fn max_every(model: &Model) -> f64 {
    (MAX_EVERY_FRACTION * f64::from(model.steps)).max(1.0)
}

/// The policy that `point` of [`space`] stands for.
pub fn decode(family: Family, model: &Model, point: &Point) -> PolicySpec {
    let name = |k: usize| model.strategies[k].name.clone();
    match family {
        Family::Schedule => schedule(model, point),
        Family::Guard => {
            let n = model.n();
            PolicySpec::Guard {
                default: name(point.cats[0]),
                floors: point.x[..n].to_vec(),
                hysteresis: point.x[n],
            }
        }
        Family::Greedy => {
            let weighted = point.cats[0] == 1;
            let mut w = point.x[1..].to_vec();
            if w.iter().sum::<f64>() <= 0.0 {
                w.iter_mut().for_each(|v| *v = 1.0);
            }
            PolicySpec::Greedy {
                every: point.x[0].round().max(1.0) as u32,
                scalarization: if weighted {
                    Scalarization::Weighted
                } else {
                    Scalarization::Min
                },
                weights: weighted.then_some(w),
            }
        }
        Family::Adaptive => super::adaptive::decode(model, point),
    }
}

/// A schedule: the first `cats[0] + 1` segments, cut at the sorted fractions
/// of the horizon; empty segments are dropped and neighbours with the same
/// strategy merged, so each schedule has one canonical form.
fn schedule(model: &Model, point: &Point) -> PolicySpec {
    let steps = model.steps;
    let count = point.cats[0] + 1;
    let mut cuts: Vec<u32> = point.x[..count - 1]
        .iter()
        .map(|u| (u * f64::from(steps)).round() as u32)
        .map(|c| c.min(steps))
        .collect();
    cuts.sort_unstable();
    cuts.push(steps);
    let mut segments: Vec<SegmentSpec> = Vec::new();
    let mut start = 0;
    for (i, end) in cuts.into_iter().enumerate() {
        let strategy = model.strategies[point.cats[1 + i]].name.clone();
        let len = end - start;
        start = end;
        match segments.last_mut() {
            Some(last) if last.strategy == strategy => last.steps += len,
            _ if len == 0 => {}
            _ => segments.push(SegmentSpec {
                strategy,
                steps: len,
            }),
        }
    }
    if segments.is_empty() {
        // Every cut fell at the horizon's end: the last strategy runs alone.
        segments.push(SegmentSpec {
            strategy: model.strategies[point.cats[count]].name.clone(),
            steps: steps.max(1),
        });
    }
    PolicySpec::Schedule { segments }
}

/// The point of `family`'s space that runs strategy `k` throughout, where
/// the family has one: a one-segment schedule, a guard whose floors are the
/// lower bounds (a clamped state never falls below them), an adaptive
/// policy with every trigger off. The search starts from these, so a family
/// that contains the fixed strategies is never searched from worse ones.
pub fn fixed_point(family: Family, model: &Model, k: usize, segments: usize) -> Option<Point> {
    let sp = space(family, model, segments);
    let lows = || sp.boxes.iter().map(|b| b.0).collect();
    match family {
        Family::Schedule => Some(Point {
            cats: std::iter::once(0).chain(vec![k; segments]).collect(),
            x: vec![1.0; segments.saturating_sub(1)],
        }),
        Family::Guard => Some(Point {
            cats: vec![k],
            x: lows(),
        }),
        Family::Adaptive => {
            let off = model.strategies.len();
            Some(Point {
                cats: vec![k, off, off, off],
                x: lows(),
            })
        }
        Family::Greedy => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        Model::preset("code-generation").unwrap()
    }

    #[test]
    fn schedules_decode_to_canonical_valid_policies() {
        let m = model();
        let p = Point {
            cats: vec![2, 0, 0, 3],
            x: vec![0.5, 0.2],
        };
        let PolicySpec::Schedule { segments } = decode(Family::Schedule, &m, &p) else {
            panic!("not a schedule");
        };
        // Cuts at 0.2 and 0.5 of the horizon; the first two segments merge.
        let steps: Vec<u32> = segments.iter().map(|s| s.steps).collect();
        assert_eq!(segments.len(), 2);
        assert_eq!(steps.iter().sum::<u32>(), m.steps);
        assert_eq!(steps[0], (0.5 * f64::from(m.steps)).round() as u32);
        let fixed = decode(
            Family::Schedule,
            &m,
            &fixed_point(Family::Schedule, &m, 1, 3).unwrap(),
        );
        assert!(matches!(fixed, PolicySpec::Schedule { ref segments } if segments.len() == 1));
    }

    #[test]
    fn every_family_decodes_into_a_policy_the_model_accepts() {
        let m = model();
        for family in [
            Family::Schedule,
            Family::Guard,
            Family::Greedy,
            Family::Adaptive,
        ] {
            let sp = space(family, &m, 3);
            let mut cem = super::super::cem::Cem::new(sp, 3);
            let fixed = (0..m.strategies.len()).filter_map(|k| fixed_point(family, &m, k, 3));
            for p in cem.sample(20).into_iter().chain(fixed) {
                let mut spec = m.spec.clone();
                spec.policy = Some(decode(family, &m, &p));
                Model::from_spec(spec, "test").unwrap();
            }
        }
    }
}
