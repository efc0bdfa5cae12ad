//! One rebuild as `serve` and `watch` run it: load, check, render, swap into `output/`.
//! The outcome is either the site's files or the diagnostic text to show.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::BuildOptions;
use crate::diag::{self, Diagnostic};
use crate::render::{same_buffer, Bytes, OutputFile};
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
    /// The site last handed to `ready`, which the next snapshot is patched from.
    published: HashMap<Arc<str>, Bytes>,
}

impl Rebuilder {
    pub fn new(root: &Path, options: BuildOptions, color: bool) -> Self {
        Rebuilder {
            root: root.to_path_buf(),
            options,
            color,
            cache: Cache::default(),
            published: HashMap::new(),
        }
    }

    /// Rebuilds the book. `ready` receives the new site as soon as it is rendered, before
    /// `output/` is rewritten, so that a browser reloads without waiting for the disk. I/O
    /// errors (an unreadable folder, a broken template) are reported like content errors:
    /// the writer fixes them and saves again.
    pub fn rebuild(&mut self, ready: &dyn Fn(Snapshot)) -> Outcome {
        let started = Instant::now();
        let published = std::cell::RefCell::new(std::mem::take(&mut self.published));
        let publish = |files: &[OutputFile], _: crate::Ready| {
            let site = patched(&published.borrow(), files);
            *published.borrow_mut() = site.files.clone();
            ready(site)
        };
        let built =
            crate::build_book_cached(&self.root, &self.options, false, &mut self.cache, &publish);
        self.published = published.into_inner();
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
    patched(&HashMap::new(), files)
}

/// [`snapshot`], starting from a copy of `previous` (the last one) and replacing only the
/// files whose bytes are not the same: a save changes a few of thousands of files.
fn patched(previous: &HashMap<Arc<str>, Bytes>, files: &[OutputFile]) -> Snapshot {
    let mut site = Snapshot {
        files: previous.clone(),
    };
    let mut count = 0;
    for f in files {
        let Some(rel) = f.site_path() else {
            continue;
        };
        count += 1;
        match site.files.get_mut(&*rel) {
            Some(bytes) => {
                if !same_buffer(bytes, &f.bytes) {
                    *bytes = f.bytes.clone();
                }
            }
            None => {
                site.files.insert(Arc::from(&*rel), f.bytes.clone());
            }
        }
    }
    if site.files.len() != count {
        // Files were removed: start over.
        return patched(&HashMap::new(), files);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<OutputFile> {
        list.iter()
            .map(|(p, b)| OutputFile::new(*p, b.to_string()))
            .collect()
    }

    fn sorted(s: &Snapshot) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = s
            .files
            .iter()
            .map(|(k, b)| (k.to_string(), b.to_vec()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_patched_snapshot_equals_a_fresh_one() {
        let first = files(&[
            ("site/a/index.html", "a"),
            ("site/b/index.html", "b"),
            ("xlsx/a.xlsx", "x"),
        ]);
        let previous = snapshot(&first).files;
        assert_eq!(previous.len(), 2, "only the site's files");
        let changed = files(&[
            ("site/a/index.html", "A"),
            ("site/b/index.html", "b"),
            ("site/c/index.html", "c"),
        ]);
        let next = patched(&previous, &changed);
        assert_eq!(sorted(&next), sorted(&snapshot(&changed)));
        let removed = files(&[("site/a/index.html", "A")]);
        let next = patched(&next.files, &removed);
        assert_eq!(sorted(&next), sorted(&snapshot(&removed)));
    }
}
