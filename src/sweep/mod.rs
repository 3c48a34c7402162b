//! What-if sweeps: a spec of parameter paths and a design, the points it
//! yields, and the scalar metrics read off each point's report.
//!
//! ```toml
//! model = "code-generation"          # a preset; or model_file = "path.toml"
//! strategies = ["AI"]                # optional; default: all
//! paths = 10000
//! design = "sobol"                   # grid | random | latin-hypercube | sobol | morris
//! samples = 256
//! metrics = ["terminal_mean.security", "hypervolume"]
//! [[parameters]]
//! path = "strategies.AI.interference[0][2]"
//! range = [-0.5, 0.0]
//! ```

pub mod design;
mod merge;
pub mod rows;
pub mod run;
pub mod sensitivity;
pub mod store;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use design::Design;

use crate::analysis::StrategySummary;
use crate::engine::{EngineError, PlanError};
use crate::model::{Model, ModelError, ModelSpec};
use crate::report::WriteError;

/// A sweep spec as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// A preset name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// A model file (relative paths are relative to the spec file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_file: Option<PathBuf>,
    /// Strategies to run at every point (default: all), each under a fixed policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategies: Option<Vec<String>>,
    /// Paths per point and strategy.
    #[serde(default = "default_paths")]
    pub paths: u64,
    /// Steps (default: the model's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    /// Seed.
    #[serde(default)]
    pub seed: u64,
    /// The design.
    pub design: Design,
    /// Base samples N (sobol: N·(D+2) points; morris: N·(D+1)); levels per
    /// axis for grid; points for random and latin-hypercube.
    pub samples: u32,
    /// Metrics (default: every scalar metric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<String>>,
    /// The swept parameters.
    pub parameters: Vec<ParameterSpec>,
    /// Use the same noise at every point (common random numbers), so that
    /// differences between points are differences of the model, not of the
    /// noise. Default true.
    #[serde(default = "yes")]
    pub common_random_numbers: bool,
    /// Replicates of the design's centre point, with independent noise, that
    /// estimate each metric's Monte Carlo standard error.
    #[serde(default = "default_replicates")]
    pub mc_replicates: u32,
    /// Bootstrap resamples for the Sobol' intervals.
    #[serde(default = "default_bootstrap")]
    pub bootstrap: usize,
    /// Adds a `<metric>_se` column per metric to `sweep.csv`: its standard
    /// error from block groups, as in `summary.json`. Default false, which
    /// also skips computing them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub se: bool,
}

fn default_paths() -> u64 {
    10_000
}
fn yes() -> bool {
    true
}
fn default_replicates() -> u32 {
    8
}
fn default_bootstrap() -> usize {
    200
}

/// One swept parameter as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterSpec {
    /// The parameter's path, e.g. `strategies.AI.rates[2]`.
    pub path: String,
    /// A continuous range `[lo, hi]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
    /// A list of values (grid and random designs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
}

/// What a parameter path points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `strategies.<k>.interference[i][j]`.
    Interference(usize, usize, usize),
    /// `strategies.<k>.rates[i]`.
    Rates(usize, usize),
    /// `strategies.<k>.target[i]`.
    Goal(usize, usize),
    /// `strategies.<k>.sigma[i]`.
    Sigma(usize, usize),
    /// `strategies.<k>.noise_correlation[i][j]` (set symmetrically).
    Correlation(usize, usize, usize),
    /// `x0[i]`.
    X0(usize),
}

/// A validated parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The path as written.
    pub path: String,
    /// What it sets.
    pub target: Target,
    /// Range, or the list of values.
    pub domain: Domain,
}

/// Where a parameter's values come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// Continuous `[lo, hi]`.
    Range(f64, f64),
    /// A list of values.
    Values(Vec<f64>),
}

impl Parameter {
    /// Maps a unit-cube coordinate to a value.
    pub fn value(&self, u: f64) -> f64 {
        match &self.domain {
            Domain::Range(lo, hi) => lo + (hi - lo) * u,
            Domain::Values(v) => v[((u * v.len() as f64) as usize).min(v.len() - 1)],
        }
    }

    /// The number of discrete values (for grids), or `None` for a range.
    pub fn levels(&self) -> Option<usize> {
        match &self.domain {
            Domain::Range(..) => None,
            Domain::Values(v) => Some(v.len()),
        }
    }
}

/// Errors in a sweep spec.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// The spec file could not be read.
    #[error("cannot read sweep spec {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The spec is invalid; the message names the field.
    #[error("{origin}: {field}: {reason}")]
    Invalid {
        /// The spec file.
        origin: String,
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// The model could not be loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The points could not be packed into a job.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// An output file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The output folder: refused, locked, or damaged.
    #[error(transparent)]
    Output(#[from] crate::report::run_dir::RunDirError),
    /// A file of the sweep's folder could not be read or appended to.
    #[error("cannot access {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The sweep's folder holds another shard's state.
    #[error(transparent)]
    Shard(#[from] crate::shard::ShardError),
    /// The sweep's folder does not hold what the request needs (nothing to
    /// resume, an unfinished run, another sweep's state, a damaged file).
    #[error("{}: {why}", path.display())]
    Folder {
        /// The folder or file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}

impl SweepError {
    /// Spec, model, size and folder problems are the user's input; engine
    /// failures depend on the engine's error; I/O on outputs is a runtime
    /// failure.
    pub fn is_input(&self) -> bool {
        match self {
            SweepError::Io { .. }
            | SweepError::Invalid { .. }
            | SweepError::Model(_)
            | SweepError::Plan(_)
            | SweepError::Folder { .. }
            | SweepError::Shard(_) => true,
            SweepError::Engine(e) => e.is_input(),
            SweepError::Output(e) => e.is_input(),
            SweepError::Write(_) | SweepError::File { .. } => false,
        }
    }
}

/// A validated sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The spec (canonical: what manifests record).
    pub spec: SweepSpec,
    /// The base model.
    pub model: Model,
    /// Strategy indices run at every point.
    pub strategies: Vec<usize>,
    /// Parameters.
    pub parameters: Vec<Parameter>,
    /// Metric names (`<strategy>.<field>[.<objective>]`).
    pub metrics: Vec<String>,
}

fn parse_index(s: &str) -> Option<(Vec<usize>, &str)> {
    // `name[i][j]` → ([i, j], name)
    let open = s.find('[')?;
    let name = &s[..open];
    let mut idx = Vec::new();
    let mut rest = &s[open..];
    while let Some(r) = rest.strip_prefix('[') {
        let close = r.find(']')?;
        idx.push(r[..close].trim().parse().ok()?);
        rest = &r[close + 1..];
    }
    rest.is_empty().then_some((idx, name))
}

/// Parses and checks a parameter path against a model.
pub fn parse_path(path: &str, model: &Model) -> Result<Target, String> {
    let n = model.n();
    let check = |i: usize| -> Result<(), String> {
        if i < n {
            Ok(())
        } else {
            Err(format!(
                "index {i} is out of range: the model has {n} objectives (0 to {})",
                n - 1
            ))
        }
    };
    if let Some(rest) = path.strip_prefix("x0") {
        let (idx, _) = parse_index(&format!("x0{rest}")).ok_or("expected x0[i]")?;
        if idx.len() != 1 {
            return Err("expected x0[i]".into());
        }
        check(idx[0])?;
        return Ok(Target::X0(idx[0]));
    }
    let rest = path
        .strip_prefix("strategies.")
        .ok_or("expected strategies.<name>.<field>[i]... or x0[i]")?;
    let (name, field) = rest
        .split_once('.')
        .ok_or("expected strategies.<name>.<field>[i]")?;
    let k = model.find_strategy(name).map_err(|e| e.to_string())?;
    let (idx, field) =
        parse_index(field).ok_or("expected an index such as rates[0] or interference[0][2]")?;
    for i in &idx {
        check(*i)?;
    }
    match (field, idx.as_slice()) {
        ("interference", [i, j]) if i == j => Err("the interference diagonal is fixed at 0".into()),
        ("interference", [i, j]) => Ok(Target::Interference(k, *i, *j)),
        ("noise_correlation", [i, j]) if i == j => {
            Err("the correlation diagonal is fixed at 1".into())
        }
        ("noise_correlation", [i, j]) => Ok(Target::Correlation(k, *i, *j)),
        ("rates", [i]) => Ok(Target::Rates(k, *i)),
        ("target", [i]) => Ok(Target::Goal(k, *i)),
        ("sigma", [i]) => Ok(Target::Sigma(k, *i)),
        (f, ix) => Err(format!(
            "'{f}' with {} indices is not addressable; use interference[i][j], noise_correlation[i][j], rates[i], target[i], sigma[i] or x0[i]",
            ix.len()
        )),
    }
}

/// Sets parameter values on a copy of a model spec.
pub fn apply(base: &ModelSpec, params: &[Parameter], values: &[f64]) -> ModelSpec {
    let mut s = base.clone();
    let n = s.objectives.len();
    for (p, v) in params.iter().zip(values) {
        match p.target {
            Target::Interference(k, i, j) => s.strategies[k].interference[i][j] = *v,
            Target::Rates(k, i) => s.strategies[k].rates[i] = *v,
            Target::Goal(k, i) => s.strategies[k].target[i] = *v,
            Target::Sigma(k, i) => s.strategies[k].sigma[i] = *v,
            Target::Correlation(k, i, j) => {
                let c = s.strategies[k].noise_correlation.get_or_insert_with(|| {
                    (0..n)
                        .map(|a| (0..n).map(|b| if a == b { 1.0 } else { 0.0 }).collect())
                        .collect()
                });
                c[i][j] = *v;
                c[j][i] = *v;
            }
            Target::X0(i) => s.x0[i] = *v,
        }
    }
    s
}

/// Every scalar of a strategy summary, with field names
/// `<field>[.<objective>]` (matrices: `<field>.<a>.<b>`).
pub fn scalars(s: &StrategySummary, objectives: &[String]) -> Vec<(String, f64)> {
    scalars_with_errors(s, objectives)
        .into_iter()
        .map(|(f, v, _)| (f, v))
        .collect()
}

/// [`scalars`] with each scalar's standard error (0 for the theoretical
/// values, which are exact).
pub fn scalars_with_errors(s: &StrategySummary, objectives: &[String]) -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    each_scalar(s, objectives.len(), &mut |name, v, e| {
        out.push((name.render(objectives), v, e));
    });
    out
}

/// A scalar's field name in parts: `field`, then `.part`, then `.<objective>`
/// for each objective index (see [`scalars_with_errors`]). Comparing parts
/// costs no formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScalarName {
    field: &'static str,
    part: Option<&'static str>,
    objectives: [Option<usize>; 2],
}

impl ScalarName {
    fn plain(field: &'static str) -> Self {
        ScalarName {
            field,
            part: None,
            objectives: [None; 2],
        }
    }

    /// The field name, with the objectives' names.
    pub(crate) fn render(&self, objectives: &[String]) -> String {
        let mut out = self.field.to_string();
        for p in self.part.iter().copied().chain(
            self.objectives
                .iter()
                .flatten()
                .map(|&i| objectives[i].as_str()),
        ) {
            out.push('.');
            out.push_str(p);
        }
        out
    }
}

/// Calls `f` with every scalar of `s` (`n` objectives), in order: its name,
/// value and standard error.
pub(crate) fn each_scalar(s: &StrategySummary, n: usize, f: &mut dyn FnMut(ScalarName, f64, f64)) {
    let opt = |x: Option<f64>| x.unwrap_or(f64::NAN);
    let mut exact = |field, x: Option<f64>| {
        let se = if x.is_some() { 0.0 } else { f64::NAN };
        f(ScalarName::plain(field), opt(x), se);
    };
    exact("theoretical_rate", s.theoretical_rate);
    exact("discrete_spectral_radius", s.discrete_spectral_radius);
    exact("theoretical_log_rate", s.theoretical_log_rate);
    f(
        ScalarName::plain("empirical_rate"),
        opt(s.empirical_rate),
        opt(s.empirical_rate_se),
    );
    per_objective(
        f,
        n,
        ("terminal_mean", None),
        &s.terminal_mean,
        &s.terminal_mean_se,
    );
    per_objective(
        f,
        n,
        ("terminal_sd", None),
        &s.terminal_sd,
        &s.terminal_sd_se,
    );
    per_objective(
        f,
        n,
        ("effective_equilibrium", None),
        &s.effective_equilibrium,
        &s.effective_equilibrium_se,
    );
    for (q, v, e) in s.terminal_quantiles.entries() {
        per_objective(f, n, ("terminal_quantiles", Some(q)), v, e);
    }
    let fp = &s.first_passage;
    let mut passage = |part, v, e| {
        let name = ScalarName {
            part: Some(part),
            ..ScalarName::plain("first_passage")
        };
        f(name, v, e);
    };
    passage(
        "reached_fraction",
        fp.reached_fraction,
        fp.reached_fraction_se,
    );
    passage("mean", opt(fp.mean), opt(fp.mean_se));
    passage("p50", opt(fp.p50), opt(fp.p50_se));
    passage("p90", opt(fp.p90), opt(fp.p90_se));
    for a in 0..n {
        for b in a + 1..n {
            let name = ScalarName {
                objectives: [Some(a), Some(b)],
                ..ScalarName::plain("increment_correlation")
            };
            f(
                name,
                s.increment_correlation[a][b],
                s.increment_correlation_se[a][b],
            );
        }
    }
    let plain = ScalarName::plain;
    f(
        plain("nonfinite_paths"),
        s.nonfinite_paths as f64,
        s.nonfinite_paths_se,
    );
    f(plain("hypervolume"), s.hypervolume, s.hypervolume_se);
    f(plain("pareto_share"), s.pareto_share, s.pareto_share_se);
    f(
        plain("pareto_front_size"),
        s.pareto_front_size as f64,
        s.pareto_front_size_se,
    );
}

/// The scalars of one field per objective (`v`, with errors `e`; as many as
/// both have, up to `n`).
fn per_objective(
    f: &mut dyn FnMut(ScalarName, f64, f64),
    n: usize,
    (field, part): (&'static str, Option<&'static str>),
    v: &[f64],
    e: &[f64],
) {
    for (i, (x, se)) in v.iter().zip(e).take(n).enumerate() {
        let name = ScalarName {
            field,
            part,
            objectives: [Some(i), None],
        };
        f(name, *x, *se);
    }
}

/// The field names [`scalars`] produces for these objectives.
pub fn scalar_fields(objectives: &[String]) -> Vec<String> {
    let dummy = StrategySummary::empty(objectives.len());
    scalars(&dummy, objectives)
        .into_iter()
        .map(|(f, _)| f)
        .collect()
}

impl Sweep {
    /// Reads and validates a spec file.
    pub fn from_file(path: &Path) -> Result<Sweep, SweepError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SweepError::Io {
            path: origin.clone(),
            source,
        })?;
        Self::from_toml(&text, &origin, path.parent())
    }

    /// Parses and validates spec text. `dir` resolves a relative `model_file`.
    pub fn from_toml(text: &str, origin: &str, dir: Option<&Path>) -> Result<Sweep, SweepError> {
        let spec: SweepSpec = toml::from_str(text).map_err(|e| SweepError::Invalid {
            origin: origin.to_string(),
            field: "(file)".into(),
            reason: e.to_string(),
        })?;
        Self::from_spec(spec, origin, dir)
    }

    /// Validates a spec held in memory (the keys of the TOML file), loading
    /// its model. `dir` resolves a relative `model_file`.
    pub fn from_spec(
        spec: SweepSpec,
        origin: &str,
        dir: Option<&Path>,
    ) -> Result<Sweep, SweepError> {
        let invalid = |field: &str, reason: String| SweepError::Invalid {
            origin: origin.to_string(),
            field: field.to_string(),
            reason,
        };
        let model = match (&spec.model, &spec.model_file) {
            (Some(name), None) => Model::preset(name)?,
            (None, Some(file)) => {
                let p = match dir {
                    Some(d) if file.is_relative() => d.join(file),
                    _ => file.clone(),
                };
                Model::from_file(&p)?
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "model",
                    "give either model (a preset) or model_file, not both".into(),
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "model",
                    "missing: give model = \"<preset>\" or model_file = \"<path>\"".into(),
                ));
            }
        };
        Self::new(spec, model, origin)
    }

    /// Validates a spec against an already loaded model.
    pub fn new(spec: SweepSpec, model: Model, origin: &str) -> Result<Sweep, SweepError> {
        let invalid = |field: &str, reason: String| SweepError::Invalid {
            origin: origin.to_string(),
            field: field.to_string(),
            reason,
        };
        if spec.paths == 0 || spec.paths > u64::from(u32::MAX) {
            return Err(invalid(
                "paths",
                format!("{} is out of range (1 to {})", spec.paths, u32::MAX),
            ));
        }
        if spec.samples == 0 {
            return Err(invalid("samples", "must be at least 1".into()));
        }
        if spec.steps == Some(0) {
            return Err(invalid("steps", "must be at least 1".into()));
        }
        if spec.parameters.is_empty() {
            return Err(invalid(
                "parameters",
                "a sweep needs at least one [[parameters]] entry".into(),
            ));
        }
        let strategies: Vec<usize> = match &spec.strategies {
            None => (0..model.strategies.len()).collect(),
            Some(names) if names.is_empty() => {
                return Err(invalid("strategies", "is empty".into()));
            }
            Some(names) => names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    model.strategy_index(n).ok_or_else(|| {
                        invalid(
                            &format!("strategies[{i}]"),
                            format!("unknown strategy '{n}'"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let mut parameters = Vec::new();
        for (i, p) in spec.parameters.iter().enumerate() {
            let field = format!("parameters[{i}]");
            let target = parse_path(&p.path, &model)
                .map_err(|r| invalid(&format!("{field}.path"), format!("'{}': {r}", p.path)))?;
            if parameters.iter().any(|q: &Parameter| q.target == target) {
                return Err(invalid(
                    &format!("{field}.path"),
                    format!("'{}' is swept twice", p.path),
                ));
            }
            let domain = match (&p.range, &p.values) {
                (Some([lo, hi]), None) => {
                    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                        return Err(invalid(
                            &format!("{field}.range"),
                            format!("[{lo}, {hi}] must be finite with lo < hi"),
                        ));
                    }
                    Domain::Range(*lo, *hi)
                }
                (None, Some(v)) => {
                    if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
                        return Err(invalid(
                            &format!("{field}.values"),
                            "must be a non-empty list of finite numbers".into(),
                        ));
                    }
                    if !matches!(spec.design, Design::Grid | Design::Random) {
                        return Err(invalid(
                            &format!("{field}.values"),
                            format!(
                                "a list of values needs design grid or random, not {:?}; give a range",
                                spec.design
                            ),
                        ));
                    }
                    Domain::Values(v.clone())
                }
                (Some(_), Some(_)) => {
                    return Err(invalid(&field, "give range or values, not both".into()));
                }
                (None, None) => {
                    return Err(invalid(
                        &field,
                        "needs a range = [lo, hi] or values = [...]".into(),
                    ));
                }
            };
            parameters.push(Parameter {
                path: p.path.clone(),
                target,
                domain,
            });
        }
        if spec.design == Design::Sobol && 2 * parameters.len() > 100 {
            return Err(invalid(
                "parameters",
                "the sobol design supports at most 50 parameters".into(),
            ));
        }
        let names: Vec<String> = strategies
            .iter()
            .map(|k| model.strategies[*k].name.clone())
            .collect();
        let fields = scalar_fields(&model.objective_names());
        let all: Vec<String> = names
            .iter()
            .flat_map(|s| fields.iter().map(move |f| format!("{s}.{f}")))
            .collect();
        let metrics = match &spec.metrics {
            None => all.clone(),
            Some(list) if list.is_empty() => return Err(invalid("metrics", "is empty".into())),
            Some(list) => {
                let mut out = Vec::new();
                for (i, m) in list.iter().enumerate() {
                    let hits: Vec<String> = if all.contains(m) {
                        vec![m.clone()]
                    } else if fields.contains(m) {
                        names.iter().map(|s| format!("{s}.{m}")).collect()
                    } else {
                        return Err(invalid(
                            &format!("metrics[{i}]"),
                            format!(
                                "unknown metric '{m}'; metrics are <strategy>.<field> or <field>, with fields {}",
                                fields.join(", ")
                            ),
                        ));
                    };
                    for h in hits {
                        if !out.contains(&h) {
                            out.push(h);
                        }
                    }
                }
                out
            }
        };
        check_sizes(&spec, &parameters, metrics.len()).map_err(|(f, r)| invalid(f, r))?;
        Ok(Sweep {
            spec,
            model,
            strategies,
            parameters,
            metrics,
        })
    }

    /// Unit-cube points of the design.
    pub fn unit_points(&self) -> Vec<Vec<f64>> {
        let levels: Vec<Option<usize>> = self.parameters.iter().map(Parameter::levels).collect();
        design::points(self.spec.design, self.spec.samples, &levels, self.spec.seed)
    }

    /// Parameter values of a unit-cube point.
    pub fn values(&self, u: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(u)
            .map(|(p, x)| p.value(*x))
            .collect()
    }
}

/// Largest `mc_replicates`: each replicate is a whole run of the centre point.
pub const MAX_REPLICATES: u32 = 10_000;

/// Checks the sizes a sweep allocates or loops over before anything runs:
/// its points (held in memory with their rows), the centre replicates and
/// the bootstrap resamples. Returns the field at fault and why.
fn check_sizes(
    spec: &SweepSpec,
    parameters: &[Parameter],
    metrics: usize,
) -> Result<(), (&'static str, String)> {
    if spec.mc_replicates > MAX_REPLICATES {
        return Err((
            "mc_replicates",
            format!("is {}, at most {MAX_REPLICATES}", spec.mc_replicates),
        ));
    }
    if spec.bootstrap > crate::fit::MAX_BOOTSTRAP {
        return Err((
            "bootstrap",
            format!(
                "is {}, at most {}",
                spec.bootstrap,
                crate::fit::MAX_BOOTSTRAP
            ),
        ));
    }
    let levels: Vec<Option<usize>> = parameters.iter().map(Parameter::levels).collect();
    let points = design::point_count(spec.design, spec.samples, &levels);
    // A point's unit coordinates, values and metrics, with vector headers.
    let per_point = 72 + 16 * parameters.len() as u128 + 8 * metrics as u128;
    if let Some(why) = crate::memory::shortfall(u128::from(points) * per_point) {
        return Err((
            "samples",
            format!(
                "is {}: the design has {points} points, which {why}",
                spec.samples
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_in_memory_is_the_file_spec() {
        let text = "model = \"code-generation\"\ndesign = \"grid\"\nsamples = 2\n[[parameters]]\npath = \"x0[1]\"\nrange = [1.0, 2.0]\n";
        let from_file = Sweep::from_toml(text, "spec.toml", None).unwrap();
        let spec = from_file.spec.clone();
        let in_memory = Sweep::from_spec(spec, "spec", None).unwrap();
        assert_eq!(in_memory.spec, from_file.spec);
        assert_eq!(in_memory.unit_points(), from_file.unit_points());
        let mut bad = from_file.spec.clone();
        bad.model = None;
        let err = Sweep::from_spec(bad, "spec", None).unwrap_err();
        assert!(err.to_string().contains("model"), "{err}");
    }

    #[test]
    fn paths_parse_and_check_indices() {
        let m = Model::preset("code-generation").unwrap();
        assert_eq!(
            parse_path("strategies.AI.interference[0][2]", &m),
            Ok(Target::Interference(3, 0, 2))
        );
        assert_eq!(parse_path("x0[1]", &m), Ok(Target::X0(1)));
        assert!(
            parse_path("strategies.AI.rates[3]", &m)
                .unwrap_err()
                .contains("out of range")
        );
        assert!(
            parse_path("strategies.ZZ.rates[0]", &m)
                .unwrap_err()
                .contains("unknown strategy")
        );
        assert!(
            parse_path("strategies.AI.interference[1][1]", &m)
                .unwrap_err()
                .contains("diagonal")
        );
        assert!(parse_path("strategies.AI.label[0]", &m).is_err());
    }

    #[test]
    fn correlations_are_set_symmetrically() {
        let m = Model::preset("code-generation").unwrap();
        let p = Parameter {
            path: "c".into(),
            target: Target::Correlation(0, 0, 1),
            domain: Domain::Range(0.0, 0.5),
        };
        let s = apply(&m.spec, &[p], &[0.3]);
        let c = s.strategies[0].noise_correlation.as_ref().unwrap();
        assert_eq!((c[0][1], c[1][0]), (0.3, 0.3));
    }
}
