//! The model: objectives, strategies, policies, and their derived matrices.
//!
//! A [`ModelSpec`] is what a file says; a [`Model`] is a spec that passed
//! validation, with the drift matrix `A = (I + M)·diag(κ)` and the diffusion
//! factor `L = diag(σ)·chol(C)` computed in f64. Nothing here knows about GPUs.

mod adaptive;
mod limits;
mod presets;
mod spec;
mod validate;

use std::fmt;
use std::path::Path;

use nalgebra::{DMatrix, DVector};

pub use adaptive::Adaptive;
pub use limits::{MAX_NORMAL, MAX_REFLECT_STEP_RANGES, engine_problems, largest_step};
pub use presets::{PRESETS, preset, preset_names};
pub use spec::{
    Boundary, Diffusion, ModelSpec, ObjectiveSpec, PolicySpec, Scalarization, SegmentSpec,
    StrategySpec,
};

/// Largest number of objectives a model may have.
pub const MAX_OBJECTIVES: usize = 8;
/// Largest number of strategies a model may have.
pub const MAX_STRATEGIES: usize = 16;
/// Largest number of schedule segments.
pub const MAX_SEGMENTS: usize = 16;

/// One problem found in a model, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Field path, e.g. `strategies[2].noise_correlation`.
    pub field: String,
    /// Why the value is wrong, and what would be right.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Errors from reading or validating a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The file could not be read.
    #[error("cannot read model file {path}: {source}")]
    Io {
        /// The path that failed.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML could not be parsed into a model spec.
    #[error("{origin}: {message}")]
    Parse {
        /// Where the text came from.
        origin: String,
        /// The parser's message (it names line, column and key).
        message: String,
    },
    /// The spec parsed but its values are inconsistent.
    #[error("{origin}: invalid model:\n{}", list(.problems))]
    Invalid {
        /// Where the text came from.
        origin: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// No preset of that name.
    #[error("unknown preset '{name}'; available: {}", preset_names().join(", "))]
    UnknownPreset {
        /// The name asked for.
        name: String,
    },
    /// No strategy of that name in the model.
    #[error("unknown strategy '{name}'; the model '{model}' has {}", available.join(", "))]
    UnknownStrategy {
        /// The name asked for.
        name: String,
        /// The model.
        model: String,
        /// Its strategies.
        available: Vec<String>,
    },
}

impl ModelError {
    /// Every model error is a problem with the user's model or its name.
    pub fn is_input(&self) -> bool {
        true
    }
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An objective with its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// Name.
    pub name: String,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

impl Objective {
    /// `upper − lower`.
    pub fn range(&self) -> f64 {
        self.upper - self.lower
    }
}

/// A validated strategy with its derived matrices.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    /// Short name.
    pub name: String,
    /// Human label.
    pub label: String,
    /// x*.
    pub target: DVector<f64>,
    /// κ.
    pub rates: DVector<f64>,
    /// M.
    pub interference: DMatrix<f64>,
    /// σ.
    pub sigma: DVector<f64>,
    /// C (identity when the file gave none).
    pub noise_correlation: DMatrix<f64>,
    /// Diffusion kind.
    pub diffusion: Diffusion,
    /// A = (I + M)·diag(κ).
    pub a: DMatrix<f64>,
    /// L = diag(σ)·chol(C), lower triangular.
    pub l: DMatrix<f64>,
}

impl Strategy {
    /// Drift μ(x) = A (x* − x).
    pub fn drift(&self, x: &DVector<f64>) -> DVector<f64> {
        &self.a * (&self.target - x)
    }
}

/// A validated policy, with strategy names resolved to indices.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// One strategy throughout.
    Fixed {
        /// Strategy index.
        strategy: usize,
    },
    /// `(strategy, steps)` segments; the last strategy continues afterwards.
    Schedule {
        /// The segments.
        segments: Vec<(usize, u32)>,
    },
    /// Guard with floors and hysteresis.
    Guard {
        /// Default strategy index.
        default: usize,
        /// Floors per objective.
        floors: Vec<f64>,
        /// Recovery margin.
        hysteresis: f64,
        /// For each objective, the strategy with the largest rate on it.
        rescue: Vec<usize>,
    },
    /// Greedy one-step look-ahead.
    Greedy {
        /// Decision interval in steps.
        every: u32,
        /// Scalarisation.
        scalarization: Scalarization,
        /// Weights (normalised objectives); all ones for `min`.
        weights: Vec<f64>,
    },
    /// Observable-only switching (see [`PolicySpec::Adaptive`]).
    Adaptive(adaptive::Adaptive),
}

impl Policy {
    /// A short name for outputs: the strategy's name for fixed policies, else
    /// the policy kind.
    pub fn display_name(&self, model: &Model) -> String {
        match self {
            Policy::Fixed { strategy } => model.strategies[*strategy].name.clone(),
            Policy::Schedule { .. } => "schedule".into(),
            Policy::Guard { .. } => "guard".into(),
            Policy::Greedy { .. } => "greedy".into(),
            Policy::Adaptive(_) => "adaptive".into(),
        }
    }

    /// The strategy whose projected target defines first passage: the fixed
    /// strategy, the last segment's, the guard's default, or for greedy the
    /// strategy whose own projected target scores best.
    pub fn passage_strategy(&self, model: &Model) -> usize {
        match self {
            Policy::Fixed { strategy } => *strategy,
            Policy::Schedule { segments } => segments.last().map_or(0, |s| s.0),
            Policy::Guard { default, .. } => *default,
            Policy::Adaptive(a) => a.default,
            Policy::Greedy {
                scalarization,
                weights,
                ..
            } => {
                let mut best = (0, f64::NEG_INFINITY);
                for (k, s) in model.strategies.iter().enumerate() {
                    let t = model.project(&s.target);
                    let score = model.scalarize(&t, *scalarization, weights);
                    if score > best.1 {
                        best = (k, score);
                    }
                }
                best.0
            }
        }
    }
}

/// A validated model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The spec it came from, with defaults filled in (labels, identity
    /// correlations left implicit). This is what manifests record.
    pub spec: ModelSpec,
    /// Model name.
    pub name: String,
    /// Objectives in state order.
    pub objectives: Vec<Objective>,
    /// Strategies.
    pub strategies: Vec<Strategy>,
    /// The model's own policy, if any.
    pub policy: Option<Policy>,
    /// Time step.
    pub dt: f64,
    /// Steps.
    pub steps: u32,
    /// Boundary rule.
    pub boundary: Boundary,
    /// Initial state.
    pub x0: DVector<f64>,
    /// Initial jitter (zeros when absent).
    pub x0_sd: DVector<f64>,
}

impl Model {
    /// Validates a spec. `origin` names the source in error messages.
    pub fn from_spec(spec: ModelSpec, origin: &str) -> Result<Self, ModelError> {
        validate::validate(spec).map_err(|problems| ModelError::Invalid {
            origin: origin.to_string(),
            problems,
        })
    }

    /// Parses and validates TOML text.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ModelError> {
        Self::from_spec(ModelSpec::from_toml(text, origin)?, origin)
    }

    /// Reads and validates a model file.
    pub fn from_file(path: &Path) -> Result<Self, ModelError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            path: origin.clone(),
            source,
        })?;
        Self::from_toml(&text, &origin)
    }

    /// Number of objectives.
    pub fn n(&self) -> usize {
        self.objectives.len()
    }

    /// Index of a strategy by name.
    pub fn strategy_index(&self, name: &str) -> Option<usize> {
        self.strategies.iter().position(|s| s.name == name)
    }

    /// Index of a strategy by name, or an error that lists the model's
    /// strategies.
    pub fn find_strategy(&self, name: &str) -> Result<usize, ModelError> {
        self.strategy_index(name)
            .ok_or_else(|| ModelError::UnknownStrategy {
                name: name.to_string(),
                model: self.name.clone(),
                available: self.strategies.iter().map(|s| s.name.clone()).collect(),
            })
    }

    /// Objective names.
    pub fn objective_names(&self) -> Vec<String> {
        self.objectives.iter().map(|o| o.name.clone()).collect()
    }

    /// The bounds `(lower, upper)` of every objective, in model order.
    pub fn bounds(&self) -> Vec<(f64, f64)> {
        self.objectives.iter().map(|o| (o.lower, o.upper)).collect()
    }

    /// The bounds `(lower, upper)` of the objectives called `names`, in
    /// that order (data files may list a model's objectives in another
    /// order). `Err` holds the first name that is not an objective of the
    /// model.
    pub fn bounds_of<'a>(&self, names: &'a [String]) -> Result<Vec<(f64, f64)>, &'a str> {
        names
            .iter()
            .map(|n| {
                self.objectives
                    .iter()
                    .find(|o| &o.name == n)
                    .map(|o| (o.lower, o.upper))
                    .ok_or(n.as_str())
            })
            .collect()
    }

    /// Lower bounds.
    pub fn lower(&self) -> DVector<f64> {
        DVector::from_iterator(self.n(), self.objectives.iter().map(|o| o.lower))
    }

    /// Upper bounds.
    pub fn upper(&self) -> DVector<f64> {
        DVector::from_iterator(self.n(), self.objectives.iter().map(|o| o.upper))
    }

    /// Clamps a point into the bounds (the projected target of first passage; see ARCHITECTURE.md).
    pub fn project(&self, x: &DVector<f64>) -> DVector<f64> {
        DVector::from_iterator(
            self.n(),
            x.iter()
                .zip(&self.objectives)
                .map(|(v, o)| v.clamp(o.lower, o.upper)),
        )
    }

    /// Normalises a point to `[0, 1]` per objective by the bounds.
    pub fn normalize(&self, x: &DVector<f64>) -> DVector<f64> {
        DVector::from_iterator(
            self.n(),
            x.iter()
                .zip(&self.objectives)
                .map(|(v, o)| (v - o.lower) / o.range()),
        )
    }

    /// The greedy policy's scalarisation of a (raw) point.
    pub fn scalarize(&self, x: &DVector<f64>, s: Scalarization, weights: &[f64]) -> f64 {
        let z = self.normalize(x);
        match s {
            Scalarization::Min => z.iter().copied().fold(f64::INFINITY, f64::min),
            Scalarization::Weighted => z.iter().zip(weights).map(|(a, w)| a * w).sum(),
        }
    }

    /// The policies `simulate` runs by default: every strategy under a fixed
    /// policy, followed by the model's own policy when it has a non-fixed one.
    pub fn default_policies(&self) -> Vec<Policy> {
        let mut out: Vec<Policy> = (0..self.strategies.len())
            .map(|k| Policy::Fixed { strategy: k })
            .collect();
        if let Some(p) = &self.policy
            && !matches!(p, Policy::Fixed { .. })
        {
            out.push(p.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_follow_the_names_order_and_name_the_stranger() {
        let m = Model::preset("code-generation").unwrap();
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut own = m.objective_names();
        own.reverse();
        let b = m.bounds_of(&own).unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], (m.objectives[2].lower, m.objectives[2].upper));
        assert_eq!(m.bounds_of(&names(&["security", "cost"])), Err("cost"));
    }
}
