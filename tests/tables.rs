//! Tables for papers and replication over seeds, end to end: the LaTeX
//! outputs of `analyze`, `simulate` and `replicate` (structure only:
//! nothing is compiled), and `replicate --seeds K`.

use crate::common::{TWO_OBJECTIVES, mosde, usage_error, write};

/// The two-objective test model, renamed so that its names need escaping
/// in LaTeX.
fn model_text() -> String {
    TWO_OBJECTIVES
        .replacen(r#"name = "m""#, r#"name = "m_1""#, 1)
        .replacen(r#"name = "a""#, r#"name = "cost_%""#, 1)
        .replacen(r#"name = "S""#, r#"name = "S_&1""#, 1)
}

/// Columns of the `tabular` in `tex` (its alignment letters), after
/// checking the booktabs rules and that every row has that many cells.
fn columns(tex: &str) -> usize {
    let spec = tex
        .split("\\begin{tabular}{")
        .nth(1)
        .and_then(|s| s.split('}').next())
        .unwrap_or_else(|| panic!("no tabular:\n{tex}"));
    let (top, mid, bottom) = (
        tex.find("\\toprule").unwrap(),
        tex.find("\\midrule").unwrap(),
        tex.find("\\bottomrule").unwrap(),
    );
    assert!(top < mid && mid < bottom, "{tex}");
    let body = &tex[top..bottom];
    for row in body.lines().filter(|l| l.ends_with("\\\\")) {
        // `&` inside a cell is escaped as `\&`: count the separators only.
        let cells = row.replace("\\&", "").matches('&').count() + 1;
        assert_eq!(cells, spec.len(), "row '{row}'");
    }
    spec.len()
}

#[test]
fn analyze_writes_a_booktabs_table_with_escaped_names() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.toml", &model_text());
    let out = mosde()
        .args(["analyze", "--format", "latex", "--model"])
        .arg(&m)
        .output()
        .unwrap();
    assert!(out.status.success());
    let tex = String::from_utf8(out.stdout).unwrap();
    // strategy, label, rho, mode, radius, stable, eigenvalues, x* per objective.
    assert_eq!(columns(&tex), 7 + 2);
    assert!(tex.contains("S\\_\\&1 & "), "{tex}");
    assert!(tex.contains("x* cost\\_\\%"), "{tex}");
    assert!(
        tex.contains("\\caption{Drift spectra of model m\\_1"),
        "{tex}"
    );
}

#[test]
fn simulate_writes_strategies_tex_beside_strategies_md() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.toml", &model_text());
    let out = dir.path().join("run");
    mosde()
        .args(["simulate", "--paths", "2000", "--engine", "cpu", "-q"])
        .args(["--format", "latex", "--model"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("strategies.md").exists());
    let tex = std::fs::read_to_string(out.join("strategies.tex")).unwrap();
    // strategy, mode, rho, two log-rates, equilibrium per objective, fp p50,
    // reached, hypervolume, Pareto share.
    assert_eq!(columns(&tex), 5 + 2 + 4);
    assert!(tex.contains("equilibrium cost\\_\\%"), "{tex}");
    assert!(tex.contains("\nS\\_\\&1 & "), "{tex}");
    // Without --format latex, no strategies.tex.
    let plain = dir.path().join("plain");
    mosde()
        .args([
            "simulate", "--paths", "2000", "--engine", "cpu", "-q", "--model",
        ])
        .arg(&m)
        .arg("--out")
        .arg(&plain)
        .assert()
        .success();
    assert!(!plain.join("strategies.tex").exists());
}

#[test]
fn replicate_over_seeds_reports_the_distribution() {
    let dir = tempfile::tempdir().unwrap();
    mosde()
        .args([
            "replicate",
            "--seeds",
            "3",
            "--seed",
            "5",
            "--sessions",
            "30",
        ])
        .args(["--bootstrap", "5", "--format", "latex", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let j: serde_json::Value = serde_json::from_str(&read("replication.json")).unwrap();
    assert_eq!(j["seed"], 5);
    assert_eq!(j["distribution"]["replications"], 3);
    let rows = j["rows"].as_array().unwrap();
    let seeds: Vec<u64> = rows.iter().map(|r| r["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds, [5, 6, 7]);
    let stats = j["distribution"]["statistics"].as_array().unwrap();
    // Per strategy: rho, two R², three equilibria; then I_fe and I_fs.
    assert_eq!(stats.len(), 4 * 6 + 2);
    let rho = &stats[0];
    assert_eq!(
        (rho["statistic"].as_str(), rho["strategy"].as_str()),
        (Some("rho"), Some("EF"))
    );
    for key in [
        "mean",
        "sd",
        "p05",
        "p95",
        "paper",
        "paper_percentile",
        "typical",
    ] {
        assert!(rho.get(key).is_some(), "{key}");
    }
    let md = read("replication.md");
    assert!(md.starts_with("# Replication of the paper's results table: 3 replications"));
    assert!(
        md.contains("## Is the paper's value typical?")
            && md.contains("## One replication (seed 5)")
    );
    assert_eq!(columns(&read("replication.tex")), 7);
    for f in [
        "replication_distribution.png",
        "replication_distribution.svg",
        "replication.png",
    ] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}

#[test]
fn the_first_of_several_replications_is_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let run = |k: &str, out: &str| {
        mosde()
            .args(["replicate", "--seeds", k, "--seed", "3", "--sessions", "20"])
            .args(["--bootstrap", "5", "--out"])
            .arg(dir.path().join(out))
            .assert()
            .success();
    };
    run("1", "one");
    run("2", "two");
    for f in ["sessions.csv", "report.json", "fitted.toml"] {
        let a = std::fs::read(dir.path().join("one").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("two").join(f)).unwrap();
        assert!(a == b, "{f}");
    }
    assert!(!dir.path().join("one/replication_distribution.png").exists());
}

#[test]
fn zero_replications_is_a_usage_error_naming_the_flag() {
    usage_error(
        mosde().args(["replicate", "--seeds", "0"]),
        "--seeds 0",
        "--seeds",
    );
}
