//! Broken books fail with exit code 2, name the file, line and column, and leave the
//! previous output untouched.

use std::path::Path;

use crate::common::*;

const BASELINE: &str = "content/baselines/container-registry.yaml";

/// Line and column (1-based, in characters) of byte offset `at` in `text`.
fn line_col(text: &str, at: usize) -> String {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    format!("{line}:{col}")
}

/// Edits the baseline of a built book, builds again and checks the failure.
fn assert_rejected(edit: impl Fn(&str) -> (String, usize), expect_in_message: &str) {
    let book = built_default_book();
    let root = book.path();
    let before = output_listing(root);
    let path = root.join(BASELINE);
    let original = std::fs::read_to_string(&path).unwrap();
    let (broken, at) = edit(&original);
    assert_ne!(broken, original, "the edit changed nothing");
    std::fs::write(&path, &broken).unwrap();

    let (code, _, stderr) = run(root, &["build"]);
    assert_eq!(code, Some(2), "{stderr}");
    let position = format!("{BASELINE}:{}", line_col(&broken, at));
    assert!(
        stderr.contains(&position),
        "expected {position} in:\n{stderr}"
    );
    assert!(
        stderr
            .to_lowercase()
            .contains(&expect_in_message.to_lowercase()),
        "expected {expect_in_message:?} in:\n{stderr}"
    );
    // The offending line is shown under the position.
    let line_no = line_col(&broken, at).split(':').next().unwrap().to_string();
    let line_text = broken
        .lines()
        .nth(line_no.parse::<usize>().unwrap() - 1)
        .unwrap();
    assert!(
        stderr.contains(&format!("{line_no} | {line_text}")),
        "{stderr}"
    );
    assert_eq!(
        before,
        output_listing(root),
        "output/ changed after a failed build"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Every output file with its bytes, to compare before and after.
fn output_listing(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let out = files_below(&root.join("output"));
    assert!(!out.is_empty());
    out
}

#[test]
fn duplicate_key() {
    assert_rejected(
        |t| {
            let at =
                t.find("slug: container-registry\n").unwrap() + "slug: container-registry\n".len();
            (format!("{}slug: again\n{}", &t[..at], &t[at..]), at)
        },
        "duplicate",
    );
}

#[test]
fn unknown_key() {
    assert_rejected(
        |t| {
            let at = t.find("benchmark: mcsb-v1\n").unwrap();
            (format!("{}colour: blue\n{}", &t[..at], &t[at..]), at)
        },
        "colour",
    );
}

#[test]
fn wrong_type() {
    assert_rejected(
        |t| {
            let broken = t.replace(
                "product_category: [Compute, Containers]",
                "product_category: 42",
            );
            let at = broken.find("product_category: 42").unwrap() + "product_category: ".len();
            (broken, at)
        },
        "sequence",
    );
}

#[test]
fn yes_is_not_a_boolean() {
    assert_rejected(
        |t| {
            let broken = t.replace("deployable_into_vnet: false", "deployable_into_vnet: yes");
            let at =
                broken.find("deployable_into_vnet: yes").unwrap() + "deployable_into_vnet: ".len();
            (broken, at)
        },
        "boolean",
    );
}

#[test]
fn unknown_control_id() {
    assert_rejected(
        |t| {
            let broken = t.replacen("  - id: NS-1\n", "  - id: NS-99\n", 1);
            let at = broken.find("NS-99").unwrap();
            (broken, at)
        },
        "control `NS-99` is not in benchmark `mcsb-v1`",
    );
}

#[test]
fn unknown_feature_id() {
    assert_rejected(
        |t| {
            let broken = t.replacen(
                "feature: customer-lockbox",
                "feature: customer-lockbocks",
                1,
            );
            let at = broken.find("customer-lockbocks").unwrap();
            (broken, at)
        },
        "did you mean `customer-lockbox`",
    );
}

#[test]
fn invalid_utf8_is_an_input_error() {
    let book = built_default_book();
    let root = book.path();
    let path = root.join(BASELINE);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\nservice: \xff\xfe\n");
    std::fs::write(&path, bytes).unwrap();
    let (code, _, stderr) = run(root, &["build"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    assert!(stderr.contains(BASELINE), "{stderr}");
}

#[test]
fn a_folder_that_is_not_a_book_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(dir.path(), &["build"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("not a book"));
    assert!(!dir.path().join("output").exists());
}
