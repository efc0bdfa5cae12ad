//! What a rebuild can reuse from the one before it, as one explicit value that `serve`
//! and `watch` keep between rebuilds (`build` starts from an empty one).
//!
//! Every output of a baseline is a function of its own file and of the inputs all
//! baselines share: `book.toml`, the catalogs, the theme and the build options. So a
//! baseline whose text is unchanged, in a book whose shared inputs are unchanged, keeps
//! its rendered files; anything else is rendered again. Comparing texts (not hashes or
//! modification times) makes reuse exact, and the test suite checks that an incremental
//! rebuild gives the same bytes as a build from scratch.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::build::{self, BuildOptions};
use crate::error::Result;
use crate::load::{Book, ParseCache};
use crate::render::site::Site;
use crate::render::OutputFile;
use crate::resolve::{self, Doc};
use crate::rules::LinkCache;
use crate::theme::Theme;

/// Parsed baselines, rendered outputs and link-check results of the previous rebuild.
#[derive(Default)]
pub struct Cache {
    pub(crate) parsed: ParseCache,
    pub(crate) links: LinkCache,
    /// What the last build wrote to the output folder.
    pub(crate) written: Option<build::Written>,
    shared: Option<SharedInputs>,
    rendered: HashMap<PathBuf, Rendered>,
}

/// The inputs every baseline's outputs depend on.
#[derive(PartialEq)]
struct SharedInputs {
    texts: Vec<(PathBuf, String)>,
    theme: Theme,
    options: BuildOptions,
}

/// One baseline's resolved document and files, with the text they were made from.
struct Rendered {
    text: String,
    doc: Doc,
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
    /// Renders the outputs of every baseline of `book`, reusing those of the previous call
    /// whose inputs are the same, then the outputs made from all baselines. Returns the
    /// files sorted by path.
    pub fn render(
        &mut self,
        book: &Book,
        theme: &Theme,
        options: &BuildOptions,
    ) -> Result<(Vec<OutputFile>, Reuse)> {
        let shared = SharedInputs::of(book, theme, options);
        if self.shared.as_ref() != Some(&shared) {
            self.rendered.clear();
            self.shared = Some(shared);
        }
        let site = if book.config.output.site {
            Some(Site::new(&book.config, theme)?)
        } else {
            None
        };

        let baselines: Vec<(&PathBuf, &str, &crate::model::Baseline)> = book
            .baselines
            .iter()
            .map(|b| {
                let source = book.sources.get(b.file);
                (&source.path, source.text.as_str(), &b.value)
            })
            .collect();
        let stale: Vec<_> = baselines
            .iter()
            .filter(|(path, text, _)| self.rendered.get(*path).is_none_or(|r| r.text != *text))
            .collect();
        let fresh: Vec<(PathBuf, Option<Rendered>)> = stale
            .par_iter()
            .map(|(path, text, baseline)| {
                let rendered = match resolve::resolve_one(book, baseline) {
                    Some(doc) => Some(Rendered {
                        files: build::render_doc(&doc, site.as_ref(), &book.config, options)?,
                        doc,
                        text: (*text).to_string(),
                    }),
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
            match rendered {
                Some(r) => self.rendered.insert(path, r),
                None => self.rendered.remove(&path),
            };
        }
        let current: std::collections::HashSet<&PathBuf> =
            baselines.iter().map(|(p, _, _)| *p).collect();
        self.rendered.retain(|path, _| current.contains(path));

        let mut docs: Vec<&Doc> = self.rendered.values().map(|r| &r.doc).collect();
        resolve::sort(&mut docs);
        let mut files: Vec<OutputFile> = self
            .rendered
            .values()
            .flat_map(|r| r.files.iter().cloned())
            .collect();
        files.extend(build::render_shared(&docs, site.as_ref())?);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((files, reuse))
    }
}

impl SharedInputs {
    fn of(book: &Book, theme: &Theme, options: &BuildOptions) -> Self {
        let baselines: std::collections::HashSet<_> =
            book.baselines.iter().map(|b| b.file).collect();
        let texts = book
            .sources
            .iter()
            .filter(|(id, _)| !baselines.contains(id))
            .map(|(_, s)| (s.path.clone(), s.text.clone()))
            .collect();
        SharedInputs {
            texts,
            theme: theme.clone(),
            options: *options,
        }
    }
}
