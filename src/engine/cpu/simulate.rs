//! CPU twin of `shaders/simulate.wgsl`.
//!
//! Same f32 arithmetic in the same order, split into the same phases under
//! the same names, so the two can be read side by side: `load_set`,
//! `init_state`, `check_passage`, `choose_strategy`, `em_step`, `accumulate`,
//! `write_path`, `record_moments`, `write_outputs` and `flush_sums`. Where the shader has one invocation per path, each phase
//! here runs a group of `LANES` paths in structure-of-arrays form
//! (`x[objective][lane]`): every inner loop runs over lanes, which is the
//! shape SIMD wants. Moments are summed per block in 16 interleaved f32
//! slots, widened into f64 in slot order (`records.rs`), where the shader
//! reduces them over its workgroup. The phases of the step loop
//! are `#[inline(always)]`, so the split costs nothing.
#![allow(
    clippy::needless_range_loop,
    clippy::manual_memcpy,
    reason = "index loops mirror the WGSL kernel phase for phase"
)]

use super::adaptive::{AdaptiveState, choose_adaptive};
use std::mem::MaybeUninit;

use super::goal::{GoalTrack, check_goal, flush_goal};
use super::records::RecordSums;
use crate::engine::abi::{LIMIT, NMAX, NONE, SetParams, StrategyParams, WG, WorkItem, policy_kind};
use crate::engine::partials::{DEAD, PartialLayout};
use crate::engine::plan::{Flags, Job};
use crate::model::Boundary;
use crate::rng::{INIT_STEP, step_normals};

/// Paths integrated together.
pub const LANES: usize = 8;

/// What one work item produces on the CPU.
#[derive(Debug, Default)]
pub struct ItemOutput<'a> {
    /// Partial sums (f64), laid out as `PartialLayout`.
    pub partial: Vec<f64>,
    /// First-passage step of each valid path (`steps + 1` = never).
    pub fp: Vec<u32>,
    /// First step in the goal region of each valid path (`steps + 1` =
    /// never); empty without goals.
    pub goal: Vec<u32>,
    /// Terminal states of kept paths, `N` values each, written in place.
    pub terminal: TerminalOut<'a>,
    /// Recorded trajectories, `(steps + 1) × N` values per recorded path.
    pub paths: Vec<f32>,
}

/// Where a work item writes its kept paths' terminal states, in path order:
/// its part of the set's buffer (not yet initialised), so that no copy of
/// the states is needed after the item.
#[derive(Debug, Default)]
pub struct TerminalOut<'a> {
    buf: &'a mut [MaybeUninit<f32>],
    len: usize,
}

impl<'a> TerminalOut<'a> {
    /// Values are written into `buf`, from its start.
    pub fn new(buf: &'a mut [MaybeUninit<f32>]) -> Self {
        TerminalOut { buf, len: 0 }
    }

    /// Writes the next value (panics past the end of the buffer).
    #[inline(always)]
    pub fn push(&mut self, v: f32) {
        self.buf[self.len].write(v);
        self.len += 1;
    }

    /// Values written: the buffer's first `len()` values are initialised.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Integrates one work item, writing its kept terminal states to `terminal`.
pub fn simulate<'a>(job: &Job, item: &WorkItem, terminal: TerminalOut<'a>) -> ItemOutput<'a> {
    match job.flags.n {
        1 => simulate_n::<1>(job, item, terminal),
        2 => simulate_n::<2>(job, item, terminal),
        3 => simulate_n::<3>(job, item, terminal),
        4 => simulate_n::<4>(job, item, terminal),
        5 => simulate_n::<5>(job, item, terminal),
        6 => simulate_n::<6>(job, item, terminal),
        7 => simulate_n::<7>(job, item, terminal),
        8 => simulate_n::<8>(job, item, terminal),
        n => unreachable!("a validated model has 1 to 8 objectives, not {n}"),
    }
}

/// What the phases of one work item read: the kernel's bindings (`run`,
/// `sets[ps]`, `strategies`, `work[item]`) and the per-set constants.
pub(super) struct Block<'a, const N: usize> {
    pub(super) set: &'a SetParams,
    /// The set's strategies.
    pub(super) strategies: &'a [StrategyParams],
    pub(super) flags: &'a Flags,
    pub(super) layout: &'a PartialLayout,
    pub(super) item: &'a WorkItem,
    pub(super) key: [u32; 2],
    pub(super) steps: u32,
    /// The block's first path.
    pub(super) first: u32,
    pub(super) sc: SetConsts<N>,
}

/// Per-set constants, copied once per block. Twin: WGSL `SetConsts`.
pub(super) struct SetConsts<const N: usize> {
    pub(super) lo: [f32; N],
    pub(super) hi: [f32; N],
    pub(super) inv_range: [f32; N],
    pub(super) shift: [f32; N],
    pub(super) pt: [f32; N],
    pub(super) ptol: [f32; N],
    pub(super) dt: f32,
    pub(super) sqrt_dt: f32,
}

/// The strategy driving each lane and a private copy of its parameters,
/// reloaded only when the policy switches. Twin: WGSL `Active`.
struct Active<const N: usize> {
    k: [u32; LANES],
    cur: [u32; LANES],
    seg: [usize; LANES],
    choice: [u32; LANES],
    rescuing: [u32; LANES],
    ad: AdaptiveState<N>,
    tgt: [[f32; LANES]; N],
    a: [[[f32; LANES]; N]; N],
    l: [[[f32; LANES]; N]; N],
    jac: [bool; LANES],
}

impl<const N: usize> Active<N> {
    /// No strategy loaded yet.
    fn new() -> Self {
        Active {
            k: [0; LANES],
            cur: [NONE; LANES],
            seg: [0; LANES],
            choice: [0; LANES],
            rescuing: [NONE; LANES],
            ad: AdaptiveState::new(),
            tgt: [[0.0; LANES]; N],
            a: [[[0.0; LANES]; N]; N],
            l: [[[0.0; LANES]; N]; N],
            jac: [false; LANES],
        }
    }
}

/// Each lane's increment sums and strategy occupancy. Twin: WGSL `Increments`.
///
/// Aligned to a cache line so that no lane array of the sums, which the lane
/// kernels load and store every step, straddles two lines: left to the
/// stack layout of the day, one build ran the AVX2 kernel 20% slower.
#[repr(align(64))]
pub(super) struct Increments<const N: usize, const W: usize> {
    pub(super) n: [f32; W],
    pub(super) s: [[f32; W]; N],
    pub(super) q: [[[f32; W]; N]; N],
    pub(super) occ: Vec<[f32; W]>,
}

impl<const N: usize, const W: usize> Increments<N, W> {
    /// Zero sums for `strategies` occupancy counters.
    pub(super) fn new(strategies: usize) -> Self {
        Increments {
            n: [0.0; W],
            s: [[0.0; W]; N],
            q: [[[0.0; W]; N]; N],
            occ: vec![[0.0; W]; strategies],
        }
    }
}

impl<'a, const N: usize> Block<'a, N> {
    /// The bindings and constants of work item `item`.
    pub(super) fn new(job: &'a Job, item: &'a WorkItem) -> Self {
        let run = &job.run;
        let set = &job.sets[item.pset as usize];
        Block {
            set,
            strategies: &job.strategies[set.strategy_base as usize..][..set.strategies as usize],
            flags: &job.flags,
            layout: &job.layout,
            item,
            key: [run.key0, run.key1],
            steps: run.steps,
            first: item.block * run.sub * WG,
            sc: load_set(set),
        }
    }
}

impl<'a> ItemOutput<'a> {
    /// The outputs without their terminal buffer, and how many values were
    /// written to it.
    pub fn detach(self) -> (ItemOutput<'static>, usize) {
        let ItemOutput {
            partial,
            fp,
            goal,
            terminal,
            paths,
        } = self;
        let out = ItemOutput {
            partial,
            fp,
            goal,
            terminal: TerminalOut::default(),
            paths,
        };
        (out, terminal.len())
    }

    /// Empty outputs with a zero partial shaped for `job`, writing terminal
    /// states to `terminal`.
    pub(super) fn new(job: &Job, terminal: TerminalOut<'a>) -> Self {
        ItemOutput {
            partial: vec![0.0; job.layout.len()],
            terminal,
            ..Default::default()
        }
    }
}

fn simulate_n<'a, const N: usize>(
    job: &Job,
    item: &WorkItem,
    terminal: TerminalOut<'a>,
) -> ItemOutput<'a> {
    let run = &job.run;
    let flags = &job.flags;
    let set = &job.sets[item.pset as usize];
    let b = Block::<N>::new(job, item);
    let mut out = ItemOutput::new(job, terminal);
    let mut sums = RecordSums::<N>::new(run.records as usize);

    for sb in 0..run.sub {
        let first = b.first + sb * WG;
        if first >= set.paths {
            break;
        }
        for group in 0..(WG as usize / LANES) {
            let mut path = [0u32; LANES];
            let mut valid = [false; LANES];
            // Each path's place in the block, and whether its trajectory is kept.
            let mut slot = [0u32; LANES];
            let mut keeps_path = [false; LANES];
            for lane in 0..LANES {
                path[lane] = first + (group * LANES + lane) as u32;
                valid[lane] = path[lane] < set.paths;
                slot[lane] = path[lane] - b.first;
                keeps_path[lane] =
                    flags.record_paths && item.path_base != NONE && path[lane] < set.record_paths;
            }
            if !valid[0] {
                break;
            }

            let mut x = init_state(&b, &path);
            let mut st = Active::<N>::new();
            let mut alive = valid;
            let mut fp = [NONE; LANES];
            let mut inc = Increments::<N, LANES>::new(flags.s);
            let mut gt = GoalTrack::<LANES>::new();

            check_passage(&b, &mut fp, &x, 0, &valid);
            check_goal(&b, &mut gt, &x, 0, &valid);
            let place = slot[0];
            record_moments(&b, &mut out.partial, &mut sums, (0, place), &x, &alive);
            write_path(&b, &mut out.paths, &keeps_path, &slot, 0, &x);
            if flags.fixed_only {
                for lane in 0..LANES {
                    load_strategy(
                        &b.strategies[set.strategy as usize],
                        flags.any_jacobi,
                        &mut st,
                        lane,
                    );
                }
            }
            let mut s = 0u32;
            for r in 1..run.records {
                // Steps up to the next record run without barriers.
                let s_end = (r * run.record_every).min(run.steps);
                while s < s_end {
                    choose_strategy(&b, s, &x, &mut st);
                    let z = lanes(|lane| step_normals::<N>(b.key, path[lane], s, set.set_index));
                    let xn = em_step(&b, &st, &x, &z);
                    accumulate(&b, &st.k, &x, &xn, &mut alive, &mut inc);
                    x = xn;
                    check_passage(&b, &mut fp, &x, s + 1, &alive);
                    check_goal(&b, &mut gt, &x, s + 1, &alive);
                    write_path(&b, &mut out.paths, &keeps_path, &slot, s + 1, &x);
                    s += 1;
                }
                // Recorded moments every record_every steps and at the end.
                let at = (r as usize, place);
                record_moments(&b, &mut out.partial, &mut sums, at, &x, &alive);
            }

            write_outputs(&b, &mut out, &path, &valid, &fp, &x, &alive);
            flush_sums(&b, &mut out.partial, &x, &alive, &valid, &inc);
            flush_goal(&b, &mut out, &gt, &x, &alive, &valid);
        }
        sums.flush(&mut out.partial, b.layout);
    }
    out
}

/// Gathers one array per lane into structure-of-arrays form.
#[inline(always)]
fn lanes<const N: usize>(f: impl Fn(usize) -> [f32; N]) -> [[f32; LANES]; N] {
    let mut out = [[0.0f32; LANES]; N];
    for lane in 0..LANES {
        let v = f(lane);
        for i in 0..N {
            out[i][lane] = v[i];
        }
    }
    out
}

/// Copies the per-set constants out of the set. Twin: WGSL `load_set`.
pub(super) fn load_set<const N: usize>(set: &SetParams) -> SetConsts<N> {
    let mut c = SetConsts {
        lo: [0.0; N],
        hi: [0.0; N],
        inv_range: [0.0; N],
        shift: [0.0; N],
        pt: [0.0; N],
        ptol: [0.0; N],
        dt: set.dt,
        sqrt_dt: set.sqrt_dt,
    };
    for i in 0..N {
        c.lo[i] = set.lower[i];
        c.hi[i] = set.upper[i];
        c.inv_range[i] = set.inv_range[i];
        c.shift[i] = set.shift[i];
        c.pt[i] = set.passage_target[i];
        c.ptol[i] = set.passage_tol[i];
    }
    c
}

/// The initial state: x0, jittered and clamped when x0_sd is set (noise from
/// the reserved step `INIT_STEP`). Twin: WGSL `init_state`.
#[inline(always)]
fn init_state<const N: usize>(b: &Block<N>, path: &[u32; LANES]) -> [[f32; LANES]; N] {
    let mut x = [[0.0f32; LANES]; N];
    for i in 0..N {
        x[i] = [b.set.x0[i]; LANES];
    }
    if b.set.jitter != 0 {
        let z = lanes(|lane| step_normals::<N>(b.key, path[lane], INIT_STEP, b.set.set_index));
        for i in 0..N {
            for lane in 0..LANES {
                x[i][lane] =
                    (x[i][lane] + b.set.x0_sd[i] * z[i][lane]).clamp(b.sc.lo[i], b.sc.hi[i]);
            }
        }
    }
    x
}

/// First passage: sets `fp` to `t` for each eligible lane that has not yet
/// passed and has every objective within tolerance of the target.
/// Twin: WGSL `check_passage`.
#[inline(always)]
pub(super) fn check_passage<const N: usize, const W: usize>(
    b: &Block<N>,
    fp: &mut [u32; W],
    x: &[[f32; W]; N],
    t: u32,
    eligible: &[bool; W],
) {
    for lane in 0..W {
        if fp[lane] == NONE && eligible[lane] {
            let mut reached = true;
            for i in 0..N {
                reached &= (x[i][lane] - b.sc.pt[i]).abs() <= b.sc.ptol[i];
            }
            if reached {
                fp[lane] = t;
            }
        }
    }
}

/// Loads a strategy's parameters into one lane's private copies.
/// Twin: WGSL `load_strategy`.
#[inline(always)]
fn load_strategy<const N: usize>(
    params: &StrategyParams,
    any_jacobi: bool,
    st: &mut Active<N>,
    lane: usize,
) {
    st.jac[lane] = any_jacobi && params.jacobi != 0;
    for i in 0..N {
        st.tgt[i][lane] = params.xstar[i];
        for j in 0..N {
            st.a[i][j][lane] = params.a[i * NMAX + j];
            st.l[i][j][lane] = params.l[i * NMAX + j];
        }
    }
}

/// Policy: which strategy drives step `s` of each lane from state `x`, and a
/// reload of its parameters when it changed (fixed policies load theirs once,
/// before the first step). Twin: WGSL `choose_strategy`.
#[inline(always)]
fn choose_strategy<const N: usize>(
    b: &Block<N>,
    s: u32,
    x: &[[f32; LANES]; N],
    st: &mut Active<N>,
) {
    let set = b.set;
    for lane in 0..LANES {
        st.k[lane] = set.strategy;
        if b.flags.fixed_only {
            continue;
        }
        if set.policy == policy_kind::SCHEDULE {
            if st.seg[lane] + 1 < set.segments as usize && s >= set.seg_end[st.seg[lane]] {
                st.seg[lane] += 1;
            }
            st.k[lane] = set.seg_strategy[st.seg[lane]];
        } else if set.policy == policy_kind::GUARD {
            for i in 0..N {
                if st.rescuing[lane] == i as u32 && x[i][lane] > set.floors[i] + set.hysteresis {
                    st.rescuing[lane] = NONE;
                }
            }
            for i in 0..N {
                if st.rescuing[lane] == NONE && x[i][lane] < set.floors[i] {
                    st.rescuing[lane] = i as u32;
                }
            }
            if st.rescuing[lane] != NONE {
                st.k[lane] = set.rescue[st.rescuing[lane] as usize];
            }
        } else if set.policy == policy_kind::GREEDY {
            if s.is_multiple_of(set.every) {
                let mut best = -3.0e38f32;
                let mut best_k = 0u32;
                for (c, params) in b.strategies.iter().enumerate() {
                    let mut score = if set.weighted != 0 { 0.0f32 } else { 3.0e38 };
                    for i in 0..N {
                        let mut dr = 0.0f32;
                        for j in 0..N {
                            dr += params.a[i * NMAX + j] * (params.xstar[j] - x[j][lane]);
                        }
                        let zi = (x[i][lane] + dr * b.sc.dt - b.sc.lo[i]) * b.sc.inv_range[i];
                        if set.weighted != 0 {
                            score += set.weights[i] * zi;
                        } else {
                            score = score.min(zi);
                        }
                    }
                    if score > best {
                        best = score;
                        best_k = c as u32;
                    }
                }
                st.choice[lane] = best_k;
            }
            st.k[lane] = st.choice[lane];
        } else if set.policy == policy_kind::ADAPTIVE {
            st.k[lane] = choose_adaptive(b, s, x, &mut st.ad, lane);
        }
        if st.k[lane] != st.cur[lane] {
            st.cur[lane] = st.k[lane];
            let params = &b.strategies[st.k[lane] as usize];
            load_strategy(params, b.flags.any_jacobi, st, lane);
        }
    }
}

/// Reflects `v` into `[lo, hi]` (one lane's arithmetic, shared by every
/// CPU kernel). Twin: WGSL `apply_boundary`, reflect.
#[inline(always)]
pub(super) fn reflect(v: f32, lo: f32, hi: f32) -> f32 {
    let w = hi - lo;
    let p = 2.0 * w;
    let mut y = v - lo;
    y -= p * (y / p).floor();
    if y > w {
        y = p - y;
    }
    // The f32 fold can round to just outside [0, w] (⌊y/p⌋ off by one when
    // y/p rounds to an integer), and lo + y can round past hi.
    (lo + y).clamp(lo, hi)
}

/// The boundary rule applied to one coordinate. Twin: WGSL `apply_boundary`.
#[inline(always)]
fn apply_boundary(boundary: Boundary, v: f32, lo: f32, hi: f32) -> f32 {
    match boundary {
        Boundary::Clamp => v.clamp(lo, hi),
        Boundary::Reflect => reflect(v, lo, hi),
        Boundary::None => v,
    }
}

/// One Euler–Maruyama step from `x` with normals `z`: drift A (x* − x) dt,
/// diffusion L z √dt (scaled by 2√((x − lo)(hi − x))/(hi − lo) for jacobi
/// strategies), then the boundary rule. Twin: WGSL `em_step`.
#[inline(always)]
fn em_step<const N: usize>(
    b: &Block<N>,
    st: &Active<N>,
    x: &[[f32; LANES]; N],
    z: &[[f32; LANES]; N],
) -> [[f32; LANES]; N] {
    let sc = &b.sc;
    let mut e = [[0.0f32; LANES]; N];
    for j in 0..N {
        for lane in 0..LANES {
            e[j][lane] = st.tgt[j][lane] - x[j][lane];
        }
    }
    let mut xn = [[0.0f32; LANES]; N];
    for i in 0..N {
        for lane in 0..LANES {
            let mut dr = 0.0f32;
            for j in 0..N {
                dr += st.a[i][j][lane] * e[j][lane];
            }
            let mut nz = 0.0f32;
            for j in 0..=i {
                nz += st.l[i][j][lane] * z[j][lane];
            }
            nz *= sc.sqrt_dt;
            if b.flags.any_jacobi && st.jac[lane] {
                nz = nz
                    * 2.0
                    * ((x[i][lane] - sc.lo[i]) * (sc.hi[i] - x[i][lane]))
                        .max(0.0)
                        .sqrt()
                    * sc.inv_range[i];
            }
            let v = x[i][lane] + dr * sc.dt + nz;
            xn[i][lane] = apply_boundary(b.flags.boundary, v, sc.lo[i], sc.hi[i]);
        }
    }
    xn
}

/// |v| below the finite limit (NaN and ∞ fail too), by bit pattern as the
/// kernel tests it. Twin: WGSL `finite`.
#[inline(always)]
pub(super) fn finite(v: f32) -> bool {
    (v.to_bits() & 0x7FFF_FFFF) < LIMIT.to_bits()
}

/// After a step from `x` to `xn` driven by strategies `k`: marks lanes that
/// left the finite range dead, and adds live lanes' increment sums and
/// occupancy. Twin: WGSL `accumulate`.
#[inline(always)]
fn accumulate<const N: usize>(
    b: &Block<N>,
    k: &[u32; LANES],
    x: &[[f32; LANES]; N],
    xn: &[[f32; LANES]; N],
    alive: &mut [bool; LANES],
    inc: &mut Increments<N, LANES>,
) {
    for lane in 0..LANES {
        if b.flags.check_finite {
            for i in 0..N {
                alive[lane] = alive[lane] && finite(xn[i][lane]);
            }
        }
        if alive[lane] {
            inc.n[lane] += 1.0;
            for i in 0..N {
                let di = xn[i][lane] - x[i][lane];
                inc.s[i][lane] += di;
                for j in i..N {
                    inc.q[i][j][lane] += di * (xn[j][lane] - x[j][lane]);
                }
            }
            if !b.flags.fixed_only {
                inc.occ[k[lane] as usize][lane] += 1.0;
            }
        }
    }
}

/// Stores the state at step `t` of the lanes whose trajectories are kept
/// (`slot` = place in the block). Twin: WGSL `write_path`.
#[inline(always)]
pub(super) fn write_path<const N: usize, const W: usize>(
    b: &Block<N>,
    out: &mut Vec<f32>,
    keeps: &[bool; W],
    slot: &[u32; W],
    t: u32,
    x: &[[f32; W]; N],
) {
    for lane in 0..W {
        if !keeps[lane] {
            continue;
        }
        let at = ((slot[lane] as usize) * (b.steps as usize + 1) + t as usize) * N;
        if out.len() < at + N {
            out.resize(at + N, 0.0);
        }
        for i in 0..N {
            out[at + i] = x[i][lane];
        }
    }
}

/// Adds record `r` of the group whose first path is at place `place` of the
/// block: the count of finite paths to the partial, their shifted values
/// and squares to the record's slot sums ([`RecordSums`]). Twin: WGSL
/// `record_moments`.
#[inline(always)]
fn record_moments<const N: usize>(
    b: &Block<N>,
    p: &mut [f64],
    sums: &mut RecordSums<N>,
    (r, place): (usize, u32),
    x: &[[f32; LANES]; N],
    alive: &[bool; LANES],
) {
    for lane in 0..LANES {
        if alive[lane] {
            p[b.layout.record(r)] += 1.0;
            let xl = std::array::from_fn(|i| x[i][lane]);
            sums.add_path(r, place + lane as u32, xl, &b.sc.shift);
        }
    }
}

/// Per-path outputs of the valid lanes: the first-passage step (`steps + 1`
/// = never) and, when kept, the terminal state ([`DEAD`] if non-finite).
/// Twin: WGSL `write_outputs`.
pub(super) fn write_outputs<const N: usize, const W: usize>(
    b: &Block<N>,
    out: &mut ItemOutput,
    path: &[u32; W],
    valid: &[bool; W],
    fp: &[u32; W],
    x: &[[f32; W]; N],
    alive: &[bool; W],
) {
    for lane in 0..W {
        if !valid[lane] {
            continue;
        }
        out.fp.push(fp[lane].min(b.steps + 1));
        if b.flags.keep_terminal && b.item.term_base != NONE && path[lane] < b.set.keep_terminal {
            for i in 0..N {
                out.terminal
                    .push(if alive[lane] { x[i][lane] } else { DEAD });
            }
        }
    }
}

/// Adds the group's terminal cross-products (live lanes), increment sums and
/// occupancy (valid lanes) to the partial. Twin: WGSL `flush_sums`.
pub(super) fn flush_sums<const N: usize, const W: usize>(
    b: &Block<N>,
    p: &mut [f64],
    x: &[[f32; W]; N],
    alive: &[bool; W],
    valid: &[bool; W],
    inc: &Increments<N, W>,
) {
    let (layout, shift) = (b.layout, &b.sc.shift);
    for lane in 0..W {
        if alive[lane] {
            let mut c = layout.cross();
            for i in 0..N {
                for j in i..N {
                    p[c] += f64::from((x[i][lane] - shift[i]) * (x[j][lane] - shift[j]));
                    c += 1;
                }
            }
        }
        if valid[lane] {
            let mut c = layout.incr();
            p[c] += f64::from(inc.n[lane]);
            c += 1;
            for i in 0..N {
                p[c] += f64::from(inc.s[i][lane]);
                c += 1;
            }
            for i in 0..N {
                for j in i..N {
                    p[c] += f64::from(inc.q[i][j][lane]);
                    c += 1;
                }
            }
            if !b.flags.fixed_only {
                for (q, o) in inc.occ.iter().enumerate() {
                    p[layout.occ() + q] += f64::from(o[lane]);
                }
            }
        }
    }
}
