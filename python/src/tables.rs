//! The table-shaped calls: Pareto fronts, generated sessions, fits, sweeps
//! and the device list.

use std::path::PathBuf;

use numpy::{PyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use mosde::fit::FitOptions;
use mosde::formats::points::PointTable;
use mosde::formats::sessions::Sessions;
use mosde::model::Model;
use mosde::pareto::{TableOptions, analyze_table};
use mosde::report;
use mosde::shard::Shard;
use mosde::sweep::store::{Event, SweepRun};
use mosde::sweep::{Sweep, SweepError, SweepSpec};
use mosde::workflow;

use crate::model::PyModel;
use crate::py_err;
use crate::run::{EngineChoice, detached};

/// The non-dominated rows of `points` (one row per point, objectives named
/// `names`) and their hypervolume, as `mosde pareto` computes them:
/// objectives normalised by `bounds` or by the data's range, every one
/// maximised except those named in `minimize`.
#[pyfunction]
#[pyo3(signature = (points, names, minimize, bounds, reference))]
pub fn pareto<'py>(
    py: Python<'py>,
    points: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    minimize: Vec<String>,
    bounds: Option<Vec<(f64, f64)>>,
    reference: Option<Vec<f64>>,
) -> PyResult<(Bound<'py, PyArray1<u64>>, f64)> {
    let array = points.as_array();
    if array.ncols() != names.len() {
        return Err(PyValueError::new_err(format!(
            "points have {} columns but {} objective names were given",
            array.ncols(),
            names.len()
        )));
    }
    let values: Vec<Vec<f64>> = array.rows().into_iter().map(|r| r.to_vec()).collect();
    let table = PointTable {
        header: names.clone(),
        rows: vec![Vec::new(); values.len()],
        objective_columns: (0..names.len()).collect(),
        values,
    };
    let options = TableOptions {
        minimize,
        bounds,
        reference,
    };
    let out = analyze_table(&table, &options).map_err(py_err)?;
    let front: Vec<u64> = out.front.iter().map(|&i| i as u64).collect();
    Ok((PyArray1::from_vec(py, front), out.hypervolume))
}

/// `mosde generate`: synthetic sessions from `model` on the CPU engine, as
/// the session CSV's text.
#[pyfunction]
#[pyo3(signature = (model, sessions, iterations, seed, observation_noise))]
pub fn generate(
    py: Python<'_>,
    model: &PyModel,
    sessions: u32,
    iterations: u32,
    seed: u64,
    observation_noise: f64,
) -> PyResult<String> {
    let choice = EngineChoice::new("cpu", None)?;
    let model = model.model.clone();
    let bytes = detached(py, choice, None, move |session| {
        let s = workflow::generate(
            &model,
            session.engine,
            sessions,
            iterations,
            seed,
            observation_noise,
        )?;
        Ok(s.to_csv())
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A fit of logged sessions (`mosde.Fit`): `report.json`'s text and the
/// fitted model.
#[pyclass(name = "Fit", module = "mosde._mosde", frozen)]
pub struct PyFit {
    /// `report.json`'s text.
    #[pyo3(get)]
    report_json: String,
    /// The fitted model.
    #[pyo3(get)]
    model: PyModel,
    /// The fitted model's TOML, as `mosde fit --out` writes it.
    #[pyo3(get)]
    model_toml: String,
}

/// `mosde fit` of the session CSV text `csv`.
#[pyfunction]
#[pyo3(signature = (csv, dt, bounds, holdout, bootstrap, seed, allow_missing, name))]
#[allow(
    clippy::too_many_arguments,
    reason = "one argument per keyword of mosde.fit"
)]
pub fn fit(
    py: Python<'_>,
    csv: &str,
    dt: f64,
    bounds: Option<Vec<(f64, f64)>>,
    holdout: f64,
    bootstrap: usize,
    seed: u64,
    allow_missing: bool,
    name: &str,
) -> PyResult<PyFit> {
    let data = Sessions::parse(csv, "sessions", allow_missing).map_err(py_err)?;
    let opts = FitOptions {
        dt,
        bounds,
        holdout,
        bootstrap,
        seed,
    };
    let fitted = py
        .detach(|| mosde::fit::fit(&data, &opts))
        .map_err(py_err)?;
    let toml = fitted
        .model_toml(&data, name, "fitted model")
        .map_err(py_err)?;
    let model = Model::from_toml(&toml, "fitted model").map_err(py_err)?;
    Ok(PyFit {
        report_json: String::from_utf8_lossy(&report::json_bytes(&fitted)).into_owned(),
        model: PyModel { model },
        model_toml: toml,
    })
}

/// A sweep spec: a file's path, or the keys of one as JSON text.
fn load_sweep(path: Option<PathBuf>, json: Option<&str>) -> PyResult<Sweep> {
    let sweep = match (path, json) {
        (Some(p), None) => Sweep::from_file(&p),
        (None, Some(text)) => serde_json::from_str::<SweepSpec>(text)
            .map_err(|e| SweepError::Invalid {
                origin: "spec".into(),
                field: "(spec)".into(),
                reason: e.to_string(),
            })
            .and_then(|spec| Sweep::from_spec(spec, "spec", None)),
        _ => return Err(PyValueError::new_err("give a spec path or a spec dict")),
    };
    sweep.map_err(py_err)
}

/// `mosde sweep` (or `mosde sensitivity`) of a spec into the folder `out`;
/// `progress`, when given, is called with (points done, points to run).
#[pyfunction]
#[pyo3(signature = (path, json, sensitivity, shard, out, force, resume, engine, threads, progress))]
#[allow(
    clippy::too_many_arguments,
    reason = "one argument per keyword of mosde.sweep"
)]
pub fn sweep(
    py: Python<'_>,
    path: Option<PathBuf>,
    json: Option<&str>,
    sensitivity: bool,
    shard: Option<&str>,
    out: PathBuf,
    force: bool,
    resume: bool,
    engine: &str,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Vec<String>> {
    let origin = path.as_ref().map(|p| p.display().to_string());
    let sweep = load_sweep(path, json)?;
    if sensitivity {
        sweep
            .check_indices(origin.as_deref().unwrap_or("spec"))
            .map_err(py_err)?;
    }
    let request = SweepRun {
        sensitivity,
        shard: shard
            .map_or(Ok(Shard::WHOLE), Shard::parse)
            .map_err(py_err)?,
        dir: out,
        resume,
        force,
    };
    let choice = EngineChoice::new(engine, threads)?;
    detached(py, choice, progress, move |session| {
        let (engine, reporter) = session.split();
        let outcome = request.execute(&sweep, engine, &mut |event| match event {
            Event::Started { todo, .. } => reporter.total(todo),
            Event::Progress(n) => reporter.step(n),
        })?;
        let warnings = outcome.analysis.map(|a| a.warnings()).unwrap_or_default();
        Ok(warnings)
    })
}

/// `mosde devices --json`'s text.
#[pyfunction]
pub fn devices(py: Python<'_>) -> String {
    let list = py.detach(mosde::engine::gpu::adapters);
    String::from_utf8_lossy(&report::adapters_json(&list)).into_owned()
}
