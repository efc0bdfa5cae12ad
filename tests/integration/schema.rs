//! The committed JSON Schemas are what `controlbook schema` prints, and every content file
//! points its editor at the right one.

use crate::common::*;

#[test]
fn committed_schemas_are_current() {
    for (kind, file) in [
        ("baseline", "baseline.schema.json"),
        ("benchmark", "benchmark.schema.json"),
        ("features", "features.schema.json"),
    ] {
        let out = controlbook().args(["schema", kind]).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read_to_string(repo_root().join("schemas").join(file)).unwrap();
        assert!(
            String::from_utf8(out.stdout).unwrap() == committed,
            "schemas/{file} is stale: run `cargo run -- schema --out schemas`"
        );
    }
}

#[test]
fn content_files_name_their_schema() {
    let root = repo_root();
    let cases = [
        ("content/benchmarks/mcsb-v1.yaml", "benchmark.schema.json"),
        ("content/features.yaml", "features.schema.json"),
        (
            "content/baselines/container-registry.yaml",
            "baseline.schema.json",
        ),
    ];
    for (file, schema) in cases {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let first = text.lines().next().unwrap();
        let target = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{file} does not start with a schema line"));
        assert!(target.ends_with(schema), "{file} points at {target}");
        let resolved = root.join(file).parent().unwrap().join(target);
        assert!(
            resolved.is_file(),
            "{file}: {} does not exist",
            resolved.display()
        );
    }
}

#[test]
fn schema_rejects_unknown_kinds() {
    controlbook().args(["schema", "nonsense"]).assert().code(2);
}
