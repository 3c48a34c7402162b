//! Point CSV reader and the Pareto analysis of a table: any text is an error
//! or an analysis whose hypervolume is finite and in [0, 1] above the
//! default reference.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mosde::formats::points::PointTable;
use mosde::pareto::{TableOptions, analyze_table};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = PointTable::parse(text, "fuzz", None) else {
        return;
    };
    if table.values.len() > 256 {
        return;
    }
    let _ = table.rows_csv(&[0]);
    if let Ok(a) = analyze_table(&table, &TableOptions::default()) {
        assert!(
            a.hypervolume.is_finite() && (0.0..=1.0 + 1e-12).contains(&a.hypervolume),
            "hypervolume {}",
            a.hypervolume
        );
    }
});
