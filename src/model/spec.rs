//! The model file as written by people: plain serde data, not yet checked.
//!
//! Every struct rejects unknown fields, so a typo in a key is a loud error
//! rather than a silently ignored setting. [`super::Model::from_spec`] turns a
//! spec into a validated [`super::Model`].

use serde::{Deserialize, Serialize};

/// A whole model file (`model.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Model name, used in outputs.
    pub name: String,
    /// Time step; `1.0` is one LLM iteration.
    #[serde(default = "default_dt")]
    pub dt: f64,
    /// Number of steps to integrate.
    #[serde(default = "default_steps")]
    pub steps: u32,
    /// What happens at the objective bounds.
    #[serde(default)]
    pub boundary: Boundary,
    /// Initial state, one value per objective.
    pub x0: Vec<f64>,
    /// Optional standard deviation of a normal jitter of the initial state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x0_sd: Option<Vec<f64>>,
    /// The objectives, in state order.
    pub objectives: Vec<ObjectiveSpec>,
    /// The prompting strategies.
    pub strategies: Vec<StrategySpec>,
    /// Optional policy; without it every strategy runs under a fixed policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicySpec>,
}

fn default_dt() -> f64 {
    1.0
}

fn default_steps() -> u32 {
    50
}

/// One objective: its name and bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    /// Objective name (a column name in every output).
    pub name: String,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// One prompting strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
    /// Short name (`EF`).
    pub name: String,
    /// Human label (`Efficiency-Focused`); defaults to the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Where the strategy pulls each objective (may lie outside the bounds).
    pub target: Vec<f64>,
    /// How fast each objective is pulled (κ).
    pub rates: Vec<f64>,
    /// Interference matrix M (n×n, zero diagonal): `M[i][j]` is how much the
    /// pull on objective j spills over onto objective i.
    pub interference: Vec<Vec<f64>>,
    /// Noise level per objective (σ).
    pub sigma: Vec<f64>,
    /// Optional noise correlation C (n×n, symmetric positive definite, unit
    /// diagonal); identity when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_correlation: Option<Vec<Vec<f64>>>,
    /// Diffusion kind.
    #[serde(default)]
    pub diffusion: Diffusion,
}

/// Boundary rule applied after every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Boundary {
    /// Clamp each objective into `[lower, upper]`.
    #[default]
    Clamp,
    /// Reflect off the bounds (folded as often as needed).
    Reflect,
    /// No boundary: the state is free.
    None,
}

/// Diffusion kind of a strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Diffusion {
    /// Constant noise `diag(σ)·chol(C)`.
    #[default]
    Additive,
    /// Noise scaled by `2·sqrt((x−lo)(hi−x))/(hi−lo)`, vanishing at the bounds.
    Jacobi,
}

/// A policy: which strategy a path uses at each step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum PolicySpec {
    /// One strategy for the whole path.
    Fixed {
        /// The strategy's name.
        strategy: String,
    },
    /// Consecutive segments; after the last one its strategy continues.
    Schedule {
        /// The segments, in order.
        segments: Vec<SegmentSpec>,
    },
    /// Run `default`; when objective i falls below `floors[i]`, switch to the
    /// strategy with the largest `rates[i]` until the objective recovers above
    /// `floors[i] + hysteresis`.
    Guard {
        /// The strategy used while every objective is above its floor.
        default: String,
        /// One floor per objective.
        floors: Vec<f64>,
        /// Recovery margin above the floor.
        #[serde(default)]
        hysteresis: f64,
    },
    /// Every `every` steps choose the strategy whose expected next state
    /// maximises a scalarisation of the normalised objectives.
    Greedy {
        /// Decision interval in steps.
        #[serde(default = "default_every")]
        every: u32,
        /// Scalarisation of the normalised objectives.
        #[serde(default)]
        scalarization: Scalarization,
        /// Weights for `weighted` (one per objective).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weights: Option<Vec<f64>>,
    },
    /// Observable-only switching: decides from the path's own history (its
    /// states and increments), never from the model's drift, targets or
    /// noise. Each step it updates an exponentially weighted mean `e_i` of
    /// the normalised increments `(x_i(t) − x_i(t−1)) / (upper_i − lower_i)`
    /// with weight `1 / memory`. Every `every` steps it checks three
    /// triggers, first match wins: **floor** (some objective within
    /// `floor_margin` of the range above its lower bound), **conflict**
    /// (`min_i e_i < −conflict` while `max_j e_j > conflict`: one objective
    /// falling while another rises), **stall** (mean of `e_i` below `stall`).
    /// Conflict and stall wait until `memory` steps of history exist. A
    /// trigger fires only if its `on_*` strategy is given. While a trigger
    /// holds, its strategy runs; it is released once its condition clears by
    /// the relative margin `hysteresis` (floor: the smallest normalised
    /// objective ≥ `floor_margin·(1 + hysteresis)`; conflict: `min e ≥
    /// −conflict·(1 − hysteresis)` or `max e ≤ conflict·(1 − hysteresis)`;
    /// stall: mean `e ≥ stall·(1 + hysteresis)`), and `default` resumes.
    ///
    /// Natural search box of each continuous field: `memory` [1, steps],
    /// `floor_margin` [0, 0.5], `conflict` [0, 0.1], `stall` [0, 0.1],
    /// `hysteresis` [0, 1]; `every` is an integer in [1, steps].
    Adaptive {
        /// Strategy while no trigger holds.
        default: String,
        /// EWMA memory in steps (weight `1 / memory`), ≥ 1.
        #[serde(default = "default_memory")]
        memory: f64,
        /// Floor trigger: fraction of an objective's range above its lower
        /// bound, in [0, 1).
        #[serde(default = "default_floor_margin")]
        floor_margin: f64,
        /// Strategy called by the floor trigger (absent: trigger off).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_floor: Option<String>,
        /// Conflict trigger: EWMA increment magnitude, as a fraction of the
        /// range per step, ≥ 0.
        #[serde(default = "default_conflict")]
        conflict: f64,
        /// Strategy called by the conflict trigger (absent: trigger off).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_conflict: Option<String>,
        /// Stall trigger: mean EWMA increment, as a fraction of the range
        /// per step, ≥ 0.
        #[serde(default = "default_stall")]
        stall: f64,
        /// Strategy called by the stall trigger (absent: trigger off).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_stall: Option<String>,
        /// Relative margin by which a condition must clear, in [0, 1].
        #[serde(default = "default_hysteresis")]
        hysteresis: f64,
        /// Decision interval in steps, ≥ 1.
        #[serde(default = "default_every")]
        every: u32,
    },
}

fn default_every() -> u32 {
    1
}

fn default_memory() -> f64 {
    5.0
}

fn default_floor_margin() -> f64 {
    0.1
}

fn default_conflict() -> f64 {
    0.005
}

fn default_stall() -> f64 {
    0.002
}

fn default_hysteresis() -> f64 {
    0.5
}

/// One segment of a schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    /// The strategy's name.
    pub strategy: String,
    /// How many steps the segment lasts.
    pub steps: u32,
}

/// Scalarisation used by the greedy policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scalarization {
    /// The smallest normalised objective (max–min fairness).
    #[default]
    Min,
    /// A weighted sum of normalised objectives.
    Weighted,
}

impl ModelSpec {
    /// Parses a model from TOML text. `origin` names the source in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, super::ModelError> {
        toml::from_str(text).map_err(|e| super::ModelError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })
    }

    /// Writes the model as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a model spec always serialises")
    }
}
