//! Element-wise operations on lane arrays for the lane kernel's update.
//!
//! Each operation is one loop over `W` lanes and nothing else, the shape the
//! compiler turns into one vector instruction per register under the
//! kernel's target features (8 lanes: one AVX2 register, two SSE2 registers;
//! 16 lanes: one AVX-512 register). Loops that mix lanes with branches,
//! scalar bounds or several arrays at once vectorised only partly and spilled
//! single lanes (results/simd-engine.md, profile). No closures: a closure is
//! its own function and need not be compiled with the caller's features.
#![allow(
    clippy::needless_range_loop,
    reason = "index loops over lanes are the form that vectorises"
)]

/// `v` in every lane.
#[inline(always)]
pub(super) fn splat<const W: usize>(v: f32) -> [f32; W] {
    [v; W]
}

/// `a + b` per lane.
#[inline(always)]
pub(super) fn add<const W: usize>(a: [f32; W], b: [f32; W]) -> [f32; W] {
    let mut o = [0.0; W];
    for l in 0..W {
        o[l] = a[l] + b[l];
    }
    o
}

/// `a − b` per lane.
#[inline(always)]
pub(super) fn sub<const W: usize>(a: [f32; W], b: [f32; W]) -> [f32; W] {
    let mut o = [0.0; W];
    for l in 0..W {
        o[l] = a[l] - b[l];
    }
    o
}

/// `a · b` per lane (never fused with a following add).
#[inline(always)]
pub(super) fn mul<const W: usize>(a: [f32; W], b: [f32; W]) -> [f32; W] {
    let mut o = [0.0; W];
    for l in 0..W {
        o[l] = a[l] * b[l];
    }
    o
}

/// `f32::clamp(v, lo, hi)` per lane: `lo` below, `hi` above, NaN kept.
#[inline(always)]
pub(super) fn clamp<const W: usize>(v: [f32; W], lo: [f32; W], hi: [f32; W]) -> [f32; W] {
    let mut o = [0.0; W];
    for l in 0..W {
        let t = if v[l] < lo[l] { lo[l] } else { v[l] };
        o[l] = if t > hi[l] { hi[l] } else { t };
    }
    o
}

/// All ones where `live`, else zero: the mask [`select`] takes.
#[inline(always)]
pub(super) fn mask<const W: usize>(live: &[bool; W]) -> [u32; W] {
    let mut o = [0; W];
    for l in 0..W {
        o[l] = u32::from(live[l]).wrapping_neg();
    }
    o
}

/// `new` where `mask` is all ones, else `old`, by bits (so a dead lane's
/// NaN or ∞ in `new` never reaches the result).
#[inline(always)]
pub(super) fn select<const W: usize>(mask: [u32; W], new: [f32; W], old: [f32; W]) -> [f32; W] {
    let mut o = [0.0; W];
    for l in 0..W {
        o[l] = f32::from_bits((new[l].to_bits() & mask[l]) | (old[l].to_bits() & !mask[l]));
    }
    o
}

/// `acc + v` on the lanes of `mask`, `acc` elsewhere.
#[inline(always)]
pub(super) fn add_live<const W: usize>(mask: [u32; W], acc: [f32; W], v: [f32; W]) -> [f32; W] {
    select(mask, add(acc, v), acc)
}

/// `a & b` per lane.
#[inline(always)]
pub(super) fn and<const W: usize>(a: [u32; W], b: [u32; W]) -> [u32; W] {
    let mut o = [0; W];
    for l in 0..W {
        o[l] = a[l] & b[l];
    }
    o
}

/// All ones where `v` is finite as the kernels test it (`simulate::finite`:
/// |v| below the limit, so NaN and ∞ fail), else zero.
#[inline(always)]
pub(super) fn finite_mask<const W: usize>(v: [f32; W]) -> [u32; W] {
    let mut o = [0; W];
    for l in 0..W {
        o[l] = u32::from(super::simulate::finite(v[l])).wrapping_neg();
    }
    o
}

/// Whether some lane set in `mask` is clear in `ok`.
#[inline(always)]
pub(super) fn any_clear<const W: usize>(ok: [u32; W], mask: [u32; W]) -> bool {
    let mut any = 0;
    for l in 0..W {
        any |= mask[l] & !ok[l];
    }
    any != 0
}
