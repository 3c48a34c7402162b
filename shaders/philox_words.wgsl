// Test kernel: raw Philox words and normals for arbitrary (counter, key)
// pairs, so that tests can compare the GPU with src/rng bit for bit.
// Prefixed with rng.wgsl by the host.

struct PhiloxCase {
    counter: vec4<u32>,
    key: vec4<u32>,        // key in .xy; .zw unused
}

@group(0) @binding(0) var<storage, read> cases: array<PhiloxCase>;
@group(0) @binding(1) var<storage, read_write> words: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> normals: array<vec4<f32>>;

@compute @workgroup_size(64)
fn philox_words(@builtin(global_invocation_id) g: vec3<u32>) {
    let i = g.x;
    if (i < arrayLength(&cases)) {
        let c = cases[i];
        let r = philox4x32_10(c.counter, c.key.xy);
        words[i] = r;
        normals[i] = normals4(r);
    }
}
