//! `controlbook build`: load, check, render every output, check the site's links, and
//! swap the result into output/. Error findings stop the build before anything is written.

use std::path::Path;
use std::time::Instant;

use controlbook::diag;
use controlbook::Built;

use super::{build_options, report_load_errors, use_color, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report every error finding as a warning and build anyway
    #[arg(long, value_name = "LEVEL", value_parser = ["warn"])]
    cap_lints: Option<String>,
}

pub fn run(root: &Path, args: Args) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let options = build_options()?;
    match controlbook::build_book(root, &options, args.cap_lints.is_some())? {
        Built::InputError(loaded) => {
            report_load_errors(&loaded);
            eprintln!("error: build failed; output was not changed");
            Ok(Outcome::InputError)
        }
        Built::Stopped { book, findings } => {
            eprint!(
                "{}",
                diag::render_human(&findings, &book.sources, use_color())
            );
            eprintln!("error: build failed; output was not changed");
            Ok(Outcome::Findings)
        }
        Built::Written {
            book,
            findings,
            report,
        } => {
            if !findings.is_empty() {
                eprint!(
                    "{}",
                    diag::render_human(&findings, &book.sources, use_color())
                );
            }
            eprintln!(
                "built {} baseline{} into {} ({} files, {} KiB) in {:.0?}",
                report.baselines,
                if report.baselines == 1 { "" } else { "s" },
                controlbook::output_dir(&book).display(),
                report.files,
                report.bytes / 1024,
                started.elapsed()
            );
            if std::env::var_os("CONTROLBOOK_TIMINGS").is_some() {
                eprintln!("  {}", report.timings);
            }
            // The process ends next, and frees the book's sources and catalogs at once;
            // dropping them first would free them one allocation at a time.
            std::mem::forget(book);
            Ok(Outcome::Ok)
        }
    }
}
