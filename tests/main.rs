//! Integration tests, in one binary so that the library and wgpu are linked
//! once: the command line, both engines, shaders, fitting, sweeps, figures.

mod common;

mod cli;
mod conformance;
mod figures;
mod fit;
mod golden;
mod gpu;
mod kernels;
mod preset;
mod reproducibility;
mod shaders;
mod sweep;
