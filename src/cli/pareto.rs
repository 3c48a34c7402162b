//! `mosde pareto`: the non-dominated front and hypervolume of a point table.

use std::path::PathBuf;

use clap::Args;
use mosde::formats::points::{PointTable, PointsError};
use mosde::pareto::{self, ParetoError, TableOptions};
use mosde::report;

use super::args::parse_bounds;
use super::common;
use super::common::run_dir;

/// Flags of `pareto`.
#[derive(Debug, Args)]
pub struct ParetoArgs {
    /// CSV with a header row; one point per row.
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// Objective columns, comma separated (default: every column).
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    objectives: Option<Vec<String>>,
    /// An objective to minimise (repeatable); the others are maximised.
    #[arg(long = "minimize", value_name = "NAME")]
    minimize: Vec<String>,
    /// Normalisation range per objective, `lo:hi,...` (default: the data's range).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LO:HI,...",
        allow_hyphen_values = true
    )]
    bounds: Option<Vec<String>>,
    /// Reference point in the data's units (default: the worst end of each
    /// range: the lower bound of a maximised objective, the upper of a minimised one).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "V,...",
        allow_hyphen_values = true
    )]
    reference: Option<Vec<f64>>,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace --out whole if it already holds files.
    #[arg(long)]
    force: bool,
    /// Draw the points and the front in 2-D projections.
    #[arg(long)]
    plot: bool,
}

/// Runs `mosde pareto`: reads the table, analyses it, writes `front.csv` and
/// `pareto.json` (and the plot when asked), and prints a one-line summary.
pub fn run(a: ParetoArgs) -> anyhow::Result<()> {
    let table =
        PointTable::from_file(&a.input, a.objectives.as_deref()).map_err(objectives_flag)?;
    let bounds = match &a.bounds {
        Some(b) => Some(parse_bounds("--bounds", b, &table.objective_names())?),
        None => None,
    };
    let options = TableOptions {
        minimize: a.minimize,
        bounds,
        reference: a.reference,
    };
    let out = pareto::analyze_table(&table, &options).map_err(flagged)?;

    let staging = run_dir(a.out, a.force)?;
    let dir = staging.path();
    report::write_atomic(&dir.join("front.csv"), &table.rows_csv(&out.front))?;
    report::write_json(&dir.join("pareto.json"), &out)?;
    if a.plot {
        let norm = &out.normalization;
        report::plots::point_table(
            dir,
            &norm.objectives,
            &table.values,
            &norm.bounds(),
            &norm.minimize(),
        )?;
    }
    let dir = staging.commit(&report::run_dir::stamp())?;
    common::outln!(
        "{} rows, {} on the front, hypervolume {:.6} -> {}",
        out.rows,
        out.front_size,
        out.hypervolume,
        dir.display()
    )?;
    Ok(())
}

/// Says which flag chooses the objective columns when their number is wrong.
fn objectives_flag(e: PointsError) -> anyhow::Error {
    match e {
        PointsError::ObjectiveCount { .. } => anyhow::Error::new(e).context("--objectives"),
        e => e.into(),
    }
}

/// Puts the flag that set the offending option in front of the library's message.
fn flagged(e: ParetoError) -> anyhow::Error {
    let flag = match &e {
        ParetoError::NotAnObjective { name, .. } => format!("--minimize {name}"),
        ParetoError::BoundsCount { .. }
        | ParetoError::BadRange { .. }
        | ParetoError::OutsideBounds { .. } => "--bounds".into(),
        ParetoError::ReferenceLength { .. } | ParetoError::ReferenceNotFinite { .. } => {
            "--reference".into()
        }
    };
    anyhow::Error::new(e).context(flag)
}
