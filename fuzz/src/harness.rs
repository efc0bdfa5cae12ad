//! The fuzz harness: each function feeds bytes through the path a command takes with them
//! (`load` and `build` for a baseline or `book.toml`, `import xlsx` and `import csv` for a
//! workbook or a CSV file) and panics only when an invariant breaks. Shared by the fuzz
//! targets (`fuzz/fuzz_targets/`) and the regression tests
//! (`tests/integration/fuzz_regressions.rs`), which include this file by path.

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use controlbook::config::{self, Config};
use controlbook::diag::{self, Diagnostic, Format};
use controlbook::import::{self, batch, Defects};
use controlbook::load::{parse_yaml, Book, Loaded};
use controlbook::model::{Baseline, Benchmark, FeatureCatalog};
use controlbook::source::{Sources, Span};

const BENCHMARK_TEXT: &str = include_str!("../../content/benchmarks/mcsb-v1.yaml");
const FEATURES_TEXT: &str = include_str!("../../content/features.yaml");
/// A small baseline, built under every `book.toml` the fuzzer makes: every kind of
/// output, kept small so that a build takes milliseconds.
const BASELINE_TEXT: &str = "service: Small Service
slug: small-service
benchmark: mcsb-v1
security_profile:
  product_category: [Compute]
  host_os_access: no-access
  deployable_into_vnet: false
  stores_content_at_rest: true
controls:
  - id: NS-2
    features:
      - feature: azure-private-link
        supported: true
        enabled_by_default: false
        responsibility: customer
        guidance: Deploy private endpoints.
        reference:
          title: Private Link
          url: https://learn.microsoft.com/azure/private-link/private-link-overview
";
/// A folder that does not exist, so that nothing is read from disk (the embedded theme).
const ROOT: &str = "/nonexistent/controlbook-fuzz";

/// What became of an input. Either way nothing panicked and nothing broke an invariant.
#[derive(Debug)]
pub enum Outcome {
    /// Refused with a message: the rendered diagnostics or the import error.
    Rejected(String),
    /// Accepted: how many output files (build) or features (import) it gave.
    Accepted(usize),
}

struct Catalogs {
    benchmark: Benchmark,
    features: FeatureCatalog,
}

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| {
    let mut sources = Sources::default();
    let b = sources.add("b.yaml".into(), BENCHMARK_TEXT.into());
    let f = sources.add("f.yaml".into(), FEATURES_TEXT.into());
    Catalogs {
        benchmark: parse_yaml(&sources, b).expect("the repository's benchmark parses"),
        features: parse_yaml(&sources, f).expect("the repository's feature catalog parses"),
    }
});

/// A book in memory made of the repository's catalogs, `config` and the baseline texts.
/// Returns the book and the diagnostics of the baselines that did not parse.
fn book(config: Config, baselines: &[(&str, String)]) -> (Book, Vec<Diagnostic>) {
    let mut sources = Sources::default();
    let b = sources.add(
        "content/benchmarks/mcsb-v1.yaml".into(),
        BENCHMARK_TEXT.into(),
    );
    let f = sources.add("content/features.yaml".into(), FEATURES_TEXT.into());
    let mut parsed = Vec::new();
    let mut diagnostics = Vec::new();
    for (name, text) in baselines {
        let file = sources.add(
            PathBuf::from(format!("content/baselines/{name}")),
            text.clone(),
        );
        match parse_yaml::<Baseline>(&sources, file) {
            Ok(value) => parsed.push(Loaded {
                file,
                value: Arc::new(value),
            }),
            Err(d) => diagnostics.push(*d),
        }
    }
    let book = Book {
        root: ROOT.into(),
        config,
        sources,
        benchmarks: vec![Loaded {
            file: b,
            value: CATALOGS.benchmark.clone(),
        }],
        features: Some(Loaded {
            file: f,
            value: CATALOGS.features.clone(),
        }),
        baselines: parsed,
    };
    (book, diagnostics)
}

/// Every output format of the diagnostics; the human one is returned.
fn show(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    for format in [Format::Json, Format::Sarif, Format::Github] {
        let text = diag::render(format, diagnostics, sources, false);
        assert!(
            diagnostics.is_empty() || !text.is_empty(),
            "{format:?} rendered nothing"
        );
    }
    let human = diag::render(Format::Human, diagnostics, sources, true);
    let plain = diag::render_human(diagnostics, sources, false);
    for d in diagnostics {
        assert!(
            plain.contains(d.code),
            "the diagnostic `{}` is missing from:\n{plain}",
            d.code
        );
        if let Some(loc) = d.location {
            // Every location is a file of the book, and every span lies inside its text.
            let file = sources.get(loc.file);
            if let Some(span) = loc.span {
                assert!(span.start <= span.end, "{d:?}");
            }
            let _ = (
                file.path.display(),
                diag::range(d, sources),
                d.position(sources),
            );
        }
    }
    assert!(!human.is_empty() || diagnostics.is_empty());
    plain
}

/// What `load` does with a file that is not UTF-8: a diagnostic at the first bad byte.
fn not_utf8(sources: &mut Sources, path: &str, data: &[u8], valid: usize) -> Diagnostic {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = sources.add(path.into(), text);
    Diagnostic::error("invalid-utf8", "file is not valid UTF-8")
        .at(file, Span::new(valid, valid + '\u{fffd}'.len_utf8()))
        .label("invalid byte sequence")
        .help("save the file as UTF-8")
}

/// Loads, checks and builds (in memory) the repository's catalogs with `baselines` and
/// `config`, as `controlbook build` does.
fn build(config: Config, baselines: &[(&str, String)]) -> Outcome {
    let (book, mut diagnostics) = book(config, baselines);
    if diagnostics.is_empty() {
        diagnostics.extend(controlbook::references::check(&book));
    }
    if !diagnostics.is_empty() {
        diag::sort(&mut diagnostics);
        return Outcome::Rejected(show(&diagnostics, &book.sources));
    }
    let findings = controlbook::check(&book, false);
    let shown = show(&findings, &book.sources);
    if diag::error_count(&findings) > 0 {
        return Outcome::Rejected(shown);
    }
    let options = controlbook::BuildOptions::default();
    let rendered = match controlbook::render_book(&book, &options, false) {
        Ok(r) => r,
        Err(e) => return Outcome::Rejected(e.to_string()),
    };
    show(&rendered.findings, &book.sources);
    for f in &rendered.files {
        // `build` joins these to the output folder: none may point outside it.
        assert!(
            f.path.is_relative()
                && f.path
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_))),
            "output path {} leaves the output folder",
            f.path.display()
        );
    }
    Outcome::Accepted(rendered.files.len())
}

/// A baseline file's bytes, through `load` (UTF-8, YAML, references), `check` and every
/// renderer of `build`.
pub fn baseline(data: &[u8]) -> Outcome {
    match std::str::from_utf8(data) {
        Ok(text) => build(Config::default(), &[("fuzz.yaml", text.to_string())]),
        Err(e) => {
            let (mut book, _) = book(Config::default(), &[]);
            let d = not_utf8(
                &mut book.sources,
                "content/baselines/fuzz.yaml",
                data,
                e.valid_up_to(),
            );
            Outcome::Rejected(show(&[d], &book.sources))
        }
    }
}

/// `book.toml` bytes, as `load` reads them; a valid configuration then builds the default
/// book's baseline. The theme folder is ignored (it would be read from disk).
pub fn book_toml(data: &[u8]) -> Outcome {
    let mut sources = Sources::default();
    let text = match std::str::from_utf8(data) {
        Ok(text) => text,
        Err(e) => {
            let d = not_utf8(&mut sources, "book.toml", data, e.valid_up_to());
            return Outcome::Rejected(show(&[d], &sources));
        }
    };
    let file = sources.add("book.toml".into(), text.to_string());
    let mut config = match config::parse(text, file) {
        Ok(config) => config,
        Err(d) => return Outcome::Rejected(show(&[*d], &sources)),
    };
    // As `load` does: each unknown rule id is an error at its quoted text.
    let unknown: Vec<Diagnostic> = controlbook::rules::unknown_rule_ids(&config.check)
        .into_iter()
        .map(|id| {
            let quoted = format!("\"{id}\"");
            let d = Diagnostic::error("invalid-config", format!("unknown rule `{id}` in [check]"));
            match text.find(&quoted) {
                Some(at) => d.at(file, Span::new(at, at + quoted.len())),
                None => d.in_file(file),
            }
        })
        .collect();
    if !unknown.is_empty() {
        return Outcome::Rejected(show(&unknown, &sources));
    }
    let _ = controlbook::read_config(std::path::Path::new(ROOT));
    config.build.theme = None;
    build(config, &[("small-service.yaml", BASELINE_TEXT.into())])
}

/// A mapping workbook's bytes, as `import xlsx` converts them (v3 or legacy layout), and
/// as `import benchmark` reads a catalog workbook.
pub fn xlsx(data: &[u8]) -> Outcome {
    let workbook = match import::workbook::read_bytes("fuzz.xlsx", data.to_vec()) {
        Ok(wb) => wb,
        Err(e) => return Outcome::Rejected(e.to_string()),
    };
    let catalogs = &*CATALOGS;
    let mut defects = Defects::new("fuzz.xlsx");
    let info = import::benchmark::BenchmarkInfo::default();
    if let Ok(b) = import::benchmark::import(
        &workbook,
        &info,
        Some(&catalogs.benchmark),
        None,
        &mut defects,
    ) {
        let yaml = controlbook::yaml_write::benchmark(&b);
        let mut sources = Sources::default();
        let file = sources.add("mcsb-v1.yaml".into(), yaml.clone());
        match parse_yaml::<Benchmark>(&sources, file) {
            Ok(again) => assert!(
                serde_json::to_value(&b).ok() == serde_json::to_value(&again).ok(),
                "the imported benchmark reads back with other values:\n{yaml}"
            ),
            Err(d) => panic!(
                "the imported benchmark does not load again:\n{}\n{yaml}",
                show(&[*d], &sources)
            ),
        }
    }
    let mut defects = Defects::new("fuzz.xlsx");
    let imported = if import::legacy::is_legacy(&workbook) {
        import::legacy::import(&workbook, &catalogs.benchmark, &mut defects)
    } else {
        let identity = import::v3::Identity {
            service: None,
            file_name: "fuzz.xlsx".into(),
        };
        import::v3::import(
            &workbook,
            &catalogs.benchmark,
            &catalogs.features,
            &identity,
            &mut defects,
        )
    };
    match imported {
        Ok(b) => imported_baseline(b, defects),
        Err(e) => Outcome::Rejected(e.to_string()),
    }
}

/// A Feature Summary CSV's bytes, as `import csv` converts them.
pub fn csv(data: &[u8]) -> Outcome {
    let catalogs = &*CATALOGS;
    let mut defects = Defects::new("fuzz.csv");
    let identity = import::v3::Identity {
        service: None,
        file_name: "fuzz.csv".into(),
    };
    match import::csv::import(
        "fuzz.csv",
        data,
        &catalogs.benchmark,
        &catalogs.features,
        &identity,
        &mut defects,
    ) {
        Ok(b) => imported_baseline(b, defects),
        Err(e) => Outcome::Rejected(e.to_string()),
    }
}

/// What `import` does with a converted baseline: writes it as YAML and runs the book's
/// rules on it. The YAML must load again and write back to the same text, or the import
/// would leave a book that does not load.
fn imported_baseline(baseline: Baseline, defects: Defects) -> Outcome {
    let yaml = controlbook::yaml_write::baseline(&baseline);
    let mut sources = Sources::default();
    let file = sources.add("imported.yaml".into(), yaml.clone());
    let again = match parse_yaml::<Baseline>(&sources, file) {
        Ok(b) => b,
        Err(d) => panic!(
            "the imported baseline does not load again:\n{}\n{yaml}",
            show(&[*d], &sources)
        ),
    };
    let (before, after) = (
        serde_json::to_value(&baseline),
        serde_json::to_value(&again),
    );
    assert!(
        before.is_ok() && before.ok() == after.ok(),
        "the imported baseline reads back with other values:\n{yaml}"
    );
    let rewritten = controlbook::yaml_write::baseline(&again);
    assert!(
        rewritten == yaml,
        "writing the imported baseline again changes it:\n--- first\n{yaml}\n--- second\n{rewritten}"
    );
    let (book, _) = book(Config::default(), &[]);
    let item = batch::Imported {
        source: "fuzz".into(),
        target: "content/baselines/imported.yaml".into(),
        yaml,
        defects: defects.list,
        features: baseline.controls.iter().map(|c| c.features.len()).sum(),
        controls: baseline.controls.len(),
    };
    let kept = batch::kept_defects(&book, &item);
    for d in item.defects.iter().chain(&kept) {
        let _ = d.to_string();
    }
    Outcome::Accepted(item.features)
}

/// The xlsx target's second input form, easier to mutate than a compressed zip: entries as
/// `@@@ path` lines, each followed by the entry's bytes. [`zip_stored`] makes it a zip.
pub fn text_archive(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut entries = Vec::new();
    let mut rest = data;
    while let Some(at) = find(rest, b"@@@ ") {
        let after = &rest[at + 4..];
        let end = after
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(after.len());
        let name = String::from_utf8_lossy(&after[..end]).into_owned();
        let body = after.get(end + 1..).unwrap_or_default();
        let next = find(body, b"\n@@@ ").map_or(body.len(), |i| i + 1);
        entries.push((name, body[..next.min(body.len())].to_vec()));
        rest = &body[next.min(body.len())..];
    }
    entries
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A zip archive of `entries`, stored without compression.
pub fn zip_stored(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, body) in entries {
        let offset = out.len() as u32;
        let crc = crc32(body);
        let size = body.len() as u32;
        let name = name.as_bytes();
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(body);
        // Central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let start = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// The xlsx target's input: a zip as it is, or a text archive made into one.
pub fn xlsx_input(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"PK") {
        data.to_vec()
    } else {
        zip_stored(&text_archive(data))
    }
}
