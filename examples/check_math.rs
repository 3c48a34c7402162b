//! Exhaustive check of mosde's own `logf` and `sincosf` on every uniform the
//! RNG can produce (`u = (k + ½)·2⁻²³`, k < 2²³), as Box–Muller uses them:
//! `logf(u)` and `sincosf(2π u)`.
//!
//! 1. Against the platform libm where it is glibc (≥ 2.28 uses the same
//!    algorithms, so every value must be the same bits).
//! 2. Scalar against every lane form this CPU runs (portable lanes, and the
//!    AVX2 and AVX-512 forms when detected), on every platform.
//!
//! Run: `cargo run --release --example check_math` (exits 1 on a mismatch).

use mosde::rng::{TWO_PI, math, simd};

const W: usize = 16;

fn main() {
    let mut bad = 0u64;
    let mut checked = 0u64;
    let kernels = simd::available();
    println!("lane forms checked: portable {}", kernels.join(" "));
    for chunk in 0..(1u32 << 23) / W as u32 {
        let u: [f32; W] = std::array::from_fn(|l| {
            ((chunk * W as u32 + l as u32) as f32 + 0.5) * mosde::rng::INV_2_23
        });
        let t: [f32; W] = std::array::from_fn(|l| TWO_PI * u[l]);
        let log = u.map(math::logf);
        let sc = t.map(math::sincosf);
        bad += compare("portable logf", &u, &log, &math::logf_lanes(&u));
        let (s, c) = math::sincosf_lanes(&t);
        bad += compare("portable sin", &t, &sc.map(|v| v.0), &s);
        bad += compare("portable cos", &t, &sc.map(|v| v.1), &c);
        for k in &kernels {
            let (l, s, c) = simd::math16(k, &u, &t);
            bad += compare(&format!("{k} logf"), &u, &log, &l);
            bad += compare(&format!("{k} sin"), &t, &sc.map(|v| v.0), &s);
            bad += compare(&format!("{k} cos"), &t, &sc.map(|v| v.1), &c);
        }
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            bad += compare("libm logf", &u, &log, &u.map(f32::ln));
            bad += compare("libm sinf", &t, &sc.map(|v| v.0), &t.map(f32::sin));
            bad += compare("libm cosf", &t, &sc.map(|v| v.1), &t.map(f32::cos));
        }
        checked += W as u64;
    }
    let libm = if cfg!(all(target_os = "linux", target_env = "gnu")) {
        "scalar = glibc libm, "
    } else {
        "(libm not glibc: not compared), "
    };
    println!("{checked} uniforms: {libm}scalar = lanes; {bad} mismatches");
    if bad > 0 {
        std::process::exit(1);
    }
}

/// Counts (and prints the first few) values whose bits differ.
fn compare(what: &str, x: &[f32; W], want: &[f32; W], got: &[f32; W]) -> u64 {
    let mut bad = 0;
    for l in 0..W {
        if want[l].to_bits() != got[l].to_bits() {
            bad += 1;
            eprintln!("{what}({:e}) = {:e}, want {:e}", x[l], got[l], want[l]);
        }
    }
    bad
}
