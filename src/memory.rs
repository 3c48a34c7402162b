//! Sizes that allocate, checked before anything is allocated: against the
//! machine's available memory (`MemAvailable` in `/proc/meminfo`), or a
//! fixed limit where that cannot be read.

/// The memory assumed available where `/proc/meminfo` cannot be read: 8 GiB.
pub const FALLBACK_BYTES: u64 = 8 << 30;

/// The memory a run may allocate: `MemAvailable` from `/proc/meminfo`, else
/// [`FALLBACK_BYTES`]. The second value says where the figure comes from.
pub fn available() -> (u64, &'static str) {
    let kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    });
    match kib {
        Some(k) => (k.saturating_mul(1024), "available (MemAvailable)"),
        None => (FALLBACK_BYTES, "allowed (fixed limit)"),
    }
}

/// Why `bytes` cannot be allocated, or `None` when they fit in the
/// available memory. The reason states both amounts.
pub fn shortfall(bytes: u128) -> Option<String> {
    let (limit, source) = available();
    (bytes > u128::from(limit)).then(|| {
        format!(
            "needs about {} of memory, more than the {} {source}",
            human(bytes),
            human(u128::from(limit))
        )
    })
}

/// A byte count for people: `512 B`, `3.2 GB`, `5.6 TB`.
pub fn human(bytes: u128) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_sizes_fall_short_and_small_ones_fit() {
        assert!(shortfall(1 << 20).is_none());
        let why = shortfall(5_600_000_000_000_000).unwrap();
        assert!(why.contains("5600.0 TB") || why.contains("5.6 PB"), "{why}");
        assert_eq!(human(999), "999 B");
        assert_eq!(human(240_000_000_000), "240.0 GB");
    }
}
