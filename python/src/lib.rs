//! `mosde._mosde`: the native half of the `mosde` Python package.
//!
//! Every function here is one library call wrapped for Python: arguments
//! come in as plain Python values, results go out as JSON or CSV text (the
//! same bytes the CLI writes, which the Python half turns into dicts and
//! tables) or as numpy arrays. Nothing is computed here that the library
//! does not compute for the CLI.

mod model;
mod run;
mod simulate;
mod tables;

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use mosde::engine::EngineError;
use mosde::sweep::SweepError;
use mosde::workflow::WorkflowError;

/// The engine error behind `e`, if it is one.
fn engine_error(e: &mosde::Error) -> Option<&EngineError> {
    match e {
        mosde::Error::Engine(e)
        | mosde::Error::Sweep(SweepError::Engine(e))
        | mosde::Error::Workflow(WorkflowError::Engine(e)) => Some(e),
        _ => None,
    }
}

/// The error's message with its causes, as the CLI prints it after
/// `error: ` (anyhow's `{:#}`: each cause after a colon).
fn message(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// A library error as a Python exception: `ValueError` for bad input,
/// `RuntimeError` for a failure of the run or the machine (a missing GPU
/// included, which the CLI counts as a bad `--engine`), and
/// `KeyboardInterrupt` for a run stopped by an interrupt.
pub(crate) fn py_err(e: impl Into<mosde::Error>) -> PyErr {
    let e: mosde::Error = e.into();
    let text = message(&e);
    match engine_error(&e) {
        Some(EngineError::Cancelled) => PyKeyboardInterrupt::new_err(text),
        Some(EngineError::NoAdapter(_)) => PyRuntimeError::new_err(text),
        _ if e.is_input() => PyValueError::new_err(text),
        _ => PyRuntimeError::new_err(text),
    }
}

/// The native module.
#[pymodule]
fn _mosde(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::PyModel>()?;
    m.add_class::<simulate::PySimulation>()?;
    m.add_class::<tables::PyFit>()?;
    m.add_function(wrap_pyfunction!(model::presets, m)?)?;
    m.add_function(wrap_pyfunction!(model::analyze, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(tables::pareto, m)?)?;
    m.add_function(wrap_pyfunction!(tables::generate, m)?)?;
    m.add_function(wrap_pyfunction!(tables::fit, m)?)?;
    m.add_function(wrap_pyfunction!(tables::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(tables::devices, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
