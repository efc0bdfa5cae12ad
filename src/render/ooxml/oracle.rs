//! The writer's test oracle: every call a workbook gets is recorded, replayed on
//! rust_xlsxwriter, and the two files must be the same bytes.
//!
//! rust_xlsxwriter's output is tested against files that Excel wrote, which is what makes
//! it the reference. An upgrade of it (Cargo.lock) that changes its output fails these
//! tests: the failure names the part and the offset, and the writer follows the change
//! when it fixes something.

use std::cell::RefCell;
use std::io::{Cursor, Read};

use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    FormatUnderline, Url,
};

use super::Style;

/// One call on the writer.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    New {
        title: String,
        subject: String,
        author: String,
        created: i64,
        zip_level: u8,
    },
    AddSheet(&'static str),
    SetActive(usize),
    Columns(Vec<f64>, Style),
    Row(u32, f64),
    Text(u16, String, Option<Style>),
    Blank(u16, Style),
    Link(u16, String, String, Style),
    List((u32, u16), (u32, u16), Vec<String>, String),
    Freeze(u32, u16),
    Autofilter((u32, u16), (u32, u16)),
    Landscape,
    FitToPageWidth,
    RepeatRows(u32, u32),
}

thread_local! {
    static LOG: RefCell<Option<Vec<Op>>> = const { RefCell::new(None) };
}

/// Called by the writer on every call; records only inside [`recording`].
pub(super) fn record(op: impl FnOnce() -> Op) {
    LOG.with(|log| {
        if let Some(log) = log.borrow_mut().as_mut() {
            log.push(op());
        }
    });
}

/// Runs `f`, and returns what it returned with the calls that workbooks got meanwhile.
pub(crate) fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<Op>) {
    LOG.with(|log| *log.borrow_mut() = Some(Vec::new()));
    let out = f();
    let ops = LOG.with(|log| log.borrow_mut().take()).unwrap_or_default();
    (out, ops)
}

/// The rust_xlsxwriter formats that the styles stand for.
fn format(style: Style) -> Format {
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    match style {
        Style::Wrap => wrap,
        Style::Header => Format::new()
            .set_bold()
            .set_font_color(Color::White)
            .set_background_color(Color::RGB(0x1F4E79))
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border_bottom(FormatBorder::Thin),
        Style::Link => wrap
            .set_font_color(Color::RGB(0x0563C1))
            .set_underline(FormatUnderline::Single),
        Style::Supported => top.set_background_color(Color::RGB(0xE2EFDA)),
        Style::Unsupported => top.set_background_color(Color::RGB(0xFCE4D6)),
        Style::Muted => top.set_font_color(Color::RGB(0x7F7F7F)),
    }
}

/// The workbook rust_xlsxwriter writes for the same calls.
pub(crate) fn replay(ops: &[Op]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let mut sheet = None;
    let mut row = 0;
    for op in ops {
        if let Op::New {
            title,
            subject,
            author,
            created,
            zip_level,
        } = op
        {
            workbook.set_zip_compression_level(*zip_level);
            workbook.set_properties(
                &DocProperties::new()
                    .set_title(title)
                    .set_subject(subject)
                    .set_author(author)
                    .set_creation_datetime(&ExcelDateTime::from_timestamp(*created)?),
            );
            continue;
        }
        if let Op::AddSheet(name) = op {
            workbook.add_worksheet().set_name(*name)?;
            sheet = Some(workbook.worksheets().len() - 1);
            continue;
        }
        if let Op::SetActive(index) = op {
            workbook.worksheet_from_index(*index)?.set_active(true);
            continue;
        }
        let s = workbook.worksheet_from_index(sheet.unwrap_or(0))?;
        match op {
            Op::Columns(widths, style) => {
                for (c, w) in (0u16..).zip(widths) {
                    s.set_column_width(c, *w)?;
                    s.set_column_format(c, &format(*style))?;
                }
            }
            Op::Row(r, height) => {
                row = *r;
                s.set_row_height(row, *height)?;
            }
            Op::Text(c, text, Some(style)) => {
                s.write_string_with_format(row, *c, text, &format(*style))?;
            }
            Op::Text(c, text, None) => {
                s.write_string(row, *c, text)?;
            }
            Op::Blank(c, style) => {
                s.write_blank(row, *c, &format(*style))?;
            }
            Op::Link(c, url, text, style) => {
                let link = Url::new(url.as_str()).set_text(text.as_str());
                s.write_url_with_format(row, *c, link, &format(*style))?;
            }
            Op::List(first, last, items, error) => {
                let validation = DataValidation::new()
                    .allow_list_strings(items)?
                    .set_error_message(error)?;
                s.add_data_validation(first.0, first.1, last.0, last.1, &validation)?;
            }
            Op::Freeze(r, c) => {
                s.set_freeze_panes(*r, *c)?;
            }
            Op::Autofilter(first, last) => {
                s.autofilter(first.0, first.1, last.0, last.1)?;
            }
            Op::Landscape => {
                s.set_landscape();
            }
            Op::FitToPageWidth => {
                s.set_print_fit_to_pages(1, 0);
            }
            Op::RepeatRows(first, last) => {
                s.set_repeat_rows(*first, *last)?;
            }
            Op::New { .. } | Op::AddSheet(_) | Op::SetActive(_) => {}
        }
    }
    workbook.save_to_buffer()
}

/// Panics with the first part whose bytes differ, and where, when the files differ.
pub(crate) fn assert_same_workbook(ours: &[u8], theirs: &[u8], what: &str) {
    if ours == theirs {
        return;
    }
    let (a, b) = (parts(ours), parts(theirs));
    let names = |p: &[(String, String)]| p.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{what}: the parts differ");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if x != y {
            let at = x.bytes().zip(y.bytes()).take_while(|(p, q)| p == q).count();
            let around = |s: &str| {
                let bytes = &s.as_bytes()[at.saturating_sub(150)..(at + 150).min(s.len())];
                String::from_utf8_lossy(bytes).into_owned()
            };
            panic!(
                "{what}: {name} differs at byte {at}\n ours: {}\ntheirs: {}",
                around(x),
                around(y)
            );
        }
    }
    panic!("{what}: the parts are the same, the zip containers differ");
}

fn parts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).expect("a part");
            let mut text = String::new();
            file.read_to_string(&mut text).expect("UTF-8 XML");
            (file.name().expect("a part name").to_string(), text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::render::ooxml::{Properties, Workbook};
    use crate::render::xlsx::{SummaryLines, XlsxOptions};
    use crate::render::{workbook_all, xlsx};
    use crate::resolve::Doc;

    fn docs_of(root: &std::path::Path) -> Vec<Doc> {
        let loaded = crate::load(root).unwrap();
        crate::resolve::resolve(&loaded.book)
    }

    /// The documents of a corpus of `baselines` made from Microsoft's v3 workbooks; `None`
    /// where the fixtures are missing (outside CI).
    fn corpus_docs(baselines: usize) -> Option<Vec<Doc>> {
        let v3 = crate::test_support::shared_fixtures("msft/v3")?;
        let dir = tempfile::tempdir().unwrap();
        crate::corpus::generate(&v3, baselines, dir.path()).unwrap();
        Some(docs_of(dir.path()))
    }

    fn same_as_rust_xlsxwriter(render: impl FnOnce() -> Vec<u8>, what: &str) {
        let (ours, ops) = recording(render);
        assert!(ops.len() >= 2, "{what}: the calls were recorded");
        let theirs = replay(&ops).unwrap();
        assert_same_workbook(&ours, &theirs, what);
    }

    /// The default book has every sheet filled: policies with their sources, mappings.
    #[test]
    fn the_default_books_workbooks_are_rust_xlsxwriters() {
        let docs = docs_of(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
        assert!(docs
            .iter()
            .any(|d| d.controls().any(|(_, c)| !c.policies.is_empty())));
        for doc in &docs {
            same_as_rust_xlsxwriter(
                || xlsx::render(doc, XlsxOptions::default()).unwrap(),
                &doc.slug,
            );
        }
        same_as_rust_xlsxwriter(
            || workbook_all::render(&docs, XlsxOptions::default()).unwrap(),
            "all-baselines.xlsx",
        );
    }

    /// Microsoft's twelve published baselines, and twelve copies with varied text.
    #[test]
    fn the_corpus_workbooks_are_rust_xlsxwriters() {
        let Some(docs) = corpus_docs(24) else {
            return;
        };
        assert_eq!(docs.len(), 24);
        let options = XlsxOptions {
            timestamp: 1_700_000_000,
            zip_level: 6,
        };
        for doc in &docs {
            same_as_rust_xlsxwriter(|| xlsx::render(doc, options).unwrap(), &doc.slug);
        }
        same_as_rust_xlsxwriter(
            || workbook_all::render(&docs, options).unwrap(),
            "all-baselines.xlsx",
        );
    }

    /// The row heights a baseline's workbook and the combined workbook share change no
    /// byte of either, whichever measures them first, and heights measured for another
    /// baseline are not used.
    #[test]
    fn shared_row_heights_give_the_same_workbooks() {
        let Some(docs) = corpus_docs(12) else {
            return;
        };
        let refs: Vec<&Doc> = docs.iter().collect();
        let options = XlsxOptions::default();
        let alone = workbook_all::render(&docs, options).unwrap();

        // Each baseline's workbook first, then the combined one reads their heights.
        let lines: Vec<SummaryLines> = docs.iter().map(|_| SummaryLines::default()).collect();
        for (doc, lines) in docs.iter().zip(&lines) {
            let shared = xlsx::render_with(doc, lines, options).unwrap();
            assert_eq!(shared, xlsx::render(doc, options).unwrap(), "{}", doc.slug);
        }
        let line_refs: Vec<&SummaryLines> = lines.iter().collect();
        let shared = workbook_all::render_with(&refs, &line_refs, options).unwrap();
        assert!(shared == alone, "combined workbook after the baselines'");

        // The combined workbook first, then each baseline's reads them.
        let lines: Vec<SummaryLines> = docs.iter().map(|_| SummaryLines::default()).collect();
        let line_refs: Vec<&SummaryLines> = lines.iter().collect();
        let shared = workbook_all::render_with(&refs, &line_refs, options).unwrap();
        assert!(shared == alone, "combined workbook first");
        for (doc, lines) in docs.iter().zip(&lines) {
            let shared = xlsx::render_with(doc, lines, options).unwrap();
            assert_eq!(shared, xlsx::render(doc, options).unwrap(), "{}", doc.slug);
        }

        // Heights of a baseline with another number of rows: measured again.
        let rows = |d: &Doc| crate::render::mapping::feature_summary(d).len();
        let other = (1..docs.len())
            .find(|&j| rows(&docs[j]) != rows(&docs[0]))
            .unwrap();
        let mut wrong = line_refs.clone();
        wrong.swap(0, other);
        let shared = workbook_all::render_with(&refs, &wrong, options).unwrap();
        assert!(shared == alone, "heights of another baseline were used");
    }

    /// Texts with what needs escaping or care: markup, control characters, Excel's own
    /// `_xHHHH_` escapes, edge spaces, characters outside the BMP, and links with spaces,
    /// anchors and percent escapes.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z <>&\"'_x0-9A-F\t\n\r\u{1}\u{FFFE}é𝄞#%]{0,40}",
            Just("_x0041_".to_string()),
            Just(" leading and trailing ".to_string()),
            Just(String::new()),
        ]
        // rust_xlsxwriter writes such a text as raw rich-text XML; see
        // `rich_text_lookalikes_are_escaped`.
        .prop_filter("not a rich-text look-alike", |t| {
            !(t.starts_with("<r>") && t.ends_with("</r>"))
        })
    }

    fn style() -> impl Strategy<Value = Style> {
        prop_oneof![
            Just(Style::Wrap),
            Just(Style::Header),
            Just(Style::Link),
            Just(Style::Supported),
            Just(Style::Unsupported),
            Just(Style::Muted),
        ]
    }

    #[derive(Clone, Debug)]
    enum Cell {
        Text(String, Option<Style>),
        Blank(Style),
        Link(String, String),
    }

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            4 => (text(), proptest::option::of(style())).prop_map(|(t, s)| Cell::Text(t, s)),
            1 => style().prop_map(Cell::Blank),
            2 => ("[a-z/ %#{}\\[\\]^`\"<>&]{0,30}", text())
                .prop_map(|(path, t)| Cell::Link(format!("https://example.org/{path}"), t)),
        ]
    }

    /// A row's gap from the previous row, its height, and its cells with the gap (in
    /// columns) before each.
    type RowSpec = (u32, f64, Vec<(u16, Cell)>);

    #[derive(Clone, Debug)]
    struct SheetSpec {
        widths: Vec<f64>,
        style: Option<Style>,
        rows: Vec<RowSpec>,
        freeze: Option<(u32, u16)>,
        filter: bool,
        print: bool,
        validation: bool,
    }

    fn sheet_spec() -> impl Strategy<Value = SheetSpec> {
        let row = (
            1u32..20,
            prop_oneof![Just(15.0), 1.0f64..400.0],
            proptest::collection::vec((0u16..3, cell()), 0..6),
        );
        (
            proptest::collection::vec(0.5f64..80.0, 0..6),
            proptest::option::of(style()),
            proptest::collection::vec(row, 0..40),
            proptest::option::of((0u32..3, 0u16..3)),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(widths, style, rows, freeze, filter, print, validation)| {
                SheetSpec {
                    widths,
                    style,
                    rows,
                    freeze: freeze.filter(|&(r, c)| r > 0 || c > 0),
                    filter,
                    print,
                    validation,
                }
            })
    }

    const NAMES: [&str; 3] = ["Plain", "With Space", "It's"];

    fn write(sheets: &[SheetSpec], active: usize) -> Vec<u8> {
        let mut workbook = Workbook::new(
            Properties {
                title: "T & <title>".into(),
                subject: String::new(),
                author: "controlbook".into(),
                created: 1_234_567_890,
            },
            1,
        );
        for (spec, name) in sheets.iter().zip(NAMES) {
            let mut sheet = workbook.add_sheet(name);
            if let Some(style) = spec.style {
                sheet.columns(&spec.widths, style).unwrap();
            }
            let mut r = 0;
            for (gap, height, cells) in &spec.rows {
                r += gap;
                sheet.row(r, *height).unwrap();
                let mut c = 0;
                for (gap, cell) in cells {
                    c += gap;
                    match cell {
                        Cell::Text(t, s) => sheet.text(c, t, *s).unwrap(),
                        Cell::Blank(s) => sheet.blank(c, *s).unwrap(),
                        Cell::Link(url, t) => sheet.link(c, url, t, Style::Link).unwrap(),
                    }
                    c += 1;
                }
            }
            if let Some((rows, cols)) = spec.freeze {
                sheet.freeze_panes(rows, cols);
            }
            if spec.filter {
                sheet.autofilter((0, 0), (r.max(1), 3));
            }
            if spec.print {
                sheet.landscape();
                sheet.fit_to_page_width();
                sheet.repeat_rows(0, 0);
            }
            if spec.validation {
                sheet.list_validation((1, 1), (r.max(1), 2), &["Yes", "No \"maybe\""], "Yes or no");
                sheet.list_validation((1, 0), (1, 0), &["A"], "A & only <A>");
            }
        }
        workbook.set_active(active.min(sheets.len().saturating_sub(1)));
        workbook.finish().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_workbook_is_rust_xlsxwriters(
            sheets in proptest::collection::vec(sheet_spec(), 1..4),
            active in 0usize..3,
        ) {
            same_as_rust_xlsxwriter(|| write(&sheets, active), "random workbook");
        }
    }

    /// rust_xlsxwriter writes a text that starts with `<r>` and ends with `</r>` into the
    /// string table as it is, for rich text; a cell's text here is always text.
    #[test]
    fn rich_text_lookalikes_are_escaped() {
        let text = "<r><t>not markup</t></r>";
        let spec = SheetSpec {
            widths: vec![],
            style: None,
            rows: vec![(0, 15.0, vec![(0, Cell::Text(text.into(), None))])],
            freeze: None,
            filter: false,
            print: false,
            validation: false,
        };
        let bytes = write(&[spec], 0);
        let strings = parts(&bytes)
            .into_iter()
            .find(|(name, _)| name == "xl/sharedStrings.xml")
            .unwrap()
            .1;
        assert!(
            strings.contains("<si><t>&lt;r&gt;&lt;t&gt;not markup&lt;/t&gt;&lt;/r&gt;</t></si>"),
            "{strings}"
        );
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let range = wb.worksheet_range("Plain").unwrap();
        assert_eq!(range.get((0, 0)).unwrap().to_string(), text);
    }
}
