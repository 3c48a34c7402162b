//! The session CSV: logged LLM sessions, read and written.
//!
//! Format: a header `session, strategy, iteration, <objective>…`, then one row
//! per observed iteration. Sessions may differ in length and rows may come in
//! any order; objective names come from the header.

use std::collections::HashMap;
use std::path::Path;

/// One session: a strategy and its observed states by iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Session identifier as written in the file.
    pub id: String,
    /// Strategy name.
    pub strategy: String,
    /// Iterations, ascending.
    pub iterations: Vec<u32>,
    /// States, one per iteration.
    pub states: Vec<Vec<f64>>,
}

/// A set of sessions with named objectives.
#[derive(Debug, Clone, PartialEq)]
pub struct Sessions {
    /// Objective names (from the header).
    pub objectives: Vec<String>,
    /// Sessions in order of first appearance.
    pub sessions: Vec<Session>,
    /// Rows dropped by `allow_missing` because a value was missing.
    pub dropped_rows: usize,
}

/// Errors in session data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A problem with the header.
    #[error("{path}: line 1 (header): {message}")]
    Header {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A problem with a value or a row.
    #[error("{path}: line {line}, column '{column}': {message}")]
    Value {
        /// The file.
        path: String,
        /// 1-based line number.
        line: u64,
        /// Column name.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// An objective value is empty and missing values were not allowed.
    #[error("{path}: line {line}, column '{column}': missing value")]
    MissingValue {
        /// The file.
        path: String,
        /// 1-based line number.
        line: u64,
        /// Column name.
        column: String,
    },
    /// A problem with a whole row.
    #[error("{path}: line {line}: {message}")]
    Row {
        /// The file.
        path: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

impl SessionError {
    /// Whether the error is bad input (every session error is: an unreadable
    /// or malformed file the user named).
    pub fn is_input(&self) -> bool {
        match self {
            SessionError::Io { .. }
            | SessionError::Header { .. }
            | SessionError::Value { .. }
            | SessionError::MissingValue { .. }
            | SessionError::Row { .. } => true,
        }
    }
}

const KEYS: [&str; 3] = ["session", "strategy", "iteration"];

/// One parsed row: iteration, state, line number.
type Observation = (u32, Vec<f64>, u64);

impl Sessions {
    /// Reads a session CSV. With `allow_missing`, rows with a missing (empty)
    /// objective value are dropped and counted instead of being an error.
    pub fn read(path: &Path, allow_missing: bool) -> Result<Sessions, SessionError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SessionError::Io {
            path: name.clone(),
            source,
        })?;
        Self::parse(&text, &name, allow_missing)
    }

    /// Parses session CSV text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str, allow_missing: bool) -> Result<Sessions, SessionError> {
        let header_err = |m: String| SessionError::Header {
            path: origin.to_string(),
            message: m,
        };
        let (mut rdr, header) =
            super::table::open(text, "`session,strategy,iteration,<objective>...`")
                .map_err(header_err)?;
        let pos = |k: &str| header.iter().position(|h| h == k);
        let missing: Vec<&str> = KEYS.iter().copied().filter(|k| pos(k).is_none()).collect();
        if !missing.is_empty() {
            return Err(header_err(format!(
                "missing column(s) {}; the header was `{}`",
                missing.join(", "),
                header.join(",")
            )));
        }
        let (cs, ck, ci) = (
            pos("session").unwrap(),
            pos("strategy").unwrap(),
            pos("iteration").unwrap(),
        );
        let objective_cols: Vec<usize> = (0..header.len())
            .filter(|c| ![cs, ck, ci].contains(c))
            .collect();
        if objective_cols.is_empty() {
            return Err(header_err(
                "no objective columns after session, strategy, iteration".into(),
            ));
        }
        if objective_cols.len() > crate::model::MAX_OBJECTIVES {
            return Err(header_err(format!(
                "{} objective columns; at most {} are supported",
                objective_cols.len(),
                crate::model::MAX_OBJECTIVES
            )));
        }
        let objectives: Vec<String> = objective_cols.iter().map(|c| header[*c].clone()).collect();

        let mut order: Vec<String> = Vec::new();
        let mut by_id: HashMap<String, (String, Vec<Observation>)> = HashMap::new();
        let mut dropped = 0;
        let mut rows = 0;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let (line, message) = super::table::row_error(&e);
                SessionError::Row {
                    path: origin.to_string(),
                    line,
                    message,
                }
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            rows += 1;
            let value_err = |col: usize, m: String| SessionError::Value {
                path: origin.to_string(),
                line,
                column: header[col].clone(),
                message: m,
            };
            let id = rec[cs].to_string();
            if id.is_empty() {
                return Err(value_err(cs, "missing session id".into()));
            }
            let strategy = rec[ck].to_string();
            if strategy.is_empty() {
                return Err(value_err(ck, "missing strategy".into()));
            }
            let it: u32 = rec[ci].parse().map_err(|_| {
                value_err(
                    ci,
                    format!("'{}' is not a non-negative integer iteration", &rec[ci]),
                )
            })?;
            let mut x = Vec::with_capacity(objective_cols.len());
            let mut incomplete = false;
            for c in &objective_cols {
                let cell = &rec[*c];
                if cell.is_empty() {
                    if allow_missing {
                        incomplete = true;
                        break;
                    }
                    return Err(SessionError::MissingValue {
                        path: origin.to_string(),
                        line,
                        column: header[*c].clone(),
                    });
                }
                let v: f64 = cell
                    .parse()
                    .map_err(|_| value_err(*c, format!("'{cell}' is not a number")))?;
                if !v.is_finite() {
                    return Err(value_err(*c, format!("'{cell}' is not a finite number")));
                }
                x.push(v);
            }
            if incomplete {
                dropped += 1;
                continue;
            }
            let entry = by_id.entry(id.clone()).or_insert_with(|| {
                order.push(id.clone());
                (strategy.clone(), Vec::new())
            });
            if entry.0 != strategy {
                return Err(value_err(
                    ck,
                    format!(
                        "session '{id}' is logged under strategy '{}' earlier and '{strategy}' here",
                        entry.0
                    ),
                ));
            }
            if let Some(prev) = entry.1.iter().find(|r| r.0 == it) {
                return Err(SessionError::Row {
                    path: origin.to_string(),
                    line,
                    message: format!(
                        "session '{id}' iteration {it} appears twice (also on line {})",
                        prev.2
                    ),
                });
            }
            entry.1.push((it, x, line));
        }
        if rows == 0 {
            return Err(header_err("the header is followed by no data rows".into()));
        }
        let sessions = order
            .into_iter()
            .map(|id| {
                let (strategy, mut obs) = by_id.remove(&id).expect("recorded above");
                obs.sort_by_key(|r| r.0);
                Session {
                    id,
                    strategy,
                    iterations: obs.iter().map(|r| r.0).collect(),
                    states: obs.into_iter().map(|r| r.1).collect(),
                }
            })
            .collect();
        Ok(Sessions {
            objectives,
            sessions,
            dropped_rows: dropped,
        })
    }

    /// The CSV text of these sessions.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut head = vec!["session".to_string(), "strategy".into(), "iteration".into()];
        head.extend(self.objectives.iter().cloned());
        w.write_record(&head).expect("in memory");
        for s in &self.sessions {
            for (it, x) in s.iterations.iter().zip(&s.states) {
                let mut row = vec![s.id.clone(), s.strategy.clone(), it.to_string()];
                row.extend(x.iter().map(|v| super::table::num(*v)));
                w.write_record(&row).expect("in memory");
            }
        }
        w.into_inner().expect("in memory")
    }

    /// Strategy names in order of first appearance.
    pub fn strategies(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.sessions {
            if !out.contains(&s.strategy) {
                out.push(s.strategy.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_in_any_order_are_sorted_per_session() {
        let text = "session,strategy,iteration,a,b\ns1,X,1,2,3\ns2,Y,0,1,1\ns1,X,0,1,2\n";
        let s = Sessions::parse(text, "t.csv", false).unwrap();
        assert_eq!(s.objectives, ["a", "b"]);
        assert_eq!(s.sessions[0].iterations, [0, 1]);
        assert_eq!(s.sessions[0].states[1], [2.0, 3.0]);
        assert_eq!(s.strategies(), ["X", "Y"]);
        let again = Sessions::parse(std::str::from_utf8(&s.to_csv()).unwrap(), "u", false).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn missing_values_are_errors_unless_allowed() {
        let text = "session,strategy,iteration,a\ns,X,0,1\ns,X,1,\ns,X,2,3\n";
        let e = Sessions::parse(text, "t.csv", false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("'a'") && e.contains("missing value"),
            "{e}"
        );
        let s = Sessions::parse(text, "t.csv", true).unwrap();
        assert_eq!(s.dropped_rows, 1);
        assert_eq!(s.sessions[0].iterations, [0, 2]);
    }
}
