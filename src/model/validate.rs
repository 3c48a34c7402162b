//! Spec → validated model. Every check records the field path and a reason;
//! all problems are collected so that one run shows everything to fix.

use nalgebra::{DMatrix, DVector};

use super::{
    MAX_OBJECTIVES, MAX_SEGMENTS, MAX_STRATEGIES, Model, ModelSpec, Objective, Policy, PolicySpec,
    Problem, Scalarization, Strategy,
};

/// Tolerance for symmetry and the unit diagonal of a correlation matrix.
const CORR_TOL: f64 = 1e-9;

pub(super) struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    pub(super) fn fail(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.problems.push(Problem {
            field: field.into(),
            reason: reason.into(),
        });
    }

    /// Checks length and finiteness of a vector; returns it only when usable.
    fn vector(&mut self, field: &str, v: &[f64], n: usize) -> Option<DVector<f64>> {
        if v.len() != n {
            self.fail(
                field,
                format!("has {} values, expected {n} (one per objective)", v.len()),
            );
            return None;
        }
        let mut ok = true;
        for (i, x) in v.iter().enumerate() {
            if !x.is_finite() {
                self.fail(
                    format!("{field}[{i}]"),
                    format!("is {x}, expected a finite number"),
                );
                ok = false;
            }
        }
        ok.then(|| DVector::from_column_slice(v))
    }

    fn matrix(&mut self, field: &str, m: &[Vec<f64>], n: usize) -> Option<DMatrix<f64>> {
        if m.len() != n {
            self.fail(
                field,
                format!("has {} rows, expected {n} (an {n}×{n} matrix)", m.len()),
            );
            return None;
        }
        let mut ok = true;
        for (i, row) in m.iter().enumerate() {
            if row.len() != n {
                self.fail(
                    format!("{field}[{i}]"),
                    format!("has {} values, expected {n}", row.len()),
                );
                ok = false;
                continue;
            }
            for (j, x) in row.iter().enumerate() {
                if !x.is_finite() {
                    self.fail(
                        format!("{field}[{i}][{j}]"),
                        format!("is {x}, expected a finite number"),
                    );
                    ok = false;
                }
            }
        }
        ok.then(|| DMatrix::from_fn(n, n, |i, j| m[i][j]))
    }

    fn non_negative(&mut self, field: &str, v: &DVector<f64>) -> bool {
        let mut ok = true;
        for (i, x) in v.iter().enumerate() {
            if *x < 0.0 {
                self.fail(format!("{field}[{i}]"), format!("is {x}, must be ≥ 0"));
                ok = false;
            }
        }
        ok
    }
}

/// Validates a spec into a model, or returns every problem found.
pub(super) fn validate(mut spec: ModelSpec) -> Result<Model, Vec<Problem>> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    if spec.name.trim().is_empty() {
        c.fail("name", "is empty");
    }
    if !(spec.dt.is_finite() && spec.dt > 0.0) {
        c.fail("dt", format!("is {}, must be a finite number > 0", spec.dt));
    }
    if spec.steps == 0 {
        c.fail("steps", "is 0, must be ≥ 1");
    }
    if spec.steps == u32::MAX {
        c.fail("steps", "is too large (the step counter reserves u32::MAX)");
    }

    let n = spec.objectives.len();
    if n == 0 || n > MAX_OBJECTIVES {
        c.fail(
            "objectives",
            format!("has {n} entries, a model needs between 1 and {MAX_OBJECTIVES} objectives"),
        );
        return Err(c.problems);
    }
    let mut objectives = Vec::with_capacity(n);
    for (i, o) in spec.objectives.iter().enumerate() {
        let f = format!("objectives[{i}]");
        if o.name.trim().is_empty() {
            c.fail(format!("{f}.name"), "is empty");
        } else if spec.objectives[..i].iter().any(|p| p.name == o.name) {
            c.fail(
                format!("{f}.name"),
                format!("'{}' is used by an earlier objective", o.name),
            );
        }
        if !(o.lower.is_finite() && o.upper.is_finite()) {
            c.fail(
                f.clone(),
                format!("bounds [{}, {}] must be finite", o.lower, o.upper),
            );
        } else if o.lower >= o.upper {
            c.fail(
                format!("{f}.lower"),
                format!("lower = {} is not below upper = {}", o.lower, o.upper),
            );
        }
        objectives.push(Objective {
            name: o.name.clone(),
            lower: o.lower,
            upper: o.upper,
        });
    }

    let x0 = c.vector("x0", &spec.x0, n);
    if let Some(x0) = &x0 {
        for (i, (x, o)) in x0.iter().zip(&objectives).enumerate() {
            if *x < o.lower || *x > o.upper {
                c.fail(
                    format!("x0[{i}]"),
                    format!(
                        "{x} lies outside the bounds [{}, {}] of '{}'",
                        o.lower, o.upper, o.name
                    ),
                );
            }
        }
    }
    let x0_sd = match &spec.x0_sd {
        Some(v) => c
            .vector("x0_sd", v, n)
            .filter(|v| c.non_negative("x0_sd", v)),
        None => Some(DVector::zeros(n)),
    };

    let s_count = spec.strategies.len();
    if s_count == 0 || s_count > MAX_STRATEGIES {
        c.fail(
            "strategies",
            format!(
                "has {s_count} entries, a model needs between 1 and {MAX_STRATEGIES} strategies"
            ),
        );
    }
    let mut strategies = Vec::with_capacity(s_count);
    for (k, s) in spec.strategies.iter_mut().enumerate() {
        let f = format!("strategies[{k}]");
        if s.name.trim().is_empty() {
            c.fail(format!("{f}.name"), "is empty");
        }
        if s.label.is_none() {
            s.label = Some(s.name.clone());
        }
        if let Some(strategy) = strategy(&mut c, &f, s, n) {
            strategies.push(strategy);
        }
    }
    for (k, s) in spec.strategies.iter().enumerate() {
        if spec.strategies[..k].iter().any(|p| p.name == s.name) {
            c.fail(
                format!("strategies[{k}].name"),
                format!("'{}' is used by an earlier strategy", s.name),
            );
        }
    }

    let policy = match &spec.policy {
        Some(p) if strategies.len() == s_count => policy(&mut c, p, &strategies, n),
        _ => None,
    };

    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    let model = Model {
        name: spec.name.clone(),
        objectives,
        strategies,
        policy,
        dt: spec.dt,
        steps: spec.steps,
        boundary: spec.boundary,
        x0: x0.expect("checked above"),
        x0_sd: x0_sd.expect("checked above"),
        spec,
    };
    // Finite in f64 is not enough: the engines step in f32.
    let problems = super::engine_problems(&model, model.dt);
    if problems.is_empty() {
        Ok(model)
    } else {
        Err(problems)
    }
}

fn strategy(c: &mut Checker, f: &str, s: &super::StrategySpec, n: usize) -> Option<Strategy> {
    let target = c.vector(&format!("{f}.target"), &s.target, n);
    // Negative rates are allowed (a fitted model may have them); analysis
    // flags the strategy as unstable.
    let rates = c.vector(&format!("{f}.rates"), &s.rates, n);
    let sigma = c.vector(&format!("{f}.sigma"), &s.sigma, n);
    let sigma = sigma.filter(|v| c.non_negative(&format!("{f}.sigma"), v));
    let interference = c.matrix(&format!("{f}.interference"), &s.interference, n);
    if let Some(m) = &interference {
        for i in 0..n {
            if m[(i, i)] != 0.0 {
                c.fail(
                    format!("{f}.interference[{i}][{i}]"),
                    format!(
                        "is {}, the diagonal must be 0 (self-pull is the rate)",
                        m[(i, i)]
                    ),
                );
            }
        }
    }
    let field = format!("{f}.noise_correlation");
    let corr = match &s.noise_correlation {
        None => Some(DMatrix::identity(n, n)),
        Some(m) => c
            .matrix(&field, m, n)
            .and_then(|m| correlation(c, &field, m)),
    };
    let (target, rates, sigma, m, corr) = (target?, rates?, sigma?, interference?, corr?);
    if m.iter().any(|v| v.is_nan()) {
        return None;
    }
    let a = (DMatrix::identity(n, n) + &m) * DMatrix::from_diagonal(&rates);
    let chol = corr.clone().cholesky().expect("checked positive definite");
    let l = DMatrix::from_diagonal(&sigma) * chol.l();
    Some(Strategy {
        name: s.name.clone(),
        label: s.label.clone().unwrap_or_else(|| s.name.clone()),
        target,
        rates,
        interference: m,
        sigma,
        noise_correlation: corr,
        diffusion: s.diffusion,
        a,
        l,
    })
}

fn correlation(c: &mut Checker, field: &str, m: DMatrix<f64>) -> Option<DMatrix<f64>> {
    let n = m.nrows();
    let mut ok = true;
    for i in 0..n {
        if (m[(i, i)] - 1.0).abs() > CORR_TOL {
            c.fail(
                format!("{field}[{i}][{i}]"),
                format!("is {}, a correlation diagonal must be 1", m[(i, i)]),
            );
            ok = false;
        }
        for j in 0..i {
            if (m[(i, j)] - m[(j, i)]).abs() > CORR_TOL {
                c.fail(
                    format!("{field}[{i}][{j}]"),
                    format!(
                        "is {} but [{j}][{i}] is {}: the matrix must be symmetric",
                        m[(i, j)],
                        m[(j, i)]
                    ),
                );
                ok = false;
            } else if m[(i, j)].abs() > 1.0 {
                c.fail(
                    format!("{field}[{i}][{j}]"),
                    format!("is {}, a correlation lies in [-1, 1]", m[(i, j)]),
                );
                ok = false;
            }
        }
    }
    if ok && m.clone().cholesky().is_none() {
        c.fail(
            field,
            "is not positive definite (its Cholesky factorisation fails)",
        );
        ok = false;
    }
    ok.then_some(m)
}

/// The index of strategy `name`, or a problem at `field` naming the known ones.
pub(super) fn find(
    c: &mut Checker,
    strategies: &[Strategy],
    field: &str,
    name: &str,
) -> Option<usize> {
    let k = strategies.iter().position(|s| s.name == name);
    if k.is_none() {
        let known: Vec<_> = strategies.iter().map(|s| s.name.as_str()).collect();
        c.fail(
            field,
            format!(
                "unknown strategy '{name}'; the model has {}",
                known.join(", ")
            ),
        );
    }
    k
}

fn policy(c: &mut Checker, p: &PolicySpec, strategies: &[Strategy], n: usize) -> Option<Policy> {
    let find = |c: &mut Checker, field: &str, name: &str| find(c, strategies, field, name);
    match p {
        PolicySpec::Fixed { strategy } => {
            find(c, "policy.strategy", strategy).map(|k| Policy::Fixed { strategy: k })
        }
        PolicySpec::Schedule { segments } => {
            if segments.is_empty() || segments.len() > MAX_SEGMENTS {
                c.fail(
                    "policy.segments",
                    format!(
                        "has {} segments, a schedule needs 1 to {MAX_SEGMENTS}",
                        segments.len()
                    ),
                );
                return None;
            }
            let mut out = Vec::new();
            for (i, s) in segments.iter().enumerate() {
                let k = find(c, &format!("policy.segments[{i}].strategy"), &s.strategy);
                if s.steps == 0 {
                    c.fail(format!("policy.segments[{i}].steps"), "is 0, must be ≥ 1");
                }
                out.push((k?, s.steps));
            }
            Some(Policy::Schedule { segments: out })
        }
        PolicySpec::Guard {
            default,
            floors,
            hysteresis,
        } => {
            let k = find(c, "policy.default", default);
            let fl = c.vector("policy.floors", floors, n);
            if !(hysteresis.is_finite() && *hysteresis >= 0.0) {
                c.fail(
                    "policy.hysteresis",
                    format!("is {hysteresis}, must be finite and ≥ 0"),
                );
            }
            let rescue = (0..n)
                .map(|i| {
                    // Ties go to the first strategy, so the choice is stable.
                    let mut best = 0;
                    for (k, s) in strategies.iter().enumerate() {
                        if s.rates[i] > strategies[best].rates[i] {
                            best = k;
                        }
                    }
                    best
                })
                .collect();
            Some(Policy::Guard {
                default: k?,
                floors: fl?.iter().copied().collect(),
                hysteresis: *hysteresis,
                rescue,
            })
        }
        PolicySpec::Greedy {
            every,
            scalarization,
            weights,
        } => {
            if *every == 0 {
                c.fail("policy.every", "is 0, must be ≥ 1");
            }
            let w = match (scalarization, weights) {
                (Scalarization::Min, None) => Some(vec![1.0; n]),
                (Scalarization::Min, Some(_)) => {
                    c.fail(
                        "policy.weights",
                        "is only used with scalarization = \"weighted\"",
                    );
                    None
                }
                (Scalarization::Weighted, None) => {
                    c.fail(
                        "policy.weights",
                        "is required with scalarization = \"weighted\"",
                    );
                    None
                }
                (Scalarization::Weighted, Some(w)) => {
                    let v = c.vector("policy.weights", w, n);
                    let v = v.filter(|v| c.non_negative("policy.weights", v));
                    if let Some(v) = &v
                        && v.sum() <= 0.0
                    {
                        c.fail("policy.weights", "are all zero");
                    }
                    v.map(|v| v.iter().copied().collect())
                }
            };
            Some(Policy::Greedy {
                every: *every,
                scalarization: *scalarization,
                weights: w?,
            })
        }
        PolicySpec::Adaptive { .. } => {
            super::adaptive::check(c, p, strategies).map(Policy::Adaptive)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Model;

    #[test]
    fn jacobi_strategies_validate() {
        let text = crate::model::preset("code-generation")
            .unwrap()
            .replace("diffusion = \"additive\"", "diffusion = \"jacobi\"");
        let m = Model::from_toml(&text, "test").unwrap();
        assert!(
            m.strategies
                .iter()
                .all(|s| s.diffusion == crate::model::Diffusion::Jacobi)
        );
    }
}
