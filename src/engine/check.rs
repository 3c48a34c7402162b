//! Whether an output has the shape its job gives it: what a merge checks in
//! every shard before trusting it.

use std::ops::Range;

use super::{Job, JobOutput, TreeFold};

impl JobOutput {
    /// Checks that this output is what `job` (a whole job or one shard's)
    /// produces: one entry per set, a first-passage histogram over exactly
    /// the set's paths (and a goal histogram, in jobs with goals), one
    /// terminal state per kept path, one trajectory per
    /// recorded path, and partial sums that cover exactly the set's blocks.
    /// The error says which set and what differs.
    pub fn check(&self, job: &Job) -> Result<(), String> {
        if self.sets.len() != job.set_count() {
            return Err(format!(
                "holds {} parameter sets where the run has {}",
                self.sets.len(),
                job.set_count()
            ));
        }
        let n = job.objectives() as u64;
        let per_path = (u64::from(job.steps()) + 1) * n;
        let mut kept = vec![0u64; job.set_count()];
        let mut recorded = vec![0u64; job.set_count()];
        for item in job.work_items() {
            kept[item.pset as usize] += job.terminal_paths(&item);
            recorded[item.pset as usize] += job.recorded_paths(&item);
        }
        let width = job.partial_layout().len();
        for (s, out) in self.sets.iter().enumerate() {
            let blocks = job.blocks(s);
            let paths = job.paths_in(s, &blocks);
            let counted: u128 = out.hist.iter().map(|&c| u128::from(c)).sum();
            let goal_counted: u128 = out.goal_hist.iter().map(|&c| u128::from(c)).sum();
            let goal_bins = if job.goals().is_some() {
                job.passage_bins() as u64
            } else {
                0
            };
            let lengths = [
                (
                    "first-passage bins",
                    out.hist.len() as u64,
                    job.passage_bins() as u64,
                ),
                ("goal bins", out.goal_hist.len() as u64, goal_bins),
                ("terminal values", out.terminal.len() as u64, kept[s] * n),
                (
                    "trajectory values",
                    out.paths.len() as u64,
                    recorded[s] * per_path,
                ),
            ];
            let bad = |why: String| Err(format!("set {s}: {why}"));
            if let Some((what, got, want)) = lengths.iter().find(|(_, g, w)| g != w) {
                return bad(format!("holds {got} {what} where {want} belong"));
            }
            if counted != u128::from(paths) {
                return bad(format!(
                    "the first-passage histogram counts {counted} paths; the shard ran {paths}"
                ));
            }
            if goal_bins > 0 && goal_counted != u128::from(paths) {
                return bad(format!(
                    "the goal histogram counts {goal_counted} paths; the shard ran {paths}"
                ));
            }
            if let Err(why) = check_fold(&out.fold, &blocks, width) {
                return bad(why);
            }
        }
        Ok(())
    }
}

/// The open nodes of a fold cover `blocks` left to right without a gap,
/// each with one value per partial slot.
fn check_fold(fold: &TreeFold, blocks: &Range<u64>, width: usize) -> Result<(), String> {
    let gap = || {
        Err(format!(
            "the partial sums do not cover blocks {}..{} exactly once",
            blocks.start, blocks.end
        ))
    };
    let mut next = blocks.start;
    for node in &fold.nodes {
        if node.values.len() != width {
            return Err(format!(
                "a partial-sum node holds {} values where {width} belong",
                node.values.len()
            ));
        }
        let fits = node.level < 48 && node.index <= (u64::MAX >> node.level);
        if !fits || node.first_block() != next {
            return gap();
        }
        next = node.first_block() + (1u64 << node.level);
    }
    if next != blocks.end {
        return gap();
    }
    Ok(())
}
