//! What a distribution of replications says, in words and a figure:
//! `replication.md`'s distribution section with one sentence per statistic
//! on whether the paper's value is typical, and the data of the
//! `replication_distribution` figure.

use super::distribution::{Distribution, PAPER_ROUNDING, SeedRow, SeedStrategy, Spread};
use super::replicate::Replication;
use crate::report::figures::{BoxSeries, DistributionPanel, Distributions};

/// A statistic's name for people.
pub(super) fn display(statistic: &str) -> String {
    match statistic {
        "rho" => "ρ".into(),
        "r2_trajectory" => "trajectory R²".into(),
        "r2_one_step" => "one-step R²".into(),
        s => s.replace("equilibrium.", "equilibrium "),
    }
}

/// `EF ρ`, or `I_fe` for a pooled statistic.
fn label(s: &Spread) -> String {
    match &s.strategy {
        Some(name) => format!("{name} {}", display(&s.statistic)),
        None => display(&s.statistic),
    }
}

/// One sentence on whether the paper's value is typical of our distribution.
fn sentence(s: &Spread, k: u32) -> String {
    let range = format!("[{:.3}, {:.3}]", s.p05, s.p95);
    let (Some(paper), Some(pct)) = (s.paper, s.paper_percentile) else {
        return format!(
            "{}: the paper reports no value; ours is {:.3} ± {:.3} (5–95%: {range}).",
            label(s),
            s.mean,
            s.sd
        );
    };
    let place = if pct <= 0.0 {
        "below every replication".to_string()
    } else if pct >= 100.0 {
        "above every replication".to_string()
    } else {
        format!("at the {} percentile of {k} replications", ordinal(pct))
    };
    let inside = s.p05 <= paper && paper <= s.p95;
    let side = if paper < s.p05 { "below" } else { "above" };
    let verdict = match (inside, s.typical) {
        (true, _) => {
            format!("inside our 5–95% range {range}: typical of a study of the paper's size")
        }
        (false, Some(true)) => format!(
            "just {side} our 5–95% range {range}, but within the rounding of a value reported to two \
             decimals (± {PAPER_ROUNDING}): typical of a study of the paper's size"
        ),
        _ => format!("{side} our 5–95% range {range}: not typical of a study of the paper's size"),
    };
    format!(
        "{}: the paper's {paper:.2} lies {place}, {verdict}.",
        label(s)
    )
}

/// `1st`, `2nd`, `3rd`, `4th`, …, `11th`, `12th`, `13th`, `21st`, … of a
/// rounded percentile.
fn ordinal(p: f64) -> String {
    let n = p.round() as u64;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.filter(|x| x.is_finite())
        .map_or("-".into(), |x| format!("{x:.digits$}"))
}

impl Distribution {
    /// The distribution section of `replication.md`.
    pub fn markdown(&self, sessions: u32, iterations: u32) -> String {
        let (k, s0) = (self.replications, self.first_seed);
        let mut t = format!(
            "# Replication of the paper's results table: {k} replications\n\n\
             {k} independent replications of the paper's study: {sessions} sessions × {iterations} iterations per \
             strategy, generated from the `code-generation` preset and fitted back with `mosde fit`. Replication i has \
             seed {s0} + i (`mosde replicate --seed <seed>` reproduces one alone). For each statistic: our mean, standard \
             deviation and 5–95% range over the replications, and the percentile of the paper's value in that \
             distribution. The standard deviation is the standard error of one study of the paper's size.\n\n"
        );
        t += "| strategy | statistic | paper | mean | sd | 5% | 95% | percentile of the paper's value | typical |\n";
        t += "|---|---|---|---|---|---|---|---|---|\n";
        for s in &self.statistics {
            t += &format!(
                "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} |\n",
                s.strategy.as_deref().unwrap_or("pooled"),
                display(&s.statistic),
                num(s.paper, 2),
                s.mean,
                s.sd,
                s.p05,
                s.p95,
                num(s.paper_percentile, 0),
                s.typical.map_or("-", |t| if t { "yes" } else { "no" }),
            );
        }
        t += "\n## Is the paper's value typical?\n\n";
        for s in &self.statistics {
            t += &format!("- {}\n", sentence(s, k));
        }
        let (typical, with_paper) = self.statistics.iter().fold((0, 0), |(a, b), s| {
            (
                a + usize::from(s.typical == Some(true)),
                b + usize::from(s.typical.is_some()),
            )
        });
        t += &format!(
            "\n{typical} of the {with_paper} paper values are typical: inside our 5–95% range, allowing for their \
             rounding to two decimals.\n"
        );
        t
    }
}

/// One box per strategy of `r`: `value` of each row, the paper's `paper`.
fn per_strategy(
    r: &Replication,
    rows: &[SeedRow],
    value: impl Fn(&SeedStrategy) -> f64,
    paper: impl Fn(usize) -> Option<f64>,
) -> Vec<BoxSeries> {
    r.strategies
        .iter()
        .enumerate()
        .map(|(k, s)| BoxSeries {
            name: s.name.clone(),
            color: Some(k),
            values: rows
                .iter()
                .filter_map(|row| row.strategies.iter().find(|x| x.name == s.name))
                .map(&value)
                .collect(),
            paper: paper(k),
        })
        .collect()
}

/// The figure of a distribution of replications: ρ, both R², the pooled
/// increment correlations and each objective's equilibrium, one box per
/// strategy with the paper's value marked. `None` for a single replication.
pub fn distribution_figure(r: &Replication, objectives: &[String]) -> Option<Distributions> {
    let (d, rows) = (r.distribution.as_ref()?, r.rows.as_ref()?);
    let panel = |caption: &str, y_desc: &str, boxes| DistributionPanel {
        caption: caption.into(),
        y_desc: y_desc.into(),
        boxes,
    };
    let s = &r.strategies;
    let mut panels = vec![
        panel(
            "convergence rate ρ",
            "ρ (per iteration)",
            per_strategy(r, rows, |x| x.rho, |k| Some(s[k].paper.rho)),
        ),
        panel(
            "trajectory R²",
            "R²",
            per_strategy(r, rows, |x| x.r2_trajectory, |k| Some(s[k].paper.r2)),
        ),
        panel(
            "one-step R² (no paper value)",
            "R²",
            per_strategy(r, rows, |x| x.r2_one_step, |_| None),
        ),
    ];
    let p = r.interference.paper;
    let pooled = |name: &str, v: fn(&SeedRow) -> f64, paper| BoxSeries {
        name: name.into(),
        color: None,
        values: rows.iter().map(v).collect(),
        paper: Some(paper),
    };
    panels.push(panel(
        "pooled increment correlations",
        "correlation",
        vec![
            pooled("I_fe", |x| x.i_fe, p.i_fe),
            pooled("I_fs", |x| x.i_fs, p.i_fs),
        ],
    ));
    for (i, o) in objectives.iter().enumerate() {
        let boxes = per_strategy(
            r,
            rows,
            |x| x.equilibrium.get(i).copied().unwrap_or(f64::NAN),
            |k| s[k].paper.equilibrium.get(i).copied(),
        );
        panels.push(panel(&format!("equilibrium: {o}"), "score", boxes));
    }
    Some(Distributions {
        title: format!(
            "The paper's values against {} replications of its study ({} sessions × {} iterations per strategy)",
            d.replications, r.sessions, r.iterations
        ),
        replications: d.replications as usize,
        panels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(paper: Option<f64>, pct: Option<f64>, typical: Option<bool>) -> Spread {
        Spread {
            statistic: "rho".into(),
            strategy: Some("EF".into()),
            paper,
            n: 50,
            mean: 0.34,
            sd: 0.01,
            p05: 0.32,
            p95: 0.36,
            paper_percentile: pct,
            typical,
        }
    }

    #[test]
    fn ordinals_take_their_suffix() {
        let got: Vec<String> = [1.0, 2.0, 3.2, 4.0, 11.0, 12.0, 13.0, 21.0, 52.0, 99.4]
            .map(ordinal)
            .to_vec();
        let want = [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "52nd", "99th",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn sentences_say_where_the_paper_value_falls() {
        let s = sentence(&spread(Some(0.33), Some(12.0), Some(true)), 50);
        assert!(
            s.starts_with("EF ρ: the paper's 0.33 lies at the 12th percentile"),
            "{s}"
        );
        assert!(
            s.contains("inside our 5–95% range [0.320, 0.360]: typical"),
            "{s}"
        );
        let s = sentence(&spread(Some(0.20), Some(0.0), Some(false)), 50);
        assert!(
            s.contains(
                "below every replication, below our 5–95% range [0.320, 0.360]: not typical"
            ),
            "{s}"
        );
        let s = sentence(&spread(Some(0.50), Some(100.0), Some(false)), 50);
        assert!(s.contains("above every replication, above our"), "{s}");
        let s = sentence(&spread(Some(0.364), Some(100.0), Some(true)), 50);
        assert!(
            s.contains("just above our 5–95% range [0.320, 0.360], but within the rounding"),
            "{s}"
        );
        let s = sentence(&spread(None, None, None), 50);
        assert!(s.contains("the paper reports no value"), "{s}");
    }
}
