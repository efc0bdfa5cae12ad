//! The Markdown article of a baseline, in the structure of Microsoft's published Learn
//! articles: front matter, `> [!NOTE]`, `##` domains, `###` controls, `#####` features,
//! the Azure Policy table, `## Next steps`. `tests/integration/learn_structure.rs` compares
//! the structure with a published article.

use std::fmt::Write as _;

use crate::resolve::{ControlDoc, Doc, FeatureDoc};

use super::text::{
    autolink_markdown, escape_markdown, is_web_url, markdown_link, markdown_link_if,
    replace_forbidden_html_chars, safe_labelled_markdown, safe_markdown, table_cell,
    yaml_double_quoted,
};

/// Where the article links for the full mapping file when the baseline names none.
pub struct MarkdownOptions<'a> {
    /// Link to the workbook, relative to the article or absolute.
    pub workbook_link: &'a str,
}

pub fn render(doc: &Doc, options: &MarkdownOptions<'_>) -> String {
    render_each(doc, &[options.workbook_link])
        .pop()
        .unwrap_or_default()
}

/// The article once for each workbook link: `build`'s `md/` file and the site's download
/// differ only in that link, so the rest is rendered once.
pub fn render_each(doc: &Doc, workbook_links: &[&str]) -> Vec<String> {
    let mut head = String::new();
    front_matter(&mut head, doc);
    let service = escape_markdown(&doc.service);
    let _ = writeln!(head, "# Azure security baseline for {service}\n");
    for paragraph in &doc.intro {
        let _ = writeln!(head, "{}\n", safe_markdown(paragraph.trim()));
    }
    // Renderers copy control characters into their HTML, where they are not allowed. The
    // head and the body are the same in every article, so they are cleaned once.
    let head = replace_forbidden_html_chars(head);
    let body = replace_forbidden_html_chars(body(doc, &service));
    workbook_links
        .iter()
        .map(|link| {
            let mut note_text = String::new();
            note(&mut note_text, doc, &service, link);
            let note_text = replace_forbidden_html_chars(note_text);
            let mut out = String::with_capacity(head.len() + note_text.len() + body.len());
            out.push_str(&head);
            out.push_str(&note_text);
            out.push_str(&body);
            out
        })
        .collect()
}

fn note(out: &mut String, doc: &Doc, service: &str, workbook_link: &str) {
    // Microsoft's published workbook when the baseline names it, else the one built with
    // this article. The published articles always link the workbook from the note.
    let mapping = doc
        .mapping_file
        .as_deref()
        .filter(|url| is_web_url(url))
        .unwrap_or(workbook_link);
    let _ = writeln!(
        out,
        "> [!NOTE]\n> **Features** not applicable to {service} have been excluded. To see how {service} completely maps to the {}, see the **{}**.\n",
        escape_markdown(&doc.benchmark.name),
        mapping_file_link(&format!("full {} security baseline mapping file", doc.service), mapping),
    );
}

/// Everything after the note.
fn body(doc: &Doc, service: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Security profile\n");
    let _ = writeln!(
        out,
        "The security profile summarizes high-impact behaviors of {service}, which may result in increased security considerations.\n"
    );
    out.push_str("| Service Behavior Attribute | Value |\n|--|--|\n");
    for row in &doc.security_profile {
        let _ = writeln!(
            out,
            "| {} | {} |",
            table_cell(&escape_markdown(row.attribute)),
            table_cell(&escape_markdown(&row.value))
        );
    }
    out.push('\n');

    for domain in doc.domains.iter().filter(|d| d.shown) {
        let name = escape_markdown(&domain.name);
        let _ = writeln!(out, "## {name}\n");
        let _ = writeln!(
            out,
            "*For more information, see the {}.*\n",
            markdown_link(
                &format!("{}: {}", doc.benchmark.name, domain.name),
                &domain.link
            )
        );
        for control in domain.controls.iter().filter(|c| c.shown) {
            render_control(&mut out, doc, control);
        }
    }

    out.push_str("## Next steps\n\n");
    let _ = writeln!(
        out,
        "- See the {}",
        markdown_link(
            &format!("{} overview", doc.benchmark.name),
            &doc.benchmark.link
        )
    );
    let _ = writeln!(
        out,
        "- Learn more about {}",
        markdown_link(
            "Azure security baselines",
            "https://learn.microsoft.com/security/benchmark/azure/security-baselines-overview"
        )
    );
    out
}

fn front_matter(out: &mut String, doc: &Doc) {
    let yaml_str = yaml_double_quoted;
    out.push_str("---\n");
    let _ = writeln!(
        out,
        "title: {}",
        yaml_str(&format!("Azure security baseline for {}", doc.service))
    );
    let _ = writeln!(
        out,
        "description: {}",
        yaml_str(&format!(
            "The {} security baseline provides procedural guidance and resources for implementing the security recommendations specified in the {}.",
            doc.service, doc.benchmark.name
        ))
    );
    out.push_str("ms.service: security\nms.topic: conceptual\n");
    if let Some(date) = &doc.last_reviewed {
        let _ = writeln!(out, "ms.date: {}", yaml_str(&learn_date(date)));
    }
    out.push_str("ms.custom: subject-security-benchmark\n---\n\n");
}

/// Learn front matter writes dates as MM/DD/YYYY.
fn learn_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{m}/{d}/{y}"),
        _ => iso.to_string(),
    }
}

fn render_control(out: &mut String, doc: &Doc, control: &ControlDoc) {
    let _ = writeln!(
        out,
        "### {}: {}\n",
        escape_markdown(&control.id),
        escape_markdown(&control.title)
    );
    if let Some(guidance) = &control.guidance {
        let _ = writeln!(out, "{}\n", safe_labelled_markdown("Guidance", guidance));
    }
    let shown: Vec<&FeatureDoc> = control.features.iter().filter(|f| f.shown).collect();
    if !shown.is_empty() {
        out.push_str("#### Features\n\n");
        for feature in shown {
            render_feature(out, feature);
        }
    }
    if !control.policies.is_empty() {
        out.push_str("#### Microsoft Defender for Cloud monitoring\n\n");
        let provider = doc.resource_provider.as_deref().unwrap_or("this service");
        let _ = writeln!(
            out,
            "**Azure Policy built-in definitions - {}**:\n",
            escape_markdown(provider)
        );
        out.push_str("|Name<br /><sub>(Azure portal)</sub> |Description |Effect(s) |Version<br /><sub>(GitHub)</sub> |\n|---|---|---|---|\n");
        for p in &control.policies {
            let version = match &p.source_url {
                Some(url) => markdown_link(&p.version, url),
                None => escape_markdown(&p.version),
            };
            let _ = writeln!(
                out,
                "|{} |{} |{} |{} |",
                table_cell(&markdown_link(&p.name, &p.portal_url)),
                table_cell(&autolink_markdown(&p.description)),
                table_cell(&escape_markdown(&p.effects.join(", "))),
                table_cell(&version)
            );
        }
        out.push('\n');
    }
}

/// A feature block as the published articles show it: description, the values table,
/// feature notes, guidance, reference. Microsoft's "Guidance Notes" column is not published
/// in its articles (none of Azure Monitor's four is in its article), so it stays in the
/// workbook, CSV, JSON and site, as the control-level guidance notes do.
fn render_feature(out: &mut String, f: &FeatureDoc) {
    let _ = writeln!(out, "##### {}\n", escape_markdown(&f.name));
    let mut description = format!("**Description**: {}", escape_markdown(&f.description));
    if let Some(url) = &f.learn_more {
        let _ = write!(description, " {}.", markdown_link("Learn more", url));
    }
    let _ = writeln!(out, "{description}\n");
    out.push_str(
        "| Supported | Enabled By Default | Configuration Responsibility |\n|---|---|---|\n",
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} |\n",
        f.supported.label(),
        f.enabled_by_default.label(),
        f.responsibility.label()
    );
    let fields = [
        ("Feature notes", &f.feature_notes),
        ("Configuration Guidance", &f.guidance),
        ("Additional Guidance", &f.additional_guidance),
    ];
    for (label, value) in fields {
        if let Some(text) = value {
            let _ = writeln!(out, "{}\n", safe_labelled_markdown(label, text));
        }
    }
    for paragraph in &f.custom_guidance {
        let _ = writeln!(out, "{}\n", safe_markdown(paragraph.trim()));
    }
    if let Some(reference) = &f.reference {
        let _ = writeln!(
            out,
            "**Reference**: {}\n",
            markdown_link(&reference.title, &reference.url)
        );
    }
}

/// A link to the mapping workbook: an absolute web URL, or the relative path of the workbook
/// that the build writes beside the article (which [`markdown_link`] would refuse, as it
/// refuses every link that does not leave the site).
fn mapping_file_link(text: &str, url: &str) -> String {
    markdown_link_if(text, url, is_web_url(url) || is_relative_path(url))
}

/// A path without a scheme or host (`../xlsx/x.xlsx`), so it can only point into the site.
fn is_relative_path(url: &str) -> bool {
    !url.is_empty()
        && !url.contains(':')
        && !url.starts_with("//")
        && !url.starts_with('\\')
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learn_dates_are_month_first() {
        assert_eq!(learn_date("2024-02-20"), "02/20/2024");
        assert_eq!(learn_date("soon"), "soon");
    }

    #[test]
    fn the_note_links_the_built_workbook_when_the_baseline_names_none() {
        assert_eq!(
            mapping_file_link("full mapping file", "../xlsx/a-security-baseline.xlsx"),
            "[full mapping file](../xlsx/a-security-baseline.xlsx)"
        );
        assert_eq!(
            mapping_file_link("f", "https://github.com/a b.xlsx"),
            "f",
            "not a well-formed URL"
        );
        for unsafe_link in [
            "javascript:alert(1)",
            "//evil.example/x",
            "a b.xlsx",
            "",
            "\\\\host\\x",
        ] {
            assert_eq!(mapping_file_link("f", unsafe_link), "f", "{unsafe_link}");
        }
    }
}
