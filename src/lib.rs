//! controlbook: security baselines as structured YAML, checked and rendered to a static
//! site, Markdown articles, XLSX mapping files, CSV and JSON.
//!
//! The pipeline is `load` -> `check` -> `render`: [`load::load`] reads a book,
//! [`references::check`] and the rules find problems, [`build::build`] writes every output
//! into a temporary folder and swaps it in.

pub mod config;
pub mod diag;
pub mod error;
pub mod load;
pub mod model;
pub mod references;
pub mod source;

pub use error::{Error, Result};
