//! Writers: JSON and CSV outputs, the run manifest, and the console table.
//!
//! Every file is written to a temporary name beside its destination and then
//! renamed, so a crash never leaves a half-written file that looks whole.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub mod figures;
pub mod goals;
pub mod latex;
pub mod plots;
pub mod run_dir;

use crate::analysis::Spectrum;
use crate::analysis::{Reduction, Report};
use crate::engine::gpu::AdapterReport;
use crate::engine::{EngineInfo, Run};
pub use crate::formats::table::num;
use crate::model::{Model, ModelSpec};

/// An output file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// The I/O error.
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Pretty JSON with a trailing newline.
pub fn json_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(value).expect("report types always serialise");
    v.push(b'\n');
    v
}

/// Writes pretty JSON atomically.
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), WriteError> {
    write_atomic(path, &json_bytes(value))
}

fn csv_line(out: &mut Vec<u8>, cells: &[String]) {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(cells)
        .expect("writing to memory cannot fail");
    out.extend(w.into_inner().expect("writing to memory cannot fail"));
}

/// Writes the files of a whole simulation run, reduced to `reduction`, into
/// `dir` and returns their paths: summary.json, moments.csv,
/// pareto_front.csv, strategies.md and, when trajectories were recorded,
/// paths.csv. `simulate`, `merge` and `figures` all write through here.
pub fn write_simulation(
    dir: &Path,
    run: &Run,
    reduction: &Reduction,
) -> Result<Vec<PathBuf>, WriteError> {
    let report = &reduction.report;
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.json", json_bytes(report)),
        ("moments.csv", moments_csv(reduction)),
    ];
    if run.job.records_paths() {
        files.push(("paths.csv", paths_csv(run)));
    }
    files.push(("pareto_front.csv", pareto_front_csv(reduction)));
    files.push(("strategies.md", strategies_md(report).into_bytes()));
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            write_atomic(&path, &bytes)?;
            Ok(path)
        })
        .collect()
}

/// `moments.csv`: `strategy, step, t, mean_<objective>…, sd_<objective>…`
pub fn moments_csv(reduction: &Reduction) -> Vec<u8> {
    let report = &reduction.report;
    let mut out = Vec::new();
    let mut head = vec!["strategy".to_string(), "step".into(), "t".into()];
    head.extend(report.objectives.iter().map(|o| format!("mean_{o}")));
    head.extend(report.objectives.iter().map(|o| format!("sd_{o}")));
    csv_line(&mut out, &head);
    for (s, series) in report.strategies.iter().zip(&reduction.moments) {
        for r in series {
            let mut row = vec![
                s.name.clone(),
                r.step.to_string(),
                num(f64::from(r.step) * report.dt),
            ];
            row.extend(r.mean.iter().map(|v| num(*v)));
            row.extend(r.sd.iter().map(|v| num(*v)));
            csv_line(&mut out, &row);
        }
    }
    out
}

/// `paths.csv`: `strategy, path, step, <objective>…` for every recorded path.
pub fn paths_csv(run: &Run) -> Vec<u8> {
    let n = run.job.objectives();
    let steps = run.job.steps() as usize;
    let mut out = Vec::new();
    let mut head = vec!["strategy".to_string(), "path".into(), "step".into()];
    head.extend(run.scenarios[0].model.objective_names());
    csv_line(&mut out, &head);
    for (sc, set) in run.scenarios.iter().zip(&run.output.sets) {
        for (p, path) in set.paths.chunks_exact((steps + 1) * n).enumerate() {
            for (t, x) in path.chunks_exact(n).enumerate() {
                let mut row = vec![sc.name.clone(), p.to_string(), t.to_string()];
                row.extend(x.iter().map(|v| num(f64::from(*v))));
                csv_line(&mut out, &row);
            }
        }
    }
    out
}

/// `pareto_front.csv`: `strategy, <objective>…` for every point of the pooled
/// non-dominated front of the terminal states.
pub fn pareto_front_csv(reduction: &Reduction) -> Vec<u8> {
    let report = &reduction.report;
    let mut out = Vec::new();
    let mut head = vec!["strategy".to_string()];
    head.extend(report.objectives.iter().cloned());
    csv_line(&mut out, &head);
    for (k, x) in &reduction.pooled_front {
        let mut row = vec![report.strategies[*k].name.clone()];
        row.extend(x.iter().map(|v| num(*v)));
        csv_line(&mut out, &row);
    }
    out
}

/// The per-strategy comparison: headings and rows (for `strategies.md`).
pub fn strategy_rows(report: &Report) -> (Vec<&'static str>, Vec<Vec<String>>) {
    strategy_rows_with(report, false)
}

/// `value ± se` when `errors` and the error is defined, else the value.
fn pm(value: String, se: Option<f64>, digits: usize, errors: bool) -> String {
    match se {
        Some(e) if errors && e.is_finite() && value != "-" => format!("{value} ± {e:.digits$}"),
        _ => value,
    }
}

/// [`strategy_rows`], with `± SE` on the headline columns (empirical rate,
/// first passage, hypervolume, Pareto share) when `errors` (the console table).
pub fn strategy_rows_with(report: &Report, errors: bool) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        "strategy",
        "mode",
        "rho",
        "log-rate (theory)",
        "log-rate (empirical)",
        "effective equilibrium",
        "fp p50",
        "reached",
        "hypervolume",
        "pareto share",
        "nonfinite",
    ];
    let rows = report
        .strategies
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.mode.map_or_else(|| s.policy.clone(), |m| m.to_string()),
                opt(s.theoretical_rate, 3),
                opt(s.theoretical_log_rate, 3),
                pm(opt(s.empirical_rate, 3), s.empirical_rate_se, 3, errors),
                vec_str(&s.effective_equilibrium, 2),
                pm(
                    opt(s.first_passage.p50, 0),
                    s.first_passage.p50_se,
                    1,
                    errors,
                ),
                pm(
                    format!("{:.3}", s.first_passage.reached_fraction),
                    Some(s.first_passage.reached_fraction_se),
                    3,
                    errors,
                ),
                pm(
                    format!("{:.4}", s.hypervolume),
                    Some(s.hypervolume_se),
                    4,
                    errors,
                ),
                pm(
                    format!("{:.3}", s.pareto_share),
                    Some(s.pareto_share_se),
                    3,
                    errors,
                ),
                s.nonfinite_paths.to_string(),
            ]
        })
        .collect();
    (head, rows)
}

/// A Markdown table.
pub fn markdown_table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|{}\n", head.join(" | "), "---|".repeat(head.len()));
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out
}

/// `strategies.md`: the comparison table with a legend.
pub fn strategies_md(report: &Report) -> String {
    let (head, rows) = strategy_rows(report);
    let sample = if report.pareto_subsampled {
        format!(
            "the first {} of {} paths per strategy (a uniform subsample)",
            report.terminal_sample, report.paths
        )
    } else {
        format!("all {} paths per strategy", report.terminal_sample)
    };
    format!(
        "# Strategies: {model}\n\n{paths} paths per strategy, {steps} steps, dt = {dt}, seed {seed}, engine {engine}.\n\n{table}\n\
         - rho: min Re λ(A). Log-rates: −ln r(I − A dt)/dt from theory, and the fitted decay of ‖E x_t − x_∞‖ from the run.\n\
         - Effective equilibrium: mean state over the last quarter of the run.\n\
         - fp p50: median first-passage step (every objective within {tol} of its range of the projected target); reached: fraction that arrived.\n\
         - Hypervolume: of the terminal states, objectives normalised to [0, 1] by their bounds, reference point = the lower bounds.\n\
         - Pareto share: fraction of the pooled front of all strategies' terminal states ({front} points) contributed by the strategy; Pareto analysis over {sample}.\n",
        model = report.model,
        paths = report.paths,
        steps = report.steps,
        dt = report.dt,
        seed = report.seed,
        engine = report.engine,
        table = markdown_table(&head, &rows),
        tol = report
            .strategies
            .first()
            .map_or(0.05, |s| s.first_passage.tolerance),
        front = report.pooled_front_size,
    ) + &goals::goals_md(report)
}

/// `manifest.json`: provenance and timings of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// mosde version.
    pub version: String,
    /// The command line, as typed.
    pub command_line: Vec<String>,
    /// The resolved model (defaults filled in).
    pub model: serde_json::Value,
    /// Seed.
    pub seed: u64,
    /// Engine kind.
    pub engine: String,
    /// Adapter (GPU name and backend, or CPU).
    pub adapter: String,
    /// Host threads.
    pub threads: usize,
    /// Why that many threads (see `EngineInfo::threads_source`).
    pub threads_source: String,
    /// Sizes of the run.
    pub sizes: serde_json::Value,
    /// Wall time of the integration, in seconds.
    pub elapsed_s: f64,
    /// Path-steps integrated per second.
    pub path_steps_per_s: f64,
    /// Other timings, in seconds.
    pub timings: serde_json::Value,
}

impl Manifest {
    /// A manifest for a run of `model` with `seed` on `engine`, stamped with
    /// this version and command line; sizes and timings are the caller's.
    pub fn new(model: &ModelSpec, seed: u64, engine: &EngineInfo) -> Manifest {
        Manifest {
            version: env!("CARGO_PKG_VERSION").into(),
            command_line: Manifest::command_line(),
            model: serde_json::to_value(model).expect("model specs always serialise"),
            seed,
            engine: engine.kind.clone(),
            adapter: engine.adapter.clone(),
            threads: engine.threads,
            threads_source: engine.threads_source.clone(),
            sizes: serde_json::Value::Null,
            elapsed_s: 0.0,
            path_steps_per_s: 0.0,
            timings: serde_json::json!({}),
        }
    }

    /// The command line of this process.
    pub fn command_line() -> Vec<String> {
        std::env::args().collect()
    }
}

/// A fixed-width text table (for people, on stdout). Every row has one cell
/// per heading.
pub fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let cols = head.len();
    assert!(
        rows.iter().all(|r| r.len() == cols),
        "table rows must have {cols} cells"
    );
    let mut w: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .enumerate()
            // Padded by hand: `format!`'s width is a u16 and panics on cells
            // longer than 65,535 characters.
            .map(|(i, c)| format!("{c}{}", " ".repeat(w[i] - c.chars().count())))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(head.to_vec());
    out.push('\n');
    out.push_str(
        &w.iter()
            .map(|n| "-".repeat(*n))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// Formats an optional number with `digits` decimals, or `-`.
pub fn opt(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        _ => "-".into(),
    }
}

/// Formats a vector compactly.
pub fn vec_str(v: &[f64], digits: usize) -> String {
    v.iter()
        .map(|x| format!("{x:.digits$}"))
        .collect::<Vec<_>>()
        .join("/")
}

/// `analyze --format json`: the model's name, objectives, time step and
/// each strategy's spectrum.
pub fn spectra_json(model: &Model, spectra: &[Spectrum]) -> Vec<u8> {
    json_bytes(&serde_json::json!({
        "model": model.name,
        "objectives": model.objective_names(),
        "dt": model.dt,
        "strategies": spectra,
    }))
}

/// `analyze`'s table: rate, mode, discrete radius, stability, eigenvalues
/// and equilibrium per strategy.
pub fn spectra_table(model: &Model, spectra: &[Spectrum]) -> String {
    let eigen = |s: &Spectrum| {
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
            .join(", ")
    };
    let rows: Vec<Vec<String>> = spectra
        .iter()
        .map(|s| {
            let stable = if s.stable && s.discrete_stable {
                "yes"
            } else {
                "NO"
            };
            vec![
                s.name.clone(),
                s.label.clone(),
                format!("{:.4}", s.rho),
                s.mode.to_string(),
                format!("{:.4}", s.discrete_spectral_radius),
                stable.into(),
                eigen(s),
                vec_str(&s.equilibrium, 2),
            ]
        })
        .collect();
    let head = [
        "strategy",
        "label",
        "rho",
        "mode",
        "r(I-A dt)",
        "stable",
        "eigenvalues of A",
        "equilibrium x*",
    ];
    format!(
        "model {} (dt = {}), objectives {}\n\n{}",
        model.name,
        model.dt,
        model.objective_names().join(", "),
        table(&head, &rows)
    )
}

/// `devices`' table of the adapters wgpu reaches.
pub fn adapters_table(list: &[AdapterReport]) -> String {
    let mib = |b: u64| format!("{} MiB", b >> 20);
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                d.backend.clone(),
                d.device_type.clone(),
                format!("{} {}", d.driver, d.driver_info).trim().to_string(),
                mib(d.max_storage_buffer_binding_size),
                mib(d.max_buffer_size),
                d.max_compute_workgroups_per_dimension.to_string(),
                d.max_compute_invocations_per_workgroup.to_string(),
                match &d.usable {
                    Ok(()) => "yes".into(),
                    Err(e) => format!("no: {e}"),
                },
            ]
        })
        .collect();
    let head = [
        "adapter",
        "backend",
        "type",
        "driver",
        "max binding",
        "max buffer",
        "wg/dim",
        "wg size",
        "usable",
    ];
    table(&head, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.json");
        write_atomic(&p, b"{}\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"{}\n");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn table_aligns_columns() {
        let t = table(&["a", "bb"], &[vec!["xxx".into(), "y".into()]]);
        assert_eq!(t, "a    bb\n---  --\nxxx  y\n");
    }
}
