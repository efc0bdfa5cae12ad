//! `broken-link`: every internal link and anchor of the built site leads somewhere.
//! Runs during `build` on the rendered pages, before they replace the previous output.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Severity};
use crate::render::{same_buffer, Bytes, OutputFile};

use super::Rule;

pub const RULE: Rule = Rule {
    id: "broken-link",
    severity: Severity::Error,
    summary: "a link of the built site points nowhere",
    explanation: "\
## What it does
After rendering, follows every relative `href` and `src` of every page of `output/site/`:
the file must exist and, for `page.html#anchor`, the page must have an element with that id.
Runs during `build` (not `check`, which does not render).

## Why
A theme edit or a renamed slug silently breaks navigation and the downloads; readers of a
published site find out first.

## Example
A template that links `{{ root }}controls.html` while no such page is generated.

## How to fix
Correct the template or the link; the message names the page and the target.",
    check: None,
};

/// The ids and link targets of each page, kept with the bytes they were read from: a page
/// that a rebuild did not re-render is not parsed again. With them, each page's findings of
/// the last check: a page is checked again only when it changed, when the ids of a page it
/// links to an anchor of changed, or when files were added or removed.
#[derive(Debug, Default)]
pub struct LinkCache {
    pages: HashMap<String, Page>,
    /// The site's files at the last check, and the severity it reported with.
    paths: HashSet<String>,
    severity_error: Option<bool>,
}

#[derive(Debug)]
struct Page {
    bytes: Bytes,
    links: PageLinks,
    /// `None` until checked against the current site.
    findings: Option<Vec<Diagnostic>>,
}

/// The ids of one page and its internal links, resolved against the page's path once when
/// the page is read: a check is then only lookups, which `serve` repeats on every save.
#[derive(Debug)]
pub struct PageLinks {
    ids: HashSet<String>,
    links: Vec<Link>,
    /// The pages this one links to an anchor of: its findings depend on their ids.
    anchored: Vec<String>,
}

#[derive(Debug)]
struct Link {
    /// As written in the page, for the message.
    target: String,
    to: Result<Resolved, &'static str>,
}

/// A link target as a path relative to `site/`, and its fragment (may be empty).
#[derive(Debug)]
struct Resolved {
    path: String,
    fragment: String,
}

impl PageLinks {
    /// The links of `bytes`, the page at `page` (relative to `site/`).
    pub fn read(page: &str, bytes: &[u8]) -> Self {
        // Pages are rendered from strings; the lossy reading is for a page that is not.
        let html = match std::str::from_utf8(bytes) {
            Ok(html) => std::borrow::Cow::Borrowed(html),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let attributes = Attributes::read(&html);
        let mut targets = attributes.targets;
        targets.sort_unstable();
        targets.dedup();
        // 404.html is served at any depth; its links start from the site URL.
        if page == "404.html" {
            targets.clear();
        }
        let ids = attributes.id;
        let links: Vec<Link> = targets
            .into_iter()
            .filter_map(|target| {
                let to = resolve(page, &target)?;
                // A link to the page itself, or to one of its own ids, holds whatever the
                // rest of the site is: not kept. They are most links of a baseline page
                // (its table of contents), and a build keeps every page's links until the
                // check: the ids and links of 1,204 pages took 23 MB, now 15 MB.
                let holds = to.as_ref().is_ok_and(|to| {
                    to.path == page && (to.fragment.is_empty() || ids.contains(&to.fragment))
                });
                (!holds).then(|| Link {
                    target: target.into_owned(),
                    to,
                })
            })
            .collect();
        let anchored: std::collections::BTreeSet<&str> = links
            .iter()
            .filter_map(|l| l.to.as_ref().ok())
            .filter(|to| !to.fragment.is_empty())
            .map(|to| to.path.as_str())
            .collect();
        PageLinks {
            ids,
            anchored: anchored.into_iter().map(str::to_string).collect(),
            links,
        }
    }
}

/// Checks the links of the site's HTML pages among `files` (paths relative to the output
/// folder, the site under `site/`).
pub fn check_site(files: &[OutputFile], severity_error: bool) -> Vec<Diagnostic> {
    check_site_cached(files, severity_error, &mut LinkCache::default())
}

/// [`check_site`], reading only the pages that are not in `cache` with the same bytes.
pub fn check_site_cached(
    files: &[OutputFile],
    severity_error: bool,
    cache: &mut LinkCache,
) -> Vec<Diagnostic> {
    let site: Vec<(std::borrow::Cow<str>, &OutputFile)> = files
        .iter()
        .filter_map(|f| Some((f.site_path()?, f)))
        .collect();
    let paths: HashSet<&str> = site.iter().map(|(p, _)| &**p).collect();
    let same_site = cache.severity_error == Some(severity_error)
        && cache.paths.len() == paths.len()
        && paths.iter().all(|p| cache.paths.contains(*p));
    if !same_site {
        cache.paths = paths.iter().map(|p| p.to_string()).collect();
        cache.severity_error = Some(severity_error);
        cache.pages.retain(|p, _| paths.contains(p.as_str()));
        for page in cache.pages.values_mut() {
            page.findings = None;
        }
    }

    let stale: Vec<&(std::borrow::Cow<str>, &OutputFile)> = site
        .iter()
        .filter(|(path, f)| {
            path.ends_with(".html")
                && cache
                    .pages
                    .get(&**path)
                    .is_none_or(|page| !same_buffer(&page.bytes, &f.bytes))
        })
        .collect();
    let read: Vec<(String, Bytes, PageLinks)> = stale
        .par_iter()
        .map(|(path, f)| {
            let links = PageLinks::read(path, &f.bytes);
            (path.to_string(), f.bytes.clone(), links)
        })
        .collect();
    // A changed page whose ids are the same as before cannot break or mend other pages'
    // links to it.
    let mut ids_changed: HashSet<String> = HashSet::new();
    for (path, bytes, links) in read {
        let previous_ids = cache.pages.get(&path).map(|p| &p.links.ids);
        if previous_ids != Some(&links.ids) {
            ids_changed.insert(path.clone());
        }
        let page = Page {
            bytes,
            links,
            findings: None,
        };
        cache.pages.insert(path, page);
    }

    let ids: HashMap<&str, &HashSet<String>> = cache
        .pages
        .iter()
        .map(|(path, page)| (path.as_str(), &page.links.ids))
        .collect();
    let checked: Vec<(String, Vec<Diagnostic>)> = cache
        .pages
        .iter()
        .filter(|(_, page)| {
            page.findings.is_none() || page.links.anchored.iter().any(|p| ids_changed.contains(p))
        })
        .map(|(path, page)| {
            let found = page_findings(path, &page.links, &paths, &ids, severity_error);
            (path.clone(), found)
        })
        .collect();
    drop(ids);
    for (path, found) in checked {
        if let Some(page) = cache.pages.get_mut(&path) {
            page.findings = Some(found);
        }
    }
    let mut broken: Vec<(&String, &Vec<Diagnostic>)> = cache
        .pages
        .iter()
        .filter_map(|(path, page)| page.findings.as_ref().map(|f| (path, f)))
        .filter(|(_, found)| !found.is_empty())
        .collect();
    broken.sort_by(|a, b| a.0.cmp(b.0));
    broken
        .into_iter()
        .flat_map(|(_, found)| found.iter().cloned())
        .collect()
}

/// Checks the links of the site's HTML `pages` against the paths of every file of the
/// site (both relative to `site/`).
pub fn check_pages(
    site: &HashSet<&str>,
    pages: &HashMap<&str, &PageLinks>,
    severity_error: bool,
) -> Vec<Diagnostic> {
    let ids: HashMap<&str, &HashSet<String>> = pages
        .iter()
        .map(|(path, links)| (*path, &links.ids))
        .collect();
    let mut paths: Vec<&str> = pages.keys().copied().collect();
    paths.sort();
    paths
        .into_iter()
        .flat_map(|page| page_findings(page, pages[page], site, &ids, severity_error))
        .collect()
}

fn page_findings(
    page: &str,
    links: &PageLinks,
    site: &HashSet<&str>,
    ids: &HashMap<&str, &HashSet<String>>,
    severity_error: bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for link in &links.links {
        if let Some(problem) = broken(&link.to, site, ids) {
            let message = format!("`site/{page}` links to `{}`, {problem}", link.target);
            out.push(if severity_error {
                Diagnostic::error(RULE.id, message)
            } else {
                Diagnostic::warning(RULE.id, message)
            });
        }
    }
    out
}

/// The file and fragment a link of `page` leads to; `None` for external links, which are
/// not checked.
fn resolve(page: &str, target: &str) -> Option<Result<Resolved, &'static str>> {
    let external = target.starts_with("//")
        || target.split_once(':').is_some_and(|(scheme, _)| {
            scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        });
    if external || target.is_empty() {
        return None;
    }
    let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
    let path = path.split('?').next().unwrap_or("");
    let resolved = if path.is_empty() {
        page.to_string()
    } else {
        let base = Path::new(page).parent().unwrap_or(Path::new(""));
        let Some(mut resolved) = normalize(&base.join(path).to_string_lossy()) else {
            return Some(Err("which is outside the site"));
        };
        if resolved.is_empty() || path.ends_with('/') {
            resolved = format!(
                "{}index.html",
                if resolved.is_empty() {
                    String::new()
                } else {
                    format!("{resolved}/")
                }
            );
        }
        resolved
    };
    Some(Ok(Resolved {
        path: resolved,
        fragment: fragment.to_string(),
    }))
}

fn broken(
    to: &Result<Resolved, &'static str>,
    site: &HashSet<&str>,
    ids: &HashMap<&str, &HashSet<String>>,
) -> Option<String> {
    let to = match to {
        Ok(to) => to,
        Err(problem) => return Some((*problem).to_string()),
    };
    if !site.contains(to.path.as_str()) {
        return Some("which does not exist".into());
    }
    if !to.fragment.is_empty() {
        if let Some(page_ids) = ids.get(to.path.as_str()) {
            if !page_ids.contains(&to.fragment) {
                return Some(format!(
                    "but `site/{}` has no element with id `{}`",
                    to.path, to.fragment
                ));
            }
        }
    }
    None
}

/// Resolves `.` and `..`; `None` when the path climbs out of the site.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The values of a page's `href` and `src` attributes (its link targets, in page order)
/// and `id` attributes, entity-decoded. Link targets are borrowed from the page where they
/// need no decoding: most are external links, which the check drops, and a `String` and a
/// hash for each was 1.5% of a build.
#[derive(Default)]
struct Attributes<'a> {
    targets: Vec<Cow<'a, str>>,
    id: HashSet<String>,
}

impl<'a> Attributes<'a> {
    /// One pass from `="` to `="` (a `memchr` for `=`): three searches for whole
    /// attribute names took 5% of a build, and `str::find` a char 1%.
    fn read(html: &'a str) -> Attributes<'a> {
        let mut found = Attributes::default();
        let mut at = 0;
        while let Some(i) = memchr::memchr(b'=', &html.as_bytes()[at..]) {
            let equals = at + i;
            at = equals + 1;
            if !html[at..].starts_with('"') {
                continue;
            }
            let name = &html[..equals];
            let is_id = if name.ends_with(" href") || name.ends_with(" src") {
                false
            } else if name.ends_with(" id") {
                true
            } else {
                continue;
            };
            let start = at + 1;
            let Some(len) = memchr::memchr(b'"', &html.as_bytes()[start..]) else {
                break;
            };
            let raw = &html[start..start + len];
            let value = if raw.contains('&') {
                Cow::Owned(raw.replace("&amp;", "&").replace("&#x2F;", "/"))
            } else {
                Cow::Borrowed(raw)
            };
            if is_id {
                found.id.insert(value.into_owned());
            } else {
                found.targets.push(value);
            }
            at = start + len;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(pages: &[(&str, &str)]) -> Vec<OutputFile> {
        pages
            .iter()
            .map(|(p, html)| OutputFile::new(format!("site/{p}"), html.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn attributes_are_read_by_name_and_decoded() {
        let found = Attributes::read(
            "<a href=\"a?x=1&amp;y=2\" id=\"top\" data-id=\"no\">a = \"b\" c=d</a>\
             <img  src=\"i.png\"><p id=\"p&#x2F;1\" href=\"",
        );
        let sorted = |set: HashSet<String>| {
            let mut v: Vec<String> = set.into_iter().collect();
            v.sort();
            v
        };
        assert_eq!(found.targets, ["a?x=1&y=2", "i.png"]);
        assert_eq!(sorted(found.id), ["p/1", "top"]);
    }

    #[test]
    fn fires_on_missing_pages_and_anchors() {
        let files = site(&[
            (
                "index.html",
                "<a href=\"a/index.html#nope\">x</a> <a href=\"missing.html\">y</a>",
            ),
            ("a/index.html", "<h2 id=\"ns-1\">NS-1</h2>"),
        ]);
        let found = check_site(&files, true);
        let messages: Vec<_> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(found.len(), 2, "{messages:?}");
        assert!(messages
            .iter()
            .any(|m| m.contains("has no element with id `nope`")));
        assert!(messages
            .iter()
            .any(|m| m.contains("`missing.html`, which does not exist")));
    }

    #[test]
    fn passes_on_good_relative_links_and_ignores_external_ones() {
        let files = site(&[
            ("index.html", "<a href=\"a/index.html#ns-1\">x</a><a href=\"https://x.org/#q\">e</a><a href=\"#top\">t</a><p id=\"top\"></p><a href=\"a/\">d</a>"),
            ("a/index.html", "<h2 id=\"ns-1\">NS-1</h2><a href=\"../index.html\">up</a><link href=\"../assets/s.css\">"),
            ("assets/s.css", ""),
        ]);
        assert!(check_site(&files, true).is_empty());
    }

    #[test]
    fn a_cached_page_is_checked_against_the_new_site() {
        let mut cache = LinkCache::default();
        let mut files = site(&[
            ("index.html", "<a href=\"a/index.html#ns-1\">x</a>"),
            ("a/index.html", "<h2 id=\"ns-1\">NS-1</h2>"),
        ]);
        assert!(check_site_cached(&files, true, &mut cache).is_empty());
        // index.html keeps its bytes (and its cached links); the page it links to loses
        // the anchor, which the next check must see.
        files[1] = OutputFile::new("site/a/index.html", "<h2 id=\"ns-2\">NS-2</h2>");
        let found = check_site_cached(&files, true, &mut cache);
        assert_eq!(found.len(), 1, "{found:?}");
        files.pop();
        let found = check_site_cached(&files, true, &mut cache);
        assert!(found[0].message.contains("does not exist"), "{found:?}");
        // Unchanged pages keep their findings until the file they miss appears.
        let again = check_site_cached(&files, true, &mut cache);
        assert_eq!(again.len(), 1, "{again:?}");
        files.push(OutputFile::new(
            "site/a/index.html",
            "<h2 id=\"ns-1\">NS-1</h2>",
        ));
        assert!(check_site_cached(&files, true, &mut cache).is_empty());
        // A page whose own links break is checked again even though no other page changed.
        files[0] = OutputFile::new("site/index.html", "<a href=\"a/index.html#ns-9\">x</a>");
        assert_eq!(check_site_cached(&files, true, &mut cache).len(), 1);
        // Each check gives what a check from scratch gives.
        assert_eq!(
            format!("{:?}", check_site_cached(&files, true, &mut cache)),
            format!("{:?}", check_site(&files, true))
        );
    }

    #[test]
    fn links_within_a_page_are_checked_when_read_and_kept_only_when_broken() {
        let html = "<p id=\"top\"></p><a href=\"#top\">t</a><a href=\"index.html#top\">t</a>\
                    <a href=\"\">e</a><a href=\"#gone\">g</a><a href=\"a/index.html\">a</a>";
        let links = PageLinks::read("index.html", html.as_bytes());
        let kept: Vec<&str> = links.links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(kept, ["#gone", "a/index.html"]);
        let files = site(&[("index.html", html), ("a/index.html", "")]);
        let found = check_site(&files, true);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("has no element with id `gone`"));
    }

    #[test]
    fn links_out_of_the_site_are_broken() {
        let files = site(&[("index.html", "<a href=\"../../etc/passwd\">x</a>")]);
        assert_eq!(check_site(&files, true).len(), 1);
    }
}
