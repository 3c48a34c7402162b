//! Options and helpers shared by several commands.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mosde::engine::{self, Engine, EngineError, EngineKind, PlanError};
use mosde::model::Model;
use mosde::shard::Shard;

/// A usage or input error found by the CLI itself: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Exit code for an error chain: 2 when the first cause that knows says it
/// is an input problem, else 1.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<InputError>() || cause.is::<FlagError>() {
            return 2;
        }
        if let Some(input) = mosde::error::is_input(cause) {
            return if input { 2 } else { 1 };
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

/// A library error about an option, told in terms of the flag the user typed.
#[derive(Debug, thiserror::Error)]
#[error("--{flag} {value}: {why}")]
pub struct FlagError {
    flag: String,
    value: String,
    why: String,
}

/// Names the flag behind a library error about an option: the library
/// speaks of `paths`, the user typed `--paths`.
pub fn flag_context(err: mosde::Error) -> anyhow::Error {
    match err {
        mosde::Error::Plan(PlanError::Option { field, value, why }) => FlagError {
            flag: field.replace('_', "-"),
            value,
            why,
        }
        .into(),
        other => other.into(),
    }
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

/// Engine choice on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// The GPU when a hardware adapter exists, else the CPU.
    Auto,
    /// The CPU twin.
    Cpu,
    /// The GPU kernel (fails without an adapter).
    Gpu,
}

impl From<EngineChoice> for EngineKind {
    fn from(c: EngineChoice) -> Self {
        match c {
            EngineChoice::Auto => EngineKind::Auto,
            EngineChoice::Cpu => EngineKind::Cpu,
            EngineChoice::Gpu => EngineKind::Gpu,
        }
    }
}

/// `--engine` and `--threads`.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// Engine: gpu when a hardware adapter exists (auto), cpu, or gpu.
    #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
    pub engine: EngineChoice,
    /// CPU threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

impl EngineArgs {
    /// Opens the engine, printing the note of an automatic fallback.
    pub fn open(&self) -> anyhow::Result<Box<dyn Engine>> {
        open(self.engine, self.threads)
    }
}

/// Opens an engine, printing the note of an automatic fallback.
pub fn open(choice: EngineChoice, threads: usize) -> anyhow::Result<Box<dyn Engine>> {
    let (engine, note) = engine::open(choice.into(), threads).map_err(|e| {
        let hint = match e {
            EngineError::NoAdapter(_) => " (--engine cpu runs without one)",
            _ => "",
        };
        let flag = format!("--engine {}{hint}", EngineKind::from(choice));
        anyhow::Error::new(e).context(flag)
    })?;
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    Ok(engine)
}

/// Parses `--shard`: `i/n`, or `n` with the index from the scheduler.
pub fn parse_shard(flag: Option<&str>) -> anyhow::Result<Shard> {
    match flag {
        None => Ok(Shard::WHOLE),
        Some(s) => {
            Shard::parse(s).map_err(|e| anyhow::Error::new(e).context(format!("--shard {s}")))
        }
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
    fn shards_name_the_flag() {
        assert_eq!(parse_shard(Some("2/5")).unwrap(), Shard::new(2, 5).unwrap());
        let e = parse_shard(Some("5/5")).unwrap_err();
        assert!(
            format!("{e:#}").starts_with("--shard 5/5: index 5"),
            "{e:#}"
        );
        assert_eq!(exit_code(&e), 2);
        assert_eq!(parse_shard(None).unwrap(), Shard::WHOLE);
    }

    #[test]
    fn run_dir_has_a_timestamp() {
        let d = default_run_dir();
        let s = d.to_string_lossy();
        assert!(s.starts_with("results/runs/20"), "{s}");
        assert_eq!(s.len(), "results/runs/20261127-230000".len());
    }
}
