//! x86-64 entry points of the lane kernel, compiled with the features they
//! name and picked at run time (`Kernel::detect`): AVX2 + FMA on 8 lanes,
//! AVX-512 on 16. A baseline x86-64 binary carries both.

use std::arch::x86_64::*;

use super::lanes::{Noise, by_objectives};
use super::simulate::{ItemOutput, TerminalOut};
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
}

/// The lane kernel on 8 lanes of AVX2 + FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) fn simulate_avx2<'a>(
    job: &Job,
    item: &WorkItem,
    terminal: TerminalOut<'a>,
) -> ItemOutput<'a> {
    by_objectives!(job, item, terminal, 8, Avx2)
}

/// The lane kernel on 16 lanes of AVX-512.
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
pub(super) fn simulate_avx512<'a>(
    job: &Job,
    item: &WorkItem,
    terminal: TerminalOut<'a>,
) -> ItemOutput<'a> {
    by_objectives!(job, item, terminal, 16, Avx512)
}
