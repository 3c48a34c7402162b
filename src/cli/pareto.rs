//! `mosde pareto`: the non-dominated front and hypervolume of a point table.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use mosde::analysis::pareto::{self, Normalization, PointTable};
use mosde::report;
use serde::Serialize;

use super::common::{InputError, default_run_dir, parse_bounds};

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
    /// Draw the points and the front in 2-D projections.
    #[arg(long)]
    plot: bool,
}

#[derive(Serialize)]
struct ParetoJson {
    rows: usize,
    front_size: usize,
    hypervolume: f64,
    normalization: NormJson,
}

#[derive(Serialize)]
struct NormJson {
    objectives: Vec<String>,
    sense: Vec<&'static str>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    source: &'static str,
    reference: Vec<f64>,
    reference_normalized: Vec<f64>,
}

pub fn run(a: ParetoArgs) -> anyhow::Result<()> {
    let origin = a.input.display().to_string();
    let text =
        std::fs::read_to_string(&a.input).with_context(|| format!("cannot read {origin}"))?;
    let table = PointTable::parse(&text, &origin, a.objectives.as_deref())
        .map_err(|e| InputError(e.to_string()))?;
    let names: Vec<String> = table
        .objective_columns
        .iter()
        .map(|c| table.header[*c].clone())
        .collect();
    let d = names.len();
    for m in &a.minimize {
        if !names.contains(m) {
            return Err(InputError(format!(
                "--minimize {m}: not an objective; the objectives are {}",
                names.join(", ")
            ))
            .into());
        }
    }
    let minimize: Vec<bool> = names.iter().map(|n| a.minimize.contains(n)).collect();
    let (lower, upper, source) = match &a.bounds {
        Some(b) => {
            let (lo, hi): (Vec<f64>, Vec<f64>) =
                parse_bounds("--bounds", b, &names)?.into_iter().unzip();
            (lo, hi, "bounds")
        }
        None => {
            let mut lo = vec![f64::INFINITY; d];
            let mut hi = vec![f64::NEG_INFINITY; d];
            for x in &table.values {
                for i in 0..d {
                    lo[i] = lo[i].min(x[i]);
                    hi[i] = hi[i].max(x[i]);
                }
            }
            for i in 0..d {
                // A constant (or missing) column gets a unit range so it normalises to 0.
                if hi[i].partial_cmp(&lo[i]) != Some(std::cmp::Ordering::Greater) {
                    let base = if lo[i].is_finite() { lo[i] } else { 0.0 };
                    lo[i] = base;
                    hi[i] = base + 1.0;
                }
            }
            (lo, hi, "data range")
        }
    };
    let norm = Normalization {
        objectives: names.clone(),
        lower: lower.clone(),
        upper: upper.clone(),
        minimize: minimize.clone(),
    };
    let reference = match a.reference {
        Some(r) if r.len() != d => {
            return Err(InputError(format!(
                "--reference has {} values for {d} objectives",
                r.len()
            ))
            .into());
        }
        Some(r) => r,
        None => (0..d)
            .map(|i| if minimize[i] { upper[i] } else { lower[i] })
            .collect(),
    };
    let reference_normalized = norm.apply(&reference);
    let points: Vec<Vec<f64>> = table.values.iter().map(|x| norm.apply(x)).collect();
    let front = pareto::nondominated(&points);
    let hv = pareto::hypervolume(&points, &reference_normalized);

    let dir = a.out.unwrap_or_else(default_run_dir);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&table.header)?;
    for i in &front {
        w.write_record(&table.rows[*i])?;
    }
    report::write_atomic(&dir.join("front.csv"), &w.into_inner()?)?;
    let out = ParetoJson {
        rows: table.rows.len(),
        front_size: front.len(),
        hypervolume: hv,
        normalization: NormJson {
            objectives: names,
            sense: minimize
                .iter()
                .map(|m| if *m { "min" } else { "max" })
                .collect(),
            lower,
            upper,
            source,
            reference,
            reference_normalized,
        },
    };
    report::write_json(&dir.join("pareto.json"), &out)?;
    if a.plot {
        let bounds: Vec<(f64, f64)> = out
            .normalization
            .lower
            .iter()
            .copied()
            .zip(out.normalization.upper.iter().copied())
            .collect();
        report::plots::point_table(
            &dir,
            &out.normalization.objectives,
            &table.values,
            &bounds,
            &minimize,
        )?;
    }
    println!(
        "{} rows, {} on the front, hypervolume {:.6} -> {}",
        out.rows,
        out.front_size,
        hv,
        dir.display()
    );
    Ok(())
}
