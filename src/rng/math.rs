//! mosde's own `logf` and `sincosf`, so that the normals — and with them every
//! CPU output — are the same bits on every OS, libc and CPU.
//!
//! Written from Arm's optimized-routines (`math/logf.c`, `math/logf_data.c`,
//! `math/sincosf.c`, `math/sincosf.h`, `math/sincosf_data.c`, `math/cosf.c`;
//! <https://github.com/ARM-software/optimized-routines>, Copyright (c)
//! 2017–2025 Arm Limited, licensed MIT OR Apache-2.0 WITH LLVM-exception).
//! glibc has shipped the same algorithms since 2.28, so on Linux these give
//! the bits `f32::ln`, `f32::sin` and `f32::cos` gave before.
//!
//! Both functions evaluate in f64 and round once to f32. Every product and
//! sum is written unfused: Rust never contracts `a * b + c`, and
//! `examples/check_math.rs` checks on all 2²³ uniforms the RNG can produce
//! that these unfused forms equal glibc's FMA variants and that the lane forms
//! equal the scalar forms. (`f64::mul_add` is never used: without FMA
//! hardware it is a slow software routine.) As in the x86 build of the
//! original, the quadrant comes from the 2²⁴-scaled truncating conversion,
//! not from a rounding instruction.
//!
//! The scalar forms handle every input. The lane forms (`*_core`, applied
//! lane by lane) handle the normals' domain: `logf` on normal positive
//! numbers other than 1, `sincosf` on |y| < 120.

/// `(1/c, ln c)` for the 16 subintervals of `logf`'s reduced argument.
const LOGF_TAB: [(f64, f64); 16] = [
    (
        f64::from_bits(0x3ff661ec79f8f3be),
        f64::from_bits(0xbfd57bf7808caade),
    ),
    (
        f64::from_bits(0x3ff571ed4aaf883d),
        f64::from_bits(0xbfd2bef0a7c06ddb),
    ),
    (
        f64::from_bits(0x3ff49539f0f010b0),
        f64::from_bits(0xbfd01eae7f513a67),
    ),
    (
        f64::from_bits(0x3ff3c995b0b80385),
        f64::from_bits(0xbfcb31d8a68224e9),
    ),
    (
        f64::from_bits(0x3ff30d190c8864a5),
        f64::from_bits(0xbfc6574f0ac07758),
    ),
    (
        f64::from_bits(0x3ff25e227b0b8ea0),
        f64::from_bits(0xbfc1aa2bc79c8100),
    ),
    (
        f64::from_bits(0x3ff1bb4a4a1a343f),
        f64::from_bits(0xbfba4e76ce8c0e5e),
    ),
    (
        f64::from_bits(0x3ff12358f08ae5ba),
        f64::from_bits(0xbfb1973c5a611ccc),
    ),
    (
        f64::from_bits(0x3ff0953f419900a7),
        f64::from_bits(0xbfa252f438e10c1e),
    ),
    (1.0, 0.0),
    (
        f64::from_bits(0x3fee608cfd9a47ac),
        f64::from_bits(0x3faaa5aa5df25984),
    ),
    (
        f64::from_bits(0x3feca4b31f026aa0),
        f64::from_bits(0x3fbc5e53aa362eb4),
    ),
    (
        f64::from_bits(0x3feb2036576afce6),
        f64::from_bits(0x3fc526e57720db08),
    ),
    (
        f64::from_bits(0x3fe9c2d163a1aa2d),
        f64::from_bits(0x3fcbc2860d224770),
    ),
    (
        f64::from_bits(0x3fe886e6037841ed),
        f64::from_bits(0x3fd1058bc8a07ee1),
    ),
    (
        f64::from_bits(0x3fe767dcf5534862),
        f64::from_bits(0x3fd4043057b6ee09),
    ),
];
/// ln 2.
pub(crate) const LN2: f64 = f64::from_bits(0x3fe62e42fefa39ef);
/// log1p(r) ≈ r + A0 r² + A1 r³ + A2 r⁴.
pub(crate) const LOGF_A: [f64; 3] = [
    f64::from_bits(0xbfd00ea348b88334),
    f64::from_bits(0x3fd5575b0be00b6a),
    f64::from_bits(0xbfdffffef20a4123),
];
/// The reduced argument is `x / 2^k` in `[OFF, 2·OFF)` as bits.
pub(crate) const LOGF_OFF: u32 = 0x3f33_0000;

/// The table entry of `logf`'s subinterval `i`.
#[inline(always)]
pub(crate) fn logf_table(i: usize) -> (f64, f64) {
    LOGF_TAB[i]
}

/// The `1/c` column of the table, for the x86 lane forms' lookups.
#[cfg(target_arch = "x86_64")]
pub(crate) static LOGF_INVC: [f64; 16] = column(0);
/// The `ln c` column of the table, for the x86 lane forms' lookups.
#[cfg(target_arch = "x86_64")]
pub(crate) static LOGF_LOGC: [f64; 16] = column(1);

#[cfg(target_arch = "x86_64")]
const fn column(c: usize) -> [f64; 16] {
    let mut out = [0.0; 16];
    let mut i = 0;
    while i < 16 {
        out[i] = if c == 0 { LOGF_TAB[i].0 } else { LOGF_TAB[i].1 };
        i += 1;
    }
    out
}

/// 2/π · 2²⁴ (the quadrant lands in bits 24…31).
pub(crate) const HPI_INV: f64 = f64::from_bits(0x41645f306dc9c883);
/// π/2.
pub(crate) const HPI: f64 = f64::from_bits(0x3ff921fb54442d18);
/// Cosine polynomial c0…c4 (the second table of the original negates them).
pub(crate) const COS: [f64; 5] = [
    1.0,
    f64::from_bits(0xbfdffffffd0c621c),
    f64::from_bits(0x3fa55553e1068f19),
    f64::from_bits(0xbf56c087e89a359d),
    f64::from_bits(0x3ef99343027bf8c3),
];
/// Sine polynomial s1…s3.
pub(crate) const SIN: [f64; 3] = [
    f64::from_bits(0xbfc555545995a603),
    f64::from_bits(0x3f81107605230bc4),
    f64::from_bits(0xbf2994eb3774cf24),
];
/// 2π · 2⁻⁶⁴, for the large-argument reduction.
const PI63: f64 = f64::from_bits(0x3c1921fb54442d18);
/// 4/π to 192 bits, 8 new bits per entry.
const INV_PIO4: [u32; 24] = [
    0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529, 0x441529fc,
    0x1529fc27, 0x29fc2757, 0xfc2757d1, 0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0, 0x34ddc0db,
    0xddc0db62, 0xc0db6295, 0xdb629599, 0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
];
/// Top 12 bits of 2⁻¹², 120 and ∞ with the sign cleared.
pub(crate) const TOP_TINY: u32 = 0x398;
const TOP_120: u32 = 0x42f;
const TOP_INF: u32 = 0x7f8;

/// Top 12 bits of the float's representation, sign cleared.
#[inline(always)]
pub(crate) fn abstop12(y: f32) -> u32 {
    (y.to_bits() >> 20) & 0x7ff
}

/// Natural logarithm, as glibc's `logf`.
pub fn logf(x: f32) -> f32 {
    let mut ix = x.to_bits();
    if ix == 0x3f80_0000 {
        return 0.0;
    }
    if ix.wrapping_sub(0x0080_0000) >= 0x7f80_0000 - 0x0080_0000 {
        if ix.wrapping_mul(2) == 0 {
            return f32::NEG_INFINITY;
        }
        if ix == 0x7f80_0000 {
            return x;
        }
        if ix & 0x8000_0000 != 0 || ix.wrapping_mul(2) >= 0xff00_0000 {
            return f32::NAN;
        }
        // Subnormal: scale into the normal range.
        ix = (x * 8_388_608.0).to_bits().wrapping_sub(23 << 23);
    }
    logf_bits(ix)
}

/// `logf` on a normal positive number (the lane form).
#[inline(always)]
pub fn logf_core(x: f32) -> f32 {
    logf_bits(x.to_bits())
}

/// `logf` of the bits `ix` of a normal positive number, or of a subnormal
/// scaled by 2²³ with 23 taken off its exponent field (which may wrap).
#[inline(always)]
fn logf_bits(ix: u32) -> f32 {
    // x = 2^k z with z in [OFF, 2·OFF); c is near z's subinterval centre.
    let tmp = ix.wrapping_sub(LOGF_OFF);
    let i = ((tmp >> 19) % 16) as usize;
    let k = (tmp as i32) >> 23;
    let iz = ix.wrapping_sub(tmp & 0xff80_0000);
    let (invc, logc) = logf_table(i);
    let z = f64::from(f32::from_bits(iz));
    // log(x) = log1p(z/c − 1) + log(c) + k ln 2.
    let r = z * invc - 1.0;
    let y0 = logc + f64::from(k) * LN2;
    let r2 = r * r;
    let mut y = LOGF_A[1] * r + LOGF_A[2];
    y += LOGF_A[0] * r2;
    y = y * r2 + (y0 + r);
    y as f32
}

/// `(sin y, cos y)`, as glibc's `sincosf` (and its `sinf`, `cosf`).
pub fn sincosf(y: f32) -> (f32, f32) {
    let top = abstop12(y);
    if top < TOP_120 {
        sincosf_core(y)
    } else if top < TOP_INF {
        let xi = y.to_bits();
        let (x, n) = reduce_large(xi);
        sincosf_poly(x, n.wrapping_add(xi >> 31), n)
    } else {
        (f32::NAN, f32::NAN)
    }
}

/// `sincosf` on |y| < 120 (the lane form): one-step reduction, which for
/// |y| < π/4 gives quadrant 0 and leaves `y` exact, as the original's
/// unreduced branch.
#[inline(always)]
pub fn sincosf_core(y: f32) -> (f32, f32) {
    let x = f64::from(y);
    let r = x * HPI_INV;
    let n = ((r as i32).wrapping_add(0x80_0000) >> 24) as u32;
    let x = x - f64::from(n as i32) * HPI;
    let (s, c) = sincosf_poly(x, n, n);
    // |y| < 2⁻¹²: (y, 1). A select, not an early return, so lanes vectorise.
    if abstop12(y) < TOP_TINY {
        (y, 1.0)
    } else {
        (s, c)
    }
}

/// The polynomials on the reduced `x` in quadrant `n`; `q` picks the signs
/// (`n`, plus the input's sign after a large reduction). The original's
/// second table negates the cosine coefficients, which negates the cosine
/// polynomial exactly; here the result is negated instead.
#[inline(always)]
fn sincosf_poly(x: f64, q: u32, n: u32) -> (f32, f32) {
    let x2 = x * x;
    // sign = (1, −1, −1, 1)[q & 3].
    let x = if (q ^ (q >> 1)) & 1 != 0 { -x } else { x };
    let x4 = x2 * x2;
    let x3 = x2 * x;
    let c2 = COS[3] + x2 * COS[4];
    let s1 = SIN[1] + x2 * SIN[2];
    let c1 = COS[0] + x2 * COS[1];
    let x5 = x3 * x2;
    let x6 = x4 * x2;
    let s = x + x3 * SIN[0];
    let c = c1 + x4 * COS[2];
    let sp = (s + x5 * s1) as f32;
    let mut cp = (c + x6 * c2) as f32;
    if q & 2 != 0 {
        cp = -cp;
    }
    if n & 1 != 0 { (cp, sp) } else { (sp, cp) }
}

/// Reduces |y| ≥ 120 (as bits) modulo π/2 with 4/π to 192 bits: the reduced
/// value in [−π/4, π/4] and the quadrant.
fn reduce_large(xi: u32) -> (f64, u32) {
    let arr = &INV_PIO4[((xi >> 26) & 15) as usize..];
    let shift = (xi >> 23) & 7;
    let xi = ((xi & 0xff_ffff) | 0x80_0000) << shift;
    let res0 = u64::from(xi.wrapping_mul(arr[0]));
    let res1 = u64::from(xi) * u64::from(arr[4]);
    let res2 = u64::from(xi) * u64::from(arr[8]);
    let mut res0 = (res2 >> 32) | (res0 << 32);
    res0 = res0.wrapping_add(res1);
    let n = res0.wrapping_add(1 << 61) >> 62;
    res0 = res0.wrapping_sub(n << 62);
    ((res0 as i64) as f64 * PI63, n as u32)
}

/// `logf` lane by lane on the normals' domain.
#[inline(always)]
pub fn logf_lanes<const W: usize>(x: &[f32; W]) -> [f32; W] {
    std::array::from_fn(|l| logf_core(x[l]))
}

/// `sincosf` lane by lane on |y| < 120: `(sin, cos)`.
#[inline(always)]
pub fn sincosf_lanes<const W: usize>(y: &[f32; W]) -> ([f32; W], [f32; W]) {
    let mut s = [0.0; W];
    let mut c = [0.0; W];
    for l in 0..W {
        (s[l], c[l]) = sincosf_core(y[l]);
    }
    (s, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_values() {
        assert_eq!(logf(1.0).to_bits(), 0);
        assert_eq!(logf(0.0), f32::NEG_INFINITY);
        assert_eq!(logf(f32::INFINITY), f32::INFINITY);
        assert!(logf(-1.0).is_nan() && logf(f32::NAN).is_nan());
        assert!((logf(1e-40) - 1e-40f64.ln() as f32).abs() < 1e-5);
        assert_eq!(sincosf(0.0), (0.0, 1.0));
        assert!(sincosf(f32::INFINITY).0.is_nan());
    }

    #[test]
    fn close_to_f64_everywhere() {
        // Every binade from 2^-30 to 2^30, both signs, a few mantissas each.
        for e in -30..30 {
            for m in [1.0f32, 1.1, 1.37, 1.5, 1.77, 1.99] {
                for y in [m * 2f32.powi(e), -m * 2f32.powi(e)] {
                    let (s, c) = sincosf(y);
                    let (ws, wc) = f64::from(y).sin_cos();
                    let ok = (f64::from(s) - ws).abs() < 1e-6 && (f64::from(c) - wc).abs() < 1e-6;
                    assert!(ok, "sincosf({y}) = ({s}, {c})");
                    if y > 0.0 {
                        let (l, w) = (f64::from(logf(y)), f64::from(y).ln());
                        assert!((l - w).abs() <= 1e-6 * w.abs().max(1.0), "logf({y}) = {l}");
                    }
                }
            }
        }
    }
}
