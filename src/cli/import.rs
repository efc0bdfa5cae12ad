//! `controlbook import`: Microsoft's mapping workbooks, CSV, the benchmark catalog and Azure
//! Policy initiatives into the book's YAML. Everything is converted first; files are
//! written only when every source converted, and never over existing YAML without --force.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use controlbook::import::{batch, Action, Defect, ImportError};

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    source: Source,
}

#[derive(Debug, clap::Subcommand)]
enum Source {
    /// Microsoft mapping workbooks (v3 layout; v1.1 and v2.0 legacy layouts) to baselines
    Xlsx(FileArgs),
    /// Feature Summary CSV (as `build` writes it) to a baseline
    Csv(FileArgs),
    /// The MCSB catalog workbook to content/benchmarks/<id>.yaml
    Benchmark(BenchmarkArgs),
    /// Azure Policy tables of the baselines' controls from a built-in initiative
    Policies(PoliciesArgs),
}

#[derive(Debug, clap::Args)]
struct FileArgs {
    /// A file, or a folder of them
    path: PathBuf,
    /// Folder of the written baselines [default: <content>/baselines]
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite existing YAML files
    #[arg(long)]
    force: bool,
    /// Service name (the v3 workbooks do not carry one; default: from the file name)
    #[arg(long)]
    service: Option<String>,
    /// Benchmark the workbooks apply
    #[arg(long, default_value = "mcsb-v1")]
    benchmark: String,
    /// Format of the defect report
    #[arg(long, value_enum, default_value = "human")]
    format: ReportFormat,
}

#[derive(Debug, clap::Args)]
struct BenchmarkArgs {
    /// The catalog workbook (Microsoft_cloud_security_benchmark_v1.xlsx)
    file: PathBuf,
    /// An older edition's workbook (ASB v3) whose differing control titles become aliases
    #[arg(long)]
    aliases_from: Option<PathBuf>,
    /// Overwrite the existing catalog (its aliases are kept)
    #[arg(long)]
    force: bool,
    #[arg(long, value_enum, default_value = "human")]
    format: ReportFormat,
}

#[derive(Debug, clap::Args)]
pub(super) struct PoliciesArgs {
    /// The initiative JSON (e.g. the MCSB built-in initiative)
    pub initiative: PathBuf,
    /// Folder of the built-in policy definitions (searched recursively)
    #[arg(long)]
    pub definitions: PathBuf,
    /// Only this baseline file [default: every baseline with a resource_provider]
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum ReportFormat {
    Human,
    Json,
}

pub fn run(root: &Path, args: Args) -> anyhow::Result<Outcome> {
    match args.source {
        Source::Xlsx(a) => files(root, a, "xlsx"),
        Source::Csv(a) => files(root, a, "csv"),
        Source::Benchmark(a) => benchmark(root, a),
        Source::Policies(a) => super::import_policies::run(root, a),
    }
}

fn load_book(root: &Path) -> anyhow::Result<Option<controlbook::LoadResult>> {
    let result = controlbook::load(root)?;
    if super::report_load_errors(&result) {
        eprintln!("error: the book must load before anything is imported into it");
        return Ok(None);
    }
    Ok(Some(result))
}

fn files(root: &Path, args: FileArgs, extension: &str) -> anyhow::Result<Outcome> {
    let Some(result) = load_book(root)? else {
        return Ok(Outcome::InputError);
    };
    let book = &result.book;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| root.join(&book.config.build.content_dir).join("baselines"));
    let converted = (|| -> Result<Vec<batch::Imported>, ImportError> {
        let (benchmark, catalog) = batch::catalogs(book, &args.benchmark)?;
        let sources = batch::sources(&args.path, extension)?;
        if args.service.is_some() && sources.len() > 1 {
            return Err(ImportError::Invalid {
                file: args.path.display().to_string(),
                message: "--service names one service; give a single file".into(),
            });
        }
        sources
            .iter()
            .map(|p| match extension {
                "csv" => batch::csv(p, benchmark, catalog, args.service.as_deref(), &out_dir),
                _ => batch::xlsx(p, benchmark, catalog, args.service.as_deref(), &out_dir),
            })
            .collect()
    })();
    let imported = match converted {
        Ok(mut imported) => {
            for item in &mut imported {
                let kept = batch::kept_defects(book, item);
                item.defects.extend(kept);
            }
            imported
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("error: nothing was imported");
            return Ok(Outcome::InputError);
        }
    };
    write_all(&imported, args.force, args.format)
}

/// Writes every converted file, or none: targets that exist without --force, or two
/// sources with the same slug, stop the import before anything is written.
pub(super) fn write_all(
    imported: &[batch::Imported],
    force: bool,
    format: ReportFormat,
) -> anyhow::Result<Outcome> {
    let mut problems = Vec::new();
    for (i, item) in imported.iter().enumerate() {
        if item.target.exists() && !force {
            problems.push(format!(
                "{} exists; use --force to overwrite it",
                item.target.display()
            ));
        }
        if let Some(other) = imported[..i].iter().find(|o| o.target == item.target) {
            problems.push(format!(
                "{} and {} both import to {}",
                other.source,
                item.source,
                item.target.display()
            ));
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("error: {p}");
        }
        eprintln!("error: nothing was imported");
        return Ok(Outcome::InputError);
    }
    for item in imported {
        if let Some(dir) = item.target.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(&item.target, &item.yaml)
            .with_context(|| format!("cannot write {}", item.target.display()))?;
    }
    report(imported, format);
    Ok(Outcome::Ok)
}

pub(super) fn report(imported: &[batch::Imported], format: ReportFormat) {
    match format {
        ReportFormat::Json => {
            let files: Vec<serde_json::Value> = imported
                .iter()
                .map(|i| {
                    serde_json::json!({
                        "source": i.source,
                        "output": i.target.display().to_string(),
                        "controls": i.controls,
                        "features": i.features,
                        "defects": i.defects,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({ "files": files }))
                    .unwrap_or_default()
            );
        }
        ReportFormat::Human => {
            for i in imported {
                for d in &i.defects {
                    println!("{d}");
                }
                println!("{}", summary(i));
            }
        }
    }
}

/// The report of `import policies`: defects, then a line per baseline.
pub(super) fn report_policies(imported: &[batch::Imported], format: ReportFormat) {
    match format {
        ReportFormat::Json => report(imported, format),
        ReportFormat::Human => {
            for i in imported {
                for d in &i.defects {
                    println!("{d}");
                }
                println!(
                    "{}: {} policies in {} controls",
                    i.target.display(),
                    i.features,
                    i.controls
                );
            }
        }
    }
}

fn summary(i: &batch::Imported) -> String {
    let count = |a: Action| i.defects.iter().filter(|d: &&Defect| d.action == a).count();
    format!(
        "{}: {} features in {} controls -> {} ({} defects: {} repaired, {} kept, {} dropped)",
        i.source,
        i.features,
        i.controls,
        i.target.display(),
        i.defects.len(),
        count(Action::Repaired),
        count(Action::Kept),
        count(Action::Dropped)
    )
}

fn benchmark(root: &Path, args: BenchmarkArgs) -> anyhow::Result<Outcome> {
    use controlbook::import::{
        benchmark::{import, BenchmarkInfo},
        workbook, Defects,
    };
    let info = BenchmarkInfo::default();
    // The book need not exist yet: this may be the first import into an empty folder.
    let previous = controlbook::load(root).ok().and_then(|r| {
        r.book
            .benchmarks
            .into_iter()
            .map(|b| b.value)
            .find(|b| b.id.value == info.id)
    });
    let content = root.join("content/benchmarks");
    let target = content.join(format!("{}.yaml", info.id));
    let converted = (|| -> Result<(String, Vec<Defect>, usize), ImportError> {
        let wb = workbook::read(&args.file)?;
        let older = args
            .aliases_from
            .as_deref()
            .map(workbook::read)
            .transpose()?;
        let mut defects = Defects::new(args.file.display().to_string());
        let b = import(&wb, &info, previous.as_ref(), older.as_ref(), &mut defects)?;
        Ok((
            controlbook::yaml_write::benchmark(&b),
            defects.list,
            b.controls.len(),
        ))
    })();
    let (yaml, defects, controls) = match converted {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}\nerror: nothing was imported");
            return Ok(Outcome::InputError);
        }
    };
    let item = batch::Imported {
        source: args.file.display().to_string(),
        target,
        yaml,
        defects,
        features: 0,
        controls,
    };
    write_all(std::slice::from_ref(&item), args.force, args.format)
}
