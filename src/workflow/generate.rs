//! Synthetic sessions: a model's strategies simulated on an engine and
//! recorded at whole iterations, as an LLM session log would be.

use super::WorkflowError;
use crate::engine::{Engine, Integration, Job, JobOptions, SaveAt, Scenario};
use crate::formats::sessions::{Session, Sessions};
use crate::model::{Model, Policy};
use crate::rng::{key, normals4, philox4x32_10};

/// Block of the observation-noise Philox stream (far above the step blocks).
const OBSERVATION_BLOCK: u32 = 0x4000_0000;

/// Simulates `sessions` sessions of `iterations` iterations per strategy of
/// `model` and records them at whole iterations (with dt < 1 the steps in
/// between are integrated but not recorded). With `observation_noise` > 0,
/// each recorded value gets independent normal noise of that standard
/// deviation and is clamped to its objective's bounds.
pub fn generate(
    model: &Model,
    engine: &mut dyn Engine,
    sessions: u32,
    iterations: u32,
    seed: u64,
    observation_noise: f64,
) -> Result<Sessions, WorkflowError> {
    let per = steps_per_iteration(model.dt)?;
    if sessions == 0 || iterations == 0 {
        return Err(WorkflowError::Empty {
            sessions,
            iterations,
        });
    }
    let steps = iterations
        .checked_mul(per)
        .filter(|s| *s < u32::MAX)
        .ok_or(WorkflowError::Iterations { iterations, per })?;
    if !(observation_noise.is_finite() && observation_noise >= 0.0) {
        return Err(WorkflowError::ObservationNoise(observation_noise));
    }
    let scenarios: Vec<Scenario> = (0..model.strategies.len())
        .map(|k| Scenario::new(model, Policy::Fixed { strategy: k }))
        .collect();
    let opts = JobOptions {
        integration: Integration {
            paths: u64::from(sessions),
            steps: Some(steps),
            seed,
            ..Default::default()
        },
        save: SaveAt {
            record_paths: sessions,
            keep_terminal: 0,
            ..Default::default()
        },
        ..Default::default()
    };
    let job = Job::new(&scenarios, &opts)?;
    let out = engine.run(&job, &mut |_| {})?;
    let n = model.n();
    let steps = steps as usize;
    let observe = Observer {
        model,
        noise: observation_noise,
        key: key(seed ^ 0x6f62_7365_7276_6564), // a stream of its own for observation noise
    };
    let mut list = Vec::new();
    for (set, (sc, o)) in scenarios.iter().zip(&out.sets).enumerate() {
        for (p, path) in o.paths.chunks_exact((steps + 1) * n).enumerate() {
            let states = (0..=iterations)
                .map(|it| observe.state(&path[(it * per) as usize * n..][..n], p, it, set))
                .collect();
            list.push(Session {
                id: format!("{}-{:04}", sc.name, p),
                strategy: sc.name.clone(),
                iterations: (0..=iterations).collect(),
                states,
            });
        }
    }
    Ok(Sessions {
        objectives: model.objective_names(),
        sessions: list,
        dropped_rows: 0,
    })
}

/// Engine steps per iteration: `1 / dt`, which must be a whole number.
fn steps_per_iteration(dt: f64) -> Result<u32, WorkflowError> {
    let per = (1.0 / dt).round();
    if per < 1.0 || (per * dt - 1.0).abs() > 1e-9 {
        return Err(WorkflowError::Dt { dt });
    }
    Ok(per as u32)
}

/// Turns a simulated state into an observed one.
struct Observer<'a> {
    model: &'a Model,
    /// Standard deviation of the observation noise (0: none).
    noise: f64,
    /// Key of the observation-noise stream.
    key: [u32; 2],
}

impl Observer<'_> {
    /// The observed state of path `p` of parameter set `set` at iteration
    /// `it`: the simulated `x`, plus noise clamped to the bounds when any.
    fn state(&self, x: &[f32], p: usize, it: u32, set: usize) -> Vec<f64> {
        let n = x.len();
        let mut z = [0.0f32; 8];
        if self.noise > 0.0 {
            for b in 0..n.div_ceil(4) {
                let q = normals4(philox4x32_10(
                    [p as u32, it, set as u32, OBSERVATION_BLOCK + b as u32],
                    self.key,
                ));
                z[b * 4..b * 4 + 4].copy_from_slice(&q);
            }
        }
        (0..n)
            .map(|i| {
                let o = &self.model.objectives[i];
                let v = f64::from(x[i]) + self.noise * f64::from(z[i]);
                if self.noise > 0.0 {
                    v.clamp(o.lower, o.upper)
                } else {
                    v
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cpu::CpuEngine;

    fn preset() -> Model {
        Model::preset("code-generation").unwrap()
    }

    #[test]
    fn sessions_start_at_x0_and_have_every_iteration() {
        let model = preset();
        let mut e = CpuEngine::new(1).unwrap();
        let s = generate(&model, &mut e, 3, 4, 1, 0.0).unwrap();
        assert_eq!(s.objectives, model.objective_names());
        assert_eq!(s.sessions.len(), 3 * model.strategies.len());
        assert_eq!(s.sessions[1].id, "EF-0001");
        for session in &s.sessions {
            assert_eq!(session.iterations, [0, 1, 2, 3, 4]);
            assert_eq!(session.states.len(), 5);
        }
        let again = generate(&model, &mut e, 3, 4, 1, 0.0).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn observation_noise_stays_in_the_bounds() {
        let model = preset();
        let mut e = CpuEngine::new(1).unwrap();
        let s = generate(&model, &mut e, 4, 3, 2, 5.0).unwrap();
        for x in s.sessions.iter().flat_map(|s| &s.states) {
            for (v, o) in x.iter().zip(&model.objectives) {
                assert!((o.lower..=o.upper).contains(v), "{v} outside {o:?}");
            }
        }
    }

    #[test]
    fn bad_settings_are_typed_input_errors() {
        let mut e = CpuEngine::new(1).unwrap();
        let model = preset();
        let empty = generate(&model, &mut e, 0, 3, 0, 0.0).unwrap_err();
        assert!(matches!(empty, WorkflowError::Empty { sessions: 0, .. }));
        let noise = generate(&model, &mut e, 1, 3, 0, f64::NAN).unwrap_err();
        assert!(matches!(noise, WorkflowError::ObservationNoise(_)));
        let mut spec = model.spec.clone();
        spec.dt = 0.3;
        let odd = Model::from_spec(spec, "t").unwrap();
        let dt = generate(&odd, &mut e, 1, 3, 0, 0.0).unwrap_err();
        assert!(matches!(dt, WorkflowError::Dt { .. }));
        for err in [empty, noise, dt] {
            assert!(err.is_input(), "{err}");
            assert!(!err.to_string().contains("--"), "{err}");
        }
    }
}
