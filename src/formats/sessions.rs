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

/// Where the columns are in a session CSV.
struct Columns {
    /// The header.
    header: Vec<String>,
    /// Indices of `session`, `strategy` and `iteration`.
    keys: [usize; 3],
    /// Indices of the objective columns, in file order.
    objectives: Vec<usize>,
}

impl Columns {
    /// Finds the key columns and the objective columns; the error says what
    /// is wrong with the header.
    fn new(header: Vec<String>) -> Result<Columns, String> {
        let pos = |k: &str| header.iter().position(|h| h == k);
        let missing: Vec<&str> = KEYS.iter().copied().filter(|k| pos(k).is_none()).collect();
        if !missing.is_empty() {
            return Err(format!(
                "missing column(s) {}; the header was `{}`",
                missing.join(", "),
                header.join(",")
            ));
        }
        let keys = KEYS.map(|k| pos(k).expect("checked above"));
        let objectives: Vec<usize> = (0..header.len()).filter(|c| !keys.contains(c)).collect();
        if objectives.is_empty() {
            return Err("no objective columns after session, strategy, iteration".into());
        }
        if objectives.len() > crate::model::MAX_OBJECTIVES {
            return Err(format!(
                "{} objective columns; at most {} are supported",
                objectives.len(),
                crate::model::MAX_OBJECTIVES
            ));
        }
        Ok(Columns {
            header,
            keys,
            objectives,
        })
    }
}

/// One data row, checked: session id, strategy, iteration and the state
/// (`None` when a value is missing and missing values are allowed).
type Row = (String, String, u32, Option<Vec<f64>>);

/// Why a row does not fit its session, in words.
enum Conflict {
    /// The session was logged under another strategy before.
    Strategy(String),
    /// The session has this iteration already.
    Repeated(String),
}

/// Sessions as their rows arrive, in order of first appearance.
#[derive(Default)]
struct Collector {
    order: Vec<String>,
    by_id: HashMap<String, (String, Vec<Observation>)>,
}

impl Collector {
    /// Adds an observation to its session.
    fn add(&mut self, id: String, strategy: String, obs: Observation) -> Result<(), Conflict> {
        let entry = self.by_id.entry(id.clone()).or_insert_with(|| {
            self.order.push(id.clone());
            (strategy.clone(), Vec::new())
        });
        if entry.0 != strategy {
            return Err(Conflict::Strategy(format!(
                "session '{id}' is logged under strategy '{}' earlier and '{strategy}' here",
                entry.0
            )));
        }
        let it = obs.0;
        if let Some(prev) = entry.1.iter().find(|r| r.0 == it) {
            return Err(Conflict::Repeated(format!(
                "session '{id}' iteration {it} appears twice (also on line {})",
                prev.2
            )));
        }
        entry.1.push(obs);
        Ok(())
    }

    /// The sessions, each sorted by iteration.
    fn finish(mut self) -> Vec<Session> {
        self.order
            .into_iter()
            .map(|id| {
                let (strategy, mut obs) = self.by_id.remove(&id).expect("recorded above");
                obs.sort_by_key(|r| r.0);
                Session {
                    id,
                    strategy,
                    iterations: obs.iter().map(|r| r.0).collect(),
                    states: obs.into_iter().map(|r| r.1).collect(),
                }
            })
            .collect()
    }
}

/// Checks one record. `origin` names the file in errors.
fn row(
    rec: &csv::StringRecord,
    cols: &Columns,
    allow_missing: bool,
    origin: &str,
    line: u64,
) -> Result<Row, SessionError> {
    let value_err = |col: usize, m: String| SessionError::Value {
        path: origin.to_string(),
        line,
        column: cols.header[col].clone(),
        message: m,
    };
    let [cs, ck, ci] = cols.keys;
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
    let mut x = Vec::with_capacity(cols.objectives.len());
    for &c in &cols.objectives {
        let cell = &rec[c];
        if cell.is_empty() {
            if allow_missing {
                return Ok((id, strategy, it, None));
            }
            return Err(SessionError::MissingValue {
                path: origin.to_string(),
                line,
                column: cols.header[c].clone(),
            });
        }
        let v: f64 = cell
            .parse()
            .map_err(|_| value_err(c, format!("'{cell}' is not a number")))?;
        if !v.is_finite() {
            return Err(value_err(c, format!("'{cell}' is not a finite number")));
        }
        x.push(v);
    }
    Ok((id, strategy, it, Some(x)))
}

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
        let cols = Columns::new(header).map_err(header_err)?;
        let mut sessions = Collector::default();
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
            let (id, strategy, it, Some(x)) = row(&rec, &cols, allow_missing, origin, line)? else {
                dropped += 1;
                continue;
            };
            sessions
                .add(id, strategy, (it, x, line))
                .map_err(|c| match c {
                    Conflict::Strategy(message) => SessionError::Value {
                        path: origin.to_string(),
                        line,
                        column: "strategy".into(),
                        message,
                    },
                    Conflict::Repeated(message) => SessionError::Row {
                        path: origin.to_string(),
                        line,
                        message,
                    },
                })?;
        }
        if rows == 0 {
            return Err(header_err("the header is followed by no data rows".into()));
        }
        Ok(Sessions {
            objectives: cols
                .objectives
                .iter()
                .map(|c| cols.header[*c].clone())
                .collect(),
            sessions: sessions.finish(),
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

    #[test]
    fn row_conflicts_and_header_problems_are_typed() {
        let parse = |t: &str| Sessions::parse(t, "t.csv", false).unwrap_err();
        let h = "session,strategy,iteration,a\n";
        let e = parse(&format!("{h}s,X,0,1\ns,Y,1,2\n"));
        assert!(
            matches!(&e, SessionError::Value { line: 3, column, .. } if column == "strategy"),
            "{e}"
        );
        let e = parse(&format!("{h}s,X,0,1\ns,X,0,2\n"));
        assert!(matches!(&e, SessionError::Row { line: 3, .. }), "{e}");
        assert!(e.to_string().contains("also on line 2"), "{e}");
        let e = parse(&format!("{h}s,X,0,\n"));
        assert!(
            matches!(&e, SessionError::MissingValue { line: 2, .. }),
            "{e}"
        );
        assert!(!e.to_string().contains("--"), "{e}");
        let e = parse("iteration,strategy,a\n0,X,1\n");
        assert!(e.to_string().contains("missing column(s) session"), "{e}");
        let e = parse(h);
        assert!(e.to_string().contains("no data rows"), "{e}");
        assert!(e.is_input());
    }
}
