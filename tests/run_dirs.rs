//! Output folders end to end: a run never writes over another, `--force`
//! replaces a folder whole, a lock keeps two runs apart, and a damaged shard
//! leaves no merged folder.

use std::path::Path;

use mosde::report::run_dir::verify;

use crate::common::{mosde, usage_error, write};

fn simulate(out: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut c = mosde();
    c.args([
        "simulate", "--engine", "cpu", "-q", "--paths", "600", "--steps", "10",
    ])
    .args(extra)
    .arg("--out")
    .arg(out);
    c
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_second_run_into_a_folder_is_refused_and_force_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    simulate(&out, &["--record-paths", "2"]).assert().success();
    assert!(out.join("paths.csv").exists());
    let err = usage_error(
        &mut simulate(&out, &["--seed", "8"]),
        "a second run into a full folder",
        "already holds files",
    );
    assert!(
        err.contains(&out.display().to_string()) && err.contains("--force"),
        "{err}"
    );
    verify(&out).unwrap();
    simulate(&out, &["--seed", "8", "--force"])
        .assert()
        .success();
    // The old run's paths.csv went with the old folder.
    assert!(!out.join("paths.csv").exists());
    verify(&out).unwrap();
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"seed\": 8"), "{summary}");
    // Nothing is left beside the folder: no lock, no staging.
    assert_eq!(names(dir.path()), ["o"]);
}

#[test]
fn every_command_refuses_a_full_folder() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    write(&full, "keep.txt", "mine");
    let spec = write(dir.path(), "s.toml", crate::sweep::SPEC);
    let points = write(dir.path(), "p.csv", "a,b\n1,2\n2,1\n");
    let cases: [(&str, Vec<&str>); 6] = [
        (
            "simulate",
            vec!["simulate", "--engine", "cpu", "--paths", "600"],
        ),
        (
            "sweep",
            vec!["sweep", "--engine", "cpu", "--spec", spec.to_str().unwrap()],
        ),
        (
            "figures",
            vec!["figures", "--engine", "cpu", "--paths", "600"],
        ),
        ("replicate", vec!["replicate", "--sessions", "5"]),
        (
            "pareto",
            vec!["pareto", "--input", points.to_str().unwrap()],
        ),
        (
            "bench",
            vec![
                "bench", "--engine", "cpu", "--paths", "1000", "--repeat", "1",
            ],
        ),
    ];
    for (what, args) in cases {
        let mut c = mosde();
        c.args(&args).arg("--out").arg(&full);
        usage_error(&mut c, what, "--force");
        assert_eq!(names(&full), ["keep.txt"], "{what} touched the folder");
    }
    assert_eq!(names(dir.path()), ["full", "p.csv", "s.toml"]);
}

#[test]
fn a_locked_folder_is_refused_naming_the_other_process() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let lock_path = dir.path().join(".o.lock");
    std::fs::write(&lock_path, "4242\n").unwrap();
    let lock = std::fs::File::open(&lock_path).unwrap();
    lock.try_lock().unwrap();
    let err = usage_error(&mut simulate(&out, &[]), "a locked folder", "process 4242");
    assert!(err.contains(".o.lock"), "{err}");
    assert!(!out.exists());
    // A lock left by a run that died (nobody holds it) is taken over.
    drop(lock);
    simulate(&out, &[]).assert().success();
    verify(&out).unwrap();
    assert!(!lock_path.exists());
}

#[test]
fn a_truncated_shard_is_named_and_leaves_no_merge() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", crate::sweep::SPEC);
    for i in 0..2 {
        mosde()
            .args(["sweep", "--engine", "cpu", "-q", "--spec"])
            .arg(&spec)
            .args(["--shard", &format!("{i}/2"), "--out"])
            .arg(dir.path().join(format!("s{i}")))
            .assert()
            .success();
    }
    let rows = dir.path().join("s1/sweep.csv");
    let text = std::fs::read(&rows).unwrap();
    std::fs::write(&rows, &text[..text.len() / 2]).unwrap();
    let mut c = mosde();
    c.arg("merge")
        .arg(dir.path().join("s0"))
        .arg(dir.path().join("s1"))
        .arg("--out")
        .arg(dir.path().join("m"));
    let err = usage_error(&mut c, "a truncated shard", "sweep.csv");
    assert!(err.contains("s1") && err.contains("damaged"), "{err}");
    assert!(!dir.path().join("m").exists());
}

#[test]
fn resume_with_nothing_to_resume_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", crate::sweep::SPEC);
    let mut c = mosde();
    c.args(["sweep", "--engine", "cpu", "-q", "--resume", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("o"));
    usage_error(&mut c, "resume of nothing", "no sweep to resume");
    assert_eq!(names(dir.path()), ["s.toml"]);
}

#[test]
fn resume_after_a_kill_before_any_state_starts_afresh() {
    // A run killed between creating its staging folder and writing its
    // state leaves `<out>.partial` empty, or holding only the temporary of
    // the state's interrupted write: nothing was done, so a resume runs the
    // whole sweep (and the staging folder and the temporary are gone).
    for debris in [None, Some("sweep-state.json.4242.tmp")] {
        let dir = tempfile::tempdir().unwrap();
        let spec = write(dir.path(), "s.toml", crate::sweep::SPEC);
        let out = dir.path().join("o");
        let partial = mosde::report::run_dir::partial_dir(&out);
        std::fs::create_dir(&partial).unwrap();
        if let Some(name) = debris {
            std::fs::write(partial.join(name), "{\n  \"command\": \"swe").unwrap();
        }
        let mut c = mosde();
        c.args(["sweep", "--engine", "cpu", "-q", "--resume", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        assert!(!partial.exists(), "{debris:?}");
        verify(&out).unwrap();
        assert!(
            !names(&out).iter().any(|n| n.ends_with(".tmp")),
            "{debris:?}"
        );
    }
}
