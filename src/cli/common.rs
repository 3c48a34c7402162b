//! Options and helpers shared by several commands.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mosde::analysis::pareto::PointsError;
use mosde::engine::{EngineError, PlanError};
use mosde::fit::FitError;
use mosde::formats::sessions::SessionError;
use mosde::model::{Model, ModelError};
use mosde::sweep::SweepError;
use mosde::workflow::WorkflowError;

/// A usage or input error: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Exit code for an error chain: 2 when any cause is an input problem.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<InputError>()
            || cause.is::<ModelError>()
            || cause.is::<PlanError>()
            || cause
                .downcast_ref::<SessionError>()
                .is_some_and(SessionError::is_input)
            || cause
                .downcast_ref::<FitError>()
                .is_some_and(FitError::is_input)
            || cause
                .downcast_ref::<WorkflowError>()
                .is_some_and(WorkflowError::is_input)
            || cause.is::<PointsError>()
            || matches!(
                cause.downcast_ref::<SweepError>(),
                Some(SweepError::Invalid { .. } | SweepError::Io { .. } | SweepError::Model(_))
            )
        {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<EngineError>()
            && matches!(e, EngineError::NoAdapter(_) | EngineError::Limits(_))
        {
            return 2;
        }
    }
    1
}

/// Whether the error is a broken pipe (treated as success, like `head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `--preset NAME | --model FILE`.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Built-in model (default: code-generation).
    #[arg(long, value_name = "NAME", conflicts_with = "model")]
    pub preset: Option<String>,
    /// Model file (TOML).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
}

impl ModelArgs {
    /// Loads the model the flags name (the code-generation preset by default).
    pub fn load(&self) -> anyhow::Result<Model> {
        Ok(match (&self.model, &self.preset) {
            (Some(path), _) => Model::from_file(path)?,
            (None, Some(name)) => Model::preset(name)?,
            (None, None) => Model::preset("code-generation")?,
        })
    }
}

/// Parses counts like `100000`, `1_000_000`, `1e6` or `2^20`.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim().replace('_', "");
    let bad = || format!("'{s}' is not a count (examples: 100000, 1e6, 2^20)");
    if let Some(e) = t.strip_prefix("2^") {
        let e: u32 = e.parse().map_err(|_| bad())?;
        return 1u64.checked_shl(e).filter(|_| e < 64).ok_or_else(bad);
    }
    if let Ok(v) = t.parse::<u64>() {
        return Ok(v);
    }
    let f: f64 = t.parse().map_err(|_| bad())?;
    if f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 {
        Ok(f as u64)
    } else {
        Err(bad())
    }
}

/// Parses `--shard`: `i/n` (0-based), or `n` alone with the index taken from
/// the scheduler: JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or
/// SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (Slurm job arrays).
pub fn parse_shard(s: &str) -> Result<(u64, u64), InputError> {
    let bad = |why: String| InputError(format!("--shard {s}: {why}"));
    let (i, n) = match s.split_once('/') {
        Some((i, n)) => (
            i.trim()
                .parse::<u64>()
                .map_err(|_| bad("expected i/n with whole numbers, e.g. 0/4".into()))?,
            n.trim()
                .parse::<u64>()
                .map_err(|_| bad("expected i/n with whole numbers, e.g. 0/4".into()))?,
        ),
        None => {
            let n = s.trim().parse::<u64>().map_err(|_| {
                bad("expected i/n, or n with the index from the environment".into())
            })?;
            let env = |k: &str| {
                std::env::var(k)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
            };
            let i = env("JOB_COMPLETION_INDEX")
                .or_else(|| env("SLURM_ARRAY_TASK_ID").map(|t| t - env("SLURM_ARRAY_TASK_MIN").unwrap_or(0)))
                .ok_or_else(|| bad("no shard index: set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, or give i/n".into()))?;
            (i, n)
        }
    };
    if n == 0 || i >= n {
        return Err(bad(format!("index {i} must be below the shard count {n}")));
    }
    Ok((i, n))
}

/// Parses `lo:hi` ranges, naming the flag in errors.
pub fn parse_bounds(
    flag: &str,
    list: &[String],
    names: &[String],
) -> Result<Vec<(f64, f64)>, InputError> {
    if list.len() != names.len() {
        return Err(InputError(format!(
            "{flag} has {} ranges for {} objectives ({})",
            list.len(),
            names.len(),
            names.join(", ")
        )));
    }
    list.iter()
        .zip(names)
        .map(|(r, name)| {
            let p = r.split_once(':').and_then(|(l, h)| {
                Some((l.trim().parse::<f64>().ok()?, h.trim().parse::<f64>().ok()?))
            });
            match p {
                Some((l, h)) if l.is_finite() && h.is_finite() && l < h => Ok((l, h)),
                _ => Err(InputError(format!(
                    "{flag} '{r}' for '{name}': expected lo:hi with lo < hi"
                ))),
            }
        })
        .collect()
}

/// `results/runs/<UTC timestamp>`.
pub fn default_run_dir() -> PathBuf {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    PathBuf::from(format!(
        "results/runs/{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    ))
}

/// A progress bar over `total` units on stderr; hidden when quiet or when
/// stderr is not a terminal.
pub fn progress(total: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, ETA {{eta}})"
        ))
        .expect("valid template"),
    );
    pb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("2^20"), Ok(1 << 20));
        assert_eq!(parse_count("1e6"), Ok(1_000_000));
        assert_eq!(parse_count("1_000"), Ok(1000));
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("-3").is_err());
        assert!(parse_count("2^64").is_err());
    }

    #[test]
    fn shards_parse() {
        assert_eq!(parse_shard("2/5").unwrap(), (2, 5));
        assert!(parse_shard("5/5").is_err());
        assert!(parse_shard("a/2").is_err());
    }

    #[test]
    fn run_dir_has_a_timestamp() {
        let d = default_run_dir();
        let s = d.to_string_lossy();
        assert!(s.starts_with("results/runs/20"), "{s}");
        assert_eq!(s.len(), "results/runs/20261127-230000".len());
    }
}
