//! Crash test: `simulate`, `sweep` and `figures` killed with SIGKILL at
//! seeded random moments. After every kill the output folder is absent or a
//! complete run whose manifest hashes verify, and a sweep resumed after its
//! kills ends with the bytes of an uninterrupted run.
//!
//! Kill moments are drawn uniformly over the measured length of one
//! uninterrupted run, so they land in every phase (start-up, integration,
//! writing, the final renames) whatever the machine's speed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mosde::report::run_dir::{partial_dir, verify};

use crate::common::{Lcg, write};

fn command(root: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("mosde"));
    c.current_dir(root)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Runs to completion and returns the wall time.
fn timed(root: &Path, args: &[&str]) -> Duration {
    let t0 = Instant::now();
    let status = command(root, args).status().unwrap();
    assert!(status.success(), "mosde {args:?} failed");
    t0.elapsed()
}

/// Starts the command and kills it with SIGKILL after `delay` (if it is
/// still running then).
fn kill_after(root: &Path, args: &[&str], delay: Duration) {
    let mut child = command(root, args).spawn().unwrap();
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
}

/// The folder is absent, or a complete run.
fn absent_or_complete(out: &Path, what: &str) {
    if out.exists()
        && let Err(e) = verify(out)
    {
        panic!(
            "{what}: {} is neither absent nor complete: {e}",
            out.display()
        );
    }
}

/// Kills `args` `kills` times at random moments within `span`.
fn kill_loop(root: &Path, args: &[&str], out: &Path, span: Duration, kills: usize, lcg: &mut Lcg) {
    for k in 0..kills {
        let delay = span.mul_f64(lcg.unit() * 1.1);
        kill_after(root, args, delay);
        absent_or_complete(out, &format!("{} kill {k} after {delay:?}", args[0]));
    }
}

#[test]
fn killed_simulations_leave_no_partial_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let args = [
        "simulate",
        "--engine",
        "cpu",
        "--threads",
        "2",
        "-q",
        "--paths",
        "3000",
        "--steps",
        "40",
        "--record-paths",
        "20",
        "--out",
        "o",
        "--force",
    ];
    let span = timed(root, &args);
    kill_loop(root, &args, &root.join("o"), span, 25, &mut Lcg(1));
}

#[test]
fn killed_figures_leave_no_partial_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let args = [
        "figures", "--engine", "cpu", "--paths", "400", "--out", "f", "--force",
    ];
    let span = timed(root, &args);
    kill_loop(root, &args, &root.join("f"), span, 10, &mut Lcg(2));
}

#[test]
fn killed_sweeps_resume_to_the_uninterrupted_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "s.toml", crate::sweep::SPEC);
    let base = [
        "sweep",
        "--spec",
        "s.toml",
        "--engine",
        "cpu",
        "--threads",
        "2",
        "-q",
    ];
    let span = timed(root, &[&base[..], &["--out", "whole"]].concat());
    let out: PathBuf = root.join("o");
    let mut lcg = Lcg(3);
    let (mut finished, mut with_rows) = (0, 0);
    for k in 0..25 {
        // Resume what a kill left; start afresh once a run completed.
        if out.exists() && !partial_dir(&out).exists() {
            same_files(&out, &root.join("whole"));
            std::fs::remove_dir_all(&out).unwrap();
            finished += 1;
        }
        let mut args = [&base[..], &["--out", "o"]].concat();
        if partial_dir(&out).exists() {
            args.push("--resume");
        }
        kill_after(root, &args, span.mul_f64(lcg.unit() * 1.1));
        absent_or_complete(&out, &format!("sweep kill {k}"));
        let rows = partial_dir(&out).join("sweep.partial.csv");
        if let Ok(text) = std::fs::read(&rows)
            && text.iter().filter(|&&b| b == b'\n').count() > 1
        {
            with_rows += 1;
            // A full disk tears the tail of the last append: chop up to a
            // row's worth of bytes, which the resume must detect and redo.
            let cut = 1 + (lcg.unit() * 120.0) as usize;
            std::fs::write(&rows, &text[..text.len() - cut.min(text.len() / 2)]).unwrap();
        }
    }
    if partial_dir(&out).exists() {
        timed(root, &[&base[..], &["--out", "o", "--resume"]].concat());
    }
    same_files(&out, &root.join("whole"));
    eprintln!(
        "sweep crash test: {finished} runs finished between kills, {with_rows} kills left finished rows (then torn) to resume"
    );
}

/// Every file but the manifest (timings, command line) has the same bytes.
fn same_files(a: &Path, b: &Path) {
    for f in [
        "sweep.csv",
        "mc_error.csv",
        "mc_replicates.csv",
        "sweep-state.json",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs from the uninterrupted run"
        );
    }
}
