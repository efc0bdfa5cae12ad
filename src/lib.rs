//! controlbook: security baselines as structured YAML, checked and rendered to a static
//! site, Markdown articles, XLSX mapping files, CSV and JSON.
//!
//! The pipeline is load -> check -> render: [`load()`] reads a book and reports what is
//! wrong with its files, [`resolve::resolve`] fills in the catalogs, [`build_book`] renders
//! every output into a temporary folder and swaps it in.

pub mod build;
pub mod cache;
pub mod config;
pub mod corpus;
pub mod diag;
pub mod error;
pub mod export;
pub mod import;
pub mod init;
pub mod load;
pub mod model;
pub mod output;
pub mod references;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod stream;
#[cfg(test)]
mod test_support;
pub mod theme;
pub mod yaml_fast;
pub mod yaml_write;

use std::path::PathBuf;
use std::time::Instant;

pub use build::{BuildOptions, BuildReport, Timings};
pub use cache::{Cache, Reuse};
pub use error::{Error, Result};
pub use load::{load, Book, LoadResult};

/// The theme of a book: the embedded default with the book's theme folder laid over it.
pub fn theme_for(book: &Book) -> Result<theme::Theme> {
    let dir = book
        .config
        .build
        .theme
        .as_ref()
        .map_or_else(|| book.root.join("themes/default"), |t| book.root.join(t));
    theme::Theme::with_overrides(&dir, &book.root)
}

/// The folder `build` replaces.
pub fn output_dir(book: &Book) -> PathBuf {
    book.root.join(&book.config.build.output_dir)
}

/// Runs the consistency rules on a loaded book; `cap_warn` turns errors into warnings.
pub fn check(book: &Book, cap_warn: bool) -> Vec<diag::Diagnostic> {
    rules::check(book, cap_warn)
}

/// A rendered book: every output file, and the findings of the checks that need the
/// rendered site (broken links).
pub struct Rendered {
    pub files: Vec<render::OutputFile>,
    pub findings: Vec<diag::Diagnostic>,
    pub baselines: usize,
    pub reuse: Reuse,
    pub timings: Timings,
}

/// Renders every output of a book that loaded without errors, and checks the links of
/// the rendered site. Nothing is written.
pub fn render_book(book: &Book, options: &BuildOptions, cap_warn: bool) -> Result<Rendered> {
    render_book_cached(book, options, cap_warn, &mut Cache::default(), None)
}

/// A callback that receives rendered files to publish, and which stage they are.
pub type Publish<'a> = &'a dyn Fn(&[render::OutputFile], Ready);

/// [`render_book`], reusing what `cache` holds from the previous render of this book.
/// `early` receives files before the render is done, each time once they pass the link
/// check, so that `serve` can show the edited page before the rest is redone: first, when
/// only some baselines changed, their new files with the previous shared pages (home,
/// matrix, controls, search), [`Ready::Baselines`]; then, when the previous render left a
/// workbook of all baselines, every new page with that workbook, [`Ready::Pages`].
pub fn render_book_cached(
    book: &Book,
    options: &BuildOptions,
    cap_warn: bool,
    cache: &mut Cache,
    early: Option<Publish<'_>>,
) -> Result<Rendered> {
    let started = Instant::now();
    let theme = theme_for(book)?;
    let reuse = cache.render_baselines(book, &theme, options)?;
    let mut links = std::time::Duration::ZERO;
    if let (Some(early), true) = (early, reuse.reused > 0) {
        if let Some(files) = cache.with_previous_shared() {
            let checking = Instant::now();
            let findings = rules::check_site_cached(&files, true, &mut cache.links);
            links += checking.elapsed();
            let findings = rules::apply_severities(findings, &book.config.check, cap_warn);
            if diag::error_count(&findings) == 0 {
                early(&files, Ready::Baselines);
            }
        }
    }
    let mut pages_ready = |files: &[render::OutputFile], cache: &mut rules::LinkCache| {
        let checking = Instant::now();
        let findings = rules::check_site_cached(files, true, cache);
        links += checking.elapsed();
        let findings = rules::apply_severities(findings, &book.config.check, cap_warn);
        if let (Some(early), 0) = (early, diag::error_count(&findings)) {
            early(files, Ready::Pages);
        }
    };
    let pages_ready: Option<cache::PagesReady<'_>> = early.map(|_| &mut pages_ready as _);
    let files = cache.render_shared(book, &theme, options, pages_ready)?;
    let checking = Instant::now();
    let findings = rules::apply_severities(
        rules::check_site_cached(&files, true, &mut cache.links),
        &book.config.check,
        cap_warn,
    );
    links += checking.elapsed();
    Ok(Rendered {
        files,
        findings,
        baselines: reuse.rendered + reuse.reused,
        reuse,
        timings: Timings {
            render: started.elapsed() - links,
            links,
            ..Timings::default()
        },
    })
}

/// Swaps rendered files into the book's output folder.
pub fn write_output(book: &Book, rendered: &Rendered) -> Result<BuildReport> {
    let mut report = output::write_atomically(&output_dir(book), &rendered.files)?;
    report.baselines = rendered.baselines;
    report.reuse = rendered.reuse;
    report.timings = rendered.timings;
    Ok(report)
}

/// [`write_output`] for a book built before with `cache`: when the output folder still
/// holds that build, only the files that changed are written.
fn write_output_cached(book: &Book, rendered: &Rendered, cache: &mut Cache) -> Result<BuildReport> {
    let out_dir = output_dir(book);
    let mut report = match &cache.written {
        Some(previous) if out_dir.is_dir() => {
            let bytes = output::write_changed(&out_dir, &rendered.files, previous)?;
            BuildReport {
                baselines: rendered.baselines,
                reuse: rendered.reuse,
                timings: rendered.timings,
                files: rendered.files.len(),
                bytes,
            }
        }
        _ => write_output(book, rendered)?,
    };
    report.reuse = rendered.reuse;
    report.timings = rendered.timings;
    cache.written = Some(
        rendered
            .files
            .iter()
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect(),
    );
    Ok(report)
}

/// How [`build_book`] ended. The book comes back so that findings can be shown with its
/// sources.
pub enum Built {
    /// The book's files could not be used (exit 2); nothing was written.
    InputError(Box<LoadResult>),
    /// Error findings stopped the build (exit 1); nothing was written.
    Stopped {
        book: Box<Book>,
        findings: Vec<diag::Diagnostic>,
    },
    /// Every output was written; `findings` are warnings.
    Written {
        book: Box<Book>,
        findings: Vec<diag::Diagnostic>,
        report: BuildReport,
    },
}

/// The whole pipeline, as `build` runs it: load, check, render, check the site's links,
/// swap the new output in. Files are written as they are rendered ([`stream`]).
pub fn build_book(root: &std::path::Path, options: &BuildOptions, cap_warn: bool) -> Result<Built> {
    let started = Instant::now();
    let loaded = load::load(root)?;
    if !loaded.diagnostics.is_empty() {
        return Ok(Built::InputError(Box::new(loaded)));
    }
    let mut book = Box::new(loaded.book);
    let loaded_at = Instant::now();
    let mut findings = check(&book, cap_warn);
    if diag::error_count(&findings) > 0 {
        return Ok(Built::Stopped { book, findings });
    }
    let checked_at = Instant::now();
    // The returned book keeps its sources and catalogs; its parsed baselines are dropped
    // once rendering has resolved them.
    match stream::render_and_write(&mut book, options, cap_warn)? {
        stream::Streamed::Stopped(links) => {
            findings.extend(links);
            Ok(Built::Stopped { book, findings })
        }
        stream::Streamed::Written(mut report, links) => {
            findings.extend(links);
            report.timings.load = loaded_at - started;
            report.timings.check = checked_at - loaded_at;
            Ok(Built::Written {
                book,
                findings,
                report,
            })
        }
    }
}

/// Which files [`build_book_cached`] hands to its `ready` callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ready {
    /// The changed baselines' new files with the previous build's shared pages; only when
    /// some baselines were reused, and only if the links of that site hold.
    Baselines,
    /// Every page of the new build, with the previous build's workbook of all baselines,
    /// which is still being rendered; only when a previous build with the same shared
    /// inputs made that workbook, and only if the links hold.
    Pages,
    /// Every file of the new build, before `output/` is rewritten.
    Complete,
}

/// The pipeline as `serve` and `watch` run it, with the cache of a previous build of the
/// same book: unchanged baselines are neither parsed nor rendered again, and `ready`
/// receives the rendered files before `output/` is rewritten (`serve` publishes them from
/// memory at that point).
pub fn build_book_cached(
    root: &std::path::Path,
    options: &BuildOptions,
    cap_warn: bool,
    cache: &mut Cache,
    ready: &dyn Fn(&[render::OutputFile], Ready),
) -> Result<Built> {
    let started = Instant::now();
    let loaded = load::load_cached(root, &mut cache.parsed)?;
    if !loaded.diagnostics.is_empty() {
        return Ok(Built::InputError(Box::new(loaded)));
    }
    let book = Box::new(loaded.book);
    let loaded_at = Instant::now();
    let mut findings = cache.check(&book, cap_warn);
    if diag::error_count(&findings) > 0 {
        return Ok(Built::Stopped { book, findings });
    }
    let checked_at = Instant::now();
    let mut rendered = render_book_cached(&book, options, cap_warn, cache, Some(ready))?;
    rendered.timings.load = loaded_at - started;
    rendered.timings.check = checked_at - loaded_at;
    findings.extend(rendered.findings.iter().cloned());
    if diag::error_count(&findings) > 0 {
        return Ok(Built::Stopped { book, findings });
    }
    ready(&rendered.files, Ready::Complete);
    let writing = Instant::now();
    let mut report = write_output_cached(&book, &rendered, cache)?;
    report.timings.write = writing.elapsed();
    Ok(Built::Written {
        book,
        findings,
        report,
    })
}

/// The book's `book.toml`, or the defaults when it is missing or invalid (loading the book
/// reports why). For callers that need only paths, without parsing every baseline.
pub fn read_config(root: &std::path::Path) -> config::Config {
    std::fs::read_to_string(root.join("book.toml"))
        .ok()
        .and_then(|text| config::parse(&text, source::FileId(0)).ok())
        .unwrap_or_default()
}
