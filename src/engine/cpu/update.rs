//! The lane kernel's update: one Euler–Maruyama step of every lane, each
//! operation over whole lane arrays ([`lane_ops`](super::lane_ops)), with
//! the strategy's constants splatted once per work item.
#![allow(
    clippy::needless_range_loop,
    reason = "index loops over lanes are the form that vectorises"
)]

use super::lane_ops::{add, clamp, mul, splat, sub};
use super::simulate::{Block, reflect};
use crate::engine::abi::{NMAX, StrategyParams};
use crate::model::Boundary;

/// A strategy's update constants splatted over the lanes once per work
/// item, with the set's: the update reads them as memory operands, where
/// splatting the scalar parameters cost a broadcast per constant per step.
pub(super) struct Splat<const N: usize, const W: usize> {
    xstar: [[f32; W]; N],
    a: [[[f32; W]; N]; N],
    l: [[[f32; W]; N]; N],
    lo: [[f32; W]; N],
    hi: [[f32; W]; N],
    dt: [f32; W],
    sqrt_dt: [f32; W],
    jac: bool,
}

impl<const N: usize, const W: usize> Splat<N, W> {
    #[inline(always)]
    pub(super) fn new(b: &Block<N>, p: &StrategyParams) -> Self {
        let sc = &b.sc;
        Splat {
            xstar: std::array::from_fn(|i| splat(p.xstar[i])),
            a: std::array::from_fn(|i| std::array::from_fn(|j| splat(p.a[i * NMAX + j]))),
            l: std::array::from_fn(|i| std::array::from_fn(|j| splat(p.l[i * NMAX + j]))),
            lo: std::array::from_fn(|i| splat(sc.lo[i])),
            hi: std::array::from_fn(|i| splat(sc.hi[i])),
            dt: splat(sc.dt),
            sqrt_dt: splat(sc.sqrt_dt),
            jac: b.flags.any_jacobi && p.jacobi != 0,
        }
    }
}

/// One Euler–Maruyama step of every lane with strategy `p`, row by row,
/// each operation over whole lane arrays. Twin: `em_step`.
#[inline(always)]
pub(super) fn em_step<const N: usize, const W: usize>(
    b: &Block<N>,
    p: &Splat<N, W>,
    x: &[[f32; W]; N],
    z: &[[f32; W]; N],
) -> [[f32; W]; N] {
    let sc = &b.sc;
    let mut e = [[0.0f32; W]; N];
    for j in 0..N {
        e[j] = sub(p.xstar[j], x[j]);
    }
    let mut xn = [[0.0f32; W]; N];
    for i in 0..N {
        // Sums start from 0.0 as the scalar kernel's do (0 + −0 is +0).
        let mut dr = [0.0f32; W];
        let mut nz = [0.0f32; W];
        for j in 0..N {
            dr = add(dr, mul(p.a[i][j], e[j]));
            if j <= i {
                nz = add(nz, mul(p.l[i][j], z[j]));
            }
        }
        nz = mul(nz, p.sqrt_dt);
        if p.jac {
            nz = jacobi_scale(nz, &x[i], sc.lo[i], sc.hi[i], sc.inv_range[i]);
        }
        let v = add(add(x[i], mul(dr, p.dt)), nz);
        xn[i] = match b.flags.boundary {
            Boundary::Clamp => clamp(v, p.lo[i], p.hi[i]),
            Boundary::Reflect => reflect_lanes(v, sc.lo[i], sc.hi[i]),
            Boundary::None => v,
        };
    }
    xn
}

/// [`reflect`] lane by lane (no closure: see `lane_ops`).
#[inline(always)]
fn reflect_lanes<const W: usize>(mut v: [f32; W], lo: f32, hi: f32) -> [f32; W] {
    for l in 0..W {
        v[l] = reflect(v[l], lo, hi);
    }
    v
}

/// The Jacobi diffusion's factor on the noise: `nz · 2 · √g / range` with
/// `g = max((x − lo)(hi − x), 0)`. Twin: the `jacobi` branch of `em_step`.
#[inline(always)]
fn jacobi_scale<const W: usize>(
    nz: [f32; W],
    x: &[f32; W],
    lo: f32,
    hi: f32,
    inv_range: f32,
) -> [f32; W] {
    let mut o = [0.0f32; W];
    for l in 0..W {
        let g = ((x[l] - lo) * (hi - x[l])).max(0.0);
        o[l] = nz[l] * 2.0 * g.sqrt() * inv_range;
    }
    o
}
