//! `build`: renders every output of a book into a temporary folder next to the output
//! folder and swaps it in only when everything succeeded, so a failed build leaves the
//! previous output untouched and a reader never sees a half-written site.

use std::path::Path;
use std::time::Duration;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::render::site::{download_names, Site};
use crate::render::xlsx::{SummaryLines, XlsxOptions};
use crate::render::{self, Bytes, OutputFile};
use crate::resolve::Doc;

/// What a build may vary: the timestamp in document properties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildOptions {
    pub xlsx: XlsxOptions,
}

/// Where a build spent its time, stage by stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    pub load: Duration,
    pub check: Duration,
    pub render: Duration,
    pub links: Duration,
    pub write: Duration,
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "load {:.0} ms, check {:.0} ms, render {:.0} ms, links {:.0} ms, write {:.0} ms",
            ms(self.load),
            ms(self.check),
            ms(self.render),
            ms(self.links),
            ms(self.write)
        )
    }
}

/// What a build wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildReport {
    pub baselines: usize,
    /// How many baselines were rendered and how many reused from a previous build.
    pub reuse: crate::Reuse,
    pub timings: Timings,
    pub files: usize,
    pub bytes: u64,
}

/// Every output of one baseline that depends on it alone: its workbook, CSV, Markdown,
/// JSON, its site page and the site's copies of its downloads. `summary_lines` holds the
/// row heights of its Feature Summary, which the combined workbook reads too.
pub fn render_doc(
    doc: &Doc,
    summary_lines: &SummaryLines,
    site: Option<&Site<'_>>,
    config: &Config,
    options: &BuildOptions,
) -> Result<Vec<OutputFile>> {
    // The parts are independent: on a rebuild after one save, they are the only work, and
    // they share the cores.
    let (downloads, page) = rayon::join(
        || render_downloads(doc, summary_lines, config, options),
        || site.map(|site| site.baseline_page(doc)).transpose(),
    );
    let mut files = downloads?;
    files.extend(page?.map(in_site));
    Ok(files)
}

/// The workbook of all baselines, and its copy among the site's downloads.
/// `summary_lines[i]` holds the row heights of `docs[i]` (see [`render_doc`]).
pub fn render_all_workbook(
    docs: &[&Doc],
    summary_lines: &[&SummaryLines],
    site: Option<&Site<'_>>,
    config: &Config,
    options: &BuildOptions,
) -> Result<Vec<OutputFile>> {
    if !config.output.xlsx {
        return Ok(Vec::new());
    }
    let name = crate::render::site::ALL_WORKBOOK;
    let bytes = render::workbook_all::render_with(docs, summary_lines, options.xlsx);
    let bytes = bytes.map_err(|e| Error::Xlsx {
        path: format!("xlsx/{name}").into(),
        message: e.to_string(),
    })?;
    let file = OutputFile::new(format!("xlsx/{name}"), bytes);
    let mut files = Vec::new();
    if site.is_some() {
        files.push(OutputFile {
            path: format!("site/downloads/{name}").into(),
            bytes: file.bytes.clone(),
        });
    }
    files.push(file);
    Ok(files)
}

/// The site's pages made from every baseline, and the theme's assets.
pub fn render_shared_pages(docs: &[&Doc], site: Option<&Site<'_>>) -> Result<Vec<OutputFile>> {
    match site {
        Some(site) => Ok(site.shared_pages(docs)?.into_iter().map(in_site).collect()),
        None => Ok(Vec::new()),
    }
}

fn in_site(f: OutputFile) -> OutputFile {
    OutputFile {
        path: Path::new("site").join(&f.path),
        bytes: f.bytes,
    }
}

pub(crate) fn render_downloads(
    doc: &Doc,
    summary_lines: &SummaryLines,
    config: &Config,
    options: &BuildOptions,
) -> Result<Vec<OutputFile>> {
    let out = &config.output;
    let stem = doc.file_stem();
    let mut files = Vec::new();
    // The site's copies share their bytes with the files they copy.
    let mut downloads: Vec<(String, Bytes)> = Vec::new();
    // The workbook takes as long as the rest together.
    let (workbook, texts) = rayon::join(
        || {
            out.xlsx
                .then(|| render::xlsx::render_with(doc, summary_lines, options.xlsx))
        },
        || render_texts(doc, config),
    );
    if let Some(workbook) = workbook {
        let bytes = workbook.map_err(|e| Error::Xlsx {
            path: format!("xlsx/{stem}.xlsx").into(),
            message: e.to_string(),
        })?;
        let file = OutputFile::new(format!("xlsx/{stem}.xlsx"), bytes);
        downloads.push((format!("{stem}.xlsx"), file.bytes.clone()));
        files.push(file);
    }
    let (texts, text_downloads) = texts?;
    files.extend(texts);
    downloads.extend(text_downloads);
    if out.site {
        let offered: Vec<String> = download_names(doc, out)
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        for (name, bytes) in downloads {
            if offered.contains(&name) {
                files.push(OutputFile {
                    path: format!("site/downloads/{name}").into(),
                    bytes,
                });
            }
        }
    }
    Ok(files)
}

/// The CSV, the Markdown article and the JSON of a baseline, and the bytes of their
/// copies among the site's downloads by name.
type Texts = (Vec<OutputFile>, Vec<(String, Bytes)>);

fn render_texts(doc: &Doc, config: &Config) -> Result<Texts> {
    let out = &config.output;
    let stem = doc.file_stem();
    let (mut files, mut downloads) = (Vec::new(), Vec::new());
    if out.csv {
        let bytes = render::csv::render(doc)
            .map_err(|e| Error::Other(format!("cannot write csv/{stem}.csv: {e}")))?;
        let file = OutputFile::new(format!("csv/{stem}.csv"), bytes);
        downloads.push((format!("{stem}.csv"), file.bytes.clone()));
        files.push(file);
    }
    if out.markdown {
        // The article links the workbook next to it: `../xlsx/` from `md/`, the same folder
        // among the site's downloads.
        let [article, download] = <[String; 2]>::try_from(render::markdown::render_each(
            doc,
            &[&format!("../xlsx/{stem}.xlsx"), &format!("{stem}.xlsx")],
        ))
        .map_err(|_| Error::Other("the article was not rendered twice".into()))?;
        files.push(OutputFile::new(format!("md/{stem}.md"), article));
        downloads.push((format!("{stem}.md"), download.into()));
    }
    if out.json {
        let bytes = render::json::render(doc)
            .map_err(|e| Error::Other(format!("cannot write json/{}.json: {e}", doc.slug)))?;
        let file = OutputFile::new(format!("json/{}.json", doc.slug), bytes);
        downloads.push((format!("{}.json", doc.slug), file.bytes.clone()));
        files.push(file);
    }
    Ok((files, downloads))
}
