//! `serve` and `watch`: rebuild on every change of the book's sources, serve the built site
//! from memory, and tell browsers to reload (server-sent events) or show the build error
//! over the last good page. Behind the `serve` cargo feature: the library's core builds
//! without the server stack.

pub mod http;
pub mod rebuild;
pub mod watch;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::render::{same_buffer, Bytes};

/// The site as the server hands it out: built files by path below `output/site/`. A new
/// build replaces the whole snapshot at once, so a request never sees half of one.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Shared keys, so that the next rebuild's snapshot starts as a cheap copy of this one.
    pub files: HashMap<Arc<str>, Bytes>,
}

/// What browsers are told over the events stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A new build is in place; the text is `*` (every page reloads) or a JSON array of
    /// the pages that changed, by path below the site (only those reload).
    Reload(String),
    /// The last rebuild failed; the text is the rendered diagnostic.
    BuildError(String),
}

/// More changed pages than this reload every page.
const MAX_LISTED_PAGES: usize = 200;

/// The data of the reload event from `old` to `new`: `None` when no page changed, `*` when
/// a stylesheet or script every page uses changed (or very many pages did), else the
/// changed pages as a JSON array. The services menu and the search index are read when
/// used, so they do not reload the open pages; neither do the downloads.
fn reload_data(old: &Snapshot, new: &Snapshot) -> Option<String> {
    let changed = |path: &Arc<str>| match (old.files.get(path), new.files.get(path)) {
        (Some(a), Some(b)) => !same_buffer(a, b) && a != b,
        _ => true,
    };
    let mut pages: Vec<&str> = Vec::new();
    let paths = new
        .files
        .keys()
        .chain(old.files.keys().filter(|p| !new.files.contains_key(*p)));
    for path in paths.filter(|p| changed(p)) {
        if path.ends_with(".html") {
            pages.push(path);
        } else if (path.ends_with(".css") || path.ends_with(".js"))
            && !matches!(&**path, "assets/nav.js" | "assets/search-index.js")
        {
            return Some("*".into());
        }
    }
    if pages.is_empty() {
        return None;
    }
    if pages.len() > MAX_LISTED_PAGES {
        return Some("*".into());
    }
    pages.sort();
    Some(serde_json::to_string(&pages).unwrap_or_else(|_| "*".into()))
}

/// Shared between the rebuild loop and the HTTP handlers.
pub struct State {
    snapshot: RwLock<Arc<Snapshot>>,
    error: RwLock<Option<String>>,
    events: tokio::sync::broadcast::Sender<Event>,
}

impl State {
    pub fn new(snapshot: Snapshot) -> Arc<Self> {
        let (events, _) = tokio::sync::broadcast::channel(64);
        Arc::new(State {
            snapshot: RwLock::new(Arc::new(snapshot)),
            error: RwLock::new(None),
            events,
        })
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn error(&self) -> Option<String> {
        match self.error.read() {
            Ok(e) => e.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts a new build in place, clears the error and tells browsers which pages to
    /// reload. Nothing is sent when no page changed, unless an error is being cleared.
    pub fn publish(&self, snapshot: Snapshot) {
        let reload = reload_data(&self.snapshot(), &snapshot);
        match self.snapshot.write() {
            Ok(mut s) => *s = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        let had_error = self.error().is_some();
        self.set_error(None);
        match reload {
            Some(data) => {
                let _ = self.events.send(Event::Reload(data));
            }
            None if had_error => {
                let _ = self.events.send(Event::Reload("*".into()));
            }
            None => {}
        }
    }

    /// Keeps the last good build and tells browsers what went wrong.
    pub fn fail(&self, message: String) {
        self.set_error(Some(message.clone()));
        let _ = self.events.send(Event::BuildError(message));
    }

    fn set_error(&self, error: Option<String>) {
        match self.error.write() {
            Ok(mut e) => *e = error,
            Err(poisoned) => *poisoned.into_inner() = error,
        }
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Snapshot {
        Snapshot {
            files: files
                .iter()
                .map(|(p, b)| (Arc::from(*p), Bytes::copy_from_slice(b.as_bytes())))
                .collect(),
        }
    }

    #[test]
    fn only_changed_pages_are_listed_and_shared_assets_reload_everything() {
        let old = site(&[
            ("a/index.html", "a"),
            ("b/index.html", "b"),
            ("assets/nav.js", "1"),
        ]);
        let new = site(&[
            ("a/index.html", "A"),
            ("b/index.html", "b"),
            ("assets/nav.js", "2"),
        ]);
        assert_eq!(
            reload_data(&old, &new).as_deref(),
            Some("[\"a/index.html\"]")
        );
        assert_eq!(reload_data(&old, &old), None);
        let styled = site(&[
            ("a/index.html", "a"),
            ("b/index.html", "b"),
            ("assets/style.css", "x"),
        ]);
        assert_eq!(reload_data(&old, &styled).as_deref(), Some("*"));
        let removed = site(&[("a/index.html", "a"), ("assets/nav.js", "1")]);
        assert_eq!(
            reload_data(&old, &removed).as_deref(),
            Some("[\"b/index.html\"]")
        );
    }
}
