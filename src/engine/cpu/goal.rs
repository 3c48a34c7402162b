//! Goal and constraint tracking over `W` lanes, shared by the scalar twin
//! and the lane kernels. Twin: WGSL `check_goal` and `flush_goal`.
#![allow(
    clippy::needless_range_loop,
    reason = "index loops mirror the WGSL kernel phase for phase"
)]

use super::simulate::{Block, ItemOutput};
use crate::engine::abi::NONE;
use crate::engine::partials::goal_slot as g;

/// Each lane's first step in the goal region (NONE: not yet) and whether
/// its constraint has held so far. Twin: WGSL `GoalTrack`.
pub(super) struct GoalTrack<const W: usize> {
    pub(super) reached: [u32; W],
    pub(super) held: [bool; W],
}

impl<const W: usize> GoalTrack<W> {
    /// Nothing reached, every constraint held so far.
    pub(super) fn new() -> Self {
        GoalTrack {
            reached: [NONE; W],
            held: [true; W],
        }
    }
}

/// At step `t`: a lane that is not `eligible` (invalid or non-finite) has
/// broken its constraint; an eligible one breaks it when outside the
/// constraint box, and reaches the goal the first time it is inside the goal
/// box. A no-op in jobs without goals. Twin: WGSL `check_goal`.
#[inline(always)]
pub(super) fn check_goal<const N: usize, const W: usize>(
    b: &Block<N>,
    gt: &mut GoalTrack<W>,
    x: &[[f32; W]; N],
    t: u32,
    eligible: &[bool; W],
) {
    if !b.flags.goals {
        return;
    }
    let set = b.set;
    for lane in 0..W {
        let mut in_goal = eligible[lane];
        let mut in_cons = eligible[lane];
        for i in 0..N {
            let v = x[i][lane];
            in_goal &= v >= set.goal_lo[i] && v <= set.goal_hi[i];
            in_cons &= v >= set.cons_lo[i] && v <= set.cons_hi[i];
        }
        gt.held[lane] &= in_cons;
        if gt.reached[lane] == NONE && in_goal {
            gt.reached[lane] = t;
        }
    }
}

/// Adds the valid lanes' goal outputs: the first goal step (`steps + 1` =
/// never) to the goal histogram, and the goal sums to the partial. A no-op
/// in jobs without goals. Twin: WGSL `flush_goal`.
pub(super) fn flush_goal<const N: usize, const W: usize>(
    b: &Block<N>,
    out: &mut ItemOutput,
    gt: &GoalTrack<W>,
    x: &[[f32; W]; N],
    alive: &[bool; W],
    valid: &[bool; W],
) {
    if !b.flags.goals {
        return;
    }
    let at = b.layout.goal();
    for lane in 0..W {
        if !valid[lane] {
            continue;
        }
        let tau = gt.reached[lane].min(b.steps + 1);
        out.goal.push(tau);
        let p = &mut out.partial[at..at + g::LEN];
        p[g::VALID] += 1.0;
        p[g::REACHED] += f64::from(u8::from(tau <= b.steps));
        p[g::TIME] += f64::from(tau.min(b.steps));
        p[g::HELD] += f64::from(u8::from(gt.held[lane]));
        if alive[lane] {
            let mut worst = f32::MAX;
            for i in 0..N {
                worst = worst.min((x[i][lane] - b.sc.lo[i]) * b.sc.inv_range[i]);
            }
            p[g::ALIVE] += 1.0;
            p[g::WORST] += f64::from(worst);
        }
    }
}
