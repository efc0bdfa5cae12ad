//! `invalid-url`: links must be well-formed absolute http(s) URLs.

use crate::diag::{Diagnostic, Severity};
use crate::model::Spanned;
use crate::render::text::is_web_url;
use crate::source::FileId;

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "invalid-url",
    severity: Severity::Error,
    summary: "a link is not a well-formed absolute http(s) URL",
    explanation: "\
## What it does
Checks every URL field (references, Learn-more links, the mapping file, benchmark, domain and
control links): it must start with `http://` or `https://`, have a host, and contain no
spaces, quotes or angle brackets.

## Why
Microsoft's own mapping files carry `ttps://` typos and URLs with spaces; such links are
dead in the article and the workbook. Other schemes (`javascript:`, `data:`) are never
rendered as links, so the reader would see plain text.

## Example
```yaml
reference:
  title: Monitor Azure Container Registry
  url: ttps://learn.microsoft.com/azure/container-registry/monitor-service
```

## How to fix
Correct the URL; encode spaces as `%20`.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut urls: Vec<(FileId, &str, &Spanned<String>)> = Vec::new();
    for b in ctx.benchmarks() {
        urls.push((b.file, "benchmark link", &b.value.link));
        urls.extend(
            b.value
                .domains
                .iter()
                .map(|d| (b.file, "domain link", &d.link)),
        );
        urls.extend(
            b.value
                .controls
                .iter()
                .map(|c| (b.file, "control link", &c.link)),
        );
    }
    if let Some(cat) = ctx.feature_catalog() {
        for f in &cat.value.features {
            urls.extend(
                f.learn_more
                    .iter()
                    .map(|l| (cat.file, "learn_more link", l)),
            );
        }
    }
    for (file, baseline) in ctx.baselines() {
        urls.extend(
            baseline
                .mapping_file
                .iter()
                .map(|m| (file, "mapping_file link", m)),
        );
        for c in &baseline.controls {
            for e in &c.features {
                urls.extend(e.learn_more.iter().map(|l| (file, "learn_more link", l)));
                urls.extend(e.reference.iter().map(|r| (file, "reference url", &r.url)));
            }
        }
    }
    for (file, what, url) in urls {
        if !is_web_url(&url.value) {
            out.push(
                Diagnostic::error(
                    RULE.id,
                    format!("{what} `{}` is not a valid http(s) URL", url.value),
                )
                .at(file, url.span)
                .label(problem(&url.value))
                .help(fix(&url.value)),
            );
        }
    }
}

fn problem(url: &str) -> &'static str {
    let lower = url.to_ascii_lowercase();
    if url.trim().is_empty() {
        "empty URL"
    } else if url.chars().any(char::is_whitespace) {
        "contains whitespace"
    } else if lower.starts_with("javascript:") || lower.starts_with("data:") {
        "not a web link"
    } else if !lower.starts_with("http://") && !lower.starts_with("https://") {
        "does not start with http:// or https://"
    } else {
        "missing or malformed host"
    }
}

fn fix(url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("ttps://")
        || lower.starts_with("htps://")
        || lower.starts_with("http//")
        || lower.starts_with("https//")
    {
        let rest = url.split_once("//").map_or("", |(_, r)| r);
        format!("did you mean `https://{rest}`?")
    } else if url.chars().any(char::is_whitespace) {
        format!("encode spaces: `{}`", url.trim().replace(' ', "%20"))
    } else {
        "use an absolute URL such as `https://learn.microsoft.com/…`".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn with_url(url: &str) -> String {
        baseline(&GOOD_FEATURE.replace("https://example.org/docs", url), "")
    }

    #[test]
    fn fires_on_typos_spaces_missing_host_and_scripts() {
        for bad in [
            "ttps://example.org/docs",
            "\"https://example.org/a b\"",
            "https://",
            "javascript:alert(1)",
            "/relative/path",
        ] {
            let text = with_url(bad);
            let found = run(&RULE, &text);
            assert_eq!(found.len(), 1, "{bad}");
            assert!(
                pointed(&text, &found[0]).contains(bad.trim_matches('"')),
                "{bad}"
            );
        }
        let typo = run(&RULE, &with_url("ttps://example.org/docs"));
        assert_eq!(
            typo[0].help.as_deref(),
            Some("did you mean `https://example.org/docs`?")
        );
    }

    #[test]
    fn passes_on_absolute_https_urls() {
        assert!(run(&RULE, &with_url("https://learn.microsoft.com/azure/x#y")).is_empty());
    }
}
