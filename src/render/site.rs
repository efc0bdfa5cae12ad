//! The static HTML site: the home page, one page per baseline in the Learn article's
//! order, `404.html` and the theme's assets. Text from YAML is escaped by tera's
//! autoescape; Markdown fields are rendered here and sanitised before they reach a template.

use serde::Serialize;
use tera::{Context, Tera};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Responsibility, Tri};
use crate::resolve::{ControlDoc, Doc, FeatureDoc};
use crate::theme::Theme;

use super::text::{
    autolink_html, escape_html, is_web_url, labelled_markdown_to_html, markdown_to_html,
};
use super::OutputFile;

/// The downloads of a baseline, by label and file name below `downloads/`.
pub fn download_names(doc: &Doc) -> Vec<(&'static str, String)> {
    let stem = doc.file_stem();
    vec![
        ("XLSX", format!("{stem}.xlsx")),
        ("CSV", format!("{stem}.csv")),
        ("Markdown", format!("{stem}.md")),
        ("JSON", format!("{}.json", doc.slug)),
    ]
}

#[derive(Serialize)]
struct BookView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
}

#[derive(Serialize)]
struct Link {
    label: &'static str,
    href: String,
}

#[derive(Serialize)]
struct IndexRow {
    service: String,
    href: String,
    benchmark: String,
    controls: usize,
    supported: usize,
    not_supported: usize,
    not_applicable: usize,
    customer: usize,
    downloads: Vec<Link>,
}

#[derive(Serialize)]
struct BaselineView {
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

/// Renders every page of the site and copies the theme's assets.
pub fn render(docs: &[Doc], config: &Config, theme: &Theme) -> Result<Vec<OutputFile>> {
    let tera = load_templates(theme)?;
    let book = BookView {
        title: &config.book.title,
        description: &config.book.description,
        language: &config.book.language,
    };
    let mut files = Vec::new();

    let rows: Vec<IndexRow> = docs.iter().map(index_row).collect();
    let mut ctx = base_context(&book, "");
    ctx.insert("baselines", &rows);
    files.push(OutputFile::new(
        "index.html",
        render_page(&tera, "index.html", &ctx)?,
    ));

    for doc in docs {
        let mut ctx = base_context(&book, "../");
        ctx.insert("doc", &baseline_view(doc));
        let html = render_page(&tera, "baseline.html", &ctx)?;
        files.push(OutputFile::new(format!("{}/index.html", doc.slug), html));
    }

    // The 404 page is served at any depth, so its links start from the site URL.
    let ctx = base_context(&book, &config.site.base());
    files.push(OutputFile::new(
        "404.html",
        render_page(&tera, "404.html", &ctx)?,
    ));

    for (path, bytes) in theme.assets() {
        files.push(OutputFile::new(format!("assets/{path}"), bytes.to_vec()));
    }
    Ok(files)
}

fn load_templates(theme: &Theme) -> Result<Tera> {
    let mut tera = Tera::default();
    tera.add_raw_templates(theme.templates()?)
        .map_err(|e| template_error("parse", &e))?;
    Ok(tera)
}

fn render_page(tera: &Tera, name: &str, ctx: &Context) -> Result<Vec<u8>> {
    tera.render(name, ctx)
        .map(String::into_bytes)
        .map_err(|e| template_error(name, &e))
}

fn template_error(name: &str, e: &tera::Error) -> Error {
    use std::error::Error as _;
    let mut message = e.to_string().trim_start_matches("error: ").to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::Template {
        name: name.to_string(),
        message,
    }
}

fn base_context(book: &BookView<'_>, root: &str) -> Context {
    let mut ctx = Context::new();
    ctx.insert("book", book);
    ctx.insert("root", root);
    ctx
}

fn index_row(doc: &Doc) -> IndexRow {
    let features: Vec<&FeatureDoc> = doc.features().map(|(_, _, f)| f).collect();
    let count = |t: Tri| features.iter().filter(|f| f.supported == t).count();
    IndexRow {
        service: doc.service.clone(),
        href: format!("{}/index.html", doc.slug),
        benchmark: format!("{} {}", doc.benchmark.name, doc.benchmark.version),
        controls: doc.controls().filter(|(_, c)| c.shown).count(),
        supported: count(Tri::True),
        not_supported: count(Tri::False),
        not_applicable: count(Tri::NotApplicable),
        customer: features
            .iter()
            .filter(|f| f.responsibility == Responsibility::Customer)
            .count(),
        downloads: downloads(doc, ""),
    }
}

fn downloads(doc: &Doc, root: &str) -> Vec<Link> {
    download_names(doc)
        .into_iter()
        .map(|(label, name)| Link {
            label,
            href: format!("{root}downloads/{name}"),
        })
        .collect()
}

fn link_html(text: &str, url: &str) -> String {
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

fn baseline_view(doc: &Doc) -> BaselineView {
    let workbook = format!("../downloads/{}.xlsx", doc.file_stem());
    let mapping_href = doc
        .mapping_file
        .clone()
        .filter(|u| is_web_url(u))
        .unwrap_or(workbook);
    let service = escape_html(&doc.service);
    let note_html = format!(
        "<p><strong>Features</strong> not applicable to {service} have been excluded. To see how {service} completely maps to the {}, see the <strong><a href=\"{}\">full {service} security baseline mapping file</a></strong>.</p>",
        escape_html(&doc.benchmark.name),
        escape_html(&mapping_href),
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
        downloads: downloads(doc, "../"),
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
