//! The rows of Microsoft's "Feature Summary" sheet, shared by the XLSX and CSV outputs:
//! the 12 columns in Microsoft's order, values spelled as Microsoft writes them.

use crate::resolve::Doc;

/// Microsoft's column layout; scripts read it by position, so never reorder.
pub const FEATURE_SUMMARY_HEADERS: [&str; 12] = [
    "Control Domain",
    "ASB Control ID",
    "ASB Control Title",
    "Guidance",
    "Responsibility",
    "Feature Name",
    "Feature Description",
    "Feature Supported",
    "Feature Enabled by Default",
    "Feature Reference",
    "Feature Notes",
    "Guidance Notes",
];

/// Column index of "Feature Reference", which holds a link.
pub const REFERENCE_COLUMN: usize = 9;

/// One Feature Summary row; `reference_url` is the link behind the reference cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    pub cells: [String; 12],
    pub reference_url: Option<String>,
}

/// Name of the pseudo-feature of Microsoft's control-level rows.
pub const NO_RELATED_FEATURE: &str = "No Related Feature";

/// Every feature of every control, plus control-level guidance rows, in benchmark order.
pub fn feature_summary(doc: &Doc) -> Vec<SummaryRow> {
    let mut rows = Vec::new();
    for (domain, control) in doc.controls() {
        if let Some(guidance) = &control.guidance {
            let responsibility = control.responsibility.map_or("", |r| r.label());
            rows.push(SummaryRow {
                // Microsoft fills every feature column of these rows with the marker.
                cells: [
                    domain.workbook_name.clone(),
                    control.id.clone(),
                    control.title.clone(),
                    guidance.clone(),
                    responsibility.to_string(),
                    NO_RELATED_FEATURE.to_string(),
                    NO_RELATED_FEATURE.to_string(),
                    NO_RELATED_FEATURE.to_string(),
                    NO_RELATED_FEATURE.to_string(),
                    NO_RELATED_FEATURE.to_string(),
                    NO_RELATED_FEATURE.to_string(),
                    control.guidance_notes.clone().unwrap_or_default(),
                ],
                reference_url: None,
            });
        }
        for f in &control.features {
            // Microsoft's file has a single Guidance cell: configuration guidance, then the
            // additional and custom paragraphs the article shows separately.
            let guidance = f
                .guidance
                .iter()
                .chain(&f.additional_guidance)
                .chain(&f.custom_guidance)
                .map(|s| s.trim())
                .collect::<Vec<_>>()
                .join("\n\n");
            let reference = f
                .reference
                .as_ref()
                .map(|r| format!("{}: {}", r.title, r.url))
                .unwrap_or_default();
            rows.push(SummaryRow {
                cells: [
                    domain.workbook_name.clone(),
                    control.id.clone(),
                    control.title.clone(),
                    guidance,
                    f.responsibility.label().to_string(),
                    f.name.clone(),
                    f.description.clone(),
                    f.supported.label().to_string(),
                    f.enabled_by_default.label().to_string(),
                    reference,
                    f.feature_notes.clone().unwrap_or_default(),
                    f.guidance_notes.clone().unwrap_or_default(),
                ],
                reference_url: f.reference.as_ref().map(|r| r.url.clone()),
            });
        }
    }
    rows
}
