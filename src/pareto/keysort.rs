//! Sorting and selection of integer keys in linear expected time: one pass spreads the
//! keys over about as many buckets as keys, by their offset from the smallest key, and
//! only buckets holding more than one key are sorted. Order-preserving float keys
//! (`pareto::front::key` and the 32-bit keys of the terminal states) of a smooth
//! distribution spread well; a bucket that catches a cluster is sorted by the standard
//! sort, so the worst case stays O(n log n).

/// Sorts `keys` ascending, using `scratch` as the buffer (its contents are lost).
pub(crate) fn sort(keys: &mut [u64], scratch: &mut Vec<u64>) {
    // About two keys per bucket: short insertion sorts.
    let Some(buckets) = Buckets::new(keys, 1) else {
        return;
    };
    let starts = buckets.starts(keys);
    let mut next = starts.clone();
    scratch.clear();
    scratch.resize(keys.len(), 0);
    for &k in keys.iter() {
        let b = buckets.of(k);
        scratch[next[b] as usize] = k;
        next[b] += 1;
    }
    for w in starts.windows(2) {
        sort_small(&mut scratch[w[0] as usize..w[1] as usize]);
    }
    keys.copy_from_slice(scratch);
}

/// The keys of ranks `ranks` (0-based, each < `keys.len()`) in the ascending order of
/// `keys`, without sorting them all: only the keys in the ranks' buckets are gathered
/// and sorted. `scratch` is a buffer whose contents are lost.
pub(crate) fn select(keys: &[u64], ranks: &[usize], scratch: &mut Vec<u64>) -> Vec<u64> {
    // About sixteen keys per bucket: fewer buckets to count, a few short sorts.
    let Some(buckets) = Buckets::new(keys, 4) else {
        return Vec::new();
    };
    let starts = buckets.starts(keys);
    // The bucket of each rank (the last one starting at or before it).
    let wanted: Vec<usize> = ranks
        .iter()
        .map(|&r| starts.partition_point(|&s| s as usize <= r) - 1)
        .collect();
    // Each wanted bucket once, with where its keys go in `scratch`.
    let mut slot = vec![u32::MAX; buckets.count];
    let mut next: Vec<u32> = Vec::new();
    let mut len = 0;
    for &b in &wanted {
        if slot[b] == u32::MAX {
            slot[b] = next.len() as u32;
            next.push(len);
            len += starts[b + 1] - starts[b];
        }
    }
    let at: Vec<usize> = next.iter().map(|&a| a as usize).collect();
    scratch.clear();
    scratch.resize(len as usize, 0);
    for &k in keys {
        let s = slot[buckets.of(k)];
        if s != u32::MAX {
            scratch[next[s as usize] as usize] = k;
            next[s as usize] += 1;
        }
    }
    for (&a, &n) in at.iter().zip(&next) {
        sort_small(&mut scratch[a..n as usize]);
    }
    ranks
        .iter()
        .zip(&wanted)
        .map(|(&r, &b)| scratch[at[slot[b] as usize] + r - starts[b] as usize])
        .collect()
}

/// Keys mapped to buckets by their offset from the smallest key, shifted right.
struct Buckets {
    min: u64,
    shift: u32,
    count: usize,
}

impl Buckets {
    /// About `2^per_log2` keys per bucket; `None` for no keys.
    fn new(keys: &[u64], per_log2: u32) -> Option<Self> {
        let (&first, _) = keys.split_first()?;
        let (min, max) = keys
            .iter()
            .fold((first, first), |(lo, hi), &k| (lo.min(k), hi.max(k)));
        let span = max - min;
        let bits = keys
            .len()
            .next_power_of_two()
            .trailing_zeros()
            .saturating_sub(per_log2);
        let span_bits = u64::BITS - span.leading_zeros();
        // At most 63: one or two buckets when there are few keys.
        let shift = span_bits.saturating_sub(bits).min(u64::BITS - 1);
        let count = (span >> shift) as usize + 1;
        Some(Buckets { min, shift, count })
    }

    fn of(&self, k: u64) -> usize {
        ((k - self.min) >> self.shift) as usize
    }

    /// The first position of each bucket in sorted order, and the end (the keys are
    /// counted in u32: a few more buckets fit in the cache).
    fn starts(&self, keys: &[u64]) -> Vec<u32> {
        assert!(u32::try_from(keys.len()).is_ok(), "keysort: too many keys");
        let mut starts = vec![0u32; self.count + 1];
        for &k in keys {
            starts[self.of(k) + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        starts
    }
}

/// Sorts one bucket: insertion sort when short, the standard sort otherwise.
fn sort_small(v: &mut [u64]) {
    if v.len() > 16 {
        v.sort_unstable();
        return;
    }
    for i in 1..v.len() {
        let k = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > k {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = k;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::Lcg;
    use super::*;

    fn clouds() -> Vec<Vec<u64>> {
        let mut rng = Lcg::new(3);
        let mut out = vec![
            vec![],
            vec![7],
            vec![5, 5, 5],
            vec![u64::MAX, 0, 1, u64::MAX],
        ];
        for n in [2, 17, 100, 1000, 5000] {
            out.push((0..n).map(|_| (rng.unit() * 1e6) as u64).collect());
            out.push((0..n).map(|_| rng.below(4) as u64 * 1000).collect());
            // A cluster that lands in one bucket, beside one far key.
            let mut v: Vec<u64> = (0..n).map(|_| rng.below(50) as u64).collect();
            v.push(1 << 60);
            out.push(v);
            // Float keys of a bell-shaped cloud.
            out.push(
                (0..n)
                    .map(|_| super::super::front::key((0..4).map(|_| rng.unit()).sum()))
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn sorting_matches_the_standard_sort() {
        let mut scratch = Vec::new();
        for v in clouds() {
            let mut want = v.clone();
            want.sort_unstable();
            let mut got = v.clone();
            sort(&mut got, &mut scratch);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn selection_matches_the_sorted_ranks() {
        let mut scratch = Vec::new();
        for v in clouds() {
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let n = v.len();
            let ranks: Vec<usize> = [0, n / 20, n / 20 + 1, n / 2, n / 2, n.saturating_sub(1)]
                .into_iter()
                .filter(|&r| r < n)
                .collect();
            let want: Vec<u64> = ranks.iter().map(|&r| sorted[r]).collect();
            assert_eq!(select(&v, &ranks, &mut scratch), want, "n = {n}");
        }
    }
}
