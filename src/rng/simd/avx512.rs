//! AVX-512 forms of the normals, 16 lanes: Philox4x32-10, the uniforms,
//! and Box–Muller with mosde's own `logf`/`sincosf`, bit for bit what the
//! scalar functions give (see the parent module for the rules they follow).
//! The same steps as the AVX2 form (`super::avx2`) on registers twice as
//! wide; the 32×32→64 multiplies of Philox use even/odd lanes and masked
//! blends, and the 16-lane selects use mask registers.

use std::arch::x86_64::*;

mod math;

pub use math::{LogTables, logf, sincosf};

use super::super::{INV_2_23, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1, TWO_PI_2_23};

/// `(logf, sin, cos)` of 16 lanes, as [`super::math16`].
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
pub(super) fn math16(u: &[f32; 16], t: &[f32; 16]) -> ([f32; 16], [f32; 16], [f32; 16]) {
    // SAFETY: the features are enabled; the transmutes are between types of
    // the same size.
    unsafe {
        let tables = LogTables::new();
        let uu = std::mem::transmute::<[f32; 16], __m512>(*u);
        let (s, c) = sincosf(std::mem::transmute::<[f32; 16], __m512>(*t));
        let l = logf(uu, &tables);
        let out = |v: __m512| std::mem::transmute::<__m512, [f32; 16]>(v);
        (out(l), out(s), out(c))
    }
}

/// High and low words of `a · m` per 32-bit lane (`m` broadcast): the
/// high words from the even lanes' products and the odd lanes' (shifted
/// down), merged by a mask; the low words by one multiply.
#[inline(always)]
unsafe fn mulhilo(a: __m512i, m: __m512i) -> (__m512i, __m512i) {
    // SAFETY: the caller runs with AVX-512F enabled.
    unsafe {
        let even = _mm512_mul_epu32(a, m);
        let odd = _mm512_mul_epu32(_mm512_srli_epi64::<32>(a), m);
        let hi = _mm512_mask_blend_epi32(0xaaaa, _mm512_srli_epi64::<32>(even), odd);
        (hi, _mm512_mullo_epi32(a, m))
    }
}

/// `v` in every lane.
#[inline(always)]
unsafe fn splat(v: u32) -> __m512i {
    // SAFETY: the caller runs with AVX-512F enabled.
    unsafe { _mm512_set1_epi32(v as i32) }
}

/// What the normals need besides the counters, prepared once per lane
/// group: the Philox key, its round keys 3 to 10 in every lane, and
/// `logf`'s tables in registers.
#[derive(Clone, Copy)]
pub struct Consts {
    key: [u32; 2],
    lanes: [[__m512i; 2]; 8],
    log: LogTables,
}

impl Consts {
    /// The constants for `key`.
    ///
    /// # Safety
    /// AVX-512F must be enabled in the caller.
    #[inline(always)]
    pub unsafe fn new(key: [u32; 2]) -> Self {
        let mut k = key;
        // SAFETY: the caller runs with AVX-512F enabled.
        let mut lanes = unsafe { [[_mm512_setzero_si512(); 2]; 8] };
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
            // SAFETY: as above.
            log: unsafe { LogTables::new() },
        }
    }
}

/// High and low words of the scalar product `a · m`.
#[inline(always)]
fn wide(a: u32, m: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(m);
    ((p >> 32) as u32, p as u32)
}

/// Philox4x32-10 of the counters `(path, step, set, block)`, 16 lanes.
/// Rounds 1 and 2 multiply the words that are the same in every lane as
/// scalars, as the AVX2 form does; the rest is as `rng::philox4x32_10`.
///
/// # Safety
/// AVX-512F must be enabled in the caller.
#[inline(always)]
pub unsafe fn philox(consts: &Consts, path: __m512i, ctr: [u32; 3]) -> [__m512i; 4] {
    let k = consts.key;
    // SAFETY: the caller runs with AVX-512F enabled.
    unsafe {
        let (m0, m1) = (splat(PHILOX_M0), splat(PHILOX_M1));
        // Round 1 on (path, step, set, block): words 0 and 1 are scalars.
        let (hi1, lo1) = wide(ctr[1], PHILOX_M1);
        let (hi0, lo0) = mulhilo(path, m0);
        let a0 = hi1 ^ ctr[0] ^ k[0];
        let a2 = _mm512_xor_si512(hi0, splat(ctr[2] ^ k[1]));
        // Round 2: words 1 and 3 come out as scalars.
        let k = [k[0].wrapping_add(PHILOX_W0), k[1].wrapping_add(PHILOX_W1)];
        let (hi0, lo0b) = wide(a0, PHILOX_M0);
        let (hi1, lo1b) = mulhilo(a2, m1);
        let mut c = [
            _mm512_xor_si512(hi1, splat(lo1 ^ k[0])),
            lo1b,
            _mm512_xor_si512(lo0, splat(hi0 ^ k[1])),
            splat(lo0b),
        ];
        for kr in &consts.lanes {
            let (hi0, lo0) = mulhilo(c[0], m0);
            let (hi1, lo1) = mulhilo(c[2], m1);
            // Three-way xors in one instruction (truth table 0x96 = a^b^c).
            c = [
                _mm512_ternarylogic_epi32::<0x96>(hi1, c[1], kr[0]),
                lo1,
                _mm512_ternarylogic_epi32::<0x96>(hi0, c[3], kr[1]),
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
unsafe fn uniform(w: __m512i, scale: f32) -> __m512 {
    // SAFETY: the caller runs with AVX-512F enabled.
    unsafe {
        let f = _mm512_cvtepi32_ps(_mm512_srli_epi32::<9>(w));
        _mm512_mul_ps(_mm512_add_ps(f, _mm512_set1_ps(0.5)), _mm512_set1_ps(scale))
    }
}

/// The four normals of block `ctr[2]` of the counters
/// `(path, ctr[0], ctr[1], ctr[2])` (`rng::normals4` of each lane).
///
/// # Safety
/// AVX-512F, VL, DQ, AVX2 and FMA must be enabled in the caller.
#[inline(always)]
pub unsafe fn normals4(consts: &Consts, path: __m512i, ctr: [u32; 3]) -> [__m512; 4] {
    // SAFETY: the caller runs with the features above.
    unsafe {
        let w = philox(consts, path, ctr);
        let m2 = _mm512_set1_ps(-2.0);
        let r0 = _mm512_sqrt_ps(_mm512_mul_ps(
            m2,
            logf(uniform(w[0], INV_2_23), &consts.log),
        ));
        let (s0, c0) = sincosf(uniform(w[1], TWO_PI_2_23));
        let r1 = _mm512_sqrt_ps(_mm512_mul_ps(
            m2,
            logf(uniform(w[2], INV_2_23), &consts.log),
        ));
        let (s1, c1) = sincosf(uniform(w[3], TWO_PI_2_23));
        [
            _mm512_mul_ps(r0, c0),
            _mm512_mul_ps(r0, s0),
            _mm512_mul_ps(r1, c1),
            _mm512_mul_ps(r1, s1),
        ]
    }
}

#[cfg(test)]
mod tests {
    use std::arch::x86_64::{__m512, __m512i};

    use super as avx512;
    use super::super::super::{normals4, philox4x32_10};

    type Words = [[u32; 16]; 4];
    type Normals = [[f32; 16]; 4];

    /// The AVX-512 Philox words and normals of 16 paths.
    #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
    fn avx512_block(key: [u32; 2], path: &[u32; 16], ctr: [u32; 3]) -> (Words, Normals) {
        // SAFETY: the features are enabled; the transmutes are between
        // types of the same size.
        unsafe {
            let keys = avx512::Consts::new(key);
            let p = std::mem::transmute::<[u32; 16], __m512i>(*path);
            let w = avx512::philox(&keys, p, ctr);
            let z = avx512::normals4(&keys, p, ctr);
            (
                std::mem::transmute::<[__m512i; 4], Words>(w),
                std::mem::transmute::<[__m512; 4], Normals>(z),
            )
        }
    }

    #[test]
    fn avx512_philox_and_normals_equal_the_scalar_functions() {
        if !super::super::available().contains(&"avx512") {
            return;
        }
        let path: [u32; 16] = std::array::from_fn(|l| {
            [0, 1, 77, 0xffff_fff0, 123_456, 9, u32::MAX, 0x8000_0000][l % 8]
                ^ (l as u32 / 8).wrapping_mul(0x9e37_79b9)
        });
        for key in [[0, 0], [0x1234_5678, 0x9abc_def0], [u32::MAX; 2]] {
            for ctr in [[0, 0, 0], [3, 2, 1], [u32::MAX, 7, 0], [999, u32::MAX, 5]] {
                // SAFETY: the features were detected above.
                let (w, z) = unsafe { avx512_block(key, &path, ctr) };
                for l in 0..16 {
                    let r = philox4x32_10([path[l], ctr[0], ctr[1], ctr[2]], key);
                    let got = [w[0][l], w[1][l], w[2][l], w[3][l]];
                    assert_eq!(got, r, "words {key:x?} {ctr:?}");
                    let got = [z[0][l], z[1][l], z[2][l], z[3][l]].map(f32::to_bits);
                    let want = normals4(r).map(f32::to_bits);
                    assert_eq!(got, want, "normals {key:x?} {ctr:?}");
                }
            }
        }
    }
}
