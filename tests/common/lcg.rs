//! A 64-bit linear congruential generator (Knuth's MMIX constants): fixed,
//! portable test data without a random-number crate. Shared by the
//! integration tests and the benches (which include this file by path).

/// The generator; the field is its state (any seed will do).
pub struct Lcg(pub u64);

impl Lcg {
    /// Uniform in [0, 1), from the high 53 bits (the low bits of an LCG are weak).
    pub fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}
