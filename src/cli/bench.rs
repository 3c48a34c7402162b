//! `mosde bench`: whole-run throughput, for the tables in results/.

use std::path::PathBuf;

use clap::Args;
use mosde::bench::{self, Workload};
use mosde::engine::Engine;
use mosde::report;
use mosde::report::run_dir::RunDir;

use super::args::{EngineChoice, open, parse_count};
use super::common;
use super::common::InputError;

/// Flags of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Presets to run (repeatable).
    #[arg(long = "preset", value_name = "NAME", default_values_t = ["probe-reference".to_string(), "code-generation".to_string()])]
    presets: Vec<String>,
    /// Paths per workload.
    #[arg(long, default_value = "2^20", value_parser = parse_count)]
    paths: u64,
    /// Steps per path (default 1000, as in the probe).
    #[arg(long, default_value_t = 1000)]
    steps: u32,
    /// Engines to measure: cpu, gpu, or both (auto).
    #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
    engine: EngineChoice,
    /// CPU threads (0 = the cores this process may run on, capped by
    /// SLURM_CPUS_PER_TASK when that is set).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Record moments every K steps (default: about 100 records, as in simulate).
    #[arg(long, value_name = "K")]
    record_every: Option<u32>,
    /// Timed repetitions (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeat: u32,
    /// Write bench.json and bench.md into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace --out whole if it already holds files.
    #[arg(long)]
    force: bool,
}

fn engines(a: &BenchArgs) -> anyhow::Result<Vec<Box<dyn Engine>>> {
    Ok(match a.engine {
        EngineChoice::Auto => {
            let mut v = vec![open(EngineChoice::Cpu, a.threads)?];
            match open(EngineChoice::Gpu, a.threads) {
                Ok(g) => v.push(g),
                Err(e) => eprintln!("note: GPU engine skipped: {e:#}"),
            }
            v
        }
        one => vec![open(one, a.threads)?],
    })
}

pub fn run(a: BenchArgs) -> anyhow::Result<()> {
    if a.repeat == 0 {
        return Err(InputError("--repeat must be at least 1".into()).into());
    }
    let staging = match &a.out {
        Some(dir) => Some(RunDir::create(dir, a.force)?),
        None => None,
    };
    let mut engines = engines(&a)?;
    let mut rows = Vec::new();
    for preset in &a.presets {
        let workload = Workload {
            preset: preset.clone(),
            paths: a.paths,
            steps: a.steps,
            record_every: a.record_every,
            repeat: a.repeat,
        };
        for e in &mut engines {
            let row = bench::measure(e.as_mut(), &workload).map_err(super::common::flag_context)?;
            eprintln!(
                "{} {} on {}: {:.3} s, {:.3e} path-steps/s",
                row.engine, row.workload, row.adapter, row.seconds, row.path_steps_per_s
            );
            rows.push(row);
        }
    }
    let table = bench::table(&rows);
    if let Some(out) = staging {
        report::write_json(&out.path().join("bench.json"), &rows)?;
        report::write_atomic(&out.path().join("bench.md"), table.as_bytes())?;
        out.commit(&report::run_dir::stamp())?;
    }
    common::out!("{table}")?;
    Ok(())
}
