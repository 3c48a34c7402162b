//! Running a sweep: points in batches (many parameter sets per dispatch),
//! one report per point, metrics read off it.
//!
//! A point's numbers depend only on the spec and the point: its noise stream
//! is fixed by the point (or shared by all points with common random
//! numbers), and its blocks of paths by its own path count. So batches,
//! shards and resumed runs all give the same rows.

use rayon::prelude::*;

use crate::analysis::{Reduction, Report, ReportOptions};
use crate::engine::{Engine, Integration, Job, JobOptions, SaveAt, Scenario};
use crate::model::{Model, ModelError, Policy};

use std::sync::Mutex;

use super::{ScalarName, Sweep, SweepError, apply, each_scalar, scalars_with_errors};

/// Paths per batch: enough sets per dispatch to fill a large GPU.
const BATCH_PATHS: u64 = 1 << 22;

/// A point's metric values and their standard errors.
type MetricsAndErrors = (Vec<f64>, Vec<f64>);

/// One evaluated point.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Point index in the design.
    pub point: u64,
    /// Parameter values.
    pub values: Vec<f64>,
    /// Metric values, in the sweep's metric order (NaN when undefined).
    pub metrics: Vec<f64>,
    /// Their standard errors, when the spec asks for them (`se = true`);
    /// empty otherwise.
    pub errors: Vec<f64>,
    /// `ok`, or why the point was skipped.
    pub status: String,
}

impl Sweep {
    /// Points per batch for this sweep.
    pub fn batch_points(&self) -> usize {
        let per_point = self.spec.paths * self.strategies.len() as u64;
        ((BATCH_PATHS / per_point.max(1)).max(1) as usize).min(4096)
    }

    fn options(&self, seed: u64) -> JobOptions {
        JobOptions {
            integration: Integration {
                paths: self.spec.paths,
                steps: self.spec.steps,
                seed,
                common_noise: self.spec.common_random_numbers,
                ..Default::default()
            },
            save: SaveAt {
                keep_terminal: self.spec.paths as u32,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Evaluates the given points (indices into `unit`), batch by batch,
    /// calling `done` with each finished batch (for progress and for
    /// resumable output).
    pub fn evaluate(
        &self,
        engine: &mut dyn Engine,
        unit: &[Vec<f64>],
        ids: &[u64],
        done: &mut dyn FnMut(&[Row]) -> Result<(), SweepError>,
    ) -> Result<(), SweepError> {
        for batch in ids.chunks(self.batch_points()) {
            let rows = self.evaluate_batch(engine, unit, batch, self.spec.seed)?;
            done(&rows)?;
        }
        Ok(())
    }

    fn evaluate_batch(
        &self,
        engine: &mut dyn Engine,
        unit: &[Vec<f64>],
        ids: &[u64],
        seed: u64,
    ) -> Result<Vec<Row>, SweepError> {
        let s = self.strategies.len();
        let mut rows = Vec::with_capacity(ids.len());
        let mut scenarios = Vec::new();
        let mut owners = Vec::new(); // (row index, first scenario)
        for &id in ids {
            let values = self.values(&unit[id as usize]);
            let spec = apply(&self.model.spec, &self.parameters, &values);
            match Model::from_spec(spec, &format!("point {id}")) {
                Ok(model) => {
                    owners.push((rows.len(), scenarios.len()));
                    for (j, &k) in self.strategies.iter().enumerate() {
                        let mut sc = Scenario::new(&model, Policy::Fixed { strategy: k });
                        sc.stream = Some(if self.spec.common_random_numbers {
                            j as u32
                        } else {
                            (id as u32).wrapping_mul(s as u32) + j as u32
                        });
                        scenarios.push(sc);
                    }
                    rows.push(Row {
                        point: id,
                        values,
                        metrics: Vec::new(),
                        errors: Vec::new(),
                        status: "ok".into(),
                    });
                }
                Err(e) => {
                    let reason = match &e {
                        ModelError::Invalid { problems, .. } => problems
                            .iter()
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>()
                            .join("; "),
                        other => other.to_string(),
                    };
                    rows.push(Row {
                        point: id,
                        values,
                        metrics: vec![f64::NAN; self.metrics.len()],
                        errors: if self.spec.se {
                            vec![f64::NAN; self.metrics.len()]
                        } else {
                            Vec::new()
                        },
                        status: format!("invalid: {reason}"),
                    });
                }
            }
        }
        if !scenarios.is_empty() {
            let job = Job::new(&scenarios, &self.options(seed))?;
            let out = engine.run(&job, &mut |_| {})?;
            let info = engine.info();
            // Reports (quantiles, fronts, hypervolumes) are host work: one
            // point per task keeps every core busy while the device idles.
            let opts = ReportOptions {
                skip_errors: !self.spec.se,
                ..Default::default()
            };
            let index = Mutex::new(None);
            let metrics: Vec<(usize, MetricsAndErrors)> = owners
                .par_iter()
                .map(|&(row, first)| {
                    let report = Reduction::from_sets(
                        &scenarios[first..first + s],
                        &job,
                        first,
                        &out.sets[first..first + s],
                        &info,
                        &opts,
                    )
                    .report;
                    (row, self.indexed_metric_values(&report, &index))
                })
                .collect();
            for (row, (m, e)) in metrics {
                rows[row].metrics = m;
                if self.spec.se {
                    rows[row].errors = e;
                }
            }
        }
        Ok(rows)
    }

    /// The sweep's metrics read off a point's report.
    pub fn metric_values(&self, report: &Report) -> Vec<f64> {
        self.metric_values_with_errors(report).0
    }

    /// The sweep's metrics and their standard errors read off a point's
    /// report.
    pub fn metric_values_with_errors(&self, report: &Report) -> (Vec<f64>, Vec<f64>) {
        let names = self.model.objective_names();
        let mut all = Vec::new();
        for st in &report.strategies {
            for (field, v, e) in scalars_with_errors(st, &names) {
                all.push((format!("{}.{field}", st.name), v, e));
            }
        }
        // The metrics usually follow the report's order: each is looked for
        // first just after the previous one found, then from the start.
        let mut next = 0;
        self.metrics
            .iter()
            .map(|m| {
                let at = all
                    .get(next)
                    .filter(|(n, ..)| n == m)
                    .map(|_| next)
                    .or_else(|| all.iter().position(|(n, ..)| n == m));
                at.map_or((f64::NAN, f64::NAN), |j| {
                    next = j + 1;
                    (all[j].1, all[j].2)
                })
            })
            .unzip()
    }

    /// [`Sweep::metric_values_with_errors`], with the metrics' positions
    /// among the report's scalars kept in `index` and reused while the
    /// reports name the same scalars (compared by their names' parts, which
    /// costs no formatting).
    fn indexed_metric_values(
        &self,
        report: &Report,
        index: &Mutex<Option<MetricIndex>>,
    ) -> MetricsAndErrors {
        let n = self.model.n();
        let mut names = Vec::with_capacity(report.strategies.len());
        let mut values = Vec::new();
        for st in &report.strategies {
            let mut parts = Vec::new();
            each_scalar(st, n, &mut |name, v, e| {
                parts.push(name);
                values.push((v, e));
            });
            names.push((st.name.clone(), parts));
        }
        let mut index = index.lock().unwrap_or_else(|e| e.into_inner());
        if index.as_ref().is_none_or(|ix| ix.names != names) {
            *index = Some(MetricIndex::new(
                names,
                &self.metrics,
                &self.model.objective_names(),
            ));
        }
        let at = &index.as_ref().expect("set above").at;
        at.iter()
            .map(|a| a.map_or((f64::NAN, f64::NAN), |j| values[j]))
            .unzip()
    }

    /// The design's centre (unit coordinates 0.5), evaluated `mc_replicates`
    /// times with independent noise: the spread of each metric across these
    /// replicates is its Monte Carlo standard error.
    pub fn replicate_centre(&self, engine: &mut dyn Engine) -> Result<Vec<Vec<f64>>, SweepError> {
        let centre = vec![vec![0.5; self.parameters.len()]];
        (0..self.spec.mc_replicates)
            .map(|r| {
                let seed = self.spec.seed.wrapping_add(0x1000 + u64::from(r));
                Ok(self
                    .evaluate_batch(engine, &centre, &[0], seed)?
                    .remove(0)
                    .metrics)
            })
            .collect()
    }
}

/// Where each metric sits among the scalars of reports whose strategies
/// (name, scalar names) are `names`.
struct MetricIndex {
    names: Vec<(String, Vec<ScalarName>)>,
    at: Vec<Option<usize>>,
}

impl MetricIndex {
    /// The first scalar named as each metric (as
    /// [`Sweep::metric_values_with_errors`] finds it).
    fn new(
        names: Vec<(String, Vec<ScalarName>)>,
        metrics: &[String],
        objectives: &[String],
    ) -> Self {
        let full: Vec<String> = names
            .iter()
            .flat_map(|(st, parts)| parts.iter().map(move |p| (st, p)))
            .map(|(st, p)| format!("{st}.{}", p.render(objectives)))
            .collect();
        let at = metrics
            .iter()
            .map(|m| full.iter().position(|f| f == m))
            .collect();
        MetricIndex { names, at }
    }
}

/// Standard deviation of each metric across replicates (NaN-aware).
pub fn replicate_sd(replicates: &[Vec<f64>], metrics: usize) -> Vec<f64> {
    (0..metrics)
        .map(|m| {
            let v: Vec<f64> = replicates
                .iter()
                .map(|r| r[m])
                .filter(|x| x.is_finite())
                .collect();
            if v.len() < 2 {
                return f64::NAN;
            }
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Run;
    use crate::engine::cpu::CpuEngine;

    #[test]
    fn indexed_metrics_are_the_named_ones() {
        let text = "model = \"code-generation\"\nstrategies = [\"AI\"]\npaths = 256\nsteps = 5\ndesign = \"grid\"\nsamples = 2\n[[parameters]]\npath = \"x0[1]\"\nrange = [1.0, 2.0]\n";
        let sweep = Sweep::from_toml(text, "spec.toml", None).unwrap();
        let scenarios = Scenario::defaults(&sweep.model);
        let job = Job::new(&scenarios, &JobOptions::paths(256)).unwrap();
        let mut cpu = CpuEngine::new(1).unwrap();
        let run = Run::execute(&mut cpu, scenarios, job, &mut |_| {}).unwrap();
        let report = Reduction::new(&run, &ReportOptions::default()).report;
        // Another shape (no effective equilibrium), then the first again.
        let mut other = report.clone();
        other.strategies[0].effective_equilibrium.clear();
        let bits = |(m, e): MetricsAndErrors| -> Vec<u64> {
            m.iter().chain(&e).map(|x| x.to_bits()).collect()
        };
        let index = Mutex::new(None);
        for r in [&report, &other, &report] {
            let want = sweep.metric_values_with_errors(r);
            assert!(want.0.iter().any(|x| x.is_finite()));
            assert_eq!(bits(sweep.indexed_metric_values(r, &index)), bits(want));
        }
    }
}
