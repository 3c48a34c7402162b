//! Philox4x32-10 and normal sampling: the CPU twin of `shaders/rng.wgsl`.
//!
//! The functions are written in the shader's style, one to one, so the two
//! files can be read side by side. Raw Philox words are bit-identical on CPU
//! and GPU (a test checks this on a real adapter); normals agree to float
//! tolerance, since `log`, `cos` and `sin` differ by an ulp or so between
//! GPU drivers. On the CPU they use mosde's own [`math::logf`] and
//! [`math::sincosf`], so CPU normals are the same bits on every platform;
//! [`lanes`] computes them for many paths at once.
//!
//! Stream layout (ARCHITECTURE.md, "Invariants"): `key = (seed_lo, seed_hi)` and
//! `counter = (path, step, parameter_set, block)`. A path's noise therefore
//! depends only on (seed, path, step, parameter set), never on how the work
//! was split. The initial-state jitter uses `step = INIT_STEP`.

/// First Philox multiplier (Random123).
pub const PHILOX_M0: u32 = 0xD251_1F53;
/// Second Philox multiplier (Random123).
pub const PHILOX_M1: u32 = 0xCD9E_8D57;
/// First Weyl key increment.
pub const PHILOX_W0: u32 = 0x9E37_79B9;
/// Second Weyl key increment.
pub const PHILOX_W1: u32 = 0xBB67_AE85;
/// Step index reserved for the initial-state jitter.
pub const INIT_STEP: u32 = u32::MAX;

/// 2⁻²³, the spacing of the uniforms.
pub const INV_2_23: f32 = 1.0 / 8_388_608.0;
/// 2π in f32.
pub const TWO_PI: f32 = std::f32::consts::TAU;
/// `TWO_PI · 2⁻²³`, exact in f32. `TWO_PI · unit_uniform(w)` equals
/// `((w >> 9) + ½) · TWO_PI_2_23` for every word: `(w >> 9) + ½` and its
/// product with 2⁻²³ are exact, so both forms round the same real number
/// once, far from the subnormal range (a unit test checks all 2²³ values).
/// The lane forms use the second, one multiply instead of two.
pub const TWO_PI_2_23: f32 = TWO_PI * INV_2_23;

pub mod lanes;
pub mod math;
pub mod simd;

/// High 32 bits of `a·b`, from 16-bit halves, exactly as the shader does it
/// (WGSL has no 64-bit integers). Equal to `((a as u64 * b as u64) >> 32)`.
pub fn mulhi32(a: u32, b: u32) -> u32 {
    let a_lo = a & 0xFFFF;
    let a_hi = a >> 16;
    let b_lo = b & 0xFFFF;
    let b_hi = b >> 16;
    let ll = a_lo * b_lo;
    let lh = a_lo * b_hi;
    let hl = a_hi * b_lo;
    let hh = a_hi * b_hi;
    let cross = (ll >> 16) + (lh & 0xFFFF) + (hl & 0xFFFF);
    hh.wrapping_add(lh >> 16)
        .wrapping_add(hl >> 16)
        .wrapping_add(cross >> 16)
}

/// One Philox4x32 round.
#[inline(always)]
fn round(c: [u32; 4], k: [u32; 2]) -> [u32; 4] {
    // The CPU has a native widening multiply; `mulhi32` above is its twin.
    let p0 = u64::from(PHILOX_M0) * u64::from(c[0]);
    let p1 = u64::from(PHILOX_M1) * u64::from(c[2]);
    let (hi0, lo0) = ((p0 >> 32) as u32, p0 as u32);
    let (hi1, lo1) = ((p1 >> 32) as u32, p1 as u32);
    [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0]
}

/// Philox4x32 with 10 rounds (Random123 `philox4x32_10`).
#[inline(always)]
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for _ in 0..10 {
        c = round(c, k);
        k = [k[0].wrapping_add(PHILOX_W0), k[1].wrapping_add(PHILOX_W1)];
    }
    c
}

/// The Philox key for a seed.
pub fn key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// A uniform in (0, 1) from one word: `((bits >> 9) + 0.5) · 2⁻²³`.
///
/// Every value is exact in f32 and strictly inside (0, 1). (With 24 bits,
/// `(bits >> 8) + 0.5` is not representable in f32 above 2²³ and the top word
/// rounds to exactly 1.0, so the 23-bit form is used.)
#[inline(always)]
pub fn unit_uniform(bits: u32) -> f32 {
    ((bits >> 9) as f32 + 0.5) * INV_2_23
}

/// Four standard normals from one Philox block by Box–Muller:
/// `(r₀ cos θ₀, r₀ sin θ₀, r₁ cos θ₁, r₁ sin θ₁)` with `r = sqrt(−2 ln u)`
/// and `θ = 2π u'`.
#[inline(always)]
pub fn normals4(r: [u32; 4]) -> [f32; 4] {
    let r0 = (-2.0 * math::logf_core(unit_uniform(r[0]))).sqrt();
    let (s0, c0) = math::sincosf_core(TWO_PI * unit_uniform(r[1]));
    let r1 = (-2.0 * math::logf_core(unit_uniform(r[2]))).sqrt();
    let (s1, c1) = math::sincosf_core(TWO_PI * unit_uniform(r[3]));
    [r0 * c0, r0 * s0, r1 * c1, r1 * s1]
}

/// The `N` normals a path uses at one step: blocks `0, 1, …` of the counter
/// `(path, step, set, block)`, four normals each. The one normals helper of
/// the engines: the CPU engine calls it per path, and its twin
/// `step_normals` in `rng.wgsl` serves the kernel.
#[inline(always)]
#[allow(
    clippy::needless_range_loop,
    reason = "a plain index loop is the cheapest form in the CPU engine's hot loop"
)]
pub fn step_normals<const N: usize>(key: [u32; 2], path: u32, step: u32, set: u32) -> [f32; N] {
    let mut z = [0.0f32; N];
    let mut b = 0;
    while b * 4 < N {
        let q = normals4(philox4x32_10([path, step, set, b as u32], key));
        for i in 0..4 {
            if b * 4 + i < N {
                z[b * 4 + i] = q[i];
            }
        }
        b += 1;
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lane forms' one-multiply angle equals the scalar form's two
    /// multiplies on every uniform the RNG can produce.
    #[test]
    fn the_one_multiply_angle_equals_two_pi_times_the_uniform() {
        for m in 0..1u32 << 23 {
            let w = m << 9;
            let two = TWO_PI * unit_uniform(w);
            let one = ((w >> 9) as f32 + 0.5) * TWO_PI_2_23;
            assert_eq!(one.to_bits(), two.to_bits(), "word {w:#x}");
        }
    }

    /// Random123 `tests/kat_vectors`, philox4x32 with 10 rounds.
    pub(crate) const KAT: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
        (
            [0, 0, 0, 0],
            [0, 0],
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
        ),
        (
            [0xffffffff; 4],
            [0xffffffff; 2],
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
        ),
        (
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0],
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
        ),
    ];

    #[test]
    fn random123_known_answers() {
        for (c, k, want) in KAT {
            assert_eq!(philox4x32_10(c, k), want, "counter {c:08x?} key {k:08x?}");
        }
    }

    #[test]
    fn mulhi_from_halves_matches_widening_multiply() {
        let mut x = 0x1234_5678u32;
        for _ in 0..100_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let y = x.rotate_left(13) ^ 0xdead_beef;
            for (a, b) in [(x, y), (PHILOX_M0, x), (PHILOX_M1, y), (u32::MAX, x)] {
                assert_eq!(mulhi32(a, b), ((u64::from(a) * u64::from(b)) >> 32) as u32);
            }
        }
        assert_eq!(mulhi32(u32::MAX, u32::MAX), 0xFFFF_FFFE);
    }

    #[test]
    fn uniforms_lie_strictly_inside_the_unit_interval() {
        for bits in [
            0u32,
            1,
            511,
            512,
            0x7fff_ffff,
            0x8000_0000,
            u32::MAX - 511,
            u32::MAX,
        ] {
            let u = unit_uniform(bits);
            assert!(u > 0.0 && u < 1.0, "bits {bits:#x} gave {u}");
        }
        assert_eq!(unit_uniform(0), 2f32.powi(-24));
        assert_eq!(unit_uniform(u32::MAX), 1.0 - 2f32.powi(-24));
    }

    fn draws(count: usize) -> Vec<f64> {
        let key = key(7);
        let mut out = Vec::with_capacity(count);
        let mut i = 0u32;
        while out.len() < count {
            out.extend(normals4(philox4x32_10([i, 3, 0, 0], key)).map(f64::from));
            i += 1;
        }
        out.truncate(count);
        out
    }

    /// Standard normal CDF (Abramowitz–Stegun 7.1.26 is too coarse for a KS
    /// test at 1e6 draws; this uses the complementary error function series).
    fn phi(x: f64) -> f64 {
        0.5 * erfc(-x / std::f64::consts::SQRT_2)
    }

    /// erfc with relative error below 1.2e-7 (Numerical Recipes' Chebyshev fit).
    fn erfc(x: f64) -> f64 {
        let z = x.abs();
        let t = 1.0 / (1.0 + 0.5 * z);
        let r = t
            * (-z * z - 1.26551223
                + t * (1.00002368
                    + t * (0.37409196
                        + t * (0.09678418
                            + t * (-0.18628806
                                + t * (0.27886807
                                    + t * (-1.13520398
                                        + t * (1.48851587
                                            + t * (-0.82215223 + t * 0.17087277)))))))))
                .exp();
        if x >= 0.0 { r } else { 2.0 - r }
    }

    #[test]
    fn normals_have_unit_moments_and_pass_kolmogorov_smirnov() {
        let n = 1_000_000;
        let mut z = draws(n);
        let mean = z.iter().sum::<f64>() / n as f64;
        let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        // Standard errors: mean 1/sqrt(n) = 1e-3; variance sqrt(2/n) = 1.41e-3.
        assert!(mean.abs() < 5.0 * 1e-3, "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * 1.415e-3, "variance {var}");
        z.sort_by(f64::total_cmp);
        let d = z
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let f = phi(*v);
                (f - i as f64 / n as f64)
                    .abs()
                    .max(((i + 1) as f64 / n as f64 - f).abs())
            })
            .fold(0.0, f64::max);
        // KS critical value at alpha = 0.001 is 1.95 / sqrt(n) = 1.95e-3.
        assert!(d < 1.95 / (n as f64).sqrt(), "KS statistic {d}");
    }

    #[test]
    fn step_normals_use_consecutive_blocks() {
        let k = key(1);
        let z: [f32; 6] = step_normals(k, 5, 9, 2);
        let b0 = normals4(philox4x32_10([5, 9, 2, 0], k));
        let b1 = normals4(philox4x32_10([5, 9, 2, 1], k));
        assert_eq!(z, [b0[0], b0[1], b0[2], b0[3], b1[0], b1[1]]);
    }
}
