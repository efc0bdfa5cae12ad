//! The MCSB catalog workbook (one sheet per domain after `Readme`) to a benchmark: domains
//! in sheet order, controls with their titles, Learn links and CIS v8 / NIST / PCI ids.
//! The long guidance text stays in Microsoft's workbook.

use crate::model::{Benchmark, Control, Domain, Spanned};
use crate::resolve::normalize_space;
use crate::source::Span;

use super::workbook::{Sheet, Workbook};
use super::{is_absent, Action, Defects, ImportError};

/// Identity of the benchmark being imported (the workbook does not carry it).
pub struct BenchmarkInfo {
    pub id: String,
    pub name: String,
    pub version: String,
    pub link: String,
    /// Domain pages are `<domain_link_base><slug>`, e.g. `…/azure/mcsb-network-security`.
    pub domain_link_base: String,
}

impl Default for BenchmarkInfo {
    fn default() -> Self {
        BenchmarkInfo {
            id: "mcsb-v1".into(),
            name: "Microsoft cloud security benchmark".into(),
            version: "1.0".into(),
            link: "https://learn.microsoft.com/security/benchmark/azure/overview".into(),
            domain_link_base: "https://learn.microsoft.com/security/benchmark/azure/mcsb-".into(),
        }
    }
}

fn sp(v: impl Into<String>) -> Spanned<String> {
    Spanned::new(v.into(), Span::default())
}

/// Imports the catalog. `previous` is the existing catalog, whose hand-maintained
/// `aliases` are kept; `older` is an older edition (the ASB v3 workbook) whose differing
/// titles become aliases, since published baselines still show them.
pub fn import(
    workbook: &Workbook,
    info: &BenchmarkInfo,
    previous: Option<&Benchmark>,
    older: Option<&Workbook>,
    defects: &mut Defects,
) -> Result<Benchmark, ImportError> {
    let mut domains: Vec<Domain> = Vec::new();
    let mut controls: Vec<Control> = Vec::new();
    for sheet in &workbook.sheets {
        let Some(h) = sheet.header_row() else {
            continue;
        };
        let (Some(id_col), Some(domain_col), Some(title_col)) = (
            sheet.column(h, "ID"),
            sheet.column(h, "Control Domain"),
            sheet.column(h, "Recommendation"),
        ) else {
            continue; // Readme and other non-domain sheets
        };
        let cis = sheet.column(h, "CIS Controls v8 ID(s)");
        let nist = sheet.column(h, "NIST SP800-53 r4 ID(s)");
        let pci = sheet.column(h, "PCI-DSS v3.2.1 ID(s)");
        for row in h + 1..sheet.rows.len() {
            let id = sheet.cell(row, id_col).trim().to_string();
            if !is_control_id(&id) {
                if !id.is_empty() {
                    defects.add(
                        Some(&sheet.name),
                        Some(sheet.address(row, id_col)),
                        "not-a-control-id",
                        format!("`{id}` is not a control id"),
                        Action::Dropped,
                    );
                }
                continue;
            }
            let prefix = id.split('-').next().unwrap_or_default().to_string();
            if !domains.iter().any(|d| d.id.value == prefix) {
                let workbook_name = normalize_space(sheet.cell(row, domain_col));
                let name = sentence_case(&workbook_name);
                let link = format!("{}{}", info.domain_link_base, domain_slug(&name));
                domains.push(Domain {
                    id: sp(prefix.clone()),
                    name: sp(name),
                    workbook_name,
                    link: sp(link),
                });
            }
            let raw_title = sheet.cell(row, title_col);
            let title = normalize_space(raw_title);
            if title != raw_title {
                defects.add(
                    Some(&sheet.name),
                    Some(sheet.address(row, title_col)),
                    "whitespace",
                    format!("title of {id} has stray whitespace"),
                    Action::Repaired,
                );
            }
            let domain_link = domains
                .iter()
                .find(|d| d.id.value == prefix)
                .map(|d| d.link.value.clone())
                .unwrap_or_default();
            controls.push(Control {
                link: sp(format!(
                    "{domain_link}#{}",
                    anchor(&format!("{id}: {title}"))
                )),
                domain: sp(prefix),
                title: sp(title),
                aliases: Vec::new(),
                cis_v8: cis
                    .map(|c| leading_ids(sheet, row, c, is_cis_char))
                    .unwrap_or_default(),
                nist_sp800_53_r4: nist
                    .map(|c| leading_ids(sheet, row, c, is_nist_char))
                    .unwrap_or_default(),
                pci_dss_v3_2_1: pci.map(|c| lines(sheet, row, c)).unwrap_or_default(),
                id: sp(id),
            });
        }
    }
    if controls.is_empty() {
        return Err(ImportError::Invalid {
            file: workbook.file.clone(),
            message: "no sheet with the columns `ID`, `Control Domain` and `Recommendation`: not a benchmark catalog workbook".into(),
        });
    }
    let older_titles = older.map(older_titles).unwrap_or_default();
    for control in &mut controls {
        let mut aliases: Vec<String> = previous
            .and_then(|p| p.controls.iter().find(|c| c.id.value == control.id.value))
            .map(|c| c.aliases.iter().map(|a| a.value.clone()).collect())
            .unwrap_or_default();
        if let Some((_, title)) = older_titles.iter().find(|(id, _)| *id == control.id.value) {
            if *title != control.title.value && !aliases.contains(title) {
                aliases.push(title.clone());
            }
        }
        control.aliases = aliases.into_iter().map(sp).collect();
    }
    Ok(Benchmark {
        id: sp(info.id.clone()),
        name: info.name.clone(),
        version: info.version.clone(),
        link: sp(info.link.clone()),
        domains,
        controls,
    })
}

/// (id, title) of every control of an older edition's workbook.
fn older_titles(workbook: &Workbook) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for sheet in &workbook.sheets {
        let Some(h) = sheet.header_row() else {
            continue;
        };
        let id_col = sheet.column(h, "ASB ID").or_else(|| sheet.column(h, "ID"));
        let (Some(id_col), Some(title_col)) = (id_col, sheet.column(h, "Recommendation")) else {
            continue;
        };
        for row in h + 1..sheet.rows.len() {
            let id = sheet.cell(row, id_col).trim();
            if is_control_id(id) {
                out.push((id.to_string(), normalize_space(sheet.cell(row, title_col))));
            }
        }
    }
    out
}

fn is_control_id(s: &str) -> bool {
    match s.split_once('-') {
        Some((p, n)) => {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_uppercase())
                && !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn is_cis_char(c: char) -> bool {
    c.is_ascii_digit() || c == '.'
}

fn is_nist_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// The id at the start of each line ("3.12 - Segment…" -> `3.12`, "AC-4: INFORMATION…" ->
/// `AC-4`); lines without one continue the previous entry's text and are skipped.
fn leading_ids(sheet: &Sheet, row: usize, col: usize, id_char: fn(char) -> bool) -> Vec<String> {
    let cell = sheet.cell(row, col);
    if is_absent(cell) {
        return Vec::new();
    }
    cell.lines()
        .filter_map(|line| {
            let id: String = line.trim().chars().take_while(|&c| id_char(c)).collect();
            let id = id.trim_end_matches(['.', '-']).to_string();
            (id.chars().any(|c| c.is_ascii_digit()) && !is_absent(&id)).then_some(id)
        })
        .collect()
}

/// Each non-empty line of a cell ("1.1\n1.2" -> `1.1`, `1.2`), without N/A.
fn lines(sheet: &Sheet, row: usize, col: usize) -> Vec<String> {
    sheet
        .cell(row, col)
        .lines()
        .map(str::trim)
        .filter(|l| !is_absent(l))
        .map(str::to_string)
        .collect()
}

/// "Posture and Vulnerability Management" -> "Posture and vulnerability management"; words
/// with an inner capital (DevOps) keep it.
pub fn sentence_case(name: &str) -> String {
    name.split(' ')
        .enumerate()
        .map(|(i, w)| {
            let inner_capital = w.chars().skip(1).any(|c| c.is_uppercase());
            if i == 0 || inner_capital {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Logging and threat detection" -> `logging-threat-detection`, as Learn names the pages.
fn domain_slug(name: &str) -> String {
    super::slugify(name).replace("-and-", "-")
}

/// Learn's heading anchors: lowercase, only letters, digits, spaces and hyphens kept,
/// spaces become hyphens ("PA-1: Separate … privileged/administrative users" ->
/// `pa-1-separate-…-privilegedadministrative-users`).
pub fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_links_and_anchors_follow_learn() {
        assert_eq!(sentence_case("DevOps Security"), "DevOps security");
        assert_eq!(
            sentence_case("Posture and Vulnerability Management"),
            "Posture and vulnerability management"
        );
        assert_eq!(
            domain_slug("Logging and threat detection"),
            "logging-threat-detection"
        );
        assert_eq!(
            anchor("PA-1: Separate and limit highly privileged/administrative users"),
            "pa-1-separate-and-limit-highly-privilegedadministrative-users"
        );
    }

    #[test]
    fn mapping_ids_are_the_leading_tokens() {
        let sheet = Sheet {
            name: "S".into(),
            rows: vec![vec![
                "3.12 - Segment Data\nan Enterprise's AAA\n13.10 Perform".into(),
                "AC-4: INFO\nIR-7 INCIDENT\nN/A".into(),
                "1.1\n8.1\t\n\nA3.2".into(),
            ]],
            ..Default::default()
        };
        assert_eq!(leading_ids(&sheet, 0, 0, is_cis_char), ["3.12", "13.10"]);
        assert_eq!(leading_ids(&sheet, 0, 1, is_nist_char), ["AC-4", "IR-7"]);
        assert_eq!(lines(&sheet, 0, 2), ["1.1", "8.1", "A3.2"]);
    }
}
