//! The whole resolved baseline as JSON, for scripts.

use crate::resolve::Doc;

pub fn render(doc: &Doc) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(doc)?;
    text.push('\n');
    Ok(text)
}
