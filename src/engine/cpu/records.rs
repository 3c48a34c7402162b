//! Moment records of the lane kernel: at each record, the count of live
//! paths and, per objective, `Σ (x − shift)` and `Σ (x − shift)²` over the
//! live paths, added to the partial.
//!
//! The sums are f64 sums that take the paths one by one in path order, as
//! the scalar kernel's do, so the outputs keep their bits. With 8 lanes the
//! compiler's own form of those sums is the fastest ([`moments`]). With 16
//! lanes, one record's sums are a chain of 16 dependent adds, and records
//! every step left the step loop waiting on them; so kernels whose noise
//! sets [`Noise::ROW_SUMS`] keep the states of up to [`BATCH`] records and
//! sum them in one loop after, where the chains of different records
//! overlap ([`Records::flush`]). The order of each sum's terms is the same.
#![allow(
    clippy::needless_range_loop,
    reason = "index loops over lanes are the form that vectorises"
)]

use super::lane_ops::{mul, select, splat, sub};
use super::lanes::{Live, Noise};
use super::simulate::Block;
use crate::engine::abi::NMAX;

/// Records kept before their sums are taken ([`Noise::ROW_SUMS`] kernels).
const BATCH: usize = 16;

/// The records of one lane group.
pub(super) struct Records<const N: usize, const W: usize> {
    /// The record index of `states[0]`.
    first: usize,
    len: usize,
    /// Kept states, dead lanes replaced by the shift (so that they add
    /// +0.0, which leaves every sum's bits as they were, as the scalar
    /// kernel's skipped paths do: a sum that starts at +0.0 is never −0.0).
    states: [[[f32; W]; N]; BATCH],
}

impl<const N: usize, const W: usize> Records<N, W> {
    #[inline(always)]
    pub(super) fn new() -> Self {
        Records {
            first: 0,
            len: 0,
            states: [[[0.0; W]; N]; BATCH],
        }
    }

    /// Record `r` of state `x`; records come in order, `0, 1, 2, …`.
    #[inline(always)]
    pub(super) fn add<Z: Noise<W>>(
        &mut self,
        b: &Block<N>,
        p: &mut [f64],
        r: usize,
        x: &[[f32; W]; N],
        live: &Live<W>,
    ) {
        let at = b.layout.record(r);
        if !Z::ROW_SUMS {
            return moments(p, at, x, &b.sc.shift, live);
        }
        // The count is exact in any order.
        p[at] += if live.full {
            W as f64
        } else {
            live.alive.iter().filter(|a| **a).count() as f64
        };
        if self.len == 0 {
            self.first = r;
        }
        let st = &mut self.states[self.len];
        *st = *x;
        if !live.full {
            for i in 0..N {
                st[i] = select(live.mask, x[i], splat(b.sc.shift[i]));
            }
        }
        self.len += 1;
        if self.len == BATCH {
            self.flush::<Z>(b, p);
        }
    }

    /// Adds the sums of the records still kept.
    #[inline(always)]
    pub(super) fn finish<Z: Noise<W>>(&mut self, b: &Block<N>, p: &mut [f64]) {
        if Z::ROW_SUMS {
            self.flush::<Z>(b, p);
        }
    }

    /// Each kept record's differences and squares as rows of lanes, in the
    /// order of the partial's sums, added by [`Noise::add_rows`].
    #[inline(always)]
    fn flush<Z: Noise<W>>(&mut self, b: &Block<N>, p: &mut [f64]) {
        for k in 0..self.len {
            let at = b.layout.record(self.first + k) + 1;
            let mut rows = [[0.0f32; W]; 2 * NMAX];
            for i in 0..N {
                let v = sub(self.states[k][i], splat(b.sc.shift[i]));
                rows[i] = v;
                rows[N + i] = mul(v, v);
            }
            Z::add_rows(&mut p[at..at + 2 * N], &rows[..2 * N]);
        }
        self.len = 0;
    }
}

/// Adds one record at `at` from the live lanes, path by path as the scalar
/// kernel does (the f64 sums keep their order); the f32 differences and
/// squares and their widening run over lanes first. A dead lane adds +0.0
/// (see [`Records`]), so the loop has no branch; the count adds the number
/// of live lanes at once, which is exact. Twin: `record_moments`.
#[inline(always)]
fn moments<const N: usize, const W: usize>(
    p: &mut [f64],
    at: usize,
    x: &[[f32; W]; N],
    shift: &[f32; N],
    live: &Live<W>,
) {
    let (alive, live) = (&live.alive, live.mask);
    let mut d = [[0.0f64; W]; N];
    let mut d2 = [[0.0f64; W]; N];
    for i in 0..N {
        let v = sub(x[i], splat(shift[i]));
        let (v, v2) = (select(live, v, [0.0; W]), select(live, mul(v, v), [0.0; W]));
        for l in 0..W {
            d[i][l] = f64::from(v[l]);
            d2[i][l] = f64::from(v2[l]);
        }
    }
    let mut sum = [0.0f64; N];
    let mut sq = [0.0f64; N];
    sum.copy_from_slice(&p[at + 1..at + 1 + N]);
    sq.copy_from_slice(&p[at + 1 + N..at + 1 + 2 * N]);
    for l in 0..W {
        for i in 0..N {
            sum[i] += d[i][l];
            sq[i] += d2[i][l];
        }
    }
    p[at] += alive.iter().filter(|a| **a).count() as f64;
    p[at + 1..at + 1 + N].copy_from_slice(&sum);
    p[at + 1 + N..at + 1 + 2 * N].copy_from_slice(&sq);
}
