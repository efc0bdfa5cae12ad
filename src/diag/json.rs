//! The JSON format: an array with one object per finding, for scripts.

use serde::Serialize;

use super::{range, Diagnostic, Severity};
use crate::source::Sources;

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let findings: Vec<Finding<'_>> = diagnostics
        .iter()
        .map(|d| {
            let r = range(d, sources);
            Finding {
                rule: d.code,
                severity: d.severity,
                message: &d.message,
                file: d.location.map(|l| path(sources, l.file)),
                line: r.map(|(s, _)| s.line),
                column: r.map(|(s, _)| s.column),
                end_line: r.map(|(_, e)| e.line),
                end_column: r.map(|(_, e)| e.column),
                label: d.label.as_deref(),
                help: d.help.as_deref(),
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

/// Paths with forward slashes on every platform, as CI tools expect.
pub(super) fn path(sources: &Sources, file: crate::source::FileId) -> String {
    sources.path(file).to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn one_object_per_finding_with_positions() {
        let mut s = Sources::default();
        let f = s.add("content/a.yaml".into(), "a: b\nc: dd\n".into());
        let d = Diagnostic::error("whitespace", "m")
            .at(f, Span::new(8, 10))
            .help("h");
        let v: serde_json::Value = serde_json::from_str(&render(&[d], &s)).unwrap();
        assert_eq!(v[0]["rule"], "whitespace");
        assert_eq!(v[0]["severity"], "error");
        assert_eq!(v[0]["file"], "content/a.yaml");
        assert_eq!(
            (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
            (Some(2), Some(4))
        );
        assert_eq!(
            (v[0]["end_line"].as_u64(), v[0]["end_column"].as_u64()),
            (Some(2), Some(6))
        );
        assert_eq!(v[0]["help"], "h");
    }
}
