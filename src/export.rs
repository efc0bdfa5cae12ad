//! `export`: one output format of a checked book, as bytes. One baseline gives the same
//! bytes as the file `build` writes for it; every baseline at once gives the workbook of
//! all baselines, one CSV with a leading `Service` column, or a JSON array. Markdown is one
//! article per baseline, so it needs one.

use crate::build::{self, BuildOptions};
use crate::config::Config;
use crate::load::Book;
use crate::render;
use crate::resolve::{self, Doc};

/// An output format that `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Markdown,
    Json,
}

impl Format {
    /// Whether the format is text, which a terminal can show.
    pub fn is_text(self) -> bool {
        self != Format::Xlsx
    }

    /// Turns on this format alone in a book's `[output]`, so that the rules that depend
    /// on the outputs (`cell-too-long`) check what is exported, and nothing else.
    pub fn select_in(self, output: &mut crate::config::OutputConfig) {
        *output = crate::config::OutputConfig {
            site: false,
            markdown: self == Format::Markdown,
            xlsx: self == Format::Xlsx,
            csv: self == Format::Csv,
            json: self == Format::Json,
        };
    }
}

/// What was exported: the bytes, and the file name `build` gives them.
#[derive(Debug)]
pub struct Exported {
    pub bytes: Vec<u8>,
    pub file_name: String,
    /// How many baselines it holds.
    pub baselines: usize,
}

/// Why nothing was exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no baseline has the slug `{slug}`; the book's slugs: {known}")]
    UnknownSlug { slug: String, known: String },
    #[error("the book has no baselines to export")]
    Empty,
    #[error("Markdown is one article per baseline, and the book has {count}: name one with --baseline SLUG ({known})")]
    MarkdownNeedsOne { count: usize, known: String },
    #[error("cannot render {file_name}: {message}")]
    Render { file_name: String, message: String },
    #[error(transparent)]
    Build(#[from] crate::Error),
}

/// Exports `format` from a book that loaded and checked without errors: the baseline with
/// the slug `only`, or, without it, the book's only baseline or every baseline together.
pub fn export(
    book: &Book,
    format: Format,
    only: Option<&str>,
    options: &BuildOptions,
) -> Result<Exported, ExportError> {
    let docs = resolve::resolve(book);
    let known = || slugs(&docs);
    let one =
        match only {
            Some(slug) => Some(docs.iter().find(|d| d.slug == slug).ok_or_else(|| {
                ExportError::UnknownSlug {
                    slug: slug.to_string(),
                    known: known(),
                }
            })?),
            None if docs.is_empty() => return Err(ExportError::Empty),
            None if docs.len() == 1 => docs.first(),
            None => None,
        };
    match one {
        Some(doc) => export_one(doc, format, &book.config, options),
        None => {
            let all: Vec<&Doc> = docs.iter().collect();
            export_all(&all, format, options).unwrap_or_else(|| {
                Err(ExportError::MarkdownNeedsOne {
                    count: docs.len(),
                    known: known(),
                })
            })
        }
    }
}

/// One baseline's file, rendered by `build`'s own code with this format alone turned on,
/// so that its name and bytes are those of the file `build` writes.
fn export_one(
    doc: &Doc,
    format: Format,
    config: &Config,
    options: &BuildOptions,
) -> Result<Exported, ExportError> {
    let mut config = config.clone();
    format.select_in(&mut config.output);
    let file = build::render_downloads(doc, &Default::default(), &config, options)?
        .pop()
        .ok_or_else(|| failed(&doc.slug, "nothing was rendered"))?;
    Ok(Exported {
        file_name: file
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        bytes: file.bytes.to_vec(),
        baselines: 1,
    })
}

/// Every baseline in one file; `None` for Markdown, which has no such file.
fn export_all(
    docs: &[&Doc],
    format: Format,
    options: &BuildOptions,
) -> Option<Result<Exported, ExportError>> {
    let (file_name, bytes) = match format {
        Format::Xlsx => {
            let file_name = render::site::ALL_WORKBOOK.to_string();
            let bytes = render::workbook_all::render(docs, options.xlsx);
            (file_name.clone(), bytes.map_err(|e| failed(&file_name, e)))
        }
        Format::Csv => {
            let file_name = "all-baselines.csv".to_string();
            let bytes = render::csv::render_all(docs);
            (file_name.clone(), bytes.map_err(|e| failed(&file_name, e)))
        }
        Format::Json => {
            let file_name = "all-baselines.json".to_string();
            let bytes = render::json::render_all(docs);
            (file_name.clone(), bytes.map_err(|e| failed(&file_name, e)))
        }
        Format::Markdown => return None,
    };
    Some(bytes.map(|bytes| Exported {
        bytes,
        file_name,
        baselines: docs.len(),
    }))
}

fn failed(file_name: &str, e: impl std::fmt::Display) -> ExportError {
    ExportError::Render {
        file_name: file_name.to_string(),
        message: e.to_string(),
    }
}

/// The slugs of `docs` for a message: the first ten, and how many more.
fn slugs(docs: &[Doc]) -> String {
    const SHOWN: usize = 10;
    let mut list: Vec<&str> = docs.iter().map(|d| d.slug.as_str()).collect();
    list.sort_unstable();
    let more = list.len().saturating_sub(SHOWN);
    list.truncate(SHOWN);
    let mut text = list.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    if text.is_empty() {
        text.push_str("none");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{baseline, book, GOOD_FEATURE};

    fn one_baseline_book() -> Book {
        book(&baseline(GOOD_FEATURE, ""))
    }

    #[test]
    fn the_only_baseline_is_exported_without_naming_it() {
        let book = one_baseline_book();
        let options = BuildOptions::default();
        for format in [Format::Xlsx, Format::Csv, Format::Markdown, Format::Json] {
            let named = export(&book, format, Some("svc"), &options).unwrap();
            let only = export(&book, format, None, &options).unwrap();
            assert_eq!(named.bytes, only.bytes, "{format:?}");
            assert_eq!(named.baselines, 1);
        }
        let csv = export(&book, Format::Csv, None, &options).unwrap();
        assert_eq!(csv.file_name, "svc-security-baseline.csv");
        assert!(String::from_utf8(csv.bytes)
            .unwrap()
            .starts_with("Control Domain,ASB Control ID,"));
    }

    #[test]
    fn an_unknown_slug_lists_the_known_ones() {
        let book = one_baseline_book();
        let e = export(&book, Format::Json, Some("nope"), &BuildOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no baseline has the slug `nope`; the book's slugs: svc"
        );
    }

    #[test]
    fn select_in_turns_on_one_format() {
        let mut output = crate::config::OutputConfig::default();
        Format::Csv.select_in(&mut output);
        assert!(output.csv && !output.xlsx && !output.markdown && !output.json && !output.site);
        Format::Xlsx.select_in(&mut output);
        assert!(output.xlsx && !output.csv);
    }

    #[test]
    fn slugs_are_shortened_for_messages() {
        assert_eq!(slugs(&[]), "none");
    }
}
