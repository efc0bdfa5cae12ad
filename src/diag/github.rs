//! The GitHub format: workflow commands that GitHub Actions shows as annotations on the
//! pull request (`::error file=…,line=…,col=…::message`).

use std::fmt::Write as _;

use super::{json::path, range, Diagnostic, Severity};
use crate::source::Sources;

pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(loc) = d.location {
            props.push(format!(
                "file={}",
                escape_property(&super::inert(&path(sources, loc.file)))
            ));
        }
        if let Some((start, end)) = range(d, sources) {
            props.push(format!("line={}", start.line));
            props.push(format!("col={}", start.column));
            props.push(format!("endLine={}", end.line));
            props.push(format!("endColumn={}", end.column));
        }
        props.push(format!("title={}", escape_property(d.code)));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{level} {}::{}",
            props.join(","),
            escape_data(&super::inert(&message))
        );
    }
    out
}

/// Escaping of the message, as the Actions toolkit does it.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value: also `:` and `,`, which separate properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn annotations_carry_position_and_escaped_text() {
        let mut s = Sources::default();
        let f = s.add("content/b, c.yaml".into(), "key: value\n".into());
        let d = Diagnostic::warning("whitespace", "50% off\nnext")
            .at(f, Span::new(5, 10))
            .help("fix: it");
        assert_eq!(
            render(&[d], &s),
            "::warning file=content/b%2C c.yaml,line=1,col=6,endLine=1,endColumn=11,title=whitespace::50%25 off%0Anext%0Ahelp: fix: it\n"
        );
    }
}
