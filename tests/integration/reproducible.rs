//! The same input gives the same bytes, the workbook included.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn two_builds_give_identical_bytes() {
    let book = default_book();
    build(book.path());
    let first = snapshot(&book.path().join("output"));
    // Let the clock move so that a timestamp taken from it would differ.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    build(book.path());
    let second = snapshot(&book.path().join("output"));
    assert!(first.len() >= 10, "{:?}", first.keys());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(bytes == &second[path], "{path} differs between builds");
    }
}

#[test]
fn source_date_epoch_sets_the_workbook_timestamp() {
    let book = default_book();
    let xlsx = book
        .path()
        .join("output/xlsx/container-registry-security-baseline.xlsx");
    build(book.path());
    let default = std::fs::read(&xlsx).unwrap();
    controlbook()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .arg("--root")
        .arg(book.path())
        .arg("build")
        .assert()
        .success();
    let stamped = std::fs::read(&xlsx).unwrap();
    assert_ne!(default, stamped, "SOURCE_DATE_EPOCH had no effect");
    controlbook()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .arg("--root")
        .arg(book.path())
        .arg("build")
        .assert()
        .code(2);
}
