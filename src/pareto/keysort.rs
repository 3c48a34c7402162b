//! Sorting and selection of integer keys in linear expected time: one pass spreads the
//! keys over about as many buckets as keys, by their offset from the smallest key, and
//! only buckets holding more than one key are sorted. Order-preserving float keys
//! (`pareto::front::key` and the 32-bit keys of the terminal states) of a smooth
//! distribution spread well; a bucket that catches a cluster is sorted by the standard
//! sort, so the worst case stays O(n log n).

/// An unsigned integer key.
pub(crate) trait Key: Copy + Ord + Default {
    /// `(self − min) >> shift` (`min ≤ self`, `shift` below the key's width), in the
    /// key's own width.
    fn bucket(self, min: Self, shift: u32) -> usize;
    /// `self − min`, widened.
    fn offset(self, min: Self) -> u64;
    /// The smallest and the largest of `keys` (not empty).
    fn range(keys: &[Self]) -> (Self, Self);
}

impl Key for u32 {
    #[inline(always)]
    fn bucket(self, min: Self, shift: u32) -> usize {
        ((self - min) >> shift) as usize
    }
    fn offset(self, min: Self) -> u64 {
        u64::from(self - min)
    }
    fn range(keys: &[Self]) -> (Self, Self) {
        // Two plain reductions, which the compiler vectorises for 32-bit keys.
        let min = keys.iter().copied().min().unwrap_or(0);
        let max = keys.iter().copied().max().unwrap_or(0);
        (min, max)
    }
}

impl Key for u64 {
    #[inline(always)]
    fn bucket(self, min: Self, shift: u32) -> usize {
        ((self - min) >> shift) as usize
    }
    fn offset(self, min: Self) -> u64 {
        self - min
    }
    fn range(keys: &[Self]) -> (Self, Self) {
        // One scalar pass: the baseline target has no 64-bit vector minimum.
        let (mut min, mut max) = (u64::MAX, 0);
        for &k in keys {
            if k < min {
                min = k;
            }
            if k > max {
                max = k;
            }
        }
        (min, max)
    }
}

/// Sorts `keys` ascending into `out` (its contents are replaced).
pub(crate) fn sort<K: Key>(keys: &[K], out: &mut Vec<K>) {
    out.clear();
    // About two keys per bucket: short insertion sorts.
    let Some(buckets) = Buckets::new(keys, 1) else {
        return;
    };
    let mut next = buckets.counts(keys);
    // Exclusive prefix sums: where each bucket starts; after the scatter, where it ends.
    let mut at = 0;
    for c in next.iter_mut() {
        (*c, at) = (at, at + *c);
    }
    out.resize(keys.len(), K::default());
    for &k in keys {
        let b = buckets.of(k);
        out[next[b] as usize] = k;
        next[b] += 1;
    }
    let mut from = 0;
    for &end in &next {
        sort_small(&mut out[from..end as usize]);
        from = end as usize;
    }
}

/// Sorts 32-bit `keys` ascending into `out` (its contents are replaced) by
/// least-significant-digit radix sort of their offsets from the smallest key:
/// as many passes as the widest offset needs digits of at most 12 bits (the
/// digits of equal width), skipping any digit that every key shares. Keys of
/// a narrow range of floats need two or three passes, each a plain scatter:
/// cheaper than [`sort`]'s bucket sorts.
#[cfg(test)]
pub(crate) fn radix_sort(keys: &[u32], out: &mut Vec<u32>) {
    radix_sort_in(keys, u32::range(keys), out);
}

/// [`radix_sort`] of keys whose smallest and largest are `(min, max)`
/// (known already: one pass fewer).
pub(crate) fn radix_sort_in(keys: &[u32], (min, max): (u32, u32), out: &mut Vec<u32>) {
    out.clear();
    if keys.is_empty() {
        return;
    }
    assert!(u32::try_from(keys.len()).is_ok(), "keysort: too many keys");
    let bits = u32::BITS - (max - min).leading_zeros();
    let passes = bits.div_ceil(RADIX_BITS);
    let width = bits.div_ceil(passes.max(1));
    match passes {
        0 => out.extend_from_slice(keys),
        1 => radix_passes::<1>(keys, min, width, out),
        2 => radix_passes::<2>(keys, min, width, out),
        _ => radix_passes::<3>(keys, min, width, out),
    }
}

/// The widest radix digit: two digits of 2^12 counters fill the L1 cache,
/// and take the offsets of keys of two binades of floats (24 bits) in two
/// passes.
const RADIX_BITS: u32 = 12;

/// [`radix_sort`] in `P` passes of `width`-bit digits (`P · width ≥` the
/// offsets' width, `width ≤ RADIX_BITS`).
fn radix_passes<const P: usize>(keys: &[u32], min: u32, width: u32, out: &mut Vec<u32>) {
    let mask = (1u32 << width) - 1;
    let digit = |k: u32, p: usize| (((k - min) >> (width * p as u32)) & mask) as usize;
    // Every digit's counts from one pass over the keys.
    let mut counts = [[0u32; 1 << RADIX_BITS]; P];
    for &k in keys {
        for (p, c) in counts.iter_mut().enumerate() {
            c[digit(k, p)] += 1;
        }
    }
    out.extend_from_slice(keys);
    let mut other = vec![0u32; keys.len()];
    for (p, c) in counts.iter_mut().enumerate() {
        if c.iter().any(|&n| n as usize == keys.len()) {
            continue;
        }
        let mut at = 0;
        for n in c.iter_mut() {
            (*n, at) = (at, at + *n);
        }
        for &k in out.iter() {
            let d = digit(k, p);
            other[c[d] as usize] = k;
            c[d] += 1;
        }
        std::mem::swap(out, &mut other);
    }
}

/// The keys of ranks `ranks` (0-based, each < `keys.len()`) in the ascending order of
/// `keys`, without sorting them all: only the keys in the ranks' buckets are gathered
/// and sorted (at most 255 distinct buckets: meant for a few ranks). `scratch` is a
/// buffer whose contents are lost.
#[cfg(test)]
pub(crate) fn select<K: Key>(keys: &[K], ranks: &[usize], scratch: &mut Vec<K>) -> Vec<K> {
    if keys.is_empty() {
        return Vec::new();
    }
    select_in(keys, K::range(keys), ranks, scratch)
}

/// [`select`] of keys whose smallest and largest are `(min, max)` (known
/// already: one pass fewer).
pub(crate) fn select_in<K: Key>(
    keys: &[K],
    (min, max): (K, K),
    ranks: &[usize],
    scratch: &mut Vec<K>,
) -> Vec<K> {
    if keys.is_empty() {
        return Vec::new();
    }
    assert!(u32::try_from(keys.len()).is_ok(), "keysort: too many keys");
    // About eight keys per bucket: the wanted buckets sort by insertion.
    let buckets = Buckets::spanning(min, max, keys.len(), 3);
    let picked = Picked::new(&buckets.counts(keys), ranks);
    picked.gather(&buckets, keys, scratch);
    ranks
        .iter()
        .zip(&picked.wanted)
        .map(|(&r, &b)| scratch[picked.at[usize::from(picked.slot[b]) - 1] + r - picked.starts[b]])
        .collect()
}

/// The buckets [`select_in`] gathers: each rank's bucket, and where each wanted
/// bucket's keys go in the scratch buffer.
struct Picked {
    /// Where each bucket starts in the ascending order (one more than buckets).
    starts: Vec<usize>,
    /// Each rank's bucket.
    wanted: Vec<usize>,
    /// Per bucket: 0 when not wanted, else its number from 1.
    slot: Vec<u8>,
    /// Where each wanted bucket's keys start in the scratch buffer, and the end.
    at: Vec<usize>,
}

impl Picked {
    /// The buckets holding `ranks`, from the keys' `counts` per bucket.
    fn new(counts: &[u32], ranks: &[usize]) -> Self {
        let mut starts = Vec::with_capacity(counts.len() + 1);
        starts.push(0);
        let mut sum = 0;
        for &c in counts {
            sum += c as usize;
            starts.push(sum);
        }
        // The bucket of each rank (the last one starting at or before it).
        let wanted: Vec<usize> = ranks
            .iter()
            .map(|&r| starts.partition_point(|&s| s <= r) - 1)
            .collect();
        // Each wanted bucket once, numbered from 1, with where its keys go.
        let mut slot = vec![0u8; counts.len()];
        let mut at = vec![0];
        for &b in &wanted {
            if slot[b] == 0 {
                slot[b] = u8::try_from(at.len()).expect("keysort: at most 255 buckets selected");
                at.push(at[at.len() - 1] + starts[b + 1] - starts[b]);
            }
        }
        Picked {
            starts,
            wanted,
            slot,
            at,
        }
    }

    /// Keys in the wanted buckets.
    fn gathered(&self) -> usize {
        self.at[self.at.len() - 1]
    }

    /// Gathers the wanted buckets' keys into `scratch` and sorts each bucket.
    fn gather<K: Key>(&self, buckets: &Buckets<K>, keys: &[K], scratch: &mut Vec<K>) {
        scratch.clear();
        scratch.resize(self.gathered(), K::default());
        let mut next: Vec<usize> = self.at[..self.at.len() - 1].to_vec();
        for &k in keys {
            let s = usize::from(self.slot[buckets.of(k)]);
            if s != 0 {
                scratch[next[s - 1]] = k;
                next[s - 1] += 1;
            }
        }
        for w in self.at.windows(2) {
            sort_small(&mut scratch[w[0]..w[1]]);
        }
    }
}

/// Keys mapped to buckets by their offset from the smallest key, shifted right.
struct Buckets<K> {
    min: K,
    shift: u32,
    count: usize,
}

impl<K: Key> Buckets<K> {
    /// About `2^per_log2` keys per bucket; `None` for no keys.
    fn new(keys: &[K], per_log2: u32) -> Option<Self> {
        if keys.is_empty() {
            return None;
        }
        let (min, max) = K::range(keys);
        Some(Self::spanning(min, max, keys.len(), per_log2))
    }

    /// Buckets over `min..=max` for about `2^per_log2` of `len` keys each.
    fn spanning(min: K, max: K, len: usize, per_log2: u32) -> Self {
        let span = max.offset(min);
        let bits = len
            .next_power_of_two()
            .trailing_zeros()
            .saturating_sub(per_log2);
        let span_bits = u64::BITS - span.leading_zeros();
        let shift = span_bits.saturating_sub(bits);
        // Below the key's width (a shift by it would overflow): at most two buckets.
        let shift = shift.min(8 * std::mem::size_of::<K>() as u32 - 1);
        let count = (span >> shift) as usize + 1;
        Buckets { min, shift, count }
    }

    #[inline(always)]
    fn of(&self, k: K) -> usize {
        k.bucket(self.min, self.shift)
    }

    /// The number of keys in each bucket (in u32: a few more buckets fit in the cache).
    fn counts(&self, keys: &[K]) -> Vec<u32> {
        assert!(u32::try_from(keys.len()).is_ok(), "keysort: too many keys");
        let mut counts = vec![0u32; self.count];
        for &k in keys {
            counts[self.of(k)] += 1;
        }
        counts
    }
}

/// Sorts one bucket: insertion sort when short, the standard sort otherwise.
fn sort_small<K: Key>(v: &mut [K]) {
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
            sort(&v, &mut scratch);
            assert_eq!(scratch, want);
            let v32: Vec<u32> = v.iter().map(|&k| (k >> 32) as u32).collect();
            let mut want32 = v32.clone();
            want32.sort_unstable();
            let mut out = Vec::new();
            sort(&v32, &mut out);
            assert_eq!(out, want32);
            radix_sort(&v32, &mut out);
            assert_eq!(out, want32);
            // Narrow ranges and low bits too.
            let low: Vec<u32> = v.iter().map(|&k| k as u32).collect();
            let mut want_low = low.clone();
            want_low.sort_unstable();
            radix_sort(&low, &mut out);
            assert_eq!(out, want_low);
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
