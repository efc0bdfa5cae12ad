//! `build` from scratch: each baseline's files go to the staging folder as soon as they are
//! rendered, and only the ids and link targets of the site's pages stay in memory for the
//! link check. So a build holds the resolved baselines, never its output (358 MB at 1,200
//! baselines). The shared pages and the combined workbook are rendered beside the
//! baselines, on the same cores.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rayon::prelude::*;

use crate::build::{self, BuildOptions, BuildReport, Timings};
use crate::diag::{self, Diagnostic};
use crate::error::Result;
use crate::load::Book;
use crate::output::Staging;
use crate::render::site::Site;
use crate::render::xlsx::SummaryLines;
use crate::render::OutputFile;
use crate::resolve::{self, Doc};
use crate::rules::{self, PageLinks};

/// How [`render_and_write`] ended.
pub enum Streamed {
    /// The new output is in place; the findings are warnings.
    Written(BuildReport, Vec<Diagnostic>),
    /// The link check found errors; the output folder was not changed.
    Stopped(Vec<Diagnostic>),
}

/// The site's files among some output files: their paths and the links of the pages.
#[derive(Default)]
struct SiteLinks {
    paths: Vec<String>,
    pages: Vec<(String, PageLinks)>,
}

impl SiteLinks {
    fn of(files: &[OutputFile]) -> SiteLinks {
        let mut links = SiteLinks::default();
        for f in files {
            if let Some(rel) = f.site_path() {
                if rel.ends_with(".html") {
                    links
                        .pages
                        .push((rel.to_string(), PageLinks::read(&rel, &f.bytes)));
                }
                links.paths.push(rel.into_owned());
            }
        }
        links
    }
}

/// Renders every output of a checked book into a staging folder beside its output folder,
/// checks the site's links, and swaps the new folder in when they hold.
///
/// Rendering needs only the resolved documents, so the book's parsed baselines are taken
/// from it and dropped once resolved (a third of the memory at 1,200 baselines); the book
/// keeps its sources, for diagnostics, and its catalogs.
pub fn render_and_write(
    book: &mut Book,
    options: &BuildOptions,
    cap_warn: bool,
) -> Result<Streamed> {
    let started = Instant::now();
    let theme = crate::theme_for(book)?;
    let site = if book.config.output.site {
        Some(Site::new(&book.config, &theme)?)
    } else {
        None
    };
    let parsed = std::mem::take(&mut book.baselines);
    let count = parsed.len();
    let book = &*book;
    // Staging takes the spare folder: its lock and rename, a listing of 12,000 files at
    // 1,200 baselines (13 ms of CPU, part of it on one core) and their paths hashed into
    // sets. It needs nothing resolving makes, so the two run side by side. Each parsed
    // baseline is dropped as soon as it is resolved, so that the two never coexist in full.
    let (staging, docs) = rayon::join(
        || Staging::new(&crate::output_dir(book)),
        || {
            parsed
                .into_par_iter()
                .filter_map(|b| resolve::resolve_one(book, &b.value))
                .collect::<Vec<Doc>>()
        },
    );
    let staging = staging?;
    // Each baseline's workbook and the combined one share its Feature Summary's row
    // heights.
    let lines: Vec<SummaryLines> = docs.iter().map(|_| SummaryLines::default()).collect();
    let mut sorted: Vec<(&Doc, &SummaryLines)> = docs.iter().zip(&lines).collect();
    sorted.sort_by(|a, b| resolve::order(a.0, b.0));
    let (sorted, sorted_lines): (Vec<&Doc>, Vec<&SummaryLines>) = sorted.into_iter().unzip();

    let write = |files: Vec<OutputFile>| -> Result<SiteLinks> {
        let links = SiteLinks::of(&files);
        staging.write(&files)?;
        Ok(links)
    };
    let (baselines, shared) = rayon::join(
        || {
            docs.par_iter()
                .zip(&lines)
                .map(|(doc, lines)| {
                    write(build::render_doc(
                        doc,
                        lines,
                        site.as_ref(),
                        &book.config,
                        options,
                    )?)
                })
                .collect::<Result<Vec<SiteLinks>>>()
        },
        || -> Result<[SiteLinks; 2]> {
            // In turn, not side by side as in `serve`: each holds its data several times
            // over while it renders (60 and 70 MB at 1,200 baselines), and the baselines
            // keep the other cores busy meanwhile.
            let workbook = build::render_all_workbook(
                &sorted,
                &sorted_lines,
                site.as_ref(),
                &book.config,
                options,
            )?;
            let workbook = write(workbook)?;
            Ok([
                workbook,
                write(build::render_shared_pages(&sorted, site.as_ref())?)?,
            ])
        },
    );
    let mut all = baselines?;
    all.extend(shared?);
    let rendered_at = Instant::now();

    let paths: HashSet<&str> = all
        .iter()
        .flat_map(|l| l.paths.iter().map(String::as_str))
        .collect();
    let pages: HashMap<&str, &PageLinks> = all
        .iter()
        .flat_map(|l| l.pages.iter().map(|(p, links)| (p.as_str(), links)))
        .collect();
    let findings = rules::apply_severities(
        rules::check_pages(&paths, &pages, true),
        &book.config.check,
        cap_warn,
    );
    let checked_at = Instant::now();
    drop((paths, pages, sorted));
    // Nothing reads them any more. Freed on a pool thread while the output is swapped in:
    // one allocation at a time, they took 1% of a build's CPU at its serial end.
    rayon::spawn(move || drop((docs, all)));
    if diag::error_count(&findings) > 0 {
        // Dropped, the staging folder becomes the spare folder; the output is untouched.
        return Ok(Streamed::Stopped(findings));
    }
    let (files, bytes) = staging.written();
    staging.commit()?;
    Ok(Streamed::Written(
        BuildReport {
            baselines: count,
            reuse: crate::Reuse {
                rendered: count,
                reused: 0,
            },
            timings: Timings {
                render: rendered_at - started,
                links: checked_at - rendered_at,
                write: checked_at.elapsed(),
                ..Timings::default()
            },
            files,
            bytes,
        },
        findings,
    ))
}
