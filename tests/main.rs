//! Integration tests, in one binary so that the library and wgpu are linked
//! once: the command line, both engines, shaders, fitting, sweeps, figures.

mod common;

mod bad_input;
mod bounds;
mod cli;
mod conformance;
mod figures;
mod fit;
mod golden;
mod gpu;
mod preset;
mod reproducibility;
mod shaders;
mod sweep;
