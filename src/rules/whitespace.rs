//! `whitespace`: no leading, trailing or doubled spaces in text.

use crate::diag::{Diagnostic, Severity};
use crate::source::Span;

use super::{texts, Context, Rule, TextKind};

pub const RULE: Rule = Rule {
    id: "whitespace",
    severity: Severity::Warning,
    summary: "text has leading, trailing or doubled spaces",
    explanation: "\
## What it does
Finds text fields that start or end with whitespace, contain two spaces in a row, or (for
names, titles and URLs) contain a line break or tab.

## Why
Microsoft's files carry titles like `Enable data at rest encryption by default  `; such
strings do not match the catalog, break exact-match filters in the workbook, and show up
as ragged text.

## Example
```yaml
title: \"Restrict resource access based on  conditions\"
```

## How to fix
Remove the extra spaces. A Markdown hard line break (two spaces at the end of a line) is
allowed inside Markdown fields.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, field, kind, text) in texts(ctx) {
        let value = &text.value;
        if value.trim().is_empty() {
            continue; // empty-text reports these
        }
        let problem = if value.trim() != value.as_str() {
            Some(("leading or trailing whitespace", None))
        } else if kind == TextKind::Line && value.contains(['\n', '\t', '\r']) {
            Some((
                "a line break or tab",
                value.find(['\n', '\t', '\r']).map(|_| "\t"),
            ))
        } else if has_double_space(value, kind) {
            Some(("two spaces in a row", Some("  ")))
        } else {
            None
        };
        let Some((what, needle)) = problem else {
            continue;
        };
        let source = &ctx.book.sources.get(file).text;
        let span = narrow(source, text.span, needle);
        out.push(
            Diagnostic::warning(RULE.id, format!("{field} has {what}"))
                .at(file, span)
                .label(what)
                .help(format!("write `{}`", collapse(value, kind))),
        );
    }
}

/// Two spaces inside a line; in Markdown, indentation and a trailing hard break are fine.
fn has_double_space(value: &str, kind: TextKind) -> bool {
    value.lines().any(|line| {
        let body = match kind {
            TextKind::Line => line,
            TextKind::Markdown => line.trim_start().trim_end_matches("  "),
        };
        body.contains("  ")
    })
}

/// Points at the offending characters when the scalar is written plainly in the file.
fn narrow(source: &str, span: Span, needle: Option<&str>) -> Span {
    let Some(needle) = needle else { return span };
    let within = source
        .get(span.start..span.end.min(source.len()))
        .unwrap_or("");
    match within.find(needle) {
        Some(i) => Span::new(span.start + i, span.start + i + needle.len()),
        None => span,
    }
}

fn collapse(value: &str, kind: TextKind) -> String {
    let collapsed = match kind {
        TextKind::Line => value.split_whitespace().collect::<Vec<_>>().join(" "),
        TextKind::Markdown => value.trim().to_string(),
    };
    let mut short: String = collapsed.chars().take(80).collect();
    if short.len() < collapsed.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_double_and_trailing_spaces() {
        let text = baseline(
            &GOOD_FEATURE.replace("title: VNet integration", "title: VNet  integration"),
            "",
        );
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "  ");
        assert_eq!(found[0].help.as_deref(), Some("write `VNet integration`"));

        let trailing = baseline(
            &GOOD_FEATURE.replace("title: VNet integration", "title: \"VNet integration \""),
            "",
        );
        assert_eq!(run(&RULE, &trailing).len(), 1);
    }

    #[test]
    fn passes_on_clean_text_and_markdown_hard_breaks() {
        assert!(run(&RULE, &baseline(GOOD_FEATURE, "")).is_empty());
        let hard_break = baseline(
            &GOOD_FEATURE.replace(
                "guidance: Deploy it into a virtual network.",
                "guidance: \"First line.  \\nSecond line.\"",
            ),
            "",
        );
        assert!(run(&RULE, &hard_break).is_empty());
    }
}
