//! What a finished sweep says: each metric's Monte Carlo error against its
//! spread over the design (`mc_error.csv`), and for Sobol' and Morris
//! designs the sensitivity indices (`sensitivity.csv`).
//!
//! The estimators are in [`crate::analysis::sensitivity`]; this module ties
//! them to the designs whose point layout they assume.

use std::path::Path;

use super::run::replicate_sd;
use super::store::{REPLICATES, ROWS};
use super::{Design, Sweep, SweepError};
use crate::analysis::sensitivity::{morris_indices, sobol_indices};
use crate::report::{self, num};

/// Indices of one parameter for one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Indices {
    /// Sobol' first-order and total indices with bootstrap 95% intervals.
    Sobol {
        /// First-order index.
        s1: f64,
        /// Its interval.
        s1_ci: [f64; 2],
        /// Total index.
        st: f64,
        /// Its interval.
        st_ci: [f64; 2],
    },
    /// Morris elementary effects.
    Morris {
        /// Mean absolute effect.
        mu_star: f64,
        /// Spread of the effects.
        sigma: f64,
    },
}

impl Indices {
    /// The ranking key: ST for Sobol', μ* for Morris.
    pub fn rank(&self) -> f64 {
        match self {
            Indices::Sobol { st, .. } => *st,
            Indices::Morris { mu_star, .. } => *mu_star,
        }
    }

    /// The `sensitivity.csv` columns S1, S1_lo, S1_hi, ST, ST_lo, ST_hi,
    /// mu_star, sigma (empty where the design gives none).
    fn cells(&self) -> [f64; 8] {
        let nan = f64::NAN;
        match *self {
            Indices::Sobol {
                s1,
                s1_ci,
                st,
                st_ci,
            } => [s1, s1_ci[0], s1_ci[1], st, st_ci[0], st_ci[1], nan, nan],
            Indices::Morris { mu_star, sigma } => [nan, nan, nan, nan, nan, nan, mu_star, sigma],
        }
    }
}

/// A metric's Monte Carlo error and its spread over the design.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricError {
    /// The metric.
    pub metric: String,
    /// Standard deviation over the centre-point replicates (NaN without them).
    pub mc_se: f64,
    /// Standard deviation over the design's points.
    pub design_sd: f64,
}

impl MetricError {
    /// How much of the spread over the design is noise.
    pub fn ratio(&self) -> f64 {
        self.mc_se / self.design_sd
    }
}

/// The indices of one metric, one entry per parameter in spec order.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricIndices {
    /// The metric.
    pub metric: String,
    /// (parameter path, indices).
    pub parameters: Vec<(String, Indices)>,
}

/// The analysis of a finished sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Points that failed model validation (left out of every index).
    pub invalid_points: usize,
    /// Monte Carlo error per metric.
    pub errors: Vec<MetricError>,
    /// Indices per metric (empty unless asked for).
    pub indices: Vec<MetricIndices>,
}

/// Above this share of noise in a metric's spread, its indices are mostly noise.
const NOISY: f64 = 0.3;

impl Analysis {
    /// What the user should know: invalid points and noisy metrics.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.invalid_points > 0 {
            out.push(format!(
                "{} points failed model validation; they are in sweep.csv with their reason and left out of every index",
                self.invalid_points
            ));
        }
        for e in &self.errors {
            if e.ratio() > NOISY {
                out.push(format!(
                    "{}: the Monte Carlo error ({:.3e}) is {:.0}% of the spread over the design ({:.3e}); indices of this metric are mostly noise: raise paths",
                    e.metric,
                    e.mc_se,
                    100.0 * e.ratio(),
                    e.design_sd
                ));
            }
        }
        out
    }

    /// `mc_error.csv`.
    pub fn errors_csv(&self) -> String {
        let mut text = String::from("metric,mc_se,design_sd,se_over_sd\n");
        for e in &self.errors {
            text += &format!(
                "{},{},{},{}\n",
                e.metric,
                num(e.mc_se),
                num(e.design_sd),
                num(e.ratio())
            );
        }
        text
    }

    /// `sensitivity.csv`.
    pub fn indices_csv(&self) -> String {
        let mut out =
            String::from("metric,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,mu_star,sigma\n");
        for m in &self.indices {
            for (param, ix) in &m.parameters {
                let cells: Vec<String> = ix.cells().iter().map(|x| num(*x)).collect();
                out += &format!("{},{},{}\n", m.metric, param, cells.join(","));
            }
        }
        out
    }

    /// The indices as text tables for people, each metric ranked by ST
    /// (Sobol') or μ* (Morris).
    pub fn console(&self) -> String {
        let mut printed = String::new();
        for (m, e) in self.indices.iter().zip(&self.errors) {
            let mut rows = m.parameters.clone();
            rows.sort_by(|a, b| b.1.rank().total_cmp(&a.1.rank()));
            printed += &format!(
                "\n{} (Monte Carlo s.e. {:.3e}, spread over the design {:.3e})\n",
                m.metric, e.mc_se, e.design_sd
            );
            let sobol = matches!(rows.first(), Some((_, Indices::Sobol { .. })));
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|(p, ix)| match ix {
                    Indices::Sobol {
                        s1,
                        s1_ci,
                        st,
                        st_ci,
                    } => vec![
                        p.clone(),
                        format!("{s1:.3} [{:.3}, {:.3}]", s1_ci[0], s1_ci[1]),
                        format!("{st:.3} [{:.3}, {:.3}]", st_ci[0], st_ci[1]),
                    ],
                    Indices::Morris { mu_star, sigma } => {
                        vec![p.clone(), format!("{mu_star:.4}"), format!("{sigma:.4}")]
                    }
                })
                .collect();
            let head: &[&str] = if sobol {
                &["parameter", "S1 [95% CI]", "ST [95% CI]"]
            } else {
                &["parameter", "mu*", "sigma"]
            };
            printed += &report::table(head, &table);
        }
        printed
    }
}

/// `mc_replicates.csv`: the metrics of each centre-point replicate.
pub fn replicates_csv(sweep: &Sweep, replicates: &[Vec<f64>]) -> String {
    let mut text = format!("replicate,{}\n", sweep.metrics.join(","));
    for (r, m) in replicates.iter().enumerate() {
        let cells: Vec<String> = m.iter().map(|v| num(*v)).collect();
        text += &format!("{r},{}\n", cells.join(","));
    }
    text
}

impl Sweep {
    /// Checks that the design supports sensitivity indices.
    pub fn check_indices(&self, origin: &str) -> Result<(), SweepError> {
        if matches!(self.spec.design, Design::Sobol | Design::Morris) {
            return Ok(());
        }
        Err(SweepError::Invalid {
            origin: origin.to_string(),
            field: "design".into(),
            reason: format!(
                "sensitivity needs design = \"sobol\" (Sobol' indices) or \"morris\" (elementary effects), not {:?}",
                self.spec.design
            ),
        })
    }
}

fn read(path: &Path) -> Result<String, SweepError> {
    std::fs::read_to_string(path).map_err(|source| SweepError::File {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a finished sweep's folder, writes `mc_error.csv` and, when
/// `indices` is set, `sensitivity.csv`, and returns what they hold.
pub fn analyze(dir: &Path, sweep: &Sweep, indices: bool) -> Result<Analysis, SweepError> {
    let rows_path = dir.join(ROWS);
    let text = read(&rows_path)?;
    let p = sweep.parameters.len();
    let m = sweep.metrics.len();
    let mut y: Vec<Vec<f64>> = vec![Vec::new(); m];
    let mut invalid_points = 0;
    for rec in csv::Reader::from_reader(text.as_bytes()).records() {
        let rec = rec.map_err(|e| SweepError::Folder {
            path: rows_path.clone(),
            why: format!("damaged: {e}"),
        })?;
        // `status` is the last column (after the `_se` columns, when asked for).
        if rec.get(rec.len().saturating_sub(1)) != Some("ok") {
            invalid_points += 1;
        }
        for (k, col) in y.iter_mut().enumerate() {
            col.push(rec[1 + p + k].parse().unwrap_or(f64::NAN));
        }
    }
    let points: Vec<Vec<f64>> = (0..y[0].len())
        .map(|i| y.iter().map(|c| c[i]).collect())
        .collect();
    let design_sd = replicate_sd(&points, m);
    let mc_se = match std::fs::read_to_string(dir.join(REPLICATES)) {
        Ok(t) => {
            let reps: Vec<Vec<f64>> = t
                .lines()
                .skip(1)
                .map(|l| {
                    l.split(',')
                        .skip(1)
                        .map(|c| c.parse().unwrap_or(f64::NAN))
                        .collect()
                })
                .collect();
            replicate_sd(&reps, m)
        }
        Err(_) => vec![f64::NAN; m],
    };
    let errors = (0..m)
        .map(|k| MetricError {
            metric: sweep.metrics[k].clone(),
            mc_se: mc_se[k],
            design_sd: design_sd[k],
        })
        .collect();
    let mut analysis = Analysis {
        invalid_points,
        errors,
        indices: Vec::new(),
    };
    report::write_atomic(&dir.join("mc_error.csv"), analysis.errors_csv().as_bytes())?;
    if indices {
        analysis.indices = (0..m).map(|k| metric_indices(sweep, k, &y[k])).collect();
        report::write_atomic(
            &dir.join("sensitivity.csv"),
            analysis.indices_csv().as_bytes(),
        )?;
    }
    Ok(analysis)
}

fn metric_indices(sweep: &Sweep, k: usize, y: &[f64]) -> MetricIndices {
    let d = sweep.parameters.len();
    let names = sweep.parameters.iter().map(|p| p.path.clone());
    let parameters = match sweep.spec.design {
        Design::Morris => {
            let s = morris_indices(&sweep.unit_points(), y, d);
            names
                .enumerate()
                .map(|(i, p)| {
                    let ix = Indices::Morris {
                        mu_star: s.mu_star[i],
                        sigma: s.sigma[i],
                    };
                    (p, ix)
                })
                .collect()
        }
        _ => {
            let s = sobol_indices(y, d, sweep.spec.bootstrap, sweep.spec.seed);
            names
                .enumerate()
                .map(|(i, p)| {
                    let ix = Indices::Sobol {
                        s1: s.s1[i],
                        s1_ci: s.s1_ci[i],
                        st: s.st[i],
                        st_ci: s.st_ci[i],
                    };
                    (p, ix)
                })
                .collect()
        }
    };
    MetricIndices {
        metric: sweep.metrics[k].clone(),
        parameters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_leave_the_other_design_empty() {
        let a = Analysis {
            invalid_points: 0,
            errors: vec![MetricError {
                metric: "m".into(),
                mc_se: 0.5,
                design_sd: 1.0,
            }],
            indices: vec![MetricIndices {
                metric: "m".into(),
                parameters: vec![
                    (
                        "p".into(),
                        Indices::Morris {
                            mu_star: 2.0,
                            sigma: 0.5,
                        },
                    ),
                    (
                        "q".into(),
                        Indices::Morris {
                            mu_star: 3.0,
                            sigma: 0.1,
                        },
                    ),
                ],
            }],
        };
        assert_eq!(
            a.indices_csv(),
            "metric,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,mu_star,sigma\nm,p,,,,,,,2,0.5\nm,q,,,,,,,3,0.1\n"
        );
        assert_eq!(
            a.errors_csv(),
            "metric,mc_se,design_sd,se_over_sd\nm,0.5,1,0.5\n"
        );
        // Ranked by μ*: q before p.
        let text = a.console();
        assert!(
            text.find("q").unwrap() < text.find(" p ").unwrap_or(usize::MAX),
            "{text}"
        );
        assert_eq!(a.warnings().len(), 1, "a noise share of 50% is flagged");
    }
}
