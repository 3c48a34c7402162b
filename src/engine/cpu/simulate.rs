//! CPU twin of `shaders/simulate.wgsl`.
//!
//! Same f32 arithmetic in the same order, section by section, so the two can
//! be read side by side. Where the shader has one invocation per path, this
//! file integrates a group of `LANES` paths in structure-of-arrays form
//! (`x[objective][lane]`): every inner loop runs over lanes, which is the
//! shape SIMD wants. Moments are summed in f64 per block, path by path.
#![allow(
    clippy::needless_range_loop,
    clippy::manual_memcpy,
    reason = "index loops mirror the WGSL kernel line for line"
)]

use crate::engine::layout::{DEAD, LIMIT, NMAX, NONE, WG, WorkItem, policy_kind};
use crate::engine::plan::Job;
use crate::model::Boundary;
use crate::rng::{INIT_STEP, normals4, philox4x32_10};

/// Paths integrated together.
pub const LANES: usize = 8;

/// What one work item produces on the CPU.
#[derive(Debug, Clone, Default)]
pub struct ItemOutput {
    /// Partial sums (f64), laid out as `PartialLayout`.
    pub partial: Vec<f64>,
    /// First-passage step of each valid path (`steps + 1` = never).
    pub fp: Vec<u32>,
    /// Terminal states of kept paths, `N` values each.
    pub terminal: Vec<f32>,
    /// Recorded trajectories, `(steps + 1) × N` values per recorded path.
    pub paths: Vec<f32>,
}

/// Integrates one work item.
pub fn simulate(job: &Job, item: &WorkItem) -> ItemOutput {
    match job.flags.n {
        1 => simulate_n::<1>(job, item),
        2 => simulate_n::<2>(job, item),
        3 => simulate_n::<3>(job, item),
        4 => simulate_n::<4>(job, item),
        5 => simulate_n::<5>(job, item),
        6 => simulate_n::<6>(job, item),
        7 => simulate_n::<7>(job, item),
        8 => simulate_n::<8>(job, item),
        n => unreachable!("a validated model has 1 to 8 objectives, not {n}"),
    }
}

fn finite(v: f32) -> bool {
    (v.to_bits() & 0x7FFF_FFFF) < LIMIT.to_bits()
}

/// The normals of one step for every lane.
#[inline(always)]
fn lane_normals<const N: usize>(
    key: [u32; 2],
    path: &[u32; LANES],
    step: u32,
    set: u32,
) -> [[f32; LANES]; N] {
    let mut z = [[0.0f32; LANES]; N];
    for lane in 0..LANES {
        let mut b = 0;
        while b * 4 < N {
            let q4 = normals4(philox4x32_10([path[lane], step, set, b as u32], key));
            for q in 0..4 {
                if b * 4 + q < N {
                    z[b * 4 + q][lane] = q4[q];
                }
            }
            b += 1;
        }
    }
    z
}

fn simulate_n<const N: usize>(job: &Job, item: &WorkItem) -> ItemOutput {
    let run = &job.run;
    let layout = &job.layout;
    let flags = &job.flags;
    let set = &job.sets[item.pset as usize];
    let strategies = &job.strategies[set.strategy_base as usize..][..set.strategies as usize];
    let steps = run.steps;
    let key = [run.key0, run.key1];
    let rec_len = layout.record_len();
    let block_first = item.block * run.sub * WG;
    let mut out = ItemOutput {
        partial: vec![0.0; layout.len()],
        ..Default::default()
    };

    // Per-set constants.
    let paths = set.paths;
    let dt = set.dt;
    let sqrt_dt = set.sqrt_dt;
    let policy = set.policy;
    let mut lo = [0.0f32; N];
    let mut hi = [0.0f32; N];
    let mut inv_range = [0.0f32; N];
    let mut shift = [0.0f32; N];
    let mut pt = [0.0f32; N];
    let mut ptol = [0.0f32; N];
    for i in 0..N {
        lo[i] = set.lower[i];
        hi[i] = set.upper[i];
        inv_range[i] = set.inv_range[i];
        shift[i] = set.shift[i];
        pt[i] = set.passage_target[i];
        ptol[i] = set.passage_tol[i];
    }

    for sb in 0..run.sub {
        let first = block_first + sb * WG;
        if first >= paths {
            break;
        }
        for group in 0..(WG as usize / LANES) {
            let mut path = [0u32; LANES];
            let mut valid = [false; LANES];
            for lane in 0..LANES {
                path[lane] = first + (group * LANES + lane) as u32;
                valid[lane] = path[lane] < paths;
            }
            if !valid[0] {
                break;
            }

            // Initial state, jittered and clamped when x0_sd is set.
            let mut x = [[0.0f32; LANES]; N];
            for i in 0..N {
                x[i] = [set.x0[i]; LANES];
            }
            if set.jitter != 0 {
                let z = lane_normals::<N>(key, &path, INIT_STEP, set.set_index);
                for i in 0..N {
                    for lane in 0..LANES {
                        x[i][lane] = (x[i][lane] + set.x0_sd[i] * z[i][lane]).clamp(lo[i], hi[i]);
                    }
                }
            }

            // Current strategy's parameters, reloaded only when the policy switches.
            let mut cur = [NONE; LANES];
            let mut tgt = [[0.0f32; LANES]; N];
            let mut a = [[[0.0f32; LANES]; N]; N];
            let mut l = [[[0.0f32; LANES]; N]; N];
            let mut jac = [false; LANES];
            let mut seg = [0usize; LANES];
            let mut choice = [0u32; LANES];
            let mut rescuing = [NONE; LANES];

            let mut alive = valid;
            let mut fp = [NONE; LANES];
            let mut inc_n = [0.0f32; LANES];
            let mut inc_s = [[0.0f32; LANES]; N];
            let mut inc_q = [[[0.0f32; LANES]; N]; N];
            let mut occ = vec![[0.0f32; LANES]; flags.s];

            // First passage at t = 0 when the start is already within tolerance.
            for lane in 0..LANES {
                let mut inside = true;
                for i in 0..N {
                    inside = inside && (x[i][lane] - pt[i]).abs() <= ptol[i];
                }
                if inside && valid[lane] {
                    fp[lane] = 0;
                }
            }

            // Record 0: the initial state.
            record::<N>(&mut out.partial, 0, &x, &shift, &alive);
            if flags.record_paths && item.path_base != NONE {
                for lane in 0..LANES {
                    if path[lane] < set.record_paths {
                        write_path::<N>(
                            &mut out.paths,
                            path[lane] - block_first,
                            steps,
                            0,
                            &x,
                            lane,
                        );
                    }
                }
            }

            // Fixed policies load their strategy once; switching policies reload
            // it whenever the choice changes.
            let first_k = set.strategy;
            if flags.fixed_only {
                for lane in 0..LANES {
                    load_strategy::<N>(
                        &strategies[first_k as usize],
                        flags.any_jacobi,
                        &mut tgt,
                        &mut a,
                        &mut l,
                        &mut jac,
                        lane,
                    );
                }
            }
            let mut k = [first_k; LANES];
            let mut s = 0u32;
            for r in 1..run.records {
                // Steps up to the next record run without barriers.
                let s_end = (r * run.record_every).min(steps);
                while s < s_end {
                    // Policy: which strategy drives this step.
                    for lane in 0..LANES {
                        k[lane] = first_k;
                        if !flags.fixed_only {
                            if policy == policy_kind::SCHEDULE {
                                if seg[lane] + 1 < set.segments as usize
                                    && s >= set.seg_end[seg[lane]]
                                {
                                    seg[lane] += 1;
                                }
                                k[lane] = set.seg_strategy[seg[lane]];
                            } else if policy == policy_kind::GUARD {
                                for i in 0..N {
                                    if rescuing[lane] == i as u32
                                        && x[i][lane] > set.floors[i] + set.hysteresis
                                    {
                                        rescuing[lane] = NONE;
                                    }
                                }
                                for i in 0..N {
                                    if rescuing[lane] == NONE && x[i][lane] < set.floors[i] {
                                        rescuing[lane] = i as u32;
                                    }
                                }
                                if rescuing[lane] != NONE {
                                    k[lane] = set.rescue[rescuing[lane] as usize];
                                }
                            } else if policy == policy_kind::GREEDY {
                                if s.is_multiple_of(set.every) {
                                    let mut best = -3.0e38f32;
                                    let mut best_k = 0u32;
                                    for (c, st) in strategies.iter().enumerate() {
                                        let mut score =
                                            if set.weighted != 0 { 0.0f32 } else { 3.0e38 };
                                        for i in 0..N {
                                            let mut dr = 0.0f32;
                                            for j in 0..N {
                                                dr +=
                                                    st.a[i * NMAX + j] * (st.xstar[j] - x[j][lane]);
                                            }
                                            let zi = (x[i][lane] + dr * dt - lo[i]) * inv_range[i];
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
                                    choice[lane] = best_k;
                                }
                                k[lane] = choice[lane];
                            }
                        }
                        if !flags.fixed_only && k[lane] != cur[lane] {
                            cur[lane] = k[lane];
                            load_strategy::<N>(
                                &strategies[k[lane] as usize],
                                flags.any_jacobi,
                                &mut tgt,
                                &mut a,
                                &mut l,
                                &mut jac,
                                lane,
                            );
                        }
                    }

                    // Noise for this step: blocks 0.. of counter (path, s, set, b).
                    let z = lane_normals::<N>(key, &path, s, set.set_index);

                    // Euler–Maruyama step: x + A (x* - x) dt + L z sqrt(dt).
                    let mut e = [[0.0f32; LANES]; N];
                    for j in 0..N {
                        for lane in 0..LANES {
                            e[j][lane] = tgt[j][lane] - x[j][lane];
                        }
                    }
                    let mut xn = [[0.0f32; LANES]; N];
                    for i in 0..N {
                        for lane in 0..LANES {
                            let mut dr = 0.0f32;
                            for j in 0..N {
                                dr += a[i][j][lane] * e[j][lane];
                            }
                            let mut nz = 0.0f32;
                            for j in 0..=i {
                                nz += l[i][j][lane] * z[j][lane];
                            }
                            nz *= sqrt_dt;
                            if flags.any_jacobi && jac[lane] {
                                nz = nz
                                    * 2.0
                                    * ((x[i][lane] - lo[i]) * (hi[i] - x[i][lane]))
                                        .max(0.0)
                                        .sqrt()
                                    * inv_range[i];
                            }
                            let mut v = x[i][lane] + dr * dt + nz;
                            match flags.boundary {
                                Boundary::Clamp => v = v.clamp(lo[i], hi[i]),
                                Boundary::Reflect => {
                                    let w = hi[i] - lo[i];
                                    let p = 2.0 * w;
                                    let mut y = v - lo[i];
                                    y -= p * (y / p).floor();
                                    if y > w {
                                        y = p - y;
                                    }
                                    v = lo[i] + y;
                                }
                                Boundary::None => {}
                            }
                            xn[i][lane] = v;
                        }
                    }

                    for lane in 0..LANES {
                        if flags.check_finite {
                            for i in 0..N {
                                alive[lane] = alive[lane] && finite(xn[i][lane]);
                            }
                        }
                        if alive[lane] {
                            inc_n[lane] += 1.0;
                            for i in 0..N {
                                let di = xn[i][lane] - x[i][lane];
                                inc_s[i][lane] += di;
                                for j in i..N {
                                    inc_q[i][j][lane] += di * (xn[j][lane] - x[j][lane]);
                                }
                            }
                            if !flags.fixed_only {
                                occ[k[lane] as usize][lane] += 1.0;
                            }
                        }
                    }
                    x = xn;

                    // First passage: every objective within tolerance of the target.
                    for lane in 0..LANES {
                        if fp[lane] == NONE && alive[lane] {
                            let mut reached = true;
                            for i in 0..N {
                                reached = reached && (x[i][lane] - pt[i]).abs() <= ptol[i];
                            }
                            if reached {
                                fp[lane] = s + 1;
                            }
                        }
                    }

                    if flags.record_paths && item.path_base != NONE {
                        for lane in 0..LANES {
                            if path[lane] < set.record_paths {
                                write_path::<N>(
                                    &mut out.paths,
                                    path[lane] - block_first,
                                    steps,
                                    s + 1,
                                    &x,
                                    lane,
                                );
                            }
                        }
                    }

                    s += 1;
                }

                // Recorded moments every record_every steps and at the end.
                record::<N>(&mut out.partial, r as usize * rec_len, &x, &shift, &alive);
            }

            // Per-path outputs.
            for lane in 0..LANES {
                if !valid[lane] {
                    continue;
                }
                out.fp.push(fp[lane].min(steps + 1));
                if flags.keep_terminal && item.term_base != NONE && path[lane] < set.keep_terminal {
                    for i in 0..N {
                        out.terminal
                            .push(if alive[lane] { x[i][lane] } else { DEAD });
                    }
                }
            }

            // Terminal cross-products, increment sums and occupancy.
            let p = &mut out.partial;
            for lane in 0..LANES {
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
                    p[c] += f64::from(inc_n[lane]);
                    c += 1;
                    for i in 0..N {
                        p[c] += f64::from(inc_s[i][lane]);
                        c += 1;
                    }
                    for i in 0..N {
                        for j in i..N {
                            p[c] += f64::from(inc_q[i][j][lane]);
                            c += 1;
                        }
                    }
                    if !flags.fixed_only {
                        for (q, o) in occ.iter().enumerate() {
                            p[layout.occ() + q] += f64::from(o[lane]);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Adds one record (count, shifted sums, shifted sums of squares) at `at`.
#[inline(always)]
fn record<const N: usize>(
    p: &mut [f64],
    at: usize,
    x: &[[f32; LANES]; N],
    shift: &[f32; N],
    alive: &[bool; LANES],
) {
    for lane in 0..LANES {
        if alive[lane] {
            p[at] += 1.0;
            for i in 0..N {
                let d = x[i][lane] - shift[i];
                p[at + 1 + i] += f64::from(d);
                p[at + 1 + N + i] += f64::from(d * d);
            }
        }
    }
}

/// Stores the state of one recorded path at step `t`.
fn write_path<const N: usize>(
    out: &mut Vec<f32>,
    slot: u32,
    steps: u32,
    t: u32,
    x: &[[f32; LANES]; N],
    lane: usize,
) {
    let at = ((slot as usize) * (steps as usize + 1) + t as usize) * N;
    if out.len() < at + N {
        out.resize(at + N, 0.0);
    }
    for i in 0..N {
        out[at + i] = x[i][lane];
    }
}

/// Loads a strategy's parameters into one lane's private copies.
#[inline(always)]
#[allow(
    clippy::too_many_arguments,
    reason = "mirrors the WGSL helper's pointer arguments"
)]
fn load_strategy<const N: usize>(
    st: &crate::engine::layout::StrategyParams,
    any_jacobi: bool,
    tgt: &mut [[f32; LANES]; N],
    a: &mut [[[f32; LANES]; N]; N],
    l: &mut [[[f32; LANES]; N]; N],
    jac: &mut [bool; LANES],
    lane: usize,
) {
    jac[lane] = any_jacobi && st.jacobi != 0;
    for i in 0..N {
        tgt[i][lane] = st.xstar[i];
        for j in 0..N {
            a[i][j][lane] = st.a[i * NMAX + j];
            l[i][j][lane] = st.l[i * NMAX + j];
        }
    }
}
