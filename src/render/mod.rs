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

pub use bytes::Bytes;

/// A file to write, by path relative to the output folder. The bytes are shared, so that
/// `serve` can keep a rendered file across rebuilds and hand it out without copying; and
/// they are the renderer's own buffer, taken over without a copy (copying every file into
/// an `Arc<[u8]>` was 2% of a build).
#[derive(Clone, Debug)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Bytes,
}

impl OutputFile {
    pub fn new(path: impl Into<PathBuf>, bytes: impl Into<Bytes>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
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

/// Whether `a` and `b` are the same buffer (clones of one rendered file), which makes
/// comparing their bytes needless.
pub fn same_buffer(a: &Bytes, b: &Bytes) -> bool {
    a.as_ptr() == b.as_ptr() && a.len() == b.len()
}
