//! `init`: a new, empty book with the MCSB v1 catalog and the feature catalog (embedded in
//! the binary), the JSON Schemas, and no baselines yet. It builds as it is.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const BOOK_TOML: &str = r#"# controlbook book configuration. Every key is optional.
[book]
title = "Security baselines"
description = "Security baselines kept as structured YAML."
language = "en"

[build]
content-dir = "content"
output-dir = "output"

[site]
site-url = "/"

[output]
site = true
markdown = true
xlsx = true
csv = true
json = true

[check]
deny = []
warn = []
allow = []
"#;

/// The embedded benchmark catalog (MCSB v1).
pub const MCSB_V1: &str = include_str!("../content/benchmarks/mcsb-v1.yaml");
/// The embedded feature catalog.
pub const FEATURES: &str = include_str!("../content/features.yaml");

/// The files of a new book, relative to its root.
pub fn files() -> Vec<(PathBuf, String)> {
    let mut files = vec![
        (PathBuf::from("book.toml"), BOOK_TOML.to_string()),
        (
            PathBuf::from("content/benchmarks/mcsb-v1.yaml"),
            MCSB_V1.to_string(),
        ),
        (PathBuf::from("content/features.yaml"), FEATURES.to_string()),
        (PathBuf::from("content/baselines/.gitkeep"), String::new()),
        // `build` also keeps its lock file, and while it writes its staging folder,
        // beside the output folder.
        (
            PathBuf::from(".gitignore"),
            "/output\n/.output.*\n".to_string(),
        ),
    ];
    for (kind, file) in crate::schema::KINDS {
        if let Some(text) = crate::schema::schema_json(kind) {
            files.push((Path::new("schemas").join(file), text));
        }
    }
    files
}

/// Creates a new book in `dir` (created if missing). Refuses when `dir` already holds a
/// book (`book.toml` or `content/`), so that nothing is overwritten.
pub fn create(dir: &Path) -> Result<Vec<PathBuf>> {
    for existing in ["book.toml", "content"] {
        if dir.join(existing).exists() {
            return Err(Error::Other(format!(
                "{} already holds a book ({} exists); init never overwrites",
                dir.display(),
                existing
            )));
        }
    }
    let mut written = Vec::new();
    for (rel, text) in files() {
        let path = dir.join(&rel);
        if path.exists() {
            continue; // e.g. an existing .gitignore is the user's
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::write(&path, e))?;
        written.push(rel);
    }
    Ok(written)
}
