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
    /// Whether goal sums are present (jobs with goals).
    pub goals: bool,
}

/// The goal sums of a block, in slot order from [`PartialLayout::goal`].
pub mod goal_slot {
    /// Valid paths.
    pub const VALID: usize = 0;
    /// Paths that reached the goal region by the horizon.
    pub const REACHED: usize = 1;
    /// Σ min(τ, steps) over valid paths, τ the first step in the goal region.
    pub const TIME: usize = 2;
    /// Paths that met the constraint at every step, t = 0 included.
    pub const HELD: usize = 3;
    /// Paths finite at the horizon.
    pub const ALIVE: usize = 4;
    /// Σ over finite paths of the smallest normalised objective at the horizon.
    pub const WORST: usize = 5;
    /// Values in the goal block.
    pub const LEN: usize = 6;
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
    /// Start of the goal sums (see [`goal_slot`]).
    pub fn goal(&self) -> usize {
        self.occ() + if self.occupancy { self.s } else { 0 }
    }
    /// Total length.
    #[allow(clippy::len_without_is_empty, reason = "a layout always has records")]
    pub fn len(&self) -> usize {
        self.goal() + if self.goals { goal_slot::LEN } else { 0 }
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
    pub fn push(&mut self, node: Node) {
        push_capped(&mut self.nodes, node, u32::MAX);
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

/// Pushes `node` onto a stack of open nodes, closing sibling pairs into their
/// parent up to level `cap`. Below the cap the nodes are exactly those of the
/// uncapped tree, which is what lets groups and totals share one tree.
fn push_capped(nodes: &mut Vec<Node>, mut node: Node, cap: u32) {
    while let Some(top) = nodes.last() {
        let siblings = node.level < cap
            && top.level == node.level
            && node.index % 2 == 1
            && top.index + 1 == node.index;
        if !siblings {
            break;
        }
        let mut left = nodes.pop().expect("checked non-empty");
        for (a, b) in left.values.iter_mut().zip(&node.values) {
            *a += *b;
        }
        node = Node {
            level: node.level + 1,
            index: node.index / 2,
            values: left.values,
        };
    }
    nodes.push(node);
}

/// Most block groups per set: the replicates behind every standard error.
/// Fixed, so that the groups, like the blocks, depend on the job alone.
pub const MAX_GROUPS: u64 = 32;

/// The group level for a set of `blocks` blocks: the smallest `L` such that
/// groups of `2^L` consecutive blocks number at most [`MAX_GROUPS`].
pub fn group_level(blocks: u64) -> u32 {
    let mut level = 0;
    while blocks.div_ceil(1 << level) > MAX_GROUPS {
        level += 1;
    }
    level
}

/// Per-group sums: the reduction tree of [`TreeFold`] cut at `level`, so
/// that group `g` (blocks `[g·2^level, (g+1)·2^level)`) is one node, or a
/// few open nodes for a last, short group. Groups are fixed by the job, and
/// a group's sum has the same bits for any thread count, chunking or shard
/// split, as the total has. The groups are the independent replicates that
/// standard errors are computed from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupFold {
    /// Blocks per group: `2^level`.
    pub level: u32,
    /// Open nodes, in block order; none above `level`.
    pub nodes: Vec<Node>,
}

impl GroupFold {
    /// An empty fold with groups of `2^level` blocks.
    pub fn new(level: u32) -> Self {
        GroupFold {
            level,
            nodes: Vec::new(),
        }
    }

    /// Adds the values of one block. Blocks must arrive in increasing order.
    pub fn push_block(&mut self, block: u64, values: Vec<f64>) {
        let node = Node {
            level: 0,
            index: block,
            values,
        };
        push_capped(&mut self.nodes, node, self.level);
    }

    /// [`GroupFold::push_block`] of a copy of `values`, made only when the
    /// block has no left sibling to be added into (so half the blocks of a
    /// group need no copy): the same nodes and bits.
    pub fn push_block_copy(&mut self, block: u64, values: &[f64]) {
        let merges = |top: &Node| {
            self.level > 0 && top.level == 0 && block % 2 == 1 && top.index + 1 == block
        };
        match self.nodes.pop_if(|top| merges(top)) {
            Some(mut left) => {
                for (a, b) in left.values.iter_mut().zip(values) {
                    *a += *b;
                }
                let node = Node {
                    level: 1,
                    index: block / 2,
                    values: left.values,
                };
                push_capped(&mut self.nodes, node, self.level);
            }
            None => self.push_block(block, values.to_vec()),
        }
    }

    /// Absorbs another fold (same level) whose blocks all come after this one's.
    pub fn extend(&mut self, other: GroupFold) {
        for node in other.nodes {
            push_capped(&mut self.nodes, node, self.level);
        }
    }

    /// The sum of each group, in group order (nodes of one group added left
    /// to right).
    pub fn sums(&self) -> Vec<Vec<f64>> {
        let mut out: Vec<(u64, Vec<f64>)> = Vec::new();
        for node in &self.nodes {
            let g = node.first_block() >> self.level;
            match out.last_mut() {
                Some((last, acc)) if *last == g => {
                    for (a, b) in acc.iter_mut().zip(&node.values) {
                        *a += *b;
                    }
                }
                _ => out.push((g, node.values.clone())),
            }
        }
        out.into_iter().map(|(_, v)| v).collect()
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
            goals: false,
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

    /// Pushing copies gives the nodes, bits included, that pushing owned
    /// values does, for every group size and any first block (a shard may
    /// start on an odd one).
    #[test]
    fn pushed_copies_give_the_same_group_nodes() {
        for level in 0..5 {
            for first in [0u64, 1, 3, 6] {
                let (mut owned, mut copied) = (GroupFold::new(level), GroupFold::new(level));
                for b in first..first + 37 {
                    owned.push_block(b, block_values(b));
                    copied.push_block_copy(b, &block_values(b));
                }
                assert_eq!(owned, copied, "level {level}, first block {first}");
            }
        }
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
    fn groups_are_fixed_by_the_block_count() {
        assert_eq!(group_level(1), 0);
        assert_eq!(group_level(32), 0);
        assert_eq!(group_level(33), 1);
        assert_eq!(group_level(40), 1);
        assert_eq!(group_level(4096), 7);
    }

    proptest! {
        #[test]
        fn group_sums_ignore_the_split(total in 1u64..300, cut in 0u64..300) {
            let level = group_level(total);
            let cut = cut % total;
            let mut whole = GroupFold::new(level);
            let (mut a, mut b) = (GroupFold::new(level), GroupFold::new(level));
            for blk in 0..total {
                whole.push_block(blk, block_values(blk));
                let half = if blk < cut { &mut a } else { &mut b };
                half.push_block(blk, block_values(blk));
            }
            a.extend(b);
            let (sw, sa) = (whole.sums(), a.sums());
            prop_assert_eq!(sw.len() as u64, total.div_ceil(1 << level));
            prop_assert_eq!(&sw, &sa);
            // A complete group is the node the uncapped tree builds.
            let tree = fold_range(0, 1 << level);
            if total >= 1 << level {
                prop_assert_eq!(&sw[0], &tree.total().unwrap());
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
