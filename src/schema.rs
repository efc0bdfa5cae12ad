//! JSON Schemas (draft-07) of the source files, for editors (`# yaml-language-server:
//! $schema=…`) and for `controlbook schema`.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

use crate::model::{Baseline, Benchmark, FeatureCatalog};

/// The kinds of source file that have a schema, with the file name `schema --out` writes.
pub const KINDS: [(&str, &str); 3] = [
    ("baseline", "baseline.schema.json"),
    ("benchmark", "benchmark.schema.json"),
    ("features", "features.schema.json"),
];

/// The schema of a kind of source file as pretty JSON, or `None` for an unknown kind.
pub fn schema_json(kind: &str) -> Option<String> {
    let value = match kind {
        "baseline" => generate::<Baseline>("controlbook baseline"),
        "benchmark" => generate::<Benchmark>("controlbook benchmark catalog"),
        "features" => generate::<FeatureCatalog>("controlbook feature catalog"),
        _ => return None,
    };
    let mut text = serde_json::to_string_pretty(&value).ok()?;
    text.push('\n');
    Some(text)
}

fn generate<T: JsonSchema>(title: &str) -> serde_json::Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<T>();
    schema.insert("title".into(), title.into());
    schema.to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_are_draft_07_and_closed() {
        let text = schema_json("baseline").unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(v["additionalProperties"], false);
        assert!(v["properties"]["controls"].is_object());
        assert!(schema_json("nope").is_none());
    }
}
