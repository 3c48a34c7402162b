//! Goals and constraints: the goal region a path should reach and the floor
//! (or ceiling) it must never cross, both as per-objective thresholds.
//!
//! `security>=6,efficiency>=5` is parsed against the model's objective names
//! into [`Threshold`]s. The engines track, per path, whether and when the
//! goal region (every goal threshold met at once) is first reached and
//! whether the constraint held at every step (t = 0 included); see
//! `analysis::goals` for the statistics.

use serde::{Deserialize, Serialize};

/// Default probability with which a constraint must hold.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// Which side of the value an objective must be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// `objective >= value`.
    AtLeast,
    /// `objective <= value`.
    AtMost,
}

impl Op {
    /// The operator as written (`>=` or `<=`).
    pub fn symbol(self) -> &'static str {
        match self {
            Op::AtLeast => ">=",
            Op::AtMost => "<=",
        }
    }

    /// Whether `x` is on the allowed side of `value`.
    pub fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Op::AtLeast => x >= value,
            Op::AtMost => x <= value,
        }
    }
}

/// One threshold on one objective.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// Objective index (state order).
    pub objective: usize,
    /// Which side.
    pub op: Op,
    /// The value, in the objective's units.
    pub value: f64,
}

/// A goal region and a constraint, each a conjunction of thresholds in
/// objective order, with the confidence at which the constraint must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goals {
    /// The goal region: every threshold met at once (empty: no goal).
    pub goal: Vec<Threshold>,
    /// The constraint: every threshold met at every step (empty: none).
    pub constraint: Vec<Threshold>,
    /// Probability with which the constraint must hold, in (0, 1).
    pub confidence: f64,
}

/// A goal, constraint or confidence that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GoalError {
    /// One item of a goal or constraint list.
    #[error("{list} item '{item}': {why}")]
    Item {
        /// `goal` or `constraint`.
        list: &'static str,
        /// The item as written.
        item: String,
        /// What is wrong with it.
        why: String,
    },
    /// A list with no item.
    #[error("{list} is empty: expected items like 'name>=value' separated by commas")]
    Empty {
        /// `goal` or `constraint`.
        list: &'static str,
    },
    /// A confidence outside (0, 1).
    #[error("confidence {0}: must be a probability above 0 and below 1")]
    Confidence(f64),
    /// A confidence given without a constraint for it to apply to.
    #[error("confidence applies to a constraint: give a constraint too")]
    ConfidenceAlone,
}

impl GoalError {
    /// Every goal error is a problem with the request.
    pub fn is_input(&self) -> bool {
        true
    }

    /// `goal`, `constraint` or `confidence`: the part at fault.
    pub fn part(&self) -> &'static str {
        match self {
            GoalError::Item { list, .. } | GoalError::Empty { list } => list,
            GoalError::Confidence(_) | GoalError::ConfidenceAlone => "confidence",
        }
    }
}

impl Goals {
    /// The goals a request gives for `model`, checked against its objectives
    /// and bounds: `None` without a goal and a constraint. `confidence`
    /// (default [`DEFAULT_CONFIDENCE`]) belongs to the constraint, so it is
    /// refused alone. The one reading of goal requests, for every front end.
    pub fn for_model(
        goal: Option<&str>,
        constraint: Option<&str>,
        confidence: Option<f64>,
        model: &crate::model::Model,
    ) -> Result<Option<Goals>, GoalError> {
        if confidence.is_some() && constraint.is_none() {
            return Err(GoalError::ConfidenceAlone);
        }
        if goal.is_none() && constraint.is_none() {
            return Ok(None);
        }
        let names = model.objective_names();
        let confidence = confidence.unwrap_or(DEFAULT_CONFIDENCE);
        let goals = Goals::parse(goal, constraint, confidence, &names)?;
        goals.check_bounds(&names, &model.bounds())?;
        Ok(Some(goals))
    }

    /// Parses a goal and a constraint such as `security>=6,efficiency>=5`
    /// against the objective names, in state order. Absent lists are empty.
    pub fn parse(
        goal: Option<&str>,
        constraint: Option<&str>,
        confidence: f64,
        objectives: &[String],
    ) -> Result<Goals, GoalError> {
        if !(confidence.is_finite() && confidence > 0.0 && confidence < 1.0) {
            return Err(GoalError::Confidence(confidence));
        }
        let parse = |list, text: Option<&str>| match text {
            None => Ok(Vec::new()),
            Some(t) => parse_list(list, t, objectives),
        };
        Ok(Goals {
            goal: parse("goal", goal)?,
            constraint: parse("constraint", constraint)?,
            confidence,
        })
    }

    /// Checks goals built in code as [`Goals::parse`] checks text (the
    /// confidence, each threshold's objective and value), and every value
    /// against the objectives' bounds `(lower, upper)`: a value outside them
    /// can never (or always) be met.
    pub fn check_bounds(&self, names: &[String], bounds: &[(f64, f64)]) -> Result<(), GoalError> {
        if !(self.confidence.is_finite() && self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(GoalError::Confidence(self.confidence));
        }
        for (list, items) in [("goal", &self.goal), ("constraint", &self.constraint)] {
            for t in items {
                let Some(&(lo, hi)) = bounds.get(t.objective).filter(|_| t.value.is_finite())
                else {
                    return Err(GoalError::Item {
                        list,
                        item: format!("objective {} {} {}", t.objective, t.op.symbol(), t.value),
                        why: format!(
                            "needs one of the {} objectives and a finite value",
                            bounds.len()
                        ),
                    });
                };
                if t.value < lo || t.value > hi {
                    return Err(GoalError::Item {
                        list,
                        item: format!("{}{}{}", names[t.objective], t.op.symbol(), t.value),
                        why: format!("{} is outside the objective's bounds [{lo}, {hi}]", t.value),
                    });
                }
            }
        }
        Ok(())
    }

    /// The box `[lo, hi]` per objective that a list of thresholds allows
    /// (±`f32::MAX` where unconstrained), as the kernels test it.
    pub fn boxes(items: &[Threshold], n: usize) -> (Vec<f64>, Vec<f64>) {
        let big = f64::from(f32::MAX);
        let (mut lo, mut hi) = (vec![-big; n], vec![big; n]);
        for t in items {
            match t.op {
                Op::AtLeast => lo[t.objective] = t.value,
                Op::AtMost => hi[t.objective] = t.value,
            }
        }
        (lo, hi)
    }

    /// A list of thresholds as written: `name>=value,…`.
    pub fn describe(items: &[Threshold], names: &[String]) -> String {
        items
            .iter()
            .map(|t| format!("{}{}{}", names[t.objective], t.op.symbol(), t.value))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether every threshold of `items` holds at `x`.
    pub fn holds(items: &[Threshold], x: &[f64]) -> bool {
        items.iter().all(|t| t.op.holds(x[t.objective], t.value))
    }
}

/// Parses one comma-separated list, sorted into objective order.
fn parse_list(
    list: &'static str,
    text: &str,
    objectives: &[String],
) -> Result<Vec<Threshold>, GoalError> {
    if text.trim().is_empty() {
        return Err(GoalError::Empty { list });
    }
    let mut out: Vec<Threshold> = Vec::new();
    for item in text.split(',') {
        let t = parse_item(item.trim(), objectives).map_err(|why| GoalError::Item {
            list,
            item: item.trim().to_string(),
            why,
        })?;
        if out.iter().any(|o| o.objective == t.objective) {
            return Err(GoalError::Item {
                list,
                item: item.trim().to_string(),
                why: format!("'{}' appears more than once", objectives[t.objective]),
            });
        }
        out.push(t);
    }
    out.sort_by_key(|t| t.objective);
    Ok(out)
}

/// Parses `name>=value` or `name<=value`.
fn parse_item(item: &str, objectives: &[String]) -> Result<Threshold, String> {
    if item.is_empty() {
        return Err("empty item (two commas in a row, or a trailing comma)".into());
    }
    let (name, op, value) = if let Some((n, v)) = item.split_once(">=") {
        (n, Op::AtLeast, v)
    } else if let Some((n, v)) = item.split_once("<=") {
        (n, Op::AtMost, v)
    } else {
        return Err("missing operator: expected name>=value or name<=value".into());
    };
    let name = name.trim();
    let objective = objectives.iter().position(|o| o == name).ok_or_else(|| {
        format!(
            "unknown objective '{name}' (the model has {})",
            objectives.join(", ")
        )
    })?;
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("'{}' is not a number", value.trim()))?;
    if !value.is_finite() {
        return Err(format!("{value} is not a finite number"));
    }
    Ok(Threshold {
        objective,
        op,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["security", "efficiency", "functionality"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn parses_in_objective_order() {
        let g = Goals::parse(
            Some("functionality>=8, security>=6"),
            Some("security>=3,efficiency<=9.5"),
            0.9,
            &names(),
        )
        .unwrap();
        assert_eq!(g.goal[0].objective, 0);
        assert_eq!(g.goal[1].objective, 2);
        assert_eq!(g.constraint[1].op, Op::AtMost);
        assert_eq!(g.constraint[1].value, 9.5);
        let (lo, hi) = Goals::boxes(&g.goal, 3);
        assert_eq!((lo[0], lo[2]), (6.0, 8.0));
        assert!(hi[0] > 1e38 && lo[1] < -1e38);
    }

    #[test]
    fn errors_name_the_item_and_reason() {
        let e = |g: &str| {
            Goals::parse(Some(g), None, 0.95, &names())
                .unwrap_err()
                .to_string()
        };
        assert!(
            e("cost>=1").contains("unknown objective 'cost'"),
            "{}",
            e("cost>=1")
        );
        assert!(e("security>=1,security>=2").contains("more than once"));
        assert!(e("security=1").contains("missing operator"));
        assert!(e("security>=inf").contains("finite"));
        assert!(e("security>=x").contains("not a number"));
        assert!(e(" ").contains("goal is empty"));
        assert!(e("security>=1,").contains("empty item"));
        let c = Goals::parse(None, Some("security>=1"), 1.0, &names()).unwrap_err();
        assert_eq!(c.part(), "confidence");
        let g = Goals::parse(Some("security>=11"), None, 0.5, &names()).unwrap();
        let b = g.check_bounds(&names(), &[(0.0, 10.0); 3]).unwrap_err();
        assert!(
            b.to_string().contains("outside the objective's bounds"),
            "{b}"
        );
        let mut built = g.clone();
        built.goal[0].objective = 7;
        assert!(built.check_bounds(&names(), &[(0.0, 10.0); 3]).is_err());
        built.goal[0] = Threshold {
            objective: 0,
            op: Op::AtLeast,
            value: 1.0,
        };
        built.confidence = 1.0;
        let e = built.check_bounds(&names(), &[(0.0, 10.0); 3]).unwrap_err();
        assert_eq!(e.part(), "confidence");
    }
}
