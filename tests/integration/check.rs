//! `controlbook check` as CI runs it: exit codes, every output format (SARIF validated
//! against the official schema), severities from book.toml and `--cap-lints`.

use std::path::Path;

use crate::common::*;

const BASELINE: &str = "content/baselines/container-registry.yaml";

/// The default book with four defects: a `ttps://` URL, a doubled space, a two-part policy
/// version and an outdated control title (2 errors, 2 warnings).
fn defective_book() -> tempfile::TempDir {
    let book = default_book();
    let path = book.path().join(BASELINE);
    let text = std::fs::read_to_string(&path).unwrap()
        .replacen(
            "url: https://docs.microsoft.com/azure/container-registry/container-registry-private-link",
            "url: ttps://docs.microsoft.com/azure/container-registry/container-registry-private-link",
            1,
        )
        .replace("title: Disable public network access", "title: Disable public  network access")
        .replace("version: 2.0.0", "version: \"2.0\"")
        .replace("  - id: PA-8\n", "  - id: PA-8\n    title: Choose approval process for third-party support\n");
    std::fs::write(&path, text).unwrap();
    book
}

fn position_of(root: &Path, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(root.join(BASELINE)).unwrap();
    // A needle starting with "ttps" must not match inside "https".
    let at = text
        .match_indices(needle)
        .map(|(i, _)| i)
        .find(|&i| !text[..i].ends_with('h'))
        .unwrap_or_else(|| panic!("{needle} not in baseline"));
    let line = text[..at].matches('\n').count() + 1;
    let column = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column)
}

fn check(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    run(root, &[&["check"], args].concat())
}

#[test]
fn the_default_book_is_clean() {
    let book = default_book();
    let (code, stdout, stderr) = check(book.path(), &["--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap(),
        serde_json::json!([])
    );
    let (code, _, stderr) = check(book.path(), &[]);
    assert_eq!(code, Some(0));
    assert!(stderr.contains("no problems found"), "{stderr}");
}

#[test]
fn human_findings_point_deep_into_the_file() {
    let book = defective_book();
    let (code, _, stderr) = check(book.path(), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let (line, col) = position_of(book.path(), "Choose approval process");
    assert!(line > 100, "the finding should be deep in the file");
    assert!(
        stderr.contains("warning[title-mismatch]: title of `PA-8` differs"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--> {BASELINE}:{line}:{col}")),
        "{stderr}"
    );
    let (line, col) = position_of(book.path(), "ttps://docs");
    assert!(
        stderr.contains(&format!("--> {BASELINE}:{line}:{col}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: did you mean `https://docs.microsoft.com"),
        "{stderr}"
    );
    assert!(
        stderr.trim_end().ends_with("2 errors, 2 warnings"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour when not on a terminal"
    );
}

#[test]
fn json_has_one_object_per_finding() {
    let book = defective_book();
    let (code, stdout, _) = check(book.path(), &["--format", "json"]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let findings = v.as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "invalid-url",
            "whitespace",
            "policy-invalid-version",
            "title-mismatch"
        ]
    );
    let (line, col) = position_of(book.path(), "\"2.0\"");
    let version = &findings[2];
    assert_eq!(version["file"], BASELINE);
    assert_eq!(version["line"].as_u64(), Some(line as u64));
    assert_eq!(version["column"].as_u64(), Some(col as u64));
    assert_eq!(version["end_column"].as_u64(), Some(col as u64 + 5));
    assert_eq!(version["severity"], "error");
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let Some(shared) = shared_dir() else { return };
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared.join("fixtures/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let book = defective_book();
    let (code, stdout, _) = check(book.path(), &["--format", "sarif"]);
    assert_eq!(code, Some(1));
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "SARIF is invalid: {errors:#?}");
    let run = &sarif["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 4);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "missing-reference"
        && r["help"]["text"].as_str().unwrap().contains("How to fix")));
    for r in run["results"].as_array().unwrap() {
        assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
    // An input error is reported in the same format.
    let broken = default_book();
    let path = broken.path().join(BASELINE);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("deployable_into_vnet: false", "deployable_into_vnet: yes");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, _) = check(broken.path(), &["--format", "sarif"]);
    assert_eq!(code, Some(2));
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(validator.is_valid(&sarif));
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "invalid-yaml");
}

#[test]
fn github_format_annotates_lines() {
    let book = defective_book();
    let (code, stdout, _) = check(book.path(), &["--format", "github"]);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    let (line, col) = position_of(book.path(), "ttps://docs");
    assert!(
        lines[0].starts_with(&format!(
            "::error file={BASELINE},line={line},col={col},endLine={line},"
        )),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(",title=invalid-url::"), "{}", lines[0]);
    assert!(lines[1].starts_with("::warning "), "{}", lines[1]);
}

#[test]
fn cap_lints_turns_errors_into_warnings_for_check_and_build() {
    let book = defective_book();
    let (code, _, stderr) = check(book.path(), &["--cap-lints", "warn"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("4 warnings"), "{stderr}");
    controlbook()
        .arg("--root")
        .arg(book.path())
        .args(["build", "--cap-lints", "warn"])
        .assert()
        .success();
    assert!(book.path().join("output/site/index.html").is_file());
}

#[test]
fn build_stops_on_error_findings_without_touching_output() {
    let book = default_book();
    build(book.path());
    let before = std::fs::read(
        book.path()
            .join("output/md/container-registry-security-baseline.md"),
    )
    .unwrap();
    let path = book.path().join(BASELINE);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("version: 2.0.0", "version: \"2.0\"");
    std::fs::write(&path, text).unwrap();
    let (code, _, stderr) = run(book.path(), &["build"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("policy-invalid-version"));
    let after = std::fs::read(
        book.path()
            .join("output/md/container-registry-security-baseline.md"),
    )
    .unwrap();
    assert_eq!(before, after);
}

#[test]
fn book_toml_sets_severities() {
    let book = defective_book();
    let config = book.path().join("book.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let with = |deny: &str, allow: &str| {
        text.replace("deny = []", &format!("deny = [{deny}]"))
            .replace("allow = []", &format!("allow = [{allow}]"))
    };
    std::fs::write(
        &config,
        with("", "\"invalid-url\", \"policy-invalid-version\""),
    )
    .unwrap();
    let (code, _, stderr) = check(book.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("2 warnings") && !stderr.contains("invalid-url"),
        "{stderr}"
    );

    std::fs::write(
        &config,
        with(
            "\"whitespace\"",
            "\"invalid-url\", \"policy-invalid-version\"",
        ),
    )
    .unwrap();
    let (code, _, stderr) = check(book.path(), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("error[whitespace]"), "{stderr}");

    std::fs::write(&config, with("\"no-such-rule\"", "")).unwrap();
    let (code, _, stderr) = check(book.path(), &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown rule `no-such-rule`"), "{stderr}");
    assert!(stderr.contains("--> book.toml:"), "{stderr}");
}

#[test]
fn rules_are_listed_and_explained() {
    let (code, stdout, _) = check(Path::new("."), &["--list-rules"]);
    assert_eq!(code, Some(0));
    for id in [
        "missing-guidance",
        "missing-reference",
        "invalid-url",
        "duplicate-feature",
        "broken-link",
        "unknown-control",
    ] {
        assert!(stdout.contains(id), "{id} not listed");
    }
    let (code, stdout, _) = check(Path::new("."), &["--explain", "missing-reference"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("## How to fix"), "{stdout}");
    let (code, _, stderr) = check(Path::new("."), &["--explain", "nope"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unknown rule `nope`"));
}
