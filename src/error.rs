//! The library's error type: one variant per domain, each keeping its typed
//! source.
//!
//! Every domain error says whether it is the user's input that is wrong
//! ([`Error::is_input`]): a program maps that to its exit code (mosde's CLI:
//! 2 for input, 1 for a runtime failure) in one place.

use crate::engine::{EngineError, GoalError, PlanError};
use crate::fit::FitError;
use crate::formats::points::PointsError;
use crate::formats::sessions::SessionError;
use crate::model::ModelError;
use crate::optimize::OptimizeError;
use crate::pareto::ParetoError;
use crate::report::WriteError;
use crate::report::figures::FigureError;
use crate::report::run_dir::RunDirError;
use crate::shard::ShardError;
use crate::sweep::SweepError;
use crate::workflow::WorkflowError;

/// Any error of the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A model file or preset.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Job sizes and options.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// An engine.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Goals, a constraint or a confidence.
    #[error(transparent)]
    Goal(#[from] GoalError),
    /// An optimisation.
    #[error(transparent)]
    Optimize(#[from] OptimizeError),
    /// A sweep spec or run.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// Shards and their merge.
    #[error(transparent)]
    Shard(#[from] ShardError),
    /// Session data.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A fit.
    #[error(transparent)]
    Fit(#[from] FitError),
    /// A table of points.
    #[error(transparent)]
    Points(#[from] PointsError),
    /// A Pareto analysis of a table.
    #[error(transparent)]
    Pareto(#[from] ParetoError),
    /// A workflow (generate, replicate, the paper set).
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// Writing an output file.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Drawing a figure.
    #[error(transparent)]
    Figure(#[from] FigureError),
    /// An output folder: refused, locked, or damaged.
    #[error(transparent)]
    Output(#[from] RunDirError),
}

impl Error {
    /// Whether the user's input (a file, a value, a size) is what is wrong,
    /// rather than the machine or the run.
    pub fn is_input(&self) -> bool {
        match self {
            Error::Model(e) => e.is_input(),
            Error::Plan(e) => e.is_input(),
            Error::Engine(e) => e.is_input(),
            Error::Goal(e) => e.is_input(),
            Error::Optimize(e) => e.is_input(),
            Error::Sweep(e) => e.is_input(),
            Error::Shard(e) => e.is_input(),
            Error::Session(e) => e.is_input(),
            Error::Fit(e) => e.is_input(),
            Error::Points(e) => e.is_input(),
            Error::Pareto(e) => e.is_input(),
            Error::Workflow(e) => e.is_input(),
            Error::Output(e) => e.is_input(),
            Error::Write(_) | Error::Figure(_) => false,
        }
    }
}

/// Whether an error from anywhere in the library is an input error: the
/// umbrella [`Error`] or any domain error on its own. `None` for errors that
/// are not the library's.
pub fn is_input(err: &(dyn std::error::Error + 'static)) -> Option<bool> {
    macro_rules! first_match {
        ($($t:ty),*) => {
            $(if let Some(e) = err.downcast_ref::<$t>() {
                return Some(e.is_input());
            })*
        };
    }
    first_match!(
        Error,
        ModelError,
        PlanError,
        EngineError,
        GoalError,
        OptimizeError,
        SweepError,
        ShardError,
        SessionError,
        FitError,
        PointsError,
        ParetoError,
        WorkflowError,
        RunDirError
    );
    if err.is::<WriteError>() || err.is::<FigureError>() {
        return Some(false);
    }
    None
}
