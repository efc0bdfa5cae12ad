//! Reads a book from disk: `book.toml`, the benchmark catalogs, the feature catalog and the
//! baselines. Syntax and type errors, and references to controls or features that do not
//! exist, become diagnostics with file, line and column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::config::{self, Config};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{Baseline, Benchmark, FeatureCatalog};
use crate::source::{FileId, Sources, Span};

/// Files larger than this are refused before parsing: no baseline comes near it, and a
/// parser fed a huge document would hold it all in memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A value and the file it was read from.
#[derive(Clone, Debug)]
pub struct Loaded<T> {
    pub file: FileId,
    pub value: T,
}

/// Everything a book is made of, as read from disk.
#[derive(Debug)]
pub struct Book {
    pub root: PathBuf,
    pub config: Config,
    pub sources: Sources,
    pub benchmarks: Vec<Loaded<Benchmark>>,
    pub features: Option<Loaded<FeatureCatalog>>,
    /// Shared, so that a rebuild reuses an unchanged baseline without copying it.
    pub baselines: Vec<Loaded<Arc<Baseline>>>,
}

impl Book {
    pub fn benchmark(&self, id: &str) -> Option<&Benchmark> {
        self.benchmarks
            .iter()
            .map(|b| &b.value)
            .find(|b| b.id.value == id)
    }

    pub fn feature(&self, id: &str) -> Option<&crate::model::Feature> {
        self.features
            .as_ref()?
            .value
            .features
            .iter()
            .find(|f| f.id.value == id)
    }
}

/// A loaded book and the problems found while loading it. Any diagnostic here is an
/// input error: the book cannot be built until it is fixed.
#[derive(Debug)]
pub struct LoadResult {
    pub book: Book,
    pub diagnostics: Vec<Diagnostic>,
}

/// Baselines parsed by an earlier load, by path, with the text they were parsed from: a
/// file whose text has not changed is not parsed again.
#[derive(Debug, Default)]
pub struct ParseCache {
    baselines: HashMap<PathBuf, Parsed>,
    /// The catalogs, by path, with the text they were parsed from.
    benchmarks: HashMap<PathBuf, (String, Benchmark)>,
    features: HashMap<PathBuf, (String, FeatureCatalog)>,
    /// The texts of the catalogs the baselines' references were last checked against.
    catalogs: Vec<String>,
}

#[derive(Debug)]
struct Parsed {
    text: String,
    value: Arc<Baseline>,
    /// The file's metadata when it was read: while it is the same, the file is not read
    /// again (`serve` saves reading 1,200 files on every edit).
    stamp: Option<Stamp>,
    /// Whether every reference of the baseline was found in the catalogs.
    references_ok: bool,
}

/// What changes whenever a file's content does: its length, modification and change times
/// and inode. The change time cannot be set back by programs, and a save by rename gives a
/// new inode, so a file with the same stamp holds the same text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    inode: u64,
}

impl Stamp {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
        })
    }

    /// Elsewhere a file is always read again.
    #[cfg(not(unix))]
    fn of(_: &std::fs::Metadata) -> Option<Stamp> {
        None
    }
}

/// Loads the book at `root`. Only I/O errors on the book's folders are `Err`; everything
/// wrong with a file's content is a diagnostic.
pub fn load(root: &Path) -> Result<LoadResult> {
    load_with(root, &mut ParseCache::default(), false)
}

/// [`load`], reusing the baselines of `cache` whose text is unchanged, and leaving in it
/// the baselines of this load.
pub fn load_cached(root: &Path, cache: &mut ParseCache) -> Result<LoadResult> {
    load_with(root, cache, true)
}

/// [`load_cached`]; without `keep`, nothing is left in `cache`: for a load that has no
/// next one, the copy of every text (21 MB at 1,200 baselines, made one after another) was
/// waste.
fn load_with(root: &Path, cache: &mut ParseCache, keep: bool) -> Result<LoadResult> {
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();

    let config_path = root.join("book.toml");
    let config = if config_path.is_file() {
        let file = read_text(root, &config_path, &mut sources, &mut diagnostics)?;
        let text = file
            .map(|f| sources.get(f).text.clone())
            .unwrap_or_default();
        match file {
            Some(file) => match config::parse(&text, file) {
                Ok(config) => {
                    for id in crate::rules::unknown_rule_ids(&config.check) {
                        let quoted = format!("\"{id}\"");
                        let d = Diagnostic::error(
                            "invalid-config",
                            format!("unknown rule `{id}` in [check]"),
                        )
                        .help("see `controlbook check --list-rules` for the rule ids");
                        diagnostics.push(match text.find(&quoted) {
                            Some(at) => d.at(file, Span::new(at, at + quoted.len())),
                            None => d.in_file(file),
                        });
                    }
                    config
                }
                Err(d) => {
                    diagnostics.push(*d);
                    Config::default()
                }
            },
            None => Config::default(),
        }
    } else if root.join("content").is_dir() {
        Config::default()
    } else {
        return Err(Error::NotABook {
            path: root.to_path_buf(),
        });
    };

    let content = root.join(&config.build.content_dir);
    let mut book = Book {
        root: root.to_path_buf(),
        config,
        sources,
        benchmarks: Vec::new(),
        features: None,
        baselines: Vec::new(),
    };

    for path in yaml_files(&content.join("benchmarks"))? {
        let parsed = parse_catalog(&mut book, &path, &mut diagnostics, &mut cache.benchmarks)?;
        if let Some(value) = parsed {
            book.benchmarks.push(value);
        }
    }
    let features_path = content.join("features.yaml");
    if features_path.is_file() {
        book.features = parse_catalog(
            &mut book,
            &features_path,
            &mut diagnostics,
            &mut cache.features,
        )?;
    }
    // Parsing is most of a load; baselines are independent, so parse them in parallel.
    let baselines_dir = content.join("baselines");
    refuse_link_outside(&book.root, &baselines_dir)?;
    let paths = yaml_files(&baselines_dir)?;
    let previous = std::mem::take(&mut cache.baselines);
    let read: Vec<Result<(Read, Option<Stamp>)>> = {
        use rayon::prelude::*;
        let root = &book.root;
        let previous = &previous;
        paths
            .par_iter()
            .map(|path| {
                let shown = path.strip_prefix(root).unwrap_or(path);
                read_baseline(root, path, previous.get(shown))
            })
            .collect()
    };
    let mut pending = Vec::new();
    for (path, read) in paths.iter().zip(read) {
        let (read, stamp) = read?;
        let unchanged = matches!(read, Read::Unchanged(_));
        if let Some(file) = register(&book.root, path, read, &mut book.sources, &mut diagnostics) {
            pending.push((file, stamp, unchanged));
        }
    }
    // Unchanged texts keep their parsed value, so that later stages can tell what changed
    // by identity.
    let parsed: Vec<_> = {
        use rayon::prelude::*;
        let sources = &book.sources;
        let previous = &previous;
        pending
            .par_iter()
            .map(|&(file, _, unchanged)| {
                let source = sources.get(file);
                match previous.get(&source.path) {
                    Some(p) if unchanged || p.text == source.text => Ok(Arc::clone(&p.value)),
                    _ => parse_yaml::<Baseline>(sources, file).map(Arc::new),
                }
            })
            .collect()
    };
    // References are checked again only for baselines that changed, or all of them when a
    // catalog changed.
    let catalogs: Vec<String> = book
        .benchmarks
        .iter()
        .map(|b| b.file)
        .chain(book.features.iter().map(|f| f.file))
        .map(|file| book.sources.get(file).text.clone())
        .collect();
    let same_catalogs = catalogs == cache.catalogs;
    cache.catalogs = catalogs;
    let mut previous = previous;
    let mut known_good = Vec::new();
    for ((file, stamp, _), result) in pending.into_iter().zip(parsed) {
        match result {
            Ok(value) => {
                let source = book.sources.get(file);
                // The text stays the previous entry's when it is the same value.
                let (text, references_ok) = match previous.remove(&source.path) {
                    Some(p) if Arc::ptr_eq(&p.value, &value) => (Some(p.text), p.references_ok),
                    _ => (None, false),
                };
                known_good.push(same_catalogs && references_ok);
                if keep {
                    let entry = Parsed {
                        text: text.unwrap_or_else(|| source.text.clone()),
                        value: Arc::clone(&value),
                        stamp,
                        references_ok: false,
                    };
                    cache.baselines.insert(source.path.clone(), entry);
                }
                book.baselines.push(Loaded { file, value });
            }
            Err(d) => diagnostics.push(*d),
        }
    }

    if diagnostics.is_empty() {
        let found = crate::references::check_except(&book, &|i| known_good[i]);
        let failed: std::collections::HashSet<FileId> = found
            .iter()
            .filter_map(|d| d.location.as_ref().map(|l| l.file))
            .collect();
        for b in &book.baselines {
            if let Some(entry) = cache.baselines.get_mut(book.sources.path_buf(b.file)) {
                entry.references_ok = !failed.contains(&b.file);
            }
        }
        diagnostics.extend(found);
    }
    crate::diag::sort(&mut diagnostics);
    Ok(LoadResult { book, diagnostics })
}

/// How serde-saphyr reads a book's files: `yes` is no boolean, and a budget bounds the
/// work an alias bomb or a deep document can cause.
pub(crate) fn saphyr_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_nodes: 1_000_000,
        },
    }
}

/// Parses one YAML document of type `T` from text already registered in `sources`: with
/// the fast reader where it can, else with serde-saphyr, whose errors become diagnostics.
pub fn parse_yaml<T: DeserializeOwned>(
    sources: &Sources,
    file: FileId,
) -> Result<T, Box<Diagnostic>> {
    let source = sources.get(file);
    // Both readers skip a byte-order mark and count offsets from the start of the file, as
    // diagnostics do.
    let text = &source.text;
    if let Some(value) = crate::yaml_fast::from_str::<T>(text) {
        return Ok(value);
    }
    serde_saphyr::from_str_with_options::<T>(text, saphyr_options()).map_err(|e| {
        let e = e.without_snippet();
        let span = match e.location() {
            Some(loc) => match loc.span().byte_offset() {
                Some(start) => {
                    let start = start as usize;
                    let len = loc.span().byte_len().unwrap_or(0) as usize;
                    Span::new(start, start + len)
                }
                None => {
                    let start = source.offset_of(loc.line() as usize, loc.column() as usize);
                    Span::new(start, start)
                }
            },
            None => Span::default(),
        };
        let mut d = match budget_breach(e) {
            Some(breach) => {
                Diagnostic::error("invalid-yaml", budget_message(breach))
                    .help("a baseline needs far less: write values out instead of using aliases, and split very large files")
            }
            None => Diagnostic::error("invalid-yaml", yaml_message(&e.to_string())),
        }
        .at(file, span);
        let found =
            &source.text[span.start.min(source.text.len())..span.end.min(source.text.len())];
        if !found.is_empty() && found.len() <= 60 && !found.contains('\n') {
            d = d.label(format!("found `{found}`"));
        }
        Box::new(d)
    })
}

/// The parser limit behind an error, also when it was met while repeating an alias.
fn budget_breach(mut e: &serde_saphyr::Error) -> Option<&serde_saphyr::budget::BudgetBreach> {
    loop {
        match e {
            serde_saphyr::Error::AliasError { error, .. }
            | serde_saphyr::Error::WithSnippet { error, .. } => e = error,
            serde_saphyr::Error::Budget { breach, .. } => return Some(breach),
            _ => return None,
        }
    }
}

/// A parser limit in words: which one, not the parser's internal counters. The limits stop
/// alias bombs ("billion laughs"), deep nesting and huge documents in bounded time and
/// memory.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let what = match breach {
        B::Depth { .. } => "nested more than 64 levels deep".to_string(),
        B::Nodes { nodes } => format!("more than {nodes} values"),
        B::Events { events } => format!("more than {events} YAML events"),
        B::Aliases { aliases } => format!("more than {aliases} aliases"),
        B::Anchors { anchors } => format!("more than {anchors} anchors"),
        B::AliasAnchorRatio { .. } => "far more aliases than anchors".to_string(),
        B::ScalarBytes { total_scalar_bytes } => {
            format!("{total_scalar_bytes} bytes of text once aliases are expanded")
        }
        B::RecordedAnchorEvents { .. } | B::RecordedAnchorBytes { .. } => {
            "anchors too large to repeat".to_string()
        }
        other => format!("{other:?}"),
    };
    format!("YAML is over the parser's limits: {what}")
}

/// serde-saphyr appends " at line X column Y" to some messages; the diagnostic shows the
/// position itself.
fn yaml_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let cut = first
        .find(" at line ")
        .map_or(first, |i| &first[..i])
        .trim_end_matches(',');
    let mut msg = cut.to_string();
    if let Some(rest) = msg.strip_prefix("error: ") {
        msg = rest.to_string();
    }
    msg
}

/// Reads and parses a catalog, reusing the value parsed from the same text before.
fn parse_catalog<T: DeserializeOwned + Clone>(
    book: &mut Book,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
    cache: &mut HashMap<PathBuf, (String, T)>,
) -> Result<Option<Loaded<T>>> {
    let Some(file) = read_text(&book.root, path, &mut book.sources, diagnostics)? else {
        return Ok(None);
    };
    let text = &book.sources.get(file).text;
    if let Some((cached, value)) = cache.get(path) {
        if cached == text {
            let value = value.clone();
            return Ok(Some(Loaded { file, value }));
        }
    }
    match parse_yaml::<T>(&book.sources, file) {
        Ok(value) => {
            cache.insert(path.to_path_buf(), (text.clone(), value.clone()));
            Ok(Some(Loaded { file, value }))
        }
        Err(d) => {
            diagnostics.push(*d);
            Ok(None)
        }
    }
}

/// Reads a file as UTF-8 and registers it. Invalid UTF-8 and oversized files are
/// diagnostics (bad input); an unreadable file, or a symbolic link out of the book, is an
/// error.
fn read_text(
    root: &Path,
    path: &Path,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<FileId>> {
    let read = read_file(root, path)?;
    Ok(register(root, path, read, sources, diagnostics))
}

/// A file's text, its bytes when they are not UTF-8, or its length when it is over the
/// limit.
enum Read {
    Text(String),
    /// Not valid UTF-8.
    Bytes(Vec<u8>),
    /// The text of an earlier load, for a file that has not changed since.
    Unchanged(String),
    TooLarge(u64),
}

/// The reading half of [`read_text`], for files whose folders were not checked before.
fn read_file(root: &Path, path: &Path) -> Result<Read> {
    refuse_link_outside(root, path)?;
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    read_within_limit(path, &meta)
}

/// The bytes of a file of which `meta` is the metadata, unless it is over the limit.
fn read_within_limit(path: &Path, meta: &std::fs::Metadata) -> Result<Read> {
    if meta.len() > MAX_FILE_BYTES {
        return Ok(Read::TooLarge(meta.len()));
    }
    // Validated here, where baselines are read in parallel, rather than when registered.
    std::fs::read(path)
        .map(|bytes| match String::from_utf8(bytes) {
            Ok(text) => Read::Text(text),
            Err(e) => Read::Bytes(e.into_bytes()),
        })
        .map_err(|e| Error::read(path, e))
}

/// A baseline's text, read in parallel with the others: the cached one when the file's
/// stamp is unchanged, else read.
fn read_baseline(
    root: &Path,
    path: &Path,
    cached: Option<&Parsed>,
) -> Result<(Read, Option<Stamp>)> {
    // The folders above were checked once by the caller; one call covers the file itself:
    // not a link, its own metadata is the file's.
    let mut meta = std::fs::symlink_metadata(path).map_err(|e| Error::read(path, e))?;
    if meta.is_symlink() {
        refuse_link_outside(root, path)?;
        meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    }
    let stamp = Stamp::of(&meta);
    if let Some(cached) = cached.filter(|c| stamp.is_some() && c.stamp == stamp) {
        return Ok((Read::Unchanged(cached.text.clone()), stamp));
    }
    Ok((read_within_limit(path, &meta)?, stamp))
}

/// The registering half of [`read_text`].
fn register(
    root: &Path,
    path: &Path,
    read: Read,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<FileId> {
    let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let bytes = match read {
        Read::Bytes(bytes) => bytes,
        Read::Text(text) | Read::Unchanged(text) => return Some(sources.add(shown, text)),
        Read::TooLarge(len) => {
            let file = sources.add(shown, String::new());
            diagnostics.push(
                Diagnostic::error(
                    "file-too-large",
                    format!("file is {len} bytes, more than the limit of {MAX_FILE_BYTES} bytes"),
                )
                .in_file(file),
            );
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(sources.add(shown, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = sources.add(shown, text);
            diagnostics.push(
                Diagnostic::error("invalid-utf8", "file is not valid UTF-8")
                    .at(file, Span::new(valid, valid + '\u{fffd}'.len_utf8()))
                    .label("invalid byte sequence")
                    .help("save the file as UTF-8"),
            );
            None
        }
    }
}

/// Refuses `path` when it is, or lies below, a symbolic link whose target is outside the
/// book at `root`: a book from elsewhere must not make the build read (and publish, or
/// quote in a diagnostic) `/etc/passwd` or a home folder. Links that stay inside the book
/// are fine. The error names the first link on the way.
pub(crate) fn refuse_link_outside(root: &Path, path: &Path) -> Result<()> {
    let Ok(relative) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut walked = root.to_path_buf();
    for component in relative.components() {
        walked.push(component);
        let is_link = std::fs::symlink_metadata(&walked).is_ok_and(|m| m.is_symlink());
        if !is_link {
            continue;
        }
        let outside = |why: String| {
            Err(Error::read(
                &walked,
                std::io::Error::new(std::io::ErrorKind::PermissionDenied, why),
            ))
        };
        let book = std::fs::canonicalize(root).map_err(|e| Error::read(root, e))?;
        return match std::fs::canonicalize(path) {
            Ok(target) if target.starts_with(&book) => Ok(()),
            Ok(target) => outside(format!(
                "symbolic link to {}, outside the book; copy the file into the book",
                target.display()
            )),
            Err(e) => outside(format!("symbolic link that cannot be followed: {e}")),
        };
    }
    Ok(())
}

/// The `*.yaml` and `*.yml` files of a folder, sorted by name; none if it does not exist.
fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))? {
        let entry = entry.map_err(|e| Error::read(dir, e))?;
        let path = entry.path();
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        // The entry's type comes with the listing; only a link needs a look at its target.
        let is_file = match entry.file_type() {
            Ok(t) if t.is_symlink() => path.is_file(),
            Ok(t) => t.is_file(),
            Err(_) => path.is_file(),
        };
        if is_yaml && is_file {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Baseline;

    fn parse(text: &str) -> Result<Baseline, Box<Diagnostic>> {
        let mut s = Sources::default();
        let id = s.add("b.yaml".into(), text.into());
        parse_yaml::<Baseline>(&s, id)
    }

    const GOOD: &str = "service: X\nslug: x\nbenchmark: mcsb-v1\nsecurity_profile:\n  product_category: [Compute]\n  host_os_access: no-access\n  deployable_into_vnet: false\n  stores_content_at_rest: true\ncontrols:\n  - id: NS-1\n    features:\n      - feature: a\n        supported: true\n        enabled_by_default: not-applicable\n        responsibility: customer\n";

    fn error_at(text: &str) -> (String, String) {
        let d = parse(text).unwrap_err();
        let span = d.location.unwrap().span.unwrap();
        let mut s = Sources::default();
        let id = s.add("b.yaml".into(), text.into());
        let lc = s.get(id).line_col(span.start);
        (d.message, format!("{}:{}", lc.line, lc.column))
    }

    #[test]
    fn a_valid_baseline_parses_with_spans() {
        let b = parse(GOOD).unwrap();
        assert_eq!(b.controls[0].id.value, "NS-1");
        let span = b.controls[0].id.span;
        assert_eq!(&GOOD[span.start..span.end], "NS-1");
    }

    /// A byte-order mark moves nothing: spans are offsets in the file, errors are where
    /// they are without it. Through both readers: `GOOD` is in the fast reader's subset,
    /// an anchor is not, and errors always come from serde-saphyr.
    #[test]
    fn a_byte_order_mark_moves_nothing() {
        for text in [
            GOOD.to_string(),
            GOOD.replace("service: X", "service: &s X"),
        ] {
            let with_bom = format!("\u{feff}{text}");
            let b = parse(&with_bom).unwrap();
            for span in [b.service.span, b.controls[0].id.span] {
                let found = &with_bom[span.start..span.end];
                assert!(found == "X" || found == "NS-1", "{found:?}");
            }
        }
        let bad = GOOD.replace("deployable_into_vnet: false", "deployable_into_vnet: yes");
        assert_eq!(error_at(&format!("\u{feff}{bad}")), error_at(&bad));
        let bad = GOOD.replace("service: X", "service: [X");
        assert_eq!(error_at(&format!("\u{feff}{bad}")), error_at(&bad));
    }

    #[test]
    fn unknown_key_points_at_the_key() {
        let text = GOOD.replace("slug: x\n", "slug: x\nslugg: y\n");
        let (msg, at) = error_at(&text);
        assert!(msg.contains("slugg"), "{msg}");
        assert_eq!(at, "3:1");
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let text = GOOD.replace("slug: x\n", "slug: x\nslug: y\n");
        let (msg, at) = error_at(&text);
        assert!(msg.to_lowercase().contains("duplicate"), "{msg}");
        assert_eq!(at, "3:1");
    }

    #[test]
    fn yes_is_not_a_boolean() {
        let text = GOOD.replace("deployable_into_vnet: false", "deployable_into_vnet: yes");
        let d = parse(&text).unwrap_err();
        assert!(d.message.contains("boolean"), "{}", d.message);
        assert_eq!(d.label.as_deref(), Some("found `yes`"));
        let (_, at) = error_at(&text);
        assert_eq!(at, "7:25");
    }

    #[test]
    fn yes_is_not_a_tri_state_value() {
        let text = GOOD.replace("supported: true", "supported: yes");
        let (msg, at) = error_at(&text);
        assert!(msg.contains("not-applicable"), "{msg}");
        // serde-saphyr places errors raised by a value's own visitor at its key.
        assert!(at.starts_with("13:"), "{at}");
    }

    #[test]
    fn wrong_type_is_an_error() {
        let text = GOOD.replace("product_category: [Compute]", "product_category: {a: 1}");
        let (msg, at) = error_at(&text);
        assert!(!msg.is_empty());
        assert_eq!(at, "5:21");
    }

    #[test]
    fn syntax_error_has_a_position() {
        let (msg, at) = error_at("service: [unclosed\nslug: x\n");
        assert!(!msg.is_empty());
        assert!(
            at.starts_with('1') || at.starts_with('2') || at.starts_with('3'),
            "{at}"
        );
    }

    #[test]
    fn yaml_message_drops_the_position_suffix() {
        assert_eq!(
            yaml_message("unknown field `a` at line 3 column 1"),
            "unknown field `a`"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::model::{Baseline, Benchmark, FeatureCatalog};
    use proptest::prelude::*;

    fn parse_all(text: &str) {
        let mut s = Sources::default();
        let id = s.add("x.yaml".into(), text.into());
        for d in [
            parse_yaml::<Baseline>(&s, id).err(),
            parse_yaml::<Benchmark>(&s, id).err(),
            parse_yaml::<FeatureCatalog>(&s, id).err(),
        ]
        .into_iter()
        .flatten()
        {
            // Every error can be rendered at its position.
            let _ = crate::diag::render_human(&[*d], &s, false);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_gives_a_value_or_a_diagnostic(text in "\\PC{0,200}") {
            parse_all(&text);
        }

        #[test]
        fn yaml_shaped_text_never_panics(
            text in "(service|slug|controls|- id|features|supported|  |: |\\[|\\]|\\{|\\}|&a|\\*a|\"|'|\n|yes|true|NS-1|#|-){0,60}"
        ) {
            parse_all(&text);
        }
    }

    #[test]
    fn a_cached_load_sees_an_edit_that_keeps_the_length() {
        let book = tempfile::tempdir().unwrap();
        crate::init::create(book.path()).unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(
            repo.join("content/baselines/container-registry.yaml"),
            book.path()
                .join("content/baselines/container-registry.yaml"),
        )
        .unwrap();
        let path = book
            .path()
            .join("content/baselines/container-registry.yaml");
        let mut cache = ParseCache::default();
        let first = load_cached(book.path(), &mut cache).unwrap();
        assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
        let before = Arc::clone(&first.book.baselines[0].value);
        // Unchanged: the same parsed value, without reading the file's text again.
        let again = load_cached(book.path(), &mut cache).unwrap();
        assert!(Arc::ptr_eq(&before, &again.book.baselines[0].value));
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen(
            "service: Container Registry",
            "service: Container Regist_y",
            1,
        );
        assert_ne!(edited, text);
        assert_eq!(edited.len(), text.len());
        std::fs::write(&path, &edited).unwrap();
        let after = load_cached(book.path(), &mut cache).unwrap();
        let value = &after.book.baselines[0].value;
        assert_eq!(value.service.value, "Container Regist_y");
        assert_eq!(
            after.book.sources.get(after.book.baselines[0].file).text,
            edited
        );
    }
}
