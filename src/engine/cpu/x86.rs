//! x86-64 entry points of the lane kernel, compiled with the features they
//! name and picked at run time (`Kernel::detect`): AVX2 + FMA on 8 lanes,
//! AVX-512 on 16. A baseline x86-64 binary carries both.

use std::arch::x86_64::*;

use super::lanes::{Noise, by_objectives};
use super::simulate::ItemOutput;
use crate::engine::abi::WorkItem;
use crate::engine::plan::Job;
use crate::rng::simd::{avx2, avx512};

/// Hand-written AVX2 normals on 8 lanes. Only instantiated inside the
/// `#[target_feature(enable = "avx2,fma")]` kernels below, which is what
/// makes its intrinsics sound to run.
pub(super) struct Avx2;

impl Noise<8> for Avx2 {
    type Consts = avx2::Consts;

    #[inline(always)]
    fn consts(key: [u32; 2]) -> avx2::Consts {
        // SAFETY: AVX2 is enabled in every caller (see above).
        unsafe { avx2::Consts::new(key) }
    }

    #[inline(always)]
    fn normals4(consts: &avx2::Consts, path: &[u32; 8], ctr: [u32; 3]) -> [[f32; 8]; 4] {
        // SAFETY: AVX2 is enabled in every caller (see above); the load
        // stays inside `path`. The normals leave as values (a transmute of
        // registers to arrays of the same size), not through stores to a
        // buffer, so they stay in registers into the update.
        unsafe {
            let p = _mm256_loadu_si256(path.as_ptr().cast::<__m256i>());
            std::mem::transmute::<[__m256; 4], [[f32; 8]; 4]>(avx2::normals4(consts, p, ctr))
        }
    }
}

/// Hand-written AVX-512 normals on 16 lanes. Only instantiated inside the
/// `#[target_feature(enable = "avx512f,…")]` kernel below, which is what
/// makes its intrinsics sound to run.
pub(super) struct Avx512;

impl Noise<16> for Avx512 {
    type Consts = avx512::Consts;

    #[inline(always)]
    fn consts(key: [u32; 2]) -> avx512::Consts {
        // SAFETY: AVX-512F is enabled in every caller (see above).
        unsafe { avx512::Consts::new(key) }
    }

    #[inline(always)]
    fn normals4(consts: &avx512::Consts, path: &[u32; 16], ctr: [u32; 3]) -> [[f32; 16]; 4] {
        // SAFETY: the AVX-512 kernel's features are enabled in every caller
        // (see above); the transmutes are between types of the same size,
        // and keep the path and the normals in registers, as for AVX2.
        unsafe {
            let p = std::mem::transmute::<[u32; 16], __m512i>(*path);
            let z = avx512::normals4(consts, p, ctr);
            std::mem::transmute::<[__m512; 4], [[f32; 16]; 4]>(z)
        }
    }

    const ROW_SUMS: bool = true;

    #[inline(always)]
    fn add_rows(sums: &mut [f64], rows: &[[f32; 16]]) {
        for (s, r) in sums.chunks_mut(8).zip(rows.chunks(8)) {
            // SAFETY: the AVX-512 kernel's features are enabled in every
            // caller (see above).
            unsafe { add_rows8(s, r) }
        }
    }
}

/// [`Noise::add_rows`] for up to 8 rows of 16 lanes: the rows transposed
/// into 16 columns of 8, each widened to f64 and added to the 8 sums at
/// once, column after column, so every sum takes its terms in lane order.
/// (Left to the compiler, the 16 lanes' sums were added one by one and
/// records every step nearly doubled the run's time.)
#[inline(always)]
unsafe fn add_rows8(sums: &mut [f64], rows: &[[f32; 16]]) {
    // SAFETY: the caller runs with AVX-512F and DQ enabled; the loads read
    // whole rows, and the masked load and store touch `sums` only.
    unsafe {
        // No closure (see `lanes.rs`): zero rows past the end.
        let mut r = [_mm512_setzero_ps(); 8];
        for (ri, v) in r.iter_mut().zip(rows) {
            *ri = _mm512_loadu_ps(v.as_ptr());
        }
        // Within each 128-bit quarter: pairs, then quads of rows.
        let t: [__m512; 8] = [
            _mm512_unpacklo_ps(r[0], r[1]),
            _mm512_unpackhi_ps(r[0], r[1]),
            _mm512_unpacklo_ps(r[2], r[3]),
            _mm512_unpackhi_ps(r[2], r[3]),
            _mm512_unpacklo_ps(r[4], r[5]),
            _mm512_unpackhi_ps(r[4], r[5]),
            _mm512_unpacklo_ps(r[6], r[7]),
            _mm512_unpackhi_ps(r[6], r[7]),
        ];
        // u[q] (rows 0–3) and u[q + 4] (rows 4–7) hold columns q, q + 4,
        // q + 8 and q + 12 in their four quarters.
        let u: [__m512; 8] = [
            _mm512_shuffle_ps::<0x44>(t[0], t[2]),
            _mm512_shuffle_ps::<0xEE>(t[0], t[2]),
            _mm512_shuffle_ps::<0x44>(t[1], t[3]),
            _mm512_shuffle_ps::<0xEE>(t[1], t[3]),
            _mm512_shuffle_ps::<0x44>(t[4], t[6]),
            _mm512_shuffle_ps::<0xEE>(t[4], t[6]),
            _mm512_shuffle_ps::<0x44>(t[5], t[7]),
            _mm512_shuffle_ps::<0xEE>(t[5], t[7]),
        ];
        // Whole columns: c[q] = (q, q + 4), c[q + 4] = (q + 8, q + 12),
        // each 8 rows in one half.
        let lo = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
        let hi = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
        let mut c = [_mm512_setzero_ps(); 8];
        for q in 0..4 {
            c[q] = _mm512_permutex2var_ps(u[q], lo, u[q + 4]);
            c[q + 4] = _mm512_permutex2var_ps(u[q], hi, u[q + 4]);
        }
        let keep: __mmask8 = ((1u32 << sums.len().min(8)) - 1) as __mmask8;
        let mut acc = _mm512_maskz_loadu_pd(keep, sums.as_ptr());
        for col in 0..16 {
            let pair = c[col % 4 + 4 * (col / 8)];
            let half = if (col / 4) % 2 == 0 {
                _mm512_castps512_ps256(pair)
            } else {
                _mm512_extractf32x8_ps::<1>(pair)
            };
            acc = _mm512_add_pd(acc, _mm512_cvtps_pd(half));
        }
        _mm512_mask_storeu_pd(sums.as_mut_ptr(), keep, acc);
    }
}

/// The lane kernel on 8 lanes of AVX2 + FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) fn simulate_avx2(job: &Job, item: &WorkItem) -> ItemOutput {
    by_objectives!(job, item, 8, Avx2)
}

/// The lane kernel on 16 lanes of AVX-512.
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
pub(super) fn simulate_avx512(job: &Job, item: &WorkItem) -> ItemOutput {
    by_objectives!(job, item, 16, Avx512)
}
