//! Hand-vectorised normals for the CPU lane kernels: Philox4x32-10, the
//! uniforms and Box–Muller with mosde's own `logf`/`sincosf`
//! ([`super::math`]) on 8 lanes of AVX2 and on 16 lanes of AVX-512, bit for
//! bit what the scalar functions give.
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
//! own: they are meant to be inlined into a `#[target_feature]` function
//! with the features they use (the engine's AVX2 or AVX-512 kernel), which
//! is what makes the intrinsics inside them legal to run. The polynomials and reductions
//! use fused multiply-adds where glibc's FMA variants (`__logf_fma`,
//! `__sincosf_fma`) do: `examples/check_math.rs` shows on all 2²³ uniforms
//! the RNG can produce that they give the same f32 as the unfused scalar
//! functions, so the normals keep their bits; the scalar and portable forms
//! stay unfused, as they may run without FMA hardware.

/// The SIMD lane forms this CPU can run, by name (`avx2`, `avx512`), for
/// checks that compare them with the scalar functions.
pub fn available() -> Vec<&'static str> {
    #[cfg_attr(
        not(target_arch = "x86_64"),
        expect(unused_mut, reason = "no SIMD lane forms on this target")
    )]
    let mut v = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            v.push("avx2");
        }
        // The features the engine's AVX-512 kernel is compiled with.
        if v.contains(&"avx2")
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512bw")
        {
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
                _ => return avx512::math16(u, t),
            }
        }
    }
    #[allow(unreachable_code, reason = "reached on targets without SIMD forms")]
    {
        let _ = (u, t);
        unreachable!("no SIMD lane forms on this target")
    }
}

/// AVX2 + FMA forms, 8 lanes.
#[cfg(target_arch = "x86_64")]
pub mod avx2;

/// AVX-512 forms, 16 lanes.
#[cfg(target_arch = "x86_64")]
pub mod avx512;
