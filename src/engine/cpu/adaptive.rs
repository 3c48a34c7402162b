//! The observable-only adaptive policy for one lane of the scalar twin
//! (the rule is documented on `model::PolicySpec::Adaptive`).
//! Twin: WGSL `choose_adaptive`.
#![allow(
    clippy::needless_range_loop,
    reason = "index loops mirror the WGSL kernel phase for phase"
)]

use super::simulate::{Block, LANES};
use crate::engine::abi::NONE;

/// Trigger numbers, in priority order (the latch holds one, or NONE).
const FLOOR: u32 = 0;
const CONFLICT: u32 = 1;
const STALL: u32 = 2;

/// Each lane's observed history: the EWMA of its normalised increments, its
/// previous state and the trigger it has latched. Twin: WGSL `Adaptive`.
pub(super) struct AdaptiveState<const N: usize> {
    ewma: [[f32; LANES]; N],
    prev: [[f32; LANES]; N],
    latch: [u32; LANES],
}

impl<const N: usize> AdaptiveState<N> {
    /// No history, no trigger.
    pub(super) fn new() -> Self {
        AdaptiveState {
            ewma: [[0.0; LANES]; N],
            prev: [[0.0; LANES]; N],
            latch: [NONE; LANES],
        }
    }
}

/// Whether trigger `t` holds: a latched trigger until its release condition
/// `off`, another when its condition `on` fires; never without a strategy.
#[inline(always)]
fn holds(latch: u32, t: u32, strategy: u32, on: bool, off: bool) -> bool {
    strategy != NONE && if latch == t { !off } else { on }
}

/// The strategy lane `lane` runs at step `s` from state `x`: updates the
/// increments' EWMA, and every `every` steps re-evaluates the triggers.
#[inline(always)]
pub(super) fn choose_adaptive<const N: usize>(
    b: &Block<N>,
    s: u32,
    x: &[[f32; LANES]; N],
    ad: &mut AdaptiveState<N>,
    lane: usize,
) -> u32 {
    let (set, sc) = (b.set, &b.sc);
    for i in 0..N {
        if s > 0 {
            let d = (x[i][lane] - ad.prev[i][lane]) * sc.inv_range[i];
            ad.ewma[i][lane] += set.alpha * (d - ad.ewma[i][lane]);
        }
        ad.prev[i][lane] = x[i][lane];
    }
    if s.is_multiple_of(set.every) {
        let (mut zmin, mut emin, mut emax, mut esum) = (3.0e38f32, 3.0e38f32, -3.0e38f32, 0.0f32);
        for i in 0..N {
            zmin = zmin.min((x[i][lane] - sc.lo[i]) * sc.inv_range[i]);
            emin = emin.min(ad.ewma[i][lane]);
            emax = emax.max(ad.ewma[i][lane]);
            esum += ad.ewma[i][lane];
        }
        // The mean against the stall threshold, as esum < stall·N: a
        // product rounds the same on every device, a quotient need not.
        let sl = set.stall * N as f32;
        let ready = s >= set.warmup;
        let (h, c, m) = (set.hysteresis, set.conflict, set.floor_margin);
        let latch = ad.latch[lane];
        ad.latch[lane] = if holds(latch, FLOOR, set.on_floor, zmin < m, zmin >= m * (1.0 + h)) {
            FLOOR
        } else if holds(
            latch,
            CONFLICT,
            set.on_conflict,
            ready && emin < -c && emax > c,
            !ready || emin >= -c * (1.0 - h) || emax <= c * (1.0 - h),
        ) {
            CONFLICT
        } else if holds(
            latch,
            STALL,
            set.on_stall,
            ready && esum < sl,
            !ready || esum >= sl * (1.0 + h),
        ) {
            STALL
        } else {
            NONE
        };
    }
    match ad.latch[lane] {
        FLOOR => set.on_floor,
        CONFLICT => set.on_conflict,
        STALL => set.on_stall,
        _ => set.strategy,
    }
}
