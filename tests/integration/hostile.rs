//! Hostile text in every text field of a book: markup, script URLs, template syntax,
//! formulas, control and bidi characters, very long words. Every output must show it as
//! text: no script, event handler or non-web link in the site or in the Markdown rendered
//! by a Markdown renderer, no formula in the workbooks or the CSV, and legitimate text
//! (Hebrew, accents, `a < b`) reads as written.

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;

use crate::common::*;

/// Strings an attacker or a careless import could put in any text field.
pub const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<style>body{display:none}</style>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "<javascript:alert(1)>",
    "![i](javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<div>\n[x](javascript:alert(1))\n</div>",
    "```\n<script>alert(1)</script>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https://evil.example/'onmouseover='alert(1)'",
    "\" onmouseover=\"alert(1)",
    "' onmouseover='alert(1)",
    "\"><script>alert(1)</script>",
    "</table></td></tr><script>alert(1)</script>",
    "<!-- x",
    "-->",
    "<![CDATA[ x ]]>",
    "<iframe src=https://evil.example></iframe>",
    "<form action=https://evil.example><button>x</button></form>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<details open ontoggle=alert(1)>",
    "<base href=https://evil.example/>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<object data=javascript:alert(1)>",
    "| a | b |\n|---|---|\n| <b onclick=alert(1)>c</b> | d |",
    "{{ 7*7 }}",
    "{% raw %}x{% endraw %}{% if true %}y{% endif %}",
    "{# comment #}${7*7}",
    "\u{202e}evil\u{202c} and \u{2066}isolate\u{2069}",
    "zero\u{200b}width\u{200d}joiner\u{feff}",
    "nul\u{0}byte",
    "ctl\u{1}\u{7}\u{1b}[31mred\u{1b}[0m\u{7f}\u{85}",
    "line\u{2028}separator\u{2029}",
    "שלום עולם",
    "Müller café",
    "a < b and c > d & e",
    "_x0041_ stays",
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=HYPERLINK(\"https://evil.example\",\"x\")",
    "\\",
];

/// A word of 10,000 letters: breaks layouts and column widths, not the build.
fn long_word() -> String {
    "A".repeat(10_000)
}

/// The corpus, with the long word.
fn corpus() -> Vec<String> {
    let mut all: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    all.push(long_word());
    all
}

/// Keys whose values are ids or vocabulary, checked when the book loads; the other strings
/// are free text.
const VALIDATED: &[&str] = &[
    "slug",
    "benchmark",
    "id",
    "feature",
    "supported",
    "enabled_by_default",
    "responsibility",
    "host_os_access",
    "control",
    "domain",
];

/// The default baseline as a generic value.
fn default_baseline() -> Value {
    let text =
        std::fs::read_to_string(repo_root().join("content/baselines/container-registry.yaml"))
            .unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

fn catalog(path: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(path)).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

/// JSON is YAML: written this way, any string is quoted correctly. The characters YAML
/// does not allow raw (DEL, C1 controls, noncharacters) become escapes.
fn to_yaml(value: &Value) -> String {
    let json = serde_json::to_string_pretty(value).unwrap();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        let code = u32::from(c);
        if (0x7f..=0x9f).contains(&code)
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
            || code & 0xfffe == 0xfffe
        {
            out.push_str(&format!("\\u{code:04x}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces every free-text string below `value` with `text`.
fn fill_text(value: &mut Value, key: Option<&str>, text: &str) {
    match value {
        Value::String(s) if !key.is_some_and(|k| VALIDATED.contains(&k)) => *s = text.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|v| fill_text(v, key, text)),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                fill_text(v, Some(k), text);
            }
        }
        _ => {}
    }
}

/// The default baseline with `text` in every free-text field, the optional ones added.
fn hostile_baseline(slug: &str, text: &str) -> Value {
    let mut b = default_baseline();
    let t = Value::String(text.to_string());
    b["last_reviewed"] = t.clone();
    b["intro"] = serde_json::json!([text, format!("para {text}")]);
    for control in b["controls"].as_array_mut().unwrap() {
        control["guidance"] = t.clone();
        control["guidance_notes"] = t.clone();
        control["responsibility"] = "customer".into();
        for f in control["features"].as_array_mut().unwrap() {
            for key in [
                "guidance",
                "feature_notes",
                "additional_guidance",
                "guidance_notes",
                "name",
                "description",
                "learn_more",
            ] {
                f[key] = t.clone();
            }
            // One paragraph, so that the workbook's Guidance cell (guidance, additional
            // and custom guidance together) stays under Excel's 32,767 characters with the
            // 10,000-letter word; `limits.rs` checks what happens above it.
            f["custom_guidance"] = serde_json::json!([format!("para {text}")]);
            f["reference"] = serde_json::json!({ "title": text, "url": text });
        }
    }
    fill_text(&mut b, None, text);
    b["slug"] = slug.into();
    b
}

/// Fills the catalogs' free text with the corpus, one string after another.
fn rotate_text(value: &mut Value, key: Option<&str>, corpus: &[String], next: &mut usize) {
    match value {
        Value::String(s) if !key.is_some_and(|k| VALIDATED.contains(&k)) => {
            *s = corpus[*next % corpus.len()].clone();
            *next += 1;
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| rotate_text(v, key, corpus, next)),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                rotate_text(v, Some(k), corpus, next);
            }
        }
        _ => {}
    }
}

/// The default book with one baseline `hostile-<i>` per string of `corpus`, that string in
/// each of its text fields; the catalogs' text and the book's title drawn from the corpus
/// too. The default baseline stays, as a reference of ordinary output.
fn hostile_book(corpus: &[String]) -> tempfile::TempDir {
    let book = default_book();
    let root = book.path();
    for (i, text) in corpus.iter().enumerate() {
        let slug = format!("hostile-{i}");
        let yaml = to_yaml(&hostile_baseline(&slug, text));
        std::fs::write(root.join(format!("content/baselines/{slug}.yaml")), yaml).unwrap();
    }
    let mut next = 0;
    for path in ["content/features.yaml", "content/benchmarks/mcsb-v1.yaml"] {
        let mut value = catalog(path);
        rotate_text(&mut value, None, corpus, &mut next);
        std::fs::write(root.join(path), to_yaml(&value)).unwrap();
    }
    let config = std::fs::read_to_string(root.join("book.toml")).unwrap();
    let mut config: toml::Table = toml::from_str(&config).unwrap();
    let book_table = config["book"].as_table_mut().unwrap();
    book_table.insert("title".into(), corpus[0].clone().into());
    book_table.insert(
        "description".into(),
        corpus[1 % corpus.len()].clone().into(),
    );
    std::fs::write(root.join("book.toml"), toml::to_string(&config).unwrap()).unwrap();
    book
}

/// Builds with rules capped to warnings (hostile URLs and effects are findings); the build
/// itself must succeed.
fn build_capped(root: &Path) {
    let (code, _, stderr) = run(root, &["build", "--cap-lints", "warn"]);
    assert_eq!(code, Some(0), "{}", tail(&stderr));
    assert!(!stderr.contains("panicked"), "{}", tail(&stderr));
}

fn tail(s: &str) -> &str {
    let start = s.len().saturating_sub(3000);
    let start = (start..s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0);
    &s[start..]
}

// ---------------------------------------------------------------------------------------
// A small HTML tokenizer: enough of the HTML5 tokenizer to find every tag and attribute a
// browser would find (comments, raw-text elements, quoted and unquoted values, entities).

#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// The text of a raw-text element (script, style, …).
    pub raw_text: String,
}

/// Start tags of `html`, as a browser tokenizes them.
pub fn start_tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &html[i..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            i += comment.find("-->").map_or(rest.len(), |e| e + 7);
            continue;
        }
        match b.get(i + 1) {
            Some(b'!' | b'?') => {
                i += rest.find('>').map_or(rest.len(), |e| e + 1);
            }
            Some(b'/') if b.get(i + 2).is_some_and(u8::is_ascii_alphabetic) => {
                i += rest.find('>').map_or(rest.len(), |e| e + 1);
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (tag, len) = start_tag(rest);
                i += len;
                let mut tag = tag;
                if RAW_TEXT.contains(&tag.name.as_str()) {
                    let close = format!("</{}", tag.name);
                    let lower = html[i..].to_ascii_lowercase();
                    let end = lower.find(&close).unwrap_or(lower.len());
                    tag.raw_text = html[i..i + end].to_string();
                    i += end;
                }
                tags.push(tag);
            }
            _ => i += 1,
        }
    }
    tags
}

const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// Parses the start tag at the beginning of `s`: the tag and its length in bytes.
fn start_tag(s: &str) -> (Tag, usize) {
    let b = s.as_bytes();
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    let mut i = 1;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = s[1..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            i = (i + 1).min(b.len());
            break;
        }
        let start = i;
        i += 1; // a first `=` belongs to the name
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr = s[start..i].to_ascii_lowercase();
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = s[i + 1..].find(q as char).map_or(s.len(), |e| i + 1 + e);
                    value = s[i + 1..end].to_string();
                    i = (end + 1).min(b.len());
                }
                _ => {
                    let start = i;
                    while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    value = s[start..i].to_string();
                }
            }
        }
        attrs.push((attr, decode_entities(&value)));
    }
    (
        Tag {
            name,
            attrs,
            raw_text: String::new(),
        },
        i,
    )
}

/// Character references as a browser decodes them in attribute values.
fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let named = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&apos;", '\''),
            ("&colon;", ':'),
            ("&Tab;", '\t'),
            ("&NewLine;", '\n'),
        ];
        if let Some((n, c)) = named.iter().find(|(n, _)| rest.starts_with(n)) {
            out.push(*c);
            rest = &rest[n.len()..];
        } else if let Some(num) = rest.strip_prefix("&#") {
            let (hex, digits) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let len = digits
                .find(|c: char| {
                    !(if hex {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    })
                })
                .unwrap_or(digits.len());
            let code = u32::from_str_radix(&digits[..len], if hex { 16 } else { 10 }).ok();
            match code.and_then(char::from_u32) {
                Some(c) if len > 0 => {
                    out.push(c);
                    let used = num.len() - digits.len() + len;
                    rest = &num[used..];
                    rest = rest.strip_prefix(';').unwrap_or(rest);
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Whether a URL attribute's value is relative or http(s)/mailto, read as browsers read it.
pub fn is_safe_url(value: &str) -> bool {
    let cleaned: String = value
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = cleaned.trim_start_matches(|c: char| c <= ' ');
    let Some(colon) = url.find(':') else {
        return true;
    };
    let scheme = &url[..colon];
    let is_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    !is_scheme || ["http", "https", "mailto"].contains(&scheme.to_ascii_lowercase().as_str())
}

const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "cite",
    "data",
    "background",
    "xlink:href",
    "ping",
    "manifest",
    "longdesc",
    "srcset",
];

/// Elements that run code, load a document or change where links go; none may come from
/// content. The theme's own script, link, meta and svg tags are checked apart; the theme's
/// inputs, selects and buttons do nothing without a form or a handler, which are checked.
const DANGEROUS_TAGS: &[&str] = &[
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "form",
    "math",
    "template",
    "portal",
    "noscript",
    "xmp",
    "plaintext",
    "video",
    "audio",
    "source",
    "track",
];

/// The problems of one HTML document: scripts other than the theme's, event handlers,
/// non-web URLs, dangerous elements. Empty when the document is inert.
pub fn html_problems(html: &str, theme_scripts: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for tag in start_tags(html) {
        let attr = |name: &str| {
            tag.attrs
                .iter()
                .find(|(a, _)| a == name)
                .map(|(_, v)| v.as_str())
        };
        for (name, value) in &tag.attrs {
            if name.starts_with("on") {
                problems.push(format!("<{}> has event handler {name}={value:?}", tag.name));
            }
            if matches!(name.as_str(), "style" | "srcdoc" | "http-equiv") {
                problems.push(format!("<{}> has {name}={value:?}", tag.name));
            }
            if URL_ATTRIBUTES.contains(&name.as_str()) && !is_safe_url(value) {
                problems.push(format!("<{}> has {name}={value:?}", tag.name));
            }
        }
        let theme_script = |src: &str| theme_scripts.iter().any(|s| src.ends_with(s));
        match tag.name.as_str() {
            "script"
                if !attr("src").is_some_and(theme_script) || !tag.raw_text.trim().is_empty() =>
            {
                problems.push(format!("script {:?} {:?}", tag.attrs, tag.raw_text));
            }
            "link" => {
                let rel = attr("rel").unwrap_or("");
                let href = attr("href").unwrap_or("");
                if !matches!(rel, "stylesheet" | "icon") || !href.contains("assets/") {
                    problems.push(format!("link {:?}", tag.attrs));
                }
            }
            "meta" => {
                let known = attr("charset").is_some()
                    || matches!(
                        attr("name"),
                        Some("viewport" | "description" | "generator" | "controlbook-root")
                    );
                if !known {
                    problems.push(format!("meta {:?}", tag.attrs));
                }
            }
            "svg" | "circle" | "path" => {
                let allowed = [
                    "viewbox",
                    "width",
                    "height",
                    "aria-hidden",
                    "cx",
                    "cy",
                    "r",
                    "d",
                    "fill",
                    "stroke",
                    "stroke-width",
                ];
                if let Some((a, _)) = tag
                    .attrs
                    .iter()
                    .find(|(a, _)| !allowed.contains(&a.as_str()))
                {
                    problems.push(format!("<{}> has {a}", tag.name));
                }
            }
            name if DANGEROUS_TAGS.contains(&name) => {
                problems.push(format!("<{name}> {:?}", tag.attrs))
            }
            _ => {}
        }
    }
    problems
}

const THEME_SCRIPTS: &[&str] = &["assets/theme.js", "assets/nav.js", "assets/site.js"];

/// The text a reader sees of a field holding `s`: whitespace folded, characters HTML
/// forbids shown as U+FFFD.
fn as_read(s: &str) -> String {
    let shown: String = s
        .chars()
        .map(|c| {
            let code = u32::from(c);
            let forbidden = (c.is_control() && !matches!(c, '\t' | '\n' | '\u{c}' | '\r'))
                || (0xfdd0..=0xfdef).contains(&code)
                || code & 0xfffe == 0xfffe;
            if forbidden {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    fold_whitespace(&shown)
}

/// Every `<script`-free, handler-free, link-safe page; the heading and the service list
/// show each string as written.
fn check_site(out: &Path, corpus: &[String]) {
    let files = files_below(&out.join("site"));
    let mut problems = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        for p in html_problems(&html, THEME_SCRIPTS) {
            problems.push(format!("{path}: {p}"));
        }
        if let Some(c) = html.chars().find(|c| c.is_control() && !c.is_whitespace()) {
            problems.push(format!("{path}: control character {c:?}"));
        }
        let scripts = html.matches("<script").count();
        if scripts != THEME_SCRIPTS.len() {
            problems.push(format!("{path}: {scripts} <script> tags"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let index = html_text(std::str::from_utf8(&files["index.html"]).unwrap());
    for (i, s) in corpus.iter().enumerate() {
        let page = std::str::from_utf8(&files[&format!("hostile-{i}/index.html")]).unwrap();
        let text = html_text(page);
        let heading = format!("Azure security baseline for {}", as_read(s));
        assert!(
            text.contains(&heading),
            "hostile-{i}: {heading:?} not in the page"
        );
        assert!(
            index.contains(&as_read(s)),
            "hostile-{i}: {s:?} not on the index"
        );
        // Template syntax in content stays text; a template engine would print 49.
        assert!(!text.contains("baseline for 49"), "hostile-{i}: evaluated");
    }
}

/// Markdown events from our own template that are HTML: the policy table's header.
const OUR_MARKDOWN_HTML: &[&str] = &["<br />", "<sub>", "</sub>"];

/// The articles rendered by pulldown-cmark have no raw HTML but ours, no unsafe link, and
/// an inert HTML rendering; the heading reads as written.
fn check_markdown(out: &Path, corpus: &[String]) {
    use pulldown_cmark::{html, Event, Options, Parser, Tag};
    let files = files_below(&out.join("md"));
    assert!(files.len() > corpus.len(), "{:?}", files.keys());
    let mut problems = Vec::new();
    for (path, bytes) in &files {
        let md = String::from_utf8(bytes.clone()).unwrap();
        // Without the metadata option the front matter is rendered as text too.
        for options in [
            Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
            Options::all(),
        ] {
            let parser = Parser::new_ext(&md, options);
            for (_, def) in parser.reference_definitions().iter() {
                if !is_safe_url(&def.dest) {
                    problems.push(format!("{path}: link definition {:?}", def.dest));
                }
            }
            let events: Vec<Event> = parser.collect();
            for event in &events {
                match event {
                    Event::Html(h) | Event::InlineHtml(h)
                        if !OUR_MARKDOWN_HTML.contains(&h.trim()) =>
                    {
                        problems.push(format!("{path}: raw HTML {h:?}"));
                    }
                    Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                        if !is_safe_url(dest_url) =>
                    {
                        problems.push(format!("{path}: link to {dest_url:?}"));
                    }
                    _ => {}
                }
            }
            let mut rendered = String::new();
            html::push_html(&mut rendered, events.into_iter());
            for p in html_problems(&rendered, &[]) {
                problems.push(format!("{path} rendered: {p}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for (i, s) in corpus.iter().enumerate() {
        let md = std::str::from_utf8(&files[&format!("hostile-{i}-security-baseline.md")]).unwrap();
        let heading = format!("Azure security baseline for {}", as_read(s));
        assert!(
            markdown_text(md).contains(&heading),
            "hostile-{i}: {heading:?} not in the article"
        );
    }
}

/// A sheet's name and rows.
pub type Sheet = (String, Vec<Vec<Data>>);

/// A workbook's sheets as rows of cells, and its problems: a formula, a cell that is not
/// text, a hyperlink that is not http(s).
pub fn read_workbook(path: &Path) -> (Vec<Sheet>, Vec<String>) {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let mut sheets = Vec::new();
    let mut problems = Vec::new();
    let shown = path.display();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        for (r, c, f) in formulas.used_cells().filter(|(_, _, f)| !f.is_empty()) {
            problems.push(format!(
                "{shown}: {name} row {r} col {c} is the formula {f:?}"
            ));
        }
        let range = book.worksheet_range(&name).unwrap();
        for (r, c, cell) in range.used_cells() {
            if !matches!(cell, Data::String(_) | Data::Empty) {
                problems.push(format!("{shown}: {name} row {r} col {c} is {cell:?}"));
            }
        }
        for link in book.hyperlinks_by_sheet_name(&name).unwrap() {
            let target = link.target.clone().unwrap_or_default();
            if !(target.starts_with("https://") || target.starts_with("http://")) {
                problems.push(format!("{shown}: {name} links to {target:?}"));
            }
        }
        sheets.push((name, range.rows().map(<[Data]>::to_vec).collect()));
    }
    (sheets, problems)
}

/// The sheets of a workbook that must be all text, with plain links.
pub fn check_workbook(path: &Path) -> Vec<Sheet> {
    let (sheets, problems) = read_workbook(path);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    sheets
}

fn check_spreadsheets(out: &Path, corpus: &[String]) {
    let mut names = BTreeSet::new();
    for (path, _) in files_below(&out.join("xlsx")) {
        names.insert(path.clone());
        check_workbook(&out.join("xlsx").join(&path));
    }
    assert!(names.contains("all-baselines.xlsx"), "{names:?}");
    for (i, s) in corpus.iter().enumerate() {
        let path = out.join(format!("xlsx/hostile-{i}-security-baseline.xlsx"));
        let sheets = check_workbook(&path);
        let summary = &sheets
            .iter()
            .find(|(n, _)| n == "Feature Summary")
            .unwrap()
            .1;
        // Column F, "Feature Name", holds the string in every feature row.
        let names: BTreeSet<String> = summary[1..]
            .iter()
            .filter(|row| row[5] != Data::String("No Related Feature".into()))
            .map(|row| row[5].to_string())
            .collect();
        assert_eq!(
            names,
            BTreeSet::from([s.clone()]),
            "hostile-{i}: {s:?} in the workbook"
        );

        let csv_path = out.join(format!("csv/hostile-{i}-security-baseline.csv"));
        let mut reader = csv::Reader::from_path(&csv_path).unwrap();
        let mut seen = BTreeSet::new();
        for record in reader.records() {
            let record = record.unwrap();
            for cell in record.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "hostile-{i}: CSV cell {cell:?} could be a formula"
                );
            }
            seen.insert(record[5].to_string());
        }
        let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{s}")
        } else {
            s.clone()
        };
        assert!(
            seen.contains(&neutral),
            "hostile-{i}: {neutral:?} not in {seen:?}"
        );

        let json: Value = serde_json::from_slice(
            &std::fs::read(out.join(format!("json/hostile-{i}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            json["service"],
            Value::String(s.clone()),
            "hostile-{i} JSON"
        );
    }
}

#[test]
fn hostile_text_is_inert_and_reads_as_written_in_every_output() {
    let corpus = corpus();
    assert!(corpus.len() >= 40);
    let book = hostile_book(&corpus);
    let root = book.path();
    build_capped(root);
    let out = root.join("output");
    check_site(&out, &corpus);
    check_markdown(&out, &corpus);
    check_spreadsheets(&out, &corpus);

    // Diagnostics quote the hostile text: the machine formats stay well-formed, one
    // GitHub command per line.
    let (code, stdout, _) = run(root, &["check", "--cap-lints", "warn", "--format", "json"]);
    assert_eq!(code, Some(0));
    let findings: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert!(findings.len() > corpus.len());
    let (_, stdout, _) = run(
        root,
        &["check", "--cap-lints", "warn", "--format", "github"],
    );
    assert!(
        stdout.lines().all(|l| l.starts_with("::")),
        "{}",
        tail(&stdout)
    );
}

/// A terminal must not receive escape sequences or bidi overrides from content: they can
/// recolour, retitle or rewrite what the terminal shows.
#[test]
fn diagnostics_do_not_pass_terminal_escapes() {
    let corpus = vec!["ctl\u{1b}]0;title\u{7}\u{1b}[31mred\u{202e}x".to_string()];
    let book = hostile_book(&corpus);
    for format in ["human", "github"] {
        let (_, stdout, stderr) = run(
            book.path(),
            &["check", "--cap-lints", "warn", "--format", format],
        );
        for c in ['\u{1b}', '\u{7}', '\u{202e}'] {
            let line = (stdout.lines().chain(stderr.lines())).find(|l| l.contains(c));
            assert!(line.is_none(), "{format}: {c:?} in {line:?}");
        }
    }
}

/// Ids and vocabulary fields refuse hostile strings with an input error that names each
/// file, never a panic.
#[test]
fn hostile_ids_and_vocabulary_are_clean_input_errors() {
    let corpus = corpus();
    type Edit = fn(&mut Value, &str);
    let edits: &[(&str, Edit)] = &[
        ("slug", |b, s| b["slug"] = s.into()),
        ("benchmark", |b, s| b["benchmark"] = s.into()),
        ("control id", |b, s| b["controls"][0]["id"] = s.into()),
        ("feature id", |b, s| {
            b["controls"][0]["features"][0]["feature"] = s.into()
        }),
        ("supported", |b, s| {
            b["controls"][0]["features"][0]["supported"] = s.into()
        }),
        ("responsibility", |b, s| {
            b["controls"][0]["features"][0]["responsibility"] = s.into()
        }),
        ("host_os_access", |b, s| {
            b["security_profile"]["host_os_access"] = s.into()
        }),
        ("deployable_into_vnet", |b, s| {
            b["security_profile"]["deployable_into_vnet"] = s.into()
        }),
    ];
    for (what, edit) in edits {
        let book = default_book();
        let root = book.path();
        std::fs::remove_file(root.join("content/baselines/container-registry.yaml")).unwrap();
        for (i, s) in corpus.iter().enumerate() {
            let mut b = default_baseline();
            b["slug"] = format!("hostile-{i}").into();
            edit(&mut b, s);
            let path = root.join(format!("content/baselines/hostile-{i}.yaml"));
            std::fs::write(path, to_yaml(&b)).unwrap();
        }
        let (code, stdout, stderr) = run(root, &["check", "--format", "json"]);
        assert_eq!(code, Some(2), "{what}: {}", tail(&stderr));
        assert!(!stderr.contains("panicked"), "{what}: {}", tail(&stderr));
        let findings: Vec<Value> = serde_json::from_str(&stdout).unwrap();
        let files: BTreeSet<&str> = findings
            .iter()
            .filter(|f| f["severity"] == "error")
            .filter_map(|f| f["file"].as_str())
            .collect();
        for (i, s) in corpus.iter().enumerate() {
            let file = format!("content/baselines/hostile-{i}.yaml");
            assert!(
                files.contains(file.as_str()),
                "{what}: no error for {s:?} ({file})"
            );
        }
        // The human format names the file too, and the build writes nothing.
        let (code, _, stderr) = run(root, &["build"]);
        assert_eq!(code, Some(2), "{what}");
        assert!(
            stderr.contains("content/baselines/hostile-0.yaml"),
            "{what}"
        );
        assert!(!root.join("output").exists(), "{what}");
    }
}

// ---------------------------------------------------------------------------------------
// Spreadsheet safety, seen by other readers than calamine.

/// Text that spreadsheets evaluate when it is a formula or typed into a cell.
const FORMULAS: &[&str] = &[
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=HYPERLINK(\"https://evil.example\",\"x\")",
    "=cmd|' /C calc'!A0",
    "Müller café",
    "שלום עולם",
    "a < b",
];

/// Lists every formula cell of the workbooks named on the command line, as openpyxl
/// reads them (`data_type == "f"`), and whether the expected strings are there as text.
const OPENPYXL_SCRIPT: &str = r#"
import json, os, sys
import openpyxl
expected = set(json.loads(os.environ["EXPECTED"]))
formulas, cells, found = [], 0, set()
for path in sys.argv[1:]:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cells += 1
                if cell.data_type == "f":
                    formulas.append(f"{os.path.basename(path)}:{sheet.title}!{cell.coordinate}={cell.value!r}")
                if cell.data_type == "s" and cell.value in expected:
                    found.add(cell.value)
print(json.dumps({"cells": cells, "formulas": formulas, "found": sorted(found)}))
"#;

/// A tool a test needs: present, or skipped with a notice, or a failure in CI when the
/// tool is `required_in_ci`.
fn tool_available(what: &str, present: bool, required_in_ci: bool) -> bool {
    if present {
        return true;
    }
    if required_in_ci && std::env::var_os("CI").is_some() {
        panic!("{what} is missing: CI must provide it (.ci/run installs it)");
    }
    eprintln!("skipped: {what} is not available");
    false
}

fn has_openpyxl() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs openpyxl over `workbooks`: (cells read, formula cells, expected strings found).
fn openpyxl_report(workbooks: &[std::path::PathBuf]) -> (u64, Vec<String>, Vec<String>) {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(OPENPYXL_SCRIPT)
        .args(workbooks)
        .env(
            "EXPECTED",
            serde_json::to_string(&as_openpyxl_reads(FORMULAS)).unwrap(),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    (
        report["cells"].as_u64().unwrap(),
        strings(&report["formulas"]),
        strings(&report["found"]),
    )
}

/// The strings as openpyxl reads them: the workbook stores a carriage return as the OOXML
/// escape `_x000D_` (XML would turn a raw one into a line feed), which Excel and calamine
/// decode and openpyxl shows as it is.
fn as_openpyxl_reads(strings: &[&str]) -> Vec<String> {
    strings.iter().map(|s| s.replace('\r', "_x000D_")).collect()
}

/// LibreOffice's command, if installed.
fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|cmd| {
        std::process::Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Converts every sheet of `xlsx` to CSV with headless LibreOffice (7.2 or later), as it
/// shows them, and returns the CSV of `sheet`; `None` when LibreOffice wrote no such file.
fn libreoffice_csv(cmd: &str, xlsx: &Path, sheet: &str, dir: &Path) -> Option<String> {
    let profile = dir.join("profile");
    let mut child = std::process::Command::new(cmd)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--norestore", "--convert-to"])
        // Comma, double quote, UTF-8, …, the last field -1: every sheet to its own file.
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
        .arg("--outdir")
        .arg(dir)
        .arg(xlsx)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "LibreOffice failed: {status}");
            break;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("LibreOffice did not convert {} in 180 s", xlsx.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let stem = xlsx.file_stem().unwrap().to_string_lossy();
    std::fs::read_to_string(dir.join(format!("{stem}-{sheet}.csv"))).ok()
}

/// Formula-like text in every field is text in both workbooks for calamine and openpyxl,
/// LibreOffice shows `=1+1` and not 2, and the CSV carries a leading apostrophe.
#[test]
fn spreadsheet_cells_are_never_formulas() {
    let corpus: Vec<String> = FORMULAS.iter().map(|s| s.to_string()).collect();
    let book = hostile_book(&corpus);
    build_capped(book.path());
    let out = book.path().join("output");
    check_spreadsheets(&out, &corpus);
    let workbooks: Vec<_> = files_below(&out.join("xlsx"))
        .into_keys()
        .map(|name| out.join("xlsx").join(name))
        .collect();
    assert_eq!(workbooks.len(), corpus.len() + 2, "{workbooks:?}");

    // The checks find a formula when there is one.
    let planted = book.path().join("planted.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_formula(0, 0, "=1+1").unwrap();
    sheet.write_string(1, 0, "=1+1").unwrap();
    workbook.save(&planted).unwrap();
    let (_, problems) = read_workbook(&planted);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("row 0 col 0 is the formula")),
        "{problems:?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("row 1")),
        "{problems:?}"
    );

    if tool_available("python3 with openpyxl", has_openpyxl(), true) {
        let (cells, formulas, found) = openpyxl_report(&workbooks);
        assert!(cells > 1000, "openpyxl read {cells} cells");
        assert_eq!(formulas, Vec::<String>::new());
        let mut expected = as_openpyxl_reads(FORMULAS);
        expected.sort();
        assert_eq!(found, expected, "strings openpyxl read as text");
        let (_, formulas, _) = openpyxl_report(&[planted]);
        assert_eq!(formulas.len(), 1, "openpyxl missed the planted formula");
    }

    // LibreOffice is 300 MB: optional even in CI; calamine and openpyxl carry the guarantee.
    if let Some(cmd) = soffice() {
        let dir = tempfile::tempdir().unwrap();
        let xlsx = out.join("xlsx/hostile-0-security-baseline.xlsx");
        match libreoffice_csv(cmd, &xlsx, "Feature Summary", dir.path()) {
            Some(csv) => {
                let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
                    .records()
                    .map(|r| r.unwrap().iter().map(str::to_string).collect())
                    .collect();
                assert!(rows.len() > 10, "{csv}");
                for row in rows.iter().filter(|r| r[5] != "No Related Feature") {
                    assert_eq!(row[5], "=1+1", "LibreOffice shows {row:?}");
                    assert_eq!(row[3].lines().next(), Some("=1+1"), "{row:?}");
                }
            }
            None => eprintln!("skipped: {cmd} is older than 7.2 (no per-sheet CSV export)"),
        }
    } else {
        eprintln!("skipped: LibreOffice (soffice) is not installed; it is optional");
    }
}
