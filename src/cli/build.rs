//! `controlbook build`: load, check, render every output, check the site's links, and
//! swap the result into output/. Error findings stop the build before anything is written.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use controlbook::diag::{self, Diagnostic};
use controlbook::render::xlsx::{XlsxOptions, DEFAULT_TIMESTAMP};
use controlbook::BuildOptions;

use super::{report_load_errors, use_color, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report every error finding as a warning and build anyway
    #[arg(long, value_name = "LEVEL", value_parser = ["warn"])]
    cap_lints: Option<String>,
}

pub fn run(root: &Path, args: Args) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let cap = args.cap_lints.is_some();
    let result = controlbook::load(root)?;
    if report_load_errors(&result) {
        eprintln!("error: build failed; output was not changed");
        return Ok(Outcome::InputError);
    }
    let book = &result.book;
    let findings = controlbook::check(book, cap);
    if !report(&findings, book) {
        return Ok(Outcome::Findings);
    }
    let options = BuildOptions {
        xlsx: XlsxOptions {
            timestamp: source_date_epoch()?,
            ..XlsxOptions::default()
        },
    };
    let rendered = controlbook::render_book(book, &options, cap)?;
    if !report(&rendered.findings, book) {
        return Ok(Outcome::Findings);
    }
    let written = controlbook::write_output(book, &rendered)?;
    eprintln!(
        "built {} baseline{} into {} ({} files, {} KiB) in {:.0?}",
        written.baselines,
        if written.baselines == 1 { "" } else { "s" },
        controlbook::output_dir(book).display(),
        written.files,
        written.bytes / 1024,
        started.elapsed()
    );
    Ok(Outcome::Ok)
}

/// Prints findings; false when some are errors (the build stops).
fn report(findings: &[Diagnostic], book: &controlbook::Book) -> bool {
    if findings.is_empty() {
        return true;
    }
    eprint!(
        "{}",
        diag::render_human(findings, &book.sources, use_color())
    );
    if diag::error_count(findings) > 0 {
        eprintln!("error: build failed; output was not changed");
        return false;
    }
    true
}

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org) or a fixed date, never the clock.
fn source_date_epoch() -> anyhow::Result<i64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|t| *t >= 0)
            .with_context(|| format!("SOURCE_DATE_EPOCH must be a number of seconds, not `{v}`")),
        _ => Ok(DEFAULT_TIMESTAMP),
    }
}
