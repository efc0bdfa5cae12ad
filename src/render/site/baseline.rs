//! The page of one baseline, in the Learn article's order: the security profile, then
//! each domain's controls with their features and policies. Text from YAML is escaped by
//! tera's autoescape; Markdown fields are rendered here and sanitised before they reach a
//! template.

use serde::Serialize;

use crate::config::OutputConfig;
use crate::model::Tri;
use crate::render::text::{
    autolink_html, escape_html, is_web_url, labelled_markdown_to_html, markdown_to_html,
};
use crate::resolve::{ControlDoc, Doc, FeatureDoc};

/// The downloads of a baseline, by label and file name below `downloads/`.
pub fn download_names(doc: &Doc, output: &OutputConfig) -> Vec<(&'static str, String)> {
    let stem = doc.file_stem();
    [
        (output.xlsx, "XLSX", format!("{stem}.xlsx")),
        (output.csv, "CSV", format!("{stem}.csv")),
        (output.markdown, "Markdown", format!("{stem}.md")),
        (output.json, "JSON", format!("{}.json", doc.slug)),
    ]
    .into_iter()
    .filter(|(enabled, _, _)| *enabled)
    .map(|(_, label, name)| (label, name))
    .collect()
}

#[derive(Serialize)]
pub struct Link {
    pub label: &'static str,
    pub href: String,
}

#[derive(Serialize)]
pub struct BaselineView {
    service: String,
    benchmark: String,
    resource_provider: String,
    intro_html: Vec<String>,
    note_html: String,
    overview_html: String,
    profile: Vec<ProfileView>,
    domains: Vec<DomainView>,
    downloads: Vec<Link>,
}

#[derive(Serialize)]
struct ProfileView {
    attribute: &'static str,
    value: String,
}

#[derive(Serialize)]
struct DomainView {
    anchor: String,
    name: String,
    more_html: String,
    controls: Vec<ControlView>,
}

#[derive(Serialize)]
struct ControlView {
    id: String,
    title: String,
    anchor: String,
    guidance_html: Option<String>,
    features: Vec<FeatureView>,
    policies: Vec<PolicyView>,
}

#[derive(Serialize)]
struct FeatureView {
    name: String,
    anchor: String,
    description_html: String,
    supported: &'static str,
    supported_class: &'static str,
    enabled: &'static str,
    enabled_class: &'static str,
    responsibility: &'static str,
    fields_html: Vec<String>,
}

#[derive(Serialize)]
struct PolicyView {
    name: String,
    portal_url: Option<String>,
    description_html: String,
    effects: String,
    version: String,
    source_url: Option<String>,
}

pub fn downloads(doc: &Doc, root: &str, output: &OutputConfig) -> Vec<Link> {
    download_names(doc, output)
        .into_iter()
        .map(|(label, name)| Link {
            label,
            href: format!("{root}downloads/{name}"),
        })
        .collect()
}

pub fn link_html(text: &str, url: &str) -> String {
    if is_web_url(url) {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            escape_html(url),
            escape_html(text)
        )
    } else {
        escape_html(text)
    }
}

pub fn view(doc: &Doc, output: &OutputConfig) -> BaselineView {
    // The published mapping file, else the built workbook when there is one.
    let workbook = Some(format!("../downloads/{}.xlsx", doc.file_stem())).filter(|_| output.xlsx);
    let mapping_href = doc
        .mapping_file
        .clone()
        .filter(|u| is_web_url(u))
        .or(workbook);
    let service = escape_html(&doc.service);
    let mapping_file = format!("full {service} security baseline mapping file");
    let mapping_file = match mapping_href {
        Some(href) => format!("<a href=\"{}\">{mapping_file}</a>", escape_html(&href)),
        None => mapping_file,
    };
    let note_html = format!(
        "<p><strong>Features</strong> not applicable to {service} have been excluded. To see how {service} completely maps to the {}, see the <strong>{mapping_file}</strong>.</p>",
        escape_html(&doc.benchmark.name),
    );
    BaselineView {
        service: doc.service.clone(),
        benchmark: format!("{} {}", doc.benchmark.name, doc.benchmark.version),
        resource_provider: doc
            .resource_provider
            .clone()
            .unwrap_or_else(|| "this service".into()),
        intro_html: doc.intro.iter().map(|p| markdown_to_html(p)).collect(),
        note_html,
        overview_html: link_html(
            &format!("{} overview", doc.benchmark.name),
            &doc.benchmark.link,
        ),
        profile: doc
            .security_profile
            .iter()
            .map(|r| ProfileView {
                attribute: r.attribute,
                value: r.value.clone(),
            })
            .collect(),
        domains: doc
            .domains
            .iter()
            .filter(|d| d.shown)
            .map(|d| DomainView {
                anchor: d.id.to_lowercase(),
                name: d.name.clone(),
                more_html: link_html(&format!("{}: {}", doc.benchmark.name, d.name), &d.link),
                controls: d
                    .controls
                    .iter()
                    .filter(|c| c.shown)
                    .map(control_view)
                    .collect(),
            })
            .collect(),
        downloads: downloads(doc, "../", output),
    }
}

fn control_view(c: &ControlDoc) -> ControlView {
    ControlView {
        id: c.id.clone(),
        title: c.title.clone(),
        anchor: c.anchor.clone(),
        guidance_html: c.guidance.as_ref().map(|g| {
            let mut html = labelled_markdown_to_html("Guidance", g);
            if let Some(notes) = &c.guidance_notes {
                html.push_str(&labelled_markdown_to_html("Guidance notes", notes));
            }
            html
        }),
        features: c
            .features
            .iter()
            .filter(|f| f.shown)
            .map(feature_view)
            .collect(),
        policies: c
            .policies
            .iter()
            .map(|p| PolicyView {
                name: p.name.clone(),
                portal_url: Some(p.portal_url.clone()).filter(|u| is_web_url(u)),
                description_html: autolink_html(&p.description),
                effects: p.effects.join(", "),
                version: p.version.clone(),
                source_url: p.source_url.clone().filter(|u| is_web_url(u)),
            })
            .collect(),
    }
}

fn tri_class(t: Tri) -> &'static str {
    match t {
        Tri::True => "yes",
        Tri::False => "no",
        Tri::NotApplicable => "na",
    }
}

fn feature_view(f: &FeatureDoc) -> FeatureView {
    let mut description = format!(
        "<p><strong>Description</strong>: {}",
        escape_html(&f.description)
    );
    if let Some(url) = &f.learn_more {
        description.push(' ');
        description.push_str(&link_html("Learn more", url));
        description.push('.');
    }
    description.push_str("</p>");

    let mut fields = Vec::new();
    let labelled = [
        ("Feature notes", &f.feature_notes),
        ("Configuration Guidance", &f.guidance),
        ("Additional Guidance", &f.additional_guidance),
    ];
    for (label, value) in labelled {
        if let Some(text) = value {
            fields.push(labelled_markdown_to_html(label, text));
        }
    }
    fields.extend(f.custom_guidance.iter().map(|p| markdown_to_html(p)));
    if let Some(notes) = &f.guidance_notes {
        fields.push(labelled_markdown_to_html("Guidance notes", notes));
    }
    if let Some(r) = &f.reference {
        fields.push(format!(
            "<p><strong>Reference</strong>: {}</p>",
            link_html(&r.title, &r.url)
        ));
    }
    FeatureView {
        name: f.name.clone(),
        anchor: f.anchor.clone(),
        description_html: description,
        supported: f.supported.label(),
        supported_class: tri_class(f.supported),
        enabled: f.enabled_by_default.label(),
        // Not being on by default is no defect: only "supported" gets the yes/no colours.
        enabled_class: match f.enabled_by_default {
            Tri::True => "on",
            Tri::False => "off",
            Tri::NotApplicable => "na",
        },
        responsibility: f.responsibility.label(),
        fields_html: fields,
    }
}
