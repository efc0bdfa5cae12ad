//! Text helpers shared by the renderers: Markdown to sanitised HTML, links in plain text,
//! escaping for Markdown, and the URL test that decides whether a link may be emitted.

use pulldown_cmark::{html, Options, Parser};

/// Whether `url` is an absolute http(s) URL that may become a link. Anything else
/// (`javascript:`, `data:`, scheme typos like `ttps://`, spaces) is shown as text only.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
}

/// Renders Markdown to HTML with raw HTML and unsafe links removed.
pub fn markdown_to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut raw = String::new();
    html::push_html(&mut raw, parser);
    sanitize(&raw)
}

/// Renders Markdown and puts a bold label before it, inside its first paragraph when it
/// starts with one (`<p><strong>Label</strong>: text</p>`), as Learn articles show fields.
pub fn labelled_markdown_to_html(label: &str, markdown: &str) -> String {
    let body = markdown_to_html(markdown);
    let label = format!("<strong>{}</strong>: ", escape_html(label));
    match body.strip_prefix("<p>") {
        Some(rest) => format!("<p>{label}{rest}"),
        None => format!("<p>{label}</p>\n{body}"),
    }
}

fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Splits plain text into runs of text and the http(s) URLs in it, with trailing
/// punctuation kept out of the URL ("see https://aka.ms/x." links `https://aka.ms/x`).
pub fn split_urls(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_url_start(rest) {
        let candidate = &rest[start..];
        let len = candidate
            .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
            .unwrap_or(candidate.len());
        let url = candidate[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
        if !is_web_url(url) {
            out.push(Segment::Text(&rest[..start + len.max(1)]));
            rest = &rest[start + len.max(1)..];
            continue;
        }
        if start > 0 {
            out.push(Segment::Text(&rest[..start]));
        }
        out.push(Segment::Url(url));
        rest = &rest[start + url.len()..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

fn find_url_start(s: &str) -> Option<usize> {
    match (s.find("https://"), s.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Url(&'a str),
}

/// Plain text as HTML with its URLs as links.
pub fn autolink_html(text: &str) -> String {
    split_urls(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => escape_html(t),
            Segment::Url(u) => format!(
                "<a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a>",
                escape_html(u)
            ),
        })
        .collect()
}

/// Plain text as Markdown with its URLs as links (`[url](url)`, as Learn's policy tables).
pub fn autolink_markdown(text: &str) -> String {
    split_urls(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => escape_markdown(t),
            Segment::Url(u) => format!("[{0}]({0})", escape_link_destination(u)),
        })
        .collect()
}

/// Escapes plain text so that a Markdown renderer shows it literally.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '{' | '}'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Markdown destinations cannot hold spaces or parentheses unescaped.
pub fn escape_link_destination(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

/// Markdown of a link when the URL is safe, of the escaped text otherwise.
pub fn markdown_link(text: &str, url: &str) -> String {
    if is_web_url(url) {
        format!(
            "[{}]({})",
            escape_markdown(text),
            escape_link_destination(url)
        )
    } else {
        escape_markdown(text)
    }
}

/// Markdown for a table cell: one line, pipes escaped.
pub fn table_cell(markdown: &str) -> String {
    markdown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
        .replace("\\\\|", "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_web_urls() {
        assert!(is_web_url("https://learn.microsoft.com/azure"));
        assert!(is_web_url("http://x.org"));
        assert!(!is_web_url("ttps://learn.microsoft.com"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https://a.com/with space"));
        assert!(!is_web_url("/relative"));
    }

    #[test]
    fn markdown_html_is_sanitised() {
        let html = markdown_to_html("hi <script>alert(1)</script> [x](javascript:alert(1)) **b**");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("<strong>b</strong>"), "{html}");
    }

    #[test]
    fn labels_go_inside_the_first_paragraph() {
        assert_eq!(
            labelled_markdown_to_html("Reference", "a [b](https://x.org)"),
            "<p><strong>Reference</strong>: a <a href=\"https://x.org\" rel=\"noopener noreferrer\">b</a></p>\n"
        );
    }

    #[test]
    fn urls_in_text_are_linked_without_trailing_punctuation() {
        let segs = split_urls("see https://aka.ms/a, https://aka.ms/b and https://aka.ms/c.");
        let urls: Vec<_> = segs
            .iter()
            .filter_map(|s| match s {
                Segment::Url(u) => Some(*u),
                _ => None,
            })
            .collect();
        assert_eq!(
            urls,
            ["https://aka.ms/a", "https://aka.ms/b", "https://aka.ms/c"]
        );
        let md = autolink_markdown("at: https://aka.ms/x.");
        assert_eq!(md, "at: [https://aka.ms/x](https://aka.ms/x).");
    }

    #[test]
    fn markdown_escaping_keeps_text_literal() {
        assert_eq!(escape_markdown("a*b* [c] <d>"), "a\\*b\\* \\[c\\] \\<d\\>");
        assert_eq!(table_cell("a | b\nc"), "a \\| b c");
    }
}
