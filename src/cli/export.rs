//! `controlbook export FORMAT`: one output format, of one baseline or of every baseline, to
//! a file or to stdout. The book is loaded and checked first, as for `build`, and nothing
//! is written when it has errors.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::bail;
use controlbook::diag;
use controlbook::export::{self, Format};

use super::{build_options, report_load_errors, use_color, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The format: the mapping workbook, the Feature Summary as CSV, the Markdown article,
    /// or the baseline as JSON
    #[arg(value_enum)]
    format: FormatArg,
    /// The baseline to export, by slug. Without it: the book's only baseline, or every
    /// baseline in one file (all-baselines.xlsx, one CSV with a Service column, a JSON array)
    #[arg(long, value_name = "SLUG")]
    baseline: Option<String>,
    /// Where to write: a file (written whole or not at all), or a folder for the file name
    /// `build` uses; `-` or nothing for stdout
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Report every error finding as a warning and export anyway
    #[arg(long, value_name = "LEVEL", value_parser = ["warn"])]
    cap_lints: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Xlsx,
    Csv,
    #[value(alias = "markdown")]
    Md,
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Xlsx => Format::Xlsx,
            FormatArg::Csv => Format::Csv,
            FormatArg::Md => Format::Markdown,
            FormatArg::Json => Format::Json,
        }
    }
}

pub fn run(root: &Path, args: Args) -> anyhow::Result<Outcome> {
    let format = Format::from(args.format);
    let to_stdout = args.output.as_deref().is_none_or(|p| p == Path::new("-"));
    // Before any work: a workbook's bytes would garble the terminal.
    if to_stdout && !format.is_text() && std::io::stdout().is_terminal() {
        bail!("a workbook is binary: write it to a file with --output PATH, or redirect stdout");
    }
    let options = build_options()?;
    let loaded = controlbook::load(root)?;
    if report_load_errors(&loaded) {
        eprintln!("error: export failed; nothing was written");
        return Ok(Outcome::InputError);
    }
    let mut book = loaded.book;
    format.select_in(&mut book.config.output);
    let findings = controlbook::check(&book, args.cap_lints.is_some());
    if !findings.is_empty() {
        eprint!(
            "{}",
            diag::render_human(&findings, &book.sources, use_color())
        );
    }
    if diag::error_count(&findings) > 0 {
        eprintln!("error: export failed; nothing was written");
        return Ok(Outcome::Findings);
    }
    let exported = match export::export(&book, format, args.baseline.as_deref(), &options) {
        Ok(exported) => exported,
        Err(e) => bail!("{e}"),
    };
    if to_stdout {
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(&exported.bytes)
            .and_then(|()| stdout.flush())
        {
            // The reader stopped early (`| head`): what it read is what it wanted.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => bail!("cannot write to stdout: {e}"),
            Ok(()) => {}
        }
        return Ok(Outcome::Ok);
    }
    let mut path = args.output.unwrap_or_default();
    if path.is_dir() {
        path.push(&exported.file_name);
    }
    controlbook::output::replace_file(&path, &exported.bytes)?;
    eprintln!(
        "exported {} baseline{} to {} ({} KiB)",
        exported.baselines,
        if exported.baselines == 1 { "" } else { "s" },
        path.display(),
        exported.bytes.len().div_ceil(1024)
    );
    Ok(Outcome::Ok)
}
