//! Point tables: CSV with a header row, one point per row, some columns chosen as
//! objectives (the input of a Pareto analysis).

use std::path::Path;

use crate::formats::table;

/// A table of points read from CSV: every column kept as text (for the front
/// file), the objective columns parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct PointTable {
    /// Header.
    pub header: Vec<String>,
    /// Every row, as text.
    pub rows: Vec<Vec<String>>,
    /// Columns used as objectives.
    pub objective_columns: Vec<usize>,
    /// Objective values per row.
    pub values: Vec<Vec<f64>>,
}

/// A problem in a point table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PointsError {
    /// The text is not a table of points: a bad header, row or cell, or an unknown
    /// objective column.
    #[error("{origin}: {message}")]
    Invalid {
        /// File name.
        origin: String,
        /// What is wrong, with the line and column.
        message: String,
    },
    /// Too few or too many objective columns.
    #[error("{origin}: {count} objectives; choose 1 to 8")]
    ObjectiveCount {
        /// File name.
        origin: String,
        /// Objective columns chosen.
        count: usize,
    },
}

impl PointsError {
    /// Whether the error is bad input (always: every variant is a problem in the table
    /// or the choice of its columns).
    pub fn is_input(&self) -> bool {
        match self {
            PointsError::Invalid { .. } | PointsError::ObjectiveCount { .. } => true,
        }
    }
}

impl PointTable {
    /// Parses CSV text with a header. `objectives` picks columns by name
    /// (default: every column); only those must hold numbers.
    ///
    /// # Errors
    ///
    /// When the header is missing or repeats a name, a named objective is not a
    /// column, there are not 1 to 8 objectives, or a row is short, long or holds a
    /// value that is not a finite number; the message names the line and column.
    pub fn parse(
        text: &str,
        origin: &str,
        objectives: Option<&[String]>,
    ) -> Result<PointTable, PointsError> {
        let err = |m: String| PointsError::Invalid {
            origin: origin.to_string(),
            message: m,
        };
        let (mut rdr, header) =
            table::open(text, "row of column names").map_err(|m| err(format!("line 1: {m}")))?;
        if header.iter().all(|h| h.parse::<f64>().is_ok()) {
            return Err(err(format!(
                "line 1: `{}` looks like data; the first line must be a header of column names",
                header.join(",")
            )));
        }
        let objective_columns = choose_columns(&header, objectives).map_err(err)?;
        if objective_columns.is_empty() || objective_columns.len() > 8 {
            return Err(PointsError::ObjectiveCount {
                origin: origin.to_string(),
                count: objective_columns.len(),
            });
        }
        let mut rows = Vec::new();
        let mut values = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let (line, message) = table::row_error(&e);
                err(format!("line {line}: {message}"))
            })?;
            values.push(parse_values(&rec, &header, &objective_columns).map_err(err)?);
            rows.push(rec.iter().map(str::to_string).collect());
        }
        if rows.is_empty() {
            return Err(err("has a header but no rows of points".into()));
        }
        Ok(PointTable {
            header,
            rows,
            objective_columns,
            values,
        })
    }

    /// Reads and parses a CSV file (see [`PointTable::parse`]); a file that
    /// cannot be read, or is not UTF-8, is an input error naming the path.
    ///
    /// # Errors
    ///
    /// As [`PointTable::parse`], and when the file cannot be read.
    pub fn from_file(
        path: &Path,
        objectives: Option<&[String]>,
    ) -> Result<PointTable, PointsError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PointsError::Invalid {
            origin: origin.clone(),
            message: format!("cannot read: {e}"),
        })?;
        PointTable::parse(&text, &origin, objectives)
    }

    /// Names of the objective columns, in objective order.
    pub fn objective_names(&self) -> Vec<String> {
        self.objective_columns
            .iter()
            .map(|c| self.header[*c].clone())
            .collect()
    }

    /// CSV text of the header and the rows at `indices` (in that order), every column
    /// as read: the table cut down to those points.
    ///
    /// # Panics
    ///
    /// When an index is not a row of the table.
    pub fn rows_csv(&self, indices: &[usize]) -> Vec<u8> {
        // Flexible, so rows of another length (the fields are public) cannot fail; then
        // only I/O can, and memory does none.
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        w.write_record(&self.header).expect("in memory");
        for &i in indices {
            w.write_record(&self.rows[i]).expect("in memory");
        }
        w.into_inner().expect("in memory")
    }
}

/// Indices of the named columns (every column when `objectives` is `None`).
fn choose_columns(header: &[String], objectives: Option<&[String]>) -> Result<Vec<usize>, String> {
    let Some(names) = objectives else {
        return Ok((0..header.len()).collect());
    };
    if let Some((k, n)) = names
        .iter()
        .enumerate()
        .find(|(k, n)| names[..*k].contains(n))
    {
        return Err(format!(
            "objective '{n}' is chosen twice (entries {} and {})",
            names.iter().position(|m| m == n).map_or(0, |i| i + 1),
            k + 1
        ));
    }
    names
        .iter()
        .map(|n| {
            header.iter().position(|h| h == n).ok_or_else(|| {
                format!(
                    "unknown objective '{n}'; the columns are {}",
                    header.join(", ")
                )
            })
        })
        .collect()
}

/// The objective values of one record, each a finite number.
fn parse_values(
    rec: &csv::StringRecord,
    header: &[String],
    columns: &[usize],
) -> Result<Vec<f64>, String> {
    let line = rec.position().map_or(0, |p| p.line());
    columns
        .iter()
        .map(|&c| {
            let cell = &rec[c];
            let bad =
                |what: &str| format!("line {line}, column '{}': '{cell}' is {what}", header[c]);
            let v: f64 = cell.parse().map_err(|_| bad("not a number"))?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(bad("not a finite number"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, objectives: Option<&[&str]>) -> Result<PointTable, PointsError> {
        let names: Option<Vec<String>> =
            objectives.map(|o| o.iter().map(|n| n.to_string()).collect());
        PointTable::parse(text, "t.csv", names.as_deref())
    }

    #[test]
    fn objectives_are_parsed_in_the_order_named_and_other_columns_kept_as_text() {
        let t = parse("id, a ,b\nx,1,2\ny,3,4\n", Some(&["b", "a"])).unwrap();
        assert_eq!(t.header, ["id", "a", "b"]);
        assert_eq!(t.objective_columns, [2, 1]);
        assert_eq!(t.objective_names(), ["b", "a"]);
        assert_eq!(t.values, [[2.0, 1.0], [4.0, 3.0]]);
        assert_eq!(t.rows[1], ["y", "3", "4"]);
    }

    #[test]
    fn rows_csv_writes_the_header_and_the_chosen_rows() {
        let t = parse("name,a\n\"p, q\",1\nr,2\ns,3\n", Some(&["a"])).unwrap();
        let csv = String::from_utf8(t.rows_csv(&[2, 0])).unwrap();
        assert_eq!(csv, "name,a\ns,3\n\"p, q\",1\n");
        assert_eq!(t.rows_csv(&[]), b"name,a\n");
    }

    #[test]
    fn errors_name_the_file_line_and_column_but_no_flag() {
        let e = parse("a,b\n1,2\n3,x\n", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 3, column 'b': 'x' is not a number"
        );
        let e = parse("a,b\n1,inf\n", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 2, column 'b': 'inf' is not a finite number"
        );
        let e = parse("a,b\n1,2\n", Some(&["c"])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: unknown objective 'c'; the columns are a, b"
        );
        let nine = (0..9)
            .map(|i| format!("o{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let e = parse(&format!("{nine}\n"), None).unwrap_err();
        assert_eq!(
            e,
            PointsError::ObjectiveCount {
                origin: "t.csv".into(),
                count: 9
            }
        );
        assert_eq!(e.to_string(), "t.csv: 9 objectives; choose 1 to 8");
        assert!(e.is_input());
        assert!(matches!(
            parse("1,2\n3,4\n", None),
            Err(PointsError::Invalid { .. })
        ));
    }
}
