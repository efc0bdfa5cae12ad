//! The Feature Summary as CSV (UTF-8, Microsoft's 12 columns), safe to open in a
//! spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return gets a
//! leading apostrophe so that no spreadsheet evaluates it as a formula.

use crate::resolve::Doc;

use super::mapping::{feature_summary, FEATURE_SUMMARY_HEADERS};
use super::workbook_all::SERVICE_HEADER;

pub fn render(doc: &Doc) -> Result<Vec<u8>, csv::Error> {
    let mut writer = writer();
    writer.write_record(FEATURE_SUMMARY_HEADERS)?;
    for row in feature_summary(doc) {
        writer.write_record(row.cells.iter().map(|c| neutralize(c).into_owned()))?;
    }
    finish(writer)
}

/// The rows of every baseline in one file, under a leading `Service` column, as in the
/// Feature Summary sheet of the workbook of all baselines.
pub fn render_all(docs: &[&Doc]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = writer();
    writer.write_record(std::iter::once(SERVICE_HEADER).chain(FEATURE_SUMMARY_HEADERS))?;
    for doc in docs {
        for row in feature_summary(doc) {
            let cells = std::iter::once(neutralize(&doc.service).into_owned())
                .chain(row.cells.iter().map(|c| neutralize(c).into_owned()));
            writer.write_record(cells)?;
        }
    }
    finish(writer)
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// The OWASP rule for CSV injection: prefix risky leading characters with `'`.
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_apostrophe(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Whether [`neutralize`] prefixes a cell: it starts with a formula character, or with
/// apostrophes before one, so that `import csv` can tell a cell written as `'=x` from
/// `=x` neutralised and take exactly one apostrophe off.
pub fn needs_apostrophe(cell: &str) -> bool {
    cell.trim_start_matches('\'')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for risky in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize(risky), format!("'{risky}"));
        }
        assert_eq!(neutralize("Customer"), "Customer");
        assert_eq!(neutralize(""), "");
        // Text that already starts like a neutralised cell gets its own apostrophe, or the
        // import would take the writer's off (found by the round-trip property).
        assert_eq!(neutralize("'=A1"), "''=A1");
        assert_eq!(neutralize("'quoted'"), "'quoted'");
    }
}
