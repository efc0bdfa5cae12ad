//! Legacy mapping workbooks (the v1.1 layout on ASB v1 ids, the v2.0 layout on ASB v2 ids)
//! into a baseline of control-level guidance on MCSB v1; whatever does not carry over is
//! reported as a defect, never silently lost.

use std::collections::HashMap;
use std::path::Path;

use super::workbook::{Sheet, Workbook};
use super::{is_absent, slugify, Action, Defects, ImportError};
use crate::model::{
    Baseline, BaselineControl, Benchmark, HostAccess, Responsibility, SecurityProfile, Spanned,
};
use crate::resolve::normalize_space;
use crate::source::Span;

/// The one sheet of both legacy layouts.
const SHEET: &str = "Security Baseline";
const COL_ID: &str = "Azure ID";
const COL_GUIDANCE: &str = "Customer Guidance";
const COL_SERVICE: &str = "Service";
const COL_TITLE: &str = "Benchmark Recommendation";
const COL_RESPONSIBILITY: &str = "Responsibility";
/// The legacy domain name: implied by the control id, so read but not carried.
const COL_DOMAIN: &str = "Azure Control";

/// How far down the header may sit: a title row above it should not make the file
/// unreadable, but a header deep in the sheet is not one of Microsoft's layouts.
const HEADER_SEARCH_ROWS: usize = 10;

/// Length of the guidance excerpts in messages about dropped rows.
const EXCERPT_CHARS: usize = 60;

/// Whether a workbook is in one of the legacy layouts (a "Security Baseline" sheet with an
/// "Azure ID" column), as opposed to the v3 layout.
pub fn is_legacy(workbook: &Workbook) -> bool {
    workbook
        .sheet(SHEET)
        .is_some_and(|sheet| find_header(sheet).is_some())
}

/// The row holding the "Azure ID" header.
fn find_header(sheet: &Sheet) -> Option<usize> {
    (0..sheet.rows.len().min(HEADER_SEARCH_ROWS)).find(|&row| sheet.column(row, COL_ID).is_some())
}

/// Where the columns the model has a place for are; the rest are reported as unmapped.
struct Columns {
    id: usize,
    guidance: usize,
    service: Option<usize>,
    title: Option<usize>,
    responsibility: Option<usize>,
    domain: Option<usize>,
}

impl Columns {
    fn used(&self, col: usize) -> bool {
        col == self.id
            || col == self.guidance
            || [self.service, self.title, self.responsibility, self.domain].contains(&Some(col))
    }
}

/// One benchmark control as the rows of the workbook fill it.
struct Entry {
    /// Position in the benchmark's control list, for output order.
    order: usize,
    id: String,
    /// The workbook's title, kept when it is not one the catalog knows for this id.
    title: Option<String>,
    paragraphs: Vec<String>,
    responsibility: Option<Responsibility>,
    /// Address of the first row's id cell, for messages about later rows.
    first_cell: String,
}

/// Imports a legacy workbook into a baseline of control-level guidance on `benchmark`, as
/// far as its columns carry. A row lands on the control with its id (ASB v2 ids exist in
/// MCSB v1 but may name another control: a differing title is reported as
/// `control-renumbered` and kept as the baseline's `title`, so `check` flags it too). Rows
/// whose id is not in the benchmark (ASB v1's `1.1`) and columns the model has no place
/// for are reported, never silently lost. Controls follow the benchmark's order.
pub fn import(
    workbook: &Workbook,
    benchmark: &Benchmark,
    defects: &mut Defects,
) -> Result<Baseline, ImportError> {
    let sheet = workbook.require_sheet(SHEET)?;
    let missing = |expected: &str, header: Option<usize>| ImportError::MissingColumn {
        file: workbook.file.clone(),
        sheet: sheet.name.clone(),
        expected: expected.to_string(),
        found: header_text(sheet, header),
    };
    let header = find_header(sheet).ok_or_else(|| missing(COL_ID, sheet.header_row()))?;
    let cols = Columns {
        id: sheet
            .column(header, COL_ID)
            .ok_or_else(|| missing(COL_ID, Some(header)))?,
        guidance: sheet
            .column(header, COL_GUIDANCE)
            .ok_or_else(|| missing(COL_GUIDANCE, Some(header)))?,
        service: sheet.column(header, COL_SERVICE),
        title: sheet.column(header, COL_TITLE),
        responsibility: sheet.column(header, COL_RESPONSIBILITY),
        domain: sheet.column(header, COL_DOMAIN),
    };
    let name = Some(sheet.name.as_str());
    let data_rows = data_rows(sheet, header);

    report_unmapped_columns(sheet, header, &cols, &data_rows, defects);
    if cols.responsibility.is_none() {
        defects.add(
            name,
            None,
            "missing-column",
            format!("no `{COL_RESPONSIBILITY}` column: the controls carry no responsibility"),
            Action::Kept,
        );
    }

    let service = service_name(workbook, sheet, &cols, &data_rows, defects)?;

    // Catalog ids are matched without case or surrounding whitespace; the catalog's
    // spelling is what the baseline gets.
    let catalog: HashMap<String, usize> = benchmark
        .controls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.value.trim().to_ascii_uppercase(), i))
        .collect();

    let mut entries: Vec<Entry> = Vec::new();
    let mut by_order: HashMap<usize, usize> = HashMap::new();
    for &row in &data_rows {
        let raw_id = sheet.cell(row, cols.id);
        let id_cell = sheet.address(row, cols.id);
        let guidance_cell = sheet.address(row, cols.guidance);
        let guidance = tidy_markdown(sheet.cell(row, cols.guidance));
        if guidance != sheet.cell(row, cols.guidance) && !guidance.is_empty() {
            defects.add(
                name,
                Some(guidance_cell.clone()),
                "whitespace",
                "guidance had surrounding whitespace or Windows line ends; trimmed",
                Action::Repaired,
            );
        }
        let guidance = (!is_absent(&guidance)).then_some(guidance);
        let row_title = cols
            .title
            .map(|c| normalize_space(sheet.cell(row, c)))
            .filter(|t| !is_absent(t));

        if is_absent(raw_id) {
            defects.add(
                name,
                Some(id_cell),
                "missing-control-id",
                format!(
                    "row without a control id{}; dropped",
                    row_summary(row_title.as_deref(), guidance.as_deref())
                ),
                Action::Dropped,
            );
            continue;
        }
        let key = raw_id.trim().to_ascii_uppercase();
        let Some((order, control)) = catalog
            .get(&key)
            .and_then(|&i| benchmark.controls.get(i).map(|c| (i, c)))
        else {
            defects.add(
                name,
                Some(id_cell),
                "unmapped-control",
                format!(
                    "`{}` is not a control of {}{}; dropped",
                    raw_id.trim(),
                    benchmark.id.value,
                    row_summary(row_title.as_deref(), guidance.as_deref())
                ),
                Action::Dropped,
            );
            continue;
        };
        let id = control.id.value.clone();
        if raw_id != id {
            defects.add(
                name,
                Some(id_cell.clone()),
                "control-id-normalized",
                format!("control id `{raw_id}` read as `{id}`"),
                Action::Repaired,
            );
        }

        // A title the catalog does not know for this id means the legacy benchmark put
        // another control under the same number (ASB v2's DP-2 is not MCSB's DP-2).
        let mut renumbered_title = None;
        if let (Some(title), Some(title_col)) = (&row_title, cols.title) {
            let known = std::iter::once(&control.title)
                .chain(&control.aliases)
                .any(|t| normalize_space(&t.value) == *title);
            if !known {
                defects.add(
                    name,
                    Some(sheet.address(row, title_col)),
                    "control-renumbered",
                    format!(
                        "`{id}` is titled \"{title}\" here, but {}'s `{id}` is \"{}\"; the \
                         guidance is kept under `{id}` with the workbook's title",
                        benchmark.id.value,
                        normalize_space(&control.title.value)
                    ),
                    Action::Kept,
                );
                renumbered_title = Some(title.clone());
            }
        }

        let responsibility = cols
            .responsibility
            .map(|c| read_responsibility(sheet, row, c, name, defects));

        if guidance.is_none() {
            defects.add(
                name,
                Some(guidance_cell),
                "missing-guidance",
                format!("`{id}` has no guidance; the control is kept without it"),
                Action::Kept,
            );
        }

        match by_order.get(&order).and_then(|&at| entries.get_mut(at)) {
            Some(entry) => {
                let repeated = guidance
                    .as_ref()
                    .is_some_and(|g| entry.paragraphs.contains(g));
                defects.add(
                    name,
                    Some(id_cell.clone()),
                    "duplicate-control",
                    format!(
                        "`{id}` appears again (first at {}); {}",
                        entry.first_cell,
                        if repeated {
                            "its guidance repeats the earlier row's and is kept once"
                        } else {
                            "its guidance is joined as a further paragraph"
                        }
                    ),
                    Action::Repaired,
                );
                if let Some(g) = guidance {
                    if !repeated {
                        entry.paragraphs.push(g);
                    }
                }
                if entry.title.is_none() {
                    entry.title = renumbered_title;
                }
                if let (Some(first), Some(again)) = (entry.responsibility, responsibility) {
                    if first != again {
                        defects.add(
                            name,
                            cols.responsibility.map(|c| sheet.address(row, c)),
                            "conflicting-responsibility",
                            format!(
                                "`{id}` is `{}` here but `{}` at {}; the first is kept",
                                again.label(),
                                first.label(),
                                entry.first_cell
                            ),
                            Action::Dropped,
                        );
                    }
                }
            }
            None => {
                by_order.insert(order, entries.len());
                entries.push(Entry {
                    order,
                    id,
                    title: renumbered_title,
                    paragraphs: guidance.into_iter().collect(),
                    responsibility,
                    first_cell: id_cell,
                });
            }
        }
    }

    entries.sort_by_key(|e| e.order);
    let controls = entries
        .into_iter()
        .map(|e| BaselineControl {
            title: e.title.map(spanned),
            guidance: (!e.paragraphs.is_empty()).then(|| spanned(e.paragraphs.join("\n\n"))),
            responsibility: e.responsibility,
            ..BaselineControl::new(spanned(e.id))
        })
        .collect();

    defects.add(
        name,
        None,
        "no-security-profile",
        "the legacy layouts have no security profile; written as no product category, no \
         host access, not deployable into a VNet, no customer content at rest: fill it in by \
         hand",
        Action::Dropped,
    );

    Ok(Baseline {
        slug: spanned(slugify(&service)),
        service: spanned(service),
        benchmark: spanned(benchmark.id.value.clone()),
        resource_provider: None,
        mapping_file: None,
        last_reviewed: None,
        intro: None,
        security_profile: SecurityProfile {
            product_category: vec![],
            host_os_access: HostAccess::NoAccess,
            deployable_into_vnet: false,
            stores_content_at_rest: false,
        },
        controls,
    })
}

fn spanned<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Span::default())
}

/// The header row as messages show it.
fn header_text(sheet: &Sheet, header: Option<usize>) -> String {
    let cells: Vec<String> = header
        .and_then(|r| sheet.rows.get(r))
        .map(|row| {
            row.iter()
                .map(|c| normalize_space(c))
                .filter(|c| !c.is_empty())
                .map(|c| format!("`{c}`"))
                .collect()
        })
        .unwrap_or_default();
    if cells.is_empty() {
        "none: the sheet is empty".to_string()
    } else {
        cells.join(", ")
    }
}

/// Rows below the header with any text; blank rows (calamine keeps formatted empty rows)
/// are not data.
fn data_rows(sheet: &Sheet, header: usize) -> Vec<usize> {
    sheet
        .rows
        .iter()
        .enumerate()
        .skip(header + 1)
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(row, _)| row)
        .collect()
}

/// One defect per column that holds values the model cannot carry.
fn report_unmapped_columns(
    sheet: &Sheet,
    header: usize,
    cols: &Columns,
    data_rows: &[usize],
    defects: &mut Defects,
) {
    let width = std::iter::once(header)
        .chain(data_rows.iter().copied())
        .filter_map(|r| sheet.rows.get(r).map(Vec::len))
        .max()
        .unwrap_or(0);
    for col in (0..width).filter(|&c| !cols.used(c)) {
        let values = data_rows
            .iter()
            .filter(|&&r| !sheet.cell(r, col).trim().is_empty())
            .count();
        if values == 0 {
            continue; // nothing is lost
        }
        let title = normalize_space(sheet.cell(header, col));
        let what = if title.is_empty() {
            "an untitled column".to_string()
        } else {
            format!("column `{title}`")
        };
        defects.add(
            Some(&sheet.name),
            Some(sheet.address(header, col)),
            "unmapped-column",
            format!(
                "{what} ({values} non-empty {}) has no place in the model; dropped",
                if values == 1 { "cell" } else { "cells" }
            ),
            Action::Dropped,
        );
    }
}

/// The service name from the "Service" column, or from the file name when the column
/// is missing or empty.
fn service_name(
    workbook: &Workbook,
    sheet: &Sheet,
    cols: &Columns,
    data_rows: &[usize],
    defects: &mut Defects,
) -> Result<String, ImportError> {
    let name = Some(sheet.name.as_str());
    let mut chosen: Option<String> = None;
    let mut others: Vec<String> = Vec::new();
    if let Some(col) = cols.service {
        for &row in data_rows {
            let raw = normalize_space(sheet.cell(row, col));
            if is_absent(&raw) {
                continue;
            }
            let (stem, suffix) = strip_conversion_suffix(&raw);
            let stem = stem.to_string();
            match &chosen {
                None => {
                    if let Some(suffix) = suffix {
                        defects.add(
                            name,
                            Some(sheet.address(row, col)),
                            "service-name-suffix",
                            format!(
                                "service `{raw}` carries the conversion suffix `{suffix}`; \
                                 named `{stem}`"
                            ),
                            Action::Repaired,
                        );
                    }
                    chosen = Some(stem);
                }
                Some(first) if *first != stem && !others.contains(&stem) => {
                    defects.add(
                        name,
                        Some(sheet.address(row, col)),
                        "inconsistent-service",
                        format!("service `{stem}` differs from the first row's `{first}`; the first is kept"),
                        Action::Dropped,
                    );
                    others.push(stem);
                }
                Some(_) => {}
            }
        }
    }
    if let Some(service) = chosen {
        return Ok(service);
    }
    let Some(service) = service_from_file_name(&workbook.file) else {
        return Err(ImportError::Invalid {
            file: workbook.file.clone(),
            message: format!(
                "no service name: the `{COL_SERVICE}` column is missing or empty, and the file \
                 name does not give one"
            ),
        });
    };
    defects.add(
        name,
        None,
        "missing-service",
        format!(
            "the `{COL_SERVICE}` column is missing or empty; named `{service}` after the file name"
        ),
        Action::Repaired,
    );
    Ok(service)
}

/// `Container Registry_V2_Conversion` -> (`Container Registry`, `Some("_V2_Conversion")`):
/// Microsoft's conversion tooling appended `_V<n>...` to the service name.
fn strip_conversion_suffix(name: &str) -> (&str, Option<&str>) {
    for (at, _) in name.match_indices('_') {
        let (Some(stem), Some(suffix)) = (name.get(..at), name.get(at..)) else {
            continue;
        };
        let mut rest = suffix.chars().skip(1);
        let versioned = matches!(rest.next(), Some('V' | 'v'))
            && rest.next().is_some_and(|c| c.is_ascii_digit());
        let word_like = suffix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if versioned && word_like && !stem.trim().is_empty() {
            return (stem.trim_end(), Some(suffix));
        }
    }
    (name, None)
}

/// `.../container-registry-security-baseline-v1.1.xlsx` -> `Container Registry`.
fn service_from_file_name(file: &str) -> Option<String> {
    let stem = Path::new(file).file_stem()?.to_str()?;
    let lower = stem.to_ascii_lowercase();
    let end = [
        "-security-baseline",
        "-azure-security-benchmark",
        " security baseline",
    ]
    .iter()
    .filter_map(|marker| lower.find(marker))
    .min()
    .unwrap_or(stem.len());
    let words: Vec<String> = stem
        .get(..end)?
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Maps the "Responsibility" cell, reporting values that are not clearly one of the
/// model's (they are kept as not-applicable so the control still has one).
fn read_responsibility(
    sheet: &Sheet,
    row: usize,
    col: usize,
    name: Option<&str>,
    defects: &mut Defects,
) -> Responsibility {
    let raw = sheet.cell(row, col);
    let folded = normalize_space(raw).to_ascii_lowercase();
    match folded.as_str() {
        "customer" => Responsibility::Customer,
        "microsoft" => Responsibility::Microsoft,
        "shared" => Responsibility::Shared,
        "not applicable" | "not-applicable" | "n/a" | "na" => Responsibility::NotApplicable,
        _ => {
            let what = if is_absent(raw) {
                "no responsibility".to_string()
            } else {
                format!("responsibility `{}`", normalize_space(raw))
            };
            defects.add(
                name,
                Some(sheet.address(row, col)),
                "unknown-responsibility",
                format!("{what} is not Customer, Microsoft, Shared or Not Applicable; kept as not-applicable"),
                Action::Kept,
            );
            Responsibility::NotApplicable
        }
    }
}

/// Guidance as Markdown: trimmed, with Unix line ends.
fn tidy_markdown(cell: &str) -> String {
    cell.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

/// `: "Title": "guidance excerpt…"` for messages about dropped rows.
fn row_summary(title: Option<&str>, guidance: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(title) = title {
        out.push_str(&format!(" (\"{title}\")"));
    }
    match guidance {
        Some(g) => out.push_str(&format!(", guidance \"{}\"", excerpt(g))),
        None => out.push_str(", no guidance"),
    }
    out
}

fn excerpt(text: &str) -> String {
    let folded = normalize_space(text);
    if folded.chars().count() <= EXCERPT_CHARS {
        return folded;
    }
    let cut: String = folded.chars().take(EXCERPT_CHARS).collect();
    // End on a whole word unless that throws most of the excerpt away.
    let cut = match cut.rfind(' ') {
        Some(at) if at > cut.len() / 2 => cut.get(..at).unwrap_or(&cut),
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '.']))
}

#[cfg(test)]
mod tests;
