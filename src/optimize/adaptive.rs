//! The `adaptive` family as a search space: the default strategy and the
//! strategy each trigger calls (or none, which turns the trigger off) are
//! categorical; memory, thresholds, hysteresis and the decision interval are
//! continuous in the natural boxes the policy documents (the interval capped
//! as for `greedy`, so both families decide on the same time scales).

use crate::model::{Model, PolicySpec};

use super::cem::{Point, Space};

/// Boxes of `floor_margin`, `conflict`, `stall` and `hysteresis`, in order.
const BOXES: [(f64, f64); 4] = [(0.0, 0.5), (0.0, 0.1), (0.0, 0.1), (0.0, 1.0)];

/// Default, then `on_floor`, `on_conflict`, `on_stall` (the last choice of
/// each: off); memory, the four thresholds, and the decision interval.
pub fn space(model: &Model) -> Space {
    let s = model.strategies.len();
    let steps = f64::from(model.steps).max(1.0);
    Space {
        choices: vec![s, s + 1, s + 1, s + 1],
        boxes: std::iter::once((1.0, steps))
            .chain(BOXES)
            .chain([(1.0, super::space::max_every(model))])
            .collect(),
    }
}

/// The adaptive policy that `point` of [`space`] stands for.
pub fn decode(model: &Model, point: &Point) -> PolicySpec {
    let name = |k: usize| model.strategies.get(k).map(|s| s.name.clone());
    let x = &point.x;
    PolicySpec::Adaptive {
        default: model.strategies[point.cats[0]].name.clone(),
        on_floor: name(point.cats[1]),
        on_conflict: name(point.cats[2]),
        on_stall: name(point.cats[3]),
        memory: x[0],
        floor_margin: x[1],
        conflict: x[2],
        stall: x[3],
        hysteresis: x[4],
        every: x[5].round().max(1.0) as u32,
    }
}
