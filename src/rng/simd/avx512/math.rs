//! `logf` and `sincosf` on 16 lanes of AVX-512: `math::logf_core` and
//! `math::sincosf_core` lane by lane, the same bits (see `rng::simd`). The
//! f64 parts run on two halves of 8 f64 lanes each, with fused multiply-adds
//! exactly where the AVX2 form (`avx2::math`) has them.

use std::arch::x86_64::*;

use crate::rng::math::{
    COS, HPI, HPI_INV, LN2, LOGF_A, LOGF_INVC, LOGF_LOGC, LOGF_OFF, SIN, TOP_TINY,
};

/// `v` in every f64 lane (a function, not a closure: a closure is its own
/// function and need not be compiled with the caller's features).
#[inline(always)]
unsafe fn pd(v: f64) -> __m512d {
    // SAFETY: the caller runs with AVX-512F enabled.
    unsafe { _mm512_set1_pd(v) }
}

/// `v` in every 32-bit lane.
#[inline(always)]
unsafe fn epi32(v: u32) -> __m512i {
    // SAFETY: the caller runs with AVX-512F enabled.
    unsafe { _mm512_set1_epi32(v as i32) }
}

/// The low (`0`) or high (`1`) 8 lanes of `v`.
#[inline(always)]
unsafe fn half_ps<const H: i32>(v: __m512) -> __m256 {
    // SAFETY: the caller runs with AVX-512F and AVX-512DQ enabled.
    unsafe { _mm512_extractf32x8_ps::<H>(v) }
}

/// The low (`0`) or high (`1`) 8 lanes of `v`.
#[inline(always)]
unsafe fn half_epi32<const H: i32>(v: __m512i) -> __m256i {
    // SAFETY: the caller runs with AVX-512F enabled.
    unsafe { _mm512_extracti64x4_epi64::<H>(v) }
}

/// `lo` and `hi` as one register of 16 lanes.
#[inline(always)]
unsafe fn join_ps(lo: __m256, hi: __m256) -> __m512 {
    // SAFETY: the caller runs with AVX-512F and AVX-512DQ enabled.
    unsafe { _mm512_insertf32x8::<1>(_mm512_castps256_ps512(lo), hi) }
}

/// A 16-entry f64 table in two registers, looked up for 8 lanes by one
/// two-register permute (no gathers: they cost several times as many
/// cycles on the development machine's CPU).
#[derive(Clone, Copy)]
struct Table16([__m512d; 2]);

impl Table16 {
    /// The table `t` in registers.
    #[inline(always)]
    unsafe fn new(t: &[f64; 16]) -> Self {
        // SAFETY: the caller runs with AVX-512F enabled; the loads stay
        // inside `t`.
        unsafe {
            Table16([
                _mm512_loadu_pd(t.as_ptr()),
                _mm512_loadu_pd(t.as_ptr().add(8)),
            ])
        }
    }

    /// The entries at `i` (8 lanes of 64 bits, each < 16).
    #[inline(always)]
    unsafe fn get(&self, i: __m512i) -> __m512d {
        // SAFETY: the caller runs with AVX-512F enabled.
        unsafe { _mm512_permutex2var_pd(self.0[0], i, self.0[1]) }
    }
}

/// `logf`'s table, `1/c` and `ln c`, in registers.
#[derive(Clone, Copy)]
pub struct LogTables {
    invc: Table16,
    logc: Table16,
}

impl LogTables {
    /// The tables in registers.
    ///
    /// # Safety
    /// AVX-512F must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn new() -> Self {
        // SAFETY: the caller runs with AVX-512F enabled.
        unsafe {
            LogTables {
                invc: Table16::new(&LOGF_INVC),
                logc: Table16::new(&LOGF_LOGC),
            }
        }
    }
}

/// `logf` on 16 normal positive lanes (`math::logf_core`).
///
/// # Safety
/// AVX-512F, VL, DQ, AVX2 and FMA must be enabled in the caller.
#[inline(always)]
pub unsafe fn logf(x: __m512, t: &LogTables) -> __m512 {
    // SAFETY: the caller runs with the features above; indices are < 16.
    unsafe {
        let ix = _mm512_castps_si512(x);
        let tmp = _mm512_sub_epi32(ix, epi32(LOGF_OFF));
        let i = _mm512_and_si512(_mm512_srli_epi32::<19>(tmp), epi32(15));
        let k = _mm512_srai_epi32::<23>(tmp);
        let top = _mm512_and_si512(tmp, epi32(0xff80_0000));
        let z = _mm512_castsi512_ps(_mm512_sub_epi32(ix, top));
        let lo = logf_half(half_ps::<0>(z), half_epi32::<0>(k), half_epi32::<0>(i), t);
        let hi = logf_half(half_ps::<1>(z), half_epi32::<1>(k), half_epi32::<1>(i), t);
        join_ps(lo, hi)
    }
}

/// The f64 part of `logf` on 8 lanes: reduced `z`, exponent `k` and table
/// index `i`.
#[inline(always)]
unsafe fn logf_half(z: __m256, k: __m256i, i: __m256i, t: &LogTables) -> __m256 {
    // SAFETY: the caller runs with AVX-512F and FMA enabled.
    unsafe {
        let i = _mm512_cvtepu32_epi64(i);
        let (invc, logc) = (t.invc.get(i), t.logc.get(i));
        let z = _mm512_cvtps_pd(z);
        let k = _mm512_cvtepi32_pd(k);
        let r = _mm512_fmsub_pd(z, invc, pd(1.0));
        let y0 = _mm512_fmadd_pd(k, pd(LN2), logc);
        let r2 = _mm512_mul_pd(r, r);
        let mut y = _mm512_fmadd_pd(pd(LOGF_A[1]), r, pd(LOGF_A[2]));
        y = _mm512_fmadd_pd(pd(LOGF_A[0]), r2, y);
        y = _mm512_fmadd_pd(y, r2, _mm512_add_pd(y0, r));
        _mm512_cvtpd_ps(y)
    }
}

/// `(sin, cos)` on 16 lanes with |y| < 120 (`math::sincosf_core`).
///
/// # Safety
/// AVX-512F, VL, DQ, AVX2 and FMA must be enabled in the caller.
#[inline(always)]
pub unsafe fn sincosf(y: __m512) -> (__m512, __m512) {
    // SAFETY: the caller runs with the features above.
    unsafe {
        let (slo, clo, nlo) = sincosf_half(half_ps::<0>(y));
        let (shi, chi, nhi) = sincosf_half(half_ps::<1>(y));
        let (sp, cp) = (join_ps(slo, shi), join_ps(clo, chi));
        let n = _mm512_inserti64x4::<1>(_mm512_castsi256_si512(nlo), nhi);
        // sign = (1, −1, −1, 1)[n & 3] on the sine polynomial: it is odd in
        // the reduced x, with every product and sum negated exactly, so the
        // sign of x may be applied to its f32 result instead (flip bit 31
        // where bit 0 of n differs from bit 1; the cosine is even).
        let flip = _mm512_slli_epi32::<31>(_mm512_xor_si512(n, _mm512_srli_epi32::<1>(n)));
        let sp = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(sp), flip));
        // Quadrants 2 and 3 negate the cosine polynomial; odd ones swap.
        let neg = _mm512_slli_epi32::<30>(_mm512_and_si512(n, epi32(2)));
        let cp = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(cp), neg));
        let odd = _mm512_test_epi32_mask(n, epi32(1));
        let (s, c) = (
            _mm512_mask_blend_ps(odd, sp, cp),
            _mm512_mask_blend_ps(odd, cp, sp),
        );
        // |y| < 2⁻¹²: (y, 1).
        let abs = _mm512_and_si512(_mm512_castps_si512(y), epi32(0x7fff_ffff));
        let tiny = _mm512_cmplt_epi32_mask(_mm512_srli_epi32::<20>(abs), epi32(TOP_TINY));
        (
            _mm512_mask_blend_ps(tiny, s, y),
            _mm512_mask_blend_ps(tiny, c, _mm512_set1_ps(1.0)),
        )
    }
}

/// Reduction and both polynomials on 8 lanes: the sine and cosine
/// polynomials (before the quadrant's signs and swap) and the quadrant.
#[inline(always)]
unsafe fn sincosf_half(y: __m256) -> (__m256, __m256, __m256i) {
    // SAFETY: the caller runs with AVX-512F, AVX2 and FMA enabled.
    unsafe {
        let x = _mm512_cvtps_pd(y);
        let r = _mm512_mul_pd(x, pd(HPI_INV));
        let n = _mm256_srai_epi32::<24>(_mm256_add_epi32(
            _mm512_cvttpd_epi32(r),
            _mm256_set1_epi32(0x80_0000),
        ));
        let x = _mm512_fnmadd_pd(_mm512_cvtepi32_pd(n), pd(HPI), x);
        let x2 = _mm512_mul_pd(x, x);
        let c = [pd(COS[0]), pd(COS[1]), pd(COS[2]), pd(COS[3]), pd(COS[4])];
        let s = [pd(SIN[0]), pd(SIN[1]), pd(SIN[2])];
        let x4 = _mm512_mul_pd(x2, x2);
        let x3 = _mm512_mul_pd(x2, x);
        let c2 = _mm512_fmadd_pd(x2, c[4], c[3]);
        let s1 = _mm512_fmadd_pd(x2, s[2], s[1]);
        let c1 = _mm512_fmadd_pd(x2, c[1], c[0]);
        let x5 = _mm512_mul_pd(x3, x2);
        let x6 = _mm512_mul_pd(x4, x2);
        let sp = _mm512_fmadd_pd(x3, s[0], x);
        let cp = _mm512_fmadd_pd(x4, c[2], c1);
        let sp = _mm512_fmadd_pd(x5, s1, sp);
        let cp = _mm512_fmadd_pd(x6, c2, cp);
        (_mm512_cvtpd_ps(sp), _mm512_cvtpd_ps(cp), n)
    }
}
