//! `serve` and `watch`: rebuild on every change of the book's sources, serve the built site
//! from memory, and tell browsers to reload (server-sent events) or show the build error
//! over the last good page. Behind the `serve` cargo feature: the library's core builds
//! without the server stack.

pub mod http;
pub mod rebuild;
pub mod watch;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The site as the server hands it out: built files by path below `output/site/`. A new
/// build replaces the whole snapshot at once, so a request never sees half of one.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub files: HashMap<String, Arc<[u8]>>,
}

/// What browsers are told over the events stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A new build is in place.
    Reload,
    /// The last rebuild failed; the text is the rendered diagnostic.
    BuildError(String),
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

    /// Puts a new build in place, clears the error and tells browsers to reload.
    pub fn publish(&self, snapshot: Snapshot) {
        match self.snapshot.write() {
            Ok(mut s) => *s = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        self.set_error(None);
        let _ = self.events.send(Event::Reload);
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
