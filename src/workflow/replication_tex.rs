//! The LaTeX tables of `replicate --format latex` (`replication.tex`): the
//! distribution over replications, or one replication beside the paper.

use super::distribution::Distribution;
use super::distribution_report::display;
use super::replicate::Replication;
use crate::report::latex::{Cell, Table};

/// A statistic's name as LaTeX (Greek letters and powers in math mode).
fn display_latex(statistic: &str) -> Cell {
    match statistic {
        "rho" => Cell::Latex(r"$\rho$".into()),
        "r2_trajectory" => Cell::Latex(r"trajectory $R^2$".into()),
        "r2_one_step" => Cell::Latex(r"one-step $R^2$".into()),
        s => Cell::text(display(s)),
    }
}

impl Distribution {
    /// `replication.tex` for several replications: one row per statistic,
    /// ours as mean ± sd (rounded to the sd's precision).
    pub fn latex_table(&self, sessions: u32, iterations: u32) -> Table {
        let head = vec![
            Cell::text("strategy"),
            Cell::text("statistic"),
            Cell::text("paper"),
            Cell::Latex(r"ours (mean $\pm$ sd)".into()),
            Cell::text("5%"),
            Cell::text("95%"),
            Cell::text("percentile of paper"),
        ];
        let rows = self
            .statistics
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.strategy.as_deref().unwrap_or("pooled")),
                    display_latex(&s.statistic),
                    s.paper.map_or(Cell::text("--"), |p| Cell::fixed(p, 2)),
                    Cell::with_se(s.mean, Some(s.sd)),
                    Cell::num(s.p05),
                    Cell::num(s.p95),
                    s.paper_percentile
                        .map_or(Cell::text("--"), |p| Cell::text(format!("{p:.0}"))),
                ]
            })
            .collect();
        Table {
            caption: format!(
                "The paper's values against {} replications of its study ({} sessions x {} iterations per strategy): \
                 mean, standard deviation and 5-95% range of ours, and the percentile of the paper's value.",
                self.replications, sessions, iterations
            ),
            head,
            rows,
            digits: 3,
        }
    }
}

impl Replication {
    /// `replication.tex` (`replicate --format latex`): the distribution
    /// over the replications when there are several, else the paper's
    /// numbers beside ours per strategy (one equilibrium column per
    /// objective in `objectives`).
    pub fn latex_table(&self, objectives: &[String]) -> Table {
        if let Some(d) = &self.distribution {
            return d.latex_table(self.sessions, self.iterations);
        }
        let mut head = vec![Cell::text("strategy")];
        head.extend(
            [
                r"$\rho$ paper",
                r"$\rho$ ours",
                r"$R^2$ paper",
                r"$R^2$ ours",
                r"one-step $R^2$ ours",
            ]
            .map(|h| Cell::Latex(h.into())),
        );
        for o in objectives {
            head.push(Cell::text(format!("{o} paper")));
            head.push(Cell::text(format!("{o} ours")));
        }
        let rows = self
            .strategies
            .iter()
            .map(|s| {
                let mut row = vec![
                    Cell::text(&s.name),
                    Cell::fixed(s.paper.rho, 2),
                    Cell::num(s.ours.rho),
                    Cell::fixed(s.paper.r2, 2),
                    Cell::num(s.ours.r2),
                    Cell::num(s.r2_one_step),
                ];
                for i in 0..objectives.len() {
                    let at = |v: &[f64]| v.get(i).copied().unwrap_or(f64::NAN);
                    row.push(Cell::fixed(at(&s.paper.equilibrium), 2));
                    row.push(Cell::num(at(&s.ours.equilibrium)));
                }
                row
            })
            .collect();
        let (p, o) = (self.interference.paper, self.interference.ours);
        Table {
            caption: format!(
                "The paper's results against one replication ({} sessions x {} iterations per strategy, seed {}): \
                 convergence rate, trajectory R2 and equilibria. Pooled increment correlations: I_fe paper {:.2}, \
                 ours {:.3}; I_fs paper {:.2}, ours {:.3}.",
                self.sessions, self.iterations, self.seed, p.i_fe, o.i_fe, p.i_fs, o.i_fs
            ),
            head,
            rows,
            digits: 3,
        }
    }
}
