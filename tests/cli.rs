//! The command line end to end: outputs, exit codes and messages.

use predicates::prelude::*;

use crate::common::{TWO_OBJECTIVES, mosde, usage_error, write};

#[test]
fn simulate_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    mosde()
        .args([
            "simulate",
            "--engine",
            "cpu",
            "--paths",
            "2000",
            "--record-paths",
            "2",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("EF").and(predicate::str::contains("path-steps/s")));
    for f in ["summary.json", "moments.csv", "paths.csv", "manifest.json"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "model",
        "objectives",
        "paths",
        "steps",
        "dt",
        "seed",
        "engine",
        "strategies",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    let s = &summary["strategies"][0];
    for key in [
        "name",
        "label",
        "theoretical_rate",
        "eigenvalues",
        "mode",
        "discrete_spectral_radius",
        "target",
        "terminal_mean",
        "terminal_sd",
        "terminal_cov",
        "terminal_quantiles",
        "effective_equilibrium",
        "empirical_rate",
        "first_passage",
        "increment_correlation",
        "nonfinite_paths",
    ] {
        assert!(s.get(key).is_some(), "strategy entry lacks {key}");
    }
    for key in [
        "tolerance",
        "reached_fraction",
        "mean",
        "p50",
        "p90",
        "histogram",
    ] {
        assert!(
            s["first_passage"].get(key).is_some(),
            "first_passage lacks {key}"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for key in [
        "version",
        "command_line",
        "model",
        "seed",
        "engine",
        "adapter",
        "threads",
        "elapsed_s",
        "path_steps_per_s",
    ] {
        assert!(manifest.get(key).is_some(), "manifest.json lacks {key}");
    }
    let moments = std::fs::read_to_string(out.join("moments.csv")).unwrap();
    assert!(moments.starts_with(
        "strategy,step,t,mean_security,mean_efficiency,mean_functionality,sd_security"
    ));
    assert_eq!(moments.lines().count(), 1 + 4 * 51);
    let paths = std::fs::read_to_string(out.join("paths.csv")).unwrap();
    assert!(paths.starts_with("strategy,path,step,security,efficiency,functionality\n"));
    assert_eq!(paths.lines().count(), 1 + 4 * 2 * 51);
}

#[test]
fn simulate_is_byte_reproducible_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    for t in ["1", "2"] {
        mosde()
            .args([
                "simulate",
                "--engine",
                "cpu",
                "--paths",
                "3000",
                "-q",
                "--threads",
                t,
                "--out",
            ])
            .arg(dir.path().join(t))
            .assert()
            .success();
    }
    for f in ["summary.json", "moments.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("1").join(f)).unwrap(),
            std::fs::read(dir.path().join("2").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn analyze_prints_tables_and_json() {
    mosde().args(["analyze"]).assert().success().stdout(
        predicate::str::contains("oscillatory")
            .and(predicate::str::contains("boundary"))
            .and(predicate::str::contains("0.3300")),
    );
    let out = mosde()
        .args([
            "analyze",
            "--format",
            "json",
            "--preset",
            "content-generation",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["strategies"].as_array().unwrap().len(), 3);
    assert!(v["strategies"][0]["rho"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_model_file_runs_and_writes_analysis_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.toml", TWO_OBJECTIVES);
    let f = dir.path().join("a.json");
    mosde()
        .args(["analyze", "--format", "json", "--model"])
        .arg(&m)
        .arg("--out")
        .arg(&f)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&f).unwrap().contains("\"rho\""));
    mosde()
        .args([
            "simulate", "--engine", "cpu", "--paths", "500", "-q", "--model",
        ])
        .arg(&m)
        .arg("--out")
        .arg(dir.path().join("r"))
        .assert()
        .success();
}

/// (description, replacement of TWO_OBJECTIVES or full text, expected field, expected reason)
fn bad_models() -> Vec<(&'static str, String, &'static str, &'static str)> {
    let r = |from: &str, to: &str| TWO_OBJECTIVES.replacen(from, to, 1);
    let mut nine = String::from(
        "name = \"m\"\nstrategies = []\nx0 = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]\n",
    );
    for i in 0..9 {
        nine += &format!("[[objectives]]\nname = \"o{i}\"\nlower = 0.0\nupper = 2.0\n");
    }
    vec![
        (
            "x0 wrong length",
            r("x0 = [5.0, 5.0]", "x0 = [5.0]"),
            "x0",
            "expected 2",
        ),
        (
            "NaN target",
            r("target = [6.0, 4.0]", "target = [nan, 4.0]"),
            "strategies[0].target[0]",
            "finite",
        ),
        (
            "infinite rate",
            r("rates = [0.3, 0.4]", "rates = [inf, 0.4]"),
            "strategies[0].rates[0]",
            "finite",
        ),
        (
            "correlation not positive definite",
            r(
                "sigma = [0.2, 0.2]",
                "sigma = [0.2, 0.2]\nnoise_correlation = [[1.0, 1.0], [1.0, 1.0]]",
            ),
            "strategies[0].noise_correlation",
            "positive definite",
        ),
        (
            "correlation not symmetric",
            r(
                "sigma = [0.2, 0.2]",
                "sigma = [0.2, 0.2]\nnoise_correlation = [[1.0, 0.2], [0.1, 1.0]]",
            ),
            "strategies[0].noise_correlation[1][0]",
            "symmetric",
        ),
        (
            "negative sigma",
            r("sigma = [0.2, 0.2]", "sigma = [-0.2, 0.2]"),
            "strategies[0].sigma[0]",
            "≥ 0",
        ),
        (
            "no objectives",
            "name = \"m\"\nx0 = []\nobjectives = []\nstrategies = []\n".into(),
            "objectives",
            "between 1 and 8",
        ),
        ("nine objectives", nine, "objectives", "between 1 and 8"),
        (
            "unknown top-level field",
            r("steps = 10", "steps = 10\nstepz = 3"),
            "stepz",
            "unknown field",
        ),
        (
            "unknown strategy field",
            r("sigma = [0.2, 0.2]", "sigma = [0.2, 0.2]\nsigmas = 1"),
            "sigmas",
            "unknown field",
        ),
        (
            "lower not below upper",
            r("lower = 0.0\nupper = 10.0", "lower = 10.0\nupper = 10.0"),
            "objectives[0].lower",
            "not below upper",
        ),
        (
            "x0 outside the bounds",
            r("x0 = [5.0, 5.0]", "x0 = [11.0, 5.0]"),
            "x0[0]",
            "outside the bounds",
        ),
        (
            "interference diagonal",
            r(
                "interference = [[0.0, -0.1], [0.0, 0.0]]",
                "interference = [[0.2, -0.1], [0.0, 0.0]]",
            ),
            "strategies[0].interference[0][0]",
            "diagonal must be 0",
        ),
        (
            "interference row length",
            r(
                "interference = [[0.0, -0.1], [0.0, 0.0]]",
                "interference = [[0.0, -0.1], [0.0]]",
            ),
            "strategies[0].interference[1]",
            "expected 2",
        ),
        (
            "unknown strategy in a policy",
            format!("{TWO_OBJECTIVES}\n[policy]\nkind = \"fixed\"\nstrategy = \"Q\"\n"),
            "policy.strategy",
            "unknown strategy 'Q'",
        ),
        (
            "duplicate strategy names",
            format!(
                "{TWO_OBJECTIVES}\n[[strategies]]\nname = \"S\"\ntarget = [1.0, 1.0]\nrates = [0.1, 0.1]\ninterference = [[0.0, 0.0], [0.0, 0.0]]\nsigma = [0.1, 0.1]\n"
            ),
            "strategies[1].name",
            "used by an earlier strategy",
        ),
        (
            "duplicate objective names",
            r("name = \"b\"", "name = \"a\""),
            "objectives[1].name",
            "used by an earlier objective",
        ),
        ("dt not positive", r("dt = 1.0", "dt = 0.0"), "dt", "> 0"),
        ("steps zero", r("steps = 10", "steps = 0"), "steps", "≥ 1"),
        (
            "wrong type",
            r("steps = 10", "steps = \"ten\""),
            "steps",
            "invalid type",
        ),
        (
            "broken TOML",
            r("x0 = [5.0, 5.0]", "x0 = [5.0, 5.0"),
            "line",
            "",
        ),
        (
            "weighted greedy without weights",
            format!(
                "{TWO_OBJECTIVES}\n[policy]\nkind = \"greedy\"\nscalarization = \"weighted\"\n"
            ),
            "policy.weights",
            "required",
        ),
        (
            "guard floors length",
            format!(
                "{TWO_OBJECTIVES}\n[policy]\nkind = \"guard\"\ndefault = \"S\"\nfloors = [1.0]\n"
            ),
            "policy.floors",
            "expected 2",
        ),
        (
            "unknown boundary",
            r("steps = 10", "steps = 10\nboundary = \"wrap\""),
            "boundary",
            "unknown variant",
        ),
        (
            "unknown policy kind",
            format!("{TWO_OBJECTIVES}\n[policy]\nkind = \"random\"\n"),
            "kind",
            "unknown variant",
        ),
    ]
}

#[test]
fn malformed_models_exit_2_naming_field_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases = bad_models();
    assert!(cases.len() >= 15);
    for (i, (what, text, field, reason)) in cases.into_iter().enumerate() {
        let m = write(dir.path(), &format!("bad{i}.toml"), &text);
        for cmd in ["analyze", "simulate"] {
            let mut c = mosde();
            c.arg(cmd).arg("--model").arg(&m).args(
                ["--engine", "cpu"]
                    .iter()
                    .take(if cmd == "simulate" { 2 } else { 0 }),
            );
            let err = usage_error(&mut c, &format!("{what} ({cmd})"), field);
            assert!(
                err.contains(reason),
                "{what}: stderr does not say '{reason}':\n{err}"
            );
            assert!(
                err.contains(&*m.to_string_lossy()),
                "{what}: stderr does not name the file:\n{err}"
            );
        }
    }
}

#[test]
fn bad_flags_exit_2() {
    let cases: [(&[&str], &str); 9] = [
        (&["simulate", "--paths", "0"], "--paths"),
        (&["simulate", "--dt", "0"], "--dt"),
        (&["simulate", "--dt", "-1"], "--dt"),
        (&["simulate", "--strategy", "NOPE"], "unknown strategy"),
        (&["simulate", "--paths", "many"], "not a count"),
        (&["simulate", "--tolerance", "0"], "--tolerance"),
        (&["simulate", "--preset", "nope"], "unknown preset 'nope'"),
        (&["simulate", "--record-every", "0"], "--record-every"),
        (
            &["simulate", "--pareto-reference", "1,2"],
            "--pareto-reference 1,2: the hypervolume reference has 2 values",
        ),
    ];
    for (args, msg) in cases {
        let mut c = mosde();
        c.args(args).args(["--engine", "cpu", "-q"]);
        usage_error(&mut c, &format!("{args:?}"), msg);
    }
}

#[test]
fn engine_gpu_without_an_adapter_is_a_clear_error() {
    let mut c = mosde();
    c.args(["simulate", "--engine", "gpu", "--paths", "100", "-q"])
        .env("WGPU_ADAPTER_NAME", "no-such-adapter-anywhere");
    let err = usage_error(&mut c, "--engine gpu", "no GPU adapter found");
    assert!(err.contains("--engine cpu"), "{err}");
}

#[test]
fn engine_auto_says_which_engine_ran() {
    let dir = tempfile::tempdir().unwrap();
    mosde()
        .args(["simulate", "--paths", "300", "--out"])
        .arg(dir.path())
        .env("WGPU_ADAPTER_NAME", "no-such-adapter-anywhere")
        .assert()
        .success()
        .stderr(
            predicate::str::contains("falling back to the CPU engine")
                .and(predicate::str::contains("engine: cpu")),
        );
}

#[test]
fn devices_lists_adapters_or_says_there_are_none() {
    mosde()
        .arg("devices")
        .assert()
        .success()
        .stdout(predicate::str::contains("adapter").or(predicate::str::contains("no adapters")));
}

#[test]
fn pareto_writes_the_front_and_hypervolume() {
    let dir = tempfile::tempdir().unwrap();
    // Maximise a, minimise cost: (1,1) is dominated by (2,0); (3,5) and (2,0) stay.
    let input = write(
        dir.path(),
        "p.csv",
        "id,a,cost\np1,1,1\np2,2,0\np3,3,5\np4,2,0\n",
    );
    let out = dir.path().join("o");
    mosde()
        .args([
            "pareto",
            "--objectives",
            "a,cost",
            "--minimize",
            "cost",
            "--bounds",
            "0:4,0:10",
            "--input",
        ])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let front = std::fs::read_to_string(out.join("front.csv")).unwrap();
    assert_eq!(front, "id,a,cost\np2,2,0\np3,3,5\np4,2,0\n");
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("pareto.json")).unwrap()).unwrap();
    assert_eq!(j["rows"], 4);
    assert_eq!(j["front_size"], 3);
    // Normalised: p2 = (0.5, 1.0), p3 = (0.75, 0.5); union of boxes from 0:
    // 0.5·1.0 + (0.75 − 0.5)·0.5 = 0.625.
    assert!(
        (j["hypervolume"].as_f64().unwrap() - 0.625).abs() < 1e-12,
        "{j}"
    );
    assert_eq!(j["normalization"]["sense"][1], "min");
}

#[test]
fn simulate_reports_pareto_statistics() {
    let dir = tempfile::tempdir().unwrap();
    mosde()
        .args([
            "simulate",
            "--engine",
            "cpu",
            "--paths",
            "3000",
            "--pareto-sample",
            "1000",
            "-q",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["terminal_sample"], 1000);
    assert_eq!(s["pareto_subsampled"], true);
    let shares: f64 = s["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["pareto_share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-12, "shares sum to {shares}");
    for x in s["strategies"].as_array().unwrap() {
        let hv = x["hypervolume"].as_f64().unwrap();
        // FF pins security at 0, which leaves it no volume above the lower bounds.
        let want_zero = x["name"] == "FF";
        assert!(
            if want_zero {
                hv == 0.0
            } else {
                hv > 0.0 && hv < 1.0
            },
            "{}: {hv}",
            x["name"]
        );
    }
    let front = std::fs::read_to_string(dir.path().join("pareto_front.csv")).unwrap();
    assert!(front.starts_with("strategy,security,efficiency,functionality\n"));
    assert_eq!(
        front.lines().count() - 1,
        s["pooled_front_size"].as_u64().unwrap() as usize
    );
    assert_eq!(s["pareto_reference"], serde_json::json!([0.0, 0.0, 0.0]));
    // A reference point above the lower bounds leaves less volume.
    let moved = dir.path().join("moved");
    mosde()
        .args([
            "simulate",
            "--engine",
            "cpu",
            "--paths",
            "3000",
            "--pareto-sample",
            "1000",
            "-q",
            "--pareto-reference",
            "2,2,5",
            "--out",
        ])
        .arg(&moved)
        .assert()
        .success();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(moved.join("summary.json")).unwrap()).unwrap();
    for (a, b) in s["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .zip(m["strategies"].as_array().unwrap())
    {
        assert!(b["hypervolume"].as_f64().unwrap() <= a["hypervolume"].as_f64().unwrap());
    }
    let md = std::fs::read_to_string(dir.path().join("strategies.md")).unwrap();
    assert!(
        md.contains("| EF |") && md.contains("pareto share") && md.contains("uniform subsample")
    );
}

#[test]
fn bad_point_tables_exit_2_naming_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &[&str], &str); 7] = [
        ("empty", "", &[], "empty"),
        ("no header", "1,2\n3,4\n", &[], "header"),
        (
            "not a number",
            "a,b\n1,2\n3,x\n",
            &[],
            "line 3, column 'b': 'x' is not a number",
        ),
        (
            "wrong column count",
            "a,b\n1,2\n3\n",
            &[],
            "line 3: has 1 fields but the header has 2",
        ),
        (
            "unknown objective",
            "a,b\n1,2\n",
            &["--objectives", "a,c"],
            "unknown objective 'c'",
        ),
        (
            "NaN",
            "a,b\n1,NaN\n",
            &[],
            "line 2, column 'b': 'NaN' is not a finite number",
        ),
        (
            "bad bounds",
            "a,b\n1,2\n",
            &["--bounds", "0:1"],
            "--bounds has 1 ranges for 2 objectives",
        ),
    ];
    for (what, text, extra, msg) in cases {
        let input = write(dir.path(), &format!("{what}.csv"), text);
        let mut c = mosde();
        c.arg("pareto")
            .arg("--input")
            .arg(&input)
            .args(extra)
            .arg("--out")
            .arg(dir.path().join("o"));
        usage_error(&mut c, what, msg);
    }
}

#[test]
fn bench_writes_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    mosde()
        .args([
            "bench",
            "--engine",
            "cpu",
            "--paths",
            "2048",
            "--steps",
            "20",
            "--repeat",
            "1",
            "--preset",
            "code-generation",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("path-steps/s"));
    let rows: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bench.json")).unwrap()).unwrap();
    assert!(rows[0]["path_steps_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn generate_fit_and_simulate_the_fitted_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("s.csv");
    mosde()
        .args([
            "generate",
            "--sessions",
            "40",
            "--iterations",
            "8",
            "--seed",
            "2",
            "--out",
        ])
        .arg(&data)
        .assert()
        .success();
    let text = std::fs::read_to_string(&data).unwrap();
    assert!(text.starts_with("session,strategy,iteration,security,efficiency,functionality\n"));
    assert_eq!(text.lines().count(), 1 + 4 * 40 * 9);
    let fitted = dir.path().join("fitted.toml");
    let report = dir.path().join("report.json");
    mosde()
        .args([
            "fit",
            "--preset",
            "code-generation",
            "--holdout",
            "0.25",
            "--bootstrap",
            "50",
            "--data",
        ])
        .arg(&data)
        .arg("--out")
        .arg(&fitted)
        .arg("--report")
        .arg(&report)
        .assert()
        .success()
        .stdout(predicate::str::contains("R2 trajectory"))
        .stderr(predicate::str::contains("pinned at its lower bound"));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let s = &r["strategies"][0];
    for key in [
        "name",
        "A",
        "kappa",
        "interference",
        "target",
        "sigma",
        "noise_correlation",
        "increment_correlation",
        "eigenvalues",
        "rho",
        "rho_ci",
        "r2_one_step",
        "r2_holdout",
        "r2_trajectory",
        "increments",
    ] {
        assert!(s.get(key).is_some(), "report.json strategy lacks {key}");
    }
    assert!(s["r2_holdout"].is_f64());
    mosde()
        .args([
            "simulate", "--engine", "cpu", "--paths", "500", "-q", "--model",
        ])
        .arg(&fitted)
        .arg("--out")
        .arg(dir.path().join("r"))
        .assert()
        .success();
}

#[test]
fn replicate_writes_the_comparison() {
    let dir = tempfile::tempdir().unwrap();
    mosde()
        .args(["replicate", "--bootstrap", "20", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("| FF |"));
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("replication.json")).unwrap())
            .unwrap();
    assert_eq!(j["strategies"].as_array().unwrap().len(), 4);
    for key in ["rho", "r2", "equilibrium"] {
        assert!(
            j["strategies"][0]["paper"].get(key).is_some()
                && j["strategies"][0]["ours"].get(key).is_some(),
            "{key}"
        );
    }
    assert!(
        j["interference"]["paper"]["I_fe"].is_f64() && j["interference"]["ours"]["I_fs"].is_f64()
    );
    for f in [
        "replication.md",
        "sessions.csv",
        "fitted.toml",
        "report.json",
    ] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}

#[test]
fn bad_session_files_exit_2_naming_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let h = "session,strategy,iteration,a,b\n";
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "empty"),
        (
            "missing column",
            "session,strategy,a\ns,X,1\n".into(),
            "missing column(s) iteration",
        ),
        (
            "no objectives",
            "session,strategy,iteration\ns,X,0\n".into(),
            "no objective columns",
        ),
        (
            "not a number",
            format!("{h}s,X,0,1,2\ns,X,1,1,zz\n"),
            "line 3, column 'b': 'zz' is not a number",
        ),
        (
            "missing value",
            format!("{h}s,X,0,1,2\ns,X,1,,2\n"),
            "line 3, column 'a': missing value",
        ),
        (
            "NaN",
            format!("{h}s,X,0,1,NaN\n"),
            "line 2, column 'b': 'NaN' is not a finite number",
        ),
        (
            "bad iteration",
            format!("{h}s,X,-1,1,2\n"),
            "line 2, column 'iteration'",
        ),
        (
            "duplicate iteration",
            format!("{h}s,X,0,1,2\ns,X,0,1,3\n"),
            "line 3: session 's' iteration 0 appears twice (also on line 2)",
        ),
        (
            "mixed strategies",
            format!("{h}s,X,0,1,2\ns,Y,1,1,3\n"),
            "line 3, column 'strategy'",
        ),
        (
            "wrong field count",
            format!("{h}s,X,0,1,2\ns,X,1,1\n"),
            "line 3: has 4 fields but the header has 5",
        ),
        (
            "duplicate column",
            "session,strategy,iteration,a,a\ns,X,0,1,2\n".into(),
            "column 'a' appears twice",
        ),
        ("no rows", h.to_string(), "no data rows"),
        (
            "empty session id",
            format!("{h},X,0,1,2\n"),
            "line 2, column 'session': missing session id",
        ),
    ];
    for (what, text, msg) in cases {
        let data = write(dir.path(), &format!("{what}.csv"), &text);
        let mut c = mosde();
        c.arg("fit")
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(dir.path().join("f.toml"));
        let err = usage_error(&mut c, what, msg);
        assert!(
            err.contains(&*data.to_string_lossy()),
            "{what}: the file is not named:\n{err}"
        );
    }
}

#[test]
fn figures_make_the_paper_set_and_plot_flags_draw() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fig");
    mosde()
        .args(["figures", "--engine", "cpu", "--paths", "2000", "--out"])
        .arg(&out)
        .assert()
        .success();
    for name in [
        "trajectories",
        "phase_portraits",
        "first_passage",
        "pareto_fronts",
        "eigenvalues",
        "interference",
        "increment_correlation",
        "replication",
        "fit_trajectories",
    ] {
        for ext in ["svg", "png"] {
            assert!(
                out.join(format!("{name}.{ext}")).exists(),
                "{name}.{ext} missing"
            );
        }
    }
    let sim = dir.path().join("sim");
    mosde()
        .args([
            "simulate", "--engine", "cpu", "--paths", "1000", "-q", "--plot", "--out",
        ])
        .arg(&sim)
        .assert()
        .success();
    assert!(sim.join("phase_portraits.png").exists() && sim.join("paths.csv").exists());
    let points = write(dir.path(), "p.csv", "a,b\n1,2\n2,1\n0,0\n");
    mosde()
        .args(["pareto", "--plot", "--input"])
        .arg(&points)
        .arg("--out")
        .arg(dir.path().join("par"))
        .assert()
        .success();
    assert!(dir.path().join("par/pareto_fronts.svg").exists());
    mosde()
        .args(["replicate", "--bootstrap", "10", "--plot", "--out"])
        .arg(dir.path().join("rep"))
        .assert()
        .success();
    assert!(
        dir.path().join("rep/replication.png").exists()
            && dir.path().join("rep/fit_trajectories.png").exists()
    );
}
