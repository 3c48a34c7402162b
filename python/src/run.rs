//! Running engines from Python: the engine choice, the GIL released for the
//! run, progress reports and Ctrl-C between chunks.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use mosde::engine::{self, Engine, EngineKind, Stop};

use crate::py_err;

/// Which engine to open, and with how many threads (0: the default).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EngineChoice {
    kind: EngineKind,
    threads: usize,
}

impl EngineChoice {
    /// Reads `engine=` and `threads=`.
    pub(crate) fn new(engine: &str, threads: Option<usize>) -> PyResult<EngineChoice> {
        let kind = match engine {
            "auto" => EngineKind::Auto,
            "cpu" => EngineKind::Cpu,
            "gpu" => EngineKind::Gpu,
            other => {
                return Err(PyValueError::new_err(format!(
                    "engine '{other}' is not one of auto, cpu, gpu"
                )));
            }
        };
        if threads == Some(0) {
            return Err(PyValueError::new_err(
                "threads must be at least 1 (None: every core this process may use)",
            ));
        }
        Ok(EngineChoice {
            kind,
            threads: threads.unwrap_or(0),
        })
    }
}

/// What a run reports back while it goes: a Python callable, called with
/// (units done, units in all) after each chunk, and the interrupt that
/// stopped it, if one did.
pub(crate) struct Reporter {
    callback: Option<Py<PyAny>>,
    stop: Stop,
    done: u64,
    total: u64,
    interrupt: Option<PyErr>,
}

impl Reporter {
    /// Sets how many units the progress callback counts up to.
    pub(crate) fn total(&mut self, total: u64) {
        self.total = total;
    }

    /// Called between chunks, without the GIL: takes it briefly to let
    /// Python run its signal handlers (a Ctrl-C raises there) and to call
    /// the progress callback.
    pub(crate) fn step(&mut self, units: u64) {
        self.done += units;
        if self.interrupt.is_some() {
            return;
        }
        let result = Python::attach(|py| {
            py.check_signals()?;
            if let Some(cb) = &self.callback {
                cb.call1(py, (self.done, self.total))?;
                // A signal the callback raised stops the run at this step.
                py.check_signals()?;
            }
            Ok::<(), PyErr>(())
        });
        if let Err(e) = result {
            self.interrupt = Some(e);
            self.stop.request();
        }
    }
}

/// The handle a run gets: its engine and the progress reporter.
pub(crate) struct Session<'a> {
    /// The engine, opened for this run.
    pub(crate) engine: &'a mut dyn Engine,
    reporter: &'a mut Reporter,
}

impl Session<'_> {
    /// The engine and the reporter, borrowed apart.
    pub(crate) fn split(&mut self) -> (&mut dyn Engine, &mut Reporter) {
        (&mut *self.engine, &mut *self.reporter)
    }
}

/// Opens the engine and runs `work` on it with the GIL released. A Ctrl-C
/// stops the engine between chunks and raises `KeyboardInterrupt`; an
/// exception raised by the progress callback stops it the same way and is
/// raised as is. Notes (an automatic fallback to the CPU) go to Python's
/// `warnings`.
pub(crate) fn detached<T: Send>(
    py: Python<'_>,
    choice: EngineChoice,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&mut Session<'_>) -> Result<T, mosde::Error> + Send,
) -> PyResult<T> {
    let mut reporter = Reporter {
        callback: progress,
        stop: Stop::new(),
        done: 0,
        total: 0,
        interrupt: None,
    };
    let (result, note) = py.detach(|| {
        // Engines are not `Send`: one lives and dies on this thread.
        let (mut engine, note) = match engine::open(choice.kind, choice.threads) {
            Ok(opened) => opened,
            Err(e) => return (Err(e.into()), None),
        };
        engine.set_stop(reporter.stop.clone());
        let mut session = Session {
            engine: engine.as_mut(),
            reporter: &mut reporter,
        };
        (work(&mut session), note)
    });
    if let Some(note) = note {
        warn(py, &note)?;
    }
    if let Some(e) = reporter.interrupt {
        return Err(e);
    }
    result.map_err(py_err)
}

/// Shows `text` through Python's `warnings` (a `UserWarning`).
pub(crate) fn warn(py: Python<'_>, text: &str) -> PyResult<()> {
    let warnings = py.import("warnings")?;
    warnings.call_method1(
        "warn",
        (text, py.get_type::<pyo3::exceptions::PyUserWarning>(), 2),
    )?;
    Ok(())
}
