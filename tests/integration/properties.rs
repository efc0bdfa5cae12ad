//! Properties over generated input, through the library API as the commands use it: any
//! bytes in a baseline file load to diagnostics or to a book (never a panic), and a
//! generated baseline that is built and imported back (`import csv`, `import xlsx`)
//! comes back with the same values.

use std::collections::BTreeMap;

use controlbook::import::batch;
use controlbook::model::{
    Baseline, BaselineControl, FeatureEntry, HostAccess, Policy, Reference, Responsibility,
    SecurityProfile, Spanned, Tri,
};
use controlbook::source::Span;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::*;

const DEFAULT_BASELINE: &str = "content/baselines/container-registry.yaml";

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Bytes that stress the loader: arbitrary bytes, the default baseline cut at any byte (a
/// multi-byte character split in two), and the default baseline with bytes inserted,
/// replaced or removed (invalid UTF-8 sequences, NUL, a BOM, YAML indicators).
fn baseline_bytes() -> impl Strategy<Value = Bytes> {
    let text = std::fs::read(repo_root().join(DEFAULT_BASELINE)).unwrap();
    let len = text.len();
    let pieces = prop::sample::select(vec![
        b"\xff".to_vec(),
        b"\xc3".to_vec(),
        b"\xe2\x82".to_vec(),
        b"\xed\xa0\x80".to_vec(),
        b"\0".to_vec(),
        "\u{feff}".as_bytes().to_vec(),
        "é".as_bytes().to_vec(),
        "🚀".as_bytes().to_vec(),
        b"\n  ".to_vec(),
        b": ".to_vec(),
        b"- ".to_vec(),
        b"&a ".to_vec(),
        b"*a".to_vec(),
        b"!!binary ".to_vec(),
        b"\"".to_vec(),
        b"\t".to_vec(),
        b"\r".to_vec(),
    ]);
    let edit = (0..=len, 0usize..3, pieces, any::<u8>());
    let cut_text = text.clone();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        (0..=len).prop_map(move |at| cut_text[..at].to_vec()),
        prop::collection::vec(edit, 1..6).prop_map(move |edits| {
            let mut bytes = text.clone();
            for (at, kind, piece, byte) in edits {
                let at = at.min(bytes.len());
                match kind {
                    0 => {
                        bytes.splice(at..at, piece);
                    }
                    1 => {
                        if at < bytes.len() {
                            bytes[at] = byte;
                        }
                    }
                    _ => {
                        let end = (at + usize::from(byte % 16)).min(bytes.len());
                        bytes.drain(at..end);
                    }
                }
            }
            bytes
        }),
    ]
    .prop_map(Bytes)
}

/// Bytes shown as text when a case fails, not as a list of numbers.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes: {:?}",
            self.0.len(),
            String::from_utf8_lossy(&self.0)
        )
    }
}

#[test]
fn any_bytes_in_a_baseline_file_load_to_diagnostics_or_a_book() {
    let book = default_book();
    let root = book.path();
    let path = root.join(DEFAULT_BASELINE);
    runner(256)
        .run(&baseline_bytes(), |Bytes(bytes)| {
            std::fs::write(&path, &bytes).unwrap();
            let loaded = controlbook::load(root).expect("only I/O errors are errors");
            let file = loaded
                .book
                .sources
                .iter()
                .find(|(_, f)| f.path.ends_with("container-registry.yaml"))
                .map(|(id, _)| id);
            if loaded.diagnostics.is_empty() {
                prop_assert_eq!(loaded.book.baselines.len(), 1);
                prop_assert!(std::str::from_utf8(&bytes).is_ok());
                let findings = controlbook::check(&loaded.book, true);
                let _ = controlbook::diag::render_human(&findings, &loaded.book.sources, false);
                let options = controlbook::BuildOptions::default();
                controlbook::render_book(&loaded.book, &options, true).unwrap();
            } else {
                let shown = controlbook::diag::render_human(
                    &loaded.diagnostics,
                    &loaded.book.sources,
                    false,
                );
                for d in &loaded.diagnostics {
                    // Each diagnostic points into the file (or names it) and is printed.
                    prop_assert_eq!(d.location.map(|l| l.file), file, "{:?}", d);
                    prop_assert!(shown.contains(d.code), "{}", shown);
                }
                if std::str::from_utf8(&bytes).is_err() {
                    prop_assert_eq!(loaded.diagnostics[0].code, "invalid-utf8");
                    prop_assert!(shown.contains("container-registry.yaml:"), "{}", shown);
                }
            }
            Ok(())
        })
        .unwrap();
}

/// A baseline to generate: features of the catalog (by index) with their values, and
/// control-level guidance rows for controls (by index) of the benchmark.
#[derive(Clone, Debug)]
struct Spec {
    service: String,
    slug: String,
    profile: (Vec<String>, u8, bool, bool),
    features: Vec<(usize, FeatureSpec)>,
    control_rows: Vec<(usize, ControlSpec)>,
}

#[derive(Clone, Debug)]
struct FeatureSpec {
    supported: Tri,
    enabled: Tri,
    responsibility: Responsibility,
    guidance: Vec<String>,
    notes: Option<String>,
    guidance_notes: Option<String>,
    reference: Option<(String, String)>,
    description: Option<String>,
}

#[derive(Clone, Debug)]
struct ControlSpec {
    title: Option<String>,
    guidance: String,
    responsibility: Responsibility,
    notes: Option<String>,
    policies: Vec<(String, String, Vec<String>)>,
}

/// Words with what survives a spreadsheet badly: non-ASCII letters, emoji, Markdown and
/// HTML, a formula start (`=`, `+`, `-`, `@`), quotes, pipes and colons.
const WORDS: &[&str] = &[
    "Azure",
    "private",
    "endpoint",
    "naïve",
    "Zürich",
    "Δelta",
    "服务",
    "サービス",
    "🚀",
    "ﬁle",
    "<b>bold</b>",
    "&amp;",
    "**strong**",
    "`code`",
    "a|b",
    "#1",
    "50%",
    "=SUM(A1)",
    "+1",
    "-flag",
    "@mention",
    "'quoted'",
    "'=A1",
    "\"dq\"",
    "key:",
    "x\u{a0}y",
    "über-long-word",
];

fn text(words: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), words).prop_map(|w| w.join(" "))
}

fn tri() -> impl Strategy<Value = Tri> {
    prop::sample::select(vec![Tri::True, Tri::False, Tri::NotApplicable])
}

fn responsibility() -> impl Strategy<Value = Responsibility> {
    prop::sample::select(vec![
        Responsibility::Customer,
        Responsibility::Microsoft,
        Responsibility::Shared,
        Responsibility::NotApplicable,
    ])
}

fn feature_spec() -> impl Strategy<Value = FeatureSpec> {
    (
        (tri(), tri(), responsibility()),
        prop::collection::vec(text(1..8), 0..3),
        prop::option::of(text(1..6)),
        prop::option::of(text(1..6)),
        prop::option::of((text(1..5), "[a-z0-9/_-]{0,20}(#[a-z-]{1,8})?")),
        prop::option::of(text(2..6)),
    )
        .prop_map(
            |(
                (supported, enabled, responsibility),
                guidance,
                notes,
                guidance_notes,
                reference,
                description,
            )| {
                FeatureSpec {
                    supported,
                    enabled,
                    responsibility,
                    guidance,
                    notes,
                    guidance_notes,
                    reference: reference
                        .map(|(title, path)| (title, format!("https://example.org/{path}"))),
                    description,
                }
            },
        )
}

fn control_spec() -> impl Strategy<Value = ControlSpec> {
    let policy = (
        text(1..5),
        text(1..8),
        prop::sample::subsequence(vec!["Audit", "Deny", "Disabled", "Modify"], 1..3),
    )
        .prop_map(|(name, description, effects)| {
            (
                name,
                description,
                effects.into_iter().map(str::to_string).collect(),
            )
        });
    (
        prop::option::of(text(1..5)),
        text(1..8),
        responsibility(),
        prop::option::of(text(1..5)),
        prop::collection::vec(policy, 0..3),
    )
        .prop_map(
            |(title, guidance, responsibility, notes, policies)| ControlSpec {
                title,
                guidance,
                responsibility,
                notes,
                policies,
            },
        )
}

fn spec(features: usize, controls: usize) -> impl Strategy<Value = Spec> {
    (
        (
            text(1..4),
            "[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}",
            (
                prop::sample::subsequence(
                    vec!["Compute", "Containers", "Storage", "Web", "Security"],
                    0..3,
                )
                .prop_map(|c| c.into_iter().map(str::to_string).collect::<Vec<_>>()),
                0u8..3,
                any::<bool>(),
                any::<bool>(),
            ),
        ),
        prop::collection::btree_map(0..features, feature_spec(), 1..8),
        prop::collection::btree_map(0..controls, control_spec(), 0..3),
    )
        .prop_map(|((service, slug, profile), features, controls)| Spec {
            service,
            slug,
            profile,
            features: features.into_iter().collect(),
            control_rows: controls.into_iter().collect(),
        })
}

fn sp(v: impl Into<String>) -> Spanned<String> {
    Spanned::new(v.into(), Span::default())
}

/// The baseline a spec describes, against the book's catalogs.
fn baseline_of(spec: &Spec, book: &controlbook::Book) -> Baseline {
    let catalog = &book.features.as_ref().unwrap().value.features;
    let benchmark = book.benchmark("mcsb-v1").unwrap();
    let mut controls: Vec<BaselineControl> = Vec::new();
    let control = |controls: &mut Vec<BaselineControl>, id: &str| -> usize {
        if let Some(i) = controls.iter().position(|c| c.id.value == id) {
            return i;
        }
        controls.push(BaselineControl::new(sp(id)));
        controls.len() - 1
    };
    for (index, c) in &spec.control_rows {
        let i = control(&mut controls, &benchmark.controls[*index].id.value);
        let row = &mut controls[i];
        row.title = c.title.clone().map(sp);
        row.guidance = Some(sp(&c.guidance));
        row.responsibility = Some(c.responsibility);
        row.guidance_notes = c.notes.clone().map(sp);
        row.policies = c
            .policies
            .iter()
            .enumerate()
            .map(|(n, (name, description, effects))| Policy {
                name: sp(name),
                description: sp(description),
                effects: effects.iter().map(sp).collect(),
                version: sp(format!("1.{n}.0")),
                definition_id: sp(format!("00000000-0000-4000-8000-{index:06}{n:06}")),
                path: Some(format!("Generated/{index}-{n}.json")),
            })
            .collect();
    }
    for (index, f) in &spec.features {
        let feature = &catalog[*index];
        let i = control(&mut controls, &feature.control.value);
        let mut guidance = f.guidance.iter();
        controls[i].features.push(FeatureEntry {
            feature: sp(&feature.id.value),
            supported: Spanned::new(f.supported, Span::default()),
            enabled_by_default: Spanned::new(f.enabled, Span::default()),
            responsibility: Spanned::new(f.responsibility, Span::default()),
            guidance: guidance.next().map(sp),
            feature_notes: f.notes.clone().map(sp),
            additional_guidance: None,
            guidance_notes: f.guidance_notes.clone().map(sp),
            custom_guidance: guidance.map(sp).collect(),
            reference: f.reference.as_ref().map(|(title, url)| Reference {
                title: sp(title),
                url: sp(url),
            }),
            name: None,
            description: f.description.clone().map(sp),
            learn_more: None,
        });
    }
    let (categories, host, vnet, at_rest) = &spec.profile;
    Baseline {
        service: sp(&spec.service),
        slug: sp(&spec.slug),
        benchmark: sp("mcsb-v1"),
        resource_provider: None,
        mapping_file: None,
        last_reviewed: None,
        intro: None,
        security_profile: SecurityProfile {
            product_category: categories.iter().map(sp).collect(),
            host_os_access: [
                HostAccess::NoAccess,
                HostAccess::ReadOnly,
                HostAccess::FullAccess,
            ][usize::from(*host)],
            deployable_into_vnet: *vnet,
            stores_content_at_rest: *at_rest,
        },
        controls,
    }
}

/// What a mapping file carries of a baseline, by control and feature id: the values of
/// every row, the guidance paragraphs joined as the file's single Guidance cell.
fn significant(b: &Baseline, with_policies: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let text = |s: &Option<Spanned<String>>| s.as_ref().map(|v| v.value.clone());
    for c in &b.controls {
        let mut row = format!(
            "title={:?} guidance={:?} responsibility={:?} notes={:?}",
            text(&c.title),
            text(&c.guidance),
            c.responsibility,
            text(&c.guidance_notes),
        );
        if with_policies {
            for p in &c.policies {
                row.push_str(&format!(" policy={:?}", serde_json::to_string(p).unwrap()));
            }
        }
        out.insert(c.id.value.clone(), row);
        for f in &c.features {
            let guidance: Vec<&str> = f
                .guidance
                .iter()
                .chain(&f.additional_guidance)
                .chain(&f.custom_guidance)
                .map(|g| g.value.as_str())
                .collect();
            out.insert(
                format!("{}/{}", c.id.value, f.feature.value),
                format!(
                    "{:?} {:?} {:?} guidance={:?} notes={:?} guidance_notes={:?} reference={:?} description={:?}",
                    f.supported.value,
                    f.enabled_by_default.value,
                    f.responsibility.value,
                    guidance.join("\n\n"),
                    text(&f.feature_notes),
                    text(&f.guidance_notes),
                    f.reference.as_ref().map(|r| (&r.title.value, &r.url.value)),
                    text(&f.description),
                ),
            );
        }
    }
    out
}

fn parse(yaml: &str) -> Baseline {
    let mut sources = controlbook::source::Sources::default();
    let file = sources.add("imported.yaml".into(), yaml.to_string());
    controlbook::load::parse_yaml(&sources, file)
        .unwrap_or_else(|d| panic!("imported YAML does not load: {d:?}\n{yaml}"))
}

#[test]
fn generated_baselines_survive_build_and_import() {
    let book = default_book();
    let root = book.path();
    std::fs::remove_file(root.join(DEFAULT_BASELINE)).unwrap();
    // Only the mapping files are imported back; the other outputs would only slow this down.
    let toml = std::fs::read_to_string(root.join("book.toml")).unwrap();
    let toml = ["site", "markdown", "json"].iter().fold(toml, |t, key| {
        t.replace(&format!("\n{key} = true"), &format!("\n{key} = false"))
    });
    std::fs::write(root.join("book.toml"), toml).unwrap();
    let catalogs = controlbook::load(root).unwrap();
    assert!(
        catalogs.diagnostics.is_empty(),
        "{:?}",
        catalogs.diagnostics
    );
    let catalog_book = &catalogs.book;
    let (benchmark, features) = batch::catalogs(catalog_book, "mcsb-v1").unwrap();
    let strategy = spec(features.features.len(), benchmark.controls.len());
    let options = controlbook::BuildOptions::default();
    let scratch = tempfile::tempdir().unwrap();
    let cases = std::env::var("CONTROLBOOK_ROUND_TRIP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    runner(cases)
        .run(&strategy, |spec| {
            let generated = baseline_of(&spec, catalog_book);
            let path = root
                .join("content/baselines")
                .join(format!("{}.yaml", spec.slug));
            for old in std::fs::read_dir(root.join("content/baselines")).unwrap() {
                std::fs::remove_file(old.unwrap().path()).unwrap();
            }
            std::fs::write(&path, controlbook::yaml_write::baseline(&generated)).unwrap();
            match controlbook::build_book(root, &options, true).unwrap() {
                controlbook::Built::Written { .. } => {}
                controlbook::Built::InputError(r) => {
                    return Err(TestCaseError::fail(controlbook::diag::render_human(
                        &r.diagnostics,
                        &r.book.sources,
                        false,
                    )))
                }
                controlbook::Built::Stopped { .. } => unreachable!("--cap-lints warn"),
            }
            let stem = format!("{}-security-baseline", spec.slug);
            let out = root.join("output");
            let from_csv = batch::csv(
                &out.join(format!("csv/{stem}.csv")),
                benchmark,
                features,
                Some(&spec.service),
                scratch.path(),
            )
            .unwrap();
            let from_xlsx = batch::xlsx(
                &out.join(format!("xlsx/{stem}.xlsx")),
                benchmark,
                features,
                None,
                scratch.path(),
            )
            .unwrap();
            let (csv, xlsx) = (parse(&from_csv.yaml), parse(&from_xlsx.yaml));
            // CSV carries neither the security profile nor the policies; the workbook
            // carries everything (About, Security Profile and Azure Policy sheets).
            prop_assert_eq!(significant(&csv, false), significant(&generated, false));
            prop_assert_eq!(&csv.service.value, &spec.service);
            prop_assert_eq!(significant(&xlsx, true), significant(&generated, true));
            prop_assert_eq!(&xlsx.service.value, &spec.service);
            prop_assert_eq!(&xlsx.slug.value, &spec.slug);
            prop_assert_eq!(
                serde_json::to_value(&xlsx.security_profile).unwrap(),
                serde_json::to_value(&generated.security_profile).unwrap()
            );
            Ok(())
        })
        .unwrap();
}
