//! Pareto non-dominated filtering and exact hypervolume, with every objective maximised.
//!
//! Points are rows of equal length `d`, meant for 1 ≤ d ≤ 8, with finite values. Nothing
//! breaks above eight objectives, but the general hypervolume grows exponentially with `d`.
//!
//! Two and three objectives have O(n log n) fast paths for both the front and the
//! hypervolume. Higher dimensions use sort-filter-skyline for the front and the WFG
//! exclusive-hypervolume recursion (While, Bradstreet and Barone, 2012) for the volume.
//!
//! Internally rows are copied into one flat buffer (row `i` is `p[i * d..(i + 1) * d]`):
//! the inner loops then walk contiguous memory instead of chasing one heap pointer per row.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};

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
    let flat = flatten(points);
    let mut front = match d {
        1 => front_1d(&flat),
        2 => front_2d(&flat),
        3 => front_3d(&flat),
        _ => front_sfs(&flat, d, true),
    };
    front.sort_unstable();
    front
}

/// Exact hypervolume dominated by `points` above `reference` (the region
/// {y : reference ≤ y ≤ p for some point p}). Points not strictly above the
/// reference in every objective are clipped to it (they add only what lies above).
///
/// Runs in O(n log n) for one to three objectives; more objectives use the WFG recursion,
/// which is exponential in `d` in the worst case but handles fronts of a few hundred points
/// in up to eight objectives.
///
/// # Panics
///
/// When the rows are empty or differ in length, or `reference` has another length.
pub fn hypervolume(points: &[Vec<f64>], reference: &[f64]) -> f64 {
    let (flat, d) = strictly_above(points, reference);
    match d {
        0 => 0.0,
        1 => hv_1d(&flat, reference),
        2 => hv_2d(&flat, reference),
        3 => hv_3d(&flat, reference),
        _ => hv_wfg(&flat, d, reference),
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

/// The general-dimension hypervolume (WFG), valid for every `d`. Same contract as
/// [`hypervolume`]; public so tests can compare it with the fast paths.
///
/// Its top level always slices off the last objective, so for two objectives it never
/// reaches the 2-D sweep and for three it never reaches the 3-D sweep: a comparison with
/// [`hypervolume`] there checks two independent methods.
///
/// # Panics
///
/// When the rows are empty or differ in length, or `reference` has another length.
pub fn hypervolume_general(points: &[Vec<f64>], reference: &[f64]) -> f64 {
    let (flat, d) = strictly_above(points, reference);
    if d == 0 {
        return 0.0;
    }
    hv_wfg(&flat, d, reference)
}

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// Number of objectives, or `None` for no points.
fn dimension(points: &[Vec<f64>]) -> Option<usize> {
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

/// The rows lying strictly above `reference` in every objective, flattened, and `d`
/// (0 when there are no points at all). A row touching or below the reference in any
/// objective spans a box of zero volume once clipped, so dropping it changes nothing and
/// lets every hypervolume routine assume strictly positive box sides.
fn strictly_above(points: &[Vec<f64>], reference: &[f64]) -> (Vec<f64>, usize) {
    let Some(d) = dimension(points) else {
        return (Vec::new(), 0);
    };
    assert_eq!(
        reference.len(),
        d,
        "pareto: the reference needs one value per objective"
    );
    debug_assert!(
        reference.iter().all(|v| v.is_finite()),
        "pareto: the reference must be finite"
    );
    let flat = points
        .iter()
        .filter(|p| p.iter().zip(reference).all(|(v, r)| v > r))
        .flatten()
        .copied()
        .collect();
    (flat, d)
}

/// Total order on finite floats that treats -0.0 and +0.0 as equal, like `==` does.
/// `total_cmp` alone would separate them, so two rows that compare equal with `==` could
/// end up apart after sorting and the duplicate handling, which relies on equal rows being
/// adjacent, would break. Adding +0.0 turns -0.0 into +0.0 and leaves every other value.
fn fcmp(a: f64, b: f64) -> Ordering {
    (a + 0.0).total_cmp(&(b + 0.0))
}

/// Lexicographic order of two rows, largest first.
fn lex_desc(a: &[f64], b: &[f64]) -> Ordering {
    b.iter()
        .zip(a)
        .map(|(&x, &y)| fcmp(x, y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Maps a finite float to an integer with the same order, so floats can key a `BTreeMap`
/// (f64 is not `Ord`). Negative floats have their bits reversed to count upwards; -0.0 is
/// folded onto +0.0 first so that equal values get equal keys.
fn key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
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
    let mut order: Vec<usize> = (0..p.len() / 2).collect();
    order.sort_unstable_by(|&a, &b| lex_desc(&p[2 * a..2 * a + 2], &p[2 * b..2 * b + 2]));
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
    let mut order: Vec<usize> = (0..p.len() / 3).collect();
    order.sort_unstable_by(|&a, &b| lex_desc(&p[3 * a..3 * a + 3], &p[3 * b..3 * b + 3]));
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
struct SfsBuffers {
    sums: Vec<f64>,
    order: Vec<usize>,
    window: Vec<f64>,
}

/// [`front_sfs`] writing the front, in the filter's order, into `front`.
fn sfs_into(
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
struct Staircase {
    steps: BTreeMap<u64, (f64, f64)>,
}

impl Staircase {
    /// Whether some step is ≥ (a, b) in both coordinates. Along the staircase b falls as a
    /// rises, so the step with the smallest a' ≥ a has the largest b among the candidates.
    fn covers(&self, a: f64, b: f64) -> bool {
        self.steps
            .range(key(a)..)
            .next()
            .is_some_and(|(_, &(_, step_b))| step_b >= b)
    }

    /// Adds (a, b) unless it is covered, removing the steps it covers. Given the reference
    /// corner, returns the area the union of boxes [reference, step] gained; otherwise 0.
    fn insert(&mut self, a: f64, b: f64, reference: Option<[f64; 2]>) -> f64 {
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

// ---------------------------------------------------------------------------------------
// Hypervolume. Every routine here takes flattened rows lying strictly above `r`.
// ---------------------------------------------------------------------------------------

fn hv_1d(p: &[f64], r: &[f64]) -> f64 {
    p.iter().copied().fold(r[0], f64::max) - r[0]
}

/// Sweep by decreasing x, adding the horizontal strip each new best y uncovers. Dominated
/// points never raise the best y, so no front filter is needed first.
fn hv_2d(p: &[f64], r: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..p.len() / 2).collect();
    order.sort_unstable_by(|&a, &b| lex_desc(&p[2 * a..2 * a + 2], &p[2 * b..2 * b + 2]));
    let mut best_y = r[1];
    let mut volume = 0.0;
    for &i in &order {
        let (x, y) = (p[2 * i], p[2 * i + 1]);
        if y > best_y {
            volume += (x - r[0]) * (y - best_y);
            best_y = y;
        }
    }
    volume
}

/// Dimension sweep over z (Beume, Fonseca, López-Ibáñez, Paquete and Vahrenhold, 2009):
/// visiting points by decreasing z, the volume between two consecutive z levels is the
/// area of the (x, y) union of the boxes seen so far, which the staircase keeps up to date
/// in O(log n) amortised per point.
///
/// The front is filtered during the sweep rather than beforehand: a point dominated in 3-D
/// arrives after its dominator and is rejected by one O(log n) `covers` query, which is the
/// same work a separate filtering pass would do, without a second sort.
fn hv_3d(p: &[f64], r: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..p.len() / 3).collect();
    // At equal z, larger (x, y) first, so points they cover are rejected without edits.
    order.sort_unstable_by(|&a, &b| {
        fcmp(p[3 * b + 2], p[3 * a + 2])
            .then_with(|| lex_desc(&p[3 * a..3 * a + 2], &p[3 * b..3 * b + 2]))
    });
    let Some(&first) = order.first() else {
        return 0.0;
    };
    let mut stairs = Staircase::default();
    let mut area = 0.0;
    let mut volume = 0.0;
    let mut z_prev = p[3 * first + 2];
    for &i in &order {
        let z = p[3 * i + 2];
        volume += area * (z_prev - z);
        z_prev = z;
        area += stairs.insert(p[3 * i], p[3 * i + 1], Some([r[0], r[1]]));
    }
    volume + area * (z_prev - r[2])
}

/// WFG (While, Bradstreet and Barone, 2012), with the slicing of its reference code.
///
/// The points are sorted by increasing last objective. Every point after p_i then reaches
/// at least as far as p_i in that objective, so the part of p_i's box they leave uncovered
/// is a prism: its (d−1)-D exclusive area times p_i's depth in the last objective. Summing
/// these telescopes to the whole volume, and each exclusive area is p_i's (d−1)-D box minus
/// the hypervolume of its limit set (the later points clipped to p_i), which is a smaller
/// problem in one dimension fewer.
fn hv_wfg(p: &[f64], d: usize, r: &[f64]) -> f64 {
    if d == 1 {
        return hv_1d(p, r);
    }
    let mut levels: Vec<WfgLevel> = (0..=d).map(|_| WfgLevel::default()).collect();
    wfg(p, d, r, &mut levels)
}

/// Scratch space for one WFG frame. The recursion only ever descends in dimension, so at
/// most one frame per dimension is live and each dimension can keep its buffers from call
/// to call; allocating them afresh took about a third of the time on 8-D fronts.
#[derive(Default)]
struct WfgLevel {
    sfs: SfsBuffers,
    front: Vec<usize>,
    sorted: Vec<f64>,
    limit: Vec<f64>,
}

/// The WFG step for `d ≥ 2` objectives; `levels[d]` is this frame's scratch space.
fn wfg(p: &[f64], d: usize, r: &[f64], levels: &mut [WfgLevel]) -> f64 {
    let (lower, this) = levels.split_at_mut(d);
    let WfgLevel {
        sfs,
        front,
        sorted,
        limit,
    } = &mut this[0];
    // Dominated and repeated boxes add nothing but work; limit sets are full of them.
    sfs_into(p, d, false, sfs, front);
    let row = |i: usize| &p[i * d..(i + 1) * d];
    match front[..] {
        [] => return 0.0,
        [a] => return box_volume(row(a), r),
        [a, b] => {
            return box_volume(row(a), r) + box_volume(row(b), r) - overlap(row(a), row(b), r);
        }
        _ => {}
    }
    let k = d - 1;
    front.sort_unstable_by(|&a, &b| fcmp(p[a * d + k], p[b * d + k]));
    sorted.clear();
    sorted.extend(front.iter().flat_map(|&i| row(i)));
    let mut volume = 0.0;
    for (i, point) in sorted.chunks_exact(d).enumerate() {
        let depth = point[k] - r[k];
        let exclusive = exclusive_hv(&point[..k], &sorted[(i + 1) * d..], d, r, limit, lower);
        volume += depth * exclusive;
    }
    volume
}

/// The (d−1)-D volume of `point`'s box not covered by the boxes of `later` (rows of
/// length `d`, of which the first `point.len()` objectives count). `limit` is scratch space
/// and `levels` the scratch of the lower dimensions.
fn exclusive_hv(
    point: &[f64],
    later: &[f64],
    d: usize,
    r: &[f64],
    limit: &mut Vec<f64>,
    levels: &mut [WfgLevel],
) -> f64 {
    let k = point.len();
    limit.clear();
    for q in later.chunks_exact(d) {
        let mut covered = true;
        for (&a, &b) in point.iter().zip(q) {
            let m = a.min(b);
            covered &= m == a;
            limit.push(m);
        }
        // A later box containing this one leaves it nothing; stop before doing any work.
        if covered {
            return 0.0;
        }
    }
    let inclusive = box_volume(point, r);
    if limit.is_empty() {
        return inclusive;
    }
    inclusive - hv_of(limit, k, r, levels)
}

/// Hypervolume of a limit set with `k` objectives, through the fastest method for `k`.
fn hv_of(p: &[f64], k: usize, r: &[f64], levels: &mut [WfgLevel]) -> f64 {
    if p.len() == k {
        // One box: skip the sweeps' sorting and tree building, common deep in the recursion.
        return box_volume(p, r);
    }
    match k {
        1 => hv_1d(p, r),
        2 => hv_2d(p, r),
        3 => hv_3d(p, r),
        _ => wfg(p, k, r, levels),
    }
}

/// Volume of the box [r, point] (the first `point.len()` objectives of `r`).
fn box_volume(point: &[f64], r: &[f64]) -> f64 {
    point.iter().zip(r).map(|(a, b)| a - b).product()
}

/// Volume of the intersection of the boxes [r, a] and [r, b].
fn overlap(a: &[f64], b: &[f64], r: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .zip(r)
        .map(|((x, y), z)| x.min(*y) - z)
        .product()
}

/// How raw objective values map to the maximised unit cube: per objective a
/// range `[lower, upper]` and a sense. A maximised objective maps `lower → 0`,
/// `upper → 1`; a minimised one maps `upper → 0`, `lower → 1`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Normalization {
    /// Objective names.
    pub objectives: Vec<String>,
    /// Lower ends of the ranges.
    pub lower: Vec<f64>,
    /// Upper ends of the ranges.
    pub upper: Vec<f64>,
    /// Which objectives are minimised.
    pub minimize: Vec<bool>,
}

impl Normalization {
    /// Maps a raw point into the maximised unit cube.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .enumerate()
            .map(|(i, v)| {
                let z = (v - self.lower[i]) / (self.upper[i] - self.lower[i]);
                if self.minimize[i] { 1.0 - z } else { z }
            })
            .collect()
    }
}

/// Pareto statistics of several sets of points (one per strategy), pooled.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooled {
    /// Hypervolume of each set's own points (normalised, reference 0).
    pub hypervolume: Vec<f64>,
    /// Size of each set's own non-dominated front.
    pub front_size: Vec<usize>,
    /// Fraction of the pooled front that each set contributes.
    pub share: Vec<f64>,
    /// The pooled front: `(set, raw point)` in set order, then point order.
    pub front: Vec<(usize, Vec<f64>)>,
}

/// Normalises each set, computes its hypervolume and front, and pools them.
/// The reference point (raw units) defaults to the origin of the normalised
/// cube (the lower bounds of maximised objectives).
pub fn pooled(sets: &[Vec<Vec<f64>>], norm: &Normalization, reference: Option<&[f64]>) -> Pooled {
    let normalized: Vec<Vec<Vec<f64>>> = sets
        .iter()
        .map(|s| s.iter().map(|x| norm.apply(x)).collect())
        .collect();
    let d = norm.objectives.len();
    let origin = reference.map_or_else(|| vec![0.0; d], |r| norm.apply(r));
    let hypervolume = normalized.iter().map(|s| hypervolume(s, &origin)).collect();
    let front_size = normalized.iter().map(|s| nondominated(s).len()).collect();
    let mut all = Vec::new();
    let mut owner = Vec::new();
    for (k, s) in normalized.iter().enumerate() {
        for (j, x) in s.iter().enumerate() {
            all.push(x.clone());
            owner.push((k, j));
        }
    }
    let idx = nondominated(&all);
    let mut counts = vec![0usize; sets.len()];
    let front: Vec<(usize, Vec<f64>)> = idx
        .iter()
        .map(|i| {
            let (k, j) = owner[*i];
            counts[k] += 1;
            (k, sets[k][j].clone())
        })
        .collect();
    let total = front.len().max(1) as f64;
    Pooled {
        hypervolume,
        front_size,
        share: counts.iter().map(|c| *c as f64 / total).collect(),
        front,
    }
}

/// A table of points read from CSV: every column kept as text (for the front
/// file), the objective columns parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct PointTable {
    /// Header.
    pub header: Vec<String>,
    /// Every row, as text.
    pub rows: Vec<Vec<String>>,
    /// Columns used as objectives.
    pub objective_columns: Vec<usize>,
    /// Objective values per row.
    pub values: Vec<Vec<f64>>,
}

/// A problem in a point table.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct PointsError {
    /// File name.
    pub origin: String,
    /// What is wrong, with the line and column.
    pub message: String,
}

impl PointTable {
    /// Parses CSV text with a header. `objectives` picks columns by name
    /// (default: every column).
    pub fn parse(
        text: &str,
        origin: &str,
        objectives: Option<&[String]>,
    ) -> Result<PointTable, PointsError> {
        let err = |m: String| PointsError {
            origin: origin.to_string(),
            message: m,
        };
        let (mut rdr, header) = crate::formats::table::open(text, "row of column names")
            .map_err(|m| err(format!("line 1: {m}")))?;
        if header.iter().all(|h| h.parse::<f64>().is_ok()) {
            return Err(err(format!(
                "line 1: `{}` looks like data; the first line must be a header of column names",
                header.join(",")
            )));
        }
        let objective_columns: Vec<usize> = match objectives {
            None => (0..header.len()).collect(),
            Some(names) => names
                .iter()
                .map(|n| {
                    header.iter().position(|h| h == n).ok_or_else(|| {
                        err(format!(
                            "unknown objective '{n}'; the columns are {}",
                            header.join(", ")
                        ))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        if objective_columns.is_empty() || objective_columns.len() > 8 {
            return Err(err(format!(
                "{} objectives; choose 1 to 8 with --objectives",
                objective_columns.len()
            )));
        }
        let mut rows = Vec::new();
        let mut values = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let (line, message) = crate::formats::table::row_error(&e);
                err(format!("line {line}: {message}"))
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let mut x = Vec::with_capacity(objective_columns.len());
            for c in &objective_columns {
                let cell = &rec[*c];
                let v: f64 = cell.parse().map_err(|_| {
                    err(format!(
                        "line {line}, column '{}': '{cell}' is not a number",
                        header[*c]
                    ))
                })?;
                if !v.is_finite() {
                    return Err(err(format!(
                        "line {line}, column '{}': '{cell}' is not a finite number",
                        header[*c]
                    )));
                }
                x.push(v);
            }
            rows.push(rec.iter().map(str::to_string).collect());
            values.push(x);
        }
        Ok(PointTable {
            header,
            rows,
            objective_columns,
            values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec as pvec;
    use proptest::prelude::*;
    use std::time::Instant;

    // ----- helpers -----

    /// A small LCG: deterministic data without pulling in a random-number crate.
    struct Lcg(u64);

    impl Lcg {
        fn new(seed: u64) -> Self {
            Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
        }

        /// Uniform in [0, 1), from the high 53 bits (the low bits of an LCG are weak).
        fn unit(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }

        fn below(&mut self, k: usize) -> usize {
            (self.unit() * k as f64) as usize
        }
    }

    fn uniform(rng: &mut Lcg, n: usize, d: usize) -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| (0..d).map(|_| rng.unit()).collect())
            .collect()
    }

    /// Coordinates from {0, 0.25, 0.5, 0.75, 1}: many ties, duplicates and dominance by
    /// equality in some objectives.
    fn grid(rng: &mut Lcg, n: usize, d: usize) -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| (0..d).map(|_| rng.below(5) as f64 * 0.25).collect())
            .collect()
    }

    /// Rows drawn with replacement from a pool of a few: nearly everything is a copy.
    fn copies(rng: &mut Lcg, n: usize, d: usize) -> Vec<Vec<f64>> {
        let pool = uniform(rng, 6, d);
        (0..n)
            .map(|_| pool[rng.below(pool.len())].clone())
            .collect()
    }

    /// Points in the positive orthant with norm in [1 − noise, 1]: a concave front, which
    /// is entirely non-dominated when `noise` is 0.
    fn sphere(rng: &mut Lcg, n: usize, d: usize, noise: f64) -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| {
                let v: Vec<f64> = (0..d).map(|_| rng.unit() + 1e-3).collect();
                let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                let radius = 1.0 - noise * rng.unit();
                v.iter().map(|x| x / norm * radius).collect()
            })
            .collect()
    }

    type Generator = fn(&mut Lcg, usize, usize) -> Vec<Vec<f64>>;

    fn generators() -> Vec<(&'static str, Generator)> {
        vec![
            ("uniform", uniform),
            ("grid", grid),
            ("copies", copies),
            ("sphere", |rng, n, d| sphere(rng, n, d, 0.0)),
            ("noisy sphere", |rng, n, d| sphere(rng, n, d, 0.05)),
        ]
    }

    fn dominates(a: &[f64], b: &[f64]) -> bool {
        a.iter().zip(b).all(|(x, y)| x >= y) && a.iter().zip(b).any(|(x, y)| x > y)
    }

    fn brute_front(points: &[Vec<f64>]) -> Vec<usize> {
        (0..points.len())
            .filter(|&i| !points.iter().any(|q| dominates(q, &points[i])))
            .collect()
    }

    /// Inclusion–exclusion over all non-empty subsets: the intersection of boxes
    /// [r, p] is the box [r, min p], so the union's volume is exact up to rounding.
    fn brute_hv(points: &[Vec<f64>], r: &[f64]) -> f64 {
        assert!(points.len() <= 16);
        let mut total = 0.0;
        for mask in 1u32..(1 << points.len()) {
            let mut volume = 1.0;
            for (c, &rc) in r.iter().enumerate() {
                let low = (0..points.len())
                    .filter(|i| mask >> i & 1 == 1)
                    .map(|i| points[i][c])
                    .fold(f64::INFINITY, f64::min);
                volume *= (low - rc).max(0.0);
            }
            if mask.count_ones() % 2 == 1 {
                total += volume;
            } else {
                total -= volume;
            }
        }
        total
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-15
    }

    fn sorted_rows(points: &[Vec<f64>], indices: &[usize]) -> Vec<Vec<f64>> {
        let mut rows: Vec<Vec<f64>> = indices.iter().map(|&i| points[i].clone()).collect();
        rows.sort_by(|a, b| lex_desc(a, b));
        rows
    }

    // ----- property tests -----

    /// Half grid values (ties), half continuous values, per coordinate.
    fn coord() -> impl Strategy<Value = f64> {
        prop_oneof![(0u8..5).prop_map(|k| f64::from(k) * 0.25), -1.0f64..2.0]
    }

    fn reference_coord() -> impl Strategy<Value = f64> {
        prop_oneof![Just(0.0), -1.0f64..0.5]
    }

    fn point_sets(max_d: usize, max_n: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
        (1..=max_d).prop_flat_map(move |d| pvec(pvec(coord(), d), 0..max_n))
    }

    /// (points, one extra point, reference), all of one dimension.
    fn hv_cases(
        max_d: usize,
        max_n: usize,
    ) -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<f64>, Vec<f64>)> {
        (1..=max_d).prop_flat_map(move |d| {
            (
                pvec(pvec(coord(), d), 0..max_n),
                pvec(coord(), d),
                pvec(reference_coord(), d),
            )
        })
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

        #[test]
        fn hypervolume_never_decreases((points, extra, r) in hv_cases(6, 30)) {
            let before = hypervolume(&points, &r);
            let mut more = points.clone();
            more.push(extra.clone());
            let after = hypervolume(&more, &r);
            prop_assert!(after >= before - 1e-12 * before.abs(), "{} < {}", after, before);
            let alone = hypervolume(&[extra], &r);
            prop_assert!(after >= alone - 1e-12 * alone.abs(), "{} < {}", after, alone);
            prop_assert!(close(after, hypervolume_general(&more, &r)));
        }

        #[test]
        fn hypervolume_of_one_point_is_its_box((_, point, r) in hv_cases(8, 1)) {
            let expected: f64 = point.iter().zip(&r).map(|(p, r)| (p - r).max(0.0)).product();
            let points = [point];
            prop_assert!(close(hypervolume(&points, &r), expected));
            prop_assert!(close(hypervolume_general(&points, &r), expected));
        }

        #[test]
        fn hypervolume_matches_inclusion_exclusion((points, _, r) in hv_cases(6, 9)) {
            let expected = brute_hv(&points, &r);
            let fast = hypervolume(&points, &r);
            let general = hypervolume_general(&points, &r);
            prop_assert!(close(fast, expected), "fast {} vs {}", fast, expected);
            prop_assert!(close(general, expected), "general {} vs {}", general, expected);
        }
    }

    // ----- hand-checked values -----

    #[test]
    fn hand_checked_2d() {
        let r = [0.0, 0.0];
        // Staircase (3,1), (2,2), (1,3): strips of height 1 and widths 3, 2, 1 → 3 + 2 + 1 = 6.
        let base = vec![vec![1.0, 3.0], vec![2.0, 2.0], vec![3.0, 1.0]];
        assert_eq!(hypervolume(&base, &r), 6.0);
        assert_eq!(hypervolume_general(&base, &r), 6.0);
        // A dominated point, a copy, and a point below the reference in y add nothing.
        let mut extra = base.clone();
        extra.extend([vec![1.0, 1.0], vec![2.0, 2.0], vec![5.0, -1.0]]);
        assert_eq!(hypervolume(&extra, &r), 6.0);
        assert_eq!(nondominated(&extra), vec![0, 1, 2, 4, 5]);
        // (5, 0) lies on the reference in y: a box of zero height, still nothing added.
        extra.push(vec![5.0, 0.0]);
        assert_eq!(hypervolume(&extra, &r), 6.0);
        // Reference (1, 1): boxes become (2,0)… only (2,2)→1·1 and (3,1)→zero height,
        // (1,3)→zero width; so the union is the single unit square [1,2]×[1,2] = 1.
        assert_eq!(hypervolume(&base, &[1.0, 1.0]), 1.0);
        // Negative reference (−1, −2): (1,3)→2·5=10, (2,2)→3·4=12, (3,1)→4·3=12;
        // sweep by x: 4·3 + 3·(4−3) + 2·(5−4) = 12 + 3 + 2 = 17.
        assert_eq!(hypervolume(&base, &[-1.0, -2.0]), 17.0);
        assert_eq!(hypervolume_general(&base, &[-1.0, -2.0]), 17.0);
    }

    #[test]
    fn hand_checked_3d() {
        let r = [0.0, 0.0, 0.0];
        // One unit cube → 1.
        assert_eq!(hypervolume(&[vec![1.0, 1.0, 1.0]], &r), 1.0);
        // Three 2×1×1 bricks along each axis: 3·2 − 3·1 (pairwise overlaps, the unit
        // cube) + 1 (triple overlap) = 4, i.e. the unit cube plus three unit cubes.
        let bricks = vec![
            vec![2.0, 1.0, 1.0],
            vec![1.0, 2.0, 1.0],
            vec![1.0, 1.0, 2.0],
        ];
        assert_eq!(hypervolume(&bricks, &r), 4.0);
        assert_eq!(hypervolume_general(&bricks, &r), 4.0);
        // (2,2,1) and (1,1,3): 4 + 3 − overlap (1,1,1) = 6.
        let pair = vec![vec![2.0, 2.0, 1.0], vec![1.0, 1.0, 3.0]];
        assert_eq!(hypervolume(&pair, &r), 6.0);
        assert_eq!(hypervolume_general(&pair, &r), 6.0);
        // Reference (0.5, 0, 0) with (3,2,1), (1,3,2), (2,1,3):
        // boxes 2.5·2·1 = 5, 0.5·3·2 = 3, 1.5·1·3 = 4.5; pairwise overlaps
        // min(3,1)=1→0.5·2·1 = 1, min(3,2)=2→1.5·1·1 = 1.5, min(1,2)=1→0.5·1·2 = 1;
        // triple 0.5·1·1 = 0.5. Union: 12.5 − 3.5 + 0.5 = 9.5.
        let mixed = vec![
            vec![3.0, 2.0, 1.0],
            vec![1.0, 3.0, 2.0],
            vec![2.0, 1.0, 3.0],
        ];
        assert_eq!(hypervolume(&mixed, &[0.5, 0.0, 0.0]), 9.5);
        assert_eq!(hypervolume_general(&mixed, &[0.5, 0.0, 0.0]), 9.5);
        // With a copy, a dominated point and a point level with the reference in z.
        let mut noisy = mixed.clone();
        noisy.extend([
            vec![3.0, 2.0, 1.0],
            vec![1.0, 1.0, 1.0],
            vec![9.0, 9.0, 0.0],
        ]);
        assert_eq!(hypervolume(&noisy, &[0.5, 0.0, 0.0]), 9.5);
        assert_eq!(nondominated(&noisy), vec![0, 1, 2, 3, 5]);
    }

    #[test]
    fn hand_checked_4d() {
        let r = [0.0; 4];
        // Four 2×1×1×1 bricks, one along each axis; every intersection of two or more is
        // the unit hypercube. 4·2 − 6·1 + 4·1 − 1 = 5: the unit cube plus four unit cubes.
        let bricks: Vec<Vec<f64>> = (0..4)
            .map(|axis| (0..4).map(|c| if c == axis { 2.0 } else { 1.0 }).collect())
            .collect();
        assert_eq!(hypervolume(&bricks, &r), 5.0);
        assert_eq!(hypervolume_general(&bricks, &r), 5.0);
        // Reference (1,1,1,1) with (3,2,2,2) and (2,3,2,2): 2·1·1·1 = 2 each, overlap
        // (2,2,2,2) → 1; union 2 + 2 − 1 = 3.
        let pair = vec![vec![3.0, 2.0, 2.0, 2.0], vec![2.0, 3.0, 2.0, 2.0]];
        assert_eq!(hypervolume(&pair, &[1.0; 4]), 3.0);
        // (2,2,2,2) is inside both boxes above, so it changes nothing; (0.5, …) is clipped away.
        let mut more = pair.clone();
        more.extend([vec![2.0; 4], vec![0.5, 9.0, 9.0, 9.0]]);
        assert_eq!(hypervolume(&more, &[1.0; 4]), 3.0);
        assert_eq!(nondominated(&more), vec![0, 1, 3]);
    }

    #[test]
    fn edge_cases() {
        let none: Vec<Vec<f64>> = Vec::new();
        assert!(nondominated(&none).is_empty());
        assert_eq!(hypervolume(&none, &[0.0, 0.0]), 0.0);
        // One objective: every copy of the maximum; the volume is max − reference.
        let line = vec![vec![1.0], vec![3.0], vec![-2.0], vec![3.0]];
        assert_eq!(nondominated(&line), vec![1, 3]);
        assert_eq!(nondominated_general(&line), vec![1, 3]);
        assert_eq!(hypervolume(&line, &[0.5]), 2.5);
        assert_eq!(hypervolume_general(&line, &[0.5]), 2.5);
        assert_eq!(hypervolume(&line, &[4.0]), 0.0);
        // All copies of one point stay, in every dimension.
        for d in 1..=8 {
            let same = vec![vec![0.5; d]; 5];
            assert_eq!(nondominated(&same), vec![0, 1, 2, 3, 4]);
            assert_eq!(nondominated_general(&same), vec![0, 1, 2, 3, 4]);
            assert!(close(
                hypervolume(&same, &vec![0.0; d]),
                0.5f64.powi(d as i32)
            ));
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

    // ----- fast paths against the general methods -----

    #[test]
    fn fast_paths_agree_with_general() {
        let mut rng = Lcg::new(7);
        for d in [2, 3] {
            let r = vec![0.0; d];
            for (name, generate) in generators() {
                for n in [1, 2, 3, 5, 10, 33, 100, 500, 1000, 2000] {
                    let points = generate(&mut rng, n, d);
                    let fast = nondominated(&points);
                    assert_eq!(fast, nondominated_general(&points), "{name} d={d} n={n}");
                    if n <= 500 {
                        assert_eq!(fast, brute_front(&points), "{name} d={d} n={n}");
                    }
                    let (a, b) = (hypervolume(&points, &r), hypervolume_general(&points, &r));
                    assert!(close(a, b), "{name} d={d} n={n}: {a} vs {b}");
                    // A reference inside the cloud exercises the clipping.
                    let mid = vec![0.3; d];
                    let (a, b) = (
                        hypervolume(&points, &mid),
                        hypervolume_general(&points, &mid),
                    );
                    assert!(close(a, b), "{name} d={d} n={n} clipped: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn general_dimensions_agree_with_brute_force() {
        let mut rng = Lcg::new(11);
        for d in [4, 5, 6, 8] {
            let r = vec![0.0; d];
            for (name, generate) in generators() {
                for n in [1, 2, 5, 10, 50, 300] {
                    let points = generate(&mut rng, n, d);
                    let brute = brute_front(&points);
                    assert_eq!(nondominated(&points), brute, "{name} d={d} n={n}");
                    assert_eq!(nondominated_general(&points), brute, "{name} d={d} n={n}");
                    if n <= 10 {
                        let expected = brute_hv(&points, &r);
                        let got = hypervolume(&points, &r);
                        assert!(
                            close(got, expected),
                            "{name} d={d} n={n}: {got} vs {expected}"
                        );
                        let mid = vec![0.2; d];
                        let expected = brute_hv(&points, &mid);
                        let got = hypervolume(&points, &mid);
                        assert!(
                            close(got, expected),
                            "{name} d={d} n={n}: {got} vs {expected}"
                        );
                    }
                }
            }
        }
    }

    // ----- benchmarks (run with `cargo test --release -- --ignored --nocapture`) -----

    fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
        let start = Instant::now();
        let value = f();
        (value, start.elapsed().as_secs_f64())
    }

    #[test]
    #[ignore]
    fn bench_3d_million() {
        let mut rng = Lcg::new(1);
        let n = 1_000_000;
        let clouds = [
            ("uniform [0,1]^3", uniform(&mut rng, n, 3)),
            (
                "concave shell, norm in [0.999, 1]",
                sphere(&mut rng, n, 3, 1e-3),
            ),
            (
                "concave shell, norm in [0.99, 1]",
                sphere(&mut rng, n, 3, 1e-2),
            ),
        ];
        for (i, (name, points)) in clouds.iter().enumerate() {
            let (front, t_front) = timed(|| nondominated(points));
            let (hv, t_hv) = timed(|| hypervolume(points, &[0.0; 3]));
            println!(
                "3-D {name}: n = {n}, front = {} points in {t_front:.3} s, \
                 hypervolume = {hv:.6} in {t_hv:.3} s, total {:.3} s",
                front.len(),
                t_front + t_hv
            );
            if i == 0 && !cfg!(debug_assertions) {
                assert!(t_front + t_hv < 2.0, "front + hypervolume took too long");
            }
        }
    }

    #[test]
    #[ignore]
    fn bench_general_dimensions() {
        let mut rng = Lcg::new(2);
        for d in 4..=8 {
            let points = uniform(&mut rng, 200_000, d);
            let (front, t) = timed(|| nondominated(&points));
            println!(
                "front, uniform, d = {d}, n = 200000: {} points in {t:.3} s",
                front.len()
            );
        }
        for d in 5..=8 {
            for (name, points) in [
                ("sphere (all non-dominated)", sphere(&mut rng, 300, d, 0.0)),
                ("uniform", uniform(&mut rng, 300, d)),
            ] {
                let (hv, t) = timed(|| hypervolume(&points, &vec![0.0; d]));
                println!("hypervolume, {name}, d = {d}, n = 300: {hv:.6} in {t:.3} s");
            }
        }
    }
}
