//! Integration tests, in one binary so that the library and wgpu are linked
//! once: the command line, both engines, shaders, fitting, sweeps, figures.

mod common;

mod bad_input;
mod bounds;
mod cli;
mod cluster;
mod conformance;
mod crash;
mod errors;
mod figures;
mod fit;
mod goals;
mod golden;
mod gpu;
mod kernels;
mod optimize;
mod preset;
mod reproducibility;
mod run_dirs;
mod scheduler;
mod shaders;
mod shards;
mod slurm;
mod sweep;
mod tables;
