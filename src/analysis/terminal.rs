//! The kept terminal states of a set as one flat buffer, cut into groups,
//! and the quantiles read off them by selection.

use std::borrow::Cow;

use crate::engine::partials::MAX_GROUPS;
use crate::engine::{DEAD, SetOutput};

use super::columns::Columns;
use super::errors::jackknife_each;
use crate::pareto::keysort;

/// The probabilities of the reported terminal quantiles.
pub const PROBS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The finite terminal states of one set, row after row, with the kept paths
/// cut into at most [`MAX_GROUPS`] groups of consecutive path indices (group
/// `h` of `G` holds kept paths `[h·K/G, (h+1)·K/G)`): the replicates for the
/// standard errors of the statistics of terminal states.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminal<'a> {
    /// Objectives per row.
    pub n: usize,
    /// Finite rows, flat: the set's own states when every kept path is
    /// finite (usually), a filtered copy otherwise.
    pub rows: Cow<'a, [f32]>,
    /// Group boundaries in rows: group `h` is rows `groups[h]..groups[h + 1]`.
    pub groups: Vec<usize>,
}

impl<'a> Terminal<'a> {
    /// The kept terminal states of `set`, dropping non-finite paths.
    pub fn new(set: &'a SetOutput, n: usize) -> Self {
        // Usually every path is live: no copy, no row by row test (a fold
        // without early exit, which the compiler vectorises).
        let all_live = set.terminal.iter().fold(true, |ok, v| ok & live(v));
        Self::checked(set, n, all_live)
    }

    /// [`Terminal::new`] given whether every value of `set.terminal` is
    /// [`live`] (known from a pass made for another reason).
    pub(super) fn checked(set: &'a SetOutput, n: usize, all_live: bool) -> Self {
        let kept = set.terminal.len() / n;
        let g = (MAX_GROUPS as usize).min(kept);
        if all_live {
            let groups = if g == 0 {
                vec![0]
            } else {
                (0..=g).map(|h| h * kept / g).collect()
            };
            return Terminal {
                n,
                rows: Cow::Borrowed(&set.terminal[..kept * n]),
                groups,
            };
        }
        let mut rows = Vec::with_capacity(set.terminal.len());
        let mut groups = Vec::with_capacity(g + 1);
        groups.push(0);
        // Group h starts at kept path h·K/G.
        for h in 0..g {
            let (from, to) = (h * kept / g, (h + 1) * kept / g);
            if h > 0 {
                groups.push(rows.len() / n);
            }
            for r in set.terminal[from * n..to * n].chunks_exact(n) {
                if r.iter().all(live) {
                    rows.extend_from_slice(r);
                }
            }
        }
        if g > 0 {
            groups.push(rows.len() / n);
        }
        Terminal {
            n,
            rows: Cow::Owned(rows),
            groups,
        }
    }

    /// Finite rows.
    pub fn len(&self) -> usize {
        self.rows.len() / self.n
    }

    /// Whether no path has a finite terminal state.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.rows[i * self.n..(i + 1) * self.n]
    }

    /// Objective `i`'s column, sorted, as keys in the order of
    /// `f64::total_cmp` (see [`Terminal::sorted_values`]).
    pub fn sorted_column(&self, i: usize) -> Vec<u32> {
        Columns::new(self).sorted(i)
    }

    /// The values of a [`Terminal::sorted_column`], ascending.
    pub fn sorted_values(
        sorted: &[u32],
    ) -> impl DoubleEndedIterator<Item = f64> + ExactSizeIterator {
        sorted.iter().map(|&k| unkey32(k))
    }

    /// The quantiles at [`PROBS`] of every objective (`out[p][i]`), by
    /// selection: the order statistics are those of a full sort, so the
    /// values are the same bits as sorting gives.
    pub fn quantiles(&self) -> Vec<Vec<f64>> {
        Columns::new(self).quantiles(None)
    }

    /// Jackknife standard errors of [`Terminal::quantiles`] (`out[p][i]`).
    /// Each column is sorted once with its rows' groups; an order statistic
    /// of the column without group `g` is then found from the positions of
    /// `g`'s rows by a short fixed-point search, not by copying the column.
    pub fn quantile_errors(&self) -> Vec<Vec<f64>> {
        let g_count = self.groups.len().saturating_sub(1);
        let (mut unsorted, mut keyed) = (Vec::with_capacity(self.len()), Vec::new());
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); g_count];
        let per_objective: Vec<Vec<f64>> =
            (0..self.n)
                .map(|i| {
                    unsorted.clear();
                    for g in 0..g_count {
                        unsorted.extend((self.groups[g]..self.groups[g + 1]).map(|r| {
                            (u64::from(key32(self.rows[r * self.n + i])) << 32) | g as u64
                        }));
                    }
                    keysort::sort(&unsorted, &mut keyed);
                    members.iter_mut().for_each(Vec::clear);
                    for (j, k) in keyed.iter().enumerate() {
                        members[(k & 0xffff_ffff) as usize].push(j);
                    }
                    let value = |j: usize| unkey32((keyed[j] >> 32) as u32);
                    let reps: Vec<Vec<f64>> = members
                        .iter()
                        .map(|out| leave_out_quantiles(keyed.len(), out, &value))
                        .collect();
                    jackknife_each(&reps, PROBS.len())
                })
                .collect();
        (0..PROBS.len())
            .map(|p| per_objective.iter().map(|q| q[p]).collect())
            .collect()
    }
}

/// The quantiles at [`PROBS`] of a sorted column of `len` values without
/// the positions `out` (ascending); `value(j)` is the value at position `j`.
fn leave_out_quantiles(len: usize, out: &[usize], value: &dyn Fn(usize) -> f64) -> Vec<f64> {
    let m = len - out.len();
    if m == 0 {
        return vec![f64::NAN; PROBS.len()];
    }
    // Position of rank r among the kept values: the least j = r + c where c
    // counts the left-out positions ≤ j (iterating from c = 0 reaches it).
    let at = |r: usize| {
        let mut c = 0;
        loop {
            let next = out.partition_point(|&p| p <= r + c);
            if next == c {
                return r + c;
            }
            c = next;
        }
    };
    let last = (m - 1) as f64;
    PROBS
        .iter()
        .map(|p| {
            let h = last * p;
            let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
            let (a, b) = (value(at(lo)), value(at(hi)));
            a + (h - lo as f64) * (b - a)
        })
        .collect()
}

/// Whether a terminal value is kept: finite, and not [`DEAD`].
#[inline(always)]
pub(super) fn live(v: &f32) -> bool {
    (*v != DEAD) & v.is_finite()
}

/// A key whose integer order is the order of `f32::total_cmp` (and, for
/// values widened from f32, of `f64::total_cmp`).
pub(super) fn key32(x: f32) -> u32 {
    let b = x.to_bits();
    if b >> 31 == 1 { !b } else { b | 1 << 31 }
}

/// The inverse of [`key32`], widened exactly to f64.
fn unkey32(k: u32) -> f64 {
    f64::from(f32::from_bits(if k >> 31 == 1 {
        k & !(1 << 31)
    } else {
        !k
    }))
}

/// For each of [`PROBS`], the fractional rank `h` of its type-7 quantile
/// among `len` values and the two ranks it lies between.
pub(super) fn quantile_ranks(len: usize) -> [(f64, usize, usize); 5] {
    let last = len.saturating_sub(1) as f64;
    PROBS.map(|p| {
        let h = last * p;
        (h, h.floor() as usize, h.ceil() as usize)
    })
}

/// Type-7 quantiles at [`PROBS`] of `len` values whose key of rank `r` is
/// `key_at(r)` (see [`key32`]), asked for rank by rank: the lower then the
/// upper rank of each quantile, in the order of [`PROBS`].
pub(super) fn interpolate(len: usize, mut key_at: impl FnMut(usize) -> u32) -> [f64; 5] {
    if len == 0 {
        return [f64::NAN; 5];
    }
    quantile_ranks(len).map(|(h, lo, hi)| {
        let a = unkey32(key_at(lo));
        let b = unkey32(key_at(hi));
        a + (h - lo as f64) * (b - a)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::moments::quantile_sorted;

    #[test]
    fn selection_gives_the_sorted_quantiles() {
        for len in [1usize, 2, 3, 7, 100, 1001] {
            let v: Vec<f64> = (0..len)
                .map(|i| f64::from(((i * 7919) % 1013) as f32 * 0.37 - 50.0))
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let rows: Vec<f32> = v.iter().map(|x| *x as f32).collect();
            let t = Terminal {
                n: 1,
                rows: Cow::Owned(rows),
                groups: vec![0, len],
            };
            for (p, q) in PROBS.iter().zip(t.quantiles()) {
                assert_eq!(
                    q[0].to_bits(),
                    quantile_sorted(&sorted, *p).to_bits(),
                    "{len}"
                );
            }
        }
    }

    #[test]
    fn a_sorted_column_gives_the_same_quantiles() {
        let rows: Vec<f32> = (0..3000)
            .map(|i| ((i * 7919) % 1013) as f32 * 0.37 - 50.0)
            .collect();
        let t = Terminal {
            n: 3,
            rows: Cow::Owned(rows),
            groups: vec![0, 1000],
        };
        let plain = t.quantiles();
        for i in 0..3 {
            let sorted = t.sorted_column(i);
            let values: Vec<f64> = Terminal::sorted_values(&sorted).collect();
            let mut want: Vec<f64> = t.rows.chunks_exact(3).map(|r| f64::from(r[i])).collect();
            want.sort_by(f64::total_cmp);
            assert_eq!(values, want);
            let given = Columns::new(&t).quantiles(Some((i, &sorted)));
            let bits = |q: &Vec<Vec<f64>>| -> Vec<u64> {
                q.iter().flatten().map(|x| x.to_bits()).collect()
            };
            assert_eq!(bits(&given), bits(&plain), "column {i}");
        }
    }

    #[test]
    fn leaving_a_group_out_matches_filtering() {
        let vals: Vec<f64> = (0..300)
            .map(|i| f64::from(((i * 37) % 101) as f32))
            .collect();
        let out: Vec<usize> = (0..300)
            .filter(|j| j % 7 == 3 || *j < 5 || *j > 290)
            .collect();
        let kept: Vec<f64> = (0..300)
            .filter(|j| !out.contains(j))
            .map(|j| vals[j])
            .collect();
        let got = leave_out_quantiles(300, &out, &|j| vals[j]);
        for (p, q) in PROBS.iter().zip(got) {
            assert_eq!(q, quantile_sorted(&kept, *p));
        }
    }

    #[test]
    fn groups_cut_the_kept_paths_and_skip_dead_ones() {
        let mut terminal: Vec<f32> = (0..70).map(|i| i as f32).collect();
        terminal[3] = DEAD;
        let set = SetOutput {
            terminal,
            ..Default::default()
        };
        let t = Terminal::new(&set, 1);
        assert_eq!(t.len(), 69);
        assert_eq!(t.groups.len(), 33);
        // Group 0 holds kept paths 0 and 1, group 1 paths 2 to 3 (3 is dead).
        assert_eq!(&t.groups[..3], &[0, 2, 3]);
        assert_eq!(*t.groups.last().unwrap(), 69);
    }
}
