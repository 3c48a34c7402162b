//! Bad and degenerate input across every command: each case must end with
//! exit code 2, a message naming the field, file, line or flag, no panic,
//! and no output that looks complete.

use std::path::Path;

use crate::common::{TWO_OBJECTIVES, mosde, write};

/// A sweep spec over the base model (`model_file = "m.toml"`).
const SWEEP: &str = r#"
model_file = "m.toml"
paths = 64
steps = 5
design = "grid"
samples = 2
[[parameters]]
path = "strategies.S.rates[0]"
range = [0.2, 0.4]
"#;

/// Files a finished command leaves; none may exist after a refusal.
const COMPLETE: [&str; 9] = [
    "out/manifest.json",
    "out/summary.json",
    "out/sweep.csv",
    "out/sensitivity.csv",
    "out/pareto.json",
    "out/front.csv",
    "out/moments.csv",
    "f.toml",
    "g.csv",
];

/// One bad input: the command, the files it reads, and a fragment its
/// message must hold.
struct Case {
    name: &'static str,
    args: Vec<String>,
    files: Vec<(&'static str, String)>,
    needle: &'static str,
    setup: Option<fn(&Path)>,
}

fn case(name: &'static str, args: &str, needle: &'static str) -> Case {
    Case {
        name,
        args: args.split_whitespace().map(str::to_string).collect(),
        files: vec![("m.toml", TWO_OBJECTIVES.to_string())],
        needle,
        setup: None,
    }
}

impl Case {
    fn file(mut self, name: &'static str, text: impl Into<String>) -> Case {
        self.files.retain(|(n, _)| *n != name);
        self.files.push((name, text.into()));
        self
    }

    /// `m.toml` (at first the base model) with `from` replaced by `to`.
    fn model(self, from: &str, to: &str) -> Case {
        let text = self
            .files
            .iter()
            .find(|(n, _)| *n == "m.toml")
            .map_or(TWO_OBJECTIVES.to_string(), |(_, t)| t.clone());
        assert!(
            text.contains(from),
            "{}: '{from}' not in the model",
            self.name
        );
        let text = text.replace(from, to);
        self.file("m.toml", text)
    }

    fn setup(mut self, f: fn(&Path)) -> Case {
        self.setup = Some(f);
        self
    }

    /// Runs the case; says what went wrong, if anything.
    fn check(&self) -> Result<(), String> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in &self.files {
            write(dir.path(), name, text);
        }
        if let Some(f) = self.setup {
            f(dir.path());
        }
        let out = mosde()
            .current_dir(dir.path())
            .args(&self.args)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let what = self.name;
        if out.status.code() != Some(2) {
            return Err(format!(
                "{what}: exit code {:?}; stderr:\n{err}",
                out.status.code()
            ));
        }
        if err.contains("panicked") {
            return Err(format!("{what}: panic:\n{err}"));
        }
        if !err.contains(self.needle) {
            return Err(format!("{what}: stderr lacks '{}':\n{err}", self.needle));
        }
        match COMPLETE.iter().find(|f| dir.path().join(f).exists()) {
            Some(f) => Err(format!("{what}: left {f}")),
            None => Ok(()),
        }
    }
}

const SIM: &str = "simulate --engine cpu --paths 300 --out out --model m.toml";
const SIM_PRESET: &str = "simulate --engine cpu --paths 300 --out out";

fn sim(name: &'static str, extra: &str, needle: &'static str) -> Case {
    case(name, &format!("{SIM} {extra}"), needle)
}

/// Values the f32 engines cannot hold, in the model file (item 2 and 3).
fn model_cases() -> Vec<Case> {
    let target = "target = [6.0, 4.0]";
    let rates = "rates = [0.3, 0.4]";
    let sigma = "sigma = [0.2, 0.2]";
    let reflect = "steps = 10\nboundary = \"reflect\"";
    vec![
        sim("target beyond f32", "", "strategies[0].target[0]")
            .model(target, "target = [1e39, 4.0]"),
        sim("rates of 1e300", "", "strategies[0].rates[0]").model(rates, "rates = [1e300, 0.4]"),
        sim("interference beyond f32", "", "strategies[0].interference[0][1]").model(
            "interference = [[0.0, -0.1]",
            "interference = [[0.0, -1e39]",
        ),
        sim("sigma beyond f32", "", "strategies[0].sigma[0]")
            .model(sigma, "sigma = [1e38, 0.2]"),
        sim("drift beyond f32", "", "drift").model(rates, "rates = [5e37, 0.4]"),
        sim("reflect with sigma 1e9", "", "reflect")
            .model(sigma, "sigma = [1e9, 0.2]")
            .model("steps = 10", reflect),
        sim("reflect with sigma 200", "", "strategies[0].sigma[0]")
            .model(sigma, "sigma = [200.0, 0.2]")
            .model("steps = 10", reflect),
        sim("bounds beyond f32", "", "objectives[0]").model(
            "lower = 0.0\nupper = 10.0\n\n[[objectives]]\nname = \"b\"",
            "lower = 1e39\nupper = 2e39\n\n[[objectives]]\nname = \"b\"",
        )
        .model("x0 = [5.0, 5.0]", "x0 = [1.5e39, 5.0]"),
        sim("bounds equal in f32", "", "objectives[1]").model(
            "name = \"b\"\nlower = 0.0\nupper = 10.0",
            "name = \"b\"\nlower = 4.0\nupper = 4.0000000001",
        )
        .model("x0 = [5.0, 5.0]", "x0 = [5.0, 4.0]"),
        sim("dt underflowing in f32", "", "dt").model("dt = 1.0", "dt = 1e-300"),
        sim("dt overflowing in f32", "", "dt").model("dt = 1.0", "dt = 1e39"),
        sim("x0_sd beyond f32", "", "x0_sd[0]").model("x0 = [5.0, 5.0]", "x0 = [5.0, 5.0]\nx0_sd = [1e39, 0.0]"),
        sim("NaN sigma", "", "strategies[0].sigma[0]").model(sigma, "sigma = [nan, 0.2]"),
        sim("negative sigma", "", "strategies[0].sigma[0]").model(sigma, "sigma = [-1.0, 0.2]"),
        sim("guard floors beyond f32", "", "policy.floors[0]").model(
            sigma,
            "sigma = [0.2, 0.2]\n\n[policy]\nkind = \"guard\"\ndefault = \"S\"\nfloors = [1e39, 0.0]",
        ),
        case("analyze rates of 1e300", "analyze --model m.toml", "strategies[0].rates[0]")
            .model(rates, "rates = [1e300, 0.4]"),
        case(
            "figures on a model beyond f32",
            "figures --engine cpu --paths 100 --out out --model m.toml",
            "strategies[0].target[0]",
        )
        .model(target, "target = [1e39, 4.0]"),
    ]
}

/// Flags of `simulate` (items 2, 5, 10 and 12).
fn simulate_cases() -> Vec<Case> {
    vec![
        sim("--dt underflowing in f32", "--dt 1e-300", "--dt"),
        sim("--dt inf", "--dt inf", "--dt"),
        sim("--dt large for reflect", "--dt 1e6", "--dt")
            .model("steps = 10", "steps = 10\nboundary = \"reflect\""),
        sim("--tolerance 2", "--tolerance 2", "--tolerance"),
        sim("--tolerance 1", "--tolerance 1", "--tolerance"),
        sim("--tolerance 0", "--tolerance 0", "--tolerance"),
        sim("--tolerance NaN", "--tolerance NaN", "--tolerance"),
        sim("--pareto-sample 0", "--pareto-sample 0", "--pareto-sample"),
        case(
            "--strategy twice",
            &format!("{SIM_PRESET} --strategy EF --strategy EF"),
            "--strategy EF",
        ),
        case(
            "--strategy unknown",
            &format!("{SIM_PRESET} --strategy XX"),
            "--strategy XX",
        ),
        case(
            "--pareto-reference NaN",
            &format!("{SIM_PRESET} --pareto-reference NaN,0,0"),
            "is NaN",
        ),
        case(
            "--pareto-reference too short",
            &format!("{SIM_PRESET} --pareto-reference 1,2"),
            "--pareto-reference",
        ),
        case(
            "--pareto-sample beyond memory",
            "simulate --engine cpu --paths 4000000000 --pareto-sample 4000000000 --out out",
            "--pareto-sample",
        ),
        case(
            "--record-paths beyond memory",
            "simulate --engine cpu --paths 4000000000 --record-paths 4000000000 --steps 1000 --out out",
            "--record-paths",
        ),
        sim("--threads 100000", "--threads 100000", "--threads 100000"),
        sim("--steps 0", "--steps 0", "--steps"),
        sim("--paths 0", "--paths 0", "--paths"),
        sim("--paths beyond u32", "--paths 1e10", "--paths"),
        sim("--shard 3/2", "--shard 3/2", "--shard"),
        sim("--record-every 0", "--record-every 0", "--record-every"),
        case(
            "--model missing",
            &format!("{SIM_PRESET} --model nothere.toml"),
            "nothere.toml",
        ),
    ]
}

const SESSIONS_HEAD: &str = "session,strategy,iteration,a,b\n";

/// `fit` and `generate` (items 4, 5, 10, 11).
fn fit_cases() -> Vec<Case> {
    let few = format!("{SESSIONS_HEAD}s1,S,0,1,2\ns1,S,1,2,3\ns1,S,2,3,3\n");
    let mut huge = SESSIONS_HEAD.to_string();
    let mut lcg = crate::common::Lcg(3);
    for s in 0..6 {
        for t in 0..6 {
            let (a, b) = (lcg.unit() * 1e200, lcg.unit() * 1e200);
            huge.push_str(&format!("s{s},S,{t},{a:e},{b:e}\n"));
        }
    }
    let fit = "fit --data d.csv --out f.toml";
    vec![
        case(
            "fit of a missing file",
            "fit --data nothere.csv --out f.toml",
            "nothere.csv",
        ),
        case("fit of too few increments", fit, "only 2 increments").file("d.csv", few.clone()),
        case(
            "fit of too few increments, bounded",
            &format!("{fit} --bounds 0:10,0:10"),
            "only 2 increments",
        )
        .file("d.csv", few),
        case("fit of values near 1e200", fit, "eigenvalues").file("d.csv", huge),
        case(
            "fit --bootstrap huge",
            &format!("{fit} --bootstrap 99999999999"),
            "bootstrap",
        )
        .file("d.csv", sessions_ok()),
        case("fit of a header only", fit, "d.csv").file("d.csv", SESSIONS_HEAD),
        case("fit of a bad cell", fit, "line 2")
            .file("d.csv", format!("{SESSIONS_HEAD}s1,S,0,x,2\n")),
        case("fit --holdout 1", &format!("{fit} --holdout 1"), "holdout")
            .file("d.csv", sessions_ok()),
        case(
            "generate --iterations beyond the step counter",
            "generate --engine cpu --sessions 2 --iterations 4294967295 --out g.csv",
            "--iterations",
        ),
        case(
            "generate --sessions 0",
            "generate --engine cpu --sessions 0 --iterations 3 --out g.csv",
            "--sessions",
        ),
    ]
}

/// Honest sessions of one strategy, enough to fit.
fn sessions_ok() -> String {
    let mut text = SESSIONS_HEAD.to_string();
    let mut lcg = crate::common::Lcg(5);
    for s in 0..8 {
        for t in 0..5 {
            let (a, b) = (1.0 + 8.0 * lcg.unit(), 1.0 + 8.0 * lcg.unit());
            text.push_str(&format!("s{s},S,{t},{a},{b}\n"));
        }
    }
    text
}

/// `pareto` (items 9, 10, 11).
fn pareto_cases() -> Vec<Case> {
    let pts = "a,b\n1,2\n2,1\n0.5,0.5\n";
    let p = |name: &'static str, extra: &str, needle: &'static str| {
        case(
            name,
            &format!("pareto --input p.csv --out out {extra}"),
            needle,
        )
        .file("p.csv", pts)
    };
    vec![
        case(
            "pareto of a missing file",
            "pareto --input nothere.csv --out out",
            "nothere.csv",
        ),
        case("pareto of a folder", "pareto --input sub --out out", "sub").setup(|d| {
            std::fs::create_dir(d.join("sub")).unwrap();
        }),
        case(
            "pareto of invalid UTF-8",
            "pareto --input p.csv --out out",
            "UTF-8",
        )
        .setup(|d| std::fs::write(d.join("p.csv"), b"a,b\n\xff,1\n").unwrap()),
        p("pareto --reference NaN", "--reference NaN,0", "--reference"),
        p(
            "pareto --reference too short",
            "--reference 1",
            "--reference",
        ),
        p(
            "pareto --bounds narrower than the data",
            "--bounds 0:1,0:1",
            "1 of 3 rows",
        ),
        p("pareto --bounds reversed", "--bounds 1:0,0:1", "--bounds"),
        p(
            "pareto --objectives a,a",
            "--objectives a,a",
            "chosen twice",
        ),
        p("pareto --objectives unknown", "--objectives a,zz", "zz"),
        p(
            "pareto --minimize unknown",
            "--minimize zz",
            "--minimize zz",
        ),
        case(
            "pareto of a header only",
            "pareto --input p.csv --out out",
            "no rows",
        )
        .file("p.csv", "a,b\n"),
        case(
            "pareto of a bad cell",
            "pareto --input p.csv --out out",
            "line 3",
        )
        .file("p.csv", "a,b\n1,2\nx,1\n"),
        case(
            "pareto of an empty file",
            "pareto --input p.csv --out out",
            "p.csv",
        )
        .file("p.csv", ""),
    ]
}

/// `sweep` and `sensitivity` (items 5, 11).
fn sweep_cases() -> Vec<Case> {
    let s = |name: &'static str, from: &str, to: &str, needle: &'static str| {
        assert!(SWEEP.contains(from), "{name}: '{from}' not in the sweep");
        case(name, "sweep --engine cpu --spec s.toml --out out", needle)
            .file("s.toml", SWEEP.replace(from, to))
    };
    vec![
        s(
            "grid of 1e10 points",
            "samples = 2",
            "samples = 100000\n[[parameters]]\npath = \"strategies.S.rates[1]\"\nrange = [0.2, 0.4]",
            "samples",
        ),
        s(
            "sobol samples beyond memory",
            "design = \"grid\"\nsamples = 2",
            "design = \"sobol\"\nsamples = 4000000000",
            "samples",
        ),
        s(
            "mc_replicates of 4e9",
            "samples = 2",
            "samples = 2\nmc_replicates = 4000000000",
            "mc_replicates",
        ),
        s(
            "bootstrap huge",
            "samples = 2",
            "samples = 2\nbootstrap = 99999999999",
            "bootstrap",
        ),
        s("samples 0", "samples = 2", "samples = 0", "samples"),
        s(
            "no parameters",
            "[[parameters]]\npath = \"strategies.S.rates[0]\"\nrange = [0.2, 0.4]",
            "",
            "parameters",
        ),
        s(
            "unknown path",
            "strategies.S.rates[0]",
            "strategies.S.nope[0]",
            "parameters[0].path",
        ),
        s(
            "reversed range",
            "range = [0.2, 0.4]",
            "range = [0.4, 0.2]",
            "parameters[0].range",
        ),
        s("paths 0", "paths = 64", "paths = 0", "paths"),
        case(
            "sweep of a missing spec",
            "sweep --engine cpu --spec nothere.toml --out out",
            "nothere.toml",
        ),
        case(
            "sweep --resume of an empty folder",
            "sweep --engine cpu --spec s.toml --resume --out out",
            "--resume",
        )
        .file("s.toml", SWEEP)
        .setup(|d| std::fs::create_dir(d.join("out")).unwrap()),
        case(
            "sweep --threads 100000",
            "sweep --engine cpu --threads 100000 --spec s.toml --out out",
            "--threads",
        )
        .file("s.toml", SWEEP),
        case(
            "sensitivity grid",
            "sensitivity --engine cpu --spec s.toml --out out",
            "sobol",
        )
        .file("s.toml", SWEEP),
    ]
}

/// Writes two honest `simulate` shards, `s0` and `s1`, of one run.
fn two_shards(d: &Path) {
    for i in 0..2 {
        mosde()
            .current_dir(d)
            .args([
                "simulate", "--engine", "cpu", "--paths", "600", "--steps", "5", "-q",
            ])
            .args(["--shard", &format!("{i}/2"), "--out", &format!("s{i}")])
            .assert()
            .success();
    }
}

/// Rewrites `s1/partials.json` through `f`, and its hash in the shard's
/// manifest, so that the merge's own checks (not the hash) must catch it.
fn edit_partials(d: &Path, f: impl Fn(&mut serde_json::Value)) {
    let p = d.join("s1/partials.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    f(&mut v);
    let bytes = serde_json::to_vec(&v).unwrap();
    std::fs::write(&p, &bytes).unwrap();
    let m = d.join("s1/manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    manifest["files"]["partials.json"] = mosde::report::run_dir::sha256_hex(&bytes).into();
    std::fs::write(&m, serde_json::to_vec(&manifest).unwrap()).unwrap();
}

/// `merge` (items 1, 10, 11).
fn merge_cases() -> Vec<Case> {
    let m = "merge s0 s1 --out out";
    vec![
        case(
            "merge of a missing folder",
            "merge s0 nothere --out out",
            "nothere",
        )
        .setup(two_shards),
        case("merge of garbage partials.json", m, "partials.json").setup(|d| {
            two_shards(d);
            std::fs::write(d.join("s1/partials.json"), "garbage").unwrap();
        }),
        case("merge of an empty partials.json", m, "partials.json").setup(|d| {
            two_shards(d);
            std::fs::write(d.join("s1/partials.json"), "").unwrap();
        }),
        case("merge of a truncated partials.json", m, "partials.json").setup(|d| {
            two_shards(d);
            let p = d.join("s1/partials.json");
            let b = std::fs::read(&p).unwrap();
            std::fs::write(&p, &b[..b.len() / 2]).unwrap();
        }),
        case(
            "merge of shard 7 of 2",
            m,
            "index 7 must be below the shard count 2",
        )
        .setup(|d| {
            two_shards(d);
            edit_partials(d, |v| v["shard"] = 7.into());
        }),
        case("merge of a shard count of 2^63", m, "s1").setup(|d| {
            two_shards(d);
            edit_partials(d, |v| v["identity"]["shards"] = (1u64 << 63).into());
        }),
        case("merge of one shard of two", "merge s0 --out out", "missing").setup(two_shards),
        case(
            "merge of the same shard twice",
            "merge s0 s0 --out out",
            "twice",
        )
        .setup(two_shards),
    ]
}

/// Goals, constraints and confidences on `simulate` (objectives a and b on
/// [0, 10]), and the adaptive policy's fields in the model.
fn goal_cases() -> Vec<Case> {
    let mut empty = sim("empty goal", "", "--goal : goal is empty");
    empty.args.extend(["--goal".to_string(), String::new()]);
    let adaptive = |fields: &str| {
        format!("{TWO_OBJECTIVES}\n[policy]\nkind = \"adaptive\"\ndefault = \"S\"\n{fields}\n")
    };
    vec![
        sim(
            "unknown goal objective",
            "--goal c>=1",
            "--goal c>=1: goal item 'c>=1': unknown objective 'c'",
        ),
        sim(
            "duplicate goal objective",
            "--goal a>=1,a>=2",
            "goal item 'a>=2': 'a' appears more than once",
        ),
        sim(
            "goal without operator",
            "--goal a=1",
            "--goal a=1: goal item 'a=1': missing operator",
        ),
        sim(
            "infinite goal",
            "--goal a>=inf",
            "goal item 'a>=inf': inf is not a finite number",
        ),
        sim(
            "goal beyond the bounds",
            "--goal a>=11",
            "--goal a>=11: goal item 'a>=11': 11 is outside the objective's bounds",
        ),
        sim(
            "stray comma in a goal",
            "--goal a>=1,",
            "goal item '': empty item",
        ),
        empty,
        sim(
            "constraint not a number",
            "--constraint b<=x",
            "--constraint b<=x: constraint item 'b<=x': 'x' is not a number",
        ),
        sim(
            "confidence of 1.5",
            "--constraint a>=1 --confidence 1.5",
            "--confidence 1.5: confidence 1.5: must be a probability",
        ),
        sim(
            "confidence of 0",
            "--constraint a>=1 --confidence 0",
            "--confidence 0: confidence 0",
        ),
        sim(
            "confidence without constraint",
            "--confidence 0.9",
            "--confidence 0.9: confidence applies to a constraint",
        ),
        sim(
            "adaptive memory below 1",
            "",
            "policy.memory: is 0.5, must be finite and ≥ 1",
        )
        .file("m.toml", adaptive("memory = 0.5")),
        sim(
            "adaptive trigger strategy unknown",
            "",
            "policy.on_floor: unknown strategy 'T'",
        )
        .file("m.toml", adaptive("on_floor = \"T\"")),
        sim(
            "adaptive hysteresis above 1",
            "",
            "policy.hysteresis: is 2, must be a relative margin",
        )
        .file("m.toml", adaptive("hysteresis = 2.0")),
    ]
}

fn all_cases() -> Vec<Case> {
    let mut v = model_cases();
    v.extend(goal_cases());
    v.extend(simulate_cases());
    v.extend(fit_cases());
    v.extend(pareto_cases());
    v.extend(sweep_cases());
    v.extend(merge_cases());
    v
}

#[test]
fn every_bad_input_is_refused_cleanly() {
    let cases = all_cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    // Every case runs, then every failure is reported at once.
    let failures: Vec<String> = cases.iter().filter_map(|c| c.check().err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A label longer than `format!`'s width limit (65,535) is printed, not a
/// panic (item 1).
#[test]
fn a_huge_label_prints() {
    let dir = tempfile::tempdir().unwrap();
    let label = "L".repeat(70_000);
    let text = TWO_OBJECTIVES.replace(
        "name = \"S\"",
        &format!("name = \"S\"\nlabel = \"{label}\""),
    );
    write(dir.path(), "m.toml", &text);
    mosde()
        .current_dir(dir.path())
        .args([
            "simulate", "--engine", "cpu", "--paths", "300", "--model", "m.toml",
        ])
        .args(["--out", "out"])
        .assert()
        .success();
}

/// Values near ±1e308 give the right front and hypervolume (item 9).
#[test]
fn pareto_ranges_near_the_f64_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "a,b\n1e308,-1e308\n-1e308,1e308\n-1e308,-1e308\n",
    );
    mosde()
        .current_dir(dir.path())
        .args(["pareto", "--input", "p.csv", "--out", "out"])
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/pareto.json")).unwrap())
            .unwrap();
    assert_eq!(v["front_size"], 2, "{v}");
    assert_eq!(v["hypervolume"], 0.0, "{v}");
}

/// A closed stdout ends the run quietly, after every output is written
/// (item 1).
#[cfg(unix)]
#[test]
fn a_closed_pipe_is_quiet() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.toml", SWEEP);
    write(dir.path(), "m.toml", TWO_OBJECTIVES);
    let runs: [&[&str]; 3] = [
        &[
            "simulate", "--engine", "cpu", "--paths", "300", "--out", "a",
        ],
        &["sweep", "--engine", "cpu", "--spec", "s.toml", "--out", "b"],
        &[
            "pareto",
            "--input",
            "b/sweep.csv",
            "--objectives",
            "S.hypervolume",
            "--out",
            "c",
        ],
    ];
    for args in runs {
        let bin = assert_cmd::cargo::cargo_bin("mosde");
        let mut child = std::process::Command::new(bin)
            .current_dir(dir.path())
            .env("XDG_RUNTIME_DIR", std::env::temp_dir())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
    for f in [
        "a/summary.json",
        "a/manifest.json",
        "b/sweep.csv",
        "c/pareto.json",
    ] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
}
