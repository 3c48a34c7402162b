// simulate: fused Euler–Maruyama integration of whole sample paths.
// Twin of src/engine/cpu/simulate.rs; keep the two in step, line for line.
//
// The host prefixes this file with a generated header (specialisation
// constants N, S, BOUNDARY, FIXED_ONLY, ANY_JACOBI, CHECK_FINITE,
// KEEP_TERMINAL, RECORD_PATHS) and rng.wgsl, then unrolls every loop marked
// `//@unroll` (see src/engine/gpu/shaders.rs). After unrolling, every private
// array is indexed by constants, so the state lives in registers.
//
// One workgroup owns one work item: a block of SUB×WG consecutive paths of
// one parameter set. It integrates the block's sub-blocks one after another,
// and sums the recorded moments over the workgroup in a fixed tree order into
// the item's slot of `partials`. The host combines the slots in f64, in block
// order, so results never depend on chunking or dispatch shape.

const WG: u32 = 256u;
const NMAX: u32 = 8u;
const NONE: u32 = 0xFFFFFFFFu;
// |x| bits at or above 1e15: the path counts as non-finite.
const LIMIT_BITS: u32 = 0x58635FA9u;
// Terminal value written for a non-finite path (itself beyond the limit).
const DEAD: f32 = 3.0e38;

const POLICY_FIXED: u32 = 0u;
const POLICY_SCHEDULE: u32 = 1u;
const POLICY_GUARD: u32 = 2u;
const POLICY_GREEDY: u32 = 3u;

const BOUNDARY_CLAMP: u32 = 0u;
const BOUNDARY_REFLECT: u32 = 1u;

// Mirrors engine::layout::RunParams.
struct RunParams {
    items: u32,
    steps: u32,
    record_every: u32,
    records: u32,
    key0: u32,
    key1: u32,
    sub: u32,
    partial_len: u32,
    hist_len: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// Mirrors engine::layout::SetParams.
struct SetParams {
    paths: u32,
    set_index: u32,
    policy: u32,
    strategy: u32,
    every: u32,
    weighted: u32,
    segments: u32,
    strategy_base: u32,
    strategies: u32,
    keep_terminal: u32,
    record_paths: u32,
    jitter: u32,
    dt: f32,
    sqrt_dt: f32,
    hysteresis: f32,
    pad0: f32,
    lower: array<f32, 8>,
    upper: array<f32, 8>,
    inv_range: array<f32, 8>,
    x0: array<f32, 8>,
    x0_sd: array<f32, 8>,
    shift: array<f32, 8>,
    passage_target: array<f32, 8>,
    passage_tol: array<f32, 8>,
    floors: array<f32, 8>,
    weights: array<f32, 8>,
    rescue: array<u32, 8>,
    seg_strategy: array<u32, 16>,
    seg_end: array<u32, 16>,
}

// Mirrors engine::layout::StrategyParams. `a` and `l` are row-major with
// stride NMAX; `l` is lower triangular.
struct StrategyParams {
    xstar: array<f32, 8>,
    a: array<f32, 64>,
    l: array<f32, 64>,
    jacobi: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// Mirrors engine::layout::WorkItem.
struct WorkItem {
    pset: u32,
    block: u32,
    term_base: u32,
    path_base: u32,
}

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

// The slot of value v of this thread in `red`.
fn slot(v: u32, lid: u32) -> u32 {
    return v * WG + lid;
}

// Adds one record at partials[at..]: the count of finite paths, their
// shifted sums and shifted sums of squares. Call in uniform control flow.
fn record(lid: u32, at: u32, x: array<f32, N>, shift: array<f32, N>, alive: bool) {
    var c = 0u;
    var dst = at;
    red[slot(c, lid)] = select(0.0, 1.0, alive);
    c += 1u;
    //@unroll
    for (var i = 0u; i < N; i++) {
        red[slot(c, lid)] = select(0.0, x[i] - shift[i], alive);
        c += 1u;
        if (c == RS) {
            reduce_pass(lid, c, dst);
            dst += c;
            c = 0u;
        }
    }
    //@unroll
    for (var i = 0u; i < N; i++) {
        let d = select(0.0, x[i] - shift[i], alive);
        red[slot(c, lid)] = d * d;
        c += 1u;
        if (c == RS) {
            reduce_pass(lid, c, dst);
            dst += c;
            c = 0u;
        }
    }
    if (c > 0u) {
        reduce_pass(lid, c, dst);
    }
}

fn finite(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7FFFFFFFu) < LIMIT_BITS;
}

// Loads strategy `k` (an index into `strategies`) into the private copies.
fn load_strategy(
    k: u32,
    tgt: ptr<function, array<f32, N>>,
    a: ptr<function, array<f32, N * N>>,
    l: ptr<function, array<f32, N * N>>,
    jac: ptr<function, bool>,
) {
    *jac = ANY_JACOBI && strategies[k].jacobi != 0u;
    //@unroll
    for (var i = 0u; i < N; i++) {
        (*tgt)[i] = strategies[k].xstar[i];
        //@unroll
        for (var j = 0u; j < N; j++) {
            (*a)[i * N + j] = strategies[k].a[i * NMAX + j];
            (*l)[i * N + j] = strategies[k].l[i * NMAX + j];
        }
    }
}

@compute @workgroup_size(256)
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
    let steps = run.steps;
    let key = vec2<u32>(run.key0, run.key1);
    let base = item_index * run.partial_len;
    let rec_len = 1u + 2u * N;
    let cross_at = run.records * rec_len;
    let incr_at = cross_at + N * (N + 1u) / 2u;
    let occ_at = incr_at + 1u + N + N * (N + 1u) / 2u;
    let block_first = item.block * run.sub * WG;

    // Per-set constants, held in registers for the whole block.
    let paths = sets[ps].paths;
    let dt = sets[ps].dt;
    let sqrt_dt = sets[ps].sqrt_dt;
    let policy = sets[ps].policy;
    let sbase = sets[ps].strategy_base;
    let set_index = sets[ps].set_index;
    let first_k = sets[ps].strategy;
    var lo: array<f32, N>;
    var hi: array<f32, N>;
    var inv_range: array<f32, N>;
    var shift: array<f32, N>;
    var pt: array<f32, N>;
    var ptol: array<f32, N>;
    //@unroll
    for (var i = 0u; i < N; i++) {
        lo[i] = sets[ps].lower[i];
        hi[i] = sets[ps].upper[i];
        inv_range[i] = sets[ps].inv_range[i];
        shift[i] = sets[ps].shift[i];
        pt[i] = sets[ps].passage_target[i];
        ptol[i] = sets[ps].passage_tol[i];
    }

    for (var sb = 0u; sb < run.sub; sb++) {
        let first = block_first + sb * WG;
        if (first >= paths) {
            break;
        }
        let path = first + lid;
        let valid = path < paths;

        // Initial state, jittered and clamped when x0_sd is set.
        var x: array<f32, N>;
        //@unroll
        for (var i = 0u; i < N; i++) {
            x[i] = sets[ps].x0[i];
        }
        if (sets[ps].jitter != 0u) {
            var zb: array<vec4<f32>, (N + 3u) / 4u>;
            //@unroll
            for (var b = 0u; b < (N + 3u) / 4u; b++) {
                zb[b] = normals4(philox4x32_10(vec4<u32>(path, INIT_STEP, set_index, b), key));
            }
            //@unroll
            for (var i = 0u; i < N; i++) {
                x[i] = clamp(x[i] + sets[ps].x0_sd[i] * zb[i / 4u][i % 4u], lo[i], hi[i]);
            }
        }

        // Current strategy's parameters, reloaded only when the policy switches.
        var cur = NONE;
        var tgt: array<f32, N>;
        var a: array<f32, N * N>;
        var l: array<f32, N * N>;
        var jac = false;
        var seg = 0u;
        var choice = 0u;
        var rescuing = NONE;

        var alive = valid;
        var fp = NONE;
        var inc_n = 0.0;
        var inc_s: array<f32, N>;
        var inc_q: array<f32, N * N>;
        //@unroll
        for (var i = 0u; i < N; i++) {
            inc_s[i] = 0.0;
            //@unroll
            for (var j = 0u; j < N; j++) {
                inc_q[i * N + j] = 0.0;
            }
        }
        var occ: array<f32, S>;
        //@unroll
        for (var c = 0u; c < S; c++) {
            occ[c] = 0.0;
        }

        // First passage at t = 0 when the start is already within tolerance.
        var inside = true;
        //@unroll
        for (var i = 0u; i < N; i++) {
            inside = inside && abs(x[i] - pt[i]) <= ptol[i];
        }
        if (inside && valid) {
            fp = 0u;
        }

        // Record 0: the initial state.
        record(lid, base, x, shift, alive);
        if (RECORD_PATHS && item.path_base != NONE && path < sets[ps].record_paths) {
            let o = ((item.path_base + path - block_first) * (steps + 1u)) * N;
            //@unroll
            for (var i = 0u; i < N; i++) {
                paths_out[o + i] = x[i];
            }
        }

        // Fixed policies load their strategy once; switching policies reload
        // it whenever the choice changes (a uniform branch on GPUs).
        if (FIXED_ONLY) {
            load_strategy(sbase + first_k, &tgt, &a, &l, &jac);
        }
        var s = 0u;
        for (var r = 1u; r < run.records; r++) {
          // Steps up to the next record run without barriers.
          let s_end = min(r * run.record_every, steps);
          for (; s < s_end; s++) {
            // Policy: which strategy drives this step.
            var k = first_k;
            if (!FIXED_ONLY) {
                if (policy == POLICY_SCHEDULE) {
                    if (seg + 1u < sets[ps].segments && s >= sets[ps].seg_end[seg]) {
                        seg += 1u;
                    }
                    k = sets[ps].seg_strategy[seg];
                } else if (policy == POLICY_GUARD) {
                    //@unroll
                    for (var i = 0u; i < N; i++) {
                        if (rescuing == i && x[i] > sets[ps].floors[i] + sets[ps].hysteresis) {
                            rescuing = NONE;
                        }
                    }
                    //@unroll
                    for (var i = 0u; i < N; i++) {
                        if (rescuing == NONE && x[i] < sets[ps].floors[i]) {
                            rescuing = i;
                        }
                    }
                    if (rescuing != NONE) {
                        k = sets[ps].rescue[rescuing];
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
                                let zi = (x[i] + dr * dt - lo[i]) * inv_range[i];
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
                        choice = best_k;
                    }
                    k = choice;
                }
            }
            if (!FIXED_ONLY && k != cur) {
                cur = k;
                load_strategy(sbase + k, &tgt, &a, &l, &jac);
            }

            // Noise for this step: blocks 0.. of counter (path, s, set, b).
            var zb: array<vec4<f32>, (N + 3u) / 4u>;
            //@unroll
            for (var b = 0u; b < (N + 3u) / 4u; b++) {
                zb[b] = normals4(philox4x32_10(vec4<u32>(path, s, set_index, b), key));
            }
            var z: array<f32, N>;
            //@unroll
            for (var i = 0u; i < N; i++) {
                z[i] = zb[i / 4u][i % 4u];
            }

            // Euler–Maruyama step: x + A (x* - x) dt + L z sqrt(dt).
            var e: array<f32, N>;
            //@unroll
            for (var j = 0u; j < N; j++) {
                e[j] = tgt[j] - x[j];
            }
            var xn: array<f32, N>;
            //@unroll
            for (var i = 0u; i < N; i++) {
                var dr = 0.0;
                //@unroll
                for (var j = 0u; j < N; j++) {
                    dr += a[i * N + j] * e[j];
                }
                var nz = 0.0;
                //@unroll
                for (var j = 0u; j <= i; j++) {
                    nz += l[i * N + j] * z[j];
                }
                nz = nz * sqrt_dt;
                if (ANY_JACOBI && jac) {
                    nz = nz * 2.0 * sqrt(max((x[i] - lo[i]) * (hi[i] - x[i]), 0.0)) * inv_range[i];
                }
                xn[i] = x[i] + dr * dt + nz;
                if (BOUNDARY == BOUNDARY_CLAMP) {
                    xn[i] = clamp(xn[i], lo[i], hi[i]);
                } else if (BOUNDARY == BOUNDARY_REFLECT) {
                    let w = hi[i] - lo[i];
                    let p = 2.0 * w;
                    var y = xn[i] - lo[i];
                    y = y - p * floor(y / p);
                    if (y > w) {
                        y = p - y;
                    }
                    xn[i] = lo[i] + y;
                }
            }

            if (CHECK_FINITE) {
                //@unroll
                for (var i = 0u; i < N; i++) {
                    alive = alive && finite(xn[i]);
                }
            }
            if (alive) {
                inc_n += 1.0;
                //@unroll
                for (var i = 0u; i < N; i++) {
                    let di = xn[i] - x[i];
                    inc_s[i] += di;
                    //@unroll
                    for (var j = i; j < N; j++) {
                        inc_q[i * N + j] += di * (xn[j] - x[j]);
                    }
                }
                if (!FIXED_ONLY) {
                    //@unroll
                    for (var c = 0u; c < S; c++) {
                        occ[c] += select(0.0, 1.0, c == k);
                    }
                }
            }
            //@unroll
            for (var i = 0u; i < N; i++) {
                x[i] = xn[i];
            }

            // First passage: every objective within tolerance of the target.
            if (fp == NONE && alive) {
                var reached = true;
                //@unroll
                for (var i = 0u; i < N; i++) {
                    reached = reached && abs(x[i] - pt[i]) <= ptol[i];
                }
                if (reached) {
                    fp = s + 1u;
                }
            }

            if (RECORD_PATHS && item.path_base != NONE && path < sets[ps].record_paths) {
                let o = ((item.path_base + path - block_first) * (steps + 1u) + s + 1u) * N;
                //@unroll
                for (var i = 0u; i < N; i++) {
                    paths_out[o + i] = x[i];
                }
            }

          }

          // Recorded moments every record_every steps and at the end.
          record(lid, base + r * rec_len, x, shift, alive);
        }

        // Per-path outputs.
        if (valid) {
            atomicAdd(&hist[ps * run.hist_len + min(fp, steps + 1u)], 1u);
            if (KEEP_TERMINAL && item.term_base != NONE && path < sets[ps].keep_terminal) {
                let o = (item.term_base + path - block_first) * N;
                //@unroll
                for (var i = 0u; i < N; i++) {
                    terminal[o + i] = select(DEAD, x[i], alive);
                }
            }
        }

        // Terminal cross-products, increment sums and occupancy.
        var c = 0u;
        var dst = base + cross_at;
        //@unroll
        for (var i = 0u; i < N; i++) {
            //@unroll
            for (var j = i; j < N; j++) {
                red[slot(c, lid)] = select(0.0, (x[i] - shift[i]) * (x[j] - shift[j]), alive);
                c += 1u;
                if (c == RS) {
                    reduce_pass(lid, c, dst);
                    dst += c;
                    c = 0u;
                }
            }
        }
        if (c > 0u) {
            reduce_pass(lid, c, dst);
            dst += c;
            c = 0u;
        }
        red[slot(0u, lid)] = select(0.0, inc_n, valid);
        //@unroll
        for (var i = 0u; i < N; i++) {
            red[slot(1u + i, lid)] = select(0.0, inc_s[i], valid);
        }
        reduce_pass(lid, 1u + N, dst);
        dst += 1u + N;
        //@unroll
        for (var i = 0u; i < N; i++) {
            //@unroll
            for (var j = i; j < N; j++) {
                red[slot(c, lid)] = select(0.0, inc_q[i * N + j], valid);
                c += 1u;
                if (c == RS) {
                    reduce_pass(lid, c, dst);
                    dst += c;
                    c = 0u;
                }
            }
        }
        if (c > 0u) {
            reduce_pass(lid, c, dst);
            dst += c;
            c = 0u;
        }
        if (!FIXED_ONLY) {
            //@unroll
            for (var q = 0u; q < S; q++) {
                red[slot(c, lid)] = select(0.0, occ[q], valid);
                c += 1u;
                if (c == RS) {
                    reduce_pass(lid, c, dst);
                    dst += c;
                    c = 0u;
                }
            }
            if (c > 0u) {
                reduce_pass(lid, c, dst);
            }
        }
    }
}
