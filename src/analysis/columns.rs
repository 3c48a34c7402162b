//! Every objective's column of a set's terminal states as order keys, made
//! in one pass over the rows, with each column's smallest and largest key:
//! the quantile selections and the sort of the third objective then read
//! contiguous keys and need no pass of their own for the range.

use super::terminal::{Terminal, interpolate, key32, live, quantile_ranks};
use crate::engine::SetOutput;
use crate::pareto::keysort;

/// The columns of a [`Terminal`] as 32-bit keys in the order of
/// `f32::total_cmp` (see [`Terminal::sorted_values`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Rows.
    len: usize,
    /// Column after column, `len` keys each.
    keys: Vec<u32>,
    /// Each column's smallest and largest key.
    range: Vec<(u32, u32)>,
}

impl Columns {
    /// The columns of `t`.
    pub fn new(t: &Terminal) -> Self {
        Self::keyed(&t.rows, t.n).0
    }

    /// The [`Terminal`] of `set`'s kept terminal states and its columns. When
    /// every value is live (usually), one pass over the values makes the
    /// keys, their ranges and that check.
    pub fn of_set(set: &SetOutput, n: usize) -> (Terminal<'_>, Columns) {
        let kept = set.terminal.len() / n;
        let (cols, live_rows) = Self::keyed(&set.terminal[..kept * n], n);
        if live_rows && set.terminal[kept * n..].iter().all(live) {
            return (Terminal::checked(set, n, true), cols);
        }
        let t = Terminal::checked(set, n, false);
        let cols = Self::new(&t);
        (t, cols)
    }

    /// The columns of `rows` (flat, `n` objectives), and whether every value
    /// is [`live`].
    fn keyed(rows: &[f32], n: usize) -> (Self, bool) {
        match n {
            1 => Self::of::<1>(rows),
            2 => Self::of::<2>(rows),
            3 => Self::of::<3>(rows),
            4 => Self::of::<4>(rows),
            5 => Self::of::<5>(rows),
            6 => Self::of::<6>(rows),
            7 => Self::of::<7>(rows),
            8 => Self::of::<8>(rows),
            n => unreachable!("a validated model has 1 to 8 objectives, not {n}"),
        }
    }

    /// [`Columns::keyed`] for `N` objectives, unrolled by the compiler.
    fn of<const N: usize>(rows: &[f32]) -> (Self, bool) {
        let (rows, _) = rows.as_chunks::<N>();
        let len = rows.len();
        let mut keys = vec![0u32; len * N];
        let (mut lo, mut hi) = ([u32::MAX; N], [0u32; N]);
        let mut all_live = true;
        for (j, r) in rows.iter().enumerate() {
            for i in 0..N {
                let k = key32(r[i]);
                keys[i * len + j] = k;
                lo[i] = lo[i].min(k);
                hi[i] = hi[i].max(k);
                all_live &= live(&r[i]);
            }
        }
        let cols = Columns {
            len,
            keys,
            range: (0..N).map(|i| (lo[i], hi[i])).collect(),
        };
        (cols, all_live)
    }

    /// Objective `i`'s keys, in row order.
    pub fn column(&self, i: usize) -> &[u32] {
        &self.keys[i * self.len..(i + 1) * self.len]
    }

    /// Objective `i`'s keys, sorted (radix sort).
    pub fn sorted(&self, i: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.len);
        keysort::radix_sort_in(self.column(i), self.range[i], &mut out);
        out
    }

    /// The quantiles at [`PROBS`](super::terminal::PROBS) of every objective
    /// (`out[p][i]`), by selection; objective `j`'s from its sorted keys
    /// when given (`sorted = Some((j, keys))`, as [`Columns::sorted`]
    /// gives). The order statistics are those of a full sort, so the values
    /// are the same bits as sorting gives.
    pub fn quantiles(&self, sorted: Option<(usize, &[u32])>) -> Vec<Vec<f64>> {
        let mut scratch = Vec::new();
        let per_objective: Vec<[f64; 5]> = (0..self.range.len())
            .map(|i| match sorted {
                Some((j, s)) if j == i => interpolate(s.len(), |r| s[r]),
                _ => self.select_quantiles(i, &mut scratch),
            })
            .collect();
        (0..per_objective.first().map_or(0, |q| q.len()))
            .map(|p| per_objective.iter().map(|q| q[p]).collect())
            .collect()
    }

    /// Type-7 quantiles of objective `i` from the order statistics that
    /// bucket selection finds ([`keysort::select_in`]).
    fn select_quantiles(&self, i: usize, scratch: &mut Vec<u32>) -> [f64; 5] {
        let ranks: Vec<usize> = quantile_ranks(self.len)
            .iter()
            .flat_map(|&(_, lo, hi)| [lo, hi])
            .collect();
        let keys = keysort::select_in(self.column(i), self.range[i], &ranks, scratch);
        // `interpolate` asks for the ranks in the order they were listed.
        let mut j = 0;
        interpolate(self.len, |_| {
            j += 1;
            keys[j - 1]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::DEAD;

    #[test]
    fn a_set_gives_the_terminal_and_columns_made_apart() {
        let terminal: Vec<f32> = (0..300).map(|i| ((i * 37) % 101) as f32 - 20.0).collect();
        for dead in [
            None,
            Some((7, DEAD)),
            Some((100, f32::NAN)),
            Some((299, f32::INFINITY)),
        ] {
            let mut values = terminal.clone();
            if let Some((i, v)) = dead {
                values[i] = v;
            }
            let set = SetOutput {
                terminal: values,
                ..Default::default()
            };
            let (t, cols) = Columns::of_set(&set, 3);
            let want = Terminal::new(&set, 3);
            assert_eq!(t, want);
            assert_eq!(cols, Columns::new(&want));
            assert_eq!(t.len(), if dead.is_some() { 99 } else { 100 });
            for i in 0..3 {
                let mut col: Vec<u32> = cols.column(i).to_vec();
                col.sort_unstable();
                assert_eq!(cols.sorted(i), col);
            }
        }
    }
}
