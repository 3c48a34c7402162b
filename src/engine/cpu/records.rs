//! Moment records of the CPU kernels: at each record, the count of live
//! paths and, per objective, `Σ (x − shift)` and `Σ (x − shift)²` over the
//! live paths of a block.
//!
//! Each sum is taken over [`SLOTS`] interleaved slot sums: within each
//! sub-block of `WG` paths, the path at place `j` adds its f32 value to slot
//! `j mod SLOTS` in f32, in path order; at the end of the sub-block the
//! slots, widened to f64, are added to the partial's f64 sum in slot order
//! ([`RecordSums::flush`]). That order is fixed by the block alone, so every
//! kernel (1, 8 or 16 paths at a time) and every chunking gives the same
//! bits, and a lane group adds its lanes to their slots as one f32 vector
//! add per sum and record. A slot takes `WG / SLOTS` = 16 terms, so its f32
//! rounding (relative error below 16 · 2⁻²⁴ ≈ 1e-6, usually far less) stays
//! well below the Monte Carlo error of any moment (the GPU sums a whole
//! workgroup in f32). A single f64 sum taken path by path, as before, is a
//! chain of dependent adds with a widening per path; with records every
//! step that chain, not the integration, set the pace.
#![allow(
    clippy::needless_range_loop,
    reason = "index loops over lanes are the form that vectorises"
)]

use super::lane_ops::{mul, select, splat, sub};
use super::lanes::Live;
use super::simulate::Block;
use crate::engine::partials::PartialLayout;

/// Interleaved sums per record sum: a multiple of every kernel's lanes.
pub(super) const SLOTS: usize = 16;

/// The slot sums of one sub-block's records: row `r · 2N + q` holds sum `q`
/// of record `r` (the N shifted sums, then the N shifted sums of squares).
pub(super) struct RecordSums<const N: usize> {
    rows: Vec<[f32; SLOTS]>,
}

impl<const N: usize> RecordSums<N> {
    /// Zero sums for `records` records.
    pub(super) fn new(records: usize) -> Self {
        RecordSums {
            rows: vec![[0.0; SLOTS]; records * 2 * N],
        }
    }

    /// Adds one live path at place `place` of the block to record `r`: the
    /// scalar kernel's form. Twin: WGSL `record_moments`.
    #[inline(always)]
    pub(super) fn add_path(&mut self, r: usize, place: u32, x: [f32; N], shift: &[f32; N]) {
        let (slot, rows) = (place as usize % SLOTS, &mut self.rows[r * 2 * N..]);
        for i in 0..N {
            let d = x[i] - shift[i];
            rows[i][slot] += d;
            rows[N + i][slot] += d * d;
        }
    }

    /// Adds record `r` of a lane group whose first path is at place `place`
    /// of the block: the count of live lanes to the partial `p` at once
    /// (exact in any order), and the same values as
    /// [`RecordSums::add_path`] for each live lane to the slots. A dead lane adds +0.0, which leaves its slot's bits as they
    /// were (a slot starts at +0.0 and a sum of finite values is never
    /// −0.0), as the scalar kernel's skipped paths do.
    #[inline(always)]
    pub(super) fn add_lanes<const W: usize>(
        &mut self,
        b: &Block<N>,
        p: &mut [f64],
        (r, place): (usize, u32),
        x: &[[f32; W]; N],
        live: &Live<W>,
    ) {
        const { assert!(SLOTS / W * W == SLOTS, "a lane group fills whole slots") };
        p[b.layout.record(r)] += if live.full {
            W as f64
        } else {
            live.alive.iter().filter(|a| **a).count() as f64
        };
        let (at, rows) = (place as usize % SLOTS, &mut self.rows[r * 2 * N..]);
        for i in 0..N {
            let v = sub(x[i], splat(b.sc.shift[i]));
            let v2 = select(live.mask, mul(v, v), [0.0; W]);
            let v = select(live.mask, v, [0.0; W]);
            let s = &mut rows[i][at..at + W];
            for l in 0..W {
                s[l] += v[l];
            }
            let s2 = &mut rows[N + i][at..at + W];
            for l in 0..W {
                s2[l] += v2[l];
            }
        }
    }

    /// Adds each record's slot sums, widened to f64 and in slot order, to
    /// its sums in the block's partial `p` (laid out as `layout`), and
    /// zeroes the slots for the next sub-block.
    pub(super) fn flush(&mut self, p: &mut [f64], layout: &PartialLayout) {
        for (r, rows) in self.rows.chunks_exact_mut(2 * N).enumerate() {
            let at = layout.record(r) + 1;
            for (q, row) in rows.iter_mut().enumerate() {
                p[at + q] = row.iter().fold(p[at + q], |s, v| s + f64::from(*v));
                *row = [0.0; SLOTS];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::abi::WG;

    fn layout(records: usize) -> PartialLayout {
        PartialLayout {
            n: 1,
            s: 1,
            records,
            occupancy: false,
            goals: false,
        }
    }

    /// A sub-block's sums come out in slot order, each slot in path order,
    /// within the f32 rounding bound the module promises of the exact sums,
    /// and the slots are zero for the next sub-block.
    #[test]
    fn slots_sum_in_their_order_within_the_f32_bound() {
        let (lay, shift) = (layout(1), [0.25f32]);
        let mut sums = RecordSums::<1>::new(1);
        let value = |j: u32| ((j * 37 % 101) as f32 / 7.0).sin() + 0.3;
        for j in 0..WG {
            sums.add_path(0, j, [value(j)], &shift);
        }
        let (mut want, mut exact, mut bound) = (0.0f64, 0.0f64, 0.0f64);
        for slot in 0..SLOTS as u32 {
            let mut s = 0.0f32;
            for j in (slot..WG).step_by(SLOTS) {
                let d = value(j) - shift[0];
                s += d;
                exact += f64::from(d);
                bound += f64::from(d.abs());
            }
            want += f64::from(s);
        }
        let mut p = vec![0.0; lay.len()];
        sums.flush(&mut p, &lay);
        assert_eq!(p[1].to_bits(), want.to_bits());
        // Each slot sums WG / SLOTS terms: at most that many roundings of
        // 2⁻²⁴ relative to the running sum, bounded by Σ|d|.
        let terms = (WG as usize / SLOTS) as f64;
        assert!((p[1] - exact).abs() <= terms * bound * 2f64.powi(-24));
        assert!(sums.rows.iter().all(|r| r.iter().all(|v| v.to_bits() == 0)));
    }
}
