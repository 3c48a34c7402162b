//! Philox and Box–Muller over `W` paths at once, as lane arrays: the portable
//! form the lane kernels build on. Each lane computes exactly what the scalar
//! functions compute for its path, so the bits are the same; the loops run
//! over lanes innermost, which is the shape compilers vectorise.
#![allow(
    clippy::needless_range_loop,
    reason = "index loops over lanes are the form that vectorises"
)]

use super::math::{logf_lanes, sincosf_lanes};
use super::{INV_2_23, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1, TWO_PI};

/// Philox4x32-10 of the counters `(path[l], step, set, block)` under `key`:
/// the four words of each lane.
#[inline(always)]
pub fn philox_lanes<const W: usize>(
    key: [u32; 2],
    path: &[u32; W],
    step: u32,
    set: u32,
    block: u32,
) -> [[u32; W]; 4] {
    let mut c = [*path, [step; W], [set; W], [block; W]];
    let mut k = key;
    for _ in 0..10 {
        for l in 0..W {
            let p0 = u64::from(PHILOX_M0) * u64::from(c[0][l]);
            let p1 = u64::from(PHILOX_M1) * u64::from(c[2][l]);
            let (c1, c3) = (c[1][l], c[3][l]);
            c[0][l] = (p1 >> 32) as u32 ^ c1 ^ k[0];
            c[1][l] = p1 as u32;
            c[2][l] = (p0 >> 32) as u32 ^ c3 ^ k[1];
            c[3][l] = p0 as u32;
        }
        k = [k[0].wrapping_add(PHILOX_W0), k[1].wrapping_add(PHILOX_W1)];
    }
    c
}

/// [`super::unit_uniform`] lane by lane.
#[inline(always)]
pub fn uniform_lanes<const W: usize>(bits: &[u32; W]) -> [f32; W] {
    std::array::from_fn(|l| ((bits[l] >> 9) as f32 + 0.5) * INV_2_23)
}

/// [`super::normals4`] lane by lane: the four normals of each lane's block.
#[inline(always)]
pub fn normals4_lanes<const W: usize>(r: &[[u32; W]; 4]) -> [[f32; W]; 4] {
    let (r0, s0, c0) = box_muller(&r[0], &r[1]);
    let (r1, s1, c1) = box_muller(&r[2], &r[3]);
    let mut z = [[0.0; W]; 4];
    for l in 0..W {
        z[0][l] = r0[l] * c0[l];
        z[1][l] = r0[l] * s0[l];
        z[2][l] = r1[l] * c1[l];
        z[3][l] = r1[l] * s1[l];
    }
    z
}

/// Radius √(−2 ln u) and (sin θ, cos θ) of θ = 2π u' for each lane.
#[inline(always)]
fn box_muller<const W: usize>(u: &[u32; W], v: &[u32; W]) -> ([f32; W], [f32; W], [f32; W]) {
    let lu = logf_lanes(&uniform_lanes(u));
    let uv = uniform_lanes(v);
    let r = std::array::from_fn(|l| (-2.0 * lu[l]).sqrt());
    let t = std::array::from_fn(|l| TWO_PI * uv[l]);
    let (s, c) = sincosf_lanes(&t);
    (r, s, c)
}

#[cfg(test)]
mod tests {
    use super::super::{normals4, philox4x32_10};
    use super::*;

    #[test]
    fn lanes_equal_the_scalar_functions() {
        let key = [0x1234_5678, 0x9abc_def0];
        let path: [u32; 5] = [0, 1, 77, 0xffff_fff0, 123_456];
        for step in [0, 3, u32::MAX] {
            let w = philox_lanes(key, &path, step, 2, 1);
            let z = normals4_lanes(&w);
            for l in 0..5 {
                let r = philox4x32_10([path[l], step, 2, 1], key);
                assert_eq!([w[0][l], w[1][l], w[2][l], w[3][l]], r);
                let want = normals4(r).map(f32::to_bits);
                assert_eq!([z[0][l], z[1][l], z[2][l], z[3][l]].map(f32::to_bits), want);
            }
        }
    }
}
