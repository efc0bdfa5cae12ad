//! What a rebuild can reuse from the one before it, as one explicit value that `serve`
//! and `watch` keep between rebuilds (`build` starts from an empty one).
//!
//! Every output of a baseline is a function of its own file and of the inputs all
//! baselines share: `book.toml`, the catalogs, the theme and the build options. So a
//! baseline whose text is unchanged, in a book whose shared inputs are unchanged, keeps
//! its rendered files; anything else is rendered again. Loading reads a file again unless
//! its length, modification and change times and inode are all the same as when it was
//! last read, compares the text it reads with the previous one (not hashes), and hands out
//! the same parsed value for an unchanged text, which makes reuse exact; the test suite
//! checks that an incremental rebuild gives the same bytes as a build from scratch.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::build::{self, BuildOptions};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::load::{Book, ParseCache};
use crate::model::Baseline;
use crate::render::site::Site;
use crate::render::xlsx::SummaryLines;
use crate::render::{self, OutputFile};
use crate::resolve::{self, Doc};
use crate::rules::{self, LinkCache};
use crate::theme::Theme;

/// Parsed baselines, rendered outputs and link-check results of the previous rebuild.
#[derive(Default)]
pub struct Cache {
    pub(crate) parsed: ParseCache,
    pub(crate) links: LinkCache,
    /// What the last build wrote to the output folder.
    pub(crate) written: Option<crate::output::Written>,
    shared: Option<SharedInputs>,
    rendered: HashMap<PathBuf, Rendered>,
    /// The outputs made from every baseline, as last rendered.
    shared_files: Option<Shared>,
    /// Every file of the last render, and where each path is in it: the early stage of the
    /// next render patches the changed baselines' files into it rather than gathering
    /// 10,000 files again.
    all: Option<(Vec<OutputFile>, HashMap<PathBuf, usize>)>,
    /// Baselines rendered again with the same file paths as before, to patch into `all`.
    patches: Vec<PathBuf>,
    checked: Checked,
}

/// Findings of the rules before severities: the catalogs' and each baseline's, with the
/// path of the file each points into (file ids change from one load to the next).
#[derive(Default)]
struct Checked {
    /// The texts of the catalogs and book.toml the findings were made with.
    texts: Vec<(PathBuf, String)>,
    catalogs: Option<Vec<Finding>>,
    baselines: HashMap<PathBuf, (Arc<Baseline>, Vec<Finding>)>,
}

type Finding = (Option<PathBuf>, Diagnostic);

/// Receives every file with the new shared pages and the previous workbook of all
/// baselines, and the link cache to check them with.
pub type PagesReady<'a> = &'a mut dyn FnMut(&[OutputFile], &mut LinkCache);

/// The outputs made from every baseline: the site's shared pages and the workbook of all
/// baselines, kept apart because the pages are ready first.
struct Shared {
    pages: Vec<OutputFile>,
    workbook: Vec<OutputFile>,
}

/// The inputs every baseline's outputs depend on.
#[derive(PartialEq)]
struct SharedInputs {
    texts: Vec<(PathBuf, String)>,
    theme: Theme,
    options: BuildOptions,
}

/// One baseline's resolved document and files, with the parsed baseline they were made
/// from: loading hands out the same shared value while the file's text is unchanged.
struct Rendered {
    source: Arc<Baseline>,
    doc: Doc,
    /// Its Feature Summary's row heights, for the combined workbook.
    summary_lines: SummaryLines,
    files: Vec<OutputFile>,
}

/// How much of the book a render had to redo.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Baselines rendered again.
    pub rendered: usize,
    /// Baselines whose files were reused.
    pub reused: usize,
}

impl Cache {
    /// Runs the rules on `book` as [`crate::check`] does, running them again only on the
    /// baselines that changed (and on everything when a catalog or book.toml changed):
    /// rules look at one baseline and the catalogs at a time.
    pub fn check(&mut self, book: &Book, cap_warn: bool) -> Vec<Diagnostic> {
        let texts = shared_texts(book);
        let checked = &mut self.checked;
        if checked.texts != texts {
            *checked = Checked {
                texts,
                ..Checked::default()
            };
        }
        let locate = |findings: Vec<Diagnostic>| -> Vec<Finding> {
            findings
                .into_iter()
                .map(|d| (d.location.map(|l| book.sources.path_buf(l.file).clone()), d))
                .collect()
        };
        if checked.catalogs.is_none() {
            checked.catalogs = Some(locate(rules::run(&rules::Context::catalogs(book))));
        }
        let stale: Vec<_> = book
            .baselines
            .iter()
            .filter(|b| {
                checked
                    .baselines
                    .get(book.sources.path_buf(b.file))
                    .is_none_or(|(source, _)| !Arc::ptr_eq(source, &b.value))
            })
            .collect();
        let fresh: Vec<_> = stale
            .par_iter()
            .map(|b| {
                let findings = rules::run(&rules::Context::baseline(book, b.file));
                (b.file, Arc::clone(&b.value), locate(findings))
            })
            .collect();
        for (file, source, findings) in fresh {
            let path = book.sources.path_buf(file).clone();
            checked.baselines.insert(path, (source, findings));
        }
        let ids: HashMap<&PathBuf, crate::source::FileId> =
            book.sources.iter().map(|(id, f)| (&f.path, id)).collect();
        checked.baselines.retain(|path, _| ids.contains_key(path));
        let current = checked.catalogs.iter().flatten().chain(
            book.baselines
                .iter()
                .filter_map(|b| checked.baselines.get(book.sources.path_buf(b.file)))
                .flat_map(|(_, findings)| findings),
        );
        let findings = current
            .map(|(path, d)| {
                let mut d = d.clone();
                if let (Some(location), Some(path)) = (&mut d.location, path) {
                    if let Some(id) = ids.get(path) {
                        location.file = *id;
                    }
                }
                d
            })
            .collect();
        let mut out = rules::apply_severities(findings, &book.config.check, cap_warn);
        crate::diag::sort(&mut out);
        out
    }

    /// Renders the outputs of every baseline of `book` that depend on it alone, reusing
    /// those of the previous call whose inputs are the same.
    pub fn render_baselines(
        &mut self,
        book: &Book,
        theme: &Theme,
        options: &BuildOptions,
    ) -> Result<Reuse> {
        let shared = SharedInputs::of(book, theme, options);
        if self.shared.as_ref() != Some(&shared) {
            self.rendered.clear();
            self.shared_files = None;
            self.all = None;
            self.shared = Some(shared);
        }
        self.patches.clear();
        let site = site(book, theme)?;
        let baselines: Vec<(&PathBuf, &Arc<Baseline>)> = book
            .baselines
            .iter()
            .map(|b| (book.sources.path_buf(b.file), &b.value))
            .collect();
        let stale: Vec<_> = baselines
            .iter()
            .filter(|(path, baseline)| {
                self.rendered
                    .get(*path)
                    .is_none_or(|r| !Arc::ptr_eq(&r.source, baseline))
            })
            .collect();
        let fresh: Vec<(PathBuf, Option<Rendered>)> = stale
            .par_iter()
            .map(|(path, baseline)| {
                let rendered = match resolve::resolve_one(book, baseline) {
                    Some(doc) => {
                        let summary_lines = SummaryLines::default();
                        let files = render::compact(build::render_doc(
                            &doc,
                            &summary_lines,
                            site.as_ref(),
                            &book.config,
                            options,
                        )?);
                        Some(Rendered {
                            files,
                            doc,
                            summary_lines,
                            source: Arc::clone(baseline),
                        })
                    }
                    None => None,
                };
                Ok(((*path).clone(), rendered))
            })
            .collect::<Result<_>>()?;
        let reuse = Reuse {
            rendered: fresh.len(),
            reused: baselines.len() - fresh.len(),
        };
        for (path, rendered) in fresh {
            let old = match rendered {
                Some(r) => {
                    let paths: Vec<&PathBuf> = r.files.iter().map(|f| &f.path).collect();
                    let old = self.rendered.get(&path);
                    if old.is_some_and(|o| o.files.iter().map(|f| &f.path).eq(paths)) {
                        self.patches.push(path.clone());
                    } else {
                        self.all = None;
                    }
                    self.rendered.insert(path, r)
                }
                None => {
                    // Its files are gone.
                    self.all = None;
                    self.rendered.remove(&path)
                }
            };
            if old.is_none() {
                self.all = None;
            }
        }
        let current: std::collections::HashSet<&PathBuf> =
            baselines.iter().map(|(p, _)| *p).collect();
        let before = self.rendered.len();
        self.rendered.retain(|path, _| current.contains(path));
        if self.rendered.len() != before {
            self.all = None;
        }
        Ok(reuse)
    }

    /// The baselines' files with the shared files of the previous render: what `serve`
    /// can show while the shared pages are rendered again. `None` before a first render
    /// or after a change of the shared inputs.
    pub fn with_previous_shared(&mut self) -> Option<Vec<OutputFile>> {
        if let Some((mut files, index)) = self.all.take() {
            for baseline in &self.patches {
                for f in self.rendered.get(baseline).iter().flat_map(|r| &r.files) {
                    if let Some(&i) = index.get(&f.path) {
                        files[i].bytes = f.bytes.clone();
                    }
                }
            }
            return Some(files);
        }
        let shared = self.shared_files.as_ref()?;
        Some(collect(
            &self.rendered,
            shared.pages.iter().chain(&shared.workbook),
        ))
    }

    /// Renders the outputs made from every baseline (after [`Cache::render_baselines`])
    /// and returns every file of the book, in a fixed order.
    ///
    /// The workbook of all baselines takes longest (0.5 to 0.8 s at 1,200 baselines, the
    /// pages 0.3 s). So when a previous render left one, `pages_ready` is handed every file
    /// with the new pages and that previous workbook as soon as the pages are done, with
    /// the link cache to check them, while the new workbook is still being rendered.
    pub fn render_shared(
        &mut self,
        book: &Book,
        theme: &Theme,
        options: &BuildOptions,
        pages_ready: Option<PagesReady<'_>>,
    ) -> Result<Vec<OutputFile>> {
        let site = site(book, theme)?;
        let mut docs: Vec<(&Doc, &SummaryLines)> = self
            .rendered
            .values()
            .map(|r| (&r.doc, &r.summary_lines))
            .collect();
        docs.sort_by(|a, b| resolve::order(a.0, b.0));
        let (docs, summary_lines): (Vec<&Doc>, Vec<&SummaryLines>) = docs.into_iter().unzip();
        let previous = self.shared_files.take();
        let (rendered, links) = (&self.rendered, &mut self.links);
        let mut workbook = None;
        let pages = rayon::in_place_scope(|scope| {
            // The workbook goes to the pool. On a thread of its own, its 60 to 70 MB went to a
            // fresh allocator arena each time and stayed resident (80 MB more at 1,200).
            let (docs, summary_lines, site) = (&docs, &summary_lines, site.as_ref());
            let workbook = &mut workbook;
            scope.spawn(move |_| {
                *workbook = Some(build::render_all_workbook(
                    docs,
                    summary_lines,
                    site,
                    &book.config,
                    options,
                ))
            });
            let pages = build::render_shared_pages(docs, site).map(render::compact);
            if let (Ok(pages), Some(ready), Some(previous)) = (&pages, pages_ready, &previous) {
                // Without a workbook, these would be every file, as the caller gets next.
                if !previous.workbook.is_empty() {
                    ready(
                        &collect(rendered, pages.iter().chain(&previous.workbook)),
                        links,
                    );
                }
            }
            pages
        });
        // Unset only if its job panicked, and the scope passed the panic on.
        let workbook =
            workbook.unwrap_or_else(|| Err(Error::Other("the workbook was not rendered".into())));
        let shared = Shared {
            pages: pages?,
            workbook: render::compact(workbook?),
        };
        let files = collect(&self.rendered, shared.pages.iter().chain(&shared.workbook));
        self.shared_files = Some(shared);
        let index = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        self.all = Some((files.clone(), index));
        Ok(files)
    }
}

/// Every baseline's files and `shared`, in a fixed order.
fn collect<'a>(
    rendered: &HashMap<PathBuf, Rendered>,
    shared: impl Iterator<Item = &'a OutputFile>,
) -> Vec<OutputFile> {
    let mut files: Vec<OutputFile> = rendered
        .values()
        .flat_map(|r| r.files.iter().cloned())
        .chain(shared.cloned())
        .collect();
    // By bytes: `Path`'s ordering parses components, several times slower on 10,000
    // files, and any fixed order will do.
    files.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    files
}

fn site<'a>(book: &'a Book, theme: &'a Theme) -> Result<Option<Site<'a>>> {
    if book.config.output.site {
        Site::new(&book.config, theme).map(Some)
    } else {
        Ok(None)
    }
}

impl SharedInputs {
    fn of(book: &Book, theme: &Theme, options: &BuildOptions) -> Self {
        SharedInputs {
            texts: shared_texts(book),
            theme: theme.clone(),
            options: *options,
        }
    }
}

/// The texts of every file but the baselines: book.toml and the catalogs.
fn shared_texts(book: &Book) -> Vec<(PathBuf, String)> {
    let baselines: std::collections::HashSet<_> = book.baselines.iter().map(|b| b.file).collect();
    book.sources
        .iter()
        .filter(|(id, _)| !baselines.contains(id))
        .map(|(_, s)| (s.path.clone(), s.text.clone()))
        .collect()
}
