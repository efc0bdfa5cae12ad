//! The SARIF 2.1.0 format, for GitHub code scanning and other static-analysis viewers:
//! one run, the rule metadata of every rule, one result per finding with a stable
//! `partialFingerprints` entry so that re-runs match earlier alerts.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{json::path, range, Diagnostic, Severity};
use crate::source::Sources;

pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let rules = rule_descriptors();
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r["id"].as_str().map(|id| (id, i)))
        .collect();
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut result = json!({
                "ruleId": d.code,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": message(d) },
            });
            if let Some(i) = index.get(d.code) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(loc) = d.location {
                let mut physical = json!({
                    "artifactLocation": { "uri": path(sources, loc.file), "uriBaseId": "%SRCROOT%" }
                });
                if let Some((start, end)) = range(d, sources) {
                    physical["region"] = json!({
                        "startLine": start.line,
                        "startColumn": start.column,
                        "endLine": end.line,
                        "endColumn": end.column,
                    });
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            let key = fingerprint_key(d, sources);
            let n = occurrences.entry(key.clone()).or_insert(0);
            *n += 1;
            result["partialFingerprints"] =
                json!({ "primaryLocationLineHash": format!("{:016x}:{}", fnv1a(&key), n) });
            result
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "controlbook",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/controlbook/controlbook",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}

fn message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// What identifies a finding across edits elsewhere in the file: the rule, the file and
/// the text of its line (not the line number, which shifts).
fn fingerprint_key(d: &Diagnostic, sources: &Sources) -> String {
    let (file, line) = match (d.location, range(d, sources)) {
        (Some(loc), Some((start, _))) => (
            path(sources, loc.file),
            sources
                .get(loc.file)
                .line_text(start.line)
                .trim()
                .to_string(),
        ),
        (Some(loc), None) => (path(sources, loc.file), String::new()),
        (None, _) => (String::new(), d.message.clone()),
    };
    format!("{}\u{0}{file}\u{0}{line}", d.code)
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn rule_descriptors() -> Vec<Value> {
    let mut rules: Vec<Value> = crate::rules::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.explanation, "markdown": r.explanation },
                "defaultConfiguration": { "level": match r.severity { Severity::Error => "error", Severity::Warning => "warning" } },
            })
        })
        .collect();
    rules.extend(crate::rules::INPUT_ERRORS.iter().map(|(id, summary)| {
        json!({
            "id": id,
            "name": id,
            "shortDescription": { "text": summary },
            "fullDescription": { "text": summary },
            "help": { "text": summary },
            "defaultConfiguration": { "level": "error" },
        })
    }));
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn results_point_at_rules_and_regions() {
        let mut s = Sources::default();
        let f = s.add("content/a.yaml".into(), "a: b\nc: dd\n".into());
        let d = Diagnostic::error("missing-reference", "m").at(f, Span::new(8, 10));
        let v: Value = serde_json::from_str(&render(&[d.clone(), d], &s)).unwrap();
        let run = &v["runs"][0];
        let results = run["results"].as_array().unwrap();
        let i = results[0]["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][i]["id"], "missing-reference");
        let region = &results[0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            (Some(2), Some(4))
        );
        let a = results[0]["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        let b = results[1]["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert_ne!(a, b, "identical findings need distinct fingerprints");
        assert_eq!(a.split(':').next(), b.split(':').next());
    }
}
