//! The figures `optimize --plot` draws: search progress, the held-out
//! comparison with intervals, and the mean trajectories of the winner and
//! the baselines (from the holdout job's moment records).

use std::path::Path;

use crate::analysis::moments;
use crate::engine::Run;
use crate::error::Error;
use crate::report::figures::{
    IntervalComparison, SearchProgress, Trajectories, TrajectorySeries, save,
};

use super::Optimization;
use super::output::Summary;
use super::search::Outcome;

/// Draws the three figures into `dir`.
pub fn draw(dir: &Path, opt: &Optimization, out: &Outcome, s: &Summary) -> Result<(), Error> {
    let y_desc = format!(
        "{} ({})",
        s.objective,
        if opt.objective.sign() > 0.0 {
            "higher is better"
        } else {
            "lower is better"
        }
    );
    let progress = SearchProgress {
        title: format!("{} search on {} (search paths)", s.family, opt.model.name),
        y_desc: y_desc.clone(),
        best: s.history.iter().map(|g| g.best).collect(),
        mean: s.history.iter().map(|g| g.mean).collect(),
    };
    save(&progress, dir, "search_progress")?;
    save(&comparison(s, y_desc), dir, "comparison")?;
    let h = &out.holdout;
    let winner = h.winner;
    let base = h.finalists.len();
    let mut series = vec![mean_series(
        &h.run,
        winner,
        format!("winner ({})", s.family),
        WINNER_COLOR,
    )];
    for k in 0..h.baselines.len() {
        series.push(mean_series(
            &h.run,
            base + k,
            h.baselines[k].name.clone(),
            k,
        ));
    }
    let traj = Trajectories {
        title: format!(
            "Mean trajectories, winner vs baselines ({})",
            opt.model.name
        ),
        objectives: opt.model.objective_names(),
        bounds: opt.model.bounds(),
        band: "mean ± 1 SD".into(),
        series,
    };
    save(&traj, dir, "mean_trajectories")?;
    Ok(())
}

/// The winner's colour: black, the last of the palette, which strategies
/// reach only in models of eight; the next free colour could be a shade of
/// a baseline's (sky blue beside blue with four strategies).
const WINNER_COLOR: usize = crate::report::figures::PALETTE.len() - 1;

/// The winner and every baseline with their 95% intervals.
fn comparison(s: &Summary, y_desc: String) -> IntervalComparison {
    let mut rows = vec![(
        format!("winner ({})", s.family),
        s.best.value,
        s.best.ci95,
        WINNER_COLOR,
    )];
    for (k, b) in s.baselines.iter().enumerate() {
        rows.push((b.name.clone(), b.value, b.ci95, k));
    }
    IntervalComparison {
        title: format!("Held-out {}: winner vs baselines", s.objective),
        y_desc,
        rows,
    }
}

/// Mean ± 1 SD per record of set `set`.
fn mean_series(run: &Run, set: usize, name: String, color: usize) -> TrajectorySeries {
    let job = &run.job;
    let total = run.output.sets[set].fold.total().unwrap_or_default();
    let shift = job.moment_shift(set);
    let dt = job.dt(set);
    let mut s = TrajectorySeries {
        name,
        color,
        t: Vec::new(),
        mean: Vec::new(),
        lo: Vec::new(),
        hi: Vec::new(),
    };
    if total.is_empty() {
        return s;
    }
    for r in 0..job.records() {
        let m = moments::record(
            &total,
            job.partial_layout(),
            r as usize,
            job.record_step(r),
            &shift,
        );
        s.t.push(f64::from(m.step) * dt);
        s.lo.push(m.mean.iter().zip(&m.sd).map(|(a, b)| a - b).collect());
        s.hi.push(m.mean.iter().zip(&m.sd).map(|(a, b)| a + b).collect());
        s.mean.push(m.mean);
    }
    s
}
