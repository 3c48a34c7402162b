//! A linear pre-pass before the exact non-dominated filter: the rows that one of a few
//! pivot rows dominates cannot be on the front, so they are dropped before the filter's
//! O(n log n) sort.
//!
//! The pivots maximise positive weightings of the objectives (the plain sum, and the sum
//! with one objective counted twice), so they lie on or near the front's bulge: in a
//! unimodal cloud of 10⁴ points they dominate all but a few hundred. The exact filter
//! then runs on those survivors only; since a dominated survivor is dominated by some
//! front point, which survives, the front of the survivors is the front of all rows.

/// A coordinate: f64, or f32 (whose comparisons are those of its exact f64
/// widening).
pub(super) trait Value: Copy + PartialOrd + Into<f64> {}

impl Value for f64 {}
impl Value for f32 {}

/// Below this many rows the pre-pass saves less than it costs.
pub(super) const MIN_ROWS: usize = 64;

/// Row indices, ascending, of the rows of `p` (flat, `d` objectives) that no pivot
/// dominates: a superset of the non-dominated rows. Dominance is that of the filters
/// (≥ in every objective, > in one, with -0.0 equal to +0.0).
pub(super) fn survivors<T: Value>(p: &[T], d: usize) -> Vec<usize> {
    match d {
        2 => survivors_d::<T, 2>(p),
        3 => survivors_d::<T, 3>(p),
        4 => survivors_d::<T, 4>(p),
        5 => survivors_d::<T, 5>(p),
        6 => survivors_d::<T, 6>(p),
        7 => survivors_d::<T, 7>(p),
        8 => survivors_d::<T, 8>(p),
        _ => (0..p.len() / d.max(1)).collect(),
    }
}

/// [`survivors`] for `D` objectives, unrolled by the compiler.
fn survivors_d<T: Value, const D: usize>(p: &[T]) -> Vec<usize> {
    let (rows, rest) = p.as_chunks::<D>();
    debug_assert!(
        rest.is_empty(),
        "pareto: flat rows need d dividing the buffer"
    );
    // Pivots from every `PIVOT_STRIDE`-th row: any rows would do (the
    // filter stays exact), and near-best ones drop nearly as many rows.
    let pivots = pivots(
        rows,
        if rows.len() >= 4 * MIN_ROWS {
            PIVOT_STRIDE
        } else {
            1
        },
    );
    let mut out = Vec::with_capacity(rows.len() / 8);
    out.extend(
        rows.iter()
            .enumerate()
            .filter(|(_, r)| !pivots.iter().any(|q| dominates(q, r)))
            .map(|(i, _)| i),
    );
    out
}

/// Rows between two candidates for a pivot, in large clouds.
const PIVOT_STRIDE: usize = 4;

/// Whether `q` dominates `r`: ≥ everywhere and not equal (`==` treats -0.0 as +0.0).
#[inline(always)]
fn dominates<T: Value, const D: usize>(q: &[T; D], r: &[T; D]) -> bool {
    q.iter().zip(r).all(|(a, b)| a >= b) && q != r
}

/// The rows maximising the sum of the objectives, then the sum plus each objective,
/// among every `stride`-th row; the first maximiser of each, copies of an earlier
/// pivot dropped.
fn pivots<T: Value, const D: usize>(rows: &[[T; D]], stride: usize) -> Vec<[T; D]> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    // best[0]: the sum; best[1 + j]: the sum plus objective j.
    // Any rows of the cloud would do as pivots (the filter stays exact):
    // the scores are summed in f64 whatever the rows' type.
    let score = |r: &[T; D], w: usize| {
        let s = r.iter().fold(0.0, |s, &v| s + v.into());
        if w == 0 { s } else { s + r[w - 1].into() }
    };
    let mut best: Vec<(f64, &[T; D])> = (0..=D).map(|w| (score(first, w), first)).collect();
    for r in rows.iter().step_by(stride) {
        let s = r.iter().fold(0.0, |s, &v| s + v.into());
        if s > best[0].0 {
            best[0] = (s, r);
        }
        for j in 0..D {
            let t = s + r[j].into();
            if t > best[1 + j].0 {
                best[1 + j] = (t, r);
            }
        }
    }
    let mut out: Vec<[T; D]> = Vec::with_capacity(D + 1);
    for (_, r) in best {
        if !out.contains(r) {
            out.push(*r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::front::nondominated_flat;
    use super::super::testkit::{Lcg, generators};
    use super::*;

    /// The plain filter without the pre-pass, as the reference.
    fn plain_front(p: &[f64], d: usize) -> Vec<usize> {
        let mut f = super::super::front::exact_front(p, d);
        f.sort_unstable();
        f
    }

    #[test]
    fn the_prefiltered_front_is_the_plain_front() {
        for d in 2..=8 {
            for (name, make) in generators() {
                for (seed, n) in [(1, 64), (2, 65), (3, 300), (4, 2000)] {
                    let rows = make(&mut Lcg::new(seed * 31 + d as u64), n, d);
                    let p: Vec<f64> = rows.iter().flatten().copied().collect();
                    let want = plain_front(&p, d);
                    let kept = survivors(&p, d);
                    assert!(
                        want.iter().all(|i| kept.binary_search(i).is_ok()),
                        "{name}, d = {d}, n = {n}: a front row was dropped"
                    );
                    assert_eq!(nondominated_flat(&p, d), want, "{name}, d = {d}, n = {n}");
                }
            }
        }
    }

    #[test]
    fn gaussian_like_clouds_keep_few_rows() {
        // A sum of uniforms is close to normal: the cloud of a terminal state.
        let mut rng = Lcg::new(5);
        let d = 3;
        let p: Vec<f64> = (0..10_000 * d)
            .map(|_| (0..4).map(|_| rng.unit()).sum::<f64>())
            .collect();
        let kept = survivors(&p, d);
        assert!(kept.len() < 1500, "{} of 10000 survive", kept.len());
        assert_eq!(nondominated_flat(&p, d), plain_front(&p, d));
    }

    #[test]
    fn copies_and_signed_zeros_of_pivots_survive() {
        // Two copies of the best row (one with -0.0) and rows it dominates.
        let p = [1.0, -0.0, 1.0, 0.0, 0.5, -0.5, 1.0, -1.0];
        let rows: Vec<f64> = p.iter().cycle().take(2 * 40).copied().collect();
        let kept = survivors(&rows, 2);
        assert_eq!(nondominated_flat(&rows, 2), plain_front(&rows, 2));
        assert_eq!(kept.len(), 20);
    }
}
