//! The lane kernel: the scalar kernel's phases over `W` paths at once, in
//! structure-of-arrays form, for sets whose strategy is the same on every
//! path at every step (fixed policies and schedules).
//!
//! Noise comes from a [`Noise`] implementation (portable lane arrays, or
//! hand-written AVX2); everything else is loops over lanes that the compiler
//! vectorises under the target features of the function that instantiates
//! the kernel. Every helper is `#[inline(always)]` and there are no closures
//! on the hot path, so a `#[target_feature]` entry point compiles the whole
//! kernel with its features.
//!
//! Bits: each lane does the scalar kernel's f32 operations in the same
//! order, unfused, and the f64 sums receive their values in the same order
//! (path by path, or slot by slot for records: `records.rs`), so the
//! outputs are byte-identical to the scalar kernel's
//! (`tests/kernels.rs` checks this). Guard and greedy policies choose a
//! strategy per path; their sets run on the scalar kernel (see `mod.rs`).
#![allow(
    clippy::needless_range_loop,
    reason = "index loops over lanes are the form that vectorises"
)]

use super::lane_ops::{add, add_live, and, any_clear, finite_mask, mask, mul, splat, sub};
use super::records::RecordSums;
use super::simulate::{
    Block, Increments, ItemOutput, TerminalOut, check_passage, flush_sums, write_outputs,
    write_path,
};
use super::update::{Splat, em_step};
use crate::engine::abi::{NONE, WG, WorkItem, policy_kind};
use crate::engine::plan::Job;
use crate::rng::INIT_STEP;
use crate::rng::lanes::{normals4_lanes, philox_lanes};

/// A source of the four normals of one Philox block for `W` paths:
/// `rng::normals4` of the counter `(path[l], ctr[0], ctr[1], ctr[2])`.
pub(super) trait Noise<const W: usize> {
    /// What the noise needs besides the counters (the Philox key, and what
    /// a SIMD form derives from it and keeps in registers), prepared once
    /// per lane group.
    type Consts;
    /// Prepares the constants for `key`.
    fn consts(key: [u32; 2]) -> Self::Consts;
    /// The normals, `[normal][lane]`.
    fn normals4(consts: &Self::Consts, path: &[u32; W], ctr: [u32; 3]) -> [[f32; W]; 4];
}

/// Portable lane arrays (vectorised by the compiler for the target).
pub(super) struct Portable;

impl<const W: usize> Noise<W> for Portable {
    type Consts = [u32; 2];

    #[inline(always)]
    fn consts(key: [u32; 2]) -> [u32; 2] {
        key
    }

    #[inline(always)]
    fn normals4(key: &[u32; 2], path: &[u32; W], ctr: [u32; 3]) -> [[f32; W]; 4] {
        normals4_lanes(&philox_lanes(*key, path, ctr[0], ctr[1], ctr[2]))
    }
}

/// Dispatches on the number of objectives to a lane kernel instance.
macro_rules! by_objectives {
    ($job:expr, $item:expr, $term:expr, $w:literal, $noise:ty) => {
        match $job.flags.n {
            1 => $crate::engine::cpu::lanes::simulate::<1, $w, $noise>($job, $item, $term),
            2 => $crate::engine::cpu::lanes::simulate::<2, $w, $noise>($job, $item, $term),
            3 => $crate::engine::cpu::lanes::simulate::<3, $w, $noise>($job, $item, $term),
            4 => $crate::engine::cpu::lanes::simulate::<4, $w, $noise>($job, $item, $term),
            5 => $crate::engine::cpu::lanes::simulate::<5, $w, $noise>($job, $item, $term),
            6 => $crate::engine::cpu::lanes::simulate::<6, $w, $noise>($job, $item, $term),
            7 => $crate::engine::cpu::lanes::simulate::<7, $w, $noise>($job, $item, $term),
            8 => $crate::engine::cpu::lanes::simulate::<8, $w, $noise>($job, $item, $term),
            n => unreachable!("a validated model has 1 to 8 objectives, not {n}"),
        }
    };
}
pub(super) use by_objectives;

/// Whether the lane kernel runs this set: one strategy for every path at
/// each step.
pub(super) fn uniform_strategy(job: &Job, item: &WorkItem) -> bool {
    let policy = job.sets[item.pset as usize].policy;
    policy == policy_kind::FIXED || policy == policy_kind::SCHEDULE
}

/// Integrates one work item `W` paths at a time (a set with a uniform
/// strategy; see [`uniform_strategy`]).
#[inline(always)]
pub(super) fn simulate<'a, const N: usize, const W: usize, Z: Noise<W>>(
    job: &Job,
    item: &WorkItem,
    terminal: TerminalOut<'a>,
) -> ItemOutput<'a> {
    let b = Block::<N>::new(job, item);
    let mut out = ItemOutput::new(job, terminal);
    let (set, flags) = (b.set, b.flags);
    let splats: Vec<Splat<N, W>> = b.strategies.iter().map(|p| Splat::new(&b, p)).collect();
    let mut sums = RecordSums::<N>::new(job.run.records as usize);
    for sb in 0..job.run.sub {
        let first = b.first + sb * WG;
        if first >= set.paths {
            break;
        }
        for group in 0..(WG as usize / W) {
            let path: [u32; W] = std::array::from_fn(|l| first + (group * W + l) as u32);
            if path[0] >= set.paths {
                break;
            }
            let keeps: [bool; W] = std::array::from_fn(|l| {
                flags.record_paths && item.path_base != NONE && path[l] < set.record_paths
            });
            let ctx = (&b, splats.as_slice(), job);
            group_paths::<N, W, Z>(ctx, &mut out, &mut sums, &path, &keeps);
        }
        sums.flush(&mut out.partial, b.layout);
    }
    out
}

/// One lane group from start to end: the scalar kernel's group loop.
#[inline(always)]
fn group_paths<const N: usize, const W: usize, Z: Noise<W>>(
    (b, splats, job): (&Block<N>, &[Splat<N, W>], &Job),
    out: &mut ItemOutput,
    sums: &mut RecordSums<N>,
    path: &[u32; W],
    keeps: &[bool; W],
) {
    let (set, run) = (b.set, &job.run);
    let valid: [bool; W] = std::array::from_fn(|l| path[l] < set.paths);
    let slot: [u32; W] = std::array::from_fn(|l| path[l] - b.first);
    let any_kept = keeps.iter().any(|k| *k);
    let consts = Z::consts(b.key);
    let mut x = init_state::<N, W, Z>(b, &consts, path);
    let mut live = Live::new(valid);
    let mut fp = [NONE; W];
    let mut inc = Increments::<N, W>::new(b.flags.s);
    let mut seg = 0usize;
    let mut gt = super::goal::GoalTrack::<W>::new();

    check_passage(b, &mut fp, &x, 0, &valid);
    super::goal::check_goal(b, &mut gt, &x, 0, &valid);
    sums.add_lanes(b, &mut out.partial, (0, slot[0]), &x, &live);
    if any_kept {
        write_path(b, &mut out.paths, keeps, &slot, 0, &x);
    }
    let mut s = 0u32;
    for r in 1..run.records {
        let s_end = (r * run.record_every).min(run.steps);
        while s < s_end {
            let k = choose_strategy(b, s, &mut seg);
            let z = step_normals::<N, W, Z>(&consts, path, s, set.set_index);
            let xn = em_step(b, &splats[k as usize], &x, &z);
            accumulate(b, k, &x, &xn, &mut live, &mut inc);
            x = xn;
            check_passage(b, &mut fp, &x, s + 1, &live.alive);
            super::goal::check_goal(b, &mut gt, &x, s + 1, &live.alive);
            if any_kept {
                write_path(b, &mut out.paths, keeps, &slot, s + 1, &x);
            }
            s += 1;
        }
        sums.add_lanes(b, &mut out.partial, (r as usize, slot[0]), &x, &live);
    }
    write_outputs(b, out, path, &valid, &fp, &x, &live.alive);
    flush_sums(b, &mut out.partial, &x, &live.alive, &valid, &inc);
    super::goal::flush_goal(b, out, &gt, &x, &live.alive, &valid);
}

/// The `N` normals of each lane at `step` (`rng::step_normals`).
#[inline(always)]
fn step_normals<const N: usize, const W: usize, Z: Noise<W>>(
    consts: &Z::Consts,
    path: &[u32; W],
    step: u32,
    set: u32,
) -> [[f32; W]; N] {
    let mut z = [[0.0f32; W]; N];
    let mut blk = 0;
    while blk * 4 < N {
        let q = Z::normals4(consts, path, [step, set, blk as u32]);
        for i in 0..4 {
            if blk * 4 + i < N {
                z[blk * 4 + i] = q[i];
            }
        }
        blk += 1;
    }
    z
}

/// x0, jittered and clamped when x0_sd is set. Twin: `init_state`.
#[inline(always)]
fn init_state<const N: usize, const W: usize, Z: Noise<W>>(
    b: &Block<N>,
    consts: &Z::Consts,
    path: &[u32; W],
) -> [[f32; W]; N] {
    let mut x = [[0.0f32; W]; N];
    for i in 0..N {
        x[i] = [b.set.x0[i]; W];
    }
    if b.set.jitter != 0 {
        let z = step_normals::<N, W, Z>(consts, path, INIT_STEP, b.set.set_index);
        for i in 0..N {
            for l in 0..W {
                x[i][l] = (x[i][l] + b.set.x0_sd[i] * z[i][l]).clamp(b.sc.lo[i], b.sc.hi[i]);
            }
        }
    }
    x
}

/// The strategy of step `s` (the same on every lane): the fixed one, or the
/// schedule's segment (`seg` advances as the scalar kernel's per-lane copy
/// does). Twin: `choose_strategy`.
#[inline(always)]
fn choose_strategy<const N: usize>(b: &Block<N>, s: u32, seg: &mut usize) -> u32 {
    let set = b.set;
    if b.flags.fixed_only || set.policy != policy_kind::SCHEDULE {
        return set.strategy;
    }
    if *seg + 1 < set.segments as usize && s >= set.seg_end[*seg] {
        *seg += 1;
    }
    set.seg_strategy[*seg]
}

/// The lanes still integrating: `alive` for the phases shared with the
/// scalar kernel, its bit mask for selects, and whether every lane is live.
/// Lanes die rarely (a non-finite state), so the step loop keeps the three
/// in step only when one does, and a full group sums without selects.
pub(super) struct Live<const W: usize> {
    pub(super) alive: [bool; W],
    pub(super) mask: [u32; W],
    pub(super) full: bool,
}

impl<const W: usize> Live<W> {
    #[inline(always)]
    fn new(alive: [bool; W]) -> Self {
        Live {
            alive,
            mask: mask(&alive),
            full: alive.iter().all(|a| *a),
        }
    }

    /// Kills the lanes whose bit in `ok` is clear.
    #[inline(always)]
    fn keep(&mut self, ok: [u32; W]) {
        for l in 0..W {
            self.alive[l] &= ok[l] != 0;
        }
        *self = Live::new(self.alive);
    }
}

/// Marks lanes that left the finite range dead and adds the live lanes'
/// increments and occupancy of strategy `k`. Twin: `accumulate`.
#[inline(always)]
fn accumulate<const N: usize, const W: usize>(
    b: &Block<N>,
    k: u32,
    x: &[[f32; W]; N],
    xn: &[[f32; W]; N],
    live: &mut Live<W>,
    inc: &mut Increments<N, W>,
) {
    if b.flags.check_finite {
        let mut ok = finite_mask(xn[0]);
        for i in 1..N {
            ok = and(ok, finite_mask(xn[i]));
        }
        if any_clear(ok, live.mask) {
            live.keep(ok);
        }
    }
    let mut d = [[0.0f32; W]; N];
    for i in 0..N {
        d[i] = sub(xn[i], x[i]);
    }
    if live.full {
        add_sums::<N, W, false>(b, k, live.mask, &d, inc);
    } else {
        add_sums::<N, W, true>(b, k, live.mask, &d, inc);
    }
}

/// Adds one step's increments `d` to the sums: on every lane, or (`MASKED`)
/// on the lanes of `live` only, keeping the old bits elsewhere by a select
/// (so dead lanes' NaN or ∞ never enter).
#[inline(always)]
fn add_sums<const N: usize, const W: usize, const MASKED: bool>(
    b: &Block<N>,
    k: u32,
    live: [u32; W],
    d: &[[f32; W]; N],
    inc: &mut Increments<N, W>,
) {
    inc.n = acc::<W, MASKED>(live, inc.n, splat(1.0));
    for i in 0..N {
        inc.s[i] = acc::<W, MASKED>(live, inc.s[i], d[i]);
        for j in i..N {
            inc.q[i][j] = acc::<W, MASKED>(live, inc.q[i][j], mul(d[i], d[j]));
        }
    }
    if !b.flags.fixed_only {
        let o = &mut inc.occ[k as usize];
        *o = acc::<W, MASKED>(live, *o, splat(1.0));
    }
}

/// `sum + v`, on the lanes of `live` only when `MASKED`.
#[inline(always)]
fn acc<const W: usize, const MASKED: bool>(live: [u32; W], sum: [f32; W], v: [f32; W]) -> [f32; W] {
    if MASKED {
        add_live(live, sum, v)
    } else {
        add(sum, v)
    }
}
