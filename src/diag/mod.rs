//! Findings about the content: what is wrong, where, and how to fix it. Collected, sorted
//! and printed all at once, never returned early, so that one run reports every problem.

mod github;
mod human;
mod json;
mod sarif;

use serde::Serialize;

use crate::source::{FileId, LineCol, Sources, Span};

pub use human::render_human;

/// `text` with what could act on a terminal replaced: control characters (escape
/// sequences, bell, carriage return), C1 controls, bidirectional overrides and invisible
/// characters. Content quoted in a diagnostic must not recolour, retitle or reorder what
/// the reader sees. Each replacement has the same length in bytes, so spans into the text
/// stay valid.
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    let acts = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if !text.chars().any(acts) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            c if !acts(c) => c,
            '\r' => ' ',
            c if c.is_ascii() => '?',
            c if c.len_utf8() == 2 => '\u{b7}',
            _ => '\u{fffd}',
        })
        .collect::<String>()
        .into()
}

/// How bad a finding is. Errors fail `check` and `build`; warnings are reported only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where a finding points: a file and, when known, a byte range in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: FileId,
    pub span: Option<Span>,
}

/// One finding: a stable code (a rule id or a load error kind), a severity, a one-line
/// message, a location, an optional label under the caret and an optional fix hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            location: None,
            label: None,
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, file: FileId, span: Span) -> Self {
        self.location = Some(Location {
            file,
            span: Some(span),
        });
        self
    }

    pub fn in_file(mut self, file: FileId) -> Self {
        self.location = Some(Location { file, span: None });
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Line and column of the start of the finding, if it has a position.
    pub fn line_col(&self, sources: &Sources) -> Option<LineCol> {
        let loc = self.location?;
        let span = loc.span?;
        Some(sources.get(loc.file).line_col(span.start))
    }

    /// `path:line:col` (or just the path) of the finding, as editors and terminals link it.
    pub fn position(&self, sources: &Sources) -> Option<String> {
        let loc = self.location?;
        let path = sources.path(loc.file).display();
        Some(match self.line_col(sources) {
            Some(lc) => format!("{path}:{}:{}", lc.line, lc.column),
            None => path.to_string(),
        })
    }
}

/// Sorts findings by file, position, then code, so output is stable across runs.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics
        .sort_by(|a, b| (a.location, a.code, &a.message).cmp(&(b.location, b.code, &b.message)));
}

pub fn error_count(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// `2 errors, 1 warning`, or nothing when there are no findings.
pub fn summary(diagnostics: &[Diagnostic]) -> Option<String> {
    let errors = error_count(diagnostics);
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (e, 0) => Some(plural(e, "error")),
        (0, w) => Some(plural(w, "warning")),
        (e, w) => Some(format!("{}, {}", plural(e, "error"), plural(w, "warning"))),
    }
}

/// How findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-style snippets for people.
    Human,
    /// A JSON array, one object per finding.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Renders findings in `format`; `color` applies to the human format only.
pub fn render(
    format: Format,
    diagnostics: &[Diagnostic],
    sources: &Sources,
    color: bool,
) -> String {
    match format {
        Format::Human => human::render_human(diagnostics, sources, color),
        Format::Json => json::render(diagnostics, sources),
        Format::Sarif => sarif::render(diagnostics, sources),
        Format::Github => github::render(diagnostics, sources),
    }
}

/// Start and end (1-based line and character column) of a finding, if it has a span.
pub fn range(d: &Diagnostic, sources: &Sources) -> Option<(LineCol, LineCol)> {
    let loc = d.location?;
    let span = loc.span?;
    let file = sources.get(loc.file);
    let start = file.line_col(span.start);
    let end = file.line_col(
        span.end
            .max(span.start + usize::from(span.end == span.start)),
    );
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inert_text_keeps_its_length_and_loses_its_effects() {
        let hostile = "a\u{1b}[31mred\u{7}\r\u{85}\u{202e}x\u{200b}\n\tok é";
        let safe = inert(hostile);
        assert_eq!(safe.len(), hostile.len());
        assert_eq!(safe, "a?[31mred? \u{b7}\u{fffd}x\u{fffd}\n\tok é");
        assert!(matches!(inert("plain é"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn summary_counts_errors_and_warnings() {
        let e = Diagnostic::error("a", "x");
        let w = Diagnostic::warning("b", "y");
        assert_eq!(summary(&[]), None);
        assert_eq!(
            summary(&[e.clone(), e.clone(), w]).as_deref(),
            Some("2 errors, 1 warning")
        );
        assert_eq!(summary(&[e]).as_deref(), Some("1 error"));
    }
}
