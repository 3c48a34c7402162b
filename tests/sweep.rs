//! Sweeps and sensitivity end to end: designs, sharding, resume, bad specs.

use crate::common::{mosde, usage_error, write};

/// A small Latin-hypercube sweep over three parameters (the golden test
/// runs it too).
pub(crate) const SPEC: &str = r#"
model = "code-generation"
strategies = ["AI", "EF"]
paths = 600
steps = 30
seed = 3
design = "latin-hypercube"
samples = 23
metrics = ["terminal_mean.security", "first_passage.p50", "AI.hypervolume"]
mc_replicates = 3

[[parameters]]
path = "strategies.AI.interference[0][2]"
range = [-0.5, 0.0]
[[parameters]]
path = "strategies.EF.rates[1]"
range = [0.3, 0.7]
[[parameters]]
path = "x0[2]"
range = [6.0, 9.0]
"#;

#[test]
fn sweep_rows_follow_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", SPEC);
    mosde()
        .args(["sweep", "--engine", "cpu", "-q", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("o/sweep.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "point,strategies.AI.interference[0][2],strategies.EF.rates[1],x0[2],AI.terminal_mean.security,EF.terminal_mean.security,AI.first_passage.p50,EF.first_passage.p50,AI.hypervolume,status"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 23);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], i.to_string());
        let v: Vec<f64> = r[1..4].iter().map(|c| c.parse().unwrap()).collect();
        assert!(
            (-0.5..=0.0).contains(&v[0])
                && (0.3..=0.7).contains(&v[1])
                && (6.0..=9.0).contains(&v[2]),
            "{r:?}"
        );
        assert_eq!(r[9], "ok");
    }
    for f in [
        "manifest.json",
        "mc_error.csv",
        "mc_replicates.csv",
        "sweep-state.json",
    ] {
        assert!(dir.path().join("o").join(f).exists(), "{f}");
    }
    assert!(!dir.path().join("o/sweep.partial.csv").exists());
}

#[test]
fn se_adds_an_error_column_per_metric() {
    let dir = tempfile::tempdir().unwrap();
    let text = SPEC
        .replace("samples = 23", "samples = 4")
        .replace("mc_replicates = 3", "mc_replicates = 0\nse = true");
    let spec = write(dir.path(), "s.toml", &text);
    let out = mosde()
        .args(["sweep", "--engine", "cpu", "-q", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .success();
    // Every point is valid: no warning about invalid points.
    assert!(!String::from_utf8_lossy(&out.get_output().stderr).contains("validation"));
    let text = std::fs::read_to_string(dir.path().join("o/sweep.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(head.len(), 4 + 2 * 5 + 1);
    assert_eq!(
        head[9..14],
        [
            "AI.terminal_mean.security_se",
            "EF.terminal_mean.security_se",
            "AI.first_passage.p50_se",
            "EF.first_passage.p50_se",
            "AI.hypervolume_se"
        ]
    );
    for line in lines {
        let r: Vec<&str> = line.split(',').collect();
        let se: f64 = r[9].parse().unwrap();
        // sd ≈ 1 over 600 paths: an error near 1/√600 ≈ 0.04.
        assert!(se > 0.01 && se < 0.2, "{line}");
        assert_eq!(r[14], "ok");
    }
}

#[test]
fn shards_merge_into_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", SPEC);
    mosde()
        .args(["sweep", "--engine", "cpu", "-q", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("whole"))
        .assert()
        .success();
    for i in 0..4 {
        mosde()
            .args([
                "sweep",
                "--engine",
                "cpu",
                "-q",
                "--shard",
                &format!("{i}/4"),
                "--spec",
            ])
            .arg(&spec)
            .arg("--out")
            .arg(dir.path().join(format!("s{i}")))
            .assert()
            .success();
    }
    // The shard index can also come from the scheduler's environment.
    mosde()
        .args(["sweep", "--engine", "cpu", "-q", "--shard", "4", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("env"))
        .env("SLURM_ARRAY_TASK_ID", "3")
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("env/sweep.csv")).unwrap(),
        std::fs::read(dir.path().join("s3/sweep.csv")).unwrap()
    );
    let mut merge = mosde();
    merge.arg("merge");
    for i in [2, 0, 3, 1] {
        merge.arg(dir.path().join(format!("s{i}")));
    }
    merge
        .arg("--out")
        .arg(dir.path().join("m"))
        .assert()
        .success();
    for f in ["sweep.csv", "mc_replicates.csv", "mc_error.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("whole").join(f)).unwrap(),
            std::fs::read(dir.path().join("m").join(f)).unwrap(),
            "{f} differs after merging"
        );
    }
    // A missing shard is an error, not a silently shorter table.
    let mut c = mosde();
    c.arg("merge")
        .arg(dir.path().join("s0"))
        .arg(dir.path().join("s1"))
        .arg("--out")
        .arg(dir.path().join("bad"));
    usage_error(
        &mut c,
        "merge without shards 2 and 3",
        "shards 2, 3 of 4 are missing",
    );
}

#[test]
fn simulate_shards_merge_into_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let common = [
        "simulate",
        "--engine",
        "cpu",
        "-q",
        "--paths",
        "20000",
        "--record-paths",
        "3",
    ];
    mosde()
        .args(common)
        .arg("--out")
        .arg(dir.path().join("whole"))
        .assert()
        .success();
    for i in 0..3 {
        mosde()
            .args(common)
            .args(["--shard", &format!("{i}/3")])
            .arg("--out")
            .arg(dir.path().join(format!("s{i}")))
            .assert()
            .success();
    }
    mosde()
        .arg("merge")
        .arg(dir.path().join("s1"))
        .arg(dir.path().join("s2"))
        .arg(dir.path().join("s0"))
        .arg("--out")
        .arg(dir.path().join("m"))
        .assert()
        .success();
    for f in [
        "summary.json",
        "moments.csv",
        "paths.csv",
        "pareto_front.csv",
        "strategies.md",
    ] {
        assert_eq!(
            std::fs::read(dir.path().join("whole").join(f)).unwrap(),
            std::fs::read(dir.path().join("m").join(f)).unwrap(),
            "{f} differs after merging"
        );
    }
}

/// The unfinished state a kill leaves in `<out>.partial`: the state file and
/// the first `done` rows of `full`, then a torn half of the next row.
fn leave_unfinished(out: &std::path::Path, full: &std::path::Path, done: usize) {
    let partial = mosde::report::run_dir::partial_dir(out);
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::copy(
        full.join("sweep-state.json"),
        partial.join("sweep-state.json"),
    )
    .unwrap();
    let text = std::fs::read_to_string(full.join("sweep.csv")).unwrap();
    let mut lines = text.lines();
    let mut rows = format!("{},check\n", lines.next().unwrap());
    for l in lines.by_ref().take(done) {
        rows.push_str(&mosde::sweep::rows::checked_line(l));
    }
    let torn = mosde::sweep::rows::checked_line(lines.next().unwrap());
    rows.push_str(&torn[..torn.len() / 2]);
    std::fs::write(partial.join("sweep.partial.csv"), rows).unwrap();
}

#[test]
fn an_interrupted_sweep_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "s.toml",
        &SPEC.replace("mc_replicates = 3", "mc_replicates = 0"),
    );
    let (full, out) = (dir.path().join("full"), dir.path().join("o"));
    let sweep = |out: &std::path::Path| {
        let mut c = mosde();
        c.args(["sweep", "--engine", "cpu", "-q", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(out);
        c
    };
    sweep(&full).assert().success();
    leave_unfinished(&out, &full, 9);
    let err = usage_error(
        &mut sweep(&out),
        "without --resume an unfinished sweep must not be overwritten",
        "holds an unfinished run",
    );
    assert!(err.contains("--resume"), "{err}");
    // The torn tenth row is dropped and runs again.
    sweep(&out)
        .arg("--resume")
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "resuming: 9 of 23 points already done",
        ));
    assert_eq!(
        std::fs::read(out.join("sweep.csv")).unwrap(),
        std::fs::read(full.join("sweep.csv")).unwrap()
    );
    assert!(!mosde::report::run_dir::partial_dir(&out).exists());
    mosde::report::run_dir::verify(&out).unwrap();
}

#[test]
fn a_resume_never_replaces_another_run() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "s.toml", SPEC);
    let (full, out) = (dir.path().join("full"), dir.path().join("o"));
    let sweep = |out: &std::path::Path| {
        let mut c = mosde();
        c.args(["sweep", "--engine", "cpu", "-q", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(out);
        c
    };
    sweep(&full).assert().success();
    leave_unfinished(&out, &full, 5);
    mosde()
        .args([
            "simulate", "--engine", "cpu", "-q", "--paths", "600", "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let err = usage_error(
        sweep(&out).arg("--resume"),
        "a resume over another run",
        "already holds files",
    );
    assert!(err.contains("--force"), "{err}");
    assert!(out.join("summary.json").exists());
    sweep(&out).args(["--resume", "--force"]).assert().success();
    assert_eq!(
        std::fs::read(out.join("sweep.csv")).unwrap(),
        std::fs::read(full.join("sweep.csv")).unwrap()
    );
    assert!(!out.join("summary.json").exists());
}

#[test]
fn a_damaged_partial_row_is_named_not_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "s.toml",
        &SPEC.replace("mc_replicates = 3", "mc_replicates = 0"),
    );
    let (full, out) = (dir.path().join("full"), dir.path().join("o"));
    mosde()
        .args(["sweep", "--engine", "cpu", "-q", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&full)
        .assert()
        .success();
    leave_unfinished(&out, &full, 9);
    let partial = mosde::report::run_dir::partial_dir(&out).join("sweep.partial.csv");
    let text = std::fs::read_to_string(&partial).unwrap();
    std::fs::write(&partial, text.replacen(",ok,", ",ok ,", 1)).unwrap();
    let mut c = mosde();
    c.args(["sweep", "--engine", "cpu", "-q", "--resume", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&out);
    let err = usage_error(&mut c, "a row damaged before the tail", "sweep.partial.csv");
    assert!(err.contains("line 2") && err.contains("check"), "{err}");
    assert!(!out.exists());
}

#[test]
fn invalid_points_are_reported_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "s.toml",
        r#"
model = "code-generation"
strategies = ["EF"]
paths = 300
steps = 10
design = "grid"
samples = 5
mc_replicates = 0
metrics = ["terminal_mean.security"]
[[parameters]]
path = "strategies.EF.sigma[0]"
range = [-0.2, 0.2]
"#,
    );
    mosde()
        .args(["sweep", "--engine", "cpu", "-q", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "2 points failed model validation",
        ));
    let text = std::fs::read_to_string(dir.path().join("o/sweep.csv")).unwrap();
    let invalid: Vec<&str> = text.lines().filter(|l| l.contains("invalid")).collect();
    assert_eq!(invalid.len(), 2, "{text}");
    assert!(
        invalid[0].contains("sigma[0]") && invalid[0].contains("must be ≥ 0"),
        "{}",
        invalid[0]
    );
}

#[test]
fn sensitivity_ranks_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "s.toml",
        r#"
model = "code-generation"
strategies = ["AI"]
paths = 2000
steps = 20
design = "sobol"
samples = 32
metrics = ["AI.terminal_mean.security"]
mc_replicates = 4
bootstrap = 100
[[parameters]]
path = "strategies.AI.target[0]"
range = [2.0, 6.0]
[[parameters]]
path = "strategies.AI.sigma[1]"
range = [0.1, 0.3]
"#,
    );
    mosde()
        .args(["sensitivity", "--engine", "cpu", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("o/sensitivity.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "metric,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,mu_star,sigma"
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    let st: Vec<f64> = rows.iter().map(|r| r[5].parse().unwrap()).collect();
    // Security's long-run mean follows its target, not efficiency's noise.
    assert!(st[0] > 0.9 && st[1] < 0.1, "{rows:?}");
    let sweep_rows = std::fs::read_to_string(dir.path().join("o/sweep.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(sweep_rows, 32 * 4);
}

#[test]
fn a_gpu_sweep_of_256_points() {
    if crate::common::gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "s.toml",
        r#"
model = "code-generation"
strategies = ["AI"]
paths = 10000
design = "random"
samples = 256
mc_replicates = 0
metrics = ["hypervolume", "terminal_mean.functionality"]
[[parameters]]
path = "strategies.AI.interference[1][2]"
range = [-0.4, 0.0]
"#,
    );
    mosde()
        .args(["sweep", "--engine", "gpu", "-q", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("o/sweep.csv")).unwrap();
    assert_eq!(text.lines().count(), 257);
    assert!(text.lines().skip(1).all(|l| l.ends_with(",ok")));
}

#[test]
fn bad_specs_exit_2_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let base = "model = \"code-generation\"\ndesign = \"random\"\nsamples = 4\n";
    let p = |path: &str, range: &str| format!("[[parameters]]\npath = \"{path}\"\n{range}\n");
    let good = p("strategies.AI.rates[0]", "range = [0.1, 0.2]");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown path",
            format!("{base}{}", p("strategies.AI.speed[0]", "range = [0, 1]")),
            "parameters[0].path",
        ),
        (
            "index out of range",
            format!("{base}{}", p("strategies.AI.rates[7]", "range = [0, 1]")),
            "out of range",
        ),
        (
            "unknown strategy in a path",
            format!("{base}{}", p("strategies.QQ.rates[0]", "range = [0, 1]")),
            "unknown strategy 'QQ'",
        ),
        (
            "empty range",
            format!(
                "{base}{}",
                p("strategies.AI.rates[0]", "range = [0.5, 0.5]")
            ),
            "parameters[0].range",
        ),
        (
            "unknown metric",
            format!("{base}metrics = [\"speed\"]\n{good}"),
            "metrics[0]: unknown metric 'speed'",
        ),
        (
            "mistyped design",
            format!("model = \"code-generation\"\ndesign = \"sobolt\"\nsamples = 4\n{good}"),
            "unknown variant `sobolt`",
        ),
        (
            "no model",
            format!("design = \"random\"\nsamples = 4\n{good}"),
            "model: missing",
        ),
        (
            "both models",
            format!("model_file = \"m.toml\"\n{base}{good}"),
            "either model",
        ),
        (
            "values with sobol",
            format!(
                "model = \"code-generation\"\ndesign = \"sobol\"\nsamples = 4\n{}",
                p("strategies.AI.rates[0]", "values = [0.1, 0.2]")
            ),
            "parameters[0].values",
        ),
        (
            "swept twice",
            format!("{base}{good}{good}"),
            "parameters[1].path",
        ),
        ("no parameters", base.to_string(), "parameters"),
        (
            "samples zero",
            format!("model = \"code-generation\"\ndesign = \"random\"\nsamples = 0\n{good}"),
            "samples",
        ),
        (
            "unknown field",
            format!("{base}pathz = 3\n{good}"),
            "unknown field `pathz`",
        ),
        (
            "unknown strategy",
            format!("{base}strategies = [\"ZZ\"]\n{good}"),
            "strategies[0]: unknown strategy 'ZZ'",
        ),
        ("paths zero", format!("{base}paths = 0\n{good}"), "paths"),
        (
            "interference diagonal",
            format!(
                "{base}{}",
                p("strategies.AI.interference[1][1]", "range = [0, 1]")
            ),
            "diagonal",
        ),
    ];
    for (what, text, msg) in cases {
        let spec = write(dir.path(), "bad.toml", &text);
        for cmd in ["sweep", "sensitivity"] {
            let mut c = mosde();
            c.args([cmd, "--engine", "cpu", "--spec"])
                .arg(&spec)
                .arg("--out")
                .arg(dir.path().join("o"));
            usage_error(&mut c, &format!("{what} ({cmd})"), msg);
        }
    }
}
