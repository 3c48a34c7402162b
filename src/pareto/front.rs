//! Non-dominated fronts, with every objective maximised, and the row helpers and the
//! 2-D staircase that the hypervolume shares.
//!
//! One objective keeps every copy of the maximum; two and three objectives have
//! O(n log n) sweeps; more use sort-filter-skyline.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};

use super::prefilter;

/// Indices (into `points`, ascending) of the non-dominated points. A point is
/// dominated when another is ≥ in every objective and > in at least one;
/// duplicates do not dominate each other, so all copies of a front point stay.
///
/// Runs in O(n log n) for one to three objectives and in O(n·f·d) for more, where `f` is
/// the size of the front.
///
/// # Panics
///
/// When the rows are empty or differ in length.
pub fn nondominated(points: &[Vec<f64>]) -> Vec<usize> {
    let Some(d) = dimension(points) else {
        return Vec::new();
    };
    nondominated_flat(&flatten(points), d)
}

/// [`nondominated`] for rows stored flat (row `i` is `p[i * d..(i + 1) * d]`), which
/// spares callers that already hold a flat buffer one copy and one allocation per row.
///
/// # Panics
///
/// When `d` is 0 or does not divide `p.len()`.
pub fn nondominated_flat(p: &[f64], d: usize) -> Vec<usize> {
    assert!(
        d >= 1 && p.len().is_multiple_of(d),
        "pareto: flat rows need d ≥ 1 dividing the buffer"
    );
    let n = p.len() / d;
    if d == 1 || n < prefilter::MIN_ROWS {
        let mut front = exact_front(p, d);
        front.sort_unstable();
        return front;
    }
    prefiltered_front(p, d)
}

/// [`nondominated_flat`] of f32 rows, compared as their exact f64
/// widenings: only the rows the pre-pass keeps are widened.
pub(super) fn nondominated_flat_f32(p: &[f32], d: usize) -> Vec<usize> {
    if d == 1 || p.len() / d.max(1) < prefilter::MIN_ROWS {
        let wide: Vec<f64> = p.iter().map(|&v| f64::from(v)).collect();
        return nondominated_flat(&wide, d);
    }
    prefiltered_front(p, d)
}

/// The exact filter on the rows no pivot dominates, mapped back to all rows.
fn prefiltered_front<T: prefilter::Value>(p: &[T], d: usize) -> Vec<usize> {
    let kept = prefilter::survivors(p, d);
    let mut rows = Vec::with_capacity(kept.len() * d);
    for &i in &kept {
        rows.extend(p[i * d..(i + 1) * d].iter().map(|&v| v.into()));
    }
    let mut front: Vec<usize> = exact_front(&rows, d).into_iter().map(|j| kept[j]).collect();
    front.sort_unstable();
    front
}

/// The non-dominated rows of `p` by the exact filter for `d`, in the filter's order.
pub(super) fn exact_front(p: &[f64], d: usize) -> Vec<usize> {
    match d {
        1 => front_1d(p),
        2 => front_2d(p),
        3 => front_3d(p),
        _ => front_sfs(p, d, true),
    }
}

/// The general-dimension non-dominated filter (sort-filter-skyline), valid for every `d`.
/// Same contract as [`nondominated`]; public so tests can compare it with the fast paths.
///
/// # Panics
///
/// When the rows are empty or differ in length.
pub fn nondominated_general(points: &[Vec<f64>]) -> Vec<usize> {
    let Some(d) = dimension(points) else {
        return Vec::new();
    };
    let mut front = front_sfs(&flatten(points), d, true);
    front.sort_unstable();
    front
}

// ---------------------------------------------------------------------------------------
// Row helpers, shared with the hypervolume
// ---------------------------------------------------------------------------------------

/// Number of objectives, or `None` for no points.
pub(super) fn dimension(points: &[Vec<f64>]) -> Option<usize> {
    let d = points.first()?.len();
    assert!(d >= 1, "pareto: points need at least one objective");
    // Checked in release too: a short row would otherwise shift every later row in the
    // flat buffer and give silently wrong answers. It is O(n), negligible next to the sort.
    assert!(
        points.iter().all(|p| p.len() == d),
        "pareto: all points need the same number of objectives"
    );
    debug_assert!(
        points.iter().flatten().all(|v| v.is_finite()),
        "pareto: objective values must be finite"
    );
    Some(d)
}

fn flatten(points: &[Vec<f64>]) -> Vec<f64> {
    points.iter().flatten().copied().collect()
}

/// Total order on finite floats that treats -0.0 and +0.0 as equal, like `==` does.
/// `total_cmp` alone would separate them, so two rows that compare equal with `==` could
/// end up apart after sorting and the duplicate handling, which relies on equal rows being
/// adjacent, would break. Adding +0.0 turns -0.0 into +0.0 and leaves every other value.
pub(super) fn fcmp(a: f64, b: f64) -> Ordering {
    (a + 0.0).total_cmp(&(b + 0.0))
}

/// Lexicographic order of two rows, largest first.
pub(super) fn lex_desc(a: &[f64], b: &[f64]) -> Ordering {
    b.iter()
        .zip(a)
        .map(|(&x, &y)| fcmp(x, y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Maps a finite float to an integer with the same order, so floats can key a `BTreeMap`
/// (f64 is not `Ord`). Negative floats have their bits reversed to count upwards; -0.0 is
/// folded onto +0.0 first so that equal values get equal keys.
pub(super) fn key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The inverse of [`key`] (for values without -0.0, which `key` folds onto +0.0).
pub(super) fn unkey(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Row indices of the flat rows `p` sorted by [`lex_desc`]. The first objective is sorted
/// as an integer key, which is much cheaper than the row comparison, and only runs of
/// equal first values are then sorted by whole rows: the order of sorting with `lex_desc`,
/// up to the order of identical rows, on which no caller depends.
pub(super) fn lex_desc_order(p: &[f64], d: usize) -> Vec<usize> {
    let mut keyed: Vec<(u64, u32)> = p
        .chunks_exact(d)
        .enumerate()
        .map(|(i, r)| (!key(r[0]), i as u32))
        .collect();
    keyed.sort_unstable();
    let mut order: Vec<usize> = keyed.iter().map(|k| k.1 as usize).collect();
    let row = |i: usize| &p[i * d..(i + 1) * d];
    let mut start = 0;
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        let end = start + run.len();
        if run.len() > 1 {
            order[start..end].sort_unstable_by(|&a, &b| lex_desc(row(a), row(b)));
        }
        start = end;
    }
    order
}

// ---------------------------------------------------------------------------------------
// Non-dominated filters
// ---------------------------------------------------------------------------------------

fn front_1d(p: &[f64]) -> Vec<usize> {
    let best = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (0..p.len()).filter(|&i| p[i] == best).collect()
}

/// Sort by (x, y) descending, so that anything dominating a point comes before it, then
/// sweep keeping the best y seen at a strictly larger x.
fn front_2d(p: &[f64]) -> Vec<usize> {
    let order = lex_desc_order(p, 2);
    let mut front = Vec::new();
    let mut best_y = f64::NEG_INFINITY;
    // Points sharing x are handled as a group: within it only those with the group's top y
    // survive (a larger y at equal x dominates), and they survive together, being copies.
    for group in order.chunk_by(|&a, &b| p[2 * a] == p[2 * b]) {
        let top = p[2 * group[0] + 1];
        if top > best_y {
            front.extend(group.iter().take_while(|&&i| p[2 * i + 1] == top));
            best_y = top;
        }
    }
    front
}

/// Kung, Luccio and Preparata: sort by (x, y, z) descending and keep the 2-D staircase of
/// the (y, z) projections of the front found so far, at strictly larger x. A point with a
/// smaller x is dominated exactly when some staircase step is ≥ in both y and z.
fn front_3d(p: &[f64]) -> Vec<usize> {
    let order = lex_desc_order(p, 3);
    let mut stairs = Staircase::default();
    let mut front = Vec::new();
    for x_group in order.chunk_by(|&a, &b| p[3 * a] == p[3 * b]) {
        let first_new = front.len();
        // Inside a group of equal x, (y, z) dominance decides, as in the 2-D sweep.
        let mut best_z = f64::NEG_INFINITY;
        for y_group in x_group.chunk_by(|&a, &b| p[3 * a + 1] == p[3 * b + 1]) {
            let (y, top) = (p[3 * y_group[0] + 1], p[3 * y_group[0] + 2]);
            if top > best_z {
                best_z = top;
                if !stairs.covers(y, top) {
                    front.extend(y_group.iter().take_while(|&&i| p[3 * i + 2] == top));
                }
            }
        }
        // Only now does the group join the staircase: a step from the same x must not
        // dominate, since an exact copy of a point would be covered by that point's step.
        for &i in &front[first_new..] {
            stairs.insert(p[3 * i + 1], p[3 * i + 2], None);
        }
    }
    front
}

/// Sort-filter-skyline (Chomicki et al.). Rows are sorted by decreasing sum, ties by
/// decreasing lexicographic order; a dominating row always sorts first, because rounding
/// is monotone (so its float sum is never smaller) and on equal sums the lexicographic
/// order separates them. So every row needs testing only against the front rows already
/// accepted (the window), which never have to be revisited.
///
/// `keep_duplicates`: whether copies of a front row are all reported or only one.
fn front_sfs(p: &[f64], d: usize, keep_duplicates: bool) -> Vec<usize> {
    let mut front = Vec::new();
    sfs_into(
        p,
        d,
        keep_duplicates,
        &mut SfsBuffers::default(),
        &mut front,
    );
    front
}

/// Buffers for [`sfs_into`], kept by callers that filter many small sets.
#[derive(Default)]
pub(super) struct SfsBuffers {
    sums: Vec<f64>,
    order: Vec<usize>,
    window: Vec<f64>,
}

/// [`front_sfs`] writing the front, in the filter's order, into `front`.
pub(super) fn sfs_into(
    p: &[f64],
    d: usize,
    keep_duplicates: bool,
    buffers: &mut SfsBuffers,
    front: &mut Vec<usize>,
) {
    let SfsBuffers {
        sums,
        order,
        window,
    } = buffers;
    let row = |i: usize| &p[i * d..(i + 1) * d];
    // An explicit left fold: the monotonicity argument above needs one fixed summation order.
    sums.clear();
    sums.extend(p.chunks_exact(d).map(|r| r.iter().fold(0.0, |s, &v| s + v)));
    order.clear();
    order.extend(0..sums.len());
    order.sort_unstable_by(|&a, &b| fcmp(sums[b], sums[a]).then_with(|| lex_desc(row(a), row(b))));

    // The window holds distinct rows only, so "≥ everywhere" means "dominates": the one way
    // it could be an equal row is a copy, and copies are adjacent in the order, so they are
    // settled by comparing with the previous row before the window is consulted.
    window.clear();
    front.clear();
    let mut previous: Option<(usize, bool)> = None;
    for &i in order.iter() {
        let candidate = row(i);
        if let Some((j, kept)) = previous
            && row(j) == candidate
        {
            if kept && keep_duplicates {
                front.push(i);
            }
            continue;
        }
        let dominated = window
            .chunks_exact(d)
            .any(|w| w.iter().zip(candidate).all(|(a, b)| a >= b));
        if !dominated {
            window.extend_from_slice(candidate);
            front.push(i);
        }
        previous = Some((i, !dominated));
    }
}

// ---------------------------------------------------------------------------------------
// The 2-D staircase shared by the 3-D front and the 3-D hypervolume
// ---------------------------------------------------------------------------------------

/// A set of mutually non-dominated 2-D points (a, b): a increasing, b strictly decreasing.
/// A balanced tree keyed by `key(a)` makes the dominance query and each insertion
/// O(log n); each step is removed at most once, so removals are O(log n) amortised.
#[derive(Default)]
pub(super) struct Staircase {
    steps: BTreeMap<u64, (f64, f64)>,
}

impl Staircase {
    /// Whether some step is ≥ (a, b) in both coordinates. Along the staircase b falls as a
    /// rises, so the step with the smallest a' ≥ a has the largest b among the candidates.
    pub(super) fn covers(&self, a: f64, b: f64) -> bool {
        self.steps
            .range(key(a)..)
            .next()
            .is_some_and(|(_, &(_, step_b))| step_b >= b)
    }

    /// Adds (a, b) unless it is covered, removing the steps it covers. Given the reference
    /// corner, returns the area the union of boxes [reference, step] gained; otherwise 0.
    pub(super) fn insert(&mut self, a: f64, b: f64, reference: Option<[f64; 2]>) -> f64 {
        if self.covers(a, b) {
            return 0.0;
        }
        let ka = key(a);
        let [ra, rb] = reference.unwrap_or([a, b]);
        // Walking left from a, the old staircase height over (left, right] is the b of the
        // first step at or right of `right`; the new box raises it to b over that stretch.
        let mut height = self
            .steps
            .range((Excluded(ka), Unbounded))
            .next()
            .map_or(rb, |(_, &(_, step_b))| step_b);
        let mut right = a;
        let mut gained = 0.0;
        loop {
            let below = self.steps.range(..=ka).next_back().map(|(&k, &s)| (k, s));
            let left = below.map_or(ra, |(_, (step_a, _))| step_a);
            gained += (right - left) * (b - height);
            match below {
                Some((k, (step_a, step_b))) if step_b <= b => {
                    self.steps.remove(&k);
                    right = step_a;
                    height = step_b;
                }
                _ => break,
            }
        }
        self.steps.insert(ka, (a, b));
        if reference.is_some() { gained } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Lcg, coord, generators, timed, uniform};
    use super::*;
    use proptest::collection::vec as pvec;
    use proptest::prelude::*;

    fn dominates(a: &[f64], b: &[f64]) -> bool {
        a.iter().zip(b).all(|(x, y)| x >= y) && a.iter().zip(b).any(|(x, y)| x > y)
    }

    fn brute_front(points: &[Vec<f64>]) -> Vec<usize> {
        (0..points.len())
            .filter(|&i| !points.iter().any(|q| dominates(q, &points[i])))
            .collect()
    }

    fn sorted_rows(points: &[Vec<f64>], indices: &[usize]) -> Vec<Vec<f64>> {
        let mut rows: Vec<Vec<f64>> = indices.iter().map(|&i| points[i].clone()).collect();
        rows.sort_by(|a, b| lex_desc(a, b));
        rows
    }

    fn point_sets(max_d: usize, max_n: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
        (1..=max_d).prop_flat_map(move |d| pvec(pvec(coord(), d), 0..max_n))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn front_keeps_exactly_the_undominated(points in point_sets(8, 40)) {
            let front = nondominated(&points);
            prop_assert!(front.windows(2).all(|w| w[0] < w[1]), "not ascending: {:?}", front);
            for &i in &front {
                prop_assert!(!points.iter().any(|q| dominates(q, &points[i])),
                    "dominated point {} survived", i);
            }
            for i in (0..points.len()).filter(|i| front.binary_search(i).is_err()) {
                prop_assert!(points.iter().any(|q| dominates(q, &points[i])),
                    "undominated point {} was dropped", i);
            }
            let brute = brute_front(&points);
            prop_assert_eq!(&front, &brute);
            prop_assert_eq!(nondominated_general(&points), brute);
        }

        #[test]
        fn front_ignores_input_order(
            (points, shuffled) in point_sets(8, 40)
                .prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle()))
        ) {
            let expected = sorted_rows(&points, &nondominated(&points));
            prop_assert_eq!(&sorted_rows(&shuffled, &nondominated(&shuffled)), &expected);
            prop_assert_eq!(
                &sorted_rows(&shuffled, &nondominated_general(&shuffled)), &expected);
        }
    }

    #[test]
    fn edge_cases() {
        let none: Vec<Vec<f64>> = Vec::new();
        assert!(nondominated(&none).is_empty());
        // One objective: every copy of the maximum.
        let line = vec![vec![1.0], vec![3.0], vec![-2.0], vec![3.0]];
        assert_eq!(nondominated(&line), vec![1, 3]);
        assert_eq!(nondominated_general(&line), vec![1, 3]);
        // All copies of one point stay, in every dimension.
        for d in 1..=8 {
            let same = vec![vec![0.5; d]; 5];
            assert_eq!(nondominated(&same), vec![0, 1, 2, 3, 4]);
            assert_eq!(nondominated_general(&same), vec![0, 1, 2, 3, 4]);
        }
        // -0.0 equals 0.0: these are copies, not one dominating the other.
        for d in 2..=5 {
            let mut a = vec![1.0; d];
            a[1] = -0.0;
            let mut b = vec![1.0; d];
            b[1] = 0.0;
            let mut c = vec![0.5; d];
            c[1] = -0.5;
            let pts = vec![a, b, c];
            assert_eq!(nondominated(&pts), vec![0, 1], "d = {d}");
            assert_eq!(nondominated_general(&pts), vec![0, 1], "d = {d}");
        }
    }

    #[test]
    #[should_panic(expected = "same number of objectives")]
    fn ragged_rows_are_rejected() {
        nondominated(&[vec![1.0, 2.0], vec![1.0]]);
    }

    // ----- fast paths against the general method and brute force -----

    #[test]
    fn fast_paths_agree_with_general() {
        let mut rng = Lcg::new(7);
        for d in [2, 3] {
            for (name, generate) in generators() {
                for n in [1, 2, 3, 5, 10, 33, 100, 500, 1000, 2000] {
                    let points = generate(&mut rng, n, d);
                    let fast = nondominated(&points);
                    assert_eq!(fast, nondominated_general(&points), "{name} d={d} n={n}");
                    if n <= 500 {
                        assert_eq!(fast, brute_front(&points), "{name} d={d} n={n}");
                    }
                }
            }
        }
    }

    #[test]
    fn general_dimensions_agree_with_brute_force() {
        let mut rng = Lcg::new(11);
        for d in [4, 5, 6, 8] {
            for (name, generate) in generators() {
                for n in [1, 2, 5, 10, 50, 300] {
                    let points = generate(&mut rng, n, d);
                    let brute = brute_front(&points);
                    assert_eq!(nondominated(&points), brute, "{name} d={d} n={n}");
                    assert_eq!(nondominated_general(&points), brute, "{name} d={d} n={n}");
                }
            }
        }
    }

    // ----- benchmarks (run with `cargo test --release -- --ignored --nocapture`) -----

    #[test]
    #[ignore]
    fn bench_front_general_dimensions() {
        let mut rng = Lcg::new(2);
        for d in 4..=8 {
            let points = uniform(&mut rng, 200_000, d);
            let (front, t) = timed(|| nondominated(&points));
            println!(
                "front, uniform, d = {d}, n = 200000: {} points in {t:.3} s",
                front.len()
            );
        }
    }
}
