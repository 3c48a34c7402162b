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
//! use mosde::engine::{self, Engine, EngineKind, Job, JobOptions, Scenario};
//! use mosde::model::Model;
//!
//! let model = Model::preset("code-generation")?;
//! let scenarios: Vec<Scenario> =
//!     Scenario::defaults(&model);
//! let job = Job::new(&scenarios, &JobOptions { paths: 4096, ..Default::default() })?;
//! let mut cpu = engine::cpu::CpuEngine::new(0)?;
//! let output = cpu.run(&job, &mut |_| {})?;
//! let report = mosde::analysis::Report::new(&scenarios, &job, &output, cpu.info());
//! let ef = &report.strategies[0];
//! assert_eq!(ef.name, "EF");
//! assert!((ef.terminal_mean[0] - 5.25).abs() < 0.1);
//! # let _ = EngineKind::Auto;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod analysis;
pub mod engine;
pub mod fit;
pub mod formats;
pub mod model;
pub mod report;
pub mod rng;
pub mod sweep;
pub mod workflow;
