//! CSV tables with a header row, shared by the readers and writers of session
//! logs and point tables: the checks every header needs, row errors in words,
//! and the number format of every CSV the crate writes.

/// A CSV reader positioned after a checked header, and the header.
pub(crate) type Headed<'a> = (csv::Reader<&'a [u8]>, Vec<String>);

/// Opens CSV text whose first line is a header. `expected` describes the
/// header for the error message of an empty file. Errors are messages about
/// line 1, without the file name.
pub(crate) fn open<'a>(text: &'a str, expected: &str) -> Result<Headed<'a>, String> {
    if text.trim().is_empty() {
        return Err(format!("the file is empty; expected a header {expected}"));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("cannot read the header: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    for (k, h) in header.iter().enumerate() {
        if h.is_empty() {
            return Err(format!("column {} has an empty name", k + 1));
        }
        if header[..k].contains(h) {
            return Err(format!("column '{h}' appears twice"));
        }
    }
    Ok((rdr, header))
}

/// The line number and a plain description of a CSV row error.
pub(crate) fn row_error(e: &csv::Error) -> (u64, String) {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".into(),
        _ => e.to_string(),
    };
    (line, message)
}

/// Formats a float for CSV: shortest round-trip form; NaN as empty.
pub fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_nan_is_empty() {
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(-2.0), "-2");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "inf");
    }

    #[test]
    fn headers_must_be_named_once() {
        assert!(open("", "x").unwrap_err().contains("empty"));
        assert!(open("a,a\n1,2\n", "x").unwrap_err().contains("twice"));
        assert!(open("a,,b\n", "x").unwrap_err().contains("column 2"));
        let (_, h) = open(" a , b \n1,2\n", "x").unwrap();
        assert_eq!(h, ["a", "b"]);
    }
}
