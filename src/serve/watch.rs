//! Watching the book: native events (or polling with `--poll`), debounced so that an
//! editor's save (often a write to a temporary file and a rename) or a burst of writes
//! gives one rebuild. Output, version-control and editor temporary files are ignored.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, new_debouncer_opt, DebounceEventResult, NoCache};

/// Quiet time after the last event before a rebuild starts: long enough to merge an
/// editor's write-and-rename, short enough to feel instant.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// How long to wait for more batches after one arrives: the debouncer has already waited
/// for quiet on each path, so this only merges batches that cross its ticks.
const MERGE: Duration = Duration::from_millis(3);

/// Poll interval of `--poll`, for file systems without native events (network shares,
/// some containers).
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// A running watcher; dropping it stops watching.
pub struct Watch {
    _guard: Box<dyn std::any::Any + Send>,
    events: Receiver<DebounceEventResult>,
    root: PathBuf,
    /// The folders whose changes matter (content, themes), absolute.
    folders: Vec<PathBuf>,
}

impl Watch {
    /// Starts watching `paths` (folders recursively; `book.toml` through the root).
    pub fn start(root: &Path, paths: &[PathBuf], poll: bool) -> Result<Watch, String> {
        // Events carry absolute paths; compare them with absolute ones.
        let root = std::fs::canonicalize(root)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let folders: Vec<PathBuf> = paths
            .iter()
            .filter(|p| !p.ends_with("book.toml"))
            .map(|p| root.join(p.strip_prefix(".").unwrap_or(p)))
            .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
            .collect();
        let root = root.as_path();
        let (tx, rx) = std::sync::mpsc::channel();
        let mut targets: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        for p in &folders {
            if p.is_dir() {
                targets.push((p.clone(), RecursiveMode::Recursive));
            }
        }
        // The root itself, not recursively: book.toml, and a themes/ or content/ folder
        // that appears later.
        targets.push((root.to_path_buf(), RecursiveMode::NonRecursive));
        let guard: Box<dyn std::any::Any + Send> = if poll {
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
            let mut d = new_debouncer_opt::<_, notify::PollWatcher, NoCache>(
                DEBOUNCE, None, tx, NoCache, config,
            )
            .map_err(|e| format!("cannot start the polling watcher: {e}"))?;
            for (p, mode) in &targets {
                d.watch(p, *mode)
                    .map_err(|e| format!("cannot watch {}: {e}", p.display()))?;
            }
            Box::new(d)
        } else {
            let mut d = new_debouncer(DEBOUNCE, None, tx)
                .map_err(|e| format!("cannot start the file watcher: {e}"))?;
            for (p, mode) in &targets {
                d.watch(p, *mode)
                    .map_err(|e| format!("cannot watch {}: {e}", p.display()))?;
            }
            Box::new(d)
        };
        Ok(Watch {
            _guard: guard,
            events: rx,
            root: root.to_path_buf(),
            folders,
        })
    }

    /// Waits for the next batch of relevant changes and returns the changed paths; `None`
    /// when the watcher stopped. Batches that arrive while the caller rebuilds are merged
    /// into the next call, so a burst gives one rebuild.
    pub fn next_change(&self) -> Option<Vec<PathBuf>> {
        loop {
            let batch = match self.events.recv_timeout(Duration::from_secs(3600)) {
                Ok(batch) => batch,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return None,
            };
            let mut changed = self.relevant(batch);
            // The debouncer emits per path; a burst can arrive as several batches a few
            // milliseconds apart. Merge what follows closely.
            while let Ok(more) = self.events.recv_timeout(MERGE) {
                changed.extend(self.relevant(more));
            }
            // Shown to the writer: relative to the book is shorter and clearer.
            let mut changed: Vec<PathBuf> = changed
                .into_iter()
                .map(|p| {
                    p.strip_prefix(&self.root)
                        .map(Path::to_path_buf)
                        .unwrap_or(p)
                })
                .collect();
            changed.sort();
            changed.dedup();
            if !changed.is_empty() {
                return Some(changed);
            }
        }
    }

    fn relevant(&self, batch: DebounceEventResult) -> Vec<PathBuf> {
        let Ok(events) = batch else { return Vec::new() };
        events
            .into_iter()
            .filter(|e| !e.event.kind.is_access())
            .flat_map(|e| e.event.paths.clone())
            .filter(|p| is_relevant(&self.root, &self.folders, p))
            .collect()
    }
}

/// Whether a changed path can change the build: `book.toml`, or a file below one of the
/// watched folders (content, themes) that is not an editor's temporary file.
pub fn is_relevant(root: &Path, watched: &[PathBuf], path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if is_temporary(name) {
        return false;
    }
    if path == root.join("book.toml") {
        return true;
    }
    watched
        .iter()
        .any(|dir| path.starts_with(dir) && dir != root)
}

/// Editor swap, backup and temporary files.
pub fn is_temporary(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".crswap"].iter().any(|s| name.ends_with(s))
        || name == "4913" // vim's probe for a writable folder
        || name.starts_with(".goutputstream-")
        || name == ".DS_Store"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_temporaries_and_output_are_ignored() {
        let root = Path::new("/book");
        let watched = [root.join("content"), root.join("themes")];
        let yes = |p: &str| is_relevant(root, &watched, &root.join(p));
        assert!(yes("content/baselines/a.yaml"));
        assert!(yes("book.toml"));
        assert!(yes("themes/default/templates/base.html"));
        assert!(!yes("output/site/index.html"));
        assert!(!yes("content/baselines/a.yaml~"));
        assert!(!yes("content/baselines/.a.yaml.swp"));
        assert!(!yes("content/baselines/4913"));
        assert!(!yes("content/baselines/#a.yaml#"));
        assert!(!yes(".git/index"));
        assert!(!yes("README.md"));
        assert!(!yes(".output.tmp-123/site/index.html"));
        assert!(!yes("output"));
    }
}
