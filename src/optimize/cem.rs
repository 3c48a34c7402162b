//! The cross-entropy method over a mixed space: categorical choices with
//! probabilities, continuous values in boxes with independent Gaussians.
//!
//! Each generation samples a population, the caller ranks it, and the
//! distribution moves towards the elite (the best fraction) with smoothing:
//! `θ ← α·θ_elite + (1 − α)·θ`. Its randomness is Philox on a counter of
//! (draw, generation, tag), so the same seed gives the same candidates.

use crate::rng::{key, philox4x32_10};

/// Fraction of each generation that forms the elite.
pub const ELITE_FRACTION: f64 = 0.2;
/// Weight of the elite's statistics in each update (the rest is the old value).
pub const SMOOTHING: f64 = 0.7;
/// Smallest Gaussian spread, as a fraction of the box, so the search never
/// freezes on one value before its budget ends.
const MIN_SPREAD: f64 = 0.02;

/// The space searched: how many choices each categorical dimension has, and
/// the box `(lo, hi)` of each continuous one.
#[derive(Debug, Clone, PartialEq)]
pub struct Space {
    /// Choices per categorical dimension (each at least 1).
    pub choices: Vec<usize>,
    /// Box of each continuous dimension (`lo ≤ hi`).
    pub boxes: Vec<(f64, f64)>,
}

/// One point of a [`Space`].
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The choice in each categorical dimension.
    pub cats: Vec<usize>,
    /// The value in each continuous dimension, inside its box.
    pub x: Vec<f64>,
}

/// The sampling distribution and its generator.
#[derive(Debug, Clone)]
pub struct Cem {
    space: Space,
    probs: Vec<Vec<f64>>,
    mean: Vec<f64>,
    sd: Vec<f64>,
    key: [u32; 2],
    generation: u32,
    draws: u32,
}

impl Cem {
    /// Uniform choices, Gaussians centred in their boxes with half the box
    /// as spread.
    pub fn new(space: Space, seed: u64) -> Cem {
        let probs = space
            .choices
            .iter()
            .map(|&c| vec![1.0 / c.max(1) as f64; c.max(1)])
            .collect();
        let mean = space.boxes.iter().map(|(l, h)| 0.5 * (l + h)).collect();
        let sd = space.boxes.iter().map(|(l, h)| 0.5 * (h - l)).collect();
        Cem {
            space,
            probs,
            mean,
            sd,
            key: key(seed ^ 0x6f70_7469_6d69_7a65),
            generation: 0,
            draws: 0,
        }
    }

    /// Two uniforms in (0, 1) with 32 bits each, and the next draw.
    fn uniforms(&mut self) -> [f64; 2] {
        let r = philox4x32_10([self.draws, self.generation, 0x6365_6d00, 0], self.key);
        self.draws += 1;
        let u = |w: u32| (f64::from(w) + 0.5) / 4_294_967_296.0;
        [u(r[0]), u(r[1])]
    }

    fn normal(&mut self) -> f64 {
        let [u, v] = self.uniforms();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    fn categorical(&mut self, dim: usize) -> usize {
        let [u, _] = self.uniforms();
        let mut acc = 0.0;
        for (k, p) in self.probs[dim].iter().enumerate() {
            acc += p;
            if u < acc {
                return k;
            }
        }
        self.probs[dim].len() - 1
    }

    /// Samples `count` points of the current generation.
    pub fn sample(&mut self, count: usize) -> Vec<Point> {
        (0..count)
            .map(|_| {
                let cats = (0..self.probs.len()).map(|d| self.categorical(d)).collect();
                let x = (0..self.mean.len())
                    .map(|d| {
                        let (lo, hi) = self.space.boxes[d];
                        (self.mean[d] + self.sd[d] * self.normal()).clamp(lo, hi)
                    })
                    .collect();
                Point { cats, x }
            })
            .collect()
    }

    /// Moves the distribution towards `elite` and starts the next generation.
    pub fn update(&mut self, elite: &[&Point]) {
        self.generation += 1;
        self.draws = 0;
        if elite.is_empty() {
            return;
        }
        let m = elite.len() as f64;
        for (d, probs) in self.probs.iter_mut().enumerate() {
            for (k, p) in probs.iter_mut().enumerate() {
                let freq = elite.iter().filter(|e| e.cats[d] == k).count() as f64 / m;
                *p = SMOOTHING * freq + (1.0 - SMOOTHING) * *p;
            }
        }
        for d in 0..self.mean.len() {
            let mu = elite.iter().map(|e| e.x[d]).sum::<f64>() / m;
            let var = elite.iter().map(|e| (e.x[d] - mu).powi(2)).sum::<f64>() / m;
            let (lo, hi) = self.space.boxes[d];
            self.mean[d] = SMOOTHING * mu + (1.0 - SMOOTHING) * self.mean[d];
            let sd = SMOOTHING * var.sqrt() + (1.0 - SMOOTHING) * self.sd[d];
            self.sd[d] = sd.max(MIN_SPREAD * (hi - lo));
        }
    }
}

/// The elite size of a population: a fifth, at least two (one when the
/// population is a single point).
pub fn elite_size(population: usize) -> usize {
    ((population as f64 * ELITE_FRACTION).ceil() as usize)
        .max(2)
        .min(population)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> Space {
        Space {
            choices: vec![3, 2],
            boxes: vec![(0.0, 1.0), (-5.0, 5.0)],
        }
    }

    #[test]
    fn same_seed_same_points_inside_the_boxes() {
        let a = Cem::new(space(), 7).sample(50);
        let b = Cem::new(space(), 7).sample(50);
        assert_eq!(a, b);
        assert_ne!(a, Cem::new(space(), 8).sample(50));
        for p in &a {
            assert!(p.cats[0] < 3 && p.cats[1] < 2);
            assert!((0.0..=1.0).contains(&p.x[0]) && (-5.0..=5.0).contains(&p.x[1]));
        }
    }

    #[test]
    fn converges_on_a_separable_optimum() {
        // Maximise −(x₀ − 0.8)² − (x₁ − 2)² with category (2, 1) best.
        let mut cem = Cem::new(space(), 1);
        let score = |p: &Point| {
            let bonus = f64::from(u8::from(p.cats == [2, 1]));
            bonus - (p.x[0] - 0.8).powi(2) - (p.x[1] - 2.0).powi(2)
        };
        let mut best = None;
        for _ in 0..30 {
            let mut pop = cem.sample(40);
            pop.sort_by(|a, b| score(b).total_cmp(&score(a)));
            best = Some(pop[0].clone());
            let elite: Vec<&Point> = pop.iter().take(elite_size(40)).collect();
            cem.update(&elite);
        }
        let best = best.unwrap();
        assert_eq!(best.cats, vec![2, 1]);
        assert!((best.x[0] - 0.8).abs() < 0.05 && (best.x[1] - 2.0).abs() < 0.3);
    }
}
