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
    // A baseline is 20 to 100 KB of JSON: serde_json's own start of 128 bytes copied it
    // about ten times while it grew.
    let mut bytes = Vec::with_capacity(64 * 1024);
    serde_json::to_writer_pretty(&mut bytes, value)?;
    bytes.push(b'\n');
    // serde_json writes UTF-8 only; a failure here would be its bug, reported as an error.
    String::from_utf8(bytes).map_err(|e| serde::ser::Error::custom(e.utf8_error()))
}
