//! Normalisation of raw objective values to the maximised unit cube, and the pooled
//! Pareto statistics of several point sets (one per strategy).

use super::ParetoError;
use super::front::{key, nondominated};
use super::hypervolume::hypervolume;

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
    /// Ranges given per objective as `(lower, upper)`, in the order of `objectives`.
    ///
    /// # Errors
    ///
    /// When there is not one range per objective, or a range is not finite with
    /// lower < upper.
    ///
    /// # Panics
    ///
    /// When `minimize` has another length than `objectives`.
    pub fn from_bounds(
        objectives: Vec<String>,
        bounds: &[(f64, f64)],
        minimize: Vec<bool>,
    ) -> Result<Self, ParetoError> {
        assert_eq!(minimize.len(), objectives.len(), "one sense per objective");
        if bounds.len() != objectives.len() {
            return Err(ParetoError::BoundsCount {
                got: bounds.len(),
                objectives,
            });
        }
        for (name, &(lo, hi)) in objectives.iter().zip(bounds) {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(ParetoError::BadRange {
                    objective: name.clone(),
                    lower: lo,
                    upper: hi,
                });
            }
        }
        let (lower, upper) = bounds.iter().copied().unzip();
        Ok(Normalization {
            objectives,
            lower,
            upper,
            minimize,
        })
    }

    /// Ranges from the data: per objective, the smallest and largest value in `rows`
    /// (each row one value per objective). A constant column, or any column when there
    /// are no rows, gets the range `[v, v + max(1, |v|·10⁻⁹)]` (`[0, 1]` without rows; a
    /// huge v needs more than 1 to make a width): its values
    /// then sit at the range's lower end instead of dividing by a zero width.
    ///
    /// # Panics
    ///
    /// When `minimize` has another length than `objectives`, or a row is shorter.
    pub fn from_data(objectives: Vec<String>, rows: &[Vec<f64>], minimize: Vec<bool>) -> Self {
        assert_eq!(minimize.len(), objectives.len(), "one sense per objective");
        let d = objectives.len();
        let mut lower = vec![f64::INFINITY; d];
        let mut upper = vec![f64::NEG_INFINITY; d];
        for x in rows {
            for i in 0..d {
                lower[i] = lower[i].min(x[i]);
                upper[i] = upper[i].max(x[i]);
            }
        }
        for (lo, hi) in lower.iter_mut().zip(&mut upper) {
            if (*hi).partial_cmp(&*lo) != Some(std::cmp::Ordering::Greater) {
                let base = if lo.is_finite() { *lo } else { 0.0 };
                // Wide enough that `base + width` differs from `base` even
                // for huge values (1e51 + 1 == 1e51), and stays finite.
                let width = 1f64.max(base.abs() * 1e-9);
                (*lo, *hi) = if (base + width).is_finite() {
                    (base, base + width)
                } else {
                    (base - width, base)
                };
            }
        }
        Normalization {
            objectives,
            lower,
            upper,
            minimize,
        }
    }

    /// The worst corner of the ranges, in raw units: the lower end of a maximised
    /// objective, the upper end of a minimised one. It maps to the origin of the cube,
    /// which makes it the natural hypervolume reference.
    pub fn worst(&self) -> Vec<f64> {
        (0..self.objectives.len())
            .map(|i| {
                if self.minimize[i] {
                    self.upper[i]
                } else {
                    self.lower[i]
                }
            })
            .collect()
    }

    /// Appends the image of a raw point in the maximised unit cube to `out`:
    /// the same arithmetic as [`Normalization::apply`], into a flat buffer.
    pub fn apply_into(&self, x: &[f64], out: &mut Vec<f64>) {
        self.apply_rows(x, out);
    }

    /// Appends the images of raw rows stored flat (row `i` is
    /// `x[i * d..(i + 1) * d]`, `d` objectives) to `out`, row after row.
    /// The values may be f32: they are widened exactly first.
    pub fn apply_rows<T: Copy + Into<f64>>(&self, x: &[T], out: &mut Vec<f64>) {
        let scale: Vec<Scale> = (0..self.objectives.len()).map(|i| self.scale(i)).collect();
        let d = scale.len();
        if d == 0 {
            return;
        }
        // Written in place rather than extended row by row: no capacity
        // check per row.
        let start = out.len();
        let len = x.len() / d * d;
        out.resize(start + len, 0.0);
        let (out, x) = (&mut out[start..], &x[..len]);
        // Whole periods of `PERIOD` values (rows of 1, 2, 3, 4, 6 or 8
        // objectives): the scales repeat in fixed arrays, so the divisions
        // run in vector lanes; the same arithmetic per value.
        const PERIOD: usize = 24;
        let mut done = 0;
        if PERIOD.is_multiple_of(d) {
            let s: [Scale; PERIOD] = std::array::from_fn(|j| scale[j % d]);
            for (o, v) in out.chunks_exact_mut(PERIOD).zip(x.chunks_exact(PERIOD)) {
                for j in 0..PERIOD {
                    o[j] = s[j].map(v[j].into());
                }
            }
            done = len / PERIOD * PERIOD;
        }
        for (o, r) in out[done..]
            .chunks_exact_mut(d)
            .zip(x[done..].chunks_exact(d))
        {
            for ((o, v), s) in o.iter_mut().zip(r).zip(&scale) {
                *o = s.map((*v).into());
            }
        }
    }

    /// The sweep keys of objective `i` that a 3-D hypervolume steps through
    /// ([`hypervolume_of_front_keyed`](super::hypervolume_of_front_keyed)),
    /// from the raw values of that objective in ascending order: the images'
    /// complemented keys, ascending (images in decreasing order). The map is
    /// monotone, so the raw order is an order of the images and no sort is
    /// needed.
    pub fn sweep_keys(&self, i: usize, ascending: &[f64]) -> Vec<u64> {
        let s = self.scale(i);
        // Plain loops over slices, which the compiler vectorises (the
        // divisions above all).
        let mut out = vec![0u64; ascending.len()];
        if s.minimize {
            for (o, v) in out.iter_mut().zip(ascending) {
                *o = !key(s.map(*v));
            }
        } else {
            for (o, v) in out.iter_mut().zip(ascending.iter().rev()) {
                *o = !key(s.map(*v));
            }
        }
        out
    }

    /// Whether every objective is maximised from a lower end of zero, with
    /// an upper end in `[2^-63, 2^63]`. Then each map is `v ↦ (v / 2) /
    /// (upper / 2)`, and on f32 values it is strictly increasing: `v / 2` is
    /// exact, and the quotients of distinct f32 values differ by a factor
    /// of at least `1 + 2^-24`, far more than an f64 rounding, and stay
    /// normal. So it keeps every comparison between f32 values (±0 map to
    /// ±0), and a value's image is above 0 exactly when the value is.
    pub(super) fn keeps_f32_order(&self) -> bool {
        let range = 2f64.powi(-63)..=2f64.powi(63);
        (0..self.objectives.len())
            .all(|i| !self.minimize[i] && self.lower[i] == 0.0 && range.contains(&self.upper[i]))
    }

    /// Objective `i`'s map into the unit cube.
    fn scale(&self, i: usize) -> Scale {
        // Halves first: `upper − lower` of finite ends near ±1e308
        // overflows to ∞, their halves' difference cannot. Halving is
        // exact, so ordinary values map to the same bits.
        let (lo, hi) = (self.lower[i] / 2.0, self.upper[i] / 2.0);
        Scale {
            lo,
            span: hi - lo,
            minimize: self.minimize[i],
        }
    }

    /// Maps a raw point into the maximised unit cube.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(x.len());
        self.apply_into(x, &mut out);
        out
    }
}

/// One objective's map into the unit cube: monotone (increasing when
/// maximised, decreasing when minimised).
#[derive(Debug, Clone, Copy)]
struct Scale {
    lo: f64,
    span: f64,
    minimize: bool,
}

impl Scale {
    #[inline(always)]
    fn map(self, v: f64) -> f64 {
        let z = (v / 2.0 - self.lo) / self.span;
        if self.minimize { 1.0 - z } else { z }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn from_data_takes_each_objectives_range() {
        let rows = vec![vec![1.0, 5.0], vec![3.0, 2.0], vec![2.0, 4.0]];
        let n = Normalization::from_data(names(&["a", "b"]), &rows, vec![false, true]);
        assert_eq!(
            (n.lower.clone(), n.upper.clone()),
            (vec![1.0, 2.0], vec![3.0, 5.0])
        );
        // Maximised a: 1 → 0, 3 → 1. Minimised b: 5 → 0, 2 → 1.
        assert_eq!(n.apply(&[1.0, 5.0]), [0.0, 0.0]);
        assert_eq!(n.apply(&[3.0, 2.0]), [1.0, 1.0]);
        assert_eq!(n.apply(&[2.0, 4.0]), [0.5, 1.0 - 2.0 / 3.0]);
        // The worst corner is the lower end of a, the upper end of b; it maps to 0.
        assert_eq!(n.worst(), [1.0, 5.0]);
        assert_eq!(n.apply(&n.worst()), [0.0, 0.0]);
    }

    #[test]
    fn rows_map_value_by_value_whatever_their_width() {
        for d in 1..=8 {
            let bounds: Vec<(f64, f64)> = (0..d).map(|i| (-(i as f64), 1.5 + i as f64)).collect();
            let minimize: Vec<bool> = (0..d).map(|i| i % 3 == 1).collect();
            let names: Vec<String> = (0..d).map(|i| format!("o{i}")).collect();
            let norm = Normalization::from_bounds(names, &bounds, minimize.clone()).unwrap();
            let x: Vec<f32> = (0..d * 37)
                .map(|j| (j * 7 % 11) as f32 * 0.3 - 1.0)
                .collect();
            let mut got = vec![9.0];
            norm.apply_rows(&x, &mut got);
            assert_eq!(got.len(), 1 + x.len());
            for (j, (v, z)) in x.iter().zip(&got[1..]).enumerate() {
                let (lo, hi) = (bounds[j % d].0 / 2.0, bounds[j % d].1 / 2.0);
                let want = (f64::from(*v) / 2.0 - lo) / (hi - lo);
                let want = if minimize[j % d] { 1.0 - want } else { want };
                assert_eq!(z.to_bits(), want.to_bits(), "d = {d}, value {j}");
            }
        }
    }

    #[test]
    fn a_constant_column_gets_a_unit_range() {
        let rows = vec![vec![1.0, 7.0], vec![2.0, 7.0]];
        for minimize in [false, true] {
            let n = Normalization::from_data(names(&["a", "b"]), &rows, vec![false, minimize]);
            assert_eq!((n.lower[1], n.upper[1]), (7.0, 8.0));
            let z = n.apply(&rows[0])[1];
            assert_eq!(z, if minimize { 1.0 } else { 0.0 });
            assert_eq!(n.worst()[1], if minimize { 8.0 } else { 7.0 });
        }
        // A huge constant (found by fuzzing): v + 1 == v would divide 0 by 0.
        let huge = Normalization::from_data(vec!["a".into()], &[vec![5.5e51]], vec![false]);
        assert!(huge.apply(&[5.5e51])[0].is_finite());
        // Without rows every column is constant: the unit range from 0.
        let n = Normalization::from_data(names(&["a"]), &[], vec![false]);
        assert_eq!((n.lower, n.upper), (vec![0.0], vec![1.0]));
    }

    #[test]
    fn from_bounds_checks_each_range() {
        let ab = names(&["a", "b"]);
        let n =
            Normalization::from_bounds(ab.clone(), &[(0.0, 4.0), (0.0, 10.0)], vec![false, true])
                .unwrap();
        assert_eq!(n.apply(&[2.0, 0.0]), [0.5, 1.0]);
        assert_eq!(n.worst(), [0.0, 10.0]);
        let e = Normalization::from_bounds(ab.clone(), &[(0.0, 1.0)], vec![false; 2]).unwrap_err();
        assert_eq!(e.to_string(), "1 ranges for 2 objectives (a, b)");
        for bad in [
            (2.0, 1.0),
            (1.0, 1.0),
            (f64::NAN, 1.0),
            (0.0, f64::INFINITY),
        ] {
            let e = Normalization::from_bounds(ab.clone(), &[(0.0, 1.0), bad], vec![false; 2])
                .unwrap_err();
            assert!(
                matches!(&e, ParetoError::BadRange { objective, .. } if objective == "b"),
                "{e}"
            );
            assert!(e.is_input());
        }
    }

    #[test]
    fn pooled_shares_the_front_between_sets() {
        let norm = Normalization::from_bounds(
            names(&["a", "b"]),
            &[(0.0, 2.0), (0.0, 2.0)],
            vec![false; 2],
        )
        .unwrap();
        // Set 0 holds the pooled front's two ends, set 1 a point dominated by one of them.
        let sets = vec![vec![vec![2.0, 1.0], vec![1.0, 2.0]], vec![vec![1.0, 1.0]]];
        let p = pooled(&sets, &norm, None);
        assert_eq!(p.front_size, [2, 1]);
        assert_eq!(p.share, [1.0, 0.0]);
        assert_eq!(p.front, [(0, vec![2.0, 1.0]), (0, vec![1.0, 2.0])]);
        // Normalised: (1, 0.5) and (0.5, 1) from 0 → 0.5 + 0.25 = 0.75; (0.5, 0.5) → 0.25.
        assert_eq!(p.hypervolume, [0.75, 0.25]);
    }
}
