//! The static HTML site. Each baseline's page depends on that baseline alone, so a
//! rebuild re-renders only the baselines that changed; the shared pages (home, 404) and
//! the theme's assets are rendered from every baseline at once. Templates are compiled
//! once per build.

pub mod baseline;
pub mod controls;
pub mod home;
pub mod matrix;
pub mod search;
pub mod sitemap;

use serde::Serialize;
use tera::{Context, Tera};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::render::text::replace_forbidden_html_chars;
use crate::resolve::Doc;
use crate::theme::Theme;

use super::OutputFile;

pub use baseline::download_names;

/// The workbook of every baseline, among the site's downloads.
pub const ALL_WORKBOOK: &str = "all-baselines.xlsx";

#[derive(Serialize)]
struct BookView {
    title: String,
    description: String,
    language: String,
}

/// The compiled theme and the book's settings: everything a page needs besides its data.
pub struct Site<'a> {
    tera: Tera,
    book: BookView,
    config: &'a Config,
    theme: &'a Theme,
}

impl<'a> Site<'a> {
    pub fn new(config: &'a Config, theme: &'a Theme) -> Result<Self> {
        let mut tera = Tera::default();
        tera.add_raw_templates(theme.templates()?)
            .map_err(|e| template_error("parse", &e))?;
        Ok(Site {
            tera,
            book: BookView {
                title: config.book.title.clone(),
                description: config.book.description.clone(),
                language: config.book.language.clone(),
            },
            config,
            theme,
        })
    }

    /// The page of one baseline, at `<slug>/index.html`.
    pub fn baseline_page(&self, doc: &Doc) -> Result<OutputFile> {
        let mut ctx = self.context("../");
        ctx.insert("doc", &baseline::view(doc, &self.config.output));
        let html = self.render("baseline.html", &ctx)?;
        Ok(OutputFile::new(format!("{}/index.html", doc.slug), html))
    }

    /// The pages made from every baseline, and the theme's assets.
    pub fn shared_pages(&self, docs: &[&Doc]) -> Result<Vec<OutputFile>> {
        // One at a time: the large ones (controls, matrix, the search index) each hold their
        // data three times while they render (view, template values, HTML), 70 MB for the
        // controls page of 1,200 baselines; in parallel they raised a build's peak memory by
        // 40 MB. They render beside the baselines and the combined workbook, which keep
        // the other cores busy.
        let pages: [&dyn Fn() -> Result<OutputFile>; 7] = [
            &|| self.home(docs),
            &|| self.matrix(docs),
            &|| self.controls(docs),
            &|| Ok(OutputFile::new("assets/nav.js", search::nav_script(docs))),
            &|| {
                Ok(OutputFile::new(
                    "assets/search-index.js",
                    search::index_script(docs),
                ))
            },
            &|| {
                Ok(OutputFile::new(
                    "sitemap.xml",
                    sitemap::render(&self.config.site.base(), docs),
                ))
            },
            // The 404 page is served at any depth, so its links start from the site URL.
            &|| {
                let ctx = self.context(&self.config.site.base());
                Ok(OutputFile::new("404.html", self.render("404.html", &ctx)?))
            },
        ];
        let mut files: Vec<OutputFile> = pages.iter().map(|page| page()).collect::<Result<_>>()?;
        for (path, bytes) in self.theme.assets() {
            files.push(OutputFile::new(format!("assets/{path}"), bytes.to_vec()));
        }
        Ok(files)
    }

    fn home(&self, docs: &[&Doc]) -> Result<OutputFile> {
        let rows: Vec<home::IndexRow> = docs
            .iter()
            .map(|d| home::row(d, &self.config.output))
            .collect();
        let mut ctx = self.context("");
        ctx.insert("baselines", &rows);
        if self.config.output.xlsx {
            ctx.insert("all_workbook", ALL_WORKBOOK);
        }
        Ok(OutputFile::new(
            "index.html",
            self.render("index.html", &ctx)?,
        ))
    }

    fn matrix(&self, docs: &[&Doc]) -> Result<OutputFile> {
        let mut ctx = self.context("../");
        ctx.insert("matrix", &matrix::view(docs));
        if self.config.output.xlsx {
            ctx.insert("all_workbook", ALL_WORKBOOK);
        }
        Ok(OutputFile::new(
            "matrix/index.html",
            self.render("matrix.html", &ctx)?,
        ))
    }

    fn controls(&self, docs: &[&Doc]) -> Result<OutputFile> {
        let mut ctx = self.context("../");
        ctx.insert("controls", &controls::view(docs));
        Ok(OutputFile::new(
            "controls/index.html",
            self.render("controls.html", &ctx)?,
        ))
    }

    fn context(&self, root: &str) -> Context {
        let mut ctx = Context::new();
        ctx.insert("book", &self.book);
        ctx.insert("root", root);
        ctx
    }

    fn render(&self, name: &str, ctx: &Context) -> Result<Vec<u8>> {
        // Tera escapes markup but passes control characters through; HTML forbids them.
        self.tera
            .render(name, ctx)
            .map(|html| replace_forbidden_html_chars(html).into_bytes())
            .map_err(|e| template_error(name, &e))
    }
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

#[cfg(test)]
mod tests {
    /// Values reach the pages through tera's autoescape, in text and in attributes of
    /// either quote; tera's `fast` feature swaps in another escaper, so the escapes are
    /// pinned here.
    #[test]
    fn template_values_are_escaped_for_text_and_both_quotes() {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t.html", "<a title='{{ v }}' href=\"{{ v }}\">{{ v }}</a>")
            .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("v", "<b>'\"&é");
        let escaped = "&lt;b&gt;&#39;&quot;&amp;é";
        assert_eq!(
            tera.render("t.html", &ctx).unwrap(),
            format!("<a title='{escaped}' href=\"{escaped}\">{escaped}</a>")
        );
    }
}
