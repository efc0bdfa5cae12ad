//! The whole resolved baseline as JSON, for scripts.

use crate::resolve::Doc;

pub fn render(doc: &Doc) -> Result<String, serde_json::Error> {
    pretty(doc)
}

/// Every baseline, as an array of what [`render`] writes for each.
pub fn render_all(docs: &[&Doc]) -> Result<String, serde_json::Error> {
    pretty(docs)
}

/// Indented, with a final line break, as text files end.
fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}
