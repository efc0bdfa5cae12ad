//! Source files of a book: their paths and text, and the one place that turns a byte
//! offset into a line and a column.

use std::path::{Path, PathBuf};

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
}

/// One loaded file: the path as shown to the user (relative to the book root) and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Computed on first use: only files with a diagnostic need it.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

/// A 1-based line and a 1-based column counted in characters, as editors show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        SourceFile {
            path,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Where each line starts; the first after a byte-order mark, which editors do not show.
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let bom = if self.text.starts_with('\u{feff}') {
                3
            } else {
                0
            };
            std::iter::once(bom)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// Line and column of a byte offset (clamped into the text after a byte-order mark,
    /// snapped to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.clamp(
            self.line_starts()[0],
            self.text.len().max(self.line_starts()[0]),
        );
        let offset = self.floor_char_boundary(offset);
        let line = self.line_starts().partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts()[line];
        LineCol {
            line: line + 1,
            column: self.text[start..offset].chars().count() + 1,
        }
    }

    /// Byte offset of a 1-based line and character column; used for locations that come
    /// without an offset. Out-of-range positions are clamped.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let line_text = self.line_text(line);
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts()
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Every source file read during a load, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile::new(path, text));
        FileId(self.files.len() - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.files[id.0].path
    }

    pub fn path_buf(&self, id: FileId) -> &PathBuf {
        &self.files[id.0].path
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("a.yaml".into(), "ab\nné: x\n".into());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'x' is after "né: " where é is two bytes
        let x = f.text.find('x').unwrap();
        assert_eq!(f.line_col(x), LineCol { line: 2, column: 5 });
        assert_eq!(f.offset_of(2, 5), x);
        assert_eq!(f.line_text(2), "né: x");
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let f = SourceFile::new("a.yaml".into(), "\u{feff}ab\ncd".into());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(4), LineCol { line: 1, column: 2 });
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 1 });
        assert_eq!(f.offset_of(1, 2), 4);
        assert_eq!(f.line_text(1), "ab");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let f = SourceFile::new("a".into(), "abc".into());
        assert_eq!(f.line_col(99), LineCol { line: 1, column: 4 });
        assert_eq!(f.offset_of(7, 1), 3);
        assert_eq!(f.line_text(9), "");
    }
}
