//! Experimental designs over a parameter box: grid, random, Latin hypercube,
//! Saltelli (Sobol' sequence) and Morris trajectories.
//!
//! Every design returns points in the unit cube `[0, 1]^D`; the caller maps
//! each coordinate to its parameter's range (or list of values).

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use sobol::Sobol;
use sobol::params::JoeKuoD6;

/// A design kind (the spec's `design`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// Every combination of `samples` levels per range (or the listed values).
    Grid,
    /// `samples` independent uniform points.
    Random,
    /// `samples` points, one per stratum of every parameter.
    LatinHypercube,
    /// Saltelli's scheme for first-order and total Sobol' indices: `N·(D+2)` points.
    Sobol,
    /// Morris elementary-effects trajectories: `N·(D+1)` points.
    Morris,
}

/// Levels of the Morris grid.
pub const MORRIS_LEVELS: u32 = 4;

/// Points in the unit cube for a design. `levels[d]` is the number of
/// discrete values of parameter `d` when it is given as a list (grid and
/// random designs pick among them), or `None` for a continuous range.
pub fn points(design: Design, samples: u32, levels: &[Option<usize>], seed: u64) -> Vec<Vec<f64>> {
    let d = levels.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_de51_9000_0000);
    match design {
        Design::Grid => {
            let axes: Vec<Vec<f64>> = levels
                .iter()
                .map(|l| {
                    let k = l.unwrap_or(samples as usize).max(1);
                    (0..k)
                        .map(|i| {
                            if k == 1 {
                                0.5
                            } else {
                                i as f64 / (k - 1) as f64
                            }
                        })
                        .collect()
                })
                .collect();
            let mut out = vec![Vec::new()];
            for axis in &axes {
                let mut next = Vec::with_capacity(out.len() * axis.len());
                for p in &out {
                    for v in axis {
                        let mut q = p.clone();
                        q.push(*v);
                        next.push(q);
                    }
                }
                out = next;
            }
            out
        }
        Design::Random => (0..samples)
            .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
            .collect(),
        Design::LatinHypercube => {
            let n = samples as usize;
            let mut cols: Vec<Vec<f64>> = Vec::with_capacity(d);
            for _ in 0..d {
                let mut strata: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    strata.swap(i, rng.random_range(0..=i));
                }
                cols.push(
                    strata
                        .iter()
                        .map(|s| (*s as f64 + rng.random::<f64>()) / n as f64)
                        .collect(),
                );
            }
            (0..n)
                .map(|i| (0..d).map(|j| cols[j][i]).collect())
                .collect()
        }
        Design::Sobol => saltelli(samples as usize, d),
        Design::Morris => morris(samples as usize, d, &mut rng),
    }
}

/// Saltelli's sampling (Saltelli et al. 2010): from a 2D-dimensional Sobol'
/// sequence (Joe–Kuo direction numbers, first point skipped) take matrices
/// A (first D columns) and B (last D), and emit, for each row j, the block
/// `A_j, AB_j^(1), …, AB_j^(D), B_j`, where `AB^(i)` is A with column i from B.
pub fn saltelli(n: usize, d: usize) -> Vec<Vec<f64>> {
    let seq: Vec<Vec<f64>> = Sobol::<f64>::new(2 * d, &JoeKuoD6::minimal())
        .skip(1)
        .take(n)
        .collect();
    let mut out = Vec::with_capacity(n * (d + 2));
    for row in &seq {
        let (a, b) = row.split_at(d);
        out.push(a.to_vec());
        for i in 0..d {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            out.push(ab);
        }
        out.push(b.to_vec());
    }
    out
}

/// Morris trajectories (Morris 1991) on a `MORRIS_LEVELS`-level grid with the
/// usual step Δ = p / (2(p − 1)): each trajectory starts at a random grid
/// point and moves one parameter at a time, in random order, by ±Δ.
pub fn morris(n: usize, d: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    let p = MORRIS_LEVELS as f64;
    let delta = p / (2.0 * (p - 1.0));
    let mut out = Vec::with_capacity(n * (d + 1));
    for _ in 0..n {
        // Start levels that leave room for +Δ: x ∈ {0, 1/(p−1), …, 1 − Δ}.
        let max_level = ((1.0 - delta) * (p - 1.0)).round() as u32;
        let mut x: Vec<f64> = (0..d)
            .map(|_| f64::from(rng.random_range(0..=max_level)) / (p - 1.0))
            .collect();
        let mut order: Vec<usize> = (0..d).collect();
        for i in (1..d).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        // Flip the direction of some steps so trajectories also move down.
        let down: Vec<bool> = (0..d).map(|_| rng.random::<bool>()).collect();
        for i in 0..d {
            if down[i] {
                x[i] += delta;
            }
        }
        out.push(x.clone());
        for &i in &order {
            x[i] += if down[i] { -delta } else { delta };
            out.push(x.clone());
        }
    }
    out
}

/// Number of points a design yields.
pub fn point_count(design: Design, samples: u32, levels: &[Option<usize>]) -> u64 {
    let d = levels.len() as u64;
    let n = u64::from(samples);
    // Saturating: a huge grid must be refused by size, not wrap around.
    match design {
        Design::Grid => levels
            .iter()
            .fold(1u64, |a, l| a.saturating_mul(l.map_or(n, |k| k as u64))),
        Design::Random | Design::LatinHypercube => n,
        Design::Sobol => n.saturating_mul(d + 2),
        Design::Morris => n.saturating_mul(d + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designs_have_the_right_size_and_stay_in_the_cube() {
        let levels = [None, Some(3), None];
        for design in [
            Design::Grid,
            Design::Random,
            Design::LatinHypercube,
            Design::Sobol,
            Design::Morris,
        ] {
            let pts = points(design, 8, &levels, 1);
            assert_eq!(
                pts.len() as u64,
                point_count(design, 8, &levels),
                "{design:?}"
            );
            for p in &pts {
                assert_eq!(p.len(), 3);
                assert!(
                    p.iter().all(|v| (0.0..=1.0).contains(v)),
                    "{design:?}: {p:?}"
                );
            }
        }
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let pts = points(Design::LatinHypercube, 10, &[None, None], 3);
        for j in 0..2 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[j] * 10.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn morris_steps_change_one_parameter_by_delta() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let t = morris(5, 4, &mut rng);
        for traj in t.chunks(5) {
            for w in traj.windows(2) {
                let moved: Vec<f64> = w[0]
                    .iter()
                    .zip(&w[1])
                    .map(|(a, b)| b - a)
                    .filter(|d| d.abs() > 1e-12)
                    .collect();
                assert_eq!(moved.len(), 1);
                assert!((moved[0].abs() - 2.0 / 3.0).abs() < 1e-12);
            }
        }
    }
}
