//! controlbook: security baselines as structured YAML, checked and rendered to a static
//! site, Markdown articles, XLSX mapping files, CSV and JSON.
//!
//! The pipeline is load -> check -> render: [`load()`] reads a book and reports what is
//! wrong with its files, [`resolve::resolve`] fills in the catalogs, [`build_book`] renders
//! every output into a temporary folder and swaps it in.

pub mod build;
pub mod config;
pub mod diag;
pub mod error;
pub mod load;
pub mod model;
pub mod references;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod source;
pub mod theme;

use std::path::PathBuf;

pub use build::{BuildOptions, BuildReport};
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
    theme::Theme::with_overrides(&dir)
}

/// The folder `build` replaces.
pub fn output_dir(book: &Book) -> PathBuf {
    book.root.join(&book.config.build.output_dir)
}

/// Renders every output of a book that loaded without errors and swaps it into the
/// output folder.
pub fn build_book(book: &Book, options: &BuildOptions) -> Result<BuildReport> {
    let docs = resolve::resolve(book);
    let theme = theme_for(book)?;
    let files = build::render_all(&docs, &book.config, &theme, options)?;
    let mut report = build::write_atomically(&output_dir(book), &files)?;
    report.baselines = docs.len();
    Ok(report)
}
