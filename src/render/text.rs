//! Text helpers shared by the renderers: Markdown to sanitised HTML, links in plain text,
//! escaping for Markdown, Markdown fields made safe to embed in Markdown, and the URL tests
//! that decide whether a link may be emitted.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{html, Event, Options, Parser, Tag};

/// Whether `url` is an absolute http(s) URL that may become a link. Anything else
/// (`javascript:`, `data:`, scheme typos like `ttps://`, spaces) is shown as text only.
pub fn is_web_url(url: &str) -> bool {
    let scheme = |prefix: &str| {
        url.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
            .then(|| &url[prefix.len()..])
    };
    let Some(rest) = scheme("https://").or_else(|| scheme("http://")) else {
        return false;
    };
    // A host: something before the first `/`, `?` or `#`.
    if rest.is_empty() || rest.starts_with(['/', '?', '#']) {
        return false;
    }
    // URLs are ASCII as a rule, and bytes are far quicker to walk than characters: among
    // ASCII, whitespace and control characters are the bytes up to the space, and DEL.
    // Every byte is tested, without a branch, which the compiler vectorises (a loop that
    // stopped at the first refused byte was 1% of a build).
    let fine = |b: u8| (b > b' ') & (b < 0x7F) & (b != b'"') & (b != b'<') & (b != b'>');
    if url.bytes().fold(true, |all, b| all & fine(b)) {
        return true;
    }
    let refused = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>');
    !url.is_ascii() && !url.chars().any(refused)
}

/// The Markdown extensions of the content fields, for HTML and for the safety checks.
const MARKDOWN_OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH);

/// Renders Markdown to HTML with raw HTML and unsafe links removed.
pub fn markdown_to_html(markdown: &str) -> String {
    if is_plain(markdown) {
        // What the parser and the sanitizer make of it, without them: plain text holds
        // nothing HTML escapes.
        return format!("<p>{markdown}</p>\n");
    }
    parsed_to_html(markdown)
}

/// [`markdown_to_html`] by the parser and the sanitizer, whatever the text.
fn parsed_to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, MARKDOWN_OPTIONS);
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
    // Built once: a builder holds the sets of allowed tags and attributes, and making them
    // for every Markdown field took a tenth of `build`'s time.
    static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> =
        std::sync::LazyLock::new(|| {
            let mut builder = ammonia::Builder::default();
            builder
                .url_schemes(["http", "https", "mailto"].into_iter().collect())
                .link_rel(Some("noopener noreferrer"));
            builder
        });
    SANITIZER.clean(html).to_string()
}

/// Whether a field is one line of words and punctuation that no Markdown reader turns into
/// anything but a paragraph of itself: no character that can open a tag, a link, code,
/// math or an entity, and no line-start marker. Most fields are; they skip the parser
/// (four passes in [`safe_markdown`]) and the sanitizer.
fn is_plain(text: &str) -> bool {
    // Leading blanks can make code, trailing ones a line break; a digit, a dash or a colon
    // can open a list, a rule, front matter or a container.
    let starts_block = |c: char| c.is_ascii_digit() || matches!(c, '-' | ':' | ' ');
    !text.is_empty()
        && !text.starts_with(starts_block)
        && !text.ends_with(['-', ' '])
        && !text.contains("  ")
        && if text.is_ascii() {
            text.bytes().fold(true, |all, b| all & plain_ascii(b))
        } else {
            text.chars().all(plain_char)
        }
}

/// [`plain_char`] for an ASCII byte. Fields are mostly ASCII, and bytes are far quicker
/// to test than characters: every byte, without a branch, which the compiler vectorises
/// (a table lookup per byte stopped at the first miss, and was 1% of a build).
fn plain_ascii(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        | (b == b' ')
        | (b == b'.')
        | (b == b',')
        | (b == b';')
        | (b == b':')
        | (b == b'\'')
        | (b == b'"')
        | (b == b'(')
        | (b == b')')
        | (b == b'/')
        | (b == b'%')
        | (b == b'?')
        | (b == b'-')
}

/// A character of a plain field.
fn plain_char(c: char) -> bool {
    (c.is_alphanumeric() && !c.is_control())
        || matches!(
            c,
            ' ' | '.'
                | ','
                | ';'
                | ':'
                | '\''
                | '"'
                | '('
                | ')'
                | '/'
                | '%'
                | '?'
                | '-'
                | '‘'
                | '’'
                | '“'
                | '”'
                | '–'
                | '—'
                | '…'
        )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    push_replacing_ascii(&mut out, s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    });
    out
}

/// Appends `text` to `out` with each ASCII byte that `replace` has a replacement for
/// replaced, copying the runs between them whole. Only ASCII bytes are offered, so that
/// the text stays UTF-8.
pub fn push_replacing_ascii(
    out: &mut String,
    text: &str,
    replace: impl Fn(u8) -> Option<&'static str>,
) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if let Some(replacement) = b.is_ascii().then(|| replace(b)).flatten() {
            out.push_str(&text[start..i]);
            out.push_str(replacement);
            start = i + 1;
        }
    }
    out.push_str(&text[start..]);
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

/// Escapes plain text so that a Markdown renderer shows it literally, on one line: line
/// breaks become spaces, so a name cannot end the heading or table row it sits in.
pub fn escape_markdown(s: &str) -> String {
    escape_markdown_into(s, true)
}

/// Backslash before every character that could start Markdown syntax; line breaks kept.
fn escape_markdown_chars(s: &str) -> String {
    escape_markdown_into(s, false)
}

/// The characters that could start Markdown syntax, and line breaks.
const MARKDOWN_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let special = b"\\`*_[]<>|#!{}&~\r\n";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

/// One pass that copies the runs between special characters whole: these escapes run
/// on every text of every Markdown article.
fn escape_markdown_into(s: &str, one_line: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if !MARKDOWN_SPECIAL[usize::from(b)] || (!one_line && (b == b'\r' || b == b'\n')) {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        if b == b'\r' || b == b'\n' {
            out.push(' ');
            if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push('\\');
            out.push(char::from(b));
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
    out
}

/// Markdown destinations cannot hold spaces or parentheses unescaped, and a backslash
/// would escape the closing parenthesis.
pub fn escape_link_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + 8);
    push_replacing_ascii(&mut out, url, |b| match b {
        b' ' => Some("%20"),
        b'(' => Some("%28"),
        b')' => Some("%29"),
        b'\\' => Some("%5C"),
        _ => None,
    });
    out
}

/// Whether a link destination in content Markdown may stay a link: relative, or with an
/// `http`, `https` or `mailto` scheme, read the way browsers read it (tabs and line breaks
/// removed, leading spaces and control characters ignored, scheme case-insensitive).
pub fn is_safe_link(dest: &str) -> bool {
    let cleaned: String = dest
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = cleaned.trim_start_matches(|c: char| c <= ' ');
    match url_scheme(url) {
        None => true,
        Some(scheme) => ["http", "https", "mailto"]
            .iter()
            .any(|s| scheme.eq_ignore_ascii_case(s)),
    }
}

/// The scheme of an absolute URL; `None` for a relative one (`a/b:c`, `#x`, `./javascript:`).
fn url_scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// A Markdown field made safe to paste into our Markdown article: raw HTML is escaped so
/// that it shows as text, and links, images and link definitions whose destination is not
/// [`is_safe_link`] become their literal text. The rest of the Markdown is kept. The result
/// also closes everything it opens (an unclosed code fence would swallow the following
/// fields), so fields cannot combine into HTML or a link.
///
/// Pass the text as it will stand in the article, label included (`**Guidance**: …`),
/// because a field parses differently at the start of a block than after a label. Leading
/// blank space is dropped: an indented first line would continue a list that ends the
/// field before it.
pub fn safe_markdown(markdown: &str) -> String {
    let markdown = markdown.trim_start();
    if is_plain(markdown) {
        return markdown.to_string();
    }
    parsed_safe_markdown(markdown)
}

/// [`safe_markdown`] of `**label**: text`, the way the article shows a field. `label` is
/// ours (plain words).
pub fn safe_labelled_markdown(label: &str, text: &str) -> String {
    let text = text.trim();
    if is_plain(text) && is_plain(label) {
        return format!("**{label}**: {text}");
    }
    safe_markdown(&format!("**{label}**: {text}"))
}

/// [`safe_markdown`] by the parser, whatever the text.
fn parsed_safe_markdown(markdown: &str) -> String {
    let mut text = Cow::Borrowed(markdown);
    // Escaping can turn an HTML block back into Markdown, so check again until nothing
    // changes; a handful of rounds covers any real text.
    for _ in 0..6 {
        let edits = READER_OPTIONS
            .iter()
            .map(|&options| unsafe_markdown(&text, options))
            .find(|edits| !edits.is_empty());
        match edits {
            Some(edits) => text = Cow::Owned(apply_edits(&text, edits)),
            None if READER_OPTIONS
                .iter()
                .all(|&options| is_self_contained(&text, options)) =>
            {
                return text.into_owned()
            }
            None => break,
        }
    }
    escape_markdown_chars(markdown)
}

/// The ways readers of the article may parse it: as we do, and with every extension that
/// pulldown-cmark knows (wiki links, math, footnotes, …).
const READER_OPTIONS: [Options; 2] = [MARKDOWN_OPTIONS, Options::all()];

/// Byte ranges of raw HTML and unsafe links, with the literal text that replaces them.
fn unsafe_markdown(markdown: &str, options: Options) -> Vec<(Range<usize>, String)> {
    let parser = Parser::new_ext(markdown, options);
    let mut ranges: Vec<Range<usize>> = parser
        .reference_definitions()
        .iter()
        .filter(|(_, def)| !is_safe_link(&def.dest))
        .map(|(_, def)| def.span.clone())
        .collect();
    for (event, range) in parser.into_offset_iter() {
        let flagged = match &event {
            Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::HtmlBlock) => true,
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                !is_safe_link(dest_url)
            }
            _ => false,
        };
        if flagged {
            ranges.push(range);
        }
    }
    // Outermost ranges only: an HTML block covers its lines, a link its content.
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for range in ranges {
        if edits.last().is_some_and(|(last, _)| range.start < last.end) {
            continue;
        }
        let literal = escape_markdown_chars(&markdown[range.clone()]);
        edits.push((range, literal));
    }
    edits
}

fn apply_edits(text: &str, edits: Vec<(Range<usize>, String)>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (range, replacement) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether a paragraph after the text, separated by a blank line, is a paragraph of its own
/// at the top level: nothing in the text (a code fence, an HTML block) is left open.
fn is_self_contained(markdown: &str, options: Options) -> bool {
    const SENTINEL: &str = "controlbookendoffield";
    let probe = format!("{markdown}\n\n{SENTINEL}\n");
    let mut depth = 0usize;
    let mut parent_is_paragraph = false;
    for event in Parser::new_ext(&probe, options) {
        match event {
            Event::Start(tag) => {
                depth += 1;
                parent_is_paragraph = matches!(tag, Tag::Paragraph);
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if t.as_ref() == SENTINEL => {
                return depth == 1 && parent_is_paragraph;
            }
            _ => {}
        }
    }
    false
}

/// A string as a YAML double-quoted scalar (for front matter) that is also inert if a
/// Markdown renderer shows the front matter as text: `<`, `>`, `&`, `[`, `]`, control, bidi
/// and other invisible characters are `\u` escapes, so no tag or link can form.
pub fn yaml_double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' | '>' | '&' | '[' | ']' => push_u_escape(&mut out, c),
            c if c.is_control() || is_invisible_format(c) => push_u_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn push_u_escape(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = match u32::from(c) {
        code @ 0..=0xffff => write!(out, "\\u{code:04x}"),
        code => write!(out, "\\U{code:08x}"),
    };
}

/// Bidi controls, zero-width characters, line and paragraph separators, the BOM and
/// noncharacters: invisible, and some of them end a line in YAML 1.1.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}'
        | '\u{fdd0}'..='\u{fdef}')
        || (c as u32) & 0xfffe == 0xfffe
}

/// Text with the characters that HTML forbids (controls other than tab, line feed, form
/// feed and carriage return; noncharacters) replaced by U+FFFD, so that a page stays valid
/// and shows that something was there. Text without them is returned as it is.
pub fn replace_forbidden_html_chars(text: String) -> String {
    let bytes = text.as_bytes();
    if !has_forbidden_bytes(bytes) {
        return text;
    }
    text.char_indices()
        .map(|(i, c)| {
            if forbidden_at(bytes, i) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Whether UTF-8 text holds a character [`replace_forbidden_html_chars`] replaces, by its
/// bytes: pages are long and have none of them as a rule.
fn has_forbidden_bytes(bytes: &[u8]) -> bool {
    // Every forbidden character starts with one of these bytes. Pages hold a few of them
    // (U+00A0 starts with 0xc2), so blocks without any are passed over by a test without
    // branches, which the compiler vectorises, and only the others are read byte by byte.
    let suspect = |b: u8| {
        (b < 9)
            | (b == 11)
            | ((14..32).contains(&b))
            | (b == 0x7f)
            | (b == 0xc2)
            | (b == 0xef)
            | (b >= 0xf0)
    };
    const BLOCK: usize = 64;
    bytes.chunks(BLOCK).enumerate().any(|(n, block)| {
        block.iter().fold(false, |any, &b| any | suspect(b))
            && (n * BLOCK..n * BLOCK + block.len()).any(|i| forbidden_at(bytes, i))
    })
}

/// Whether a forbidden character starts at byte `i` of UTF-8 text: the one definition of
/// the characters [`replace_forbidden_html_chars`] replaces, read from their bytes.
fn forbidden_at(bytes: &[u8], i: usize) -> bool {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    match at(i) {
        0..=8 | 11 | 14..=31 | 0x7f => true,
        // U+0080 to U+009F.
        0xc2 => matches!(at(i + 1), 0x80..=0x9f),
        // U+FDD0 to U+FDEF, U+FFFE and U+FFFF.
        0xef => matches!(
            (at(i + 1), at(i + 2)),
            (0xb7, 0x90..=0xaf) | (0xbf, 0xbe | 0xbf)
        ),
        // U+1FFFE, U+1FFFF and the same at the end of every other plane.
        0xf0..=0xf4 => {
            at(i + 1) & 0x0f == 0x0f && at(i + 2) == 0xbf && matches!(at(i + 3), 0xbe | 0xbf)
        }
        _ => false,
    }
}

/// Markdown of a link when the URL is safe, of the escaped text otherwise.
pub fn markdown_link(text: &str, url: &str) -> String {
    markdown_link_if(text, url, is_web_url(url))
}

/// Markdown of a link to `url` when `safe`, of the escaped text otherwise.
pub fn markdown_link_if(text: &str, url: &str, safe: bool) -> String {
    if safe {
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

    /// The escapes as they were written before the one-pass versions, kept as references.
    fn escape_markdown_by_chars(s: &str, one_line: bool) -> String {
        let s = if one_line {
            s.replace("\r\n", " ").replace(['\n', '\r'], " ")
        } else {
            s.to_string()
        };
        let mut out = String::new();
        for c in s.chars() {
            if "\\`*_[]<>|#!{}&~".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }

    /// `is_web_url` as it was before its one-pass version.
    fn is_web_url_by_chars(url: &str) -> bool {
        let scheme = |prefix: &str| {
            url.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
                .then(|| &url[prefix.len()..])
        };
        let Some(rest) = scheme("https://").or_else(|| scheme("http://")) else {
            return false;
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty()
            && !url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
    }

    proptest::proptest! {
        #[test]
        fn web_urls_agree_with_their_reference(
            rest in "[a-z/?#. \"<>\t\u{7f}\u{0}é\u{85}\u{a0}\u{2028}]{0,20}",
            scheme in "(https?|HTTP|ftp)(://|:/)?",
        ) {
            let url = format!("{scheme}{rest}");
            proptest::prop_assert_eq!(is_web_url(&url), is_web_url_by_chars(&url), "{:?}", url);
        }

        #[test]
        fn escapes_agree_with_their_references(text in "[a-z \\\\`*_\\[\\]<>|#!{}&~()\r\né€\"']{0,60}") {
            proptest::prop_assert_eq!(escape_markdown(&text), escape_markdown_by_chars(&text, true));
            proptest::prop_assert_eq!(escape_markdown_chars(&text), escape_markdown_by_chars(&text, false));
            let destination = text
                .replace(' ', "%20")
                .replace('(', "%28")
                .replace(')', "%29")
                .replace('\\', "%5C");
            proptest::prop_assert_eq!(escape_link_destination(&text), destination);
            let html = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;");
            proptest::prop_assert_eq!(escape_html(&text), html);
        }
    }

    #[test]
    fn only_absolute_http_urls_are_web_urls() {
        assert!(is_web_url("https://learn.microsoft.com/azure"));
        assert!(is_web_url("http://x.org"));
        assert!(!is_web_url("ttps://learn.microsoft.com"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https://a.com/with space"));
        assert!(!is_web_url("/relative"));
        // Schemes are case-insensitive; a multi-byte character where the scheme would end
        // is no scheme.
        assert!(is_web_url("HTTPS://Learn.Microsoft.com"));
        assert!(is_web_url("Http://x.org"));
        assert!(!is_web_url("httpé://x.org"));
        assert!(!is_web_url("https:/"));
        // Refused characters, in ASCII URLs and in the others.
        for bad in [
            "\u{b}", "\t", "\u{7f}", "\"", "<", ">", "\u{0}", "\u{a0}", "\u{2028}",
        ] {
            assert!(!is_web_url(&format!("https://a.com/{bad}")), "{bad:?}");
            assert!(!is_web_url(&format!("https://a.com/é{bad}")), "{bad:?}");
        }
        assert!(is_web_url("https://a.com/é?q=ü#x"));
    }

    #[test]
    fn plain_ascii_is_plain_char_for_every_ascii_byte() {
        for b in 0..128u8 {
            assert_eq!(plain_ascii(b), plain_char(char::from(b)), "{b:#x}");
        }
    }

    #[test]
    fn plain_fields_skip_the_parser_with_the_same_result() {
        let plain = [
            "Azure Container Registry supports private endpoints.",
            "Use Microsoft Entra ID (formerly \"Azure AD\") for 99.9% of sign-ins; see docs.",
            "Don't use keys: they're long-lived / shared?",
            "Ünïcödé wörds, 漢字 and עברית.",
            "a - b -- c",
            "https://learn.microsoft.com/azure is text here",
            "Ends with a colon:",
            "Microsoft’s “typographic” quotes – and dashes — and an ellipsis…",
            "x",
        ];
        for text in plain {
            assert!(is_plain(text), "{text:?} should be plain");
            assert_eq!(markdown_to_html(text), parsed_to_html(text), "{text:?}");
            assert_eq!(safe_markdown(text), parsed_safe_markdown(text), "{text:?}");
            let labelled = format!("**Configuration Guidance**: {text}");
            assert_eq!(
                safe_labelled_markdown("Configuration Guidance", text),
                parsed_safe_markdown(&labelled),
                "{text:?}"
            );
        }
        let not_plain = [
            "",
            "    indented code",
            " leading blank",
            "trailing blank ",
            "hard  break",
            "1. a list",
            "- a list",
            "--- front matter",
            ":::note container",
            "text -",
            "a <b>tag</b>",
            "[a](javascript:x)",
            "`code`",
            "*emphasis*",
            "$math$",
            "a & b",
            "two\nlines",
            "tab\there",
            "bidi \u{202e}override",
            "zero\u{200b}width",
            "nbsp\u{a0}here",
            "# heading",
            "> quote",
        ];
        for text in not_plain {
            assert!(!is_plain(text), "{text:?} should not be plain");
        }
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
        assert_eq!(escape_markdown("a\n# b\r\n~~~"), "a \\# b \\~\\~\\~");
        assert_eq!(escape_markdown("&lt;"), "\\&lt;");
    }

    /// Raw HTML or a link that is not safe, anywhere in `markdown` rendered as one document.
    pub(crate) fn unsafe_parts(markdown: &str) -> Vec<String> {
        READER_OPTIONS
            .iter()
            .flat_map(|&options| unsafe_parts_with(markdown, options))
            .collect()
    }

    fn unsafe_parts_with(markdown: &str, options: Options) -> Vec<String> {
        let parser = Parser::new_ext(markdown, options);
        let mut found: Vec<String> = parser
            .reference_definitions()
            .iter()
            .filter(|(_, d)| !is_safe_link(&d.dest))
            .map(|(_, d)| d.dest.to_string())
            .collect();
        for event in parser {
            match event {
                Event::Html(h) | Event::InlineHtml(h) => found.push(h.to_string()),
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                    if !is_safe_link(&dest_url) =>
                {
                    found.push(dest_url.to_string())
                }
                _ => {}
            }
        }
        found
    }

    #[test]
    fn link_schemes() {
        for safe in [
            "https://x.org",
            "HTTP://x.org",
            "mailto:a@b.org",
            "page.html",
            "#x",
            "a/b:c",
            "./javascript:x",
            "",
        ] {
            assert!(is_safe_link(safe), "{safe}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            " javascript:x",
            "java\tscript:x",
            "java\nscript:x",
            "\u{1}javascript:x",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
        ] {
            assert!(!is_safe_link(bad), "{bad:?}");
        }
    }

    #[test]
    fn safe_markdown_keeps_ordinary_markdown() {
        for md in [
            "Use **bold**, `code <b>`, and [a link](https://x.org \"t\").",
            "a < b and c > d",
            "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |",
            "```\n<script>kept as code</script>\n```",
            "[rel](../x.html) ![img](https://x.org/i.png) <https://x.org>",
            "שלום Müller café",
        ] {
            assert_eq!(safe_markdown(md), md);
        }
    }

    #[test]
    fn safe_markdown_makes_html_and_unsafe_links_literal() {
        for md in [
            "<script>alert(1)</script>",
            "x <img src=x onerror=alert(1)> y",
            "[x](javascript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](&#106;avascript:alert(1))",
            "<javascript:alert(1)>",
            "![i](data:text/html;base64,AAAA)",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "<div>\n[x](javascript:alert(1))\n</div>",
            "<!-- hidden",
            "**Guidance**: <details open ontoggle=alert(1)>",
            "[**nested <b>**](javascript:x)",
            "[[javascript:alert(1)]]",
            "$<img src=x onerror=alert(1)>$",
        ] {
            let safe = safe_markdown(md);
            assert_eq!(
                unsafe_parts(&safe),
                Vec::<String>::new(),
                "{md:?} gave {safe:?}"
            );
            // The words are still there, as text.
            assert!(safe.contains("alert") || !md.contains("alert"), "{safe}");
        }
        assert_eq!(safe_markdown("<b>x</b>"), "\\<b\\>x\\</b\\>");
    }

    #[test]
    fn fields_cannot_combine_into_html() {
        // An unclosed fence would end inside the next field and expose what follows it.
        let joined = format!(
            "{}\n\n{}\n",
            safe_markdown("```"),
            safe_markdown("```\n<script>alert(1)</script>")
        );
        assert_eq!(unsafe_parts(&joined), Vec::<String>::new(), "{joined}");
        // A definition in one field would make a link of another.
        let joined = format!(
            "{}\n\n{}\n",
            safe_markdown("[x][r]"),
            safe_markdown("[r]: javascript:alert(1)")
        );
        assert_eq!(unsafe_parts(&joined), Vec::<String>::new(), "{joined}");
    }

    #[test]
    fn front_matter_strings_are_inert() {
        assert_eq!(yaml_double_quoted("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
        assert_eq!(
            yaml_double_quoted("<script>\u{202e}\u{0}"),
            "\"\\u003cscript\\u003e\\u202e\\u0000\""
        );
        assert_eq!(yaml_double_quoted("\u{1fffe}"), "\"\\U0001fffe\"");
        assert_eq!(yaml_double_quoted("שלום"), "\"שלום\"");
        assert_eq!(yaml_double_quoted("[x](y)"), "\"\\u005bx\\u005d(y)\"");
    }

    #[test]
    fn forbidden_html_characters_are_replaced() {
        assert_eq!(
            replace_forbidden_html_chars("a\u{0}b\u{1b}c\u{7f}\u{85}".into()),
            "a\u{fffd}b\u{fffd}c\u{fffd}\u{fffd}"
        );
        assert_eq!(
            replace_forbidden_html_chars("tab\tline\r\n\u{c}".into()),
            "tab\tline\r\n\u{c}"
        );
        assert_eq!(
            replace_forbidden_html_chars("\u{fdd0}\u{fffe}".into()),
            "\u{fffd}\u{fffd}"
        );
        // Each kind alone, so that the byte pre-check must let every one through.
        for c in [
            '\u{1}',
            '\u{7f}',
            '\u{9f}',
            '\u{fdef}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert_eq!(
                replace_forbidden_html_chars(format!("x{c}y")),
                "x\u{fffd}y",
                "{c:?}"
            );
        }
        // Allowed characters that share those first bytes stay.
        let allowed = "\u{a0}© \u{fb01} \u{1f600} \u{fffd}";
        assert_eq!(replace_forbidden_html_chars(allowed.into()), allowed);
        // The byte reading agrees with HTML's rule for every character.
        let forbidden = |c: char| {
            (c.is_control() && !matches!(c, '\t' | '\n' | '\u{c}' | '\r'))
                || matches!(c, '\u{fdd0}'..='\u{fdef}')
                || (c as u32) & 0xfffe == 0xfffe
        };
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let mut utf8 = [0; 4];
            let bytes = c.encode_utf8(&mut utf8).as_bytes();
            assert_eq!(forbidden_at(bytes, 0), forbidden(c), "{c:?}");
        }
        // At every offset across the scan's 64-byte blocks, after allowed suspects too.
        for offset in 0..140 {
            for c in ['\u{1}', '\u{9f}', '\u{ffff}', '\u{10ffff}'] {
                let text = format!("{allowed}{}{c}y", "x".repeat(offset));
                let expected = format!("{allowed}{}\u{fffd}y", "x".repeat(offset));
                assert_eq!(
                    replace_forbidden_html_chars(text),
                    expected,
                    "{offset} {c:?}"
                );
            }
        }
    }
}

#[cfg(test)]
mod properties {
    use super::tests::unsafe_parts;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Whatever two fields hold, the article made of them has no raw HTML and no unsafe
        /// link, and each field alone keeps its words.
        #[test]
        fn safe_fields_stay_safe_together(
            a in "(<script>|<img src=x onerror=alert(1)>|<div>|</div>|<!--|-->|\\[x\\]|\\[r\\]: |\\(|\\)|javascript:alert\\(1\\)|https://x.org|```|~~~|    |> |- |1\\. |\\*|`|\\\\|&#106;|<|>|\\||text| |\n|\n\n){0,40}",
            b in "(<script>|<img src=x onerror=alert(1)>|<div>|</div>|<!--|-->|\\[x\\]|\\[r\\]: |\\(|\\)|javascript:alert\\(1\\)|https://x.org|```|~~~|    |> |- |1\\. |\\*|`|\\\\|&#106;|<|>|\\||text| |\n|\n\n){0,40}",
        ) {
            let labelled = format!("**Label**: {}", b.trim());
            let joined = format!("{}\n\n{}\n\n{}\n", safe_markdown(a.trim()), safe_markdown(&labelled), safe_markdown(&a));
            prop_assert_eq!(unsafe_parts(&joined), Vec::<String>::new(), "{}", joined);
        }
    }
}
