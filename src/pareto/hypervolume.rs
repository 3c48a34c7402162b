//! Exact hypervolume, with every objective maximised: O(n log n) sweeps for one to three
//! objectives, the WFG exclusive-hypervolume recursion (While, Bradstreet and Barone,
//! 2012) for more.

use super::front::{SfsBuffers, Staircase, dimension, fcmp, lex_desc, lex_desc_order, sfs_into};

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
    hv_above(&flat, d, reference)
}

/// [`hypervolume`] of rows stored flat (row `i` is `p[i * d..(i + 1) * d]`); the same
/// bits as [`hypervolume`] on the same rows.
///
/// # Panics
///
/// When `d` is 0 or does not divide `p.len()`, or `reference` has another length.
pub fn hypervolume_flat(p: &[f64], d: usize, reference: &[f64]) -> f64 {
    assert!(
        d >= 1 && p.len().is_multiple_of(d) && reference.len() == d,
        "pareto: flat rows need d ≥ 1 dividing the buffer and a reference of length d"
    );
    let flat: Vec<f64> = p
        .chunks_exact(d)
        .filter(|x| x.iter().zip(reference).all(|(v, r)| v > r))
        .flatten()
        .copied()
        .collect();
    hv_above(&flat, if p.is_empty() { 0 } else { d }, reference)
}

/// The hypervolume of rows already lying strictly above `r`.
fn hv_above(flat: &[f64], d: usize, r: &[f64]) -> f64 {
    match d {
        0 => 0.0,
        1 => hv_1d(flat, r),
        2 => hv_2d(flat, r),
        3 => hv_3d(flat, r),
        _ => hv_wfg(flat, d, r),
    }
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

// ---------------------------------------------------------------------------------------
// Hypervolume. Every routine here takes flattened rows lying strictly above `r`.
// ---------------------------------------------------------------------------------------

fn hv_1d(p: &[f64], r: &[f64]) -> f64 {
    p.iter().copied().fold(r[0], f64::max) - r[0]
}

/// Sweep by decreasing x, adding the horizontal strip each new best y uncovers. Dominated
/// points never raise the best y, so no front filter is needed first.
fn hv_2d(p: &[f64], r: &[f64]) -> f64 {
    let order = lex_desc_order(p, 2);
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

#[cfg(test)]
mod tests {
    use super::super::front::nondominated;
    use super::super::testkit::{Lcg, coord, generators, sphere, timed, uniform};
    use super::*;
    use proptest::collection::vec as pvec;
    use proptest::prelude::*;

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

    fn reference_coord() -> impl Strategy<Value = f64> {
        prop_oneof![Just(0.0), -1.0f64..0.5]
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
        assert_eq!(hypervolume(&none, &[0.0, 0.0]), 0.0);
        // One objective: the volume is max − reference.
        let line = vec![vec![1.0], vec![3.0], vec![-2.0], vec![3.0]];
        assert_eq!(hypervolume(&line, &[0.5]), 2.5);
        assert_eq!(hypervolume_general(&line, &[0.5]), 2.5);
        assert_eq!(hypervolume(&line, &[4.0]), 0.0);
        // Copies of one point count once, in every dimension.
        for d in 1..=8 {
            let same = vec![vec![0.5; d]; 5];
            assert!(close(
                hypervolume(&same, &vec![0.0; d]),
                0.5f64.powi(d as i32)
            ));
        }
    }

    // ----- fast paths against the general method and brute force -----

    #[test]
    fn fast_paths_agree_with_general() {
        let mut rng = Lcg::new(7);
        for d in [2, 3] {
            let r = vec![0.0; d];
            for (name, generate) in generators() {
                for n in [1, 2, 3, 5, 10, 33, 100, 500, 1000, 2000] {
                    let points = generate(&mut rng, n, d);
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
                    // Drawn for every n so the clouds match the front test's.
                    let points = generate(&mut rng, n, d);
                    if n > 10 {
                        continue;
                    }
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

    // ----- benchmarks (run with `cargo test --release -- --ignored --nocapture`) -----

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
    fn bench_hypervolume_general_dimensions() {
        let mut rng = Lcg::new(2);
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
