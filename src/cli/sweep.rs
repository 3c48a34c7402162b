//! `mosde sweep` and `mosde sensitivity`: resumable, shardable sweeps.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use mosde::analysis::sensitivity;
use mosde::engine::{self, EngineKind};
use mosde::report::{self, Manifest};
use mosde::sweep::run::{Row, replicate_sd};
use mosde::sweep::{Design, Sweep, SweepSpec};
use serde::{Deserialize, Serialize};

use super::common::{InputError, default_run_dir, parse_shard, progress};

/// Flags shared by `sweep` and `sensitivity`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep spec (TOML).
    #[arg(long, value_name = "FILE")]
    spec: PathBuf,
    /// Engine.
    #[arg(long, value_enum, default_value_t = EngineKind::Auto)]
    engine: EngineKind,
    /// CPU threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Output directory (default: results/runs/<timestamp>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only shard i of n (`i/n`, 0-based), or `n` to take i from
    /// JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Continue an interrupted run in --out from the points it completed.
    #[arg(long)]
    resume: bool,
    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,
}

/// What a sweep directory is (`sweep-state.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepState {
    /// `sweep` or `sensitivity`.
    pub command: String,
    /// The spec.
    pub spec: SweepSpec,
    /// Model text when the spec names a model file (so merge needs no file).
    pub model: mosde::model::ModelSpec,
    /// Shard index and count.
    pub shard: (u64, u64),
    /// Engine kind that ran.
    pub engine: String,
}

const STATE: &str = "sweep-state.json";
const PARTIAL: &str = "sweep.partial.csv";

fn header(sweep: &Sweep) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(sweep.parameters.iter().map(|p| p.path.clone()));
    h.extend(sweep.metrics.iter().cloned());
    h.push("status".into());
    h
}

fn csv_row(row: &Row) -> Vec<u8> {
    let mut cells = vec![row.point.to_string()];
    cells.extend(row.values.iter().map(|v| report::num(*v)));
    cells.extend(row.metrics.iter().map(|v| report::num(*v)));
    cells.push(row.status.clone());
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(&cells).expect("in memory");
    w.into_inner().expect("in memory")
}

/// Reads completed rows of a partial or final sweep CSV: point → line.
fn read_rows(path: &Path) -> anyhow::Result<BTreeMap<u64, String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        if line.is_empty() {
            continue;
        }
        let id: u64 = line
            .split(',')
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| {
                InputError(format!(
                    "{}: line {}: no point number; the file is damaged",
                    path.display(),
                    k + 1
                ))
            })?;
        out.insert(id, format!("{line}\n"));
    }
    Ok(out)
}

fn header_line(sweep: &Sweep) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(header(sweep)).expect("in memory");
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8")
}

/// Writes `sweep.csv` from completed rows (sorted by point).
fn write_sweep_csv(dir: &Path, sweep: &Sweep, rows: &BTreeMap<u64, String>) -> anyhow::Result<()> {
    let mut text = header_line(sweep);
    for line in rows.values() {
        text.push_str(line);
    }
    report::write_atomic(&dir.join("sweep.csv"), text.as_bytes())?;
    Ok(())
}

pub fn run(a: SweepArgs, command: &str) -> anyhow::Result<()> {
    let sweep = Sweep::from_file(&a.spec)?;
    if command == "sensitivity" && !matches!(sweep.spec.design, Design::Sobol | Design::Morris) {
        return Err(InputError(format!(
            "{}: design: sensitivity needs design = \"sobol\" (Sobol' indices) or \"morris\" (elementary effects), not {:?}",
            a.spec.display(),
            sweep.spec.design
        ))
        .into());
    }
    let (index, count) = match &a.shard {
        Some(s) => parse_shard(s)?,
        None => (0, 1),
    };
    let dir = a.out.clone().unwrap_or_else(default_run_dir);
    let unit = sweep.unit_points();
    let total = unit.len() as u64;
    let ids: Vec<u64> = ((total * index / count)..(total * (index + 1) / count)).collect();

    let (mut eng, note) = engine::open(a.engine, a.threads)?;
    if let Some(n) = note {
        eprintln!("note: {n}");
    }
    let info = eng.info();
    let state = SweepState {
        command: command.into(),
        spec: sweep.spec.clone(),
        model: sweep.model.spec.clone(),
        shard: (index, count),
        engine: info.kind.clone(),
    };
    let partial = dir.join(PARTIAL);
    let mut done = BTreeMap::new();
    if a.resume {
        let old: SweepState =
            serde_json::from_slice(&std::fs::read(dir.join(STATE)).with_context(|| {
                format!(
                    "--resume: {} holds no sweep to resume ({STATE} missing)",
                    dir.display()
                )
            })?)?;
        if old != state {
            return Err(InputError(format!(
                "--resume: {} was started with a different spec, shard or engine; resume with the same ones or use a new --out",
                dir.display()
            ))
            .into());
        }
        if partial.exists() {
            done = read_rows(&partial)?;
        } else if dir.join("sweep.csv").exists() {
            done = read_rows(&dir.join("sweep.csv"))?;
        }
        eprintln!(
            "resuming: {} of {} points already done",
            done.len(),
            ids.len()
        );
    } else {
        if partial.exists() {
            return Err(InputError(format!(
                "{} holds an unfinished sweep; continue it with --resume, or choose another --out",
                dir.display()
            ))
            .into());
        }
        report::write_json(&dir.join(STATE), &state)?;
    }
    if !partial.exists() {
        let mut text = header_line(&sweep);
        for line in done.values() {
            text.push_str(line);
        }
        report::write_atomic(&partial, text.as_bytes())?;
    }
    let todo: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|p| !done.contains_key(p))
        .collect();
    if !a.quiet {
        eprintln!(
            "engine: {} on {}; {} points ({} to run) x {} strategies x {} paths, {} points per dispatch",
            info.kind,
            info.adapter,
            ids.len(),
            todo.len(),
            sweep.strategies.len(),
            sweep.spec.paths,
            sweep.batch_points()
        );
    }
    let bar = progress(todo.len() as u64, "points", a.quiet);
    let t0 = Instant::now();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&partial)
        .with_context(|| format!("cannot open {}", partial.display()))?;
    sweep.evaluate(eng.as_mut(), &unit, &todo, &mut |rows| {
        for r in rows {
            file.write_all(&csv_row(r)).map_err(|e| {
                mosde::sweep::SweepError::Run(format!("cannot write {}: {e}", partial.display()))
            })?;
        }
        // Each finished batch is on disk before the next starts: an
        // interrupted run loses at most one batch.
        file.sync_data().map_err(|e| {
            mosde::sweep::SweepError::Run(format!("cannot write {}: {e}", partial.display()))
        })?;
        bar.inc(rows.len() as u64);
        Ok(())
    })?;
    bar.finish_and_clear();
    let elapsed = t0.elapsed().as_secs_f64();
    let rows = read_rows(&partial)?;
    write_sweep_csv(&dir, &sweep, &rows)?;
    std::fs::remove_file(&partial)
        .with_context(|| format!("cannot remove {}", partial.display()))?;

    if index == 0 && sweep.spec.mc_replicates >= 2 {
        let reps = sweep.replicate_centre(eng.as_mut())?;
        let mut text = format!("replicate,{}\n", sweep.metrics.join(","));
        for (r, m) in reps.iter().enumerate() {
            text += &format!(
                "{r},{}\n",
                m.iter()
                    .map(|v| report::num(*v))
                    .collect::<Vec<_>>()
                    .join(",")
            );
        }
        report::write_atomic(&dir.join("mc_replicates.csv"), text.as_bytes())?;
    }
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        command_line: Manifest::command_line(),
        model: serde_json::to_value(&sweep.model.spec)?,
        seed: sweep.spec.seed,
        engine: info.kind.clone(),
        adapter: info.adapter.clone(),
        threads: info.threads,
        sizes: serde_json::json!({
            "points": total,
            "shard": [index, count],
            "points_in_shard": ids.len(),
            "strategies": sweep.strategies.len(),
            "paths": sweep.spec.paths,
            "points_per_dispatch": sweep.batch_points(),
        }),
        elapsed_s: elapsed,
        path_steps_per_s: todo.len() as f64
            * sweep.strategies.len() as f64
            * sweep.spec.paths as f64
            * f64::from(sweep.spec.steps.unwrap_or(sweep.model.steps))
            / elapsed.max(1e-9),
        timings: serde_json::json!({ "points_per_s": todo.len() as f64 / elapsed.max(1e-9) }),
    };
    report::write_json(&dir.join("manifest.json"), &manifest)?;
    if !a.quiet {
        eprintln!(
            "{} points in {:.2} s ({:.1} points/s) -> {}",
            todo.len(),
            elapsed,
            todo.len() as f64 / elapsed.max(1e-9),
            dir.display()
        );
    }
    if count == 1 {
        finish(&dir, &sweep, command, a.quiet)?;
    } else if !a.quiet {
        eprintln!("shard {index}/{count} done; combine the shards with `mosde merge`");
    }
    Ok(())
}

/// After a complete (or merged) sweep: Monte Carlo error of every metric
/// against its spread over the design, and for `sensitivity` the indices.
pub fn finish(dir: &Path, sweep: &Sweep, command: &str, quiet: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(dir.join("sweep.csv"))?;
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let p = sweep.parameters.len();
    let m = sweep.metrics.len();
    let mut y: Vec<Vec<f64>> = vec![Vec::new(); m];
    let mut invalid = 0;
    for rec in rdr.records() {
        let rec = rec?;
        if &rec[1 + p + m] != "ok" {
            invalid += 1;
        }
        for k in 0..m {
            y[k].push(rec[1 + p + k].parse().unwrap_or(f64::NAN));
        }
    }
    if invalid > 0 {
        eprintln!(
            "warning: {invalid} points failed model validation; they are in sweep.csv with their reason and left out of every index"
        );
    }
    let sd_design = replicate_sd(
        &(0..y[0].len())
            .map(|i| y.iter().map(|c| c[i]).collect())
            .collect::<Vec<_>>(),
        m,
    );
    let se = match std::fs::read_to_string(dir.join("mc_replicates.csv")) {
        Ok(t) => {
            let reps: Vec<Vec<f64>> = t
                .lines()
                .skip(1)
                .map(|l| {
                    l.split(',')
                        .skip(1)
                        .map(|c| c.parse().unwrap_or(f64::NAN))
                        .collect()
                })
                .collect();
            replicate_sd(&reps, m)
        }
        Err(_) => vec![f64::NAN; m],
    };
    let mut text = String::from("metric,mc_se,design_sd,se_over_sd\n");
    for k in 0..m {
        let ratio = se[k] / sd_design[k];
        text += &format!(
            "{},{},{},{}\n",
            sweep.metrics[k],
            report::num(se[k]),
            report::num(sd_design[k]),
            report::num(ratio)
        );
        if ratio > 0.3 {
            eprintln!(
                "warning: {}: the Monte Carlo error ({:.3e}) is {:.0}% of the spread over the design ({:.3e}); indices of this metric are mostly noise: raise paths",
                sweep.metrics[k],
                se[k],
                100.0 * ratio,
                sd_design[k]
            );
        }
    }
    report::write_atomic(&dir.join("mc_error.csv"), text.as_bytes())?;
    if command != "sensitivity" {
        return Ok(());
    }
    let d = p;
    let unit = sweep.unit_points();
    let mut out = String::from("metric,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,mu_star,sigma\n");
    let mut printed = String::new();
    for k in 0..m {
        let mut rows: Vec<(String, [f64; 8])> = Vec::new();
        match sweep.spec.design {
            Design::Sobol => {
                let s = sensitivity::sobol_indices(&y[k], d, sweep.spec.bootstrap, sweep.spec.seed);
                for i in 0..d {
                    rows.push((
                        sweep.parameters[i].path.clone(),
                        [
                            s.s1[i],
                            s.s1_ci[i][0],
                            s.s1_ci[i][1],
                            s.st[i],
                            s.st_ci[i][0],
                            s.st_ci[i][1],
                            f64::NAN,
                            f64::NAN,
                        ],
                    ));
                }
            }
            Design::Morris => {
                let s = sensitivity::morris_indices(&unit, &y[k], d);
                for i in 0..d {
                    rows.push((
                        sweep.parameters[i].path.clone(),
                        [f64::NAN; 6]
                            .into_iter()
                            .chain([s.mu_star[i], s.sigma[i]])
                            .collect::<Vec<_>>()
                            .try_into()
                            .expect("8"),
                    ));
                }
            }
            _ => unreachable!("checked above"),
        }
        for (param, v) in &rows {
            out += &format!(
                "{},{},{}\n",
                sweep.metrics[k],
                param,
                v.iter()
                    .map(|x| report::num(*x))
                    .collect::<Vec<_>>()
                    .join(",")
            );
        }
        // Ranked by ST (Sobol') or μ* (Morris).
        let key = if sweep.spec.design == Design::Sobol {
            3
        } else {
            6
        };
        rows.sort_by(|a, b| b.1[key].total_cmp(&a.1[key]));
        printed += &format!(
            "\n{} (Monte Carlo s.e. {:.3e}, spread over the design {:.3e})\n",
            sweep.metrics[k], se[k], sd_design[k]
        );
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|(p, v)| {
                if sweep.spec.design == Design::Sobol {
                    vec![
                        p.clone(),
                        format!("{:.3} [{:.3}, {:.3}]", v[0], v[1], v[2]),
                        format!("{:.3} [{:.3}, {:.3}]", v[3], v[4], v[5]),
                    ]
                } else {
                    vec![p.clone(), format!("{:.4}", v[6]), format!("{:.4}", v[7])]
                }
            })
            .collect();
        let head: &[&str] = if sweep.spec.design == Design::Sobol {
            &["parameter", "S1 [95% CI]", "ST [95% CI]"]
        } else {
            &["parameter", "mu*", "sigma"]
        };
        printed += &report::table(head, &table);
    }
    report::write_atomic(&dir.join("sensitivity.csv"), out.as_bytes())?;
    if !quiet {
        print!("{printed}");
    }
    Ok(())
}

/// Merges sweep shards (`sweep-state.json` in each directory).
pub fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<()> {
    let mut states = Vec::new();
    for d in dirs {
        let s: SweepState = serde_json::from_slice(
            &std::fs::read(d.join(STATE))
                .with_context(|| format!("cannot read {}", d.join(STATE).display()))?,
        )
        .with_context(|| format!("{} is not a sweep state", d.join(STATE).display()))?;
        if d.join(PARTIAL).exists() || !d.join("sweep.csv").exists() {
            return Err(InputError(format!(
                "{}: shard {}/{} is not finished (resume it first)",
                d.display(),
                s.shard.0,
                s.shard.1
            ))
            .into());
        }
        states.push(s);
    }
    let first = states[0].clone();
    let count = first.shard.1;
    let mut seen = vec![false; count as usize];
    for (d, s) in dirs.iter().zip(&states) {
        if s.spec != first.spec
            || s.model != first.model
            || s.command != first.command
            || s.shard.1 != count
        {
            return Err(InputError(format!(
                "{}: a shard of a different sweep (spec, model or shard count differ)",
                d.display()
            ))
            .into());
        }
        if std::mem::replace(&mut seen[s.shard.0 as usize], true) {
            return Err(
                InputError(format!("{}: shard {} given twice", d.display(), s.shard.0)).into(),
            );
        }
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(InputError(format!(
            "shard {i}/{count} is missing; every shard is needed"
        ))
        .into());
    }
    if states.iter().any(|s| s.engine != first.engine) {
        eprintln!(
            "warning: the shards ran on different engines; rows agree to float tolerance, not bit for bit"
        );
    }
    let model = mosde::model::Model::from_spec(first.model.clone(), "merged shards")?;
    let sweep = Sweep::new(first.spec.clone(), model, "merged shards")?;
    let mut rows = BTreeMap::new();
    for d in dirs {
        rows.extend(read_rows(&d.join("sweep.csv"))?);
    }
    write_sweep_csv(out, &sweep, &rows)?;
    report::write_json(
        &out.join(STATE),
        &SweepState {
            shard: (0, 1),
            ..first.clone()
        },
    )?;
    for (d, s) in dirs.iter().zip(&states) {
        if s.shard.0 == 0 && d.join("mc_replicates.csv").exists() {
            std::fs::copy(d.join("mc_replicates.csv"), out.join("mc_replicates.csv"))?;
        }
    }
    finish(out, &sweep, &first.command, false)?;
    eprintln!(
        "merged {} shards, {} points -> {}",
        count,
        rows.len(),
        out.display()
    );
    Ok(())
}
