//! Plain-data mirrors of the WGSL structs in `shaders/simulate.wgsl`.
//!
//! Both engines read these: the GPU from storage buffers, the CPU twin
//! directly. A test checks each size against naga's layout of the WGSL struct
//! of the same name. Fixed-size arrays use `NMAX`, so the layout does not
//! depend on the number of objectives.

use bytemuck::{Pod, Zeroable};

/// Array length for per-objective fields.
pub const NMAX: usize = 8;
/// Array length for schedule segments.
pub const SEGMAX: usize = 16;
/// Sentinel for "none" in u32 fields.
pub const NONE: u32 = u32::MAX;
/// Threads per workgroup, and paths per sub-block.
pub const WG: u32 = 256;
/// A path whose |state| reaches this (or is NaN/∞) counts as non-finite.
pub const LIMIT: f32 = 1e15;
/// Terminal value written for a non-finite path.
pub const DEAD: f32 = 3.0e38;

/// Policy kinds as the kernel numbers them.
pub mod policy_kind {
    /// Fixed strategy.
    pub const FIXED: u32 = 0;
    /// Schedule of segments.
    pub const SCHEDULE: u32 = 1;
    /// Guard with floors.
    pub const GUARD: u32 = 2;
    /// Greedy look-ahead.
    pub const GREEDY: u32 = 3;
}

/// Per-dispatch constants (WGSL `RunParams`, a uniform buffer).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub struct RunParams {
    /// Work items in this dispatch.
    pub items: u32,
    /// Steps per path.
    pub steps: u32,
    /// Record moments every this many steps.
    pub record_every: u32,
    /// Number of records (including t = 0 and the final step).
    pub records: u32,
    /// Philox key, low word.
    pub key0: u32,
    /// Philox key, high word.
    pub key1: u32,
    /// Sub-blocks of `WG` paths per block.
    pub sub: u32,
    /// f32 values per partial slot.
    pub partial_len: u32,
    /// Histogram bins per set (`steps + 2`).
    pub hist_len: u32,
    /// Padding.
    pub pad0: u32,
    /// Padding.
    pub pad1: u32,
    /// Padding.
    pub pad2: u32,
}

/// Per-parameter-set constants (WGSL `SetParams`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct SetParams {
    /// Paths in the set (path indices `0..paths`).
    pub paths: u32,
    /// The parameter-set index used in the RNG counter.
    pub set_index: u32,
    /// Policy kind (`policy_kind`).
    pub policy: u32,
    /// Fixed strategy, guard default, or initial strategy.
    pub strategy: u32,
    /// Greedy decision interval.
    pub every: u32,
    /// Greedy: 1 for a weighted sum, 0 for min.
    pub weighted: u32,
    /// Number of schedule segments.
    pub segments: u32,
    /// Index of the set's first strategy in the strategy buffer.
    pub strategy_base: u32,
    /// Number of strategies of the set.
    pub strategies: u32,
    /// Keep terminal states of paths below this index.
    pub keep_terminal: u32,
    /// Record whole trajectories of paths below this index.
    pub record_paths: u32,
    /// 1 when x0_sd is non-zero.
    pub jitter: u32,
    /// Time step.
    pub dt: f32,
    /// sqrt(dt).
    pub sqrt_dt: f32,
    /// Guard hysteresis.
    pub hysteresis: f32,
    /// Padding.
    pub pad0: f32,
    /// Lower bounds.
    pub lower: [f32; NMAX],
    /// Upper bounds.
    pub upper: [f32; NMAX],
    /// 1 / (upper − lower).
    pub inv_range: [f32; NMAX],
    /// Initial state.
    pub x0: [f32; NMAX],
    /// Initial jitter.
    pub x0_sd: [f32; NMAX],
    /// Shift subtracted before moments are summed (keeps f32 sums accurate).
    pub shift: [f32; NMAX],
    /// First-passage target (projected into the bounds).
    pub passage_target: [f32; NMAX],
    /// First-passage tolerance per objective (absolute).
    pub passage_tol: [f32; NMAX],
    /// Guard floors.
    pub floors: [f32; NMAX],
    /// Greedy weights.
    pub weights: [f32; NMAX],
    /// Guard: strategy per objective in rescue.
    pub rescue: [u32; NMAX],
    /// Schedule: strategy of each segment.
    pub seg_strategy: [u32; SEGMAX],
    /// Schedule: cumulative end step of each segment.
    pub seg_end: [u32; SEGMAX],
}

/// Per-strategy constants (WGSL `StrategyParams`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct StrategyParams {
    /// x*.
    pub xstar: [f32; NMAX],
    /// A, row-major with stride NMAX.
    pub a: [f32; NMAX * NMAX],
    /// L (lower triangular), row-major with stride NMAX.
    pub l: [f32; NMAX * NMAX],
    /// 1 for jacobi diffusion.
    pub jacobi: u32,
    /// Padding.
    pub pad: [u32; 3],
}

/// One workgroup's work (WGSL `WorkItem`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct WorkItem {
    /// Parameter set.
    pub pset: u32,
    /// Block index within the set.
    pub block: u32,
    /// Slot (in paths) of the block's first path in the terminal buffer, or NONE.
    pub term_base: u32,
    /// Slot (in paths) of the block's first path in the recorded-path buffer, or NONE.
    pub path_base: u32,
}

/// Offsets inside one partial slot (f32 values), shared by both engines and
/// the host reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialLayout {
    /// Objectives.
    pub n: usize,
    /// Strategies (occupancy counters).
    pub s: usize,
    /// Records.
    pub records: usize,
    /// Whether occupancy counters are present (non-fixed policies).
    pub occupancy: bool,
}

impl PartialLayout {
    /// Values per record: count, N shifted sums, N shifted sums of squares.
    pub fn record_len(&self) -> usize {
        1 + 2 * self.n
    }
    /// Entries of an upper triangle including the diagonal.
    pub fn tri(&self) -> usize {
        self.n * (self.n + 1) / 2
    }
    /// Start of record `r`.
    pub fn record(&self, r: usize) -> usize {
        r * self.record_len()
    }
    /// Start of the terminal cross-products.
    pub fn cross(&self) -> usize {
        self.records * self.record_len()
    }
    /// Start of the increment block: count, N sums, triangle of products.
    pub fn incr(&self) -> usize {
        self.cross() + self.tri()
    }
    /// Start of the occupancy counters.
    pub fn occ(&self) -> usize {
        self.incr() + 1 + self.n + self.tri()
    }
    /// Total length.
    #[allow(clippy::len_without_is_empty, reason = "a layout always has records")]
    pub fn len(&self) -> usize {
        self.occ() + if self.occupancy { self.s } else { 0 }
    }
    /// Index of `(i, j)`, `i ≤ j`, in a packed upper triangle.
    pub fn tri_index(&self, i: usize, j: usize) -> usize {
        let (i, j) = if i <= j { (i, j) } else { (j, i) };
        i * self.n - i * (i + 1) / 2 + j
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_indices_follow_kernel_order() {
        let l = PartialLayout {
            n: 4,
            s: 2,
            records: 3,
            occupancy: true,
        };
        let mut c = 0;
        for i in 0..4 {
            for j in i..4 {
                assert_eq!(l.tri_index(i, j), c);
                assert_eq!(l.tri_index(j, i), c);
                c += 1;
            }
        }
        assert_eq!(c, l.tri());
        assert_eq!(l.len(), 3 * 9 + 10 + 1 + 4 + 10 + 2);
    }

    #[test]
    fn limit_matches_kernel_bits() {
        assert_eq!(LIMIT.to_bits(), 0x5863_5FA9);
    }
}
