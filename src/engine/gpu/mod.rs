//! The GPU engine (placeholder while the foundation builds).
pub mod shaders;
use super::{Engine, EngineError, EngineInfo, JobOutput, plan::Job};
/// GPU engine.
#[derive(Debug)]
pub struct GpuEngine;
impl GpuEngine {
    /// Opens the GPU.
    pub fn new() -> Result<Self, EngineError> {
        Err(EngineError::NoAdapter("not built yet".into()))
    }
}
impl Engine for GpuEngine {
    fn info(&self) -> EngineInfo {
        unreachable!()
    }
    fn run(&mut self, _job: &Job, _p: &mut dyn FnMut(u64)) -> Result<JobOutput, EngineError> {
        unreachable!()
    }
}
