//! The whole resolved baseline as JSON, for scripts.

use crate::resolve::Doc;

pub fn render(doc: &Doc) -> Result<Vec<u8>, serde_json::Error> {
    pretty(doc)
}

/// Every baseline, as an array of what [`render`] writes for each.
pub fn render_all(docs: &[&Doc]) -> Result<Vec<u8>, serde_json::Error> {
    pretty(docs)
}

/// Indented, with a final line break, as text files end. serde_json writes UTF-8 only, so
/// the bytes go out as they are, not checked again as a `String` would be.
fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    // A baseline is 20 to 100 KB of JSON: serde_json's own start of 128 bytes copied it
    // about ten times while it grew.
    let mut bytes = Vec::with_capacity(64 * 1024);
    serde_json::to_writer_pretty(&mut bytes, value)?;
    bytes.push(b'\n');
    Ok(bytes)
}
