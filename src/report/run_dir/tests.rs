use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn stage(out: &Path, force: bool, files: &[(&str, &str)]) -> Result<PathBuf, RunDirError> {
    let run = RunDir::create(out, force)?;
    for (name, text) in files {
        let p = run.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    run.commit(&stamp())
}

#[test]
fn a_committed_run_lists_and_verifies_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    stage(&out, false, &[("a.csv", "1\n"), ("sub/b.json", "{}")]).unwrap();
    assert_eq!(names(dir.path()), ["o"]);
    let listed = verify(&out).unwrap();
    assert_eq!(listed.keys().collect::<Vec<_>>(), ["a.csv", "sub/b.json"]);
    assert_eq!(listed["a.csv"], sha256_hex(b"1\n"));
}

#[test]
fn a_full_folder_is_refused_unless_forced_and_then_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    stage(&out, false, &[("old.csv", "old")]).unwrap();
    let refused = stage(&out, false, &[("new.csv", "new")]);
    assert!(matches!(refused, Err(RunDirError::Exists { .. })));
    assert_eq!(names(dir.path()), ["o"]);
    stage(&out, true, &[("new.csv", "new")]).unwrap();
    assert_eq!(names(&out), ["manifest.json", "new.csv"]);
    assert_eq!(names(dir.path()), ["o"]);
}

#[test]
fn an_empty_folder_is_used_and_a_dropped_run_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir(&out).unwrap();
    let run = RunDir::create(&out, false).unwrap();
    std::fs::write(run.path().join("x"), "x").unwrap();
    drop(run);
    assert_eq!(names(dir.path()), ["o"]);
    assert!(names(&out).is_empty());
    stage(&out, false, &[("x", "x")]).unwrap();
    verify(&out).unwrap();
}

#[test]
fn a_resumable_run_keeps_its_state_until_committed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let run = RunDir::resumable(&out, false, false).unwrap();
    std::fs::write(run.path().join("rows"), "1").unwrap();
    drop(run);
    assert_eq!(names(dir.path()), ["o.partial"]);
    assert!(matches!(
        RunDir::resumable(&out, false, false),
        Err(RunDirError::Unfinished { .. })
    ));
    let run = RunDir::resumable(&out, false, true).unwrap();
    assert_eq!(names(run.path()), ["rows"]);
    run.commit(&stamp()).unwrap();
    assert_eq!(names(dir.path()), ["o"]);
}

#[test]
fn a_second_writer_is_told_who_holds_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let _first = RunDir::create(&out, false).unwrap();
    match RunDir::create(&out, false) {
        Err(RunDirError::Locked { pid, .. }) => assert_eq!(pid, std::process::id().to_string()),
        other => panic!("expected a lock refusal, got {other:?}"),
    }
}

#[test]
fn verify_finds_changed_missing_and_unlisted_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    stage(&out, false, &[("a", "1"), ("b", "2")]).unwrap();
    std::fs::write(out.join("a"), "9").unwrap();
    assert!(verify(&out).unwrap_err().to_string().contains("SHA-256"));
    std::fs::write(out.join("a"), "1").unwrap();
    std::fs::remove_file(out.join("b")).unwrap();
    assert!(verify(&out).unwrap_err().to_string().contains("missing"));
    std::fs::write(out.join("b"), "2").unwrap();
    std::fs::write(out.join("c"), "3").unwrap();
    assert!(verify(&out).unwrap_err().to_string().contains("not listed"));
    std::fs::remove_file(out.join(MANIFEST)).unwrap();
    assert!(
        verify(&out)
            .unwrap_err()
            .to_string()
            .contains("not a complete run")
    );
}

#[test]
fn a_path_without_a_folder_name_is_refused() {
    assert!(matches!(
        RunDir::create(Path::new(".."), false),
        Err(RunDirError::Name { .. })
    ));
}
