//! Hand-vectorised normals for the CPU lane kernels: Philox4x32-10, the
//! uniforms and Box–Muller with mosde's own `logf`/`sincosf`
//! ([`super::math`]) on 8 lanes of AVX2, bit for bit what the scalar
//! functions give.
//!
//! Written with `std::arch` rather than a SIMD crate: the pieces that need
//! hand work (the 32×32→64 multiply of Philox, table gathers, f32↔f64
//! widening of half vectors, blends on sign bits) are single intrinsics
//! there, while `wide` and `pulp` either lack them or hide them behind
//! traits whose inlining across `#[target_feature]` boundaries is harder to
//! control. Everything else in the lane kernels is lane arrays that the
//! compiler vectorises under the kernel's target features.
//!
//! The helpers are `#[inline(always)]` and carry no target features of their
//! own: they are meant to be inlined into a `#[target_feature(enable =
//! "avx2,fma")]` function (the engine's AVX2 kernel), which is what makes
//! the intrinsics inside them legal to run. The polynomials and reductions
//! use fused multiply-adds where glibc's FMA variants (`__logf_fma`,
//! `__sincosf_fma`) do: `examples/check_math.rs` shows on all 2²³ uniforms
//! the RNG can produce that they give the same f32 as the unfused scalar
//! functions, so the normals keep their bits; the scalar and portable forms
//! stay unfused, as they may run without FMA hardware.

/// The SIMD lane forms this CPU can run, by name (`avx2`, `avx512`), for
/// checks that compare them with the scalar functions.
pub fn available() -> Vec<&'static str> {
    let mut v = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            v.push("avx2");
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            v.push("avx512");
        }
    }
    v
}

/// `(logf(u), sin t, cos t)` on 16 lanes with the lane form `kernel` (one of
/// [`available`]), for exhaustive checks.
///
/// # Panics
/// If `kernel` is not available on this CPU.
pub fn math16(kernel: &str, u: &[f32; 16], t: &[f32; 16]) -> ([f32; 16], [f32; 16], [f32; 16]) {
    assert!(available().contains(&kernel), "{kernel} is not available");
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the features each function enables were detected above.
        unsafe {
            match kernel {
                "avx2" => return avx2::math16(u, t),
                _ => return avx512_math16(u, t),
            }
        }
    }
    #[allow(unreachable_code, reason = "reached on targets without SIMD forms")]
    {
        unreachable!("no SIMD lane forms on this target")
    }
}

/// The portable lane forms compiled with AVX-512 enabled (the engine's
/// 16-lane kernel is built the same way).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
fn avx512_math16(u: &[f32; 16], t: &[f32; 16]) -> ([f32; 16], [f32; 16], [f32; 16]) {
    let (s, c) = super::math::sincosf_lanes(t);
    (super::math::logf_lanes(u), s, c)
}

/// AVX2 + FMA forms, 8 lanes.
#[cfg(target_arch = "x86_64")]
pub mod avx2 {
    use std::arch::x86_64::*;

    use super::super::math::{
        COS, HPI, HPI_INV, LN2, LOGF_A, LOGF_INVC, LOGF_LOGC, LOGF_OFF, SIN, TOP_TINY,
    };
    use super::super::{INV_2_23, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1, TWO_PI};

    /// `(logf, sin, cos)` of 16 lanes, as [`super::math16`].
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn math16(u: &[f32; 16], t: &[f32; 16]) -> ([f32; 16], [f32; 16], [f32; 16]) {
        let (mut l, mut s, mut c) = ([0.0; 16], [0.0; 16], [0.0; 16]);
        for h in 0..2 {
            // SAFETY: AVX2 is enabled; loads and stores stay inside the arrays.
            unsafe {
                let uu = _mm256_loadu_ps(u.as_ptr().add(8 * h));
                let (sv, cv) = sincosf(_mm256_loadu_ps(t.as_ptr().add(8 * h)));
                _mm256_storeu_ps(l.as_mut_ptr().add(8 * h), logf(uu));
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

    /// `v` in every f64 lane (no closures on these paths: a closure is its
    /// own function and need not be compiled with the caller's features).
    #[inline(always)]
    unsafe fn pd(v: f64) -> __m256d {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe { _mm256_set1_pd(v) }
    }

    /// `v` in every lane.
    #[inline(always)]
    unsafe fn splat(v: u32) -> __m256i {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe { _mm256_set1_epi32(v as i32) }
    }

    /// The Philox key and its round keys 3 to 10 in every lane, computed
    /// once per lane group instead of once per block of normals.
    #[derive(Clone, Copy)]
    pub struct RoundKeys {
        key: [u32; 2],
        lanes: [[__m256i; 2]; 8],
    }

    impl RoundKeys {
        /// The round keys of `key`.
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
            RoundKeys { key, lanes }
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
    pub unsafe fn philox(keys: &RoundKeys, path: __m256i, ctr: [u32; 3]) -> [__m256i; 4] {
        let k = keys.key;
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
            for kr in &keys.lanes {
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

    /// `((w >> 9) + ½) · 2⁻²³` per lane.
    #[inline(always)]
    unsafe fn uniform(w: __m256i) -> __m256 {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let f = _mm256_cvtepi32_ps(_mm256_srli_epi32::<9>(w));
            _mm256_mul_ps(
                _mm256_add_ps(f, _mm256_set1_ps(0.5)),
                _mm256_set1_ps(INV_2_23),
            )
        }
    }

    /// `logf` on 8 normal positive lanes (`math::logf_core`).
    ///
    /// # Safety
    /// AVX2 must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn logf(x: __m256) -> __m256 {
        // SAFETY: the caller runs with AVX2 enabled; gather indices are < 16.
        unsafe {
            let ix = _mm256_castps_si256(x);
            let tmp = _mm256_sub_epi32(ix, _mm256_set1_epi32(LOGF_OFF as i32));
            let i = _mm256_and_si256(_mm256_srli_epi32::<19>(tmp), _mm256_set1_epi32(15));
            let k = _mm256_srai_epi32::<23>(tmp);
            let top = _mm256_and_si256(tmp, _mm256_set1_epi32(0xff80_0000u32 as i32));
            let z = _mm256_castsi256_ps(_mm256_sub_epi32(ix, top));
            let lo = logf_half(
                _mm256_castps256_ps128(z),
                _mm256_castsi256_si128(i),
                _mm256_castsi256_si128(k),
            );
            let hi = logf_half(
                _mm256_extractf128_ps::<1>(z),
                _mm256_extracti128_si256::<1>(i),
                _mm256_extracti128_si256::<1>(k),
            );
            _mm256_set_m128(hi, lo)
        }
    }

    /// The f64 part of `logf` on 4 lanes: reduced `z`, table index, exponent.
    #[inline(always)]
    unsafe fn logf_half(z: __m128, i: __m128i, k: __m128i) -> __m128 {
        // SAFETY: the caller runs with AVX2 enabled; indices are < 16.
        unsafe {
            let invc = _mm256_i32gather_pd::<8>(LOGF_INVC.as_ptr(), i);
            let logc = _mm256_i32gather_pd::<8>(LOGF_LOGC.as_ptr(), i);
            let z = _mm256_cvtps_pd(z);
            let k = _mm256_cvtepi32_pd(k);
            let r = _mm256_fmsub_pd(z, invc, _mm256_set1_pd(1.0));
            let y0 = _mm256_fmadd_pd(k, _mm256_set1_pd(LN2), logc);
            let r2 = _mm256_mul_pd(r, r);
            let (a0, a1, a2) = (pd(LOGF_A[0]), pd(LOGF_A[1]), pd(LOGF_A[2]));
            let mut y = _mm256_fmadd_pd(a1, r, a2);
            y = _mm256_fmadd_pd(a0, r2, y);
            y = _mm256_fmadd_pd(y, r2, _mm256_add_pd(y0, r));
            _mm256_cvtpd_ps(y)
        }
    }

    /// `(sin, cos)` on 8 lanes with |y| < 120 (`math::sincosf_core`).
    ///
    /// # Safety
    /// AVX2 must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn sincosf(y: __m256) -> (__m256, __m256) {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let (slo, clo, nlo) = sincosf_half(_mm256_castps256_ps128(y));
            let (shi, chi, nhi) = sincosf_half(_mm256_extractf128_ps::<1>(y));
            let (sp, cp) = (_mm256_set_m128(shi, slo), _mm256_set_m128(chi, clo));
            let n = _mm256_set_m128i(nhi, nlo);
            // Quadrants 2 and 3 negate the cosine polynomial; odd ones swap.
            let neg = _mm256_slli_epi32::<30>(_mm256_and_si256(n, _mm256_set1_epi32(2)));
            let cp = _mm256_xor_ps(cp, _mm256_castsi256_ps(neg));
            let odd = _mm256_castsi256_ps(_mm256_slli_epi32::<31>(n));
            let (s, c) = (_mm256_blendv_ps(sp, cp, odd), _mm256_blendv_ps(cp, sp, odd));
            // |y| < 2⁻¹²: (y, 1).
            let abs = _mm256_and_si256(_mm256_castps_si256(y), _mm256_set1_epi32(0x7fff_ffff));
            let top = _mm256_srli_epi32::<20>(abs);
            let tiny =
                _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(TOP_TINY as i32), top));
            (
                _mm256_blendv_ps(s, y, tiny),
                _mm256_blendv_ps(c, _mm256_set1_ps(1.0), tiny),
            )
        }
    }

    /// Reduction and both polynomials on 4 lanes: the sine and cosine
    /// polynomials (before the quadrant's swap and sign) and the quadrant.
    #[inline(always)]
    unsafe fn sincosf_half(y: __m128) -> (__m128, __m128, __m128i) {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let x = _mm256_cvtps_pd(y);
            let r = _mm256_mul_pd(x, _mm256_set1_pd(HPI_INV));
            let n = _mm_srai_epi32::<24>(_mm_add_epi32(
                _mm256_cvttpd_epi32(r),
                _mm_set1_epi32(0x80_0000),
            ));
            let x = _mm256_fnmadd_pd(_mm256_cvtepi32_pd(n), _mm256_set1_pd(HPI), x);
            let x2 = _mm256_mul_pd(x, x);
            // sign = (1, −1, −1, 1)[n & 3]: flip when bit 0 ≠ bit 1.
            let flip = _mm_and_si128(_mm_xor_si128(n, _mm_srli_epi32::<1>(n)), _mm_set1_epi32(1));
            let flip = _mm256_slli_epi64::<63>(_mm256_cvtepu32_epi64(flip));
            let x = _mm256_xor_pd(x, _mm256_castsi256_pd(flip));
            let c = [pd(COS[0]), pd(COS[1]), pd(COS[2]), pd(COS[3]), pd(COS[4])];
            let s = [pd(SIN[0]), pd(SIN[1]), pd(SIN[2])];
            let x4 = _mm256_mul_pd(x2, x2);
            let x3 = _mm256_mul_pd(x2, x);
            let c2 = _mm256_fmadd_pd(x2, c[4], c[3]);
            let s1 = _mm256_fmadd_pd(x2, s[2], s[1]);
            let c1 = _mm256_fmadd_pd(x2, c[1], c[0]);
            let x5 = _mm256_mul_pd(x3, x2);
            let x6 = _mm256_mul_pd(x4, x2);
            let sp = _mm256_fmadd_pd(x3, s[0], x);
            let cp = _mm256_fmadd_pd(x4, c[2], c1);
            let sp = _mm256_fmadd_pd(x5, s1, sp);
            let cp = _mm256_fmadd_pd(x6, c2, cp);
            (_mm256_cvtpd_ps(sp), _mm256_cvtpd_ps(cp), n)
        }
    }

    /// The four normals of block `ctr[2]` of the counters
    /// `(path, ctr[0], ctr[1], ctr[2])` (`rng::normals4` of each lane).
    ///
    /// # Safety
    /// AVX2 must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn normals4(keys: &RoundKeys, path: __m256i, ctr: [u32; 3]) -> [__m256; 4] {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let w = philox(keys, path, ctr);
            let m2 = _mm256_set1_ps(-2.0);
            let r0 = _mm256_sqrt_ps(_mm256_mul_ps(m2, logf(uniform(w[0]))));
            let (s0, c0) = sincosf(_mm256_mul_ps(_mm256_set1_ps(TWO_PI), uniform(w[1])));
            let r1 = _mm256_sqrt_ps(_mm256_mul_ps(m2, logf(uniform(w[2]))));
            let (s1, c1) = sincosf(_mm256_mul_ps(_mm256_set1_ps(TWO_PI), uniform(w[3])));
            [
                _mm256_mul_ps(r0, c0),
                _mm256_mul_ps(r0, s0),
                _mm256_mul_ps(r1, c1),
                _mm256_mul_ps(r1, s1),
            ]
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use std::arch::x86_64::{__m256, __m256i, _mm256_loadu_si256};

    use super::super::{normals4, philox4x32_10};
    use super::avx2;

    type Words = [[u32; 8]; 4];
    type Normals = [[f32; 8]; 4];

    /// The AVX2 Philox words and normals of 8 paths.
    #[target_feature(enable = "avx2,fma")]
    fn avx2_block(key: [u32; 2], path: &[u32; 8], ctr: [u32; 3]) -> (Words, Normals) {
        // SAFETY: AVX2 and FMA are enabled; the load stays inside `path`;
        // the transmutes are between types of the same size.
        unsafe {
            let keys = avx2::RoundKeys::new(key);
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
        if !super::available().contains(&"avx2") {
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
