//! Runs the importers for the `import` command: reads the sources, converts them against
//! the book's catalogs, and returns the YAML to write with the defects found. Nothing is
//! written here, so a failure anywhere leaves the book untouched.

use std::path::{Path, PathBuf};

use crate::load::Book;
use crate::model::{Benchmark, FeatureCatalog};

use super::v3::{slug_from_file_name, Identity};
use super::{Defect, Defects, ImportError};

/// One converted source: the file to write and what was found on the way.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The source as the user named it.
    pub source: String,
    /// Where the YAML goes.
    pub target: PathBuf,
    pub yaml: String,
    pub defects: Vec<Defect>,
    /// Features and controls imported, for the summary line.
    pub features: usize,
    pub controls: usize,
}

/// The catalogs every import needs.
pub fn catalogs<'a>(
    book: &'a Book,
    benchmark_id: &str,
) -> Result<(&'a Benchmark, &'a FeatureCatalog), ImportError> {
    let benchmark = book.benchmark(benchmark_id).ok_or_else(|| ImportError::Invalid {
        file: "content/benchmarks/".into(),
        message: format!("the book has no benchmark `{benchmark_id}`; run `controlbook init` or `controlbook import benchmark` first"),
    })?;
    let features =
        book.features
            .as_ref()
            .map(|f| &f.value)
            .ok_or_else(|| ImportError::Invalid {
                file: "content/features.yaml".into(),
                message: "the book has no feature catalog; run `controlbook init` first".into(),
            })?;
    Ok((benchmark, features))
}

/// The `.xlsx` (or `.csv`) files named: a file, or every matching file of a folder, sorted.
pub fn sources(path: &Path, extension: &str) -> Result<Vec<PathBuf>, ImportError> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| ImportError::Unreadable {
                file: path.display().to_string(),
                message: format!("cannot read folder: {e}"),
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .is_some_and(|x| x.eq_ignore_ascii_case(extension))
            })
            // Excel's lock files (~$name.xlsx) are not workbooks.
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("~$"))
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(ImportError::Invalid {
                file: path.display().to_string(),
                message: format!("no .{extension} files in this folder"),
            });
        }
        Ok(files)
    } else if path.is_file() {
        Ok(vec![path.to_path_buf()])
    } else {
        Err(ImportError::Unreadable {
            file: path.display().to_string(),
            message: "no such file or folder".into(),
        })
    }
}

/// Converts one mapping workbook (v3 or legacy layout).
pub fn xlsx(
    path: &Path,
    benchmark: &Benchmark,
    catalog: &FeatureCatalog,
    service: Option<&str>,
    out_dir: &Path,
) -> Result<Imported, ImportError> {
    let source = path.display().to_string();
    let mut defects = Defects::new(file_name(path));
    let workbook = super::workbook::read(path)?;
    let baseline = if super::legacy::is_legacy(&workbook) {
        let mut b = super::legacy::import(&workbook, benchmark, &mut defects)?;
        if let Some(s) = service {
            b.service.value = s.to_string();
            b.slug.value = super::slugify(s);
        }
        b
    } else {
        let identity = Identity {
            service: service.map(str::to_string),
            file_name: file_name(path),
        };
        super::v3::import(&workbook, benchmark, catalog, &identity, &mut defects)?
    };
    Ok(finish(source, baseline, defects, out_dir))
}

/// Converts one Feature Summary CSV.
pub fn csv(
    path: &Path,
    benchmark: &Benchmark,
    catalog: &FeatureCatalog,
    service: Option<&str>,
    out_dir: &Path,
) -> Result<Imported, ImportError> {
    let source = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ImportError::Unreadable {
        file: source.clone(),
        message: format!("cannot read: {e}"),
    })?;
    let mut defects = Defects::new(file_name(path));
    let identity = Identity {
        service: service.map(str::to_string),
        file_name: file_name(path),
    };
    let baseline =
        super::csv::import(&source, &bytes, benchmark, catalog, &identity, &mut defects)?;
    Ok(finish(source, baseline, defects, out_dir))
}

fn finish(
    source: String,
    baseline: crate::model::Baseline,
    defects: Defects,
    out_dir: &Path,
) -> Imported {
    let slug = if baseline.slug.value.is_empty() {
        slug_from_file_name(&source)
    } else {
        baseline.slug.value.clone()
    };
    Imported {
        target: out_dir.join(format!("{slug}.yaml")),
        yaml: crate::yaml_write::baseline(&baseline),
        features: baseline.controls.iter().map(|c| c.features.len()).sum(),
        controls: baseline.controls.len(),
        defects: defects.list,
        source,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Runs the book's rules on an imported baseline, so that the report also names the
/// defects the import kept (an unsupported feature with a responsibility, a supported one
/// without a reference, …) and `check` will flag.
pub fn kept_defects(book: &Book, imported: &Imported) -> Vec<Defect> {
    use crate::load::{parse_yaml, Loaded};
    use crate::source::Sources;

    let mut sources = Sources::default();
    let mut copy = |file: crate::source::FileId| {
        let f = book.sources.get(file);
        sources.add(f.path.clone(), f.text.clone())
    };
    let benchmarks: Vec<_> = book
        .benchmarks
        .iter()
        .map(|b| Loaded {
            file: copy(b.file),
            value: b.value.clone(),
        })
        .collect();
    let features = book.features.as_ref().map(|f| Loaded {
        file: copy(f.file),
        value: f.value.clone(),
    });
    let file = sources.add(imported.target.clone(), imported.yaml.clone());
    let Ok(baseline) = parse_yaml::<crate::model::Baseline>(&sources, file) else {
        return Vec::new();
    };
    let scratch = Book {
        root: book.root.clone(),
        config: book.config.clone(),
        sources,
        benchmarks,
        features,
        baselines: vec![Loaded {
            file,
            value: std::sync::Arc::new(baseline),
        }],
    };
    crate::rules::check(&scratch, false)
        .into_iter()
        .filter(|d| d.location.is_some_and(|l| l.file == file))
        // The import itself reports differing titles, with their cell.
        .filter(|d| d.code != "title-mismatch")
        .map(|d| Defect {
            file: imported
                .source
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&imported.source)
                .to_string(),
            sheet: None,
            cell: d
                .line_col(&scratch.sources)
                .map(|lc| format!("{}:{}", imported.target.display(), lc.line)),
            kind: d.code,
            message: d.message,
            action: super::Action::Kept,
        })
        .collect()
}

/// The Azure Policy tables of one baseline from an initiative: every control's policies
/// replaced by the initiative's, controls that only the initiative names added.
pub fn policies(
    book: &Book,
    baseline: &crate::load::Loaded<std::sync::Arc<crate::model::Baseline>>,
    initiative: &super::policies::Initiative,
    definitions: &super::policies::Definitions,
    source: &str,
) -> Result<Imported, ImportError> {
    use crate::model::{BaselineControl, Spanned};
    use crate::source::Span;

    let path = book.sources.path(baseline.file).to_path_buf();
    let mut b = crate::model::Baseline::clone(&baseline.value);
    let provider = b
        .resource_provider
        .clone()
        .ok_or_else(|| ImportError::Invalid {
            file: path.display().to_string(),
            message: "the baseline has no `resource_provider`, which says which policies apply"
                .into(),
        })?;
    let mut defects = Defects::new(source.rsplit(['/', '\\']).next().unwrap_or(source));
    let by_control =
        super::policies::policies_for(initiative, definitions, &provider, &mut defects);
    let benchmark = book.benchmark(&b.benchmark.value);
    for control in &mut b.controls {
        control.policies = by_control
            .get(&control.id.value)
            .cloned()
            .unwrap_or_default();
    }
    for (id, policies) in &by_control {
        if b.controls.iter().any(|c| &c.id.value == id) {
            continue;
        }
        if benchmark.is_some_and(|bm| !bm.controls.iter().any(|c| &c.id.value == id)) {
            defects.add(
                None,
                None,
                "unknown-control-id",
                format!(
                    "{} policies grouped under `{id}`, which is not in the benchmark, dropped",
                    policies.len()
                ),
                super::Action::Dropped,
            );
            continue;
        }
        b.controls.push(BaselineControl {
            policies: policies.clone(),
            ..BaselineControl::new(Spanned::new(id.clone(), Span::default()))
        });
    }
    if let Some(bm) = benchmark {
        let rank = |id: &str| {
            bm.controls
                .iter()
                .position(|c| c.id.value == id)
                .unwrap_or(usize::MAX)
        };
        b.controls.sort_by_key(|c| rank(&c.id.value));
    }
    let count: usize = b.controls.iter().map(|c| c.policies.len()).sum();
    Ok(Imported {
        source: source.to_string(),
        target: book.root.join(&path),
        yaml: crate::yaml_write::baseline(&b),
        defects: defects.list,
        features: count,
        controls: b.controls.iter().filter(|c| !c.policies.is_empty()).count(),
    })
}
