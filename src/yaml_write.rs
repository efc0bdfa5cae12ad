//! Writes the source model as YAML in the style of the hand-written content: block maps,
//! flow lists for short scalar lists, plain scalars where YAML allows them and double
//! quotes elsewhere. Deterministic: the same model gives the same bytes.

use crate::model::{
    Baseline, BaselineControl, Benchmark, FeatureCatalog, FeatureEntry, HostAccess, Policy,
    Responsibility, Spanned, Tri,
};

/// A YAML node in the shapes our files use.
enum Node {
    Scalar(String),
    /// A scalar written as is (`true`, `not-applicable`).
    Raw(&'static str),
    /// `[a, b]` on one line.
    Flow(Vec<String>),
    /// A block sequence of maps or scalars.
    Seq(Vec<Node>),
    Map(Vec<(&'static str, Node)>),
}

/// The schema line every content file starts with.
fn header(schema: &str) -> String {
    format!("# yaml-language-server: $schema={schema}\n")
}

pub fn baseline(b: &Baseline) -> String {
    let mut map = vec![
        ("service", s(&b.service)),
        ("slug", s(&b.slug)),
        ("benchmark", s(&b.benchmark)),
    ];
    push_opt(
        &mut map,
        "resource_provider",
        b.resource_provider.as_deref(),
    );
    push_opt(
        &mut map,
        "mapping_file",
        b.mapping_file.as_ref().map(|m| m.value.as_str()),
    );
    push_opt(
        &mut map,
        "last_reviewed",
        b.last_reviewed.as_ref().map(|m| m.value.as_str()),
    );
    if let Some(intro) = &b.intro {
        map.push((
            "intro",
            Node::Seq(intro.iter().map(|p| Node::Scalar(p.clone())).collect()),
        ));
    }
    let p = &b.security_profile;
    map.push((
        "security_profile",
        Node::Map(vec![
            (
                "product_category",
                Node::Flow(p.product_category.iter().map(|c| c.value.clone()).collect()),
            ),
            ("host_os_access", Node::Raw(host(p.host_os_access))),
            (
                "deployable_into_vnet",
                Node::Raw(boolean(p.deployable_into_vnet)),
            ),
            (
                "stores_content_at_rest",
                Node::Raw(boolean(p.stores_content_at_rest)),
            ),
        ]),
    ));
    map.push((
        "controls",
        Node::Seq(b.controls.iter().map(control).collect()),
    ));
    header("../../schemas/baseline.schema.json") + &emit(&Node::Map(map))
}

fn control(c: &BaselineControl) -> Node {
    let mut map = vec![("id", s(&c.id))];
    push_opt(
        &mut map,
        "title",
        c.title.as_ref().map(|t| t.value.as_str()),
    );
    if !c.features.is_empty() {
        map.push((
            "features",
            Node::Seq(c.features.iter().map(feature_entry).collect()),
        ));
    }
    push_opt(
        &mut map,
        "guidance",
        c.guidance.as_ref().map(|g| g.value.as_str()),
    );
    if let Some(r) = c.responsibility {
        map.push(("responsibility", Node::Raw(responsibility(r))));
    }
    push_opt(
        &mut map,
        "guidance_notes",
        c.guidance_notes.as_ref().map(|g| g.value.as_str()),
    );
    if !c.policies.is_empty() {
        map.push((
            "policies",
            Node::Seq(c.policies.iter().map(policy).collect()),
        ));
    }
    Node::Map(map)
}

fn feature_entry(f: &FeatureEntry) -> Node {
    let mut map = vec![
        ("feature", s(&f.feature)),
        ("supported", Node::Raw(tri(f.supported.value))),
        (
            "enabled_by_default",
            Node::Raw(tri(f.enabled_by_default.value)),
        ),
        (
            "responsibility",
            Node::Raw(responsibility(f.responsibility.value)),
        ),
    ];
    push_opt(&mut map, "name", f.name.as_ref().map(|v| v.value.as_str()));
    push_opt(
        &mut map,
        "description",
        f.description.as_ref().map(|v| v.value.as_str()),
    );
    push_opt(
        &mut map,
        "learn_more",
        f.learn_more.as_ref().map(|v| v.value.as_str()),
    );
    push_opt(
        &mut map,
        "guidance",
        f.guidance.as_ref().map(|v| v.value.as_str()),
    );
    push_opt(
        &mut map,
        "feature_notes",
        f.feature_notes.as_ref().map(|v| v.value.as_str()),
    );
    push_opt(
        &mut map,
        "additional_guidance",
        f.additional_guidance.as_ref().map(|v| v.value.as_str()),
    );
    push_opt(
        &mut map,
        "guidance_notes",
        f.guidance_notes.as_ref().map(|v| v.value.as_str()),
    );
    if !f.custom_guidance.is_empty() {
        map.push((
            "custom_guidance",
            Node::Seq(
                f.custom_guidance
                    .iter()
                    .map(|p| Node::Scalar(p.value.clone()))
                    .collect(),
            ),
        ));
    }
    if let Some(r) = &f.reference {
        map.push((
            "reference",
            Node::Map(vec![("title", s(&r.title)), ("url", s(&r.url))]),
        ));
    }
    Node::Map(map)
}

fn policy(p: &Policy) -> Node {
    let mut map = vec![
        ("name", s(&p.name)),
        ("description", s(&p.description)),
        (
            "effects",
            Node::Flow(p.effects.iter().map(|e| e.value.clone()).collect()),
        ),
        ("version", s(&p.version)),
        ("definition_id", s(&p.definition_id)),
    ];
    push_opt(&mut map, "path", p.path.as_deref());
    Node::Map(map)
}

pub fn benchmark(b: &Benchmark) -> String {
    let domains = b
        .domains
        .iter()
        .map(|d| {
            Node::Map(vec![
                ("id", s(&d.id)),
                ("name", s(&d.name)),
                ("workbook_name", Node::Scalar(d.workbook_name.clone())),
                ("link", s(&d.link)),
            ])
        })
        .collect();
    let controls = b
        .controls
        .iter()
        .map(|c| {
            let mut map = vec![
                ("id", s(&c.id)),
                ("domain", s(&c.domain)),
                ("title", s(&c.title)),
                ("link", s(&c.link)),
                ("cis_v8", Node::Flow(c.cis_v8.clone())),
                ("nist_sp800_53_r4", Node::Flow(c.nist_sp800_53_r4.clone())),
                ("pci_dss_v3_2_1", Node::Flow(c.pci_dss_v3_2_1.clone())),
            ];
            if !c.aliases.is_empty() {
                map.push(("aliases", Node::Seq(c.aliases.iter().map(s).collect())));
            }
            Node::Map(map)
        })
        .collect();
    let map = vec![
        ("id", s(&b.id)),
        ("name", Node::Scalar(b.name.clone())),
        ("version", Node::Scalar(b.version.clone())),
        ("link", s(&b.link)),
        ("domains", Node::Seq(domains)),
        ("controls", Node::Seq(controls)),
    ];
    header("../../schemas/benchmark.schema.json") + &emit(&Node::Map(map))
}

pub fn features(catalog: &FeatureCatalog) -> String {
    let features = catalog
        .features
        .iter()
        .map(|f| {
            let mut map = vec![
                ("id", s(&f.id)),
                ("name", s(&f.name)),
                ("control", s(&f.control)),
                ("description", s(&f.description)),
            ];
            push_opt(
                &mut map,
                "learn_more",
                f.learn_more.as_ref().map(|l| l.value.as_str()),
            );
            Node::Map(map)
        })
        .collect();
    header("../schemas/features.schema.json")
        + &emit(&Node::Map(vec![("features", Node::Seq(features))]))
}

fn s(v: &Spanned<String>) -> Node {
    Node::Scalar(v.value.clone())
}

fn push_opt(map: &mut Vec<(&'static str, Node)>, key: &'static str, value: Option<&str>) {
    if let Some(v) = value {
        map.push((key, Node::Scalar(v.to_string())));
    }
}

fn tri(t: Tri) -> &'static str {
    match t {
        Tri::True => "true",
        Tri::False => "false",
        Tri::NotApplicable => "not-applicable",
    }
}

fn boolean(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn responsibility(r: Responsibility) -> &'static str {
    match r {
        Responsibility::Customer => "customer",
        Responsibility::Microsoft => "microsoft",
        Responsibility::Shared => "shared",
        Responsibility::NotApplicable => "not-applicable",
    }
}

fn host(h: HostAccess) -> &'static str {
    match h {
        HostAccess::NoAccess => "no-access",
        HostAccess::ReadOnly => "read-only",
        HostAccess::FullAccess => "full-access",
    }
}

fn emit(node: &Node) -> String {
    let mut out = String::new();
    if let Node::Map(entries) = node {
        write_map(&mut out, entries, 0, false);
    }
    out
}

/// Writes map entries at `indent`; `first_inline` means the first key follows a `- `.
fn write_map(
    out: &mut String,
    entries: &[(&'static str, Node)],
    indent: usize,
    first_inline: bool,
) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if !(first_inline && i == 0) {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(key);
        out.push(':');
        match value {
            Node::Scalar(v) => {
                out.push(' ');
                out.push_str(&scalar(v, false));
                out.push('\n');
            }
            Node::Raw(v) => {
                out.push(' ');
                out.push_str(v);
                out.push('\n');
            }
            Node::Flow(items) => {
                out.push_str(" [");
                let items: Vec<String> = items.iter().map(|v| scalar(v, true)).collect();
                out.push_str(&items.join(", "));
                out.push_str("]\n");
            }
            // A block sequence needs an item; an empty one would read back as null.
            Node::Seq(items) if items.is_empty() => out.push_str(" []\n"),
            Node::Seq(items) => {
                out.push('\n');
                write_seq(out, items, indent + 2);
            }
            Node::Map(inner) => {
                out.push('\n');
                write_map(out, inner, indent + 2, false);
            }
        }
    }
}

fn write_seq(out: &mut String, items: &[Node], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Node::Map(entries) => write_map(out, entries, indent + 2, true),
            Node::Scalar(v) => {
                out.push_str(&scalar(v, false));
                out.push('\n');
            }
            Node::Raw(v) => {
                out.push_str(v);
                out.push('\n');
            }
            Node::Flow(items) => {
                let items: Vec<String> = items.iter().map(|v| scalar(v, true)).collect();
                out.push('[');
                out.push_str(&items.join(", "));
                out.push_str("]\n");
            }
            Node::Seq(inner) if inner.is_empty() => out.push_str("[]\n"),
            Node::Seq(inner) => {
                out.push('\n');
                write_seq(out, inner, indent + 2);
            }
        }
    }
}

/// A scalar as YAML: plain when every YAML reader reads it back as the same string,
/// double-quoted otherwise.
pub fn scalar(v: &str, in_flow: bool) -> String {
    if is_plain_safe(v, in_flow) {
        v.to_string()
    } else {
        quote(v)
    }
}

fn is_plain_safe(v: &str, in_flow: bool) -> bool {
    let Some(first) = v.chars().next() else {
        return false;
    };
    if v.trim() != v || v.contains(": ") || v.contains(" #") || v.ends_with(':') {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if v.chars()
        .any(|c| c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}')
    {
        return false;
    }
    if in_flow && v.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    !looks_typed(v)
}

/// Words and numbers that a YAML reader could take for something other than a string.
fn looks_typed(v: &str) -> bool {
    const WORDS: [&str; 14] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", ".nan",
        "<<",
    ];
    let lower = v.to_ascii_lowercase();
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    let body = lower.trim_start_matches(['+', '-']);
    if body.starts_with("0x") || body.starts_with("0o") || body.starts_with("0b") {
        return true;
    }
    // Integers, decimals and exponents, with digit separators.
    let mut seen_digit = false;
    let mut ok = !body.is_empty();
    for (i, c) in body.char_indices() {
        match c {
            '0'..='9' => seen_digit = true,
            '_' | '.' => {}
            'e' if seen_digit && i > 0 => {}
            '+' | '-' if body[..i].ends_with('e') => {}
            _ => {
                ok = false;
                break;
            }
        }
    }
    (ok && seen_digit && body.matches('.').count() <= 1) || is_date_like(v)
}

/// `2024-02-20` and friends are timestamps to YAML 1.1 readers.
fn is_date_like(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
}

fn quote(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_yaml;
    use crate::source::Sources;

    #[test]
    fn scalars_are_plain_only_when_safe() {
        assert_eq!(scalar("Container Registry", false), "Container Registry");
        assert_eq!(scalar("2.0.0", false), "2.0.0");
        assert_eq!(scalar("1.0", false), "\"1.0\"");
        assert_eq!(scalar("3.12", true), "\"3.12\"");
        assert_eq!(scalar("yes", false), "\"yes\"");
        assert_eq!(scalar("a: b", false), "\"a: b\"");
        assert_eq!(scalar("AC-4", true), "AC-4");
        assert_eq!(
            scalar("Compute, Containers", true),
            "\"Compute, Containers\""
        );
        assert_eq!(scalar("", false), "\"\"");
        assert_eq!(
            scalar("line\nbreak \"q\"", false),
            "\"line\\nbreak \\\"q\\\"\""
        );
        assert_eq!(scalar("2024-02-20", false), "\"2024-02-20\"");
        assert_eq!(scalar("'quoted'", false), "\"'quoted'\"");
    }

    /// The committed default baseline, parsed, with the sources it was read into.
    fn default_baseline() -> (Sources, Baseline) {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/baselines/container-registry.yaml"
        ))
        .unwrap();
        let mut sources = Sources::default();
        let id = sources.add("a.yaml".into(), text);
        let parsed = parse_yaml(&sources, id).unwrap();
        (sources, parsed)
    }

    /// The committed default baseline survives a write and a read unchanged.
    #[test]
    fn baseline_round_trips_through_yaml() {
        let (mut sources, original) = default_baseline();
        let written = baseline(&original);
        let id2 = sources.add("b.yaml".into(), written.clone());
        let reread: Baseline = parse_yaml(&sources, id2).unwrap();
        assert_eq!(
            serde_json::to_value(&original).unwrap(),
            serde_json::to_value(&reread).unwrap()
        );
        assert_eq!(baseline(&reread), written, "writing is deterministic");
    }

    /// Found by fuzzing `import xlsx`: a workbook none of whose rows maps to a control
    /// (the v1.1 legacy layout) gave `controls:` with nothing under it, which reads back as
    /// null and made the imported file fail to load.
    #[test]
    fn a_baseline_without_controls_loads_again() {
        let (mut sources, mut b) = default_baseline();
        b.controls.clear();
        b.security_profile.product_category.clear();
        let written = baseline(&b);
        assert!(written.contains("controls: []\n"), "{written}");
        let id2 = sources.add("b.yaml".into(), written);
        let reread: Baseline = parse_yaml(&sources, id2).unwrap();
        assert!(reread.controls.is_empty());
    }
}
