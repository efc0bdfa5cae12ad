//! `all-baselines.xlsx`: every baseline in one workbook, services side by side: all Feature
//! Summary rows under a leading `Service` column, a service x feature matrix, and the
//! security profiles. Every cell is written as a string, so no text can become a formula.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{Responsibility, Tri};
use crate::resolve::{Doc, FeatureDoc, PROFILE_DESCRIPTIONS};

use super::mapping::{feature_summary, FEATURE_SUMMARY_HEADERS, REFERENCE_COLUMN};
use super::ooxml::{Error, Properties, SheetWriter, Style, Workbook};
use super::xlsx::{
    fit_row, row_height, start_table, wrapped_lines, write_link, SummaryLines, XlsxOptions,
    SUMMARY_WIDTHS,
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
/// The sheets' XML is held until the workbook is zipped: about 24 MB at 1,200 services,
/// nearly all of it the Feature Summary's rows. Their strings are shared, so the table of
/// distinct strings stays small.
pub fn render<D: Borrow<Doc>>(docs: &[D], options: XlsxOptions) -> Result<Vec<u8>, Error> {
    let docs: Vec<&Doc> = docs.iter().map(Borrow::borrow).collect();
    render_with(&docs, &[], options)
}

/// [`render`], with each service's Feature Summary row heights shared with its own
/// workbook: `summary_lines[i]` is that of `docs[i]` (a service without one is measured
/// here).
pub fn render_with(
    docs: &[&Doc],
    summary_lines: &[&SummaryLines],
    options: XlsxOptions,
) -> Result<Vec<u8>, Error> {
    let benchmarks: BTreeSet<String> = docs
        .iter()
        .map(|d| format!("{} {}", d.benchmark.name, d.benchmark.version))
        .collect();
    let mut workbook = Workbook::new(
        Properties {
            title: format!("Security baselines of {} services", docs.len()),
            subject: benchmarks.into_iter().collect::<Vec<_>>().join("; "),
            author: "controlbook".into(),
            created: options.timestamp,
        },
        options.zip_level,
    );
    feature_summary_sheet(&mut workbook.add_sheet(SHEETS[0]), docs, summary_lines)?;
    matrix_sheet(&mut workbook.add_sheet(SHEETS[1]), docs)?;
    profile_sheet(&mut workbook.add_sheet(SHEETS[2]), docs)?;
    workbook.finish()
}

/// Microsoft's 12 columns after the service name, one row per feature (and per control-level
/// guidance row) of every service, as in each baseline's own workbook.
fn feature_summary_sheet(
    sheet: &mut SheetWriter<'_>,
    docs: &[&Doc],
    summary_lines: &[&SummaryLines],
) -> Result<(), Error> {
    let mut headers = vec![SERVICE_HEADER];
    headers.extend(FEATURE_SUMMARY_HEADERS);
    let mut widths = vec![SERVICE_WIDTH];
    widths.extend(SUMMARY_WIDTHS);
    start_table(sheet, &widths, &headers)?;

    let mut r = 0;
    let mut links = 0;
    for (i, doc) in docs.iter().enumerate() {
        let rows = feature_summary(doc);
        let measured_here = SummaryLines::default();
        let lines = summary_lines.get(i).unwrap_or(&&measured_here).of(&rows);
        let service_lines = wrapped_lines(&doc.service, SERVICE_WIDTH);
        for (row, &lines) in rows.iter().zip(lines.iter()) {
            r += 1;
            let mut cells = vec![doc.service.as_str()];
            cells.extend(row.cells.iter().map(|c| &**c));
            sheet.row(r, row_height(service_lines.max(usize::from(lines))))?;
            for (c, value) in cells.iter().enumerate() {
                let c16 = c as u16;
                match &row.reference_url {
                    Some(url) if c == REFERENCE_COLUMN + 1 && links < MAX_LINKS_PER_SHEET => {
                        if write_link(sheet, c16, url, value)? {
                            links += 1;
                        }
                    }
                    _ => sheet.text(c16, value, None)?,
                }
            }
        }
    }
    finish_table(sheet, r, widths.len(), (1, 1));
    Ok(())
}

/// One row per service, one column per feature: whether the service supports it and who
/// configures it, or empty when its baseline does not list the feature.
fn matrix_sheet(sheet: &mut SheetWriter<'_>, docs: &[&Doc]) -> Result<(), Error> {
    let columns = feature_columns(docs);
    let mut headers = vec![SERVICE_HEADER];
    headers.extend(columns.iter().map(|(_, name)| name.as_str()));
    let mut widths = vec![SERVICE_WIDTH];
    widths.extend(std::iter::repeat_n(MATRIX_WIDTH, columns.len()));
    start_table(sheet, &widths, &headers)?;

    let mut r = 0;
    for doc in docs {
        r += 1;
        let by_id = feature_status(doc);
        sheet.row(r, DEFAULT_HEIGHT)?;
        sheet.text(0, &doc.service, None)?;
        for (c, (id, _)) in (1u16..).zip(&columns) {
            if let Some(feature) = by_id.get(id.as_str()) {
                sheet.text(c, status_text(feature), Some(status_style(feature)))?;
            }
        }
    }
    finish_table(sheet, r, widths.len(), (1, 1));
    Ok(())
}

/// One row per service with its security profile attributes as columns.
fn profile_sheet(sheet: &mut SheetWriter<'_>, docs: &[&Doc]) -> Result<(), Error> {
    let mut headers = vec![SERVICE_HEADER];
    headers.extend(PROFILE_DESCRIPTIONS.iter().map(|(attribute, _)| *attribute));
    let mut widths = vec![SERVICE_WIDTH];
    widths.extend(PROFILE_WIDTHS);
    start_table(sheet, &widths, &headers)?;

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
            sheet.text(c, value, None)?;
        }
    }
    finish_table(sheet, r, widths.len(), (1, 1));
    Ok(())
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
fn status_style(f: &FeatureDoc) -> Style {
    match f.supported {
        Tri::True => Style::Supported,
        Tri::False => Style::Unsupported,
        Tri::NotApplicable => Style::Muted,
    }
}

/// One line of text: matrix cells are short.
const DEFAULT_HEIGHT: f64 = 15.0;

/// Frozen panes, an autofilter over the data, and a print layout (landscape, header on every
/// page).
fn finish_table(sheet: &mut SheetWriter<'_>, last_row: u32, columns: usize, freeze: (u32, u16)) {
    sheet.freeze_panes(freeze.0, freeze.1);
    sheet.autofilter((0, 0), (last_row.max(1), columns.saturating_sub(1) as u16));
    sheet.landscape();
    sheet.repeat_rows(0, 0);
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
}
