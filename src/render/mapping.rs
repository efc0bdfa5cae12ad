//! The rows of Microsoft's "Feature Summary" sheet, shared by the XLSX and CSV outputs:
//! the 12 columns in Microsoft's order, values spelled as Microsoft writes them.

use std::borrow::Cow;

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

/// One Feature Summary row; `reference_url` is the link behind the reference cell. Cells
/// borrow from the document where they can: every workbook and CSV file reads these rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow<'a> {
    pub cells: [Cow<'a, str>; 12],
    pub reference_url: Option<&'a str>,
}

/// Name of the pseudo-feature of Microsoft's control-level rows.
pub const NO_RELATED_FEATURE: &str = "No Related Feature";

/// Every feature of every control, plus control-level guidance rows, in benchmark order.
pub fn feature_summary(doc: &Doc) -> Vec<SummaryRow<'_>> {
    fn text(s: &str) -> Cow<'_, str> {
        Cow::Borrowed(s)
    }
    fn optional(s: &Option<String>) -> Cow<'_, str> {
        Cow::Borrowed(s.as_deref().unwrap_or_default())
    }
    let marker = || Cow::Borrowed(NO_RELATED_FEATURE);
    let mut rows = Vec::new();
    for (domain, control) in doc.controls() {
        if let Some(guidance) = &control.guidance {
            let responsibility = control.responsibility.map_or("", |r| r.label());
            rows.push(SummaryRow {
                // Microsoft fills every feature column of these rows with the marker.
                cells: [
                    text(&domain.workbook_name),
                    text(&control.id),
                    text(&control.title),
                    text(guidance),
                    text(responsibility),
                    marker(),
                    marker(),
                    marker(),
                    marker(),
                    marker(),
                    marker(),
                    optional(&control.guidance_notes),
                ],
                reference_url: None,
            });
        }
        for f in &control.features {
            // Microsoft's file has a single Guidance cell: configuration guidance, then the
            // additional and custom paragraphs the article shows separately.
            let mut paragraphs = f
                .guidance
                .iter()
                .chain(&f.additional_guidance)
                .chain(&f.custom_guidance)
                .map(|s| s.trim());
            // Most features have configuration guidance only: borrow it.
            let guidance = match (paragraphs.next(), paragraphs.next()) {
                (None, _) => Cow::Borrowed(""),
                (Some(one), None) => Cow::Borrowed(one),
                (Some(one), Some(two)) => Cow::Owned(
                    [one, two]
                        .into_iter()
                        .chain(paragraphs)
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                ),
            };
            let reference = f.reference.as_ref().map_or(Cow::Borrowed(""), |r| {
                Cow::Owned(format!("{}: {}", r.title, r.url))
            });
            rows.push(SummaryRow {
                cells: [
                    text(&domain.workbook_name),
                    text(&control.id),
                    text(&control.title),
                    guidance,
                    text(f.responsibility.label()),
                    text(&f.name),
                    text(&f.description),
                    text(f.supported.label()),
                    text(f.enabled_by_default.label()),
                    reference,
                    optional(&f.feature_notes),
                    optional(&f.guidance_notes),
                ],
                reference_url: f.reference.as_ref().map(|r| r.url.as_str()),
            });
        }
    }
    rows
}
