//! Models: presets, model files and texts, parameter edits, the spectral
//! analysis.

use std::path::Path;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use mosde::analysis::spectral;
use mosde::model::{Model, preset_names};
use mosde::sweep::{self, Domain, Parameter};

use crate::py_err;

/// A validated model (`mosde.Model`).
#[pyclass(name = "Model", module = "mosde._mosde", frozen)]
#[derive(Debug, Clone)]
pub struct PyModel {
    /// The model.
    pub(crate) model: Model,
}

#[pymethods]
impl PyModel {
    /// A built-in preset by name (see `presets()`).
    #[staticmethod]
    fn preset(name: &str) -> PyResult<PyModel> {
        let model = Model::preset(name).map_err(py_err)?;
        Ok(PyModel { model })
    }

    /// A model from a TOML file's path or from TOML text. A string that
    /// names an existing file is read; any other string is parsed as text.
    #[staticmethod]
    fn from_toml(path_or_text: &str) -> PyResult<PyModel> {
        let path = Path::new(path_or_text);
        let is_file = !path_or_text.contains('\n') && path.is_file();
        let model = match is_file {
            true => Model::from_file(path),
            false => Model::from_toml(path_or_text, "<text>"),
        }
        .map_err(py_err)?;
        Ok(PyModel { model })
    }

    /// The model as TOML (defaults filled in); `Model.from_toml` reads it back.
    fn to_toml(&self) -> String {
        self.model.spec.to_toml()
    }

    /// The model's name.
    #[getter]
    fn name(&self) -> String {
        self.model.name.clone()
    }

    /// Objective names, in order.
    #[getter]
    fn objectives(&self) -> Vec<String> {
        self.model.objective_names()
    }

    /// Strategy names, in order.
    #[getter]
    fn strategies(&self) -> Vec<String> {
        self.model
            .strategies
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    /// A copy with parameters set by sweep-spec paths
    /// (`strategies.AI.interference[0][2]`, `x0[1]`, …), validated as a
    /// model file is.
    fn with_params(&self, params: &Bound<'_, PyDict>) -> PyResult<PyModel> {
        let params: Vec<(String, f64)> = params
            .iter()
            .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
            .collect::<PyResult<_>>()?;
        let mut parameters = Vec::with_capacity(params.len());
        for (path, value) in &params {
            let target = sweep::parse_path(path, &self.model)
                .map_err(|why| PyValueError::new_err(format!("parameter {path}: {why}")))?;
            parameters.push(Parameter {
                path: path.clone(),
                target,
                domain: Domain::Range(*value, *value),
            });
        }
        let values: Vec<f64> = params.iter().map(|(_, v)| *v).collect();
        let spec = sweep::apply(&self.model.spec, &parameters, &values);
        let model = Model::from_spec(spec, "with_params").map_err(py_err)?;
        Ok(PyModel { model })
    }

    fn __repr__(&self) -> String {
        format!(
            "Model({:?}: {} objectives, strategies {})",
            self.model.name,
            self.model.n(),
            self.strategies().join(", ")
        )
    }
}

/// Names of the built-in presets.
#[pyfunction]
pub fn presets() -> Vec<&'static str> {
    preset_names()
}

/// `mosde analyze --format json` of `model`: rates, modes, radii, stability
/// and equilibria per strategy, as JSON text.
#[pyfunction]
pub fn analyze(model: &PyModel) -> String {
    let m = &model.model;
    let spectra = spectral::analyze(m, m.dt);
    String::from_utf8_lossy(&mosde::report::spectra_json(m, &spectra)).into_owned()
}
