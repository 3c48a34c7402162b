//! The CPU engine: the twin kernel on a thread pool.
//!
//! Work items run in parallel in chunks; their outputs are folded into the
//! per-set results strictly in item order, so the bytes of every result are
//! the same for any thread count and chunk size.
//!
//! Layout: `simulate.rs` is the scalar reference kernel (the WGSL kernel's
//! twin); `lanes.rs` is the same phases over lane arrays; `x86.rs` holds
//! the AVX2 and AVX-512 entry points; `kernel.rs` picks one at run time
//! ([`Kernel`], `MOSDE_CPU_KERNEL`). Every kernel gives the same bytes.

mod adaptive;
mod goal;
mod kernel;
mod lane_ops;
mod lanes;
mod records;
mod simulate;
mod update;
#[cfg(target_arch = "x86_64")]
mod x86;

use std::mem::MaybeUninit;

use rayon::prelude::*;

pub use kernel::{KERNEL_ENV, Kernel};
pub use simulate::{ItemOutput, LANES, TerminalOut, simulate};

use super::abi::WorkItem;
use super::{Engine, EngineError, EngineInfo, JobOutput, Stop, plan::Job};

/// Work items per chunk: bounds memory (one partial per item in flight).
const DEFAULT_CHUNK: usize = 256;

/// Multi-threaded CPU engine.
#[derive(Debug)]
pub struct CpuEngine {
    pool: rayon::ThreadPool,
    threads: usize,
    threads_source: &'static str,
    chunk: usize,
    kernel: Kernel,
    stop: Stop,
}

/// The thread count a CPU engine starts by default, and its source: the
/// cores this process may run on (its CPU affinity and cgroup quota, which
/// `available_parallelism` reads on Linux), capped by `SLURM_CPUS_PER_TASK`
/// when set, so that a Slurm task uses the cores it was given even where the
/// scheduler does not pin it.
pub fn default_threads() -> (usize, &'static str) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let slurm = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    match slurm {
        Some(n) if n < cores => (n, "SLURM_CPUS_PER_TASK"),
        _ => (cores, "cpu affinity"),
    }
}

impl CpuEngine {
    /// An engine on `threads` threads (0 = [`default_threads`]), running
    /// the fastest kernel this CPU has ([`Kernel::detect`]).
    pub fn new(threads: usize) -> Result<Self, EngineError> {
        let (threads, threads_source) = match threads {
            0 => default_threads(),
            n => (n, "requested"),
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("mosde-cpu-{i}"))
            .build()
            .map_err(|e| EngineError::Setup(format!("cannot start {threads} CPU threads: {e}")))?;
        Ok(CpuEngine {
            pool,
            threads,
            threads_source,
            chunk: DEFAULT_CHUNK,
            kernel: Kernel::detect(),
            stop: Stop::new(),
        })
    }

    /// Runs `kernel` (results do not change; see [`Kernel::available`]).
    pub fn with_kernel(mut self, kernel: Kernel) -> Self {
        self.kernel = kernel;
        self
    }

    /// The kernel that runs.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Sets how many work items run between two folds (results do not change).
    pub fn with_chunk(mut self, items: usize) -> Self {
        self.chunk = items.max(1);
        self
    }
}

impl Engine for CpuEngine {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            kind: "cpu".into(),
            adapter: format!(
                "cpu ({}, {} lanes, {} thread{})",
                self.kernel.name(),
                self.kernel.lanes(),
                self.threads,
                if self.threads == 1 { "" } else { "s" }
            ),
            threads: self.threads,
            threads_source: self.threads_source.into(),
        }
    }

    fn run(&mut self, job: &Job, progress: &mut dyn FnMut(u64)) -> Result<JobOutput, EngineError> {
        let mut out = JobOutput::new(job);
        let items = job.work_items();
        let kernel = self.kernel;
        for chunk in items.chunks(self.chunk) {
            let parts = terminal_parts(&mut out, job, chunk);
            let results: Vec<(ItemOutput<'static>, usize)> = self.pool.install(|| {
                chunk
                    .par_iter()
                    .zip(parts)
                    .map(|(it, part)| kernel.simulate(job, it, part).detach())
                    .collect()
            });
            let mut done = 0;
            for (item, (r, written)) in chunk.iter().zip(results) {
                let want = job.terminal_paths(item) as usize * job.flags.n;
                assert_eq!(
                    written, want,
                    "a work item writes every kept terminal state"
                );
                done += r.fp.len() as u64;
                let set = &mut out.sets[item.pset as usize];
                let len = set.terminal.len() + written;
                // SAFETY: the parts were cut one after another from the
                // set's spare capacity, starting at its length, in item
                // order, and every item before this one (whose values lie
                // below `len`) wrote its whole part, as this one did.
                unsafe { set.terminal.set_len(len) };
                set.absorb(item.block, r);
            }
            progress(done);
            self.stop.check()?;
        }
        Ok(out)
    }

    fn set_stop(&mut self, stop: Stop) {
        self.stop = stop;
    }
}

/// Each item's part of its set's terminal buffer, in item order: the next
/// `terminal_paths(item) · n` values of the buffer's spare capacity (items
/// come in set order, then block order).
fn terminal_parts<'a>(
    out: &'a mut JobOutput,
    job: &Job,
    chunk: &[WorkItem],
) -> Vec<TerminalOut<'a>> {
    let n = job.flags.n;
    let mut sets = out.sets.iter_mut().enumerate();
    let mut current: Option<(usize, &'a mut [MaybeUninit<f32>])> = None;
    chunk
        .iter()
        .map(|item| {
            let s = item.pset as usize;
            if current.as_ref().is_none_or(|(k, _)| *k != s) {
                let (k, set) = sets
                    .find(|(k, _)| *k == s)
                    .expect("work items in set order");
                current = Some((k, set.terminal.spare_capacity_mut()));
            }
            let rest = &mut current.as_mut().expect("set above").1;
            let len = job.terminal_paths(item) as usize * n;
            let (part, tail) = std::mem::take(rest).split_at_mut(len);
            *rest = tail;
            TerminalOut::new(part)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{JobOptions, Scenario};
    use crate::model::Model;

    #[test]
    fn a_requested_stop_ends_the_run_after_a_chunk() {
        let model = Model::preset("code-generation").unwrap();
        let scenarios = Scenario::defaults(&model);
        let job = Job::new(&scenarios, &JobOptions::paths(4096)).unwrap();
        let stop = Stop::new();
        let mut cpu = CpuEngine::new(1).unwrap().with_chunk(1);
        cpu.set_stop(stop.clone());
        let mut chunks = 0;
        let err = cpu
            .run(&job, &mut |_| {
                chunks += 1;
                stop.request();
            })
            .unwrap_err();
        assert!(matches!(err, EngineError::Cancelled), "{err}");
        assert_eq!(chunks, 1);
        assert!(!err.is_input());
    }
}
