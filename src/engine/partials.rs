//! Mergeable partial results: where each sum sits in a block's partial slot
//! ([`PartialLayout`]), and the fixed-shape reduction that combines slots
//! ([`TreeFold`]).
//!
//! Each block of paths yields a vector of f64 sums. Adding them left to right
//! would make the result depend on where a run was split into shards, because
//! float addition is not associative. Instead blocks are combined along a
//! fixed binary tree over block indices: node `(level, index)` covers blocks
//! `[index·2^level, (index+1)·2^level)` and is always the sum of its two
//! children. A stream of blocks keeps at most one node per level (a binary
//! counter), and a shard keeps the nodes it could not close. Pushing every
//! shard's nodes in order rebuilds exactly the nodes a single run builds, so
//! sharded and unsharded runs give the same bits.

use serde::{Deserialize, Serialize};

/// Terminal value written for a non-finite path (itself beyond the
/// kernel's finite limit, so readers can tell it from a state).
pub const DEAD: f32 = 3.0e38;

/// Offsets inside one partial slot (f32 values on the GPU, f64 on the CPU),
/// shared by both engines and the host reduction. The WGSL kernel gets its
/// offsets from this type too: `gpu::shaders` emits them as helper functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialLayout {
    /// Objectives.
    pub n: usize,
    /// Strategies (occupancy counters).
    pub s: usize,
    /// Records.
    pub records: usize,
    /// Whether occupancy counters are present (non-fixed policies).
    pub occupancy: bool,
}

impl PartialLayout {
    /// Values per record: count, N shifted sums, N shifted sums of squares.
    pub fn record_len(&self) -> usize {
        1 + 2 * self.n
    }
    /// Entries of an upper triangle including the diagonal.
    pub fn tri(&self) -> usize {
        self.n * (self.n + 1) / 2
    }
    /// Start of record `r`.
    pub fn record(&self, r: usize) -> usize {
        r * self.record_len()
    }
    /// Start of the terminal cross-products.
    pub fn cross(&self) -> usize {
        self.records * self.record_len()
    }
    /// Start of the increment block: count, N sums, triangle of products.
    pub fn incr(&self) -> usize {
        self.cross() + self.tri()
    }
    /// Start of the occupancy counters.
    pub fn occ(&self) -> usize {
        self.incr() + 1 + self.n + self.tri()
    }
    /// Total length.
    #[allow(clippy::len_without_is_empty, reason = "a layout always has records")]
    pub fn len(&self) -> usize {
        self.occ() + if self.occupancy { self.s } else { 0 }
    }
    /// Index of `(i, j)`, `i ≤ j`, in a packed upper triangle.
    pub fn tri_index(&self, i: usize, j: usize) -> usize {
        let (i, j) = if i <= j { (i, j) } else { (j, i) };
        i * self.n - i * (i + 1) / 2 + j
    }
}

/// One node of the reduction tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Height above the blocks.
    pub level: u32,
    /// Index among the nodes of this level.
    pub index: u64,
    /// The summed values.
    pub values: Vec<f64>,
}

impl Node {
    /// First block covered.
    pub fn first_block(&self) -> u64 {
        self.index << self.level
    }
}

/// A streaming tree reduction of per-block value vectors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TreeFold {
    /// Open nodes, in block order.
    pub nodes: Vec<Node>,
}

impl TreeFold {
    /// An empty fold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the values of one block. Blocks must arrive in increasing order.
    pub fn push_block(&mut self, block: u64, values: Vec<f64>) {
        self.push(Node {
            level: 0,
            index: block,
            values,
        });
    }

    /// Adds a node (a block, or a node another fold left open). Nodes must
    /// arrive in increasing order of the blocks they cover.
    pub fn push(&mut self, mut node: Node) {
        while let Some(top) = self.nodes.last() {
            let siblings =
                top.level == node.level && node.index % 2 == 1 && top.index + 1 == node.index;
            if !siblings {
                break;
            }
            let mut left = self.nodes.pop().expect("checked non-empty");
            for (a, b) in left.values.iter_mut().zip(&node.values) {
                *a += *b;
            }
            node = Node {
                level: node.level + 1,
                index: node.index / 2,
                values: left.values,
            };
        }
        self.nodes.push(node);
    }

    /// Absorbs another fold whose blocks all come after this one's.
    pub fn extend(&mut self, other: TreeFold) {
        for node in other.nodes {
            self.push(node);
        }
    }

    /// The total over every block pushed so far, or `None` if empty. Open
    /// nodes are added left to right, which is the same order whatever the
    /// sharding, since the open nodes are the same.
    pub fn total(&self) -> Option<Vec<f64>> {
        let mut it = self.nodes.iter();
        let mut acc = it.next()?.values.clone();
        for node in it {
            for (a, b) in acc.iter_mut().zip(&node.values) {
                *a += *b;
            }
        }
        Some(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn triangle_indices_follow_kernel_order() {
        let l = PartialLayout {
            n: 4,
            s: 2,
            records: 3,
            occupancy: true,
        };
        let mut c = 0;
        for i in 0..4 {
            for j in i..4 {
                assert_eq!(l.tri_index(i, j), c);
                assert_eq!(l.tri_index(j, i), c);
                c += 1;
            }
        }
        assert_eq!(c, l.tri());
        assert_eq!(l.len(), 3 * 9 + 10 + 1 + 4 + 10 + 2);
    }

    fn block_values(b: u64) -> Vec<f64> {
        // Values with wildly different magnitudes make the sum order visible.
        let x = (b as f64 * 0.618_033_988_75).fract();
        vec![x * 1e16, x, 1.0 / (1.0 + b as f64), (b % 7) as f64 * 1e-9]
    }

    fn fold_range(lo: u64, hi: u64) -> TreeFold {
        let mut f = TreeFold::new();
        for b in lo..hi {
            f.push_block(b, block_values(b));
        }
        f
    }

    proptest! {
        #[test]
        fn any_split_gives_identical_bits(total in 1u64..600, cuts in proptest::collection::vec(0u64..600, 0..6)) {
            let whole = fold_range(0, total).total().unwrap();
            let mut edges: Vec<u64> = cuts.into_iter().map(|c| c % total).collect();
            edges.push(0);
            edges.push(total);
            edges.sort_unstable();
            edges.dedup();
            let mut merged = TreeFold::new();
            for w in edges.windows(2) {
                merged.extend(fold_range(w[0], w[1]));
            }
            let got = merged.total().unwrap();
            for (a, b) in whole.iter().zip(&got) {
                prop_assert_eq!(a.to_bits(), b.to_bits());
            }
        }
    }

    #[test]
    fn open_nodes_stay_logarithmic() {
        let f = fold_range(0, 1_000_000);
        assert!(f.nodes.len() <= 20, "{} open nodes", f.nodes.len());
        assert_eq!(f.nodes.len(), 1_000_000u64.count_ones() as usize);
    }
}
