//! The theme: tera templates and static assets. The default theme is compiled into the
//! binary; a book's theme folder (`[build] theme`, or `themes/default/`) overrides it file
//! by file, so an empty or missing `themes/` still builds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../themes/default/", $path)) as &[u8])),*]
    };
}

/// The default theme's files, by path relative to the theme folder.
const DEFAULT: &[(&str, &[u8])] = embed![
    "templates/base.html",
    "templates/index.html",
    "templates/baseline.html",
    "templates/baseline-header.html",
    "templates/404.html",
    "templates/matrix.html",
    "templates/controls.html",
    "static/style.css",
    "static/print.css",
    "static/theme.js",
    "static/site.js",
    "static/favicon.svg",
];

/// Theme files by relative path (`templates/…` and `static/…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    files: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The embedded default theme.
    pub fn embedded() -> Self {
        Theme {
            files: DEFAULT
                .iter()
                .map(|(p, b)| ((*p).to_string(), b.to_vec()))
                .collect(),
        }
    }

    /// The default theme with every file of `dir` laid over it. `dir` belongs to the book
    /// at `book_root`: symbolic links in it may point anywhere in the book, and are an
    /// error when they lead out of it.
    pub fn with_overrides(dir: &Path, book_root: &Path) -> Result<Self> {
        let mut theme = Theme::embedded();
        crate::load::refuse_link_outside(book_root, dir)?;
        if dir.is_dir() {
            let mut files = Vec::new();
            let mut seen = Vec::new();
            collect(book_root, dir, dir, &mut seen, &mut files)?;
            for (rel, path) in files {
                let bytes = std::fs::read(&path).map_err(|e| Error::read(&path, e))?;
                theme.files.insert(rel, bytes);
            }
        }
        Ok(theme)
    }

    /// Templates as (name, text), e.g. ("baseline.html", …).
    pub fn templates(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for (path, bytes) in &self.files {
            if let Some(name) = path.strip_prefix("templates/") {
                let text = String::from_utf8(bytes.clone()).map_err(|_| Error::Template {
                    name: name.to_string(),
                    message: "template is not valid UTF-8".into(),
                })?;
                out.push((name.to_string(), text));
            }
        }
        Ok(out)
    }

    /// Static assets as (path below `static/`, bytes).
    pub fn assets(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter_map(|(p, b)| p.strip_prefix("static/").map(|p| (p, b.as_slice())))
    }
}

/// Files below `dir` as (path relative to `base` with `/` separators, full path).
/// Symbolic links are followed when they stay inside the book at `root` and refused when
/// they lead out of it; `seen` holds the folders walked, so a link to a parent folder
/// cannot loop.
fn collect(
    root: &Path,
    base: &Path,
    dir: &Path,
    seen: &mut Vec<PathBuf>,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<()> {
    let real = std::fs::canonicalize(dir).map_err(|e| Error::read(dir, e))?;
    if seen.contains(&real) {
        return Ok(());
    }
    seen.push(real);
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::read(dir, e))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::read(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let mut kind = entry.file_type().map_err(|e| Error::read(&path, e))?;
        if kind.is_symlink() {
            crate::load::refuse_link_outside(root, &path)?;
            kind = std::fs::metadata(&path)
                .map_err(|e| Error::read(&path, e))?
                .file_type();
        }
        if kind.is_dir() {
            collect(root, base, &path, seen, out)?;
        } else if kind.is_file() {
            let rel = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_theme_has_the_page_templates() {
        let names: Vec<_> = Theme::embedded()
            .templates()
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        for t in ["base.html", "index.html", "baseline.html", "404.html"] {
            assert!(names.iter().any(|n| n == t), "{t} missing");
        }
    }

    #[test]
    fn a_book_file_overrides_the_embedded_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/style.css"), "body{}").unwrap();
        let theme = Theme::with_overrides(dir.path(), dir.path()).unwrap();
        let css: Vec<_> = theme.assets().filter(|(p, _)| *p == "style.css").collect();
        assert_eq!(css[0].1, b"body{}");
        assert!(theme.assets().any(|(p, _)| p == "theme.js"));
    }
}
