//! Renderers: each turns resolved baselines into output files and knows nothing of the
//! others. [`crate::build`] decides which run and where their files go.

pub mod csv;
pub mod json;
pub mod mapping;
pub mod markdown;
pub mod ooxml;
pub mod site;
pub mod text;
pub mod workbook_all;
pub mod xlsx;

use std::path::PathBuf;
use std::sync::Arc;

/// A file to write, by path relative to the output folder. The bytes are shared, so that
/// `serve` can keep a rendered file across rebuilds and hand it out without copying.
#[derive(Clone, Debug)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Arc<[u8]>,
}

impl OutputFile {
    pub fn new(path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into().into(),
        }
    }

    /// The file's path below `site/`, with `/` separators (as URLs and the server use it);
    /// `None` for a file outside the site.
    pub fn site_path(&self) -> Option<std::borrow::Cow<'_, str>> {
        let rel = self.path.strip_prefix("site").ok()?.to_string_lossy();
        Some(if rel.contains('\\') {
            std::borrow::Cow::Owned(rel.replace('\\', "/"))
        } else {
            rel
        })
    }
}
