//! The XLSX security baseline mapping file: `Security Profile` and `Feature Summary` in
//! Microsoft's layout, then our `Azure Policy` and `Framework Mappings` sheets. Every cell
//! is written as a string, so no text can become a formula.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::resolve::Doc;

use super::mapping::{feature_summary, SummaryRow, FEATURE_SUMMARY_HEADERS, REFERENCE_COLUMN};
use super::ooxml::{Error, Properties, SheetWriter, Style, Workbook};
use super::text::is_web_url;

/// Settings that make a workbook reproducible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XlsxOptions {
    /// Document creation time, seconds since the Unix epoch.
    pub timestamp: i64,
    /// Zip level. 1, the default here, deflates several times faster than zip's usual 6
    /// (with rust_xlsxwriter, it made `build` of all outputs a third faster) for workbooks
    /// about a quarter larger (30 KB against 24 KB each): worth it for a build run on every
    /// save and a file downloaded once.
    pub zip_level: u8,
}

impl Default for XlsxOptions {
    fn default() -> Self {
        XlsxOptions {
            timestamp: DEFAULT_TIMESTAMP,
            zip_level: 1,
        }
    }
}

/// 2000-01-01T00:00:00Z: used when `SOURCE_DATE_EPOCH` is not set, so that builds are
/// reproducible by default.
pub const DEFAULT_TIMESTAMP: i64 = 946_684_800;

const VOCAB_SUPPORTED: [&str; 3] = ["True", "False", "Not Applicable"];
const VOCAB_RESPONSIBILITY: [&str; 4] = ["Customer", "Microsoft", "Shared", "Not Applicable"];

/// Column widths (characters) of the Feature Summary, chosen for Microsoft's typical text.
pub(super) const SUMMARY_WIDTHS: [f64; 12] = [
    22.0, 10.0, 34.0, 60.0, 15.0, 32.0, 45.0, 12.0, 12.0, 50.0, 40.0, 30.0,
];

const PROFILE_WIDTHS: [f64; 3] = [36.0, 80.0, 22.0];
const POLICY_WIDTHS: [f64; 8] = [10.0, 34.0, 45.0, 70.0, 20.0, 10.0, 38.0, 50.0];
const MAPPING_WIDTHS: [f64; 6] = [22.0, 10.0, 40.0, 24.0, 30.0, 24.0];
const ABOUT_WIDTHS: [f64; 2] = [20.0, 90.0];

/// The workbook of one baseline, as bytes.
pub fn render(doc: &Doc, options: XlsxOptions) -> Result<Vec<u8>, Error> {
    render_with(doc, &SummaryLines::default(), options)
}

/// The lines each Feature Summary row of one baseline wraps to, measured by whichever of
/// the baseline's workbook and the combined workbook comes to it first and read by the
/// other: the two show the same cells in columns of the same widths (the combined one
/// adds the service), and measuring them was 2.5% of a build each time.
#[derive(Debug, Default)]
pub struct SummaryLines(OnceLock<Box<[u8]>>);

impl SummaryLines {
    /// The lines of each of `rows`, the baseline's Feature Summary.
    pub(super) fn of(&self, rows: &[SummaryRow<'_>]) -> Cow<'_, [u8]> {
        let measure = || -> Box<[u8]> {
            rows.iter()
                .map(|row| {
                    // At most MAX_LINES, so a byte holds it.
                    row_lines(&SUMMARY_WIDTHS, row.cells.iter().map(|c| &**c)) as u8
                })
                .collect()
        };
        match self.0.get_or_init(measure) {
            lines if lines.len() == rows.len() => Cow::Borrowed(lines),
            // Measured for other rows, which a caller that mixed up its baselines would
            // get: measured again rather than a row lost.
            _ => Cow::Owned(measure().into_vec()),
        }
    }
}

/// [`render`], with the Feature Summary's row heights shared with the combined workbook.
pub fn render_with(
    doc: &Doc,
    summary_lines: &SummaryLines,
    options: XlsxOptions,
) -> Result<Vec<u8>, Error> {
    let mut workbook = Workbook::new(
        Properties {
            title: format!("{} security baseline", doc.service),
            subject: format!("{} {}", doc.benchmark.name, doc.benchmark.version),
            author: "controlbook".into(),
            created: options.timestamp,
        },
        options.zip_level,
    );

    write_table(
        &mut workbook.add_sheet("Security Profile"),
        &PROFILE_WIDTHS,
        &["Behavior Attribute", "Description", "Value"],
        doc.security_profile.iter().map(|row| {
            vec![
                Cell::text(row.attribute),
                Cell::text(row.description),
                Cell::text(&row.value),
            ]
        }),
    )?;

    let mut sheet = workbook.add_sheet("Feature Summary");
    let summary = feature_summary(doc);
    let lines = summary_lines.of(&summary);
    let rows = summary.into_iter().zip(lines.iter()).map(|(row, &lines)| {
        let url = row.reference_url;
        let cells = (0..)
            .zip(row.cells)
            .map(|(c, text)| match url {
                Some(url) if c == REFERENCE_COLUMN => Cell::link(text, url),
                _ => Cell::text(text),
            })
            .collect();
        (cells, usize::from(lines))
    });
    let last = write_measured_table(&mut sheet, &SUMMARY_WIDTHS, &FEATURE_SUMMARY_HEADERS, rows)?;
    sheet.list_validation(
        (1, 7),
        (last.max(1), 8),
        &VOCAB_SUPPORTED,
        "Use True, False or Not Applicable.",
    );
    sheet.list_validation(
        (1, 4),
        (last.max(1), 4),
        &VOCAB_RESPONSIBILITY,
        "Use Customer, Microsoft, Shared or Not Applicable.",
    );
    workbook.set_active(1);

    let policies = doc.controls().flat_map(|(_, control)| {
        control.policies.iter().map(|p| {
            vec![
                Cell::text(&control.id),
                Cell::text(&control.title),
                Cell::link(&p.name, &p.portal_url),
                Cell::text(&p.description),
                Cell::text(p.effects.join(", ")),
                Cell::text(&p.version),
                Cell::text(&p.definition_id),
                match &p.source_url {
                    Some(url) => Cell::link(p.path.as_deref().unwrap_or(url), url),
                    None => Cell::text(""),
                },
            ]
        })
    });
    write_table(
        &mut workbook.add_sheet("Azure Policy"),
        &POLICY_WIDTHS,
        &[
            "ASB Control ID",
            "ASB Control Title",
            "Policy Name",
            "Description",
            "Effect(s)",
            "Version",
            "Definition ID",
            "Policy Definition Source",
        ],
        policies,
    )?;

    let mappings = doc.controls().map(|(domain, control)| {
        vec![
            Cell::text(&domain.workbook_name),
            Cell::text(&control.id),
            Cell::text(&control.title),
            Cell::text(control.cis_v8.join(", ")),
            Cell::text(control.nist_sp800_53_r4.join(", ")),
            Cell::text(control.pci_dss_v3_2_1.join(", ")),
        ]
    });
    write_table(
        &mut workbook.add_sheet("Framework Mappings"),
        &MAPPING_WIDTHS,
        &[
            "Control Domain",
            "ASB Control ID",
            "ASB Control Title",
            "CIS Controls v8 ID(s)",
            "NIST SP800-53 r4 ID(s)",
            "PCI-DSS v3.2.1 ID(s)",
        ],
        mappings,
    )?;

    // Who this workbook is about, so that `import xlsx` reads it back losslessly.
    let about = [
        ("Service", doc.service.as_str()),
        ("Slug", doc.slug.as_str()),
        ("Benchmark", doc.benchmark.id.as_str()),
        (
            "Resource Provider",
            doc.resource_provider.as_deref().unwrap_or(""),
        ),
        ("Mapping File", doc.mapping_file.as_deref().unwrap_or("")),
        ("Generator", "controlbook"),
    ];
    write_table(
        &mut workbook.add_sheet("About"),
        &ABOUT_WIDTHS,
        &["Property", "Value"],
        about
            .into_iter()
            .map(|(key, value)| vec![Cell::text(key), Cell::text(value)]),
    )?;

    workbook.finish()
}

/// One cell: its text, and the web address it links to, if any.
struct Cell<'a> {
    text: Cow<'a, str>,
    link: Option<&'a str>,
}

impl<'a> Cell<'a> {
    fn text(text: impl Into<Cow<'a, str>>) -> Self {
        Cell {
            text: text.into(),
            link: None,
        }
    }

    fn link(text: impl Into<Cow<'a, str>>, url: &'a str) -> Self {
        Cell {
            text: text.into(),
            link: Some(url),
        }
    }
}

/// Writes a sheet as a table, row by row: column widths, the header row, the rows, each as
/// high as its wrapped text, then a frozen header row, an autofilter over the data and a
/// print layout (landscape, one page wide, header on every page). Returns the last row.
fn write_table<'a>(
    sheet: &mut SheetWriter<'_>,
    widths: &[f64],
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell<'a>>>,
) -> Result<u32, Error> {
    let measured = rows.into_iter().map(|row| {
        let lines = row_lines(widths, row.iter().map(|cell| &*cell.text));
        (row, lines)
    });
    write_measured_table(sheet, widths, headers, measured)
}

/// [`write_table`] with rows measured already: each with the lines it wraps to.
fn write_measured_table<'a>(
    sheet: &mut SheetWriter<'_>,
    widths: &[f64],
    headers: &[&str],
    rows: impl IntoIterator<Item = (Vec<Cell<'a>>, usize)>,
) -> Result<u32, Error> {
    start_table(sheet, widths, headers)?;
    let mut last = 0;
    for (r, (row, lines)) in (1u32..).zip(rows) {
        sheet.row(r, row_height(lines))?;
        for (c, cell) in (0u16..).zip(&row) {
            match cell.link {
                Some(url) => {
                    write_link(sheet, c, url, &cell.text)?;
                }
                None => sheet.text(c, &cell.text, None)?,
            }
        }
        last = r;
    }
    sheet.freeze_panes(1, 0);
    sheet.autofilter((0, 0), (last.max(1), widths.len() as u16 - 1));
    sheet.landscape();
    sheet.fit_to_page_width();
    sheet.repeat_rows(0, 0);
    Ok(last)
}

/// Column widths, with wrapped text as each column's style, and the header row.
pub(super) fn start_table(
    sheet: &mut SheetWriter<'_>,
    widths: &[f64],
    headers: &[&str],
) -> Result<(), Error> {
    sheet.columns(widths, Style::Wrap)?;
    fit_row(sheet, 0, widths, headers.iter().copied())?;
    for (c, h) in (0u16..).zip(headers) {
        sheet.text(c, h, Some(Style::Header))?;
    }
    Ok(())
}

/// Starts a row as high as its wrapped text: Excel fits wrapped rows when it opens a file,
/// but LibreOffice and most other readers keep the default height, so the text of long
/// cells would overlap.
pub(super) fn fit_row<'s>(
    sheet: &mut SheetWriter<'_>,
    row: u32,
    widths: &[f64],
    cells: impl IntoIterator<Item = &'s str>,
) -> Result<(), Error> {
    sheet.row(row, row_height(row_lines(widths, cells)))
}

/// The lines of a row's tallest cell, at most [`MAX_LINES`].
fn row_lines<'s>(widths: &[f64], cells: impl IntoIterator<Item = &'s str>) -> usize {
    cells
        .into_iter()
        .zip(widths)
        .map(|(text, width)| wrapped_lines(text, *width))
        .max()
        .unwrap_or(1)
}

/// The most lines a row is made high for. Excel's tallest row is 409 points; a file that
/// asks for more gets rows that Excel cannot show as written (and that no one could set
/// in Excel itself), so a longer text scrolls inside its cell instead.
const MAX_LINES: usize = 27;

pub(super) fn row_height(lines: usize) -> f64 {
    15.0 * lines as f64 + 2.0
}

const _: () = assert!(
    15 * MAX_LINES + 2 <= 409,
    "rows stay within Excel's 409 points"
);

/// Lines a text takes in a column of `width` characters, wrapping at spaces.
///
/// It runs on every cell of every workbook (3% of a build), so it reads the text eight
/// bytes at a time: a word's length is the distance between two separators (space or
/// newline) in characters, that is bytes less UTF-8 continuation bytes, and both kinds of
/// byte are found in a block with a few integer operations.
pub(super) fn wrapped_lines(text: &str, width: f64) -> usize {
    let per_line = (width * 1.1).max(1.0) as usize;
    // Most cells are short: no more bytes than a line holds characters is one line.
    if text.len() <= per_line && !text.contains('\n') {
        return 1;
    }
    let mut wrap = Wrap::new(per_line);
    let bytes = text.as_bytes();
    // Characters before the current block, and before the current word.
    let (mut chars, mut word_start) = (0, 0);
    // `v` is `block` read as a little-endian word, padded with letters.
    let mut read_block = |v: u64, block: &[u8]| {
        // The high bit of each byte that is 10xxxxxx.
        let continuation = v & !(v << 1) & HIGH_BITS;
        let mut separators = zero_bytes(v ^ repeat(b' ')) | zero_bytes(v ^ repeat(b'\n'));
        while separators != 0 {
            let bit = separators.trailing_zeros();
            let at = chars + (bit / 8) as usize
                - (continuation & ((1u64 << bit) - 1)).count_ones() as usize;
            wrap.word(at - word_start);
            if block[(bit / 8) as usize] == b'\n' {
                wrap.paragraph();
            }
            word_start = at + 1;
            separators &= separators - 1;
        }
        chars += block.len() - continuation.count_ones() as usize;
    };
    // Whole blocks apart from the rest: one loop over `chunks(8)` measured 20% slower.
    let blocks = bytes.chunks_exact(8);
    let rest = blocks.remainder();
    for block in blocks {
        // A whole block is read as it is: padding it as well called memcpy for each one.
        read_block(
            u64::from_le_bytes(block.try_into().unwrap_or([b'x'; 8])),
            block,
        );
    }
    let mut padded = [b'x'; 8];
    padded[..rest.len()].copy_from_slice(rest);
    read_block(u64::from_le_bytes(padded), rest);
    wrap.word(chars - word_start);
    wrap.lines()
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

fn repeat(byte: u8) -> u64 {
    u64::from(byte) * 0x0101_0101_0101_0101
}

/// The high bit of each byte of `v` that is zero, and no other bit.
fn zero_bytes(v: u64) -> u64 {
    const LOW: u64 = !HIGH_BITS;
    !(((v & LOW) + LOW) | v | LOW)
}

/// Greedy wrapping, a word at a time.
struct Wrap {
    per_line: usize,
    /// Lines of the paragraphs before the current one.
    total: usize,
    /// Lines of the current paragraph, and characters used on its last line.
    lines: usize,
    used: usize,
}

impl Wrap {
    fn new(per_line: usize) -> Self {
        Wrap {
            per_line,
            total: 0,
            lines: 1,
            used: 0,
        }
    }

    fn word(&mut self, len: usize) {
        if self.used > 0 && self.used + 1 + len > self.per_line {
            self.lines += 1 + len / self.per_line;
            self.used = len % self.per_line;
        } else {
            self.used += len + usize::from(self.used > 0);
        }
    }

    fn paragraph(&mut self) {
        self.total += self.lines;
        (self.lines, self.used) = (1, 0);
    }

    fn lines(&self) -> usize {
        (self.total + self.lines).min(MAX_LINES)
    }
}

/// A hyperlink cell, or plain text when Excel would refuse the URL (too long, odd scheme).
/// Returns whether it is a hyperlink.
pub(super) fn write_link(
    sheet: &mut SheetWriter<'_>,
    col: u16,
    url: &str,
    text: &str,
) -> Result<bool, Error> {
    if is_web_url(url) && url.len() < 2000 {
        sheet.link(col, url, text, Style::Link)?;
        Ok(true)
    } else {
        sheet.text(col, text, None)?;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_counts_words_into_the_width() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("short", 10.0), 1);
        assert_eq!(wrapped_lines("aaaa bbbb cccc dddd", 10.0), 2);
        assert_eq!(wrapped_lines("a\nb\nc", 50.0), 3);
        assert_eq!(wrapped_lines(&"word ".repeat(10_000), 10.0), MAX_LINES);
        assert!(row_height(wrapped_lines(&"a\n".repeat(1_000), 80.0)) <= 409.0);
        assert_eq!(wrapped_lines("éééé ü", 5.0), 2);
    }

    /// The paragraph-and-word reading that the byte loop replaced, kept as the reference.
    fn wrapped_lines_by_words(text: &str, width: f64) -> usize {
        let per_line = (width * 1.1).max(1.0) as usize;
        text.split('\n')
            .map(|paragraph| {
                let mut lines = 1;
                let mut used = 0;
                for word in paragraph.split(' ') {
                    let len = word.chars().count();
                    if used > 0 && used + 1 + len > per_line {
                        lines += 1 + len / per_line;
                        used = len % per_line;
                    } else {
                        used += len + usize::from(used > 0);
                    }
                }
                lines
            })
            .sum::<usize>()
            .min(MAX_LINES)
    }

    proptest::proptest! {
        #[test]
        fn wrapped_lines_agrees_with_splitting_into_words(
            text in "[a é\\n€x𝄞]{0,300}",
            width in 1.0f64..60.0,
        ) {
            proptest::prop_assert_eq!(wrapped_lines(&text, width), wrapped_lines_by_words(&text, width));
        }
    }
}
