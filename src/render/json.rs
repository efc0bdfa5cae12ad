//! The whole resolved baseline as JSON, for scripts.

use crate::resolve::Doc;

pub fn render(doc: &Doc) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(doc)?;
    text.push('\n');
    Ok(text)
}

/// Every baseline, as an array of what [`render`] writes for each.
pub fn render_all(docs: &[&Doc]) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(docs)?;
    text.push('\n');
    Ok(text)
}
