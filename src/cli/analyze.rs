//! `mosde analyze`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mosde::analysis::spectral;
use mosde::report;

use super::common::ModelArgs;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Table,
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
    let text = match a.format {
        Format::Json => {
            let v = serde_json::json!({
                "model": model.name,
                "objectives": model.objective_names(),
                "dt": model.dt,
                "strategies": spectra,
            });
            String::from_utf8(report::json_bytes(&v))?
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = spectra
                .iter()
                .map(|s| {
                    vec![
                        s.name.clone(),
                        s.label.clone(),
                        format!("{:.4}", s.rho),
                        s.mode.to_string(),
                        format!("{:.4}", s.discrete_spectral_radius),
                        if s.stable && s.discrete_stable {
                            "yes".into()
                        } else {
                            "NO".into()
                        },
                        s.eigenvalues
                            .iter()
                            .map(|e| {
                                if e[1] == 0.0 {
                                    format!("{:.3}", e[0])
                                } else {
                                    format!("{:.3}{:+.3}i", e[0], e[1])
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        report::vec_str(&s.equilibrium, 2),
                    ]
                })
                .collect();
            let mut t = format!(
                "model {} (dt = {}), objectives {}\n\n",
                model.name,
                model.dt,
                model.objective_names().join(", ")
            );
            t.push_str(&report::table(
                &[
                    "strategy",
                    "label",
                    "rho",
                    "mode",
                    "r(I-A dt)",
                    "stable",
                    "eigenvalues of A",
                    "equilibrium x*",
                ],
                &rows,
            ));
            t
        }
    };
    match a.out {
        Some(path) => report::write_atomic(&path, text.as_bytes())?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(text.as_bytes())?;
        }
    }
    Ok(())
}
