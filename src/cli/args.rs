//! Flags shared by several commands, and their parsers.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mosde::engine::goals::DEFAULT_CONFIDENCE;
use mosde::engine::{self, Engine, EngineError, EngineKind, GoalError, Goals};
use mosde::model::Model;
use mosde::shard::Shard;

use super::common::InputError;

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

/// `--goal`, `--constraint` and `--confidence`: the goal region a path
/// should reach and the floor it must never cross.
#[derive(Debug, Clone, Default, Args)]
pub struct GoalArgs {
    /// Goal region: every threshold met at once, e.g.
    /// `security>=6,efficiency>=5` (`<=` for an upper threshold).
    #[arg(long, value_name = "THRESHOLDS", allow_hyphen_values = true)]
    pub goal: Option<String>,
    /// Constraint a path must meet at every step, t = 0 included, e.g.
    /// `security>=3`.
    #[arg(long, value_name = "THRESHOLDS", allow_hyphen_values = true)]
    pub constraint: Option<String>,
    /// Probability with which the constraint must hold (default 0.95;
    /// needs --constraint).
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    pub confidence: Option<f64>,
}

impl GoalArgs {
    /// The goals the flags give for `model`, or `None` without `--goal` and
    /// `--constraint`. Errors name the flag at fault.
    pub fn goals(&self, model: &Model) -> anyhow::Result<Option<Goals>> {
        Goals::for_model(
            self.goal.as_deref(),
            self.constraint.as_deref(),
            self.confidence,
            model,
        )
        .map_err(|e| self.flag_error(e))
    }

    /// A goal error with the flag that gave the value.
    fn flag_error(&self, e: GoalError) -> anyhow::Error {
        let flag = match e.part() {
            "goal" => format!("--goal {}", self.goal.as_deref().unwrap_or_default()),
            "constraint" => format!(
                "--constraint {}",
                self.constraint.as_deref().unwrap_or_default()
            ),
            _ => format!(
                "--confidence {}",
                self.confidence.unwrap_or(DEFAULT_CONFIDENCE)
            ),
        };
        anyhow::Error::new(e).context(flag)
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
    /// CPU threads (0 = the cores this process may run on, i.e. its CPU
    /// affinity, capped by SLURM_CPUS_PER_TASK when that is set; the
    /// manifest records the count and its source).
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
    check_threads(threads)?;
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

/// Threads per CPU the engine may be asked for: more only adds start-up
/// and scheduling cost (100,000 threads take minutes to do milliseconds of work).
const THREADS_PER_CPU: usize = 4;

/// Refuses a `--threads` far beyond the CPUs this process may use.
fn check_threads(threads: usize) -> anyhow::Result<()> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = (THREADS_PER_CPU * cpus).max(64);
    if threads > max {
        return Err(InputError(format!(
            "--threads {threads}: more than the limit of {max} ({THREADS_PER_CPU} per CPU for the {cpus} CPUs available, and at least 64)"
        ))
        .into());
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::common::exit_code;

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
}
