//! Errors, exit codes, output folders and progress bars shared by the commands.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mosde::engine::PlanError;
use mosde::report::run_dir::RunDir;

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

/// Advice for errors that a flag fixes: a refused output folder.
pub fn hint(err: &anyhow::Error) -> Option<&'static str> {
    use mosde::report::run_dir::RunDirError;
    let found = err.chain().find_map(|c| {
        c.downcast_ref::<RunDirError>()
            .or_else(|| match c.downcast_ref::<mosde::Error>()? {
                mosde::Error::Output(e) => Some(e),
                mosde::Error::Sweep(mosde::sweep::SweepError::Output(e)) => Some(e),
                _ => None,
            })
            .or_else(|| match c.downcast_ref::<mosde::sweep::SweepError>()? {
                mosde::sweep::SweepError::Output(e) => Some(e),
                _ => None,
            })
    })?;
    match found {
        RunDirError::Exists { .. } => {
            Some("give another --out, or --force to replace that folder whole")
        }
        RunDirError::Unfinished { .. } => {
            Some("--resume continues it; --force discards it and starts over")
        }
        _ => None,
    }
}

/// Opens the output folder of a command (see [`mosde::report::run_dir`]).
pub fn run_dir(out: Option<PathBuf>, force: bool) -> anyhow::Result<RunDir> {
    let out = out.unwrap_or_else(default_run_dir);
    Ok(RunDir::create(&out, force)?)
}

/// Whether stdout was found closed; later console text is dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes console text to stdout (through [`out!`] and [`outln!`]).
///
/// A closed stdout (a reader such as `head` that stopped reading) is not an
/// error: every command prints only after its files are written, so the rest
/// of the console text is dropped quietly, as Unix tools do, and the run
/// still ends with exit code 0. Other write errors are returned.
pub fn say(text: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_fmt(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r,
    }
}

/// `print!` that survives a closed stdout (see [`say`]).
macro_rules! out {
    ($($t:tt)*) => {
        $crate::cli::common::say(format_args!($($t)*))
    };
}
pub(crate) use out;

/// `println!` that survives a closed stdout (see [`say`]).
macro_rules! outln {
    ($($t:tt)*) => {
        $crate::cli::common::say(format_args!("{}\n", format_args!($($t)*)))
    };
}
pub(crate) use outln;

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
            // The one option whose flag is not its name.
            flag: match field {
                "keep_terminal" => "pareto-sample".into(),
                f => f.replace('_', "-"),
            },
            value,
            why,
        }
        .into(),
        other => other.into(),
    }
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

/// A spinner with `msg` and the elapsed time on stderr, for work whose
/// length is not known in advance; hidden when quiet or when stderr is not a
/// terminal.
pub fn spinner(msg: String, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .expect("valid template"),
    );
    pb.set_message(msg);
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    pb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_dir_has_a_timestamp() {
        let d = default_run_dir();
        let s = d.to_string_lossy();
        assert!(s.starts_with("results/runs/20"), "{s}");
        assert_eq!(s.len(), "results/runs/20261127-230000".len());
    }
}
