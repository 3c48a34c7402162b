//! `simulate`: a run held in memory, its tables and arrays, and `save`,
//! which writes the folder `mosde simulate --out` writes.

use std::path::PathBuf;
use std::time::Instant;

use numpy::ndarray::ArrayView3;
use numpy::{PyArray2, PyArray3, PyArray4, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use mosde::analysis::{Reduction, ReportOptions};
use mosde::engine::{Goals, Integration, JobOptions, Passage, Run, SaveAt};
use mosde::report::{self, Manifest, run_dir::RunDir};
use mosde::shard::Shard;
use mosde::simulation::Simulation;

use crate::model::PyModel;
use crate::py_err;
use crate::run::{EngineChoice, detached, warn};

/// A finished simulation (`mosde.Simulation`): the run, its reduction and
/// its manifest, all in memory.
#[pyclass(name = "Simulation", module = "mosde._mosde", frozen)]
pub struct PySimulation {
    run: Run,
    reduction: Reduction,
    manifest: Manifest,
}

/// What `simulate` was asked: a dict of its keywords.
#[derive(Debug, FromPyObject)]
#[pyo3(from_item_all)]
pub struct Options {
    paths: u64,
    steps: Option<u32>,
    dt: Option<f64>,
    seed: u64,
    strategies: Vec<String>,
    record_every: Option<u32>,
    record_paths: u32,
    pareto_sample: u32,
    pareto_reference: Option<Vec<f64>>,
    tolerance: f64,
    goal: Option<String>,
    constraint: Option<String>,
    confidence: Option<f64>,
}

impl Options {
    /// The simulation, built as `mosde simulate` builds it from its flags.
    fn simulation(&self, model: &PyModel) -> PyResult<Simulation> {
        let goals = Goals::for_model(
            self.goal.as_deref(),
            self.constraint.as_deref(),
            self.confidence,
            &model.model,
        )
        .map_err(py_err)?;
        let options = JobOptions {
            integration: Integration {
                paths: self.paths,
                steps: self.steps,
                dt: self.dt,
                seed: self.seed,
                ..Default::default()
            },
            save: SaveAt {
                record_every: self.record_every,
                record_paths: self.record_paths,
                keep_terminal: self.pareto_sample,
            },
            passage: Passage {
                tolerance: self.tolerance,
            },
            goals,
        };
        let mut sim = Simulation::new(model.model.clone(), &self.strategies, options);
        sim.report = ReportOptions {
            pareto_reference: self.pareto_reference.clone(),
            ..Default::default()
        };
        Ok(sim)
    }
}

/// Simulates `model` (see `mosde.simulate`); `progress`, when given, is
/// called with (paths done, paths in all) after each chunk.
#[pyfunction]
#[pyo3(signature = (model, options, engine, threads, progress))]
pub fn simulate(
    py: Python<'_>,
    model: &PyModel,
    options: Options,
    engine: &str,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<PySimulation> {
    let choice = EngineChoice::new(engine, threads)?;
    if options.pareto_sample == 0 {
        return Err(PyValueError::new_err(
            "pareto_sample=0 keeps no terminal states, so quantiles and hypervolumes could not be measured; give at least 1",
        ));
    }
    let sim = options.simulation(model)?;
    let (scenarios, job) = sim.plan(Shard::WHOLE).map_err(py_err)?;
    for w in sim.warnings() {
        warn(py, &w)?;
    }
    detached(py, choice, progress, move |session| {
        let (engine, reporter) = session.split();
        reporter.total(job.total_paths());
        let t0 = Instant::now();
        let run = Run::execute(engine, scenarios, job, &mut |n| reporter.step(n))?;
        let elapsed = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let reduction = Reduction::new(&run, &sim.report);
        let path_steps = run.job.total_paths() as f64 * f64::from(run.job.steps());
        let mut manifest = sim.manifest(&run, Shard::WHOLE);
        manifest.elapsed_s = elapsed;
        manifest.path_steps_per_s = path_steps / elapsed.max(1e-9);
        manifest.timings = serde_json::json!({
            "simulate_s": elapsed,
            "analysis_s": t1.elapsed().as_secs_f64(),
        });
        Ok(PySimulation {
            run,
            reduction,
            manifest,
        })
    })
}

#[pymethods]
impl PySimulation {
    /// `summary.json`'s text.
    fn summary_json(&self) -> String {
        String::from_utf8_lossy(&report::json_bytes(&self.reduction.report)).into_owned()
    }

    /// `moments.csv`'s text.
    fn moments_csv(&self) -> String {
        String::from_utf8_lossy(&report::moments_csv(&self.reduction)).into_owned()
    }

    /// `manifest.json`'s text, without the file hashes `save` adds.
    fn manifest_json(&self) -> String {
        String::from_utf8_lossy(&report::json_bytes(&self.manifest)).into_owned()
    }

    /// Strategy names, in the order of the arrays' first axis.
    #[getter]
    fn strategies(&self) -> Vec<String> {
        self.run.scenarios.iter().map(|s| s.name.clone()).collect()
    }

    /// Kept terminal states, `(strategies, kept paths, objectives)`.
    fn terminal<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray3<f32>>> {
        let me = slf.get();
        let n = me.run.job.objectives();
        let per: Vec<&[f32]> = me.run.output.sets.iter().map(|s| &s.terminal[..]).collect();
        stack3(slf, &per, n)
    }

    /// First-passage histograms, `(strategies, steps + 2)`.
    fn first_passage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<u64>>> {
        let rows: Vec<Vec<u64>> = self
            .run
            .output
            .sets
            .iter()
            .map(|s| s.hist.clone())
            .collect();
        PyArray2::from_vec2(py, &rows).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Recorded trajectories, `(strategies, recorded paths, steps + 1, objectives)`.
    fn paths<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray4<f32>>> {
        let me = slf.get();
        let n = me.run.job.objectives();
        let points = me.run.job.steps() as usize + 1;
        let per: Vec<&[f32]> = me.run.output.sets.iter().map(|s| &s.paths[..]).collect();
        let flat = stack3(slf, &per, points * n)?;
        let (k, p) = (flat.shape()[0], flat.shape()[1]);
        let shaped = flat.reshape([k, p, points, n])?;
        Ok(shaped)
    }

    /// Writes the run's folder as `mosde simulate --out dir` does: the same
    /// files, byte for byte, and a manifest with their hashes.
    #[pyo3(signature = (dir, force = false))]
    fn save(&self, py: Python<'_>, dir: PathBuf, force: bool) -> PyResult<PathBuf> {
        py.detach(|| {
            let out = RunDir::create(&dir, force)?;
            report::write_simulation(out.path(), &self.run, &self.reduction)?;
            Ok::<_, mosde::Error>(out.commit(&self.manifest)?)
        })
        .map_err(py_err)
    }
}

/// One `(sets, rows, width)` array of per-set buffers of `rows × width`
/// values. A single set is handed over as a view of the run's own buffer,
/// kept alive by `owner`; several sets are copied once into a new array.
fn stack3<'py>(
    owner: &Bound<'py, PySimulation>,
    per: &[&[f32]],
    width: usize,
) -> PyResult<Bound<'py, PyArray3<f32>>> {
    let rows = per.first().map_or(0, |s| s.len() / width.max(1));
    if per.iter().any(|s| s.len() != rows * width) {
        return Err(PyValueError::new_err(
            "the strategies kept different numbers of paths; read them one strategy at a time",
        ));
    }
    if let [single] = per {
        let view = ArrayView3::from_shape((1, rows, width), single)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        // SAFETY: the buffer belongs to the run inside `owner`, which is
        // frozen (never mutated or moved) and outlives the array, since
        // the array holds a reference to it as its base.
        return Ok(unsafe { PyArray3::borrow_from_array(&view, owner.clone().into_any()) });
    }
    let flat: Vec<f32> = per.concat();
    let array = numpy::ndarray::Array3::from_shape_vec((per.len(), rows, width), flat)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyArray3::from_owned_array(owner.py(), array))
}
