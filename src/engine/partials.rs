//! Mergeable partial results and the fixed-shape reduction that combines them.
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
