//! `all-baselines.xlsx`: every baseline in one workbook, services side by side: all Feature
//! Summary rows under a leading `Service` column, a service x feature matrix, and the
//! security profiles. Every cell is written as a string, so no text can become a formula.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use crate::model::{Responsibility, Tri};
use crate::render::text::is_web_url;
use crate::resolve::{Doc, FeatureDoc, PROFILE_DESCRIPTIONS};

use super::mapping::{feature_summary, FEATURE_SUMMARY_HEADERS, REFERENCE_COLUMN};
use super::xlsx::{
    fit_row, set_columns, write_header, write_link, Styles, XlsxOptions, SUMMARY_WIDTHS,
};

/// The sheets, in order.
pub const SHEETS: [&str; 3] = ["Feature Summary", "Matrix", "Security Profile"];

/// Header of the first column of every sheet.
pub const SERVICE_HEADER: &str = "Service";

/// Excel refuses more hyperlinks than this in one worksheet; later references stay text.
const MAX_LINKS_PER_SHEET: usize = 65_530;

const SERVICE_WIDTH: f64 = 28.0;
/// Wide enough for "Supported (Microsoft)" on one line.
const MATRIX_WIDTH: f64 = 21.0;
const PROFILE_WIDTHS: [f64; 4] = [26.0, 18.0, 22.0, 18.0];

/// The workbook of every baseline, as bytes, services in the order given (the caller passes
/// them as [`crate::resolve::resolve`] sorts them: by service name).
///
/// Sheets are written row by row in rust_xlsxwriter's low memory mode (its `constant_memory`
/// feature): each row goes to a temporary file when the next one starts, and only the table
/// of distinct strings stays in memory. For 1,200 services this took 35 MB beyond the
/// loaded book where the default mode took 200 MB; constant memory mode proper, which
/// writes every string inline, took as much memory for a file three times larger (8 MB
/// against 2.5 MB), since the services share most of their text.
pub fn render<D: Borrow<Doc>>(docs: &[D], options: XlsxOptions) -> Result<Vec<u8>, XlsxError> {
    let docs: Vec<&Doc> = docs.iter().map(Borrow::borrow).collect();
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(options.zip_level);
    let created = ExcelDateTime::from_timestamp(options.timestamp)?;
    let benchmarks: BTreeSet<String> = docs
        .iter()
        .map(|d| format!("{} {}", d.benchmark.name, d.benchmark.version))
        .collect();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Security baselines of {} services", docs.len()))
            .set_subject(benchmarks.into_iter().collect::<Vec<_>>().join("; "))
            .set_author("controlbook")
            .set_creation_datetime(&created),
    );
    let styles = Styles::new();

    let sheet = workbook.add_worksheet_with_low_memory()?;
    sheet.set_name(SHEETS[0])?;
    feature_summary_sheet(sheet, &docs, &styles)?;

    let sheet = workbook.add_worksheet_with_low_memory()?;
    sheet.set_name(SHEETS[1])?;
    matrix_sheet(sheet, &docs, &styles)?;

    let sheet = workbook.add_worksheet_with_low_memory()?;
    sheet.set_name(SHEETS[2])?;
    profile_sheet(sheet, &docs, &styles)?;

    workbook.save_to_buffer()
}

/// Microsoft's 12 columns after the service name, one row per feature (and per control-level
/// guidance row) of every service, as in each baseline's own workbook.
fn feature_summary_sheet(
    sheet: &mut Worksheet,
    docs: &[&Doc],
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut headers = vec![SERVICE_HEADER];
    headers.extend(FEATURE_SUMMARY_HEADERS);
    let mut widths = vec![SERVICE_WIDTH];
    widths.extend(SUMMARY_WIDTHS);
    start_table(sheet, &widths, &headers, styles)?;

    let mut r = 0;
    let mut links = 0;
    for doc in docs {
        for row in feature_summary(doc) {
            r += 1;
            let mut cells = vec![doc.service.as_str()];
            cells.extend(row.cells.iter().map(|c| &**c));
            // Low memory mode writes a row out when the next one starts, so its height
            // must be known before its cells are written.
            fit_row(sheet, r, &widths, cells.iter().copied())?;
            for (c, value) in cells.iter().enumerate() {
                let c16 = c as u16;
                match &row.reference_url {
                    Some(url)
                        if c == REFERENCE_COLUMN + 1
                            && is_web_url(url)
                            && links < MAX_LINKS_PER_SHEET =>
                    {
                        links += 1;
                        write_link(sheet, r, c16, url, value, styles)?;
                    }
                    _ => {
                        sheet.write_string(r, c16, *value)?;
                    }
                }
            }
        }
    }
    finish_table(sheet, r, widths.len(), (1, 1))
}

/// One row per service, one column per feature: whether the service supports it and who
/// configures it, or empty when its baseline does not list the feature.
fn matrix_sheet(sheet: &mut Worksheet, docs: &[&Doc], styles: &Styles) -> Result<(), XlsxError> {
    let columns = feature_columns(docs);
    let mut headers = vec![SERVICE_HEADER];
    headers.extend(columns.iter().map(|(_, name)| name.as_str()));
    let mut widths = vec![SERVICE_WIDTH];
    widths.extend(std::iter::repeat_n(MATRIX_WIDTH, columns.len()));
    start_table(sheet, &widths, &headers, styles)?;

    let status = StatusStyles::new();
    let mut r = 0;
    for doc in docs {
        r += 1;
        let by_id = feature_status(doc);
        sheet.write_string(r, 0, &doc.service)?;
        for (c, (id, _)) in (1u16..).zip(&columns) {
            if let Some(feature) = by_id.get(id.as_str()) {
                sheet.write_string_with_format(r, c, status_text(feature), status.of(feature))?;
            }
        }
    }
    finish_table(sheet, r, widths.len(), (1, 1))
}

/// One row per service with its security profile attributes as columns.
fn profile_sheet(sheet: &mut Worksheet, docs: &[&Doc], styles: &Styles) -> Result<(), XlsxError> {
    let mut headers = vec![SERVICE_HEADER];
    headers.extend(PROFILE_DESCRIPTIONS.iter().map(|(attribute, _)| *attribute));
    let mut widths = vec![SERVICE_WIDTH];
    widths.extend(PROFILE_WIDTHS);
    start_table(sheet, &widths, &headers, styles)?;

    let mut r = 0;
    for doc in docs {
        r += 1;
        let mut cells = vec![doc.service.as_str()];
        // By attribute name, so a profile in another order still lands in its column.
        for (attribute, _) in PROFILE_DESCRIPTIONS {
            let value = doc
                .security_profile
                .iter()
                .find(|p| p.attribute == attribute)
                .map_or("", |p| p.value.as_str());
            cells.push(value);
        }
        fit_row(sheet, r, &widths, cells.iter().copied())?;
        for (c, value) in (0u16..).zip(&cells) {
            sheet.write_string(r, c, *value)?;
        }
    }
    finish_table(sheet, r, widths.len(), (1, 1))
}

/// The matrix columns: every feature id of the baselines with the name it first appears
/// under, in the benchmark's domain and control order. Each baseline lists its features in
/// that order, so the columns merge those sequences: a feature comes after every feature
/// that precedes it in some baseline, ties broken by first appearance. Baselines that
/// disagree (a feature filed under another control) cannot all be honoured; the feature seen
/// first then goes first.
pub fn feature_columns(docs: &[&Doc]) -> Vec<(String, String)> {
    // Borrowed until the end: every feature of every baseline is looked up here.
    let mut first_seen: Vec<(&str, &str)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut after: Vec<BTreeSet<usize>> = Vec::new();
    let mut before_count: Vec<usize> = Vec::new();
    for doc in docs {
        let mut previous: Option<usize> = None;
        let mut seen_here = BTreeSet::new();
        for (_, _, feature) in doc.features() {
            let i = *index.entry(&feature.id).or_insert_with(|| {
                first_seen.push((&feature.id, &feature.name));
                after.push(BTreeSet::new());
                before_count.push(0);
                first_seen.len() - 1
            });
            if !seen_here.insert(i) {
                continue; // listed twice in one baseline: its first place counts
            }
            if let Some(p) = previous {
                if after[p].insert(i) {
                    before_count[i] += 1;
                }
            }
            previous = Some(i);
        }
    }

    // Kahn's algorithm, taking the earliest-seen feature whose predecessors are all placed;
    // on a cycle, the earliest-seen feature left.
    let n = first_seen.len();
    let mut placed = vec![false; n];
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| before_count[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let next = match ready.pop_first() {
            Some(i) => i,
            None => (0..n).find(|&i| !placed[i]).unwrap_or_default(),
        };
        if placed[next] {
            continue;
        }
        placed[next] = true;
        order.push(next);
        for &j in &after[next] {
            before_count[j] = before_count[j].saturating_sub(1);
            if before_count[j] == 0 && !placed[j] {
                ready.insert(j);
            }
        }
    }
    order
        .into_iter()
        .map(|i| (first_seen[i].0.to_string(), first_seen[i].1.to_string()))
        .collect()
}

/// The feature of a baseline by id. A feature listed under several controls shows its most
/// informative entry: supported over not supported over not applicable, then the first.
fn feature_status(doc: &Doc) -> BTreeMap<&str, &FeatureDoc> {
    let rank = |f: &FeatureDoc| match f.supported {
        Tri::True => 0,
        Tri::False => 1,
        Tri::NotApplicable => 2,
    };
    let mut out: BTreeMap<&str, &FeatureDoc> = BTreeMap::new();
    for (_, _, f) in doc.features() {
        let keep = out
            .get(f.id.as_str())
            .is_some_and(|old| rank(old) <= rank(f));
        if !keep {
            out.insert(&f.id, f);
        }
    }
    out
}

/// The text of a matrix cell.
pub fn status_text(f: &FeatureDoc) -> &'static str {
    match (f.supported, f.responsibility) {
        (Tri::True, Responsibility::Customer) => "Supported (Customer)",
        (Tri::True, Responsibility::Microsoft) => "Supported (Microsoft)",
        (Tri::True, Responsibility::Shared) => "Supported (Shared)",
        (Tri::True, Responsibility::NotApplicable) => "Supported",
        (Tri::False, _) => "Not supported",
        (Tri::NotApplicable, _) => "Not applicable",
    }
}

/// Cell colours that make the matrix readable at a glance.
struct StatusStyles {
    supported: Format,
    unsupported: Format,
    not_applicable: Format,
}

impl StatusStyles {
    fn new() -> Self {
        let base = Format::new().set_align(FormatAlign::Top);
        StatusStyles {
            supported: base.clone().set_background_color(Color::RGB(0xE2EFDA)),
            unsupported: base.clone().set_background_color(Color::RGB(0xFCE4D6)),
            not_applicable: base.set_font_color(Color::RGB(0x7F7F7F)),
        }
    }

    fn of(&self, f: &FeatureDoc) -> &Format {
        match f.supported {
            Tri::True => &self.supported,
            Tri::False => &self.unsupported,
            Tri::NotApplicable => &self.not_applicable,
        }
    }
}

/// Column widths, the header row and its height. Low memory mode writes rows in
/// order, so everything about row 0 happens before any data row.
fn start_table(
    sheet: &mut Worksheet,
    widths: &[f64],
    headers: &[&str],
    styles: &Styles,
) -> Result<(), XlsxError> {
    set_columns(sheet, widths, styles)?;
    fit_row(sheet, 0, widths, headers.iter().copied())?;
    write_header(sheet, styles, headers)
}

/// Frozen panes, an autofilter over the data, and a print layout (landscape, header on every
/// page).
fn finish_table(
    sheet: &mut Worksheet,
    last_row: u32,
    columns: usize,
    freeze: (u32, u16),
) -> Result<(), XlsxError> {
    // rust_xlsxwriter 0.102, in low memory mode, writes the `<row>` element of the last row
    // twice when that row has a height, and Excel repairs a file with a row twice. A blank
    // cell after the table sends the last row out when it is written, once.
    sheet.write_blank(last_row + 1, 0, &Format::new())?;
    sheet.set_freeze_panes(freeze.0, freeze.1)?;
    sheet.autofilter(0, 0, last_row.max(1), columns.saturating_sub(1) as u16)?;
    sheet.set_landscape();
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;
    use crate::resolve::{BenchmarkRef, ControlDoc, DomainDoc, ProfileRow, ReferenceDoc};

    fn feature(id: &str, supported: Tri, responsibility: Responsibility) -> FeatureDoc {
        FeatureDoc {
            id: id.to_string(),
            name: format!("Feature {id}"),
            description: format!("What {id} does"),
            learn_more: None,
            anchor: id.to_string(),
            supported,
            enabled_by_default: Tri::False,
            responsibility,
            shown: supported != Tri::NotApplicable,
            guidance: Some(format!("Configure {id}")),
            feature_notes: None,
            additional_guidance: None,
            guidance_notes: None,
            custom_guidance: vec![],
            reference: Some(ReferenceDoc {
                title: format!("About {id}"),
                url: format!("https://example.org/{id}"),
            }),
        }
    }

    fn control(id: &str, features: Vec<FeatureDoc>) -> ControlDoc {
        ControlDoc {
            id: id.to_string(),
            title: format!("Title of {id}"),
            link: String::new(),
            anchor: id.to_lowercase(),
            cis_v8: vec![],
            nist_sp800_53_r4: vec![],
            pci_dss_v3_2_1: vec![],
            shown: true,
            features,
            guidance: None,
            responsibility: None,
            guidance_notes: None,
            policies: vec![],
        }
    }

    fn doc(service: &str, controls: Vec<ControlDoc>) -> Doc {
        Doc {
            service: service.to_string(),
            slug: service.to_lowercase().replace(' ', "-"),
            benchmark: BenchmarkRef {
                id: "mcsb-v1".into(),
                name: "Microsoft cloud security benchmark".into(),
                version: "1.0".into(),
                link: String::new(),
            },
            resource_provider: None,
            mapping_file: None,
            last_reviewed: None,
            intro: vec![],
            security_profile: PROFILE_DESCRIPTIONS
                .iter()
                .map(|&(attribute, description)| ProfileRow {
                    attribute,
                    description,
                    value: format!("{service} {attribute}"),
                })
                .collect(),
            domains: vec![DomainDoc {
                id: "NS".into(),
                name: "Network security".into(),
                workbook_name: "Network Security".into(),
                link: String::new(),
                shown: true,
                controls,
            }],
        }
    }

    fn ids(columns: &[(String, String)]) -> Vec<&str> {
        columns.iter().map(|(id, _)| id.as_str()).collect()
    }

    fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
        let mut wb = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
        let range = wb.worksheet_range(name).unwrap();
        range.rows().map(<[Data]>::to_vec).collect()
    }

    fn text(cell: &Data) -> &str {
        match cell {
            Data::String(s) => s,
            Data::Empty => "",
            other => panic!("{other:?} is not text"),
        }
    }

    #[test]
    fn columns_merge_each_baselines_order() {
        use Responsibility::Customer;
        let a = doc(
            "A",
            vec![
                control("NS-1", vec![feature("vnet", Tri::True, Customer)]),
                control("NS-2", vec![feature("private-link", Tri::True, Customer)]),
            ],
        );
        // B knows a feature of NS-1 that A lacks: it goes before NS-2's, not at the end.
        let b = doc(
            "B",
            vec![
                control("NS-1", vec![feature("nsg", Tri::True, Customer)]),
                control("NS-2", vec![feature("private-link", Tri::True, Customer)]),
                control("NS-3", vec![feature("firewall", Tri::True, Customer)]),
            ],
        );
        assert_eq!(
            ids(&feature_columns(&[&a, &b])),
            ["vnet", "nsg", "private-link", "firewall"]
        );
        assert_eq!(
            ids(&feature_columns(&[&b, &a])),
            ["nsg", "vnet", "private-link", "firewall"]
        );
        assert!(feature_columns(&[]).is_empty());
    }

    #[test]
    fn columns_survive_baselines_that_disagree() {
        use Responsibility::Customer;
        let x = |id| feature(id, Tri::True, Customer);
        let a = doc("A", vec![control("NS-1", vec![x("p"), x("q")])]);
        let b = doc("B", vec![control("NS-1", vec![x("q"), x("p"), x("q")])]);
        assert_eq!(ids(&feature_columns(&[&a, &b])), ["p", "q"]);
    }

    #[test]
    fn matrix_cells_say_support_and_responsibility() {
        let cell = |s, r| status_text(&feature("f", s, r));
        assert_eq!(
            cell(Tri::True, Responsibility::Customer),
            "Supported (Customer)"
        );
        assert_eq!(cell(Tri::True, Responsibility::NotApplicable), "Supported");
        assert_eq!(
            cell(Tri::False, Responsibility::NotApplicable),
            "Not supported"
        );
        assert_eq!(
            cell(Tri::NotApplicable, Responsibility::NotApplicable),
            "Not applicable"
        );
    }

    #[test]
    fn a_feature_under_two_controls_shows_its_supported_entry() {
        let d = doc(
            "A",
            vec![
                control(
                    "NS-1",
                    vec![feature(
                        "f",
                        Tri::NotApplicable,
                        Responsibility::NotApplicable,
                    )],
                ),
                control(
                    "NS-2",
                    vec![feature("f", Tri::True, Responsibility::Shared)],
                ),
            ],
        );
        assert_eq!(status_text(feature_status(&d)["f"]), "Supported (Shared)");
    }

    #[test]
    fn workbook_has_three_sheets_of_text() {
        let mut risky = feature("vnet", Tri::True, Responsibility::Customer);
        risky.guidance = Some("=HYPERLINK(\"https://evil.example\")".into());
        risky.feature_notes = Some("+1".into());
        risky.guidance_notes = Some("@SUM(A1)".into());
        let a = doc(
            "Alpha",
            vec![control(
                "NS-1",
                vec![
                    risky,
                    feature("nsg", Tri::False, Responsibility::NotApplicable),
                ],
            )],
        );
        let b = doc(
            "-Beta",
            vec![control(
                "NS-1",
                vec![feature(
                    "nsg",
                    Tri::NotApplicable,
                    Responsibility::NotApplicable,
                )],
            )],
        );
        let bytes = render(&[a, b], XlsxOptions::default()).unwrap();
        let wb = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(wb.sheet_names(), SHEETS);

        let summary = sheet(&bytes, "Feature Summary");
        assert_eq!(text(&summary[0][0]), "Service");
        let header: Vec<&str> = summary[0][1..].iter().map(text).collect();
        assert_eq!(header, FEATURE_SUMMARY_HEADERS);
        assert_eq!(summary.len(), 4);
        assert_eq!(text(&summary[1][0]), "Alpha");
        assert_eq!(text(&summary[1][4]), "=HYPERLINK(\"https://evil.example\")");
        assert_eq!(text(&summary[1][11]), "+1");
        assert_eq!(text(&summary[1][12]), "@SUM(A1)");
        assert_eq!(
            text(&summary[1][10]),
            "About vnet: https://example.org/vnet"
        );
        assert_eq!(text(&summary[3][0]), "-Beta");
        for row in &summary {
            for cell in row {
                text(cell); // every cell is text: nothing became a formula or a number
            }
        }

        let matrix = sheet(&bytes, "Matrix");
        let rows: Vec<Vec<&str>> = matrix
            .iter()
            .map(|r| r.iter().map(text).collect())
            .collect();
        assert_eq!(rows[0], ["Service", "Feature vnet", "Feature nsg"]);
        assert_eq!(rows[1], ["Alpha", "Supported (Customer)", "Not supported"]);
        assert_eq!(rows[2], ["-Beta", "", "Not applicable"]);

        let profile = sheet(&bytes, "Security Profile");
        assert_eq!(profile.len(), 3);
        assert_eq!(text(&profile[0][1]), "Product Category");
        assert_eq!(text(&profile[2][0]), "-Beta");
        assert_eq!(
            text(&profile[2][4]),
            "-Beta Stores customer content at rest"
        );
    }

    #[test]
    fn same_input_gives_same_bytes_and_the_timestamp_is_injected() {
        let d = doc(
            "Alpha",
            vec![control(
                "NS-1",
                vec![feature("vnet", Tri::True, Responsibility::Customer)],
            )],
        );
        let docs = [&d];
        let first = render(&docs, XlsxOptions::default()).unwrap();
        assert_eq!(first, render(&docs, XlsxOptions::default()).unwrap());
        let later = XlsxOptions {
            timestamp: 1_700_000_000,
            ..XlsxOptions::default()
        };
        assert_ne!(first, render(&docs, later).unwrap());
    }

    #[test]
    fn no_baselines_still_make_a_workbook() {
        let bytes = render::<Doc>(&[], XlsxOptions::default()).unwrap();
        let matrix = sheet(&bytes, "Matrix");
        assert_eq!(text(&matrix[0][0]), "Service");
    }

    /// The library bug that `finish_table`'s blank cell works around. When this fails, an
    /// upgrade of rust_xlsxwriter fixed it, and the blank cell can go.
    #[test]
    fn rust_xlsxwriter_still_writes_a_last_row_with_a_height_twice() {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet_with_low_memory().unwrap();
        sheet.write_string(0, 0, "header").unwrap();
        sheet.set_row_height(1, 30).unwrap();
        sheet.write_string(1, 0, "last").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        assert_eq!(xml.matches("<row r=\"2\"").count(), 2, "{xml}");
    }
}
