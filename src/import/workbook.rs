//! Reads a workbook into sheets of text cells with their A1 addresses. Every cell is read
//! as text: numbers as Excel's General format shows them, booleans as `True`/`False`.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use super::ImportError;

/// Workbooks larger than this are refused: Microsoft's are under 50 KB.
pub const MAX_WORKBOOK_BYTES: u64 = 64 * 1024 * 1024;

/// A sheet as rows of text; `first_row` and `first_col` are the 0-based position of
/// `rows[0][0]` in the sheet, for cell addresses.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
    pub first_row: u32,
    pub first_col: u32,
}

impl Sheet {
    /// The A1 address of `rows[row][col]`.
    pub fn address(&self, row: usize, col: usize) -> String {
        format!(
            "{}{}",
            crate::render::ooxml::column_name(self.first_col + col as u32),
            self.first_row + row as u32 + 1
        )
    }

    /// Text of a cell, empty when the row is short.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map_or("", String::as_str)
    }

    /// Index of the header row: the first row with a non-empty cell.
    pub fn header_row(&self) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.iter().any(|c| !c.trim().is_empty()))
    }

    /// Column index of a header, matched without case and surrounding whitespace.
    pub fn column(&self, header_row: usize, name: &str) -> Option<usize> {
        self.rows.get(header_row)?.iter().position(|h| {
            h.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .eq_ignore_ascii_case(name)
        })
    }
}

/// A workbook's sheets in order.
#[derive(Clone, Debug, Default)]
pub struct Workbook {
    /// The path as the user gave it, for messages.
    pub file: String,
    pub sheets: Vec<Sheet>,
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets
            .iter()
            .find(|s| s.name.trim().eq_ignore_ascii_case(name))
    }

    pub fn require_sheet(&self, name: &str) -> Result<&Sheet, ImportError> {
        self.sheet(name).ok_or_else(|| ImportError::MissingSheet {
            file: self.file.clone(),
            expected: name.to_string(),
            found: self.sheet_names(),
        })
    }

    pub fn sheet_names(&self) -> String {
        self.sheets
            .iter()
            .map(|s| format!("`{}`", s.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads an `.xlsx` file.
pub fn read(path: &Path) -> Result<Workbook, ImportError> {
    let file = path.display().to_string();
    let unreadable = |message: String| ImportError::Unreadable {
        file: file.clone(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(format!("cannot read: {e}")))?;
    if meta.len() > MAX_WORKBOOK_BYTES {
        return Err(unreadable(format!(
            "{} bytes is larger than the {MAX_WORKBOOK_BYTES}-byte limit for a workbook",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(format!("cannot read: {e}")))?;
    read_bytes(&file, bytes)
}

/// Reads a workbook from memory; `file` names it in messages.
pub fn read_bytes(file: &str, bytes: Vec<u8>) -> Result<Workbook, ImportError> {
    let unreadable = |message: String| ImportError::Unreadable {
        file: file.to_string(),
        message,
    };
    if !bytes.starts_with(b"PK") {
        return Err(unreadable(
            "not an XLSX workbook (an .xlsx file is a zip archive; this one does not start like one)"
                .into(),
        ));
    }
    check_references(&bytes).map_err(unreadable)?;
    let mut xlsx = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a readable XLSX workbook: {e}")))?;
    let mut sheets = Vec::new();
    for name in xlsx.sheet_names() {
        let range = xlsx
            .worksheet_range(&name)
            .map_err(|e| unreadable(format!("cannot read sheet `{name}`: {e}")))?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        sheets.push(Sheet {
            name,
            rows,
            first_row,
            first_col,
        });
    }
    Ok(Workbook {
        file: file.to_string(),
        sheets,
    })
}

/// Excel's last column (`XFD`) and row.
const MAX_COLUMN: u32 = 16_384;
const MAX_ROW: u32 = 1_048_576;

/// Refuses a workbook whose XML names a cell beyond Excel's last one, `XFD1048576`.
///
/// calamine 0.38 reads the `r` attributes of cells and rows and the `ref` attributes of
/// dimensions, merged cells, hyperlinks and tables with unchecked arithmetic: seven letters or ten digits
/// overflow, which panics in a debug build and gives a wrong position in a release
/// build (tafia/calamine#709; found by `fuzz/`). No workbook Excel writes has such a
/// reference, so it is an error here, before calamine sees it. The XML is streamed,
/// not held in memory.
fn check_references(bytes: &[u8]) -> Result<(), String> {
    use quick_xml::events::Event;

    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine reports what is wrong with the archive
    };
    for index in 0..zip.len() {
        let Ok(entry) = zip.by_index(index) else {
            continue;
        };
        // Every part, whatever its name: calamine follows the relationships, and a sheet
        // need not end in `.xml`.
        let Ok(name) = entry.name().map(|n| n.into_owned()) else {
            continue;
        };
        let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
        // As calamine reads them, so that both stop at the same malformed spot.
        let config = reader.config_mut();
        config.check_end_names = false;
        config.trim_text(false);
        config.check_comments = false;
        config.expand_empty_elements = true;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) => {
                    // The elements whose references calamine parses, by local name.
                    let key = match e.local_name().as_ref() {
                        "c" | "row" => "r",
                        "dimension" | "mergeCell" | "hyperlink" | "table" => "ref",
                        _ => continue,
                    };
                    for attribute in e.attributes().with_checks(false).flatten() {
                        if attribute.key.as_ref() != key {
                            continue;
                        }
                        for reference in attribute.value.split(':') {
                            if beyond_excel(reference.as_bytes()) {
                                return Err(format!(
                                    "not a readable XLSX workbook: {name} names the cell `{reference}`, beyond Excel's last cell XFD1048576"
                                ));
                            }
                        }
                    }
                }
                Ok(Event::Eof) => break,
                // Malformed XML: calamine stops there too, and reports it.
                Err(_) => break,
                Ok(_) => {}
            }
        }
    }
    Ok(())
}

/// Whether an A1-style reference (`B34`, `XFD`, `7`) lies beyond Excel's last column or
/// row. Anything else is left to calamine.
fn beyond_excel(reference: &[u8]) -> bool {
    let letters = reference
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let (column, row) = reference.split_at(letters);
    if !row.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let column_number = column.iter().try_fold(0u32, |n, b| {
        n.checked_mul(26)?
            .checked_add(u32::from(b.to_ascii_uppercase() - b'A') + 1)
    });
    let row_number = std::str::from_utf8(row)
        .ok()
        .filter(|r| !r.is_empty())
        .map(str::parse::<u32>);
    let column_beyond = column_number.is_none_or(|c| c > MAX_COLUMN);
    let row_beyond =
        matches!(row_number, Some(Err(_))) || matches!(row_number, Some(Ok(r)) if r > MAX_ROW);
    column_beyond || row_beyond
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                // Shortest representation that round-trips, as Excel's General shows it.
                format!("{f}")
            }
        }
        Data::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_files_are_not_workbooks() {
        let e = read_bytes("x.xlsx", b"hello".to_vec()).unwrap_err();
        assert!(e.to_string().contains("not an XLSX workbook"), "{e}");
        let e = read_bytes("x.xlsx", b"PK\x03\x04truncated".to_vec()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x.xlsx: not a readable XLSX workbook"),
            "{e}"
        );
    }

    #[test]
    fn references_beyond_excel_are_found() {
        for ok in ["A1", "XFD1048576", "xfd1", "B", "7", "", "$A$1", "R1C1"] {
            assert!(!beyond_excel(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "XFE1",
            "A1048577",
            "AAAAAAA1",
            "A99999999999",
            "ZZZZZZZZZZZZ",
        ] {
            assert!(beyond_excel(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn addresses_are_absolute() {
        let s = Sheet {
            first_row: 0,
            first_col: 1,
            ..Default::default()
        };
        assert_eq!(s.address(33, 0), "B34");
    }
}
