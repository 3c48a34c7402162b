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
//! the intrinsics inside them legal to run. Products and sums are separate
//! instructions, never fused, as in the scalar functions.

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

    /// High and low words of `a · m` per 32-bit lane (`m` broadcast).
    #[inline(always)]
    unsafe fn mulhilo(a: __m256i, m: __m256i) -> (__m256i, __m256i) {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let even = _mm256_mul_epu32(a, m);
            let odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
            let hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0b1010_1010);
            let lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0b1010_1010);
            (hi, lo)
        }
    }

    /// Philox4x32-10 of the counters `(path, step, set, block)`, 8 lanes.
    ///
    /// # Safety
    /// AVX2 must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn philox(key: [u32; 2], path: __m256i, ctr: [u32; 3]) -> [__m256i; 4] {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let (m0, m1) = (
                _mm256_set1_epi32(PHILOX_M0 as i32),
                _mm256_set1_epi32(PHILOX_M1 as i32),
            );
            let mut c = [
                path,
                _mm256_set1_epi32(ctr[0] as i32),
                _mm256_set1_epi32(ctr[1] as i32),
                _mm256_set1_epi32(ctr[2] as i32),
            ];
            let mut k = key;
            for _ in 0..10 {
                let (hi0, lo0) = mulhilo(c[0], m0);
                let (hi1, lo1) = mulhilo(c[2], m1);
                let k0 = _mm256_set1_epi32(k[0] as i32);
                let k1 = _mm256_set1_epi32(k[1] as i32);
                c = [
                    _mm256_xor_si256(_mm256_xor_si256(hi1, c[1]), k0),
                    lo1,
                    _mm256_xor_si256(_mm256_xor_si256(hi0, c[3]), k1),
                    lo0,
                ];
                k = [k[0].wrapping_add(PHILOX_W0), k[1].wrapping_add(PHILOX_W1)];
            }
            c
        }
    }

    /// `((w >> 9) + ½) · 2⁻²³` per lane.
    #[inline(always)]
    unsafe fn uniform(w: __m256i) -> __m256 {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let f = _mm256_cvtepi32_ps(_mm256_srli_epi32(w, 9));
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
            let i = _mm256_and_si256(_mm256_srli_epi32(tmp, 19), _mm256_set1_epi32(15));
            let k = _mm256_srai_epi32(tmp, 23);
            let top = _mm256_and_si256(tmp, _mm256_set1_epi32(0xff80_0000u32 as i32));
            let z = _mm256_castsi256_ps(_mm256_sub_epi32(ix, top));
            let lo = logf_half(
                _mm256_castps256_ps128(z),
                _mm256_castsi256_si128(i),
                _mm256_castsi256_si128(k),
            );
            let hi = logf_half(
                _mm256_extractf128_ps(z, 1),
                _mm256_extracti128_si256(i, 1),
                _mm256_extracti128_si256(k, 1),
            );
            _mm256_set_m128(hi, lo)
        }
    }

    /// The f64 part of `logf` on 4 lanes: reduced `z`, table index, exponent.
    #[inline(always)]
    unsafe fn logf_half(z: __m128, i: __m128i, k: __m128i) -> __m128 {
        // SAFETY: the caller runs with AVX2 enabled; indices are < 16.
        unsafe {
            let invc = _mm256_i32gather_pd(LOGF_INVC.as_ptr(), i, 8);
            let logc = _mm256_i32gather_pd(LOGF_LOGC.as_ptr(), i, 8);
            let z = _mm256_cvtps_pd(z);
            let k = _mm256_cvtepi32_pd(k);
            let r = _mm256_sub_pd(_mm256_mul_pd(z, invc), _mm256_set1_pd(1.0));
            let y0 = _mm256_add_pd(logc, _mm256_mul_pd(k, _mm256_set1_pd(LN2)));
            let r2 = _mm256_mul_pd(r, r);
            let a = LOGF_A.map(|v| _mm256_set1_pd(v));
            let mut y = _mm256_add_pd(_mm256_mul_pd(a[1], r), a[2]);
            y = _mm256_add_pd(_mm256_mul_pd(a[0], r2), y);
            y = _mm256_add_pd(_mm256_mul_pd(y, r2), _mm256_add_pd(y0, r));
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
            let (shi, chi, nhi) = sincosf_half(_mm256_extractf128_ps(y, 1));
            let (sp, cp) = (_mm256_set_m128(shi, slo), _mm256_set_m128(chi, clo));
            let n = _mm256_set_m128i(nhi, nlo);
            // Quadrants 2 and 3 negate the cosine polynomial; odd ones swap.
            let neg = _mm256_slli_epi32(_mm256_and_si256(n, _mm256_set1_epi32(2)), 30);
            let cp = _mm256_xor_ps(cp, _mm256_castsi256_ps(neg));
            let odd = _mm256_castsi256_ps(_mm256_slli_epi32(n, 31));
            let (s, c) = (_mm256_blendv_ps(sp, cp, odd), _mm256_blendv_ps(cp, sp, odd));
            // |y| < 2⁻¹²: (y, 1).
            let abs = _mm256_and_si256(_mm256_castps_si256(y), _mm256_set1_epi32(0x7fff_ffff));
            let top = _mm256_srli_epi32(abs, 20);
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
            let n = _mm_srai_epi32(
                _mm_add_epi32(_mm256_cvttpd_epi32(r), _mm_set1_epi32(0x80_0000)),
                24,
            );
            let x = _mm256_sub_pd(x, _mm256_mul_pd(_mm256_cvtepi32_pd(n), _mm256_set1_pd(HPI)));
            let x2 = _mm256_mul_pd(x, x);
            // sign = (1, −1, −1, 1)[n & 3]: flip when bit 0 ≠ bit 1.
            let flip = _mm_and_si128(_mm_xor_si128(n, _mm_srli_epi32(n, 1)), _mm_set1_epi32(1));
            let flip = _mm256_slli_epi64(_mm256_cvtepu32_epi64(flip), 63);
            let x = _mm256_xor_pd(x, _mm256_castsi256_pd(flip));
            let (c, s) = (
                COS.map(|v| _mm256_set1_pd(v)),
                SIN.map(|v| _mm256_set1_pd(v)),
            );
            let x4 = _mm256_mul_pd(x2, x2);
            let x3 = _mm256_mul_pd(x2, x);
            let c2 = _mm256_add_pd(c[3], _mm256_mul_pd(x2, c[4]));
            let s1 = _mm256_add_pd(s[1], _mm256_mul_pd(x2, s[2]));
            let c1 = _mm256_add_pd(c[0], _mm256_mul_pd(x2, c[1]));
            let x5 = _mm256_mul_pd(x3, x2);
            let x6 = _mm256_mul_pd(x4, x2);
            let sp = _mm256_add_pd(x, _mm256_mul_pd(x3, s[0]));
            let cp = _mm256_add_pd(c1, _mm256_mul_pd(x4, c[2]));
            let sp = _mm256_add_pd(sp, _mm256_mul_pd(x5, s1));
            let cp = _mm256_add_pd(cp, _mm256_mul_pd(x6, c2));
            (_mm256_cvtpd_ps(sp), _mm256_cvtpd_ps(cp), n)
        }
    }

    /// The four normals of block `ctr[2]` of the counters
    /// `(path, ctr[0], ctr[1], ctr[2])` (`rng::normals4` of each lane).
    ///
    /// # Safety
    /// AVX2 must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn normals4(key: [u32; 2], path: __m256i, ctr: [u32; 3]) -> [__m256; 4] {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let w = philox(key, path, ctr);
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
