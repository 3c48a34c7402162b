//! Which CPU kernel integrates the paths: the scalar reference, the portable
//! lane kernel, or a SIMD lane kernel picked at run time. All of them give
//! the same bytes; they differ only in speed.

use super::lanes::{self, Portable, by_objectives};
use super::simulate::{self, ItemOutput, TerminalOut};
use crate::engine::EngineError;
use crate::engine::abi::WorkItem;
use crate::engine::plan::Job;

/// The environment variable that forces a kernel (`auto` when unset).
pub const KERNEL_ENV: &str = "MOSDE_CPU_KERNEL";

/// A CPU kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// The reference: one path per lane of plain Rust, normals per path.
    Scalar,
    /// Lane arrays of 8, vectorised by the compiler for the build target
    /// (SSE2 on baseline x86-64, NEON on aarch64): runs everywhere.
    Portable,
    /// AVX2 + FMA, 8 lanes (x86-64, detected at run time).
    Avx2,
    /// AVX-512, 16 lanes (x86-64, detected at run time).
    Avx512,
}

impl Kernel {
    /// Every kernel, in the order `auto` prefers them: AVX-512 first, as
    /// on the development machine (AMD, 512-bit operations in two halves)
    /// it still runs a path-step in 0.84 of AVX2's time
    /// (results/simd-engine.md).
    pub const ALL: [Kernel; 4] = [
        Kernel::Avx512,
        Kernel::Avx2,
        Kernel::Portable,
        Kernel::Scalar,
    ];

    /// The name `MOSDE_CPU_KERNEL` takes.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
        }
    }

    /// Paths integrated together.
    pub fn lanes(self) -> usize {
        match self {
            Kernel::Scalar | Kernel::Portable | Kernel::Avx2 => 8,
            Kernel::Avx512 => 16,
        }
    }

    /// Whether this CPU runs the kernel.
    pub fn available(self) -> bool {
        match self {
            Kernel::Scalar | Kernel::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                Kernel::Avx2.available()
                    && std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512bw")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => false,
        }
    }

    /// The kernels this CPU runs.
    pub fn available_all() -> Vec<Kernel> {
        Kernel::ALL.into_iter().filter(|k| k.available()).collect()
    }

    /// The fastest kernel this CPU runs.
    pub fn detect() -> Kernel {
        Kernel::ALL
            .into_iter()
            .find(|k| k.available())
            .unwrap_or(Kernel::Portable)
    }

    /// The kernel named `name` (`auto` = [`Kernel::detect`]); an error if the
    /// name is unknown or this CPU lacks the kernel's features.
    pub fn parse(name: &str) -> Result<Kernel, EngineError> {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || name == "auto" {
            return Ok(Kernel::detect());
        }
        let names: Vec<_> = Kernel::ALL.iter().map(|k| k.name()).collect();
        let k = Kernel::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                EngineError::Kernel(format!(
                    "unknown CPU kernel `{name}` (expected auto, {})",
                    names.join(", ")
                ))
            })?;
        if !k.available() {
            let have: Vec<_> = Kernel::available_all().iter().map(|k| k.name()).collect();
            return Err(EngineError::Kernel(format!(
                "this CPU cannot run the {name} kernel (it runs: {})",
                have.join(", ")
            )));
        }
        Ok(k)
    }

    /// The kernel `MOSDE_CPU_KERNEL` asks for (`auto` when unset).
    pub fn from_env() -> Result<Kernel, EngineError> {
        match std::env::var(KERNEL_ENV) {
            Ok(v) => Kernel::parse(&v).map_err(|e| match e {
                EngineError::Kernel(m) => EngineError::Kernel(format!("{KERNEL_ENV}: {m}")),
                e => e,
            }),
            Err(_) => Ok(Kernel::detect()),
        }
    }

    /// Integrates one work item. Sets whose policy picks a strategy per path
    /// (guard, greedy) run on the scalar kernel whatever the choice.
    pub(super) fn simulate<'a>(
        self,
        job: &Job,
        item: &WorkItem,
        terminal: TerminalOut<'a>,
    ) -> ItemOutput<'a> {
        if self == Kernel::Scalar || !lanes::uniform_strategy(job, item) {
            return simulate::simulate(job, item, terminal);
        }
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: an Avx2 kernel is only built when the CPU has AVX2 and FMA.
            Kernel::Avx2 => unsafe { super::x86::simulate_avx2(job, item, terminal) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: an Avx512 kernel is only built when the CPU has its features.
            Kernel::Avx512 => unsafe { super::x86::simulate_avx512(job, item, terminal) },
            _ => portable(job, item, terminal),
        }
    }
}

/// The portable lane kernel.
fn portable<'a>(job: &Job, item: &WorkItem, terminal: TerminalOut<'a>) -> ItemOutput<'a> {
    by_objectives!(job, item, terminal, 8, Portable)
}
