//! Pooled statistics of raw f32 rows that normalise only the fronts.
//!
//! Where every objective's map into the unit cube is strictly increasing on
//! f32 values ([`Normalization::keeps_f32_order`]), one row dominates another
//! exactly when its image dominates the other's image. The fronts are then
//! filtered from the raw rows, and only the front rows are normalised for
//! the hypervolumes and the pooled front (the pooled front of the sets'
//! fronts, as `pooled_flat_keyed` filters it): the same fronts and the same
//! bits as [`pooled_flat_keyed`](super::pooled_flat_keyed) on every row's
//! image, without dividing every value or widening every row.

use std::borrow::Cow;

use super::Normalization;
use super::front::nondominated_flat_f32;
use super::grouped::{PooledStats, hypervolume_of_front_rows, pool};
use super::keysort;

/// [`pooled_flat_keyed`](super::pooled_flat_keyed) of the images of `sets`
/// (flat raw rows) against the origin of the cube, given in 3-D the sweep
/// keys of each set's third objective (`zs[k]`, see
/// [`Normalization::sweep_keys`]; made here where not given or where a row
/// lies on or below the origin). `None` where the fronts or the
/// hypervolumes would need every image: a map that may merge values, or
/// more than three objectives; then use `pooled_flat_keyed` on the images.
pub fn pooled_raw(
    sets: &[&[f32]],
    zs: &[Option<&[u64]>],
    norm: &Normalization,
) -> Option<PooledStats> {
    let d = norm.objectives.len();
    if !(1..=3).contains(&d) || !norm.keeps_f32_order() {
        return None;
    }
    let origin = vec![0.0; d];
    let keys: Vec<Cow<[u64]>> = sets
        .iter()
        .enumerate()
        .map(|(k, s)| {
            if d < 3 {
                return Cow::Borrowed(&[][..]);
            }
            // A raw value is above 0 exactly when its image is (a fold
            // without early exit: every row is usually above).
            let above = s.iter().fold(true, |ok, &v| ok & (v > 0.0));
            match zs.get(k).copied().flatten() {
                Some(z) if above && z.len() == s.len() / 3 => Cow::Borrowed(z),
                _ => Cow::Owned(sweep_keys_above(s, norm)),
            }
        })
        .collect();
    let fronts: Vec<Vec<usize>> = sets.iter().map(|s| nondominated_flat_f32(s, d)).collect();
    // Each set's front rows, normalised: all the hypervolume and the pooling
    // read (the pooled front is filtered from the sets' fronts).
    let images: Vec<Vec<f64>> = sets
        .iter()
        .zip(&fronts)
        .map(|(s, f)| {
            let mut rows = Vec::with_capacity(f.len() * d);
            for &i in f {
                norm.apply_rows(&s[i * d..(i + 1) * d], &mut rows);
            }
            rows
        })
        .collect();
    let hypervolume = images
        .iter()
        .zip(&keys)
        .map(|(rows, z)| hypervolume_of_front_rows(rows, d, &origin, z))
        .collect();
    let views: Vec<&[f64]> = images.iter().map(Vec::as_slice).collect();
    let local = fronts.iter().map(|f| (0..f.len()).collect()).collect();
    let mut stats = pool(&views, local, d, hypervolume);
    for (k, j) in &mut stats.front {
        *j = fronts[*k][*j];
    }
    Some(stats)
}

/// The sorted sweep keys of the rows of a 3-D cloud (raw, flat) that lie
/// above the origin in every objective: the keys
/// [`hypervolume_of_front_keyed`](super::hypervolume_of_front_keyed) sorts
/// when some row does not.
fn sweep_keys_above(s: &[f32], norm: &Normalization) -> Vec<u64> {
    let z: Vec<f64> = s
        .chunks_exact(3)
        .filter(|x| x[0] > 0.0 && x[1] > 0.0 && x[2] > 0.0)
        .map(|x| f64::from(x[2]))
        .collect();
    // The same keys in another order, which the sort undoes.
    let keys = norm.sweep_keys(2, &z);
    let mut sorted = Vec::with_capacity(keys.len());
    keysort::sort(&keys, &mut sorted);
    sorted
}

#[cfg(test)]
mod tests {
    use super::super::pooled_flat_keyed;
    use super::super::testkit::Lcg;
    use super::*;

    /// Clouds of f32 rows in `[0, 10]`: smooth, on a coarse grid (ties and
    /// copies), with zeros and signed zeros (rows on the reference), and a
    /// few huge and tiny values.
    fn cloud(rng: &mut Lcg, n: usize, d: usize, kind: usize) -> Vec<f32> {
        (0..n * d)
            .map(|_| match kind {
                0 => (rng.unit() * 10.0) as f32 + 1e-3,
                1 => rng.below(4) as f32 * 2.5 + 0.5,
                2 => [0.0, -0.0, 3.0, 7.5][rng.below(4)],
                _ => [1e-30, 1.000_000_1, 1.0, 9.999_999][rng.below(4)],
            })
            .collect()
    }

    /// The statistics with their floats as bits.
    fn bits(s: &PooledStats) -> String {
        let hv: Vec<u64> = s.hypervolume.iter().map(|h| h.to_bits()).collect();
        let share: Vec<u64> = s.share.iter().map(|h| h.to_bits()).collect();
        format!("{hv:?} {:?} {share:?} {:?}", s.front_size, s.front)
    }

    #[test]
    fn raw_rows_give_the_same_statistics_as_their_images() {
        let mut rng = Lcg::new(11);
        let mut compared = 0;
        for d in 1..=3 {
            let names: Vec<String> = (0..d).map(|i| format!("o{i}")).collect();
            let norm =
                Normalization::from_bounds(names, &vec![(0.0, 10.0); d], vec![false; d]).unwrap();
            for kind in 0..4 {
                for n in [1, 5, 100, 2000] {
                    let sets: Vec<Vec<f32>> = (0..3).map(|_| cloud(&mut rng, n, d, kind)).collect();
                    let images: Vec<Vec<f64>> = sets
                        .iter()
                        .map(|s| {
                            let mut z = Vec::new();
                            norm.apply_rows(s, &mut z);
                            z
                        })
                        .collect();
                    let zs: Vec<Option<Vec<u64>>> = sets
                        .iter()
                        .map(|s| {
                            let mut v: Vec<f64> =
                                s.chunks_exact(d).map(|r| f64::from(r[d - 1])).collect();
                            v.sort_by(f64::total_cmp);
                            (d == 3).then(|| norm.sweep_keys(2, &v))
                        })
                        .collect();
                    let zs: Vec<Option<&[u64]>> = zs.iter().map(Option::as_deref).collect();
                    let raw: Vec<&[f32]> = sets.iter().map(Vec::as_slice).collect();
                    let views: Vec<&[f64]> = images.iter().map(Vec::as_slice).collect();
                    let want = pooled_flat_keyed(&views, &zs, d, &vec![0.0; d]);
                    match pooled_raw(&raw, &zs, &norm) {
                        Some(got) => {
                            assert_eq!(bits(&got), bits(&want), "d {d}, kind {kind}, n {n}");
                            compared += 1;
                        }
                        None => panic!("refused: d {d}, kind {kind}"),
                    }
                }
            }
        }
        assert_eq!(compared, 48);
    }

    #[test]
    fn maps_that_may_merge_values_are_refused() {
        let names = vec!["a".to_string(), "b".to_string()];
        let rows = [1f32, 2.0];
        for (bounds, minimize) in [
            ([(0.0, 10.0), (1.0, 10.0)], [false, false]),
            ([(0.0, 10.0), (0.0, 10.0)], [false, true]),
            ([(0.0, 1e300), (0.0, 10.0)], [false, false]),
        ] {
            let norm =
                Normalization::from_bounds(names.clone(), &bounds, minimize.to_vec()).unwrap();
            assert!(pooled_raw(&[&rows], &[], &norm).is_none());
        }
    }
}
