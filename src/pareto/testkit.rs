//! Test data shared by the front and hypervolume tests: a deterministic generator of
//! point clouds with ties, copies and concave fronts, and a proptest coordinate.

use proptest::prelude::*;
use std::time::Instant;

/// A small LCG: deterministic data without pulling in a random-number crate.
pub(super) struct Lcg(u64);

impl Lcg {
    /// Seeded; nearby seeds give unrelated streams.
    pub(super) fn new(seed: u64) -> Self {
        Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    /// Uniform in [0, 1), from the high 53 bits (the low bits of an LCG are weak).
    pub(super) fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..k.
    pub(super) fn below(&mut self, k: usize) -> usize {
        (self.unit() * k as f64) as usize
    }
}

/// Rows uniform in [0, 1)^d.
pub(super) fn uniform(rng: &mut Lcg, n: usize, d: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|_| (0..d).map(|_| rng.unit()).collect())
        .collect()
}

/// Coordinates from {0, 0.25, 0.5, 0.75, 1}: many ties, duplicates and dominance by
/// equality in some objectives.
pub(super) fn grid(rng: &mut Lcg, n: usize, d: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|_| (0..d).map(|_| rng.below(5) as f64 * 0.25).collect())
        .collect()
}

/// Rows drawn with replacement from a pool of a few: nearly everything is a copy.
pub(super) fn copies(rng: &mut Lcg, n: usize, d: usize) -> Vec<Vec<f64>> {
    let pool = uniform(rng, 6, d);
    (0..n)
        .map(|_| pool[rng.below(pool.len())].clone())
        .collect()
}

/// Points in the positive orthant with norm in [1 − noise, 1]: a concave front, which
/// is entirely non-dominated when `noise` is 0.
pub(super) fn sphere(rng: &mut Lcg, n: usize, d: usize, noise: f64) -> Vec<Vec<f64>> {
    (0..n)
        .map(|_| {
            let v: Vec<f64> = (0..d).map(|_| rng.unit() + 1e-3).collect();
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            let radius = 1.0 - noise * rng.unit();
            v.iter().map(|x| x / norm * radius).collect()
        })
        .collect()
}

/// Makes `n` rows of `d` objectives.
pub(super) type Generator = fn(&mut Lcg, usize, usize) -> Vec<Vec<f64>>;

/// Every cloud shape, named for assertion messages.
pub(super) fn generators() -> Vec<(&'static str, Generator)> {
    vec![
        ("uniform", uniform),
        ("grid", grid),
        ("copies", copies),
        ("sphere", |rng, n, d| sphere(rng, n, d, 0.0)),
        ("noisy sphere", |rng, n, d| sphere(rng, n, d, 0.05)),
    ]
}

/// Half grid values (ties), half continuous values, per coordinate.
pub(super) fn coord() -> impl Strategy<Value = f64> {
    prop_oneof![(0u8..5).prop_map(|k| f64::from(k) * 0.25), -1.0f64..2.0]
}

/// Runs `f` and returns its value and the seconds it took (for the ignored benchmarks).
pub(super) fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed().as_secs_f64())
}
