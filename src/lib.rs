//! # mosde
//!
//! Multi-objective stochastic dynamics of iterative LLM interactions.
//!
//! When an LLM is asked again and again to improve an artefact, each round
//! moves several competing scores. mosde models the scores as an SDE whose
//! drift depends on the prompting strategy, whose objectives interfere, and
//! whose diffusion is the LLM's randomness; it integrates millions of sample
//! paths on any GPU wgpu reaches (or on the CPU twin of the same kernel) and
//! reduces them to moments, convergence times, stationary distributions and
//! Pareto fronts.
//!
//! ```
//! use mosde::engine::{Engine, JobOptions, cpu::CpuEngine};
//! use mosde::model::Model;
//! use mosde::shard::Shard;
//! use mosde::simulation::Simulation;
//!
//! let model = Model::preset("code-generation")?;
//! let sim = Simulation::new(model, &[], JobOptions::paths(4096));
//! let mut cpu = CpuEngine::new(0)?;
//! let run = sim.run(&mut cpu, Shard::WHOLE, &mut |_| {})?;
//! let report = sim.report(&run);
//! let ef = &report.strategies[0];
//! assert_eq!(ef.name, "EF");
//! assert!((ef.terminal_mean[0] - 5.25).abs() < 0.1);
//! # Ok::<(), mosde::Error>(())
//! ```
//!
//! The map of the crate, its data flow and its invariants are in
//! `ARCHITECTURE.md` at the repository root.

pub mod analysis;
pub mod bench;
pub mod engine;
pub mod error;
pub mod fit;
pub mod formats;
pub mod memory;
pub mod model;
pub mod optimize;
pub mod pareto;
pub mod report;
pub mod rng;
pub mod shard;
pub mod simulation;
pub mod sweep;
pub mod workflow;

pub use error::Error;

/// The README's code blocks, compiled and run as doctests so that its
/// library example cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
