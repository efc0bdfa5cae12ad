//! Consistency rules. Each rule is a unit with a stable id, a default severity, a
//! one-line summary, an explanation (`check --explain`), and its own firing and passing
//! tests. A new rule is one file and one line in [`RULES`].

mod broken_link;
mod cell_too_long;
mod duplicate_feature;
mod duplicate_policy;
mod empty_text;
mod enabled_but_unsupported;
mod feature_control_mismatch;
mod invalid_url;
mod missing_guidance;
mod missing_reference;
mod policy_effect;
mod policy_guid;
mod policy_version;
mod responsibility_mismatch;
mod title_mismatch;
mod whitespace;

use crate::config::CheckConfig;
use crate::diag::{Diagnostic, Severity};
use crate::load::Book;
use crate::model::{Baseline, BaselineControl, FeatureEntry, Spanned};
use crate::source::FileId;

pub use broken_link::{
    check_pages, check_site as check_site_links, check_site_cached, LinkCache, PageLinks,
};

/// A consistency rule.
pub struct Rule {
    /// Stable kebab-case id; never renamed or reused once published.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Markdown with the headings What it does / Why / Example / How to fix.
    pub explanation: &'static str,
    /// Finds problems in a loaded book; `None` for rules that run on the built site.
    pub check: Option<fn(&Context<'_>, &mut Vec<Diagnostic>)>,
}

/// Every rule, in the order `--list-rules` shows them.
pub const RULES: &[&Rule] = &[
    &missing_guidance::RULE,
    &missing_reference::RULE,
    &invalid_url::RULE,
    &title_mismatch::RULE,
    &feature_control_mismatch::RULE,
    &duplicate_feature::RULE,
    &enabled_but_unsupported::RULE,
    &responsibility_mismatch::UNSUPPORTED_RULE,
    &responsibility_mismatch::SUPPORTED_RULE,
    &whitespace::RULE,
    &empty_text::RULE,
    &cell_too_long::RULE,
    &policy_guid::RULE,
    &policy_version::RULE,
    &policy_effect::RULE,
    &duplicate_policy::RULE,
    &broken_link::RULE,
];

/// Input errors found while loading: always errors, listed with the rules so that
/// `--explain` covers every code a user can see.
pub const INPUT_ERRORS: &[(&str, &str)] = &[
    ("invalid-yaml", "a file is not valid YAML or does not match the source model (unknown key, duplicate key, wrong type, non-strict boolean)"),
    ("invalid-utf8", "a file is not valid UTF-8"),
    ("file-too-large", "a file is larger than the 16 MiB limit"),
    ("invalid-config", "book.toml is not valid TOML, has an unknown key, or names an unknown rule"),
    ("unknown-benchmark", "a baseline names a benchmark that is not in content/benchmarks/"),
    ("unknown-control", "a baseline names a control id that is not in its benchmark"),
    ("unknown-feature", "a baseline names a feature id that is not in content/features.yaml"),
    ("duplicate-slug", "two baselines have the same slug"),
    ("invalid-slug", "a slug is not lowercase kebab-case"),
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// What rules look at: the book, with helpers to walk its baselines. A context can be
/// narrowed to the catalogs or to one baseline, so that a rebuild checks only what changed.
pub struct Context<'a> {
    pub book: &'a Book,
    /// Whether the benchmark and feature catalogs are checked.
    catalogs: bool,
    /// The baselines checked; all when `None`.
    only: Option<FileId>,
}

/// A feature entry of a baseline with where it sits.
pub struct FeatureSite<'a> {
    pub file: FileId,
    pub baseline: &'a Baseline,
    pub control: &'a BaselineControl,
    pub entry: &'a FeatureEntry,
}

impl<'a> Context<'a> {
    pub fn new(book: &'a Book) -> Self {
        Context {
            book,
            catalogs: true,
            only: None,
        }
    }

    /// The catalogs alone, no baseline.
    pub fn catalogs(book: &'a Book) -> Self {
        Context {
            book,
            catalogs: true,
            only: Some(FileId(usize::MAX)),
        }
    }

    /// One baseline, checked against the catalogs but without checking them.
    pub fn baseline(book: &'a Book, file: FileId) -> Self {
        Context {
            book,
            catalogs: false,
            only: Some(file),
        }
    }

    pub fn baselines(&self) -> impl Iterator<Item = (FileId, &'a Baseline)> {
        let only = self.only;
        self.book
            .baselines
            .iter()
            .filter(move |b| only.is_none_or(|f| f == b.file))
            .map(|b| (b.file, &*b.value))
    }

    pub fn benchmarks(&self) -> &'a [crate::load::Loaded<crate::model::Benchmark>] {
        if self.catalogs {
            &self.book.benchmarks
        } else {
            &[]
        }
    }

    pub fn feature_catalog(&self) -> Option<&'a crate::load::Loaded<crate::model::FeatureCatalog>> {
        self.book.features.as_ref().filter(|_| self.catalogs)
    }

    pub fn controls(&self) -> impl Iterator<Item = (FileId, &'a Baseline, &'a BaselineControl)> {
        self.baselines()
            .flat_map(|(file, b)| b.controls.iter().map(move |c| (file, b, c)))
    }

    pub fn features(&self) -> impl Iterator<Item = FeatureSite<'a>> {
        self.controls().flat_map(|(file, baseline, control)| {
            control.features.iter().map(move |entry| FeatureSite {
                file,
                baseline,
                control,
                entry,
            })
        })
    }
}

/// How a text field is written, which decides what the text rules accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    /// A name, title, id or URL: one line, no stray spaces.
    Line,
    /// Markdown prose: line breaks allowed.
    Markdown,
}

/// Every text field of every file in scope with its name and kind, for the text rules.
pub fn texts<'a>(ctx: &Context<'a>) -> Vec<(FileId, &'static str, TextKind, &'a Spanned<String>)> {
    use TextKind::{Line, Markdown};
    let mut out = Vec::new();
    for b in ctx.benchmarks() {
        let f = b.file;
        out.push((f, "link", Line, &b.value.link));
        for d in &b.value.domains {
            out.push((f, "domain name", Line, &d.name));
            out.push((f, "domain link", Line, &d.link));
        }
        for c in &b.value.controls {
            out.push((f, "control title", Line, &c.title));
            out.push((f, "control link", Line, &c.link));
            out.extend(c.aliases.iter().map(|a| (f, "control alias", Line, a)));
        }
    }
    if let Some(cat) = ctx.feature_catalog() {
        let f = cat.file;
        for feature in &cat.value.features {
            out.push((f, "feature name", Line, &feature.name));
            out.push((f, "feature description", Line, &feature.description));
            out.extend(
                feature
                    .learn_more
                    .iter()
                    .map(|l| (f, "learn_more", Line, l)),
            );
        }
    }
    for (f, v) in ctx.baselines() {
        out.push((f, "service", Line, &v.service));
        out.extend(
            v.security_profile
                .product_category
                .iter()
                .map(|c| (f, "product category", Line, c)),
        );
        for c in &v.controls {
            out.extend(c.title.iter().map(|t| (f, "control title", Line, t)));
            out.extend(c.guidance.iter().map(|g| (f, "guidance", Markdown, g)));
            out.extend(
                c.guidance_notes
                    .iter()
                    .map(|g| (f, "guidance_notes", Markdown, g)),
            );
            for e in &c.features {
                out.extend(e.name.iter().map(|t| (f, "name", Line, t)));
                out.extend(e.description.iter().map(|t| (f, "description", Line, t)));
                out.extend(e.guidance.iter().map(|t| (f, "guidance", Markdown, t)));
                out.extend(
                    e.feature_notes
                        .iter()
                        .map(|t| (f, "feature_notes", Markdown, t)),
                );
                out.extend(
                    e.additional_guidance
                        .iter()
                        .map(|t| (f, "additional_guidance", Markdown, t)),
                );
                out.extend(
                    e.guidance_notes
                        .iter()
                        .map(|t| (f, "guidance_notes", Markdown, t)),
                );
                out.extend(
                    e.custom_guidance
                        .iter()
                        .map(|t| (f, "custom_guidance", Markdown, t)),
                );
                if let Some(r) = &e.reference {
                    out.push((f, "reference title", Line, &r.title));
                    out.push((f, "reference url", Line, &r.url));
                }
            }
            for p in &c.policies {
                out.push((f, "policy name", Line, &p.name));
                out.push((f, "policy description", Markdown, &p.description));
            }
        }
    }
    out
}

/// Runs every rule on a book and applies the book's severities and `--cap-lints`.
///
/// Rules look at one baseline and the catalogs at a time (as [`crate::Cache::check`]
/// relies on too), so the baselines are checked in parallel: 1,200 of them took 130 ms on
/// one core.
pub fn check(book: &Book, cap_warn: bool) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let mut found = run(&Context::catalogs(book));
    found.par_extend(
        book.baselines
            .par_iter()
            .flat_map_iter(|b| run(&Context::baseline(book, b.file))),
    );
    let mut out = apply_severities(found, &book.config.check, cap_warn);
    crate::diag::sort(&mut out);
    out
}

/// Every rule on what `ctx` covers, before severities are applied.
pub fn run(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        if let Some(check) = rule.check {
            check(ctx, &mut out);
        }
    }
    out
}

/// `[check] deny/warn/allow` from book.toml, then `--cap-lints warn`.
pub fn apply_severities(
    diagnostics: Vec<Diagnostic>,
    config: &CheckConfig,
    cap_warn: bool,
) -> Vec<Diagnostic> {
    let listed = |list: &[String], id: &str| list.iter().any(|x| x == id);
    diagnostics
        .into_iter()
        .filter(|d| !listed(&config.allow, d.code))
        .map(|mut d| {
            if listed(&config.deny, d.code) {
                d.severity = Severity::Error;
            } else if listed(&config.warn, d.code) {
                d.severity = Severity::Warning;
            }
            if cap_warn {
                d.severity = Severity::Warning;
            }
            d
        })
        .collect()
}

/// Rule ids in `[check]` that no rule has; each becomes an `invalid-config` error.
pub fn unknown_rule_ids(config: &CheckConfig) -> Vec<String> {
    config
        .deny
        .iter()
        .chain(&config.warn)
        .chain(&config.allow)
        .filter(|id| find(id).is_none())
        .cloned()
        .collect()
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small in-memory book to run rules on.

    use crate::diag::Diagnostic;
    use crate::load::{parse_yaml, Book, Loaded};
    use crate::source::Sources;

    pub const BENCHMARK: &str = "id: b1\nname: Bench\nversion: \"1.0\"\nlink: https://example.org/b\ndomains:\n  - id: NS\n    name: Network security\n    workbook_name: Network Security\n    link: https://example.org/ns\ncontrols:\n  - id: NS-1\n    domain: NS\n    title: Establish network segmentation boundaries\n    link: https://example.org/ns#ns-1\n  - id: NS-2\n    domain: NS\n    title: Secure cloud native services with network controls\n    link: https://example.org/ns#ns-2\n    aliases: [Secure cloud services with network controls]\n";

    pub const FEATURES: &str = "features:\n  - id: vnet\n    name: Virtual Network Integration\n    control: NS-1\n    description: Service supports VNet.\n    learn_more: https://example.org/vnet\n  - id: private-link\n    name: Azure Private Link\n    control: NS-2\n    description: Private endpoints.\n";

    /// A baseline with one control `NS-1`; `features` is the YAML list under it
    /// (indented by 6 spaces), `extra` more controls (indented by 2).
    pub fn baseline(features: &str, extra: &str) -> String {
        format!(
            "service: Svc\nslug: svc\nbenchmark: b1\nsecurity_profile:\n  product_category: [Compute]\n  host_os_access: no-access\n  deployable_into_vnet: false\n  stores_content_at_rest: true\ncontrols:\n  - id: NS-1\n    features:\n{features}{extra}"
        )
    }

    /// A supported feature with guidance and reference, indented for [`baseline`].
    pub const GOOD_FEATURE: &str = "      - feature: vnet\n        supported: true\n        enabled_by_default: false\n        responsibility: customer\n        guidance: Deploy it into a virtual network.\n        reference:\n          title: VNet integration\n          url: https://example.org/docs\n";

    pub fn book(baseline_text: &str) -> Book {
        let mut sources = Sources::default();
        let b = sources.add("content/benchmarks/b1.yaml".into(), BENCHMARK.into());
        let f = sources.add("content/features.yaml".into(), FEATURES.into());
        let s = sources.add("content/baselines/svc.yaml".into(), baseline_text.into());
        let benchmark = parse_yaml(&sources, b).expect("benchmark parses");
        let features = parse_yaml(&sources, f).expect("features parse");
        let baseline = parse_yaml::<crate::model::Baseline>(&sources, s)
            .map(std::sync::Arc::new)
            .unwrap_or_else(|d| panic!("baseline: {d:?}"));
        Book {
            root: ".".into(),
            config: Default::default(),
            sources,
            benchmarks: vec![Loaded {
                file: b,
                value: benchmark,
            }],
            features: Some(Loaded {
                file: f,
                value: features,
            }),
            baselines: vec![Loaded {
                file: s,
                value: baseline,
            }],
        }
    }

    /// Findings of one rule on a baseline.
    pub fn run(rule: &super::Rule, baseline_text: &str) -> Vec<Diagnostic> {
        let book = book(baseline_text);
        let mut out = Vec::new();
        (rule.check.expect("rule checks the book"))(&super::Context::new(&book), &mut out);
        out
    }

    /// The text a finding points at.
    pub fn pointed(baseline_text: &str, d: &Diagnostic) -> String {
        let span = d.location.and_then(|l| l.span).expect("finding has a span");
        baseline_text[span.start..span.end].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_documented() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.extend(INPUT_ERRORS.iter().map(|(id, _)| *id));
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "duplicate rule id");
        for rule in RULES {
            assert!(
                rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.id
            );
            for heading in ["## What it does", "## Why", "## Example", "## How to fix"] {
                assert!(
                    rule.explanation.contains(heading),
                    "{} lacks {heading}",
                    rule.id
                );
            }
            // Messages follow one convention: lowercase, no trailing period.
            assert!(
                rule.summary
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase()),
                "{}",
                rule.id
            );
            assert!(!rule.summary.ends_with('.'), "{}", rule.id);
        }
    }

    #[test]
    fn checking_baselines_apart_finds_what_checking_the_book_finds() {
        use testing::{baseline, book, GOOD_FEATURE};
        let feature = GOOD_FEATURE
            .replace("guidance: Deploy it", "guidance: Deploy  it")
            .replace(
                "url: https://example.org/docs",
                "url: ttps://example.org/docs",
            );
        let text = baseline(&feature, "  - id: NS-2\n    title: Another title\n");
        let book = book(&text);
        let mut whole = apply_severities(run(&Context::new(&book)), &book.config.check, false);
        crate::diag::sort(&mut whole);
        let apart = check(&book, false);
        let codes: Vec<&str> = apart.iter().map(|d| d.code).collect();
        assert!(
            codes.contains(&"whitespace") && codes.contains(&"invalid-url"),
            "{codes:?}"
        );
        assert!(codes.contains(&"title-mismatch"), "{codes:?}");
        assert_eq!(format!("{apart:?}"), format!("{whole:?}"));
    }

    #[test]
    fn severities_from_config_and_cap_lints() {
        let d = |code| Diagnostic::error(code, "m");
        let config = CheckConfig {
            deny: vec!["whitespace".into()],
            warn: vec!["missing-reference".into()],
            allow: vec!["title-mismatch".into()],
        };
        let mut w = d("whitespace");
        w.severity = Severity::Warning;
        let out = apply_severities(
            vec![
                w,
                d("missing-reference"),
                d("title-mismatch"),
                d("missing-guidance"),
            ],
            &config,
            false,
        );
        let got: Vec<_> = out.iter().map(|d| (d.code, d.severity)).collect();
        assert_eq!(
            got,
            [
                ("whitespace", Severity::Error),
                ("missing-reference", Severity::Warning),
                ("missing-guidance", Severity::Error)
            ]
        );
        let capped = apply_severities(vec![d("missing-guidance")], &config, true);
        assert_eq!(capped[0].severity, Severity::Warning);
    }

    #[test]
    fn unknown_ids_in_config_are_reported() {
        let config = CheckConfig {
            deny: vec!["whitespace".into(), "no-such-rule".into()],
            ..Default::default()
        };
        assert_eq!(unknown_rule_ids(&config), ["no-such-rule"]);
    }
}

/// The rule list as a Markdown table, for README (kept current by a test).
pub fn markdown_table() -> String {
    let mut out = String::from("| rule | default | finds |\n|---|---|---|\n");
    for r in RULES {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    for (id, summary) in INPUT_ERRORS {
        out.push_str(&format!("| `{id}` | input error | {summary} |\n"));
    }
    out
}
