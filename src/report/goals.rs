//! The goal table: per strategy or policy, P(goal by the horizon), the time
//! to the goal, P(constraint held) and whether it meets the confidence.
//! Written into `strategies.md` and printed by `simulate` and `merge` only in
//! runs with goals.

use super::{markdown_table, opt, pm};
use crate::analysis::Report;
use crate::analysis::goals::GoalSummary;

/// Headings and rows of the goal table, `± SE` on every estimate when
/// `errors`; `None` in runs without goals.
pub fn goal_rows(report: &Report, errors: bool) -> Option<(Vec<&'static str>, Vec<Vec<String>>)> {
    report.strategies.first()?.goal.as_ref()?;
    let head = vec![
        "strategy",
        "P(goal)",
        "time mean",
        "time p50",
        "never",
        "P(constraint)",
        "met",
        "worst",
    ];
    let cell = |v: f64, se: f64, d: usize| pm(format!("{v:.d$}"), Some(se), d, errors);
    let rows = report
        .strategies
        .iter()
        .filter_map(|s| Some((s.name.clone(), s.goal.as_ref()?)))
        .map(|(name, g): (String, &GoalSummary)| {
            vec![
                name,
                cell(g.reach, g.reach_se, 3),
                cell(g.time_mean, g.time_mean_se, 1),
                pm(opt(g.time_median, 0), g.time_median_se, 1, errors),
                cell(g.never, g.never_se, 3),
                cell(g.constraint_held, g.constraint_held_se, 3),
                match (g.constraint.is_empty(), g.constraint_met) {
                    (true, _) => "-",
                    (false, true) => "yes",
                    (false, false) => "no",
                }
                .into(),
                cell(g.worst, g.worst_se, 3),
            ]
        })
        .collect();
    Some((head, rows))
}

/// The goal section of `strategies.md` (empty without goals).
pub fn goals_md(report: &Report) -> String {
    let (Some((head, rows)), Some(g)) = (
        goal_rows(report, true),
        report.strategies.first().and_then(|s| s.goal.as_ref()),
    ) else {
        return String::new();
    };
    let none = |s: &str| {
        if s.is_empty() {
            "none".to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "\n## Goals\n\nGoal region: {goal}; constraint: {cons}, to hold with probability {conf}.\n\n{table}\n\
         - P(goal): share of paths in the goal region at some step up to the horizon. Times in steps: the mean of min(τ, {steps}) and the median first step τ in the goal region (`-` when half or more never reach it); never: the share that never reach it.\n\
         - P(constraint): share of paths that met the constraint at every step, t = 0 included (a non-finite path breaks it); met: P(constraint) ≥ {conf}.\n\
         - worst: mean over finite paths of the smallest objective at the horizon, normalised to [0, 1] by its bounds. ± one Monte Carlo standard error.\n",
        goal = none(&g.goal),
        cons = none(&g.constraint),
        conf = g.confidence,
        table = markdown_table(&head, &rows),
        steps = report.steps,
    )
}
