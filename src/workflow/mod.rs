//! Workflows: library calls that drive an engine and the analyses together,
//! as a command does, but without flags, printing or exit codes.
//!
//! [`generate()`] simulates logged sessions from a model; [`replicate()`] runs the
//! paper's experiment end to end (generate, fit back, compare with
//! [`paper`]'s figures). Everything below this module (formats, analysis,
//! fitting) is pure: only workflows run engines.

pub mod distribution;
mod distribution_report;
pub mod generate;
pub mod paper;
pub mod paper_set;
pub mod replicate;
mod replication_tex;

pub use distribution::{Study, replicate_seeds};
pub use generate::generate;
pub use paper_set::paper_set;
pub use replicate::{Replication, ReplicationRun, replicate};

use crate::engine::{EngineError, PlanError};
use crate::fit::FitError;
use crate::report::WriteError;
use crate::report::figures::FigureError;

/// Errors of a workflow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The model's time step does not split one iteration into whole steps.
    #[error("dt = {dt} does not divide one iteration; use a dt of 1/k for a whole number k")]
    Dt {
        /// The model's time step.
        dt: f64,
    },
    /// No sessions or no iterations asked for.
    #[error("sessions ({sessions}) and iterations ({iterations}) must be at least 1")]
    Empty {
        /// Sessions per strategy.
        sessions: u32,
        /// Iterations per session.
        iterations: u32,
    },
    /// No replications asked for.
    #[error("the number of replications must be at least 1")]
    NoReplications,
    /// More iterations than the engine's step counter can hold.
    #[error(
        "iterations = {iterations} at {per} steps each is more than the {} steps a run may take",
        u32::MAX - 1
    )]
    Iterations {
        /// Iterations per session.
        iterations: u32,
        /// Engine steps per iteration.
        per: u32,
    },
    /// The observation noise is negative or not finite.
    #[error("the observation noise {0} must be finite and ≥ 0")]
    ObservationNoise(f64),
    /// The engine job could not be planned.
    #[error("cannot plan the sessions' simulation")]
    Plan(#[from] PlanError),
    /// The engine failed.
    #[error("the engine failed to simulate the sessions")]
    Engine(#[from] EngineError),
    /// The generated sessions could not be fitted.
    #[error("cannot fit the generated sessions")]
    Fit(#[from] FitError),
    /// An output file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A figure could not be drawn or saved.
    #[error(transparent)]
    Figure(#[from] FigureError),
}

impl WorkflowError {
    /// Whether the error is bad input (settings or a model that cannot work)
    /// rather than a failure while running.
    pub fn is_input(&self) -> bool {
        match self {
            WorkflowError::Dt { .. }
            | WorkflowError::Empty { .. }
            | WorkflowError::NoReplications
            | WorkflowError::Iterations { .. }
            | WorkflowError::ObservationNoise(_)
            | WorkflowError::Plan(_) => true,
            WorkflowError::Engine(e) => e.is_input(),
            WorkflowError::Fit(e) => e.is_input(),
            WorkflowError::Write(_) | WorkflowError::Figure(_) => false,
        }
    }
}
