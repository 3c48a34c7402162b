//! Pareto analysis: non-dominated fronts and exact hypervolume, with every objective
//! maximised, plus the normalisation that brings raw objectives to that form.
//!
//! Points are rows of equal length `d`, meant for 1 ≤ d ≤ 8, with finite values. Nothing
//! breaks above eight objectives, but the general hypervolume grows exponentially with `d`.
//!
//! Two and three objectives have O(n log n) fast paths for both the front and the
//! hypervolume. Higher dimensions use sort-filter-skyline for the front and the WFG
//! exclusive-hypervolume recursion (While, Bradstreet and Barone, 2012) for the volume.
//!
//! Internally rows are copied into one flat buffer (row `i` is `p[i * d..(i + 1) * d]`):
//! the inner loops then walk contiguous memory instead of chasing one heap pointer per row.
//!
//! Raw objectives, some maximised and some minimised, on their own scales, go through a
//! [`Normalization`] first: [`pooled`] does this for several sets of points at once (the
//! strategies of a simulation), [`analyze_table`] for one table of points read from CSV.
//!
//! ```
//! use mosde::pareto::{self, Normalization};
//!
//! // Maximise quality, minimise cost; ranges from the data.
//! let rows = vec![vec![0.9, 30.0], vec![0.5, 10.0], vec![0.4, 20.0]];
//! let norm = Normalization::from_data(
//!     vec!["quality".into(), "cost".into()],
//!     &rows,
//!     vec![false, true],
//! );
//! let points: Vec<Vec<f64>> = rows.iter().map(|x| norm.apply(x)).collect();
//! assert_eq!(pareto::nondominated(&points), vec![0, 1]);
//! let hv = pareto::hypervolume(&points, &norm.apply(&norm.worst()));
//! // The best-quality point has the worst cost, on the reference: only (0.2, 1) spans volume.
//! assert!((hv - 0.2).abs() < 1e-12);
//! ```

mod front;
mod grouped;
mod hypervolume;
pub(crate) mod keysort;
mod pooling;
mod prefilter;
mod raw;
mod table;
#[cfg(test)]
mod testkit;

pub use front::{nondominated, nondominated_flat, nondominated_general};
pub use grouped::{
    PooledStats, hypervolume_of_front, hypervolume_of_front_keyed, pooled_flat, pooled_flat_keyed,
    pooled_replicates,
};
pub use hypervolume::{hypervolume, hypervolume_flat, hypervolume_general};
pub use pooling::{Normalization, Pooled, pooled};
pub use raw::pooled_raw;
pub use table::{
    BoundsSource, Sense, TableAnalysis, TableNormalization, TableOptions, analyze_table,
};

/// Options of a Pareto analysis that do not fit the data: names that are not
/// objectives, ranges or a reference point of the wrong size.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParetoError {
    /// A name given as an objective to minimise is not one of the objectives.
    #[error("'{name}' is not an objective; the objectives are {}", .objectives.join(", "))]
    NotAnObjective {
        /// The unknown name.
        name: String,
        /// The objectives there are.
        objectives: Vec<String>,
    },
    /// The number of ranges differs from the number of objectives.
    #[error("{got} ranges for {} objectives ({})", .objectives.len(), .objectives.join(", "))]
    BoundsCount {
        /// Ranges given.
        got: usize,
        /// The objectives.
        objectives: Vec<String>,
    },
    /// A range that is not finite with lower < upper.
    #[error("range {lower}:{upper} for '{objective}': expected finite lo:hi with lo < hi")]
    BadRange {
        /// The objective.
        objective: String,
        /// The lower end given.
        lower: f64,
        /// The upper end given.
        upper: f64,
    },
    /// The reference point has another number of values than there are objectives.
    #[error("the reference point has {got} values for {expected} objectives")]
    ReferenceLength {
        /// Values given.
        got: usize,
        /// Objectives.
        expected: usize,
    },
    /// A reference value that is not a finite number.
    #[error("the reference point's value for '{objective}' is {value}; give a finite number")]
    ReferenceNotFinite {
        /// The objective.
        objective: String,
        /// The value given.
        value: f64,
    },
    /// Points outside the given bounds (their normalised values would leave
    /// the unit cube and inflate the hypervolume).
    #[error(
        "{rows} of {total} rows have '{objective}' outside the bounds [{lower}, {upper}] (the first is data row {first}, value {value}); widen the bounds or leave them out to use the data's range"
    )]
    OutsideBounds {
        /// The objective.
        objective: String,
        /// Rows with a value outside.
        rows: usize,
        /// Rows in all.
        total: usize,
        /// The first such row, 1-based among the data rows.
        first: usize,
        /// Its value.
        value: f64,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
    },
}

impl ParetoError {
    /// Whether the error is bad input (every variant is: options that do not fit the
    /// data), as opposed to a runtime failure.
    pub fn is_input(&self) -> bool {
        match self {
            ParetoError::NotAnObjective { .. }
            | ParetoError::BoundsCount { .. }
            | ParetoError::BadRange { .. }
            | ParetoError::ReferenceLength { .. }
            | ParetoError::ReferenceNotFinite { .. }
            | ParetoError::OutsideBounds { .. } => true,
        }
    }
}
