//! File formats: what the library reads and writes as text, and nothing
//! more (no engines, no workflows, no output folders).
//!
//! [`points`] holds tables of points for `pareto`; [`sessions`] is the session CSV that `fit` reads and `generate` writes;
//! `table` holds the CSV helpers every table reader and writer shares.

pub mod points;
pub mod sessions;
pub(crate) mod table;
