//! Microsoft's v3 mapping workbooks (`Security Profile` and `Feature Summary`) to a
//! baseline. Columns are found by header; every cell is text; `None` and empty mean
//! absent; unambiguous defects are repaired and every defect is reported with its cell.

use std::collections::HashMap;

use crate::model::{
    Baseline, BaselineControl, Benchmark, FeatureCatalog, FeatureEntry, HostAccess, Policy,
    Reference, Responsibility, SecurityProfile, Spanned, Tri,
};
use crate::render::mapping::NO_RELATED_FEATURE;
use crate::resolve::normalize_space;
use crate::source::Span;

use super::workbook::{Sheet, Workbook};
use super::{is_absent, slugify, split_reference, Action, Defects, ImportError};

/// Columns of the Feature Summary that the import needs.
const REQUIRED: [&str; 8] = [
    "ASB Control ID",
    "ASB Control Title",
    "Guidance",
    "Responsibility",
    "Feature Name",
    "Feature Supported",
    "Feature Enabled by Default",
    "Feature Reference",
];

/// Where the baseline's identity comes from when the workbook does not say it.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    /// Service name given on the command line.
    pub service: Option<String>,
    /// The workbook's file name, for the slug and, failing all else, the service name.
    pub file_name: String,
}

fn sp(v: impl Into<String>) -> Spanned<String> {
    Spanned::new(v.into(), Span::default())
}

/// Imports a v3 workbook (or one that `build` wrote, with its About and Azure Policy sheets).
pub fn import(
    workbook: &Workbook,
    benchmark: &Benchmark,
    catalog: &FeatureCatalog,
    identity: &Identity,
    defects: &mut Defects,
) -> Result<Baseline, ImportError> {
    let summary = workbook.require_sheet("Feature Summary")?;
    let profile = match workbook.sheet("Security Profile") {
        Some(sheet) => security_profile(sheet, defects),
        None => {
            defects.add(
                None,
                None,
                "missing-sheet",
                "no `Security Profile` sheet; the profile must be filled in by hand",
                Action::Dropped,
            );
            empty_profile()
        }
    };
    let about = workbook
        .sheet("About")
        .map(about_values)
        .unwrap_or_default();
    let mut baseline = from_summary(
        &workbook.file,
        summary,
        benchmark,
        catalog,
        identity,
        &about,
        profile,
        defects,
    )?;
    if let Some(sheet) = workbook.sheet("Azure Policy") {
        attach_policies(&mut baseline, sheet, defects);
    }
    Ok(baseline)
}

pub(crate) fn empty_profile() -> SecurityProfile {
    SecurityProfile {
        product_category: Vec::new(),
        host_os_access: HostAccess::NoAccess,
        deployable_into_vnet: false,
        stores_content_at_rest: false,
    }
}

/// Key/value rows of the About sheet that `build` writes.
fn about_values(sheet: &Sheet) -> HashMap<String, String> {
    sheet
        .rows
        .iter()
        .skip(1)
        .filter(|r| r.len() >= 2 && !r[1].trim().is_empty())
        .map(|r| (r[0].trim().to_string(), r[1].trim().to_string()))
        .collect()
}

/// The rows of a Feature Summary table (a sheet, or CSV read as one) to a baseline.
#[allow(clippy::too_many_arguments)]
pub(crate) fn from_summary(
    file: &str,
    sheet: &Sheet,
    benchmark: &Benchmark,
    catalog: &FeatureCatalog,
    identity: &Identity,
    about: &HashMap<String, String>,
    profile: SecurityProfile,
    defects: &mut Defects,
) -> Result<Baseline, ImportError> {
    let header = sheet.header_row().ok_or_else(|| ImportError::Invalid {
        file: file.to_string(),
        message: format!("sheet `{}` is empty", sheet.name),
    })?;
    let mut col = HashMap::new();
    for name in REQUIRED {
        let c = sheet
            .column(header, name)
            .ok_or_else(|| ImportError::MissingColumn {
                file: file.to_string(),
                sheet: sheet.name.clone(),
                expected: name.to_string(),
                found: sheet.rows[header]
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        col.insert(name, c);
    }
    for name in [
        "Control Domain",
        "Feature Description",
        "Feature Notes",
        "Guidance Notes",
    ] {
        if let Some(c) = sheet.column(header, name) {
            col.insert(name, c);
        }
    }

    let (service, slug) = identity_of(identity, about, sheet, defects);
    let mut controls: Vec<BaselineControl> = Vec::new();
    let sheet_name = sheet.name.as_str();
    for row in header + 1..sheet.rows.len() {
        if sheet.rows[row].iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut cell = |name: &str| -> Option<String> {
            let c = *col.get(name)?;
            let raw = sheet.cell(row, c);
            if is_absent(raw) {
                return None;
            }
            let folded = fold(raw);
            if folded != raw {
                defects.add(
                    Some(sheet_name),
                    Some(sheet.address(row, c)),
                    "whitespace",
                    format!("{name}: stray whitespace removed"),
                    Action::Repaired,
                );
            }
            Some(folded)
        };
        let id_cell = cell("ASB Control ID");
        let title_cell = cell("ASB Control Title");
        let feature_name = cell("Feature Name").unwrap_or_default();
        let guidance = cell("Guidance");
        let responsibility_cell = cell("Responsibility");
        let supported_cell = cell("Feature Supported");
        let enabled_cell = cell("Feature Enabled by Default");
        let reference_cell = cell("Feature Reference");
        let description_cell = cell("Feature Description");
        let notes = cell("Feature Notes");
        let guidance_notes = cell("Guidance Notes");
        let addr = |name: &str| col.get(name).map(|&c| sheet.address(row, c));

        let catalog_feature = catalog
            .features
            .iter()
            .find(|f| normalize_space(&f.name.value).eq_ignore_ascii_case(&feature_name));
        let is_control_row = feature_name.eq_ignore_ascii_case(NO_RELATED_FEATURE);

        // The control: as written, or from the feature catalog when missing or unknown.
        let known = |id: &str| benchmark.controls.iter().any(|c| c.id.value == id);
        let control_id = match (&id_cell, catalog_feature) {
            (Some(id), _) if known(id) => id.clone(),
            (id, Some(f)) => {
                let what = id.as_deref().map_or("missing".to_string(), |i| {
                    format!("`{i}`, not a control of the benchmark,")
                });
                defects.add(
                    Some(sheet_name),
                    addr("ASB Control ID"),
                    "missing-control-id",
                    format!(
                        "control id {what} filled from the feature catalog: {}",
                        f.control.value
                    ),
                    Action::Repaired,
                );
                f.control.value.clone()
            }
            (id, None) => {
                defects.add(Some(sheet_name), addr("ASB Control ID"), "unknown-control-id", format!("row dropped: control id {} and feature `{feature_name}` match nothing in the catalogs", id.as_deref().unwrap_or("missing")), Action::Dropped);
                continue;
            }
        };
        let index = match controls.iter().position(|c| c.id.value == control_id) {
            Some(i) => i,
            None => {
                controls.push(BaselineControl::new(sp(control_id.clone())));
                controls.len() - 1
            }
        };
        let control = &mut controls[index];
        if let (Some(title), Some(c)) = (
            &title_cell,
            benchmark.controls.iter().find(|c| c.id.value == control_id),
        ) {
            let main_title = normalize_space(&c.title.value);
            let is_alias = c
                .aliases
                .iter()
                .any(|a| normalize_space(&a.value) == *title);
            if *title != main_title && control.title.is_none() {
                // An alias is a title published baselines use: kept without complaint.
                if !is_alias {
                    defects.add(Some(sheet_name), addr("ASB Control Title"), "title-differs", format!("title of {control_id} `{title}` differs from the benchmark's `{main_title}`; kept as the baseline's title"), Action::Kept);
                }
                control.title = Some(sp(title.clone()));
            }
        }

        if is_control_row {
            let r = responsibility_cell
                .as_deref()
                .map(|r| responsibility(r, sheet_name, addr("Responsibility"), defects));
            let join =
                |previous: Option<Spanned<String>>, text: Option<String>| match (previous, text) {
                    (Some(p), Some(t)) if p.value != t => Some(sp(format!("{}\n\n{t}", p.value))),
                    (p, t) => p.or(t.map(sp)),
                };
            if control.guidance.is_some() || control.responsibility.is_some() {
                let differs =
                    r.is_some() && control.responsibility.is_some() && r != control.responsibility;
                defects.add(
                    Some(sheet_name),
                    addr("Feature Name"),
                    "duplicate-row",
                    format!(
                        "second `{NO_RELATED_FEATURE}` row of {control_id} merged into the first{}",
                        if differs {
                            "; its differing responsibility was ignored"
                        } else {
                            ""
                        }
                    ),
                    Action::Repaired,
                );
            } else {
                control.responsibility = r;
            }
            control.guidance = join(control.guidance.take(), guidance);
            control.guidance_notes = join(control.guidance_notes.take(), guidance_notes);
            continue;
        }
        let Some(feature) = catalog_feature else {
            defects.add(
                Some(sheet_name),
                addr("Feature Name"),
                "unknown-feature",
                format!("row dropped: feature `{feature_name}` is not in the feature catalog"),
                Action::Dropped,
            );
            continue;
        };
        let reference = reference_cell
            .as_deref()
            .and_then(split_reference)
            .map(|(title, url)| {
                if url.is_empty() {
                    defects.add(
                        Some(sheet_name),
                        addr("Feature Reference"),
                        "reference-without-url",
                        format!("reference `{title}` has no URL"),
                        Action::Kept,
                    );
                }
                Reference {
                    title: sp(title),
                    url: sp(url),
                }
            });
        let description =
            description_cell.filter(|d| *d != normalize_space(&feature.description.value));
        // One Guidance cell holds the configuration guidance and, after a blank line, the
        // further paragraphs the article shows apart: the split `build` joins again.
        let (guidance, custom_guidance) = split_paragraphs(guidance);
        let entry = FeatureEntry {
            feature: sp(feature.id.value.clone()),
            supported: Spanned::new(
                tri(
                    supported_cell.as_deref(),
                    sheet_name,
                    addr("Feature Supported"),
                    defects,
                ),
                Span::default(),
            ),
            enabled_by_default: Spanned::new(
                tri(
                    enabled_cell.as_deref(),
                    sheet_name,
                    addr("Feature Enabled by Default"),
                    defects,
                ),
                Span::default(),
            ),
            responsibility: Spanned::new(
                responsibility_cell
                    .as_deref()
                    .map_or(Responsibility::NotApplicable, |r| {
                        responsibility(r, sheet_name, addr("Responsibility"), defects)
                    }),
                Span::default(),
            ),
            guidance: guidance.map(sp),
            feature_notes: notes.map(sp),
            additional_guidance: None,
            guidance_notes: guidance_notes.map(sp),
            custom_guidance: custom_guidance.into_iter().map(sp).collect(),
            reference,
            name: None,
            description: description.map(sp),
            learn_more: None,
        };
        match control
            .features
            .iter_mut()
            .find(|f| f.feature.value == entry.feature.value)
        {
            Some(first) => {
                merge_duplicate(
                    first,
                    entry,
                    sheet_name,
                    sheet.address(row, col["Feature Name"]),
                    defects,
                );
            }
            None => control.features.push(entry),
        }
    }

    // Microsoft's row order is arbitrary: benchmark order for controls, catalog order for
    // features.
    let control_rank = |id: &str| {
        benchmark
            .controls
            .iter()
            .position(|c| c.id.value == id)
            .unwrap_or(usize::MAX)
    };
    let feature_rank = |id: &str| {
        catalog
            .features
            .iter()
            .position(|f| f.id.value == id)
            .unwrap_or(usize::MAX)
    };
    controls.sort_by_key(|c| control_rank(&c.id.value));
    for c in &mut controls {
        c.features.sort_by_key(|f| feature_rank(&f.feature.value));
    }
    let mut baseline = Baseline {
        service: sp(service),
        slug: sp(slug),
        benchmark: sp(about
            .get("Benchmark")
            .cloned()
            .unwrap_or_else(|| benchmark.id.value.clone())),
        resource_provider: about.get("Resource Provider").cloned(),
        mapping_file: about.get("Mapping File").map(|m| sp(m.clone())),
        last_reviewed: None,
        intro: None,
        security_profile: profile,
        controls,
    };
    if baseline.controls.is_empty() {
        return Err(ImportError::Invalid {
            file: file.to_string(),
            message: format!(
                "sheet `{}` has no rows that map to the benchmark",
                sheet.name
            ),
        });
    }
    baseline
        .security_profile
        .product_category
        .retain(|c| !c.value.is_empty());
    Ok(baseline)
}

/// A second row for the same (control, feature): its guidance becomes an extra paragraph,
/// as Learn articles show it; conflicting values keep the first row's.
fn merge_duplicate(
    first: &mut FeatureEntry,
    dup: FeatureEntry,
    sheet: &str,
    cell: String,
    defects: &mut Defects,
) {
    let mut notes = Vec::new();
    let mut added = false;
    for g in dup.guidance.into_iter().chain(dup.custom_guidance) {
        let known = first.guidance.as_ref().is_some_and(|f| f.value == g.value)
            || first.custom_guidance.iter().any(|c| c.value == g.value);
        if !known {
            first.custom_guidance.push(g);
            added = true;
        }
    }
    if added {
        notes.push("its guidance became a custom guidance paragraph");
    }
    if dup.supported.value != first.supported.value
        || dup.enabled_by_default.value != first.enabled_by_default.value
        || dup.responsibility.value != first.responsibility.value
    {
        notes.push("its differing values were ignored (the first row's are kept)");
    }
    if first.reference.is_none() {
        first.reference = dup.reference;
    }
    if first.feature_notes.is_none() {
        first.feature_notes = dup.feature_notes;
    }
    let how = if notes.is_empty() {
        "it repeated the first row".to_string()
    } else {
        notes.join("; ")
    };
    defects.add(
        Some(sheet),
        Some(cell),
        "duplicate-row",
        format!(
            "second row for feature `{}` merged: {how}",
            first.feature.value
        ),
        Action::Repaired,
    );
}

/// "a\n\nb\n\nc" -> (Some("a"), ["b", "c"]).
fn split_paragraphs(text: Option<String>) -> (Option<String>, Vec<String>) {
    let Some(text) = text else {
        return (None, Vec::new());
    };
    let mut parts = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    let first = parts.next();
    (first, parts.collect())
}

fn identity_of(
    identity: &Identity,
    about: &HashMap<String, String>,
    sheet: &Sheet,
    defects: &mut Defects,
) -> (String, String) {
    let from_file = slug_from_file_name(&identity.file_name);
    let service = identity
        .service
        .clone()
        .or_else(|| about.get("Service").cloned());
    let slug = about
        .get("Slug")
        .cloned()
        .unwrap_or_else(|| match &service {
            Some(s) if identity.service.is_some() => slugify(s),
            _ => from_file.clone(),
        });
    let service = service.unwrap_or_else(|| {
        let guessed =
            spelled_in(&sheet.rows, &from_file).unwrap_or_else(|| title_case(&from_file));
        defects.add(None, None, "service-name-guessed", format!("the workbook does not name its service; `{guessed}` was derived from the file name (use --service to set it)"), Action::Kept);
        guessed
    });
    (service, slug)
}

/// `container-registry-azure-security-benchmark-v3-latest-security-baseline.xlsx` ->
/// `container-registry`.
pub fn slug_from_file_name(name: &str) -> String {
    let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = stem
        .strip_suffix(".xlsx")
        .or_else(|| stem.strip_suffix(".csv"))
        .unwrap_or(stem);
    let stem = stem
        .strip_suffix("-azure-security-benchmark-v3-latest-security-baseline")
        .or_else(|| stem.strip_suffix("-security-baseline"))
        .unwrap_or(stem);
    slugify(stem)
}

/// How the texts of a workbook spell the name a file-name slug stands for: `api-management`
/// is "API Management" in Microsoft's guidance, which title case would make "Api
/// Management". The words of the slug must follow each other in a text, with only spaces
/// or punctuation between them, and the first must be capitalized, as names are; the most
/// frequent such spelling wins, the first seen on a tie.
fn spelled_in(rows: &[Vec<String>], slug: &str) -> Option<String> {
    let words: Vec<&str> = slug.split('-').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return None;
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for text in rows.iter().flatten() {
        let found: Vec<(usize, usize)> = text
            .char_indices()
            .filter(|&(i, c)| {
                c.is_alphanumeric()
                    && !text[..i]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
            })
            .map(|(i, _)| {
                let len = text[i..]
                    .find(|c: char| !c.is_alphanumeric())
                    .unwrap_or(text.len() - i);
                (i, i + len)
            })
            .collect();
        for run in found.windows(words.len()) {
            let matches = run
                .iter()
                .zip(&words)
                .all(|(&(a, b), w)| text[a..b].eq_ignore_ascii_case(w));
            let gaps_are_punctuation = run.windows(2).all(|p| {
                text[p[0].1..p[1].0]
                    .chars()
                    .all(|c| c == ' ' || c.is_ascii_punctuation())
            });
            let (start, mut end) = (run[0].0, run[run.len() - 1].1);
            if !matches || !gaps_are_punctuation || !text[start..].starts_with(char::is_uppercase) {
                continue;
            }
            // "Azure Kubernetes Service (AKS)": close what the match opened.
            if text[start..end].contains('(') && text[end..].starts_with(')') {
                end += 1;
            }
            let spelling = &text[start..end];
            match counts.iter_mut().find(|(s, _)| *s == spelling) {
                Some((_, n)) => *n += 1,
                None => counts.push((spelling, 1)),
            }
        }
    }
    // max_by_key keeps the last of equals; reversing makes it the first seen.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| s.to_string())
}

fn title_case(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn fold(s: &str) -> String {
    // Paragraph breaks are kept; runs of spaces and tabs inside a line are not. Other
    // whitespace inside a line, such as a no-break space, is text the writer chose.
    s.trim()
        .split('\n')
        .map(|l| {
            l.split([' ', '\t', '\r'])
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn tri(cell: Option<&str>, sheet: &str, addr: Option<String>, defects: &mut Defects) -> Tri {
    match cell.map(|c| c.trim().to_ascii_lowercase()).as_deref() {
        Some("true") => Tri::True,
        Some("false") => Tri::False,
        Some("not applicable") | None => Tri::NotApplicable,
        Some(other) => {
            defects.add(
                Some(sheet),
                addr,
                "invalid-value",
                format!(
                    "`{other}` is not True, False or Not Applicable; recorded as not-applicable"
                ),
                Action::Dropped,
            );
            Tri::NotApplicable
        }
    }
}

fn responsibility(
    cell: &str,
    sheet: &str,
    addr: Option<String>,
    defects: &mut Defects,
) -> Responsibility {
    match cell.trim().to_ascii_lowercase().as_str() {
        "customer" => Responsibility::Customer,
        "microsoft" => Responsibility::Microsoft,
        "shared" => Responsibility::Shared,
        "not applicable" => Responsibility::NotApplicable,
        other => {
            defects.add(Some(sheet), addr, "invalid-value", format!("`{other}` is not Customer, Microsoft, Shared or Not Applicable; recorded as not-applicable"), Action::Dropped);
            Responsibility::NotApplicable
        }
    }
}

fn security_profile(sheet: &Sheet, defects: &mut Defects) -> SecurityProfile {
    let mut profile = empty_profile();
    let Some(h) = sheet.header_row() else {
        return profile;
    };
    let (attr_col, value_col) = (
        sheet.column(h, "Behavior Attribute").unwrap_or(0),
        sheet.column(h, "Value").unwrap_or(2),
    );
    for row in h + 1..sheet.rows.len() {
        let attr = normalize_space(sheet.cell(row, attr_col)).to_lowercase();
        let value = normalize_space(sheet.cell(row, value_col));
        let addr = Some(sheet.address(row, value_col));
        let boolean = |defects: &mut Defects| match value.to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            other => {
                defects.add(
                    Some(&sheet.name),
                    addr.clone(),
                    "invalid-value",
                    format!("`{other}` is not True or False; recorded as false"),
                    Action::Dropped,
                );
                false
            }
        };
        if attr.starts_with("product category") {
            profile.product_category = value
                .split(',')
                .map(|c| sp(c.trim()))
                .filter(|c| !c.value.is_empty())
                .collect();
        } else if attr.starts_with("customer can access host") {
            profile.host_os_access = match value.to_ascii_lowercase().as_str() {
                "no access" => HostAccess::NoAccess,
                "full access" => HostAccess::FullAccess,
                "read only" | "read-only" => HostAccess::ReadOnly,
                other => {
                    defects.add(Some(&sheet.name), addr.clone(), "invalid-value", format!("host access `{other}` is not No Access, Read Only or Full Access; recorded as no-access"), Action::Dropped);
                    HostAccess::NoAccess
                }
            };
        } else if attr.starts_with("service can be deployed") {
            profile.deployable_into_vnet = boolean(defects);
        } else if attr.starts_with("stores customer content") {
            profile.stores_content_at_rest = boolean(defects);
        } else if !attr.is_empty() {
            defects.add(
                Some(&sheet.name),
                Some(sheet.address(row, attr_col)),
                "unknown-attribute",
                format!("security profile attribute `{attr}` has no place in the model"),
                Action::Dropped,
            );
        }
    }
    profile
}

/// Policies from the Azure Policy sheet that `build` writes, for a lossless round trip.
fn attach_policies(baseline: &mut Baseline, sheet: &Sheet, defects: &mut Defects) {
    let Some(h) = sheet.header_row() else { return };
    let col = |name: &str| sheet.column(h, name);
    let (Some(id), Some(name), Some(description), Some(effects), Some(version), Some(guid)) = (
        col("ASB Control ID"),
        col("Policy Name"),
        col("Description"),
        col("Effect(s)"),
        col("Version"),
        col("Definition ID"),
    ) else {
        defects.add(Some(&sheet.name), None, "unexpected-headers", "the Azure Policy sheet does not have the columns controlbook writes; its policies were not imported", Action::Dropped);
        return;
    };
    let path = col("Policy Definition Source");
    for row in h + 1..sheet.rows.len() {
        let control_id = sheet.cell(row, id).trim();
        let Some(control) = baseline
            .controls
            .iter_mut()
            .find(|c| c.id.value == control_id)
        else {
            if !control_id.is_empty() {
                defects.add(Some(&sheet.name), Some(sheet.address(row, id)), "unknown-control-id", format!("policy row for `{control_id}`, which has no features in this baseline, dropped"), Action::Dropped);
            }
            continue;
        };
        control.policies.push(Policy {
            name: sp(sheet.cell(row, name).trim()),
            description: sp(sheet.cell(row, description).trim()),
            effects: sheet
                .cell(row, effects)
                .split(',')
                .map(|e| sp(e.trim()))
                .filter(|e| !e.value.is_empty())
                .collect(),
            version: sp(sheet.cell(row, version).trim()),
            definition_id: sp(sheet.cell(row, guid).trim()),
            path: path
                .map(|p| sheet.cell(row, p).trim().to_string())
                .filter(|p| !p.is_empty()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_microsofts_file_names() {
        assert_eq!(
            slug_from_file_name(
                "x/container-registry-azure-security-benchmark-v3-latest-security-baseline.xlsx"
            ),
            "container-registry"
        );
        assert_eq!(slug_from_file_name("virtual-machines-linux virtual machines-azure-security-benchmark-v3-latest-security-baseline.xlsx"), "virtual-machines-linux-virtual-machines");
        assert_eq!(
            slug_from_file_name("output/xlsx/key-vault-security-baseline.xlsx"),
            "key-vault"
        );
        assert_eq!(title_case("key-vault"), "Key Vault");
    }

    #[test]
    fn service_names_are_spelled_as_the_workbook_spells_them() {
        let rows = |texts: &[&str]| vec![texts.iter().map(|t| t.to_string()).collect()];
        let texts = rows(&[
            "Deploy NSGs to your API Management subnets.",
            "api management is managed (not a name).",
            "See API Management's docs and the Api Management page, and API Management.",
        ]);
        assert_eq!(
            spelled_in(&texts, "api-management").as_deref(),
            Some("API Management")
        );
        let aks = rows(&["Use Azure Kubernetes Service (AKS) clusters."]);
        assert_eq!(
            spelled_in(&aks, "azure-kubernetes-service-aks").as_deref(),
            Some("Azure Kubernetes Service (AKS)")
        );
        // Words inside longer words, other words between, or lowercase only: no spelling.
        let none = rows(&["Keyvault, key vault, Key and Vault, Key-Vaults"]);
        assert_eq!(spelled_in(&none, "key-vault"), None);
        assert_eq!(
            spelled_in(&rows(&["Key-Vault"]), "key-vault").as_deref(),
            Some("Key-Vault")
        );
        assert_eq!(
            spelled_in(&rows(&["Azure SQL"]), "azure-sql").as_deref(),
            Some("Azure SQL")
        );
        assert_eq!(spelled_in(&rows(&["x"]), ""), None);
    }

    #[test]
    fn guidance_paragraphs_split_into_custom_guidance() {
        assert_eq!(
            split_paragraphs(Some("a\n\nb\n\n\nc".into())),
            (Some("a".into()), vec!["b".into(), "c".into()])
        );
        assert_eq!(split_paragraphs(None), (None, vec![]));
    }

    #[test]
    fn whitespace_folding_keeps_paragraphs() {
        assert_eq!(fold("  a  b \n\nc\t d "), "a b\n\nc d");
        // Found by the round-trip property: a no-break space came back as a space.
        assert_eq!(fold("50\u{a0}% of  x\r\n"), "50\u{a0}% of x");
    }
}
