//! The human format: rustc-style snippets (annotate-snippets) and a summary line.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{inert, summary, Diagnostic, Severity};
use crate::source::{Sources, Span};

/// Renders findings in rustc's style: `error[code]: message`, ` --> path:line:col`, the
/// source line with a caret under the span, and `help:`; then a summary line.
pub fn render_human(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&render_one(d, sources, &renderer));
        out.push_str("\n\n");
    }
    if let Some(summary) = summary(diagnostics) {
        let _ = writeln!(out, "{summary}");
    }
    out
}

fn render_one(d: &Diagnostic, sources: &Sources, renderer: &Renderer) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // Content quoted anywhere in a finding is made inert for the terminal first.
    let message = inert(&d.message);
    let label = d.label.as_deref().map(inert);
    let help = d.help.as_deref().map(inert);
    let title = level.primary_title(message.as_ref()).id(d.code);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let path_string;
    let snippet_string;
    match d.location {
        Some(loc) => {
            let file = sources.get(loc.file);
            path_string = inert(&file.path.display().to_string()).into_owned();
            match loc.span {
                Some(span) => {
                    let (snippet_text, line_start, rel) = excerpt(file, span);
                    snippet_string = inert(snippet_text);
                    let mut annotation = AnnotationKind::Primary.span(rel);
                    if let Some(label) = &label {
                        annotation = annotation.label(label.as_ref());
                    }
                    groups.push(
                        title.element(
                            Snippet::source(snippet_string.as_ref())
                                .line_start(line_start)
                                .path(path_string.as_str())
                                .annotation(annotation),
                        ),
                    );
                }
                None => groups
                    .push(title.element(annotate_snippets::Origin::path(path_string.as_str()))),
            }
        }
        None => groups.push(Group::with_title(title)),
    }
    if let Some(help) = &help {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(help.as_ref()),
        ));
    }
    renderer.render(&groups)
}

/// The lines around `span` and the span relative to them; the whole file would make the
/// renderer scan every line for each finding.
fn excerpt(file: &crate::source::SourceFile, span: Span) -> (&str, usize, std::ops::Range<usize>) {
    let text = file.text.as_str();
    let start = floor_boundary(text, span.start);
    let end = floor_boundary(text, span.end.max(start));
    let line_begin = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    // A span ending on a newline would point at the next line; keep it on its own line.
    let rel_end = (end - line_begin).min(line_end - line_begin);
    let rel_start = (start - line_begin).min(rel_end);
    let line_start = file.line_col(line_begin).line;
    let rel = if rel_start == rel_end {
        // An empty span (a missing value) still deserves a caret.
        rel_start..(rel_start + next_char_len(&text[line_begin + rel_start..line_end]))
    } else {
        rel_start..rel_end
    };
    (&text[line_begin..line_end], line_start, rel)
}

/// `offset` clamped into `text` and moved back to a character boundary, so that a span
/// from any source can never split a character.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn next_char_len(s: &str) -> usize {
    s.chars().next().map_or(0, char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn sources(text: &str) -> (Sources, FileId) {
        let mut s = Sources::default();
        let id = s.add("content/baselines/x.yaml".into(), text.into());
        (s, id)
    }

    #[test]
    fn human_output_names_file_line_column_and_shows_the_line() {
        let text = "service: X\nslug: x\nfoo: bar\n";
        let (s, id) = sources(text);
        let at = text.find("foo").unwrap();
        let d = Diagnostic::error("unknown-key", "unknown key `foo`")
            .at(id, Span::new(at, at + 3))
            .label("not a baseline key")
            .help("remove it");
        let out = render_human(&[d], &s, false);
        assert!(
            out.contains("error[unknown-key]: unknown key `foo`"),
            "{out}"
        );
        assert!(out.contains("--> content/baselines/x.yaml:3:1"), "{out}");
        assert!(out.contains("3 | foo: bar"), "{out}");
        assert!(out.contains("^^^ not a baseline key"), "{out}");
        assert!(out.contains("help: remove it"), "{out}");
        assert!(out.trim_end().ends_with("1 error"), "{out}");
    }

    #[test]
    fn spans_inside_a_character_do_not_panic() {
        let (s, id) = sources("a: \u{fffd}\u{fffd}\n");
        for start in 0..12 {
            let d = Diagnostic::error("x", "y").at(id, Span::new(start, start + 1));
            assert!(render_human(&[d], &s, false).contains("x.yaml:"));
        }
    }

    #[test]
    fn empty_span_at_end_of_file_does_not_panic() {
        let (s, id) = sources("a: b");
        let d = Diagnostic::error("x", "y").at(id, Span::new(4, 4));
        let out = render_human(&[d], &s, false);
        assert!(out.contains("x.yaml:1:5"), "{out}");
    }
}
