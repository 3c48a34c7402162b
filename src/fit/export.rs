//! The fitted model as a model spec: what `simulate` runs, and what the fit
//! writes as TOML.

use super::FitReport;
use crate::formats::sessions::Sessions;
use crate::model::{Boundary, Model, ModelError, ModelSpec, ObjectiveSpec, StrategySpec};

impl FitReport {
    /// The fitted model as a model spec that `simulate` runs directly. The
    /// start is the sessions' mean first state with its spread; without
    /// known bounds the objectives get the data's range, widened by a tenth
    /// each side, and no boundary rule.
    pub fn to_spec(&self, data: &Sessions, name: &str) -> ModelSpec {
        let n = self.objectives.len();
        let (x0, x0_sd) = start(data, n);
        let (bounds, boundary) = match &self.bounds {
            Some(b) => (b.clone(), Boundary::Clamp),
            None => (data_range(data, n), Boundary::None),
        };
        ModelSpec {
            name: name.to_string(),
            dt: self.dt,
            steps: longest(data),
            boundary,
            x0,
            x0_sd: Some(x0_sd),
            objectives: self
                .objectives
                .iter()
                .zip(&bounds)
                .map(|(o, b)| ObjectiveSpec {
                    name: o.clone(),
                    lower: b.0,
                    upper: b.1,
                })
                .collect(),
            strategies: self
                .strategies
                .iter()
                .map(|s| StrategySpec {
                    name: s.name.clone(),
                    label: Some(s.name.clone()),
                    target: s.target.clone(),
                    rates: s.kappa.clone(),
                    interference: s.interference.clone(),
                    sigma: s.sigma.clone(),
                    noise_correlation: Some(s.noise_correlation.clone()),
                    diffusion: Default::default(),
                })
                .collect(),
            policy: None,
        }
    }

    /// The fitted model's TOML, once the spec has passed the validation every
    /// model file gets (so `simulate` accepts it); `origin` names it in errors.
    pub fn model_toml(
        &self,
        data: &Sessions,
        name: &str,
        origin: &str,
    ) -> Result<String, ModelError> {
        let spec = self.to_spec(data, name);
        Model::from_spec(spec.clone(), origin)?;
        Ok(spec.to_toml())
    }
}

/// Mean and standard deviation of the sessions' first states.
fn start(data: &Sessions, n: usize) -> (Vec<f64>, Vec<f64>) {
    let firsts: Vec<&Vec<f64>> = data.sessions.iter().map(|s| &s.states[0]).collect();
    let k = firsts.len().max(1) as f64;
    let x0: Vec<f64> = (0..n)
        .map(|i| firsts.iter().map(|x| x[i]).sum::<f64>() / k)
        .collect();
    let x0_sd = (0..n)
        .map(|i| {
            (firsts.iter().map(|x| (x[i] - x0[i]).powi(2)).sum::<f64>() / (k - 1.0).max(1.0)).sqrt()
        })
        .collect();
    (x0, x0_sd)
}

/// The data's range per objective, widened by a tenth each side.
fn data_range(data: &Sessions, n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let values = || {
                data.sessions
                    .iter()
                    .flat_map(|s| s.states.iter().map(|x| x[i]))
            };
            let lo = values().fold(f64::INFINITY, f64::min);
            let hi = values().fold(f64::NEG_INFINITY, f64::max);
            let pad = ((hi - lo) * 0.1).max(1e-6);
            (lo - pad, hi + pad)
        })
        .collect()
}

/// The longest session in iterations (at least 1).
fn longest(data: &Sessions) -> u32 {
    data.sessions
        .iter()
        .map(|s| s.iterations.last().copied().unwrap_or(0) - s.iterations[0])
        .max()
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{FitOptions, fit, testdata};

    #[test]
    fn the_spec_round_trips_through_model_validation() {
        let data = testdata::sessions();
        let opts = FitOptions {
            bounds: Some(vec![(0.0, 10.0); 2]),
            bootstrap: 0,
            ..Default::default()
        };
        let report = fit(&data, &opts).unwrap();
        let spec = report.to_spec(&data, "refit");
        let model = Model::from_spec(spec.clone(), "refit").unwrap();
        assert_eq!(model.name, "refit");
        assert_eq!(model.objective_names(), data.objectives);
        assert_eq!(model.boundary, Boundary::Clamp);
        assert_eq!(model.steps, testdata::ITERATIONS);
        assert_eq!(spec.objectives[1].upper, 10.0);
        for (s, f) in model.strategies.iter().zip(&report.strategies) {
            assert_eq!(s.name, f.name);
            assert_eq!(s.target.as_slice(), f.target.as_slice());
            assert_eq!(s.rates.as_slice(), f.kappa.as_slice());
        }
        let toml = report.model_toml(&data, "refit", "t.toml").unwrap();
        assert_eq!(toml, spec.to_toml());
        assert_eq!(Model::from_toml(&toml, "t.toml").unwrap(), model);
    }

    #[test]
    fn without_bounds_the_objectives_span_the_data_widened() {
        let data = testdata::sessions();
        let opts = FitOptions {
            bootstrap: 0,
            ..Default::default()
        };
        let spec = fit(&data, &opts).unwrap().to_spec(&data, "refit");
        assert_eq!(spec.boundary, Boundary::None);
        let values = || {
            data.sessions
                .iter()
                .flat_map(|s| s.states.iter().map(|x| x[0]))
        };
        let lo = values().fold(f64::INFINITY, f64::min);
        let hi = values().fold(f64::NEG_INFINITY, f64::max);
        let o = &spec.objectives[0];
        assert!(o.lower < lo && o.upper > hi);
        approx::assert_abs_diff_eq!(o.upper - o.lower, 1.2 * (hi - lo), epsilon = 1e-9);
        let x0 = spec.x0[0];
        let first = data.sessions.iter().map(|s| s.states[0][0]).sum::<f64>();
        approx::assert_abs_diff_eq!(x0, first / data.sessions.len() as f64, epsilon = 1e-12);
    }
}
