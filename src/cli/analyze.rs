//! `mosde analyze`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mosde::analysis::spectral;
use mosde::report;

use super::args::ModelArgs;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Table,
    /// A booktabs table for papers.
    Latex,
}

/// Flags of `analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(a: AnalyzeArgs) -> anyhow::Result<()> {
    let model = a.model.load()?;
    let spectra = spectral::analyze(&model, model.dt);
    let bytes = match a.format {
        Format::Json => report::spectra_json(&model, &spectra),
        Format::Table => report::spectra_table(&model, &spectra).into_bytes(),
        Format::Latex => report::latex::spectra_table(&model, &spectra)
            .to_latex()
            .into_bytes(),
    };
    match a.out {
        Some(path) => report::write_atomic(&path, &bytes)?,
        None => super::common::out!("{}", String::from_utf8_lossy(&bytes))?,
    }
    Ok(())
}
