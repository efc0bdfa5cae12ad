//! Errors that stop a run: I/O, a broken template, an output that cannot be written.
//! Problems in the content are [`crate::diag::Diagnostic`]s instead.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // The I/O error is part of the message and not a `source`, which error reports
    // (anyhow's `{:#}`) would print a second time.
    #[error("cannot read {}: {cause}", path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("cannot write {}: {cause}", path.display())]
    Write {
        path: PathBuf,
        cause: std::io::Error,
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
    pub fn read(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Read {
            path: path.into(),
            cause,
        }
    }

    pub fn write(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            cause,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_is_told_once() {
        let e = Error::write("out/x.json", std::io::ErrorKind::NotFound.into());
        assert_eq!(e.to_string(), "cannot write out/x.json: entity not found");
        assert!(std::error::Error::source(&e).is_none());
    }
}
