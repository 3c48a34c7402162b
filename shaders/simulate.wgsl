// simulate: fused Euler–Maruyama integration of whole sample paths.
// Twin of src/engine/cpu/simulate.rs; keep the two in step, phase for phase.
//
// The host prefixes this file with a generated header (specialisation
// constants N, S, RS, BOUNDARY, FIXED_ONLY, ANY_JACOBI, CHECK_FINITE,
// KEEP_TERMINAL, RECORD_PATHS, GOALS) and rng.wgsl, then unrolls every loop marked
// `//@unroll` (see src/engine/gpu/shaders.rs). After unrolling, every private
// array is indexed by constants, so the state lives in registers.
//
// One workgroup owns one work item: a block of SUB×WG consecutive paths of
// one parameter set. It integrates the block's sub-blocks one after another,
// and sums the recorded moments over the workgroup in a fixed tree order into
// the item's slot of `partials`. The host combines the slots in f64, in block
// order, so results never depend on chunking or dispatch shape.

// Every shared constant (WG, NMAX, NONE, LIMIT_BITS, DEAD, POLICY_*,
// BOUNDARY_*), the buffer structs (RunParams, SetParams, StrategyParams,
// WorkItem) and the partial-slot offsets (partial_record, partial_cross,
// partial_incr, partial_occ, partial_goal) are generated into the header from
// src/engine/abi.rs and engine::PartialLayout; none is spelled out here.
//
// The kernel is split into the same phases as its CPU twin, under the same
// names: load_set, init_state, check_passage, check_goal, choose_strategy
// (choose_adaptive), em_step, accumulate, write_path, record_moments,
// write_outputs, flush_sums and flush_goal. The
// twin runs a group of paths per call where this file runs one per thread.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<storage, read> sets: array<SetParams>;
@group(0) @binding(2) var<storage, read> strategies: array<StrategyParams>;
@group(0) @binding(3) var<storage, read> work: array<WorkItem>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
@group(0) @binding(5) var<storage, read_write> hist: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> terminal: array<f32>;
@group(0) @binding(7) var<storage, read_write> paths_out: array<f32>;

// RS (values reduced per pass) comes from the header: 1 + 2N up to 15, so
// that a record costs one pass for up to 7 objectives.
var<workgroup> red: array<f32, WG * RS>; // one value per thread
var<workgroup> red2: array<f32, 16u * RS>; // sums of 16 threads

// ---- Workgroup reduction (no CPU twin: the CPU adds each path's values to
// its f64 partial directly) ----

// Sums red[v*WG + t] over the 256 threads t, for v < count, and adds the
// totals to partials[dst + v]. Two barriers and two fixed-order stages (16
// threads per value each add 16 entries, then one thread adds the 16 sums)
// instead of an 8-level tree: barriers are what CPU adapters pay for most.
// Callers write `red` before calling; `red` may be rewritten right after the
// call returns, since every read of it happens before the second barrier.
// Call in uniform control flow.
fn reduce_pass(lid: u32, count: u32, dst: u32) {
    workgroupBarrier();
    if (lid < 16u * count) {
        let v = lid / 16u;
        let g = lid % 16u;
        var acc = 0.0;
        for (var t = 0u; t < 16u; t++) {
            acc += red[v * WG + g * 16u + t];
        }
        red2[v * 16u + g] = acc;
    }
    workgroupBarrier();
    if (lid < count) {
        var acc = 0.0;
        for (var g = 0u; g < 16u; g++) {
            acc += red2[lid * 16u + g];
        }
        partials[dst + lid] += acc;
    }
}

// Values staged in `red` and not yet reduced: `count` of them, bound for
// partials[dst..].
struct Staging {
    count: u32,
    dst: u32,
}

// Reduces whatever is staged and moves `dst` past it. Call in uniform
// control flow (every thread stages the same number of values).
fn flush(lid: u32, st: ptr<function, Staging>) {
    if ((*st).count > 0u) {
        reduce_pass(lid, (*st).count, (*st).dst);
        (*st).dst += (*st).count;
        (*st).count = 0u;
    }
}

// Stages this thread's value for the next partial, and reduces a full pass
// of RS values at once: one pass per RS values keeps barriers few.
fn stage_and_flush(lid: u32, v: f32, st: ptr<function, Staging>) {
    red[(*st).count * WG + lid] = v;
    (*st).count += 1u;
    if ((*st).count == RS) {
        flush(lid, st);
    }
}

// ---- Phases, in the order a path meets them ----

// Per-set constants, held in registers for the whole block.
// Twin: SetConsts (cpu/simulate.rs). The scalars after `sqrt_dt` have no
// field in the twin, which reads its SetParams directly: here the step loop
// must not read `sets` at all, since a storage load there is not hoisted on
// CPU adapters (a per-lane gather every step, 20% of lavapipe's step time).
struct SetConsts {
    lo: array<f32, N>,
    hi: array<f32, N>,
    inv_range: array<f32, N>,
    shift: array<f32, N>,
    pt: array<f32, N>,
    ptol: array<f32, N>,
    dt: f32,
    sqrt_dt: f32,
    set_index: u32,
    policy: u32,
    strategy: u32,
    strategy_base: u32,
    // Goal and constraint boxes (GOALS only). Twin: the set's goal_lo, …
    goal_lo: array<f32, N>,
    goal_hi: array<f32, N>,
    cons_lo: array<f32, N>,
    cons_hi: array<f32, N>,
}

// The strategy driving a path and a private copy of its parameters, reloaded
// only when the policy switches. Twin: Active (cpu/simulate.rs).
struct Active {
    k: u32,
    cur: u32,
    seg: u32,
    choice: u32,
    rescuing: u32,
    // Adaptive: EWMA of normalised increments, previous state, latched
    // trigger. Twin: AdaptiveState (cpu/adaptive.rs).
    ewma: array<f32, N>,
    prev: array<f32, N>,
    latch: u32,
    tgt: array<f32, N>,
    a: array<f32, N * N>,
    l: array<f32, N * N>,
    jac: bool,
}

// A path's increment sums and strategy occupancy. Twin: Increments.
struct Increments {
    n: f32,
    s: array<f32, N>,
    q: array<f32, N * N>,
    occ: array<f32, S>,
}

// Copies the per-set constants out of the set buffer. Twin: load_set.
fn load_set(ps: u32) -> SetConsts {
    var c: SetConsts;
    //@unroll
    for (var i = 0u; i < N; i++) {
        c.lo[i] = sets[ps].lower[i];
        c.hi[i] = sets[ps].upper[i];
        c.inv_range[i] = sets[ps].inv_range[i];
        c.shift[i] = sets[ps].shift[i];
        c.pt[i] = sets[ps].passage_target[i];
        c.ptol[i] = sets[ps].passage_tol[i];
    }
    c.dt = sets[ps].dt;
    c.sqrt_dt = sets[ps].sqrt_dt;
    c.set_index = sets[ps].set_index;
    c.policy = sets[ps].policy;
    c.strategy = sets[ps].strategy;
    c.strategy_base = sets[ps].strategy_base;
    if (GOALS) {
        //@unroll
        for (var i = 0u; i < N; i++) {
            c.goal_lo[i] = sets[ps].goal_lo[i];
            c.goal_hi[i] = sets[ps].goal_hi[i];
            c.cons_lo[i] = sets[ps].cons_lo[i];
            c.cons_hi[i] = sets[ps].cons_hi[i];
        }
    }
    return c;
}

// The initial state: x0, jittered and clamped when x0_sd is set (noise from
// the reserved step INIT_STEP). Twin: init_state.
fn init_state(ps: u32, sc: SetConsts, key: vec2<u32>, path: u32) -> array<f32, N> {
    var x: array<f32, N>;
    //@unroll
    for (var i = 0u; i < N; i++) {
        x[i] = sets[ps].x0[i];
    }
    if (sets[ps].jitter != 0u) {
        let z = step_normals(key, path, INIT_STEP, sc.set_index);
        //@unroll
        for (var i = 0u; i < N; i++) {
            x[i] = clamp(x[i] + sets[ps].x0_sd[i] * z[i], sc.lo[i], sc.hi[i]);
        }
    }
    return x;
}

// First passage: sets fp to t when an eligible path that has not yet passed
// has every objective within tolerance of the target. Twin: check_passage.
fn check_passage(fp: ptr<function, u32>, sc: SetConsts, x: array<f32, N>, t: u32, eligible: bool) {
    if (*fp == NONE && eligible) {
        var reached = true;
        //@unroll
        for (var i = 0u; i < N; i++) {
            reached = reached && abs(x[i] - sc.pt[i]) <= sc.ptol[i];
        }
        if (reached) {
            *fp = t;
        }
    }
}

// A path's goal tracking: its first step in the goal region (NONE: not
// yet) and whether its constraint has held so far. Twin: GoalTrack.
struct GoalTrack {
    reached: u32,
    held: bool,
}

// At step t: a path that is not eligible (invalid or non-finite) has broken
// its constraint; an eligible one breaks it outside the constraint box, and
// reaches the goal the first time it is inside the goal box. Twin: check_goal.
fn check_goal(gt: ptr<function, GoalTrack>, sc: SetConsts, x: array<f32, N>, t: u32, eligible: bool) {
    if (GOALS) {
        var in_goal = eligible;
        var in_cons = eligible;
        //@unroll
        for (var i = 0u; i < N; i++) {
            in_goal = in_goal && x[i] >= sc.goal_lo[i] && x[i] <= sc.goal_hi[i];
            in_cons = in_cons && x[i] >= sc.cons_lo[i] && x[i] <= sc.cons_hi[i];
        }
        (*gt).held = (*gt).held && in_cons;
        if ((*gt).reached == NONE && in_goal) {
            (*gt).reached = t;
        }
    }
}

// Loads strategy `k` (an index into `strategies`) into the private copies.
// Twin: load_strategy.
fn load_strategy(k: u32, st: ptr<function, Active>) {
    (*st).jac = ANY_JACOBI && strategies[k].jacobi != 0u;
    //@unroll
    for (var i = 0u; i < N; i++) {
        (*st).tgt[i] = strategies[k].xstar[i];
        //@unroll
        for (var j = 0u; j < N; j++) {
            (*st).a[i * N + j] = strategies[k].a[i * NMAX + j];
            (*st).l[i * N + j] = strategies[k].l[i * NMAX + j];
        }
    }
}

// Whether adaptive trigger t holds: a latched trigger until its release
// condition `off`, another when its condition `on` fires; never without a
// strategy. Twin: holds (cpu/adaptive.rs).
fn adaptive_holds(latch: u32, t: u32, strategy: u32, on: bool, off: bool) -> bool {
    if (strategy == NONE) {
        return false;
    }
    if (latch == t) {
        return !off;
    }
    return on;
}

// The adaptive policy (model::PolicySpec::Adaptive documents the rule): the
// EWMA of the path's normalised increments, and every `every` steps the
// floor, conflict and stall triggers in that order. Twin: choose_adaptive.
fn choose_adaptive(ps: u32, sc: SetConsts, s: u32, x: array<f32, N>, st: ptr<function, Active>) -> u32 {
    let alpha = sets[ps].alpha;
    //@unroll
    for (var i = 0u; i < N; i++) {
        if (s > 0u) {
            let d = (x[i] - (*st).prev[i]) * sc.inv_range[i];
            (*st).ewma[i] += alpha * (d - (*st).ewma[i]);
        }
        (*st).prev[i] = x[i];
    }
    if (s % sets[ps].every == 0u) {
        var zmin = 3.0e38;
        var emin = 3.0e38;
        var emax = -3.0e38;
        var esum = 0.0;
        //@unroll
        for (var i = 0u; i < N; i++) {
            zmin = min(zmin, (x[i] - sc.lo[i]) * sc.inv_range[i]);
            emin = min(emin, (*st).ewma[i]);
            emax = max(emax, (*st).ewma[i]);
            esum += (*st).ewma[i];
        }
        let ready = s >= sets[ps].warmup;
        let h = sets[ps].hysteresis;
        let c = sets[ps].conflict;
        let m = sets[ps].floor_margin;
        let sl = sets[ps].stall * f32(N);
        let latch = (*st).latch;
        // Each trigger's condition and release, named first (a `<` inside
        // a call's arguments would read as a template list).
        let floor_on = zmin < m;
        let floor_off = zmin >= m * (1.0 + h);
        let conflict_on = ready && emin < -c && emax > c;
        let conflict_off = !ready || emin >= -c * (1.0 - h) || emax <= c * (1.0 - h);
        let stall_on = ready && esum < sl;
        let stall_off = !ready || esum >= sl * (1.0 + h);
        var next = NONE;
        if (adaptive_holds(latch, 0u, sets[ps].on_floor, floor_on, floor_off)) {
            next = 0u;
        } else if (adaptive_holds(latch, 1u, sets[ps].on_conflict, conflict_on, conflict_off)) {
            next = 1u;
        } else if (adaptive_holds(latch, 2u, sets[ps].on_stall, stall_on, stall_off)) {
            next = 2u;
        }
        (*st).latch = next;
    }
    if ((*st).latch == 0u) {
        return sets[ps].on_floor;
    } else if ((*st).latch == 1u) {
        return sets[ps].on_conflict;
    } else if ((*st).latch == 2u) {
        return sets[ps].on_stall;
    }
    return sc.strategy;
}

// Policy: which strategy drives step s from state x, and a reload of its
// parameters when it changed (a uniform branch on GPUs for fixed policies,
// which load their strategy once). Twin: choose_strategy.
fn choose_strategy(ps: u32, sc: SetConsts, s: u32, x: array<f32, N>, st: ptr<function, Active>) {
    let sbase = sc.strategy_base;
    let policy = sc.policy;
    (*st).k = sc.strategy;
    if (!FIXED_ONLY) {
        if (policy == POLICY_SCHEDULE) {
            if ((*st).seg + 1u < sets[ps].segments && s >= sets[ps].seg_end[(*st).seg]) {
                (*st).seg += 1u;
            }
            (*st).k = sets[ps].seg_strategy[(*st).seg];
        } else if (policy == POLICY_GUARD) {
            //@unroll
            for (var i = 0u; i < N; i++) {
                if ((*st).rescuing == i && x[i] > sets[ps].floors[i] + sets[ps].hysteresis) {
                    (*st).rescuing = NONE;
                }
            }
            //@unroll
            for (var i = 0u; i < N; i++) {
                if ((*st).rescuing == NONE && x[i] < sets[ps].floors[i]) {
                    (*st).rescuing = i;
                }
            }
            if ((*st).rescuing != NONE) {
                (*st).k = sets[ps].rescue[(*st).rescuing];
            }
        } else if (policy == POLICY_GREEDY) {
            if (s % sets[ps].every == 0u) {
                var best = -3.0e38;
                var best_k = 0u;
                for (var c = 0u; c < sets[ps].strategies; c++) {
                    var score = 3.0e38;
                    if (sets[ps].weighted != 0u) {
                        score = 0.0;
                    }
                    //@unroll
                    for (var i = 0u; i < N; i++) {
                        var dr = 0.0;
                        //@unroll
                        for (var j = 0u; j < N; j++) {
                            dr += strategies[sbase + c].a[i * NMAX + j] * (strategies[sbase + c].xstar[j] - x[j]);
                        }
                        let zi = (x[i] + dr * sc.dt - sc.lo[i]) * sc.inv_range[i];
                        if (sets[ps].weighted != 0u) {
                            score += sets[ps].weights[i] * zi;
                        } else {
                            score = min(score, zi);
                        }
                    }
                    if (score > best) {
                        best = score;
                        best_k = c;
                    }
                }
                (*st).choice = best_k;
            }
            (*st).k = (*st).choice;
        } else if (policy == POLICY_ADAPTIVE) {
            (*st).k = choose_adaptive(ps, sc, s, x, st);
        }
        if ((*st).k != (*st).cur) {
            (*st).cur = (*st).k;
            load_strategy(sbase + (*st).k, st);
        }
    }
}

// The boundary rule applied to one coordinate. Twin: apply_boundary.
fn apply_boundary(v: f32, lo: f32, hi: f32) -> f32 {
    if (BOUNDARY == BOUNDARY_CLAMP) {
        return clamp(v, lo, hi);
    } else if (BOUNDARY == BOUNDARY_REFLECT) {
        let w = hi - lo;
        let p = 2.0 * w;
        var y = v - lo;
        y = y - p * floor(y / p);
        if (y > w) {
            y = p - y;
        }
        // The f32 fold can round to just outside [0, w], and lo + y past hi.
        return clamp(lo + y, lo, hi);
    }
    return v;
}

// One Euler–Maruyama step from x with normals z: drift A (x* − x) dt,
// diffusion L z √dt (scaled by 2√((x − lo)(hi − x))/(hi − lo) for jacobi
// strategies), then the boundary rule. Twin: em_step.
fn em_step(sc: SetConsts, st: ptr<function, Active>, x: array<f32, N>, z: array<f32, N>) -> array<f32, N> {
    var e: array<f32, N>;
    //@unroll
    for (var j = 0u; j < N; j++) {
        e[j] = (*st).tgt[j] - x[j];
    }
    var xn: array<f32, N>;
    //@unroll
    for (var i = 0u; i < N; i++) {
        var dr = 0.0;
        //@unroll
        for (var j = 0u; j < N; j++) {
            dr += (*st).a[i * N + j] * e[j];
        }
        var nz = 0.0;
        //@unroll
        for (var j = 0u; j <= i; j++) {
            nz += (*st).l[i * N + j] * z[j];
        }
        nz = nz * sc.sqrt_dt;
        if (ANY_JACOBI && (*st).jac) {
            nz = nz * 2.0 * sqrt(max((x[i] - sc.lo[i]) * (sc.hi[i] - x[i]), 0.0)) * sc.inv_range[i];
        }
        xn[i] = apply_boundary(x[i] + dr * sc.dt + nz, sc.lo[i], sc.hi[i]);
    }
    return xn;
}

// |v| below the finite limit (NaN and ∞ fail too): compares bit patterns,
// the one test that survives every driver's fast-math. Twin: finite.
fn finite(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7FFFFFFFu) < LIMIT_BITS;
}

// After a step from x to xn driven by strategy k: marks a path that left the
// finite range dead, and adds a live path's increment sums and occupancy.
// Twin: accumulate.
fn accumulate(k: u32, x: array<f32, N>, xn: array<f32, N>, alive: ptr<function, bool>, inc: ptr<function, Increments>) {
    if (CHECK_FINITE) {
        //@unroll
        for (var i = 0u; i < N; i++) {
            *alive = *alive && finite(xn[i]);
        }
    }
    if (*alive) {
        (*inc).n += 1.0;
        //@unroll
        for (var i = 0u; i < N; i++) {
            let di = xn[i] - x[i];
            (*inc).s[i] += di;
            //@unroll
            for (var j = i; j < N; j++) {
                (*inc).q[i * N + j] += di * (xn[j] - x[j]);
            }
        }
        if (!FIXED_ONLY) {
            //@unroll
            for (var c = 0u; c < S; c++) {
                (*inc).occ[c] += select(0.0, 1.0, c == k);
            }
        }
    }
}

// Stores the state of a recorded path (slot `slot` of paths_out) at step t.
// Twin: write_path.
fn write_path(slot: u32, t: u32, x: array<f32, N>) {
    let o = (slot * (run.steps + 1u) + t) * N;
    //@unroll
    for (var i = 0u; i < N; i++) {
        paths_out[o + i] = x[i];
    }
}

// Adds one record at partials[at..]: the count of finite paths, their
// shifted sums and shifted sums of squares, summed over the workgroup.
// Call in uniform control flow. Twin: record_moments.
fn record_moments(lid: u32, at: u32, x: array<f32, N>, shift: array<f32, N>, alive: bool) {
    var st = Staging(0u, at);
    stage_and_flush(lid, select(0.0, 1.0, alive), &st);
    //@unroll
    for (var i = 0u; i < N; i++) {
        stage_and_flush(lid, select(0.0, x[i] - shift[i], alive), &st);
    }
    //@unroll
    for (var i = 0u; i < N; i++) {
        let d = select(0.0, x[i] - shift[i], alive);
        stage_and_flush(lid, d * d, &st);
    }
    flush(lid, &st);
}

// Per-path outputs of a valid path: its first-passage bin (steps + 1 =
// never) and, when kept, its terminal state (DEAD if non-finite).
// Twin: write_outputs.
fn write_outputs(item: WorkItem, path: u32, slot: u32, fp: u32, x: array<f32, N>, alive: bool) {
    let ps = item.pset;
    atomicAdd(&hist[ps * run.hist_len + min(fp, run.steps + 1u)], 1u);
    if (KEEP_TERMINAL && item.term_base != NONE && path < sets[ps].keep_terminal) {
        let o = (item.term_base + slot) * N;
        //@unroll
        for (var i = 0u; i < N; i++) {
            terminal[o + i] = select(DEAD, x[i], alive);
        }
    }
}

// Adds the sub-block's terminal cross-products (live paths), increment sums
// and occupancy (valid paths) to the item's partial slot at `base`.
// Call in uniform control flow. Twin: flush_sums.
fn flush_sums(lid: u32, base: u32, x: array<f32, N>, shift: array<f32, N>, alive: bool, valid: bool, inc: ptr<function, Increments>) {
    var st = Staging(0u, base + partial_cross(run.records));
    //@unroll
    for (var i = 0u; i < N; i++) {
        //@unroll
        for (var j = i; j < N; j++) {
            stage_and_flush(lid, select(0.0, (x[i] - shift[i]) * (x[j] - shift[j]), alive), &st);
        }
    }
    flush(lid, &st);
    st.dst = base + partial_incr(run.records);
    stage_and_flush(lid, select(0.0, (*inc).n, valid), &st);
    //@unroll
    for (var i = 0u; i < N; i++) {
        stage_and_flush(lid, select(0.0, (*inc).s[i], valid), &st);
    }
    //@unroll
    for (var i = 0u; i < N; i++) {
        //@unroll
        for (var j = i; j < N; j++) {
            stage_and_flush(lid, select(0.0, (*inc).q[i * N + j], valid), &st);
        }
    }
    flush(lid, &st);
    if (!FIXED_ONLY) {
        st.dst = base + partial_occ(run.records);
        //@unroll
        for (var c = 0u; c < S; c++) {
            stage_and_flush(lid, select(0.0, (*inc).occ[c], valid), &st);
        }
        flush(lid, &st);
    }
}

// Adds a valid path's first goal step (steps + 1 = never) to its set's goal
// histogram, and the sub-block's goal sums (partial_goal: valid, reached,
// Σ min(τ, steps), held, finite, Σ smallest normalised objective) to the
// item's slot at `base`. Call in uniform control flow. Twin: flush_goal.
fn flush_goal(lid: u32, base: u32, ps: u32, gt: GoalTrack, sc: SetConsts, x: array<f32, N>, alive: bool, valid: bool) {
    if (GOALS) {
        let tau = min(gt.reached, run.steps + 1u);
        if (valid) {
            atomicAdd(&hist[run.goal_hist + ps * run.hist_len + tau], 1u);
        }
        var worst = 3.0e38;
        //@unroll
        for (var i = 0u; i < N; i++) {
            worst = min(worst, (x[i] - sc.lo[i]) * sc.inv_range[i]);
        }
        var st = Staging(0u, base + partial_goal(run.records));
        stage_and_flush(lid, select(0.0, 1.0, valid), &st);
        stage_and_flush(lid, select(0.0, 1.0, valid && tau <= run.steps), &st);
        stage_and_flush(lid, select(0.0, f32(min(tau, run.steps)), valid), &st);
        stage_and_flush(lid, select(0.0, 1.0, valid && gt.held), &st);
        stage_and_flush(lid, select(0.0, 1.0, valid && alive), &st);
        stage_and_flush(lid, select(0.0, worst, valid && alive), &st);
        flush(lid, &st);
    }
}

// ---- The kernel: one workgroup per work item ----

@compute @workgroup_size(WG)
fn simulate(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let item_index = wid.y * nwg.x + wid.x;
    if (item_index >= run.items) {
        return;
    }
    let item = work[item_index];
    let ps = item.pset;
    let key = vec2<u32>(run.key0, run.key1);
    let base = item_index * run.partial_len;
    let block_first = item.block * run.sub * WG;
    let paths = sets[ps].paths;
    let sc = load_set(ps);

    for (var sb = 0u; sb < run.sub; sb++) {
        let first = block_first + sb * WG;
        if (first >= paths) {
            break;
        }
        let path = first + lid;
        let valid = path < paths;
        // The path's place in the block, for its rows of terminal/paths_out.
        let slot = path - block_first;
        let keeps_path = RECORD_PATHS && item.path_base != NONE && path < sets[ps].record_paths;

        var x = init_state(ps, sc, key, path);
        // Function-scope variables start zeroed (WGSL), so the sums start at 0.
        var st: Active;
        st.cur = NONE;
        st.rescuing = NONE;
        st.latch = NONE;
        var alive = valid;
        var fp = NONE;
        var inc: Increments;
        var gt = GoalTrack(NONE, true);

        check_passage(&fp, sc, x, 0u, valid);
        check_goal(&gt, sc, x, 0u, valid);
        record_moments(lid, base + partial_record(0u), x, sc.shift, alive);
        if (keeps_path) {
            write_path(item.path_base + slot, 0u, x);
        }
        if (FIXED_ONLY) {
            load_strategy(sc.strategy_base + sc.strategy, &st);
        }
        var s = 0u;
        for (var r = 1u; r < run.records; r++) {
          // Steps up to the next record run without barriers.
          let s_end = min(r * run.record_every, run.steps);
          for (; s < s_end; s++) {
            choose_strategy(ps, sc, s, x, &st);
            let z = step_normals(key, path, s, sc.set_index);
            let xn = em_step(sc, &st, x, z);
            accumulate(st.k, x, xn, &alive, &inc);
            x = xn;
            check_passage(&fp, sc, x, s + 1u, alive);
            check_goal(&gt, sc, x, s + 1u, alive);
            if (keeps_path) {
                write_path(item.path_base + slot, s + 1u, x);
            }
          }
          // Recorded moments every record_every steps and at the end.
          record_moments(lid, base + partial_record(r), x, sc.shift, alive);
        }

        if (valid) {
            write_outputs(item, path, slot, fp, x, alive);
        }
        flush_sums(lid, base, x, sc.shift, alive, valid, &inc);
        flush_goal(lid, base, ps, gt, sc, x, alive, valid);
    }
}
