//! Errors that stop a run: I/O, a broken template, an output that cannot be written.
//! Problems in the content are [`crate::diag::Diagnostic`]s instead.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a book: no book.toml and no content/ folder", path.display())]
    NotABook { path: PathBuf },
    #[error("theme template {name}: {message}")]
    Template { name: String, message: String },
    #[error("cannot write workbook {}: {message}", path.display())]
    Xlsx { path: PathBuf, message: String },
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn read(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Read {
            path: path.into(),
            source,
        }
    }

    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            source,
        }
    }
}
