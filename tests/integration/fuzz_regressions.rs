//! What the fuzzers (`fuzz/`) found, kept as regression tests. Every file under
//! `tests/fuzz-regressions/<target>/` goes through the fuzz target's own harness
//! (`fuzz/src/harness.rs`, included here) and through the command that reads such a file.
//! A file named `rejected-*` must give a diagnostic or an error, `accepted-*` must be
//! taken; neither may panic, and the command must not fail on what it wrote.

#[path = "../../fuzz/src/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};

use harness::Outcome;

use crate::common::*;

fn reproducers(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = repo_root().join("tests/fuzz-regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("accepted-") || n.starts_with("rejected-"))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Checks the harness's outcome against the file's name.
fn expect(name: &str, outcome: &Outcome) {
    match outcome {
        Outcome::Rejected(message) => {
            assert!(
                name.starts_with("rejected-"),
                "{name} was rejected: {message}"
            );
            assert!(!message.trim().is_empty(), "{name}: an empty message");
        }
        Outcome::Accepted(n) => {
            assert!(name.starts_with("accepted-"), "{name} was accepted ({n})")
        }
    }
}

/// Runs the binary; it may report a problem (exit 1 or 2), never crash.
fn no_crash(root: &Path, args: &[&str], name: &str) -> i32 {
    let out = controlbook()
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or(-1);
    assert!(
        (0..=2).contains(&code) && !stderr.contains("panicked"),
        "{name}: controlbook {args:?} exited {code}:\n{stderr}"
    );
    code
}

#[test]
fn baseline_reproducers_load_to_a_diagnostic_or_a_book() {
    for (name, bytes) in reproducers("baseline") {
        expect(&name, &harness::baseline(&bytes));
        let book = default_book();
        std::fs::write(book.path().join("content/baselines/fuzz.yaml"), &bytes).unwrap();
        let code = no_crash(book.path(), &["build"], &name);
        assert_eq!(
            code == 2,
            name.starts_with("rejected-"),
            "{name}: build exited {code}"
        );
    }
}

#[test]
fn book_toml_reproducers_give_a_diagnostic_or_a_build() {
    for (name, bytes) in reproducers("book_toml") {
        expect(&name, &harness::book_toml(&bytes));
        let book = default_book();
        std::fs::write(book.path().join("book.toml"), &bytes).unwrap();
        no_crash(book.path(), &["check"], &name);
    }
}

/// Imports `file` into a copy of the default book; the imported baseline must load.
fn import_then_check(kind: &str, file: &Path, name: &str) {
    let book = default_book();
    let code = no_crash(book.path(), &["import", kind, file.to_str().unwrap()], name);
    if code == 0 {
        // What the import wrote is a file the book loads (exit 2 would be an input error).
        let check = no_crash(book.path(), &["check", "--cap-lints", "warn"], name);
        assert_eq!(check, 0, "{name}: the imported baseline does not load");
    }
}

#[test]
fn xlsx_reproducers_import_or_give_an_error() {
    for (name, bytes) in reproducers("xlsx") {
        let workbook = harness::xlsx_input(&bytes);
        expect(&name, &harness::xlsx(&workbook));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("fuzz-regression.xlsx");
        std::fs::write(&file, &workbook).unwrap();
        import_then_check("xlsx", &file, &name);
    }
}

#[test]
fn csv_reproducers_import_or_give_an_error() {
    for (name, bytes) in reproducers("csv") {
        expect(&name, &harness::csv(&bytes));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("fuzz-regression.csv");
        std::fs::write(&file, &bytes).unwrap();
        import_then_check("csv", &file, &name);
    }
}
