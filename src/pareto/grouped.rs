//! Pooled Pareto statistics of several normalised point sets stored flat, and
//! their delete-one-group jackknife replicates.
//!
//! The full statistics are the same bits as [`pooled`](super::pooled) gives:
//! the pooled front is filtered from the sets' own fronts (a point dominated
//! in the pool is dominated by some front point of its own set), and each
//! hypervolume sweeps only the front points (see [`hypervolume_of_front`]).
//!
//! For the replicates every set is cut into groups of consecutive rows; each
//! group's front is computed once, and the front without group `g` is the
//! front of the other groups' fronts merged, which is small.
//!
//! Above three objectives the exact hypervolume (WFG) dominates the cost and
//! grows steeply with the front, so the sets and the replicates are spread
//! over rayon's threads there. Each is computed by the same sequential code
//! and collected in order, so the bits do not depend on the thread count. In
//! one to three objectives the sweeps are cheap and stay sequential: a sweep
//! already runs its points in parallel.

use super::front::{Staircase, fcmp, key, lex_desc, nondominated_flat, unkey};
use super::hypervolume::hypervolume_flat;
use super::keysort;
use rayon::prelude::*;

/// Whether the per-set and per-replicate work of `d` objectives is worth
/// spreading over threads (see the module's notes).
fn parallel(d: usize) -> bool {
    d > 3
}

/// Pareto statistics of several sets, pooled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PooledStats {
    /// Hypervolume of each set (normalised units).
    pub hypervolume: Vec<f64>,
    /// Size of each set's own non-dominated front.
    pub front_size: Vec<usize>,
    /// Fraction of the pooled front that each set contributes.
    pub share: Vec<f64>,
    /// The pooled front as `(set, row)`, in set order, then row order.
    pub front: Vec<(usize, usize)>,
}

/// The statistics of `sets` (flat rows of `d` normalised objectives each)
/// against the normalised reference `origin`; the same bits as
/// [`pooled`](super::pooled) on the same rows.
pub fn pooled_flat(sets: &[&[f64]], d: usize, origin: &[f64]) -> PooledStats {
    pooled_flat_keyed(sets, &[], d, origin)
}

/// [`pooled_flat`] with, for set `k`, the sweep keys of its third objective
/// when known (`zs[k]`, see [`hypervolume_of_front_keyed`]; `zs` may be
/// empty): the same bits, without sorting them again.
pub fn pooled_flat_keyed(
    sets: &[&[f64]],
    zs: &[Option<&[u64]>],
    d: usize,
    origin: &[f64],
) -> PooledStats {
    let one = |k: usize| {
        let front = nondominated_flat(sets[k], d);
        let z = zs.get(k).copied().flatten();
        let hv = hypervolume_of_front_keyed(sets[k], &front, d, origin, z);
        (front, hv)
    };
    let per_set: Vec<(Vec<usize>, f64)> = if parallel(d) {
        (0..sets.len()).into_par_iter().map(one).collect()
    } else {
        (0..sets.len()).map(one).collect()
    };
    let (fronts, hypervolume) = per_set.into_iter().unzip();
    pool(sets, fronts, d, hypervolume)
}

/// Pools the sets' own fronts (row indices, ascending) into the pooled front.
pub(super) fn pool(
    sets: &[&[f64]],
    fronts: Vec<Vec<usize>>,
    d: usize,
    hypervolume: Vec<f64>,
) -> PooledStats {
    let mut rows = Vec::new();
    let mut owner = Vec::new();
    for (k, f) in fronts.iter().enumerate() {
        for &i in f {
            rows.extend_from_slice(&sets[k][i * d..(i + 1) * d]);
            owner.push((k, i));
        }
    }
    let front: Vec<(usize, usize)> = if rows.is_empty() {
        Vec::new()
    } else {
        nondominated_flat(&rows, d)
            .into_iter()
            .map(|j| owner[j])
            .collect()
    };
    let mut counts = vec![0usize; sets.len()];
    for (k, _) in &front {
        counts[*k] += 1;
    }
    let total = front.len().max(1) as f64;
    PooledStats {
        hypervolume,
        front_size: fronts.iter().map(Vec::len).collect(),
        share: counts.iter().map(|c| *c as f64 / total).collect(),
        front,
    }
}

/// The delete-one-group replicates of [`pooled_flat`]: replicate `g` leaves
/// out rows `groups[g]..groups[g + 1]` of every set (`groups` holds each
/// set's group offsets, in rows; every set has the same number of groups).
/// Pooled fronts are not kept.
pub fn pooled_replicates(
    sets: &[&[f64]],
    groups: &[Vec<usize>],
    d: usize,
    origin: &[f64],
) -> Vec<PooledStats> {
    let g_count = groups.first().map_or(0, |g| g.len().saturating_sub(1));
    // Each group's front once, as flat rows.
    let group_fronts: Vec<Vec<Vec<f64>>> = sets
        .iter()
        .zip(groups)
        .map(|(s, offs)| {
            offs.windows(2)
                .map(|w| {
                    let rows = &s[w[0] * d..w[1] * d];
                    let f = if rows.is_empty() {
                        Vec::new()
                    } else {
                        nondominated_flat(rows, d)
                    };
                    f.iter()
                        .flat_map(|&i| rows[i * d..(i + 1) * d].iter().copied())
                        .collect()
                })
                .collect()
        })
        .collect();
    // Replicate `g` in `merged`, a scratch buffer per set reused across
    // replicates (one per thread when they run in parallel).
    let replicate = |merged: &mut Vec<Vec<f64>>, g: usize| {
        for (m, fronts) in merged.iter_mut().zip(&group_fronts) {
            m.clear();
            for (h, f) in fronts.iter().enumerate() {
                if h != g {
                    m.extend_from_slice(f);
                }
            }
        }
        let views: Vec<&[f64]> = merged.iter().map(Vec::as_slice).collect();
        let mut stats = pooled_flat(&views, d, origin);
        stats.front.clear();
        stats
    };
    let scratch = || vec![Vec::new(); sets.len()];
    if parallel(d) {
        (0..g_count)
            .into_par_iter()
            .map_init(scratch, replicate)
            .collect()
    } else {
        let mut merged = scratch();
        (0..g_count).map(|g| replicate(&mut merged, g)).collect()
    }
}

/// The hypervolume of the rows `p` given their front (row indices): the
/// same bits as [`hypervolume_flat`] on all of `p`, with only the front
/// points in the sweep's sorts and staircase.
///
/// Dominated points add nothing in one, two and three dimensions (they are
/// rejected by the sweep), so the front alone gives the same sum, except that
/// in three dimensions a dominated point still splits the z sweep into two
/// products: those splits are kept by sweeping every point's z. Above three
/// dimensions the front's tie order would differ, so every row is used.
pub fn hypervolume_of_front(p: &[f64], front: &[usize], d: usize, r: &[f64]) -> f64 {
    hypervolume_of_front_keyed(p, front, d, r, None)
}

/// [`hypervolume_of_front`] given, in three dimensions, the sweep keys of
/// every row's z (`zs`: the complemented order-preserving integer keys of
/// the third objective, ascending, one per row, as
/// [`Normalization::sweep_keys`](super::Normalization::sweep_keys) gives).
/// They are used when every row lies above the reference, where they are
/// exactly the keys the sweep would sort; otherwise they are ignored.
pub fn hypervolume_of_front_keyed(
    p: &[f64],
    front: &[usize],
    d: usize,
    r: &[f64],
    zs: Option<&[u64]>,
) -> f64 {
    let rows = front_rows_above(p, front, d, r);
    match d {
        1 | 2 => hypervolume_flat(&rows, d, r),
        3 => {
            if let Some(zs) = zs.filter(|z| z.len() == p.len() / 3 && all_above_3d(p, r)) {
                return hv_3d_split(&rows, zs, r);
            }
            // Sorted as integer keys (descending), much cheaper than float comparisons;
            // the keys fold -0.0 onto +0.0, which the sweep's products cannot tell apart.
            let mut keys: Vec<u64> = Vec::with_capacity(p.len() / 3);
            for x in p.chunks_exact(3) {
                if x[0] > r[0] && x[1] > r[1] && x[2] > r[2] {
                    keys.push(!key(x[2]));
                }
            }
            let mut sorted = Vec::new();
            keysort::sort(&keys, &mut sorted);
            hv_3d_split(&rows, &sorted, r)
        }
        _ => hypervolume_flat(p, d, r),
    }
}

/// The rows `front` of `p` (flat, `d` objectives) that lie above `r` in
/// every objective, flat.
fn front_rows_above(p: &[f64], front: &[usize], d: usize, r: &[f64]) -> Vec<f64> {
    let above = |x: &[f64]| x.iter().zip(r).all(|(v, q)| v > q);
    front
        .iter()
        .map(|&i| &p[i * d..(i + 1) * d])
        .filter(|x| above(x))
        .flatten()
        .copied()
        .collect()
}

/// [`hypervolume_of_front_keyed`] of a cloud with one to three objectives
/// every row of which lies above `r`, given only its front rows (`f`, flat)
/// and, in 3-D, the sweep keys of every row (`zs`): the same bits.
pub(super) fn hypervolume_of_front_rows(f: &[f64], d: usize, r: &[f64], zs: &[u64]) -> f64 {
    let all: Vec<usize> = (0..f.len() / d).collect();
    let rows = front_rows_above(f, &all, d, r);
    match d {
        1 | 2 => hypervolume_flat(&rows, d, r),
        _ => hv_3d_split(&rows, zs, r),
    }
}

/// Whether every row of `p` (three objectives) lies above `r` in each.
fn all_above_3d(p: &[f64], r: &[f64]) -> bool {
    // A fold without early exit or branches: every row is usually above.
    p.chunks_exact(3).fold(true, |ok, x| {
        ok & (x[0] > r[0]) & (x[1] > r[1]) & (x[2] > r[2])
    })
}

/// The 3-D sweep of `hv_3d`, inserting the front rows `f` into the staircase
/// but stepping through every z of `zs` (the complemented [`key`]s of all points
/// above the reference, ascending: z in decreasing order).
/// Within one z level the skipped products are `area · 0`, which change
/// nothing, so inserting a level's front points at its first z is exact.
fn hv_3d_split(f: &[f64], zs: &[u64], r: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..f.len() / 3).collect();
    order.sort_unstable_by(|&a, &b| {
        fcmp(f[3 * b + 2], f[3 * a + 2])
            .then_with(|| lex_desc(&f[3 * a..3 * a + 2], &f[3 * b..3 * b + 2]))
    });
    let Some((&top, rest)) = zs.split_first() else {
        return 0.0;
    };
    // The front's z in sweep order, with a NaN after the last (equal to no z).
    let fz: Vec<f64> = order.iter().map(|&i| f[3 * i + 2]).collect();
    let z_of = |at: usize| fz.get(at).copied().unwrap_or(f64::NAN);
    let mut stairs = Staircase::default();
    let mut at = 0;
    // Inserts the front points of level `z` (the next ones in `order`).
    let mut insert = |z: f64, area: &mut f64, at: &mut usize| {
        while z_of(*at) == z {
            let i = order[*at];
            *area += stairs.insert(f[3 * i], f[3 * i + 1], Some([r[0], r[1]]));
            *at += 1;
        }
    };
    // The first level adds `0 · 0` to a zero volume, which changes nothing.
    let mut area = 0.0;
    let mut sweep = ZSweep {
        volume: 0.0,
        z_prev: unkey(!top),
        k_prev: top,
        at: 0,
    };
    insert(sweep.z_prev, &mut area, &mut at);
    while sweep.step_to_level(rest, area, z_of(at)) {
        insert(sweep.z_prev, &mut area, &mut at);
    }
    sweep.volume + area * (sweep.z_prev - r[2])
}

/// Where the z sweep of [`hv_3d_split`] stands.
struct ZSweep {
    volume: f64,
    z_prev: f64,
    k_prev: u64,
    /// The next key to step to.
    at: usize,
}

impl ZSweep {
    /// Steps through the keys `zs[self.at..]`, adding `area` times each
    /// slab's height, until a z equal to `next_z` (true: the front points
    /// of that level are to be inserted) or the end (false). Out of line,
    /// so that the volume's running sum stays in a register.
    #[inline(never)]
    fn step_to_level(&mut self, zs: &[u64], area: f64, next_z: f64) -> bool {
        let (mut volume, mut z_prev, mut k_prev) = (self.volume, self.z_prev, self.k_prev);
        let mut hit = false;
        let mut at = self.at;
        while at < zs.len() {
            let k = zs[at];
            at += 1;
            // Equal keys are equal values (the keys fold -0.0 onto +0.0).
            if k == k_prev {
                continue;
            }
            let z = unkey(!k);
            volume += area * (z_prev - z);
            (z_prev, k_prev) = (z, k);
            if z == next_z {
                hit = true;
                break;
            }
        }
        (self.volume, self.z_prev, self.k_prev, self.at) = (volume, z_prev, k_prev, at);
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use super::*;
    use crate::pareto::{Normalization, hypervolume, pooled};

    fn flat(rows: &[Vec<f64>]) -> Vec<f64> {
        rows.iter().flatten().copied().collect()
    }

    #[test]
    fn the_front_alone_gives_the_same_hypervolume_bits() {
        for d in 1..=4 {
            for (name, make) in testkit::generators() {
                for seed in 0..10 {
                    let rows = make(&mut testkit::Lcg::new(seed), 300, d);
                    let p = flat(&rows);
                    let f = nondominated_flat(&p, d);
                    let r = vec![0.1; d];
                    let want = hypervolume(&rows, &r);
                    let got = hypervolume_of_front(&p, &f, d, &r);
                    assert_eq!(got.to_bits(), want.to_bits(), "{name}, d = {d}");
                }
            }
        }
    }

    #[test]
    fn sweep_keys_from_the_raw_order_give_the_same_hypervolume_bits() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        for minimize in [vec![false; 3], vec![false, true, true]] {
            let bounds = [(-1.0, 2.0), (0.0, 1.0), (-0.5, 3.0)];
            let norm = Normalization::from_bounds(names.clone(), &bounds, minimize).unwrap();
            for (name, make) in testkit::generators() {
                for seed in 0..6 {
                    let raw = flat(&make(&mut testkit::Lcg::new(seed), 300, 3));
                    let mut p = Vec::new();
                    norm.apply_rows(&raw, &mut p);
                    let f = nondominated_flat(&p, 3);
                    let mut z: Vec<f64> = raw.chunks_exact(3).map(|x| x[2]).collect();
                    z.sort_by(f64::total_cmp);
                    let zs = norm.sweep_keys(2, &z);
                    // Below every row (keys used), and inside the cloud (keys ignored).
                    for r in [[-0.5; 3], [0.2; 3]] {
                        let want = hypervolume_of_front(&p, &f, 3, &r);
                        let got = hypervolume_of_front_keyed(&p, &f, 3, &r, Some(&zs));
                        assert_eq!(got.to_bits(), want.to_bits(), "{name}, seed {seed}");
                    }
                }
            }
        }
    }

    #[test]
    fn flat_pooling_matches_pooled() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let norm = Normalization::from_bounds(names, &[(0.0, 1.0); 3], vec![false; 3]).unwrap();
        let sets: Vec<Vec<Vec<f64>>> = (0..3)
            .map(|k| testkit::sphere(&mut testkit::Lcg::new(k), 200, 3, 0.05))
            .collect();
        let want = pooled(&sets, &norm, None);
        let flats: Vec<Vec<f64>> = sets.iter().map(|s| flat(s)).collect();
        let views: Vec<&[f64]> = flats.iter().map(Vec::as_slice).collect();
        let got = pooled_flat(&views, 3, &[0.0; 3]);
        assert_eq!(got.hypervolume, want.hypervolume);
        assert_eq!(got.front_size, want.front_size);
        assert_eq!(got.share, want.share);
        let front: Vec<(usize, Vec<f64>)> = got
            .front
            .iter()
            .map(|&(k, i)| (k, sets[k][i].clone()))
            .collect();
        assert_eq!(front, want.front);
        // Replicates: leaving out a group equals pooling the other rows.
        let groups = vec![vec![0, 50, 120, 200]; 3];
        let reps = pooled_replicates(&views, &groups, 3, &[0.0; 3]);
        assert_eq!(reps.len(), 3);
        let rest: Vec<Vec<f64>> = flats.iter().map(|f| f[..50 * 3].to_vec()).collect();
        let rest: Vec<Vec<f64>> = rest
            .iter()
            .zip(&flats)
            .map(|(a, f)| [a.as_slice(), &f[120 * 3..]].concat())
            .collect();
        let rv: Vec<&[f64]> = rest.iter().map(Vec::as_slice).collect();
        let direct = pooled_flat(&rv, 3, &[0.0; 3]);
        assert_eq!(reps[1].front_size, direct.front_size);
        assert_eq!(reps[1].share, direct.share);
        for (a, b) in reps[1].hypervolume.iter().zip(&direct.hypervolume) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    /// Above three objectives the sets and the replicates run in parallel:
    /// the same statistics as the sequential reference, and the same bits
    /// on one thread and on several.
    #[test]
    fn parallel_pooling_in_five_objectives_matches_and_does_not_depend_on_threads() {
        let d = 5;
        let names: Vec<String> = (0..d).map(|i| format!("o{i}")).collect();
        let norm = Normalization::from_bounds(names, &[(0.0, 1.0); 5], vec![false; 5]).unwrap();
        let sets: Vec<Vec<Vec<f64>>> = (0..3)
            .map(|k| testkit::sphere(&mut testkit::Lcg::new(10 + k), 60, d, 0.05))
            .collect();
        let flats: Vec<Vec<f64>> = sets.iter().map(|s| flat(s)).collect();
        let views: Vec<&[f64]> = flats.iter().map(Vec::as_slice).collect();
        let groups = vec![vec![0, 15, 30, 45, 60]; 3];
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                (
                    pooled_flat(&views, d, &[0.0; 5]),
                    pooled_replicates(&views, &groups, d, &[0.0; 5]),
                )
            })
        };
        let (full, reps) = on(1);
        assert_eq!((full.clone(), reps.clone()), on(3));
        let want = pooled(&sets, &norm, None);
        assert_eq!(full.hypervolume, want.hypervolume);
        assert_eq!(full.front_size, want.front_size);
        assert_eq!(full.share, want.share);
        // Replicate g: pooling the rows outside group g.
        assert_eq!(reps.len(), 4);
        for (g, rep) in reps.iter().enumerate() {
            let (lo, hi) = (15 * g * d, 15 * (g + 1) * d);
            let rest: Vec<Vec<f64>> = flats
                .iter()
                .map(|f| [&f[..lo], &f[hi..]].concat())
                .collect();
            let rv: Vec<&[f64]> = rest.iter().map(Vec::as_slice).collect();
            let direct = pooled_flat(&rv, d, &[0.0; 5]);
            assert_eq!(rep.front_size, direct.front_size, "replicate {g}");
            assert_eq!(rep.share, direct.share, "replicate {g}");
            for (a, b) in rep.hypervolume.iter().zip(&direct.hypervolume) {
                assert!((a - b).abs() < 1e-12, "replicate {g}: {a} against {b}");
            }
        }
    }
}
