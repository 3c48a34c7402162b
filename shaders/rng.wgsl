// Philox4x32-10 (Random123) and Box–Muller normals.
// Twin of src/rng/mod.rs; keep the two in step, line for line.
//
// key = (seed_lo, seed_hi); counter = (path, step, parameter_set, block).
// The constants (PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1, INIT_STEP,
// INV_2_23, TWO_PI) and N come from the generated header (src/rng/mod.rs via
// src/engine/abi.rs).

// High 32 bits of a*b from 16-bit halves: WGSL has no 64-bit integers.
fn mulhi32(a: u32, b: u32) -> u32 {
    let a_lo = a & 0xFFFFu;
    let a_hi = a >> 16u;
    let b_lo = b & 0xFFFFu;
    let b_hi = b >> 16u;
    let ll = a_lo * b_lo;
    let lh = a_lo * b_hi;
    let hl = a_hi * b_lo;
    let hh = a_hi * b_hi;
    let cross = (ll >> 16u) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
    return hh + (lh >> 16u) + (hl >> 16u) + (cross >> 16u);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = counter;
    var k = key;
    for (var r = 0u; r < 10u; r++) {
        let hi0 = mulhi32(PHILOX_M0, c.x);
        let lo0 = PHILOX_M0 * c.x;
        let hi1 = mulhi32(PHILOX_M1, c.z);
        let lo1 = PHILOX_M1 * c.z;
        c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
        k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
    }
    return c;
}

// Uniform in (0, 1): ((bits >> 9) + 0.5) * 2^-23, exact in f32.
fn unit_uniform(bits: u32) -> f32 {
    return (f32(bits >> 9u) + 0.5) * INV_2_23;
}

// Four standard normals from one Philox block (Box–Muller).
fn normals4(r: vec4<u32>) -> vec4<f32> {
    let r0 = sqrt(-2.0 * log(unit_uniform(r.x)));
    let t0 = TWO_PI * unit_uniform(r.y);
    let r1 = sqrt(-2.0 * log(unit_uniform(r.z)));
    let t1 = TWO_PI * unit_uniform(r.w);
    return vec4<f32>(r0 * cos(t0), r0 * sin(t0), r1 * cos(t1), r1 * sin(t1));
}

// The N normals a path uses at one step: blocks 0, 1, ... of the counter
// (path, step, set, block), four normals each. The one normals helper of the
// kernels; twin of rng::step_normals.
fn step_normals(key: vec2<u32>, path: u32, step: u32, pset: u32) -> array<f32, N> {
    var zb: array<vec4<f32>, (N + 3u) / 4u>;
    //@unroll
    for (var b = 0u; b < (N + 3u) / 4u; b++) {
        zb[b] = normals4(philox4x32_10(vec4<u32>(path, step, pset, b), key));
    }
    // Picked by constant indices after unrolling, so z stays in registers.
    var z: array<f32, N>;
    //@unroll
    for (var i = 0u; i < N; i++) {
        z[i] = zb[i / 4u][i % 4u];
    }
    return z;
}
