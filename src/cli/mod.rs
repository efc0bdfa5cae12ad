//! Command-line definitions and dispatch. Each command lives in its own file and reaches
//! the library only through its public API.

mod build;
mod check;
mod corpus;
mod export;
mod import;
mod import_policies;
mod init;
mod schema;
#[cfg(feature = "serve")]
mod serve;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// How a command ended, as the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 0: everything went fine.
    Ok,
    /// 1: findings at error level.
    Findings,
    /// 2: the input could not be used.
    InputError,
}

impl From<Outcome> for std::process::ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Ok => std::process::ExitCode::SUCCESS,
            Outcome::Findings => std::process::ExitCode::from(1),
            Outcome::InputError => std::process::ExitCode::from(2),
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "controlbook",
    version,
    about = "Security baselines as structured YAML, rendered to a site, Markdown and XLSX"
)]
pub struct Cli {
    /// The book's root folder (the one with book.toml).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load, check and render every output into output/ (atomically)
    Build(build::Args),
    /// Load the book and report problems; exit 1 on errors
    Check(check::Args),
    /// Write one output format, of one baseline or of all, to a file or to stdout
    Export(export::Args),
    /// Print or write the JSON Schema of the source files
    Schema(schema::Args),
    /// Create a new, empty book
    Init(init::Args),
    /// Import Microsoft's workbooks, CSV, the benchmark catalog or Azure Policy tables
    Import(import::Args),
    /// Build, serve output/site/ with live reload, and rebuild on every change
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Rebuild on every change of content/, themes/ and book.toml
    #[cfg(feature = "serve")]
    Watch(serve::WatchArgs),
    /// Write a benchmark book of N baselines made from Microsoft's workbooks
    #[command(hide = true)]
    Corpus(corpus::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Build(args) => build::run(&cli.root, args),
        Command::Check(args) => check::run(&cli.root, args),
        Command::Export(args) => export::run(&cli.root, args),
        Command::Schema(args) => schema::run(args),
        Command::Init(args) => init::run(args),
        Command::Import(args) => import::run(&cli.root, args),
        Command::Corpus(args) => corpus::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::serve(&cli.root, args),
        #[cfg(feature = "serve")]
        Command::Watch(args) => serve::watch(&cli.root, args),
    }
}

/// Colour only on a terminal, and never when `NO_COLOR` is set.
pub(crate) fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints load diagnostics; true when there were any (the book cannot be used).
pub(crate) fn report_load_errors(result: &controlbook::LoadResult) -> bool {
    if result.diagnostics.is_empty() {
        return false;
    }
    eprint!(
        "{}",
        controlbook::diag::render_human(&result.diagnostics, &result.book.sources, use_color())
    );
    true
}

/// Build options from the environment: the workbook timestamp is `SOURCE_DATE_EPOCH`
/// (reproducible-builds.org) or a fixed date, never the clock.
pub(crate) fn build_options() -> anyhow::Result<controlbook::BuildOptions> {
    use anyhow::Context as _;
    use controlbook::render::xlsx::{XlsxOptions, DEFAULT_TIMESTAMP};
    let timestamp = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|t| *t >= 0)
            .with_context(|| format!("SOURCE_DATE_EPOCH must be a number of seconds, not `{v}`"))?,
        _ => DEFAULT_TIMESTAMP,
    };
    Ok(controlbook::BuildOptions {
        xlsx: XlsxOptions {
            timestamp,
            ..XlsxOptions::default()
        },
    })
}
