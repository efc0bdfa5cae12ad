//! `controlbook build`: load, check references, render every output, swap it in.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use controlbook::render::xlsx::{XlsxOptions, DEFAULT_TIMESTAMP};
use controlbook::BuildOptions;

use super::{report_load_errors, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(root: &Path, _args: Args) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let result = controlbook::load(root)?;
    if report_load_errors(&result) {
        eprintln!("error: build failed; output was not changed");
        return Ok(Outcome::InputError);
    }
    let options = BuildOptions {
        xlsx: XlsxOptions {
            timestamp: source_date_epoch()?,
            ..XlsxOptions::default()
        },
    };
    let report = controlbook::build_book(&result.book, &options)?;
    eprintln!(
        "built {} baseline{} into {} ({} files, {} KiB) in {:.0?}",
        report.baselines,
        if report.baselines == 1 { "" } else { "s" },
        controlbook::output_dir(&result.book).display(),
        report.files,
        report.bytes / 1024,
        started.elapsed()
    );
    Ok(Outcome::Ok)
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
