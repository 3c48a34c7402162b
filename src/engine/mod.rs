//! Engines integrate a [`Job`] and return mergeable per-set results.
//!
//! Two implementations share one contract and one conformance suite: the
//! CPU twin ([`cpu::CpuEngine`]) and the WGSL kernel on wgpu
//! ([`gpu::GpuEngine`]). Results depend only on the job and the seed, never on
//! the engine's chunking, threads or dispatch shape (ARCHITECTURE.md, "Invariants").

pub(crate) mod abi;
mod check;
pub mod cpu;
pub mod goals;
pub mod gpu;
pub mod partials;
pub mod plan;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

pub use goals::{GoalError, Goals, Op, Threshold};
pub use partials::{DEAD, GroupFold, PartialLayout, TreeFold};
pub use plan::{Integration, Job, JobOptions, Passage, PlanError, SaveAt, Scenario};

/// Which engine ran, for manifests and messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// `cpu` or `gpu`.
    pub kind: String,
    /// Adapter description (GPU name and backend, or the CPU thread count).
    pub adapter: String,
    /// Host threads used.
    pub threads: usize,
    /// Why that many: `requested`, `cpu affinity` (the cores this process
    /// may run on), `SLURM_CPUS_PER_TASK` (the scheduler's cap), or `gpu`.
    #[serde(default)]
    pub threads_source: String,
}

/// Errors from engines.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// No GPU adapter was found.
    #[error(
        "no GPU adapter found ({0}); install a Vulkan, Metal or DX12 driver (on Linux without a GPU: mesa-vulkan-drivers for lavapipe), or use the CPU engine"
    )]
    NoAdapter(String),
    /// The engine could not be set up.
    #[error("{0}")]
    Setup(String),
    /// The job does not fit the device.
    #[error("{0}")]
    Limits(String),
    /// The device failed while running.
    #[error("GPU error: {0}")]
    Device(String),
    /// The CPU kernel asked for is unknown or not supported by this CPU.
    #[error("{0}")]
    Kernel(String),
    /// The run was stopped through its [`Stop`] flag (an interrupt).
    #[error("the run was cancelled")]
    Cancelled,
}

impl EngineError {
    /// A missing adapter (when one was demanded) and a job too large for the
    /// device are problems with the request; the rest are runtime failures.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            EngineError::NoAdapter(_) | EngineError::Limits(_) | EngineError::Kernel(_)
        )
    }
}

/// Everything a job produced for one parameter set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetOutput {
    /// Tree-reduced partial sums (see [`PartialLayout`]).
    pub fold: TreeFold,
    /// The same partial sums per block group: the replicates behind the
    /// standard errors.
    #[serde(default)]
    pub groups: GroupFold,
    /// First-passage histogram: bin t = reached after t steps; last bin = never.
    pub hist: Vec<u64>,
    /// Goal histogram, as `hist` for the first step in the goal region
    /// (empty in jobs without goals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goal_hist: Vec<u64>,
    /// Terminal states of the kept paths (N values each, in path order);
    /// non-finite paths hold [`DEAD`].
    pub terminal: Vec<f32>,
    /// Recorded trajectories ((steps + 1) × N values per path, in path order).
    pub paths: Vec<f32>,
}

impl SetOutput {
    /// Adds one CPU work item's output (items must arrive in block order);
    /// its terminal states are already in place (the kernel writes them into
    /// `terminal`).
    pub fn absorb(&mut self, block: u32, item: cpu::ItemOutput<'_>) {
        count_into(&mut self.hist, &item.fp);
        count_into(&mut self.goal_hist, &item.goal);
        self.push_partial(u64::from(block), item.partial);
        self.paths.extend_from_slice(&item.paths);
    }

    /// Adds one block's partial sums to the total and to its group (blocks
    /// must arrive in order).
    pub fn push_partial(&mut self, block: u64, values: Vec<f64>) {
        self.groups.push_block_copy(block, &values);
        self.fold.push_block(block, values);
    }

    /// Absorbs the output of a later shard of the same set.
    pub fn extend(&mut self, other: SetOutput) {
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            *a += b;
        }
        for (a, b) in self.goal_hist.iter_mut().zip(&other.goal_hist) {
            *a += b;
        }
        self.fold.extend(other.fold);
        self.groups.extend(other.groups);
        self.terminal.extend(other.terminal);
        self.paths.extend(other.paths);
    }
}

/// Adds each of `steps` to its bin of `hist`. Most paths share one bin (the
/// last, "never", or an early step): that bin is counted in a register, as
/// consecutive increments of one counter in memory wait for each other.
fn count_into(hist: &mut [u64], steps: &[u32]) {
    let Some(&common) = steps.first() else {
        return;
    };
    let mut same = 0u64;
    for &f in steps {
        if f == common {
            same += 1;
        } else {
            hist[f as usize] += 1;
        }
    }
    hist[common as usize] += same;
}

/// Output of a whole job, one entry per set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobOutput {
    /// Per-set results, in set order.
    pub sets: Vec<SetOutput>,
}

impl JobOutput {
    /// Empty results shaped for a job.
    pub fn new(job: &Job) -> Self {
        let bins = job.run.hist_len as usize;
        let n = job.flags.n;
        JobOutput {
            sets: (0..job.sets.len())
                .map(|s| SetOutput {
                    hist: vec![0; bins],
                    goal_hist: vec![0; if job.flags.goals { bins } else { 0 }],
                    groups: GroupFold::new(job.group_level()),
                    // Sized once: growing by doubling copies the states again
                    // and again (a sweep keeps every path's terminal state).
                    terminal: Vec::with_capacity(job.kept_paths_in(s) as usize * n),
                    ..Default::default()
                })
                .collect(),
        }
    }
}

/// One engine run: what was integrated, on what, and what came back. This is
/// what reductions, writers and figures take.
#[derive(Debug, Clone)]
pub struct Run {
    /// The parameter sets, in job order.
    pub scenarios: Vec<Scenario>,
    /// The job they were packed into.
    pub job: Job,
    /// What the engine returned.
    pub output: JobOutput,
    /// Which engine ran it.
    pub engine: EngineInfo,
}

impl Run {
    /// Integrates `job` (packed from `scenarios`) on `engine`; `progress` is
    /// called with the paths finished since its last call.
    pub fn execute(
        engine: &mut dyn Engine,
        scenarios: Vec<Scenario>,
        job: Job,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Run, EngineError> {
        let output = engine.run(&job, progress)?;
        Ok(Run {
            scenarios,
            job,
            output,
            engine: engine.info(),
        })
    }
}

/// An engine integrates jobs.
pub trait Engine {
    /// What is running.
    fn info(&self) -> EngineInfo;
    /// Integrates a job; `progress` is called with the number of paths
    /// finished since the last call.
    fn run(&mut self, job: &Job, progress: &mut dyn FnMut(u64)) -> Result<JobOutput, EngineError>;
    /// Makes every later run end with [`EngineError::Cancelled`] at the
    /// first chunk boundary after `stop` is requested.
    fn set_stop(&mut self, stop: Stop);
}

/// A request to stop running engines between chunks, shared between the
/// engine and whoever may ask it to stop (a signal handler, the progress
/// callback of an embedding). Chunks are never cut, so a stopped run
/// returns an error and no partial output.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// A flag not yet requested.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Asks the engines holding this flag to stop.
    pub fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// [`EngineError::Cancelled`] once a stop was requested.
    pub fn check(&self) -> Result<(), EngineError> {
        match self.0.load(Ordering::Relaxed) {
            true => Err(EngineError::Cancelled),
            false => Ok(()),
        }
    }
}

/// Which engine to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// The GPU when an adapter exists, else the CPU.
    #[default]
    Auto,
    /// The CPU twin.
    Cpu,
    /// The GPU kernel (fails without an adapter).
    Gpu,
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EngineKind::Auto => "auto",
            EngineKind::Cpu => "cpu",
            EngineKind::Gpu => "gpu",
        })
    }
}

/// The CPU engine with the kernel `MOSDE_CPU_KERNEL` asks for.
fn cpu_engine(threads: usize) -> Result<cpu::CpuEngine, EngineError> {
    Ok(cpu::CpuEngine::new(threads)?.with_kernel(cpu::Kernel::from_env()?))
}

/// Opens an engine. With `Auto`, a missing GPU falls back to the CPU and the
/// returned note says so.
pub fn open(
    kind: EngineKind,
    threads: usize,
) -> Result<(Box<dyn Engine>, Option<String>), EngineError> {
    match kind {
        EngineKind::Cpu => Ok((Box::new(cpu_engine(threads)?), None)),
        EngineKind::Gpu => Ok((Box::new(gpu::GpuEngine::new()?), None)),
        EngineKind::Auto => match gpu::GpuEngine::new() {
            // A software adapter (lavapipe, WARP) is a CPU running the kernel
            // through an emulation layer; the CPU engine beats it whenever
            // moments are recorded often, so auto keeps to the CPU engine.
            Ok(g) if g.context().info.device_type == wgpu::DeviceType::Cpu => {
                let note = format!(
                    "only a software GPU adapter was found ({}); using the CPU engine (ask for the GPU engine to use the adapter)",
                    g.context().info.name
                );
                Ok((Box::new(cpu_engine(threads)?), Some(note)))
            }
            Ok(g) => Ok((Box::new(g), None)),
            Err(e) => {
                let note = format!("no usable GPU ({e}); falling back to the CPU engine");
                Ok((Box::new(cpu_engine(threads)?), Some(note)))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::count_into;

    #[test]
    fn histogram_counts_match_one_by_one() {
        let cases: [&[u32]; 4] = [&[], &[3, 3, 3], &[5, 0, 5, 5, 1, 5, 0], &[0, 1, 2, 3, 4, 5]];
        for steps in cases {
            let mut want = vec![7u64; 6];
            for &f in steps {
                want[f as usize] += 1;
            }
            let mut got = vec![7u64; 6];
            count_into(&mut got, steps);
            assert_eq!(got, want, "{steps:?}");
        }
    }
}
