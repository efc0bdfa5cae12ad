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

/// `files` with their bytes in buffers of their own size, for files kept long after the
/// build (`serve` keeps them all): a renderer's buffer grows by doubling, and is taken
/// over as it is, so it holds up to twice its file (50 MB more at 1,200 baselines). Files
/// that shared their bytes share the copy.
pub fn compact(files: Vec<OutputFile>) -> Vec<OutputFile> {
    let mut copies: std::collections::HashMap<(*const u8, usize), Bytes> =
        std::collections::HashMap::new();
    files
        .into_iter()
        .map(|f| {
            let bytes = copies
                .entry((f.bytes.as_ptr(), f.bytes.len()))
                .or_insert_with(|| Bytes::copy_from_slice(&f.bytes))
                .clone();
            OutputFile {
                path: f.path,
                bytes,
            }
        })
        .collect()
}

/// Whether `a` and `b` are the same buffer (clones of one rendered file), which makes
/// comparing their bytes needless.
pub fn same_buffer(a: &Bytes, b: &Bytes) -> bool {
    a.as_ptr() == b.as_ptr() && a.len() == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacted_files_keep_their_bytes_and_their_sharing() {
        let mut page = String::with_capacity(4096);
        page.push_str("<p>page</p>");
        let page = OutputFile::new("site/a.html", page);
        let workbook = OutputFile::new("xlsx/a.xlsx", b"workbook".to_vec());
        let copy = OutputFile {
            path: "site/downloads/a.xlsx".into(),
            bytes: workbook.bytes.clone(),
        };
        let files = compact(vec![page, workbook, copy]);
        let bytes: Vec<&[u8]> = files.iter().map(|f| &f.bytes[..]).collect();
        assert_eq!(bytes, [&b"<p>page</p>"[..], b"workbook", b"workbook"]);
        assert!(same_buffer(&files[1].bytes, &files[2].bytes));
        assert!(!same_buffer(&files[0].bytes, &files[1].bytes));
        assert_eq!(files[2].path, std::path::Path::new("site/downloads/a.xlsx"));
    }
}
