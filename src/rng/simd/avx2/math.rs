//! `logf` and `sincosf` on 8 lanes of AVX2 + FMA: `math::logf_core` and
//! `math::sincosf_core` lane by lane, the same bits (see `rng::simd`).

use std::arch::x86_64::*;

use crate::rng::math::{
    COS, HPI, HPI_INV, LN2, LOGF_A, LOGF_INVC, LOGF_LOGC, LOGF_OFF, SIN, TOP_TINY,
};

/// `v` in every f64 lane (no closures on these paths: a closure is its
/// own function and need not be compiled with the caller's features).
#[inline(always)]
pub(super) unsafe fn pd(v: f64) -> __m256d {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe { _mm256_set1_pd(v) }
}

/// A 16-entry f64 table in registers, looked up for 8 lanes by permutes
/// (a gather costs several times as many cycles on the development
/// machine's CPU): the low and the high words of the entries, 8 per
/// register.
#[derive(Clone, Copy)]
struct Table16 {
    lo: [__m256i; 2],
    hi: [__m256i; 2],
}

impl Table16 {
    /// The table `t` in registers.
    #[inline(always)]
    unsafe fn new(t: &[f64; 16]) -> Self {
        let lo: [u32; 16] = t.map(|v| v.to_bits() as u32);
        let hi: [u32; 16] = t.map(|v| (v.to_bits() >> 32) as u32);
        // SAFETY: the caller runs with AVX2 enabled; the loads stay inside
        // the arrays.
        unsafe {
            let load = |w: &[u32; 16], from: usize| {
                _mm256_loadu_si256(w.as_ptr().add(from).cast::<__m256i>())
            };
            Table16 {
                lo: [load(&lo, 0), load(&lo, 8)],
                hi: [load(&hi, 0), load(&hi, 8)],
            }
        }
    }

    /// The entries at `i` (8 lanes, each < 16): lanes 0–3 and 4–7.
    #[inline(always)]
    unsafe fn get(&self, i: __m256i) -> (__m256d, __m256d) {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            let (lo, hi) = (pick(&self.lo, i), pick(&self.hi, i));
            let a = _mm256_unpacklo_epi32(lo, hi); // lanes 0, 1 | 4, 5
            let b = _mm256_unpackhi_epi32(lo, hi); // lanes 2, 3 | 6, 7
            (
                _mm256_castsi256_pd(_mm256_permute2x128_si256::<0x20>(a, b)),
                _mm256_castsi256_pd(_mm256_permute2x128_si256::<0x31>(a, b)),
            )
        }
    }
}

/// Word `i & 15` of the 16 words in `t`, per lane.
#[inline(always)]
unsafe fn pick(t: &[__m256i; 2], i: __m256i) -> __m256i {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe {
        // Bit 3 of the index picks the second register: moved to the sign
        // bit, which the blend reads.
        let second = _mm256_castsi256_ps(_mm256_slli_epi32::<28>(i));
        _mm256_castps_si256(_mm256_blendv_ps(
            _mm256_castsi256_ps(_mm256_permutevar8x32_epi32(t[0], i)),
            _mm256_castsi256_ps(_mm256_permutevar8x32_epi32(t[1], i)),
            second,
        ))
    }
}

/// The constants of `logf` and `sincosf`: `logf`'s table (`1/c` and
/// `ln c`) and the f64 coefficients, each in every lane. There are too few
/// registers to keep the coefficients; prepared once behind an optimisation
/// barrier (see `Consts::new`), they are reloaded as whole vectors instead
/// of rebuilt by a broadcast at each use, which is faster on the
/// development machine.
#[derive(Clone, Copy)]
pub struct MathConsts {
    invc: Table16,
    logc: Table16,
    one: __m256d,
    ln2: __m256d,
    logf_a: [__m256d; 3],
    hpi_inv: __m256d,
    hpi: __m256d,
    cos: [__m256d; 5],
    sin: [__m256d; 3],
}

impl MathConsts {
    /// The constants.
    ///
    /// # Safety
    /// AVX2 must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn new() -> Self {
        // SAFETY: the caller runs with AVX2 enabled.
        unsafe {
            MathConsts {
                invc: Table16::new(&LOGF_INVC),
                logc: Table16::new(&LOGF_LOGC),
                one: pd(1.0),
                ln2: pd(LN2),
                logf_a: LOGF_A.map(|v| pd(v)),
                hpi_inv: pd(HPI_INV),
                hpi: pd(HPI),
                cos: COS.map(|v| pd(v)),
                sin: SIN.map(|v| pd(v)),
            }
        }
    }
}

/// `logf` on 8 normal positive lanes (`math::logf_core`).
///
/// # Safety
/// AVX2 must be enabled in the caller.
#[inline(always)]
pub unsafe fn logf(x: __m256, t: &MathConsts) -> __m256 {
    // SAFETY: the caller runs with AVX2 enabled; table indices are < 16.
    unsafe {
        let ix = _mm256_castps_si256(x);
        let tmp = _mm256_sub_epi32(ix, _mm256_set1_epi32(LOGF_OFF as i32));
        let i = _mm256_and_si256(_mm256_srli_epi32::<19>(tmp), _mm256_set1_epi32(15));
        let k = _mm256_srai_epi32::<23>(tmp);
        let top = _mm256_and_si256(tmp, _mm256_set1_epi32(0xff80_0000u32 as i32));
        let z = _mm256_castsi256_ps(_mm256_sub_epi32(ix, top));
        let (invc, logc) = (t.invc.get(i), t.logc.get(i));
        let lo = logf_half(
            _mm256_castps256_ps128(z),
            _mm256_castsi256_si128(k),
            (invc.0, logc.0),
            t,
        );
        let hi = logf_half(
            _mm256_extractf128_ps::<1>(z),
            _mm256_extracti128_si256::<1>(k),
            (invc.1, logc.1),
            t,
        );
        _mm256_set_m128(hi, lo)
    }
}

/// The f64 part of `logf` on 4 lanes: reduced `z`, exponent, and the
/// table entries `(1/c, ln c)`.
#[inline(always)]
unsafe fn logf_half(
    z: __m128,
    k: __m128i,
    (invc, logc): (__m256d, __m256d),
    t: &MathConsts,
) -> __m128 {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe {
        let z = _mm256_cvtps_pd(z);
        let k = _mm256_cvtepi32_pd(k);
        let r = _mm256_fmsub_pd(z, invc, t.one);
        let y0 = _mm256_fmadd_pd(k, t.ln2, logc);
        let r2 = _mm256_mul_pd(r, r);
        let [a0, a1, a2] = t.logf_a;
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
pub unsafe fn sincosf(y: __m256, t: &MathConsts) -> (__m256, __m256) {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe {
        let (slo, clo, nlo) = sincosf_half(_mm256_castps256_ps128(y), t);
        let (shi, chi, nhi) = sincosf_half(_mm256_extractf128_ps::<1>(y), t);
        let (sp, cp) = (_mm256_set_m128(shi, slo), _mm256_set_m128(chi, clo));
        let n = _mm256_set_m128i(nhi, nlo);
        // sign = (1, −1, −1, 1)[n & 3] on the sine polynomial, applied to
        // its f32 result (see `avx512::math::sincosf`).
        let flip = _mm256_slli_epi32::<31>(_mm256_xor_si256(n, _mm256_srli_epi32::<1>(n)));
        let sp = _mm256_xor_ps(sp, _mm256_castsi256_ps(flip));
        // Quadrants 2 and 3 negate the cosine polynomial; odd ones swap.
        let neg = _mm256_slli_epi32::<30>(_mm256_and_si256(n, _mm256_set1_epi32(2)));
        let cp = _mm256_xor_ps(cp, _mm256_castsi256_ps(neg));
        let odd = _mm256_castsi256_ps(_mm256_slli_epi32::<31>(n));
        let (s, c) = (_mm256_blendv_ps(sp, cp, odd), _mm256_blendv_ps(cp, sp, odd));
        // |y| < 2⁻¹²: (y, 1).
        let abs = _mm256_and_si256(_mm256_castps_si256(y), _mm256_set1_epi32(0x7fff_ffff));
        let top = _mm256_srli_epi32::<20>(abs);
        let tiny = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(TOP_TINY as i32), top));
        (
            _mm256_blendv_ps(s, y, tiny),
            _mm256_blendv_ps(c, _mm256_set1_ps(1.0), tiny),
        )
    }
}

/// Reduction and both polynomials on 4 lanes: the sine and cosine
/// polynomials (before the quadrant's signs and swap) and the quadrant.
#[inline(always)]
unsafe fn sincosf_half(y: __m128, t: &MathConsts) -> (__m128, __m128, __m128i) {
    // SAFETY: the caller runs with AVX2 enabled.
    unsafe {
        let x = _mm256_cvtps_pd(y);
        let r = _mm256_mul_pd(x, t.hpi_inv);
        let n = _mm_srai_epi32::<24>(_mm_add_epi32(
            _mm256_cvttpd_epi32(r),
            _mm_set1_epi32(0x80_0000),
        ));
        let x = _mm256_fnmadd_pd(_mm256_cvtepi32_pd(n), t.hpi, x);
        let x2 = _mm256_mul_pd(x, x);
        let (c, s) = (&t.cos, &t.sin);
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
