//! AVX2 + FMA forms of the normals, 8 lanes: Philox4x32-10, the uniforms,
//! and Box–Muller with mosde's own `logf`/`sincosf`, bit for bit what the
//! scalar functions give (see the parent module for the rules they follow).

use std::arch::x86_64::*;

mod math;

pub use math::{MathConsts, logf, sincosf};

use super::super::{INV_2_23, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1, TWO_PI_2_23};

/// `(logf, sin, cos)` of 16 lanes, as [`super::math16`].
#[target_feature(enable = "avx2,fma")]
pub(super) fn math16(u: &[f32; 16], t: &[f32; 16]) -> ([f32; 16], [f32; 16], [f32; 16]) {
    let (mut l, mut s, mut c) = ([0.0; 16], [0.0; 16], [0.0; 16]);
    // SAFETY: AVX2 is enabled.
    let tables = unsafe { MathConsts::new() };
    for h in 0..2 {
        // SAFETY: AVX2 is enabled; loads and stores stay inside the arrays.
        unsafe {
            let uu = _mm256_loadu_ps(u.as_ptr().add(8 * h));
            let (sv, cv) = sincosf(_mm256_loadu_ps(t.as_ptr().add(8 * h)), &tables);
            _mm256_storeu_ps(l.as_mut_ptr().add(8 * h), logf(uu, &tables));
            _mm256_storeu_ps(s.as_mut_ptr().add(8 * h), sv);
            _mm256_storeu_ps(c.as_mut_ptr().add(8 * h), cv);
        }
    }
    (l, s, c)
}

/// High and low words of `a · m` per 32-bit lane (`m` broadcast). The
/// shifts and blends take their immediates as const generics, so they
/// are single instructions.
#[inline(always)]
unsafe fn mulhilo(a: __m256i, m: __m256i) -> (__m256i, __m256i) {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe {
        let even = _mm256_mul_epu32(a, m);
        let odd = _mm256_mul_epu32(_mm256_srli_epi64::<32>(a), m);
        let hi = _mm256_blend_epi32::<0b1010_1010>(_mm256_srli_epi64::<32>(even), odd);
        (hi, _mm256_mullo_epi32(a, m))
    }
}

/// `v` in every lane.
#[inline(always)]
unsafe fn splat(v: u32) -> __m256i {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe { _mm256_set1_epi32(v as i32) }
}

/// What the normals need besides the counters, prepared once per lane
/// group instead of once per block of normals: the Philox key, its round
/// keys 3 to 10 in every lane, and the constants of `logf` and `sincosf`.
#[derive(Clone, Copy)]
pub struct Consts {
    key: [u32; 2],
    lanes: [[__m256i; 2]; 8],
    log: MathConsts,
}

impl Consts {
    /// The constants for `key`.
    ///
    /// # Safety
    /// AVX2 must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn new(key: [u32; 2]) -> Self {
        let mut k = key;
        // SAFETY: the caller runs with AVX2 enabled.
        let mut lanes = unsafe { [[_mm256_setzero_si256(); 2]; 8] };
        for r in 0..10 {
            if r >= 2 {
                // SAFETY: as above.
                lanes[r - 2] = unsafe { [splat(k[0]), splat(k[1])] };
            }
            k = [k[0].wrapping_add(PHILOX_W0), k[1].wrapping_add(PHILOX_W1)];
        }
        Consts {
            key,
            lanes,
            // Opaque to the optimiser, so that it loads the coefficients
            // from here instead of rebuilding them by broadcasts
            // (`MathConsts`): 4 % less time per step on the development
            // machine.
            // SAFETY: as above.
            log: std::hint::black_box(unsafe { MathConsts::new() }),
        }
    }
}

/// High and low words of the scalar product `a · m`.
#[inline(always)]
fn wide(a: u32, m: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(m);
    ((p >> 32) as u32, p as u32)
}

/// Philox4x32-10 of the counters `(path, step, set, block)`, 8 lanes.
/// Rounds 1 and 2 multiply the words that are the same in every lane
/// (the step, set and block words, and what round 1 makes of them) as
/// scalars; the rest is as `rng::philox4x32_10`.
///
/// # Safety
/// AVX2 must be enabled in the caller.
#[inline(always)]
pub unsafe fn philox(consts: &Consts, path: __m256i, ctr: [u32; 3]) -> [__m256i; 4] {
    let k = consts.key;
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe {
        let (m0, m1) = (splat(PHILOX_M0), splat(PHILOX_M1));
        // Round 1 on (path, step, set, block): words 0 and 1 are scalars.
        let (hi1, lo1) = wide(ctr[1], PHILOX_M1);
        let (hi0, lo0) = mulhilo(path, m0);
        let a0 = hi1 ^ ctr[0] ^ k[0];
        let a2 = _mm256_xor_si256(hi0, splat(ctr[2] ^ k[1]));
        // Round 2: words 1 and 3 come out as scalars.
        let k = [k[0].wrapping_add(PHILOX_W0), k[1].wrapping_add(PHILOX_W1)];
        let (hi0, lo0b) = wide(a0, PHILOX_M0);
        let (hi1, lo1b) = mulhilo(a2, m1);
        let mut c = [
            _mm256_xor_si256(hi1, splat(lo1 ^ k[0])),
            lo1b,
            _mm256_xor_si256(lo0, splat(hi0 ^ k[1])),
            splat(lo0b),
        ];
        for kr in &consts.lanes {
            let (hi0, lo0) = mulhilo(c[0], m0);
            let (hi1, lo1) = mulhilo(c[2], m1);
            c = [
                _mm256_xor_si256(_mm256_xor_si256(hi1, c[1]), kr[0]),
                lo1,
                _mm256_xor_si256(_mm256_xor_si256(hi0, c[3]), kr[1]),
                lo0,
            ];
        }
        c
    }
}

/// `((w >> 9) + ½) · scale` per lane: the uniform (`scale` = 2⁻²³), or
/// with `TWO_PI_2_23` the Box–Muller angle `2π · u` in one multiply (see
/// `rng::TWO_PI_2_23`).
#[inline(always)]
unsafe fn uniform(w: __m256i, scale: f32) -> __m256 {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe {
        let f = _mm256_cvtepi32_ps(_mm256_srli_epi32::<9>(w));
        _mm256_mul_ps(_mm256_add_ps(f, _mm256_set1_ps(0.5)), _mm256_set1_ps(scale))
    }
}

/// The four normals of block `ctr[2]` of the counters
/// `(path, ctr[0], ctr[1], ctr[2])` (`rng::normals4` of each lane).
///
/// # Safety
/// AVX2 must be enabled in the caller.
#[inline(always)]
pub unsafe fn normals4(consts: &Consts, path: __m256i, ctr: [u32; 3]) -> [__m256; 4] {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe {
        let w = philox(consts, path, ctr);
        let m2 = _mm256_set1_ps(-2.0);
        let r0 = _mm256_sqrt_ps(_mm256_mul_ps(
            m2,
            logf(uniform(w[0], INV_2_23), &consts.log),
        ));
        let (s0, c0) = sincosf(uniform(w[1], TWO_PI_2_23), &consts.log);
        let r1 = _mm256_sqrt_ps(_mm256_mul_ps(
            m2,
            logf(uniform(w[2], INV_2_23), &consts.log),
        ));
        let (s1, c1) = sincosf(uniform(w[3], TWO_PI_2_23), &consts.log);
        [
            _mm256_mul_ps(r0, c0),
            _mm256_mul_ps(r0, s0),
            _mm256_mul_ps(r1, c1),
            _mm256_mul_ps(r1, s1),
        ]
    }
}

#[cfg(test)]
mod tests {
    use std::arch::x86_64::{__m256, __m256i, _mm256_loadu_si256};

    use super as avx2;
    use super::super::super::{normals4, philox4x32_10};

    type Words = [[u32; 8]; 4];
    type Normals = [[f32; 8]; 4];

    /// The AVX2 Philox words and normals of 8 paths.
    #[target_feature(enable = "avx2,fma")]
    fn avx2_block(key: [u32; 2], path: &[u32; 8], ctr: [u32; 3]) -> (Words, Normals) {
        // SAFETY: AVX2 and FMA are enabled; the load stays inside `path`;
        // the transmutes are between types of the same size.
        unsafe {
            let keys = avx2::Consts::new(key);
            let p = _mm256_loadu_si256(path.as_ptr().cast());
            let w = avx2::philox(&keys, p, ctr);
            let z = avx2::normals4(&keys, p, ctr);
            (
                std::mem::transmute::<[__m256i; 4], Words>(w),
                std::mem::transmute::<[__m256; 4], Normals>(z),
            )
        }
    }

    #[test]
    fn avx2_philox_and_normals_equal_the_scalar_functions() {
        if !super::super::available().contains(&"avx2") {
            return;
        }
        let path = [0, 1, 77, 0xffff_fff0, 123_456, 9, u32::MAX, 0x8000_0000];
        for key in [[0, 0], [0x1234_5678, 0x9abc_def0], [u32::MAX; 2]] {
            for ctr in [[0, 0, 0], [3, 2, 1], [u32::MAX, 7, 0], [999, u32::MAX, 5]] {
                // SAFETY: AVX2 and FMA were detected above.
                let (w, z) = unsafe { avx2_block(key, &path, ctr) };
                for l in 0..8 {
                    let r = philox4x32_10([path[l], ctr[0], ctr[1], ctr[2]], key);
                    assert_eq!(
                        [w[0][l], w[1][l], w[2][l], w[3][l]],
                        r,
                        "words {key:x?} {ctr:?}"
                    );
                    let got = [z[0][l], z[1][l], z[2][l], z[3][l]].map(f32::to_bits);
                    assert_eq!(
                        got,
                        normals4(r).map(f32::to_bits),
                        "normals {key:x?} {ctr:?}"
                    );
                }
            }
        }
    }
}
