//! File formats read and written by the library: tables of points.

pub mod points;
