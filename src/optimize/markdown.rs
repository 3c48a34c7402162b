//! `optimize.md` and the console table: the held-out comparison of the
//! winner with every baseline, and the winning policy.

use crate::report::{self, markdown_table};

use super::Optimization;
use super::output::Summary;

fn num(v: f64) -> String {
    report::opt(v.is_finite().then_some(v), 4)
}

fn pm(v: f64, se: f64) -> String {
    format!("{} ± {}", num(v), num(se))
}

fn interval(ci: [f64; 2]) -> String {
    format!("[{}, {}]", num(ci[0]), num(ci[1]))
}

/// The comparison table: the winner, then every baseline.
pub fn comparison_table(s: &Summary) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        "policy",
        "value ± SE",
        "95% CI",
        "P(constraint)",
        "winner − policy",
        "95% CI of difference",
    ];
    let prob = |p: Option<f64>, ok: bool| {
        p.map_or("-".into(), |p| {
            format!("{}{}", num(p), if ok { "" } else { " (infeasible)" })
        })
    };
    let mut rows = vec![vec![
        format!("winner ({})", s.family),
        pm(s.best.value, s.best.se),
        interval(s.best.ci95),
        prob(s.best.constraint_prob, s.best.feasible),
        "-".into(),
        "-".into(),
    ]];
    for b in &s.baselines {
        rows.push(vec![
            b.name.clone(),
            pm(b.value, b.se),
            interval(b.ci95),
            prob(b.constraint_prob, b.feasible),
            pm(b.diff, b.diff_se),
            interval(b.diff_ci95),
        ]);
    }
    (head, rows)
}

/// The text of `optimize.md`.
pub(super) fn markdown(opt: &Optimization, s: &Summary) -> String {
    let mut md = format!(
        "# Optimised {} policy for `{}`\n\nObjective: **{}** ({}).",
        s.family,
        opt.model.name,
        s.objective,
        if opt.objective.sign() > 0.0 {
            "higher is better"
        } else {
            "lower is better"
        }
    );
    if let Some(g) = &s.goal {
        md += &format!(" Goal region: `{g}`.");
    }
    if let (Some(c), Some(p)) = (&s.constraint, s.confidence) {
        md += &format!(
            " Constraint: `{c}` must hold at every step with probability ≥ {p} (a policy is feasible when its estimated probability reaches {p})."
        );
    }
    md += &format!(
        "\n\nSearch: cross-entropy method, {} generations × {} candidates, {} paths each, common random numbers within a generation. \
Every figure below is held out: the {} best candidates and the baselines were re-run together on {} fresh paths each (one job, common random numbers), \
and the winner is the finalist with the best held-out value. Differences are paired (winner − policy) with delete-one-group jackknife standard errors; intervals are ±1.96 SE.\n\n",
        s.search.generations,
        s.search.population,
        s.search.paths,
        s.search.finalists.len(),
        s.search.holdout_paths
    );
    let (head, rows) = comparison_table(s);
    md += &markdown_table(&head, &rows);
    if let Some(short) = s.best.constraint_shortfall.filter(|v| *v > 0.0) {
        md += &format!(
            "\nThe winner is **infeasible**: P(constraint held) falls short of the confidence by {}.\n",
            num(short)
        );
    }
    md += &format!(
        "\nWinning policy (`best.toml` holds the model with it):\n\n```toml\n{}```\n",
        toml::to_string_pretty(&opt_policy(s)).unwrap_or_default()
    );
    md
}

/// The winning policy as the `[policy]` table of a model file.
fn opt_policy(s: &Summary) -> toml::Value {
    let policy =
        toml::Value::try_from(&s.best.policy).unwrap_or(toml::Value::Table(Default::default()));
    toml::Value::Table([("policy".to_string(), policy)].into_iter().collect())
}
