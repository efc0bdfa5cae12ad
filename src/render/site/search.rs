//! The data behind the search box and the services menu, as two small scripts rather than
//! JSON files: a page opened from `file://` can load a script but not fetch a file. Every
//! page shares them, so the navigation is not copied into each page (which would make the
//! site grow with the square of its baselines).
//!
//! The index has one entry per control per baseline: the service, the control, the names
//! of its features and the start of its guidance. Control ids and titles are stored once
//! and referred to by number, which keeps the index a fraction of the site's HTML.

use std::collections::HashMap;

use serde::Serialize;

use crate::resolve::Doc;

/// Characters of guidance kept per entry: enough to recognise a control by its advice.
const GUIDANCE_CHARS: usize = 160;

#[derive(Serialize)]
struct Index<'a> {
    /// Service name and page, relative to the site's root.
    services: Vec<(&'a str, String)>,
    /// Control id, title and anchor.
    controls: Vec<(&'a str, &'a str, &'a str)>,
    /// Service number, control number, feature names, guidance.
    entries: Vec<(usize, usize, String, String)>,
}

/// `assets/nav.js`: the services, for the menu on every page.
pub fn nav_script(docs: &[&Doc]) -> String {
    let services: Vec<(&str, String)> = docs.iter().map(service).collect();
    format!(
        "window.controlbookNav = {};\n",
        serde_json::to_string(&services).unwrap_or_else(|_| "[]".into())
    )
}

/// `assets/search-index.js`: what the search box searches.
pub fn index_script(docs: &[&Doc]) -> String {
    let mut index = Index {
        services: docs.iter().map(service).collect(),
        controls: Vec::new(),
        entries: Vec::new(),
    };
    let mut numbers: HashMap<(&str, &str), usize> = HashMap::new();
    for (s, doc) in docs.iter().enumerate() {
        for (_, control) in doc.controls().filter(|(_, c)| c.shown) {
            let c = *numbers
                .entry((control.id.as_str(), control.title.as_str()))
                .or_insert_with(|| {
                    index
                        .controls
                        .push((&control.id, &control.title, &control.anchor));
                    index.controls.len() - 1
                });
            let features: Vec<&str> = control
                .features
                .iter()
                .filter(|f| f.shown)
                .map(|f| f.name.as_str())
                .collect();
            let guidance = control
                .guidance
                .as_deref()
                .or_else(|| control.features.iter().find_map(|f| f.guidance.as_deref()))
                .map(snippet)
                .unwrap_or_default();
            index.entries.push((s, c, features.join(" · "), guidance));
        }
    }
    format!(
        "window.controlbookSearch = {};\n",
        serde_json::to_string(&index).unwrap_or_else(|_| "null".into())
    )
}

fn service<'a>(doc: &&'a Doc) -> (&'a str, String) {
    (&doc.service, format!("{}/index.html", doc.slug))
}

/// The first words of a Markdown text as plain text: markup characters dropped, words
/// one space apart, cut after [`GUIDANCE_CHARS`] characters with an ellipsis.
///
/// Read only as far as the snippet goes: guidance runs to thousands of characters, and
/// making all of it plain before cutting it was 2% of a build.
fn snippet(markdown: &str) -> String {
    let mut plain = String::with_capacity(GUIDANCE_CHARS + 8);
    let (mut chars, mut space) = (0, false);
    let mut push = |plain: &mut String, c: char| {
        if chars == GUIDANCE_CHARS {
            // There is more: cut here.
            plain.truncate(plain.trim_end().len());
            plain.push('…');
            return false;
        }
        plain.push(c);
        chars += 1;
        true
    };
    for c in markdown.chars() {
        if matches!(c, '*' | '_' | '`' | '#' | '[' | ']') {
            continue;
        }
        if c.is_whitespace() {
            space = !plain.is_empty();
            continue;
        }
        if std::mem::take(&mut space) && !push(&mut plain, ' ') || !push(&mut plain, c) {
            break;
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `snippet` as it was before it stopped reading at the cut: the reference.
    fn snippet_of_everything(markdown: &str) -> String {
        let plain: String = markdown
            .chars()
            .filter(|c| !matches!(c, '*' | '_' | '`' | '#' | '[' | ']'))
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
        match plain.char_indices().nth(GUIDANCE_CHARS) {
            Some((at, _)) => format!("{}…", plain[..at].trim_end()),
            None => plain,
        }
    }

    proptest::proptest! {
        #[test]
        fn snippet_agrees_with_making_the_whole_text_plain(
            text in r"([a-z]{1,12}|[ \n\t\x{a0}]{1,3}|[*_`#\[\]]|é|𝄞){0,120}",
        ) {
            proptest::prop_assert_eq!(snippet(&text), snippet_of_everything(&text));
        }
    }

    #[test]
    fn snippets_cut_at_the_limit_whatever_comes_there() {
        for len in GUIDANCE_CHARS - 3..GUIDANCE_CHARS + 3 {
            for tail in ["", " ", " x", "  *x", "x", "*"] {
                let text = format!("{}{tail}", "a".repeat(len));
                assert_eq!(
                    snippet(&text),
                    snippet_of_everything(&text),
                    "{len} {tail:?}"
                );
                let text = format!("{} {tail}", "a b".repeat(len / 3));
                assert_eq!(
                    snippet(&text),
                    snippet_of_everything(&text),
                    "{len} {tail:?}"
                );
            }
        }
    }

    #[test]
    fn snippets_are_short_plain_text() {
        assert_eq!(
            snippet("Use **Private  Link**\nto `connect`."),
            "Use Private Link to connect."
        );
        let long = "word ".repeat(100);
        let s = snippet(&long);
        assert!(
            s.ends_with('…') && s.chars().count() <= GUIDANCE_CHARS + 1,
            "{s}"
        );
    }
}
