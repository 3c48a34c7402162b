//! What the f32 engines can hold. A model is validated in f64, but both
//! engines step in f32: every derived quantity that reaches them (bounds and
//! ranges, x*, A and A·dt, L·√dt, dt itself, the largest step) must be finite
//! there, or paths turn to ∞/NaN and a run reports nonsense as success.

use super::{Boundary, Model, Policy, Problem};

/// The largest |z| a normal from [`crate::rng::normals4`] can reach:
/// √(−2 ln 2⁻²⁴) ≈ 5.77 for the smallest uniform 2⁻²⁴, rounded up so that a
/// GPU's less exact `ln` stays inside.
pub const MAX_NORMAL: f64 = 5.8;

/// The largest move of one step, in multiples of an objective's range, that
/// the `reflect` rule accepts. The f32 fold `y − p·⌊y/p⌋` (p = twice the
/// range) errs by about one ulp of `y`; at 64 ranges that is under 2⁻¹⁶ of
/// the range, while at 10⁸ ranges the fold is pure rounding noise.
pub const MAX_REFLECT_STEP_RANGES: f64 = 64.0;

/// Largest magnitude of a derived quantity: a quarter of `f32::MAX`, so that
/// a state plus its drift plus its noise still cannot overflow.
const F32_HEADROOM: f64 = f32::MAX as f64 / 4.0;

fn f32_finite(v: f64) -> bool {
    (v as f32).is_finite() && v.abs() <= F32_HEADROOM
}

/// Every problem that keeps `model` from running on the f32 engines with
/// time step `dt`; empty when it can. Fields are named as in the model file
/// (`dt` for the step itself).
pub fn engine_problems(model: &Model, dt: f64) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut fail = |field: String, reason: String| out.push(Problem { field, reason });
    let (dt32, sqrt32) = (dt as f32, dt.sqrt() as f32);
    if !(dt32 > 0.0 && sqrt32 > 0.0 && dt32.is_finite()) {
        fail(
            "dt".into(),
            format!("is {dt}, which underflows to 0 or overflows in f32 (the engines step in f32)"),
        );
        return out;
    }
    let mut ranges_ok = true;
    for (i, o) in model.objectives.iter().enumerate() {
        let (lo, hi) = (o.lower as f32, o.upper as f32);
        let range = hi - lo;
        let inv = 1.0 / f64::from(range);
        let usable = f32_finite(o.lower)
            && f32_finite(o.upper)
            && lo < hi
            && f32_finite(2.0 * f64::from(range))
            && f32_finite(inv);
        if !usable {
            fail(
                format!("objectives[{i}]"),
                format!(
                    "bounds [{}, {}] of '{}' are not distinct finite numbers with a finite range in f32 (the engines' precision); keep |bounds| and their range within 1e-30 to 1e37",
                    o.lower, o.upper, o.name
                ),
            );
            ranges_ok = false;
        }
    }
    for (i, v) in model.x0_sd.iter().enumerate() {
        if !f32_finite(*v) {
            fail(format!("x0_sd[{i}]"), format!("is {v}, too large for f32"));
        }
    }
    for (k, s) in model.strategies.iter().enumerate() {
        for (i, v) in s.target.iter().enumerate() {
            if !f32_finite(*v) {
                fail(
                    format!("strategies[{k}].target[{i}]"),
                    format!("is {v}, beyond the range the f32 engines hold (±8.5e37)"),
                );
            }
        }
    }
    policy_problems(model, &mut fail);
    if !out.is_empty() || !ranges_ok {
        return out;
    }
    for (k, _) in model.strategies.iter().enumerate() {
        strategy_problems(model, k, dt, &mut out);
    }
    out
}

fn policy_problems(model: &Model, fail: &mut impl FnMut(String, String)) {
    let (field, values): (&str, &[f64]) = match &model.policy {
        Some(Policy::Guard {
            floors, hysteresis, ..
        }) => {
            if !f32_finite(*hysteresis) {
                fail(
                    "policy.hysteresis".into(),
                    format!("is {hysteresis}, too large for f32"),
                );
            }
            ("policy.floors", floors)
        }
        Some(Policy::Greedy { weights, .. }) => ("policy.weights", weights),
        _ => return,
    };
    for (i, v) in values.iter().enumerate() {
        if !f32_finite(*v) {
            fail(
                format!("{field}[{i}]"),
                format!("is {v}, too large for f32"),
            );
        }
    }
}

/// Checks A, A·dt, L·√dt and the largest step of strategy `k`.
fn strategy_problems(model: &Model, k: usize, dt: f64, out: &mut Vec<Problem>) {
    let s = &model.strategies[k];
    let f = format!("strategies[{k}]");
    let n = model.n();
    let mut fail = |field: String, reason: String| out.push(Problem { field, reason });
    let mut ok = true;
    for i in 0..n {
        for j in 0..n {
            let a = s.a[(i, j)];
            if !(f32_finite(a) && f32_finite(a * dt)) {
                let field = if i == j {
                    format!("{f}.rates[{j}]")
                } else {
                    format!("{f}.interference[{i}][{j}]")
                };
                fail(
                    field,
                    format!(
                        "gives the drift matrix entry A[{i}][{j}] = {a:e}, whose product with dt = {dt} is beyond the range the f32 engines hold (±8.5e37)"
                    ),
                );
                ok = false;
            }
        }
        let l: f64 = (0..=i).map(|j| s.l[(i, j)].abs()).sum();
        if !f32_finite(l * dt.sqrt() * MAX_NORMAL) {
            fail(
                format!("{f}.sigma[{i}]"),
                format!(
                    "is {:e}: σ·√dt is beyond the range the f32 engines hold (±8.5e37)",
                    s.sigma[i]
                ),
            );
            ok = false;
        }
    }
    if !ok {
        return;
    }
    for (i, o) in model.objectives.iter().enumerate() {
        let (drift, noise) = largest_step(model, k, i, dt);
        if !f32_finite(drift) {
            fail(
                format!("{f}.rates"),
                format!(
                    "the drift of '{}' over one step reaches {drift:.3e}, beyond the range the f32 engines hold (±8.5e37)",
                    o.name
                ),
            );
        } else if model.boundary == Boundary::Reflect
            && drift + noise > MAX_REFLECT_STEP_RANGES * o.range()
        {
            let field = if noise >= drift { "sigma" } else { "rates" };
            fail(
                format!("{f}.{field}[{i}]"),
                format!(
                    "one step can move '{}' by up to {:.3e} (drift {drift:.3e}, noise {noise:.3e} at |z| ≤ {MAX_NORMAL}), more than {MAX_REFLECT_STEP_RANGES} times its range {}; the reflect rule cannot fold such steps exactly in f32: lower sigma, rates or dt, or use boundary = \"clamp\"",
                    o.name,
                    drift + noise,
                    o.range()
                ),
            );
        }
    }
}

/// The largest drift and noise move of objective `i` in one step of
/// strategy `k` from any state inside the bounds.
pub fn largest_step(model: &Model, k: usize, i: usize, dt: f64) -> (f64, f64) {
    let s = &model.strategies[k];
    let drift: f64 = model
        .objectives
        .iter()
        .enumerate()
        .map(|(j, o)| {
            let gap = (s.target[j] - o.lower)
                .abs()
                .max((s.target[j] - o.upper).abs());
            s.a[(i, j)].abs() * gap
        })
        .sum::<f64>()
        * dt;
    let noise: f64 = (0..=i).map(|j| s.l[(i, j)].abs()).sum::<f64>() * dt.sqrt() * MAX_NORMAL;
    (drift, noise)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset() -> Model {
        Model::from_toml(crate::model::preset("code-generation").unwrap(), "t").unwrap()
    }

    #[test]
    fn the_preset_fits_and_extreme_steps_do_not() {
        let m = preset();
        assert!(engine_problems(&m, m.dt).is_empty());
        let p = engine_problems(&m, 1e-300);
        assert_eq!(p[0].field, "dt");
        assert_eq!(engine_problems(&m, 1e70)[0].field, "dt");
        // Finite in f32, but the drift of one step is not.
        let p = engine_problems(&m, 1e37);
        assert!(p.iter().any(|p| p.field.ends_with(".rates")), "{p:?}");
    }

    #[test]
    fn reflect_limits_the_largest_step() {
        let mut m = preset();
        m.boundary = Boundary::Reflect;
        let (drift, noise) = largest_step(&m, 0, 0, 1.0);
        assert!(drift > 0.0 && noise > 0.0);
        let limit = MAX_REFLECT_STEP_RANGES * m.objectives[0].range();
        // The preset's one-step moves are far inside the limit; a dt that
        // makes them exceed it is refused by field.
        assert!(drift + noise < limit);
        let big = (limit / (drift + noise)).powi(2) * 4.0;
        assert!(!engine_problems(&m, big).is_empty());
    }
}
