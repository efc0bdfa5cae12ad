//! A fast reader for the plain YAML that baselines are written in, tried before
//! serde-saphyr. serde-saphyr stays the authority: whenever a document leaves the subset
//! this reader takes (see [`parse`]), or a value does not fit its type, or YAML could
//! resolve a scalar in more than one way, this gives `None` and serde-saphyr reads the
//! file, with its error messages and positions. On what it takes, it gives the same value
//! and the same spans, which the tests check against serde-saphyr.
//!
//! Why: serde-saphyr's general machinery (events, a lookahead buffer, duplicate-key
//! hashing, budgets) was a quarter of a build's CPU time.

mod de;
mod parse;

use serde::de::DeserializeOwned;

/// The tuple-struct name under which this reader hands [`crate::model::Spanned`] a
/// scalar's start and end offsets and its value. `Spanned` asks only a deserializer that
/// is not human-readable, which among ours is only this one.
pub(crate) const SPANNED: &str = "controlbook::yaml_fast::Spanned";

/// The document as a `T`, or `None` where serde-saphyr must read it.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let root = parse::document(text)?;
    T::deserialize(de::De(&root)).ok()
}

/// Why the fast reader gave up; never shown, since serde-saphyr then reads the file.
#[derive(Debug)]
pub(crate) struct Bail;

impl std::fmt::Display for Bail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("outside the fast reader's subset")
    }
}

impl std::error::Error for Bail {}

impl serde::de::Error for Bail {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Bail
    }
}

#[cfg(test)]
mod tests;
