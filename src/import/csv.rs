//! The Feature Summary as CSV (what `build` writes to `output/csv/`) back to a baseline,
//! for teams that edit in a spreadsheet. The apostrophe that `build` puts before a
//! formula-like cell is removed again.

use std::collections::HashMap;

use crate::model::{Baseline, Benchmark, FeatureCatalog};

use super::v3::{empty_profile, from_summary, Identity};
use super::workbook::Sheet;
use super::{Action, Defects, ImportError};

/// CSV files larger than this are refused.
pub const MAX_CSV_BYTES: usize = 16 * 1024 * 1024;

pub fn import(
    file: &str,
    bytes: &[u8],
    benchmark: &Benchmark,
    catalog: &FeatureCatalog,
    identity: &Identity,
    defects: &mut Defects,
) -> Result<Baseline, ImportError> {
    let invalid = |message: String| ImportError::Invalid {
        file: file.to_string(),
        message,
    };
    if bytes.len() > MAX_CSV_BYTES {
        return Err(invalid(format!(
            "larger than the {MAX_CSV_BYTES}-byte limit for a CSV file"
        )));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| invalid(format!("not UTF-8 text (byte {})", e.valid_up_to())))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| invalid(format!("not valid CSV: {e}")))?;
        rows.push(record.iter().map(unneutralize).collect::<Vec<String>>());
    }
    let sheet = Sheet {
        name: "CSV".into(),
        rows,
        first_row: 0,
        first_col: 0,
    };
    defects.add(
        None,
        None,
        "no-security-profile",
        "a CSV file carries no security profile; fill it in by hand",
        Action::Dropped,
    );
    from_summary(
        file,
        &sheet,
        benchmark,
        catalog,
        identity,
        &HashMap::new(),
        empty_profile(),
        defects,
    )
}

/// Undoes `render::csv::neutralize`: `'=…` back to `=…`, `''=…` back to `'=…`.
fn unneutralize(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if crate::render::csv::needs_apostrophe(rest) => rest.to_string(),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralised_cells_come_back() {
        assert_eq!(unneutralize("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unneutralize("'quoted'"), "'quoted'");
        assert_eq!(unneutralize("plain"), "plain");
        assert_eq!(unneutralize("''=A1"), "'=A1");
        for text in ["=1", "'=1", "''+1", "'x", "-", "'"] {
            let written = crate::render::csv::neutralize(text);
            assert_eq!(unneutralize(&written), text, "{written}");
        }
    }
}
