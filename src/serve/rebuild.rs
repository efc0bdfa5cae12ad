//! One rebuild as `serve` and `watch` run it: load, check, render, swap into `output/`.
//! The outcome is either the site's files or the diagnostic text to show.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::BuildOptions;
use crate::diag::{self, Diagnostic};
use crate::render::OutputFile;
use crate::{Built, Cache, Reuse, Timings};

use super::Snapshot;

/// What a rebuild produced.
pub enum Outcome {
    /// Built and written.
    Built {
        baselines: usize,
        /// How many baselines were rendered again.
        reuse: Reuse,
        timings: Timings,
        files: usize,
        took: Duration,
        warnings: String,
    },
    /// The book has errors; nothing changed. `plain` is for the page, `terminal` for stderr.
    Failed { plain: String, terminal: String },
}

/// Rebuilds one book again and again, keeping what each rebuild can reuse from the last.
pub struct Rebuilder {
    root: PathBuf,
    options: BuildOptions,
    color: bool,
    cache: Cache,
}

impl Rebuilder {
    pub fn new(root: &Path, options: BuildOptions, color: bool) -> Self {
        Rebuilder {
            root: root.to_path_buf(),
            options,
            color,
            cache: Cache::default(),
        }
    }

    /// Rebuilds the book. `ready` receives the new site as soon as it is rendered, before
    /// `output/` is rewritten, so that a browser reloads without waiting for the disk. I/O
    /// errors (an unreadable folder, a broken template) are reported like content errors:
    /// the writer fixes them and saves again.
    pub fn rebuild(&mut self, ready: &dyn Fn(Snapshot)) -> Outcome {
        let started = Instant::now();
        let publish = |files: &[OutputFile], _: crate::Ready| ready(snapshot(files));
        let built =
            crate::build_book_cached(&self.root, &self.options, false, &mut self.cache, &publish);
        match built {
            Err(e) => failed_text(format!("error: {e}")),
            Ok(Built::InputError(loaded)) => {
                failed(&loaded.diagnostics, &loaded.book.sources, self.color)
            }
            Ok(Built::Stopped { book, findings }) => failed(&findings, &book.sources, self.color),
            Ok(Built::Written {
                book,
                findings,
                report,
            }) => Outcome::Built {
                baselines: report.baselines,
                reuse: report.reuse,
                timings: report.timings,
                files: report.files,
                took: started.elapsed(),
                warnings: if findings.is_empty() {
                    String::new()
                } else {
                    diag::render_human(&findings, &book.sources, self.color)
                },
            },
        }
    }
}

fn failed(diagnostics: &[Diagnostic], sources: &crate::source::Sources, color: bool) -> Outcome {
    Outcome::Failed {
        plain: diag::render_human(diagnostics, sources, false),
        terminal: diag::render_human(diagnostics, sources, color),
    }
}

fn failed_text(text: String) -> Outcome {
    Outcome::Failed {
        plain: text.clone(),
        terminal: text,
    }
}

/// The site's files, keyed by path below `site/`.
pub fn snapshot(files: &[OutputFile]) -> Snapshot {
    let mut site = Snapshot::default();
    for f in files {
        let path = f.path.to_string_lossy().replace('\\', "/");
        if let Some(rel) = path.strip_prefix("site/") {
            site.files.insert(rel.to_string(), Arc::clone(&f.bytes));
        }
    }
    site
}

/// The folders and files a rebuild depends on, relative to the root.
pub fn watched_paths(root: &Path) -> Vec<PathBuf> {
    let config = crate::read_config(root);
    let mut paths = vec![
        PathBuf::from("book.toml"),
        config.build.content_dir,
        PathBuf::from("themes"),
    ];
    paths.extend(config.build.theme);
    paths
}
