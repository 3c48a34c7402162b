//! Command-line interface: clap definitions and dispatch.
//!
//! Exit codes: 0 success, 1 runtime failure, 2 usage or input error (bad
//! flags, an invalid model or data file, an impossible size, a missing GPU
//! when one was demanded).

mod analyze;
mod args;
mod bench;
mod common;
mod devices;
mod figures;
mod fit;
mod generate;
mod merge;
mod optimize;
mod pareto;
mod replicate;
mod simulate;
mod sweep;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Multi-objective stochastic dynamics of iterative LLM interactions.
#[derive(Debug, Parser)]
#[command(name = "mosde", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate sample paths and reduce them to moments, convergence and first passage.
    Simulate(simulate::SimulateArgs),
    /// Eigen-analysis of each strategy's drift: rates, modes, stability.
    Analyze(analyze::AnalyzeArgs),
    /// List the GPU adapters wgpu can reach.
    Devices(devices::DevicesArgs),
    /// Every figure of the paper set: trajectories, phase portraits, first
    /// passage, Pareto fronts, eigenvalues, interference, fit and replication.
    Figures(figures::FiguresArgs),
    /// What-if sweep over model parameters (grid, random, Latin hypercube, Sobol', Morris).
    Sweep(sweep::SweepArgs),
    /// Sobol' indices or Morris elementary effects of a sweep's metrics.
    Sensitivity(sweep::SweepArgs),
    /// Combine shard outputs (simulate, sweep, sensitivity) into one run's outputs.
    Merge(merge::MergeArgs),
    /// Fit the SDE to logged sessions (CSV); write the fitted model and a report.
    Fit(fit::FitArgs),
    /// The paper's experiment: generate sessions from the preset, fit them, compare.
    Replicate(replicate::ReplicateArgs),
    /// Non-dominated front and hypervolume of a table of points (CSV).
    Pareto(pareto::ParetoArgs),
    /// Simulate logged sessions (CSV) from a model.
    Generate(generate::GenerateArgs),
    /// Search a policy family for the best policy on a goal objective, hold it out, compare.
    Optimize(optimize::OptimizeArgs),
    /// Measure whole-run throughput (path-steps per second) of each engine.
    Bench(bench::BenchArgs),
}

/// Runs the CLI and maps errors to exit codes.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Devices(a) => devices::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Pareto(a) => pareto::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Figures(a) => figures::run(a),
        Command::Sweep(a) => sweep::run(a, false),
        Command::Sensitivity(a) => sweep::run(a, true),
        Command::Merge(a) => merge::run(a),
        Command::Replicate(a) => replicate::run(a),
        Command::Optimize(a) => optimize::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if common::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            if let Some(hint) = common::hint(&err) {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(common::exit_code(&err))
        }
    }
}
