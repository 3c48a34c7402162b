//! The rows of a sweep on disk: `sweep.csv` (a plain CSV sorted by point)
//! and `sweep.partial.csv`, the rows an unfinished run has finished so far.
//!
//! Partial rows are appended as the run goes, so a kill or a full disk can
//! tear the last one. Each partial row therefore ends with a `check` cell,
//! the first 16 hex digits of the SHA-256 of the rest of its line: a row
//! whose line is incomplete or whose check does not match is the torn tail,
//! dropped on resume so that its point runs again.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use super::run::Row;
use super::{Sweep, SweepError};
use crate::report::{self, run_dir::sha256_hex};

/// Rows by point: point → its CSV line, newline included.
pub type Rows = BTreeMap<u64, String>;

fn folder(path: &Path, why: impl Into<String>) -> SweepError {
    SweepError::Folder {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::File {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_record(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(cells).expect("writes to memory");
    String::from_utf8(w.into_inner().expect("writes to memory")).expect("cells are UTF-8")
}

/// The header of `sweep.csv`, newline included.
pub fn header_line(sweep: &Sweep) -> String {
    let mut h = vec!["point".to_string()];
    h.extend(sweep.parameters.iter().map(|p| p.path.clone()));
    h.extend(sweep.metrics.iter().cloned());
    if sweep.spec.se {
        h.extend(sweep.metrics.iter().map(|m| format!("{m}_se")));
    }
    h.push("status".into());
    csv_record(&h)
}

/// The header of `sweep.partial.csv`: that of `sweep.csv` and `check`.
fn partial_header(sweep: &Sweep) -> String {
    format!("{},check\n", header_line(sweep).trim_end())
}

/// A row's line in `sweep.csv`, newline included.
pub fn row_line(row: &Row) -> String {
    let mut cells = vec![row.point.to_string()];
    cells.extend(row.values.iter().map(|v| report::num(*v)));
    cells.extend(row.metrics.iter().map(|v| report::num(*v)));
    cells.extend(row.errors.iter().map(|v| report::num(*v)));
    cells.push(row.status.clone());
    csv_record(&cells)
}

fn check(line: &str) -> String {
    sha256_hex(line.as_bytes())[..16].to_string()
}

/// A `sweep.csv` line (newline included) as a partial row: the line, its
/// check cell and a newline.
pub fn checked_line(line: &str) -> String {
    let line = line.trim_end_matches('\n');
    format!("{line},{}\n", check(line))
}

/// The text of a partial file holding `rows`.
pub fn partial_text(sweep: &Sweep, rows: &Rows) -> String {
    let mut text = partial_header(sweep);
    for line in rows.values() {
        text.push_str(&checked_line(line));
    }
    text
}

fn point_of(path: &Path, line_no: usize, line: &str) -> Result<u64, SweepError> {
    line.split(',')
        .next()
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| {
            folder(
                path,
                format!("line {line_no}: no point number; the file is damaged"),
            )
        })
}

/// Reads a partial file: the rows whose check holds. A torn last row is
/// dropped (its point runs again); a bad row before it means the file was
/// damaged some other way, and is an error naming the line.
pub fn read_partial(path: &Path, sweep: &Sweep) -> Result<Rows, SweepError> {
    let text = std::fs::read_to_string(path).map_err(file_error(path))?;
    let header = partial_header(sweep);
    if !text.starts_with(&header) {
        return Err(folder(
            path,
            "line 1: not the header of this sweep's partial rows; the file is damaged",
        ));
    }
    let body = &text[header.len()..];
    // Only lines ended by a newline were written whole.
    let complete = body.rfind('\n').map_or("", |end| &body[..=end]);
    let lines: Vec<&str> = complete.lines().collect();
    let mut rows = Rows::new();
    for (k, line) in lines.iter().enumerate() {
        let valid = line
            .rsplit_once(',')
            .filter(|(row, sum)| check(row) == *sum)
            .map(|(row, _)| row);
        match valid {
            Some(row) => {
                rows.insert(point_of(path, k + 2, row)?, format!("{row}\n"));
            }
            None if k + 1 == lines.len() => {}
            None => {
                return Err(folder(
                    path,
                    format!(
                        "line {}: the row's check does not match; the file is damaged",
                        k + 2
                    ),
                ));
            }
        }
    }
    Ok(rows)
}

/// Reads the rows of a finished `sweep.csv`, checking its header and that
/// every row has one cell per column.
pub fn read_rows(path: &Path, sweep: &Sweep) -> Result<Rows, SweepError> {
    let text = std::fs::read_to_string(path).map_err(file_error(path))?;
    let header = header_line(sweep);
    if !text.starts_with(&header) {
        return Err(folder(
            path,
            "line 1: not this sweep's header; the file is damaged",
        ));
    }
    if !text.ends_with('\n') {
        return Err(folder(
            path,
            format!(
                "line {}: incomplete (the file is truncated); the file is damaged",
                text.lines().count()
            ),
        ));
    }
    let errors = if sweep.spec.se {
        sweep.metrics.len()
    } else {
        0
    };
    let cells = 2 + sweep.parameters.len() + sweep.metrics.len() + errors;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Rows::new();
    for (k, (rec, line)) in reader.records().zip(text.lines().skip(1)).enumerate() {
        let bad = |why: String| folder(path, format!("line {}: {why}; the file is damaged", k + 2));
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        if rec.len() != cells {
            return Err(bad(format!("{} cells where {cells} belong", rec.len())));
        }
        let point = point_of(path, k + 2, line)?;
        if rows.insert(point, format!("{line}\n")).is_some() {
            return Err(bad(format!("point {point} appears twice")));
        }
    }
    Ok(rows)
}

/// Checks that `rows` are exactly the points `range`, each once.
pub fn check_points(path: &Path, rows: &Rows, range: &Range<u64>) -> Result<(), SweepError> {
    if let Some(p) = rows.keys().find(|p| !range.contains(p)) {
        return Err(folder(
            path,
            format!(
                "holds point {p}, outside its shard's points {}..{}",
                range.start, range.end
            ),
        ));
    }
    let want = range.end - range.start;
    if rows.len() as u64 != want {
        let missing = range.clone().find(|p| !rows.contains_key(p)).unwrap_or(0);
        return Err(folder(
            path,
            format!(
                "holds {} of its {want} points (point {missing} is missing)",
                rows.len()
            ),
        ));
    }
    Ok(())
}

/// Writes `sweep.csv` into `dir` from rows (sorted by point).
pub fn write_rows(dir: &Path, sweep: &Sweep, rows: &Rows) -> Result<(), SweepError> {
    let mut text = header_line(sweep);
    for line in rows.values() {
        text.push_str(line);
    }
    report::write_atomic(&dir.join(super::store::ROWS), text.as_bytes())?;
    Ok(())
}
